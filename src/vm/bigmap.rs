//! Large maps: a persistent weight-balanced binary tree on the process heap.
//!
//! Maps of up to [`FLATMAP_MAX`] pairs are flat sorted objects ([`Kind::Map`]); bigger ones
//! become a [`Kind::TreeMap`] whose nodes ([`Kind::MapNode`]) hold `[size, position, key,
//! value, left, right]`. Keys are ordered by their position in erl's hash trie
//! ([`super::maphash::key_position`], the first hash; ties, rare, by the deeper hashes erl
//! uses below its eighth level, see [`tie_order`]), so iteration follows erl's order for
//! large maps. Updates copy only the path from the root (O(log n) words), so building a
//! map key by key is O(n log n) instead of quadratic. Node sizes also give O(log n) positional
//! access, which the `maps` iterator uses.

use alloc::vec::Vec;
use core::cmp::Ordering;

use super::atom::AtomTable;
use super::compare::{compare, Mode};
use super::heap::{Heap, View};
use super::literals::Literals;
use super::small::SmallStack;
use super::term::{header, Kind, Term};

/// The largest map kept flat.
pub const FLATMAP_MAX: usize = 32;

/// Weight-balance parameters (delta 3, ratio 2, as in well-known functional map libraries).
const DELTA: usize = 3;
const RATIO: usize = 2;

#[derive(Clone, Copy)]
struct Node {
    pos: u32,
    key: Term,
    value: Term,
    left: Term,
    right: Term,
}

fn node(v: &View, t: Term) -> Node {
    let p = v.payload(t);
    Node {
        pos: p[1].small_value() as u32,
        key: p[2],
        value: p[3],
        left: p[4],
        right: p[5],
    }
}

fn size(v: &View, t: Term) -> usize {
    if t.is_nil() {
        0
    } else {
        v.payload(t)[0].small_value() as usize
    }
}

/// A key with its trie position.
#[derive(Clone, Copy)]
struct Key {
    pos: u32,
    key: Term,
}

fn order(v: &View, atoms: &AtomTable, k: Key, n: &Node) -> Ordering {
    k.pos
        .cmp(&n.pos)
        .then_with(|| tie_order(v, atoms, k.key, n.key))
}

/// The tree order of two keys with equal first positions: equal keys are equal; others
/// are ordered as erl's trie places them below its eighth level
/// ([`super::maphash::collision_order`]), then (should those hashes agree too) by map-key
/// order. Only a collision of first hashes pays for the extra hashing.
pub fn tie_order(v: &View, atoms: &AtomTable, a: Term, b: Term) -> Ordering {
    match compare(v, atoms, a, b, Mode::MapKey) {
        Ordering::Equal => Ordering::Equal,
        o => super::maphash::collision_order(v, a, b).then(o),
    }
}

fn make(h: &mut Heap, lits: &Literals, k: Key, value: Term, left: Term, right: Term) -> Term {
    let n = {
        let v = h.view(lits);
        size(&v, left) + size(&v, right) + 1
    };
    let off = h.words.len();
    h.words.push(Term(header(Kind::MapNode, 6)));
    h.words.extend_from_slice(&[
        Term::small(n as i64),
        Term::small(k.pos as i64),
        k.key,
        value,
        left,
        right,
    ]);
    Term::boxed_ptr(off)
}

fn node_key(n: &Node) -> Key {
    Key {
        pos: n.pos,
        key: n.key,
    }
}

/// Calls `f` with the payload of each node under `t`, in key order (an explicit stack: no
/// native recursion on the tree's depth).
fn walk<'v>(v: &View<'v>, t: Term, mut f: impl FnMut(&'v [Term])) {
    let mut stack = Vec::new();
    let mut cur = t;
    loop {
        while !cur.is_nil() {
            stack.push(cur);
            cur = v.payload(cur)[4];
        }
        let Some(n) = stack.pop() else { break };
        let p = v.payload(n);
        f(p);
        cur = p[5];
    }
}

