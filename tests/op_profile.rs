//! The op profile of `xenbeam-run` (built with `--features op-profile`): a loop of K
//! iterations, compiled with `erlc`, is profiled at two values of K, and the counts must add
//! up: every iteration makes exactly one body call and one tail call and runs 11 generic
//! instructions however the translation fuses them, and fused instructions account for the
//! difference between generic BEAM instructions and ops.
#![cfg(feature = "op-profile")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Adds 1..K with a body call per iteration, inside a tail-recursive loop. OTP 25 compiles an
/// iteration to 11 generic instructions: is_eq_exact, gc_bif '-', allocate, move, swap, call,
/// (in add/2) gc_bif '+', return, move, move, call_last.
const LOOP_ERL: &str = "\
-module(p_loop).
-export([main/1]).

main([K]) ->
    erlang:display(loop(list_to_integer(K), 0)),
    erlang:halt(0).

loop(0, Acc) -> Acc;
loop(N, Acc) -> loop(N - 1, add(Acc, N)).

add(A, B) -> A + B.
";

/// The parsed report: totals and every kind's and pair's count.
#[derive(Debug, Default)]
struct Report {
    ops: u64,
    generic: u64,
    kinds: BTreeMap<String, u64>,
    pairs: BTreeMap<(String, String), u64>,
    functions: BTreeMap<String, u64>,
}

impl Report {
    fn kind(&self, name: &str) -> u64 {
        self.kinds.get(name).copied().unwrap_or(0)
    }

    fn function(&self, name: &str) -> u64 {
        self.functions.get(name).copied().unwrap_or(0)
    }

    fn pair(&self, a: &str, b: &str) -> u64 {
        self.pairs
            .get(&(a.to_string(), b.to_string()))
            .copied()
            .unwrap_or(0)
    }
}

fn parse(text: &str) -> Report {
    let mut r = Report::default();
    let mut section = "";
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["op", "profile:", n, "ops", ..] => r.ops = n.parse().expect("op total"),
            ["op", "profile:", n, "generic", ..] => r.generic = n.parse().expect("generic"),
            ["kinds:", ..] => section = "kinds",
            ["pairs:", ..] => section = "pairs",
            ["functions:", ..] => section = "functions",
            [n, _, name] if section == "functions" && n.parse::<u64>().is_ok() => {
                r.functions.insert(name.to_string(), n.parse().unwrap_or(0));
            }
            [n, _, name] if section == "kinds" && n.parse::<u64>().is_ok() => {
                r.kinds.insert(name.to_string(), n.parse().unwrap_or(0));
            }
            [n, _, a, b] if section == "pairs" && n.parse::<u64>().is_ok() => {
                r.pairs
                    .insert((a.to_string(), b.to_string()), n.parse().unwrap_or(0));
            }
            _ => {}
        }
    }
    r
}

fn compile(dir: &Path) {
    std::fs::write(dir.join("p_loop.erl"), LOOP_ERL).expect("writing p_loop.erl");
    let erlc = std::env::var_os("ERLC").unwrap_or_else(|| "erlc".into());
    let out = Command::new(&erlc)
        .arg("-o")
        .arg(dir)
        .arg(dir.join("p_loop.erl"))
        .output()
        .expect("erlc (Erlang/OTP) is needed: install it with scripts/setup or set ERLC");
    assert!(
        out.status.success(),
        "erlc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the loop for `k` iterations with the full report written to a file.
fn profile(dir: &Path, k: u64) -> Report {
    let file = dir.join(format!("profile-{k}.txt"));
    let out = Command::new(env!("CARGO_BIN_EXE_xenbeam-run"))
        .arg("--op-profile")
        .arg(&file)
        .args(["--op-profile-top", "0", "-pa"])
        .arg(dir)
        .args(["p_loop", "main", &k.to_string()])
        .output()
        .expect("starting xenbeam-run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", k * (k + 1) / 2)
    );
    parse(&std::fs::read_to_string(&file).expect("reading the op profile"))
}

fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("op-profile");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating the scratch directory");
    dir
}

#[test]
fn a_loop_of_k_iterations_is_counted_exactly() {
    let dir = scratch();
    compile(&dir);
    let (small, large) = (profile(&dir, 1000), profile(&dir, 3000));
    for r in [&small, &large] {
        assert!(r.ops > 0 && r.generic >= r.ops, "{r:?}");
        assert_eq!(r.kinds.values().sum::<u64>(), r.ops, "{r:?}");
        // Fused instructions are the only ones that stand for more than one (the program's
        // are these; the kernel services started before it use others too).
        let fused = r.kind("Move2") + r.kind("TestGetList") + r.kind("DeallocReturn");
        assert!(r.generic - r.ops >= fused, "{r:?}");
        // Pairs never span two entries into the interpreter, so there are fewer than ops.
        assert!(r.pairs.values().sum::<u64>() < r.ops, "{r:?}");
    }
    assert!(small.kind("Call") >= 1000 && small.kind("CallLast") >= 1000);
    // 2000 more iterations: exactly 2000 more body calls (add/2), tail calls (loop/2),
    // returns and calls followed by the addition, and 11 generic instructions each.
    let more = |kind: &str| large.kind(kind) - small.kind(kind);
    // The extra iterations run only the program's code: its fused instructions account for
    // every generic instruction beyond one per executed instruction.
    assert_eq!(
        (large.generic - large.ops) - (small.generic - small.ops),
        more("Move2") + more("TestGetList") + more("DeallocReturn"),
        "{small:?}\n{large:?}"
    );
    assert_eq!(more("Call"), 2000, "{small:?}\n{large:?}");
    assert_eq!(more("CallLast"), 2000);
    assert_eq!(more("Return"), 2000);
    assert_eq!(
        large.pair("Call", "AddSub") - small.pair("Call", "AddSub"),
        2000
    );
    assert_eq!(
        large.generic - small.generic,
        2000 * 11,
        "{small:?}\n{large:?}"
    );
    // Every op is counted in the function it ran in, and the extra iterations ran only
    // loop/2 and add/2, each the same number of ops every time.
    for r in [&small, &large] {
        assert_eq!(r.functions.values().sum::<u64>(), r.ops, "{r:?}");
    }
    let more_in = |f: &str| large.function(f) - small.function(f);
    let (in_loop, in_add) = (more_in("p_loop:loop/2"), more_in("p_loop:add/2"));
    assert_eq!(
        in_loop + in_add,
        large.ops - small.ops,
        "{small:?}\n{large:?}"
    );
    assert!(in_loop > 0 && in_loop % 2000 == 0, "{in_loop}");
    assert!(in_add > 0 && in_add % 2000 == 0, "{in_add}");
    assert_eq!(more_in("p_loop:main/1"), 0);
}
