//! `term_to_binary`, `binary_to_term` and `external_size`, through the external term format.

use alloc::vec::Vec;

use super::trap;
use crate::etf::EncodeOptions;
use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Class, Ctx, Fault};
use crate::vm::binbuf::BinBuf;
use crate::vm::decode::{self, DecodeError};
use crate::vm::encode::{self, Encoder, Output, OverBudget};
use crate::vm::ext::ext_cost;
use crate::vm::heap::{View, BIN_LITERAL};
use crate::vm::memory::TempCharge;
use crate::vm::process::SLICE_REDUCTIONS;
use crate::vm::term::Term;

struct Options {
    /// The zlib level to compress at (1 to 9), if compressed.
    compressed: Option<u8>,
    minor_version: Option<u8>,
}

fn options(ctx: &Ctx, opts: Option<&Term>, for_size: bool) -> Result<Options, Fault> {
    let mut o = Options {
        compressed: None,
        minor_version: None,
    };
    let Some(opts) = opts else {
        return Ok(o);
    };
    // OTP 25's options: `compressed`, `{compressed, 0..9}`, `{minor_version, 0..2}` and
    // `deterministic`; external_size/2 takes only `{minor_version, 0..1}`. Anything else is
    // badarg.
    let v = ctx.view();
    let highest_minor = if for_size { 1 } else { 2 };
    for x in v.list_to_vec(*opts).ok_or_else(badarg)? {
        match v.tuple(x) {
            Some(&[k, val]) if k == atom::MINOR_VERSION => match val.as_small() {
                Some(m) if (0..=highest_minor).contains(&m) => o.minor_version = Some(m as u8),
                _ => return Err(badarg()),
            },
            Some(&[k, val]) if k == atom::COMPRESSED && !for_size => match val.as_small() {
                Some(level) if (0..=9).contains(&level) => {
                    o.compressed = (level > 0).then_some(level as u8)
                }
                _ => return Err(badarg()),
            },
            // zlib's default level, as erl's.
            None if x == atom::COMPRESSED && !for_size => o.compressed = Some(6),
            None if !for_size && x.is_atom() && ctx.atoms.name(x) == "deterministic" => {}
            _ => return Err(badarg()),
        }
    }
    Ok(o)
}

/// Charges the node's memory for the working memory of converting `t` to an [`ExtTerm`]
/// tree and encoding that (`outlet:command/2`), while the guard lives. When a node with a
/// budget cannot hold it, the process is killed (with the memory report), as one whose heap
/// the node cannot grow is, rather than the conversion exhausting the node's memory. Without
/// a budget nothing is walked or charged. (`term_to_binary` and `external_size` write
/// straight from the heap, bounded by the budget as they go: see [`encode`].)
pub fn charge_encoding(ctx: &mut Ctx, t: Term) -> Result<Option<TempCharge>, Fault> {
    let Some(left) = ctx.p.heap.memory_left() else {
        return Ok(None);
    };
    let cost = ext_cost(&ctx.view(), ctx.atoms, t, left).unwrap_or(left.saturating_add(1));
    ctx.p
        .heap
        .charge_temporary(cost)
        .map_err(|_| Fault::raise(Class::Exit, atom::KILLED))
}

/// The fault for an encoding the node's budget (or the allocator) cannot hold: the refusal
/// is recorded as a refused heap growth is, and the process is killed.
fn over_budget(ctx: &mut Ctx, e: OverBudget) -> Fault {
    let _ = ctx.p.heap.charge_temporary(e.wanted);
    Fault::raise(Class::Exit, atom::KILLED)
}

fn encode(ctx: &mut Ctx, t: Term, minor: Option<u8>) -> Result<Vec<u8>, Fault> {
    encode_into(ctx, t, minor, false).map(|o| o.out)
}

/// The encoding of `t`, with the binaries `term_to_iovec` refers to left out when `iovec`.
fn encode_into(ctx: &mut Ctx, t: Term, minor: Option<u8>, iovec: bool) -> Result<Output, Fault> {
    let options = EncodeOptions {
        minor_version: minor.unwrap_or(1),
    };
    let limit = ctx.p.heap.memory_left();
    let mut out = Output::buffer(limit);
    out.refs = iovec.then(Vec::new);
    let r = encode::encode_to(&ctx.view(), ctx.atoms, ctx.code, t, options, &mut out);
    r.map_err(|e| over_budget(ctx, e))?;
    Ok(out)
}

/// External-format bytes encoded or decoded for one reduction: a long term ends the caller's
/// slice right after.
const BYTES_PER_REDUCTION: usize = 256;

