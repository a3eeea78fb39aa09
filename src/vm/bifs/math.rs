//! The `math` module's natives (all of them are BIFs in OTP).
//!
//! On the host the platform's C library computes the functions [`MathFn`] names, as erl's
//! does ([`crate::vm::bif::Io::math`]). Elsewhere (the image) `exp`, `pow`, `cosh`, `sinh`
//! and `tanh` are [`fmath`]'s, which give glibc's results bit for bit, and the others are
//! the `libm` crate's.

use crate::vm::bif::{badarg, badarith, BifResult, Ctx};
use crate::vm::fmath;
use crate::vm::term::Term;
use num_traits::Float;

/// A number argument as a float; erl's `badarg` for anything else (a result outside the
/// floats, or none, is `badarith`).
fn arg(ctx: &Ctx, t: Term) -> Result<f64, crate::vm::bif::Fault> {
    ctx.view().number_f64(t).ok_or_else(badarg)
}

fn ret(ctx: &mut Ctx, f: f64) -> BifResult {
    if f.is_finite() {
        Ok(ctx.p.heap.float(f))
    } else {
        Err(badarith())
    }
}

/// A `math` function whose last bits depend on the library that computes it: on the host the
/// platform's own library computes it, as erl's does ([`crate::vm::bif::Io::math`]: glibc
/// under the host runner); the built-in one elsewhere (the image).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathFn {
    /// `sin/1`.
    Sin,
    /// `cos/1`.
    Cos,
    /// `tan/1`.
    Tan,
    /// `asin/1`.
    Asin,
    /// `acos/1`.
    Acos,
    /// `atan/1`.
    Atan,
    /// `sinh/1`.
    Sinh,
    /// `cosh/1`.
    Cosh,
    /// `tanh/1`.
    Tanh,
    /// `exp/1`.
    Exp,
    /// `log/1`.
    Log,
    /// `log2/1`.
    Log2,
    /// `log10/1`.
    Log10,
    /// `pow/2`.
    Pow,
    /// `atan2/2`.
    Atan2,
}

/// A function of one float as a BIF. Out of line, with the function passed by pointer: each
/// BIF is then a call, not its own copy of the argument and result code and of the libm
/// function (about 7 KiB of the image in all).
#[inline(never)]
fn unary_with(ctx: &mut Ctx, a: &[Term], f: fn(f64) -> f64) -> BifResult {
    let x = arg(ctx, a[0])?;
    ret(ctx, f(x))
}

/// A function of two floats as a BIF, as [`unary_with`].
#[inline(never)]
fn binary_with(ctx: &mut Ctx, a: &[Term], f: fn(f64, f64) -> f64) -> BifResult {
    let (x, y) = (arg(ctx, a[0])?, arg(ctx, a[1])?);
    ret(ctx, f(x, y))
}

/// [`unary_with`] or [`binary_with`] for a function the platform's library may compute
/// ([`MathFn`]); `f` is the built-in one. Arguments outside a function's domain (a negative
/// logarithm, say) are the built-in function's business: it answers NaN, so `badarith`.
#[inline(never)]
fn platform_with(ctx: &mut Ctx, a: &[Term], which: MathFn, f: fn(f64, f64) -> f64) -> BifResult {
    let x = arg(ctx, a[0])?;
    let y = match a.get(1) {
        Some(&t) => arg(ctx, t)?,
        None => 0.0,
    };
    #[cfg(not(target_os = "none"))]
    if !f(x, y).is_nan() {
        if let Some(v) = ctx.node.io().math(which, x, y) {
            return ret(ctx, v);
        }
    }
    #[cfg(target_os = "none")]
    let _ = which;
    ret(ctx, f(x, y))
}

macro_rules! unary {
    ($($name:ident => $f:expr;)*) => {$(
        /// A `math` function.
        pub fn $name(ctx: &mut Ctx, a: &[Term]) -> BifResult {
            unary_with(ctx, a, $f)
        }
    )*};
}

macro_rules! platform {
    ($($name:ident, $which:ident => $f:expr;)*) => {$(
        /// A `math` function.
        pub fn $name(ctx: &mut Ctx, a: &[Term]) -> BifResult {
            platform_with(ctx, a, MathFn::$which, $f)
        }
    )*};
}

unary! {
    sqrt => |x| if x < 0.0 { f64::NAN } else { Float::sqrt(x) };
    asinh => Float::asinh;
    acosh => Float::acosh;
    atanh => Float::atanh;
    erf => libm::erf;
    erfc => libm::erfc;
    floor => Float::floor;
    ceil => Float::ceil;
}

platform! {
    sin, Sin => |x, _| Float::sin(x);
    cos, Cos => |x, _| Float::cos(x);
    tan, Tan => |x, _| Float::tan(x);
    asin, Asin => |x, _| Float::asin(x);
    acos, Acos => |x, _| Float::acos(x);
    atan, Atan => |x, _| Float::atan(x);
    sinh, Sinh => |x, _| fmath::sinh(x);
    cosh, Cosh => |x, _| fmath::cosh(x);
    tanh, Tanh => |x, _| fmath::tanh(x);
    exp, Exp => |x, _| fmath::exp(x);
    log, Log => |x, _| if x <= 0.0 { f64::NAN } else { Float::ln(x) };
    log2, Log2 => |x, _| if x <= 0.0 { f64::NAN } else { Float::log2(x) };
    log10, Log10 => |x, _| if x <= 0.0 { f64::NAN } else { Float::log10(x) };
    pow, Pow => fmath::pow;
    atan2, Atan2 => Float::atan2;
}

/// `math:fmod/2`.
pub fn fmod(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    binary_with(ctx, a, |x, y| x % y)
}

/// `math:pi/0`.
pub fn pi(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    ret(ctx, core::f64::consts::PI)
}
