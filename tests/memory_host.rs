//! Large terms made by BIFs under a bounded runner: the programs in `tests/memory_host/`
//! (one theme each) run case after case, each in a process that builds one term of tens to
//! hundreds of MB, under `xenbeam-run --heap-limit`, which bounds the runner's allocator as
//! the image's kernel heap is bounded. A case ends with its result, `system_limit` or its
//! process killed for the node's memory; the runner never fails an allocation (which in the
//! image panics the domain) and every program reaches its `halt(0)`.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The themes run, and lines each must print at [`GENEROUS`] (results that do not depend
/// on the memory left, once there is enough).
const PROGRAMS: &[(&str, &[&str])] = &[
    (
        "mh_binary",
        &[
            "{copy,64000000}",
            "{part,10000000}",
            "{referenced,9000000}",
            "{match,nomatch}",
            "{encode_unsigned,system_limit}",
            "{decode_unsigned,44}",
            "{split_binary,18000000}",
            "{at,44}",
        ],
    ),
    (
        "mh_iolist",
        &["{list_to_binary,5000000}", "{iolist_size,300000000}"],
    ),
    (
        "mh_etf",
        &[
            "{t2b_binary,40000006}",
            "{t2b_compressed,38887}",
            "{b2t_bomb,badarg}",
            "{b2t_long_list,badarg}",
            "{zlib_uncompress,40000000}",
        ],
    ),
    (
        "mh_numbers",
        &[
            "{integer_to_list,602060}",
            "{integer_to_list_huge,6020600}",
            "{integer_to_binary_huge,6020600}",
            "{bsl_huge,system_limit}",
            "{atom_to_list,255}",
        ],
    ),
    (
        "mh_tuples",
        &[
            "{list_to_tuple,4000000}",
            "{make_tuple,6000000}",
            "{make_tuple_huge,badarg}",
            "{append_element,4000001}",
            "{delete_element,3999999}",
            "{many_appends,3000}",
        ],
    ),
    // Messages, held messages (timers, exit signals), spawn arguments, exit reasons and
    // process_info copies of hundreds of MB: refused copies are the sender's system_limit,
    // or an exit reason replaced by system_limit; the node goes on to the last case.
    (
        "mh_send",
        &[
            "{send_list,1000000}",
            "{send_tuple,2000000}",
            "{send_map,200000}",
            "{send_huge,{system_limit,{4,8000000}}}",
            "{many_to_idle,system_limit}",
            "{atoms_to_self,system_limit}",
            "{atoms_to_idle,system_limit}",
            "{send_after_huge,system_limit}",
            "{timers_held,system_limit}",
            "{spawn_huge_arg,system_limit}",
            "{exit2_huge_reason,system_limit}",
            "{exit_reason_down,system_limit}",
            "{exit_reason_link,system_limit}",
            "{process_info_huge,system_limit}",
            "{after_all,1000}",
        ],
    ),
    // Lists, maps and ETS tables of millions: most cases are killed for the node's memory
    // even at the generous limit, so only the runner's end is checked. (Body recursions
    // building them once ran the heap's vector past its limit between two calls.)
    // Unicode conversions, string functions and formatting: their output buffers and the
    // binaries they build by appending take their room fallibly (a doubling buffer of tens of
    // MB once ended the runner at 48M and 64M).
    (
        "mh_text",
        &[
            "{chars_to_binary,8000000}",
            "{chars_to_binary_utf16,16000000}",
            "{chars_to_nfc,1000000}",
            "{string_lexemes,1000000}",
            "{string_to_integer,199}",
            "{io_lib_w_list,6888897}",
            "{io_format_p,ok}",
        ],
    ),
    ("mh_lists", &[]),
    ("mh_maps", &[]),
    ("mh_ets", &[]),
    // Persistent terms, messages to self and others, process_info copies, digests, re and
    // the dictionary, of millions of elements (300,000 small binaries made one by one: the
    // vector of their handles is charged with the heap).
    (
        "mh_misc",
        &[
            "{send_self,3000000}",
            "{send_other,system_limit}",
            "{process_info_messages,1000000}",
            "{process_info_dictionary,20000}",
            "{md5,16}",
            "{md5_iolist,16}",
            "{get_keys,20000}",
            "{erase_all,20000}",
        ],
    ),
    // erlang:display of a million-element list (7 MB of text), an 8 MB binary and a
    // 6-million-digit bignum, and the emulator's own report of a process that died of a
    // 12 MB binary (48 MB of text): the text goes out in pieces as it is made (at 48M the
    // list's text made whole was more than the runner could allocate, as was the report's).
    (
        "mh_display",
        &[
            "{display_list,true}",
            "{display_binary,true}",
            "{display_bignum,true}",
            "{report_without_logger,true}",
        ],
    ),
];

