//! Valid but hostile Erlang programs, generated: the node must survive every one.
//!
//! Each program is a module whose `main/0` starts a dozen workers, each running a random
//! sequence of steps from a catalogue of the things careless or hostile code does: recursing
//! deep without allocating, growing a list or a binary without end, asking for absurd tuples
//! and binaries, flooding its own mailbox, filling ETS tables and persistent terms, spawning
//! without limit, creating atoms, encoding and decoding deep and random terms, running
//! pathological regular expressions, setting a small `max_heap_size` and outgrowing it,
//! linking to crashing processes, calling BIFs with random terms. Sizes are drawn from small
//! to far beyond the node's memory. A worker may end in any way (normally, with an exception,
//! killed for memory); the node must not: the main process waits for every worker and prints
//! how many ended, the runner exits with status 0, and no run panics, aborts or freezes.
//!
//! The generator is seeded: `XENBEAM_HOSTILE_SEED` (default 1) picks the first program and
//! `XENBEAM_HOSTILE_PROGRAMS` (default 6) how many, so a failure is reproduced by its seed
//! and a longer run is one variable away:
//!
//! ```sh
//! XENBEAM_HOSTILE_PROGRAMS=200 cargo test --release --test hostile_programs
//! ```
//!
//! Every run has a 256 MiB budget (`--max-memory`), so the memory-hungry steps meet the
//! node's limit rather than the machine's. Needs `erlc` in `PATH` (or `ERLC`).

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Wall-clock limit for one program: a frozen scheduler never finishes.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// Workers per program.
const WORKERS: usize = 12;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// A size from tiny to absurd: 10^0 .. 10^max_exp, spread evenly over the exponents (two
    /// powers of ten less in an unoptimised runner, about ten times slower, so that a run
    /// stays within its limit there too).
    fn size(&mut self, max_exp: u32) -> u64 {
        let max_exp = if cfg!(debug_assertions) {
            max_exp.saturating_sub(2)
        } else {
            max_exp
        };
        let e = self.below(u64::from(max_exp) + 1) as u32;
        10u64.pow(e) + self.below(10u64.pow(e))
    }
}