/// Appends the pairs under `t` in key order.
pub fn in_order(v: &View, t: Term, out: &mut Vec<(Term, Term)>) {
    walk(v, t, |p| out.push((p[2], p[3])));
}

/// Appends the entries under `t` in tree order, with their positions.
fn entries_in_order(v: &View, t: Term, out: &mut Vec<(u32, Term, Term)>) {
    walk(v, t, |p| out.push((p[1].small_value() as u32, p[2], p[3])));
}

/// The entries of a large map in tree order, with their positions.
pub fn entries(v: &View, map: Term) -> Vec<(u32, Term, Term)> {
    let mut out = Vec::with_capacity(size(v, v.payload(map)[1]));
    entries_in_order(v, v.payload(map)[1], &mut out);
    out
}

/// The entries of `pairs` (sorted in map-key order, no repeated keys) in tree order.
pub fn keyed(v: &View, pairs: &[(Term, Term)]) -> Vec<(u32, Term, Term)> {
    let mut out: Vec<(u32, Term, Term)> = pairs
        .iter()
        .map(|&(k, val)| (super::maphash::key_position(v, k), k, val))
        .collect();
    // Stable: equal positions keep map-key order, which deeper hashes then refine.
    crate::sort::sort_by_key(&mut out, |e| e.0);
    super::maphash::order_collisions(v, &mut out, |e| e.0, |e| e.1);
    out
}

/// Updates the large map `map` with the entries `upd` (in tree order, no repeated keys) by
/// merging both in tree order and building a balanced tree of the result: for an update of
/// many keys (`maps:merge/2` of two large maps) one pass and one new tree instead of a path
/// copied per key. With `exact`, a key not in the map is returned as the error.
pub fn merge(
    h: &mut Heap,
    lits: &Literals,
    atoms: &AtomTable,
    map: Term,
    upd: &[(u32, Term, Term)],
    exact: bool,
) -> Result<Term, Term> {
    let merged = {
        let v = h.view(lits);
        let old = entries(&v, map);
        let mut out = Vec::with_capacity(old.len() + if exact { 0 } else { upd.len() });
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < upd.len() {
            let o = if i == old.len() {
                Ordering::Greater
            } else if j == upd.len() {
                Ordering::Less
            } else {
                old[i]
                    .0
                    .cmp(&upd[j].0)
                    .then_with(|| tie_order(&v, atoms, old[i].1, upd[j].1))
            };
            match o {
                Ordering::Less => {
                    out.push(old[i]);
                    i += 1;
                }
                Ordering::Equal => {
                    out.push((old[i].0, old[i].1, upd[j].2));
                    i += 1;
                    j += 1;
                }
                Ordering::Greater if exact => return Err(upd[j].1),
                Ordering::Greater => {
                    out.push(upd[j]);
                    j += 1;
                }
            }
        }
        out
    };
    let root = tree_of(h, lits, &merged);
    Ok(tree_map(h, merged.len(), root))
}

/// Looks `key` up in a large map.
pub fn get(v: &View, atoms: &AtomTable, map: Term, key: Term) -> Option<Term> {
    let k = Key {
        pos: super::maphash::key_position(v, key),
        key,
    };
    let mut t = v.payload(map)[1];
    while !t.is_nil() {
        let n = node(v, t);
        match order(v, atoms, k, &n) {
            Ordering::Less => t = n.left,
            Ordering::Greater => t = n.right,
            Ordering::Equal => return Some(n.value),
        }
    }
    None
}

/// The pair at position `i` (0-based, key order) of a large map.
pub fn nth(v: &View, map: Term, mut i: usize) -> Option<(Term, Term)> {
    let mut t = v.payload(map)[1];
    while !t.is_nil() {
        let n = node(v, t);
        let ls = size(v, n.left);
        match i.cmp(&ls) {
            Ordering::Less => t = n.left,
            Ordering::Equal => return Some((n.key, n.value)),
            Ordering::Greater => {
                i -= ls + 1;
                t = n.right;
            }
        }
    }
    None
}

