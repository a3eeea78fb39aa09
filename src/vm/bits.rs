//! Bit syntax: building bitstrings (`bs_create_bin`) and matching them (match contexts).
//!
//! A match context is a heap object `[buffer word, start, end, position]` (bit offsets into
//! the buffer); positions are updated in place. Construction writes into a fresh buffer, or
//! for `append`/`private_append` extends the source binary's buffer in place when it is the
//! last binary in that buffer and no other process shares it.

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use num_bigint::{BigInt, Sign};
use num_traits::{ToPrimitive, Zero};

use super::heap::{copy_bits, BinSlice, View, BIN_LITERAL};
use super::ops::{FLAG_LITTLE, FLAG_NATIVE, FLAG_SIGNED};

/// A growable bit buffer.
#[derive(Default)]
pub struct BitWriter {
    /// The bytes (the last one may be partial).
    pub buf: Vec<u8>,
    /// Number of valid bits.
    pub bits: usize,
}

impl BitWriter {
    /// An empty writer with room for `bytes` bytes, as much as `Vec::reserve` would give
    /// an empty buffer (at least 8 bytes when any).
    pub fn with_room(bytes: usize) -> Self {
        // Allocating directly skips reserve's path for growing a buffer already in use.
        let cap = if bytes == 0 { 0 } else { bytes.max(8) };
        BitWriter {
            buf: Vec::with_capacity(cap),
            bits: 0,
        }
    }

    /// A writer continuing an existing buffer that holds `bits` valid bits.
    pub fn resume(buf: Vec<u8>, bits: usize) -> Self {
        BitWriter { buf, bits }
    }

    fn ensure(&mut self, extra: usize) {
        let need = (self.bits + extra).div_ceil(8);
        if self.buf.len() < need {
            self.buf.resize(need, 0);
        }
    }

    /// Appends whole bytes at a byte boundary (`self.bits % 8 == 0`).
    #[inline(always)]
    fn aligned_bytes(&mut self, b: &[u8]) {
        self.buf.truncate(self.bits / 8);
        self.buf.extend_from_slice(b);
        self.bits += b.len() * 8;
    }

    /// Appends whole bytes.
    #[inline]
    pub fn bytes(&mut self, b: &[u8]) {
        if self.bits.is_multiple_of(8) {
            self.aligned_bytes(b);
        } else {
            self.ensure(b.len() * 8);
            copy_bits(b, 0, &mut self.buf, self.bits, b.len() * 8);
            self.bits += b.len() * 8;
        }
    }

    /// Appends the low `n` (<= 64) bits of `v`, most significant first.
    pub fn uint(&mut self, v: u64, n: usize) {
        if n == 0 {
            return;
        }
        if n.is_multiple_of(8) && self.bits.is_multiple_of(8) {
            let be = v.to_be_bytes();
            self.bytes(&be[8 - n / 8..]);
            return;
        }
        self.ensure(n);
        let shifted = if n == 64 { v } else { v << (64 - n) };
        copy_bits(&shifted.to_be_bytes(), 0, &mut self.buf, self.bits, n);
        self.bits += n;
    }

    /// Appends a bit slice.
    pub fn slice(&mut self, s: &BinSlice) {
        if let Some(b) = s.bytes() {
            self.bytes(b);
            return;
        }
        self.ensure(s.bit_len);
        copy_bits(s.data, s.bit_offset, &mut self.buf, self.bits, s.bit_len);
        self.bits += s.bit_len;
    }

