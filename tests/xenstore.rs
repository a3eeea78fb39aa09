//! The Erlang Xenstore driver (`src/erlang/xenstore.erl`) on the host, against the simulated
//! xenstored behind the Xenstore ring pore (`xenbeam-run --xenstore=KNOBS`).
//!
//! `tests/native/x_xenstore.erl` must print its `.expected` lines under every knob that
//! changes timing but not meaning (chunked ring transfers, reordered and delayed replies,
//! reconnection offered); the same module prints the same lines in the image under Xen
//! (`tests/boot.rs`). `tests/xenstore/xs_faults.erl` covers what only the simulator can do:
//! every error string, a hostile xenstored, a request cut by a crash, and the driver's heap
//! under a flood of writes. `tests/xenstore/xs_outlet.erl` hands the ring to the native
//! Xenstore outlet and back (`xenstore_sup:suspend/0`, `resume/0`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use xenbeam_xenproto::xenstore::XENSTORED_ERRORS;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The kernel's Erlang modules and the test modules, compiled once.
fn ebin() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("xenstore-ebin");
        std::fs::create_dir_all(&dir).expect("creating a scratch directory");
        let mut sources: Vec<PathBuf> = Vec::new();
        for folder in ["src/erlang", "tests/xenstore"] {
            for e in std::fs::read_dir(root().join(folder)).expect("listing Erlang sources") {
                let p = e.expect("directory entry").path();
                if p.extension().is_some_and(|x| x == "erl") {
                    sources.push(p);
                }
            }
        }
        sources.push(root().join("tests/native/x_xenstore.erl"));
        let status = Command::new("erlc")
            .arg("-o")
            .arg(&dir)
            .args(&sources)
            .status()
            .expect("running erlc (scripts/setup installs it)");
        assert!(status.success(), "erlc failed");
        dir
    })
}

struct Run {
    stdout: String,
    stderr: String,
    status: Option<i32>,
}

/// Runs `module:function(args)` with the simulated xenstored configured by `knobs`; kills
/// the runner after two minutes (a hang is a failure, reported with what it printed).
fn run(knobs: &str, module: &str, function: &str, args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xenbeam-run"))
        .arg(format!("--xenstore={knobs}"))
        .arg("-pa")
        .arg(ebin())
        .args([module, function])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting xenbeam-run");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("waiting for xenbeam-run") {
            break s.code();
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child
        .wait_with_output()
        .expect("reading xenbeam-run's output");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        status,
    }
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// The knobs every run of x_xenstore needs: the guest's name as the boot test gives it, and
/// dom0's echo of data/dom0-ask (the harness's dom0 agent does this under Xen).
const BASE: &str = "name=x-xenstore,dom0_echo";

