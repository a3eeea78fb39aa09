//! Building a [`Module`] from the chunks of a `.beam` file, validating every table and
//! instruction against the others.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::chunks::{id, Chunks};
use super::compact::read_operand;
use super::error::{ChunkId, LoadError, OperandError, Problem, Table};
use super::opcodes::{self, number as op, OpcodeStatus, MAX_OPCODE};
use super::reader::Reader;
use super::{Export, Import, Instruction, Lambda, Module, Operand};
use crate::etf::{self, EtfError, ExtTerm};

/// The largest inflated literal table accepted (OTP's own modules stay below 1 MiB).
pub const MAX_LITERAL_TABLE_BYTES: usize = 64 << 20;

/// Loads a `.beam` file produced by OTP 25's compiler.
///
/// Every index in the file is checked against its table and every label reference against the
/// labels defined, so the VM can index the returned [`Module`]'s tables without further
/// checks.
pub fn load(bytes: &[u8]) -> Result<Module, LoadError> {
    // `erlc +compressed` writes gzip files, and erl loads them as they are.
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return load_plain(&gunzip(bytes).ok_or(LoadError::BadGzip)?);
    }
    load_plain(bytes)
}

/// The largest .beam file a gzip-compressed one may inflate to.
const MAX_GUNZIPPED: usize = 64 << 20;

/// The contents of a gzip file (RFC 1952): one member, its size and CRC-32 checked.
fn gunzip(b: &[u8]) -> Option<Vec<u8>> {
    let at = crate::vm::zstream::gzip_header(b).ok().flatten()?;
    let end = b.len().checked_sub(8)?;
    let data = b.get(at..end)?;
    let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let (crc, size) = (word(end), word(end + 4) as usize);
    if size > MAX_GUNZIPPED {
        return None;
    }
    let out = miniz_oxide::inflate::decompress_to_vec_with_limit(data, size).ok()?;
    (out.len() == size && crate::vm::bifs::checksum::crc32_update(0, &out) == crc).then_some(out)
}

fn load_plain(bytes: &[u8]) -> Result<Module, LoadError> {
    let chunks = Chunks::parse(bytes)?;
    let atom_data = chunks
        .atoms
        .ok_or(LoadError::MissingChunk { chunk: id::ATU8 })?;
    let atoms = parse_atoms(atom_data).map_err(LoadError::Malformed)?;
    let module = atoms.first().cloned().unwrap_or_default();
    build(&chunks, atoms).map_err(|problem| LoadError::InModule { module, problem })
}

fn parse_atoms(data: &[u8]) -> Result<Vec<String>, Problem> {
    let mut r = Reader::new(data, id::ATU8);
    let count = r.count(1)?;
    if count == 0 {
        return Err(Problem::NoAtoms);
    }
    let mut atoms = Vec::with_capacity(count);
    for index in 0..count {
        let len = usize::from(r.u8()?);
        let text = core::str::from_utf8(r.bytes(len)?).map_err(|_| Problem::BadAtom { index })?;
        atoms.push(String::from(text));
    }
    Ok(atoms)
}

/// Checks an index against a table size.
fn check_index(
    table: Table,
    index: u64,
    size: usize,
    chunk: ChunkId,
    offset: usize,
) -> Result<(), Problem> {
    if index < size as u64 {
        Ok(())
    } else {
        Err(Problem::OutOfRange {
            table,
            index,
            size,
            chunk,
            offset,
        })
    }
}

/// Reads a 1-based atom index from a table chunk and returns it 0-based.
fn table_atom(r: &mut Reader<'_>, atoms: usize) -> Result<u32, Problem> {
    let offset = r.pos();
    let index = r.u32()?;
    let chunk = r.chunk();
    match index.checked_sub(1) {
        Some(i) if (i as usize) < atoms => Ok(i),
        _ => Err(Problem::OutOfRange {
            table: Table::Atom,
            index: u64::from(index),
            size: atoms,
            chunk,
            offset,
        }),
    }
}

