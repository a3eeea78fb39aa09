//! Decimal text to the nearest float (ties to even), as `list_to_float/1` and the external
//! format's text floats need it.
//!
//! Written on the integers instead of with core's `str::parse::<f64>`, whose tables and code
//! take about 14 KiB of the image: text of up to 15 significant digits with a power of ten
//! up to 22 is one exact multiplication or division of two exact floats (the IEEE result is
//! the rounded exact quotient); anything else is computed exactly with big integers and
//! rounded once.

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};

/// Exponents beyond which a value is surely infinite or surely zero (the digits' count is
/// taken into account separately).
const TOO_BIG: i64 = 310;
const TOO_SMALL: i64 = -345;

/// The float nearest to `s`: an optional sign, digits with an optional fraction (at least one
/// digit in all), an optional exponent (`e` or `E`, optional sign, digits). `None` for any
/// other text; values beyond the floats are infinite.
pub fn parse(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    let neg = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let digits_from = |mut i: usize| {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (start, i)
    };
    let (int0, int1) = digits_from(i);
    i = int1;
    let (mut frac0, mut frac1) = (i, i);
    if b.get(i) == Some(&b'.') {
        (frac0, frac1) = digits_from(i + 1);
        i = frac1;
    }
    if int0 == int1 && frac0 == frac1 {
        return None;
    }
    let mut exp: i64 = 0;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let eneg = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let (e0, e1) = digits_from(i);
        if e0 == e1 {
            return None;
        }
        for &d in &b[e0..e1] {
            // Saturates far beyond any float's exponent.
            exp = (exp * 10 + i64::from(d - b'0')).min(1 << 40);
        }
        if eneg {
            exp = -exp;
        }
        i = e1;
    }
    if i != b.len() {
        return None;
    }
    // The significant digits and the power of ten that scales them.
    let all = b[int0..int1].iter().chain(&b[frac0..frac1]);
    let digits: alloc::vec::Vec<u8> = all.skip_while(|&&d| d == b'0').copied().collect();
    let scale = exp - (frac1 - frac0) as i64;
    let v = magnitude(&digits, scale);
    Some(if neg { -v } else { v })
}

/// The float nearest to `digits` (no leading zeros) times ten to `scale`.
fn magnitude(digits: &[u8], scale: i64) -> f64 {
    // Trailing zeros move into the scale (they would only make the integers longer).
    let zeros = digits.iter().rev().take_while(|&&d| d == b'0').count();
    let digits = &digits[..digits.len() - zeros];
    let scale = scale + zeros as i64;
    if digits.is_empty() {
        return 0.0;
    }
    let n = digits.len() as i64;
    if n + scale > TOO_BIG {
        return f64::INFINITY;
    }
    if n + scale < TOO_SMALL {
        return 0.0;
    }
    if n <= 15 && scale.abs() <= 22 {
        let mut m = 0u64;
        for &d in digits {
            m = m * 10 + u64::from(d - b'0');
        }
        // Both exact, so the one rounding is the operation's own.
        let p = pow10(scale.unsigned_abs() as u32);
        return if scale >= 0 {
            m as f64 * p
        } else {
            m as f64 / p
        };
    }
    let d = BigUint::parse_bytes(digits, 10).unwrap_or_default();
    let ten = BigUint::from(10u32);
    if scale >= 0 {
        round(&(d * num_traits::pow(ten, scale as usize)), 0, false)
    } else {
        let s = num_traits::pow(ten, (-scale) as usize);
        // Enough quotient bits for the rounding: 55 beyond what the divisor takes.
        let k = (55 + s.bits() as i64 - d.bits() as i64).max(0);
        let shifted = d << k as usize;
        let (q, r) = (&shifted / &s, &shifted % &s);
        round(&q, -k, !r.is_zero())
    }
}

/// 10^n for n <= 22, exactly.
fn pow10(n: u32) -> f64 {
    let mut p = 1.0;
    for _ in 0..n {
        p *= 10.0;
    }
    p
}

