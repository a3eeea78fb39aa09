//! `erlang:md5/1` and the incremental `md5_init/0`, `md5_update/2`, `md5_final/1` (RFC 1321).

use alloc::vec::Vec;

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx};
use crate::vm::term::Term;

const SHIFTS: [u32; 64] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9,
    14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15,
    21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];

/// The sine-derived round constants.
/// The round constants: the integer part of `abs(sin(i + 1)) * 2^32` (RFC 1321).
const K: [u32; 64] = [
    0xd76a_a478,
    0xe8c7_b756,
    0x2420_70db,
    0xc1bd_ceee,
    0xf57c_0faf,
    0x4787_c62a,
    0xa830_4613,
    0xfd46_9501,
    0x6980_98d8,
    0x8b44_f7af,
    0xffff_5bb1,
    0x895c_d7be,
    0x6b90_1122,
    0xfd98_7193,
    0xa679_438e,
    0x49b4_0821,
    0xf61e_2562,
    0xc040_b340,
    0x265e_5a51,
    0xe9b6_c7aa,
    0xd62f_105d,
    0x0244_1453,
    0xd8a1_e681,
    0xe7d3_fbc8,
    0x21e1_cde6,
    0xc337_07d6,
    0xf4d5_0d87,
    0x455a_14ed,
    0xa9e3_e905,
    0xfcef_a3f8,
    0x676f_02d9,
    0x8d2a_4c8a,
    0xfffa_3942,
    0x8771_f681,
    0x6d9d_6122,
    0xfde5_380c,
    0xa4be_ea44,
    0x4bde_cfa9,
    0xf6bb_4b60,
    0xbebf_bc70,
    0x289b_7ec6,
    0xeaa1_27fa,
    0xd4ef_3085,
    0x0488_1d05,
    0xd9d4_d039,
    0xe6db_99e5,
    0x1fa2_7cf8,
    0xc4ac_5665,
    0xf429_2244,
    0x432a_ff97,
    0xab94_23a7,
    0xfc93_a039,
    0x655b_59c3,
    0x8f0c_cc92,
    0xffef_f47d,
    0x8584_5dd1,
    0x6fa8_7e4f,
    0xfe2c_e6e0,
    0xa301_4314,
    0x4e08_11a1,
    0xf753_7e82,
    0xbd3a_f235,
    0x2ad7_d2bb,
    0xeb86_d391,
];

/// One 64-byte block into the state.
pub(crate) fn block(state: &mut [u32; 4], chunk: &[u8]) {
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
                .wrapping_add(K[i])
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
    let mut m = Md5::new();
    m.update(data);
    m.finish()
}

/// An MD5 digest fed in pieces (a module's digest covers several of its chunks).
pub struct Md5 {
    state: [u32; 4],
    /// Bytes of an unfinished block.
    pending: [u8; 64],
    filled: usize,
    /// Bytes fed in all.
    len: u64,
}

impl Default for Md5 {
    fn default() -> Self {
        Self::new()
    }
}

impl Md5 {
    /// A digest of nothing yet.
    pub fn new() -> Self {
        Md5 {
            state: [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476],
            pending: [0; 64],
            filled: 0,
            len: 0,
        }
    }