fn build(chunks: &Chunks<'_>, atoms: Vec<String>) -> Result<Module, Problem> {
    let n_atoms = atoms.len();

    let mut r = Reader::new(chunks.imports.unwrap_or_default(), id::IMPT);
    let count = r.count(12)?;
    let mut imports = Vec::with_capacity(count);
    for _ in 0..count {
        let module = table_atom(&mut r, n_atoms)?;
        let function = table_atom(&mut r, n_atoms)?;
        let arity = r.u32()?;
        imports.push(Import {
            module,
            function,
            arity,
        });
    }

    let exports = parse_functions(chunks.exports.unwrap_or_default(), id::EXPT, n_atoms)?;
    let locals = match chunks.locals {
        Some(data) => parse_functions(data, id::LOCT, n_atoms)?,
        None => Vec::new(),
    };

    let mut lambdas = Vec::new();
    if let Some(data) = chunks.lambdas {
        let mut r = Reader::new(data, id::FUNT);
        let count = r.count(24)?;
        lambdas.reserve_exact(count);
        for _ in 0..count {
            lambdas.push(Lambda {
                function: table_atom(&mut r, n_atoms)?,
                arity: r.u32()?,
                label: r.u32()?,
                index: r.u32()?,
                num_free: r.u32()?,
                old_uniq: r.u32()?,
            });
        }
    }

    let literals = match chunks.literals {
        Some(data) => parse_literals(data)?,
        None => Vec::new(),
    };

    let attributes = match chunks.attributes {
        Some(data) => Some(etf::decode(data).map_err(|error| Problem::BadTerm {
            chunk: id::ATTR,
            index: 0,
            error,
        })?),
        None => None,
    };

    let lines = match chunks.lines {
        Some(data) => parse_lines(data, &atoms[0])?,
        None => Vec::new(),
    };

    let mut module = Module {
        atoms,
        code: Vec::new(),
        labels: Vec::new(),
        imports,
        exports,
        locals,
        lambdas,
        literals,
        strings: chunks.strings.unwrap_or_default().to_vec(),
        lines,
        attributes,
        // The image's boot loads its modules under emulation, where hashing them all would
        // add a good part of the boot time: there the MD5 is left zero (its modules come
        // from its archive, never from files that module_status/1 could compare).
        md5: if cfg!(target_os = "none") {
            [0; 16]
        } else {
            chunks.md5()
        },
    };
    parse_code(chunks.code.unwrap_or_default(), &mut module)?;

    // Entry labels of the function tables must be defined and follow the `func_info` of
    // the same function and arity.
    for (chunk, list) in [(id::EXPT, &module.exports), (id::LOCT, &module.locals)] {
        for (i, f) in list.iter().enumerate() {
            module.check_entry(f.label, f.function, f.arity, chunk, 4 + 12 * i + 8)?;
        }
    }
    for (i, l) in module.lambdas.iter().enumerate() {
        module.check_entry(l.label, l.function, l.arity, id::FUNT, 4 + 24 * i + 8)?;
    }
    Ok(module)
}

impl Module {
    /// Checks that `label` is defined and directly follows `func_info` for `function/arity`.
    fn check_entry(
        &self,
        label: u32,
        function: u32,
        arity: u32,
        chunk: ChunkId,
        offset: usize,
    ) -> Result<(), Problem> {
        let at = self
            .labels
            .get(label as usize)
            .copied()
            .filter(|&at| label != 0 && self.label_defined(label, at))
            .ok_or(Problem::OutOfRange {
                table: Table::Label,
                index: u64::from(label),
                size: self.labels.len(),
                chunk,
                offset,
            })?;
        let info = (at as usize)
            .checked_sub(1)
            .and_then(|i| self.code.get(i))
            .filter(|i| i.opcode == op::FUNC_INFO);
        let expected = [
            Operand::Atom(0),
            Operand::Atom(function),
            Operand::Unsigned(u64::from(arity)),
        ];
        match info {
            Some(i) if i.args[..] == expected[..] => Ok(()),
            _ => Err(Problem::EntryMismatch {
                chunk,
                label,
                arity,
            }),
        }
    }

