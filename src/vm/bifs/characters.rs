//! `unicode:characters_to_list/1,2` and `characters_to_binary/1,2`, a bounded amount of
//! input at a time (continuation [`trap::CHARACTERS`]).
//!
//! First the input's structure is checked in one go, as erl does (integers, binaries and
//! lists of them: a malformed input is `badarg` even where a bad character comes first, and
//! a walk that allocates nothing is cheap); a single valid UTF-8 binary wanted as a binary
//! is returned as it is, as erl does, also in one go. Then the conversion goes in steps of
//! about [`STEP`] units of work (a list element, or [`BYTES_PER_UNIT`] bytes of a binary),
//! trapping in between so that the others run, as erl's BIFs trap: the characters are
//! decoded into a buffer (code points for a list, UTF-8 for a binary), up to the first bad
//! or cut character; for a list, the list is then built from the end of the buffer.
//!
//! The terms a walk still has to visit (the current part and the tails of the enclosing
//! lists) are in the trap's arguments, where the collector sees them; the buffer and the
//! position in the current binary are the process's native trap state (`Conversion`),
//! charged to the node's memory account while the others run. Results, `{error, _, _}` and
//! `{incomplete, _, _}` are those of a conversion in one go.

#![forbid(unsafe_code)]

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;

use super::trap;
use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::heap::View;
use crate::vm::memory::TempCharge;
use crate::vm::process::SLICE_REDUCTIONS;
use crate::vm::term::Term;

/// Units of work a step does.
pub const STEP: usize = 1 << 14;

/// Bytes of a binary decoded for one unit of work (a step reads 64 KiB).
pub const BYTES_PER_UNIT: usize = 4;

/// Characters one step adds to the output at most: a character per list element, or per
/// byte of a binary chunk, with a character's worth for a chunk's cut-off bytes.
const STEP_OUTPUT: usize = STEP * BYTES_PER_UNIT + STEP;

/// List cells built for one unit of work.
const CELLS_PER_UNIT: usize = 4;

/// List cells whose structure is checked for one reduction.
const CHECKS_PER_REDUCTION: usize = 64;

/// An input encoding of `characters_to_list/2` and `characters_to_binary/2`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// ISO 8859-1: a byte is a character.
    Latin1,
    /// UTF-8 (`unicode`).
    Utf8,
    /// UTF-16, little-endian when true.
    Utf16(bool),
    /// UTF-32, little-endian when true.
    Utf32(bool),
}

fn encoding(ctx: &Ctx, t: Option<&Term>) -> Option<Encoding> {
    let Some(&t) = t else {
        return Some(Encoding::Utf8);
    };
    let name = |t: Term| t.is_atom().then(|| ctx.atoms.name(t));
    if let Some([e, endian]) = ctx.view().tuple(t) {
        let little = match name(*endian)? {
            "little" => true,
            "big" => false,
            _ => return None,
        };
        return match name(*e)? {
            "utf16" => Some(Encoding::Utf16(little)),
            "utf32" => Some(Encoding::Utf32(little)),
            _ => None,
        };
    }
    Some(match name(t)? {
        "latin1" => Encoding::Latin1,
        "unicode" | "utf8" => Encoding::Utf8,
        "utf16" => Encoding::Utf16(false),
        "utf32" => Encoding::Utf32(false),
        _ => return None,
    })
}

/// The characters converted so far.
enum Out {
    /// Code points, for a list.
    Chars(Vec<u32>),
    /// UTF-8, for a binary.
    Utf8(Vec<u8>),
}

