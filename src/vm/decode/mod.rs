//! The external term format read straight into heap terms (`binary_to_term`).
//!
//! The terms are those [`from_ext`](super::ext::from_ext) builds from the tree
//! [`crate::etf::decode`] makes of the same bytes, and the same inputs are refused, without
//! the tree: maps flat with their pairs in map key order (a repeated key refuses the input),
//! pids, ports and references of any node made local as `from_ext` makes them. Beyond
//! `from_ext`, a local fun (NEW_FUN_EXT) of a module loaded here, matched by its index in the
//! module's fun table, arity and number of free variables, becomes that fun with its
//! environment; a fun of a module not loaded here is refused.
//!
//! Two passes over the bytes. The first checks the structure, the atoms (with `safe`, that
//! each exists, before anything is made) and counts the heap words, binary bytes, nesting and
//! largest map the term needs; then the heap gets its room, the node's budget permitting. The
//! second writes the term top down: each container is laid out when its header is read, and
//! the terms inside fill its slots as they are read.
//!
//! Invariants: no native recursion (nesting costs one stack entry a level, 8 bytes in the
//! first pass and 16 in the second); every allocation sized by the input is checked against
//! the budget the caller gives before it is made, and made with `try_reserve`, so an input
//! the budget cannot hold ends in [`DecodeError::OverBudget`], never an allocation failure.

#![forbid(unsafe_code)]

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::atom::AtomTable;
use super::code::{fun_id, Code};
use super::compare::{compare, Mode};
use super::encode::OverBudget;
use super::heap::{Heap, View};
use super::literals::Literals;
use super::term::{header, header_size, Kind, Term};
use crate::etf::{tag, VERSION};

mod map_sort;
pub use map_sort::{MapSort, STEP_WORK as SORT_STEP_WORK};

/// Why bytes did not become a term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not a valid external term, or one `binary_to_term` refuses (`badarg`).
    Invalid,
    /// The term (or the work of decoding it) needs more memory than the limit allows.
    OverBudget(OverBudget),
}

impl From<OverBudget> for DecodeError {
    fn from(e: OverBudget) -> Self {
        DecodeError::OverBudget(e)
    }
}

type Result<T> = core::result::Result<T, DecodeError>;

const INVALID: DecodeError = DecodeError::Invalid;

/// An atom as encoded: its bytes and whether they are Latin-1 (else UTF-8, checked).
#[derive(Clone, Copy)]
struct RawAtom<'a>(&'a [u8], bool);

impl<'a> RawAtom<'a> {
    fn name(self) -> Cow<'a, str> {
        match (self.1, core::str::from_utf8(self.0)) {
            (false, Ok(s)) => Cow::Borrowed(s),
            (true, Ok(s)) if s.is_ascii() => Cow::Borrowed(s),
            _ => Cow::Owned(self.0.iter().map(|&b| char::from(b)).collect::<String>()),
        }
    }
}

