//! The external term format written straight from heap terms (`term_to_binary`,
//! `external_size`).
//!
//! The bytes are those [`crate::etf::encode_with`] writes for the tree
//! [`to_ext`](super::ext::to_ext) makes of the same term, without the tree: small maps in map
//! key order (their heap order, but keys holding local funs sorted as erl orders funs, by
//! module name, index and old uniq, which the heap's order is not), large maps in the reverse
//! of their tree order (erl's `maps:to_list/1` order), proper lists of at most 65,535 bytes as
//! STRING_EXT, local pids, references and funs of node `nonode@nohost`.
//!
//! Invariants: nested terms are written from an explicit work stack, never by native
//! recursion, so depth costs 16 bytes of stack a pending level at most (none for the `[]`
//! tails of nested lists, which are counted, not stacked). With a limit (what the node's budget
//! has left), the output buffer and the work stack together never grow past it: the encoder
//! stops with [`OverBudget`] before allocating, and the caller kills the process.

#![forbid(unsafe_code)]

use alloc::vec::Vec;

use super::atom::AtomTable;
use super::code::{split_fun_id, Code};
use super::ext::to_ext;
use super::heap::{copy_bits, BinSlice, View};
use super::term::{Kind, Term};
use crate::etf::{tag, EncodeOptions, VERSION};

/// The node name every local pid, reference and fun reports.
pub const NODE: &str = "nonode@nohost";

/// The output buffer and work stack would need more than the limit given (or more than the
/// allocator gives): `wanted` bytes in all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverBudget {
    /// Bytes the buffer and the stack would have held.
    pub wanted: usize,
}

/// Where the encoding goes: a buffer, its growth bounded by a limit, or only a count of its
/// bytes (one type for both, so the encoder is compiled once).
#[derive(Debug, Default)]
pub struct Output {
    /// The bytes written (none when counting).
    pub out: Vec<u8>,
    counting: bool,
    counted: usize,
    limit: Option<usize>,
    /// For `term_to_iovec`: the binaries left out of `out` and referred to instead, in order
    /// (`None`: every binary's bytes are written).
    pub refs: Option<Vec<IoRef>>,
}

/// A binary `term_to_iovec` refers to instead of copying: its bytes belong at `at` in the
/// output, and are the `bit_len` bits (whole bytes) at `bit_offset` of the buffer that
/// `buf_word` names in the heap the encoder reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoRef {
    /// Where in the output the bytes would have gone.
    pub at: usize,
    /// The buffer word of the binary (as a BinRef holds it).
    pub buf_word: u64,
    /// Where the bytes start in the buffer, in bits (a multiple of 8).
    pub bit_offset: usize,
    /// Their length in bits (a multiple of 8).
    pub bit_len: usize,
}

/// Binaries longer than this many bytes are referred to by `term_to_iovec` (erl's limit for a
/// binary kept on a process heap: longer ones are shared, and its iovec shares them too).
pub const IOVEC_REF_BYTES: usize = 64;

impl Output {
    /// An empty buffer that, with its encoder's stack, holds at most `limit` bytes.
    pub fn buffer(limit: Option<usize>) -> Self {
        Output {
            limit,
            ..Output::default()
        }
    }

    /// A sink that counts the bytes and keeps none.
    pub fn counter() -> Self {
        Output {
            counting: true,
            ..Output::default()
        }
    }

    /// Makes room for `n` more bytes, with `held` bytes of work stack held besides.
    #[inline]
    fn room(&mut self, n: usize, held: usize) -> Result<(), OverBudget> {
        if self.counting || self.out.capacity() - self.out.len() >= n {
            Ok(())
        } else {
            self.grow(n, held)
        }
    }

