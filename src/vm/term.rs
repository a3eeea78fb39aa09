//! The term word: every Erlang value is one tagged `u64`.
//!
//! Layout (low three bits are the primary tag):
//!
//! | tag | meaning | payload |
//! |-----|---------|---------|
//! | 0 | header word (only inside heap objects) | bits 3..8 kind, bits 8.. size |
//! | 1 | cons pointer | bit 3: literal area; bits 4..: word offset of `[head, tail]` |
//! | 2 | boxed pointer | bit 3: literal area; bits 4..: word offset of a header |
//! | 3 | small integer | bits 3..: signed 61-bit value |
//! | 4 | atom | bits 3..: index in the [`AtomTable`](super::atom::AtomTable) |
//! | 5 | local pid | bits 3..: the pid's 28-bit data, `serial << 15 \| number` |
//! | 6 | special immediate | `[]`, the non-value, the GC's moved marker |
//! | 7 | code word (stack only) | bit 3: 0 continuation pointer, 1 catch; module and pc |
//!
//! Pointers are offsets, not addresses: into the owning process's heap
//! ([`Heap`](super::heap::Heap)) or, with the literal bit set, into the shared literal area
//! ([`Literals`](super::literals::Literals)) that the collector never copies. Boxed objects start
//! with a header ([`Kind`]) whose size counts the words after it.
//!
//! Invariants: a term stored in a heap, register or stack slot is never a header; code words only
//! live on the stack; the non-value only appears as an "empty" marker (unset register, map miss).

/// One Erlang term.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Term(pub u64);

/// A term is a word already: maps keep it as it is.
impl crate::wordmap::Word for Term {
    #[inline]
    fn to_word(self) -> u64 {
        self.0
    }
    #[inline]
    fn from_word(w: u64) -> Self {
        Term(w)
    }
}

/// Primary tag of header words.
pub const TAG_HEADER: u64 = 0;
/// Primary tag of cons pointers.
pub const TAG_CONS: u64 = 1;
/// Primary tag of boxed pointers.
pub const TAG_BOXED: u64 = 2;
/// Primary tag of small integers.
pub const TAG_SMALL: u64 = 3;
/// Primary tag of atoms.
pub const TAG_ATOM: u64 = 4;
/// Primary tag of local pids.
pub const TAG_PID: u64 = 5;
/// Primary tag of special immediates.
pub const TAG_SPECIAL: u64 = 6;
/// Primary tag of code words (continuation pointers and catch markers).
pub const TAG_CODE: u64 = 7;
/// Where a code word's instruction index starts: past the tag and the module (24 bits) and
/// six zero bits, so that the word shifted right by 24 is the instruction's byte offset in
/// its module's code (instructions are 64 bytes): the fast loop makes and follows return
/// addresses without scaling an index.
pub const CP_PC_SHIFT: u32 = 30;

/// Pointer flag: the offset is into the literal area.
pub const LITERAL_BIT: u64 = 8;

/// Bits of a local pid's data (erl's on 64-bit machines).
pub const PID_DATA_BITS: u32 = 28;
/// Bits of the number part of a pid's data (`<0.Number.Serial>`); the serial is the rest.
pub const PID_NUMBER_BITS: u32 = 15;

/// Smallest small integer.
pub const MIN_SMALL: i64 = -(1 << 60);
/// The largest tuple arity erl allows (2^24 - 1); BIFs asked for more raise `badarg`.
pub const MAX_TUPLE_ARITY: usize = (1 << 24) - 1;
/// Largest small integer.
pub const MAX_SMALL: i64 = (1 << 60) - 1;

