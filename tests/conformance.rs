//! Conformance suite: every module in tests/erlang is run under the reference
//! `erl` and under `xenbeam-run`; stdout and exit status must be identical.
//!
//! Modules named in tests/erlang/PASSING must match, or the test fails. All
//! other modules are run as well and only reported, so the list can grow as the
//! VM does. Run with `-- --nocapture` to see the per-module report. A module `m.erl` with
//! an `m.input` beside it reads that file on standard input in both runs.
//!
//! Environment knobs:
//!   XENBEAM_CONFORMANCE_ONLY=a,b   run only these modules
//!   XENBEAM_CONFORMANCE_TIMEOUT=N  seconds per run (default 60)
//!   XENBEAM_CONFORMANCE_JOBS=N     worker threads (default 2)
//!   XENBEAM_CONFORMANCE_VERBOSE=1  show full diffs for unlisted modules too
//!   XENBEAM_RUN=path               runner to test (default: this package's xenbeam-run)
//!   ERL, ERLC                      reference tool paths (default: from PATH)
//!
//! When `xenbeam-run --list-opcodes` works, the report also names, per module,
//! the generic opcodes its code uses that the runner does not list.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// erl prints this line (to stdout) when the started function raises.
const ERL_CRASH_PREFIX: &str = "{\"init terminating in do_boot\"";

/// Output kept per stream and run; a runaway printer cannot exhaust memory.
const OUTPUT_CAP: usize = 16 << 20;

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("erlang")
}