    #[cold]
    fn grow(&mut self, n: usize, held: usize) -> Result<(), OverBudget> {
        let len = self.out.len();
        let needed = len.saturating_add(n);
        let mut cap = needed.max(self.out.capacity().saturating_mul(2)).max(64);
        if let Some(limit) = self.limit {
            let room = limit.saturating_sub(held);
            if needed > room {
                return Err(OverBudget {
                    wanted: needed.saturating_add(held),
                });
            }
            cap = cap.min(room);
        }
        self.out
            .try_reserve_exact(cap - len)
            .map_err(|_| OverBudget {
                wanted: cap.saturating_add(held),
            })
    }

    /// Appends bytes (within the room made).
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        if self.counting {
            self.counted += bytes.len();
        } else {
            self.out.extend_from_slice(bytes);
        }
    }

    /// Appends the `len` bytes of a bitstring's bits, the last one's unused bits zero.
    fn put_bits(&mut self, s: &BinSlice, len: usize) {
        if self.counting {
            self.counted += len;
            return;
        }
        if let Some(b) = s.bytes() {
            self.out.extend_from_slice(b);
            return;
        }
        let start = self.out.len();
        self.out.resize(start + len, 0);
        copy_bits(s.data, s.bit_offset, &mut self.out[start..], 0, s.bit_len);
        let bits = s.bit_len % 8;
        if bits != 0 {
            if let Some(last) = self.out.last_mut() {
                *last &= 0xFFu8 << (8 - bits);
            }
        }
    }

    /// Bytes written (or counted) so far.
    #[inline]
    pub fn len(&self) -> usize {
        if self.counting {
            self.counted
        } else {
            self.out.len()
        }
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Overwrites four bytes written earlier at `at`.
    fn patch(&mut self, at: usize, bytes: [u8; 4]) {
        if let Some(slot) = self.out.get_mut(at..at + 4) {
            slot.copy_from_slice(&bytes);
        }
    }

    /// Bytes the sink has allocated.
    fn held(&self) -> usize {
        self.out.capacity()
    }
}

/// Pending work: what is left of the terms being written, the next on top.
#[derive(Clone, Copy)]
enum Work {
    /// Write this term.
    Term(Term),
    /// Write this many `[]`s (the tails of nested lists, counted rather than stacked).
    Nils(usize),
    /// Write the payload words of this tuple, fun or small map from this index on.
    Payload(Term, u32),
    /// Write the heads of the list cells from this one on.
    Heads(Term),
    /// Write the pairs of this large map's subtree in descending order.
    Tree(Term),
    /// Write the size of the NEW_FUN_EXT whose size field is at this offset.
    FunSize(usize),
}

#[cfg(test)]
const _: () = assert!(core::mem::size_of::<Work>() == 16);

/// Most stack entries one step of [`Encoder::one`] or [`Encoder::work`] pushes.
const PUSHES_PER_STEP: usize = 4;

/// Writes heap terms in the external format (see the module documentation).
pub struct Encoder<'e, 'v> {
    v: &'e View<'v>,
    atoms: &'e AtomTable,
    code: &'e Code,
    minor: u8,
    limit: Option<usize>,
    stack: Vec<Work>,
}

impl<'e, 'v> Encoder<'e, 'v> {
    /// An encoder with `term_to_binary/2`'s `minor_version`, its stack and output bounded
    /// together by `limit` bytes.
    pub fn new(
        v: &'e View<'v>,
        atoms: &'e AtomTable,
        code: &'e Code,
        options: EncodeOptions,
        limit: Option<usize>,
    ) -> Self {
        Encoder {
            v,
            atoms,
            code,
            minor: options.minor_version,
            limit,
            stack: Vec::new(),
        }
    }

    /// Appends the encoding of `t` (without the version byte) to `sink`.
    pub fn term(&mut self, t: Term, sink: &mut Output) -> Result<(), OverBudget> {
        self.stack.clear();
        self.one(t, sink)?;
        while let Some(w) = self.stack.pop() {
            self.work(w, sink)?;
        }
        Ok(())
    }

