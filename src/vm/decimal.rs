//! Decimal text to the nearest float (ties to even), as `list_to_float/1` and the external
//! format's text floats need it; and floats to decimal text, to a given number of digits
//! ([`sci`], C's `%.Ne`) or the fewest that read back as the same float ([`shortest`]).
//!
//! Written on the integers instead of with core's `str::parse::<f64>` and float formatting,
//! whose tables and code take about 30 KiB of the image: text of up to 15 significant
//! digits with a power of ten up to 22 is one exact multiplication or division of two exact
//! floats (the IEEE result is the rounded exact quotient); anything else is computed
//! exactly with big integers and rounded once. A float's decimal expansion is finite
//! ([`expansion`]), so formatting writes it out exactly and rounds it.

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
    let d = crate::vm::radix::parse(digits, 10).unwrap_or_default();
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

/// The finite float `|f|` as `m * 2^e` (the mantissa with its hidden bit), and whether it is
/// a power of two above the smallest normal one (whose float below is nearer than the one
/// above).
fn parts(f: f64) -> (u64, i64, bool) {
    let bits = f.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1 << 52) - 1);
    match biased {
        0 => (frac, -1074, false),
        _ => (frac | (1 << 52), biased - 1075, frac == 0 && biased > 1),
    }
}

/// The exact decimal value of the finite float `|f|`: ASCII digits (no leading zeros, `"0"`
/// for zero) and the power of ten of the last one (never positive).
pub fn expansion(f: f64) -> (alloc::vec::Vec<u8>, i64) {
    let (m, e, _) = parts(f);
    if e >= 0 {
        (decimal(&(BigUint::from(m) << e as usize)), 0)
    } else {
        // m / 2^k is m * 5^k / 10^k.
        let k = (-e) as u32;
        (decimal(&(BigUint::from(m) * BigUint::from(5u32).pow(k))), e)
    }
}

/// The decimal digits of `n` (`"0"` for zero).
fn decimal(n: &BigUint) -> alloc::vec::Vec<u8> {
    let mut out = alloc::vec::Vec::new();
    crate::vm::radix::write(&mut out, n, 10);
    out
}

/// Rounds the digits `kept` by the digits `rest` that follow them, ties to even; returns
/// whether the rounding carried out of the first digit (which `kept` then has in front).
pub fn round_digits(kept: &mut alloc::vec::Vec<u8>, rest: &[u8]) -> bool {
    let odd = kept.last().is_some_and(|d| d % 2 == 1);
    let up = match rest.split_first() {
        Some((&first, beyond)) => {
            first > b'5' || (first == b'5' && (odd || beyond.iter().any(|&c| c != b'0')))
        }
        None => false,
    };
    up && increment(kept)
}

/// Adds one to the last of the digits; returns whether it carried out of the first (which
/// the digits then have in front).
fn increment(digits: &mut alloc::vec::Vec<u8>) -> bool {
    for d in digits.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return false;
        }
    }
    digits.insert(0, b'1');
    true
}

/// Scientific text of a sign, the digits `d` (the first before the point) and an exponent,
/// as Rust's `{:e}` writes it: `-1.25e-3`, `2e0`.
fn sci_text(neg: bool, d: &[u8], exp: i64) -> alloc::string::String {
    use alloc::string::ToString;
    let mut out = alloc::string::String::with_capacity(d.len() + 8);
    if neg {
        out.push('-');
    }
    out.push(d[0] as char);
    if d.len() > 1 {
        out.push('.');
        out.extend(d[1..].iter().map(|&c| c as char));
    }
    out.push('e');
    out.push_str(&exp.to_string());
    out
}

/// `f` in scientific notation with `digits` digits after the point, exactly rounded (ties
/// to even), as Rust's `format!("{:.digits$e}", f)` writes it. `f` is finite.
pub fn sci(f: f64, digits: usize) -> alloc::string::String {
    let (text, scale) = expansion(f);
    let all = &text[..];
    let mut exp = if f == 0.0 {
        0
    } else {
        all.len() as i64 - 1 + scale
    };
    let split = all.len().min(digits + 1);
    let mut kept = all[..split].to_vec();
    if round_digits(&mut kept, &all[split..]) {
        // 9.99 rounded to 10.0: one digit more and the next power of ten.
        kept.pop();
        exp += 1;
    }
    kept.resize(digits + 1, b'0');
    sci_text(f.is_sign_negative(), &kept, exp)
}