    /// Appends an integer segment of `n` (<= 64) bits holding the low `n` bits of the two's
    /// complement word `w`, in the byte order `flags` ask for.
    ///
    /// This is the allocation-free path for the common case; wider segments go through
    /// [`BitWriter::integer`].
    #[inline(always)]
    pub fn int64(&mut self, w: u64, n: usize, flags: u32) {
        if n == 0 {
            return;
        }
        let little = flags & (FLAG_LITTLE | FLAG_NATIVE) != 0;
        if n.is_multiple_of(8) && self.bits.is_multiple_of(8) {
            // Whole bytes onto a byte boundary (a protocol header's fields): the word's own
            // byte order gives the segment's bytes, with no reordering of bits.
            let k = n / 8;
            if little {
                self.aligned_bytes(&w.to_le_bytes()[..k]);
            } else {
                self.aligned_bytes(&w.to_be_bytes()[8 - k..]);
            }
            return;
        }
        let w = if n == 64 { w } else { w & ((1u64 << n) - 1) };
        if little {
            self.uint(le_order(w, n), n);
        } else {
            self.uint(w, n);
        }
    }

    /// Appends an integer segment of `n` bits.
    pub fn integer(&mut self, v: &BigInt, n: usize, flags: u32) {
        if n == 0 {
            return;
        }
        if n <= 64 {
            self.int64(two_complement_u64(v), n, flags);
            return;
        }
        self.wide_integer(v, n, flags);
    }

    /// Appends an integer segment of any size through a byte buffer (the general path).
    fn wide_integer(&mut self, v: &BigInt, n: usize, flags: u32) {
        let little = flags & (FLAG_LITTLE | FLAG_NATIVE) != 0;
        let nbytes = n.div_ceil(8);
        let mut le = twos_complement_le(v, nbytes);
        let rem = n % 8;
        if little {
            let full = n / 8;
            self.bytes(&le[..full]);
            if rem != 0 {
                self.uint((le[full] & ((1u8 << rem) - 1)) as u64, rem);
            }
        } else {
            le.reverse();
            // Big endian: the value occupies the low n bits of the byte string.
            let be = le;
            let skip = nbytes * 8 - n;
            self.ensure(n);
            copy_bits(&be, skip, &mut self.buf, self.bits, n);
            self.bits += n;
        }
    }

    /// Appends a float segment of `n` (16, 32 or 64) bits; false if the size is invalid.
    pub fn float(&mut self, f: f64, n: usize, flags: u32) -> bool {
        let little = flags & (FLAG_LITTLE | FLAG_NATIVE) != 0;
        let mut bytes: Vec<u8> = match n {
            64 => f.to_be_bytes().to_vec(),
            32 => (f as f32).to_be_bytes().to_vec(),
            16 => f16_bits(f).to_be_bytes().to_vec(),
            _ => return false,
        };
        if little {
            bytes.reverse();
        }
        self.bytes(&bytes);
        true
    }
}

/// `f` as an IEEE 754 half-precision float, rounded to nearest (ties to even) from the double
/// directly, subnormals included; too large a magnitude gives infinity, as erl's does.
fn f16_bits(f: f64) -> u16 {
    let b = f.to_bits();
    let sign = ((b >> 48) & 0x8000) as u16;
    let exp = ((b >> 52) & 0x7ff) as i32;
    let mant = b & ((1u64 << 52) - 1);
    if exp == 0x7ff {
        return sign | 0x7c00 | if mant != 0 { 0x200 } else { 0 };
    }
    // The half's biased exponent; at 0 and below the result is subnormal (or zero).
    let e = exp - 1023 + 15;
    if e >= 31 {
        return sign | 0x7c00;
    }
    if e < -10 {
        // Under half the smallest subnormal (2^-24).
        return sign;
    }
    // The significand with its implicit bit, shifted to the half's 10 fraction bits (more
    // for a subnormal), rounded on the bits shifted out. A carry out of the fraction moves
    // into the exponent, which is the right encoding (up to infinity).
    let (m, shift, base) = if e <= 0 {
        (mant | (1u64 << 52), (43 - e) as u32, 0u64)
    } else {
        (mant, 42, (e as u64) << 10)
    };
    let rest = m & ((1u64 << shift) - 1);
    let half = 1u64 << (shift - 1);
    let mut r = base | (m >> shift);
    if rest > half || (rest == half && r & 1 == 1) {
        r += 1;
    }
    sign | r as u16
}