/// Calls `f` with the pairs of a large map from index `from` (0-based, key order) down to
/// the first, until it returns `false` (an explicit stack: O(log n) to start, then O(1) a
/// pair on average).
pub fn descending(v: &View, map: Term, from: usize, mut f: impl FnMut(Term, Term) -> bool) {
    let mut stack = Vec::new();
    let mut t = v.payload(map)[1];
    let mut i = from;
    // Down to pair `from`, keeping the nodes on the way that come before it.
    while !t.is_nil() {
        let n = node(v, t);
        let ls = size(v, n.left);
        match i.cmp(&ls) {
            Ordering::Less => t = n.left,
            Ordering::Equal => {
                stack.push(t);
                break;
            }
            Ordering::Greater => {
                stack.push(t);
                i -= ls + 1;
                t = n.right;
            }
        }
    }
    while let Some(t) = stack.pop() {
        let n = node(v, t);
        if !f(n.key, n.value) {
            return;
        }
        let mut c = n.left;
        while !c.is_nil() {
            stack.push(c);
            c = node(v, c).right;
        }
    }
}

/// The position and pair at index `i` (0-based, key order) of a large map.
pub fn nth_entry(v: &View, map: Term, mut i: usize) -> Option<(u32, Term, Term)> {
    let mut t = v.payload(map)[1];
    while !t.is_nil() {
        let n = node(v, t);
        let ls = size(v, n.left);
        match i.cmp(&ls) {
            Ordering::Less => t = n.left,
            Ordering::Equal => return Some((n.pos, n.key, n.value)),
            Ordering::Greater => {
                i -= ls + 1;
                t = n.right;
            }
        }
    }
    None
}

/// How many entries of a large map have a trie position below `bound`.
fn count_below(v: &View, map: Term, bound: u64) -> usize {
    let mut t = v.payload(map)[1];
    let mut below = 0;
    while !t.is_nil() {
        let n = node(v, t);
        if u64::from(n.pos) < bound {
            below += size(v, n.left) + 1;
            t = n.right;
        } else {
            t = n.left;
        }
    }
    below
}

/// Trie levels one hash fills: erl rehashes a key with a new salt every eight levels.
const TRIE_LEVELS: u32 = 8;

/// Trie levels an iterator path of one word names (four bits a level). erl makes deeper
/// paths bignums; they only arise for keys whose first two hashes both collide.
const PATH_LEVELS: u32 = 16;

/// The children of the trie node at `level` whose positions start at `base`: for each
/// non-empty child in order, its nibble and the index range of its entries.
fn trie_children(v: &View, map: Term, base: u64, level: u32) -> Vec<(u64, usize, usize)> {
    let width = 1u64 << (4 * (TRIE_LEVELS - 1 - level));
    let mut out = Vec::new();
    let mut start = count_below(v, map, base);
    for nibble in 0..16u64 {
        let end = count_below(v, map, base + (nibble + 1) * width);
        if end > start {
            out.push((nibble, start, end));
        }
        start = end;
    }
    out
}

/// Entries `start..end` of a large map, which share their first hash (a collision), as
/// erl's trie nodes below the eighth level divide them: their keys' deeper positions
/// ([`super::maphash::deeper_position`]), found once each.
struct Collision {
    start: usize,
    deeper: Vec<[u32; (PATH_LEVELS / TRIE_LEVELS - 1) as usize]>,
}

impl Collision {
    fn new(v: &View, map: Term, start: usize, end: usize) -> Collision {
        let deeper = (start..end)
            .map(|i| {
                let key = nth(v, map, i).map_or(Term::NIL, |e| e.0);
                core::array::from_fn(|d| super::maphash::deeper_position(v, key, d as u32 + 1))
            })
            .collect();
        Collision { start, deeper }
    }