/// `term_to_binary/1,2` (`compressed` and `minor_version` are honoured).
pub fn term_to_binary(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let o = options(ctx, a.get(1), false)?;
    if o.compressed.is_none() && o.minor_version.is_none() {
        chunked(ctx, a[0], false)?;
    }
    let bytes = encode(ctx, a[0], o.minor_version)?;
    ctx.charge(bytes.len() / BYTES_PER_REDUCTION);
    let bytes = if let Some(level) = o.compressed {
        compress(ctx, bytes, level)?
    } else {
        bytes
    };
    Ok(ctx.p.heap.binary(bytes))
}

/// The compressed form of an encoding, or the encoding itself when compressing does not make
/// it shorter (as erl's). An image built without the `zlib` feature has no compressor and
/// always gives the encoding itself, which every reader takes as well.
#[cfg(any(feature = "zlib", not(target_os = "none")))]
fn compress(ctx: &mut Ctx, mut bytes: Vec<u8>, level: u8) -> Result<Vec<u8>, Fault> {
    if bytes.len() > 1 {
        // The encoding is held while its compressed copy is made.
        let charge = ctx
            .p
            .heap
            .charge_temporary(bytes.len())
            .map_err(|_| Fault::raise(Class::Exit, atom::KILLED))?;
        let body = &bytes[1..];
        // Through a zlib stream, as the zlib BIFs compress.
        let mut s = crate::vm::zstream::Stream::detached();
        let mut z = s
            .deflate_init(level.into(), 15, 0, None)
            .and_then(|()| s.deflate(body, crate::vm::zstream::Flush::Finish, usize::MAX))
            .unwrap_or_default();
        if let Some(flags) = z.get_mut(1) {
            // zlib's header names the level's class (erl's bytes); the compressor's own
            // header may name another. The check bits keep the header a multiple of 31.
            *flags = match level {
                0 | 1 => 0x01,
                2..=5 => 0x5e,
                6 => 0x9c,
                _ => 0xda,
            };
        }
        if !z.is_empty() && z.len() + 5 < body.len() {
            let mut out = alloc::vec![131u8, 80];
            out.extend_from_slice(&(body.len() as u32).to_be_bytes());
            out.extend_from_slice(&z);
            bytes = out;
        }
        drop(charge);
    }
    Ok(bytes)
}

/// See the other `compress`: without the `zlib` feature, the encoding itself.
#[cfg(not(any(feature = "zlib", not(target_os = "none"))))]
fn compress(_: &mut Ctx, bytes: Vec<u8>, _: u8) -> Result<Vec<u8>, Fault> {
    Ok(bytes)
}

/// Traps to the continuation that encodes `t` a slice at a time when it is a long list, or a
/// large tuple or map (`term_to_binary_step`, `tuple_to_binary_step`, `map_to_binary_step`;
/// their `term_to_iovec` numbers when `iovec`).
fn chunked(ctx: &mut Ctx, t: Term, iovec: bool) -> Result<(), Fault> {
    let kind = if is_long_list(ctx, t) {
        [trap::TERM_TO_BINARY, trap::TERM_TO_IOVEC]
    } else if ctx.view().tuple(t).is_some_and(|t| t.len() >= LONG_LIST) {
        [trap::TUPLE_TO_BINARY, trap::TUPLE_TO_IOVEC]
    } else if ctx.view().map_size(t).is_some_and(|n| n >= LONG_LIST) {
        if let Some(order) = flat_order(&ctx.view(), t) {
            ctx.p.trap_state = Some(alloc::boxed::Box::new(order));
        }
        [trap::MAP_TO_BINARY, trap::MAP_TO_IOVEC]
    } else {
        return Ok(());
    };
    let kind = Term::small(kind[usize::from(iovec)]);
    Err(Fault::TrapTo([kind, t, Term::NIL, Term::small(0)]))
}

/// Whether continuation `kind` encodes for `term_to_iovec`.
fn for_iovec(kind: Term) -> bool {
    matches!(
        kind.as_small(),
        Some(trap::TERM_TO_IOVEC | trap::TUPLE_TO_IOVEC | trap::MAP_TO_IOVEC)
    )
}

/// `erlang:term_to_iovec/1,2`: `term_to_binary`'s bytes as a list of binaries, in which each
/// byte-aligned binary of more than 64 bytes in the term is itself an element (shared, not
/// copied) and the bytes between them are one binary each. With `compressed` the result is
/// the compressed binary itself, as OTP 25 gives it.
pub fn term_to_iovec(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let o = options(ctx, a.get(1), false)?;
    if o.compressed.is_some() {
        return term_to_binary(ctx, a);
    }
    if o.minor_version.is_none() {
        chunked(ctx, a[0], true)?;
    }
    let out = encode_into(ctx, a[0], o.minor_version, true)?;
    ctx.charge(out.out.len() / BYTES_PER_REDUCTION);
    iovec_list(ctx, Vec::new(), Term::NIL, out)
}