fn two_complement_u64(v: &BigInt) -> u64 {
    if let Some(i) = v.to_i64() {
        return i as u64;
    }
    let le = twos_complement_le(v, 8);
    let mut a = [0u8; 8];
    a.copy_from_slice(&le[..8]);
    u64::from_le_bytes(a)
}

/// Reorders the `n` (1..=64) low bits of `v` between a value and its little-endian segment
/// layout, read as one big-endian number: whole bytes, least significant first, then the
/// `n % 8` most significant bits. The reordering is its own inverse only when `n % 8 == 0`,
/// so [`le_order`] turns a value into the layout and [`le_value`] turns the layout back.
fn le_order(v: u64, n: usize) -> u64 {
    let full = n / 8;
    let rem = n % 8;
    if rem == 0 {
        return v.swap_bytes() >> (64 - n);
    }
    // The top `rem` bits of the value come last in the segment.
    let mut u = (v >> (8 * full)) & ((1u64 << rem) - 1);
    for i in 0..full {
        u |= ((v >> (8 * i)) & 0xff) << (n - 8 * (i + 1));
    }
    u
}

/// The value of an `n` (1..=64) bit little-endian segment read as a big-endian number `u`;
/// the inverse of [`le_order`].
fn le_value(u: u64, n: usize) -> u64 {
    let full = n / 8;
    let rem = n % 8;
    if rem == 0 {
        return u.swap_bytes() >> (64 - n);
    }
    let mut v = (u & ((1u64 << rem) - 1)) << (8 * full);
    for i in 0..full {
        v |= ((u >> (n - 8 * (i + 1))) & 0xff) << (8 * i);
    }
    v
}

/// The low `nbytes` bytes of `v` in two's complement, little-endian.
fn twos_complement_le(v: &BigInt, nbytes: usize) -> Vec<u8> {
    let mut bytes = v.to_signed_bytes_le();
    let fill = if v.sign() == Sign::Minus { 0xff } else { 0 };
    bytes.resize(nbytes.max(bytes.len()), fill);
    bytes.truncate(nbytes);
    bytes
}

/// The bytes of code point `cp` in `utf` (and byte order `flags`), or `None` when `cp` is
/// not a Unicode scalar value. At most four bytes; no allocation.
pub fn encode_utf(cp: i64, utf: super::ops::Utf, flags: u32) -> Option<([u8; 4], usize)> {
    let c = char::from_u32(u32::try_from(cp).ok()?)?;
    let little = flags & (FLAG_LITTLE | FLAG_NATIVE) != 0;
    let mut out = [0u8; 4];
    let n = match utf {
        super::ops::Utf::U8 => c.encode_utf8(&mut out).len(),
        super::ops::Utf::U16 => {
            let mut u = [0u16; 2];
            let units = c.encode_utf16(&mut u);
            for (i, w) in units.iter().enumerate() {
                let b = if little {
                    w.to_le_bytes()
                } else {
                    w.to_be_bytes()
                };
                out[2 * i..2 * i + 2].copy_from_slice(&b);
            }
            2 * units.len()
        }
        super::ops::Utf::U32 => {
            out = if little {
                (c as u32).to_le_bytes()
            } else {
                (c as u32).to_be_bytes()
            };
            4
        }
    };
    Some((out, n))
}

/// Reads `n` bits at bit `pos` of `data` as an unsigned big-endian number (`n <= 64`).
///
/// The bytes the bits touch (at most nine) are gathered into one word and shifted into
/// place: one load of eight bytes when the bits start on a byte and eight bytes are there,
/// else a byte at a time; never a bit at a time.
pub fn read_uint(data: &[u8], pos: usize, n: usize) -> u64 {
    if n == 0 {
        return 0;
    }
    let (first, shift) = (pos / 8, pos % 8);
    if shift == 0 {
        if let Some(w) = data.get(first..first + 8) {
            let w = u64::from_be_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
            return w >> (64 - n);
        }
    }
    let nbytes = (shift + n).div_ceil(8);
    let mut acc = 0u128;
    for &b in &data[first..first + nbytes] {
        acc = (acc << 8) | u128::from(b);
    }
    let v = acc >> (nbytes * 8 - shift - n);
    (v & ((1u128 << n) - 1)) as u64
}