    fn stack_bytes(&self) -> usize {
        self.stack.capacity() * core::mem::size_of::<Work>()
    }

    /// Makes room on the stack for `n` more entries.
    #[inline]
    fn stack_room(&mut self, n: usize, sink: &Output) -> Result<(), OverBudget> {
        if self.stack.capacity() - self.stack.len() >= n {
            return Ok(());
        }
        self.grow_stack(n, sink.held())
    }

    #[cold]
    fn grow_stack(&mut self, n: usize, held: usize) -> Result<(), OverBudget> {
        let len = self.stack.len();
        let cap = len
            .saturating_add(n)
            .max(self.stack.capacity().saturating_mul(2))
            .max(64);
        let wanted = cap
            .saturating_mul(core::mem::size_of::<Work>())
            .saturating_add(held);
        if self.limit.is_some_and(|l| wanted > l) {
            return Err(OverBudget { wanted });
        }
        self.stack
            .try_reserve_exact(cap - len)
            .map_err(|_| OverBudget { wanted })
    }

    /// Pushes a term to write, `[]`s counted.
    #[inline]
    fn push_term(&mut self, t: Term) {
        if t.is_nil() {
            if let Some(Work::Nils(n)) = self.stack.last_mut() {
                *n += 1;
                return;
            }
            self.stack.push(Work::Nils(1));
        } else {
            self.stack.push(Work::Term(t));
        }
    }

    /// Goes on with one pending entry.
    fn work(&mut self, w: Work, sink: &mut Output) -> Result<(), OverBudget> {
        let t = match w {
            Work::Term(t) => t,
            Work::Nils(n) => {
                sink.room(n, self.stack_bytes())?;
                for _ in 0..n {
                    sink.put(&[tag::NIL]);
                }
                return Ok(());
            }
            Work::Payload(t, i) => {
                let p = self.v.payload(t);
                let i = i as usize;
                if i + 1 < p.len() {
                    self.stack.push(Work::Payload(t, i as u32 + 1));
                }
                p[i]
            }
            Work::Heads(l) => {
                let (h, tl) = self.v.cons(l);
                if tl.is_cons() {
                    self.stack.push(Work::Heads(tl));
                }
                h
            }
            Work::Tree(n) => {
                self.stack_room(PUSHES_PER_STEP, sink)?;
                let p = self.v.payload(n);
                let (key, value, left, right) = (p[2], p[3], p[4], p[5]);
                if !left.is_nil() {
                    self.stack.push(Work::Tree(left));
                }
                self.stack.push(Work::Term(value));
                self.stack.push(Work::Term(key));
                if !right.is_nil() {
                    self.stack.push(Work::Tree(right));
                }
                return Ok(());
            }
            Work::FunSize(at) => {
                let size = (sink.len() - at) as u32;
                sink.patch(at, size.to_be_bytes());
                return Ok(());
            }
        };
        self.one(t, sink)
    }

