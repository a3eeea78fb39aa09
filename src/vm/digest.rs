//! The SHA-1 and SHA-2 digests (FIPS 180-4) behind `crypto:hash/2` and its incremental and
//! HMAC forms, with MD5 (RFC 1321) from [`super::bifs::md5`].
//!
//! One [`Digest`] holds any algorithm's running state, so the BIFs keep a state between
//! `hash_update/2` calls as a binary ([`Digest::to_bytes`], [`Digest::from_bytes`]): erl's
//! states are immutable too (each update gives a new one).

use alloc::vec::Vec;

/// A hash algorithm `crypto:hash/2` knows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Algorithm {
    /// MD5.
    Md5 = 1,
    /// SHA-1.
    Sha1 = 2,
    /// SHA-224.
    Sha224 = 3,
    /// SHA-256.
    Sha256 = 4,
    /// SHA-384.
    Sha384 = 5,
    /// SHA-512.
    Sha512 = 6,
}

impl Algorithm {
    /// The algorithm of a state's first byte.
    fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            1 => Self::Md5,
            2 => Self::Sha1,
            3 => Self::Sha224,
            4 => Self::Sha256,
            5 => Self::Sha384,
            6 => Self::Sha512,
            _ => return None,
        })
    }

    /// Bytes of a digest.
    pub fn size(self) -> usize {
        match self {
            Self::Md5 => 16,
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Bytes of a block.
    pub fn block_size(self) -> usize {
        match self {
            Self::Sha384 | Self::Sha512 => 128,
            _ => 64,
        }
    }

    /// Whether the state is eight 64-bit words (else 32-bit words).
    fn wide(self) -> bool {
        self.block_size() == 128
    }
}

/// A digest fed in pieces.
#[derive(Clone)]
pub struct Digest {
    algorithm: Algorithm,
    /// The chaining words (32-bit algorithms use the low halves).
    state: [u64; 8],
    /// Bytes of an unfinished block.
    pending: [u8; 128],
    filled: usize,
    /// Bytes fed in all.
    len: u64,
}

/// Bytes of a state saved by [`Digest::to_bytes`]: algorithm, length, fill, words, block.
const SAVED: usize = 1 + 8 + 1 + 64 + 128;

impl Digest {
    /// A digest of nothing yet.
    pub fn new(algorithm: Algorithm) -> Self {
        let mut state = [0u64; 8];
        match algorithm {
            Algorithm::Md5 | Algorithm::Sha1 => {
                let iv = [
                    0x6745_2301,
                    0xefcd_ab89,
                    0x98ba_dcfe,
                    0x1032_5476,
                    0xc3d2_e1f0,
                ];
                let n = if algorithm == Algorithm::Md5 { 4 } else { 5 };
                for (s, v) in state.iter_mut().zip(&iv[..n]) {
                    *s = *v;
                }
            }
            Algorithm::Sha224 => {
                for (s, v) in state.iter_mut().zip(IV384) {
                    *s = v & 0xffff_ffff;
                }
            }
            Algorithm::Sha256 => {
                for (s, v) in state.iter_mut().zip(IV512) {
                    *s = v >> 32;
                }
            }
            Algorithm::Sha384 => state = IV384,
            Algorithm::Sha512 => state = IV512,
        }
        Digest {
            algorithm,
            state,
            pending: [0; 128],
            filled: 0,
            len: 0,
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn compress(&mut self, block: &[u8]) {
        match self.algorithm {
            Algorithm::Md5 => {
                let mut s = [0u32; 4];
                for (w, v) in s.iter_mut().zip(&self.state) {
                    *w = *v as u32;
                }
                super::bifs::md5::block(&mut s, block);
                for (v, w) in self.state.iter_mut().zip(s) {
                    *v = u64::from(w);
                }
            }
            Algorithm::Sha1 => sha1_block(&mut self.state, block),
            Algorithm::Sha224 | Algorithm::Sha256 => sha256_block(&mut self.state, block),
            Algorithm::Sha384 | Algorithm::Sha512 => sha512_block(&mut self.state, block),
        }
    }

    /// Feeds `data`.
    pub fn update(&mut self, mut data: &[u8]) {
        let bs = self.algorithm.block_size();
        self.len = self.len.wrapping_add(data.len() as u64);
        if self.filled > 0 {
            let take = (bs - self.filled).min(data.len());
            self.pending[self.filled..self.filled + take].copy_from_slice(&data[..take]);
            self.filled += take;
            data = &data[take..];
            if self.filled < bs {
                return;
            }
            let block = self.pending;
            self.compress(&block[..bs]);
            self.filled = 0;
        }
        let mut blocks = data.chunks_exact(bs);
        for b in &mut blocks {
            self.compress(b);
        }
        let rest = blocks.remainder();
        self.pending[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    /// The digest of everything fed.
    pub fn finish(mut self) -> Vec<u8> {
        let a = self.algorithm;
        let bits = self.len.wrapping_mul(8);
        // The length field: 8 bytes (16 for the 128-byte blocks), after the padding.
        let field = if a.wide() { 16 } else { 8 };
        self.update(&[0x80]);
        while self.filled != a.block_size() - field {
            self.update(&[0]);
        }
        if a == Algorithm::Md5 {
            self.update(&bits.to_le_bytes());
        } else {
            if a.wide() {
                self.update(&[0; 8]);
            }
            self.update(&bits.to_be_bytes());
        }
        let mut out = Vec::with_capacity(64);
        for w in self.state {
            match a {
                Algorithm::Md5 => out.extend_from_slice(&(w as u32).to_le_bytes()),
                _ if a.wide() => out.extend_from_slice(&w.to_be_bytes()),
                _ => out.extend_from_slice(&(w as u32).to_be_bytes()),
            }
        }
        out.truncate(a.size());
        out
    }

    /// The state as bytes, for [`Digest::from_bytes`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(SAVED);
        out.push(self.algorithm as u8);
        out.extend_from_slice(&self.len.to_le_bytes());
        out.push(self.filled as u8);
        for w in self.state {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out.extend_from_slice(&self.pending);
        out
    }

    /// A state saved by [`Digest::to_bytes`]; `None` for anything else.
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        if b.len() != SAVED {
            return None;
        }
        let algorithm = Algorithm::from_code(b[0])?;
        let filled = usize::from(b[9]);
        if filled >= algorithm.block_size() {
            return None;
        }
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[i..i + 8]);
            u64::from_le_bytes(w)
        };
        let mut state = [0u64; 8];
        for (i, s) in state.iter_mut().enumerate() {
            *s = word(10 + 8 * i);
        }
        let mut pending = [0u8; 128];
        pending.copy_from_slice(&b[74..]);
        Some(Digest {
            algorithm,
            state,
            pending,
            filled,
            len: word(1),
        })
    }
}

/// The digest of `data`.
pub fn digest(algorithm: Algorithm, data: &[u8]) -> Vec<u8> {
    let mut d = Digest::new(algorithm);
    d.update(data);
    d.finish()
}

/// HMAC (RFC 2104) of `data` under `key`.
pub fn hmac(algorithm: Algorithm, key: &[u8], data: &[u8]) -> Vec<u8> {
    let bs = algorithm.block_size();
    let mut k = if key.len() > bs {
        digest(algorithm, key)
    } else {
        key.to_vec()
    };
    k.resize(bs, 0);
    let pad = |x: u8| k.iter().map(|b| b ^ x).collect::<Vec<u8>>();
    let mut inner = Digest::new(algorithm);
    inner.update(&pad(0x36));
    inner.update(data);
    let mut outer = Digest::new(algorithm);
    outer.update(&pad(0x5c));
    outer.update(&inner.finish());
    outer.finish()
}

fn sha1_block(state: &mut [u64; 8], block: &[u8]) {
    let mut w = [0u32; 80];
    for i in 0..16 {
        w[i] = u32::from_be_bytes([
            block[4 * i],
            block[4 * i + 1],
            block[4 * i + 2],
            block[4 * i + 3],
        ]);
    }
    for i in 16..80 {
        w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
    }
    let mut h = [0u32; 5];
    for (x, s) in h.iter_mut().zip(state.iter()) {
        *x = *s as u32;
    }
    let [mut a, mut b, mut c, mut d, mut e] = h;
    for (i, wi) in w.iter().enumerate() {
        let (f, k) = match i / 20 {
            0 => ((b & c) | (!b & d), 0x5a82_7999),
            1 => (b ^ c ^ d, 0x6ed9_eba1),
            2 => ((b & c) | (b & d) | (c & d), 0x8f1b_bcdc),
            _ => (b ^ c ^ d, 0xca62_c1d6),
        };
        let t = a
            .rotate_left(5)
            .wrapping_add(f)
            .wrapping_add(e)
            .wrapping_add(k)
            .wrapping_add(*wi);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = t;
    }
    for (s, x) in state.iter_mut().zip([a, b, c, d, e]) {
        *s = u64::from((*s as u32).wrapping_add(x));
    }
}

fn sha256_block(state: &mut [u64; 8], block: &[u8]) {
    let mut w = [0u32; 64];
    for i in 0..16 {
        w[i] = u32::from_be_bytes([
            block[4 * i],
            block[4 * i + 1],
            block[4 * i + 2],
            block[4 * i + 3],
        ]);
    }
    for i in 16..64 {
        let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
        let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16]
            .wrapping_add(s0)
            .wrapping_add(w[i - 7])
            .wrapping_add(s1);
    }
    let mut v = [0u32; 8];
    for (x, s) in v.iter_mut().zip(state.iter()) {
        *x = *s as u32;
    }
    for (i, wi) in w.iter().enumerate() {
        let [a, b, c, d, e, f, g, h] = v;
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = h
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add((K512[i] >> 32) as u32)
            .wrapping_add(*wi);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
    }
    for (s, x) in state.iter_mut().zip(v) {
        *s = u64::from((*s as u32).wrapping_add(x));
    }
}

fn sha512_block(state: &mut [u64; 8], block: &[u8]) {
    let mut w = [0u64; 80];
    for (i, x) in w.iter_mut().take(16).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(&block[8 * i..8 * i + 8]);
        *x = u64::from_be_bytes(b);
    }
    for i in 16..80 {
        let s0 = w[i - 15].rotate_right(1) ^ w[i - 15].rotate_right(8) ^ (w[i - 15] >> 7);
        let s1 = w[i - 2].rotate_right(19) ^ w[i - 2].rotate_right(61) ^ (w[i - 2] >> 6);
        w[i] = w[i - 16]
            .wrapping_add(s0)
            .wrapping_add(w[i - 7])
            .wrapping_add(s1);
    }
    let mut v = *state;
    for (i, wi) in w.iter().enumerate() {
        let [a, b, c, d, e, f, g, h] = v;
        let s1 = e.rotate_right(14) ^ e.rotate_right(18) ^ e.rotate_right(41);
        let ch = (e & f) ^ (!e & g);
        let t1 = h
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(K512[i])
            .wrapping_add(*wi);
        let s0 = a.rotate_right(28) ^ a.rotate_right(34) ^ a.rotate_right(39);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
    }
    for (s, x) in state.iter_mut().zip(v) {
        *s = s.wrapping_add(x);
    }
}

