//! `persistent_term`: node-wide terms stored outside every process heap and copied in on read.

use crate::etf::ExtTerm;
use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx};
use crate::vm::ext::{from_ext, to_ext};
use crate::vm::term::Term;

fn key(ctx: &Ctx, t: Term) -> ExtTerm {
    let v = ctx.view();
    to_ext(&v, ctx.atoms, ctx.code, t)
}

fn find(ctx: &Ctx, k: &ExtTerm) -> Option<usize> {
    ctx.persistent
        .iter()
        .position(|(x, _)| crate::etf::compare(x, k).is_eq())
}

/// `persistent_term:put/2`.
pub fn put(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let k = key(ctx, a[0]);
    let v = key(ctx, a[1]);
    match find(ctx, &k) {
        Some(i) => ctx.persistent[i].1 = v,
        None => ctx.persistent.push((k, v)),
    }
    Ok(atom::OK)
}

fn get_value(ctx: &mut Ctx, k: Term) -> Option<BifResult> {
    let k = key(ctx, k);
    let i = find(ctx, &k)?;
    let ext = &ctx.persistent[i].1;
    Some(from_ext(&mut ctx.p.heap, ctx.atoms, ctx.code, ext).map_err(|_| badarg()))
}

/// `persistent_term:get/1`.
pub fn get1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    get_value(ctx, a[0]).unwrap_or_else(|| Err(badarg()))
}

/// `persistent_term:get/2`.
pub fn get2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    get_value(ctx, a[0]).unwrap_or(Ok(a[1]))
}

/// `persistent_term:erase/1`.
pub fn erase(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let k = key(ctx, a[0]);
    match find(ctx, &k) {
        Some(i) => {
            ctx.persistent.remove(i);
            Ok(atom::TRUE)
        }
        None => Ok(atom::FALSE),
    }
}

/// `persistent_term:get/0`: every `{Key, Value}` pair (logger walks them to reset module
/// levels when the primary level changes).
pub fn get0(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let mut pairs = alloc::vec::Vec::with_capacity(ctx.persistent.len());
    for i in 0..ctx.persistent.len() {
        let (k, v) = &ctx.persistent[i];
        let k = from_ext(&mut ctx.p.heap, ctx.atoms, ctx.code, k).map_err(|_| badarg())?;
        let v = from_ext(&mut ctx.p.heap, ctx.atoms, ctx.code, v).map_err(|_| badarg())?;
        pairs.push(ctx.p.heap.tuple(&[k, v]));
    }
    Ok(ctx.p.heap.list(&pairs))
}