/// Kinds of boxed heap objects, stored in their header word.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Kind {
    /// `{...}`: size is the arity; the elements follow.
    Tuple = 0,
    /// Positive bignum: size is the number of little-endian u64 limbs that follow.
    PosBig = 1,
    /// Negative bignum: like `PosBig`, magnitude limbs.
    NegBig = 2,
    /// Float: one word of `f64` bits.
    Float = 3,
    /// Binary or bit string: three raw words, see [`heap::Heap::bin_ref`](super::heap::Heap::bin_ref).
    BinRef = 4,
    /// Binary match context: four raw words, see [`bits`](super::bits).
    MatchCtx = 5,
    /// Map: size is twice the number of pairs; `key, value` pairs follow, sorted by key.
    Map = 6,
    /// Local fun: a fun-id small integer then the captured free variables.
    Fun = 7,
    /// External fun `fun M:F/A`: module atom, function atom, arity small.
    Export = 8,
    /// Reference: one raw word (the reference number).
    Ref = 9,
    /// Large map: `[count, root]`, the root a [`Kind::MapNode`] or `[]`; see
    /// [`bigmap`](super::bigmap).
    TreeMap = 10,
    /// Node of a large map: `[size, key, value, left, right]` (subtrees are nodes or `[]`).
    MapNode = 11,
}

impl Kind {
    /// Decodes a kind number from a header.
    pub fn from_u8(k: u8) -> Option<Kind> {
        Some(match k {
            0 => Kind::Tuple,
            1 => Kind::PosBig,
            2 => Kind::NegBig,
            3 => Kind::Float,
            4 => Kind::BinRef,
            5 => Kind::MatchCtx,
            6 => Kind::Map,
            7 => Kind::Fun,
            8 => Kind::Export,
            9 => Kind::Ref,
            10 => Kind::TreeMap,
            11 => Kind::MapNode,
            _ => return None,
        })
    }

    /// Whether the words after a header of this kind are terms the collector must trace.
    pub fn payload_is_terms(self) -> bool {
        matches!(
            self,
            Kind::Tuple | Kind::Map | Kind::Fun | Kind::Export | Kind::TreeMap | Kind::MapNode
        )
    }
}

/// Builds a header word.
#[inline]
pub const fn header(kind: Kind, size: usize) -> u64 {
    ((size as u64) << 8) | ((kind as u64) << 3) | TAG_HEADER
}

/// The kind of a header word (`None` if the word is not a valid header).
#[inline]
pub fn header_kind(word: u64) -> Option<Kind> {
    if word & 7 != TAG_HEADER {
        return None;
    }
    Kind::from_u8(((word >> 3) & 0x1f) as u8)
}

/// The size field of a header word.
#[inline]
pub const fn header_size(word: u64) -> usize {
    (word >> 8) as usize
}

impl Term {
    /// `[]`.
    pub const NIL: Term = Term(TAG_SPECIAL);
    /// The non-value: "no term here" (unset slot, failed lookup). Never a user-visible value.
    pub const NONE: Term = Term(TAG_SPECIAL | (1 << 3));
    /// Written by the collector into a moved object's first word.
    pub const MOVED: Term = Term(TAG_SPECIAL | (2 << 3));

    /// The primary tag.
    #[inline]
    pub const fn tag(self) -> u64 {
        self.0 & 7
    }

    /// A small integer; the caller guarantees `MIN_SMALL <= v <= MAX_SMALL`.
    #[inline]
    pub const fn small(v: i64) -> Term {
        Term(((v as u64) << 3) | TAG_SMALL)
    }

    /// A small integer if `v` is in range.
    #[inline]
    pub fn try_small(v: i64) -> Option<Term> {
        if (MIN_SMALL..=MAX_SMALL).contains(&v) {
            Some(Term::small(v))
        } else {
            None
        }
    }

    /// Whether this is a small integer.
    #[inline]
    pub const fn is_small(self) -> bool {
        self.tag() == TAG_SMALL
    }

    /// The value of a small integer (meaningless for other terms).
    #[inline]
    pub const fn small_value(self) -> i64 {
        (self.0 as i64) >> 3
    }

    /// The small integer's value, if this is one.
    #[inline]
    pub fn as_small(self) -> Option<i64> {
        if self.is_small() {
            Some(self.small_value())
        } else {
            None
        }
    }