impl Out {
    /// Appends a valid code point.
    fn push(&mut self, c: u32) {
        match self {
            Out::Chars(v) => v.push(c),
            Out::Utf8(v) => {
                if let Some(ch) = char::from_u32(c) {
                    let mut buf = [0; 4];
                    v.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
    }

    /// Appends valid code points.
    fn push_chars(&mut self, cs: &[u32]) {
        match self {
            Out::Chars(v) => v.extend_from_slice(cs),
            Out::Utf8(v) => {
                for &c in cs {
                    if let Some(ch) = char::from_u32(c) {
                        v.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                    }
                }
            }
        }
    }

    /// Appends the characters of `s`.
    fn push_str(&mut self, s: &str) {
        match self {
            Out::Chars(v) if s.is_ascii() => v.extend(s.bytes().map(u32::from)),
            Out::Chars(v) => {
                // `chars` gives no exact size: room for one per byte, at most 4 times more.
                v.reserve(s.len());
                v.extend(s.chars().map(u32::from));
            }
            Out::Utf8(v) => v.extend_from_slice(s.as_bytes()),
        }
    }

    /// Appends Latin-1 characters.
    fn push_latin1(&mut self, b: &[u8]) {
        match self {
            Out::Chars(v) => v.extend(b.iter().map(|&c| u32::from(c))),
            Out::Utf8(v) if b.is_ascii() => v.extend_from_slice(b),
            Out::Utf8(v) => {
                for &c in b {
                    if c < 0x80 {
                        v.push(c);
                    } else {
                        v.extend_from_slice(&[0xC0 | (c >> 6), 0x80 | (c & 0x3F)]);
                    }
                }
            }
        }
    }

    /// Room for what one step can add (see [`STEP_OUTPUT`]), taken from the allocator
    /// fallibly before each step after the first, so that the step's pushes never grow the
    /// buffer on their own: a buffer of tens of MB doubling by itself could take more than
    /// the node has. (The first step starts from nothing: its growth is one step's output.)
    fn step_room(&mut self) -> Result<(), ()> {
        match self {
            Out::Chars(v) => v.try_reserve(STEP_OUTPUT).map_err(|_| ()),
            Out::Utf8(v) => v.try_reserve(4 * STEP_OUTPUT).map_err(|_| ()),
        }
    }

    /// Bytes the buffer holds (its capacity).
    fn held(&self) -> usize {
        match self {
            Out::Chars(v) => v.capacity() * 4,
            Out::Utf8(v) => v.capacity(),
        }
    }
}

/// Why decoding a binary stopped early.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Not a character at this offset.
    Invalid(usize),
    /// A character starts at this offset but the bytes end inside it.
    Incomplete(usize),
}

/// Appends the characters of `b` in encoding `enc` to `out`.
fn decode(b: &[u8], enc: Encoding, out: &mut Out) -> Result<(), Stop> {
    match enc {
        Encoding::Latin1 => out.push_latin1(b),
        Encoding::Utf8 => {
            let (ok, stop) = match core::str::from_utf8(b) {
                Ok(s) => (s, None),
                Err(e) => {
                    let at = e.valid_up_to();
                    let stop = match e.error_len() {
                        Some(_) => Stop::Invalid(at),
                        None => Stop::Incomplete(at),
                    };
                    (core::str::from_utf8(&b[..at]).unwrap_or(""), Some(stop))
                }
            };
            out.push_str(ok);
            return stop.map_or(Ok(()), Err);
        }
        Encoding::Utf16(little) | Encoding::Utf32(little) => {
            // Into code points first, then into the buffer in one go.
            let mut cs = Vec::new();
            let r = if let Encoding::Utf16(_) = enc {
                utf16(b, little, &mut cs)
            } else {
                utf32(b, little, &mut cs)
            };
            out.push_chars(&cs);
            return r;
        }
    }
    Ok(())
}

/// The code points of UTF-16 `b`.
fn utf16(b: &[u8], little: bool, out: &mut Vec<u32>) -> Result<(), Stop> {
    let unit = |i: usize| -> u32 {
        let u = [b[i], b[i + 1]];
        u32::from(if little {
            u16::from_le_bytes(u)
        } else {
            u16::from_be_bytes(u)
        })
    };
    out.reserve(b.len() / 2);
    let mut i = 0;
    while i < b.len() {
        if i + 2 > b.len() {
            return Err(Stop::Incomplete(i));
        }
        let u = unit(i);
        let c = match u {
            0xD800..=0xDBFF if i + 4 > b.len() => return Err(Stop::Incomplete(i)),
            0xD800..=0xDBFF => match unit(i + 2) {
                l @ 0xDC00..=0xDFFF => 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00),
                _ => return Err(Stop::Invalid(i)),
            },
            0xDC00..=0xDFFF => return Err(Stop::Invalid(i)),
            u => u,
        };
        out.push(c);
        i += if c >= 0x10000 { 4 } else { 2 };
    }
    Ok(())
}

/// The code points of UTF-32 `b`.
fn utf32(b: &[u8], little: bool, out: &mut Vec<u32>) -> Result<(), Stop> {
    out.reserve(b.len() / 4);
    for (n, c) in b.chunks(4).enumerate() {
        let Ok(c) = <[u8; 4]>::try_from(c) else {
            return Err(Stop::Incomplete(n * 4));
        };
        let c = if little {
            u32::from_le_bytes(c)
        } else {
            u32::from_be_bytes(c)
        };
        if char::from_u32(c).is_none() {
            return Err(Stop::Invalid(n * 4));
        }
        out.push(c);
    }
    Ok(())
}

/// Where a conversion is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Decoding characters.
    Convert,
    /// Building the list from the end of the buffer.
    Build,
}