/// Reads an integer segment of `n` (<= 64) bits without allocating.
///
/// The result is `i128` because an unsigned 64-bit segment may not fit an `i64`.
pub fn read_int64(data: &[u8], pos: usize, n: usize, flags: u32) -> i128 {
    if n == 0 {
        return 0;
    }
    let mut u = read_uint(data, pos, n);
    if flags & (FLAG_LITTLE | FLAG_NATIVE) != 0 {
        u = le_value(u, n);
    }
    if flags & FLAG_SIGNED != 0 && (u >> (n - 1)) & 1 == 1 {
        u as i128 - (1i128 << n)
    } else {
        u as i128
    }
}

/// Reads an integer segment.
pub fn read_integer(data: &[u8], pos: usize, n: usize, flags: u32) -> BigInt {
    if n <= 64 {
        return BigInt::from(read_int64(data, pos, n, flags));
    }
    read_wide_integer(data, pos, n, flags)
}

/// Reads an integer segment of any size through a byte buffer (the general path).
fn read_wide_integer(data: &[u8], pos: usize, n: usize, flags: u32) -> BigInt {
    let little = flags & (FLAG_LITTLE | FLAG_NATIVE) != 0;
    let signed = flags & FLAG_SIGNED != 0;
    if n == 0 {
        return BigInt::zero();
    }
    // General case: gather bits into bytes (big-endian, left-aligned), then interpret.
    let nbytes = n.div_ceil(8);
    let mut be = vec![0u8; nbytes];
    copy_bits(data, pos, &mut be, nbytes * 8 - n, n);
    if little {
        // Little endian: the first full bytes are least significant; the trailing partial
        // chunk (n % 8 bits) is the most significant.
        let rem = n % 8;
        let mut chunks = vec![0u8; nbytes];
        copy_bits(data, pos, &mut chunks, 0, n);
        if rem != 0 {
            let last = chunks[nbytes - 1] >> (8 - rem);
            chunks[nbytes - 1] = last;
        }
        be = chunks;
        be.reverse();
    }
    let mut v = BigInt::from_bytes_be(Sign::Plus, &be);
    if signed && (v.clone() >> (n - 1)) & BigInt::from(1) == BigInt::from(1) {
        v -= BigInt::from(1) << n;
    }
    v
}

/// Reads a float segment; `None` for an invalid size.
pub fn read_float(data: &[u8], pos: usize, n: usize, flags: u32) -> Option<f64> {
    let little = flags & (FLAG_LITTLE | FLAG_NATIVE) != 0;
    if !matches!(n, 16 | 32 | 64) {
        return None;
    }
    // The bits, big-endian, right-aligned in a word.
    let mut v = read_uint(data, pos, n);
    if little {
        v = v.swap_bytes() >> (64 - n);
    }
    let f = match n {
        64 => f64::from_bits(v),
        32 => f32::from_bits(v as u32) as f64,
        _ => f16_to_f64(v as u16),
    };
    if f.is_finite() {
        Some(f)
    } else {
        None
    }
}

fn f16_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = ((h >> 10) & 0x1f) as i32;
    let mant = (h & 0x3ff) as f64;
    if exp == 0 {
        sign * mant * libm_pow2(-24)
    } else if exp == 31 {
        f64::INFINITY
    } else {
        sign * (1.0 + mant / 1024.0) * libm_pow2(exp - 15)
    }
}

