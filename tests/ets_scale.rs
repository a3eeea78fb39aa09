//! ETS at a million keys through the BIFs: `benches/erlang/b_ets.erl` inserts 1,000,000
//! integer keys into a set, looks each one up and bumps a counter on each, under
//! `xenbeam-run` on the host (the image's conformance run keeps to smaller tables).
//! Nothing is timed; the run must finish with the right answer.

use std::path::Path;
use std::process::Command;

#[test]
fn a_million_integer_keys_in_a_set() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = std::env::temp_dir().join(format!("xenbeam-ets-scale-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).expect("creating a scratch directory");
    let status = Command::new("erlc")
        .arg("-o")
        .arg(&out_dir)
        .arg(root.join("benches/erlang/b_ets.erl"))
        .status()
        .expect("running erlc (scripts/setup installs it)");
    assert!(status.success(), "erlc failed");
    let out = Command::new(env!("CARGO_BIN_EXE_xenbeam-run"))
        .arg("-pa")
        .arg(&out_dir)
        .args(["b_ets", "main", "1000000"])
        .output()
        .expect("starting xenbeam-run");
    let _ = std::fs::remove_dir_all(&out_dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "{1000000,496500,[{1000000,1000001}]}"
    );
}