/// One term's header, as read.
enum Item<'a> {
    /// An integer of SMALL_INTEGER or INTEGER.
    Int(i64),
    /// SMALL_BIG or LARGE_BIG: sign and little-endian magnitude bytes.
    Big(bool, &'a [u8]),
    Float(f64),
    Atom(RawAtom<'a>),
    Nil,
    /// STRING_EXT's bytes (at least one).
    String(&'a [u8]),
    /// A bitstring's bytes and the bits used in its last byte (0: all).
    Binary(&'a [u8], u8),
    /// A pid's node, number and serial.
    Pid(RawAtom<'a>, u32, u32),
    /// A port's node and number.
    Port(RawAtom<'a>, u64),
    /// A reference's node and its first two words.
    Ref(RawAtom<'a>, u64),
    Export(RawAtom<'a>, RawAtom<'a>, u8),
    /// NEW_FUN_EXT: module, index in its fun table, free variables (which follow), arity.
    Fun(RawAtom<'a>, u32, usize, u8),
    Tuple(usize),
    /// LIST_EXT: elements, then the tail.
    List(usize),
    Map(usize),
}

/// A cursor over the bytes.
struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or(INVALID)?;
        let s = self.input.get(self.pos..end).ok_or(INVALID)?;
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.bytes(1)?[0])
    }

    fn u16(&mut self) -> Result<usize> {
        Ok(usize::from(u16::from_be_bytes(self.array()?)))
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// A count of items of at least `min` bytes each that the rest of the input can hold.
    fn count(&mut self, min: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min) > self.input.len() - self.pos {
            return Err(INVALID);
        }
        Ok(n)
    }

    fn atom(&mut self) -> Result<RawAtom<'a>> {
        let t = self.u8()?;
        let (len, latin1) = match t {
            tag::ATOM => (self.u16()?, true),
            tag::SMALL_ATOM => (usize::from(self.u8()?), true),
            tag::ATOM_UTF8 => (self.u16()?, false),
            tag::SMALL_ATOM_UTF8 => (usize::from(self.u8()?), false),
            _ => return Err(INVALID),
        };
        let b = self.bytes(len)?;
        let chars = if latin1 {
            len
        } else {
            core::str::from_utf8(b)
                .map_err(|_| INVALID)?
                .chars()
                .count()
        };
        if chars > 255 {
            return Err(INVALID);
        }
        Ok(RawAtom(b, latin1))
    }

    /// Reads one term's header (a whole term, unless it is a container).
    fn item(&mut self) -> Result<Item<'a>> {
        let t = self.u8()?;
        Ok(match t {
            tag::SMALL_INTEGER => Item::Int(i64::from(self.u8()?)),
            tag::INTEGER => Item::Int(i64::from(self.u32()? as i32)),
            tag::NEW_FLOAT => {
                let f = f64::from_bits(u64::from_be_bytes(self.array()?));
                if !f.is_finite() {
                    return Err(INVALID);
                }
                Item::Float(f)
            }
            tag::FLOAT => {
                let text = self.bytes(31)?;
                let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
                let text = core::str::from_utf8(&text[..end]).map_err(|_| INVALID)?;
                let f = crate::vm::decimal::parse(text.trim()).ok_or(INVALID)?;
                if !f.is_finite() {
                    return Err(INVALID);
                }
                Item::Float(f)
            }
            tag::ATOM | tag::SMALL_ATOM | tag::ATOM_UTF8 | tag::SMALL_ATOM_UTF8 => {
                self.pos -= 1;
                Item::Atom(self.atom()?)
            }
            tag::SMALL_TUPLE => Item::Tuple(usize::from(self.u8()?)),
            tag::LARGE_TUPLE => Item::Tuple(self.count(1)?),
            tag::NIL => Item::Nil,
            tag::STRING => {
                let len = self.u16()?;
                match self.bytes(len)? {
                    [] => Item::Nil,
                    b => Item::String(b),
                }
            }
            tag::LIST => Item::List(self.count(1)?),
            tag::BINARY => {
                let len = self.u32()? as usize;
                Item::Binary(self.bytes(len)?, 0)
            }
            tag::BIT_BINARY => {
                let len = self.u32()? as usize;
                let bits = self.u8()?;
                let data = self.bytes(len)?;
                if (len == 0) != (bits == 0) || bits > 8 {
                    return Err(INVALID);
                }
                Item::Binary(data, bits % 8)
            }
            tag::SMALL_BIG | tag::LARGE_BIG => {
                let n = if t == tag::SMALL_BIG {
                    usize::from(self.u8()?)
                } else {
                    self.u32()? as usize
                };
                let sign = self.u8()?;
                let digits = self.bytes(n)?;
                if sign > 1 {
                    return Err(INVALID);
                }
                Item::Big(sign == 1, digits)
            }
            tag::MAP => Item::Map(self.count(2)?),
            tag::PID | tag::NEW_PID => {
                let node = self.atom()?;
                let (id, serial) = (self.u32()?, self.u32()?);
                self.bytes(if t == tag::PID { 1 } else { 4 })?;
                Item::Pid(node, id, serial)
            }
            tag::PORT | tag::NEW_PORT | tag::V4_PORT => {
                let node = self.atom()?;
                let id = if t == tag::V4_PORT {
                    u64::from_be_bytes(self.array()?)
                } else {
                    u64::from(self.u32()?)
                };
                self.bytes(if t == tag::PORT { 1 } else { 4 })?;
                Item::Port(node, id)
            }
            tag::REFERENCE => {
                let node = self.atom()?;
                let id = self.u32()?;
                self.u8()?;
                Item::Ref(node, u64::from(id))
            }
            tag::NEW_REFERENCE | tag::NEWER_REFERENCE => {
                let len = self.u16()?;
                if len == 0 || len > 5 {
                    return Err(INVALID);
                }
                let node = self.atom()?;
                self.bytes(if t == tag::NEW_REFERENCE { 1 } else { 4 })?;
                let mut n = 0u64;
                for i in 0..len {
                    let w = u64::from(self.u32()?);
                    if i < 2 {
                        n |= w << (32 * i);
                    }
                }
                Item::Ref(node, n)
            }
            tag::EXPORT => {
                let (m, f) = (self.atom()?, self.atom()?);
                if self.u8()? != tag::SMALL_INTEGER {
                    return Err(INVALID);
                }
                Item::Export(m, f, self.u8()?)
            }
            tag::NEW_FUN => {
                self.u32()?;
                let arity = self.u8()?;
                self.bytes(16)?;
                let index = self.u32()?;
                let free = self.count(1)?;
                let module = self.atom()?;
                // The old index and uniq, and the process that made the fun.
                for _ in 0..2 {
                    if !matches!(self.item()?, Item::Int(_)) {
                        return Err(INVALID);
                    }
                }
                if !matches!(self.item()?, Item::Pid(..)) {
                    return Err(INVALID);
                }
                Item::Fun(module, index, free, arity)
            }
            _ => return Err(INVALID),
        })
    }
}

/// An integer's magnitude when it fits a machine word: `(negative, magnitude)`.
fn word_integer(negative: bool, digits: &[u8]) -> Option<(bool, u64)> {
    let used = digits.iter().rposition(|&d| d != 0).map_or(0, |i| i + 1);
    if used > 8 {
        return None;
    }
    let mut m = [0u8; 8];
    m[..used].copy_from_slice(&digits[..used]);
    Some((negative && used > 0, u64::from_le_bytes(m)))
}

/// The small integer an integer is, if it is one (as `from_ext` normalises).
fn small_of(negative: bool, m: u64) -> Option<Term> {
    let i = if negative {
        0i64.checked_sub_unsigned(m)?
    } else {
        i64::try_from(m).ok()?
    };
    Term::try_small(i)
}

/// The limbs of a bignum's magnitude (the normalised digits `from_ext` writes).
fn limb_count(digits: &[u8]) -> usize {
    digits
        .iter()
        .rposition(|&d| d != 0)
        .map_or(0, |i| i + 1)
        .div_ceil(8)
}

/// Heap words an item takes.
fn words_of(item: &Item) -> usize {
    match *item {
        Item::Big(neg, d) => match word_integer(neg, d) {
            Some((neg, m)) if small_of(neg, m).is_some() => 0,
            Some(_) => 2,
            None => 1 + limb_count(d),
        },
        Item::Float(_) | Item::Ref(..) => 2,
        Item::String(b) => 2 * b.len(),
        Item::Binary(..) | Item::Export(..) => 4,
        Item::Fun(_, _, free, _) => 2 + free,
        Item::Tuple(n) => 1 + n,
        Item::List(n) => 2 * n,
        Item::Map(n) => 1 + 2 * n,
        Item::Int(_) | Item::Atom(_) | Item::Nil | Item::Pid(..) | Item::Port(..) => 0,
    }
}

/// What the first pass found: the room the term needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Heap words.
    pub words: usize,
    /// Bytes of binary buffers.
    pub bin_bytes: usize,
    /// Binaries.
    pub bins: usize,
    /// Most containers open at once.
    pub depth: usize,
    /// Pairs of the largest map.
    pub max_map: usize,
    /// Whether a pid, port or reference occurs (maps then order their keys through the
    /// external form, where these differ from their local stand-ins).
    pub foreign: bool,
    /// Where the term ends.
    pub end: usize,
}

/// Bytes a map of `n` pairs takes while its pairs are sorted (a copy of the pairs and the
/// sort's scratch).
const SORT_BYTES_PER_PAIR: usize = 80;

/// Bytes a map key is counted for while maps with foreign keys sort them in external form,
/// per byte of input.
const FOREIGN_BYTES_PER_BYTE: usize = 64;

/// Bytes a binary's buffer takes besides its bytes.
const BIN_OVERHEAD: usize = 64;

impl Plan {
    /// Working memory of the second pass, in bytes.
    fn working(&self, input: usize) -> usize {
        let mut w = self
            .depth
            .saturating_mul(core::mem::size_of::<Frame>())
            .saturating_add(self.max_map.saturating_mul(SORT_BYTES_PER_PAIR));
        if self.foreign {
            w = w.saturating_add(input.saturating_mul(FOREIGN_BYTES_PER_BYTE));
        }
        w
    }

    /// Memory the term takes, in bytes: its words and its binaries' buffers.
    fn result_bytes(&self) -> usize {
        self.words
            .saturating_mul(8)
            .saturating_add(self.bin_bytes)
            .saturating_add(self.bins.saturating_mul(BIN_OVERHEAD))
    }
}

/// Makes room for one more entry in a work stack whose entries, with `held` bytes held
/// besides, must stay within `limit` bytes.
fn stack_room<T>(v: &mut Vec<T>, held: usize, limit: Option<usize>) -> Result<()> {
    if v.len() < v.capacity() {
        return Ok(());
    }
    let cap = v.capacity().saturating_mul(2).max(16);
    let wanted = cap
        .saturating_mul(core::mem::size_of::<T>())
        .saturating_add(held);
    if limit.is_some_and(|l| wanted > l) {
        return Err(OverBudget { wanted }.into());
    }
    v.try_reserve_exact(cap - v.len())
        .map_err(|_| OverBudget { wanted }.into())
}

/// The first pass over the term at `pos`: checks it and counts what it needs (see the
/// module documentation). With `safe`, an atom that does not exist refuses the term. The
/// count stack stays within `limit` bytes.
pub fn plan(
    bytes: &[u8],
    pos: usize,
    atoms: &AtomTable,
    safe: bool,
    limit: Option<usize>,
) -> Result<Plan> {
    let mut r = Reader { input: bytes, pos };
    let mut p = Plan::default();
    // Terms still to read in each open container, innermost last.
    let mut open: Vec<usize> = Vec::new();
    let exists = |a: RawAtom| !safe || atoms.lookup(&a.name()).is_some();
    loop {
        let item = r.item()?;
        p.words = p.words.saturating_add(words_of(&item));
        let inner = match item {
            Item::Atom(a) | Item::Pid(a, ..) | Item::Port(a, _) | Item::Ref(a, _) => {
                if !exists(a) {
                    return Err(INVALID);
                }
                if let Item::Pid(_, id, serial) = item {
                    Term::pid_from_parts(id, serial).ok_or(INVALID)?;
                }
                p.foreign |= !matches!(item, Item::Atom(_));
                0
            }
            Item::Export(m, f, _) => {
                if !(exists(m) && exists(f)) {
                    return Err(INVALID);
                }
                0
            }
            Item::Binary(b, _) => {
                p.bin_bytes = p.bin_bytes.saturating_add(b.len());
                p.bins += 1;
                0
            }
            Item::Fun(m, _, free, _) => {
                if !exists(m) {
                    return Err(INVALID);
                }
                free
            }
            Item::Tuple(n) => n,
            // The tail fills the slot a list of no elements stands in.
            Item::List(0) => continue,
            Item::List(n) => n + 1,
            Item::Map(n) => {
                p.max_map = p.max_map.max(n);
                2 * n
            }
            _ => 0,
        };
        if let Some(top) = open.last_mut() {
            *top -= 1;
        }
        if inner > 0 {
            stack_room(&mut open, 0, limit)?;
            open.push(inner);
            p.depth = p.depth.max(open.len());
        }
        while open.last() == Some(&0) {
            open.pop();
        }
        if open.is_empty() {
            p.end = r.pos;
            return Ok(p);
        }
    }
}

/// An open container of the second pass: the heap index of its next slot (of its header,
/// for a map) and the slots left, with what it is in the low two bits.
#[derive(Clone, Copy)]
struct Frame {
    at: usize,
    left_kind: usize,
}

#[cfg(test)]
const _: () = assert!(core::mem::size_of::<Frame>() == 16);

/// Slots one after the other (a tuple's).
const TUPLE: usize = 0;
/// The heads of list cells laid out one after the other, then the last cell's tail.
const HEADS: usize = 1;
/// The last cell's tail.
const TAIL: usize = 2;
/// A map's pairs (`at` is its header).
const MAP: usize = 3;

/// The second pass, building what [`plan`] checked into `heap` (its words reserved).
struct Builder<'b, 'h> {
    bytes: &'b [u8],
    heap: &'h mut Heap,
    atoms: &'b mut AtomTable,
    lits: &'b Literals,
    code: &'b Code,
    foreign: bool,
    frames: Vec<Frame>,
    /// Where the keys of open maps start in the bytes, when keys sort in external form.
    keys: Vec<usize>,
    root: Term,
}

impl Builder<'_, '_> {
    fn alloc(&mut self, word: u64, slots: usize) -> usize {
        let at = self.heap.words.len();
        self.heap.words.push(Term(word));
        let n = at + 1 + slots;
        self.heap.words.resize(n, Term::NIL);
        at
    }

    /// Puts `v` in the next slot of the innermost open container.
    fn place(&mut self, v: Term) {
        let Some(f) = self.frames.last_mut() else {
            self.root = v;
            return;
        };
        let (left, kind) = (f.left_kind >> 2, f.left_kind & 3);
        let slot = if kind == MAP {
            let n = header_size(self.heap.words[f.at].0);
            f.at + 1 + n - left
        } else {
            f.at
        };
        self.heap.words[slot] = v;
        f.left_kind = match kind {
            HEADS if left == 1 => {
                f.at += 1;
                1 << 2 | TAIL
            }
            HEADS => {
                f.at += 2;
                (left - 1) << 2 | HEADS
            }
            MAP => (left - 1) << 2 | MAP,
            _ => {
                f.at += 1;
                (left - 1) << 2 | kind
            }
        };
    }

    fn open(&mut self, at: usize, left: usize, kind: usize) {
        // Room for the frames was reserved for the deepest nesting the plan found.
        self.frames.push(Frame {
            at,
            left_kind: left << 2 | kind,
        });
    }

    fn atom(&mut self, a: RawAtom) -> Result<Term> {
        self.atoms.intern(&a.name()).map_err(|_| INVALID)
    }

    /// The id of fun `index` of the loaded module `module`, if it has that fun with that
    /// arity and number of free variables (a fun of a module not loaded here is refused).
    fn fun_id(&self, module: Term, index: u32, free: usize, arity: u8) -> Result<u64> {
        let mi = self.code.module_index(module).ok_or(INVALID)?;
        let lambdas = &self.code.modules.get(mi as usize).ok_or(INVALID)?.lambdas;
        let li = lambdas
            .iter()
            .position(|l| {
                l.index == index && l.num_free as usize == free && l.arity == u32::from(arity)
            })
            .ok_or(INVALID)?;
        Ok(fun_id(mi, li as u32))
    }

    fn run(&mut self, pos: usize) -> Result<Term> {
        let mut r = Reader {
            input: self.bytes,
            pos,
        };
        loop {
            let start = r.pos;
            let key = self.foreign
                && self
                    .frames
                    .last()
                    .is_some_and(|f| f.left_kind & 3 == MAP && (f.left_kind >> 2) % 2 == 0);
            if key {
                self.keys.push(start);
            }
            let v = match r.item()? {
                Item::Int(i) => Term::small(i),
                Item::Big(neg, d) => self.big(neg, d),
                Item::Float(f) => {
                    let at = self.alloc(header(Kind::Float, 1), 1);
                    self.heap.words[at + 1] = Term(f.to_bits());
                    Term::boxed_ptr(at)
                }
                Item::Atom(a) => self.atom(a)?,
                Item::Nil => Term::NIL,
                Item::String(b) => {
                    let at = self.heap.words.len();
                    for (i, &c) in b.iter().enumerate() {
                        let tail = if i + 1 < b.len() {
                            Term::cons_ptr(at + 2 * i + 2)
                        } else {
                            Term::NIL
                        };
                        self.heap.words.push(Term::small(i64::from(c)));
                        self.heap.words.push(tail);
                    }
                    Term::cons_ptr(at)
                }
                Item::Binary(b, bits) => {
                    let mut data = Vec::new();
                    data.try_reserve_exact(b.len())
                        .map_err(|_| OverBudget { wanted: b.len() })?;
                    data.extend_from_slice(b);
                    let len = if bits == 0 {
                        8 * b.len()
                    } else {
                        if let Some(last) = data.last_mut() {
                            *last &= 0xFFu8 << (8 - bits);
                        }
                        8 * (b.len() - 1) + usize::from(bits)
                    };
                    self.heap.binary_bits(data, len)
                }
                Item::Pid(_, id, serial) => Term::pid_from_parts(id, serial).ok_or(INVALID)?,
                Item::Port(_, id) => Term::small((id & 0xffff_ffff) as i64),
                Item::Ref(_, n) => {
                    let at = self.alloc(header(Kind::Ref, 1), 1);
                    self.heap.words[at + 1] = Term(n);
                    Term::boxed_ptr(at)
                }
                Item::Export(m, f, arity) => {
                    let (m, f) = (self.atom(m)?, self.atom(f)?);
                    let at = self.alloc(header(Kind::Export, 3), 0);
                    let w = &mut self.heap.words;
                    w.extend_from_slice(&[m, f, Term::small(i64::from(arity))]);
                    Term::boxed_ptr(at)
                }
                Item::Fun(m, index, free, arity) => {
                    let m = self.atom(m)?;
                    let id = self.fun_id(m, index, free, arity)?;
                    let at = self.alloc(header(Kind::Fun, 1 + free), 1 + free);
                    self.heap.words[at + 1] = Term::small(id as i64);
                    if free == 0 {
                        Term::boxed_ptr(at)
                    } else {
                        self.place(Term::boxed_ptr(at));
                        self.open(at + 2, free, TUPLE);
                        continue;
                    }
                }
                Item::Tuple(n) => {
                    let at = self.alloc(header(Kind::Tuple, n), n);
                    self.place(Term::boxed_ptr(at));
                    if n > 0 {
                        self.open(at + 1, n, TUPLE);
                        continue;
                    }
                    self.close()?;
                    if self.frames.is_empty() {
                        return Ok(self.root);
                    }
                    continue;
                }
                Item::List(0) => {
                    if key {
                        // The tail is the key: it starts after the empty list's header.
                        self.keys.pop();
                    }
                    continue;
                }
                Item::List(n) => {
                    let at = self.heap.words.len();
                    for i in 0..n {
                        self.heap.words.push(Term::NIL);
                        let next = if i + 1 < n {
                            Term::cons_ptr(at + 2 * i + 2)
                        } else {
                            Term::NIL
                        };
                        self.heap.words.push(next);
                    }
                    self.place(Term::cons_ptr(at));
                    self.open(at, n, HEADS);
                    continue;
                }
                Item::Map(n) => {
                    let at = self.alloc(header(Kind::Map, 2 * n), 2 * n);
                    self.place(Term::boxed_ptr(at));
                    if n > 0 {
                        self.open(at, 2 * n, MAP);
                        continue;
                    }
                    self.close()?;
                    if self.frames.is_empty() {
                        return Ok(self.root);
                    }
                    continue;
                }
            };
            self.place(v);
            self.close()?;
            if self.frames.is_empty() {
                return Ok(self.root);
            }
        }
    }

    /// Closes the containers whose slots are all filled (sorting maps' pairs).
    fn close(&mut self) -> Result<()> {
        while let Some(&f) = self.frames.last() {
            if f.left_kind >> 2 != 0 {
                break;
            }
            self.frames.pop();
            if f.left_kind & 3 == MAP {
                self.sort_map(f.at)?;
            }
        }
        Ok(())
    }

    fn big(&mut self, negative: bool, digits: &[u8]) -> Term {
        if let Some((neg, m)) = word_integer(negative, digits) {
            if let Some(s) = small_of(neg, m) {
                return s;
            }
        }
        let n = limb_count(digits);
        let kind = if negative && n > 0 {
            Kind::NegBig
        } else {
            Kind::PosBig
        };
        let at = self.alloc(header(kind, n), 0);
        for c in digits.chunks(8).take(n) {
            let mut limb = [0u8; 8];
            limb[..c.len()].copy_from_slice(c);
            self.heap.words.push(Term(u64::from_le_bytes(limb)));
        }
        Term::boxed_ptr(at)
    }

    /// Sorts the pairs of the map whose header is at `at` into map key order; a key twice
    /// refuses the term.
    fn sort_map(&mut self, at: usize) -> Result<()> {
        let n = header_size(self.heap.words[at].0) / 2;
        let keys = if self.foreign {
            Some(self.keys.split_off(self.keys.len() - n))
        } else {
            None
        };
        sort_map(
            self.heap,
            self.atoms,
            self.lits,
            self.bytes,
            at,
            keys.as_deref(),
        )
    }
}

/// Sorts the pairs of the map whose header is at heap index `at` into map key order; a key
/// twice refuses the term. With `keys` (where each key starts in `bytes`), the keys are
/// ordered in their external form, as pids, ports and references need.
fn sort_map(
    heap: &mut Heap,
    atoms: &AtomTable,
    lits: &Literals,
    bytes: &[u8],
    at: usize,
    keys: Option<&[usize]>,
) -> Result<()> {
    let n = header_size(heap.words[at].0) / 2;
    let base = at + 1;
    let mut pairs: Vec<(Term, Term)> = Vec::new();
    pairs
        .try_reserve_exact(n)
        .map_err(|_| OverBudget { wanted: 16 * n })?;
    let w = &heap.words;
    pairs.extend((0..n).map(|i| (w[base + 2 * i], w[base + 2 * i + 1])));
    if let Some(offsets) = keys {
        let mut keyed = Vec::new();
        keyed
            .try_reserve_exact(n)
            .map_err(|_| OverBudget { wanted: 64 * n })?;
        for (&off, &pair) in offsets.iter().zip(&pairs) {
            let (k, _) = crate::etf::decode_body_at(bytes, off, usize::MAX).map_err(|_| INVALID)?;
            keyed.push((k, pair));
        }
        crate::sort::sort_by(&mut keyed, |a, b| crate::etf::compare_keys(&a.0, &b.0));
        if keyed
            .windows(2)
            .any(|w| crate::etf::compare_keys(&w[0].0, &w[1].0).is_eq())
        {
            return Err(INVALID);
        }
        pairs.clear();
        pairs.extend(keyed.into_iter().map(|(_, p)| p));
    } else if pairs.iter().all(|p| p.0.is_small()) {
        sort_small_keys(&mut pairs)?;
        if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(INVALID);
        }
    } else {
        let view = View {
            heap: &heap.words,
            bins: &heap.bins,
            lits,
        };
        let mut keyed: Vec<(u64, u64, (Term, Term))> = Vec::new();
        keyed
            .try_reserve_exact(n)
            .map_err(|_| OverBudget { wanted: 32 * n })?;
        keyed.extend(pairs.iter().map(|&p| {
            let (class, value) = order_prefix(&view, atoms, p.0);
            (class, value, p)
        }));
        // The prefixes decide most comparisons; equal ones leave it to the term order.
        let cmp = |a: &(u64, u64, (Term, Term)), b: &(u64, u64, (Term, Term))| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then_with(|| compare(&view, atoms, a.2 .0, b.2 .0, Mode::MapKey))
        };
        crate::sort::sort_by(&mut keyed, cmp);
        if keyed
            .windows(2)
            .any(|w| cmp(&w[0], &w[1]) == Ordering::Equal)
        {
            return Err(INVALID);
        }
        pairs.clear();
        pairs.extend(keyed.into_iter().map(|(_, _, p)| p));
    }
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        heap.words[base + 2 * i] = k;
        heap.words[base + 2 * i + 1] = v;
    }
    Ok(())
}

