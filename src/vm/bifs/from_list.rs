//! `maps:from_list/1` of a long list, a slice at a time (continuation
//! [`trap::MAPS_FROM_LIST`]).
//!
//! A list longer than [`STEP`] pairs is turned into a map in four phases, each a slice's
//! worth of work per step so that the others run in between, as erl's BIFs trap:
//!
//! 1. collect: walk the list, check each element is a pair, keep the pairs in tuples of
//!    [`STEP`] (a list of them, newest first, in the trap's arguments) and each key's trie
//!    position with the pair's index in a native vector;
//! 2. sort: a merge sort of the (position, index) entries, a bounded number of moves at a
//!    time;
//! 3. dedup: order the rare runs of equal positions by key and keep the last pair of each
//!    key (later pairs win, as in erl), then put the keys kept in erl's order for keys whose
//!    first hashes collide;
//! 4. build: the balanced tree [`bigmap`] builds in one go, its subtrees of at most [`STEP`]
//!    entries one after another (their roots listed in the trap's arguments), then the few
//!    nodes above them.
//!
//! Terms stay in the trap's arguments (X registers), where the collector sees and moves
//! them; the native state ([`FromList`], in the process's `trap_state`) holds only
//! positions and indices.

#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::trap;
use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::bigmap::{self, FLATMAP_MAX};
use crate::vm::compare::{compare, Mode};
use crate::vm::heap::View;
use crate::vm::map;
use crate::vm::maphash::{collision_order, key_position};
use crate::vm::process::SLICE_REDUCTIONS;
use crate::vm::term::Term;

/// Pairs a slice collects, and the largest subtree built in one step.
pub const STEP: usize = 1 << 12;

/// Merge moves (or entries deduplicated) a slice does: cheap word operations.
const MOVES: usize = 1 << 17;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Collect,
    Sort,
    Dedup,
    Build,
}

/// The native state of a long `maps:from_list/1`.
struct FromList {
    phase: Phase,
    /// `position << 32 | index` of each pair collected (sorted once merged).
    keys: Vec<u64>,
    /// The merge's output.
    tmp: Vec<u64>,
    /// Merge: the length of the sorted runs, the start of the pair of runs being merged,
    /// the next entry of each run and the next output slot.
    width: usize,
    base: usize,
    i: usize,
    j: usize,
    k: usize,
    /// Dedup: the next entry to read; the entries kept, in tree order.
    read: usize,
    kept: Vec<u64>,
    /// Build: the subtrees' ranges of `kept`, in order, and the next one to build.
    leaves: Vec<(usize, usize)>,
    leaf: usize,
}

/// Starts a long `maps:from_list(List)`: traps to the continuation.
pub fn start(ctx: &mut Ctx, list: Term) -> BifResult {
    ctx.p.trap_state = Some(Box::new(FromList {
        phase: Phase::Collect,
        keys: Vec::new(),
        tmp: Vec::new(),
        width: 1,
        base: 0,
        i: 0,
        j: 0,
        k: 0,
        read: 0,
        kept: Vec::new(),
        leaves: Vec::new(),
        leaf: 0,
    }));
    let kind = Term::small(trap::MAPS_FROM_LIST);
    Err(Fault::TrapTo([kind, list, Term::NIL, list]))
}

/// One step: `a[1]` is the list given, `a[2]` the tuples of pairs (newest first), `a[3]` the
/// rest of the list while collecting and then the subtrees built (newest first).
pub fn step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let st = ctx
        .p
        .trap_state
        .take()
        .and_then(|b| b.downcast::<FromList>().ok());
    let mut st = st.ok_or_else(badarg)?;
    let (chunks, acc) = match st.phase {
        Phase::Collect => collect(ctx, &mut st, a)?,
        Phase::Sort => {
            sort(&mut st);
            (a[2], a[3])
        }
        Phase::Dedup => {
            dedup(ctx, &mut st, a[2]);
            (a[2], Term::NIL)
        }
        Phase::Build => match build(ctx, &mut st, a[2], a[3]) {
            Ok(map) => {
                ctx.charge(SLICE_REDUCTIONS as usize);
                return Ok(map);
            }
            Err(roots) => (a[2], roots),
        },
    };
    ctx.charge(SLICE_REDUCTIONS as usize);
    ctx.p.trap_state = Some(st);
    let kind = Term::small(trap::MAPS_FROM_LIST);
    Err(Fault::TrapTo([kind, a[1], chunks, acc]))
}