/// How a conversion stopped before the end of its input.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stopped {
    /// `{error, Converted, Rest}`: a bad character.
    Error,
    /// `{incomplete, Converted, Rest}`: the input ends inside a character.
    Incomplete,
}

/// A conversion's native state between steps.
struct Conversion {
    phase: Phase,
    enc: Encoding,
    /// Whether the result is a list (else a UTF-8 binary).
    to_list: bool,
    out: Out,
    /// The start of a character cut at the end of the last binary.
    pending: Vec<u8>,
    /// Bytes of the current binary already decoded.
    offset: usize,
    /// Set once the conversion stopped early (its rest is in the trap's arguments).
    stopped: Option<Stopped>,
    /// Whether all read so far is one flat list of characters: converted to a list, such an
    /// input is its own result.
    flat: bool,
    /// Characters of the buffer still to put in front of the list being built.
    left: usize,
    /// The charges for the buffer while the conversion is parked, and their total.
    charges: Vec<TempCharge>,
    charged: usize,
}

impl Conversion {
    /// Charges what the buffers hold beyond what is charged already; `false` when the node
    /// cannot hold it.
    fn charge(&mut self, ctx: &Ctx) -> bool {
        let held = self.out.held() + self.pending.capacity();
        if held <= self.charged {
            return true;
        }
        if let Some(m) = ctx.p.heap.memory_account() {
            match m.try_charge_temporary(held - self.charged) {
                Ok(c) => self.charges.push(c),
                Err(_) => return false,
            }
        }
        self.charged = held;
        true
    }
}

/// How a bounded run of a conversion ended.
enum Ended {
    /// The BIF's result.
    Done(Term),
    /// The step's work is done; the terms go in the trap's arguments.
    Paused(Term, Term),
}

/// `unicode:characters_to_list/1,2`.
pub fn characters_to_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    start(ctx, a, true)
}

/// `unicode:characters_to_binary/1,2`: UTF-8 from any input encoding. (`/3` is OTP's own
/// code over these.)
pub fn characters_to_binary(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    start(ctx, a, false)
}

fn start(ctx: &mut Ctx, a: &[Term], to_list: bool) -> BifResult {
    let enc = encoding(ctx, a.get(1)).ok_or_else(badarg)?;
    let cells = {
        let v = ctx.view();
        if !to_list && enc == Encoding::Utf8 {
            if let Some(b) = v.binary_bytes(a[0]) {
                if core::str::from_utf8(&b).is_ok() {
                    ctx.charge(b.len() / (BYTES_PER_UNIT * STEP / SLICE_REDUCTIONS as usize));
                    return Ok(a[0]);
                }
            }
        }
        well_formed(&v, a[0]).ok_or_else(badarg)?
    };
    ctx.charge(cells / CHECKS_PER_REDUCTION);
    let mut st = Conversion {
        phase: Phase::Convert,
        enc,
        to_list,
        out: if to_list {
            Out::Chars(Vec::new())
        } else {
            Out::Utf8(Vec::new())
        },
        pending: Vec::new(),
        offset: 0,
        stopped: None,
        flat: true,
        left: 0,
        charges: Vec::new(),
        charged: 0,
    };
    match run(ctx, &mut st, a[0], a[0], Term::NIL)? {
        Ended::Done(t) => Ok(t),
        Ended::Paused(t2, t3) => {
            if !st.charge(ctx) {
                return Err(Fault::error(atom::SYSTEM_LIMIT));
            }
            ctx.p.trap_state = Some(Box::new(st));
            let args = ctx.p.heap.list(a);
            let kind = Term::small(trap::CHARACTERS);
            Err(Fault::TrapTo([kind, args, t2, t3]))
        }
    }
}

