//! Ordered maps and sets keyed by machine words, whose tree code is compiled once.
//!
//! `BTreeMap<K, V>` is generic over both types, so every key and value pair the runtime used
//! got its own copy of the tree's search, insertion, removal and rebalancing code: 2 to 7 KiB
//! each in the image, most of 70 KiB in all for maps that hold pids, reference numbers, atom
//! indices or channels. The maps here all keep one `BTreeMap<u64, u64>`: keys and values
//! convert to and from a word at the boundary ([`Word`]), so that code exists once, and the
//! typed wrappers around it are a few instructions each that the compiler inlines.
//! [`WideMap`] serves values that do not fit in a word: the tree maps each key to a slot of a
//! [`Slots`] table that holds the value.
//!
//! Invariants: a [`Word`] implementation round-trips (`from_word(to_word(x)) == x`) and keeps
//! the keys' order (`a < b` exactly when `a.to_word() < b.to_word()`), so iteration is in key
//! order and every operation keeps the cost of the tree's (logarithmic in the entries).

#![forbid(unsafe_code)]

use alloc::collections::BTreeMap;
use core::fmt;
use core::marker::PhantomData;

use crate::slots::{Handle, Slots};

/// A type stored in one machine word.
///
/// For a key type, the word's order must be the type's order.
pub trait Word: Copy {
    /// The word that stands for `self`.
    fn to_word(self) -> u64;
    /// The value `w` stands for (`w` came from [`Word::to_word`]).
    fn from_word(w: u64) -> Self;
}

impl Word for u64 {
    #[inline]
    fn to_word(self) -> u64 {
        self
    }
    #[inline]
    fn from_word(w: u64) -> Self {
        w
    }
}

impl Word for u32 {
    #[inline]
    fn to_word(self) -> u64 {
        u64::from(self)
    }
    #[inline]
    fn from_word(w: u64) -> Self {
        w as u32
    }
}

impl Word for usize {
    #[inline]
    fn to_word(self) -> u64 {
        self as u64
    }
    #[inline]
    fn from_word(w: u64) -> Self {
        w as usize
    }
}

impl Word for () {
    #[inline]
    fn to_word(self) -> u64 {
        0
    }
    #[inline]
    fn from_word(_: u64) -> Self {}
}

impl Word for Handle {
    #[inline]
    fn to_word(self) -> u64 {
        u64::from(self.slot) << 32 | u64::from(self.generation)
    }
    #[inline]
    fn from_word(w: u64) -> Self {
        Handle {
            slot: (w >> 32) as u32,
            generation: w as u32,
        }
    }
}

/// An ordered map from `K` to `V`, both stored as words.
pub struct WordMap<K, V> {
    tree: BTreeMap<u64, u64>,
    types: PhantomData<fn() -> (K, V)>,
}

impl<K, V> Default for WordMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Word + fmt::Debug, V: Word + fmt::Debug> fmt::Debug for WordMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K, V> WordMap<K, V> {
    /// An empty map (no allocation until the first insert).
    pub const fn new() -> Self {
        Self {
            tree: BTreeMap::new(),
            types: PhantomData,
        }
    }

    /// Entries in the map.
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }
}

impl<K: Word, V: Word> WordMap<K, V> {
    /// Sets `k`'s value to `v`; the value it had, if any.
    #[inline]
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        self.tree.insert(k.to_word(), v.to_word()).map(V::from_word)
    }

    /// `k`'s value.
    #[inline]
    pub fn get(&self, k: K) -> Option<V> {
        self.tree.get(&k.to_word()).copied().map(V::from_word)
    }

    /// Whether `k` has a value.
    #[inline]
    pub fn contains_key(&self, k: K) -> bool {
        self.tree.contains_key(&k.to_word())
    }

    /// Removes `k`; the value it had, if any.
    #[inline]
    pub fn remove(&mut self, k: K) -> Option<V> {
        self.tree.remove(&k.to_word()).map(V::from_word)
    }

    /// Every entry, in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (K, V)> + '_ {
        self.tree
            .iter()
            .map(|(&k, &v)| (K::from_word(k), V::from_word(v)))
    }

    /// Every key, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = K> + '_ {
        self.tree.keys().map(|&k| K::from_word(k))
    }

    /// Every value, in the order of their keys.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = V> + '_ {
        self.tree.values().map(|&v| V::from_word(v))
    }
}

/// An ordered set of `K`, stored as words.
pub struct WordSet<K> {
    map: WordMap<K, ()>,
}

impl<K> Default for WordSet<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Word + fmt::Debug> fmt::Debug for WordSet<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<K> WordSet<K> {
    /// An empty set (no allocation until the first insert).
    pub const fn new() -> Self {
        Self {
            map: WordMap::new(),
        }
    }

