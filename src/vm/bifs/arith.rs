//! Arithmetic BIFs: `+ - * / div rem band bor bxor bsl bsr bnot abs` and unary minus, exact on
//! bignums, with erl's errors (`badarith`).

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

use crate::vm::bif::{badarith, BifResult, Ctx, Fault};
use crate::vm::heap::{Heap, View};
use crate::vm::num::{int_fits, MAX_INT_BITS};
use crate::vm::term::Term;

/// A number read from a term.
#[derive(Clone, Debug)]
pub enum Num {
    /// Integer in i64 range.
    I(i64),
    /// Integer outside i64 range.
    B(BigInt),
    /// Float.
    F(f64),
}

/// Reads a number.
pub fn num(v: &View, t: Term) -> Option<Num> {
    if t.is_small() {
        return Some(Num::I(t.small_value()));
    }
    if let Some(f) = v.float(t) {
        return Some(Num::F(f));
    }
    v.big(t).map(|b| match b.to_i64() {
        Some(i) => Num::I(i),
        None => Num::B(b),
    })
}

fn to_f(n: &Num) -> f64 {
    match n {
        Num::I(i) => *i as f64,
        Num::B(b) => crate::vm::num::big_to_f64(b),
        Num::F(f) => *f,
    }
}

fn to_big(n: &Num) -> BigInt {
    match n {
        Num::I(i) => BigInt::from(*i),
        Num::B(b) => b.clone(),
        Num::F(_) => BigInt::zero(),
    }
}

/// Stores a float result, failing with badarith when it is not finite.
pub fn make_float(h: &mut Heap, f: f64) -> BifResult {
    if f.is_finite() {
        Ok(h.float(f))
    } else {
        Err(badarith())
    }
}

fn two(ctx: &Ctx, a: &[Term]) -> Result<(Num, Num), Fault> {
    let v = ctx.view();
    match (num(&v, a[0]), num(&v, a[1])) {
        (Some(x), Some(y)) => Ok((x, y)),
        _ => Err(badarith()),
    }
}

/// Both operands as `i128` when both are integers that fit: the path for results just past
/// the small range, without `BigInt` allocations.
fn ints128(ctx: &Ctx, a: &[Term]) -> Option<(i128, i128)> {
    let v = ctx.view();
    Some((v.int128(a[0])?, v.int128(a[1])?))
}

/// Applies `f` to both operands as `i128` and stores the result, when they fit and `f` does
/// not overflow; `None` sends the caller to its general path.
fn wide(ctx: &mut Ctx, a: &[Term], f: impl Fn(i128, i128) -> Option<i128>) -> Option<Term> {
    let (x, y) = ints128(ctx, a)?;
    let r = f(x, y)?;
    Some(ctx.p.heap.int128(r))
}

/// Stores a bignum result, or fails with `system_limit` when it is over erl's integer size.
fn make_big(h: &mut Heap, b: &BigInt) -> BifResult {
    if int_fits(b) {
        Ok(h.bigint(b))
    } else {
        Err(system_limit())
    }
}

fn system_limit() -> Fault {
    Fault::error(crate::vm::atom::SYSTEM_LIMIT)
}

fn ints(ctx: &Ctx, a: &[Term]) -> Result<(BigInt, BigInt), Fault> {
    match two(ctx, a)? {
        (Num::F(_), _) | (_, Num::F(_)) => Err(badarith()),
        (x, y) => Ok((to_big(&x), to_big(&y))),
    }
}

/// `A + B`.
pub fn add(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let (Some(x), Some(y)) = (a[0].as_small(), a[1].as_small()) {
        return Ok(ctx.p.heap.int(x + y));
    }
    if let Some(t) = wide(ctx, a, i128::checked_add) {
        return Ok(t);
    }
    match two(ctx, a)? {
        (Num::I(x), Num::I(y)) => Ok(match x.checked_add(y) {
            Some(r) => ctx.p.heap.int(r),
            None => ctx.p.heap.bigint(&(BigInt::from(x) + y)),
        }),
        (x @ Num::F(_), y) | (x, y @ Num::F(_)) => make_float(&mut ctx.p.heap, to_f(&x) + to_f(&y)),
        (x, y) => make_big(&mut ctx.p.heap, &(to_big(&x) + to_big(&y))),
    }
}

