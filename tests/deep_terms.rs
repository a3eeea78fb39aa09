//! Ten-million-deep terms: `t_deep_terms` from the conformance suite, run at depth
//! 10,000,000 (the map mix and improper lists at 1,000,000) under `erl` and under
//! `xenbeam-run`, whose outputs must be identical. (The conformance suite runs the module
//! less deep, to suit an unoptimised runner.)
//!
//! Every walk over a term's structure (external term format, comparison, hashing, message
//! and spawn copies, `persistent_term`) runs at that depth, so any native recursion on term
//! depth overflows the stack and kills the runner. An unoptimised runner needs minutes for
//! this, so the test runs in optimised builds only:
//!
//! ```sh
//! cargo test --release --test deep_terms
//! ```
//!
//! It needs `erl` and `erlc` in `PATH` (or `ERL`, `ERLC`), about 6 GB of memory, and about a
//! minute and a half.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Depth of the nested lists and tuples.
const DEPTH: &str = "10000000";

fn tool(var: &str, name: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(name))
}

fn run(cmd: &mut Command, what: &str) -> Output {
    let start = Instant::now();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what} did not start ({e}); is it installed?"));
    eprintln!("{what}: {:.1} s", start.elapsed().as_secs_f64());
    assert!(
        out.status.success(),
        "{what} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "needs an optimised runner: cargo test --release --test deep_terms"
)]
fn ten_million_deep_terms_match_erl() {
    let nonce = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir =
        std::env::temp_dir().join(format!("xenbeam-deep-terms-{}-{nonce}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/erlang/t_deep_terms.erl");
    run(
        Command::new(tool("ERLC", "erlc"))
            .arg("-o")
            .arg(&dir)
            .arg(&source),
        "erlc",
    );
    // One after the other: each holds several gigabytes at its peak.
    let erl = run(
        Command::new(tool("ERL", "erl"))
            .args(["-noshell", "-pa"])
            .arg(&dir)
            .args(["-run", "t_deep_terms", "main", DEPTH]),
        "erl",
    );
    let ours = run(
        Command::new(env!("CARGO_BIN_EXE_xenbeam-run"))
            .arg("-pa")
            .arg(&dir)
            .args(["t_deep_terms", "main", DEPTH]),
        "xenbeam-run",
    );
    let _ = std::fs::remove_dir_all(&dir);
    let expected = String::from_utf8_lossy(&erl.stdout).replace("\r\n", "\n");
    let got = String::from_utf8_lossy(&ours.stdout);
    assert!(
        expected.contains("{depth,10000000,1000000}"),
        "erl printed: {expected}"
    );
    assert_eq!(got, expected);
}
