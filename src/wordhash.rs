//! Unordered maps keyed by machine words, for lookups on a hot path.
//!
//! The node's monitor and alias tables are looked up, filled and emptied on every call a
//! process makes to a server (a monitor with an alias per call, removed with the reply), and
//! are never walked in order. In the ordered maps of [`crate::wordmap`] each of those steps is
//! a tree search and a removal rebalances; here each is a hash and a probe or two.
//!
//! The table is open addressing with linear probing over a power-of-two array, at most three
//! quarters full; a removal shifts the entries after it back instead of leaving a tombstone,
//! so a lookup never walks past entries that are gone. As in [`crate::wordmap`], one
//! non-generic table ([`RawHash`], words to words) holds every map's entries, and the typed
//! wrappers convert at the boundary, so the probing code exists once in the image.

#![forbid(unsafe_code)]

use alloc::vec::Vec;
use core::marker::PhantomData;

use crate::slots::{Handle, Slots};
use crate::wordmap::Word;

/// The key that marks a vacant slot; a map keeps that key's value, if any, aside.
const VACANT: u64 = u64::MAX;
/// Slots of the first table.
const FIRST: usize = 8;

/// Words to words, unordered.
#[derive(Clone, Debug, Default)]
struct RawHash {
    /// `(key, value)`, key [`VACANT`] for a free slot; empty, or a power of two long.
    slots: Vec<(u64, u64)>,
    /// Entries in `slots`.
    len: usize,
    /// The value of key [`VACANT`] itself.
    aside: Option<u64>,
}

impl RawHash {
    const fn new() -> Self {
        Self {
            slots: Vec::new(),
            len: 0,
            aside: None,
        }
    }

    fn len(&self) -> usize {
        self.len + usize::from(self.aside.is_some())
    }

    /// The slot where a search for `k` starts (Fibonacci hashing: the multiplication mixes
    /// counters such as reference numbers into the top bits, which pick the slot).
    #[inline]
    fn home(&self, k: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    /// The slot holding `k`, or the vacant one where it would go.
    #[inline]
    fn find(&self, k: u64) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(k);
        loop {
            match self.slots[i].0 {
                key if key == k => return Ok(i),
                VACANT => return Err(i),
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn get(&self, k: u64) -> Option<u64> {
        if k == VACANT {
            return self.aside;
        }
        if self.len == 0 {
            return None;
        }
        self.find(k).ok().map(|i| self.slots[i].1)
    }

    fn insert(&mut self, k: u64, v: u64) -> Option<u64> {
        if k == VACANT {
            return self.aside.replace(v);
        }
        // Room for one more within three quarters.
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.resize((self.slots.len() * 2).max(FIRST));
        }
        match self.find(k) {
            Ok(i) => Some(core::mem::replace(&mut self.slots[i].1, v)),
            Err(i) => {
                self.slots[i] = (k, v);
                self.len += 1;
                None
            }
        }
    }

    fn remove(&mut self, k: u64) -> Option<u64> {
        if k == VACANT {
            return self.aside.take();
        }
        if self.len == 0 {
            return None;
        }
        let mut hole = self.find(k).ok()?;
        let v = self.slots[hole].1;
        self.len -= 1;
        // Every entry after the hole, up to a vacant slot, was placed by probing past it:
        // one whose home is not between the hole and itself moves back into the hole.
        let mask = self.slots.len() - 1;
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let key = self.slots[j].0;
            if key == VACANT {
                break;
            }
            let home = self.home(key);
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.slots[hole] = self.slots[j];
                hole = j;
            }
        }
        self.slots[hole] = (VACANT, 0);
        // A table that emptied out shrinks, so a burst of entries does not keep its memory.
        if self.slots.len() > FIRST && self.len * 8 < self.slots.len() {
            self.resize(self.slots.len() / 2);
        }
        Some(v)
    }

    /// Moves every entry into a table of `slots` slots (a power of two, more than `len`).
    fn resize(&mut self, slots: usize) {
        let old = core::mem::replace(&mut self.slots, alloc::vec![(VACANT, 0); slots]);
        for (k, v) in old {
            if k != VACANT {
                if let Err(i) = self.find(k) {
                    self.slots[i] = (k, v);
                }
            }
        }
    }
}

/// An unordered map from `K` to `V`, both machine words.
#[derive(Debug)]
pub struct WordHash<K, V> {
    raw: RawHash,
    types: PhantomData<(K, V)>,
}

impl<K, V> WordHash<K, V> {
    /// An empty map (no allocation until the first insert).
    pub const fn new() -> Self {
        Self {
            raw: RawHash::new(),
            types: PhantomData,
        }
    }

