//! Guard BIFs: type tests, comparisons, boolean operators, tuple and list accessors.

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::compare::{compare, eq, exact_eq, Mode};
use crate::vm::term::{Kind, Term};

fn b(x: bool) -> BifResult {
    Ok(Term::boolean(x))
}

macro_rules! type_bif {
    ($name:ident, |$v:ident, $t:ident| $e:expr) => {
        /// A type test BIF.
        pub fn $name(ctx: &mut Ctx, a: &[Term]) -> BifResult {
            let $v = ctx.view();
            let $t = a[0];
            b($e)
        }
    };
}

type_bif!(is_atom, |_v, t| t.is_atom());
type_bif!(is_integer, |v, t| v.is_integer(t));
type_bif!(is_float, |v, t| v.kind(t) == Some(Kind::Float));
type_bif!(is_number, |v, t| v.is_number(t));
type_bif!(is_list, |_v, t| t.is_cons() || t.is_nil());
type_bif!(is_tuple, |v, t| v.is_tuple(t));
type_bif!(is_binary, |v, t| v.is_binary(t));
type_bif!(is_bitstring, |v, t| v.is_bitstring(t));
type_bif!(is_map, |v, t| v.is_map(t));
type_bif!(is_pid, |_v, t| t.is_pid());
type_bif!(is_reference, |v, t| v.is_ref(t));
type_bif!(is_port, |_v, _t| false);
type_bif!(is_function, |v, t| v.is_fun(t));
type_bif!(is_boolean, |_v, t| t == atom::TRUE || t == atom::FALSE);

/// `is_function/2`.
pub fn is_function2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let n = a[1].as_small().filter(|n| *n >= 0).ok_or_else(badarg)?;
    let ar = match v.kind(a[0]) {
        Some(Kind::Export) => v.payload(a[0])[2].small_value(),
        Some(Kind::Fun) => {
            let (mi, li) = crate::vm::code::split_fun_id(v.payload(a[0])[0].small_value() as u64);
            ctx.code
                .modules
                .get(mi as usize)
                .and_then(|m| m.lambdas.get(li as usize))
                .map(|l| l.arity as i64)
                .unwrap_or(-1)
        }
        _ => return b(false),
    };
    b(ar == n)
}

/// `is_record/2,3` helper: a tuple with the given tag.
pub fn is_record2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    if !a[1].is_atom() {
        return Err(badarg());
    }
    b(matches!(v.tuple(a[0]), Some(el) if !el.is_empty() && el[0] == a[1]))
}

/// `is_record/3`.
pub fn is_record3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let n = a[2].as_small().ok_or_else(badarg)?;
    if !a[1].is_atom() {
        return Err(badarg());
    }
    b(matches!(v.tuple(a[0]), Some(el) if el.len() as i64 == n && el[0] == a[1]))
}

macro_rules! cmp_bif {
    ($name:ident, |$v:ident, $atoms:ident, $x:ident, $y:ident| $e:expr) => {
        /// A comparison BIF.
        pub fn $name(ctx: &mut Ctx, a: &[Term]) -> BifResult {
            let $v = ctx.p.heap.view(ctx.lits);
            let $atoms = &*ctx.atoms;
            let ($x, $y) = (a[0], a[1]);
            b($e)
        }
    };
}

cmp_bif!(op_eq, |v, at, x, y| eq(&v, at, x, y));
cmp_bif!(op_ne, |v, at, x, y| !eq(&v, at, x, y));
cmp_bif!(op_exact_eq, |v, at, x, y| exact_eq(&v, at, x, y));
cmp_bif!(op_exact_ne, |v, at, x, y| !exact_eq(&v, at, x, y));
cmp_bif!(op_lt, |v, at, x, y| compare(&v, at, x, y, Mode::Arith)
    .is_lt());
cmp_bif!(op_le, |v, at, x, y| !compare(&v, at, x, y, Mode::Arith)
    .is_gt());
cmp_bif!(op_gt, |v, at, x, y| compare(&v, at, x, y, Mode::Arith)
    .is_gt());
cmp_bif!(op_ge, |v, at, x, y| !compare(&v, at, x, y, Mode::Arith)
    .is_lt());

fn boolean(t: Term) -> Result<bool, crate::vm::bif::Fault> {
    match t {
        atom::TRUE => Ok(true),
        atom::FALSE => Ok(false),
        _ => Err(badarg()),
    }
}

/// `and`.
pub fn op_and(_: &mut Ctx, a: &[Term]) -> BifResult {
    let (x, y) = (boolean(a[0])?, boolean(a[1])?);
    b(x && y)
}

/// `or`.
pub fn op_or(_: &mut Ctx, a: &[Term]) -> BifResult {
    let (x, y) = (boolean(a[0])?, boolean(a[1])?);
    b(x || y)
}

/// `xor`.
pub fn op_xor(_: &mut Ctx, a: &[Term]) -> BifResult {
    let (x, y) = (boolean(a[0])?, boolean(a[1])?);
    b(x ^ y)
}

/// `not`.
pub fn op_not(_: &mut Ctx, a: &[Term]) -> BifResult {
    b(!boolean(a[0])?)
}