fn runner_path() -> PathBuf {
    match std::env::var_os("XENBEAM_RUN") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_BIN_EXE_xenbeam-run")),
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// Finds an executable by name in PATH, honouring an override variable.
fn find_tool(var: &str, name: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A scratch directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("{tag}-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A test module and the function its run starts with.
#[derive(Clone, Debug)]
struct Module {
    name: String,
    entry: &'static str,
    /// The module's `.input` file beside it, fed to both runs on standard input (else
    /// standard input is empty).
    input: Option<PathBuf>,
}

/// Lists tests/erlang/*.erl that export main/0 (or start/0).
fn discover(dir: &Path) -> (Vec<PathBuf>, Vec<Module>) {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read tests/erlang")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "erl"))
        .collect();
    files.sort();
    let mut modules = Vec::new();
    for f in &files {
        let src = fs::read_to_string(f).unwrap_or_default();
        let exports: String = src
            .split("-export(")
            .skip(1)
            .filter_map(|s| s.split(')').next())
            .collect::<Vec<_>>()
            .join(",");
        let exports: String = exports.chars().filter(|c| !c.is_whitespace()).collect();
        let has = |fa: &str| {
            exports
                .trim_matches(|c| c == '[' || c == ']')
                .split([',', '[', ']'])
                .any(|e| e == fa)
        };
        let entry = if has("main/0") {
            "main"
        } else if has("start/0") {
            "start"
        } else {
            continue;
        };
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        let input = Some(f.with_extension("input")).filter(|i| i.is_file());
        modules.push(Module { name, entry, input });
    }
    (files, modules)
}

fn read_passing(dir: &Path) -> BTreeSet<String> {
    fs::read_to_string(dir.join("PASSING"))
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// What one process run produced.
#[derive(Debug)]
struct RunOutput {
    stdout: String,
    stderr: String,
    /// Exit code, or None when killed by a signal or by the timeout.
    code: Option<i32>,
    signal: Option<i32>,
    timed_out: bool,
    spawn_error: Option<String>,
}

impl RunOutput {
    fn describe_status(&self) -> String {
        if let Some(e) = &self.spawn_error {
            return format!("could not start: {e}");
        }
        if self.timed_out {
            return "timed out (killed)".to_string();
        }
        match (self.code, self.signal) {
            (Some(c), _) => format!("exit {c}"),
            (None, Some(s)) => format!("killed by signal {s}"),
            _ => "unknown status".to_string(),
        }
    }
}

fn exit_signal(status: &ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

/// Runs a command with a deadline. The child gets its own process group so
/// that on timeout it is killed together with anything it started.
fn run_with_timeout(
    mut cmd: Command,
    cwd: &Path,
    timeout: Duration,
    input: Option<&Path>,
) -> RunOutput {
    use std::os::unix::process::CommandExt;
    let stdin = match input.map(fs::File::open) {
        Some(Ok(f)) => Stdio::from(f),
        Some(Err(e)) => panic!("opening {}: {e}", input.unwrap_or(cwd).display()),
        None => Stdio::null(),
    };
    cmd.current_dir(cwd)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return RunOutput {
                stdout: String::new(),
                stderr: String::new(),
                code: None,
                signal: None,
                timed_out: false,
                spawn_error: Some(e.to_string()),
            }
        }
    };
    let (tx, rx) = mpsc::channel::<(bool, Vec<u8>)>();
    for (is_out, pipe) in [
        (
            true,
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
        (
            false,
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
    ] {
        let tx = tx.clone();
        if let Some(mut pipe) = pipe {
            thread::spawn(move || {
                // Keep at most OUTPUT_CAP bytes, but read to the end so the
                // child never blocks on a full pipe.
                let mut buf = Vec::new();
                let mut chunk = [0u8; 65536];
                let mut dropped = 0usize;
                while let Ok(n) = pipe.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    let room = OUTPUT_CAP.saturating_sub(buf.len()).min(n);
                    buf.extend_from_slice(&chunk[..room]);
                    dropped += n - room;
                }
                if dropped > 0 {
                    buf.extend_from_slice(format!("\n[{dropped} more bytes dropped]\n").as_bytes());
                }
                let _ = tx.send((is_out, buf));
            });
        }
    }
    drop(tx);

    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Some(st),
            Ok(None) => {}
            Err(_) => break None,
        }
        if start.elapsed() >= timeout {
            timed_out = true;
            kill_group(child.id());
            let _ = child.kill();
            break child.wait().ok();
        }
        thread::sleep(Duration::from_millis(5));
    };
    // Leftover members of the group could keep the pipes open: end them too.
    kill_group(child.id());

    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let drain_deadline = Instant::now() + Duration::from_secs(5);
    for _ in 0..2 {
        let left = drain_deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((true, b)) => stdout = b,
            Ok((false, b)) => stderr = b,
            Err(_) => break,
        }
    }
    RunOutput {
        stdout: text(&stdout),
        stderr: text(&stderr),
        code: if timed_out {
            None
        } else {
            status.as_ref().and_then(|s| s.code())
        },
        signal: status.as_ref().and_then(exit_signal),
        timed_out,
        spawn_error: None,
    }
}

/// Decodes output as UTF-8, keeping every invalid byte distinguishable
/// (as U+FFFD followed by its hex value) so that comparisons stay exact.
fn text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\u{FFFD}{b:02X}"));
        }
    }
    out
}

/// Sends SIGKILL to the process group led by `pid` (a child this test started).
fn kill_group(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The reference result, with erl's crash line taken out.
struct Expected {
    stdout: String,
    /// Some(code) for a normal halt; None when the module crashes on purpose
    /// (then any non-zero status is accepted).
    code: Option<i32>,
}

fn expected_from_erl(out: &RunOutput) -> Result<Expected, String> {
    if out.spawn_error.is_some() || out.timed_out || out.code.is_none() {
        return Err(format!(
            "erl itself failed: {}\n{}",
            out.describe_status(),
            tail(&out.stderr, 20)
        ));
    }
    let text = out.stdout.replace("\r\n", "\n");
    let mut kept = String::with_capacity(text.len());
    let mut crashed = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with(ERL_CRASH_PREFIX) {
            crashed = true;
        } else {
            kept.push_str(line);
        }
    }
    Ok(Expected {
        stdout: kept,
        code: if crashed { None } else { out.code },
    })
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let from = lines.len().saturating_sub(n);
    lines[from..].join("\n")
}