/// SHA-512's round constants: the first 64 bits of the fractional parts of the cube roots
/// of the first 80 primes; SHA-256's are the first 32 bits of the first 64.
const K512: [u64; 80] = [
    0x428a2f98d728ae22,
    0x7137449123ef65cd,
    0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc,
    0x3956c25bf348b538,
    0x59f111f1b605d019,
    0x923f82a4af194f9b,
    0xab1c5ed5da6d8118,
    0xd807aa98a3030242,
    0x12835b0145706fbe,
    0x243185be4ee4b28c,
    0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f,
    0x80deb1fe3b1696b1,
    0x9bdc06a725c71235,
    0xc19bf174cf692694,
    0xe49b69c19ef14ad2,
    0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5,
    0x240ca1cc77ac9c65,
    0x2de92c6f592b0275,
    0x4a7484aa6ea6e483,
    0x5cb0a9dcbd41fbd4,
    0x76f988da831153b5,
    0x983e5152ee66dfab,
    0xa831c66d2db43210,
    0xb00327c898fb213f,
    0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2,
    0xd5a79147930aa725,
    0x06ca6351e003826f,
    0x142929670a0e6e70,
    0x27b70a8546d22ffc,
    0x2e1b21385c26c926,
    0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df,
    0x650a73548baf63de,
    0x766a0abb3c77b2a8,
    0x81c2c92e47edaee6,
    0x92722c851482353b,
    0xa2bfe8a14cf10364,
    0xa81a664bbc423001,
    0xc24b8b70d0f89791,
    0xc76c51a30654be30,
    0xd192e819d6ef5218,
    0xd69906245565a910,
    0xf40e35855771202a,
    0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8,
    0x1e376c085141ab53,
    0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63,
    0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc,
    0x78a5636f43172f60,
    0x84c87814a1f0ab72,
    0x8cc702081a6439ec,
    0x90befffa23631e28,
    0xa4506cebde82bde9,
    0xbef9a3f7b2c67915,
    0xc67178f2e372532b,
    0xca273eceea26619c,
    0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e,
    0xf57d4f7fee6ed178,
    0x06f067aa72176fba,
    0x0a637dc5a2c898a6,
    0x113f9804bef90dae,
    0x1b710b35131c471b,
    0x28db77f523047d84,
    0x32caab7b40c72493,
    0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6,
    0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec,
    0x6c44198c4a475817,
];

