//! Bit syntax: reading a match context's fields, getting integer, float and binary
//! segments, and building binaries (`bs_create_bin`: sizing, memory room, writing the
//! segments, and erl's `badarg` causes naming the segment at fault).

#![forbid(unsafe_code)]

use num_bigint::BigInt;

use crate::vm::atom;
use crate::vm::bif::{badarg, Fault};
use crate::vm::bits::{self, BitWriter};
use crate::vm::heap::View;
use crate::vm::literals::Literals;
use crate::vm::memory::MemoryError;
use crate::vm::ops::*;
use crate::vm::process::{Process, X_REGS};
use crate::vm::term::Term;

use super::fetch;

/// A match context's fields: the binary's buffer, its offset, the end and the position (in
/// bits).
pub(super) fn ctx_fields(p: &Process, c: Term) -> (u64, usize, usize, usize) {
    let o = c.offset();
    let w = &p.heap.words;
    (
        w[o + 1].0,
        w[o + 2].0 as usize,
        w[o + 3].0 as usize,
        w[o + 4].0 as usize,
    )
}

/// Moves a match context's position to `pos` bits.
pub(super) fn set_pos(p: &mut Process, c: Term, pos: usize) {
    let o = c.offset();
    p.heap.words[o + 4] = Term(pos as u64);
}

/// Gets a segment of `size` units of `unit` bits (`all`: the rest, a whole number of units)
/// at the context's position as `what`, and moves past it; `None` when the binary is too
/// short or the size is invalid (the match fails).
#[inline]
pub(super) fn bs_get(
    p: &mut Process,
    lits: &Literals,
    c: Term,
    size: Term,
    unit: u32,
    flags: u32,
    what: BsGet,
) -> Option<Term> {
    let (w, _, end, pos) = ctx_fields(p, c);
    let n = if size == atom::ALL {
        let rest = end - pos;
        if unit > 1 && !rest.is_multiple_of(unit as usize) {
            return None;
        }
        rest
    } else {
        let s = size.as_small()?;
        if s < 0 {
            return None;
        }
        (s as usize).checked_mul(unit as usize)?
    };
    if pos + n > end {
        return None;
    }
    let t = match what {
        BsGet::Binary => p.heap.bin_ref(w, pos, n),
        BsGet::Integer => {
            if n <= 64 {
                let v = bits::read_int64(p.heap.view(lits).buffer(w), pos, n, flags);
                match i64::try_from(v) {
                    Ok(i) => p.heap.int(i),
                    Err(_) => p.heap.bigint(&BigInt::from(v)),
                }
            } else {
                let b: BigInt = {
                    let data = p.heap.view(lits).buffer(w);
                    bits::read_integer(data, pos, n, flags)
                };
                p.heap.bigint(&b)
            }
        }
        BsGet::Float => {
            let f = {
                let data = p.heap.view(lits).buffer(w);
                bits::read_float(data, pos, n, flags)?
            };
            p.heap.float(f)
        }
    };
    set_pos(p, c, pos + n);
    Some(t)
}

/// What is wrong with a segment, as erl's `cause` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BsProblem {
    /// The value has the wrong type (or is no code point, for `utf*`).
    Type,
    /// The size is no non-negative integer, or too large.
    Size,
    /// The binary is shorter than the size.
    Short,
    /// The binary's size is no multiple of the unit.
    Unit,
    /// A float segment's size is not 16, 32 or 64 bits.
    Invalid,
}

/// Why a binary construction failed: `system_limit` or else `badarg`, and the segment to
/// blame with what is wrong with it. Small, as the construction's hot path returns it;
/// [`bs_fault`] makes the exception and erl's cause from it.
#[derive(Clone, Copy, Debug)]
pub(super) struct BsFail<'s> {
    /// `system_limit` rather than `badarg`.
    limit: bool,
    /// The segment at fault.
    blame: Option<(&'s Segment, BsProblem)>,
}

