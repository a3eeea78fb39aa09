//! Compiles the kernel's Erlang boot module (`src/erlang/xenbeam_kernel.erl`) and the host's
//! own preloaded modules (`src/erlang/host/`: the part of `init` that runs `-eval` items,
//! `prim_eval`, erl_eval's receive, and `xenbeam_os`, the Erlang half of `os:cmd`), and the
//! modules OTP's boot needs in place of erl's port-based ones (`src/erlang/boot/`), for the
//! host runner, which carries them in its binary (the image embeds the kernel module, and
//! the boot's modules when it boots OTP's way, through `scripts/build`; never the host's).
//!
//! Without `erlc` the runner carries empty modules: it starts no kernel services and cannot
//! run `-eval` or `os:cmd`.

use std::path::Path;
use std::process::Command;

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for (src, what) in [
        (
            "src/erlang/xenbeam_kernel.erl",
            "xenbeam-run starts no kernel services",
        ),
        ("src/erlang/host/init.erl", "xenbeam-run cannot run -eval"),
        (
            "src/erlang/boot/prim_eval.S",
            "erl_eval cannot evaluate receive expressions",
        ),
        (
            "src/erlang/host/xenbeam_os.erl",
            "xenbeam-run cannot run os:cmd",
        ),
        (
            "src/erlang/boot/user.erl",
            "xenbeam-run cannot boot as erl does",
        ),
        (
            "src/erlang/boot/standard_error.erl",
            "xenbeam-run cannot boot as erl does",
        ),
        (
            "src/erlang/boot/erts_code_purger.erl",
            "xenbeam-run cannot boot as erl does",
        ),
        (
            "src/erlang/boot/xenbeam_boot.erl",
            "xenbeam-run cannot boot as erl does",
        ),
    ] {
        println!("cargo:rerun-if-changed={src}");
        let name = Path::new(src)
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a module file name");
        let beam = Path::new(&out).join(format!("{name}.beam"));
        let compiled = Command::new("erlc")
            .arg("-o")
            .arg(&out)
            .arg(src)
            .status()
            .is_ok_and(|s| s.success());
        if !compiled {
            println!("cargo:warning=erlc could not compile {src}: {what}");
            std::fs::write(&beam, []).expect("writing an empty module");
        }
    }
}