/// One step (continuation [`trap::CHARACTERS`]): `a[1]` is the list of the BIF's arguments;
/// `a[2]` and `a[3]` the part being read and the tails of the enclosing lists (innermost
/// first), or while building, the list so far and the rest of the input after a bad
/// character.
pub fn step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let st = ctx.p.trap_state.take();
    let mut st = st
        .and_then(|b| b.downcast::<Conversion>().ok())
        .ok_or_else(badarg)?;
    let args = list_vec(&ctx.view(), a[1]);
    let name = if st.to_list {
        ("unicode", "characters_to_list")
    } else {
        ("unicode", "characters_to_binary")
    };
    let data = *args.first().ok_or_else(badarg)?;
    if st.out.step_room().is_err() {
        return Err(Fault::trapped_error(ctx, atom::SYSTEM_LIMIT, name, &args));
    }
    let ended = run(ctx, &mut st, data, a[2], a[3]);
    ctx.charge(SLICE_REDUCTIONS as usize);
    match ended {
        Ok(Ended::Done(t)) => Ok(t),
        Ok(Ended::Paused(t2, t3)) => {
            if !st.charge(ctx) {
                return Err(Fault::trapped_error(ctx, atom::SYSTEM_LIMIT, name, &args));
            }
            ctx.p.trap_state = Some(st);
            Err(Fault::TrapTo([a[0], a[1], t2, t3]))
        }
        Err(f) => Err(f),
    }
}

/// Runs conversion `st` of `data` for about a step's work from where `t2` and `t3` say.
fn run(
    ctx: &mut Ctx,
    st: &mut Conversion,
    data: Term,
    mut t2: Term,
    mut t3: Term,
) -> Result<Ended, Fault> {
    let mut work = 0;
    if st.phase == Phase::Convert {
        let mut frames = list_vec(&ctx.view(), t3);
        frames.reverse();
        let mut cur = t2;
        match convert(ctx, st, &mut cur, &mut frames, &mut work)? {
            Converted::Paused => {
                let frames = frames_list(ctx, &frames);
                return Ok(Ended::Paused(cur, frames));
            }
            Converted::Done if st.to_list && st.flat => {
                // A flat list of characters: the list itself (no copy to build).
                st.out = Out::Chars(Vec::new());
                st.charges.clear();
                ctx.charge(work / (STEP / SLICE_REDUCTIONS as usize));
                return Ok(Ended::Done(data));
            }
            Converted::Done => t3 = Term::NIL,
            Converted::Stopped(how, rest) => {
                st.stopped = Some(how);
                t3 = rest;
            }
        }
        if !st.to_list {
            let out = match core::mem::replace(&mut st.out, Out::Utf8(Vec::new())) {
                Out::Utf8(v) => v,
                Out::Chars(_) => Vec::new(),
            };
            st.charges.clear();
            let bin = ctx.p.heap.binary(out);
            ctx.charge(work / (STEP / SLICE_REDUCTIONS as usize));
            return Ok(Ended::Done(result(ctx, st.stopped, bin, t3)?));
        }
        st.phase = Phase::Build;
        st.left = match &st.out {
            Out::Chars(v) => v.len(),
            Out::Utf8(_) => 0,
        };
        if st.left > STEP * CELLS_PER_UNIT {
            // Room for the whole list now, so no collection copies it between the steps.
            ctx.p.make_room(st.left.saturating_mul(2));
        }
        t2 = Term::NIL;
    }
    // Building the list from the end of the buffer.
    let Out::Chars(chars) = &st.out else {
        return Err(badarg());
    };
    let budget = STEP.saturating_sub(work) * CELLS_PER_UNIT;
    let from = st.left.saturating_sub(budget.max(CELLS_PER_UNIT));
    // This step's cells fit in the heap's vector before they are made.
    ctx.p
        .reserve_words(2 * (st.left - from))
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    let mut list = t2;
    for &c in chars[from..st.left].iter().rev() {
        list = ctx.p.heap.cons(Term::small(i64::from(c)), list);
    }
    work += (st.left - from) / CELLS_PER_UNIT;
    st.left = from;
    if from > 0 {
        return Ok(Ended::Paused(list, t3));
    }
    st.out = Out::Chars(Vec::new());
    st.charges.clear();
    ctx.charge(work / (STEP / SLICE_REDUCTIONS as usize));
    result(ctx, st.stopped, list, t3).map(Ended::Done)
}

