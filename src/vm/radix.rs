//! Bignums as text in bases 2 to 36 and back (`integer_to_list/2`, `list_to_integer/2`,
//! bignums in `erlang:display/1`, the exact decimal digits of floats).
//!
//! Written on the 64-bit limbs of [`BigUint`] with only its basic arithmetic instead of with
//! num-bigint's own radix conversions, whose code and 4 KiB table of radix powers would
//! otherwise take room in the image. In a base that is a power of two each digit is a few
//! bits of the limbs. In another, text is cut into chunks of as many digits as the largest
//! power of the base that fits a `u64` spans ([`chunk`]): parsing multiplies the limbs by
//! that power and adds each chunk; writing splits a large number in halves by the power's
//! squares (num-bigint's division) until the pieces are a few limbs long, then divides each
//! piece by the power limb by limb.

use alloc::vec::Vec;
use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;

/// Digits by value, upper case as erl writes them.
const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Pieces of at most this many bits are written by dividing their limbs by the chunk power;
/// larger ones are first split in two by a square of it.
const SPLIT_BITS: u64 = 16 * 64;

/// The largest power of `base` (2..=36) that fits a `u64`, and how many digits it spans.
fn chunk(base: u64) -> (u64, usize) {
    let (mut power, mut digits) = (base, 1);
    while let Some(p) = power.checked_mul(base) {
        power = p;
        digits += 1;
    }
    (power, digits)
}

/// The text of `i` in `base` (2..=36): a `-` for a negative number, then [`write`]'s digits.
pub fn int_text(i: &BigInt, base: u32) -> Vec<u8> {
    let mut out = Vec::new();
    if i.sign() == Sign::Minus {
        out.push(b'-');
    }
    write(&mut out, i.magnitude(), base);
    out
}

/// Appends the digits of `n` in `base` (2..=36) to `out`: most significant first, upper case
/// above 9, no leading zeros (`0` for zero).
pub fn write(out: &mut Vec<u8>, n: &BigUint, base: u32) {
    let start = out.len();
    if base.is_power_of_two() {
        write_bits(out, n, base);
    } else {
        write_divided(out, n, base);
    }
    if out.len() == start {
        out.push(b'0');
    }
}

/// [`write`] for a base that is a power of two, 2^k: each digit is `k` bits of the number.
fn write_bits(out: &mut Vec<u8>, n: &BigUint, base: u32) {
    let (k, mask) = (base.trailing_zeros(), base as usize - 1);
    let at = out.len();
    // The digits from the lowest, then reversed: `bits` holds the `have` bits not yet
    // written, fewer than `k` between limbs.
    let (mut bits, mut have) = (0u128, 0);
    for limb in n.iter_u64_digits() {
        bits |= u128::from(limb) << have;
        have += 64;
        while have >= k {
            out.push(DIGITS[bits as usize & mask]);
            bits >>= k;
            have -= k;
        }
    }
    out.push(DIGITS[bits as usize & mask]);
    while out.len() > at && out.last() == Some(&b'0') {
        out.pop();
    }
    out[at..].reverse();
}

/// [`write`] for other bases (nothing for zero).
fn write_divided(out: &mut Vec<u8>, n: &BigUint, base: u32) {
    let (power, per) = chunk(u64::from(base));
    // powers[k] is power^(2^k); the largest one's square exceeds n.
    let mut powers = alloc::vec![BigUint::from(power)];
    while let Some(last) = powers
        .last()
        .filter(|p| n.bits() > SPLIT_BITS && 2 * (p.bits() - 1) < n.bits())
    {
        let square = last.pow(2);
        powers.push(square);
    }
    // Pieces of n to write, the last one next: a piece at level k is less than powers[k]
    // (the top one excepted) and, when padded, written with leading zeros to the
    // `per << k` digits it stands for.
    let mut pieces = alloc::vec![(n.clone(), powers.len(), false)];
    while let Some((x, level, padded)) = pieces.pop() {
        if level == 0 || x.bits() <= SPLIT_BITS {
            let at = out.len();
            write_limbs(out, x.to_u64_digits(), power, per, u64::from(base));
            if padded {
                out.resize(at + (per << level), b'0');
            }
            out[at..].reverse();
            continue;
        }
        let (high, low) = x.div_rem(&powers[level - 1]);
        // An unpadded piece's high half is its leading digits; when it is zero, the low
        // half leads instead.
        let lead = padded || high.bits() > 0;
        pieces.push((low, level - 1, lead));
        if lead {
            pieces.push((high, level - 1, padded));
        }
    }
}