/// What goes into a `term_to_iovec` list, in order.
enum Piece {
    /// Encoded bytes.
    Bytes(Vec<u8>),
    /// A binary of the term, already on the heap.
    Shared(Term),
    /// A binary of the term named by its buffer, to be referred to.
    New(encode::IoRef),
}

/// Pieces being collected, adjacent bytes joined into one piece. A buffer that cannot grow
/// is an error (the caller's over-budget fault), never an abort.
#[derive(Default)]
struct Pieces(Vec<Piece>);

impl Pieces {
    fn bytes(&mut self, b: &[u8]) -> Result<(), OverBudget> {
        if b.is_empty() {
            return Ok(());
        }
        let wanted = b.len();
        if !matches!(self.0.last(), Some(Piece::Bytes(_))) {
            self.other(Piece::Bytes(Vec::new()))?;
        }
        if let Some(Piece::Bytes(acc)) = self.0.last_mut() {
            acc.try_reserve(b.len())
                .map_err(|_| OverBudget { wanted })?;
            acc.extend_from_slice(b);
        }
        Ok(())
    }

    fn other(&mut self, p: Piece) -> Result<(), OverBudget> {
        self.0
            .try_reserve(1)
            .map_err(|_| OverBudget { wanted: 64 })?;
        self.0.push(p);
        Ok(())
    }

    /// One encoded stretch: its bytes, cut where its shared binaries go.
    fn stretch(&mut self, out: &Output) -> Result<(), OverBudget> {
        let mut from = 0;
        for r in out.refs.iter().flatten() {
            self.bytes(&out.out[from..r.at])?;
            self.other(Piece::New(*r))?;
            from = r.at;
        }
        self.bytes(&out.out[from..])
    }
}

/// `term_to_iovec`'s list: `head`, then the chunks of earlier steps (last first: encoded
/// binaries, and `{Binary}` for a shared one), then `last`. Adjacent bytes become one
/// binary; no element is empty. Bytes the node's budget cannot hold kill the process.
fn iovec_list(ctx: &mut Ctx, head: Vec<u8>, chunks: Term, last: Output) -> BifResult {
    let parts = ctx.view().list_to_vec(chunks).unwrap_or_default();
    let bytes = {
        let v = ctx.view();
        let earlier: usize = parts
            .iter()
            .map(|&c| v.binary(c).map_or(0, |b| b.bit_len / 8))
            .sum();
        earlier + head.len() + last.out.len()
    };
    if ctx.p.heap.memory_left().is_some_and(|left| bytes > left) {
        return Err(over_budget(ctx, OverBudget { wanted: bytes }));
    }
    let mut pieces = Pieces::default();
    let r = (|| {
        pieces.bytes(&head)?;
        let v = ctx.view();
        for &c in parts.iter().rev() {
            match v.tuple(c) {
                Some(&[b]) => pieces.other(Piece::Shared(b))?,
                _ => pieces.bytes(&v.binary_bytes(c).unwrap_or_default())?,
            }
        }
        pieces.stretch(&last)
    })();
    r.map_err(|e| over_budget(ctx, e))?;
    drop(last);
    // A cons cell and at most a BinRef's four words each.
    ctx.heap_room(pieces.0.len() * 6)?;
    let mut list = Term::NIL;
    for p in pieces.0.into_iter().rev() {
        let item = match p {
            Piece::Bytes(b) => ctx.p.heap.binary(b),
            Piece::Shared(t) => t,
            Piece::New(r) => ctx.p.heap.bin_ref(r.buf_word, r.bit_offset, r.bit_len),
        };
        list = ctx.p.heap.cons(item, list);
    }
    Ok(list)
}

/// Lists at least this long are encoded a slice at a time. Shorter lists of bytes are
/// STRING_EXT, which needs the whole list; these are always LIST_EXT, whose elements are
/// encoded one by one, each as on its own.
const LONG_LIST: usize = 1 << 16;

/// Elements or bytes one step of a long list's encoding takes at most (a slice's worth,
/// about).
const STEP_ELEMENTS: usize = 8192;
const STEP_BYTES: usize = 1 << 16;

fn is_long_list(ctx: &Ctx, t: Term) -> bool {
    let v = ctx.view();
    let mut l = t;
    for _ in 0..LONG_LIST {
        if !l.is_cons() {
            return false;
        }
        l = v.cons(l).1;
    }
    true
}

