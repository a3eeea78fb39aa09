//! `exp` and `pow` that give glibc's results bit for bit, for `math:exp/1` and `math:pow/2`;
//! likewise `expm1` and with it `cosh`, `sinh` and `tanh`.
//!
//! erl computes `math` with the C library. glibc's `exp` and `pow` (since 2.28) are ARM's
//! optimized-routines algorithms (`math/exp.c`, `math/pow.c`; glibc's
//! `sysdeps/ieee754/dbl-64/e_exp.c`, `e_pow.c`), and on x86-64 CPUs with FMA glibc runs
//! their build with `-mfma`, where the compiler fuses most multiply-adds. The `libm` crate's
//! (musl's) algorithms differ in the last bit of about a tenth of the results, which
//! Erlang's 17-digit float text shows. This module follows glibc's FMA build operation for
//! operation: every fused multiply-add of that build (the algorithm's own and the ones GCC
//! formed, as glibc 2.36's x86-64 machine code has them) is a [`libm::fma`] here, exact in
//! software, and every other operation is the same IEEE operation in the same order. The
//! unit tests compare the results with the host's glibc, bit for bit.
//!
//! # exp
//!
//! With N = 128: x = k ln2/N + r, k = round(x N/ln2) (by adding 1.5 * 2^52, whose bits then
//! hold k), r = x - k ln2hi/N - k ln2lo/N in [-ln2/2N, ln2/2N]. exp(x) = 2^(k/N) exp(r),
//! 2^(k/N) = 2^(k div N) H (1 + T) from the table (`tables::EXP`, H and T of 2^((k mod N)/N)),
//! and scale (1 + tmp) with scale = 2^(k div N) H (built in the bits: the table holds
//! H's bits less (k mod N) << 45, so adding k << 45 gives both exponent and H) and
//! tmp = T + r + C2 r^2 + C3 r^3 + C4 r^4 + C5 r^5 ≈ T + exp(r) - 1 (a polynomial fitted on
//! [-ln2/256, ln2/256]). Results near overflow or in the subnormal range take the special
//! case, which scales in two steps and, for subnormal results, rounds once.
//!
//! # pow
//!
//! x^y = exp(y log x) with log x in double-double (about 68 bits): x = 2^k z with z in
//! [0x1.69555p-1, 0x1.69555p0), split into 128 subintervals by the bits of z; subinterval i
//! has a c near its center with 1/c of few bits (`tables::POW_LOG`: 1/c, log c rounded to a
//! multiple of 2^-43 and its tail), so r = z/c - 1 is exact in one fma, and
//! log x = k ln2 + log c + log1p(r), log1p(r) = r - r^2/2 + r^3 P(r) (degree 8 in all). The
//! product y log x is again split in two, and exp of it is the exp above with the low part
//! added to r; the sign of the result (negative x, odd integer y) is added to the
//! exponent bits.
//!
//! # expm1, cosh, sinh, tanh
//!
//! glibc's are fdlibm's (`s_expm1.c`, `e_cosh.c`, `e_sinh.c`, `s_tanh.c`); cosh, sinh and
//! tanh are built without FMA and call glibc's exp and expm1, and expm1 has an FMA build,
//! whose fused operations [`expm1`] follows as above.
//!
//! # Constants
//!
//! The polynomial coefficients, ln2 splits and shift constants are those of
//! optimized-routines' `exp_data.c` and `pow_log_data.c` (the same in glibc) and, for
//! expm1, of fdlibm's `s_expm1.c`, written as the bit patterns of the doubles; the tables
//! are computed by scripts/gen-math-tables from the rules those files document, and checked
//! against them.

mod tables;

use tables::{EXP, POW_LOG};

#[cfg(test)]
mod tests;

/// log2(N) for both tables: 2^7 = 128 entries.
const TABLE_BITS: u32 = 7;
/// The number of entries of each table.
const N: u64 = 1 << TABLE_BITS;

