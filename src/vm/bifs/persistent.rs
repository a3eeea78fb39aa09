//! `persistent_term`: node-wide terms stored outside every process heap and copied in on read.
//!
//! A stored pair is charged to the node's memory account (an estimate of what it holds, from
//! [`ext_cost`]) until it is replaced or erased: a `put` the node's memory cannot hold kills
//! the process that asked, with the memory report, instead of exhausting the node. The pairs
//! are found by the key's `phash2` (see [`crate::vm::persistent`]), so a lookup does not
//! depend on how many terms the node holds.

use crate::etf::ExtTerm;
use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Class, Ctx, Fault};
use crate::vm::ext::{ext_cost, from_ext, to_ext, Stored};
use crate::vm::phash::phash2;
use crate::vm::term::Term;

/// Gives back what `old` was charged.
fn release(ctx: &Ctx, old: &Stored) {
    if let Some(m) = ctx.p.heap.memory_account() {
        m.release(old.bytes);
    }
}

/// `t` in external form.
fn ext(ctx: &Ctx, t: Term) -> ExtTerm {
    let v = ctx.view();
    to_ext(&v, ctx.atoms, ctx.code, t)
}

/// The key `t` as the table finds it: its hash and external form.
fn key(ctx: &Ctx, t: Term) -> (u32, ExtTerm) {
    let v = ctx.view();
    (phash2(&v, ctx.atoms, ctx.code, t), ext(ctx, t))
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
    let (hash, k) = key(ctx, a[0]);
    let v = ext(ctx, a[1]);
    if let Some(m) = ctx.p.heap.memory_account() {
        m.charge(bytes);
    }
    let new = Stored {
        key: k,
        value: v,
        bytes,
        hash,
    };
    if let Some(old) = ctx.persistent.put(new) {
        release(ctx, &old);
    }
    Ok(atom::OK)
}

fn get_value(ctx: &mut Ctx, k: Term) -> Option<BifResult> {
    let (hash, k) = key(ctx, k);
    let ext = &ctx.persistent.get(hash, &k)?.value;
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
    let (hash, k) = key(ctx, a[0]);
    match ctx.persistent.erase(hash, &k) {
        Some(old) => {
            release(ctx, &old);
            Ok(atom::TRUE)
        }
        None => Ok(atom::FALSE),
    }
}

/// `persistent_term:get/0`: every `{Key, Value}` pair (logger walks them to reset module
/// levels when the primary level changes).
/// `persistent_term:info/0`: `#{count => N, memory => Bytes}`, the bytes those the node
/// holds the terms in.
pub fn info(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let count = ctx.persistent.len();
    let bytes: usize = ctx.persistent.iter().map(|s| s.bytes).sum();
    let (c, m) = (
        ctx.atoms.intern("count").map_err(|_| badarg())?,
        ctx.atoms.intern("memory").map_err(|_| badarg())?,
    );
    let (cv, mv) = (ctx.p.heap.int(count as i64), ctx.p.heap.int(bytes as i64));
    Ok(crate::vm::map::from_pairs(
        &mut ctx.p.heap,
        ctx.lits,
        ctx.atoms,
        alloc::vec![(c, cv), (m, mv)],
    ))
}

pub fn get0(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let mut pairs = alloc::vec::Vec::with_capacity(ctx.persistent.len());
    for Stored {
        key: k, value: v, ..
    } in ctx.persistent.iter()
    {
        let k = from_ext(&mut ctx.p.heap, ctx.atoms, ctx.code, k).map_err(|_| badarg())?;
        let v = from_ext(&mut ctx.p.heap, ctx.atoms, ctx.code, v).map_err(|_| badarg())?;
        pairs.push(ctx.p.heap.tuple(&[k, v]));
    }
    Ok(ctx.p.heap.list(&pairs))
}