/// Collects up to [`STEP`] pairs; returns the tuples of pairs and the rest of the list.
fn collect(ctx: &mut Ctx, st: &mut FromList, a: &[Term]) -> Result<(Term, Term), Fault> {
    let first = st.keys.len();
    let mut items = Vec::with_capacity(STEP);
    let v = ctx.view();
    let mut l = a[3];
    let mut bad = false;
    while l.is_cons() && items.len() < STEP {
        let (h, tl) = v.cons(l);
        match v.tuple(h) {
            Some(&[k, _]) => {
                let pos = u64::from(key_position(&v, k));
                st.keys.push(pos << 32 | (first + items.len()) as u64);
                items.push(h);
            }
            _ => {
                bad = true;
                break;
            }
        }
        l = tl;
    }
    if bad || !(l.is_cons() || l.is_nil()) {
        let orig = a[1];
        return Err(Fault::trapped_error(
            ctx,
            atom::BADARG,
            ("maps", "from_list"),
            &[orig],
        ));
    }
    let chunk = ctx.p.heap.tuple(&items);
    let chunks = ctx.p.heap.cons(chunk, a[2]);
    if l.is_nil() {
        st.phase = Phase::Sort;
        st.tmp = alloc::vec![0; st.keys.len()];
        st.j = 1.min(st.keys.len());
    }
    Ok((chunks, l))
}

/// Merges sorted runs of `keys` into `tmp`, [`MOVES`] at most.
fn sort(st: &mut FromList) {
    let n = st.keys.len();
    let mut budget = MOVES;
    while st.width < n {
        let mid = (st.base + st.width).min(n);
        let hi = (st.base + 2 * st.width).min(n);
        while budget > 0 && (st.i < mid || st.j < hi) {
            let take_left = st.j >= hi || (st.i < mid && st.keys[st.i] <= st.keys[st.j]);
            if take_left {
                st.tmp[st.k] = st.keys[st.i];
                st.i += 1;
            } else {
                st.tmp[st.k] = st.keys[st.j];
                st.j += 1;
            }
            st.k += 1;
            budget -= 1;
        }
        if st.i < mid || st.j < hi {
            return;
        }
        st.base = hi;
        if st.base >= n {
            core::mem::swap(&mut st.keys, &mut st.tmp);
            st.width *= 2;
            st.base = 0;
        }
        st.i = st.base;
        st.j = (st.base + st.width).min(n);
        st.k = st.base;
        if budget == 0 {
            return;
        }
    }
    st.tmp = Vec::new();
    st.phase = Phase::Dedup;
}

/// The pair with index `i`, from the tuples of pairs (newest first).
fn pair(v: &View, chunks: &[Term], i: usize) -> (Term, Term) {
    let chunk = v.payload(chunks[chunks.len() - 1 - i / STEP]);
    match v.tuple(chunk[i % STEP]) {
        Some(&[k, val]) => (k, val),
        _ => (Term::NIL, Term::NIL),
    }
}

/// The elements of a list, in order.
fn chunk_vec(v: &View, mut chunks: Term) -> Vec<Term> {
    let mut out = Vec::new();
    while chunks.is_cons() {
        let (h, t) = v.cons(chunks);
        out.push(h);
        chunks = t;
    }
    out
}