/// `A - B`.
pub fn sub(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let (Some(x), Some(y)) = (a[0].as_small(), a[1].as_small()) {
        return Ok(ctx.p.heap.int(x - y));
    }
    if let Some(t) = wide(ctx, a, i128::checked_sub) {
        return Ok(t);
    }
    match two(ctx, a)? {
        (Num::I(x), Num::I(y)) => Ok(match x.checked_sub(y) {
            Some(r) => ctx.p.heap.int(r),
            None => ctx.p.heap.bigint(&(BigInt::from(x) - y)),
        }),
        (x @ Num::F(_), y) | (x, y @ Num::F(_)) => make_float(&mut ctx.p.heap, to_f(&x) - to_f(&y)),
        (x, y) => make_big(&mut ctx.p.heap, &(to_big(&x) - to_big(&y))),
    }
}

/// `A * B`.
pub fn mul(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let Some(t) = wide(ctx, a, i128::checked_mul) {
        return Ok(t);
    }
    match two(ctx, a)? {
        (Num::I(x), Num::I(y)) => Ok(match x.checked_mul(y) {
            Some(r) => ctx.p.heap.int(r),
            None => ctx.p.heap.bigint(&(BigInt::from(x) * y)),
        }),
        (x @ Num::F(_), y) | (x, y @ Num::F(_)) => make_float(&mut ctx.p.heap, to_f(&x) * to_f(&y)),
        (x, y) => {
            let (x, y) = (to_big(&x), to_big(&y));
            // The product has at most the operands' bits together: refuse an oversized one
            // before computing it (squaring a huge number again and again must not exhaust
            // the node before the result is checked).
            if x.bits() + y.bits() > MAX_INT_BITS + 1 {
                return Err(system_limit());
            }
            make_big(&mut ctx.p.heap, &(x * y))
        }
    }
}

/// `A / B` (always a float).
pub fn fdiv(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (x, y) = two(ctx, a)?;
    let d = to_f(&y);
    if d == 0.0 {
        return Err(badarith());
    }
    make_float(&mut ctx.p.heap, to_f(&x) / d)
}

/// `A div B` (truncating).
pub fn div(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let (Some(x), Some(y)) = (a[0].as_small(), a[1].as_small()) {
        if y == 0 {
            return Err(badarith());
        }
        return Ok(ctx.p.heap.int(x / y));
    }
    if let Some(t) = wide(ctx, a, i128::checked_div) {
        return Ok(t);
    }
    let (x, y) = ints(ctx, a)?;
    if y.is_zero() {
        return Err(badarith());
    }
    Ok(ctx.p.heap.bigint(&(x / y)))
}

/// `A rem B` (sign of the dividend).
pub fn rem(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let (Some(x), Some(y)) = (a[0].as_small(), a[1].as_small()) {
        if y == 0 {
            return Err(badarith());
        }
        return Ok(ctx.p.heap.int(x % y));
    }
    if let Some(t) = wide(ctx, a, i128::checked_rem) {
        return Ok(t);
    }
    let (x, y) = ints(ctx, a)?;
    if y.is_zero() {
        return Err(badarith());
    }
    Ok(ctx.p.heap.bigint(&(x % y)))
}

/// `A band B`.
pub fn band(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let (Some(x), Some(y)) = (a[0].as_small(), a[1].as_small()) {
        return Ok(Term::small(x & y));
    }
    if let Some(t) = wide(ctx, a, |x, y| Some(x & y)) {
        return Ok(t);
    }
    let (x, y) = ints(ctx, a)?;
    Ok(ctx.p.heap.bigint(&(x & y)))
}

/// `A bor B`.
pub fn bor(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let (Some(x), Some(y)) = (a[0].as_small(), a[1].as_small()) {
        return Ok(Term::small(x | y));
    }
    if let Some(t) = wide(ctx, a, |x, y| Some(x | y)) {
        return Ok(t);
    }
    let (x, y) = ints(ctx, a)?;
    Ok(ctx.p.heap.bigint(&(x | y)))
}

