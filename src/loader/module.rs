//! The loaded form of a module, shared by the loader (which builds it) and the VM (which runs it).

use alloc::string::String;
use alloc::vec::Vec;
use num_bigint::BigInt;

use crate::etf::ExtTerm;

/// An index into [`Module::atoms`].
pub type AtomIndex = u32;

/// One decoded compact-encoded operand.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// Tag `u`: an unsigned literal (arities, sizes, flags, counts).
    Unsigned(u64),
    /// Tag `i`: an integer that fits in an `i64`.
    Integer(i64),
    /// Tag `i`: an integer outside the `i64` range.
    BigInteger(BigInt),
    /// Tag `a` with value 0: the empty list.
    Nil,
    /// Tag `a` with value n > 0: the atom `Module::atoms[n - 1]` (so this holds `n - 1`).
    Atom(AtomIndex),
    /// Tag `x`: an X register. Typed registers (extended tag 5) decode to this too.
    X(u32),
    /// Tag `y`: a Y register (stack slot). Typed registers decode to this too.
    Y(u32),
    /// Tag `f`: a label; 0 means "no failure label" (raise instead of branching).
    Label(u32),
    /// Tag `h`: a character.
    Char(u32),
    /// Extended tag 1: a list of operands (select_val pairs, bs_create_bin segments, ...).
    List(Vec<Operand>),
    /// Extended tag 2: a float register.
    FloatReg(u32),
    /// Extended tag 3: an allocation list of (kind, count); kind 0 words, 1 floats, 2 funs.
    AllocList(Vec<(u32, u32)>),
    /// Extended tag 4: an index into [`Module::literals`].
    Literal(u32),
}

/// One generic BEAM instruction: an OTP 25 opcode number and its operands.
#[derive(Clone, Debug, PartialEq)]
pub struct Instruction {
    /// The opcode number as in OTP 25's genop.tab (1 = label ... 180 = badrecord).
    pub opcode: u8,
    /// The operands, as many as the opcode's arity.
    pub args: Vec<Operand>,
}

/// An MFA imported by the module (ImpT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Import {
    /// Module atom.
    pub module: AtomIndex,
    /// Function atom.
    pub function: AtomIndex,
    /// Arity.
    pub arity: u32,
}

/// An exported or local function (ExpT, LocT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Export {
    /// Function atom.
    pub function: AtomIndex,
    /// Arity.
    pub arity: u32,
    /// Entry label.
    pub label: u32,
}

/// A fun defined in the module (FunT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lambda {
    /// Function atom of the fun's implementation.
    pub function: AtomIndex,
    /// Arity of the implementation (free variables plus the fun's own arity).
    pub arity: u32,
    /// Entry label.
    pub label: u32,
    /// Index in the fun table.
    pub index: u32,
    /// Number of free variables.
    pub num_free: u32,
    /// Old uniq value.
    pub old_uniq: u32,
}

/// A loaded module in generic form.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    /// The atom table (AtU8); `atoms[0]` is the module's own name.
    pub atoms: Vec<String>,
    /// The instructions of the Code chunk in order, `label` and `line` instructions included.
    pub code: Vec<Instruction>,
    /// `labels[n]` is the index in `code` of the `label n` instruction (0 for label 0, unused).
    pub labels: Vec<u32>,
    /// Imported functions (ImpT), indexed by the import operands of call_ext and friends.
    pub imports: Vec<Import>,
    /// Exported functions (ExpT).
    pub exports: Vec<Export>,
    /// Local functions (LocT), when present.
    pub locals: Vec<Export>,
    /// Funs (FunT).
    pub lambdas: Vec<Lambda>,
    /// Literals (LitT), decoded.
    pub literals: Vec<ExtTerm>,
    /// The string table (StrT), used by bs_match_string and bs_create_bin string segments.
    pub strings: Vec<u8>,
    /// Line table (Line chunk): `lines[n]` is (file name, line) for `line n` operands; empty
    /// when the chunk is absent. Index 0 means "no location".
    pub lines: Vec<(String, u32)>,
    /// The module's attributes (Attr chunk) when present.
    pub attributes: Option<ExtTerm>,
    /// The module's MD5 (`module_info(md5)`).
    pub md5: [u8; 16],
}

impl Module {
    /// The module's name.
    pub fn name(&self) -> &str {
        self.atoms.first().map(String::as_str).unwrap_or("")
    }
}
