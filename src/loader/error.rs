//! Errors from loading a `.beam` file.
//!
//! [`LoadError`] says what is wrong and, once the atom table has been read, in which module.
//! The problems inside a module are [`Problem`]s; offsets are byte offsets within the chunk
//! named alongside them.

use alloc::string::String;
use core::fmt;

use crate::etf::EtfError;

/// A four-byte chunk identifier such as `*b"Code"`.
pub type ChunkId = [u8; 4];

/// Formats a chunk identifier, replacing bytes that are not printable ASCII.
struct ShowChunk(ChunkId);

impl fmt::Display for ShowChunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in &self.0 {
            let c = if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '?'
            };
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// Why a `.beam` file could not be loaded.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadError {
    /// The file does not start with an IFF "FOR1" header of form type "BEAM".
    NotBeam,
    /// The file is gzip-compressed (as `erlc +compressed` writes it) but does not inflate
    /// to a whole .beam file with the size and checksum its trailer gives.
    BadGzip,
    /// The IFF size field disagrees with the file length.
    BadFormSize {
        /// Size declared in the header (bytes after the size field).
        declared: u32,
        /// Bytes actually present after the size field.
        actual: usize,
    },
    /// A chunk header or its data runs past the end of the file.
    ChunkOverrun {
        /// The chunk.
        chunk: ChunkId,
        /// Offset of its header in the file.
        offset: usize,
    },
    /// A chunk the loader needs appears more than once.
    DuplicateChunk {
        /// The chunk.
        chunk: ChunkId,
    },
    /// A required chunk is missing.
    MissingChunk {
        /// The chunk.
        chunk: ChunkId,
    },
    /// The file has the pre-OTP 20 Latin-1 "Atom" table instead of "AtU8".
    OldAtomChunk,
    /// The atom table itself is malformed, so the module name is unknown.
    Malformed(Problem),
    /// A problem in the module with this name.
    InModule {
        /// The module name (atom 0).
        module: String,
        /// What is wrong.
        problem: Problem,
    },
}

/// Something malformed inside a chunk.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// The chunk ends in the middle of an item.
    Truncated {
        /// The chunk.
        chunk: ChunkId,
        /// Offset where more bytes were needed.
        offset: usize,
    },
    /// A count is larger than the rest of the chunk can hold.
    BadCount {
        /// The chunk.
        chunk: ChunkId,
        /// Offset of the count.
        offset: usize,
        /// The count.
        count: u64,
    },
    /// The atom table is empty (it must at least name the module).
    NoAtoms,
    /// An atom is not valid UTF-8.
    BadAtom {
        /// Index of the atom in the table.
        index: usize,
    },
    /// A field of the Code chunk header has a value this loader does not accept.
    BadCodeHeader {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u32,
    },
    /// An opcode number that OTP 25 does not define.
    UnknownOpcode {
        /// The opcode number.
        opcode: u8,
        /// Offset in the Code chunk.
        offset: usize,
    },
    /// An opcode that OTP 25 no longer accepts; the module must be recompiled.
    ObsoleteOpcode {
        /// The opcode's name.
        name: &'static str,
        /// Offset in the Code chunk.
        offset: usize,
    },
    /// An operand is not validly encoded, or has the wrong kind for its position.
    BadOperand {
        /// The instruction's name.
        opcode: &'static str,
        /// The operand's position in the instruction, from 0.
        position: u8,
        /// Offset of the operand in the Code chunk.
        offset: usize,
        /// What is wrong with it.
        reason: OperandError,
    },
    /// An index refers past the end of its table.
    OutOfRange {
        /// Which table.
        table: Table,
        /// The index.
        index: u64,
        /// The table's size.
        size: usize,
        /// Where the index was found.
        chunk: ChunkId,
        /// Offset in that chunk.
        offset: usize,
    },
    /// A label is defined twice.
    DuplicateLabel {
        /// The label.
        label: u32,
    },
    /// A label is referred to but never defined.
    UndefinedLabel {
        /// The label.
        label: u32,
    },
    /// More `func_info` instructions than the Code header declares.
    TooManyFunctions {
        /// The count declared in the header.
        declared: u32,
    },
    /// The Code chunk does not end with `int_code_end`.
    MissingCodeEnd,
    /// The literal table does not inflate to its declared size.
    BadLiteralTable,
    /// A literal (or the Attr chunk) is not a valid external term.
    BadTerm {
        /// The chunk.
        chunk: ChunkId,
        /// Index of the term in the chunk.
        index: usize,
        /// The decoding error.
        error: EtfError,
    },
    /// A function table entry's label does not follow a `func_info` for the same function
    /// and arity in this module.
    EntryMismatch {
        /// The table (ExpT, LocT or FunT).
        chunk: ChunkId,
        /// The entry label.
        label: u32,
        /// The arity the table gives.
        arity: u32,
    },
    /// The line table is malformed.
    BadLineTable {
        /// Offset in the Line chunk.
        offset: usize,
    },
}