/// The float nearest to `q` times two to `e2`, plus a little more if `sticky` (bits below
/// `q` that are not all zero): ties to even, subnormals rounded on their own grid.
fn round(q: &BigUint, e2: i64, sticky: bool) -> f64 {
    let len = q.bits() as i64;
    if len == 0 {
        return 0.0;
    }
    // Bits to drop: beyond 53 significant ones, or below 2^-1074.
    let drop = (len - 53).max(-1074 - e2);
    let (mut m, mut e) = if drop > 0 {
        let d = drop as u64;
        let kept = q >> d as usize;
        let half = q.bit(d - 1);
        let below = sticky || (d >= 2 && q.trailing_zeros().is_some_and(|z| z < d - 1));
        let mut m = kept.to_u64().unwrap_or(u64::MAX);
        if half && (below || m & 1 == 1) {
            m += 1;
        }
        (m, e2 + drop)
    } else {
        // Exact: fewer than 54 bits, at or above the subnormal grid.
        (q.to_u64().unwrap_or(0), e2)
    };
    if m == 1 << 53 {
        m >>= 1;
        e += 1;
    }
    if m == 0 {
        return 0.0;
    }
    // Normalise to 53 bits where the exponent allows (an exact shift left).
    while m < 1 << 52 && e > -1074 {
        m <<= 1;
        e -= 1;
    }
    if m < 1 << 52 {
        // Subnormal: e is -1074, the bits are the fraction.
        return f64::from_bits(m);
    }
    let biased = e + 52 + 1023;
    if biased >= 2047 {
        return f64::INFINITY;
    }
    f64::from_bits(((biased as u64) << 52) | (m - (1 << 52)))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use alloc::format;
    use alloc::string::String;

    /// Agrees with core's parser (correctly rounded) bit for bit.
    fn same(s: &str) {
        let ours = parse(s);
        let core: Option<f64> = s.parse().ok();
        match (ours, core) {
            (Some(a), Some(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{s}: {a:e} vs {b:e}"),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{s}: {a:?} vs {b:?}"),
        }
    }

    #[test]
    fn hard_and_edge_cases_round_as_core_does() {
        for s in [
            "0.0",
            "-0.0",
            "1.0",
            "1.5",
            "0.1",
            "0.3",
            "123.456",
            "1.0e23",
            "9007199254740993.0",
            "9007199254740993.000000000001",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1.0e309",
            "1.0e-400",
            "7.2057594037927933e16",
            "1.00000000000000011102230246251565e0",
            "1.00000000000000011102230246251566e0",
            "0.000000000000000000000000000001",
            "123456789012345678901234567890.5",
            "5.0e-324",
            "1e5",
            "1.",
            ".5",
            "00012.5000",
            "1.00000000000000000000e+00",
            "-3.14159265358979311600e+00",
        ] {
            same(s);
        }
        for s in [
            "", "-", "e5", "1e", "1.5x", "1.5e+", "inf", "nan", "1,5", " 1.0",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
    }

    #[test]
    fn random_texts_round_as_core_does() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let r = next();
            let f = f64::from_bits(r & 0x7FEF_FFFF_FFFF_FFFF);
            // The shortest text, 17 digits, and digits cut or extended at random.
            same(&format!("{f:e}"));
            same(&format!("{f:.16e}"));
            let digits = 1 + (next() % 30) as usize;
            same(&format!("{f:.digits$e}"));
            let mut long = String::new();
            for _ in 0..(next() % 40) {
                long.push(char::from(b'0' + (next() % 10) as u8));
            }
            let e = (next() % 700) as i64 - 350;
            same(&format!("{}.{long}5e{e}", next() % 1000));
            same(&format!(
                "{}e{}",
                next() % 100_000_000_000_000_000,
                (next() % 60) as i64 - 30
            ));
        }
    }
}