/// The limit at which the expected lines are checked. The node's budget also holds the code
/// OTP's boot loads (some 12 MB) and the kernel's room (8 MiB at this size): 288 MiB leaves
/// the heaps about what 256 MiB left them when neither came out of the budget.
const GENEROUS: &str = "288M";

/// The release runner when there is one (`XENBEAM_RUN`, as the conformance suite), which
/// runs these hundreds of MB in seconds.
fn runner() -> PathBuf {
    std::env::var_os("XENBEAM_RUN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_xenbeam-run").into())
        .into()
}

/// The programs compiled into a directory of their own for `test` (tests run side by side).
fn compiled(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("xenbeam-memory-host-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/memory_host");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&src)
        .expect("tests/memory_host")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension() == Some(OsStr::new("erl")))
        .collect();
    files.sort();
    let st = Command::new("erlc")
        .arg("-o")
        .arg(&dir)
        .args(&files)
        .status()
        .expect("erlc (OTP) is needed");
    assert!(st.success());
    dir
}

/// Runs `module:main()` under `--heap-limit limit`, or `None` past two minutes.
fn run(dir: &Path, module: &str, limit: &str) -> Option<Output> {
    run_with(dir, module, "--heap-limit", limit)
}

/// Runs `module:main()` with `option limit`, or `None` past two minutes.
fn run_with(dir: &Path, module: &str, option: &str, limit: &str) -> Option<Output> {
    let mut child = Command::new(runner())
        .args([option, limit, "-pa"])
        .arg(dir)
        .args([module, "main"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting xenbeam-run");
    // Read as the program writes: a pipe left unread would stop a program that prints more
    // than the pipe holds (mh_display prints megabytes).
    let drain = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(mut r) = r {
                r.read_to_end(&mut out).expect("reading the output");
            }
            out
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|o| Box::new(o) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Some(Output {
        status,
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    })
}

/// Runs `module` under a small limit and [`GENEROUS`], checking both runs.
fn check(dir: &Path, module: &str, expected: &[&str]) {
    for limit in ["48M", GENEROUS] {
        let out = run(dir, module, limit).expect("finishes");
        let err = String::from_utf8_lossy(&out.stderr);
        let got = String::from_utf8_lossy(&out.stdout);
        assert!(
            !err.contains("memory allocation of"),
            "{module} {limit}: {err}"
        );
        assert_eq!(out.status.code(), Some(0), "{module} {limit}: {err}\n{got}");
        if limit == GENEROUS {
            for line in expected {
                assert!(
                    got.lines().any(|l| l == *line),
                    "{module} {limit}: no {line} in {got}"
                );
            }
        }
    }
}

#[test]
fn large_terms_built_by_bifs_never_run_the_runner_out_of_memory() {
    let dir = compiled("bifs");
    // The programs side by side: each runner is bounded by its limit.
    std::thread::scope(|s| {
        let runs: Vec<_> = PROGRAMS
            .iter()
            .map(|(module, expected)| s.spawn(|| check(&dir, module, expected)))
            .collect();
        for r in runs {
            r.join().expect("a program's checks");
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
}

/// A process that loads and calls a module not loaded yet while the node's memory is nearly
/// used up gets OTP's code server's refusal (`system_limit`) and `undef`: neither the runner
/// nor the kernel's processes (the loader reading the file, the code server) fail; once the
/// memory is back the module loads (tests/memory_host/mh_load.erl).
#[test]
fn loading_a_module_without_the_memory_for_it_fails_the_caller_not_the_node() {
    let dir = compiled("load");
    for option in ["--heap-limit", "--max-memory"] {
        let out = run_with(&dir, "mh_load", option, "48M").expect("finishes");
        let err = String::from_utf8_lossy(&out.stderr);
        let got = String::from_utf8_lossy(&out.stdout);
        assert!(!err.contains("memory allocation of"), "{option}: {err}");
        assert_eq!(out.status.code(), Some(0), "{option}: {err}\n{got}");
        for line in [
            "{load_when_full,{{error,system_limit},undef}}",
            "{load_after,{{module,unicode_util},\"abc\"}}",
        ] {
            assert!(
                got.lines().any(|l| l == line),
                "{option}: no {line} in {got}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