impl<'s> BsFail<'s> {
    /// A `system_limit`: the result would not fit in the node's memory.
    fn limit() -> BsFail<'s> {
        BsFail {
            limit: true,
            blame: None,
        }
    }

    /// A `badarg` blaming segment `s` for `problem`.
    fn badarg(s: &'s Segment, problem: BsProblem) -> BsFail<'s> {
        BsFail {
            limit: false,
            blame: Some((s, problem)),
        }
    }

    /// A `badarg` blaming no segment.
    fn plain() -> BsFail<'s> {
        BsFail {
            limit: false,
            blame: None,
        }
    }
}

/// The exception for `e`, and erl's `cause` for its frame's error_info: the segment's number,
/// type, problem and the value or size at fault (read again from the registers, which the
/// construction did not change).
#[cold]
#[inline(never)]
pub(super) fn bs_fault(
    p: &Process,
    xr: &[Term; X_REGS],
    e: BsFail,
) -> (Fault, Option<(u32, &'static str, &'static str, Term)>) {
    let fault = if e.limit {
        Fault::error(atom::SYSTEM_LIMIT)
    } else {
        badarg()
    };
    let cause = e.blame.map(|(s, problem)| {
        let kind = match s.kind {
            SegKind::Integer => "integer",
            SegKind::Float => "float",
            SegKind::Utf8 => "utf8",
            SegKind::Utf16 => "utf16",
            SegKind::Utf32 => "utf32",
            SegKind::Binary | SegKind::String | SegKind::Append | SegKind::PrivateAppend => {
                "binary"
            }
        };
        let (name, value) = match problem {
            BsProblem::Type => ("type", s.src),
            BsProblem::Size => ("size", s.size),
            BsProblem::Short => ("short", s.src),
            BsProblem::Unit => ("unit", s.src),
            BsProblem::Invalid => ("invalid", s.size),
        };
        (s.pos, kind, name, fetch(xr, p, value))
    });
    (fault, cause)
}

/// The size in bits of segment `s` given `size` units: `badarg` unless a non-negative
/// integer, `system_limit` when that many bits cannot be addressed (a bignum size, or size
/// times unit overflowing); either blames the size.
#[inline(always)]
fn segment_bits<'s>(view: &View, s: &'s Segment, size: Term) -> Result<usize, BsFail<'s>> {
    match size.as_small() {
        Some(n) if n >= 0 => match (n as usize).checked_mul(s.unit as usize) {
            Some(bits) => Ok(bits),
            None => Err(bad_size(view, s, size)),
        },
        _ => Err(bad_size(view, s, size)),
    }
}

/// What [`segment_bits`] fails with for `size`.
#[cold]
#[inline(never)]
fn bad_size<'s>(view: &View, s: &'s Segment, size: Term) -> BsFail<'s> {
    // A non-negative small here overflowed when multiplied by the unit.
    let limit = size.as_small().is_some_and(|n| n >= 0)
        || view
            .big(size)
            .is_some_and(|b| b.sign() == num_bigint::Sign::Plus);
    BsFail {
        limit,
        blame: Some((s, BsProblem::Size)),
    }
}

