//! The natively implemented functions of the `maps` module, and `erts_internal:map_next/3`
//! which OTP's `maps.erl` iterates with.

use alloc::vec::Vec;

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Class, Ctx, Fault};
use crate::vm::bigmap::FLATMAP_MAX;
use crate::vm::map::{self, Update};
use crate::vm::term::{header, Kind, Term};

fn badmap(ctx: &mut Ctx, m: Term) -> Fault {
    let r = ctx.p.heap.tuple(&[atom::BADMAP, m]);
    Fault::error(r)
}

fn pairs(ctx: &mut Ctx, m: Term) -> Result<Vec<(Term, Term)>, Fault> {
    match ctx.view().map_entries(m) {
        Some(p) => Ok(p),
        None => Err(badmap(ctx, m)),
    }
}

/// Pairs in the order `maps:keys/1`, `values/1` and `to_list/1` list them: key order for
/// small maps, the reverse of the trie order for large ones (as erl builds those lists).
fn listing(ctx: &mut Ctx, m: Term) -> Result<Vec<(Term, Term)>, Fault> {
    let mut p = pairs(ctx, m)?;
    if ctx.view().map_is_hashed(m) {
        p.reverse();
    }
    Ok(p)
}

/// `maps:get/2`.
pub fn get(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    super::guards::map_get(ctx, a)
}

/// `maps:find/2`.
pub fn find(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !ctx.view().is_map(a[1]) {
        return Err(badmap(ctx, a[1]));
    }
    let r = map::get(&ctx.view(), ctx.atoms, a[1], a[0]);
    match r {
        Some(v) => Ok(ctx.p.heap.tuple(&[atom::OK, v])),
        None => Ok(atom::ERROR),
    }
}

/// `maps:is_key/2`.
pub fn is_key(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    super::guards::is_map_key(ctx, a)
}

/// `maps:put/3`.
pub fn put(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !ctx.view().is_map(a[2]) {
        return Err(badmap(ctx, a[2]));
    }
    match map::update(
        &mut ctx.p.heap,
        ctx.lits,
        ctx.atoms,
        a[2],
        &[(a[0], a[1])],
        false,
    ) {
        Update::Map(m) => Ok(m),
        Update::BadKey(_) => Err(badarg()),
    }
}

/// `maps:update/3`.
pub fn update(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !ctx.view().is_map(a[2]) {
        return Err(badmap(ctx, a[2]));
    }
    match map::update(
        &mut ctx.p.heap,
        ctx.lits,
        ctx.atoms,
        a[2],
        &[(a[0], a[1])],
        true,
    ) {
        Update::Map(m) => Ok(m),
        Update::BadKey(k) => {
            let r = ctx.p.heap.tuple(&[atom::BADKEY, k]);
            Err(Fault::error(r))
        }
    }
}

/// `maps:remove/2`.
pub fn remove(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let ps = pairs(ctx, a[1])?;
    let v = ctx.view();
    let kept: Vec<(Term, Term)> = ps
        .into_iter()
        .filter(|(k, _)| !crate::vm::compare::exact_eq(&v, ctx.atoms, *k, a[0]))
        .collect();
    Ok(map::from_pairs(&mut ctx.p.heap, ctx.lits, ctx.atoms, kept))
}

/// `maps:take/2`.
pub fn take(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let Some(r) = take_flat(ctx, a[0], a[1]) {
        return Ok(r);
    }
    let ps = pairs(ctx, a[1])?;
    let v = ctx.view();
    let mut found = None;
    let mut kept = Vec::with_capacity(ps.len());
    for (k, val) in ps {
        if found.is_none() && crate::vm::compare::exact_eq(&v, ctx.atoms, k, a[0]) {
            found = Some(val);
        } else {
            kept.push((k, val));
        }
    }
    match found {
        Some(val) => {
            let m = map::from_pairs(&mut ctx.p.heap, ctx.lits, ctx.atoms, kept);
            Ok(ctx.p.heap.tuple(&[val, m]))
        }
        None => Ok(atom::ERROR),
    }
}

