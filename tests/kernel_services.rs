//! The kernel services `xenbeam-run` starts before the program (OTP's logger, application
//! controller and `kernel_sup`): crash reports printed by logger's default handler, as erl
//! prints them on standard output, and a node that still stops when the program is done.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Compiles `src` as module `name` into a scratch directory (erlc is needed, as for the
/// conformance suite) and returns the directory.
fn compile(name: &str, src: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xenbeam-kernel-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join(format!("{name}.erl"));
    std::fs::write(&file, src).expect("writing the module");
    let st = Command::new("erlc")
        .arg("-o")
        .arg(&dir)
        .arg(&file)
        .status()
        .expect("erlc (OTP) is needed");
    assert!(st.success(), "erlc failed on {name}");
    dir
}

/// Runs `name:main()` from `dir`.
fn run(dir: &PathBuf, name: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xenbeam-run"))
        .arg("-pa")
        .arg(dir)
        .args([name, "main"])
        .output()
        .expect("starting xenbeam-run")
}

const CRASHING_SERVER: &str = r#"
-module(kcrash).
-behaviour(gen_server).
-export([main/0, init/1, handle_call/3, handle_cast/2]).

init(State) -> {ok, State}.
handle_call(crash, _From, S) -> erlang:error({my_reason, S}).
handle_cast(_, S) -> {noreply, S}.

main() ->
    {ok, P} = gen_server:start(?MODULE, 7, []),
    M = monitor(process, P),
    {'EXIT', {{R, _}, _}} = (catch gen_server:call(P, crash)),
    io:format("caller: ~p~n", [R]),
    receive {'DOWN', M, process, P, {Why, _}} -> io:format("monitor: ~p~n", [Why]) end,
    logger:info("info is below the default level"),
    logger:notice("notice ~p", [shown]),
    spawn(fun() -> erlang:error(plain_crash) end),
    timer:sleep(1000),
    erlang:halt(0).
"#;

/// A gen_server that crashes: the caller and a monitor get the real reason, and logger's
/// default handler prints erl's error report and crash report on standard output.
#[test]
fn a_crashing_gen_server_is_reported_by_logger_as_in_erl() {
    let dir = compile("kcrash", CRASHING_SERVER);
    let out = run(&dir, "kcrash");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    for line in [
        "caller: {my_reason,7}",
        "monitor: {my_reason,7}",
        "=ERROR REPORT==== ",
        "** Generic server <0.",
        "** Last message in was crash",
        "** When Server state == 7",
        "** Reason for termination ==",
        "** {{my_reason,7},",
        "=CRASH REPORT==== ",
        "  crasher:",
        "    initial call: kcrash:init/1",
        "    exception error: {my_reason,7}",
        "      in function  kcrash:handle_call/3",
        "    ancestors: [<0.9.0>]",
        "=NOTICE REPORT==== ",
        "notice shown",
        "Error in process <0.",
        "{plain_crash,[{kcrash,'-main/0-fun-0-',0,",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    assert!(!stdout.contains("info is below"), "{stdout}");
    assert!(!stdout.contains("badarg"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

const IDLE_AFTER_OTP: &str = r#"
-module(kidle).
-export([main/0]).

main() ->
    {ok, _} = timer:send_after(10, tick),
    receive tick -> ok end,
    ok = application:set_env(kidle, key, value),
    logger:error("an error report"),
    io:format("done~n").
"#;

/// The kernel services wait like any process, but never keep the node running: once the
/// program has returned, the runner stops with status 0.
#[test]
fn the_kernel_services_let_an_idle_node_stop() {
    let dir = compile("kidle", IDLE_AFTER_OTP);
    let start = std::time::Instant::now();
    let out = run(&dir, "kidle");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("done"), "{stdout}");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