fn libm_pow2(e: i32) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// Decodes one UTF code point at `pos`; returns it and its length in bits.
pub fn read_utf(
    data: &[u8],
    pos: usize,
    end: usize,
    utf: super::ops::Utf,
    flags: u32,
) -> Option<(u32, usize)> {
    let little = flags & (FLAG_LITTLE | FLAG_NATIVE) != 0;
    let avail = end - pos;
    let byte = |i: usize| read_uint(data, pos + 8 * i, 8) as u8;
    match utf {
        super::ops::Utf::U8 => {
            if avail < 8 {
                return None;
            }
            let b0 = byte(0);
            let len = match b0 {
                0..=0x7f => return Some((b0 as u32, 8)),
                0xc2..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf4 => 4,
                _ => return None,
            };
            if avail < len * 8 {
                return None;
            }
            let mut buf = [0u8; 4];
            for (i, b) in buf.iter_mut().enumerate().take(len) {
                *b = byte(i);
            }
            let s = core::str::from_utf8(&buf[..len]).ok()?;
            let c = s.chars().next()?;
            Some((c as u32, len * 8))
        }
        super::ops::Utf::U16 => {
            if avail < 16 {
                return None;
            }
            let w = |i: usize| {
                let v = read_uint(data, pos + 16 * i, 16) as u16;
                if little {
                    v.swap_bytes()
                } else {
                    v
                }
            };
            let w0 = w(0);
            if (0xd800..0xdc00).contains(&w0) {
                if avail < 32 {
                    return None;
                }
                let w1 = w(1);
                if !(0xdc00..0xe000).contains(&w1) {
                    return None;
                }
                let c = 0x10000 + (((w0 as u32) - 0xd800) << 10) + ((w1 as u32) - 0xdc00);
                Some((c, 32))
            } else if (0xdc00..0xe000).contains(&w0) {
                None
            } else {
                Some((w0 as u32, 16))
            }
        }
        super::ops::Utf::U32 => {
            if avail < 32 {
                return None;
            }
            let mut v = read_uint(data, pos, 32) as u32;
            if little {
                v = v.swap_bytes();
            }
            char::from_u32(v).map(|c| (c as u32, 32))
        }
    }
}