    /// Writes `t`, or its header with its contents left on the stack.
    fn one(&mut self, t: Term, sink: &mut Output) -> Result<(), OverBudget> {
        self.stack_room(PUSHES_PER_STEP, sink)?;
        let held = self.stack_bytes();
        if let Some(i) = t.as_small() {
            sink.room(16, held)?;
            integer(i, sink);
            return Ok(());
        }
        if t.is_atom() {
            let name = self.atoms.name(t);
            sink.room(3 + name.len(), held)?;
            self.atom(name, sink);
            return Ok(());
        }
        if t.is_nil() {
            sink.room(1, held)?;
            sink.put(&[tag::NIL]);
            return Ok(());
        }
        if t.is_pid() {
            let (id, serial) = t.pid_parts();
            sink.room(16 + NODE.len(), held)?;
            self.pid(id, serial, sink);
            return Ok(());
        }
        if t.is_cons() {
            return self.list(t, sink);
        }
        let v = self.v;
        match v.kind(t) {
            Some(Kind::PosBig | Kind::NegBig) => {
                let limbs = v.payload(t);
                sink.room(6 + 8 * limbs.len(), held)?;
                big(limbs, v.kind(t) == Some(Kind::NegBig), sink);
            }
            Some(Kind::Float) => {
                let f = v.float(t).unwrap_or(0.0);
                sink.room(32, held)?;
                if self.minor == 0 {
                    text_float(f, sink);
                } else {
                    sink.put(&[tag::NEW_FLOAT]);
                    sink.put(&f.to_bits().to_be_bytes());
                }
            }
            Some(Kind::BinRef) => match v.binary(t) {
                Some(b) => {
                    let len = b.bit_len.div_ceil(8);
                    let whole = b.bit_len / 8;
                    let shared = sink.refs.is_some()
                        && !sink.counting
                        && whole > IOVEC_REF_BYTES
                        && b.bit_offset.is_multiple_of(8);
                    sink.room(if shared { 7 } else { 6 + len }, held)?;
                    let bits = (b.bit_len % 8) as u8;
                    if bits == 0 {
                        sink.put(&[tag::BINARY]);
                        sink.put(&(len as u32).to_be_bytes());
                    } else {
                        sink.put(&[tag::BIT_BINARY]);
                        sink.put(&(len as u32).to_be_bytes());
                        sink.put(&[bits]);
                    }
                    match (shared, v.bin_ref(t)) {
                        (true, Some((buf_word, bit_offset, _))) => {
                            let at = sink.out.len();
                            let r = IoRef {
                                at,
                                buf_word,
                                bit_offset,
                                bit_len: whole * 8,
                            };
                            let wanted = held.saturating_add(sink.held());
                            if let Some(refs) = &mut sink.refs {
                                refs.try_reserve(1).map_err(|_| OverBudget { wanted })?;
                                refs.push(r);
                            }
                            // A bitstring's last bits go after the shared bytes.
                            if bits != 0 {
                                let tail = BinSlice {
                                    data: b.data,
                                    bit_offset: b.bit_offset + whole * 8,
                                    bit_len: b.bit_len % 8,
                                };
                                sink.put_bits(&tail, 1);
                            }
                        }
                        _ => sink.put_bits(&b, len),
                    }
                }
                None => {
                    sink.room(1, held)?;
                    sink.put(&[tag::NIL]);
                }
            },
            Some(Kind::Export) => {
                let p = v.payload(t);
                let (m, f) = (self.atoms.name(p[0]), self.atoms.name(p[1]));
                sink.room(9 + m.len() + f.len(), held)?;
                sink.put(&[tag::EXPORT]);
                self.atom(m, sink);
                self.atom(f, sink);
                sink.put(&[tag::SMALL_INTEGER, p[2].small_value() as u8]);
            }
            Some(Kind::Fun) => self.fun(t, sink)?,
            Some(Kind::Ref) => {
                let n = v.payload(t)[0].0;
                sink.room(24 + NODE.len(), held)?;
                sink.put(&[tag::NEWER_REFERENCE, 0, 3]);
                self.atom(NODE, sink);
                sink.put(&0u32.to_be_bytes());
                sink.put(&(n as u32).to_be_bytes());
                sink.put(&((n >> 32) as u32).to_be_bytes());
                sink.put(&0u32.to_be_bytes());
            }
            Some(Kind::Tuple) => {
                let n = v.payload(t).len();
                sink.room(5, held)?;
                if let Ok(arity) = u8::try_from(n) {
                    sink.put(&[tag::SMALL_TUPLE, arity]);
                } else {
                    sink.put(&[tag::LARGE_TUPLE]);
                    sink.put(&(n as u32).to_be_bytes());
                }
                if n > 0 {
                    self.stack.push(Work::Payload(t, 0));
                }
            }
            Some(Kind::Map | Kind::TreeMap) => self.map(t, sink)?,
            Some(Kind::MatchCtx | Kind::MapNode) | None => {
                sink.room(1, held)?;
                sink.put(&[tag::NIL]);
            }
        }
        Ok(())
    }