#[test]
fn the_driver_passes_its_module_under_every_timing() {
    let want = std::fs::read_to_string(root().join("tests/native/x_xenstore.expected"))
        .expect("reading x_xenstore.expected");
    let mut failures = Vec::new();
    for extra in [
        "",
        "chunk=7",
        "reorder",
        "delay_ns=2000000",
        "reconnection",
        "chunk=100,reorder,max_outstanding=16",
    ] {
        let knobs = if extra.is_empty() {
            BASE.to_string()
        } else {
            format!("{BASE},{extra}")
        };
        let r = run(&knobs, "x_xenstore", "main", &[]);
        if lines(&r.stdout) != lines(&want) || r.status != Some(0) {
            failures.push(format!(
                "--xenstore={knobs}: status {:?}\n--- got\n{}\n--- stderr\n{}",
                r.status, r.stdout, r.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_xenstored_error_string_becomes_an_atom() {
    let r = run("errors", "xs_faults", "errors", &[]);
    assert_eq!(r.status, Some(0), "{}{}", r.stdout, r.stderr);
    let mut want: Vec<String> = XENSTORED_ERRORS
        .iter()
        .map(|n| format!("{{\"{n}\",{{error,{}}}}}", n.to_lowercase()))
        .collect();
    want.push("{\"EWHATEVER\",{error,{xenstored,<<\"EWHATEVER\">>}}}".to_string());
    assert_eq!(lines(&r.stdout), want);
}

#[test]
fn a_hostile_xenstored_fails_the_driver_never_the_node() {
    // Each mode breaks the protocol once, after a few replies. With reconnection offered the
    // restarted driver resets the ring and carries on; a bad reply on a sane ring needs no
    // reset.
    for (knobs, reason) in [
        ("hostile=indices,hostile_after=3,reconnection", "corrupt"),
        ("hostile=reqid,hostile_after=3", "unknown_req_id"),
        ("hostile=type,hostile_after=3", "unexpected_type"),
        (
            "hostile=len,hostile_after=3,reconnection",
            "oversized_reply",
        ),
    ] {
        let r = run(knobs, "xs_faults", "hostile", &[]);
        assert_eq!(r.status, Some(0), "{knobs}: {}{}", r.stdout, r.stderr);
        let out = lines(&r.stdout);
        assert!(
            out[0] == "{outcomes,[]}" || out[0] == "{outcomes,[{error,driver_restarted}]}",
            "{knobs}: {out:?}"
        );
        assert_eq!(out[1], "{later,ok}", "{knobs}: {}", r.stderr);
        assert!(
            r.stderr
                .contains("xenstore driver exited, restarting: {xenstore_ring,")
                && r.stderr.contains(reason),
            "{knobs}: the log says why: {}",
            r.stderr
        );
    }
    // Corrupt indices without reconnection cannot be repaired: every new driver fails at
    // once, the supervisor gives up, and calls say so instead of hanging.
    let r = run(
        "hostile=indices,hostile_after=3",
        "xs_faults",
        "hostile",
        &[],
    );
    assert_eq!(r.status, Some(0), "{}{}", r.stdout, r.stderr);
    assert_eq!(lines(&r.stdout)[1], "{later,no_driver}", "{}", r.stderr);
    assert!(r.stderr.contains("giving up"), "{}", r.stderr);
}

#[test]
fn a_request_cut_by_a_crash_is_finished_by_the_next_driver() {
    for knobs in ["chunk=7", "chunk=7,reconnection"] {
        let r = run(knobs, "xs_faults", "cut", &[]);
        assert_eq!(r.status, Some(0), "{knobs}: {}{}", r.stdout, r.stderr);
        assert_eq!(
            lines(&r.stdout),
            [
                "{cut_caller,{error,driver_restarted}}",
                "{after_cut,ok}",
                "{write_after_cut,ok}",
                "{read_after_cut,{ok,<<\"fine\">>}}",
            ],
            "{knobs}: {}",
            r.stderr
        );
    }
}

#[test]
fn the_drivers_heap_does_not_grow_with_the_writes_done() {
    let hwm = |count: &str| -> u64 {
        let r = run("quota=100000", "xs_faults", "flood", &[count]);
        assert_eq!(r.status, Some(0), "{}{}", r.stdout, r.stderr);
        let out = lines(&r.stdout);
        assert_eq!(
            out[..2],
            ["{flood,[[ok]]}", "{requests,true}"],
            "{}",
            r.stderr
        );
        out[2]
            .strip_prefix("heap_hwm ")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no heap_hwm line: {out:?}"))
    };
    let small = hwm("100");
    let large = hwm("1000");
    eprintln!("driver heap high-water mark: 25 x 100 writes {small} words, 25 x 1000 writes {large} words");
    assert!(
        large <= small * 3 / 2,
        "ten times the writes took the heap from {small} to {large} words"
    );
}

#[test]
fn the_native_outlet_takes_the_ring_over_and_gives_it_back() {
    // The driver is suspended with calls in flight, the outlet serves five concurrent callers
    // in each mode while the pore and the driver are refused the ring, and the resumed driver
    // finds the ring, the tree and its watch as they should be.
    let want = std::fs::read_to_string(root().join("tests/xenstore/xs_outlet.expected"))
        .expect("reading xs_outlet.expected");
    for knobs in [
        "",
        "chunk=7",
        "reorder,delay_ns=1000000",
        "reconnection",
        "chunk=100,reorder,max_outstanding=16",
    ] {
        let r = run(knobs, "xs_outlet", "main", &[]);
        assert_eq!(r.status, Some(0), "{knobs}: {}{}", r.stdout, r.stderr);
        assert_eq!(lines(&r.stdout), lines(&want), "{knobs}: {}", r.stderr);
    }
}

#[test]
fn an_idle_driver_does_not_keep_the_node_up() {
    let start = Instant::now();
    let r = run("", "xs_faults", "idle", &[]);
    assert_eq!(r.status, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("no process can run any more"),
        "{}",
        r.stderr
    );
    // The driver's heartbeat is 30 s: stopping well before it shows that none was pending.
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}
