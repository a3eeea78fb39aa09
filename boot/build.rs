//! Links the image with its own linker script and packs the Erlang modules it embeds.
//!
//! `scripts/build` lists the `.beam` files to embed, one path per line, in the file named by
//! `XENBEAM_BEAMS`; they are packed into a module archive that the image includes. Without
//! the variable the archive is empty.

use std::path::Path;

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("none") {
        println!("cargo:rustc-link-arg-bins=-T{dir}/link.ld");
        println!("cargo:rustc-link-arg-bins=-zmax-page-size=4096");
    }
    println!("cargo:rerun-if-changed=link.ld");
    println!("cargo:rerun-if-env-changed=XENBEAM_BEAMS");

    let mut modules: Vec<(String, Vec<u8>)> = Vec::new();
    if let Some(list) = std::env::var_os("XENBEAM_BEAMS") {
        let list = Path::new(&list);
        println!("cargo:rerun-if-changed={}", list.display());
        let text = std::fs::read_to_string(list)
            .unwrap_or_else(|e| panic!("reading the module list {}: {e}", list.display()));
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let path = Path::new(line);
            println!("cargo:rerun-if-changed={line}");
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_else(|| panic!("{line}: not a .beam file name"))
                .to_string();
            let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {line}: {e}"));
            if modules.iter().any(|(n, _)| *n == name) {
                panic!("module {name} is listed twice (second: {line})");
            }
            modules.push((name, bytes));
        }
    }
    let archive = xenbeam::archive::write(modules.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("modules.xbar"), archive).expect("writing the archive");
}