/// SHA-512's initial words: the fractional parts of the square roots of the first 8
/// primes; SHA-256's are their first 32 bits.
const IV512: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

/// SHA-384's initial words: those of the 9th to 16th primes; SHA-224's are their last 32
/// bits.
const IV384: [u64; 8] = [
    0xcbbb9d5dc1059ed8,
    0x629a292a367cd507,
    0x9159015a3070dd17,
    0x152fecd8f70e5939,
    0x67332667ffc00b31,
    0x8eb44a8768581511,
    0xdb0c2e0d64f98fa7,
    0x47b5481dbefa4fa4,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(d: &[u8]) -> alloc::string::String {
        d.iter().map(|b| alloc::format!("{b:02x}")).collect()
    }

    #[test]
    fn fips_180_vectors() {
        let abc = b"abc";
        assert_eq!(
            hex(&digest(Algorithm::Sha1, abc)),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&digest(Algorithm::Sha224, abc)),
            "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"
        );
        assert_eq!(
            hex(&digest(Algorithm::Sha256, abc)),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&digest(Algorithm::Sha384, abc)),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
             8086072ba1e7cc2358baeca134c825a7"
        );
        assert_eq!(
            hex(&digest(Algorithm::Sha512, abc)),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        assert_eq!(
            hex(&digest(Algorithm::Md5, abc)),
            "900150983cd24fb0d6963f7d28e17f72"
        );
    }

    #[test]
    fn pieces_and_saved_states_give_the_digest_of_the_whole() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for a in [
            Algorithm::Sha1,
            Algorithm::Sha256,
            Algorithm::Sha512,
            Algorithm::Md5,
        ] {
            for cut in [0, 1, 55, 64, 111, 112, 128, 999] {
                let mut d = Digest::new(a);
                d.update(&data[..cut]);
                let mut d = Digest::from_bytes(&d.to_bytes()).expect("a saved state");
                for piece in data[cut..].chunks(37) {
                    d.update(piece);
                }
                assert_eq!(d.finish(), digest(a, &data), "{a:?} cut {cut}");
            }
        }
        assert!(Digest::from_bytes(b"nonsense").is_none());
    }

    #[test]
    fn rfc_4231_hmac() {
        let key = [0x0bu8; 20];
        assert_eq!(
            hex(&hmac(Algorithm::Sha256, &key, b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
    }
}