    /// An atom from its table index.
    #[inline]
    pub const fn atom(index: u32) -> Term {
        Term(((index as u64) << 3) | TAG_ATOM)
    }

    /// Whether this is an atom.
    #[inline]
    pub const fn is_atom(self) -> bool {
        self.tag() == TAG_ATOM
    }

    /// The atom index (meaningless for other terms).
    #[inline]
    pub const fn atom_index(self) -> u32 {
        (self.0 >> 3) as u32
    }

    /// The atom index, if this is an atom.
    #[inline]
    pub fn as_atom(self) -> Option<u32> {
        if self.is_atom() {
            Some(self.atom_index())
        } else {
            None
        }
    }

    /// A local pid.
    #[inline]
    pub const fn pid(number: u32) -> Term {
        Term(((number as u64) << 3) | TAG_PID)
    }

    /// Whether this is a pid.
    #[inline]
    pub const fn is_pid(self) -> bool {
        self.tag() == TAG_PID
    }

    /// The pid's data (called its process number here): unique among live processes.
    #[inline]
    pub const fn pid_number(self) -> u32 {
        (self.0 >> 3) as u32
    }

    /// The pid `<0.Number.Serial>`, if both parts fit.
    pub fn pid_from_parts(number: u32, serial: u32) -> Option<Term> {
        let fits =
            number < (1 << PID_NUMBER_BITS) && serial < (1 << (PID_DATA_BITS - PID_NUMBER_BITS));
        fits.then(|| Term::pid((serial << PID_NUMBER_BITS) | number))
    }

    /// `(Number, Serial)` of the pid `<0.Number.Serial>`.
    #[inline]
    pub const fn pid_parts(self) -> (u32, u32) {
        let data = self.pid_number();
        (data & ((1 << PID_NUMBER_BITS) - 1), data >> PID_NUMBER_BITS)
    }

    /// Whether this is `[]`.
    #[inline]
    pub const fn is_nil(self) -> bool {
        self.0 == Term::NIL.0
    }

    /// Whether this is the non-value.
    #[inline]
    pub const fn is_none(self) -> bool {
        self.0 == Term::NONE.0
    }

    /// Whether this is a cons pointer (a non-empty list).
    #[inline]
    pub const fn is_cons(self) -> bool {
        self.tag() == TAG_CONS
    }

    /// Whether this is a boxed pointer.
    #[inline]
    pub const fn is_boxed(self) -> bool {
        self.tag() == TAG_BOXED
    }

    /// Whether this points into a heap or the literal area.
    #[inline]
    pub const fn is_pointer(self) -> bool {
        self.tag() == TAG_CONS || self.tag() == TAG_BOXED
    }

    /// Whether this pointer targets the literal area.
    #[inline]
    pub const fn is_literal(self) -> bool {
        self.0 & LITERAL_BIT != 0
    }

    /// The word offset of a pointer.
    #[inline]
    pub const fn offset(self) -> usize {
        (self.0 >> 4) as usize
    }

    /// A cons pointer to heap offset `off`.
    #[inline]
    pub const fn cons_ptr(off: usize) -> Term {
        Term(((off as u64) << 4) | TAG_CONS)
    }

    /// A boxed pointer to heap offset `off`.
    #[inline]
    pub const fn boxed_ptr(off: usize) -> Term {
        Term(((off as u64) << 4) | TAG_BOXED)
    }

    /// The same pointer retargeted at the literal area.
    #[inline]
    pub const fn into_literal(self) -> Term {
        Term(self.0 | LITERAL_BIT)
    }

    /// Whether this is an immediate (no heap data behind it).
    #[inline]
    pub const fn is_immediate(self) -> bool {
        !self.is_pointer()
    }

    /// `true` or `false` as an atom term.
    #[inline]
    pub const fn boolean(b: bool) -> Term {
        if b {
            super::atom::TRUE
        } else {
            super::atom::FALSE
        }
    }