/// One step of `term_to_binary` of a long list (continuation [`trap::TERM_TO_BINARY`]): the
/// state is the rest of the list, the chunks encoded so far (last first) and their count of
/// elements. Ends with LIST_EXT, the count, the chunks in order and the tail.
pub fn term_to_binary_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (mut l, chunks) = (a[1], a[2]);
    let mut count = a[3].as_small().unwrap_or(0) as usize;
    let limit = ctx.p.heap.memory_left();
    let mut buf = Output::buffer(limit);
    buf.refs = for_iovec(a[0]).then(Vec::new);
    let r = {
        let v = ctx.view();
        let mut e = Encoder::new(&v, ctx.atoms, ctx.code, EncodeOptions::default(), limit);
        let mut n = 0;
        let mut r = Ok(());
        while r.is_ok() && l.is_cons() && n < STEP_ELEMENTS && buf.out.len() < STEP_BYTES {
            let (h, rest) = v.cons(l);
            r = e.term(h, &mut buf);
            l = rest;
            n += 1;
        }
        count += n;
        if r.is_ok() && !l.is_cons() {
            r = e.term(l, &mut buf);
        }
        r
    };
    r.map_err(|e| over_budget(ctx, e))?;
    let more = l.is_cons();
    let step = Step {
        subject: l,
        chunks,
        next: count,
    };
    end_step(ctx, a[0], step, more, buf, crate::etf::tag::LIST, count)
}

/// Where a chunked encoding stands after a step: the subject the next step reads, the
/// chunks encoded so far (last first), and the count of elements written.
struct Step {
    subject: Term,
    chunks: Term,
    next: usize,
}

/// Ends a step of a chunked `term_to_binary` (continuation `kind`): with `more` to do, this
/// step's bytes `out` become a chunk and the BIF traps again with `step`; otherwise the whole
/// encoding is joined: the version, `tag`, the element count `count`, the chunks in order
/// and `out`.
fn end_step(
    ctx: &mut Ctx,
    kind: Term,
    step: Step,
    more: bool,
    out: Output,
    tag: u8,
    count: usize,
) -> BifResult {
    ctx.charge(SLICE_REDUCTIONS as usize);
    if more {
        let mut chunks = step.chunks;
        if out.refs.is_some() {
            // For term_to_iovec: the bytes and the shared binaries, each a chunk.
            let mut pieces = Pieces::default();
            pieces.stretch(&out).map_err(|e| over_budget(ctx, e))?;
            drop(out);
            ctx.heap_room(pieces.0.len() * 8)?;
            for p in pieces.0 {
                let c = match p {
                    Piece::Bytes(b) => ctx.p.heap.binary(b),
                    Piece::Shared(t) => ctx.p.heap.tuple(&[t]),
                    Piece::New(r) => {
                        let b = ctx.p.heap.bin_ref(r.buf_word, r.bit_offset, r.bit_len);
                        ctx.p.heap.tuple(&[b])
                    }
                };
                chunks = ctx.p.heap.cons(c, chunks);
            }
        } else {
            let bin = ctx.p.heap.binary(out.out);
            chunks = ctx.p.heap.cons(bin, chunks);
        }
        let next = Term::small(step.next as i64);
        return Err(Fault::TrapTo([kind, step.subject, chunks, next]));
    }
    let mut head = alloc::vec![131, tag];
    head.extend_from_slice(&(count as u32).to_be_bytes());
    if out.refs.is_some() {
        return iovec_list(ctx, head, step.chunks, out);
    }
    join_chunks(ctx, head, step.chunks, out.out)
}

/// One step of `term_to_binary` of a large tuple (continuation [`trap::TUPLE_TO_BINARY`]):
/// the state is the tuple, the chunks encoded so far (last first) and the index of the next
/// element. Ends with LARGE_TUPLE_EXT, the arity and the chunks in order.
pub fn tuple_to_binary_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let chunks = a[2];
    let mut next = a[3].as_small().unwrap_or(0) as usize;
    let limit = ctx.p.heap.memory_left();
    let mut buf = Output::buffer(limit);
    buf.refs = for_iovec(a[0]).then(Vec::new);
    let (arity, r) = {
        let v = ctx.view();
        let elems = v.tuple(a[1]).ok_or_else(badarg)?;
        let mut e = Encoder::new(&v, ctx.atoms, ctx.code, EncodeOptions::default(), limit);
        let end = elems.len().min(next + STEP_ELEMENTS);
        let mut r = Ok(());
        while r.is_ok() && next < end && buf.out.len() < STEP_BYTES {
            r = e.term(elems[next], &mut buf);
            next += 1;
        }
        (elems.len(), r)
    };
    r.map_err(|e| over_budget(ctx, e))?;
    let step = Step {
        subject: a[1],
        chunks,
        next,
    };
    let tag = crate::etf::tag::LARGE_TUPLE;
    end_step(ctx, a[0], step, next < arity, buf, tag, arity)
}