/// Whether the binary term's buffer can be extended in place: it is a process buffer, nobody
/// else holds it, and the binary ends exactly at the buffer's end on a byte boundary.
pub fn appendable(v: &View, buf_word: u64, off: usize, len: usize) -> bool {
    if buf_word & BIN_LITERAL != 0 {
        return false;
    }
    let i = (buf_word >> 1) as usize;
    match v.bins.get(i) {
        Some(b) => {
            (off + len).is_multiple_of(8) && (off + len) / 8 == b.len() && Arc::strong_count(b) == 1
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic test bytes (xorshift).
    fn noise(len: usize, mut x: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    const FLAGS: [u32; 5] = [
        0,
        FLAG_SIGNED,
        FLAG_LITTLE,
        FLAG_LITTLE | FLAG_SIGNED,
        FLAG_NATIVE | FLAG_SIGNED,
    ];

    #[test]
    fn read_fast_path_matches_general_path() {
        for seed in 1..6u64 {
            let data = noise(10, seed * 0x9e37_79b9);
            let ones = [0xffu8; 10];
            for buf in [&data[..], &ones[..]] {
                for n in 1..=64 {
                    // From each bit of the first byte, and ending at each of the last eight
                    // bits (fewer than eight bytes left: the bytewise path).
                    let end = buf.len() * 8 - n;
                    for pos in (0..8).chain(end - 7..=end) {
                        for f in FLAGS {
                            assert_eq!(
                                BigInt::from(read_int64(buf, pos, n, f)),
                                read_wide_integer(buf, pos, n, f),
                                "n={n} pos={pos} flags={f:#x} data={buf:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn floats_read_at_any_bit_offset() {
        for x in [1.5f64, -0.1, 6.02e23, f64::MIN_POSITIVE] {
            for shift in 0..8 {
                for (n, bytes) in [
                    (64, x.to_be_bytes().to_vec()),
                    (32, (x as f32).to_be_bytes().to_vec()),
                ] {
                    // The value's bits after `shift` zero bits, then two bytes of padding.
                    let mut buf = vec![0u8; bytes.len() + 2];
                    copy_bits(&bytes, 0, &mut buf, shift, n);
                    let want = if n == 64 { x } else { f64::from(x as f32) };
                    assert_eq!(read_float(&buf, shift, n, 0), Some(want), "{x} at {shift}");
                    let mut le = bytes.clone();
                    le.reverse();
                    let mut buf = vec![0u8; le.len() + 2];
                    copy_bits(&le, 0, &mut buf, shift, n);
                    assert_eq!(read_float(&buf, shift, n, FLAG_LITTLE), Some(want));
                }
            }
        }
    }

    #[test]
    fn read_known_values() {
        let all = [0xffu8; 8];
        assert_eq!(read_int64(&all, 0, 64, 0), u64::MAX as i128);
        assert_eq!(read_int64(&all, 0, 64, FLAG_SIGNED), -1);
        assert_eq!(read_int64(&all, 0, 64, FLAG_LITTLE), u64::MAX as i128);
        let x = [0x01, 0x02, 0x03, 0x84];
        assert_eq!(read_int64(&x, 0, 32, FLAG_LITTLE), 0x8403_0201);
        assert_eq!(
            read_int64(&x, 0, 32, FLAG_LITTLE | FLAG_SIGNED),
            0x8403_0201i128 - (1 << 32)
        );
        assert_eq!(read_int64(&x, 0, 16, 0), 0x0102);
        assert_eq!(read_int64(&x, 8, 16, FLAG_LITTLE), 0x0302);
        let min = i64::MIN.to_le_bytes();
        assert_eq!(
            read_int64(&min, 0, 64, FLAG_LITTLE | FLAG_SIGNED),
            i64::MIN as i128
        );
    }

    /// Writes `pre` bits of padding, then the segment, with the given path.
    fn write(v: &BigInt, pre: usize, n: usize, f: u32, wide: bool) -> (Vec<u8>, usize) {
        let mut w = BitWriter::default();
        w.uint(0b1010_1010, pre);
        if wide {
            w.wide_integer(v, n, f);
        } else {
            w.integer(v, n, f);
        }
        (w.buf, w.bits)
    }

    #[test]
    fn write_fast_path_matches_general_path() {
        let mut values: Vec<BigInt> = [0i64, 1, -1, 2, -2, 255, -256, i64::MAX, i64::MIN]
            .iter()
            .map(|&v| BigInt::from(v))
            .collect();
        values.push(BigInt::from(u64::MAX));
        values.push(BigInt::from(u64::MAX) + 5);
        values.push(-(BigInt::from(1) << 70usize) + 3);
        for w in noise(64, 7).chunks(8) {
            values.push(BigInt::from(i64::from_le_bytes(w.try_into().unwrap())));
        }
        for v in &values {
            for n in 1..=64 {
                for pre in [0, 3, 8] {
                    for f in FLAGS {
                        let fast = write(v, pre, n, f, false);
                        assert_eq!(
                            fast,
                            write(v, pre, n, f, true),
                            "v={v} n={n} pre={pre} flags={f:#x}"
                        );
                        // Reading back gives the value modulo 2^n.
                        let back = read_int64(&fast.0, pre, n, f & !FLAG_SIGNED);
                        let modulus = BigInt::from(1u128 << n);
                        let want = ((v % &modulus) + &modulus) % &modulus;
                        assert_eq!(BigInt::from(back), want, "v={v} n={n} flags={f:#x}");
                    }
                }
            }
        }
    }

    #[test]
    fn write_known_values() {
        let mut w = BitWriter::default();
        w.int64(1, 16, FLAG_LITTLE);
        w.int64(-2i64 as u64, 32, FLAG_LITTLE | FLAG_SIGNED);
        w.int64(0x0102, 16, 0);
        assert_eq!(w.buf, [1, 0, 0xfe, 0xff, 0xff, 0xff, 1, 2]);
    }
}