/// The converted characters, or `{error | incomplete, Converted, Rest}`.
fn result(ctx: &mut Ctx, stopped: Option<Stopped>, converted: Term, rest: Term) -> BifResult {
    let tag = match stopped {
        None => return Ok(converted),
        Some(Stopped::Error) => atom::ERROR,
        Some(Stopped::Incomplete) => ctx.atoms.intern("incomplete").map_err(|_| badarg())?,
    };
    Ok(ctx.p.heap.tuple(&[tag, converted, rest]))
}

/// The number of list cells of `t` if it is chardata as far as its structure goes
/// (integers, binaries of whole bytes, lists of them).
fn well_formed(v: &View, t: Term) -> Option<usize> {
    let is_bytes = |t: Term| v.binary(t).is_some_and(|b| b.bit_len.is_multiple_of(8));
    // Tails of the enclosing lists: as deep as the nesting, not as long as the lists.
    let mut frames = Vec::new();
    let mut cur = t;
    let mut cells = 0;
    loop {
        if cur.is_cons() {
            let (h, tl) = v.cons(cur);
            cells += 1;
            if h.is_small() || is_bytes(h) {
                cur = tl;
            } else if h.is_cons() || h.is_nil() {
                frames.push(tl);
                cur = h;
            } else {
                return None;
            }
            continue;
        }
        if !cur.is_nil() && !is_bytes(cur) {
            return None;
        }
        match frames.pop() {
            Some(f) => cur = f,
            None => return Some(cells),
        }
    }
}

/// How a bounded conversion ended.
enum Converted {
    Done,
    Paused,
    /// Stopped early, with erl's rest of the input.
    Stopped(Stopped, Term),
}

