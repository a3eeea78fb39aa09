//! Host tests of the loader: every `.beam` file of OTP's own stdlib, kernel and compiler
//! (found through the installed `erl`), modules compiled here with `erlc`, hand-built files
//! for each error, and truncated or corrupted files.

extern crate std;

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::opcodes::{self, OpcodeStatus};
use super::*;

/// Runs an Erlang expression that prints a string; None when erl is not installed.
fn erl_eval(expr: &str) -> Option<String> {
    let out = Command::new("erl")
        .args(["-noshell", "-eval", &std::format!("{expr}, halt().")])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The ebin directories of every application of the installed OTP (stdlib, kernel, compiler
/// and whatever else is installed), sorted.
fn otp_ebin_dirs() -> Option<Vec<PathBuf>> {
    let root = erl_eval("io:format(\"~s\", [code:root_dir()])")?;
    let lib = Path::new(&root).join("lib");
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(&lib).ok()? {
        let ebin = entry.ok()?.path().join("ebin");
        if ebin.is_dir() {
            dirs.push(ebin);
        }
    }
    dirs.sort();
    Some(dirs)
}

fn beam_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "beam"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Every module of the installed OTP loads: each operand fits its opcode's signature (a
/// wrong signature letter would refuse a module here), and OTP 25 itself uses only opcodes
/// the table calls current.
#[test]
fn loads_every_installed_otp_module() {
    let Some(dirs) = otp_ebin_dirs() else {
        std::println!("NOTICE: erl not found; skipping the OTP module load test");
        return;
    };
    for app in ["stdlib-", "kernel-", "compiler-"] {
        assert!(
            dirs.iter().any(|d| d.to_string_lossy().contains(app)),
            "{app} missing from {dirs:?}"
        );
    }
    let mut loaded = 0;
    let mut used = [0usize; 256];
    for dir in &dirs {
        for file in beam_files(dir) {
            let bytes = std::fs::read(&file).expect("readable");
            let module = load(&bytes).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let stem = file.file_stem().expect("name").to_string_lossy();
            assert_eq!(module.name(), stem, "{}", file.display());
            assert_eq!(module.code.last().map(|i| i.opcode), Some(3));
            assert!(!module.lines.is_empty(), "{} has lines", file.display());
            for i in &module.code {
                assert_eq!(
                    i.args.len(),
                    usize::from(opcodes::by_number(i.opcode).expect("known").arity)
                );
                used[usize::from(i.opcode)] += 1;
            }
            loaded += 1;
        }
    }
    assert!(loaded > 200, "only {loaded} modules found");
    // OTP 25's own modules never use what the table calls legacy or obsolete.
    let misfiled: Vec<&str> = opcodes::OPCODES
        .iter()
        .filter(|op| op.status != OpcodeStatus::Current && used[usize::from(op.number)] > 0)
        .map(|op| op.name)
        .collect();
    assert!(misfiled.is_empty(), "used by OTP 25 itself: {misfiled:?}");
    let distinct = used.iter().filter(|&&n| n > 0).count();
    std::println!(
        "loaded {loaded} OTP modules from {} applications using {distinct} distinct opcodes",
        dirs.len()
    );
}

/// Compiles Erlang source with erlc into a temporary directory and returns the .beam bytes.
fn compile(name: &str, source: &str) -> Option<Vec<u8>> {
    let dir = std::env::temp_dir().join(std::format!(
        "xenbeam-loader-test-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).ok()?;
    std::fs::write(dir.join(std::format!("{name}.erl")), source).ok()?;
    std::fs::write(dir.join("inc.hrl"), "inc(X) ->\n    X + 1.\n").ok()?;
    let status = Command::new("erlc")
        .arg("-o")
        .arg(&dir)
        .arg(dir.join(std::format!("{name}.erl")))
        .current_dir(&dir)
        .status()
        .ok()?;
    let bytes = std::fs::read(dir.join(std::format!("{name}.beam"))).ok();
    let _ = std::fs::remove_dir_all(&dir);
    status.success().then_some(bytes).flatten()
}

const SAMPLE: &str = r#"-module(sample).
-export([big/0, neg/0, max/0, sub/1, lit/0, fun1/1, float/1, recv/0, bin/1, inc/1, many/1]).
-include("inc.hrl").
big() -> 123456789012345678901234567890.
neg() -> -123456789012345678901234567890.
max() -> 16#7fffffffffffffff.
sub(X) -> X - 1000.
lit() -> [{a, "abc"}, #{k => v}, <<"bin">>].
fun1(X) -> fun(Y) -> X + Y end.
float(X) when is_float(X) -> X * 2.5 + 1.0.
recv() -> receive {ok, M} -> M after 100 -> timeout end.
bin(<<A:8, Rest/binary>>) -> <<Rest/binary, A:16/little>>.
many(X) ->
    case X of
        1 -> a; 2 -> b; 3 -> c; 4 -> d; 5 -> e; 6 -> f; 7 -> g; 8 -> h
    end.
"#;

fn sample() -> Option<Module> {
    let bytes = compile("sample", SAMPLE)?;
    Some(load(&bytes).expect("sample loads"))
}

fn all_operands(module: &Module) -> Vec<&Operand> {
    fn walk<'a>(arg: &'a Operand, out: &mut Vec<&'a Operand>) {
        out.push(arg);
        if let Operand::List(items) = arg {
            items.iter().for_each(|a| walk(a, out));
        }
    }
    let mut out = Vec::new();
    for i in &module.code {
        i.args.iter().for_each(|a| walk(a, &mut out));
    }
    out
}

#[test]
fn decodes_integers_literals_lines_and_labels() {
    let Some(module) = sample() else {
        std::println!("NOTICE: erlc not found; skipping the compiled sample test");
        return;
    };
    assert_eq!(module.name(), "sample");
    let ops = all_operands(&module);
    let big: num_bigint::BigInt = "123456789012345678901234567890".parse().expect("big");
    assert!(ops.contains(&&Operand::BigInteger(big.clone())));
    assert!(ops.contains(&&Operand::BigInteger(-big)));
    assert!(ops.contains(&&Operand::Integer(i64::MAX)));
    assert!(ops.contains(&&Operand::Integer(1000)) || ops.contains(&&Operand::Integer(-1000)));
    let literals = std::format!("{:?}", module.literals);
    assert!(literals.contains("Binary([98, 105, 110])"), "{literals}");
    assert!(ops.iter().any(|o| matches!(o, Operand::FloatReg(_))));
    // Labels point at their label instructions.
    for (n, &at) in module.labels.iter().enumerate().skip(1) {
        let i = &module.code[at as usize];
        assert_eq!((i.opcode, &i.args[0]), (1, &Operand::Unsigned(n as u64)));
    }
    // Exports point at defined labels.
    for e in &module.exports {
        assert!(module.labels[e.label as usize] > 0);
    }
    // Lines: the module's own file and the included one.
    assert_eq!(module.lines[0], (String::new(), 0));
    assert!(module
        .lines
        .iter()
        .any(|(f, l)| f == "sample.erl" && *l == 4));
    assert!(module
        .lines
        .iter()
        .any(|(f, l)| f.ends_with("inc.hrl") && *l == 2));
    assert_eq!(module.lambdas.len(), 1);
    assert_eq!(module.lambdas[0].num_free, 1);
}

/// A minimal module built by hand: `m:f/0` returning.
struct Builder {
    atoms: Vec<&'static str>,
    code: Vec<u8>,
    labels: u32,
    functions: u32,
    extra: Vec<([u8; 4], Vec<u8>)>,
    atom_chunk: [u8; 4],
}

impl Builder {
    fn new() -> Self {
        Builder {
            atoms: vec!["m", "f"],
            // label 1; func_info m f 0; label 2; return; int_code_end
            code: vec![1, 0x10, 2, 0x12, 0x22, 0x00, 1, 0x20, 19, 3],
            labels: 3,
            functions: 1,
            extra: Vec::new(),
            atom_chunk: *b"AtU8",
        }
    }

    fn build(&self) -> Vec<u8> {
        let mut atoms = (self.atoms.len() as u32).to_be_bytes().to_vec();
        for a in &self.atoms {
            atoms.push(a.len() as u8);
            atoms.extend_from_slice(a.as_bytes());
        }
        let mut code = Vec::new();
        for v in [16u32, 0, 180, self.labels, self.functions] {
            code.extend_from_slice(&v.to_be_bytes());
        }
        code.extend_from_slice(&self.code);
        let exports = [1u32, 2, 0, 2]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect();
        let mut chunks: Vec<([u8; 4], Vec<u8>)> = vec![
            (self.atom_chunk, atoms),
            (*b"Code", code),
            (*b"StrT", Vec::new()),
            (*b"ImpT", vec![0, 0, 0, 0]),
            (*b"ExpT", exports),
        ];
        chunks.extend(self.extra.iter().cloned());
        let mut body = b"BEAM".to_vec();
        for (id, data) in chunks {
            body.extend_from_slice(&id);
            body.extend_from_slice(&(data.len() as u32).to_be_bytes());
            body.extend_from_slice(&data);
            while !body.len().is_multiple_of(4) {
                body.push(0);
            }
        }
        let mut file = b"FOR1".to_vec();
        file.extend_from_slice(&(body.len() as u32).to_be_bytes());
        file.extend_from_slice(&body);
        file
    }
}

fn problem(bytes: &[u8]) -> Problem {
    match load(bytes) {
        Err(LoadError::InModule { module, problem }) => {
            assert_eq!(module, "m");
            problem
        }
        other => panic!("expected a problem in module m, got {other:?}"),
    }
}

#[test]
fn minimal_hand_built_module_loads() {
    let module = load(&Builder::new().build()).expect("loads");
    assert_eq!(module.atoms, vec!["m".to_string(), "f".to_string()]);
    assert_eq!(module.labels, vec![0, 0, 2]);
    assert_eq!(module.code.len(), 5);
    assert_eq!(
        module.code[1].args,
        vec![Operand::Atom(0), Operand::Atom(1), Operand::Unsigned(0)]
    );
    assert_eq!(
        module.exports,
        vec![Export {
            function: 1,
            arity: 0,
            label: 2
        }]
    );
}

#[test]
fn container_errors() {
    assert_eq!(load(b""), Err(LoadError::NotBeam));
    assert_eq!(load(b"FOR1\0\0\0\x04BEAN"), Err(LoadError::NotBeam));
    let mut file = Builder::new().build();
    file[7] = file[7].wrapping_add(4);
    assert!(matches!(load(&file), Err(LoadError::BadFormSize { .. })));
    let mut b = Builder::new();
    b.atom_chunk = *b"Atom";
    assert_eq!(load(&b.build()), Err(LoadError::OldAtomChunk));
    assert_eq!(
        load(&b.build()).expect_err("old").to_string(),
        "old Latin-1 Atom chunk: compiled before OTP 20; recompile with OTP 25"
    );
    let mut b = Builder::new();
    b.extra.push((*b"StrT", Vec::new()));
    assert_eq!(
        load(&b.build()),
        Err(LoadError::DuplicateChunk { chunk: *b"StrT" })
    );
    // Unknown chunks are skipped.
    let mut b = Builder::new();
    b.extra.push((*b"Docs", vec![1, 2, 3]));
    assert!(load(&b.build()).is_ok());
}

#[test]
fn unknown_and_obsolete_opcodes_are_named() {
    let mut b = Builder::new();
    b.code[8] = 181;
    let p = problem(&b.build());
    assert_eq!(
        p,
        Problem::UnknownOpcode {
            opcode: 181,
            offset: 28
        }
    );
    let e = load(&b.build()).expect_err("unknown");
    assert_eq!(
        e.to_string(),
        "module m: unknown opcode 181 at Code byte 28 (not in OTP 25)"
    );
    // m_plus/4 was retired long ago.
    b.code.splice(8..9, [27, 0x05, 0x03, 0x03, 0x03]);
    let e = load(&b.build()).expect_err("obsolete");
    assert!(e.to_string().contains("obsolete opcode m_plus"), "{e}");
}

#[test]
fn indices_out_of_range_are_rejected() {
    // Atom 3 of 2 in func_info.
    let mut b = Builder::new();
    b.code[4] = 0x32;
    assert!(matches!(
        problem(&b.build()),
        Problem::OutOfRange {
            table: Table::Atom,
            ..
        }
    ));
    // A jump to an undefined label.
    let mut b = Builder::new();
    b.code.splice(8..8, [61, 0x55]);
    assert!(matches!(
        problem(&b.build()),
        Problem::OutOfRange {
            table: Table::Label,
            ..
        }
    ));
    let mut b = Builder::new();
    b.labels = 4;
    b.code.splice(8..8, [61, 0x35]);
    assert_eq!(problem(&b.build()), Problem::UndefinedLabel { label: 3 });
    // call_ext with no imports.
    let mut b = Builder::new();
    b.code.splice(8..8, [7, 0x00, 0x00]);
    assert!(matches!(
        problem(&b.build()),
        Problem::OutOfRange {
            table: Table::Import,
            ..
        }
    ));
    // A literal with no literal table.
    let mut b = Builder::new();
    b.code.splice(8..8, [64, 0x47, 0x00, 0x03]);
    assert!(matches!(
        problem(&b.build()),
        Problem::OutOfRange {
            table: Table::Literal,
            ..
        }
    ));
    // make_fun3 with no fun table.
    let mut b = Builder::new();
    b.code.splice(8..8, [171, 0x00, 0x03, 0x17, 0x00]);
    assert!(matches!(
        problem(&b.build()),
        Problem::OutOfRange {
            table: Table::Lambda,
            ..
        }
    ));
    // A label defined twice, and missing int_code_end.
    let mut b = Builder::new();
    b.code.splice(8..8, [1, 0x20]);
    assert_eq!(problem(&b.build()), Problem::DuplicateLabel { label: 2 });
    let mut b = Builder::new();
    b.code.pop();
    assert_eq!(problem(&b.build()), Problem::MissingCodeEnd);
}

#[test]
fn compact_operand_forms() {
    fn decode(bytes: &[u8]) -> Result<Operand, OperandError> {
        let mut r = reader::Reader::new(bytes, *b"Code");
        compact::read_operand(&mut r, false)
    }
    assert_eq!(decode(&[0x70]), Ok(Operand::Unsigned(7)));
    assert_eq!(decode(&[0x08 | 0x20, 0x01]), Ok(Operand::Unsigned(0x101)));
    assert_eq!(decode(&[0x19, 0xFF, 0xFF]), Ok(Operand::Integer(-1)));
    assert_eq!(decode(&[0x19, 0x00, 0xFF]), Ok(Operand::Integer(255)));
    assert_eq!(
        decode(&[0x39, 0xFF, 0x00, 0x00]),
        Ok(Operand::Integer(-65536))
    );
    // Nine bytes and more: the count comes as a u operand.
    let mut nine = vec![0xF9, 0x00, 0x01];
    nine.extend_from_slice(&[0; 8]);
    assert_eq!(
        decode(&nine),
        Ok(Operand::BigInteger(num_bigint::BigInt::from(1) << 64u32))
    );
    assert_eq!(decode(&[0x02]), Ok(Operand::Nil));
    assert_eq!(decode(&[0x12]), Ok(Operand::Atom(0)));
    assert_eq!(decode(&[0x23]), Ok(Operand::X(2)));
    assert_eq!(decode(&[0x34]), Ok(Operand::Y(3)));
    assert_eq!(decode(&[0x45]), Ok(Operand::Label(4)));
    assert_eq!(decode(&[0x56]), Ok(Operand::Char(5)));
    assert_eq!(
        decode(&[0x17, 0x20, 0x13, 0x05]),
        Ok(Operand::List(vec![Operand::X(1), Operand::Label(0)]))
    );
    assert_eq!(decode(&[0x27, 0x30]), Ok(Operand::FloatReg(3)));
    assert_eq!(
        decode(&[0x37, 0x20, 0x00, 0x30, 0x10, 0x10]),
        Ok(Operand::AllocList(vec![(0, 3), (1, 1)]))
    );
    assert_eq!(decode(&[0x47, 0x50]), Ok(Operand::Literal(5)));
    assert_eq!(decode(&[0x57, 0x13, 0x20]), Ok(Operand::X(1)));
    assert_eq!(decode(&[0x57, 0x24, 0x20]), Ok(Operand::Y(2)));
    // Errors.
    assert_eq!(decode(&[0x67]), Err(OperandError::UnknownExtendedTag(6)));
    assert_eq!(
        decode(&[0x57, 0x12, 0x00]),
        Err(OperandError::BadTypedRegister)
    );
    assert_eq!(
        decode(&[0x17, 0x10, 0x17, 0x00]),
        Err(OperandError::NestedList)
    );
    assert_eq!(
        decode(&[0x18, 0xFF, 0xFF]),
        Err(OperandError::ValueTooLarge)
    );
    assert_eq!(decode(&[0x17, 0xF0]), Err(OperandError::Truncated));
    assert_eq!(
        decode(&[0x8B, 0x00]),
        Err(OperandError::XRegisterTooLarge(1024))
    );
    // A length form whose length uses the length form is refused, not recursed into.
    let mut chain = vec![0xF9; 100_000];
    chain.push(0);
    assert_eq!(decode(&chain), Err(OperandError::ValueTooLarge));
}

fn small_real_beam() -> Option<Vec<u8>> {
    compile(
        "small",
        "-module(small).\n-export([f/1]).\nf(X) -> {ok, [1, X], <<\"b\">>, 1.5, fun(Y) -> Y + X end}.\n",
    )
}

#[test]
fn every_prefix_of_a_real_file_fails_cleanly() {
    let Some(bytes) = small_real_beam() else {
        std::println!("NOTICE: erlc not found; skipping the truncation test");
        return;
    };
    assert!(load(&bytes).is_ok());
    for end in 0..bytes.len() {
        assert!(load(&bytes[..end]).is_err(), "prefix {end} loaded");
    }
}

/// Loads `bytes`; a module that loads is translated and installed, and must keep what the
/// interpreter's unchecked instruction fetch relies on (`vm::fetch`): the fuzz target's
/// check, run here on every build over deterministic corruptions.
fn load_and_install(bytes: &[u8]) {
    let Ok(module) = load(bytes) else {
        return;
    };
    let mut vm = crate::vm::interp::Vm::new();
    let vm = &mut vm;
    if let Ok(loaded) =
        crate::vm::translate::translate(&module, &mut vm.code, &mut vm.atoms, &mut vm.lits)
    {
        let i = crate::vm::translate::install(&mut vm.code, loaded) as usize;
        assert!(crate::vm::ops::dispatch_safe(&vm.code.modules[i].code));
    }
}

#[test]
fn corrupted_bytes_never_panic() {
    let Some(bytes) = small_real_beam() else {
        std::println!("NOTICE: erlc not found; skipping the corruption test");
        return;
    };
    let mut copy = bytes.clone();
    for i in 0..bytes.len() {
        for flip in [0xFFu8, 0x01, 0x80, 0x10] {
            copy[i] ^= flip;
            load_and_install(&copy);
            copy[i] = bytes[i];
        }
        // Oversized counts and sizes.
        copy[i] = 0xFF;
        load_and_install(&copy);
        copy[i] = bytes[i];
    }
}

#[test]
fn corrupted_code_that_loads_keeps_the_fetch_bound() {
    // A module with branches, calls, a receive and a try, so that label operands abound;
    // pairs of bytes in its code chunk are overwritten with pseudo-random values.
    let Some(bytes) = compile(
        "branchy",
        "-module(branchy).\n-export([f/2]).\n\
         f(0, A) -> A;\n\
         f(N, A) when N rem 3 =:= 0 -> f(N - 1, [N | A]);\n\
         f(N, A) -> try g(N) of X -> f(N - 1, [X | A]) catch _:_ -> f(N - 1, A) end.\n\
         g(N) -> receive {N, X} -> X after 0 -> case N of 1 -> a; 2 -> b; _ -> N end end.\n",
    ) else {
        std::println!("NOTICE: erlc not found; skipping the code corruption test");
        return;
    };
    let code = bytes
        .windows(4)
        .position(|w| w == b"Code")
        .expect("a code chunk");
    let size = u32::from_be_bytes(bytes[code + 4..code + 8].try_into().unwrap()) as usize;
    let body = code + 8..code + 8 + size;
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut copy = bytes.clone();
    let mut loaded = 0;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let at = body.start + 16 + (x as usize >> 8) % (body.len() - 17);
        let was = [copy[at], copy[at + 1]];
        copy[at] = x as u8;
        copy[at + 1] = (x >> 32) as u8;
        if load(&copy).is_ok() {
            loaded += 1;
        }
        load_and_install(&copy);
        copy[at] = was[0];
        copy[at + 1] = was[1];
    }
    // Many corruptions still load (a changed register or literal index), so the check above
    // ran on them.
    assert!(loaded > 100, "only {loaded} corrupted modules loaded");
}

#[test]
fn literal_table_size_is_checked() {
    let Some(bytes) = small_real_beam() else {
        return;
    };
    // Find LitT and claim a huge uncompressed size.
    let at = bytes
        .windows(4)
        .position(|w| w == b"LitT")
        .expect("has literals");
    let mut copy = bytes.clone();
    copy[at + 8..at + 12].copy_from_slice(&u32::MAX.to_be_bytes());
    match load(&copy) {
        Err(LoadError::InModule { problem, .. }) => assert_eq!(problem, Problem::BadLiteralTable),
        other => panic!("{other:?}"),
    }
}

#[test]
fn export_must_match_its_func_info() {
    let mut file = Builder::new().build();
    let at = file.windows(4).position(|w| w == b"ExpT").expect("ExpT") + 8;
    // Arity 1 for a function whose func_info says 0.
    file[at + 8 + 3] = 1;
    assert_eq!(
        problem(&file),
        Problem::EntryMismatch {
            chunk: *b"ExpT",
            label: 2,
            arity: 1
        }
    );
    // Label 1 is defined but is not a function entry.
    file[at + 8 + 3] = 0;
    file[at + 12 + 3] = 1;
    assert!(matches!(
        problem(&file),
        Problem::EntryMismatch { label: 1, .. }
    ));
    // Label 0 is never an entry.
    file[at + 12 + 3] = 0;
    assert!(matches!(
        problem(&file),
        Problem::OutOfRange {
            table: Table::Label,
            ..
        }
    ));
}

/// A gzip file (RFC 1952) of `data`, as `erlc +compressed` writes .beam files.
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = std::vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend_from_slice(&crate::vm::bifs::checksum::crc32_update(0, data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

#[test]
fn gzip_compressed_beam_files_load_and_bad_ones_are_refused() {
    let Some(plain) = compile("sample", SAMPLE) else {
        std::println!("NOTICE: erlc not found; skipping the compressed sample test");
        return;
    };
    let gz = gzip(&plain);
    assert!(gz.len() < plain.len());
    let a = load(&plain).expect("plain");
    let b = load(&gz).expect("compressed");
    assert_eq!(std::format!("{a:?}"), std::format!("{b:?}"));
    // A wrong checksum, a wrong size, a cut file, another compression method.
    let mut bad_crc = gz.clone();
    let n = bad_crc.len();
    bad_crc[n - 8] ^= 1;
    let mut bad_size = gz.clone();
    bad_size[n - 4] ^= 1;
    let mut huge = gz.clone();
    huge[n - 1] = 0x7f;
    let mut method = gz.clone();
    method[2] = 7;
    for bytes in [
        bad_crc,
        bad_size,
        huge,
        gz[..n / 2].to_vec(),
        method,
        std::vec![0x1f, 0x8b],
    ] {
        assert_eq!(load(&bytes).err(), Some(LoadError::BadGzip));
    }
}

/// Every Erlang module of this project's tests (tests/**/*.erl), compiled by erlc, loads:
/// none is refused for an operand's kind.
#[test]
fn loads_every_project_test_module() {
    let top = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The directories holding .erl files, each with its sources.
    let mut groups: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    let mut pending = vec![top.join("tests")];
    while let Some(dir) = pending.pop() {
        let mut sources = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("readable tests directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|x| x == "erl") {
                sources.push(path);
            }
        }
        if !sources.is_empty() {
            sources.sort();
            groups.push((dir, sources));
        }
    }
    let root = std::env::temp_dir().join(std::format!(
        "xenbeam-loader-test-{}-project",
        std::process::id()
    ));
    let mut loaded = 0;
    for (n, (dir, sources)) in groups.iter().enumerate() {
        // One output directory per source directory: module names may repeat across them.
        let out = root.join(n.to_string());
        std::fs::create_dir_all(&out).expect("temporary directory");
        // i_hot.erl is compiled with a version macro by the boot test.
        let Ok(status) = Command::new("erlc")
            .arg("-o")
            .arg(&out)
            .arg("-DVSN=1")
            .arg("-I")
            .arg(dir)
            .args(sources)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
        else {
            std::println!("NOTICE: erlc not found; skipping the project module load test");
            return;
        };
        assert!(status.success(), "erlc in {}", dir.display());
        for source in sources {
            let stem = source.file_stem().expect("name").to_string_lossy();
            let bytes = std::fs::read(out.join(std::format!("{stem}.beam"))).expect("compiled");
            let module = load(&bytes).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
            assert_eq!(module.name(), stem);
            loaded += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    assert!(loaded > 100, "only {loaded} modules");
    std::println!("loaded {loaded} project test modules");
}

/// The start offset, within `file`, of every operand of every instruction in its Code chunk.
fn operand_offsets(file: &[u8]) -> Vec<(u8, Vec<usize>)> {
    let at = file
        .windows(4)
        .position(|w| w == b"Code")
        .expect("Code chunk");
    let size = u32::from_be_bytes(file[at + 4..at + 8].try_into().expect("size")) as usize;
    let body = at + 8;
    let header = u32::from_be_bytes(file[body..body + 4].try_into().expect("header")) as usize;
    let start = body + 4 + header;
    let mut r = reader::Reader::new(&file[start..body + size], *b"Code");
    let mut out = Vec::new();
    while !r.is_empty() {
        let opcode = r.u8().expect("opcode");
        let mut offsets = Vec::new();
        for _ in 0..opcodes::by_number(opcode).expect("known").arity {
            offsets.push(start + r.pos());
            compact::read_operand(&mut r, false).expect("operand");
        }
        out.push((opcode, offsets));
    }
    out
}

/// `file` with the tag of the operand at `offset` replaced (the tag is the low three bits of
/// an operand's first byte: 2 atom, 3 X register, 5 label).
fn retag(file: &[u8], offset: usize, tag: u8) -> Vec<u8> {
    let mut copy = file.to_vec();
    copy[offset] = (copy[offset] & !7) | tag;
    copy
}

#[test]
fn operands_of_the_wrong_kind_are_refused() {
    // By hand: `move 'm' 'f'` (an atom as the destination) before the return.
    let mut b = Builder::new();
    b.code.splice(8..8, [64, 0x12, 0x22]);
    assert_eq!(
        problem(&b.build()),
        Problem::BadOperand {
            opcode: "move",
            position: 1,
            offset: 30,
            reason: OperandError::WrongKind
        }
    );
    assert_eq!(
        load(&b.build()).expect_err("refused").to_string(),
        "module m: move operand 2: wrong kind of operand at Code byte 30"
    );
    // The same with a register destination loads.
    b.code[10] = 0x03;
    assert!(load(&b.build()).is_ok());
    // func_info's module must be an atom, not an integer.
    let mut b = Builder::new();
    b.code[3] = 0x11;
    assert!(matches!(
        problem(&b.build()),
        Problem::BadOperand {
            opcode: "func_info",
            position: 0,
            reason: OperandError::WrongKind,
            ..
        }
    ));

    // In a file erlc made: a call's label turned into an X register, a move's destination
    // into an atom, a test's failure label into an atom.
    let Some(bytes) = compile(
        "kinds",
        "-module(kinds).\n-export([f/1]).\n\
         f(X) when is_integer(X) -> {g(X), X};\nf(_) -> no.\ng(X) -> X * 2.\n",
    ) else {
        std::println!("NOTICE: erlc not found; skipping the compiled wrong-kind test");
        return;
    };
    assert!(load(&bytes).is_ok());
    let code = operand_offsets(&bytes);
    let code_body = bytes.windows(4).position(|w| w == b"Code").expect("Code") + 8;
    let first = |opcode: u8| {
        code.iter()
            .find(|(o, _)| *o == opcode)
            .map(|(_, offsets)| offsets.clone())
            .expect("instruction present")
    };
    for (opcode, position, tag, name) in [
        (opcodes::number::CALL, 1, 3, "call"),
        (opcodes::number::MOVE, 1, 2, "move"),
        (opcodes::number::IS_INTEGER, 0, 2, "is_integer"),
    ] {
        let offset = first(opcode)[position];
        match load(&retag(&bytes, offset, tag)) {
            Err(LoadError::InModule { module, problem }) => {
                assert_eq!(module, "kinds");
                assert_eq!(
                    problem,
                    Problem::BadOperand {
                        opcode: name,
                        position: position as u8,
                        offset: offset - code_body,
                        reason: OperandError::WrongKind
                    }
                );
            }
            other => panic!("{name}: expected a wrong-kind refusal, got {other:?}"),
        }
    }
}
