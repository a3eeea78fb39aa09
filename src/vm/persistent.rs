//! The node's persistent terms (`persistent_term`): a hash table of stored pairs.
//!
//! The pairs live in buckets chosen by the key's hash (the caller's: erl's `phash2` of the
//! key term, stored with the pair), with at most two pairs a bucket on average (the buckets
//! double past that), so `get`, `put` and `erase` take expected constant time however many
//! terms the node holds. Two keys are the same key when their external forms are exactly
//! equal (`=:=`: `1` and `1.0` are different keys, as in erl).
//!
//! Invariant: every pair is in the bucket its hash selects among the current buckets.

use alloc::vec::Vec;

use crate::etf::{compare_keys, ExtTerm};

use super::ext::Stored;

/// The persistent terms of a node.
#[derive(Debug, Default)]
pub struct PersistentTerms {
    /// A power of two of buckets (or none before the first put).
    buckets: Vec<Vec<Stored>>,
    len: usize,
}

impl PersistentTerms {
    /// Number of stored pairs.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no pair is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every stored pair, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Stored> {
        self.buckets.iter().flatten()
    }

    /// The bucket for `hash` and the position in it of the pair whose key is `key`.
    fn find(&self, hash: u32, key: &ExtTerm) -> Option<(usize, usize)> {
        let b = hash as usize & self.buckets.len().checked_sub(1)?;
        let i = self.buckets[b]
            .iter()
            .position(|p| p.hash == hash && compare_keys(&p.key, key).is_eq())?;
        Some((b, i))
    }

    /// The pair whose key is `key`, which hashes to `hash`.
    pub fn get(&self, hash: u32, key: &ExtTerm) -> Option<&Stored> {
        let (b, i) = self.find(hash, key)?;
        Some(&self.buckets[b][i])
    }

    /// Stores `new`, replacing the pair with the same key: the replaced pair, if any.
    pub fn put(&mut self, new: Stored) -> Option<Stored> {
        if let Some((b, i)) = self.find(new.hash, &new.key) {
            return Some(core::mem::replace(&mut self.buckets[b][i], new));
        }
        if self.len >= 2 * self.buckets.len() {
            self.grow();
        }
        self.len += 1;
        self.place(new);
        None
    }

    /// Puts `p` in the bucket its hash selects.
    fn place(&mut self, p: Stored) {
        let b = p.hash as usize & (self.buckets.len() - 1);
        self.buckets[b].push(p);
    }

    /// Doubles the buckets (at least 8) and moves every pair to its new one.
    fn grow(&mut self) {
        let size = (self.buckets.len() * 2).max(8);
        let mut old = core::mem::take(&mut self.buckets);
        self.buckets.resize_with(size, Vec::new);
        for bucket in &mut old {
            while let Some(p) = bucket.pop() {
                self.place(p);
            }
        }
    }

    /// Removes the pair whose key is `key` (hashing to `hash`): the removed pair, if any.
    pub fn erase(&mut self, hash: u32, key: &ExtTerm) -> Option<Stored> {
        let (b, i) = self.find(hash, key)?;
        self.len -= 1;
        Some(self.buckets[b].swap_remove(i))
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