/// What is wrong with a compact-encoded operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperandError {
    /// The Code chunk ends inside the operand.
    Truncated,
    /// An extended tag other than 1..=5.
    UnknownExtendedTag(u64),
    /// A value too large for its kind (or a negative value where only unsigned ones make sense).
    ValueTooLarge,
    /// A list or allocation list inside another list.
    NestedList,
    /// An allocation list entry of an unknown kind.
    BadAllocKind(u64),
    /// A typed register that does not hold an X or Y register.
    BadTypedRegister,
    /// An X register number at or above [`super::MAX_X_REGISTERS`].
    XRegisterTooLarge(u32),
    /// The operand's kind does not fit its opcode's signature for this position (for example
    /// not an atom in `func_info`, or not a register as `move`'s destination).
    WrongKind,
}

/// The tables an index can refer to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// The atom table.
    Atom,
    /// The import table.
    Import,
    /// The literal table.
    Literal,
    /// Labels.
    Label,
    /// The fun table.
    Lambda,
    /// The line table.
    Line,
    /// The file names of the line table.
    FileName,
}

impl LoadError {
    /// A stable numeric code for the error kind, for logs and crash reasons. Problems inside
    /// a module have codes from 100 up, the same with or without the module name.
    pub fn code(&self) -> u16 {
        match self {
            LoadError::NotBeam => 1,
            LoadError::BadFormSize { .. } => 2,
            LoadError::ChunkOverrun { .. } => 3,
            LoadError::DuplicateChunk { .. } => 4,
            LoadError::MissingChunk { .. } => 5,
            LoadError::OldAtomChunk => 6,
            LoadError::BadGzip => 7,
            LoadError::Malformed(problem) | LoadError::InModule { problem, .. } => problem.code(),
        }
    }
}

impl Problem {
    /// A stable numeric code for the problem kind (100 and up).
    pub fn code(&self) -> u16 {
        match self {
            Problem::Truncated { .. } => 100,
            Problem::BadCount { .. } => 101,
            Problem::NoAtoms => 102,
            Problem::BadAtom { .. } => 103,
            Problem::BadCodeHeader { .. } => 104,
            Problem::UnknownOpcode { .. } => 105,
            Problem::ObsoleteOpcode { .. } => 106,
            Problem::BadOperand { .. } => 107,
            Problem::OutOfRange { .. } => 108,
            Problem::DuplicateLabel { .. } => 109,
            Problem::UndefinedLabel { .. } => 110,
            Problem::TooManyFunctions { .. } => 111,
            Problem::MissingCodeEnd => 112,
            Problem::BadLiteralTable => 113,
            Problem::BadTerm { .. } => 114,
            Problem::EntryMismatch { .. } => 115,
            Problem::BadLineTable { .. } => 116,
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Table::Atom => "atom",
            Table::Import => "import",
            Table::Literal => "literal",
            Table::Label => "label",
            Table::Lambda => "fun",
            Table::Line => "line",
            Table::FileName => "file name",
        })
    }
}