    /// A list: STRING_EXT when it is a proper list of at most 65,535 bytes, LIST_EXT with
    /// its heads and tail left on the stack otherwise.
    fn list(&mut self, t: Term, sink: &mut Output) -> Result<(), OverBudget> {
        let v = self.v;
        let (mut n, mut bytes, mut l) = (0usize, true, t);
        while l.is_cons() {
            let (h, tl) = v.cons(l);
            bytes = bytes
                && n < usize::from(u16::MAX)
                && h.as_small().is_some_and(|i| (0..=255).contains(&i));
            n += 1;
            l = tl;
        }
        let held = self.stack_bytes();
        if bytes && l.is_nil() {
            sink.room(3 + n, held)?;
            sink.put(&[tag::STRING]);
            sink.put(&(n as u16).to_be_bytes());
            let mut l = t;
            while l.is_cons() {
                let (h, tl) = v.cons(l);
                sink.put(&[h.small_value() as u8]);
                l = tl;
            }
            return Ok(());
        }
        sink.room(5, held)?;
        sink.put(&[tag::LIST]);
        sink.put(&(n as u32).to_be_bytes());
        self.push_term(l);
        self.stack.push(Work::Heads(t));
        Ok(())
    }

    /// A map: its header, its pairs left on the stack.
    fn map(&mut self, t: Term, sink: &mut Output) -> Result<(), OverBudget> {
        let v = self.v;
        let n = v.map_size(t).unwrap_or(0);
        sink.room(5, self.stack_bytes())?;
        sink.put(&[tag::MAP]);
        sink.put(&(n as u32).to_be_bytes());
        if v.kind(t) == Some(Kind::TreeMap) {
            let root = v.payload(t)[1];
            if !root.is_nil() {
                self.stack.push(Work::Tree(root));
            }
        } else if n > super::bigmap::FLATMAP_MAX {
            // A large map kept flat (a literal, binary_to_term): in erl's order, which is
            // the reverse of what map_entries gives.
            let e = v.map_entries(t).unwrap_or_default();
            self.stack_room(2 * e.len(), sink)?;
            for (k, x) in e {
                self.push_term(x);
                self.push_term(k);
            }
        } else if n > 0 && self.fun_keys(v.payload(t)) {
            // Keys holding local funs: the heap's order for funs is not erl's (module name,
            // index, old uniq, free variables), which the tree path sorts by.
            let p = v.payload(t);
            let keys: Vec<crate::etf::ExtTerm> = p
                .iter()
                .step_by(2)
                .map(|&k| to_ext(v, self.atoms, self.code, k))
                .collect();
            let mut order: Vec<usize> = (0..n).collect();
            crate::sort::sort_by(&mut order, |&a, &b| {
                crate::etf::compare_keys(&keys[a], &keys[b])
            });
            self.stack_room(2 * n, sink)?;
            for &i in order.iter().rev() {
                self.push_term(p[2 * i + 1]);
                self.push_term(p[2 * i]);
            }
        } else if n > 0 {
            // Small maps are held sorted in map key order, the order they are written in.
            self.stack.push(Work::Payload(t, 0));
        }
        Ok(())
    }

    /// Whether any of a small map's keys (`payload`: keys and values) holds a local fun.
    fn fun_keys(&self, payload: &[Term]) -> bool {
        let v = self.v;
        let mut todo: Vec<Term> = payload
            .iter()
            .step_by(2)
            .copied()
            .filter(|k| k.is_cons() || k.is_boxed())
            .collect();
        while let Some(t) = todo.pop() {
            if t.is_cons() {
                let (h, tl) = v.cons(t);
                todo.extend([h, tl].into_iter().filter(|x| x.is_cons() || x.is_boxed()));
                continue;
            }
            match v.kind(t) {
                Some(Kind::Fun) => return true,
                Some(Kind::Tuple | Kind::Map | Kind::TreeMap | Kind::MapNode) => {
                    todo.extend(v.payload(t).iter().filter(|x| x.is_cons() || x.is_boxed()))
                }
                _ => {}
            }
        }
        false
    }

