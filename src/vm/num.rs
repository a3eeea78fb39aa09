//! Number helpers shared by arithmetic, comparison and formatting.

use num_bigint::BigInt;
use num_traits::ToPrimitive;

/// The most bits an integer's magnitude may have, as in erl (a bignum of at most 2^19 - 1
/// 64-bit digits): `1 bsl 33554367` is the largest power of two; an operation whose result
/// would be larger fails with `system_limit` before anything that size is built.
pub const MAX_INT_BITS: u64 = 33_554_368;

/// Whether `b` is within [`MAX_INT_BITS`].
#[inline]
pub fn int_fits(b: &BigInt) -> bool {
    b.bits() <= MAX_INT_BITS
}

/// A bignum as the nearest `f64` (infinite when out of range).
pub fn big_to_f64(b: &BigInt) -> f64 {
    b.to_f64().unwrap_or(f64::INFINITY)
}

/// Whether a float is finite (erl never produces NaN or infinities).
#[inline]
pub fn finite(f: f64) -> bool {
    f.is_finite()
}