    /// Members of the set.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl<K: Word> WordSet<K> {
    /// Adds `k`; false if it was there already.
    #[inline]
    pub fn insert(&mut self, k: K) -> bool {
        self.map.insert(k, ()).is_none()
    }

    /// Whether `k` is in the set.
    #[inline]
    pub fn contains(&self, k: K) -> bool {
        self.map.contains_key(k)
    }

    /// Removes `k`; false if it was not there.
    #[inline]
    pub fn remove(&mut self, k: K) -> bool {
        self.map.remove(k).is_some()
    }

    /// Every member, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = K> + '_ {
        self.map.keys()
    }
}

impl<K: Word> FromIterator<K> for WordSet<K> {
    fn from_iter<I: IntoIterator<Item = K>>(iter: I) -> Self {
        let mut s = Self::new();
        for k in iter {
            s.insert(k);
        }
        s
    }
}

/// An ordered map from `K` (a word) to values of any size, which sit in a slot table.
///
/// A lookup costs the tree's search plus a slot check: fine for requests in
/// flight, too much for a map on a hot path looked up several times per operation (the ETS
/// table map keeps its own tree).
pub struct WideMap<K, V> {
    index: WordMap<K, Handle>,
    values: Slots<V>,
}

impl<K, V> Default for WideMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Word + fmt::Debug, V: fmt::Debug> fmt::Debug for WideMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K, V> WideMap<K, V> {
    /// An empty map (no allocation until the first insert).
    pub const fn new() -> Self {
        Self {
            index: WordMap::new(),
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

impl<K: Word, V> WideMap<K, V> {
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

    /// As [`WideMap::get`], to change it.
    #[inline]
    pub fn get_mut(&mut self, k: K) -> Option<&mut V> {
        self.values.get_mut(self.index.get(k)?)
    }

    /// Whether `k` has a value.
    #[inline]
    pub fn contains_key(&self, k: K) -> bool {
        self.index.contains_key(k)
    }

    /// Removes `k`; the value it had, if any.
    #[inline]
    pub fn remove(&mut self, k: K) -> Option<V> {
        self.values.remove(self.index.remove(k)?)
    }

    /// Every entry, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (K, &V)> + '_ {
        self.index
            .iter()
            .filter_map(|(k, h)| Some((k, self.values.get(h)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// Insertions and removals in a scrambled order, checked against `BTreeMap`.
    #[test]
    fn maps_agree_with_btreemap() {
        let mut words: WordMap<u32, u64> = WordMap::new();
        let mut wide: WideMap<u64, Vec<u32>> = WideMap::new();
        let mut model = BTreeMap::new();
        let mut x: u32 = 12345;
        for i in 0..4000u64 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let k = (x >> 8) % 700;
            if x.is_multiple_of(3) {
                let had = model.remove(&k);
                assert_eq!(words.remove(k), had);
                assert_eq!(
                    wide.remove(u64::from(k)),
                    had.map(|v| alloc::vec![k, v as u32])
                );
            } else {
                let had = model.insert(k, i);
                assert_eq!(words.insert(k, i), had);
                let old = wide.insert(u64::from(k), alloc::vec![k, i as u32]);
                assert_eq!(old, had.map(|v| alloc::vec![k, v as u32]));
            }
            assert_eq!((words.len(), wide.len()), (model.len(), model.len()));
        }
        let got: Vec<(u32, u64)> = words.iter().collect();
        let want: Vec<(u32, u64)> = model.iter().map(|(&k, &v)| (k, v)).collect();
        assert_eq!(got, want);
        for (k, v) in wide.iter() {
            assert_eq!(u64::from(v[0]), k);
        }
        let keys: Vec<u64> = wide.iter().map(|e| e.0).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn wide_map_replaces_values() {
        let mut m: WideMap<u32, [u64; 3]> = WideMap::new();
        assert_eq!(m.insert(7, [1, 2, 3]), None);
        assert_eq!(m.insert(7, [4, 5, 6]), Some([1, 2, 3]));
        assert_eq!(m.len(), 1);
        m.get_mut(7).unwrap()[0] = 9;
        assert_eq!(m.remove(7), Some([9, 5, 6]));
        assert!(m.is_empty() && m.get(7).is_none());
    }

    #[test]
    fn sets_keep_order() {
        let mut s: WordSet<u32> = [5, 1, u32::MAX, 3].into_iter().collect();
        assert!(!s.insert(3));
        assert!(s.remove(1) && !s.remove(1));
        assert!(s.contains(u32::MAX));
        assert_eq!(s.iter().collect::<Vec<_>>(), [3, 5, u32::MAX]);
    }
}