    /// A local fun: NEW_FUN_EXT, its free variables left on the stack, then its size.
    fn fun(&mut self, t: Term, sink: &mut Output) -> Result<(), OverBudget> {
        let p = self.v.payload(t);
        let (mi, li) = split_fun_id(p[0].small_value() as u64);
        let m = &self.code.modules[mi as usize];
        let lam = m.lambdas[li as usize];
        let module = self.atoms.name(m.name);
        sink.room(64 + module.len() + NODE.len(), self.stack_bytes())?;
        sink.put(&[tag::NEW_FUN]);
        let at = sink.len();
        sink.put(&[0; 4]);
        sink.put(&[lam.arity as u8]);
        // The module's MD5, erl's `new_uniq` of every fun of the module.
        sink.put(&m.md5);
        sink.put(&lam.index.to_be_bytes());
        sink.put(&((p.len() - 1) as u32).to_be_bytes());
        self.atom(module, sink);
        integer(i64::from(lam.index), sink);
        integer(i64::from(lam.old_uniq), sink);
        self.pid(0, 0, sink);
        self.stack.push(Work::FunSize(at));
        if p.len() > 1 {
            self.stack.push(Work::Payload(t, 1));
        }
        Ok(())
    }

    /// NEW_PID_EXT of a local pid.
    fn pid(&self, id: u32, serial: u32, sink: &mut Output) {
        sink.put(&[tag::NEW_PID]);
        self.atom(NODE, sink);
        sink.put(&id.to_be_bytes());
        sink.put(&serial.to_be_bytes());
        sink.put(&0u32.to_be_bytes());
    }

    /// An atom: ATOM_EXT when its characters are Latin-1 (minor versions 0 and 1),
    /// SMALL_ATOM_UTF8 or ATOM_UTF8 otherwise. At most `3 + name.len()` bytes.
    fn atom(&self, name: &str, sink: &mut Output) {
        if self.minor < 2 && name.is_ascii() {
            sink.put(&[tag::ATOM]);
            sink.put(&(name.len() as u16).to_be_bytes());
            sink.put(name.as_bytes());
        } else if self.minor < 2 && name.chars().all(|c| u32::from(c) <= 0xFF) {
            sink.put(&[tag::ATOM]);
            sink.put(&(name.chars().count() as u16).to_be_bytes());
            for c in name.chars() {
                sink.put(&[u32::from(c) as u8]);
            }
        } else if let Ok(len) = u8::try_from(name.len()) {
            sink.put(&[tag::SMALL_ATOM_UTF8, len]);
            sink.put(name.as_bytes());
        } else {
            sink.put(&[tag::ATOM_UTF8]);
            sink.put(&(name.len() as u16).to_be_bytes());
            sink.put(name.as_bytes());
        }
    }
}

/// An integer of a machine word: SMALL_INTEGER, INTEGER or SMALL_BIG (at most 11 bytes).
fn integer(i: i64, sink: &mut Output) {
    if let Ok(small) = u8::try_from(i) {
        sink.put(&[tag::SMALL_INTEGER, small]);
    } else if let Ok(word) = i32::try_from(i) {
        sink.put(&[tag::INTEGER]);
        sink.put(&word.to_be_bytes());
    } else {
        let digits = i.unsigned_abs().to_le_bytes();
        let n = 8 - (i.unsigned_abs().leading_zeros() / 8) as usize;
        sink.put(&[tag::SMALL_BIG, n as u8, u8::from(i < 0)]);
        sink.put(&digits[..n]);
    }
}