/// Compares two decimal digit strings by value.
fn cmp_digits(a: &[u8], b: &[u8]) -> core::cmp::Ordering {
    let skip = |d: &[u8]| d.iter().take_while(|&&c| c == b'0').count();
    let (a, b) = (&a[skip(a)..], &b[skip(b)..]);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The digits of `10^n - r` for the `n` digits `r`.
fn complement(r: &[u8]) -> alloc::vec::Vec<u8> {
    let Some(last) = r.iter().rposition(|&c| c != b'0') else {
        let mut one = alloc::vec![b'1'];
        one.resize(r.len() + 1, b'0');
        return one;
    };
    let mut out: alloc::vec::Vec<u8> = r.iter().map(|&c| b'9' - c + b'0').collect();
    out[last] += 1;
    for c in &mut out[last + 1..] {
        *c = b'0';
    }
    out
}

/// The fewest significant digits that read back as `f` (finite), in scientific notation as
/// Rust's `format!("{:e}", f)` writes it; of two candidates of that length, the nearer (on
/// an exact tie, the even one).
///
/// Everything is counted in units of a quarter of `f`'s last place, where `f`, the
/// halfway points to its neighbours and so the interval of the decimals that read back as
/// `f` are whole numbers, written out in decimal ([`expansion`]'s way): a candidate is `f`'s
/// digits cut after `p` of them, then kept or raised by one in the last, and it reads back
/// as `f` when the part cut off (or what raising adds) is less than the distance to the
/// halfway point (or equal to it, if `f`'s mantissa is even: ties read back to even).
pub fn shortest(f: f64) -> alloc::string::String {
    let neg = f.is_sign_negative();
    if f == 0.0 {
        return sci_text(neg, b"0", 0);
    }
    let (m, e, power_of_two) = parts(f);
    // Just above a power of two the float below is half as far as the one above.
    let below = if power_of_two { 1u32 } else { 2 };
    let q = e - 2;
    // A quarter of the last place in the expansion's units: 2^q, or 5^-q of 10^q.
    let (quarter, scale) = if q >= 0 {
        (BigUint::from(1u32) << q as usize, 0)
    } else {
        (BigUint::from(5u32).pow((-q) as u32), q)
    };
    let all = decimal(&(&quarter * BigUint::from(4 * m)));
    let up_gap = decimal(&(&quarter * 2u32));
    let down_gap = if below == 2 {
        up_gap.clone()
    } else {
        decimal(&quarter)
    };
    let even = m % 2 == 0;
    let fits = |dist: &[u8], gap: &[u8]| match cmp_digits(dist, gap) {
        core::cmp::Ordering::Less => true,
        core::cmp::Ordering::Equal => even,
        core::cmp::Ordering::Greater => false,
    };
    let exp = all.len() as i64 - 1 + scale;
    for p in 1..=all.len() {
        let (head, rest) = all.split_at(p);
        let raised = complement(rest);
        let down = fits(rest, &down_gap) || rest.iter().all(|&c| c == b'0');
        let up = !rest.is_empty() && fits(&raised, &up_gap);
        if !(down || up) {
            continue;
        }
        let take_up = up
            && (!down
                || match cmp_digits(&raised, rest) {
                    core::cmp::Ordering::Less => true,
                    core::cmp::Ordering::Equal => head[p - 1] % 2 == 1,
                    core::cmp::Ordering::Greater => false,
                });
        let mut d = head.to_vec();
        let mut exp = exp;
        if take_up && increment(&mut d) {
            d.pop();
            exp += 1;
        }
        while d.len() > 1 && d.last() == Some(&b'0') {
            d.pop();
        }
        return sci_text(neg, &d, exp);
    }
    sci_text(neg, &all, exp)
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

    fn floats() -> alloc::vec::Vec<f64> {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut floats = alloc::vec![
            0.0,
            -0.0,
            1.0,
            2.5,
            3.5,
            0.125,
            0.375,
            9.5,
            99.5,
            0.05,
            2.675,
            1e23,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            9.999999,
            0.1,
            1.0 / 3.0,
            123456.0,
            -7.25e-300,
            0.3,
            2.0f64.powi(-1022),
            2.0f64.powi(1023),
            9007199254740993.0,
            1e21,
            1e22,
            5e-310
        ];
        for i in -1074..1024 {
            floats.push(2.0f64.powi(i));
        }
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = f64::from_bits(x);
            if f.is_finite() {
                floats.push(f);
            }
            floats.push((x % 100_000) as f64 / 8.0);
            floats.push((x % 1_000_000) as f64 / 1000.0);
        }
        floats
    }

    /// Writes what core's exact formatting writes, digit for digit, for every kind of float
    /// and precision: ties, carries through nines, subnormals, the extremes.
    #[test]
    fn sci_matches_core() {
        for f in floats() {
            for digits in [0, 1, 2, 5, 6, 14, 16, 20, 25] {
                assert_eq!(
                    super::sci(f, digits),
                    format!("{f:.digits$e}"),
                    "{f:e} {digits}"
                );
            }
        }
    }

    /// The shortest digits are core's, but for exact ties between two shortest candidates,
    /// where core rounds up and this takes the even one.
    #[test]
    fn shortest_matches_core() {
        for f in floats() {
            let ours = super::shortest(f);
            let core = format!("{f:e}");
            if ours != core {
                let (m, _) = core.split_once('e').unwrap();
                let n = m.bytes().filter(u8::is_ascii_digit).count();
                let (text, _) = super::expansion(f);
                let rest = &text[n.min(text.len())..];
                let tie = rest.first() == Some(&b'5') && rest[1..].iter().all(|&c| c == b'0');
                assert!(tie, "{f:?}: {ours} vs {core}");
            }
            assert_eq!(parse(&ours), Some(f), "{ours}");
        }
    }
}
