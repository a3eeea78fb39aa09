//! `erlang:md5/1` and the incremental `md5_init/0`, `md5_update/2`, `md5_final/1` (RFC 1321).

use alloc::vec::Vec;

use crate::vm::bif::{badarg, BifResult, Ctx};
use crate::vm::term::Term;

const SHIFTS: [u32; 64] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9,
    14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15,
    21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];

/// The sine-derived round constants.
fn k(i: usize) -> u32 {
    let s = num_traits::Float::abs(num_traits::Float::sin((i + 1) as f64));
    (s * 4_294_967_296.0) as u32
}

fn block(state: &mut [u32; 4], chunk: &[u8]) {
    let mut m = [0u32; 16];
    for (i, w) in m.iter_mut().enumerate() {
        *w = u32::from_le_bytes([
            chunk[4 * i],
            chunk[4 * i + 1],
            chunk[4 * i + 2],
            chunk[4 * i + 3],
        ]);
    }
    let [mut a, mut b, mut c, mut d] = *state;
    for (i, &shift) in SHIFTS.iter().enumerate() {
        let (f, g) = match i / 16 {
            0 => ((b & c) | (!b & d), i),
            1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
            2 => (b ^ c ^ d, (3 * i + 5) % 16),
            _ => (c ^ (b | !d), (7 * i) % 16),
        };
        let t = d;
        d = c;
        c = b;
        b = b.wrapping_add(
            a.wrapping_add(f)
                .wrapping_add(k(i))
                .wrapping_add(m[g])
                .rotate_left(shift),
        );
        a = t;
    }
    state[0] = state[0].wrapping_add(a);
    state[1] = state[1].wrapping_add(b);
    state[2] = state[2].wrapping_add(c);
    state[3] = state[3].wrapping_add(d);
}

/// The MD5 digest of `data`.
pub fn digest(data: &[u8]) -> [u8; 16] {
    let mut state = [0x6745_2301u32, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    let mut msg: Vec<u8> = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_le_bytes());
    for chunk in msg.chunks_exact(64) {
        block(&mut state, chunk);
    }
    let mut out = [0u8; 16];
    for (i, w) in state.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
    }
    out
}

fn iodata(ctx: &Ctx, t: Term) -> Result<Vec<u8>, crate::vm::bif::Fault> {
    let mut out = Vec::new();
    super::conv::iolist_bytes(&ctx.view(), t, &mut out).ok_or_else(badarg)?;
    Ok(out)
}

/// `erlang:md5/1`.
pub fn md5(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let data = iodata(ctx, a[0])?;
    Ok(ctx.p.heap.binary(digest(&data).to_vec()))
}

/// `erlang:md5_init/0`: the context is simply the data seen so far.
pub fn md5_init(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(ctx.p.heap.binary(Vec::new()))
}

/// `erlang:md5_update/2`.
pub fn md5_update(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut seen = ctx
        .view()
        .binary_bytes(a[0])
        .ok_or_else(badarg)?
        .into_owned();
    seen.extend_from_slice(&iodata(ctx, a[1])?);
    Ok(ctx.p.heap.binary(seen))
}

/// `erlang:md5_final/1`.
pub fn md5_final(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let seen = ctx
        .view()
        .binary_bytes(a[0])
        .ok_or_else(badarg)?
        .into_owned();
    Ok(ctx.p.heap.binary(digest(&seen).to_vec()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc_1321_vectors() {
        let hex = |d: [u8; 16]| {
            d.iter()
                .map(|b| alloc::format!("{b:02x}"))
                .collect::<alloc::string::String>()
        };
        assert_eq!(hex(super::digest(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            hex(super::digest(b"abc")),
            "900150983cd24fb0d6963f7d28e17f72"
        );
        assert_eq!(
            hex(super::digest(
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            )),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
    }
}