/// A bignum from its magnitude's little-endian limbs: SMALL_BIG or LARGE_BIG (INTEGER or
/// SMALL_INTEGER should it fit one).
fn big(limbs: &[Term], negative: bool, sink: &mut Output) {
    let top = limbs.iter().rposition(|l| l.0 != 0);
    let n = top.map_or(0, |i| 8 * i + 8 - (limbs[i].0.leading_zeros() / 8) as usize);
    if n <= 8 {
        let m = limbs.first().map_or(0, |l| l.0);
        let fits = if negative {
            m <= 1 << 31
        } else {
            m <= i32::MAX as u64
        };
        if fits {
            let value = if negative { -(m as i64) } else { m as i64 };
            integer(value, sink);
            return;
        }
    }
    if let Ok(n8) = u8::try_from(n) {
        sink.put(&[tag::SMALL_BIG, n8]);
    } else {
        sink.put(&[tag::LARGE_BIG]);
        sink.put(&(n as u32).to_be_bytes());
    }
    sink.put(&[u8::from(negative)]);
    let mut left = n;
    for l in limbs {
        let take = left.min(8);
        sink.put(&l.0.to_le_bytes()[..take]);
        left -= take;
        if left == 0 {
            break;
        }
    }
}

/// FLOAT_EXT: the float as C's `printf("%.20e")` writes it, NUL-padded to 31 bytes.
fn text_float(f: f64, sink: &mut Output) {
    use core::fmt::Write;

    // `sci` has C's exactly rounded digits but writes the exponent as `e5` / `e-5`; C
    // writes a sign and at least two digits.
    let text = crate::vm::decimal::sci(f, 20);
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(digits) => ('-', digits),
        None => ('+', exponent),
    };
    let mut field = [0u8; 31];
    let mut w = FieldWriter {
        field: &mut field,
        at: 0,
    };
    let _ = write!(w, "{mantissa}e{sign}{digits:0>2}");
    sink.put(&[tag::FLOAT]);
    sink.put(&field);
}

/// Writes text into a fixed field, dropping what does not fit.
struct FieldWriter<'a> {
    field: &'a mut [u8; 31],
    at: usize,
}

impl core::fmt::Write for FieldWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            if let Some(slot) = self.field.get_mut(self.at) {
                *slot = b;
                self.at += 1;
            }
        }
        Ok(())
    }
}

/// `term_to_binary(T, [{minor_version, M}])`'s bytes, the version byte first; the buffer and
/// the work stack together stay within `limit` bytes.
pub fn encode(
    v: &View,
    atoms: &AtomTable,
    code: &Code,
    t: Term,
    options: EncodeOptions,
    limit: Option<usize>,
) -> Result<Vec<u8>, OverBudget> {
    let mut out = Output::buffer(limit);
    encode_to(v, atoms, code, t, options, &mut out)?;
    Ok(out.out)
}

/// [`encode`] into `out`, within its limit.
pub fn encode_to(
    v: &View,
    atoms: &AtomTable,
    code: &Code,
    t: Term,
    options: EncodeOptions,
    out: &mut Output,
) -> Result<(), OverBudget> {
    let mut e = Encoder::new(v, atoms, code, options, out.limit);
    out.room(1, 0)?;
    out.put(&[VERSION]);
    e.term(t, out)
}

/// The size of [`encode`]'s bytes, counted without writing them; the work stack stays within
/// `limit` bytes.
pub fn encoded_size(
    v: &View,
    atoms: &AtomTable,
    code: &Code,
    t: Term,
    options: EncodeOptions,
    limit: Option<usize>,
) -> Result<usize, OverBudget> {
    let mut e = Encoder::new(v, atoms, code, options, limit);
    let mut n = Output::counter();
    n.put(&[VERSION]);
    e.term(t, &mut n)?;
    Ok(n.len())
}

#[cfg(test)]
pub(crate) mod tests;