    /// Whether `label` was defined by the `label` instruction at `at`.
    fn label_defined(&self, label: u32, at: u32) -> bool {
        self.code.get(at as usize).is_some_and(|i| {
            i.opcode == op::LABEL && i.args[0] == Operand::Unsigned(u64::from(label))
        })
    }
}

fn parse_functions(data: &[u8], chunk: ChunkId, atoms: usize) -> Result<Vec<Export>, Problem> {
    let mut r = Reader::new(data, chunk);
    let count = r.count(12)?;
    let mut functions = Vec::with_capacity(count);
    for _ in 0..count {
        functions.push(Export {
            function: table_atom(&mut r, atoms)?,
            arity: r.u32()?,
            label: r.u32()?,
        });
    }
    Ok(functions)
}

fn parse_literals(data: &[u8]) -> Result<Vec<ExtTerm>, Problem> {
    let mut r = Reader::new(data, id::LITT);
    let declared = r.u32()? as usize;
    let compressed = r.rest();
    // zlib cannot expand by more than about 1032:1; a larger declared size is a lie, and
    // checking it first keeps the allocation proportional to the file. The absolute cap keeps
    // a small file from claiming a huge table that really does inflate.
    if declared > MAX_LITERAL_TABLE_BYTES
        || declared > compressed.len().saturating_mul(1032).saturating_add(64)
    {
        return Err(Problem::BadLiteralTable);
    }
    let inflated = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(compressed, declared)
        .map_err(|_| Problem::BadLiteralTable)?;
    if inflated.len() != declared {
        return Err(Problem::BadLiteralTable);
    }
    let mut r = Reader::new(&inflated, id::LITT);
    let count = r.count(4)?;
    let mut literals = Vec::with_capacity(count);
    for index in 0..count {
        let len = r.u32()? as usize;
        let term = r.bytes(len)?;
        // Literals may nest as deep as the compiler allows; decoding depth costs heap only.
        let term = etf::decode_with_depth(term, usize::MAX).map_err(|error: EtfError| {
            Problem::BadTerm {
                chunk: id::LITT,
                index,
                error,
            }
        })?;
        literals.push(term);
    }
    Ok(literals)
}

/// Decodes the Line chunk into `(file, line)` per line index; index 0 is "no location".
fn parse_lines(data: &[u8], module: &str) -> Result<Vec<(String, u32)>, Problem> {
    let mut r = Reader::new(data, id::LINE);
    let version = r.u32()?;
    if version != 0 {
        // An unknown line table format only costs locations, as in OTP.
        return Ok(Vec::new());
    }
    let _flags = r.u32()?;
    let _instruction_count = r.u32()?;
    let item_count = r.count(1)?;
    let name_offset = r.pos();
    let name_count = r.u32()? as usize;
    // Items come first; each takes at least one byte, each name at least two.
    if name_count > r.remaining() / 2 {
        return Err(Problem::BadCount {
            chunk: id::LINE,
            offset: name_offset,
            count: name_count as u64,
        });
    }
    let mut items: Vec<(usize, u32)> = Vec::with_capacity(item_count);
    let mut file = 0usize;
    while items.len() < item_count {
        let offset = r.pos();
        let bad = Problem::BadLineTable { offset };
        match read_operand(&mut r, true).map_err(|_| bad.clone())? {
            Operand::Integer(line) => {
                items.push((file, u32::try_from(line).map_err(|_| bad)?));
            }
            // Tag `a` selects the file name: 0 is the module's own source file.
            Operand::Nil => file = 0,
            Operand::Atom(n) => {
                let n = n as usize + 1;
                if n > name_count {
                    return Err(Problem::OutOfRange {
                        table: Table::FileName,
                        index: n as u64,
                        size: name_count,
                        chunk: id::LINE,
                        offset,
                    });
                }
                file = n;
            }
            _ => return Err(bad),
        }
    }
    let mut names = Vec::with_capacity(name_count + 1);
    names.push(format!("{module}.erl"));
    for _ in 0..name_count {
        let offset = r.pos();
        let len = usize::from(r.u16()?);
        let name =
            core::str::from_utf8(r.bytes(len)?).map_err(|_| Problem::BadLineTable { offset })?;
        // OTP substitutes the module's file for an empty name.
        names.push(if name.is_empty() {
            names[0].clone()
        } else {
            String::from(name)
        });
    }
    let mut lines = Vec::with_capacity(item_count + 1);
    lines.push((String::new(), 0));
    for (file, line) in items {
        lines.push((names[file].clone(), line));
    }
    Ok(lines)
}