/// N/ln2 (0x1.71547652b82fep7).
const INV_LN2_N: f64 = f64::from_bits(0x4067_1547_652b_82fe);
/// -ln2/N, high part (-0x1.62e42fefa0000p-8): k times it is exact for the k of finite results.
const NEG_LN2_HI_N: f64 = f64::from_bits(0xbf76_2e42_fefa_0000);
/// -ln2/N, low part (-0x1.cf79abc9e3b3ap-47).
const NEG_LN2_LO_N: f64 = f64::from_bits(0xbd0c_f79a_bc9e_3b3a);
/// 1.5 * 2^52: adding it rounds to an integer, which the low bits then hold.
const SHIFT: f64 = f64::from_bits(0x4338_0000_0000_0000);
/// exp's polynomial, r^2 to r^5 (0x1.ffffffffffdbdp-2, 0x1.555555555543cp-3,
/// 0x1.55555cf172b91p-5, 0x1.1111167a4d017p-7).
const EXP_C2: f64 = f64::from_bits(0x3fdf_ffff_ffff_fdbd);
const EXP_C3: f64 = f64::from_bits(0x3fc5_5555_5555_543c);
const EXP_C4: f64 = f64::from_bits(0x3fa5_5555_cf17_2b91);
const EXP_C5: f64 = f64::from_bits(0x3f81_1111_67a4_d017);

/// ln2, high part (0x1.62e42fefa3800p-1: k times it plus logc is exact).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fefa_3800);
/// ln2, low part (0x1.ef35793c76730p-45).
const LN2_LO: f64 = f64::from_bits(0x3d2e_f357_93c7_6730);
/// pow's log1p polynomial, scaled as the evaluation uses it: A0 = -1/2 and A1..A6 are
/// -0x1.5555555555560p-1, 0x1.0000000000006p-1, 0x1.999999959554ep-1, -0x1.555555529a47ap-1,
/// -0x1.2495b9b4845e9p0, 0x1.0002b8b263fc3p0.
const LOG_A: [f64; 7] = [
    f64::from_bits(0xbfe0_0000_0000_0000),
    f64::from_bits(0xbfe5_5555_5555_5560),
    f64::from_bits(0x3fe0_0000_0000_0006),
    f64::from_bits(0x3fe9_9999_9959_554e),
    f64::from_bits(0xbfe5_5555_5529_a47a),
    f64::from_bits(0xbff2_495b_9b48_45e9),
    f64::from_bits(0x3ff0_002b_8b26_3fc3),
];
/// The bits of 0x1.69555p-1, where pow's subintervals of z start.
const POW_OFF: u64 = 0x3fe6_9555_0000_0000;
/// Added to k in pow's exp for a negative result: the sign bit once shifted into place.
const SIGN_BIAS: u64 = 0x800 << TABLE_BITS;

/// 2^1009, 2^-1022 and 2^52 (the special cases' scalings).
const P1009: f64 = f64::from_bits(0x7f00_0000_0000_0000);
const PM1022: f64 = f64::from_bits(0x0010_0000_0000_0000);
const P52: f64 = f64::from_bits(0x4330_0000_0000_0000);
const ONE_BITS: u64 = 0x3ff0_0000_0000_0000;
const INF_BITS: u64 = 0x7ff0_0000_0000_0000;
const SIGN: u64 = 1 << 63;

/// The fused multiply-add a * b + c with one rounding.
#[inline(always)]
fn fma(a: f64, b: f64, c: f64) -> f64 {
    libm::fma(a, b, c)
}

/// The sign and exponent bits of `x`.
#[inline(always)]
fn top12(x: f64) -> u32 {
    (x.to_bits() >> 52) as u32
}

/// The reduction and polynomial of exp at `x` (+ `xtail`, |xtail| < 2^-15, when `has_tail`):
/// `(tmp, sbits, ki)` with exp ≈ scale (1 + tmp), `sbits` the bits of scale (its exponent
/// possibly wrapped: the special cases mend it) and the low 32 bits of `ki` k.
#[inline(always)]
fn exp_reduce(x: f64, xtail: f64, has_tail: bool, sign_bias: u64) -> (f64, u64, u64) {
    let kd = fma(x, INV_LN2_N, SHIFT);
    let ki = kd.to_bits();
    let kd = kd - SHIFT;
    let mut r = fma(kd, NEG_LN2_LO_N, fma(kd, NEG_LN2_HI_N, x));
    if has_tail {
        r += xtail;
    }
    let idx = 2 * (ki % N) as usize;
    let top = ki.wrapping_add(sign_bias) << (52 - TABLE_BITS);
    let tail = f64::from_bits(EXP[idx]);
    let sbits = EXP[idx + 1].wrapping_add(top);
    let r2 = r * r;
    let tmp = fma(
        r2 * r2,
        fma(r, EXP_C5, EXP_C4),
        fma(fma(r, EXP_C3, EXP_C2), r2, tail + r),
    );
    (tmp, sbits, ki)
}