/// The order a large map kept flat (a literal, `binary_to_term`) is written in, as indices
/// of its pairs: [`map_to_binary_step`]'s native state.
struct FlatOrder(Vec<u32>);

/// The order of a map kept flat (`None` for a map held as a tree).
fn flat_order(v: &View, map: Term) -> Option<FlatOrder> {
    let pairs = v.map_pairs(map)?;
    let key = |i: u32| pairs[2 * i as usize];
    // Positions found once each, not at every comparison.
    let mut keyed: Vec<(u32, u32)> = (0..(pairs.len() / 2) as u32)
        .map(|i| (crate::vm::maphash::key_position(v, key(i)), i))
        .collect();
    // As map_entries sorts them (stable: ties stay in key order, then go by deeper
    // hashes), then reversed.
    crate::sort::sort_by_key(&mut keyed, |e| e.0);
    crate::vm::maphash::order_collisions(v, &mut keyed, |e| e.0, |e| key(e.1));
    let mut order: Vec<u32> = keyed.into_iter().map(|e| e.1).collect();
    order.reverse();
    Some(FlatOrder(order))
}

/// One step of `term_to_binary` of a large map (continuation [`trap::MAP_TO_BINARY`]): the
/// state is the map, the chunks encoded so far (last first) and the number of pairs
/// written; a map kept flat has its order as native trap state. Pairs go in the order the
/// one-shot encoding writes them (the reverse of the map's tree order). Ends with MAP_EXT,
/// the size and the chunks in order.
pub fn map_to_binary_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let chunks = a[2];
    let mut next = a[3].as_small().unwrap_or(0) as usize;
    let limit = ctx.p.heap.memory_left();
    let order = ctx
        .p
        .trap_state
        .take()
        .and_then(|s| s.downcast::<FlatOrder>().ok())
        .map(|o| *o)
        .filter(|o| ctx.view().map_pairs(a[1]).map(|p| p.len() / 2) == Some(o.0.len()))
        .or_else(|| flat_order(&ctx.view(), a[1]));
    let mut buf = Output::buffer(limit);
    buf.refs = for_iovec(a[0]).then(Vec::new);
    let (size, r) = {
        let v = ctx.view();
        let size = v.map_size(a[1]).ok_or_else(badarg)?;
        let mut e = Encoder::new(&v, ctx.atoms, ctx.code, EncodeOptions::default(), limit);
        let end = size.min(next + STEP_ELEMENTS);
        let mut r = Ok(());
        let mut pair = |k: Term, x: Term, next: &mut usize, buf: &mut Output| {
            if *next >= end || buf.out.len() >= STEP_BYTES || r.is_err() {
                return false;
            }
            r = e.term(k, buf).and_then(|()| e.term(x, buf));
            *next += 1;
            true
        };
        match (&order, v.map_pairs(a[1])) {
            (Some(order), Some(pairs)) => {
                for &i in order.0.get(next..).unwrap_or_default() {
                    let i = 2 * i as usize;
                    if !pair(pairs[i], pairs[i + 1], &mut next, &mut buf) {
                        break;
                    }
                }
            }
            (None, None) if next < size => {
                crate::vm::bigmap::descending(&v, a[1], size - 1 - next, |k, x| {
                    pair(k, x, &mut next, &mut buf)
                });
            }
            (None, None) => {}
            _ => return Err(badarg()),
        }
        (size, r)
    };
    r.map_err(|e| over_budget(ctx, e))?;
    if next < size {
        if let Some(order) = order {
            ctx.p.trap_state = Some(alloc::boxed::Box::new(order));
        }
    }
    let step = Step {
        subject: a[1],
        chunks,
        next,
    };
    end_step(
        ctx,
        a[0],
        step,
        next < size,
        buf,
        crate::etf::tag::MAP,
        size,
    )
}

