//! The `math` module's natives (all of them are BIFs in OTP).
//!
//! `exp`, `pow`, `cosh`, `sinh` and `tanh` are [`fmath`]'s, which give glibc's results bit
//! for bit (erl computes with glibc); the others are the `libm` crate's.

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

macro_rules! unary {
    ($($name:ident => $f:expr;)*) => {$(
        /// A `math` function.
        pub fn $name(ctx: &mut Ctx, a: &[Term]) -> BifResult {
            unary_with(ctx, a, $f)
        }
    )*};
}

unary! {
    sqrt => |x| if x < 0.0 { f64::NAN } else { Float::sqrt(x) };
    sin => Float::sin;
    cos => Float::cos;
    tan => Float::tan;
    asin => Float::asin;
    acos => Float::acos;
    atan => Float::atan;
    sinh => fmath::sinh;
    cosh => fmath::cosh;
    tanh => fmath::tanh;
    exp => fmath::exp;
    log => |x| if x <= 0.0 { f64::NAN } else { Float::ln(x) };
    log2 => |x| if x <= 0.0 { f64::NAN } else { Float::log2(x) };
    log10 => |x| if x <= 0.0 { f64::NAN } else { Float::log10(x) };
    asinh => Float::asinh;
    acosh => Float::acosh;
    atanh => Float::atanh;
    erf => libm::erf;
    erfc => libm::erfc;
    floor => Float::floor;
    ceil => Float::ceil;
}

/// `math:pow/2`.
pub fn pow(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    binary_with(ctx, a, fmath::pow)
}

/// `math:atan2/2`.
pub fn atan2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    binary_with(ctx, a, Float::atan2)
}

/// `math:fmod/2`.
pub fn fmod(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    binary_with(ctx, a, |x, y| x % y)
}

/// `math:pi/0`.
pub fn pi(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    ret(ctx, core::f64::consts::PI)
}