    /// The nibble at `level` (eight or more) of entry `i`'s position.
    fn nibble(&self, i: usize, level: u32) -> u32 {
        let word = self.deeper[i - self.start][(level / TRIE_LEVELS - 1) as usize];
        (word >> (4 * (TRIE_LEVELS - 1 - level % TRIE_LEVELS))) & 0xf
    }

    /// The index ranges of the non-empty children, in order, of the node at `level` over
    /// entries `start..end` (in tree order, so each child's entries are adjacent).
    fn children(&self, start: usize, end: usize, level: u32) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        for i in start..end {
            match out.last_mut() {
                Some(last) if self.nibble(last.0, level) == self.nibble(i, level) => last.1 = i + 1,
                _ => out.push((i, i + 1)),
            }
        }
        out
    }
}

/// The entry index that an iterator path of erl's hash trie names (`maps:next/1`): one
/// nibble per level, the root's lowest, each the rank of a child among its node's children;
/// the path ends at a leaf (levels below it are zero). `None` for a path naming no entry.
pub fn path_index(v: &View, map: Term, path: u64) -> Option<usize> {
    let rank = |level: u32| ((path >> (4 * level)) & 0xf) as usize;
    let mut base = 0u64;
    let mut range = (0, 0);
    for level in 0..TRIE_LEVELS {
        let (nibble, start, end) = *trie_children(v, map, base, level).get(rank(level))?;
        if end - start == 1 {
            return Some(start);
        }
        base += nibble << (4 * (TRIE_LEVELS - 1 - level));
        range = (start, end);
    }
    // Keys whose first hashes are equal: erl's deeper levels divide them by the next hash.
    let c = Collision::new(v, map, range.0, range.1);
    for level in TRIE_LEVELS..PATH_LEVELS {
        let (start, end) = *c.children(range.0, range.1, level).get(rank(level))?;
        if end - start == 1 {
            return Some(start);
        }
        range = (start, end);
    }
    None
}

/// The iterator path of the entry at `index` (the inverse of [`path_index`]); `None` past
/// the end, or for a path too deep for one word.
pub fn index_path(v: &View, map: Term, index: usize) -> Option<u64> {
    nth_entry(v, map, index)?;
    let mut base = 0u64;
    let mut path = 0u64;
    let mut range = (0, 0);
    for level in 0..TRIE_LEVELS {
        let children = trie_children(v, map, base, level);
        let (rank, &(nibble, start, end)) = children
            .iter()
            .enumerate()
            .find(|(_, c)| c.1 <= index && index < c.2)?;
        path |= (rank as u64) << (4 * level);
        if end - start == 1 {
            return Some(path);
        }
        base += nibble << (4 * (TRIE_LEVELS - 1 - level));
        range = (start, end);
    }
    let c = Collision::new(v, map, range.0, range.1);
    for level in TRIE_LEVELS..PATH_LEVELS {
        let children = c.children(range.0, range.1, level);
        let (rank, &(start, end)) = children
            .iter()
            .enumerate()
            .find(|(_, c)| c.0 <= index && index < c.1)?;
        path |= (rank as u64) << (4 * level);
        if end - start == 1 {
            return Some(path);
        }
        range = (start, end);
    }
    None
}

fn single_left(h: &mut Heap, lits: &Literals, k: Key, x: Term, l: Term, r: Term) -> Term {
    let rn = node(&h.view(lits), r);
    let nl = make(h, lits, k, x, l, rn.left);
    make(h, lits, node_key(&rn), rn.value, nl, rn.right)
}

fn single_right(h: &mut Heap, lits: &Literals, k: Key, x: Term, l: Term, r: Term) -> Term {
    let ln = node(&h.view(lits), l);
    let nr = make(h, lits, k, x, ln.right, r);
    make(h, lits, node_key(&ln), ln.value, ln.left, nr)
}

