//! Compiles small Erlang modules with `erlc`, runs them on the VM and on erl, and compares.

extern crate std;

use alloc::string::String;
use alloc::vec::Vec;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::vm::bif::Io;
use crate::vm::driver::{Finish, ModuleSource, Runtime};

struct Dirs(Vec<PathBuf>);

impl ModuleSource for Dirs {
    fn find(&mut self, name: &str) -> Option<Vec<u8>> {
        for d in &self.0 {
            if let Ok(b) = std::fs::read(d.join(alloc::format!("{name}.beam"))) {
                return Some(b);
            }
        }
        None
    }
}

#[derive(Default)]
struct Capture(Vec<u8>);

impl Io for Capture {
    fn stdout(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn stderr(&mut self, _: &[u8]) {}
}

fn otp_stdlib() -> Option<PathBuf> {
    let out = Command::new("erl")
        .args([
            "-noshell",
            "-eval",
            "io:format(\"~s\",[code:lib_dir(stdlib)]),halt().",
        ])
        .output()
        .ok()?;
    Some(PathBuf::from(String::from_utf8(out.stdout).ok()?).join("ebin"))
}

fn compile(name: &str, src: &str) -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(alloc::format!(
        "xenbeam-vm-test-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).ok()?;
    let file = dir.join(alloc::format!("{name}.erl"));
    std::fs::write(&file, src).ok()?;
    let st = Command::new("erlc")
        .arg("-o")
        .arg(&dir)
        .arg(&file)
        .status()
        .ok()?;
    if st.success() {
        Some(dir)
    } else {
        None
    }
}

fn load(b: &[u8]) -> Option<crate::loader::Module> {
    crate::loader::load(b).ok()
}

/// Runs `name:main()` on the VM; returns stdout and the exit status erl would give.
fn run_vm(dir: &Path, name: &str) -> (String, i32) {
    let mut rt = Runtime::new(load);
    let mut dirs = Dirs(alloc::vec![dir.to_path_buf()]);
    if let Some(s) = otp_stdlib() {
        dirs.0.push(s);
    }
    let m = rt.vm.atoms.intern(name).unwrap();
    let f = rt.vm.atoms.intern("main").unwrap();
    let mut p = rt.spawn(m, f, &[], 1);
    let mut io = Capture::default();
    let fin = rt.run(&mut p, &mut io, &mut dirs);
    for (m, e) in &rt.load_errors {
        std::eprintln!("load error {m}: {e:?}");
    }
    let code = match fin {
        Finish::Returned => 0,
        Finish::Halt(n) => n,
        Finish::HaltMessage(_) | Finish::Deadlock => 1,
        Finish::Crash {
            class,
            reason,
            trace,
        } => {
            let t = Runtime::boot_crash_term(&mut p, class, reason, trace);
            let s = crate::vm::display::display(
                &p.heap.view(&rt.vm.lits),
                &rt.vm.atoms,
                &rt.vm.code,
                t,
            );
            io.0.extend_from_slice(&s);
            io.0.push(b'\n');
            1
        }
    };
    (String::from_utf8_lossy(&io.0).into_owned(), code)
}

fn run_erl(dir: &Path, name: &str) -> (String, i32) {
    let out = Command::new("erl")
        .arg("-noshell")
        .arg("-pa")
        .arg(dir)
        .args(["-run", name, "main"])
        .current_dir(dir)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).replace('\r', ""),
        out.status.code().unwrap_or(-1),
    )
}

/// Fails the test, with a message, when OTP's compiler cannot run: a test that needs erl
/// must not pass without it.
pub fn need_erlc() {
    if let Err(e) = Command::new("erlc").arg("-help").output() {
        panic!("erlc did not start ({e}): these tests need Erlang/OTP (scripts/setup)");
    }
}

/// Compiles `src` as module `name`, runs `main/0` on both, asserts identical output.
pub fn same_as_erl(name: &str, src: &str) {
    need_erlc();
    let dir = compile(name, src).expect("erlc failed");
    let vm = run_vm(&dir, name);
    let erl = run_erl(&dir, name);
    assert_eq!(vm.0, erl.0, "stdout differs for {name}");
    assert_eq!(vm.1, erl.1, "exit status differs for {name}");
}

#[test]
fn fib_and_reverse() {
    same_as_erl(
        "vm_fib",
        r#"-module(vm_fib).
-export([main/0]).
fib(0) -> 0;
fib(1) -> 1;
fib(N) -> fib(N-1) + fib(N-2).
rev([], A) -> A;
rev([H|T], A) -> rev(T, [H|A]).
main() ->
    erlang:display(fib(20)),
    erlang:display(rev([1,2,3,{a,b},"xy"], [])),
    erlang:display(fib(80 div 8) * 1000000000000000000000),
    halt().
"#,
    );
}