    /// Entries in the map.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K: Word, V: Word> WordHash<K, V> {
    /// Sets `k`'s value to `v`; the value it had, if any.
    #[inline]
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        self.raw.insert(k.to_word(), v.to_word()).map(V::from_word)
    }

    /// `k`'s value.
    #[inline]
    pub fn get(&self, k: K) -> Option<V> {
        self.raw.get(k.to_word()).map(V::from_word)
    }

    /// Removes `k`; the value it had, if any.
    #[inline]
    pub fn remove(&mut self, k: K) -> Option<V> {
        self.raw.remove(k.to_word()).map(V::from_word)
    }
}

/// An unordered map from `K` (a word) to values of any size, which sit in a slot table.
pub struct WideHash<K, V> {
    index: WordHash<K, Handle>,
    values: Slots<V>,
}

impl<K, V> Default for WordHash<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V> Default for WideHash<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V> WideHash<K, V> {
    /// An empty map (no allocation until the first insert).
    pub const fn new() -> Self {
        Self {
            index: WordHash::new(),
            values: Slots::new(),
        }
    }

    /// Entries in the map.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

impl<K: Word, V> WideHash<K, V> {
    /// Sets `k`'s value to `v`; the value it had, if any.
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        let h = self.values.insert(v);
        let old = self.index.insert(k, h)?;
        self.values.remove(old)
    }

    /// `k`'s value.
    #[inline]
    pub fn get(&self, k: K) -> Option<&V> {
        self.values.get(self.index.get(k)?)
    }

    /// Removes `k`; the value it had, if any.
    #[inline]
    pub fn remove(&mut self, k: K) -> Option<V> {
        self.values.remove(self.index.remove(k)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;

    /// A small generator, so the test needs no crate.
    fn next(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    /// Random inserts, lookups and removals, checked against `BTreeMap` after every step:
    /// keys from a small range (so removals hit and slots collide), counters as references
    /// are, and the vacant marker itself.
    #[test]
    fn matches_btreemap() {
        for (range, steps) in [(40u64, 20_000), (5_000, 60_000), (u64::MAX, 20_000)] {
            let mut seed = 0x1234_5678_9abc_def0 ^ range;
            let mut ours: WordHash<u64, u64> = WordHash::new();
            let mut model = BTreeMap::new();
            for step in 0..steps {
                let r = next(&mut seed);
                let k = match r % 17 {
                    0 => VACANT,
                    1 => step,
                    _ => next(&mut seed) % range,
                };
                match r % 5 {
                    0 | 1 => assert_eq!(ours.insert(k, step), model.insert(k, step)),
                    2 | 3 => assert_eq!(ours.remove(k), model.remove(&k)),
                    _ => assert_eq!(ours.get(k), model.get(&k).copied()),
                }
                assert_eq!(ours.len(), model.len());
            }
            for (&k, &v) in &model {
                assert_eq!(ours.get(k), Some(v));
            }
            let keys: Vec<u64> = model.keys().copied().collect();
            for k in keys {
                assert_eq!(ours.remove(k), model.remove(&k));
                assert_eq!(ours.get(k), None);
            }
            assert!(ours.is_empty());
            // Emptied, the table is back to its smallest.
            assert!(ours.raw.slots.len() <= FIRST);
        }
    }

    /// Removing from a run of colliding entries keeps every other entry findable, whichever
    /// of them goes, including runs that wrap past the end of the table.
    #[test]
    fn removal_shifts_collided_entries_back() {
        let mut t = RawHash::new();
        t.resize(FIRST);
        // Keys whose home is the last slot, so their run wraps to the start.
        let last = FIRST - 1;
        let keys: Vec<u64> = (0..u64::MAX)
            .filter(|&k| t.home(k) == last)
            .take(5)
            .collect();
        for gone in 0..keys.len() {
            let mut t = RawHash::new();
            for &k in &keys {
                t.insert(k, k + 1);
            }
            assert_eq!(t.remove(keys[gone]), Some(keys[gone] + 1));
            for (i, &k) in keys.iter().enumerate() {
                let want = if i == gone { None } else { Some(k + 1) };
                assert_eq!(t.get(k), want, "after removing {gone}");
            }
        }
    }

    #[test]
    fn wide_values_follow_their_keys() {
        let mut m: WideHash<u64, (u32, u32, u64)> = WideHash::new();
        for r in 1..=1000u64 {
            assert!(m.insert(r, (r as u32, 7, r * 3)).is_none());
        }
        for r in (1..=1000u64).step_by(2) {
            assert_eq!(m.remove(r), Some((r as u32, 7, r * 3)));
        }
        assert_eq!(m.len(), 500);
        assert_eq!(m.get(2), Some(&(2, 7, 6)));
        assert_eq!(m.get(3), None);
        assert_eq!(m.insert(2, (0, 0, 0)), Some((2, 7, 6)));
        assert_eq!(m.get(2), Some(&(0, 0, 0)));
    }
}