/// [`take`] from a small flat map, copied straight onto the heap without the pair being
/// taken (the general path gathers the pairs in vectors and sorts them again); `None` when
/// `map` is not such a map.
fn take_flat(ctx: &mut Ctx, key: Term, map: Term) -> Option<Term> {
    let (n, found) = {
        let v = ctx.view();
        let p = v.map_pairs(map)?;
        let n = p.len() / 2;
        if n > FLATMAP_MAX {
            return None;
        }
        let i = (0..n).find(|&i| crate::vm::compare::exact_eq(&v, ctx.atoms, p[2 * i], key));
        (n, i.map(|i| (i, p[2 * i + 1])))
    };
    let Some((i, val)) = found else {
        return Some(atom::ERROR);
    };
    let heap = &mut ctx.p.heap;
    let base = map.offset() + 1;
    let off = heap.words.len();
    heap.words.push(Term(header(Kind::Map, 2 * (n - 1))));
    heap.copy_words(ctx.lits, map, base..base + 2 * i);
    heap.copy_words(ctx.lits, map, base + 2 * i + 2..base + 2 * n);
    let m = Term::boxed_ptr(off);
    Some(heap.tuple(&[val, m]))
}

/// `maps:keys/1`.
pub fn keys(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let ps = listing(ctx, a[0])?;
    let ks: Vec<Term> = ps.iter().map(|p| p.0).collect();
    Ok(ctx.p.heap.list(&ks))
}

/// `maps:values/1`.
pub fn values(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let ps = listing(ctx, a[0])?;
    let vs: Vec<Term> = ps.iter().map(|p| p.1).collect();
    Ok(ctx.p.heap.list(&vs))
}

/// `maps:to_list/1`.
pub fn to_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let ps = listing(ctx, a[0])?;
    let mut items = Vec::with_capacity(ps.len());
    for (k, v) in ps {
        items.push(ctx.p.heap.tuple(&[k, v]));
    }
    Ok(ctx.p.heap.list(&items))
}

/// `maps:from_list/1`. A list of more than [`super::from_list::STEP`] pairs is turned into
/// a map by a continuation, a slice at a time ([`super::from_list`]).
pub fn from_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let mut ps = Vec::new();
    let mut l = a[0];
    while l.is_cons() {
        if ps.len() == super::from_list::STEP {
            return super::from_list::start(ctx, a[0]);
        }
        let (h, tl) = v.cons(l);
        match v.tuple(h) {
            Some(&[k, val]) => ps.push((k, val)),
            _ => return Err(badarg()),
        }
        l = tl;
    }
    if !l.is_nil() {
        return Err(badarg());
    }
    Ok(map::from_pairs(&mut ctx.p.heap, ctx.lits, ctx.atoms, ps))
}

/// `maps:from_keys/2`.
pub fn from_keys(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let items = crate::vm::bif::list_elems(&ctx.view(), a[0])?;
    let mut ps = Vec::new();
    ps.try_reserve_exact(items.len())
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    ps.extend(items.into_iter().map(|k| (k, a[1])));
    // A node of the map's tree is seven words a key.
    ctx.heap_room(ps.len().saturating_mul(7) + 8)?;
    // Millions of keys take over a hundred MB to sort beside the heap: the node's memory
    // must hold them (refused, the process is killed as for its heap).
    let work = core::mem::size_of_val(ps.as_slice()) + ps.len() * map::FROM_PAIRS_WORK;
    let _work = ctx
        .p
        .heap
        .charge_temporary(work)
        .map_err(|_| Fault::raise(Class::Exit, atom::KILLED))?;
    Ok(map::from_pairs(&mut ctx.p.heap, ctx.lits, ctx.atoms, ps))
}