#[inline(never)]
pub(super) fn create_bin<'s>(
    p: &mut Process,
    xr: &[Term; X_REGS],
    lits: &Literals,
    strings: &[u8],
    segs: &'s [Segment],
    hint: SizeHint,
) -> Result<Term, BsFail<'s>> {
    // In-place append: the first segment names a binary that ends its buffer.
    let mut writer: Option<(BitWriter, usize, usize)> = None;
    let mut rest = segs;
    if let Some(first) = segs.first() {
        if matches!(first.kind, SegKind::Append | SegKind::PrivateAppend) {
            let b = fetch(xr, p, first.src);
            let view = p.heap.view(lits);
            let (w, off, len) = view
                .bin_ref(b)
                .ok_or(BsFail::badarg(first, BsProblem::Type))?;
            if first.unit > 1 && !len.is_multiple_of(first.unit as usize) {
                return Err(BsFail::badarg(first, BsProblem::Unit));
            }
            if bits::appendable(&view, w, off, len) {
                let i = (w >> 1) as usize;
                let more = size_hint(p, xr, lits, hint, &segs[1..]);
                let buf = alloc::sync::Arc::get_mut(&mut p.heap.bins[i])
                    .ok_or(BsFail::plain())?
                    .take_bytes();
                let mut wr = BitWriter::resume(buf, off + len);
                if construction_room(p, &mut wr, more).is_err() {
                    p.heap.put_bin_bytes(i, wr.buf);
                    return Err(BsFail::limit());
                }
                writer = Some((wr, i, off));
            } else {
                let s = crate::vm::heap::BinSlice {
                    data: view.buffer(w),
                    bit_offset: off,
                    bit_len: len,
                };
                // Room for this construction, and for appending as much again later.
                let now = s.bit_len / 8 + size_hint(p, xr, lits, hint, &segs[1..]);
                let room = now.max(s.bit_len / 8 * 2 + 64);
                let mut wr = BitWriter::with_room(if room < LARGE_OUTPUT { room } else { 0 });
                construction_room(p, &mut wr, room).map_err(|_| BsFail::limit())?;
                wr.slice(&s);
                writer = Some((wr, usize::MAX, 0));
            }
            rest = &segs[1..];
        }
    }
    let (mut wr, reuse, start) = match writer {
        Some(w) => w,
        None => {
            // One allocation of about the right size instead of growing from nothing.
            let bytes = size_hint(p, xr, lits, hint, rest);
            let mut wr = BitWriter::with_room(if bytes < LARGE_OUTPUT { bytes } else { 0 });
            construction_room(p, &mut wr, bytes).map_err(|_| BsFail::limit())?;
            (wr, usize::MAX, 0)
        }
    };
    let r = write_segments(p, xr, lits, strings, rest, &mut wr);
    if reuse != usize::MAX {
        // Put the buffer back even on failure so the source binary stays valid.
        let bits_now = wr.bits;
        p.heap.put_bin_bytes(reuse, wr.buf);
        r?;
        return Ok(p.heap.bin_ref((reuse as u64) << 1, start, bits_now - start));
    }
    r?;
    let bits_now = wr.bits;
    Ok(p.heap.binary_bits(wr.buf, bits_now))
}

/// The bytes a construction will probably take: `hint` for the segments whose size the load
/// knew (see [`Segment::load_time_bits`]), and the length of each binary in `segs`.
#[inline]
fn size_hint(
    p: &Process,
    xr: &[Term; X_REGS],
    lits: &Literals,
    hint: SizeHint,
    segs: &[Segment],
) -> usize {
    let mut bits = hint.fixed_bits;
    if hint.binaries {
        for s in segs {
            if matches!(
                s.kind,
                SegKind::Binary | SegKind::Append | SegKind::PrivateAppend
            ) {
                let v = fetch(xr, p, s.src);
                bits += p.heap.view(lits).bin_ref(v).map_or(0, |(_, _, len)| len);
            }
        }
    }
    bits.div_ceil(8)
}

/// Constructions whose output reaches this many bytes take their room from the node's memory
/// fallibly (see [`construction_room`]); smaller ones grow as any small buffer does.
const LARGE_OUTPUT: usize = 1 << 16;

/// Room in `wr` for `bytes` more bytes of a construction's output (its size hint: the
/// segments whose sizes the load knew and the binaries it copies), taken up front when the
/// result will be large, so that appending them never grows the buffer on its own: an
/// accumulator of tens of MB doubling by itself could ask for more than the node has, which
/// must be the process's `system_limit`, not the node's end.
fn construction_room(p: &Process, wr: &mut BitWriter, bytes: usize) -> Result<(), MemoryError> {
    let now = wr.buf.len().max(wr.bits.div_ceil(8));
    let want = now.saturating_add(bytes);
    if want < LARGE_OUTPUT || want <= wr.buf.capacity() {
        return Ok(());
    }
    // Grown as Vec grows (at least doubling), so that appends in a loop stay linear.
    let target = want.max(wr.buf.capacity().saturating_mul(2));
    let more = target - wr.buf.len();
    p.heap.reserve_output(&mut wr.buf, more)
}

