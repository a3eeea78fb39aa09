//! The process dictionary: its pairs in a vector and, once it holds more than [`INDEX_FROM`]
//! keys, an index from each key's hash to its position, so that `put/2`, `get/1` and
//! `erase/1` find a key without scanning every pair (100,000 `put`s took 14 s by scanning).
//!
//! Invariants: with an index, it holds exactly one `(hash, position)` entry per pair, the
//! hash being erl's internal hash of the key's value ([`internal_hash`]), so a collection
//! that moves the keys leaves it valid; keys are unique by exact equality. The order of the
//! pairs is unspecified, as erl's is (an erased pair's place goes to the last one).

#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use super::atom::AtomTable;
use super::compare::exact_eq;
use super::heap::View;
use super::maphash::internal_hash;
use super::term::Term;

/// Keys a dictionary holds before it keeps an index: a scan of a few is as quick.
pub const INDEX_FROM: usize = 32;

/// A process dictionary.
#[derive(Debug, Default)]
pub struct Dict {
    pairs: Vec<(Term, Term)>,
    /// `(hash of the key, position in pairs)`, once there are more than [`INDEX_FROM`] pairs.
    /// Boxed so that every process, whose dictionary seldom needs it, pays one word for it
    /// rather than three.
    #[allow(clippy::box_collection)]
    index: Option<Box<BTreeSet<(u32, u32)>>>,
}

fn hash(v: &View, key: Term) -> u32 {
    internal_hash(v, key, 0)
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

    /// Pairs the vector has room for (for the process's memory figure).
    pub fn capacity(&self) -> usize {
        self.pairs.capacity()
    }

    /// The position of `key`'s pair (`v` views the heap the keys live on).
    pub fn find(&self, v: &View, atoms: &AtomTable, key: Term) -> Option<usize> {
        let same = |i: usize| exact_eq(v, atoms, self.pairs[i].0, key);
        match &self.index {
            Some(index) => {
                let h = hash(v, key);
                index
                    .range((h, 0)..=(h, u32::MAX))
                    .map(|&(_, i)| i as usize)
                    .find(|&i| same(i))
            }
            None => (0..self.pairs.len()).find(|&i| same(i)),
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

    /// Adds a pair whose key is not there yet.
    pub fn insert(&mut self, v: &View, key: Term, value: Term) {
        let at = self.pairs.len();
        self.pairs.push((key, value));
        match &mut self.index {
            Some(index) => {
                index.insert((hash(v, key), at as u32));
            }
            None if self.pairs.len() > INDEX_FROM => {
                let all = self.pairs.iter().enumerate();
                let index = all.map(|(i, &(k, _))| (hash(v, k), i as u32)).collect();
                self.index = Some(Box::new(index));
            }
            None => {}
        }
    }

    /// Takes out the pair at position `i`; the last pair takes its place.
    pub fn remove(&mut self, v: &View, i: usize) -> (Term, Term) {
        let last = self.pairs.len() - 1;
        if let Some(index) = &mut self.index {
            index.remove(&(hash(v, self.pairs[i].0), i as u32));
            if i != last {
                let moved = hash(v, self.pairs[last].0);
                index.remove(&(moved, last as u32));
                index.insert((moved, i as u32));
            }
        }
        self.pairs.swap_remove(i)
    }

    /// Takes out every pair.
    pub fn clear(&mut self) {
        self.pairs.clear();
        self.index = None;
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