/// A key's place in map key order as far as its first word or so tells it: `(class, value)`
/// pairs compare as the terms do wherever they differ (a key of a lower prefix sorts first;
/// equal prefixes leave the order to the terms). Classes follow the ranks of the term order,
/// integers below floats; values are a small integer's or float's order, an atom's or a
/// bitstring's first eight bytes, a pid's number, a tuple's size and, below it, its first
/// element's prefix cut to 32 bits (a small integer's clamped, another's high bits).
fn order_prefix(v: &View, atoms: &AtomTable, t: Term) -> (u64, u64) {
    let (class, value) = prefix(v, atoms, t);
    let first = match v.tuple(t) {
        Some([first, ..]) if class == 7 => *first,
        _ => return (class, value),
    };
    let (c, x) = prefix(v, atoms, first);
    let low = match first.as_small() {
        Some(i) => (i.clamp(-(1 << 27), (1 << 27) - 1) + (1 << 27)) as u64,
        None => x >> 36,
    };
    (class, value.min(u64::from(u32::MAX)) << 32 | c << 28 | low)
}

/// [`order_prefix`] without a tuple's first element.
fn prefix(v: &View, atoms: &AtomTable, t: Term) -> (u64, u64) {
    let first8 = |bytes: &mut dyn Iterator<Item = u8>| {
        let mut b = [0u8; 8];
        for (slot, x) in b.iter_mut().zip(bytes) {
            *slot = x;
        }
        u64::from_be_bytes(b)
    };
    if let Some(i) = t.as_small() {
        return (1, (i as u64) ^ (1 << 63));
    }
    if t.is_atom() {
        return (4, first8(&mut atoms.name(t).bytes()));
    }
    if t.is_pid() {
        return (6, u64::from(t.pid_number()));
    }
    if t.is_nil() {
        return (9, 0);
    }
    if t.is_cons() {
        return (10, 0);
    }
    match v.kind(t) {
        Some(Kind::NegBig) => (0, 0),
        Some(Kind::PosBig) => (2, 0),
        Some(Kind::Float) => {
            // 0.0 and -0.0 are one key.
            let f = v.float(t).unwrap_or(0.0) + 0.0;
            let bits = f.to_bits();
            let order = if bits >> 63 == 1 {
                !bits
            } else {
                bits | 1 << 63
            };
            (3, order)
        }
        Some(Kind::Ref) => (5, 0),
        Some(Kind::Fun | Kind::Export) => (5, 1),
        Some(Kind::Tuple) => (7, v.payload(t).len() as u64),
        Some(Kind::Map | Kind::TreeMap) => (8, 0),
        Some(Kind::BinRef) => match v.binary(t) {
            Some(b) => match b.bytes() {
                Some(bytes) => (11, first8(&mut bytes.iter().copied())),
                None => {
                    let bits = b.bit_len.min(64);
                    let mut x = 0u64;
                    for i in 0..bits {
                        x |= u64::from(b.bit(i)) << (63 - i);
                    }
                    (11, x)
                }
            },
            None => (11, 0),
        },
        _ => (12, 0),
    }
}