/// Shortens a long line to a window around byte column `col`.
fn window(line: &str, col: usize) -> String {
    const W: usize = 160;
    if line.len() <= 2 * W {
        return line.to_string();
    }
    let mut lo = col.saturating_sub(W / 2);
    while lo > 0 && !line.is_char_boundary(lo) {
        lo -= 1;
    }
    let mut hi = (col + W).min(line.len());
    while hi < line.len() && !line.is_char_boundary(hi) {
        hi += 1;
    }
    format!(
        "{}{}{}  [{} bytes, diff at column {}]",
        if lo > 0 { "..." } else { "" },
        &line[lo..hi],
        if hi < line.len() { "..." } else { "" },
        line.len(),
        col
    )
}

/// A short unified-style view of where two outputs first part ways.
fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let first = e
        .iter()
        .zip(a.iter())
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let mut out = format!(
        "@@ first difference at line {} (erl: {} lines, xenbeam-run: {} lines) @@\n",
        first + 1,
        e.len(),
        a.len()
    );
    for l in &e[first.saturating_sub(2)..first] {
        out.push_str(&format!(" {}\n", window(l, 0)));
    }
    const SHOW: usize = 4;
    let col = match (e.get(first), a.get(first)) {
        (Some(x), Some(y)) => x
            .bytes()
            .zip(y.bytes())
            .position(|(p, q)| p != q)
            .unwrap_or(x.len().min(y.len())),
        _ => 0,
    };
    for l in e.iter().skip(first).take(SHOW) {
        out.push_str(&format!("-{}\n", window(l, col)));
    }
    if e.len() > first + SHOW {
        out.push_str(&format!("-... ({} more)\n", e.len() - first - SHOW));
    }
    for l in a.iter().skip(first).take(SHOW) {
        out.push_str(&format!("+{}\n", window(l, col)));
    }
    if a.len() > first + SHOW {
        out.push_str(&format!("+... ({} more)\n", a.len() - first - SHOW));
    }
    if e == a {
        out.push_str("(the lines are equal: the outputs differ only in line endings)\n");
    }
    out
}

enum Verdict {
    Match,
    Differs(String),
    /// The reference side failed: the suite itself is broken.
    Broken(String),
}

struct Outcome {
    module: String,
    verdict: Verdict,
    secs: f64,
}

struct Setup {
    erl: PathBuf,
    runner: PathBuf,
    beam_dir: PathBuf,
    timeout: Duration,
}

fn check_module(setup: &Setup, m: &Module) -> Outcome {
    let started = Instant::now();
    // Each run gets its own working directory (erl may write a crash dump).
    let work = TempDir::new(&format!("xenbeam-conf-{}", m.name));
    let pa = setup.beam_dir.to_string_lossy().into_owned();

    let mut erl = Command::new(&setup.erl);
    erl.args(["-noshell", "-pa", &pa, "-run", &m.name, m.entry])
        .env("ERL_CRASH_DUMP_SECONDS", "0");
    let erl_out = run_with_timeout(erl, &work.0, setup.timeout, m.input.as_deref());

    let verdict = match expected_from_erl(&erl_out) {
        Err(e) => Verdict::Broken(e),
        Ok(exp) => {
            let mut run = Command::new(&setup.runner);
            run.args(["-pa", &pa, &m.name, m.entry]);
            let got = run_with_timeout(run, &work.0, setup.timeout, m.input.as_deref());
            // A runner that mimics erl's crash line on stdout is accepted too.
            let stdout: String = got
                .stdout
                .replace("\r\n", "\n")
                .split_inclusive('\n')
                .filter(|l| !l.starts_with(ERL_CRASH_PREFIX))
                .collect();
            let mut problems = Vec::new();
            let status_ok = match exp.code {
                Some(c) => got.code == Some(c),
                None => !got.timed_out && matches!(got.code, Some(c) if c != 0),
            };
            if !status_ok {
                let want = match exp.code {
                    Some(c) => format!("exit {c}"),
                    None => "a non-zero exit (uncaught exception)".to_string(),
                };
                problems.push(format!(
                    "exit status: erl gave {want}, xenbeam-run {}",
                    got.describe_status()
                ));
            }
            if exp.code.is_none() && got.stderr.trim().is_empty() && status_ok {
                problems.push("uncaught exception but nothing was printed to stderr".to_string());
            }
            if stdout != exp.stdout {
                problems.push(format!("stdout differs:\n{}", diff(&exp.stdout, &stdout)));
            }
            if problems.is_empty() {
                Verdict::Match
            } else {
                if !got.stderr.trim().is_empty() {
                    problems.push(format!(
                        "xenbeam-run stderr (tail):\n{}",
                        tail(&got.stderr, 12)
                    ));
                }
                Verdict::Differs(problems.join("\n"))
            }
        }
    };
    Outcome {
        module: m.name.clone(),
        verdict,
        secs: started.elapsed().as_secs_f64(),
    }
}

