//! Small collections that keep their first entries in fixed arrays.
//!
//! Message copies and iolist walks run on every send and every driver write, and almost
//! always stay small. Under the image's first-fit allocator each heap allocation is costly, so
//! these keep the common case in the caller's stack frame and only spill to the global
//! allocator for big inputs.

use alloc::vec::Vec;

use crate::wordmap::{Word, WordMap};

/// A map that holds its first `N` entries in an array and the rest in a [`WordMap`].
///
/// Lookups scan the inline entries, so `N` should stay small enough for the scan to beat a
/// tree.
pub struct SmallMap<K, V, const N: usize> {
    len: usize,
    inline: [(K, V); N],
    spill: WordMap<K, V>,
}

impl<K: Word + Eq, V: Word, const N: usize> SmallMap<K, V, N> {
    /// An empty map; `fill` only initialises the unused array slots.
    pub fn new(fill: (K, V)) -> Self {
        SmallMap {
            len: 0,
            inline: [fill; N],
            spill: WordMap::new(),
        }
    }

    /// The value for `k`.
    pub fn get(&self, k: K) -> Option<V> {
        if let Some(&(_, v)) = self.inline[..self.len].iter().find(|e| e.0 == k) {
            return Some(v);
        }
        if self.spill.is_empty() {
            None
        } else {
            self.spill.get(k)
        }
    }

    /// Adds an entry whose key is not in the map yet.
    pub fn insert(&mut self, k: K, v: V) {
        if self.len < N {
            self.inline[self.len] = (k, v);
            self.len += 1;
        } else {
            self.spill.insert(k, v);
        }
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.len + self.spill.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every entry, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (K, V)> + '_ {
        self.inline[..self.len]
            .iter()
            .copied()
            .chain(self.spill.iter())
    }
}

/// A last-in first-out stack: an array of `N` first, then a `Vec` for what does not fit.
pub struct SmallStack<T, const N: usize> {
    len: usize,
    inline: [T; N],
    spill: Vec<T>,
}

impl<T: Copy, const N: usize> SmallStack<T, N> {
    /// An empty stack; `fill` only initialises the unused array slots.
    pub fn new(fill: T) -> Self {
        SmallStack {
            len: 0,
            inline: [fill; N],
            spill: Vec::new(),
        }
    }

    /// Pushes `x`.
    pub fn push(&mut self, x: T) {
        // Once the array is full, newer items go to the spill so pops stay last-in first-out.
        if self.len < N && self.spill.is_empty() {
            self.inline[self.len] = x;
            self.len += 1;
        } else {
            self.spill.push(x);
        }
    }

    /// Pushes `x` unless the spill must grow and `charge` (asked for the bytes the growth
    /// takes) or the allocator refuses it; false then, with nothing pushed.
    pub fn try_push(&mut self, x: T, charge: impl FnOnce(usize) -> bool) -> bool {
        if self.len < N && self.spill.is_empty() {
            self.inline[self.len] = x;
            self.len += 1;
            return true;
        }
        if self.spill.len() == self.spill.capacity() {
            // Doubling, as a push would grow it, but asked for first.
            let more = self.spill.capacity().max(N);
            if !charge(more * core::mem::size_of::<T>())
                || self.spill.try_reserve_exact(more).is_err()
            {
                return false;
            }
        }
        self.spill.push(x);
        true
    }

    /// Pops the newest item.
    pub fn pop(&mut self) -> Option<T> {
        if let Some(x) = self.spill.pop() {
            return Some(x);
        }
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        Some(self.inline[self.len])
    }
}

/// A growable list that keeps its first `N` items in an array, in order.
pub struct SmallVec<T, const N: usize> {
    len: usize,
    inline: [T; N],
    spill: Vec<T>,
}

impl<T: Copy, const N: usize> SmallVec<T, N> {
    /// An empty list; `fill` only initialises the unused array slots.
    pub fn new(fill: T) -> Self {
        SmallVec {
            len: 0,
            inline: [fill; N],
            spill: Vec::new(),
        }
    }

    /// Appends `x`.
    pub fn push(&mut self, x: T) {
        if self.spill.is_empty() {
            if self.len < N {
                self.inline[self.len] = x;
                self.len += 1;
                return;
            }
            // Full: everything moves to the heap so the items stay in one slice.
            self.spill.extend_from_slice(&self.inline);
        }
        self.spill.push(x);
    }

    /// The items, in the order they were pushed.
    pub fn as_slice(&self) -> &[T] {
        if self.spill.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_spills_past_inline_entries() {
        let mut m: SmallMap<u32, u32, 4> = SmallMap::new((0, 0));
        for k in 0..20 {
            assert_eq!(m.get(k), None);
            m.insert(k, k * 10);
        }
        for k in 0..20 {
            assert_eq!(m.get(k), Some(k * 10));
        }
        assert_eq!(m.get(20), None);
    }

    #[test]
    fn stack_is_lifo_across_the_spill() {
        let mut s: SmallStack<u32, 4> = SmallStack::new(0);
        for i in 0..6 {
            s.push(i);
        }
        assert_eq!(s.pop(), Some(5));
        assert_eq!(s.pop(), Some(4));
        s.push(9);
        let rest: Vec<u32> = core::iter::from_fn(|| s.pop()).collect();
        assert_eq!(rest, [9, 3, 2, 1, 0]);
    }

    #[test]
    fn vec_keeps_order_across_the_spill() {
        let mut v: SmallVec<u32, 3> = SmallVec::new(0);
        assert!(v.as_slice().is_empty());
        for i in 0..3 {
            v.push(i);
        }
        assert_eq!(v.as_slice(), [0, 1, 2]);
        v.push(3);
        v.push(4);
        assert_eq!(v.as_slice(), [0, 1, 2, 3, 4]);
    }
}
