//! Checksum BIFs: `erlang:crc32/1,2` and `erlang:adler32/1,2` over iodata.

use alloc::vec::Vec;

use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::term::Term;

/// Bytes one step of a long checksum takes (a few milliseconds of work).
const STEP: usize = 1 << 21;

fn iodata(ctx: &Ctx, t: Term) -> Result<Vec<u8>, crate::vm::bif::Fault> {
    super::conv::iolist_output(ctx, t)
}

fn start(ctx: &Ctx, a: &[Term]) -> Result<(u32, Vec<u8>), crate::vm::bif::Fault> {
    if a.len() == 2 {
        Ok((initial(ctx, a[0])?, iodata(ctx, a[1])?))
    } else {
        Ok((u32::MAX, iodata(ctx, a[0])?))
    }
}

fn initial(ctx: &Ctx, t: Term) -> Result<u32, Fault> {
    ctx.view()
        .int(t)
        .and_then(|i| u32::try_from(&i.to_big()).ok())
        .ok_or_else(badarg)
}

/// When the data is a byte-aligned binary longer than a step, traps to [`step`] with the
/// checksum so far (`init`), so that the others run meanwhile.
fn long(ctx: &mut Ctx, a: &[Term], init: u32, crc: bool) -> Option<Fault> {
    let data = *a.last()?;
    let len = ctx.view().binary(data)?.bytes()?.len();
    if len <= STEP {
        return None;
    }
    let init = match a.len() {
        2 => initial(ctx, a[0]).ok()?,
        _ => init,
    };
    let state = ctx.p.heap.tuple(&[
        Term::small(i64::from(init)),
        Term::small(0),
        Term::small(i64::from(crc)),
    ]);
    Some(Fault::TrapTo([
        Term::small(super::trap::CHECKSUM),
        data,
        state,
        Term::NIL,
    ]))
}

/// One step of a long `erlang:crc32/1,2` or `adler32/1,2` (continuation
/// [`super::trap::CHECKSUM`]): `a[1]` is the data, `a[2]` `{SoFar, Offset, IsCrc}`.
pub fn step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (acc, at, crc) = match ctx.view().tuple(a[2]) {
        Some(&[s, at, c]) => (s.as_small(), at.as_small(), c.as_small()),
        _ => return Err(badarg()),
    };
    let (Some(acc), Some(at), Some(crc)) = (acc, at, crc) else {
        return Err(badarg());
    };
    let (acc, end, len) = {
        let v = ctx.view();
        let data = v.binary(a[1]).and_then(|b| b.bytes()).ok_or_else(badarg)?;
        let end = data.len().min(at as usize + STEP);
        let piece = data.get(at as usize..end).ok_or_else(badarg)?;
        let acc = if crc == 1 {
            crc32_update(acc as u32, piece)
        } else {
            adler32_update(acc as u32, piece)
        };
        (acc, end, data.len())
    };
    ctx.charge(crate::vm::process::SLICE_REDUCTIONS as usize);
    if end < len {
        let state = ctx.p.heap.tuple(&[
            Term::small(i64::from(acc)),
            Term::small(end as i64),
            Term::small(crc),
        ]);
        return Err(Fault::TrapTo([a[0], a[1], state, Term::NIL]));
    }
    Ok(ctx.p.heap.int(i64::from(acc)))
}

/// The CRC-32 (IEEE, as zlib and gzip compute it) of `data`, continuing from `crc`.
pub fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    let mut c = !crc;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xedb8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// `erlang:crc32/1,2`.
pub fn crc32(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let Some(f) = long(ctx, a, 0, true) {
        return Err(f);
    }
    let (init, data) = start(ctx, a)?;
    let init = if a.len() == 2 { init } else { 0 };
    Ok(ctx.p.heap.int(crc32_update(init, &data) as i64))
}

/// The Adler-32 of `data`, continuing from `adler` (1 starts one).
pub fn adler32_update(adler: u32, data: &[u8]) -> u32 {
    let (mut s1, mut s2) = (adler & 0xffff, adler >> 16);
    for &b in data {
        s1 = (s1 + b as u32) % 65521;
        s2 = (s2 + s1) % 65521;
    }
    (s2 << 16) | s1
}

/// `erlang:adler32/1,2`.
pub fn adler32(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let Some(f) = long(ctx, a, 1, false) {
        return Err(f);
    }
    let (init, data) = start(ctx, a)?;
    let init = if a.len() == 2 { init } else { 1 };
    Ok(ctx.p.heap.int(adler32_update(init, &data) as i64))
}