fn double_left(h: &mut Heap, lits: &Literals, k: Key, x: Term, l: Term, r: Term) -> Term {
    let (rn, rln) = {
        let v = h.view(lits);
        let rn = node(&v, r);
        (rn, node(&v, rn.left))
    };
    let a = make(h, lits, k, x, l, rln.left);
    let b = make(h, lits, node_key(&rn), rn.value, rln.right, rn.right);
    make(h, lits, node_key(&rln), rln.value, a, b)
}

fn double_right(h: &mut Heap, lits: &Literals, k: Key, x: Term, l: Term, r: Term) -> Term {
    let (ln, lrn) = {
        let v = h.view(lits);
        let ln = node(&v, l);
        (ln, node(&v, ln.right))
    };
    let a = make(h, lits, node_key(&ln), ln.value, ln.left, lrn.left);
    let b = make(h, lits, k, x, lrn.right, r);
    make(h, lits, node_key(&lrn), lrn.value, a, b)
}

/// Rebuilds a node whose subtrees may be out of balance by at most one change.
fn balance(h: &mut Heap, lits: &Literals, k: Key, x: Term, l: Term, r: Term) -> Term {
    let (sl, sr) = {
        let v = h.view(lits);
        (size(&v, l), size(&v, r))
    };
    if sl + sr <= 1 {
        return make(h, lits, k, x, l, r);
    }
    if sr > DELTA * sl {
        let (srl, srr) = {
            let v = h.view(lits);
            let rn = node(&v, r);
            (size(&v, rn.left), size(&v, rn.right))
        };
        return if srl < RATIO * srr {
            single_left(h, lits, k, x, l, r)
        } else {
            double_left(h, lits, k, x, l, r)
        };
    }
    if sl > DELTA * sr {
        let (sll, slr) = {
            let v = h.view(lits);
            let ln = node(&v, l);
            (size(&v, ln.left), size(&v, ln.right))
        };
        return if slr < RATIO * sll {
            single_right(h, lits, k, x, l, r)
        } else {
            double_right(h, lits, k, x, l, r)
        };
    }
    make(h, lits, k, x, l, r)
}

/// Inserts or replaces `key` under tree `t`; returns the new tree and whether it grew.
pub fn insert(
    h: &mut Heap,
    lits: &Literals,
    atoms: &AtomTable,
    t: Term,
    key: Term,
    value: Term,
) -> (Term, bool) {
    // Walk down recording the path, then rebuild bottom-up.
    // The path is as deep as the tree (a few dozen levels at most): kept in the frame, as
    // growing a Vec for it cost several reallocations per insert.
    let empty = Node {
        pos: 0,
        key: Term::NIL,
        value: Term::NIL,
        left: Term::NIL,
        right: Term::NIL,
    };
    let mut path: SmallStack<(Node, Ordering), 24> = SmallStack::new((empty, Ordering::Equal));
    let mut cur = t;
    let mut replaced = None;
    let k = {
        let v = h.view(lits);
        let k = Key {
            pos: super::maphash::key_position(&v, key),
            key,
        };
        while !cur.is_nil() {
            let n = node(&v, cur);
            let o = order(&v, atoms, k, &n);
            if o == Ordering::Equal {
                replaced = Some(n);
                break;
            }
            path.push((n, o));
            cur = if o == Ordering::Less { n.left } else { n.right };
        }
        k
    };
    let grew = replaced.is_none();
    let mut sub = match replaced {
        Some(n) => make(h, lits, node_key(&n), value, n.left, n.right),
        None => make(h, lits, k, value, Term::NIL, Term::NIL),
    };
    while let Some((n, o)) = path.pop() {
        let nk = node_key(&n);
        sub = if o == Ordering::Less {
            if grew {
                balance(h, lits, nk, n.value, sub, n.right)
            } else {
                make(h, lits, nk, n.value, sub, n.right)
            }
        } else if grew {
            balance(h, lits, nk, n.value, n.left, sub)
        } else {
            make(h, lits, nk, n.value, n.left, sub)
        };
    }
    (sub, grew)
}

