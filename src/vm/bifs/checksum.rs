//! Checksum BIFs: `erlang:crc32/1,2` and `erlang:adler32/1,2` over iodata.

use alloc::vec::Vec;

use crate::vm::bif::{badarg, BifResult, Ctx};
use crate::vm::term::Term;

fn iodata(ctx: &Ctx, t: Term) -> Result<Vec<u8>, crate::vm::bif::Fault> {
    super::conv::iolist_output(ctx, t)
}

fn start(ctx: &Ctx, a: &[Term]) -> Result<(u32, Vec<u8>), crate::vm::bif::Fault> {
    if a.len() == 2 {
        let init = ctx
            .view()
            .int(a[0])
            .and_then(|i| u32::try_from(&i.to_big()).ok())
            .ok_or_else(badarg)?;
        Ok((init, iodata(ctx, a[1])?))
    } else {
        Ok((u32::MAX, iodata(ctx, a[0])?))
    }
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
    let (init, data) = start(ctx, a)?;
    let init = if a.len() == 2 { init } else { 1 };
    Ok(ctx.p.heap.int(adler32_update(init, &data) as i64))
}
