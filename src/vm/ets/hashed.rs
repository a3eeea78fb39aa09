//! The store of the hashed table types (`set`, `bag`, `duplicate_bag`): erl's linear hash
//! table, bucket for bucket, so that traversals see the objects in erl's order.
//!
//! erl hashes a key with its internal term hash (a top-level atom with its atom-table hash,
//! [`atom_hash`]) and keeps one chain per bucket. The table starts with 256 buckets and grows
//! one bucket at a time: whenever it holds more objects than buckets, the next bucket is split
//! off a lower one (linear hashing), and it shrinks the same way, bucket by bucket, once a big
//! table has emptied. A traversal (`ets:first/next`, `tab2list`, `select`) walks buckets in
//! index order and each chain from its head; a new key goes to its chain's tail. [`Hashed`]
//! keeps the same buckets and chains, with the objects of one key together in one entry.
//!
//! Keys are hashed from their owned form ([`key_hash`]): integers, floats, binaries, strings,
//! tuples and lists of these hash as in erl. Atoms inside a key, pids, references and funs hash
//! consistently but not as in erl (erl mixes in its atom-table index and its own pid and
//! reference words), so keys holding them are ordered differently from erl.

use alloc::vec::Vec;

use super::key::KeyTerm;
use crate::vm::maphash::{
    big_limbs, bitstring_hash, const_hash, hash2_step, immediate, ERL_NIL, ERL_SMALL_MAX,
    ERL_SMALL_MIN, HCONST_12, HCONST_16, HCONST_17, HCONST_18, HCONST_20, HCONST_22, HCONST_4,
    HCONST_9, INTERNAL_HASH_SALT,
};

/// erl's hash of an atom's text (its atom table's `hashpjw`, where the two UTF-8 bytes of a
/// Latin-1 character count as that character).
pub fn atom_hash(name: &str) -> u32 {
    let b = name.as_bytes();
    let mut h: u32 = 0;
    let mut i = 0;
    while i < b.len() {
        let mut v = b[i];
        i += 1;
        if i < b.len() && (v & 0xfe) == 0xc2 && (b[i] & 0xc0) == 0x80 {
            v = (v << 6) | (b[i] & 0x3f);
            i += 1;
        }
        h = (h << 4).wrapping_add(v as u32);
        let g = h & 0xf000_0000;
        if g != 0 {
            h ^= g >> 24;
            h ^= g;
        }
    }
    h
}

/// What is left to hash: a key, a list from some element on, or the mark erl hashes after
/// the head of a list's last cell.
enum Item<'a> {
    Key(&'a KeyTerm),
    List(&'a [KeyTerm], &'a KeyTerm),
    Cdr,
}

/// The hash erl's ETS gives `key` (`MAKE_HASH`): the atom hash of an atom, erl's internal
/// term hash (`make_internal_hash(Key, 0)`) of anything else. Walks the key with a stack of
/// its own, never recursing on its depth.
pub fn key_hash(key: &KeyTerm) -> u32 {
    if let KeyTerm::Atom(name) = key {
        return atom_hash(name);
    }
    let mut h = INTERNAL_HASH_SALT;
    let mut stack = alloc::vec![Item::Key(key)];
    while let Some(item) = stack.pop() {
        let k = match item {
            Item::Cdr => {
                h = const_hash(h, HCONST_18);
                continue;
            }
            Item::List(items, tail) => {
                h = list_hash(h, items, tail, &mut stack);
                continue;
            }
            Item::Key(k) => k,
        };
        match k {
            KeyTerm::Int(n) if (ERL_SMALL_MIN..=ERL_SMALL_MAX).contains(n) => {
                h = immediate(h, ((*n as u64) << 4) | 0xf);
            }
            KeyTerm::Int(n) => h = big_limbs(h, *n < 0, &[n.unsigned_abs()]),
            KeyTerm::Big(b) => {
                let (sign, limbs) = b.to_u64_digits();
                h = big_limbs(h, sign == num_bigint::Sign::Minus, &limbs);
            }
            KeyTerm::Float(f) | KeyTerm::ExactFloat(f) => {
                let bits = if *f == 0.0 { 0 } else { f.to_bits() };
                h = hash2_step(h, bits as u32, (bits >> 32) as u32, HCONST_12);
            }
            // erl mixes in the atom's index in its atom table; the text's hash stands in.
            KeyTerm::Atom(name) => h = immediate(h, ((atom_hash(name) as u64) << 6) | 0xb),
            KeyTerm::Pid(n) => h = immediate(h, ((*n as u64) << 4) | 0x3),
            KeyTerm::Ref(n) => h = hash2_step(h, *n as u32, (*n >> 32) as u32, HCONST_9),
            KeyTerm::Fun(f) => {
                h = hash2_step(h, atom_hash(&f.module), f.number as u32, HCONST_20);
                h = hash2_step(h, atom_hash(&f.function), f.free.len() as u32, HCONST_20);
                stack.extend(f.free.iter().rev().map(Item::Key));
            }
            KeyTerm::Tuple(el) => {
                h = hash2_step(h, el.len() as u32, 0, HCONST_9);
                stack.extend(el.iter().rev().map(Item::Key));
            }
            KeyTerm::Map(pairs) => {
                h = hash2_step(h, pairs.len() as u32, 0, HCONST_16);
                for (k, v) in pairs.iter().rev() {
                    stack.push(Item::Key(v));
                    stack.push(Item::Key(k));
                }
            }
            KeyTerm::Nil => h = immediate(h, ERL_NIL),
            KeyTerm::List(items, tail) => h = list_hash(h, items, tail, &mut stack),
            KeyTerm::Bits(bytes, bits) => h = bitstring_hash(h, bytes, *bits),
        }
    }
    h
}