/// Generic opcode table of the installed OTP: number -> (name, operand count).
fn opcode_table(erl: &Path) -> Option<Vec<(String, usize)>> {
    let script = "[case catch beam_opcodes:opname(N) of \
                  {Name, Arity} -> io:format(\"~w ~s ~w~n\", [N, Name, Arity]); \
                  _ -> ok end || N <- lists:seq(1, 255)], halt().";
    let out = Command::new(erl)
        .args(["-noshell", "-eval", script])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let mut table = vec![(String::new(), 0); 256];
    let mut any = false;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if let [n, name, arity] = f[..] {
            let (Ok(n), Ok(arity)) = (n.parse::<usize>(), arity.parse::<usize>()) else {
                continue;
            };
            if n < table.len() {
                table[n] = (name.trim_matches('\'').to_string(), arity);
                any = true;
            }
        }
    }
    any.then_some(table)
}

/// Reads one compact-term operand of a BEAM Code chunk, returning the new offset.
fn skip_operand(code: &[u8], mut i: usize) -> Option<usize> {
    // Reads a tagged value; returns (tag, small value if it fits, next offset).
    fn value(code: &[u8], i: usize) -> Option<(u8, u64, usize)> {
        let b = *code.get(i)?;
        let tag = b & 7;
        if b & 0x08 == 0 {
            Some((tag, u64::from(b >> 4), i + 1))
        } else if b & 0x10 == 0 {
            let lo = *code.get(i + 1)?;
            Some((tag, (u64::from(b >> 5) << 8) | u64::from(lo), i + 2))
        } else {
            let mut len = usize::from(b >> 5) + 2;
            let mut j = i + 1;
            if len == 9 {
                let (_, n, next) = value(code, j)?;
                len = usize::try_from(n).ok()? + 9;
                j = next;
            }
            let bytes = code.get(j..j + len)?;
            let v = bytes
                .iter()
                .take(8)
                .fold(0u64, |a, &x| (a << 8) | u64::from(x));
            Some((tag, v, j + len))
        }
    }
    let b = *code.get(i)?;
    if b & 7 != 7 {
        return value(code, i).map(|(_, _, n)| n);
    }
    // Extended tags: 1 list, 2 float register, 3 allocation list, 4 literal,
    // 5 typed register.
    i += 1;
    match b >> 4 {
        1 => {
            let (_, n, mut j) = value(code, i)?;
            for _ in 0..n {
                j = skip_operand(code, j)?;
            }
            Some(j)
        }
        2 | 4 => value(code, i).map(|(_, _, n)| n),
        3 => {
            let (_, n, mut j) = value(code, i)?;
            for _ in 0..n * 2 {
                j = value(code, j)?.2;
            }
            Some(j)
        }
        5 => {
            let j = skip_operand(code, i)?;
            value(code, j).map(|(_, _, n)| n)
        }
        _ => None,
    }
}

