//! List BIFs: `++`, `--` and the natives of the `lists` module.

use alloc::vec::Vec;

use super::trap;
use crate::vm::atom;
use crate::vm::bif::{badarg, finish, BifResult, Ctx, Fault};
use crate::vm::compare::{eq, exact_eq};
use crate::vm::process::SLICE_REDUCTIONS;
use crate::vm::term::Term;

/// `A ++ B`. A left list longer than a slice is copied a slice's worth at a time by a
/// continuation ([`append_step`]), so the others run meanwhile, as erl's `++` traps.
pub fn append(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if a[0].is_nil() {
        return Ok(a[1]);
    }
    let v = ctx.view();
    let mut items = Vec::new();
    let mut l = a[0];
    while l.is_cons() {
        if items.len() == CELLS_PER_SLICE {
            // The first slice is copied like the others: no tail yet.
            let kind = Term::small(trap::APPEND);
            return Err(Fault::TrapTo([kind, a[0], a[1], Term::NIL]));
        }
        let (h, tl) = v.cons(l);
        items.push(h);
        l = tl;
    }
    if !l.is_nil() {
        return Err(badarg());
    }
    ctx.charge(items.len() / CELLS_PER_REDUCTION);
    Ok(ctx.p.heap.list_with_tail(&items, a[1]))
}

/// One step of `A ++ B` of a long `A` (continuation [`trap::APPEND`]): `a[1]` and `a[2]` are
/// the BIF's arguments, `a[3]` is `[]` at first and then `{Rest, Head, Last}`: the part of
/// `A` still to copy, the copy's first cell and its last one. The copy is built front to
/// back: each slice's cells are written in order and the last cell's tail, a placeholder,
/// is set to the next slice's first cell (or to `B`). The cells are this call's own, seen by
/// nothing else until it returns, and the collector copies them with their pointers.
pub fn append_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (rest, head, last) = match ctx.view().tuple(a[3]) {
        Some(&[rest, head, last]) => (rest, head, last),
        _ => (a[1], Term::NIL, Term::NIL),
    };
    let mut items = Vec::with_capacity(CELLS_PER_SLICE);
    let v = ctx.view();
    let mut l = rest;
    while l.is_cons() && items.len() < CELLS_PER_SLICE {
        let (h, tl) = v.cons(l);
        items.push(h);
        l = tl;
    }
    if !l.is_cons() && !l.is_nil() {
        return Err(Fault::trapped_error(
            ctx,
            atom::BADARG,
            ("erlang", "++"),
            &[a[1], a[2]],
        ));
    }
    let done = l.is_nil();
    let words = &mut ctx.p.heap.words;
    let first = words.len();
    for (i, &x) in items.iter().enumerate() {
        words.push(x);
        words.push(Term::cons_ptr(first + 2 * (i + 1)));
    }
    let end = words.len() - 1;
    words[end] = if done { a[2] } else { Term::NIL };
    let chunk = Term::cons_ptr(first);
    let head = if last.is_cons() {
        words[last.offset() + 1] = chunk;
        head
    } else {
        chunk
    };
    ctx.charge(SLICE_REDUCTIONS as usize);
    if done {
        return Ok(head);
    }
    let state = ctx.p.heap.tuple(&[l, head, Term::cons_ptr(end - 1)]);
    let kind = Term::small(trap::APPEND);
    Err(Fault::TrapTo([kind, a[1], a[2], state]))
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

/// List cells a BIF walks for one reduction (erl's lists BIFs take about as many).
const CELLS_PER_REDUCTION: usize = 32;

/// List cells a BIF walks before it traps: a slice's worth of reductions.
const CELLS_PER_SLICE: usize = CELLS_PER_REDUCTION * SLICE_REDUCTIONS as usize;