/// Sorts pairs whose keys are all small integers by key, stably, a byte of the key at a
/// time (a large map's integer keys arrive in hash order: this takes no comparisons).
fn sort_small_keys(pairs: &mut Vec<(Term, Term)>) -> Result<()> {
    let n = pairs.len();
    let mut other: Vec<(Term, Term)> = Vec::new();
    other
        .try_reserve_exact(n)
        .map_err(|_| OverBudget { wanted: 16 * n })?;
    other.resize(n, (Term::NIL, Term::NIL));
    // Offset so that negative keys sort before positive ones as unsigned numbers.
    let key = |t: Term| (t.small_value() as u64) ^ (1 << 63);
    for shift in (0..64).step_by(8) {
        let digit = |t: Term| (key(t) >> shift) as usize & 0xff;
        let mut count = [0usize; 256];
        for p in pairs.iter() {
            count[digit(p.0)] += 1;
        }
        if count.contains(&n) {
            continue;
        }
        let mut at = 0;
        for c in count.iter_mut() {
            (*c, at) = (at, at + *c);
        }
        for &p in pairs.iter() {
            let d = digit(p.0);
            other[count[d]] = p;
            count[d] += 1;
        }
        core::mem::swap(pairs, &mut other);
    }
    Ok(())
}

/// Builds on `heap` the term [`plan`] planned at `pos` in `bytes`: reserves the heap words
/// and charges the working memory (within `limit` together), then writes the term.
pub fn build(
    heap: &mut Heap,
    atoms: &mut AtomTable,
    lits: &Literals,
    code: &Code,
    bytes: &[u8],
    pos: usize,
    p: &Plan,
) -> Result<Term> {
    let working = p.working(bytes.len());
    let limit = heap.memory_left();
    let wanted = p.result_bytes().saturating_add(working);
    if limit.is_some_and(|l| wanted > l) {
        return Err(OverBudget { wanted }.into());
    }
    let need = heap.words.len().saturating_add(p.words);
    if heap.words.capacity() < need {
        let mut words = core::mem::take(&mut heap.words);
        // Room to spare when the heap must grow anyway, so that terms decoded one after
        // the other (a long list's elements) do not move the heap each time.
        let roomy = need.max(words.capacity().saturating_mul(3) / 2);
        let grown = heap
            .grow_words(&mut words, roomy, 0)
            .or_else(|_| heap.grow_words(&mut words, need, 0));
        heap.words = words;
        grown.map_err(|_| OverBudget { wanted })?;
    }
    let _charge = heap
        .charge_temporary(working)
        .map_err(|_| OverBudget { wanted })?;
    let mut frames = Vec::new();
    frames
        .try_reserve_exact(p.depth)
        .map_err(|_| OverBudget { wanted })?;
    let first = heap.words.len();
    let mut b = Builder {
        bytes,
        heap,
        atoms,
        lits,
        code,
        foreign: p.foreign,
        frames,
        keys: Vec::new(),
        root: Term::NIL,
    };
    let t = b.run(pos)?;
    debug_assert_eq!(b.heap.words.len(), first + p.words, "words planned");
    Ok(t)
}