/// The generic opcode names a .beam file's code uses.
fn opcodes_used(beam: &[u8], table: &[(String, usize)]) -> Option<BTreeSet<String>> {
    if beam.get(0..4)? != b"FOR1" || beam.get(8..12)? != b"BEAM" {
        return None;
    }
    let mut pos = 12;
    while pos + 8 <= beam.len() {
        let id = &beam[pos..pos + 4];
        let len = u32::from_be_bytes(beam[pos + 4..pos + 8].try_into().ok()?) as usize;
        let body = beam.get(pos + 8..pos + 8 + len)?;
        if id == b"Code" {
            let header = u32::from_be_bytes(body.get(0..4)?.try_into().ok()?) as usize;
            let code = body.get(4 + header..)?;
            let mut used = BTreeSet::new();
            let mut i = 0;
            while i < code.len() {
                let (name, arity) = table.get(usize::from(code[i]))?;
                if name.is_empty() {
                    return None;
                }
                used.insert(name.clone());
                i += 1;
                for _ in 0..*arity {
                    i = skip_operand(code, i)?;
                }
                if name == "int_code_end" {
                    break;
                }
            }
            return Some(used);
        }
        pos += 8 + len.div_ceil(4) * 4;
    }
    None
}

/// Opcodes each module uses that the runner does not list as implemented.
/// Informational only; empty when either side is unavailable.
fn missing_opcodes(
    erl: &Path,
    runner: &Path,
    beam_dir: &Path,
    modules: &[Module],
) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let mut result = std::collections::BTreeMap::new();
    let mut cmd = Command::new(runner);
    cmd.arg("--list-opcodes");
    let out = run_with_timeout(cmd, beam_dir, Duration::from_secs(20), None);
    if out.code != Some(0) {
        return result;
    }
    let implemented: BTreeSet<String> = out
        .stdout
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches('\'').to_string())
        .collect();
    if implemented.is_empty() {
        return result;
    }
    let Some(table) = opcode_table(erl) else {
        return result;
    };
    for m in modules {
        let Ok(beam) = fs::read(beam_dir.join(format!("{}.beam", m.name))) else {
            continue;
        };
        if let Some(used) = opcodes_used(&beam, &table) {
            let missing: BTreeSet<String> = used
                .into_iter()
                .filter(|o| !implemented.contains(o) && o != "int_code_end")
                .collect();
            result.insert(m.name.clone(), missing);
        }
    }
    result
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}\n")).collect()
}

