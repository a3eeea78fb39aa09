//! Number helpers shared by arithmetic, comparison and formatting.

use num_bigint::BigInt;
use num_traits::ToPrimitive;

/// A bignum as the nearest `f64` (infinite when out of range).
pub fn big_to_f64(b: &BigInt) -> f64 {
    b.to_f64().unwrap_or(f64::INFINITY)
}

/// Whether a float is finite (erl never produces NaN or infinities).
#[inline]
pub fn finite(f: f64) -> bool {
    f.is_finite()
}
