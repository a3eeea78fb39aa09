//! The Xenstore benchmark's report (`scripts/xsbench-report`) on a console log of three
//! repeats (`tests/bench/xsbench-3-repeats.log`): each cell's milliseconds are the median of
//! its samples, the CSV and JSON carry the samples' number and spread, and a failed check in
//! any repeat fails the report. Also the argument checks of `scripts/bench-xenstore --repeat`,
//! which stop before anything is built or booted.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> String {
    std::fs::read_to_string(root().join("tests/bench/xsbench-3-repeats.log"))
        .expect("reading tests/bench/xsbench-3-repeats.log")
}

/// Runs the report on `console` in a directory of its own; returns its output and the CSV.
fn report(name: &str, console: &str) -> (Output, String, PathBuf) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("xsbench-report-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating the output directory");
    let log = dir.join("console.log");
    std::fs::write(&log, console).expect("writing the console log");
    let out = Command::new(root().join("scripts/xsbench-report"))
        .arg(&log)
        .arg(&dir)
        .args(["--machine", "test", "--date", "2026-01-01"])
        .output()
        .expect("running scripts/xsbench-report");
    let csv = std::fs::read_to_string(dir.join("xenstore.csv")).expect("reading xenstore.csv");
    (out, csv, dir)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn medians_of_three_repeats() {
    let (out, csv, dir) = report("medians", &fixture());
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );

    // The table: medians, and the pore driver's rate against the others' from them.
    for row in [
        "1|1|250|180|200|400|+25.0%|-10.0%|+100.0%",
        "3|1|450|270|300|600|+50.0%|-10.0%|+100.0%",
    ] {
        assert!(
            stdout.lines().any(|l| l == row),
            "no row {row} in:\n{stdout}"
        );
    }
    for line in [
        "repeats: 3 (each cell's ms is the median of its 3 samples; their spread is in the CSV and JSON)",
        "peak pore: 1,000 writes/s (N=3, S=1)",
        "peak Linux domU: 500 writes/s (N=3, S=1)",
        "pore driver heap high-water mark: 262,144 bytes",
    ] {
        assert!(stdout.lines().any(|l| l == line), "no line {line:?} in:\n{stdout}");
    }

    // The CSV: median, samples, spread; errors and check stay the last two columns. These
    // samples have no CPU time (older guests print none), so that column is empty.
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "driver,n,w,s,ms,samples,ms_min,ms_max,writes_per_s,cpu_ms,errors,check"
    );
    for row in [
        "pore,1,100,1,200.0,3,100.0,300.0,500.0,,0,ok",
        "async,1,100,1,180.0,3,100.0,400.0,555.6,,0,ok",
        "pore,3,100,1,300.0,3,290.0,600.0,1000.0,,0,ok",
        "linux,3,100,1,600.0,3,240.0,900.0,500.0,,0,ok",
    ] {
        assert!(lines.contains(&row), "no row {row} in:\n{csv}");
    }
    assert_eq!(lines.len(), 1 + 8, "8 cells expected in:\n{csv}");

    // The JSON: the same, with the samples in the order they ran.
    let json = std::fs::read_to_string(dir.join("xenstore.json")).expect("reading the JSON");
    let compact: String = json.split_whitespace().collect();
    for needle in [
        r#""repeats":3"#,
        r#""driver":"pore","n":1,"w":100,"s":1,"ms":200.0,"samples":3,"ms_min":100.0,"ms_max":300.0"#,
        r#""ms_samples":[300.0,100.0,200.0]"#,
        r#""pore":1000.0"#,
    ] {
        assert!(compact.contains(needle), "no {needle} in:\n{json}");
    }
    let svg = std::fs::read_to_string(dir.join("xenstore.svg")).expect("reading the chart");
    assert!(svg.contains("writes/s (median of 3 runs)"), "{svg}");
}