#[test]
fn erlang_conformance() {
    let dir = suite_dir();
    let Some(erlc) = find_tool("ERLC", "erlc") else {
        panic!(
            "erlc (Erlang/OTP) was not found in PATH. The conformance suite compares \
             against the reference erl; install it with scripts/setup (or set ERLC/ERL)."
        );
    };
    let Some(erl) = find_tool("ERL", "erl") else {
        panic!("erl was not found in PATH (erlc was); install Erlang/OTP with scripts/setup.");
    };
    let runner = runner_path();
    assert!(
        runner.is_file(),
        "xenbeam-run binary missing at {}",
        runner.display()
    );

    let (files, mut modules) = discover(&dir);
    assert!(
        !modules.is_empty(),
        "no test modules found in {}",
        dir.display()
    );
    let passing = read_passing(&dir);

    let mut failures = Vec::new();
    let known: BTreeSet<&str> = modules.iter().map(|m| m.name.as_str()).collect();
    for p in &passing {
        if !known.contains(p.as_str()) {
            failures.push(format!(
                "{p}: listed in PASSING but there is no such test module"
            ));
        }
    }

    if let Ok(only) = std::env::var("XENBEAM_CONFORMANCE_ONLY") {
        let only: BTreeSet<&str> = only.split(',').map(str::trim).collect();
        modules.retain(|m| only.contains(m.name.as_str()));
        failures.clear();
    }

    // Compile everything once, into a scratch directory.
    let beams = TempDir::new("xenbeam-conf-beam");
    let out = Command::new(&erlc)
        .arg("-o")
        .arg(&beams.0)
        .args(&files)
        .output()
        .expect("failed to run erlc");
    assert!(
        out.status.success(),
        "erlc failed on tests/erlang:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let setup = Arc::new(Setup {
        erl,
        runner,
        beam_dir: beams.0.clone(),
        timeout: Duration::from_secs(env_usize("XENBEAM_CONFORMANCE_TIMEOUT", 60) as u64),
    });

    // A small worker pool: the slow modules (GC, deep recursion) overlap.
    let queue = Arc::new(Mutex::new(modules.clone()));
    let (tx, rx) = mpsc::channel::<Outcome>();
    let jobs = env_usize("XENBEAM_CONFORMANCE_JOBS", 2);
    let mut workers = Vec::new();
    for _ in 0..jobs {
        let queue = Arc::clone(&queue);
        let setup = Arc::clone(&setup);
        let tx = tx.clone();
        workers.push(thread::spawn(move || loop {
            let next = queue.lock().unwrap().pop();
            match next {
                Some(m) => {
                    if tx.send(check_module(&setup, &m)).is_err() {
                        break;
                    }
                }
                None => break,
            }
        }));
    }
    drop(tx);
    let mut outcomes: Vec<Outcome> = rx.iter().collect();
    for w in workers {
        let _ = w.join();
    }
    outcomes.sort_by(|a, b| a.module.cmp(&b.module));

    let missing = missing_opcodes(&setup.erl, &setup.runner, &setup.beam_dir, &modules);
    let missing_note = |module: &str| -> String {
        match missing.get(module) {
            Some(ops) if !ops.is_empty() => format!(
                "    uses opcodes xenbeam-run does not list: {}\n",
                ops.iter().cloned().collect::<Vec<_>>().join(" ")
            ),
            _ => String::new(),
        }
    };

    let mut report = String::new();
    let mut newly = Vec::new();
    let (mut n_match, mut n_differ) = (0, 0);
    for o in &outcomes {
        let listed = passing.contains(&o.module);
        match &o.verdict {
            Verdict::Match => {
                n_match += 1;
                if listed {
                    report.push_str(&format!("ok        {} ({:.1}s)\n", o.module, o.secs));
                } else {
                    newly.push(o.module.clone());
                    report.push_str(&format!(
                        "NEW PASS  {} ({:.1}s): now passes, add it to tests/erlang/PASSING\n",
                        o.module, o.secs
                    ));
                }
            }
            Verdict::Differs(why) => {
                n_differ += 1;
                if listed {
                    report.push_str(&format!(
                        "FAIL      {} ({:.1}s)\n{}{}",
                        o.module,
                        o.secs,
                        indent(why),
                        missing_note(&o.module)
                    ));
                    failures.push(format!(
                        "{}: listed in PASSING but differs from erl",
                        o.module
                    ));
                } else {
                    let summary: Vec<&str> = why
                        .lines()
                        .filter(|l| {
                            l.starts_with("exit status")
                                || l.starts_with("@@")
                                || l.starts_with("uncaught")
                        })
                        .collect();
                    report.push_str(&format!(
                        "differs   {} ({:.1}s): still differs; {}\n",
                        o.module,
                        o.secs,
                        summary.join("; ")
                    ));
                    report.push_str(&missing_note(&o.module));
                    if std::env::var_os("XENBEAM_CONFORMANCE_VERBOSE").is_some() {
                        report.push_str(&indent(why));
                    }
                }
            }
            Verdict::Broken(why) => {
                report.push_str(&format!(
                    "BROKEN    {}: the reference run failed\n{}",
                    o.module,
                    indent(why)
                ));
                failures.push(format!("{}: does not run cleanly under erl", o.module));
            }
        }
    }
    report.push_str(&format!(
        "\n{} modules: {} match erl, {} differ; {} listed in PASSING\n",
        outcomes.len(),
        n_match,
        n_differ,
        passing.len()
    ));
    if !newly.is_empty() {
        report.push_str(&format!(
            "now passing but not listed: {}\n",
            newly.join(" ")
        ));
    }
    let all_missing: BTreeSet<&String> = missing.values().flatten().collect();
    if !all_missing.is_empty() {
        report.push_str(&format!(
            "opcodes the suite uses that xenbeam-run --list-opcodes does not list: {}\n",
            all_missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    eprintln!("{report}");

    if !failures.is_empty() {
        panic!("conformance failures:\n  {}", failures.join("\n  "));
    }
}
