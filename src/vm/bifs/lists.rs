//! List BIFs: `++`, `--` and the natives of the `lists` module.

use alloc::vec::Vec;

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx};
use crate::vm::compare::{eq, exact_eq};
use crate::vm::term::Term;

/// `A ++ B`.
pub fn append(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if a[0].is_nil() {
        return Ok(a[1]);
    }
    let items = ctx.view().list_to_vec(a[0]).ok_or_else(badarg)?;
    Ok(ctx.p.heap.list_with_tail(&items, a[1]))
}

/// `A -- B`.
pub fn subtract(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let mut xs = v.list_to_vec(a[0]).ok_or_else(badarg)?;
    let ys = v.list_to_vec(a[1]).ok_or_else(badarg)?;
    for y in ys {
        if let Some(i) = xs.iter().position(|x| exact_eq(&v, ctx.atoms, *x, y)) {
            xs.remove(i);
        }
    }
    Ok(ctx.p.heap.list(&xs))
}

/// `lists:reverse/2`.
pub fn reverse2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    // Checked to be proper first so a failure builds nothing; then consed straight from the
    // list, which is already in the order reversing needs, without gathering it in a Vec.
    ctx.view().list_len(a[0]).ok_or_else(badarg)?;
    let mut acc = a[1];
    let mut l = a[0];
    while l.is_cons() {
        let (x, rest) = ctx.view().cons(l);
        acc = ctx.p.heap.cons(x, acc);
        l = rest;
    }
    Ok(acc)
}

/// `lists:reverse/1`.
pub fn reverse1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    reverse2(ctx, &[a[0], Term::NIL])
}

fn key_index(a: Term) -> Result<usize, crate::vm::bif::Fault> {
    match a.as_small() {
        Some(n) if n >= 1 => Ok(n as usize),
        _ => Err(badarg()),
    }
}

fn keyfind_in(
    ctx: &Ctx,
    key: Term,
    n: usize,
    list: Term,
) -> Result<Option<Term>, crate::vm::bif::Fault> {
    let v = ctx.view();
    let mut l = list;
    while l.is_cons() {
        let (h, tl) = v.cons(l);
        if let Some(el) = v.tuple(h) {
            if el.len() >= n && eq(&v, ctx.atoms, el[n - 1], key) {
                return Ok(Some(h));
            }
        }
        l = tl;
    }
    if !l.is_nil() {
        return Err(badarg());
    }
    Ok(None)
}

/// `lists:keyfind/3`.
pub fn keyfind(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = key_index(a[1])?;
    Ok(keyfind_in(ctx, a[0], n, a[2])?.unwrap_or(atom::FALSE))
}

/// `lists:keymember/3`.
pub fn keymember(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = key_index(a[1])?;
    Ok(Term::boolean(keyfind_in(ctx, a[0], n, a[2])?.is_some()))
}

/// `lists:keysearch/3`.
pub fn keysearch(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = key_index(a[1])?;
    match keyfind_in(ctx, a[0], n, a[2])? {
        Some(t) => Ok(ctx.p.heap.tuple(&[atom::VALUE, t])),
        None => Ok(atom::FALSE),
    }
}

/// `lists:member/2`.
pub fn member(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let mut l = a[1];
    while l.is_cons() {
        let (h, tl) = v.cons(l);
        if h == a[0] || exact_eq(&v, ctx.atoms, h, a[0]) {
            return Ok(atom::TRUE);
        }
        l = tl;
    }
    if !l.is_nil() {
        return Err(badarg());
    }
    Ok(atom::FALSE)
}

/// Collects a proper list into a vector (helper for other BIF modules).
pub fn to_vec(ctx: &Ctx, t: Term) -> Result<Vec<Term>, crate::vm::bif::Fault> {
    ctx.view().list_to_vec(t).ok_or_else(badarg)
}