impl fmt::Display for OperandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OperandError::Truncated => f.write_str("truncated operand"),
            OperandError::UnknownExtendedTag(t) => write!(f, "unknown extended tag {t}"),
            OperandError::ValueTooLarge => f.write_str("value out of range"),
            OperandError::NestedList => f.write_str("list nested in a list"),
            OperandError::BadAllocKind(k) => write!(f, "unknown allocation kind {k}"),
            OperandError::BadTypedRegister => f.write_str("typed operand is not a register"),
            OperandError::XRegisterTooLarge(x) => write!(f, "x register {x} out of range"),
            OperandError::WrongKind => f.write_str("wrong kind of operand"),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Truncated { chunk, offset } => {
                write!(f, "{} chunk truncated at byte {offset}", ShowChunk(*chunk))
            }
            Problem::BadCount {
                chunk,
                offset,
                count,
            } => write!(
                f,
                "{} chunk: count {count} at byte {offset} exceeds the chunk",
                ShowChunk(*chunk)
            ),
            Problem::NoAtoms => f.write_str("empty atom table"),
            Problem::BadAtom { index } => write!(f, "atom {index} is not valid UTF-8"),
            Problem::BadCodeHeader { field, value } => {
                write!(f, "unsupported Code header: {field} = {value}")
            }
            Problem::UnknownOpcode { opcode, offset } => write!(
                f,
                "unknown opcode {opcode} at Code byte {offset} (not in OTP 25)"
            ),
            Problem::ObsoleteOpcode { name, offset } => write!(
                f,
                "obsolete opcode {name} at Code byte {offset}; recompile the module"
            ),
            Problem::BadOperand {
                opcode,
                position,
                offset,
                reason,
            } => write!(
                f,
                "{opcode} operand {}: {reason} at Code byte {offset}",
                u16::from(*position) + 1
            ),
            Problem::OutOfRange {
                table,
                index,
                size,
                chunk,
                offset,
            } => write!(
                f,
                "{table} index {index} out of range (table has {size}) in {} chunk at byte {offset}",
                ShowChunk(*chunk)
            ),
            Problem::DuplicateLabel { label } => write!(f, "label {label} defined twice"),
            Problem::UndefinedLabel { label } => write!(f, "label {label} used but not defined"),
            Problem::TooManyFunctions { declared } => {
                write!(f, "more functions than the {declared} the Code header declares")
            }
            Problem::MissingCodeEnd => f.write_str("Code chunk does not end with int_code_end"),
            Problem::BadLiteralTable => {
                f.write_str("literal table does not inflate to its declared size")
            }
            Problem::BadTerm {
                chunk,
                index,
                error,
            } => write!(f, "{} term {index}: {error}", ShowChunk(*chunk)),
            Problem::EntryMismatch {
                chunk,
                label,
                arity,
            } => write!(
                f,
                "{} entry at label {label} does not match the func_info before it (arity {arity})",
                ShowChunk(*chunk)
            ),
            Problem::BadLineTable { offset } => {
                write!(f, "malformed line table at byte {offset}")
            }
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotBeam => f.write_str("not a BEAM file (no FOR1/BEAM header)"),
            LoadError::BadGzip => f.write_str("a gzip-compressed BEAM file that does not inflate"),
            LoadError::BadFormSize { declared, actual } => write!(
                f,
                "BEAM header declares {declared} bytes but {actual} follow"
            ),
            LoadError::ChunkOverrun { chunk, offset } => write!(
                f,
                "chunk {} at byte {offset} runs past the end of the file",
                ShowChunk(*chunk)
            ),
            LoadError::DuplicateChunk { chunk } => {
                write!(f, "chunk {} appears twice", ShowChunk(*chunk))
            }
            LoadError::MissingChunk { chunk } => {
                write!(f, "required chunk {} is missing", ShowChunk(*chunk))
            }
            LoadError::OldAtomChunk => {
                f.write_str("old Latin-1 Atom chunk: compiled before OTP 20; recompile with OTP 25")
            }
            LoadError::Malformed(problem) => write!(f, "{problem}"),
            LoadError::InModule { module, problem } => write!(f, "module {module}: {problem}"),
        }
    }
}
