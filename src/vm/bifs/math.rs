//! The `math` module's natives (all of them are BIFs in OTP).

use crate::vm::bif::{badarith, BifResult, Ctx};
use crate::vm::term::Term;
use num_traits::Float;

fn arg(ctx: &Ctx, t: Term) -> Result<f64, crate::vm::bif::Fault> {
    ctx.view().number_f64(t).ok_or_else(badarith)
}

fn ret(ctx: &mut Ctx, f: f64) -> BifResult {
    if f.is_finite() {
        Ok(ctx.p.heap.float(f))
    } else {
        Err(badarith())
    }
}

macro_rules! unary {
    ($($name:ident => $f:expr;)*) => {$(
        /// A `math` function.
        pub fn $name(ctx: &mut Ctx, a: &[Term]) -> BifResult {
            let x = arg(ctx, a[0])?;
            let f: fn(f64) -> f64 = $f;
            ret(ctx, f(x))
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
    sinh => Float::sinh;
    cosh => Float::cosh;
    tanh => Float::tanh;
    exp => Float::exp;
    log => |x| if x <= 0.0 { f64::NAN } else { Float::ln(x) };
    log2 => |x| if x <= 0.0 { f64::NAN } else { Float::log2(x) };
    log10 => |x| if x <= 0.0 { f64::NAN } else { Float::log10(x) };
    floor => Float::floor;
    ceil => Float::ceil;
}

/// `math:pow/2`.
pub fn pow(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (x, y) = (arg(ctx, a[0])?, arg(ctx, a[1])?);
    ret(ctx, Float::powf(x, y))
}

/// `math:atan2/2`.
pub fn atan2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (x, y) = (arg(ctx, a[0])?, arg(ctx, a[1])?);
    ret(ctx, Float::atan2(x, y))
}

/// `math:fmod/2`.
pub fn fmod(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (x, y) = (arg(ctx, a[0])?, arg(ctx, a[1])?);
    ret(ctx, x % y)
}

/// `math:pi/0`.
pub fn pi(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    ret(ctx, core::f64::consts::PI)
}