/// Decodes the Code chunk into `module.code` and `module.labels`, validating operands.
fn parse_code(data: &[u8], module: &mut Module) -> Result<(), Problem> {
    let mut r = Reader::new(data, id::CODE);
    let header_size = r.u32()? as usize;
    if header_size < 16 || header_size > r.remaining() {
        return Err(Problem::BadCodeHeader {
            field: "header size",
            value: header_size as u32,
        });
    }
    let format = r.u32()?;
    if format != 0 {
        return Err(Problem::BadCodeHeader {
            field: "format",
            value: format,
        });
    }
    let max_opcode = r.u32()?;
    if max_opcode > u32::from(MAX_OPCODE) {
        return Err(Problem::BadCodeHeader {
            field: "highest opcode",
            value: max_opcode,
        });
    }
    let label_count = r.u32()?;
    let function_count = r.u32()?;
    // Skip any header fields added after the five this loader knows.
    r.bytes(header_size - 16)?;
    // Each label is defined by a `label` instruction of at least two bytes.
    if label_count as usize > r.remaining() / 2 + 1 {
        return Err(Problem::BadCodeHeader {
            field: "label count",
            value: label_count,
        });
    }
    let mut labels = alloc::vec![0u32; label_count as usize];
    let mut defined = alloc::vec![false; label_count as usize];
    let mut functions = 0u32;
    let mut ended = false;
    let ctx = Context {
        atoms: module.atoms.len(),
        imports: module.imports.len(),
        literals: module.literals.len(),
        lambdas: module.lambdas.len(),
        lines: module.lines.len(),
        labels: label_count as usize,
    };
    while !r.is_empty() {
        let offset = r.pos();
        let number = r.u8()?;
        let opcode = opcodes::by_number(number).ok_or(Problem::UnknownOpcode {
            opcode: number,
            offset,
        })?;
        if opcode.status == OpcodeStatus::Obsolete {
            return Err(Problem::ObsoleteOpcode {
                name: opcode.name,
                offset,
            });
        }
        let mut args = Vec::with_capacity(usize::from(opcode.arity));
        for (position, &kind) in opcode.signature.as_bytes().iter().enumerate() {
            let at = r.pos();
            let bad = |reason| Problem::BadOperand {
                opcode: opcode.name,
                position: position as u8,
                offset: at,
                reason,
            };
            let arg = read_operand(&mut r, false).map_err(bad)?;
            ctx.check(&arg, number, position, kind, at)
                .map_err(|p| match p {
                    Err(reason) => bad(reason),
                    Ok(problem) => problem,
                })?;
            args.push(arg);
        }
        let index = u32::try_from(module.code.len()).map_err(|_| Problem::MissingCodeEnd)?;
        match number {
            op::LABEL => {
                let label = match args[0] {
                    Operand::Unsigned(l) if l > 0 && l < u64::from(label_count) => l as usize,
                    Operand::Unsigned(l) => {
                        return Err(Problem::OutOfRange {
                            table: Table::Label,
                            index: l,
                            size: label_count as usize,
                            chunk: id::CODE,
                            offset,
                        })
                    }
                    _ => unreachable_kind(opcode.name, offset + 1)?,
                };
                if defined[label] {
                    return Err(Problem::DuplicateLabel {
                        label: label as u32,
                    });
                }
                defined[label] = true;
                labels[label] = index;
            }
            op::FUNC_INFO => {
                functions += 1;
                if functions > function_count {
                    return Err(Problem::TooManyFunctions {
                        declared: function_count,
                    });
                }
            }
            _ => {}
        }
        module.code.push(Instruction {
            opcode: number,
            args,
        });
        if number == op::INT_CODE_END {
            ended = true;
            break;
        }
    }
    if !ended {
        return Err(Problem::MissingCodeEnd);
    }
    // Every label used must be defined.
    for instruction in &module.code {
        for arg in &instruction.args {
            for_each_label(arg, &mut |label| {
                if label != 0 && !defined[label as usize] {
                    Err(Problem::UndefinedLabel { label })
                } else {
                    Ok(())
                }
            })?;
        }
    }
    module.labels = labels;
    Ok(())
}