/// scale (1 + tmp) for k > 0, where scale's exponent may have overflowed: computed
/// 2^1009 lower and scaled back.
#[inline(always)]
fn scale_up(tmp: f64, sbits: u64) -> f64 {
    let scale = f64::from_bits(sbits.wrapping_sub(1009 << 52));
    P1009 * fma(scale, tmp, scale)
}

/// e^x.
pub fn exp(x: f64) -> f64 {
    let mut abstop = top12(x) & 0x7ff;
    // 0x3c9 = top12(2^-54), 0x408 = top12(512), 0x409 = top12(1024).
    if abstop.wrapping_sub(0x3c9) >= 0x408 - 0x3c9 {
        if abstop.wrapping_sub(0x3c9) >= 0x8000_0000 {
            // |x| < 2^-54 (0 included): 1 + x rounds to 1.
            return 1.0 + x;
        }
        if abstop >= 0x409 {
            if x.to_bits() == f64::NEG_INFINITY.to_bits() {
                return 0.0;
            }
            if abstop >= 0x7ff {
                return 1.0 + x;
            }
            return if x.to_bits() >> 63 != 0 {
                0.0
            } else {
                f64::INFINITY
            };
        }
        // 512 <= |x| < 1024: the special case below.
        abstop = 0;
    }
    let (tmp, sbits, ki) = exp_reduce(x, 0.0, false, 0);
    if abstop == 0 {
        return exp_special(tmp, sbits, ki);
    }
    let scale = f64::from_bits(sbits);
    fma(scale, tmp, scale)
}

/// exp's result when it may overflow or be subnormal.
#[inline(never)]
fn exp_special(tmp: f64, sbits: u64, ki: u64) -> f64 {
    if ki & 0x8000_0000 == 0 {
        return scale_up(tmp, sbits);
    }
    // k < 0: compute 2^1022 higher; a subnormal result is rounded once, at 1 + y.
    let scale = f64::from_bits(sbits.wrapping_add(1022 << 52));
    let st = scale * tmp;
    let mut y = scale + st;
    if y < 1.0 {
        let lo = scale - y + st;
        let hi = 1.0 + y;
        let lo = 1.0 - hi + y + lo;
        y = (hi + lo) - 1.0;
        if y == 0.0 {
            y = 0.0;
        }
    }
    PM1022 * y
}

/// Whether `i` is the bits of a signalling NaN.
fn is_signaling(i: u64) -> bool {
    (i ^ 0x0008_0000_0000_0000) << 1 > 0x7ff8_0000_0000_0000 << 1
}

/// Whether `i` is the bits of ±0, ±inf or a NaN.
fn zero_inf_nan(i: u64) -> bool {
    (i << 1).wrapping_sub(1) >= (INF_BITS << 1) - 1
}

/// For the bits of a finite non-zero y: 0 when y is not an integer, 1 when odd, 2 when even.
fn check_int(iy: u64) -> u32 {
    let e = (iy >> 52 & 0x7ff) as u32;
    if e < 0x3ff {
        return 0;
    }
    if e > 0x3ff + 52 {
        return 2;
    }
    let bit = 1u64 << (0x3ff + 52 - e);
    if iy & (bit - 1) != 0 {
        0
    } else if iy & bit != 0 {
        1
    } else {
        2
    }
}

