//! Every BIF called with pseudo-random arguments (`tests/bif_fuzz/bif_fuzz.erl`): the node
//! must survive each call. A BIF may fail its caller with an exception, as erl's do, but it
//! must not panic, abort, freeze the scheduler or exhaust the node's memory.
//!
//! The BIFs are those of the VM's table, all but `erlang:halt/0,1,2` and `init:stop/0,1`
//! (which stop the node by design), `erl_prim_loader`'s (the runner boots through OTP's
//! `init`, where they are OTP's own functions, which end the node on bad arguments as in
//! erl: `get_modules/3` with paths that are not strings kills the loader) and the
//! `prim_file` functions that change the file system or the current
//! directory (random names would create, move and delete the machine's files); the runner
//! works in a scratch directory, where the rest of `prim_file` reads. Each seed draws other arguments; `XENBEAM_BIF_FUZZ_SEEDS` (a count, default 3)
//! and `XENBEAM_BIF_FUZZ_ROUNDS` (calls per BIF and seed, default 20) make a longer run:
//!
//! ```sh
//! XENBEAM_BIF_FUZZ_SEEDS=50 XENBEAM_BIF_FUZZ_ROUNDS=200 cargo test --release --test bif_fuzz
//! ```
//!
//! The runner gets a memory budget, so an argument asking for an absurd allocation meets the
//! node's limit (the process fails) rather than the host's. Needs `erlc` in `PATH` (or `ERLC`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How deep the deep arguments are: enough to overflow any native recursion on term depth
/// in an optimised runner; less in an unoptimised one, which is ten times slower (its
/// frames are bigger, so it still overflows sooner).
const DEPTH: u32 = if cfg!(debug_assertions) {
    20_000
} else {
    200_000
};

/// Wall-clock limit for one seed's run: a frozen scheduler never finishes.
const RUN_LIMIT: Duration = Duration::from_secs(300);

fn env_count(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `prim_file` functions that write: a name drawn at random must not reach the machine.
const WRITES_FILES: &[&str] = &[
    "write_file",
    "make_dir",
    "del_dir",
    "delete",
    "rename",
    "make_link",
    "make_symlink",
    "set_cwd",
    "write_file_info",
    "open",
    "copy",
];

fn targets() -> Vec<String> {
    xenbeam::vm::bifs::all()
        .filter(|b| !(b.module() == "erlang" && b.name == "halt"))
        .filter(|b| !(b.module() == "init" && b.name == "stop"))
        .filter(|b| b.module() != "erl_prim_loader")
        .filter(|b| !(b.module() == "prim_file" && WRITES_FILES.contains(&b.name)))
        .map(|b| format!("{}:{}/{}", b.module(), b.name, b.arity))
        .collect()
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[test]
fn every_bif_survives_random_arguments() {
    let nonce = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("xenbeam-bif-fuzz-{}-{nonce}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bif_fuzz/bif_fuzz.erl");
    let erlc = std::env::var_os("ERLC").map_or_else(|| PathBuf::from("erlc"), PathBuf::from);
    let status = Command::new(&erlc)
        .arg("-o")
        .arg(&dir)
        .arg(&source)
        .status()
        .unwrap_or_else(|e| panic!("erlc did not start ({e}); is Erlang installed?"));
    assert!(status.success(), "erlc failed on {}", source.display());

    let names = targets();
    assert!(
        names.len() > 300,
        "the BIF table lists {} BIFs",
        names.len()
    );
    let rounds = env_count("XENBEAM_BIF_FUZZ_ROUNDS", 20);
    for seed in 1..=env_count("XENBEAM_BIF_FUZZ_SEEDS", 3) {
        let started = Instant::now();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xenbeam-run"));
        cmd.current_dir(&dir)
            .args(["--max-memory", "512M", "-pa"])
            .arg(&dir)
            .args(["bif_fuzz", "main", &seed.to_string(), &rounds.to_string()])
            .arg(DEPTH.to_string())
            .args(&names);
        let (status, out, err) = common::run_limited(&mut cmd, RUN_LIMIT);
        let expected = format!("{{bif_fuzz,{},", names.len() as u32 * rounds);
        let ok = status.is_some_and(|s| s.success()) && out.contains(&expected);
        assert!(
            ok,
            "seed {seed}: the node did not survive ({}); the last calls:\n{}\nstderr:\n{}",
            status.map_or("no exit within the limit: frozen".into(), |s| s.to_string()),
            tail(&out, 5),
            tail(&err, 30)
        );
        eprintln!(
            "seed {seed}: {} calls in {:.1} s; {}",
            names.len() as u32 * rounds,
            started.elapsed().as_secs_f64(),
            tail(&out, 1)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