/// `A bxor B`.
pub fn bxor(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let (Some(x), Some(y)) = (a[0].as_small(), a[1].as_small()) {
        return Ok(Term::small(x ^ y));
    }
    if let Some(t) = wide(ctx, a, |x, y| Some(x ^ y)) {
        return Ok(t);
    }
    let (x, y) = ints(ctx, a)?;
    Ok(ctx.p.heap.bigint(&(x ^ y)))
}

fn shift(ctx: &mut Ctx, a: &[Term], left: bool) -> BifResult {
    let (x, y) = ints(ctx, a)?;
    let n = y.to_i64().ok_or_else(|| {
        if (y.is_negative() && left) || (!y.is_negative() && !left) {
            badarith()
        } else {
            system_limit()
        }
    });
    let n = match n {
        Ok(n) => n,
        Err(_) if x.is_zero() => return Ok(Term::small(0)),
        Err(_) if (y.is_negative() && left) || (!y.is_negative() && !left) => {
            return Ok(Term::small(if x.is_negative() { -1 } else { 0 }))
        }
        Err(e) => return Err(e),
    };
    let n = if left { n } else { -n };
    let r = if n >= 0 {
        // Checked before shifting: `1 bsl (1 bsl 31)` would otherwise build 256 MB.
        if !x.is_zero() && x.bits() + n as u64 > MAX_INT_BITS {
            return Err(system_limit());
        }
        x << (n as usize)
    } else {
        let s = n.unsigned_abs();
        if s > (1 << 32) {
            BigInt::from(if x.is_negative() { -1 } else { 0 })
        } else {
            // Arithmetic shift: floor division by 2^s.
            x.div_floor(&(BigInt::from(1) << (s as usize)))
        }
    };
    Ok(ctx.p.heap.bigint(&r))
}

/// `A bsl B`.
pub fn bsl(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let (Some(x), Some(y)) = (a[0].as_small(), a[1].as_small()) {
        if (0..62).contains(&y) && x.unsigned_abs() < (1u64 << (62 - y)) {
            return Ok(ctx.p.heap.int(x << y));
        }
    }
    shift(ctx, a, true)
}

/// `A bsr B`.
pub fn bsr(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let (Some(x), Some(y)) = (a[0].as_small(), a[1].as_small()) {
        if (0..64).contains(&y) {
            return Ok(Term::small(x >> y));
        }
    }
    shift(ctx, a, false)
}

/// `bnot A`.
pub fn bnot(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let Some(x) = a[0].as_small() {
        return Ok(Term::small(!x));
    }
    let v = ctx.view();
    match v.big(a[0]) {
        Some(b) => Ok(ctx.p.heap.bigint(&(-b - 1))),
        None => Err(badarith()),
    }
}

/// Unary `-A`.
pub fn neg(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    match num(&v, a[0]) {
        Some(Num::I(i)) => Ok(match i.checked_neg() {
            Some(r) => ctx.p.heap.int(r),
            None => ctx.p.heap.bigint(&-BigInt::from(i)),
        }),
        Some(Num::B(b)) => Ok(ctx.p.heap.bigint(&-b)),
        Some(Num::F(f)) => Ok(ctx.p.heap.float(-f)),
        None => Err(badarith()),
    }
}

/// Unary `+A`.
pub fn plus(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    match num(&v, a[0]) {
        Some(_) => Ok(a[0]),
        None => Err(badarith()),
    }
}

/// `abs/1`.
pub fn abs(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    match num(&v, a[0]) {
        Some(Num::I(i)) => Ok(ctx.p.heap.bigint(&BigInt::from(i).abs())),
        Some(Num::B(b)) => Ok(ctx.p.heap.bigint(&b.abs())),
        Some(Num::F(f)) => Ok(ctx.p.heap.float(if f < 0.0 { -f } else { f })),
        None => Err(crate::vm::bif::badarg()),
    }
}