/// `head`, then the binaries of the list `chunks` (last first) in order, then `last`, as one
/// binary. A result the node's budget cannot hold besides the chunks kills the process.
fn join_chunks(ctx: &mut Ctx, head: Vec<u8>, chunks: Term, last: Vec<u8>) -> BifResult {
    let parts = ctx.view().list_to_vec(chunks).unwrap_or_default();
    let size: usize = parts
        .iter()
        .map(|b| ctx.view().binary(*b).map_or(0, |b| b.bit_len / 8))
        .sum::<usize>()
        + head.len()
        + last.len();
    if ctx.p.heap.memory_left().is_some_and(|left| size > left) {
        return Err(over_budget(ctx, OverBudget { wanted: size }));
    }
    let v = ctx.view();
    let mut all = Vec::with_capacity(size);
    all.extend_from_slice(&head);
    for b in parts.iter().rev() {
        if let Some(bytes) = v.binary_bytes(*b) {
            all.extend_from_slice(&bytes);
        }
    }
    all.extend_from_slice(&last);
    Ok(ctx.p.heap.binary(all))
}

/// `erlang:external_size/1,2`.
/// The size is counted without writing the bytes: only the work stack takes memory.
pub fn external_size(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let o = options(ctx, a.get(1), true)?;
    let options = EncodeOptions {
        minor_version: o.minor_version.unwrap_or(1),
    };
    let limit = ctx.p.heap.memory_left();
    let r = encode::encoded_size(&ctx.view(), ctx.atoms, ctx.code, a[0], options, limit);
    let n = r.map_err(|e| over_budget(ctx, e))?;
    ctx.charge(n / BYTES_PER_REDUCTION);
    Ok(Term::small(n as i64))
}

/// The bytes of a byte-aligned binary, held apart from the heap (its buffer shared) so the
/// heap can grow while they are read: the buffer, the first byte and the length.
fn held_bytes(ctx: &Ctx, t: Term) -> Option<(BinBuf, usize, usize)> {
    let (w, off, len) = ctx.view().bin_ref(t)?;
    if off % 8 != 0 || len % 8 != 0 {
        return None;
    }
    let i = (w >> 1) as usize;
    let buf = if w & BIN_LITERAL != 0 {
        ctx.lits.bins.get(i)?
    } else {
        ctx.p.heap.bins.get(i)?
    };
    Some((buf.clone(), off / 8, len / 8))
}

/// The fault for bytes that did not decode: `badarg`, or the process killed when the node's
/// budget cannot hold the term.
fn decode_fault(ctx: &mut Ctx, e: DecodeError) -> Fault {
    match e {
        DecodeError::Invalid => badarg(),
        DecodeError::OverBudget(e) => over_budget(ctx, e),
    }
}

/// `binary_to_term/1,2` (options `used`, which returns `{Term, BytesUsed}`, and `safe`,
/// which refuses a term naming atoms that do not exist yet). A list or tuple of at least
/// [`LONG_LIST`] elements at the top is decoded a slice at a time by a continuation
/// ([`binary_to_term_step`]), so the others run meanwhile.
pub fn binary_to_term(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    // The options are `safe` and `used`: anything else is `badarg` with cause `badopt`.
    let opts = match a.get(1) {
        Some(o) => ctx.view().list_to_vec(*o).ok_or_else(super::misc::badopt)?,
        None => Vec::new(),
    };
    if opts.iter().any(|&o| o != atom::USED && o != atom::SAFE) {
        return Err(super::misc::badopt());
    }
    let (used, safe) = (opts.contains(&atom::USED), opts.contains(&atom::SAFE));
    let long = {
        let v = ctx.view();
        let b = v.binary(a[0]).ok_or_else(badarg)?;
        match b.bytes() {
            Some(bytes) => long_container(bytes),
            None if b.bit_len % 8 == 0 => long_container(&b.to_vec()),
            None => None,
        }
    };
    if let Some((kind, count)) = long {
        // The steps read the bytes in place: a binary not on a byte boundary is copied once.
        let bin = if ctx.view().binary(a[0]).and_then(|b| b.bytes()).is_some() {
            a[0]
        } else {
            super::conv::aligned_copy(ctx, a[0])?
        };
        let flags = Term::small(i64::from(used) | i64::from(safe) << 1 | i64::from(kind) << 2);
        let given = a.get(1).copied().unwrap_or(atom::UNDEFINED);
        let pos = Term::small(6);
        // Elements left for a list or tuple; pairs done for a map.
        let left = Term::small(if kind == 2 { 0 } else { count as i64 });
        let info = ctx.p.heap.tuple(&[pos, left, flags, a[0], given]);
        let step = if kind == 2 {
            trap::BINARY_TO_MAP
        } else {
            trap::BINARY_TO_TERM
        };
        return Err(Fault::TrapTo([Term::small(step), bin, Term::NIL, info]));
    }
    let held = held_bytes(ctx, a[0]);
    let owned;
    let bytes: &[u8] = match &held {
        Some((buf, start, len)) => &buf[*start..*start + *len],
        None => {
            owned = crate::vm::bif::owned_bytes(ctx, a[0])?;
            &owned
        }
    };
    ctx.charge(bytes.len() / BYTES_PER_REDUCTION);
    // Bytes after the term are left alone, as erl does; `used` says how many it took. erl
    // sets no nesting limit, and decoding depth costs heap only, so neither does this.
    let r = decode::decode(&mut ctx.p.heap, ctx.atoms, ctx.lits, ctx.code, bytes, safe);
    let (t, n) = r.map_err(|e| decode_fault(ctx, e))?;
    if used {
        Ok(ctx.p.heap.tuple(&[t, Term::small(n as i64)]))
    } else {
        Ok(t)
    }
}