/// `lists:reverse/2`. A long list is reversed a slice's worth at a time: the BIF traps with
/// the rest of the list and the accumulator so far, as erl's does.
pub fn reverse2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    // Checked to be proper first (as far as this call goes) so a failure builds nothing;
    // then consed straight from the list, already in the order reversing needs.
    let v = ctx.view();
    let (mut l, mut n) = (a[0], 0);
    while l.is_cons() && n < CELLS_PER_SLICE {
        l = v.cons(l).1;
        n += 1;
    }
    if !l.is_cons() && !l.is_nil() {
        return Err(badarg());
    }
    let mut acc = a[1];
    let mut l = a[0];
    for _ in 0..n {
        let (x, rest) = ctx.view().cons(l);
        acc = ctx.p.heap.cons(x, acc);
        l = rest;
    }
    ctx.charge(n / CELLS_PER_REDUCTION);
    if l.is_cons() {
        return Err(Fault::Trap([l, acc, Term::NIL]));
    }
    Ok(acc)
}

/// `lists:reverse/1`.
pub fn reverse1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    finish(ctx, reverse2, &[a[0], Term::NIL])
}

fn key_index(a: Term) -> Result<usize, Fault> {
    match a.as_small() {
        Some(n) if n >= 1 => Ok(n as usize),
        _ => Err(badarg()),
    }
}

/// The first tuple in `a[2]` whose element `n` equals `a[0]`, or a trap with the rest of
/// the list after a slice's worth of cells.
fn keyfind_in(ctx: &mut Ctx, n: usize, a: &[Term]) -> Result<Option<Term>, Fault> {
    let v = ctx.view();
    let (key, mut l, mut walked) = (a[0], a[2], 0);
    while l.is_cons() {
        if walked == CELLS_PER_SLICE {
            ctx.charge(SLICE_REDUCTIONS as usize);
            return Err(Fault::Trap([key, a[1], l]));
        }
        let (h, tl) = v.cons(l);
        if let Some(el) = v.tuple(h) {
            if el.len() >= n && eq(&v, ctx.atoms, el[n - 1], key) {
                ctx.charge(walked / CELLS_PER_REDUCTION);
                return Ok(Some(h));
            }
        }
        l = tl;
        walked += 1;
    }
    if !l.is_nil() {
        return Err(badarg());
    }
    ctx.charge(walked / CELLS_PER_REDUCTION);
    Ok(None)
}

/// `lists:keyfind/3`.
pub fn keyfind(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = key_index(a[1])?;
    Ok(keyfind_in(ctx, n, a)?.unwrap_or(atom::FALSE))
}

/// `lists:keymember/3`.
pub fn keymember(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = key_index(a[1])?;
    Ok(Term::boolean(keyfind_in(ctx, n, a)?.is_some()))
}

/// `lists:keysearch/3`.
pub fn keysearch(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = key_index(a[1])?;
    match keyfind_in(ctx, n, a)? {
        Some(t) => Ok(ctx.p.heap.tuple(&[atom::VALUE, t])),
        None => Ok(atom::FALSE),
    }
}

/// `lists:member/2`; traps with the rest of the list after a slice's worth of cells.
pub fn member(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let (mut l, mut walked) = (a[1], 0);
    while l.is_cons() {
        if walked == CELLS_PER_SLICE {
            ctx.charge(SLICE_REDUCTIONS as usize);
            return Err(Fault::Trap([a[0], l, Term::NIL]));
        }
        let (h, tl) = v.cons(l);
        if h == a[0] || exact_eq(&v, ctx.atoms, h, a[0]) {
            ctx.charge(walked / CELLS_PER_REDUCTION);
            return Ok(atom::TRUE);
        }
        l = tl;
        walked += 1;
    }
    if !l.is_nil() {
        return Err(badarg());
    }
    ctx.charge(walked / CELLS_PER_REDUCTION);
    Ok(atom::FALSE)
}

/// Collects a proper list into a vector (helper for other BIF modules).
pub fn to_vec(ctx: &Ctx, t: Term) -> Result<Vec<Term>, crate::vm::bif::Fault> {
    ctx.view().list_to_vec(t).ok_or_else(badarg)
}