/// Decodes the term (without version byte) at `pos` in `bytes`: the term and where it
/// ends. The budget is what `heap`'s node has left.
pub fn decode_at(
    heap: &mut Heap,
    atoms: &mut AtomTable,
    lits: &Literals,
    code: &Code,
    bytes: &[u8],
    pos: usize,
    safe: bool,
) -> Result<(Term, usize)> {
    let (t, end, _) = decode_key(heap, atoms, lits, code, bytes, pos, safe)?;
    Ok((t, end))
}

/// [`decode_at`], saying also whether the term holds a pid, port or reference (as a map key,
/// it then orders in its external form: see [`finish_map`]).
pub fn decode_key(
    heap: &mut Heap,
    atoms: &mut AtomTable,
    lits: &Literals,
    code: &Code,
    bytes: &[u8],
    pos: usize,
    safe: bool,
) -> Result<(Term, usize, bool)> {
    let p = plan(bytes, pos, atoms, safe, heap.memory_left())?;
    let t = build(heap, atoms, lits, code, bytes, pos, &p)?;
    Ok((t, p.end, p.foreign))
}

/// A map of `n` pairs to be filled a pair at a time (its slots `[]`), then put in order by
/// [`finish_map`]: its heap index (its header's) and the term.
pub fn start_map(heap: &mut Heap, n: usize) -> Result<(usize, Term)> {
    let words = n.saturating_mul(2).saturating_add(1);
    let wanted = words.saturating_mul(8);
    if heap.memory_left().is_some_and(|l| wanted > l) {
        return Err(OverBudget { wanted }.into());
    }
    let mut v = core::mem::take(&mut heap.words);
    let need = v.len().saturating_add(words);
    let grown = heap.grow_words(&mut v, need, 0);
    heap.words = v;
    grown.map_err(|_| OverBudget { wanted })?;
    let at = heap.words.len();
    heap.words.push(Term(header(Kind::Map, 2 * n)));
    heap.words.resize(at + words, Term::NIL);
    Ok((at, Term::boxed_ptr(at)))
}