/// Whether `bytes` is an uncompressed external term whose top is a list (kind 0), a tuple
/// (kind 1) or a map (kind 2) of at least [`LONG_LIST`] elements or pairs, and how many.
fn long_container(bytes: &[u8]) -> Option<(u8, usize)> {
    let kind = match bytes.get(..6)? {
        [131, crate::etf::tag::LIST, ..] => 0,
        [131, crate::etf::tag::LARGE_TUPLE, ..] => 1,
        [131, crate::etf::tag::MAP, ..] => 2,
        _ => return None,
    };
    let count = u32::from_be_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]) as usize;
    (count >= LONG_LIST).then_some((kind, count))
}

/// One step of `binary_to_term` of a long list or large tuple (continuation
/// [`trap::BINARY_TO_TERM`]): `a[1]` is the binary, `a[2]` the elements decoded so far
/// (last first), `a[3]` `{Position, ElementsLeft, Flags, Binary, Options}` with the
/// arguments as given (for the error). Up to [`STEP_ELEMENTS`] elements or [`STEP_BYTES`]
/// bytes a step; then the list's tail, and the result in order.
pub fn binary_to_term_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (bin, mut acc) = (a[1], a[2]);
    let info: [Term; 5] = match ctx.view().tuple(a[3]) {
        Some(&[p, l, f, b, o]) => [p, l, f, b, o],
        _ => return Err(badarg()),
    };
    let mut pos = info[0].as_small().ok_or_else(badarg)? as usize;
    let mut left = info[1].as_small().ok_or_else(badarg)? as usize;
    let flags = info[2].as_small().ok_or_else(badarg)?;
    let (used, safe, tuple) = (flags & 1 != 0, flags & 2 != 0, flags & 4 != 0);
    let given: &[Term] = if info[4] == atom::UNDEFINED {
        &info[3..4]
    } else {
        &info[3..5]
    };
    let (buf, first, len) = held_bytes(ctx, bin).ok_or_else(badarg)?;
    let bytes = &buf[first..first + len];
    let mut tail = None;
    let start = pos;
    let mut n = 0;
    while left > 0 || (tail.is_none() && !tuple) {
        let r = decode::decode_at(
            &mut ctx.p.heap,
            ctx.atoms,
            ctx.lits,
            ctx.code,
            bytes,
            pos,
            safe,
        );
        let (t, next) = match r {
            Ok(x) => x,
            Err(DecodeError::Invalid) => {
                let f =
                    Fault::trapped_error(ctx, atom::BADARG, ("erlang", "binary_to_term"), given);
                return Err(f);
            }
            Err(DecodeError::OverBudget(e)) => return Err(over_budget(ctx, e)),
        };
        pos = next;
        if left == 0 {
            tail = Some(t);
            break;
        }
        acc = ctx.p.heap.cons(t, acc);
        left -= 1;
        n += 1;
        if left > 0 && (n >= STEP_ELEMENTS || pos - start >= STEP_BYTES) {
            break;
        }
    }
    ctx.charge(SLICE_REDUCTIONS as usize);
    if left > 0 {
        let p = Term::small(pos as i64);
        let l = Term::small(left as i64);
        let info = ctx.p.heap.tuple(&[p, l, info[2], info[3], info[4]]);
        return Err(Fault::TrapTo([a[0], bin, acc, info]));
    }
    let t = if tuple {
        let mut elems = ctx.view().list_to_vec(acc).unwrap_or_default();
        elems.reverse();
        ctx.p.heap.tuple(&elems)
    } else {
        let end = tail.unwrap_or(Term::NIL);
        let mut list = end;
        while acc.is_cons() {
            let (h, rest) = ctx.view().cons(acc);
            list = ctx.p.heap.cons(h, list);
            acc = rest;
        }
        list
    };
    if used {
        Ok(ctx.p.heap.tuple(&[t, Term::small(pos as i64)]))
    } else {
        Ok(t)
    }
}