/// Appends the digits of the number with the little-endian `limbs` to `out`, least
/// significant first and without leading zeros: repeated division by `power`, which is
/// `base` to the `per`.
fn write_limbs(out: &mut Vec<u8>, mut limbs: Vec<u64>, power: u64, per: usize, base: u64) {
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
    while !limbs.is_empty() {
        let mut rem = 0u64;
        for limb in limbs.iter_mut().rev() {
            let q = ((u128::from(rem) << 64) | u128::from(*limb)) / u128::from(power);
            rem = limb.wrapping_sub((q as u64).wrapping_mul(power));
            *limb = q as u64;
        }
        if limbs.last() == Some(&0) {
            limbs.pop();
        }
        // A chunk below the top one has all its digits, leading zeros too.
        for _ in 0..per {
            if limbs.is_empty() && rem == 0 {
                break;
            }
            out.push(DIGITS[(rem % base) as usize]);
            rem /= base;
        }
    }
}

/// The value of the digits `text` in `base` (2..=36; letters for digits above 9 in either
/// case), or `None` when `text` is empty or holds anything else (a sign, too).
pub fn parse(text: &[u8], base: u32) -> Option<BigUint> {
    if text.is_empty() {
        return None;
    }
    let b = u64::from(base);
    let mut limbs: Vec<u64> = Vec::new();
    if base.is_power_of_two() {
        // Each digit is `k` bits of the number, side by side from the last one.
        let k = base.trailing_zeros() as usize;
        limbs.resize((text.len() * k).div_ceil(64), 0);
        for (i, &c) in text.iter().rev().enumerate() {
            let d = digit(c, b)?;
            let (at, shift) = (i * k / 64, i * k % 64);
            limbs[at] |= d << shift;
            if shift + k > 64 {
                limbs[at + 1] |= d >> (64 - shift);
            }
        }
    } else {
        let (_, per) = chunk(b);
        // A short chunk first, so that the others are whole.
        let (head, tail) = text.split_at(text.len() % per);
        for piece in core::iter::once(head).chain(tail.chunks(per)) {
            let mut add = 0u64;
            for &c in piece {
                add = add * b + digit(c, b)?;
            }
            // limbs = limbs * base^len + add
            let mul = u128::from(b.pow(piece.len() as u32));
            let mut carry = u128::from(add);
            for limb in limbs.iter_mut() {
                let t = u128::from(*limb) * mul + carry;
                *limb = t as u64;
                carry = t >> 64;
            }
            if carry != 0 {
                limbs.push(carry as u64);
            }
        }
    }
    Some(BigUint::new(
        limbs
            .iter()
            .flat_map(|&l| [l as u32, (l >> 32) as u32])
            .collect(),
    ))
}

/// The value of the digit `c` in `base`, if it is one.
fn digit(c: u8, base: u64) -> Option<u64> {
    let d = match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'z' => c - b'a' + 10,
        b'A'..=b'Z' => c - b'A' + 10,
        _ => return None,
    };
    Some(u64::from(d)).filter(|&d| d < base)
}

#[cfg(test)]
mod tests {
    use super::{int_text, parse, write};
    use alloc::string::String;
    use alloc::vec::Vec;
    use num_bigint::{BigInt, BigUint};
    use num_traits::Num;