/// Decodes `cur` and the tails on `frames` (innermost last) into `st`'s buffer for the rest
/// of a step's work. On a bad character, erl's rest of the input: the unread part of each
/// enclosing list consed around the unread part of the innermost one. A character cut at
/// the end of one binary may go on in the next.
fn convert(
    ctx: &mut Ctx,
    st: &mut Conversion,
    cur: &mut Term,
    frames: &mut Vec<Term>,
    work: &mut usize,
) -> Result<Converted, Fault> {
    let limit = if st.enc == Encoding::Latin1 {
        255
    } else {
        0x10FFFF
    };
    loop {
        if *work >= STEP {
            return Ok(Converted::Paused);
        }
        let v = ctx.p.heap.view(ctx.lits);
        if cur.is_cons() {
            // Along the list while its elements are characters.
            let mut bad = false;
            while cur.is_cons() && *work < STEP {
                let (h, tl) = v.cons(*cur);
                *work += 1;
                let Some(c) = h.as_small() else {
                    st.flat = false;
                    frames.push(tl);
                    *cur = h;
                    break;
                };
                let ok = (0..=limit).contains(&c) && char::from_u32(c as u32).is_some();
                if !ok || !st.pending.is_empty() {
                    bad = true;
                    break;
                }
                st.out.push(c as u32);
                *cur = tl;
            }
            if bad {
                let rest = wrap(ctx, *cur, frames);
                let rest = if st.pending.is_empty() {
                    rest
                } else {
                    let pending = core::mem::take(&mut st.pending);
                    cut(ctx, &pending, rest, st.enc)
                };
                return Ok(Converted::Stopped(Stopped::Error, rest));
            }
            continue;
        }
        if !cur.is_nil() {
            st.flat = false;
        }
        let len = match v.binary(*cur) {
            Some(b) if b.bit_len.is_multiple_of(8) => b.bit_len / 8,
            _ => 0,
        };
        if len > 0 {
            let b = v.binary(*cur).ok_or_else(badarg)?;
            let bytes: Cow<[u8]> = match b.bytes() {
                Some(x) => Cow::Borrowed(x),
                None if len <= STEP * BYTES_PER_UNIT => Cow::Owned(b.to_vec()),
                None => {
                    // The steps read byte ranges: a long binary not on a byte boundary is
                    // copied once.
                    *cur = super::conv::aligned_copy(ctx, *cur)?;
                    continue;
                }
            };
            let start = st.offset;
            let end = len.min(start + STEP * BYTES_PER_UNIT);
            let plen = st.pending.len();
            let joined;
            let chunk: &[u8] = if plen == 0 {
                &bytes[start..end]
            } else {
                joined = [&st.pending[..], &bytes[start..end]].concat();
                &joined
            };
            let r = decode(chunk, st.enc, &mut st.out);
            *work += (end - start) / BYTES_PER_UNIT + 1;
            match r {
                Ok(()) => st.pending.clear(),
                // Cut by the step's end: read again from the character's start.
                Err(Stop::Incomplete(at)) if end < len && at >= plen => {
                    st.pending.clear();
                    st.offset = start + at - plen;
                    continue;
                }
                Err(Stop::Incomplete(at)) => st.pending = chunk[at..].to_vec(),
                Err(Stop::Invalid(at)) if at < plen => {
                    let start = chunk[at..plen].to_vec();
                    st.pending.clear();
                    let rest = wrap(ctx, *cur, frames);
                    return Ok(Converted::Stopped(
                        Stopped::Error,
                        cut(ctx, &start, rest, st.enc),
                    ));
                }
                Err(Stop::Invalid(at)) => {
                    // The rest of the binary, from the bad character on.
                    let from = start + at - plen;
                    let (w, off, _) = v.bin_ref(*cur).ok_or_else(badarg)?;
                    let rest = if b.bytes().is_some() {
                        ctx.p.heap.bin_ref(w, off + 8 * from, 8 * (len - from))
                    } else {
                        let tail = bytes[from..].to_vec();
                        ctx.p.heap.binary(tail)
                    };
                    return Ok(Converted::Stopped(Stopped::Error, wrap(ctx, rest, frames)));
                }
            }
            if end < len {
                st.offset = end;
                continue;
            }
            st.offset = 0;
        }
        match frames.pop() {
            Some(f) => *cur = f,
            None if st.pending.is_empty() => return Ok(Converted::Done),
            None => {
                let pending = core::mem::take(&mut st.pending);
                let rest = ctx.p.heap.binary(pending);
                return Ok(Converted::Stopped(Stopped::Incomplete, rest));
            }
        }
    }
}

/// The rest for the start of a character that what follows (`rest`) does not complete:
/// `[Start, Rest]` for UTF-8, `[Start | Rest]` for the other encodings (as erl's OTP code
/// builds it).
fn cut(ctx: &mut Ctx, start: &[u8], rest: Term, enc: Encoding) -> Term {
    let start = ctx.p.heap.binary(start.to_vec());
    if enc == Encoding::Utf8 {
        ctx.p.heap.list(&[start, rest])
    } else {
        ctx.p.heap.cons(start, rest)
    }
}

/// `rest` consed onto the tails of the enclosing lists (innermost last).
fn wrap(ctx: &mut Ctx, mut rest: Term, frames: &[Term]) -> Term {
    for &f in frames.iter().rev() {
        rest = ctx.p.heap.cons(rest, f);
    }
    rest
}