/// Room in `wr` for an `n`-bit segment whose size the program chose (an integer segment
/// can ask for any size with a small value): more than the node's memory has left, or than
/// the allocator gives, fails with `system_limit` instead of taking the node down.
fn segment_room(p: &Process, wr: &mut BitWriter, n: usize) -> Result<(), Fault> {
    p.heap
        .reserve_output(&mut wr.buf, n.div_ceil(8))
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))
}

/// Writes the segments of a construction into `wr`, each checked as erl checks it (the
/// size first, then the value).
#[inline(always)]
fn write_segments<'s>(
    p: &mut Process,
    xr: &[Term; X_REGS],
    lits: &Literals,
    strings: &[u8],
    segs: &'s [Segment],
    wr: &mut BitWriter,
) -> Result<(), BsFail<'s>> {
    for s in segs {
        let v = fetch(xr, p, s.src);
        let size = fetch(xr, p, s.size);
        let view = p.heap.view(lits);
        // As erl checks: the size first, then the value.
        match s.kind {
            SegKind::Integer => {
                let n = segment_bits(&view, s, size)?;
                if let Some(i) = v.as_small() {
                    if n <= 64 {
                        wr.int64(i as u64, n, s.flags);
                        continue;
                    }
                }
                let b = view
                    .int(v)
                    .ok_or(BsFail::badarg(s, BsProblem::Type))?
                    .to_big();
                segment_room(p, wr, n).map_err(|_| BsFail {
                    limit: true,
                    blame: Some((s, BsProblem::Size)),
                })?;
                wr.integer(&b, n, s.flags);
            }
            SegKind::Float => {
                let n = segment_bits(&view, s, size)?;
                if !matches!(n, 16 | 32 | 64) {
                    return Err(BsFail::badarg(s, BsProblem::Invalid));
                }
                let f = view
                    .number_f64(v)
                    .ok_or(BsFail::badarg(s, BsProblem::Type))?;
                wr.float(f, n, s.flags);
            }
            SegKind::Binary => {
                let n = if size == atom::ALL {
                    None
                } else {
                    Some(segment_bits(&view, s, size)?)
                };
                let b = view.binary(v).ok_or(BsFail::badarg(s, BsProblem::Type))?;
                match n {
                    None => {
                        if s.unit > 1 && !b.bit_len.is_multiple_of(s.unit as usize) {
                            return Err(BsFail::badarg(s, BsProblem::Unit));
                        }
                        wr.slice(&b);
                    }
                    Some(n) if n > b.bit_len => return Err(BsFail::badarg(s, BsProblem::Short)),
                    Some(n) => wr.slice(&crate::vm::heap::BinSlice {
                        data: b.data,
                        bit_offset: b.bit_offset,
                        bit_len: n,
                    }),
                }
            }
            SegKind::Utf8 | SegKind::Utf16 | SegKind::Utf32 => {
                let utf = match s.kind {
                    SegKind::Utf8 => Utf::U8,
                    SegKind::Utf16 => Utf::U16,
                    _ => Utf::U32,
                };
                let (bytes, n) = v
                    .as_small()
                    .and_then(|cp| bits::encode_utf(cp, utf, s.flags))
                    .ok_or(BsFail::badarg(s, BsProblem::Type))?;
                wr.bytes(&bytes[..n]);
            }
            SegKind::String => {
                let off = v.small_value() as usize;
                let n = size.small_value() as usize;
                let bytes = strings.get(off..off + n).ok_or(BsFail::plain())?;
                wr.bytes(bytes);
            }
            SegKind::Append | SegKind::PrivateAppend => {
                let b = view.binary(v).ok_or(BsFail::badarg(s, BsProblem::Type))?;
                wr.slice(&b);
            }
        }
    }
    Ok(())
}