/// A random term, as Erlang source, at most `depth` levels deep.
fn term(r: &mut Rng, depth: u32) -> String {
    let leaf = [
        "0",
        "-1",
        "255",
        "256",
        "16#7FFFFFFFFFFFFFFF",
        "(1 bsl 70)",
        "-(1 bsl 64)",
        "1.5",
        "-0.0",
        "1.0e300",
        "a",
        "'A b'",
        "[]",
        "<<>>",
        "<<1,2,3>>",
        "<<\"abc\">>",
        "<<0:3>>",
        "self()",
        "make_ref()",
        "\"text\"",
        "[1|2]",
        "#{}",
        "#{a => 1}",
        "fun() -> ok end",
        "fun erlang:abs/1",
        "{}",
        "true",
        "undefined",
    ];
    if depth == 0 || r.below(3) == 0 {
        return r.pick(&leaf).to_string();
    }
    let n = r.below(4);
    let items: Vec<String> = (0..n).map(|_| term(r, depth - 1)).collect();
    match r.below(4) {
        0 => format!("[{}]", items.join(", ")),
        1 => format!("{{{}}}", items.join(", ")),
        2 if !items.is_empty() => format!(
            "#{{{}}}",
            items
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{i} => {t}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => format!("[{}|{}]", term(r, depth - 1), term(r, depth - 1)),
    }
}

/// BIFs and library functions worth calling with random terms.
const CALLS: &[(&str, &str, u32)] = &[
    ("erlang", "term_to_binary", 1),
    ("erlang", "binary_to_term", 1),
    ("erlang", "list_to_binary", 1),
    ("erlang", "iolist_size", 1),
    ("erlang", "atom_to_list", 1),
    ("erlang", "list_to_atom", 1),
    ("erlang", "make_tuple", 2),
    ("erlang", "setelement", 3),
    ("erlang", "element", 2),
    ("erlang", "binary_part", 3),
    ("erlang", "phash2", 2),
    ("erlang", "send", 2),
    ("erlang", "link", 1),
    ("erlang", "monitor", 2),
    ("erlang", "exit", 2),
    ("erlang", "process_flag", 2),
    ("erlang", "process_info", 2),
    ("erlang", "spawn", 3),
    ("erlang", "apply", 3),
    ("erlang", "float_to_list", 2),
    ("erlang", "integer_to_binary", 2),
    ("lists", "seq", 2),
    ("lists", "duplicate", 2),
    ("lists", "sort", 1),
    ("lists", "reverse", 2),
    ("binary", "copy", 2),
    ("binary", "split", 3),
    ("binary", "matches", 2),
    ("unicode", "characters_to_binary", 3),
    ("unicode", "characters_to_list", 1),
    ("maps", "from_list", 1),
    ("maps", "put", 3),
    ("ets", "new", 2),
    ("ets", "insert", 2),
    ("ets", "lookup", 2),
    ("re", "run", 3),
    ("io_lib", "format", 2),
    ("string", "split", 3),
    ("persistent_term", "put", 2),
    ("erlang", "garbage_collect", 2),
];

/// One step of a worker, as an Erlang expression (its value is ignored; the worker goes on to
/// its next step unless the step killed it).
fn step(r: &mut Rng) -> String {
    match r.below(22) {
        0 => format!("deep({})", r.size(8)),
        1 => format!("grow({}, [])", r.size(8)),
        2 => format!("binary:copy(<<\"ab\">>, {})", r.size(12)),
        3 => format!("erlang:make_tuple({}, x)", r.size(10)),
        4 => format!("<<0:({})>>", r.size(13)),
        5 => format!("flood(self(), {})", r.size(7)),
        6 => format!("ets_fill(ets:new(t, [public, bag]), {})", r.size(7)),
        7 => format!("pt_fill({}, {})", r.size(3), r.size(5)),
        8 => format!("spawn_many({})", r.size(6)),
        9 => format!("atoms({})", r.size(5)),
        10 => format!("term_to_binary(nest({}))", r.size(7)),
        11 => {
            let bytes: Vec<String> = (0..r.below(12)).map(|_| r.below(256).to_string()).collect();
            format!(
                "binary_to_term(<<131{}>>)",
                bytes.iter().map(|b| format!(", {b}")).collect::<String>()
            )
        }
        12 => format!("re:run(binary:copy(<<\"a\">>, {}), \"(a*)*b\")", r.size(2)),
        13 => format!(
            "begin process_flag(max_heap_size, {}), grow({}, []) end",
            1000 + r.below(100_000),
            r.size(7)
        ),
        14 => format!("link_crashers({}, {})", r.below(2) == 0, r.size(3)),
        15 => format!("timers({})", r.size(5)),
        16 => format!("append({}, <<>>)", r.size(7)),
        17 => format!(
            "maps:from_list([{{K, K}} || K <- lists:seq(1, {})])",
            r.size(7)
        ),
        18 => format!(
            "begin self() ! nest({}), receive _ -> ok end end",
            r.size(6)
        ),
        19 => {
            let (m, f, a) = CALLS[r.below(CALLS.len() as u64) as usize];
            let args: Vec<String> = (0..a).map(|_| term(r, 3)).collect();
            format!("erlang:apply({m}, {f}, [{}])", args.join(", "))
        }
        20 => format!(
            "unicode:characters_to_binary([{}])",
            (0..r.below(6))
                .map(|_| term(r, 2))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => r
            .pick(&[
                "error(boom)",
                "exit(self(), kill)",
                "throw(ball)",
                "exit(normal)",
                "1 / erlang:list_to_integer(\"0\")",
                "erlang:yield()",
            ])
            .to_string(),
    }
}

/// The program of `seed`: its source and the module name.
fn program(seed: u64) -> (String, String) {
    let name = format!("hostile_{seed}");
    let mut r = Rng::new(seed);
    let mut src = String::new();
    let _ = writeln!(
        src,
        "-module({name}).\n-export([main/0]).\n-compile([nowarn_unused_function])."
    );
    src.push_str(LIBRARY);
    src.push_str("main() ->\n    Ws = [\n");
    for w in 0..WORKERS {
        let steps: Vec<String> = (0..1 + r.below(4))
            .map(|_| format!("(catch {})", step(&mut r)))
            .collect();
        let sep = if w + 1 < WORKERS { "," } else { "" };
        let _ = writeln!(
            src,
            "        spawn_monitor(fun() -> {} end){sep}",
            steps.join(", ")
        );
    }
    src.push_str(
        "    ],\n    erlang:display({hostile, length(Ws), wait(Ws, 0)}),\n    erlang:halt(0).\n",
    );
    (name, src)
}

/// Helpers every program has; the steps call them.
const LIBRARY: &str = r#"
deep(0) -> 0;
deep(N) -> 1 + deep(N - 1).
grow(0, Acc) -> length(Acc);
grow(N, Acc) -> grow(N - 1, [N | Acc]).
flood(_, 0) -> ok;
flood(P, N) -> P ! {msg, N, [N]}, flood(P, N - 1).
ets_fill(_, 0) -> ok;
ets_fill(T, N) -> ets:insert(T, {N rem 7, lists:seq(1, 10)}), ets_fill(T, N - 1).
pt_fill(0, _) -> ok;
pt_fill(N, S) -> persistent_term:put({self(), N}, lists:seq(1, S)), pt_fill(N - 1, S).
spawn_many(N) -> [spawn(fun() -> receive after 100 -> ok end end) || _ <- lists:seq(1, N)].
atoms(N) -> [list_to_atom("hostile_atom_" ++ integer_to_list(I)) || I <- lists:seq(1, N)].
nest(0) -> [];
nest(N) -> [nest(N - 1)].
link_crashers(Trap, N) ->
    process_flag(trap_exit, Trap),
    [spawn_link(fun() -> error(crash) end) || _ <- lists:seq(1, N)],
    receive after 10 -> ok end.
timers(N) -> [erlang:send_after(I rem 50, self(), tick) || I <- lists:seq(1, N)].
append(0, B) -> byte_size(B);
append(N, B) -> append(N - 1, <<B/binary, N:32>>).
wait([], N) -> N;
wait([{P, R} | T], N) ->
    receive {'DOWN', R, process, P, _} -> wait(T, N + 1) after 100000 -> wait(T, N) end.
"#;

fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `module` in the runner; its exit status (`None`: killed at the limit) and output.
fn run(dir: &Path, module: &str) -> (Option<std::process::ExitStatus>, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xenbeam-run"));
    cmd.current_dir(dir)
        .args(["--max-memory", "256M", "-pa"])
        .arg(dir)
        .args([module, "main"]);
    common::run_limited(&mut cmd, RUN_LIMIT)
}

#[test]
fn the_node_survives_generated_hostile_programs() {
    let first = env_count("XENBEAM_HOSTILE_SEED", 1);
    let count = env_count("XENBEAM_HOSTILE_PROGRAMS", 6);
    let dir = std::env::temp_dir().join(format!("xenbeam-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let erlc = std::env::var_os("ERLC").map_or_else(|| PathBuf::from("erlc"), PathBuf::from);
    for seed in first..first + count {
        let (name, src) = program(seed);
        let file = dir.join(format!("{name}.erl"));
        std::fs::write(&file, &src).expect("writing the program");
        // -W0: the programs do questionable things on purpose; erlc need not say so.
        let status = Command::new(&erlc)
            .arg("-W0")
            .arg("-o")
            .arg(&dir)
            .arg(&file)
            .status()
            .unwrap_or_else(|e| panic!("erlc did not start ({e}); is Erlang installed?"));
        assert!(status.success(), "erlc refused program {seed}:\n{src}");
        let started = Instant::now();
        let (status, out, err) = run(&dir, &name);
        let expected = format!("{{hostile,{WORKERS},{WORKERS}}}");
        assert!(
            status.is_some_and(|s| s.success()) && out.contains(&expected),
            "program {seed} ({}) took the node down or froze it: {}\nstdout ends:\n{}\nstderr ends:\n{}",
            file.display(),
            status.map_or("no exit within the limit".into(), |s| s.to_string()),
            out.lines().rev().take(5).collect::<Vec<_>>().join("\n"),
            err.lines().rev().take(20).collect::<Vec<_>>().join("\n"),
        );
        eprintln!(
            "program {seed}: {WORKERS} workers ended in {:.1} s ({} memory reports)",
            started.elapsed().as_secs_f64(),
            out.matches("node memory exhausted").count()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
