//! The monitor references one process holds or is watched by.
//!
//! Most processes hold or are watched by a few monitors, and a call monitors its server for
//! the length of one request: a sorted vector serves that without allocating again (it keeps
//! its room between a monitor and its removal, where a tree frees its node and makes a new
//! one). Past [`FEW`] references the set becomes a tree, so a server watched by many clients
//! still adds and removes in logarithmic time.

use alloc::vec::Vec;

use crate::wordmap::WordSet;

/// References a set holds in its vector form at most.
pub const FEW: usize = 32;

/// A set of monitor reference numbers, iterated in ascending order (creation order).
#[derive(Debug, Default)]
pub struct RefSet {
    few: Vec<u64>,
    many: Option<WordSet<u64>>,
}

impl RefSet {
    /// An empty set (no allocation until the first insert).
    pub const fn new() -> Self {
        Self {
            few: Vec::new(),
            many: None,
        }
    }

    /// Adds `r`.
    pub fn insert(&mut self, r: u64) {
        if let Some(s) = &mut self.many {
            s.insert(r);
            return;
        }
        // References are made in increasing order: the common case appends.
        match self.few.last() {
            Some(&last) if last >= r => {
                if let Err(i) = self.few.binary_search(&r) {
                    self.few.insert(i, r);
                }
            }
            _ => self.few.push(r),
        }
        if self.few.len() > FEW {
            self.many = Some(self.few.drain(..).collect());
            self.few = Vec::new();
        }
    }

    /// Removes `r`; whether it was there.
    pub fn remove(&mut self, r: u64) -> bool {
        if let Some(s) = &mut self.many {
            return s.remove(r);
        }
        match self.few.binary_search(&r) {
            Ok(i) => {
                self.few.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// The references, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        let tree = self.many.iter().flat_map(|s| s.iter());
        self.few.iter().copied().chain(tree)
    }

    /// The references, ascending, taking the set.
    pub fn into_vec(self) -> Vec<u64> {
        match self.many {
            Some(s) => s.iter().collect(),
            None => self.few,
        }
    }

    /// How many references the set holds.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.many.as_ref().map_or(self.few.len(), |s| s.len())
    }

    /// Whether the set is empty.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;

    /// The set against a BTreeSet through a long pseudo-random run that crosses [`FEW`] both
    /// ways.
    #[test]
    fn behaves_as_an_ordered_set() {
        let mut ours = RefSet::new();
        let mut model = BTreeSet::new();
        let mut x: u64 = 12345;
        for step in 0..20_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Mostly increasing references with some out of order, removals at random.
            let r = if x.is_multiple_of(4) {
                x % 200
            } else {
                step + 200
            };
            if x.is_multiple_of(3) {
                assert_eq!(ours.remove(r), model.remove(&r), "remove {r}");
            } else {
                ours.insert(r);
                model.insert(r);
            }
            if step % 997 == 0 {
                let want: Vec<u64> = model.iter().copied().collect();
                assert_eq!(ours.iter().collect::<Vec<_>>(), want);
            }
            assert_eq!(ours.len(), model.len());
        }
        let want: Vec<u64> = model.into_iter().collect();
        assert_eq!(ours.into_vec(), want);
    }

    #[test]
    fn small_sets_keep_their_room() {
        let mut s = RefSet::new();
        for r in 0..4 {
            s.insert(r);
        }
        for r in 0..4 {
            assert!(s.remove(r));
        }
        assert!(s.is_empty());
        assert!(
            s.few.capacity() >= 4,
            "no reallocation for the next monitors"
        );
        assert!(!s.remove(7));
        for r in 0..=FEW as u64 {
            s.insert(r);
        }
        assert!(s.many.is_some(), "a tree past FEW references");
        assert_eq!(s.iter().count(), FEW + 1);
    }
}