/// One step of `binary_to_term` of a map of at least [`LONG_LIST`] pairs (continuation
/// [`trap::BINARY_TO_MAP`]): `a[1]` is the binary, `a[2]` the map being filled (`[]` before
/// the first step), `a[3]` `{Position, PairsDone, Flags, Binary, Options}` as for
/// [`binary_to_term_step`]. Up to [`STEP_ELEMENTS`] pairs or [`STEP_BYTES`] bytes a step;
/// then the pairs are put in key order, in one step or, for keys that take longer to
/// sort, a [`decode::MapSort`] step at a time.
pub fn binary_to_map_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (bin, mut map) = (a[1], a[2]);
    let info: [Term; 5] = match ctx.view().tuple(a[3]) {
        Some(&[p, l, f, b, o]) => [p, l, f, b, o],
        _ => return Err(badarg()),
    };
    let mut pos = info[0].as_small().ok_or_else(badarg)? as usize;
    let mut done = info[1].as_small().ok_or_else(badarg)? as usize;
    let mut flags = info[2].as_small().ok_or_else(badarg)?;
    let (used, safe) = (flags & 1 != 0, flags & 2 != 0);
    let given: &[Term] = if info[4] == atom::UNDEFINED {
        &info[3..4]
    } else {
        &info[3..5]
    };
    let (buf, first, len) = held_bytes(ctx, bin).ok_or_else(badarg)?;
    let bytes = &buf[first..first + len];
    let size = match bytes.get(2..6) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]) as usize,
        _ => return Err(badarg()),
    };
    let bad = |ctx: &mut Ctx, e: DecodeError| match e {
        DecodeError::Invalid => {
            Fault::trapped_error(ctx, atom::BADARG, ("erlang", "binary_to_term"), given)
        }
        DecodeError::OverBudget(e) => over_budget(ctx, e),
    };
    if map.is_nil() {
        // Two bytes a pair at least: a size the bytes cannot hold is refused before the map
        // is made.
        if size.saturating_mul(2) > bytes.len() - pos {
            return Err(bad(ctx, DecodeError::Invalid));
        }
        match decode::start_map(&mut ctx.p.heap, size) {
            Ok((_, m)) => map = m,
            Err(e) => return Err(bad(ctx, e)),
        }
    }
    let at = map.offset();
    let start = pos;
    let mut n = 0;
    while done < size && n < STEP_ELEMENTS && pos - start < STEP_BYTES {
        let mut pair = [Term::NIL; 2];
        for slot in &mut pair {
            let r = decode::decode_key(
                &mut ctx.p.heap,
                ctx.atoms,
                ctx.lits,
                ctx.code,
                bytes,
                pos,
                safe,
            );
            let (t, next, foreign) = r.map_err(|e| bad(ctx, e))?;
            *slot = t;
            pos = next;
            flags |= i64::from(foreign) << 4;
        }
        ctx.p.heap.words[at + 1 + 2 * done] = pair[0];
        ctx.p.heap.words[at + 2 + 2 * done] = pair[1];
        done += 1;
        n += 1;
    }
    ctx.charge(SLICE_REDUCTIONS as usize);
    if done < size {
        let p = Term::small(pos as i64);
        let d = Term::small(done as i64);
        let f = Term::small(flags);
        let info = ctx.p.heap.tuple(&[p, d, f, info[3], info[4]]);
        return Err(Fault::TrapTo([a[0], bin, map, info]));
    }
    // Flag 32: the pairs are being put in order by the MapSort in the native trap state.
    let resumed = match flags & 32 != 0 {
        true => ctx
            .p
            .trap_state
            .take()
            .and_then(|s| s.downcast::<decode::MapSort>().ok()),
        false => None,
    };
    let sort = match resumed.filter(|s| s.pairs() == size) {
        Some(s) => Some(s),
        None => {
            let foreign = flags & 16 != 0;
            let r = decode::finish_map(&mut ctx.p.heap, ctx.atoms, ctx.lits, bytes, 6, at, foreign);
            r.map_err(|e| bad(ctx, e))?.map(alloc::boxed::Box::new)
        }
    };
    if let Some(mut sort) = sort {
        let budget = decode::SORT_STEP_WORK;
        let r = sort.step(&mut ctx.p.heap, ctx.atoms, ctx.lits, at, budget);
        if !r.map_err(|e| bad(ctx, e))? {
            ctx.p.trap_state = Some(sort);
            let f = Term::small(flags | 32);
            let info = ctx.p.heap.tuple(&[info[0], info[1], f, info[3], info[4]]);
            return Err(Fault::TrapTo([a[0], bin, map, info]));
        }
    }
    if used {
        Ok(ctx.p.heap.tuple(&[map, Term::small(pos as i64)]))
    } else {
        Ok(map)
    }
}