/// Keeps the last pair of each key, for whole runs of equal positions, about [`MOVES`]
/// entries' worth.
fn dedup(ctx: &mut Ctx, st: &mut FromList, chunks: Term) {
    let v = ctx.view();
    let chunks = chunk_vec(&v, chunks);
    let n = st.keys.len();
    let start = st.read;
    let key = |e: u64| pair(&v, &chunks, (e & 0xffff_ffff) as usize).0;
    let same = |x: u64, y: u64| compare(&v, ctx.atoms, key(x), key(y), Mode::MapKey);
    while st.read < n && st.read - start < MOVES {
        let pos = st.keys[st.read] >> 32;
        let mut end = st.read + 1;
        while end < n && st.keys[end] >> 32 == pos {
            end += 1;
        }
        // Equal positions (rare but for repeated keys): key order, and among equal keys
        // index order (the sort is stable), of which the last wins.
        let run = &mut st.keys[st.read..end];
        if run.len() > 1 {
            crate::sort::sort_by(run, |&x, &y| same(x, y));
        }
        let first_kept = st.kept.len();
        for i in st.read..end {
            let e = st.keys[i];
            if i + 1 == end || same(e, st.keys[i + 1]) != Ordering::Equal {
                st.kept.push(e);
            }
        }
        // Distinct keys with equal first hashes: erl's trie orders them by deeper hashes.
        if st.kept.len() - first_kept > 1 {
            crate::sort::sort_by(&mut st.kept[first_kept..], |&x, &y| {
                collision_order(&v, key(x), key(y)).then(same(x, y))
            });
        }
        st.read = end;
    }
    if st.read == n {
        st.keys = Vec::new();
        st.phase = Phase::Build;
        let mut leaves = Vec::new();
        leaf_ranges(0, st.kept.len(), &mut leaves);
        st.leaves = leaves;
    }
}

/// The ranges of `lo..hi` [`bigmap::tree_of`] would build as subtrees of at most [`STEP`]
/// entries, in order.
fn leaf_ranges(lo: usize, hi: usize, out: &mut Vec<(usize, usize)>) {
    if hi - lo <= STEP {
        out.push((lo, hi));
        return;
    }
    let mid = lo + bigmap::split_point(hi - lo);
    leaf_ranges(lo, mid, out);
    leaf_ranges(mid + 1, hi, out);
}

/// The entry `kept[i]`: its position, key and value.
fn entry(v: &View, chunks: &[Term], kept: &[u64], i: usize) -> (u32, Term, Term) {
    let e = kept[i];
    let (k, val) = pair(v, chunks, (e & 0xffff_ffff) as usize);
    ((e >> 32) as u32, k, val)
}

/// Builds the next subtrees (about [`STEP`] entries' worth), consing their roots onto
/// `roots`; with all built, the map (`Ok`), else the roots so far (`Err`).
fn build(ctx: &mut Ctx, st: &mut FromList, chunks: Term, roots: Term) -> Result<Term, Term> {
    let chunks = chunk_vec(&ctx.view(), chunks);
    if st.kept.len() <= FLATMAP_MAX {
        let pairs: Vec<(Term, Term)> = {
            let v = ctx.view();
            (0..st.kept.len())
                .map(|i| {
                    let (_, k, val) = entry(&v, &chunks, &st.kept, i);
                    (k, val)
                })
                .collect()
        };
        return Ok(map::from_pairs(&mut ctx.p.heap, ctx.lits, ctx.atoms, pairs));
    }
    let mut roots = roots;
    let mut built = 0;
    while st.leaf < st.leaves.len() && built < STEP {
        let (lo, hi) = st.leaves[st.leaf];
        let entries: Vec<(u32, Term, Term)> = {
            let v = ctx.view();
            (lo..hi).map(|i| entry(&v, &chunks, &st.kept, i)).collect()
        };
        let t = bigmap::tree_of(&mut ctx.p.heap, ctx.lits, &entries);
        roots = ctx.p.heap.cons(t, roots);
        built += hi - lo + 1;
        st.leaf += 1;
    }
    if st.leaf < st.leaves.len() {
        return Err(roots);
    }
    let mut subtrees = chunk_vec(&ctx.view(), roots).into_iter().rev();
    let root = join_above(ctx, &chunks, &st.kept, 0, st.kept.len(), &mut subtrees);
    Ok(bigmap::tree_map(&mut ctx.p.heap, st.kept.len(), root))
}

/// The tree over `kept[lo..hi]`, taking the subtrees already built in order.
fn join_above(
    ctx: &mut Ctx,
    chunks: &[Term],
    kept: &[u64],
    lo: usize,
    hi: usize,
    subtrees: &mut impl Iterator<Item = Term>,
) -> Term {
    if hi - lo <= STEP {
        return subtrees.next().unwrap_or(Term::NIL);
    }
    let mid = lo + bigmap::split_point(hi - lo);
    let l = join_above(ctx, chunks, kept, lo, mid, subtrees);
    let r = join_above(ctx, chunks, kept, mid + 1, hi, subtrees);
    let e = entry(&ctx.view(), chunks, kept, mid);
    bigmap::join(&mut ctx.p.heap, ctx.lits, e, l, r)
}