/// Puts the pairs of a map [`start_map`] made and filled in map key order (a key twice
/// refuses the term). `first` is where its pairs start in `bytes`; with `foreign` (a key
/// holds a pid, port or reference) the keys are found there again to order them in their
/// external form. A map whose keys take more than [`SORT_STEP_WORK`] comparisons to sort
/// and are neither all small integers nor foreign is left to the [`MapSort`] returned.
pub fn finish_map(
    heap: &mut Heap,
    atoms: &AtomTable,
    lits: &Literals,
    bytes: &[u8],
    first: usize,
    at: usize,
    foreign: bool,
) -> Result<Option<MapSort>> {
    let n = header_size(heap.words.get(at).ok_or(INVALID)?.0) / 2;
    let mut working = n.saturating_mul(SORT_BYTES_PER_PAIR);
    if foreign {
        working = working.saturating_add(bytes.len().saturating_mul(FOREIGN_BYTES_PER_BYTE));
    }
    let limit = heap.memory_left();
    if limit.is_some_and(|l| working > l) {
        return Err(OverBudget { wanted: working }.into());
    }
    let charge = heap
        .charge_temporary(working)
        .map_err(|_| OverBudget { wanted: working })?;
    if !foreign {
        let levels = (usize::BITS - n.leading_zeros()) as usize;
        let pairs = &heap.words[at + 1..at + 1 + 2 * n];
        if n.saturating_mul(levels) > SORT_STEP_WORK
            && !pairs.iter().step_by(2).all(|k| k.is_small())
        {
            return Ok(Some(MapSort::new(n, charge)?));
        }
        return sort_map(heap, atoms, lits, bytes, at, None).map(|()| None);
    }
    let mut keys = Vec::new();
    keys.try_reserve_exact(n)
        .map_err(|_| OverBudget { wanted: 8 * n })?;
    let mut pos = first;
    for _ in 0..n {
        keys.push(pos);
        pos = plan(bytes, pos, atoms, false, limit)?.end;
        pos = plan(bytes, pos, atoms, false, limit)?.end;
    }
    sort_map(heap, atoms, lits, bytes, at, Some(&keys))?;
    drop(charge);
    Ok(None)
}

