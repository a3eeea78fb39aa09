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

/// The CRC-32 polynomial, bit-reflected.
const CRC32_POLY: u32 = 0xedb8_8320;

/// `a * b` modulo the CRC-32 polynomial, both bit-reflected (x^0 is the top bit).
fn crc32_mul(a: u32, mut b: u32) -> u32 {
    let mut product = 0;
    let mut bit = 1u32 << 31;
    while bit != 0 {
        if a & bit != 0 {
            product ^= b;
        }
        bit >>= 1;
        b = if b & 1 != 0 {
            (b >> 1) ^ CRC32_POLY
        } else {
            b >> 1
        };
    }
    product
}

/// `erlang:crc32_combine(CrcA, CrcB, SizeB)`: the CRC-32 of A's data followed by B's from
/// the two checksums: A's shifted past SizeB zero bytes (multiplied by x^(8 SizeB) modulo
/// the polynomial, by squaring), plus B's.
pub fn crc32_combine(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (crc_a, crc_b, size) = combine_args(ctx, a)?;
    // x^(2^k) for k = 3 (one byte is x^8) upwards.
    let mut power = crc32_mul(1 << 30, 1 << 30); // x^2
    power = crc32_mul(power, power); // x^4
    power = crc32_mul(power, power); // x^8
    let mut shift = 1u32 << 31; // x^0
    let mut n = size;
    while n != 0 {
        if n & 1 != 0 {
            shift = crc32_mul(power, shift);
        }
        n >>= 1;
        power = crc32_mul(power, power);
    }
    Ok(Term::small(i64::from(crc32_mul(shift, crc_a) ^ crc_b)))
}

/// `erlang:adler32_combine(AdlerA, AdlerB, SizeB)`: the Adler-32 of A's data followed by
/// B's. B's sums are taken as they would be with A's before: its first sum grows by A's
/// first sum less one, its second by SizeB times A's first sum plus A's second, less SizeB.
pub fn adler32_combine(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    const BASE: u64 = 65_521;
    let (adler_a, adler_b, size) = combine_args(ctx, a)?;
    let (a1, a2) = (u64::from(adler_a & 0xffff), u64::from(adler_a >> 16));
    let (b1, b2) = (u64::from(adler_b & 0xffff), u64::from(adler_b >> 16));
    let n = size % BASE;
    let s1 = (a1 + b1 + BASE - 1) % BASE;
    let s2 = (n * a1 + a2 + b2 + BASE - n) % BASE;
    Ok(Term::small(((s2 << 16) | s1) as i64))
}

/// The arguments of the `*_combine` BIFs: two 32-bit checksums and a size.
fn combine_args(ctx: &Ctx, a: &[Term]) -> Result<(u32, u32, u64), Fault> {
    let _ = ctx;
    let check = |t: Term| {
        t.as_small()
            .filter(|&n| (0..=i64::from(u32::MAX)).contains(&n))
            .map(|n| n as u32)
    };
    let (x, y) = (
        check(a[0]).ok_or_else(badarg)?,
        check(a[1]).ok_or_else(badarg)?,
    );
    let size = a[2].as_small().filter(|&n| n >= 0).ok_or_else(badarg)? as u64;
    Ok((x, y, size))
}
