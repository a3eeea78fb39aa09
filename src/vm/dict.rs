//! The process dictionary: its pairs in a vector and, once it holds more than [`INDEX_FROM`]
//! keys, an index from each key's hash to its position, so that `put/2`, `get/1` and
//! `erase/1` find a key without scanning every pair (100,000 `put`s took 14 s by scanning).
//!
//! The index is an open-addressing table of positions (linear probing, at most half full,
//! deletion by shifting back the entries that follow), which takes far less code in the
//! image than an ordered set. Invariants: with an index, every pair's position is in exactly
//! one slot, found by probing from its key's hash (erl's internal hash of the key's value,
//! [`internal_hash`], so a collection that moves the keys leaves it valid); keys are unique
//! by exact equality. The order of the pairs is unspecified, as erl's is (an erased pair's
//! place goes to the last one).

#![forbid(unsafe_code)]

use alloc::vec;
use alloc::vec::Vec;

use super::atom::AtomTable;
use super::compare::exact_eq;
use super::heap::View;
use super::maphash::internal_hash;
use super::term::Term;

/// Keys a dictionary holds before it keeps an index: a scan of a few is as quick.
pub const INDEX_FROM: usize = 32;

/// A slot of the index that holds no position.
const EMPTY: u32 = u32::MAX;

/// A process dictionary.
#[derive(Debug, Default)]
pub struct Dict {
    pairs: Vec<(Term, Term)>,
    /// Positions in `pairs` by their keys' hashes (`EMPTY` for a free slot), a power of two
    /// long, once there are more than [`INDEX_FROM`] pairs; empty before.
    index: Vec<u32>,
}

fn hash(v: &View, key: Term) -> usize {
    internal_hash(v, key, 0) as usize
}

impl Dict {
    /// The pairs, in no particular order.
    pub fn pairs(&self) -> &[(Term, Term)] {
        &self.pairs
    }

    /// The pairs to update in place (a collection moving them): keys keep their values.
    pub fn pairs_mut(&mut self) -> &mut [(Term, Term)] {
        &mut self.pairs
    }

    /// How many pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether it holds no pair.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Pairs the vector has room for, and the index's slots as pairs' worth (for the
    /// process's memory figure).
    pub fn capacity(&self) -> usize {
        self.pairs.capacity() + self.index.capacity() / 4
    }

    /// The slot holding position `i`, whose key hashes to `h`.
    fn slot_of(&self, h: usize, i: usize) -> usize {
        let mask = self.index.len() - 1;
        let mut s = h & mask;
        while self.index[s] != i as u32 {
            s = (s + 1) & mask;
        }
        s
    }

    /// The position of `key`'s pair (`v` views the heap the keys live on).
    pub fn find(&self, v: &View, atoms: &AtomTable, key: Term) -> Option<usize> {
        let same = |i: usize| exact_eq(v, atoms, self.pairs[i].0, key);
        if self.index.is_empty() {
            return (0..self.pairs.len()).find(|&i| same(i));
        }
        let mask = self.index.len() - 1;
        let mut s = hash(v, key) & mask;
        loop {
            match self.index[s] {
                EMPTY => return None,
                i if same(i as usize) => return Some(i as usize),
                _ => s = (s + 1) & mask,
            }
        }
    }

    /// The value at position `i`.
    pub fn value(&self, i: usize) -> Term {
        self.pairs[i].1
    }

    /// Sets the value at position `i`, giving the old one.
    pub fn replace(&mut self, i: usize, value: Term) -> Term {
        core::mem::replace(&mut self.pairs[i].1, value)
    }

    /// Puts position `i`, whose key hashes to `h`, in the first free slot from its place.
    fn place(&mut self, h: usize, i: usize) {
        let mask = self.index.len() - 1;
        let mut s = h & mask;
        while self.index[s] != EMPTY {
            s = (s + 1) & mask;
        }
        self.index[s] = i as u32;
    }

