//! Links the image with its own linker script and packs the Erlang modules it embeds.
//!
//! `scripts/build` lists the `.beam` files to embed, one path per line, in the file named by
//! `XENBEAM_BEAMS`, and the applications' files in the file named by `XENBEAM_FILES`, one per
//! line as the path the image shows, a tab, and the path to read; they are packed into an
//! archive that the image includes. Without the variables the archive is empty.

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
    println!("cargo:rerun-if-env-changed=XENBEAM_FILES");
    if let Some(list) = std::env::var_os("XENBEAM_FILES") {
        let list = Path::new(&list);
        println!("cargo:rerun-if-changed={}", list.display());
        let text = std::fs::read_to_string(list)
            .unwrap_or_else(|e| panic!("reading the file list {}: {e}", list.display()));
        for line in text.lines().filter(|l| !l.is_empty()) {
            let (name, from) = line
                .split_once('\t')
                .filter(|(name, _)| name.starts_with('/'))
                .unwrap_or_else(|| panic!("{line}: not an absolute name, a tab and a path"));
            println!("cargo:rerun-if-changed={from}");
            let bytes = std::fs::read(from).unwrap_or_else(|e| panic!("reading {from}: {e}"));
            if modules.iter().any(|(n, _)| n == name) {
                panic!("file {name} is listed twice (second: {from})");
            }
            modules.push((name.to_string(), bytes));
        }
    }
    let archive = xenbeam::archive::write(modules.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("modules.xbar"), archive).expect("writing the archive");
}