    /// A continuation pointer to instruction `pc` of module `module`.
    #[inline]
    pub const fn cp_at(module: u32, pc: usize) -> Term {
        // `pc` is below 2^32 (code is indexed by u32); no mask needed.
        Term(((pc as u64) << CP_PC_SHIFT) | ((module as u64 & 0xf_ffff) << 4) | TAG_CODE)
    }

    /// A continuation pointer to instruction `pc` of module `module`.
    #[inline]
    pub const fn cp(module: u32, pc: u32) -> Term {
        Term(((pc as u64) << CP_PC_SHIFT) | ((module as u64 & 0xf_ffff) << 4) | TAG_CODE)
    }

    /// The continuation pointer to instruction `pc` of the module of `self`, a
    /// `Term::cp_at(module, 0)` (a call's return address with the module's part made once).
    #[inline]
    pub const fn cp_with_pc(self, pc: usize) -> Term {
        Term(self.0 | ((pc as u64) << CP_PC_SHIFT))
    }

    /// Whether this is a continuation pointer into the module of `base`, a
    /// `Term::cp_at(module, 0)`: tag and module compared in one step.
    #[inline]
    pub const fn is_cp_into(self, base: Term) -> bool {
        self.0 & 0xff_ffff == base.0
    }

    /// A catch marker whose handler is instruction `pc` of module `module`.
    #[inline]
    pub const fn catch(module: u32, pc: u32) -> Term {
        Term(Term::cp(module, pc).0 | 8)
    }

    /// Whether this is a continuation pointer.
    #[inline]
    pub const fn is_cp(self) -> bool {
        self.0 & 15 == TAG_CODE
    }

    /// Whether this is a catch marker.
    #[inline]
    pub const fn is_catch(self) -> bool {
        self.0 & 15 == TAG_CODE | 8
    }

    /// The module of a code word.
    #[inline]
    pub const fn code_module(self) -> u32 {
        ((self.0 >> 4) & 0xf_ffff) as u32
    }

    /// The instruction index of a code word.
    #[inline]
    pub const fn code_pc(self) -> u32 {
        (self.0 >> CP_PC_SHIFT) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_round_trip() {
        for v in [0, 1, -1, MAX_SMALL, MIN_SMALL, 12345, -98765] {
            let t = Term::small(v);
            assert!(t.is_small());
            assert_eq!(t.small_value(), v);
        }
        assert!(Term::try_small(MAX_SMALL + 1).is_none());
        assert!(Term::try_small(MIN_SMALL - 1).is_none());
    }

    #[test]
    fn immediates_are_distinct() {
        let a = Term::atom(5);
        assert!(a.is_atom() && a.atom_index() == 5);
        assert!(Term::NIL.is_nil() && !Term::NIL.is_atom());
        assert!(Term::pid(7).is_pid() && Term::pid(7).pid_number() == 7);
        let p = Term::pid_from_parts(5209, 9).unwrap();
        assert_eq!(p.pid_number(), 9 * 32768 + 5209);
        assert_eq!(p.pid_parts(), (5209, 9));
        assert_eq!(
            Term::pid_from_parts(32767, 8191),
            Some(Term::pid((1 << 28) - 1))
        );
        assert_eq!(Term::pid_from_parts(32768, 0), None);
        assert_eq!(Term::pid_from_parts(0, 8192), None);
        let cp = Term::cp(3, 99);
        assert!(cp.is_cp() && !cp.is_catch());
        assert_eq!((cp.code_module(), cp.code_pc()), (3, 99));
        let c = Term::catch(4, 7);
        assert!(c.is_catch() && !c.is_cp());
        assert_eq!((c.code_module(), c.code_pc()), (4, 7));
    }

    #[test]
    fn pointers_and_headers() {
        let p = Term::boxed_ptr(42);
        assert!(p.is_boxed() && !p.is_literal() && p.offset() == 42);
        let l = p.into_literal();
        assert!(l.is_boxed() && l.is_literal() && l.offset() == 42);
        let h = header(Kind::Map, 17);
        assert_eq!(header_kind(h), Some(Kind::Map));
        assert_eq!(header_size(h), 17);
    }
}