/// Builds a perfectly balanced tree from pairs in tree order.
fn build(h: &mut Heap, lits: &Literals, pairs: &[(Key, Term)]) -> Term {
    if pairs.is_empty() {
        return Term::NIL;
    }
    let mid = split_point(pairs.len());
    let l = build(h, lits, &pairs[..mid]);
    let r = build(h, lits, &pairs[mid + 1..]);
    make(h, lits, pairs[mid].0, pairs[mid].1, l, r)
}

/// A balanced tree of `(position, key, value)` entries in tree order (positions from
/// [`super::maphash::key_position`], ties as [`tie_order`] orders them, no repeated keys), as
/// [`from_sorted`] builds one: [`split_point`] says how a range divides.
pub fn tree_of(h: &mut Heap, lits: &Literals, entries: &[(u32, Term, Term)]) -> Term {
    if entries.is_empty() {
        return Term::NIL;
    }
    let mid = split_point(entries.len());
    let l = tree_of(h, lits, &entries[..mid]);
    let r = tree_of(h, lits, &entries[mid + 1..]);
    join(h, lits, entries[mid], l, r)
}

/// The node over entries `left` and `right` (trees of the entries before and after it).
pub fn join(
    h: &mut Heap,
    lits: &Literals,
    entry: (u32, Term, Term),
    left: Term,
    right: Term,
) -> Term {
    let (pos, key, value) = entry;
    make(h, lits, Key { pos, key }, value, left, right)
}

/// Where a balanced tree of `len` entries has its root: the left subtree holds the entries
/// before it, the right one those after.
pub fn split_point(len: usize) -> usize {
    len / 2
}

/// A map term from pairs sorted in map-key order without duplicates: flat when small, a
/// tree otherwise.
pub fn from_sorted(h: &mut Heap, lits: &Literals, pairs: &[(Term, Term)]) -> Term {
    if pairs.len() <= FLATMAP_MAX {
        return h.map_sorted(pairs);
    }
    let keyed: Vec<(Key, Term)> = {
        let v = h.view(lits);
        let mut keyed: Vec<(Key, Term)> = pairs
            .iter()
            .map(|&(key, value)| {
                (
                    Key {
                        pos: super::maphash::key_position(&v, key),
                        key,
                    },
                    value,
                )
            })
            .collect();
        // Stable: equal positions keep map-key order, which deeper hashes then refine, as
        // `order` does.
        crate::sort::sort_by_key(&mut keyed, |(k, _)| k.pos);
        super::maphash::order_collisions(&v, &mut keyed, |(k, _)| k.pos, |(k, _)| k.key);
        keyed
    };
    let root = build(h, lits, &keyed);
    tree_map(h, pairs.len(), root)
}