    /// Feeds `data`.
    pub fn update(&mut self, mut data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        if self.filled > 0 {
            let take = (64 - self.filled).min(data.len());
            self.pending[self.filled..self.filled + take].copy_from_slice(&data[..take]);
            self.filled += take;
            data = &data[take..];
            if self.filled < 64 {
                return;
            }
            block(&mut self.state, &self.pending);
            self.filled = 0;
        }
        let mut blocks = data.chunks_exact(64);
        for b in &mut blocks {
            block(&mut self.state, b);
        }
        let rest = blocks.remainder();
        self.pending[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    /// The context as `erlang:md5_init/0` and `md5_update/2` return it, laid out as erl's
    /// (88 bytes: the state's four words, the count of bits fed, the unfinished block, and
    /// eight bytes erl leaves undefined, zero here).
    pub fn to_context(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(CONTEXT_BYTES);
        for w in self.state {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out.extend_from_slice(&self.len.wrapping_mul(8).to_le_bytes());
        out.extend_from_slice(&self.pending[..self.filled]);
        out.resize(CONTEXT_BYTES, 0);
        out
    }

    /// The digest a context of [`Md5::to_context`]'s layout stands for; `None` for anything
    /// else (a binary of another size, or a count of bits that is not whole bytes).
    pub fn from_context(c: &[u8]) -> Option<Md5> {
        if c.len() != CONTEXT_BYTES {
            return None;
        }
        let word = |i: usize| u32::from_le_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]);
        let bits = u64::from_le_bytes(c[16..24].try_into().ok()?);
        if bits % 8 != 0 {
            return None;
        }
        let len = bits / 8;
        let filled = (len % 64) as usize;
        let mut pending = [0u8; 64];
        pending[..filled].copy_from_slice(&c[24..24 + filled]);
        Some(Md5 {
            state: [word(0), word(4), word(8), word(12)],
            pending,
            filled,
            len,
        })
    }

    /// The digest of everything fed.
    pub fn finish(mut self) -> [u8; 16] {
        let bits = self.len.wrapping_mul(8);
        self.update(&[0x80]);
        while self.filled != 56 {
            self.update(&[0]);
        }
        self.update(&bits.to_le_bytes());
        let mut out = [0u8; 16];
        for (i, w) in self.state.iter().enumerate() {
            out[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        out
    }
}

/// Bytes of an `erlang:md5_init/0` context.
const CONTEXT_BYTES: usize = 88;

/// Bytes one step of a long digest takes (a few milliseconds of hashing).
pub const DIGEST_STEP: usize = 1 << 22;

fn iodata(ctx: &Ctx, t: Term) -> Result<Vec<u8>, crate::vm::bif::Fault> {
    super::conv::iolist_output(ctx, t)
}

/// The length of `t` when it is a byte-aligned binary longer than one step: such data is
/// digested a step at a time by a continuation ([`md5_step`]), so the others run meanwhile.
fn long_binary(ctx: &Ctx, t: Term) -> Option<usize> {
    let b = ctx.view().binary(t)?;
    b.bytes().filter(|d| d.len() > DIGEST_STEP).map(<[u8]>::len)
}

/// `erlang:md5/1`.
pub fn md5(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if long_binary(ctx, a[0]).is_some() {
        return Err(start_steps(ctx, Md5::new(), a[0], atom::TRUE));
    }
    let data = iodata(ctx, a[0])?;
    ctx.charge(data.len() / 1024);
    Ok(ctx.p.heap.binary(digest(&data).to_vec()))
}

/// `erlang:md5_init/0`.
pub fn md5_init(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(ctx.p.heap.binary(Md5::new().to_context()))
}

fn context(ctx: &Ctx, t: Term) -> Result<Md5, crate::vm::bif::Fault> {
    let v = ctx.view();
    let bytes = v.binary_bytes(t).ok_or_else(badarg)?;
    Md5::from_context(&bytes).ok_or_else(badarg)
}

/// `erlang:md5_update/2`.
pub fn md5_update(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut m = context(ctx, a[0])?;
    if long_binary(ctx, a[1]).is_some() {
        return Err(start_steps(ctx, m, a[1], atom::FALSE));
    }
    let data = iodata(ctx, a[1])?;
    ctx.charge(data.len() / 1024);
    m.update(&data);
    Ok(ctx.p.heap.binary(m.to_context()))
}

/// `erlang:md5_final/1`.
pub fn md5_final(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let m = context(ctx, a[0])?;
    Ok(ctx.p.heap.binary(m.finish().to_vec()))
}

/// Traps to [`md5_step`] with `m` (as a context binary), the data and whether the result
/// is the digest (`md5/1`) or the context (`md5_update/2`).
fn start_steps(ctx: &mut Ctx, m: Md5, data: Term, digest: Term) -> crate::vm::bif::Fault {
    let c = ctx.p.heap.binary(m.to_context());
    let state = ctx.p.heap.tuple(&[c, Term::small(0), digest]);
    crate::vm::bif::Fault::TrapTo([Term::small(super::trap::MD5), data, state, Term::NIL])
}

/// One step of a long `erlang:md5/1` or `md5_update/2` (continuation
/// [`super::trap::MD5`]): `a[1]` is the data, `a[2]` `{Context, Offset, Digest}`.
pub fn md5_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (c, at, digest) = match ctx.view().tuple(a[2]) {
        Some(&[c, at, d]) => (c, at.as_small().ok_or_else(badarg)? as usize, d),
        _ => return Err(badarg()),
    };
    let mut m = context(ctx, c)?;
    let end = {
        let v = ctx.view();
        let data = v.binary(a[1]).and_then(|b| b.bytes()).ok_or_else(badarg)?;
        let end = data.len().min(at + DIGEST_STEP);
        m.update(data.get(at..end).ok_or_else(badarg)?);
        (end, data.len())
    };
    ctx.charge(crate::vm::process::SLICE_REDUCTIONS as usize);
    if end.0 < end.1 {
        let c = ctx.p.heap.binary(m.to_context());
        let state = ctx.p.heap.tuple(&[c, Term::small(end.0 as i64), digest]);
        return Err(crate::vm::bif::Fault::TrapTo([
            a[0],
            a[1],
            state,
            Term::NIL,
        ]));
    }
    let out = if digest == atom::TRUE {
        m.finish().to_vec()
    } else {
        m.to_context()
    };
    Ok(ctx.p.heap.binary(out))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_digest_fed_in_pieces_is_the_digest_of_the_whole() {
        let data: alloc::vec::Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for cut in [0, 1, 55, 56, 63, 64, 65, 128, 999, 1000] {
            for step in [1, 3, 64, 100] {
                let mut m = super::Md5::new();
                m.update(&data[..cut]);
                for piece in data[cut..].chunks(step) {
                    m.update(piece);
                }
                assert_eq!(m.finish(), super::digest(&data), "cut {cut} step {step}");
            }
        }
    }

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