/// `maps:merge/2`.
pub fn merge(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !ctx.view().is_map(a[0]) {
        return Err(badmap(ctx, a[0]));
    }
    let kinds = (ctx.view().kind(a[0]), ctx.view().kind(a[1]));
    if kinds == (Some(Kind::TreeMap), Some(Kind::TreeMap)) {
        // Two large maps: the second's entries are in tree order already.
        let upd = crate::vm::bigmap::entries(&ctx.view(), a[1]);
        let m = crate::vm::bigmap::merge(&mut ctx.p.heap, ctx.lits, ctx.atoms, a[0], &upd, false);
        return m.map_err(|_| badarg());
    }
    let ps = pairs(ctx, a[1])?;
    match map::update(&mut ctx.p.heap, ctx.lits, ctx.atoms, a[0], &ps, false) {
        Update::Map(m) => Ok(m),
        Update::BadKey(_) => Err(badarg()),
    }
}

/// `erts_internal:map_next/3`: iterate a map from iterator path `Path`, as erl's does.
///
/// With `iterator` it returns a chain `{K1, V1, {K2, V2, ... Tail}}`: a small map's pairs all
/// at once, with `Tail` = `none`; a large map's a batch at a time (at most 32 from the start,
/// then as many as the caller's reductions allow), `Tail` = `[NextPath | Map]` while pairs
/// remain, where `NextPath` names the next pair's place in erl's hash trie. With a list
/// accumulator it returns all pairs from the path on, prepended to it in the order
/// `maps:to_list/1` gives.
pub fn map_next(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let path = a[0].as_small().filter(|i| *i >= 0).ok_or_else(badarg)? as u64;
    let hashed = match ctx.view().kind(a[1]) {
        Some(Kind::TreeMap) => true,
        Some(Kind::Map) => false,
        _ => return Err(badarg()),
    };
    let count = ctx.view().map_size(a[1]).unwrap_or(0);
    let start = if hashed {
        crate::vm::bigmap::path_index(&ctx.view(), a[1], path).ok_or_else(badarg)?
    } else if path as usize > count {
        return Err(badarg());
    } else {
        0
    };
    if a[2] == atom::ITERATOR {
        let end = if hashed {
            // erl hands out a quarter of its remaining reductions' worth of pairs, and at
            // most 32 from the start; this VM's slice is a quarter of erl's.
            let mut batch = ctx.p.reductions.max(1) as usize;
            if path == 0 {
                batch = batch.min(FLATMAP_MAX);
            }
            count.min(start + batch)
        } else {
            count
        };
        let (pairs, next) = {
            let v = ctx.view();
            let pairs: Vec<(Term, Term)> = if hashed {
                (start..end)
                    .filter_map(|i| crate::vm::bigmap::nth(&v, a[1], i))
                    .collect()
            } else {
                v.map_entries(a[1]).unwrap_or_default()
            };
            let next = if hashed && end < count {
                crate::vm::bigmap::index_path(&v, a[1], end)
            } else {
                None
            };
            (pairs, next)
        };
        ctx.charge(pairs.len());
        let mut acc = match next {
            Some(p) => ctx.p.heap.cons(Term::small(p as i64), a[1]),
            None => atom::NONE_ATOM,
        };
        for &(k, v) in pairs.iter().rev() {
            acc = ctx.p.heap.tuple(&[k, v, acc]);
        }
        return Ok(acc);
    }
    if !(a[2].is_nil() || a[2].is_cons()) {
        return Err(badarg());
    }
    // Batch mode: everything left, in the order maps:to_list/1 gives.
    let ps = listing(ctx, a[1])?;
    let rest = ps.len().saturating_sub(start);
    let mut acc = a[2];
    for &(k, v) in ps[..rest].iter().rev() {
        let t = ctx.p.heap.tuple(&[k, v]);
        acc = ctx.p.heap.cons(t, acc);
    }
    Ok(acc)
}