/// The elements of a proper list.
fn list_vec(v: &View, mut l: Term) -> Vec<Term> {
    let mut out = Vec::new();
    while l.is_cons() {
        let (h, t) = v.cons(l);
        out.push(h);
        l = t;
    }
    out
}

/// The tails (innermost last) as a list, innermost first.
fn frames_list(ctx: &mut Ctx, frames: &[Term]) -> Term {
    let mut l = Term::NIL;
    for &t in frames {
        l = ctx.p.heap.cons(t, l);
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Code points of `b` read in two pieces cut at `k`, as the steps read a long binary:
    /// a character cut by the first piece's end is read again from its start.
    fn in_two(b: &[u8], enc: Encoding, k: usize) -> (Vec<u32>, Result<(), Stop>) {
        let mut out = Out::Chars(Vec::new());
        let from = match decode(&b[..k], enc, &mut out) {
            Ok(()) => k,
            Err(Stop::Incomplete(at)) => at,
            Err(e) => return (chars(out), Err(e)),
        };
        let r = decode(&b[from..], enc, &mut out).map_err(|e| match e {
            Stop::Invalid(at) => Stop::Invalid(from + at),
            Stop::Incomplete(at) => Stop::Incomplete(from + at),
        });
        (chars(out), r)
    }

    fn chars(out: Out) -> Vec<u32> {
        match out {
            Out::Chars(v) => v,
            Out::Utf8(_) => Vec::new(),
        }
    }

    fn encode(s: &str, enc: Encoding) -> Vec<u8> {
        let mut b = Vec::new();
        for c in s.chars() {
            match enc {
                Encoding::Latin1 => b.push(c as u8),
                Encoding::Utf8 => b.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                Encoding::Utf16(little) => {
                    for u in c.encode_utf16(&mut [0; 2]) {
                        let u = if little {
                            u.to_le_bytes()
                        } else {
                            u.to_be_bytes()
                        };
                        b.extend_from_slice(&u);
                    }
                }
                Encoding::Utf32(little) => {
                    let c = c as u32;
                    b.extend_from_slice(&if little {
                        c.to_le_bytes()
                    } else {
                        c.to_be_bytes()
                    });
                }
            }
        }
        b
    }

    #[test]
    fn any_cut_reads_as_the_whole() {
        let text = "ab\u{e9}\u{20ac}x\u{1f600}\u{10ffff}z";
        let encodings = [
            Encoding::Utf8,
            Encoding::Utf16(false),
            Encoding::Utf16(true),
            Encoding::Utf32(false),
            Encoding::Utf32(true),
        ];
        for enc in encodings {
            let b = encode(text, enc);
            let whole: Vec<u32> = text.chars().map(u32::from).collect();
            for k in 0..=b.len() {
                assert!(in_two(&b, enc, k) == (whole.clone(), Ok(())), "cut at {k}");
            }
            // A bad unit in the middle is found at the same place wherever the cut is.
            let mut bad = b.clone();
            let at = encode("ab\u{e9}", enc).len();
            // A lone low surrogate in UTF-16, too large a code point in UTF-32, a lead
            // byte without its continuation in UTF-8.
            let unit: &[u8] = match enc {
                Encoding::Utf16(true) => &[0xFF, 0xDC],
                Encoding::Utf32(true) => &[0xDC, 0xFF, 0xFF],
                _ => &[0xDC, 0xFF, 0xFF],
            };
            bad[at..at + unit.len()].copy_from_slice(unit);
            let mut one = Out::Chars(Vec::new());
            let expect = decode(&bad, enc, &mut one);
            assert!(matches!(expect, Err(Stop::Invalid(_))));
            let expect = (chars(one), expect);
            for k in 0..=bad.len() {
                assert!(in_two(&bad, enc, k) == expect, "bad, cut at {k}");
            }
        }
    }

    #[test]
    fn latin1_becomes_utf8() {
        let mut out = Out::Utf8(Vec::new());
        out.push_latin1(&[b'a', 0xE9, 0xFF]);
        match out {
            Out::Utf8(v) => assert_eq!(v, "a\u{e9}\u{ff}".as_bytes()),
            Out::Chars(_) => unreachable!(),
        }
    }
}
