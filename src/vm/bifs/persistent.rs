//! `persistent_term`: node-wide terms stored outside every process heap and copied in on read.
//!
//! A stored pair is charged to the node's memory account (an estimate of what it holds, from
//! [`ext_cost`]) until it is replaced or erased: a `put` the node's memory cannot hold kills
//! the process that asked, with the memory report, instead of exhausting the node.

use crate::etf::ExtTerm;
use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Class, Ctx, Fault};
use crate::vm::ext::{ext_cost, from_ext, to_ext, Stored};
use crate::vm::term::Term;

/// Gives back what `old` was charged.
fn release(ctx: &Ctx, old: &Stored) {
    if let Some(m) = ctx.p.heap.memory_account() {
        m.release(old.bytes);
    }
}

fn key(ctx: &Ctx, t: Term) -> ExtTerm {
    let v = ctx.view();
    to_ext(&v, ctx.atoms, ctx.code, t)
}

fn find(ctx: &Ctx, k: &ExtTerm) -> Option<usize> {
    ctx.persistent
        .iter()
        .position(|x| crate::etf::compare(&x.key, k).is_eq())
}

/// `persistent_term:put/2`.
pub fn put(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let bytes = match ctx.p.heap.memory_account() {
        Some(_) => {
            let left = ctx.p.heap.memory_left().unwrap_or(usize::MAX);
            let v = ctx.view();
            let cost = ext_cost(&v, ctx.atoms, a[0], left)
                .and_then(|k| Some(k + ext_cost(&v, ctx.atoms, a[1], left - k.min(left))?))
                .unwrap_or(left.saturating_add(1));
            // Refused: the process is killed with the memory report.
            drop(
                ctx.p
                    .heap
                    .charge_temporary(cost)
                    .map_err(|_| Fault::raise(Class::Exit, atom::KILLED))?,
            );
            cost
        }
        None => 0,
    };
    let k = key(ctx, a[0]);
    let v = key(ctx, a[1]);
    if let Some(m) = ctx.p.heap.memory_account() {
        m.charge(bytes);
    }
    let new = Stored {
        key: k,
        value: v,
        bytes,
    };
    match find(ctx, &new.key) {
        Some(i) => {
            let old = core::mem::replace(&mut ctx.persistent[i], new);
            release(ctx, &old);
        }
        None => ctx.persistent.push(new),
    }
    Ok(atom::OK)
}

fn get_value(ctx: &mut Ctx, k: Term) -> Option<BifResult> {
    let k = key(ctx, k);
    let i = find(ctx, &k)?;
    let ext = &ctx.persistent[i].value;
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
            let old = ctx.persistent.remove(i);
            release(ctx, &old);
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
        let Stored {
            key: k, value: v, ..
        } = &ctx.persistent[i];
        let k = from_ext(&mut ctx.p.heap, ctx.atoms, ctx.code, k).map_err(|_| badarg())?;
        let v = from_ext(&mut ctx.p.heap, ctx.atoms, ctx.code, v).map_err(|_| badarg())?;
        pairs.push(ctx.p.heap.tuple(&[k, v]));
    }
    Ok(ctx.p.heap.list(&pairs))
}
