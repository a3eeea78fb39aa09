//! Maps: sorted key/value pairs in one heap object ("flatmap" layout at every size).
//!
//! Keys are kept in map-key order (integers before floats, then standard term order), which is
//! also the order erl shows small maps in. Lookups binary-search; updates build a new map.

use alloc::vec::Vec;
use core::cmp::Ordering;

use super::atom::AtomTable;
use super::compare::{compare, Mode};
use super::heap::{Heap, View};
use super::term::{header, Term};

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
    crate::sort::sort_by(pairs, |a, b| compare(v, atoms, a.0, b.0, Mode::MapKey));
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
    if let [(k, val)] = *new {
        if let Some(u) = update_one(heap, lits, atoms, map, k, val, exact) {
            return u;
        }
    }
    update_merge(heap, lits, atoms, map, new, exact)
}

/// [`update`] of a flat map by merging sorted pairs (the general path).
fn update_merge(
    heap: &mut Heap,
    lits: &super::literals::Literals,
    atoms: &AtomTable,
    map: Term,
    new: &[(Term, Term)],
    exact: bool,
) -> Update {
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

/// [`update`] of a small flat map with one pair, written straight onto the heap (the common
/// `M#{K => V}` and `maps:put/3`, which otherwise gather and sort pairs in vectors); `None`
/// when the map is not a flat map that stays flat.
fn update_one(
    heap: &mut Heap,
    lits: &super::literals::Literals,
    atoms: &AtomTable,
    map: Term,
    key: Term,
    val: Term,
    exact: bool,
) -> Option<Update> {
    let (n, at, found) = {
        let v = heap.view(lits);
        let p = v.map_pairs(map)?;
        let n = p.len() / 2;
        if n > super::bigmap::FLATMAP_MAX {
            return None;
        }
        // Where the key is, or the first key after it.
        let mut at = n;
        let mut found = false;
        for i in 0..n {
            match compare(&v, atoms, p[2 * i], key, Mode::MapKey) {
                Ordering::Less => {}
                o => {
                    at = i;
                    found = o == Ordering::Equal;
                    break;
                }
            }
        }
        (n, at, found)
    };
    let base = map.offset() + 1;
    let off = heap.words.len();
    if found {
        heap.copy_words(lits, map, base - 1..base + 2 * n);
        heap.words[off + 1 + 2 * at + 1] = val;
    } else if exact {
        return Some(Update::BadKey(key));
    } else if n < super::bigmap::FLATMAP_MAX {
        heap.words
            .push(Term(header(super::term::Kind::Map, 2 * (n + 1))));
        heap.copy_words(lits, map, base..base + 2 * at);
        heap.words.push(key);
        heap.words.push(val);
        heap.copy_words(lits, map, base + 2 * at..base + 2 * n);
    } else {
        return None;
    }
    Some(Update::Map(Term::boxed_ptr(off)))
}

/// An update of a large map with more than one key in this many of the map's is done by
/// [`super::bigmap::merge`]: inserting each key copies a path of the tree (about 7 words a
/// level), a merge builds the whole tree once (7 words a key).
const BULK_UPDATE_RATIO: usize = 16;

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
    if new.len().saturating_mul(BULK_UPDATE_RATIO) > count {
        // Many keys (all present when `exact`, as checked above in the order erl checks
        // them): one merge and a new balanced tree (inserting each would copy a path per
        // key, 20 nodes deep in a map of a million).
        let mut upd = new.to_vec();
        normalize(&heap.view(lits), atoms, &mut upd);
        let upd = super::bigmap::keyed(&heap.view(lits), &upd);
        return match super::bigmap::merge(heap, lits, atoms, map, &upd, exact) {
            Ok(m) => Update::Map(m),
            Err(k) => Update::BadKey(k),
        };
    }
    for &(k, val) in new {
        let (r, grew) = super::bigmap::insert(heap, lits, atoms, root, k, val);
        root = r;
        count += grew as usize;
    }
    Update::Map(super::bigmap::tree_map(heap, count, root))
}

/// The most working memory [`from_pairs`] takes beside its pairs' own vector, in bytes per
/// pair: the pairs keyed by position (24 bytes each) and the two orders of their sort.
pub const FROM_PAIRS_WORK: usize = 40;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::compare::exact_eq;
    use crate::vm::literals::Literals;

    fn words(h: &Heap, lits: &Literals, u: Update) -> Result<Vec<Term>, Term> {
        match u {
            Update::Map(m) => Ok(h
                .view(lits)
                .map_entries(m)
                .unwrap()
                .into_iter()
                .flat_map(|(k, v)| [k, v])
                .collect()),
            Update::BadKey(k) => Err(k),
        }
    }

    #[test]
    fn one_pair_update_matches_merge() {
        let lits = Literals::default();
        let mut atoms = AtomTable::new();
        let a = atoms.intern("a").unwrap();
        for n in [0usize, 1, 5, 31, 32] {
            let mut h = Heap::new();
            // Keys 0, 2, 4, ...: new keys land before, between and after them.
            let pairs: Vec<(Term, Term)> = (0..n)
                .map(|i| (Term::small(2 * i as i64), Term::small(i as i64)))
                .collect();
            let m = h.map_sorted(&pairs);
            let f = h.float(3.0);
            let mut keys: Vec<Term> = (-1..=2 * n as i64).map(Term::small).collect();
            keys.extend([a, f]);
            for k in keys {
                for exact in [false, true] {
                    let fast = update(&mut h, &lits, &atoms, m, &[(k, a)], exact);
                    let fast = words(&h, &lits, fast);
                    let slow = update_merge(&mut h, &lits, &atoms, m, &[(k, a)], exact);
                    let slow = words(&h, &lits, slow);
                    let v = h.view(&lits);
                    match (fast, slow) {
                        (Ok(x), Ok(y)) => {
                            assert_eq!(x.len(), y.len(), "n={n} k={k:?} exact={exact}");
                            for (p, q) in x.iter().zip(&y) {
                                assert!(exact_eq(&v, &atoms, *p, *q), "n={n} k={k:?}");
                            }
                        }
                        (Err(x), Err(y)) => assert_eq!(x, y),
                        (x, y) => panic!("n={n} k={k:?} exact={exact}: {x:?} vs {y:?}"),
                    }
                }
            }
        }
    }
}
