//! `xenbeam-run`'s command line: bad input ends the run with a clear message and status 2,
//! never a panic.

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
fn a_bad_memory_budget_is_refused_with_a_message() {
    for value in ["lots", "0", "-5", "12X", "99999999999999999999", "64MM"] {
        let out = runner(&[
            OsStr::new("--max-memory"),
            OsStr::new(value),
            OsStr::new("m"),
            OsStr::new("f"),
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{value}: {err}");
        assert!(
            err.contains("--max-memory") && err.contains("not a positive byte count"),
            "{value}: {err}"
        );
        assert!(!err.contains("panicked"), "{value}: {err}");
    }
}