/// x^y.
pub fn pow(x: f64, y: f64) -> f64 {
    let mut sign_bias = 0;
    let mut ix = x.to_bits();
    let iy = y.to_bits();
    let mut topx = top12(x);
    let topy = top12(y);
    // Special when x < 2^-1022 (negative, subnormal, zero), inf or NaN, or
    // |y| < 2^-65 (0x3be), |y| >= 2^63 (0x43e) or NaN.
    if topx.wrapping_sub(1) >= 0x7ff - 1 || (topy & 0x7ff).wrapping_sub(0x3be) >= 0x43e - 0x3be {
        if zero_inf_nan(iy) {
            if iy << 1 == 0 {
                return if is_signaling(ix) { x + y } else { 1.0 };
            }
            if ix == ONE_BITS {
                return if is_signaling(iy) { x + y } else { 1.0 };
            }
            if ix << 1 > INF_BITS << 1 || iy << 1 > INF_BITS << 1 {
                return x + y;
            }
            if ix << 1 == ONE_BITS << 1 {
                return 1.0;
            }
            if (ix << 1 < ONE_BITS << 1) == (iy >> 63 == 0) {
                // |x| < 1 and y = inf, or |x| > 1 and y = -inf.
                return 0.0;
            }
            return y * y;
        }
        if zero_inf_nan(ix) {
            let mut x2 = x * x;
            if ix >> 63 != 0 && check_int(iy) == 1 {
                x2 = -x2;
            }
            return if iy >> 63 != 0 { 1.0 / x2 } else { x2 };
        }
        // x and y are finite and not zero.
        if ix >> 63 != 0 {
            match check_int(iy) {
                0 => return f64::NAN,
                1 => sign_bias = SIGN_BIAS,
                _ => {}
            }
            ix &= !SIGN;
            topx &= 0x7ff;
        }
        if (topy & 0x7ff).wrapping_sub(0x3be) >= 0x43e - 0x3be {
            // y is even here if x < 0: the sign is +.
            if ix == ONE_BITS {
                return 1.0;
            }
            if (topy & 0x7ff) < 0x3be {
                // |y| < 2^-65: x^y ≈ 1 + y log x.
                return if ix > ONE_BITS { 1.0 + y } else { 1.0 - y };
            }
            return if (ix > ONE_BITS) == (topy < 0x800) {
                f64::INFINITY
            } else {
                0.0
            };
        }
        if topx == 0 {
            // Subnormal x: normalised, with the exponent in the sign bit's place.
            ix = (x * P52).to_bits() & !SIGN;
            ix = ix.wrapping_sub(52 << 52);
        }
    }
    let (hi, lo) = pow_log(ix);
    let ehi = y * hi;
    let elo = fma(y, lo, fma(hi, y, -ehi));
    pow_exp(ehi, elo, sign_bias)
}

/// log(x) as hi + lo for the bits `ix` of a positive x (a subnormal x normalised with a
/// negative exponent), hi + lo about 68 bits accurate.
#[inline(always)]
fn pow_log(ix: u64) -> (f64, f64) {
    let tmp = ix.wrapping_sub(POW_OFF);
    let i = ((tmp >> (52 - TABLE_BITS)) % N) as usize;
    let k = (tmp as i64) >> 52;
    let iz = ix.wrapping_sub(tmp & 0xfff << 52);
    let z = f64::from_bits(iz);
    let kd = k as f64;
    let invc = f64::from_bits(POW_LOG[3 * i]);
    let logc = f64::from_bits(POW_LOG[3 * i + 1]);
    let logctail = f64::from_bits(POW_LOG[3 * i + 2]);

    // r = z/c - 1, exact: 1/c has few bits and |r| < 1/N.
    let r = fma(z, invc, -1.0);
    // k ln2 + log c + r, with its rounding errors.
    let t1 = fma(kd, LN2_HI, logc);
    let t2 = t1 + r;
    let lo1 = fma(kd, LN2_LO, logctail);
    let lo2 = t1 - t2 + r;
    // + A0 r^2, likewise.
    let a = &LOG_A;
    let ar = a[0] * r;
    let ar2 = r * ar;
    let ar3 = r * ar2;
    let hi = t2 + ar2;
    let lo3 = fma(ar, r, -ar2);
    let lo4 = t2 - hi + ar2;
    // + the rest of log1p(r).
    let p = fma(
        ar2,
        fma(ar2, fma(r, a[6], a[5]), fma(r, a[4], a[3])),
        fma(r, a[2], a[1]),
    );
    let lo = fma(ar3, p, lo1 + lo2 + lo3 + lo4);
    let y = hi + lo;
    (y, hi - y + lo)
}

/// ±exp(x + xtail) for pow (|xtail| < 2^-15; the sign is - when `sign_bias` is
/// [`SIGN_BIAS`]).
#[inline(always)]
fn pow_exp(x: f64, xtail: f64, sign_bias: u64) -> f64 {
    let mut abstop = top12(x) & 0x7ff;
    if abstop.wrapping_sub(0x3c9) >= 0x408 - 0x3c9 {
        if abstop.wrapping_sub(0x3c9) >= 0x8000_0000 {
            let one = 1.0 + x;
            return if sign_bias != 0 { -one } else { one };
        }
        if abstop >= 0x409 {
            // x is finite here: the result overflows or underflows.
            let r = if x.to_bits() >> 63 != 0 {
                0.0
            } else {
                f64::INFINITY
            };
            return if sign_bias != 0 { -r } else { r };
        }
        abstop = 0;
    }
    let (tmp, sbits, ki) = exp_reduce(x, xtail, true, sign_bias);
    if abstop == 0 {
        return pow_special(tmp, sbits, ki);
    }
    let scale = f64::from_bits(sbits);
    fma(scale, tmp, scale)
}