    /// A small deterministic generator (xorshift64).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    fn ours(n: &BigUint, base: u32) -> String {
        let mut out = Vec::new();
        write(&mut out, n, base);
        String::from_utf8(out).unwrap()
    }

    /// Both directions agree with num-bigint for `n` in `base`.
    fn check(n: &BigUint, base: u32) {
        let want = n.to_str_radix(base).to_uppercase();
        let got = ours(n, base);
        assert_eq!(got, want, "{n} in base {base}");
        assert_eq!(
            parse(got.as_bytes(), base).as_ref(),
            Some(n),
            "{got} in base {base}"
        );
        let lower = got.to_lowercase();
        assert_eq!(parse(lower.as_bytes(), base).as_ref(), Some(n), "{lower}");
        assert_eq!(
            parse(lower.as_bytes(), base),
            BigUint::from_str_radix(&lower, base).ok()
        );
    }

    /// Values near the edges of limbs, chunks and the splits by the chunk power's squares.
    fn edges(base: u32) -> Vec<BigUint> {
        let b = BigUint::from(base);
        let mut out = alloc::vec![
            BigUint::from(0u32),
            BigUint::from(1u32),
            BigUint::from(base - 1),
            b.clone(),
            BigUint::from(u64::MAX) - 1u32,
            BigUint::from(u64::MAX),
            BigUint::from(u64::MAX) + 1u32,
        ];
        let mut p = BigUint::from(1u32);
        for k in 1..=1400 {
            p *= &b;
            let near = [p.clone() - 1u32, p.clone(), p.clone() + 1u32];
            // Every power for a few limbs; further up, around the multiples of 16 limbs.
            if k < 200 || p.bits() % 1024 < 8 || p.bits() % 1024 > 1016 {
                out.extend(near);
            }
        }
        out
    }

    #[test]
    fn edges_in_every_base() {
        for base in 2..=36 {
            for n in edges(base) {
                check(&n, base);
            }
        }
    }

    #[test]
    fn random_numbers_in_every_base() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for base in 2..=36 {
            for limbs in 1..=40 {
                let words: Vec<u32> = (0..2 * limbs).map(|_| rng.next() as u32).collect();
                check(&BigUint::new(words), base);
                // Sparse ones: runs of zero and all-ones limbs.
                let words: Vec<u32> = (0..2 * limbs)
                    .map(|_| match rng.next() % 3 {
                        0 => 0,
                        1 => u32::MAX,
                        _ => rng.next() as u32,
                    })
                    .collect();
                check(&BigUint::new(words), base);
            }
        }
    }

    #[test]
    fn large_numbers_split_as_num_bigint_writes_them() {
        let mut rng = Rng(12345);
        for base in [2, 3, 10, 16, 36] {
            for limbs in [100, 257, 1000] {
                let words: Vec<u32> = (0..2 * limbs).map(|_| rng.next() as u32).collect();
                check(&BigUint::new(words), base);
            }
            // Zeros in the middle: pieces whose leading digits are zeros.
            let n = (BigUint::from(7u32) << 20000u32) + 5u32;
            check(&n, base);
        }
    }

    #[test]
    fn signs() {
        let n = BigInt::from_str_radix("-123456789012345678901234567890abcdef", 16).unwrap();
        assert_eq!(int_text(&n, 16), b"-123456789012345678901234567890ABCDEF");
        assert_eq!(
            int_text(&-n.clone(), 16),
            b"123456789012345678901234567890ABCDEF"
        );
        assert_eq!(int_text(&BigInt::from(0), 7), b"0");
        assert_eq!(int_text(&BigInt::from(-35), 36), b"-Z");
    }

    #[test]
    fn bad_digits_are_rejected() {
        for base in 2..=36u32 {
            let digit = |d: u32| char::from_digit(d, 36).unwrap();
            let too_big: String = [digit(1), digit(base - 1), digit(0)].iter().collect();
            assert!(parse(too_big.as_bytes(), base).is_some());
            if base < 36 {
                let bad: String = [digit(1), digit(base), digit(0)].iter().collect();
                assert_eq!(parse(bad.as_bytes(), base), None, "{bad} in {base}");
                assert_eq!(parse(bad.to_uppercase().as_bytes(), base), None);
            }
            for bad in ["", "-1", "+1", "1_0", " 1", "1 ", "1.0", "١", "1\u{0}"] {
                assert_eq!(parse(bad.as_bytes(), base), None, "{bad:?} in {base}");
            }
            for c in 0..=255u8 {
                let ok = (c as char).is_digit(base);
                let long = [b'1'; 70].iter().copied().chain([c]).collect::<Vec<u8>>();
                assert_eq!(parse(&[c], base).is_some(), ok, "{c} in {base}");
                assert_eq!(parse(&long, base).is_some(), ok, "{c} in {base}");
            }
        }
    }
}