/// Wraps a tree root as a large map term.
pub fn tree_map(h: &mut Heap, count: usize, root: Term) -> Term {
    let off = h.words.len();
    h.words.push(Term(header(Kind::TreeMap, 2)));
    h.words.push(Term::small(count as i64));
    h.words.push(root);
    Term::boxed_ptr(off)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::map::{self, Update};

    #[test]
    fn grows_past_flat_size_and_stays_sorted_and_balanced() {
        let lits = Literals::default();
        let atoms = AtomTable::new();
        let mut h = Heap::new();
        let mut m = h.map_sorted(&[]);
        // Insert in a scrambled order.
        for i in 0..2000i64 {
            let k = Term::small((i * 7919) % 2000);
            match map::update(&mut h, &lits, &atoms, m, &[(k, Term::small(i))], false) {
                Update::Map(n) => m = n,
                Update::BadKey(_) => unreachable!(),
            }
            if h.wants_gc(0) {
                let mut roots = [m];
                crate::vm::gc::collect(&mut h, &mut [&mut roots], 0).unwrap();
                m = roots[0];
            }
        }
        let v = h.view(&lits);
        assert_eq!(v.kind(m), Some(Kind::TreeMap));
        assert_eq!(v.map_size(m), Some(2000));
        let e = v.map_entries(m).unwrap();
        let pos = |t| crate::vm::maphash::key_position(&v, t);
        assert!(e.windows(2).all(|w| pos(w[0].0) < pos(w[1].0)));
        assert_eq!(nth(&v, m, 1234), Some(e[1234]));
        assert!(map::get(&v, &atoms, m, Term::small(1999)).is_some());
        assert!(map::get(&v, &atoms, m, Term::small(2000)).is_none());
        // Depth stays logarithmic.
        fn depth(v: &View, t: Term) -> usize {
            if t.is_nil() {
                0
            } else {
                let p = v.payload(t);
                1 + depth(v, p[4]).max(depth(v, p[5]))
            }
        }
        assert!(depth(&v, v.payload(m)[1]) <= 24);
    }

    /// An update of many keys (merged into a new tree) gives the map that updating key by
    /// key gives, and an exact update with a missing key names that key.
    #[test]
    fn a_bulk_update_equals_key_by_key_updates() {
        let lits = Literals::default();
        let atoms = AtomTable::new();
        let mut h = Heap::new();
        let base: Vec<(Term, Term)> = (0..300).map(|i| (Term::small(i), Term::small(i))).collect();
        let m = from_sorted(&mut h, &lits, &base);
        // Every third key replaced, and keys past the end added.
        let new: Vec<(Term, Term)> = (0..400)
            .step_by(3)
            .map(|i| (Term::small(i), Term::small(-i)))
            .collect();
        let Update::Map(bulk) = map::update(&mut h, &lits, &atoms, m, &new, false) else {
            panic!("no key is missing in an assoc update");
        };
        let mut one = m;
        for &p in &new {
            let Update::Map(n) = map::update(&mut h, &lits, &atoms, one, &[p], false) else {
                panic!("no key is missing in an assoc update");
            };
            one = n;
        }
        let v = h.view(&lits);
        assert_eq!(v.map_size(bulk), Some(300 + 34));
        assert_eq!(v.map_entries(bulk), v.map_entries(one));
        assert!(crate::vm::compare::exact_eq(&v, &atoms, bulk, one));
        assert_eq!(
            map::get(&v, &atoms, bulk, Term::small(399)),
            Some(Term::small(-399))
        );
        assert_eq!(
            map::get(&v, &atoms, bulk, Term::small(1)),
            Some(Term::small(1))
        );
        let exact: Vec<(Term, Term)> = (250..330).map(|i| (Term::small(i), Term::NIL)).collect();
        match map::update(&mut h, &lits, &atoms, m, &exact, true) {
            Update::BadKey(k) => assert_eq!(k, Term::small(300)),
            Update::Map(_) => panic!("key 300 is not in the map"),
        }
    }

    /// Iterator paths into a node below the eighth trie level: erl 25's paths for 59671 and
    /// 40660 (whose first hashes collide) in the map of keys 1..=65535, their neighbours,
    /// and a rank past that node's two children.
    #[test]
    fn paths_below_the_eighth_level_match_erl() {
        let lits = Literals::default();
        let mut h = Heap::new();
        let pairs: Vec<(Term, Term)> = (1..=65535)
            .map(|i| (Term::small(i), Term::small(i)))
            .collect();
        let m = from_sorted(&mut h, &lits, &pairs);
        let v = h.view(&lits);
        for (path, key) in [
            (2108u64, 28969),
            (67644, 59671),
            (4_295_034_940, 40660),
            (6204, 54704),
        ] {
            let i = path_index(&v, m, path).unwrap();
            assert_eq!(nth(&v, m, i).map(|e| e.0), Some(Term::small(key)));
            assert_eq!(index_path(&v, m, i), Some(path));
        }
        assert_eq!(path_index(&v, m, 67644 + (2 << 32)), None);
    }
}