/// `binary_to_term/2`'s decoding of `bytes` (version byte first, possibly compressed): the
/// term and the bytes it took (bytes after it are left alone).
pub fn decode(
    heap: &mut Heap,
    atoms: &mut AtomTable,
    lits: &Literals,
    code: &Code,
    bytes: &[u8],
    safe: bool,
) -> Result<(Term, usize)> {
    if bytes.first() != Some(&VERSION) {
        return Err(INVALID);
    }
    if bytes.get(1) != Some(&tag::COMPRESSED) {
        return decode_at(heap, atoms, lits, code, bytes, 1, safe);
    }
    let size = bytes.get(2..6).ok_or(INVALID)?;
    let declared = u32::from_be_bytes([size[0], size[1], size[2], size[3]]) as usize;
    let data = &bytes[6..];
    let ratio = crate::etf::MAX_INFLATE_RATIO;
    if declared > data.len().saturating_mul(ratio).saturating_add(64) {
        return Err(INVALID);
    }
    if heap.memory_left().is_some_and(|l| declared > l) {
        return Err(OverBudget { wanted: declared }.into());
    }
    let _charge = heap
        .charge_temporary(declared)
        .map_err(|_| OverBudget { wanted: declared })?;
    let (body, used) = crate::etf::inflate_term(bytes, 2).map_err(|_| INVALID)?;
    let (t, end) = decode_at(heap, atoms, lits, code, &body, 0, safe)?;
    if end != body.len() {
        return Err(INVALID);
    }
    Ok((t, used))
}

#[cfg(test)]
mod tests;
