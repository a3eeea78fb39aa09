//! Tuple-building BIFs beyond the guards: append, insert and delete elements.

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::term::Term;

/// The elements of tuple `t` in a vector with room for one more, and room in the heap for
/// the new tuple: `system_limit` when the node's memory or the allocator cannot give them.
fn elems(ctx: &mut Ctx, t: Term) -> Result<alloc::vec::Vec<Term>, Fault> {
    let el = ctx.view().tuple(t).ok_or_else(badarg)?;
    let mut out = alloc::vec::Vec::new();
    out.try_reserve_exact(el.len() + 1)
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    out.extend_from_slice(el);
    ctx.heap_room(out.len() + 2)?;
    Ok(out)
}

/// `badarg` when a tuple of `elems` plus one would exceed erl's arity limit.
fn room_for_one(elems: &[Term]) -> Result<(), Fault> {
    if elems.len() < crate::vm::term::MAX_TUPLE_ARITY {
        Ok(())
    } else {
        Err(badarg())
    }
}

/// `erlang:append_element/2`.
pub fn append_element(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut e = elems(ctx, a[0])?;
    room_for_one(&e)?;
    e.push(a[1]);
    Ok(ctx.p.heap.tuple(&e))
}

/// `erlang:insert_element/3`.
pub fn insert_element(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    // No arity check here: erl's insert_element/3 has none either.
    let mut e = elems(ctx, a[1])?;
    let i = a[0].as_small().ok_or_else(badarg)?;
    if i < 1 || i as usize > e.len() + 1 {
        return Err(badarg());
    }
    e.insert(i as usize - 1, a[2]);
    Ok(ctx.p.heap.tuple(&e))
}

/// `erlang:delete_element/2`.
pub fn delete_element(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut e = elems(ctx, a[1])?;
    let i = a[0].as_small().ok_or_else(badarg)?;
    if i < 1 || i as usize > e.len() {
        return Err(badarg());
    }
    e.remove(i as usize - 1);
    Ok(ctx.p.heap.tuple(&e))
}