/// `min/2`.
pub fn min(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    Ok(if compare(&v, ctx.atoms, a[1], a[0], Mode::Arith).is_lt() {
        a[1]
    } else {
        a[0]
    })
}

/// `max/2`.
pub fn max(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    Ok(if compare(&v, ctx.atoms, a[1], a[0], Mode::Arith).is_gt() {
        a[1]
    } else {
        a[0]
    })
}

/// `element/2`.
pub fn element(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let el = v.tuple(a[1]).ok_or_else(badarg)?;
    let i = a[0].as_small().ok_or_else(badarg)?;
    if i < 1 || i as usize > el.len() {
        return Err(badarg());
    }
    Ok(el[i as usize - 1])
}

/// `setelement/3`.
pub fn setelement(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let i = a[0].as_small().ok_or_else(badarg)?;
    let index = usize::try_from(i - 1).map_err(|_| badarg())?;
    let n = ctx.view().tuple(a[1]).map_or(0, <[Term]>::len);
    ctx.heap_room(n + 1)?;
    ctx.p
        .heap
        .tuple_with(ctx.lits, a[1], index, a[2])
        .ok_or_else(badarg)
}

/// `tuple_size/1`.
pub fn tuple_size(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = ctx.view().tuple(a[0]).ok_or_else(badarg)?.len();
    Ok(Term::small(n as i64))
}

/// `size/1`: tuple arity or binary byte size.
pub fn size(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    if let Some(t) = v.tuple(a[0]) {
        return Ok(Term::small(t.len() as i64));
    }
    let b = v.binary(a[0]).ok_or_else(badarg)?;
    Ok(Term::small(b.bit_len as i64 / 8))
}

/// `make_tuple/2`.
pub fn make_tuple(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = arity(a[0])?;
    ctx.heap_room(n + 1)?;
    Ok(ctx.p.heap.tuple_filled(n, a[1]))
}

/// A tuple arity argument: a whole number up to erl's limit, else `badarg`.
fn arity(t: Term) -> Result<usize, Fault> {
    t.as_small()
        .filter(|n| (0..=crate::vm::term::MAX_TUPLE_ARITY as i64).contains(n))
        .map(|n| n as usize)
        .ok_or_else(badarg)
}

/// `make_tuple/3`.
pub fn make_tuple3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = arity(a[0])?;
    let inits = crate::vm::bif::list_elems(&ctx.view(), a[2])?;
    let mut el = alloc::vec::Vec::new();
    el.try_reserve_exact(n)
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    el.resize(n, a[1]);
    for i in inits {
        let pair = ctx.view().tuple(i).ok_or_else(badarg)?.to_vec();
        if pair.len() != 2 {
            return Err(badarg());
        }
        let k = pair[0].as_small().ok_or_else(badarg)?;
        if k < 1 || k as usize > n {
            return Err(badarg());
        }
        el[k as usize - 1] = pair[1];
    }
    ctx.heap_room(n + 1)?;
    Ok(ctx.p.heap.tuple(&el))
}

/// `hd/1`.
pub fn hd(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_cons() {
        return Err(badarg());
    }
    Ok(ctx.view().cons(a[0]).0)
}

/// `tl/1`.
pub fn tl(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_cons() {
        return Err(badarg());
    }
    Ok(ctx.view().cons(a[0]).1)
}

/// `length/1`.
pub fn length(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = ctx.view().list_len(a[0]).ok_or_else(badarg)?;
    // A reduction per 64 cells walked (a long list ends the caller's slice).
    ctx.charge(n / 64);
    Ok(Term::small(n as i64))
}

/// `byte_size/1`.
pub fn byte_size(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let b = v.binary(a[0]).ok_or_else(badarg)?;
    Ok(Term::small(b.bit_len.div_ceil(8) as i64))
}

/// `bit_size/1`.
pub fn bit_size(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let b = v.binary(a[0]).ok_or_else(badarg)?;
    Ok(Term::small(b.bit_len as i64))
}

/// `map_size/1`.
pub fn map_size(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    match v.map_size(a[0]) {
        Some(n) => Ok(Term::small(n as i64)),
        None => {
            let r = ctx.p.heap.tuple(&[atom::BADMAP, a[0]]);
            Err(crate::vm::bif::Fault::error(r))
        }
    }
}

/// `map_get/2`.
pub fn map_get(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    if !v.is_map(a[1]) {
        let r = ctx.p.heap.tuple(&[atom::BADMAP, a[1]]);
        return Err(crate::vm::bif::Fault::error(r));
    }
    match crate::vm::map::get(&v, ctx.atoms, a[1], a[0]) {
        Some(x) => Ok(x),
        None => {
            let r = ctx.p.heap.tuple(&[atom::BADKEY, a[0]]);
            Err(crate::vm::bif::Fault::error(r))
        }
    }
}

/// `is_map_key/2`.
pub fn is_map_key(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    if !v.is_map(a[1]) {
        let r = ctx.p.heap.tuple(&[atom::BADMAP, a[1]]);
        return Err(crate::vm::bif::Fault::error(r));
    }
    b(crate::vm::map::get(&v, ctx.atoms, a[1], a[0]).is_some())
}
