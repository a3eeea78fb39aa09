//! `xenbeam-run`'s command line: bad input ends the run with a clear message and status 2,
//! never a panic; erl's items (`-run`, `-s`, `-eval`) run and fail as under `erl -noshell`,
//! compared with erl itself (which must be installed).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Output};

fn runner(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xenbeam-run"))
        .args(args)
        .output()
        .expect("starting xenbeam-run")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_argument_that_is_not_utf8_is_refused_with_a_message() {
    let bad = OsStr::from_bytes(b"caf\xe9");
    for args in [
        vec![OsStr::new("mod"), OsStr::new("fun"), bad],
        vec![bad, OsStr::new("fun")],
        vec![
            OsStr::new("--max-heap-words"),
            bad,
            OsStr::new("m"),
            OsStr::new("f"),
        ],
    ] {
        let out = runner(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("not valid UTF-8") || err.contains("usage"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn a_code_path_that_is_not_utf8_is_taken_as_it_is() {
    // A directory name is bytes on Linux: it need not be UTF-8, and a missing one is no error.
    let out = runner(&[
        OsStr::new("-pa"),
        OsStr::from_bytes(b"/nonexistent/\xff"),
        OsStr::new("--list-opcodes"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn missing_or_bad_options_print_the_usage() {
    for args in [
        vec![],
        vec!["only_a_module"],
        vec!["--max-heap-words", "lots", "m", "f"],
        vec!["-pa"],
        vec!["--xenstore=nonsense_knob", "m", "f"],
        vec!["--max-memory"],
    ] {
        let os: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let out = runner(&os);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{args:?}");
    }
}

#[cfg(not(feature = "op-profile"))]
#[test]
fn the_op_profile_options_need_a_build_with_the_feature() {
    for args in [
        vec!["--op-profile", "report.txt", "m", "f"],
        vec!["--op-profile-top", "5", "m", "f"],
    ] {
        let os: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let out = runner(&os);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("op-profile feature"), "{args:?}");
    }
}

#[test]
fn a_process_limit_erl_refuses_is_refused_with_a_message() {
    for n in ["1000", "0", "-5", "2048abc", "134217728", "lots", ""] {
        let out = runner(&[
            OsStr::new("+P"),
            OsStr::new(n),
            OsStr::new("m"),
            OsStr::new("f"),
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "+P {n:?}: {err}");
        assert!(err.contains("bad number of processes"), "+P {n:?}: {err}");
    }
    let out = runner(&[OsStr::new("+P")]);
    assert_eq!(out.status.code(), Some(2));
}

/// Compiles `src` as module `name` into a scratch directory (erlc is needed, as for the
/// conformance suite) and returns the directory.
fn compile(name: &str, src: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xenbeam-cli-{name}-{}", std::process::id()));
    compile_in(&dir, name, "erl", src, &[]);
    dir
}

/// Compiles `src` (Erlang, or BEAM assembly when `ext` is "S") into `dir`.
fn compile_in(dir: &std::path::Path, name: &str, ext: &str, src: &str, flags: &[&str]) {
    std::fs::create_dir_all(dir).expect("temp dir");
    let file = dir.join(format!("{name}.{ext}"));
    std::fs::write(&file, src).expect("writing the module");
    let st = Command::new("erlc")
        .args(flags)
        .arg("-o")
        .arg(dir)
        .arg(&file)
        .status()
        .expect("erlc (OTP) is needed");
    assert!(st.success());
}

/// Code that runs off its end (erlc's validator never lets this through; the loader takes
/// it) fails in its own process with `undef`; the node and the caller carry on.
#[test]
fn code_that_runs_off_its_end_fails_its_process_only() {
    let dir = std::env::temp_dir().join(format!("xenbeam-cli-codeend-{}", std::process::id()));
    compile_in(
        &dir,
        "cli_codeend",
        "S",
        "{module, cli_codeend}.\n{exports, [{fall,0}]}.\n{attributes, []}.\n{labels, 4}.\n\
         {function, fall, 0, 2}.\n  {label,1}.\n    \
         {func_info,{atom,cli_codeend},{atom,fall},0}.\n  {label,2}.\n    \
         {move,{atom,ok},{x,0}}.\n  {label,3}.\n",
        &["+no_validate", "+no_postopt"],
    );
    compile_in(
        &dir,
        "cli_caller",
        "erl",
        "-module(cli_caller).\n-export([main/0]).\n\
         main() -> {'EXIT', {R, _}} = (catch cli_codeend:fall()), io:format(\"~p~n\", [R]).\n",
        &[],
    );
    let out = runner(&[
        OsStr::new("-pa"),
        dir.as_os_str(),
        OsStr::new("cli_caller"),
        OsStr::new("main"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "undef");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_process_limit_is_rounded_as_erl_rounds_it() {
    let dir = compile(
        "cli_limit",
        "-module(cli_limit).\n-export([main/0]).\n\
         main() -> io:format(\"~p~n\", [erlang:system_info(process_limit)]).\n",
    );
    for (given, limit) in [
        (None, "262144"),
        (Some("1024"), "1024"),
        (Some("5000"), "8192"),
        (Some("100000000"), "134217727"),
    ] {
        let mut args = vec![OsStr::new("-pa"), dir.as_os_str()];
        if let Some(n) = given {
            args.extend([OsStr::new("+P"), OsStr::new(n)]);
        }
        args.extend([OsStr::new("cli_limit"), OsStr::new("main")]);
        let out = runner(&args);
        assert_eq!(out.status.code(), Some(0), "{given:?}: {}", stderr(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            limit,
            "{given:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn max_heap_words_is_every_process_default_max_heap_size() {
    let dir = compile(
        "cli_heap",
        "-module(cli_heap).\n-export([main/0]).\n\
         main() ->\n\
             io:format(\"~p~n\", [erlang:system_info(max_heap_size)]),\n\
             {P, R} = spawn_monitor(fun() -> grow(100000, []) end),\n\
             receive {'DOWN', R, process, P, Why} -> io:format(\"~p~n\", [Why]) end,\n\
             grow(100000, []).\n\
         grow(0, L) -> length(L);\n\
         grow(N, L) -> grow(N - 1, [N | L]).\n",
    );
    let out = runner(&[
        OsStr::new("--max-heap-words"),
        OsStr::new("20000"),
        OsStr::new("-pa"),
        dir.as_os_str(),
        OsStr::new("cli_heap"),
        OsStr::new("main"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "#{error_logger => true,kill => true,size => 20000}"
    );
    assert!(lines.contains(&"killed"), "{stdout}");
    assert_eq!(
        stdout
            .matches("Context:            maximum heap size reached")
            .count(),
        2
    );
    assert!(
        stdout.ends_with("{\"init terminating in do_boot\",killed}\n"),
        "{stdout}"
    );
    assert!(stderr(&out).starts_with("init terminating in do_boot (killed)"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Replaces every `from` in the Code chunk of the BEAM file at `path` with `to`, fixing the
/// chunk's and the file's sizes (IFF: 4-byte name, 4-byte big-endian size, padded to 4).
fn patch_code_chunk(path: &std::path::Path, from: &[u8], to: &[u8]) {
    let d = std::fs::read(path).expect("reading the beam file");
    assert_eq!(&d[..4], b"FOR1");
    let mut body = b"BEAM".to_vec();
    let mut i = 12;
    while i + 8 <= d.len() {
        let size = u32::from_be_bytes(d[i + 4..i + 8].try_into().unwrap()) as usize;
        let mut chunk = d[i + 8..i + 8 + size].to_vec();
        if &d[i..i + 4] == b"Code" {
            let at = chunk.windows(from.len()).position(|w| w == from);
            let at = at.expect("the instruction to patch");
            chunk.splice(at..at + from.len(), to.iter().copied());
        }
        body.extend_from_slice(&d[i..i + 4]);
        body.extend_from_slice(&(chunk.len() as u32).to_be_bytes());
        body.extend_from_slice(&chunk);
        body.resize(body.len().next_multiple_of(4), 0);
        i += 8 + size.next_multiple_of(4);
    }
    let mut out = b"FOR1".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    std::fs::write(path, out).expect("writing the beam file");
}

/// A module whose function allocates a frame of 2^32 - 1 slots (erlc cannot assemble one, so
/// a 1,000-slot frame is patched) is refused at load and the call is undef, as in erl; the
/// caller carries on.
#[test]
fn a_frame_of_four_billion_slots_is_refused_at_load_as_in_erl() {
    let dir = std::env::temp_dir().join(format!("xenbeam-cli-bigframe-{}", std::process::id()));
    compile_in(
        &dir,
        "cli_bigframe",
        "S",
        "{module, cli_bigframe}.\n{exports, [{f,0}]}.\n{attributes, []}.\n{labels, 3}.\n\
         {function, f, 0, 2}.\n  {label,1}.\n    \
         {func_info,{atom,cli_bigframe},{atom,f},0}.\n  {label,2}.\n    \
         {allocate_zero,1000,0}.\n    {move,{atom,ok},{x,0}}.\n    {deallocate,1000}.\n    \
         return.\n",
        &[],
    );
    // The operand 1000 is [0x68, 0xE8]; 2^32 - 1 is a 5-byte integer [0x78, 0, 0xFF x 4].
    let beam = dir.join("cli_bigframe.beam");
    let huge = [0x78, 0, 0xFF, 0xFF, 0xFF, 0xFF];
    for op in [14u8, 18] {
        let to: Vec<u8> = [op].iter().chain(&huge).copied().collect();
        patch_code_chunk(&beam, &[op, 0x68, 0xE8], &to);
    }
    compile_in(
        &dir,
        "cli_bigcall",
        "erl",
        "-module(cli_bigcall).\n-export([main/0]).\n\
         main() -> {'EXIT', {R, _}} = (catch cli_bigframe:f()), io:format(\"~p~n\", [R]).\n",
        &[],
    );
    let out = runner(&[
        OsStr::new("-pa"),
        dir.as_os_str(),
        OsStr::new("cli_bigcall"),
        OsStr::new("main"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // OTP's code server, which loads the module for the call, reports the refusal as erl's.
    let got = String::from_utf8_lossy(&out.stdout);
    assert!(got.lines().any(|l| l == "undef"), "{got}");
    assert!(
        got.contains("cli_bigframe.beam failed: badfile"),
        "no report of the refused load: {got}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Compiles `tests/memory/NAME.erl` into a scratch directory named after `tag` (erlc is
/// needed) and returns the directory.
fn memory_program(name: &str, tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xenbeam-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/memory")
        .join(format!("{name}.erl"));
    let st = Command::new("erlc")
        .arg("-o")
        .arg(&dir)
        .arg(&src)
        .status()
        .expect("erlc (OTP) is needed");
    assert!(st.success());
    dir
}

/// Runs xenbeam-run with `args`, killing it after 30 s (`None` then).
fn runner_within(args: &[&OsStr]) -> Option<Output> {
    runner_within_from(OsStr::new(env!("CARGO_BIN_EXE_xenbeam-run")), args)
}

/// Runs the runner `exe` with `args`, killing it after 30 s (`None` then).
fn runner_within_from(exe: &OsStr, args: &[&OsStr]) -> Option<Output> {
    let mut child = Command::new(exe)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starting xenbeam-run");
    let start = std::time::Instant::now();
    while child.try_wait().expect("waiting").is_none() {
        if start.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Some(child.wait_with_output().expect("output"))
}

#[test]
fn a_file_holding_another_module_or_a_name_with_a_path_is_undef_as_in_erl() {
    // n.beam copied to m.beam, and m.beam under some/path: erl refuses to load a file whose
    // module is not the one asked for, and the call is undef (once; no loading again).
    let dir = compile(
        "cli_named",
        "-module(cli_named).\n-export([main/0]).\nmain() -> erlang:display(hi).\n",
    );
    let beam = std::fs::read(dir.join("cli_named.beam")).expect("compiled");
    std::fs::write(dir.join("cli_renamed.beam"), &beam).expect("copy");
    std::fs::create_dir_all(dir.join("some/path")).expect("subdirectory");
    std::fs::write(dir.join("some/path/cli_named.beam"), &beam).expect("copy");
    for (module, shown) in [
        ("cli_renamed", "cli_renamed"),
        ("some/path/cli_named", "'some/path/cli_named'"),
    ] {
        let args = [
            OsStr::new("-pa"),
            dir.as_os_str(),
            OsStr::new(module),
            OsStr::new("main"),
        ];
        let out = runner_within(&args).unwrap_or_else(|| panic!("{module}: still running"));
        assert_eq!(out.status.code(), Some(1), "{module}: {}", stderr(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!(
                "{{\"init terminating in do_boot\",{{undef,[{{{shown},main,[],[]}},\
                 {{init,start_em,1,[]}},{{init,do_boot,3,[]}}]}}}}\n"
            ),
            "{module}"
        );
    }
    // The module itself still loads under its own name.
    let args = [
        OsStr::new("-pa"),
        dir.as_os_str(),
        OsStr::new("cli_named"),
        OsStr::new("main"),
    ];
    let out = runner_within(&args).expect("finishes");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_memory_budget_is_refused_with_a_message() {
    for option in ["--max-memory", "--heap-limit"] {
        for value in ["lots", "0", "-5", "12X", "99999999999999999999", "64MM"] {
            let out = runner(&[
                OsStr::new(option),
                OsStr::new(value),
                OsStr::new("m"),
                OsStr::new("f"),
            ]);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{option} {value}: {err}");
            assert!(
                err.contains(option) && err.contains("not a positive byte count"),
                "{option} {value}: {err}"
            );
            assert!(!err.contains("panicked"), "{option} {value}: {err}");
        }
    }
    // Less than the runner holds before it starts the node.
    let out = runner(&[
        OsStr::new("--heap-limit"),
        OsStr::new("1"),
        OsStr::new("m"),
        OsStr::new("f"),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--heap-limit") && err.contains("fewer"),
        "{err}"
    );
}

/// The node-memory program (tests/memory/m_node_memory.erl, checked in a 256 MiB guest by the
/// boot tests) under heap limits like the image's kernel heap: whatever the size, no
/// allocation the node cannot refuse runs the runner out of memory (48, 112 and 224 MiB
/// aborted it once: an 8 MB copy of a binary by `binary_to_list/3` after a stopped `re:run`,
/// or small binaries made past the budget between two collections, more than the reserve
/// beyond the budget holds); with enough memory every case ends as in the image. (At some
/// sizes the worker beside the process that grows without bound is killed instead of it,
/// having asked for memory just after the grower took most of the budget: the program then
/// waits for the worker forever and the runner says so, status 1.)
#[test]
fn the_node_memory_program_never_runs_the_runner_out_of_memory() {
    let dir = memory_program("m_node_memory", "node-mem");
    // Hundreds of MB built and collected: the release runner when there is one (XENBEAM_RUN,
    // as the conformance suite), which runs it in seconds.
    let exe =
        std::env::var_os("XENBEAM_RUN").unwrap_or_else(|| env!("CARGO_BIN_EXE_xenbeam-run").into());
    for limit in ["48M", "64M", "112M", "128M", "176M", "224M", "240M"] {
        let out = runner_within_from(
            &exe,
            &[
                OsStr::new("--heap-limit"),
                OsStr::new(limit),
                OsStr::new("-pa"),
                dir.as_os_str(),
                OsStr::new("m_node_memory"),
                OsStr::new("main"),
            ],
        )
        .expect("finishes");
        let err = stderr(&out);
        assert!(!err.contains("memory allocation of"), "{limit}: {err}");
        assert!(
            out.status.code().is_some(),
            "{limit}: killed by a signal: {err}"
        );
        let got = String::from_utf8_lossy(&out.stdout);
        if limit == "176M" {
            assert_eq!(out.status.code(), Some(0), "{limit}: {err}");
            for line in [
                "{grower,killed}",
                "{worker,250002500000}",
                "{encoder,killed}",
                "{deep,killed}",
                "{small_binaries,killed}",
                "{re_matches,stopped}",
                "{ets,killed}",
                "{afterwards,{length,2000000}}",
                "{then,{sum,5000050000}}",
            ] {
                assert!(
                    got.lines().any(|l| l == line),
                    "{limit}: no {line} in {got}"
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Processes that have collected many times and then wait hold little (no old space kept,
/// a small collection threshold): 1,000 of them fit in 48 MiB of heaps, where each used to
/// hold over 144 KiB and most would have been killed for the node's memory. The budget is
/// 64 MiB: it also holds the code OTP's boot loads (some 12 MB) and the kernel's room (4 MiB
/// at this size).
#[test]
fn thousands_of_collected_processes_fit_in_a_small_budget() {
    let dir = memory_program("m_many_processes", "many");
    let out = runner_within(&[
        OsStr::new("--max-memory"),
        OsStr::new("64M"),
        OsStr::new("-pa"),
        dir.as_os_str(),
        OsStr::new("m_many_processes"),
        OsStr::new("main"),
        OsStr::new("1000"),
    ])
    .expect("finishes");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{ready,1000,[10010000]}\n{under_64_kib_a_process,true}\n{stopped,1000}\n",
        "{}",
        stderr(&out)
    );
    assert_eq!(out.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// erl's `-run` and `-s` items run in order, in one process, each once the one before has
/// returned; `-s` passes atoms and `-run` strings, FUN defaults to `start`, and `-s init
/// stop` ends the node. A crash in an item ends the run as erl's does, the items after it
/// unrun. The output is erl's for the same command line.
#[test]
fn erl_command_line_items_run_in_order_in_one_process() {
    let dir = compile(
        "cli_items",
        "-module(cli_items).\n-export([a/0, b/1, c/1, start/0, crash/0]).\n\
         a() -> put(seen, [a]), io:format(\"a~n\").\n\
         b(L) -> put(seen, [b | get(seen)]), io:format(\"b ~p~n\", [L]).\n\
         c(L) -> io:format(\"c ~p ~p~n\", [L, get(seen)]).\n\
         start() -> io:format(\"start~n\").\n\
         crash() -> error(boom).\n",
    );
    let items =
        "-run cli_items a -s cli_items b x y -run cli_items c p q -s cli_items -s init stop";
    let crash = "-s cli_items crash -s cli_items a";
    for (line, status) in [(items, 0), (crash, 1)] {
        let words: Vec<&OsStr> = line.split(' ').map(OsStr::new).collect();
        let mut args = vec![OsStr::new("-pa"), dir.as_os_str()];
        args.extend(&words);
        let ours = runner(&args);
        let erl = Command::new("erl")
            .arg("-noshell")
            .args(&args)
            .output()
            .expect("erl (OTP) is needed");
        assert_eq!(
            ours.status.code(),
            Some(status),
            "{line}: {}",
            stderr(&ours)
        );
        assert_eq!(erl.status.code(), Some(status), "{line}: erl");
        let text = |o: &Output| String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n");
        assert_eq!(text(&ours), text(&erl), "{line}");
    }
    let out = runner(&[OsStr::new("-pa"), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    for (line, message) in [
        ("-run", "-run needs a module"),
        ("-s cli_items a --bogus", "unknown option '--bogus'"),
        ("cli_items", "a module needs a function"),
    ] {
        let words: Vec<&OsStr> = line.split(' ').map(OsStr::new).collect();
        let out = runner(&words);
        assert_eq!(out.status.code(), Some(2), "{line}");
        assert!(stderr(&out).contains(message), "{line}: {}", stderr(&out));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// An uncaught exception in the `-run` function halts with erl's slogan on standard error:
/// the reason as erl's `init` renders it (four levels deep, `[_]` and `{_}` below, printable
/// lists as their characters, atoms unquoted, binaries, maps and funs as nothing, floats as
/// `float_to_list/1`), cut at erl's 1,023 bytes. So does the process's death by `kill`.
#[test]
fn an_uncaught_exception_halts_with_erls_slogan() {
    let dir = compile(
        "cli_slogan",
        "-module(cli_slogan).\n-export([main/1]).\n\
         main([\"deep\"]) -> exit([{a, [b, [c, [d, [e]]]]}, {{{{{x}}}}}, [[[[[y]]]]], \"tab\\there\"]);\n\
         main([\"things\"]) -> exit({'quoted atom', <<\"bin\">>, #{k => v}, 1.5, -7, 1 bsl 80, \
         self(), fun main/1, [], [\"ab\", [$c]], [\"ab\", 1]});\n\
         main([\"badarg\"]) -> abs(list_to_tuple(lists:seq(1, 3)));\n\
         main([\"long\"]) -> exit(lists:seq(1, 600));\n\
         main([\"throw\"]) -> throw(lists:duplicate(300, ${));\n\
         main([\"killed\"]) -> exit(self(), kill), receive after infinity -> ok end;\n\
         main([\"killed_by\"]) -> Me = self(), spawn(fun() -> exit(Me, kill) end), \
         receive after infinity -> ok end.\n",
    );
    // The last two: the -run process killed (erl's init dies with it; it traps every other
    // exit signal).
    for case in [
        "deep",
        "things",
        "badarg",
        "long",
        "throw",
        "killed",
        "killed_by",
    ] {
        let args = [
            OsStr::new("-pa"),
            dir.as_os_str(),
            OsStr::new("-run"),
            OsStr::new("cli_slogan"),
            OsStr::new("main"),
            OsStr::new(case),
        ];
        let ours = runner(&args);
        let erl = Command::new("erl")
            .arg("-noshell")
            .args(args)
            .output()
            .expect("erl (OTP) is needed");
        assert_eq!(ours.status.code(), Some(1), "{case}: {}", stderr(&ours));
        assert_eq!(erl.status.code(), Some(1), "{case}: erl");
        let text = |b: &[u8]| String::from_utf8_lossy(b).replace("\r\n", "\n");
        assert_eq!(text(&ours.stderr), text(&erl.stderr), "{case}");
        assert_eq!(text(&ours.stdout), text(&erl.stdout), "{case}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `args` with xenbeam-run and with `erl -noshell` (which must be installed) and checks
/// that both print the same on standard output and standard error (erl ends its lines with
/// CR LF there) and exit with the same status, `status`.
fn same_as_erl(args: &[&OsStr], status: i32) {
    same_as_erl_in(args, status, true)
}

/// As [`same_as_erl`]; with `ordered` false, standard output's lines are compared in any
/// order: erl prints a crashing `-eval`'s slogan from init while the earlier items' `io`
/// output may still be on its way through the group leader, so on a loaded machine erl's
/// own order varies from run to run.
fn same_as_erl_in(args: &[&OsStr], status: i32, ordered: bool) {
    let ours = runner(args);
    let erl = Command::new("erl")
        .arg("-noshell")
        .args(args)
        .output()
        .expect("erl (OTP) is needed");
    let text = |b: &[u8]| String::from_utf8_lossy(b).replace("\r\n", "\n");
    assert_eq!(erl.status.code(), Some(status), "{args:?}: erl");
    assert_eq!(
        ours.status.code(),
        Some(status),
        "{args:?}: {}",
        stderr(&ours)
    );
    let lines = |b: &[u8]| {
        let mut l: Vec<String> = text(b).lines().map(String::from).collect();
        if !ordered {
            l.sort();
        }
        l
    };
    assert_eq!(
        lines(&ours.stdout),
        lines(&erl.stdout),
        "{args:?}: standard output"
    );
    assert_eq!(
        text(&ours.stderr),
        text(&erl.stderr),
        "{args:?}: standard error"
    );
}

/// `-eval EXPRS` as erl's init runs it: scanned, parsed and evaluated with OTP's erl_scan,
/// erl_parse and erl_eval, and every failure reported as erl reports it (the crash term on
/// standard output, init's short form of the reason on standard error, status 1).
#[test]
fn eval_items_run_and_fail_as_in_erl() {
    let exit_term =
        "exit({1.5, \"abc\", [\"ab\",\"cd\"], \"a\\nb\", [[[[[x]]]]], {{{{{y}}}}}, [], \
                     'A b', -3, 12345678901234567890, self()}).";
    for (args, status) in [
        (vec!["-eval", "halt(3)."], 3),
        (vec!["-eval", "init:stop()."], 0),
        (vec!["-eval", "X = 6, io:format(\"~p~n\", [X * 7])", "-s", "init", "stop"], 0),
        (vec!["-eval", "io:format(\"~p~n\",[lists:seq(1,3)]).", "-s", "init", "stop"], 0),
        (vec!["-eval", "-eval", "halt(4)."], 4),
        // Receive expressions (erl_eval's go through prim_eval).
        (
            vec![
                "-eval",
                "self() ! a, self() ! hi, receive hi -> ok end, \
                 receive M -> io:format(\"~p~n\", [M]) end, \
                 receive _ -> ok after 10 -> io:format(\"timeout~n\") end, halt(2).",
            ],
            2,
        ),
        // An exception in the expressions, through erl_eval's frames.
        (vec!["-eval", "foo:bar()."], 1),
        (vec!["-eval", "1/0."], 1),
        (vec!["-eval", "lists:reverse(x)."], 1),
        (vec!["-eval", "x = 1."], 1),
        (vec!["-eval", "throw(t)."], 1),
        (vec!["-eval", "exit(bye)."], 1),
        (vec!["-eval", exit_term], 1),
        // A syntax error and scan errors: a badmatch in init:start_it/1.
        (vec!["-eval", "1 +."], 1),
        (vec!["-eval", "a b"], 1),
        (vec!["-eval", "\"abc"], 1),
        (vec!["-eval", "$"], 1),
        // A process the expressions spawn goes on after them; a normal exit ends the items.
        (
            vec![
                "-eval",
                "spawn(fun() -> lists:foreach(fun(N) -> io:format(\"tick ~p~n\", [N]), \
                 timer:sleep(20) end, lists:seq(1, 5)), halt(6) end).",
            ],
            6,
        ),
        (
            vec![
                "-eval",
                "spawn(fun() -> timer:sleep(50), io:format(\"late~n\"), halt(6) end), exit(normal).",
                "-eval",
                "halt(7).",
            ],
            6,
        ),
        (vec!["-run", "erlang", "halt", "3"], 1),
    ] {
        let os: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        same_as_erl(&os, status);
    }
}

/// More than one word after `-eval`: erl's init dies preparing the items, before running any,
/// with the same message (erl may add a line from its logger, with a time in it, sometimes in
/// the middle of another line; it is left out of the comparison).
#[test]
fn eval_with_several_words_ends_the_boot_as_in_erl() {
    for args in [
        vec!["-eval", "halt(2).", "extra"],
        vec!["-s", "erlang", "halt", "-eval", "a\"b\\c", "\u{e9} x"],
    ] {
        let os: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let ours = runner(&os);
        let erl = Command::new("erl")
            .arg("-noshell")
            .args(&os)
            .output()
            .expect("erl (OTP) is needed");
        let lines = |o: &Output| {
            let mut text = String::from_utf8_lossy(&o.stderr).replace("\r\n", "\n");
            // The logger's line may land anywhere, even inside another line: cut it from its
            // start through its newline.
            while let Some(at) = text.find("(no logger present)") {
                let end = text[at..].find('\n').map_or(text.len(), |n| at + n + 1);
                text.replace_range(at..end, "");
            }
            let lines: Vec<String> = text.lines().map(String::from).collect();
            (o.status.code(), o.stdout.is_empty(), lines)
        };
        assert_eq!(lines(&erl).0, Some(1), "{args:?}: erl");
        assert_eq!(lines(&ours), lines(&erl), "{args:?}");
    }
}

/// `-eval` items run in order with `-run` and `-s` items, in the same process.
#[test]
fn eval_items_mix_with_run_and_s_in_one_process() {
    let dir = compile(
        "cli_eval",
        "-module(cli_eval).\n-export([a/0, b/1]).\n\
         a() -> put(seen, [a]), io:format(\"a ~p~n\", [self()]).\n\
         b(L) -> put(seen, [b | get(seen)]), io:format(\"b ~p ~p~n\", [L, self()]).\n",
    );
    let eval = "io:format(\"eval ~p ~p~n\", [self(), get(seen)]), put(seen, [eval | get(seen)]).";
    let crash = "cli_eval:nope().";
    for (items, status, ordered) in [
        (
            vec![
                "-run",
                "cli_eval",
                "a",
                "-eval",
                eval,
                "-s",
                "cli_eval",
                "b",
                "x",
                "-eval",
                "io:format(\"~p~n\", [get(seen)]), halt(5).",
            ],
            5,
            true,
        ),
        (
            vec![
                "-run", "cli_eval", "a", "-eval", crash, "-s", "cli_eval", "b",
            ],
            1,
            false,
        ),
    ] {
        let mut args = vec![OsStr::new("-pa"), dir.as_os_str()];
        args.extend(items.iter().map(OsStr::new));
        same_as_erl_in(&args, status, ordered);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A process an `-eval` spawns keeps printing while the next item runs (how many lines it
/// gets out before the halt depends on timing, so only their text is compared, and that
/// there is more than the first: on a loaded machine erl itself may get out only two).
#[test]
fn a_process_an_eval_spawns_keeps_printing_after_it() {
    let args = [
        "-eval",
        "spawn(fun L() -> io:format(\"tick~n\"), timer:sleep(10), L() end).",
        "-eval",
        "timer:sleep(100), halt(3).",
    ];
    let os: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    let erl = Command::new("erl")
        .arg("-noshell")
        .args(&os)
        .output()
        .expect("erl (OTP) is needed");
    for (who, out) in [("erl", erl), ("xenbeam-run", runner(&os))] {
        let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
        assert_eq!(out.status.code(), Some(3), "{who}: {}", stderr(&out));
        assert!(text.lines().count() >= 2, "{who}: {text}");
        assert!(text.lines().all(|l| l == "tick"), "{who}: {text}");
        assert!(out.stderr.is_empty(), "{who}: {}", stderr(&out));
    }
}

/// A process that waits for a line of standard input holds nobody else up: with input that
/// never comes (a pipe kept open), another process's output is written and its halt ends the
/// run, as in erl.
#[test]
fn waiting_for_input_holds_no_other_process_up() {
    let program = "spawn(fun() -> io:format(\"tick~n\"), halt(3) end), io:get_line(\"\").";
    let mut child = Command::new(env!("CARGO_BIN_EXE_xenbeam-run"))
        .args(["-eval", program])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starting xenbeam-run");
    // Kept open until the end: no input, no end of input.
    let _input = child.stdin.take();
    let start = std::time::Instant::now();
    while child.try_wait().expect("waiting").is_none() {
        if start.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the run still waits after 30 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "tick\n");
}
