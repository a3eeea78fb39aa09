//! The node's persistent terms (`persistent_term`): a hash table of stored pairs.
//!
//! The pairs live in one vector (in no particular order; `get/0` lists them all), and an
//! index of open-addressing slots (linear probing, at most half full) maps a key's hash to
//! its pair, so `get`, `put` and `erase` take expected constant time however many terms the
//! node holds. The hash is the caller's (erl's `phash2` of the key term), stored with the
//! pair; two keys are the same key when their external forms are exactly equal (`=:=`: `1`
//! and `1.0` are different keys, as in erl).
//!
//! Invariants: every pair has exactly one slot, found by probing from its hash's home slot
//! without passing an empty slot (erasing shifts later slots back to keep this).

use alloc::vec::Vec;

use crate::etf::{compare_keys, ExtTerm};

use super::ext::Stored;

/// A slot with no pair.
const EMPTY: u32 = u32::MAX;

/// The persistent terms of a node.
#[derive(Debug, Default)]
pub struct PersistentTerms {
    pairs: Vec<Stored>,
    /// Indices into `pairs` ([`EMPTY`]: none), a power of two of them (or none at all).
    slots: Vec<u32>,
}

impl PersistentTerms {
    /// Number of stored pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether no pair is stored.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The pair at `i` (`i < len()`), in no particular order.
    pub fn pair(&self, i: usize) -> &Stored {
        &self.pairs[i]
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The slot holding the pair whose key is `key` (hashing to `hash`).
    fn slot_of(&self, hash: u32, key: &ExtTerm) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mut s = hash as usize & self.mask();
        loop {
            let i = self.slots[s];
            if i == EMPTY {
                return None;
            }
            let p = &self.pairs[i as usize];
            if p.hash == hash && compare_keys(&p.key, key).is_eq() {
                return Some(s);
            }
            s = (s + 1) & self.mask();
        }
    }

    /// The pair whose key is `key`, which hashes to `hash`.
    pub fn get(&self, hash: u32, key: &ExtTerm) -> Option<&Stored> {
        let s = self.slot_of(hash, key)?;
        Some(&self.pairs[self.slots[s] as usize])
    }

    /// Stores `new`, replacing the pair with the same key: the replaced pair, if any.
    pub fn put(&mut self, new: Stored) -> Option<Stored> {
        if let Some(s) = self.slot_of(new.hash, &new.key) {
            return Some(core::mem::replace(
                &mut self.pairs[self.slots[s] as usize],
                new,
            ));
        }
        if (self.pairs.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let i = self.pairs.len() as u32;
        self.place(new.hash, i);
        self.pairs.push(new);
        None
    }

    /// Removes the pair whose key is `key` (hashing to `hash`): the removed pair, if any.
    pub fn erase(&mut self, hash: u32, key: &ExtTerm) -> Option<Stored> {
        let mut hole = self.slot_of(hash, key)?;
        let i = self.slots[hole] as usize;
        // Shift back the slots after the hole that probing would no longer reach.
        let mask = self.mask();
        let mut s = hole;
        loop {
            s = (s + 1) & mask;
            let j = self.slots[s];
            if j == EMPTY {
                break;
            }
            let home = self.pairs[j as usize].hash as usize & mask;
            if (s.wrapping_sub(home) & mask) >= (s.wrapping_sub(hole) & mask) {
                self.slots[hole] = j;
                hole = s;
            }
        }
        self.slots[hole] = EMPTY;
        // The last pair moves into the removed one's place: point its slot there.
        let last = self.pairs.len() - 1;
        if i != last {
            let mut s = self.pairs[last].hash as usize & mask;
            while self.slots[s] as usize != last {
                s = (s + 1) & mask;
            }
            self.slots[s] = i as u32;
        }
        Some(self.pairs.swap_remove(i))
    }

    /// Puts pair index `i`, whose key hashes to `hash`, in the first empty slot from its home.
    fn place(&mut self, hash: u32, i: u32) {
        let mask = self.mask();
        let mut s = hash as usize & mask;
        while self.slots[s] != EMPTY {
            s = (s + 1) & mask;
        }
        self.slots[s] = i;
    }

    /// Doubles the slots (at least 16) and places every pair again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        self.slots = alloc::vec![EMPTY; size];
        for i in 0..self.pairs.len() {
            self.place(self.pairs[i].hash, i as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(hash: u32, key: i64, value: i64) -> Stored {
        Stored {
            key: ExtTerm::Integer(key),
            value: ExtTerm::Integer(value),
            bytes: 0,
            hash,
        }
    }

    fn value(t: &PersistentTerms, hash: u32, key: i64) -> Option<i64> {
        match t.get(hash, &ExtTerm::Integer(key))?.value {
            ExtTerm::Integer(v) => Some(v),
            _ => None,
        }
    }

    #[test]
    fn colliding_hashes_put_replace_and_erase_in_any_order() {
        // Hashes chosen to share home slots and wrap round the table's end.
        let hash = |k: i64| if k % 3 == 0 { 15 } else { (k % 5) as u32 + 13 };
        let mut t = PersistentTerms::default();
        let mut model = alloc::collections::BTreeMap::new();
        let mut x = 7u64;
        for round in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = (x % 40) as i64;
            match x >> 60 {
                0..=9 => {
                    let old = t.put(pair(hash(k), k, round)).map(|p| match p.value {
                        ExtTerm::Integer(v) => v,
                        _ => -1,
                    });
                    let was = model.insert(k, round);
                    assert_eq!(old, was, "key {k}");
                }
                _ => {
                    let gone = t.erase(hash(k), &ExtTerm::Integer(k));
                    assert_eq!(gone.is_some(), model.remove(&k).is_some(), "key {k}");
                }
            }
            assert_eq!(t.len(), model.len());
            for k in 0..40 {
                assert_eq!(value(&t, hash(k), k), model.get(&k).copied(), "key {k}");
            }
        }
    }

    #[test]
    fn keys_are_the_same_only_when_exactly_equal() {
        let mut t = PersistentTerms::default();
        let int = |h, v| Stored {
            key: ExtTerm::Integer(1),
            value: ExtTerm::Integer(v),
            bytes: 0,
            hash: h,
        };
        assert!(t.put(int(1, 10)).is_none());
        let float = Stored {
            key: ExtTerm::Float(1.0),
            value: ExtTerm::Integer(20),
            bytes: 0,
            hash: 1,
        };
        assert!(t.put(float).is_none(), "1.0 is not the key 1");
        assert_eq!(t.len(), 2);
        assert!(t.put(int(1, 30)).is_some());
        assert_eq!(value(&t, 1, 1), Some(30));
        assert!(t.erase(1, &ExtTerm::Float(1.0)).is_some());
        assert_eq!(value(&t, 1, 1), Some(30));
        assert!(t.get(1, &ExtTerm::Float(1.0)).is_none());
    }
}