#[test]
fn a_failed_check_in_one_repeat_fails_the_report() {
    let console = fixture().replace(
        "|xenbeam-2| xsbench: driver=blocking n=3 w=100 s=1 ms=450.000 errors=0 check=ok",
        "|xenbeam-2| xsbench: driver=blocking n=3 w=100 s=1 ms=450.000 errors=0 check=mismatch",
    );
    let console = console.replace(
        "|linux-3| xswrite: checked keys=10 mismatches=0",
        "|linux-3| xswrite: checked keys=10 mismatches=2",
    );
    let (out, csv, _) = report("failed", &console);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "stdout:\n{stdout}");
    for line in [
        "FAILED cell: driver=blocking n=3 w=100 s=1 errors=0 check=mismatch (guest xenbeam-2)",
        "FAILED cell: driver=linux n=1 w=100 s=1 errors=0 check=mismatch (guest linux-3)",
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "no line {line:?} in:\n{stdout}"
        );
    }
    assert!(csv
        .lines()
        .any(|l| l == "blocking,3,100,1,450.0,3,450.0,500.0,666.7,,0,mismatch"));
    assert!(csv
        .lines()
        .any(|l| l == "linux,1,100,1,400.0,3,300.0,500.0,250.0,,0,mismatch"));
}

#[test]
fn a_cell_with_fewer_samples_takes_the_median_of_those() {
    // Drop the third Linux guest's N=1 cell: two samples, 400 and 500 ms.
    let console: String = fixture()
        .lines()
        .filter(|l| !(l.starts_with("|linux-3| xswrite:") && l.contains("keys=10")))
        .filter(|l| !l.starts_with("|linux-3| xswrite: n=1 "))
        .map(|l| format!("{l}\n"))
        .collect();
    let (out, csv, _) = report("fewer", &console);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}");
    assert!(
        csv.lines()
            .any(|l| l == "linux,1,100,1,450.0,2,400.0,500.0,222.2,,0,ok"),
        "{csv}"
    );
    assert!(
        stdout.contains("; 1 cell with fewer samples: linux N=1 S=1 (2)"),
        "{stdout}"
    );
}

#[test]
fn no_cells_fail_the_report() {
    let (out, _, _) = report("empty", "xen-qemu: guest xenbeam-1: crash\n");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

#[test]
fn bench_xenstore_rejects_bad_repeats() {
    for bad in [
        &["--repeat", "0"][..],
        &["--repeat", "x"],
        &["--repeat"],
        &["--repeat", "-2"],
    ] {
        let out = Command::new(root().join("scripts/bench-xenstore"))
            .args(bad)
            .output()
            .expect("running scripts/bench-xenstore");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {stderr}");
        assert!(stderr.contains("--repeat"), "{bad:?}: {stderr}");
    }
}

/// The guest's CPU time per cell (`cpu_ms=`, and under Xen the run-time fields after the
/// check): the CSV has each cell's median, and the report prints the CPU time per write
/// against the write's time, per N and S.
#[test]
fn guest_cpu_time_per_cell() {
    let console = [
        "|xenbeam-1| xsbench: driver=pore n=1 w=100 s=1 ms=200.000 cpu_ms=50 errors=0 check=ok runnable_ms=1.000 blocked_ms=100.000 sleeps=210",
        "|xenbeam-1| xsbench: driver=blocking n=1 w=100 s=1 ms=100.000 cpu_ms=30 errors=0 check=ok",
        "|xenbeam-2| xsbench: driver=pore n=1 w=100 s=1 ms=300.000 cpu_ms=70 errors=0 check=ok",
        "|xenbeam-2| xsbench: driver=blocking n=1 w=100 s=1 ms=120.000 cpu_ms=20 errors=0 check=ok",
    ]
    .join("\n");
    let (out, csv, _dir) = report("cpu", &console);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    for row in [
        "pore,1,100,1,250.0,2,200.0,300.0,400.0,60.0,0,ok",
        "blocking,1,100,1,110.0,2,100.0,120.0,909.1,25.0,0,ok",
    ] {
        assert!(csv.lines().any(|l| l == row), "no row {row} in:\n{csv}");
    }
    let line = "N=1 S=1, guest CPU/time per write in us: blocking outlet 250/1,100, pore 600/2,500";
    assert!(
        stdout.lines().any(|l| l == line),
        "no line {line:?} in:\n{stdout}"
    );
}