/// pow's result when it may overflow or be subnormal (scale carries the sign).
#[inline(never)]
fn pow_special(tmp: f64, sbits: u64, ki: u64) -> f64 {
    if ki & 0x8000_0000 == 0 {
        return scale_up(tmp, sbits);
    }
    let sbits = sbits.wrapping_add(1022 << 52);
    let scale = f64::from_bits(sbits);
    let st = scale * tmp;
    let mut y = scale + st;
    if f64::from_bits(y.to_bits() & !SIGN) < 1.0 {
        let one = if y < 0.0 { -1.0 } else { 1.0 };
        let lo = scale - y + st;
        let hi = one + y;
        let lo = one - hi + y + lo;
        y = (hi + lo) - one;
        if y == 0.0 {
            y = f64::from_bits(sbits & SIGN);
        }
    }
    PM1022 * y
}

/// e^x - 1: glibc's (fdlibm's algorithm, in glibc's FMA build), for [`cosh`], [`sinh`]
/// and [`tanh`], which glibc computes with it.
///
/// x = k ln2 + r (k = 0 for |x| <= ln2/2), e^r - 1 from a rational approximation
/// (R1..R3 in r^2/2, the coefficients Q1..Q5 of fdlibm's `s_expm1.c`), and the result
/// rebuilt as 2^k (e^r - 1 + 1) - 1 with care for cancellation.
pub fn expm1(x: f64) -> f64 {
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const INV_LN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe);
    const Q1: f64 = f64::from_bits(0xbfa1_1111_1111_10f4);
    const Q2: f64 = f64::from_bits(0x3f5a_01a0_19fe_5585);
    const Q3: f64 = f64::from_bits(0xbf14_ce19_9eaa_dbb7);
    const Q4: f64 = f64::from_bits(0x3ed0_cfca_86e6_5239);
    const Q5: f64 = f64::from_bits(0xbe8a_fdb7_6e09_c32d);
    /// log(f64::MAX) (0x1.62e42fefa39efp9).
    const O_THRESHOLD: f64 = f64::from_bits(0x4086_2e42_fefa_39ef);

    let bits = x.to_bits();
    let negative = bits >> 63 != 0;
    let hx = (bits >> 32) as u32 & 0x7fff_ffff;
    if hx >= 0x4043_687a {
        // |x| >= 56 ln2.
        if hx >= 0x4086_2e42 {
            if hx >= 0x7ff0_0000 {
                if bits << 12 != 0 {
                    return x + x;
                }
                return if negative { -1.0 } else { x };
            }
            if x > O_THRESHOLD {
                return f64::INFINITY;
            }
        }
        if negative {
            return -1.0;
        }
    }
    let (x, c, k) = if hx > 0x3fd6_2e42 {
        // |x| > ln2/2: reduce.
        let (hi, lo, k) = if hx < 0x3ff0_a2b2 {
            // and |x| < 3 ln2/2: k = ±1.
            if negative {
                (x + LN2_HI, -LN2_LO, -1)
            } else {
                (x - LN2_HI, LN2_LO, 1)
            }
        } else {
            let half = if negative { -0.5 } else { 0.5 };
            let k = (INV_LN2 * x + half) as i32;
            let t = f64::from(k);
            (fma(-t, LN2_HI, x), t * LN2_LO, k)
        };
        let r = hi - lo;
        (r, (hi - r) - lo, k)
    } else if hx < 0x3c90_0000 {
        // |x| < 2^-54: the result is x.
        return x;
    } else {
        (x, 0.0, 0)
    };
    let hfx = 0.5 * x;
    let hxs = x * hfx;
    let h2 = hxs * hxs;
    let r1 = fma(
        h2 * h2,
        fma(hxs, Q5, Q4),
        fma(h2, fma(hxs, Q3, Q2), fma(hxs, Q1, 1.0)),
    );
    let t = fma(-r1, hfx, 3.0);
    let e = (r1 - t) / fma(-x, t, 6.0) * hxs;
    if k == 0 {
        return x - fma(e, x, -hxs);
    }
    let e = fma(e - c, x, -c) - hxs;
    if k == -1 {
        return fma(0.5, x - e, -0.5);
    }
    if k == 1 {
        return if x < -0.25 {
            -2.0 * (e - (x + 0.5))
        } else {
            fma(x - e, 2.0, 1.0)
        };
    }
    /// `y` with `k` added to its exponent.
    fn scaled(y: f64, k: i32) -> f64 {
        f64::from_bits(y.to_bits().wrapping_add((k as i64 as u64) << 52))
    }
    if k <= -2 || k > 56 {
        return scaled(1.0 - (e - x), k) - 1.0;
    }
    if k < 20 {
        // t = 1 - 2^-k.
        let t = f64::from_bits(((0x3ff0_0000 - (0x20_0000 >> k)) as u64) << 32);
        scaled(t - (e - x), k)
    } else {
        // t = 2^-k.
        let t = f64::from_bits(((0x3ff - k) as u64) << 52);
        scaled(x - (e + t) + 1.0, k)
    }
}