/// Hashes the list `items ++ tail` (`items` not empty) as erl does: runs of byte elements
/// packed four to a word, any other element on its own (what follows it goes on `stack`).
fn list_hash<'a>(
    mut h: u32,
    items: &'a [KeyTerm],
    tail: &'a KeyTerm,
    stack: &mut Vec<Item<'a>>,
) -> u32 {
    let (mut c, mut sh, mut i) = (0u32, 0u32, 0);
    while let Some(KeyTerm::Int(b @ 0..=255)) = items.get(i) {
        sh = (sh << 8).wrapping_add(*b as u32);
        if c == 3 {
            h = hash2_step(h, sh, 0, HCONST_4);
            (c, sh) = (0, 0);
        } else {
            c += 1;
        }
        i += 1;
    }
    if c > 0 {
        h = hash2_step(h, sh, c, HCONST_22);
    }
    match items.get(i) {
        None => stack.push(Item::Key(tail)),
        Some(head) => {
            h = const_hash(h, HCONST_17);
            if i + 1 < items.len() {
                stack.push(Item::List(&items[i + 1..], tail));
            } else {
                stack.push(Item::Key(tail));
                stack.push(Item::Cdr);
            }
            stack.push(Item::Key(head));
        }
    }
    h
}

/// Buckets in a new table (erl's first segment).
const FIRST_SEGMENT: usize = 256;
/// Buckets each further segment adds.
const NEXT_SEGMENT: usize = 2048;
/// Splits or merges of buckets one insertion or deletion makes at most.
const STEPS_PER_CHANGE: usize = 5;
/// The end of a chain.
const END: u32 = u32::MAX;

/// The capacity a vector of `len` elements in `cap` grows to for `more` more: by half again
/// (not doubled: a big table's vector then needs less memory at once), `None` when it has
/// the room.
fn grown_capacity(len: usize, cap: usize, more: usize) -> Option<usize> {
    let need = len.saturating_add(more);
    (need > cap).then(|| need.max(cap.saturating_add(cap / 2)))
}

/// One key's entry in a chain.
#[derive(Debug)]
struct Entry<V> {
    hash: u32,
    next: u32,
    key: KeyTerm,
    value: V,
}

/// A linear hash table of keys to `V`, with erl's buckets and chain order.
#[derive(Debug)]
pub struct Hashed<V> {
    /// The first entry of each active bucket's chain.
    heads: Vec<u32>,
    entries: Vec<Entry<V>>,
    /// The hash mask: one less than a power of two, at least the highest active bucket.
    szm: usize,
    /// Buckets allocated in segments (erl's `nslots`), which sets when the table shrinks.
    slots: usize,
}

impl<V> Default for Hashed<V> {
    fn default() -> Self {
        Hashed {
            heads: alloc::vec![END; FIRST_SEGMENT],
            entries: Vec::new(),
            szm: FIRST_SEGMENT - 1,
            slots: FIRST_SEGMENT,
        }
    }
}

impl<V> Hashed<V> {
    /// The bucket of a hash.
    fn bucket_of(&self, hash: u32) -> usize {
        let ix = hash as usize & self.szm;
        if ix >= self.heads.len() {
            ix & (self.szm >> 1)
        } else {
            ix
        }
    }

