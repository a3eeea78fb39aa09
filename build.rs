//! Compiles the kernel's Erlang boot module (`src/erlang/xenbeam_kernel.erl`) for the host
//! runner, which carries it in its binary (the image embeds it through `scripts/build`).
//!
//! Without `erlc` the runner carries an empty module and starts no kernel services.

use std::path::Path;
use std::process::Command;

fn main() {
    let src = "src/erlang/xenbeam_kernel.erl";
    println!("cargo:rerun-if-changed={src}");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let beam = Path::new(&out).join("xenbeam_kernel.beam");
    let compiled = Command::new("erlc")
        .arg("-o")
        .arg(&out)
        .arg(src)
        .status()
        .is_ok_and(|s| s.success());
    if !compiled {
        println!(
            "cargo:warning=erlc could not compile {src}: xenbeam-run starts no kernel services"
        );
        std::fs::write(&beam, []).expect("writing an empty module");
    }
}