/// cosh x: glibc's (fdlibm's `e_cosh.c` with glibc's exp and expm1).
pub fn cosh(x: f64) -> f64 {
    let ax = f64::from_bits(x.to_bits() & !SIGN);
    let ix = (ax.to_bits() >> 32) as u32;
    if ix < 0x4036_0000 {
        // |x| < 22.
        if ix < 0x3fd6_2e43 {
            // |x| < ln2/2: 1 + expm1(|x|)^2 / (2 e^|x|).
            if ix < 0x3c80_0000 {
                return 1.0;
            }
            let t = expm1(ax);
            let w = 1.0 + t;
            return 1.0 + (t * t) / (w + w);
        }
        let t = exp(ax);
        return 0.5 * t + 0.5 / t;
    }
    if ix < 0x4086_2e42 {
        // |x| < log(f64::MAX).
        return 0.5 * exp(ax);
    }
    if ax.to_bits() <= 0x4086_33ce_8fb9_f87d {
        // Up to the overflow threshold: e^(|x|/2)^2 / 2 without overflow on the way.
        let w = exp(0.5 * ax);
        let t = 0.5 * w;
        return t * w;
    }
    if ix >= 0x7ff0_0000 {
        return x * x;
    }
    f64::INFINITY
}

/// sinh x: glibc's (fdlibm's `e_sinh.c` with glibc's exp and expm1).
pub fn sinh(x: f64) -> f64 {
    let jx = (x.to_bits() >> 32) as u32;
    let ix = jx & 0x7fff_ffff;
    if ix >= 0x7ff0_0000 {
        return x + x;
    }
    let h = if jx >> 31 != 0 { -0.5 } else { 0.5 };
    let ax = f64::from_bits(x.to_bits() & !SIGN);
    if ix < 0x4036_0000 {
        // |x| < 22.
        if ix < 0x3e30_0000 {
            // |x| < 2^-28: sinh x rounds to x.
            return x;
        }
        let t = expm1(ax);
        if ix < 0x3ff0_0000 {
            return h * (2.0 * t - t * t / (t + 1.0));
        }
        return h * (t + t / (t + 1.0));
    }
    if ix < 0x4086_2e42 {
        return h * exp(ax);
    }
    if ax.to_bits() <= 0x4086_33ce_8fb9_f87d {
        let w = exp(0.5 * ax);
        let t = h * w;
        return t * w;
    }
    // Overflow.
    x * 1.0e307
}

/// tanh x: glibc's (fdlibm's `s_tanh.c` with glibc's expm1).
pub fn tanh(x: f64) -> f64 {
    let bits = x.to_bits();
    let ix = (bits >> 32) as u32 & 0x7fff_ffff;
    if ix >= 0x7ff0_0000 {
        // ±1 for ±inf, NaN for NaN.
        return if bits >> 63 == 0 {
            1.0 / x + 1.0
        } else {
            1.0 / x - 1.0
        };
    }
    let z = if ix < 0x4036_0000 {
        // |x| < 22.
        if bits << 1 == 0 {
            return x;
        }
        if ix < 0x3c80_0000 {
            // |x| < 2^-55.
            return x * (1.0 + x);
        }
        let ax = f64::from_bits(bits & !SIGN);
        if ix >= 0x3ff0_0000 {
            let t = expm1(2.0 * ax);
            1.0 - 2.0 / (t + 2.0)
        } else {
            let t = expm1(-2.0 * ax);
            -t / (t + 2.0)
        }
    } else {
        1.0
    };
    if bits >> 63 == 0 {
        z
    } else {
        -z
    }
}
