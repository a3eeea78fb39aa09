//! Maps: sorted key/value pairs in one heap object ("flatmap" layout at every size).
//!
//! Keys are kept in map-key order (integers before floats, then standard term order), which is
//! also the order erl shows small maps in. Lookups binary-search; updates build a new map.

use alloc::vec::Vec;
use core::cmp::Ordering;

use super::atom::AtomTable;
use super::compare::{compare, Mode};
use super::heap::{Heap, View};
use super::term::Term;

/// Finds `key` in a map (small or large).
pub fn get(v: &View, atoms: &AtomTable, map: Term, key: Term) -> Option<Term> {
    if v.kind(map) == Some(super::term::Kind::TreeMap) {
        return super::bigmap::get(v, atoms, map, key);
    }
    let p = v.map_pairs(map)?;
    let n = p.len() / 2;
    if key.is_immediate() && n <= 8 {
        for i in 0..n {
            if p[2 * i] == key {
                return Some(p[2 * i + 1]);
            }
        }
        // An immediate is exactly equal only to the identical word.
        return None;
    }
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match compare(v, atoms, p[2 * mid], key, Mode::MapKey) {
            Ordering::Less => lo = mid + 1,
            Ordering::Greater => hi = mid,
            Ordering::Equal => return Some(p[2 * mid + 1]),
        }
    }
    None
}

/// Sorts `(key, value)` pairs into map-key order, keeping the last value for repeated keys.
pub fn normalize(v: &View, atoms: &AtomTable, pairs: &mut Vec<(Term, Term)>) {
    // Stable sort keeps insertion order among equal keys; then keep the last of each run.
    pairs.sort_by(|a, b| compare(v, atoms, a.0, b.0, Mode::MapKey));
    let mut out: Vec<(Term, Term)> = Vec::with_capacity(pairs.len());
    for &(k, val) in pairs.iter() {
        if let Some(last) = out.last_mut() {
            if compare(v, atoms, last.0, k, Mode::MapKey) == Ordering::Equal {
                last.1 = val;
                continue;
            }
        }
        out.push((k, val));
    }
    *pairs = out;
}

/// The result of an update.
pub enum Update {
    /// The new map.
    Map(Term),
    /// `put_map_exact` found a missing key.
    BadKey(Term),
}

/// `Map#{K => V, ...}` (assoc) or `Map#{K := V, ...}` (exact).
pub fn update(
    heap: &mut Heap,
    lits: &super::literals::Literals,
    atoms: &AtomTable,
    map: Term,
    new: &[(Term, Term)],
    exact: bool,
) -> Update {
    if heap.view(lits).kind(map) == Some(super::term::Kind::TreeMap) {
        return update_tree(heap, lits, atoms, map, new, exact);
    }
    let merged = {
        let v = heap.view(lits);
        let old = v.map_pairs(map).unwrap_or(&[]);
        let mut upd: Vec<(Term, Term)> = new.to_vec();
        normalize(&v, atoms, &mut upd);
        let mut out: Vec<(Term, Term)> = Vec::with_capacity(old.len() / 2 + upd.len());
        let (mut i, mut j) = (0, 0);
        let n = old.len() / 2;
        while i < n || j < upd.len() {
            if j == upd.len() {
                out.push((old[2 * i], old[2 * i + 1]));
                i += 1;
            } else if i == n {
                if exact {
                    return Update::BadKey(upd[j].0);
                }
                out.push(upd[j]);
                j += 1;
            } else {
                match compare(&v, atoms, old[2 * i], upd[j].0, Mode::MapKey) {
                    Ordering::Less => {
                        out.push((old[2 * i], old[2 * i + 1]));
                        i += 1;
                    }
                    Ordering::Equal => {
                        out.push((old[2 * i], upd[j].1));
                        i += 1;
                        j += 1;
                    }
                    Ordering::Greater => {
                        if exact {
                            return Update::BadKey(upd[j].0);
                        }
                        out.push(upd[j]);
                        j += 1;
                    }
                }
            }
        }
        out
    };
    Update::Map(super::bigmap::from_sorted(heap, lits, &merged))
}

fn update_tree(
    heap: &mut Heap,
    lits: &super::literals::Literals,
    atoms: &AtomTable,
    map: Term,
    new: &[(Term, Term)],
    exact: bool,
) -> Update {
    let (mut count, mut root) = {
        let v = heap.view(lits);
        let p = v.payload(map);
        (p[0].small_value() as usize, p[1])
    };
    if exact {
        let v = heap.view(lits);
        for &(k, _) in new {
            if super::bigmap::get(&v, atoms, map, k).is_none() {
                return Update::BadKey(k);
            }
        }
    }
    for &(k, val) in new {
        let (r, grew) = super::bigmap::insert(heap, lits, atoms, root, k, val);
        root = r;
        count += grew as usize;
    }
    Update::Map(super::bigmap::tree_map(heap, count, root))
}

/// Builds a map from unsorted pairs (later pairs win).
pub fn from_pairs(
    heap: &mut Heap,
    lits: &super::literals::Literals,
    atoms: &AtomTable,
    mut pairs: Vec<(Term, Term)>,
) -> Term {
    {
        let v = heap.view(lits);
        normalize(&v, atoms, &mut pairs);
    }
    super::bigmap::from_sorted(heap, lits, &pairs)
}