/// The `label` operand was already checked to be unsigned; this keeps the match total.
fn unreachable_kind(opcode: &'static str, offset: usize) -> Result<usize, Problem> {
    Err(Problem::BadOperand {
        opcode,
        position: 0,
        offset,
        reason: OperandError::WrongKind,
    })
}

fn for_each_label(
    arg: &Operand,
    f: &mut impl FnMut(u32) -> Result<(), Problem>,
) -> Result<(), Problem> {
    match arg {
        Operand::Label(l) => f(*l),
        Operand::List(items) => items.iter().try_for_each(|a| for_each_label(a, f)),
        _ => Ok(()),
    }
}

/// Table sizes for operand validation.
struct Context {
    atoms: usize,
    imports: usize,
    literals: usize,
    lambdas: usize,
    lines: usize,
    labels: usize,
}

/// The outcome of a failed operand check: a kind error (wrapped with the opcode by the
/// caller) or a complete problem.
type CheckError = Result<Problem, OperandError>;

impl Context {
    /// Checks operand `position` of opcode `number`: its kind against signature letter `kind`
    /// ([`opcodes::accepts`]), then any index it holds against its table.
    fn check(
        &self,
        arg: &Operand,
        number: u8,
        position: usize,
        kind: u8,
        offset: usize,
    ) -> Result<(), CheckError> {
        if !opcodes::accepts(kind, arg) {
            return Err(Err(OperandError::WrongKind));
        }
        self.check_ranges(arg, offset).map_err(Ok)?;
        // The signature has made these operands unsigned; here they index a table.
        let index_in = |table: Table, size: usize| match arg {
            Operand::Unsigned(i) => check_index(table, *i, size, id::CODE, offset).map_err(Ok),
            _ => Ok(()),
        };
        match (number, position) {
            (op::CALL_EXT | op::CALL_EXT_LAST | op::CALL_EXT_ONLY, 1)
            | (op::BIF0, 0)
            | (op::BIF1 | op::BIF2, 1)
            | (op::GC_BIF1 | op::GC_BIF2 | op::GC_BIF3, 2) => index_in(Table::Import, self.imports),
            (op::MAKE_FUN2 | op::MAKE_FUN3, 0) => index_in(Table::Lambda, self.lambdas),
            // Without a Line chunk OTP ignores `line` instructions.
            (op::LINE, 0) if self.lines > 0 => index_in(Table::Line, self.lines),
            _ => Ok(()),
        }
    }

    /// Checks atom, literal and label operands (also inside lists) against their tables.
    fn check_ranges(&self, arg: &Operand, offset: usize) -> Result<(), Problem> {
        match arg {
            Operand::Atom(a) => check_index(
                Table::Atom,
                u64::from(*a) + 1,
                self.atoms + 1,
                id::CODE,
                offset,
            ),
            Operand::Literal(l) => check_index(
                Table::Literal,
                u64::from(*l),
                self.literals,
                id::CODE,
                offset,
            ),
            Operand::Label(l) => check_index(
                Table::Label,
                u64::from(*l),
                self.labels.max(1),
                id::CODE,
                offset,
            ),
            Operand::List(items) => items.iter().try_for_each(|a| self.check_ranges(a, offset)),
            _ => Ok(()),
        }
    }
}