    /// Adds a pair whose key is not there yet.
    pub fn insert(&mut self, v: &View, key: Term, value: Term) {
        self.pairs.push((key, value));
        let n = self.pairs.len();
        if n <= INDEX_FROM {
            return;
        }
        if n * 2 > self.index.len() {
            // At most half full: a new table for every pair.
            self.index = vec![EMPTY; (n * 4).next_power_of_two()];
            for i in 0..n {
                self.place(hash(v, self.pairs[i].0), i);
            }
        } else {
            self.place(hash(v, key), n - 1);
        }
    }

    /// Takes out the pair at position `i`; the last pair takes its place.
    pub fn remove(&mut self, v: &View, i: usize) -> (Term, Term) {
        let last = self.pairs.len() - 1;
        if !self.index.is_empty() {
            let s = self.slot_of(hash(v, self.pairs[i].0), i);
            self.vacate(v, s);
            if i != last {
                let moved = self.slot_of(hash(v, self.pairs[last].0), last);
                self.index[moved] = i as u32;
            }
        }
        self.pairs.swap_remove(i)
    }

    /// Empties slot `s`, moving back each following entry whose probe started at or before
    /// the hole, so that every entry stays reachable from its hash.
    fn vacate(&mut self, v: &View, mut hole: usize) {
        let mask = self.index.len() - 1;
        let mut s = hole;
        loop {
            self.index[hole] = EMPTY;
            loop {
                s = (s + 1) & mask;
                let i = self.index[s];
                if i == EMPTY {
                    return;
                }
                let home = hash(v, self.pairs[i as usize].0) & mask;
                // The entry may fill the hole unless its home lies cyclically in (hole, s].
                let stays = if hole <= s {
                    hole < home && home <= s
                } else {
                    hole < home || home <= s
                };
                if !stays {
                    self.index[hole] = i;
                    hole = s;
                    break;
                }
            }
        }
    }

    /// Takes out every pair.
    pub fn clear(&mut self) {
        self.pairs.clear();
        self.index = Vec::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::heap::Heap;
    use crate::vm::literals::Literals;

    /// Keys of several kinds, looked up through copies equal by value only (tuples built
    /// again), and integers and floats that are equal only numerically (different keys).
    #[test]
    fn finds_puts_and_erases_as_a_scan_would_across_the_index_threshold() {
        let mut heap = Heap::new();
        let lits = Literals::default();
        let atoms = AtomTable::new();
        let key = |heap: &mut Heap, n: i64| match n % 3 {
            0 => Term::small(n / 3),
            1 => {
                let a = Term::small(n);
                heap.tuple(&[a, Term::NIL])
            }
            _ => heap.float((n / 3) as f64),
        };
        let stored: Vec<Term> = (0..200).map(|n| key(&mut heap, n)).collect();
        let asked: Vec<Term> = (0..200).map(|n| key(&mut heap, n)).collect();
        let v = heap.view(&lits);
        let mut d = Dict::default();
        let mut present = [false; 200];
        for round in 0..3 {
            for n in 0..200 {
                match d.find(&v, &atoms, asked[n]) {
                    Some(i) => {
                        d.replace(i, Term::small(round));
                    }
                    None => d.insert(&v, stored[n], Term::small(round)),
                }
                present[n] = true;
            }
            // Erase every third key: pairs at the start, the middle and the end move.
            for n in (round as usize..200).step_by(3) {
                if let Some(i) = d.find(&v, &atoms, asked[n]) {
                    d.remove(&v, i);
                    present[n] = false;
                }
            }
            assert_eq!(d.len(), present.iter().filter(|&&p| p).count());
            for n in 0..200 {
                let found = d.find(&v, &atoms, asked[n]);
                assert_eq!(found.is_some(), present[n], "key {n} after round {round}");
                if let Some(i) = found {
                    assert_eq!(d.value(i), Term::small(round), "key {n}");
                }
            }
        }
        d.clear();
        assert!(d.is_empty() && d.find(&v, &atoms, asked[0]).is_none());
    }
}