/// Runs every module of a directory of `.erl` files (`XENBEAM_VM_SUITE`) and reports.
#[test]
#[ignore]
fn suite_report() {
    let Some(dir) = std::env::var_os("XENBEAM_VM_SUITE") else {
        return;
    };
    let only = std::env::var("XENBEAM_VM_ONLY").ok();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "erl").then(|| p.file_stem()?.to_str().map(String::from))?
        })
        .collect();
    names.sort();
    let mut pass = 0;
    for n in &names {
        if let Some(o) = &only {
            if !o.split(',').any(|x| x == n) {
                continue;
            }
        }
        let src =
            std::fs::read_to_string(std::path::Path::new(&dir).join(alloc::format!("{n}.erl")))
                .unwrap();
        let Some(d) = compile(n, &src) else {
            std::eprintln!("{n}: COMPILE FAIL");
            continue;
        };
        let erl = run_erl(&d, n);
        let vm = std::panic::catch_unwind(|| run_vm(&d, n));
        match vm {
            Ok(vm) if vm == erl => {
                pass += 1;
                std::eprintln!("{n}: ok");
            }
            Ok(vm) => {
                std::eprintln!("{n}: DIFF (exit {} vs erl {})", vm.1, erl.1);
                let (a, b): (Vec<&str>, Vec<&str>) =
                    (vm.0.lines().collect(), erl.0.lines().collect());
                for i in 0..a.len().max(b.len()) {
                    let (x, y) = (
                        a.get(i).copied().unwrap_or("<none>"),
                        b.get(i).copied().unwrap_or("<none>"),
                    );
                    if x != y {
                        std::eprintln!("   vm : {x}\n   erl: {y}");
                        break;
                    }
                }
            }
            Err(_) => std::eprintln!("{n}: PANIC"),
        }
    }
    std::eprintln!("{pass}/{} pass", names.len());
}

#[test]
fn stack_traces() {
    same_as_erl("vm_traces", include_str!("vm_traces.erl"));
}

#[test]
fn bif_frames() {
    same_as_erl("vm_bif_frames", include_str!("vm_bif_frames.erl"));
}

#[test]
fn arith_frames() {
    same_as_erl("vm_arith_frames", include_str!("vm_arith_frames.erl"));
}

#[test]
fn records_funs_io_lib() {
    same_as_erl("vm_misc", include_str!("vm_misc.erl"));
}

#[test]
fn short_floats() {
    same_as_erl("vm_float_short", include_str!("vm_float_short.erl"));
}

#[test]
fn portable_hashes() {
    same_as_erl("vm_phash", include_str!("vm_phash.erl"));
}

#[test]
fn io_output() {
    same_as_erl("vm_io", include_str!("vm_io.erl"));
}

#[test]
fn otp_stdlib_modules() {
    same_as_erl("vm_stdlib", include_str!("vm_stdlib.erl"));
}

/// A platform without a shell (the image's): `os:cmd` raises erl's error for a port it
/// cannot open, after the same checks of the command and options as on the host.
#[test]
fn os_cmd_without_a_shell() {
    need_erlc();
    let src = r#"-module(vm_os_cmd).
-export([main/0]).
t(F) ->
    try F() of V -> erlang:display(V)
    catch C:R:S ->
        [{M, Fn, A, Loc} | _] = S,
        erlang:display({C, R, {M, Fn, A}, lists:keyfind(error_info, 1, Loc)})
    end.
main() ->
    t(fun() -> os:cmd("echo x") end),
    t(fun() -> os:cmd(echo, #{max_size => 1}) end),
    t(fun() -> os:cmd(-5) end),
    t(fun() -> os:cmd("echo", [x]) end),
    halt().
"#;
    let dir = compile("vm_os_cmd", src).expect("erlc failed");
    let (out, status) = run_vm(&dir, "vm_os_cmd");
    let info = |cause: &str| alloc::format!("{{error_info,#{{{cause}module=>erl_kernel_errors}}}}");
    let open_port = info("cause=>{open_port,enoent},");
    let expected = alloc::format!(
        "{{error,badarg,{{os,cmd,[\"echo x\"]}},{open_port}}}\n\
         {{error,badarg,{{os,cmd,[echo,#{{max_size=>1}}]}},{open_port}}}\n\
         {{error,badarg,{{os,cmd,[-5]}},{}}}\n\
         {{error,badarg,{{os,cmd,[\"echo\",[x]]}},{}}}\n",
        info(""),
        info("cause=>badopt,"),
    );
    assert_eq!(out, expected);
    assert_eq!(status, 0);
}

/// A bad element after the first slice of `maps:from_list/1` (so the list is taken a slice at
/// a time) fails with erl's badarg, the list as given in the first frame and erl's
/// error_info. (erl 25 itself sometimes never returns here, so this is not compared with it.)
#[test]
fn maps_from_list_fails_after_a_trap() {
    need_erlc();
    let src = r#"-module(vm_from_list_bad).
-export([main/0]).
t(L) ->
    try maps:from_list(L) of Map -> erlang:display({ok, map_size(Map)})
    catch C:R:S ->
        [{M, F, [A], Loc} | _] = S,
        erlang:display({C, R, {M, F}, A =:= L, Loc})
    end.
main() ->
    Pairs = [{I, I} || I <- lists:seq(1, 3 * 4096 + 7)],
    t(Pairs ++ [bad]),
    t(Pairs ++ [{1, 2, 3}]),
    t(Pairs ++ [{x, y} | tail]),
    t(Pairs),
    halt().
"#;
    let dir = compile("vm_from_list_bad", src).expect("erlc failed");
    let (out, status) = run_vm(&dir, "vm_from_list_bad");
    let failed = "{error,badarg,{maps,from_list},true,\
                  [{error_info,#{module=>erl_stdlib_errors}}]}\n";
    assert_eq!(
        out,
        alloc::format!("{failed}{failed}{failed}{{ok,12295}}\n")
    );
    assert_eq!(status, 0);
}