    /// The chain of bucket `b`, entry indices from its head.
    fn chain(&self, b: usize) -> impl Iterator<Item = usize> + '_ {
        let mut at = self.heads.get(b).copied().unwrap_or(END);
        core::iter::from_fn(move || {
            let i = at;
            let e = self.entries.get(i as usize)?;
            at = e.next;
            Some(i as usize)
        })
    }

    fn find(&self, key: &KeyTerm) -> Option<usize> {
        let hash = key_hash(key);
        self.chain(self.bucket_of(hash)).find(|&i| {
            self.entries
                .get(i)
                .is_some_and(|e| e.hash == hash && e.key == *key)
        })
    }

    /// The value of `key`.
    pub fn get(&self, key: &KeyTerm) -> Option<&V> {
        let i = self.find(key)?;
        self.entries.get(i).map(|e| &e.value)
    }

    /// The value of `key`, to change.
    pub fn get_mut(&mut self, key: &KeyTerm) -> Option<&mut V> {
        let i = self.find(key)?;
        self.entries.get_mut(i).map(|e| &mut e.value)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table has no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of active buckets (`ets:slot/2`'s slots).
    pub fn buckets(&self) -> usize {
        self.heads.len()
    }

    /// Bytes growing the table for `keys` new keys and `objects` new objects would allocate
    /// at once (its vectors, by half again): 0 when they have the room.
    pub fn growth_bytes(&self, keys: usize, objects: usize) -> usize {
        let entries = grown_capacity(self.entries.len(), self.entries.capacity(), keys)
            .map_or(0, |c| c.saturating_mul(core::mem::size_of::<Entry<V>>()));
        let heads = grown_capacity(self.heads.len(), self.heads.capacity(), objects)
            .map_or(0, |c| c.saturating_mul(4));
        entries.saturating_add(heads)
    }

    /// Allocates, fallibly, the room `keys` new keys and `objects` new objects take
    /// (inserting them then allocates nothing in the table's own vectors).
    pub fn reserve(
        &mut self,
        keys: usize,
        objects: usize,
    ) -> Result<(), alloc::collections::TryReserveError> {
        if let Some(c) = grown_capacity(self.entries.len(), self.entries.capacity(), keys) {
            self.entries.try_reserve_exact(c - self.entries.len())?;
        }
        if let Some(c) = grown_capacity(self.heads.len(), self.heads.capacity(), objects) {
            self.heads.try_reserve_exact(c - self.heads.len())?;
        }
        Ok(())
    }

    /// Bytes the table's own vectors hold.
    pub fn capacity_bytes(&self) -> usize {
        self.entries.capacity() * core::mem::size_of::<Entry<V>>() + self.heads.capacity() * 4
    }

    /// Adds `key` (not in the table) at the tail of its chain.
    pub fn insert_new(&mut self, key: KeyTerm, value: V) {
        let hash = key_hash(&key);
        let b = self.bucket_of(hash);
        let i = self.entries.len() as u32;
        self.entries.push(Entry {
            hash,
            next: END,
            key,
            value,
        });
        match self.chain(b).last() {
            Some(last) => self.entries[last].next = i,
            None => self.heads[b] = i,
        }
    }

    /// Grows the table as erl's does once it holds `objects` objects after an insertion.
    pub fn grow(&mut self, objects: usize) {
        for _ in 0..STEPS_PER_CHANGE {
            if objects <= self.heads.len() {
                break;
            }
            self.split();
        }
    }

    /// Shrinks the table as erl's does once it holds `objects` objects after a deletion.
    pub fn shrink(&mut self, objects: usize) {
        for _ in 0..STEPS_PER_CHANGE {
            if objects >= self.shrink_limit() {
                break;
            }
            self.merge();
        }
    }

    /// Below how many objects the table shrinks: none until it has two further segments.
    fn shrink_limit(&self) -> usize {
        if self.slots >= FIRST_SEGMENT + 2 * NEXT_SEGMENT {
            (self.slots - NEXT_SEGMENT) / 2
        } else {
            0
        }
    }

    /// Opens the next bucket, moving to it the entries of the bucket it splits off that now
    /// hash to it, in their order.
    fn split(&mut self) {
        let active = self.heads.len();
        // Without the memory for another bucket the table stays as it is, only fuller.
        if self.heads.try_reserve(1).is_err() {
            return;
        }
        if active == self.slots {
            self.slots += NEXT_SEGMENT;
        }
        let from = if active <= self.szm {
            active & (self.szm >> 1)
        } else {
            self.szm = 2 * self.szm + 1;
            0
        };
        let chain: Vec<usize> = self.chain(from).collect();
        self.heads.push(END);
        let (mut stay, mut go) = (Vec::new(), Vec::new());
        for i in chain {
            if self.entries[i].hash as usize & self.szm == from {
                stay.push(i);
            } else {
                go.push(i);
            }
        }
        self.link(from, &stay);
        self.link(active, &go);
    }

    /// Closes the highest bucket: its chain goes in front of the chain of the bucket it
    /// merges into.
    fn merge(&mut self) {
        let src = self.heads.len() - 1;
        let low = self.szm >> 1;
        let dst = src & low;
        let mut chain: Vec<usize> = self.chain(src).collect();
        chain.extend(self.chain(dst));
        self.heads.pop();
        if dst == 0 {
            self.szm = low;
        }
        if self.slots - src >= NEXT_SEGMENT {
            self.slots -= NEXT_SEGMENT;
        }
        self.link(dst, &chain);
    }

    /// Makes bucket `b`'s chain the entries `chain`, in order.
    fn link(&mut self, b: usize, chain: &[usize]) {
        let mut next = END;
        for &i in chain.iter().rev() {
            self.entries[i].next = next;
            next = i as u32;
        }
        self.heads[b] = next;
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &KeyTerm) -> Option<V> {
        let i = self.find(key)?;
        Some(self.remove_at(i))
    }

    /// Removes entry `i`; the last entry moves into its place.
    fn remove_at(&mut self, i: usize) -> V {
        self.relink(i, self.entries[i].next);
        let last = self.entries.len() - 1;
        if i != last {
            self.relink(last, i as u32);
        }
        self.entries.swap_remove(i).value
    }

    /// Points the link to entry `i` (its bucket's head or the entry before it) at `to`.
    fn relink(&mut self, i: usize, to: u32) {
        let b = self.bucket_of(self.entries[i].hash);
        if self.heads[b] == i as u32 {
            self.heads[b] = to;
        } else {
            let before = self.chain(b).find(|&p| self.entries[p].next == i as u32);
            if let Some(p) = before {
                self.entries[p].next = to;
            }
        }
    }

    /// Keeps the keys whose values `keep` accepts (it may change them), in their places.
    pub fn retain(&mut self, keep: &mut dyn FnMut(&KeyTerm, &mut V) -> bool) {
        let mut i = 0;
        while i < self.entries.len() {
            let e = &mut self.entries[i];
            if keep(&e.key, &mut e.value) {
                i += 1;
            } else {
                // The entry moved into place `i` is yet to be seen.
                self.remove_at(i);
            }
        }
    }

    /// Every key with its value, in erl's traversal order: buckets in order, chains from
    /// their heads.
    pub fn iter(&self) -> Vec<(&KeyTerm, &V)> {
        let mut out = Vec::with_capacity(self.entries.len());
        for &head in &self.heads {
            let mut at = head;
            while let Some(e) = self.entries.get(at as usize) {
                out.push((&e.key, &e.value));
                at = e.next;
            }
        }
        out
    }

    /// The keys of bucket `b`, from its chain's head.
    pub fn bucket(&self, b: usize) -> impl Iterator<Item = (&KeyTerm, &V)> {
        self.chain(b)
            .filter_map(|i| self.entries.get(i))
            .map(|e| (&e.key, &e.value))
    }

    /// The first key in traversal order from bucket `b` on.
    fn first_from(&self, b: usize) -> Option<(&KeyTerm, &V)> {
        let head = *self.heads.get(b..)?.iter().find(|&&h| h != END)?;
        let e = self.entries.get(head as usize)?;
        Some((&e.key, &e.value))
    }

    /// The first key in traversal order.
    pub fn first(&self) -> Option<(&KeyTerm, &V)> {
        self.first_from(0)
    }

    /// The key after `key` (which must be in the table) in traversal order.
    pub fn next(&self, key: &KeyTerm) -> Option<(&KeyTerm, &V)> {
        let e = self.entries.get(self.find(key)?)?;
        match self.entries.get(e.next as usize) {
            Some(n) => Some((&n.key, &n.value)),
            None => self.first_from(self.bucket_of(e.hash) + 1),
        }
    }
}
