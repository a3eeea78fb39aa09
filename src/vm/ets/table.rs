//! One ETS table: its options and its objects.
//!
//! An `ordered_set` keeps its keys in a `BTreeMap` of [`KeyTerm`]s, in erl's term order (keys
//! equal under `==` are one key); the other types keep them in erl's hash table
//! ([`Hashed`]), where only `=:=` keys are equal, so that traversals go in erl's order. `set`
//! and `ordered_set` hold one object per key; `bag` and `duplicate_bag` hold a list per key,
//! in insertion order (a `bag` never holds two `=:=` objects).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::hashed::Hashed;
use super::key::KeyTerm;
use super::object::{same, Object};
use crate::vm::heap::View;
use crate::vm::literals::Literals;
use crate::vm::memory::NodeMemory;
use crate::vm::term::Term;

/// The bytes `objects` objects of `words` words in all hold in a table (see
/// [`Table::settle`]): what the node's memory is charged for them.
pub fn held_bytes(words: usize, objects: usize) -> usize {
    word_bytes(words).saturating_add(objects.saturating_mul(ENTRY_BYTES))
}

/// The bytes objects of `words` words in all hold, without their entries in the table.
fn word_bytes(words: usize) -> usize {
    (words.saturating_mul(core::mem::size_of::<Term>()) / 2).saturating_mul(3)
}

/// What an object's entry in a table's tree takes besides the object's words: its key, its
/// slot and a share of the tree's node.
const ENTRY_BYTES: usize = core::mem::size_of::<KeyTerm>()
    + core::mem::size_of::<Slot>()
    + 2 * core::mem::size_of::<usize>();

/// A table's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// One object per key, keys compared with `=:=`.
    Set,
    /// One object per key, keys in term order and compared with `==`.
    OrderedSet,
    /// Many objects per key, no two of them `=:=`.
    Bag,
    /// Many objects per key.
    DuplicateBag,
}

impl TableKind {
    /// Whether keys are compared with `=:=` (every type but `ordered_set`).
    pub fn exact_keys(self) -> bool {
        self != TableKind::OrderedSet
    }

    /// Whether a key holds at most one object.
    pub fn unique(self) -> bool {
        matches!(self, TableKind::Set | TableKind::OrderedSet)
    }
}

/// Who may use a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Every process reads and writes.
    Public,
    /// Every process reads; the owner writes.
    Protected,
    /// Only the owner.
    Private,
}

/// Options that only `ets:info/1,2` reports.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tuning {
    /// `{read_concurrency, Bool}`.
    pub read_concurrency: bool,
    /// `{write_concurrency, Value}`: `true`, `false` or `auto`.
    pub write_concurrency: Option<Term>,
    /// `compressed`.
    pub compressed: bool,
    /// `{decentralized_counters, Bool}`.
    pub decentralized_counters: bool,
}

/// An ETS table.
#[derive(Debug)]
pub struct Table {
    /// The table's reference number (its id).
    pub id: u64,
    /// Its name (an atom).
    pub name: Term,
    /// Whether the name identifies it.
    pub named: bool,
    /// Its type.
    pub kind: TableKind,
    /// The key's position in every object (1-based).
    pub keypos: usize,
    /// Who may use it.
    pub access: Access,
    /// The owning process.
    pub owner: u32,
    /// Who inherits it when the owner dies, with what data.
    pub heir: Option<(u32, Object)>,
    /// Options kept only to report them.
    pub tuning: Tuning,
    objects: Store,
    size: usize,
    words: usize,
    /// The node's memory account the objects are charged to (none: not charged).
    memory: NodeMemory,
    /// Bytes charged to it for the objects (see [`Table::settle`]), brought up to date after
    /// every change.
    charged: usize,
    /// The processes that fixed the table (`ets:safe_fixtable/2`, or a traversal in steps),
    /// latest first, with how many times each.
    fixes: Vec<(u32, usize)>,
    /// When it was fixed, if it is: system and monotonic time, in nanoseconds.
    fixed_at: (u64, u64),
}

impl Drop for Table {
    fn drop(&mut self) {
        self.memory.release(self.charged);
    }
}

/// The objects of one key: one kept inline (every `set` key, most `bag` keys) or several.
#[derive(Debug)]
enum Slot {
    One(Object),
    Many(Vec<Object>),
}

/// Where a table keeps its objects: an `ordered_set` in a tree by key, the other types in
/// erl's hash table.
#[derive(Debug)]
enum Store {
    Tree(BTreeMap<KeyTerm, Slot>),
    Hash(Hashed<Slot>),
}

impl Store {
    fn get(&self, key: &KeyTerm) -> Option<&Slot> {
        match self {
            Store::Tree(m) => m.get(key),
            Store::Hash(h) => h.get(key),
        }
    }

    fn get_mut(&mut self, key: &KeyTerm) -> Option<&mut Slot> {
        match self {
            Store::Tree(m) => m.get_mut(key),
            Store::Hash(h) => h.get_mut(key),
        }
    }

    fn insert_new(&mut self, key: KeyTerm, slot: Slot) {
        match self {
            Store::Tree(m) => {
                m.insert(key, slot);
            }
            Store::Hash(h) => h.insert_new(key, slot),
        }
    }

    fn remove(&mut self, key: &KeyTerm) -> Option<Slot> {
        match self {
            Store::Tree(m) => m.remove(key),
            Store::Hash(h) => h.remove(key),
        }
    }

    /// Keeps the keys `keep` accepts (one copy of the code for every caller).
    #[inline(never)]
    fn retain(&mut self, keep: &mut dyn FnMut(&KeyTerm, &mut Slot) -> bool) {
        match self {
            Store::Tree(m) => m.retain(|k, s| keep(k, s)),
            Store::Hash(h) => h.retain(keep),
        }
    }

    /// Every key in traversal order (`ets:first/next`): an `ordered_set`'s in term order, a
    /// hashed table's in erl's bucket order.
    fn in_order(&self) -> Vec<(&KeyTerm, &Slot)> {
        match self {
            Store::Tree(m) => m.iter().collect(),
            Store::Hash(h) => h.iter(),
        }
    }

    /// Grows or shrinks a hashed table after a change left `objects` objects in it.
    fn resize(&mut self, objects: usize, grew: bool) {
        if let Store::Hash(h) = self {
            if grew {
                h.grow(objects);
            } else {
                h.shrink(objects);
            }
        }
    }
}

/// Where a traversal in steps goes on.
#[derive(Clone, Debug)]
pub enum Resume {
    /// At the start.
    Start,
    /// After this key (an `ordered_set`).
    After(KeyTerm),
    /// At this bucket (a hashed table).
    Bucket(usize),
}

impl Slot {
    fn as_slice(&self) -> &[Object] {
        match self {
            Slot::One(o) => core::slice::from_ref(o),
            Slot::Many(v) => v,
        }
    }

    fn push(&mut self, obj: Object) {
        match core::mem::replace(self, Slot::Many(Vec::new())) {
            Slot::One(first) => *self = Slot::Many(alloc::vec![first, obj]),
            Slot::Many(mut v) => {
                v.push(obj);
                *self = Slot::Many(v);
            }
        }
    }

    /// Keeps the objects `keep` accepts; returns how many went and their words.
    fn retain(&mut self, mut keep: impl FnMut(&Object) -> bool) -> (usize, usize) {
        match self {
            Slot::One(o) => {
                if keep(o) {
                    (0, 0)
                } else {
                    let words = o.memory_words();
                    *self = Slot::Many(Vec::new());
                    (1, words)
                }
            }
            Slot::Many(v) => {
                let (mut n, mut words) = (0, 0);
                v.retain(|o| {
                    let k = keep(o);
                    if !k {
                        n += 1;
                        words += o.memory_words();
                    }
                    k
                });
                (n, words)
            }
        }
    }

    fn into_vec(self) -> Vec<Object> {
        match self {
            Slot::One(o) => alloc::vec![o],
            Slot::Many(v) => v,
        }
    }
}

/// Words an empty table takes in `ets:info(T, memory)` (erl's figure for an empty set).
const TABLE_WORDS: usize = 305;

impl Table {
    /// An empty table.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: u64,
        name: Term,
        named: bool,
        kind: TableKind,
        keypos: usize,
        access: Access,
        owner: u32,
        heir: Option<(u32, Object)>,
        tuning: Tuning,
    ) -> Table {
        Table {
            id,
            name,
            named,
            kind,
            keypos,
            access,
            owner,
            heir,
            tuning,
            objects: Table::empty_store(kind),
            size: 0,
            words: 0,
            memory: NodeMemory::default(),
            charged: 0,
            fixes: Vec::new(),
            fixed_at: (0, 0),
        }
    }

    /// Grows or shrinks a hashed table after a change, unless it is fixed (as erl's, it
    /// catches up with the changes after).
    fn resize(&mut self, grew: bool) {
        if self.fixes.is_empty() {
            self.objects.resize(self.size, grew);
        }
    }

    /// Whether deleted keys stay in their places as empty entries, so that a traversal can
    /// go on from them: in a fixed hashed table, as erl's pseudo-deleted objects.
    fn keeps_places(&self) -> bool {
        !self.fixes.is_empty() && matches!(self.objects, Store::Hash(_))
    }

    /// Process `pid` fixes the table (once more) at system and monotonic time `now`.
    pub fn fix(&mut self, pid: u32, now: (u64, u64)) {
        if self.fixes.is_empty() {
            self.fixed_at = now;
        }
        match self.fixes.iter_mut().find(|f| f.0 == pid) {
            Some(f) => f.1 += 1,
            None => self.fixes.insert(0, (pid, 1)),
        }
    }

    /// Process `pid` releases one fixation (`all`: every one); the last release drops the
    /// places of the keys deleted meanwhile.
    pub fn unfix(&mut self, pid: u32, all: bool) {
        if let Some(i) = self.fixes.iter().position(|f| f.0 == pid) {
            self.fixes[i].1 -= 1;
            if all || self.fixes[i].1 == 0 {
                self.fixes.remove(i);
            }
        }
        if self.fixes.is_empty() {
            self.objects
                .retain(&mut |_, slot: &mut Slot| !slot.as_slice().is_empty());
        }
    }

    /// The processes that fixed the table, latest first, with their counts, and when it was
    /// fixed (system and monotonic nanoseconds).
    pub fn fixes(&self) -> (&[(u32, usize)], (u64, u64)) {
        (&self.fixes, self.fixed_at)
    }

    fn empty_store(kind: TableKind) -> Store {
        match kind {
            TableKind::OrderedSet => Store::Tree(BTreeMap::new()),
            _ => Store::Hash(Hashed::default()),
        }
    }

    /// Charges the objects to the node's memory account `memory` from now on (a table made
    /// by a process the scheduler runs). Their growth is charged as it happens, whatever the
    /// budget: callers that add much check the room first (see the `ets` BIFs).
    pub fn charge_to(&mut self, memory: NodeMemory) {
        self.memory.release(self.charged);
        self.charged = 0;
        self.memory = memory;
        self.settle();
    }

    /// Brings the charge up to date with the objects: an estimate of what they hold, since
    /// an object's words are one allocation that allocators round up (the image's kernel
    /// heap to a power of two up to 2 KiB: half as much again on average) and each object
    /// has its entry in the table's tree besides.
    fn settle(&mut self) {
        // A hashed table's entries are its vectors, counted as allocated.
        let bytes = match &self.objects {
            Store::Hash(h) => word_bytes(self.words).saturating_add(h.capacity_bytes()),
            Store::Tree(_) => held_bytes(self.words, self.size),
        };
        if bytes > self.charged {
            self.memory.charge(bytes - self.charged);
        } else {
            self.memory.release(self.charged - bytes);
        }
        self.charged = bytes;
    }

    /// Bytes the table's store would allocate at once to take `objects` more objects, of
    /// which `keys` have keys it does not hold (see [`Table::reserve`]).
    /// In a bag, objects under one key go into one vector, which holds its old and its
    /// doubled buffer at once as it grows: three objects' worth for each at most.
    pub fn growth_bytes(&self, keys: usize, objects: usize) -> usize {
        let store = match &self.objects {
            Store::Hash(h) => h.growth_bytes(keys, objects),
            Store::Tree(_) => 0,
        };
        let slots = match self.kind {
            TableKind::Bag | TableKind::DuplicateBag => {
                objects.saturating_mul(3 * core::mem::size_of::<Object>())
            }
            _ => 0,
        };
        store.saturating_add(slots)
    }

    /// Allocates, fallibly, what the store takes for `objects` more objects with `keys` new
    /// keys, so that inserting them cannot fail for memory.
    pub fn reserve(
        &mut self,
        keys: usize,
        objects: usize,
    ) -> Result<(), alloc::collections::TryReserveError> {
        let r = match &mut self.objects {
            Store::Hash(h) => h.reserve(keys, objects),
            Store::Tree(_) => Ok(()),
        };
        self.settle();
        r
    }

    /// Number of objects.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Memory in words.
    pub fn memory_words(&self) -> usize {
        TABLE_WORDS + self.words
    }

    /// Whether `pid` may read the table.
    pub fn can_read(&self, pid: u32) -> bool {
        self.access != Access::Private || pid == self.owner
    }

    /// Whether `pid` may write the table.
    pub fn can_write(&self, pid: u32) -> bool {
        self.access == Access::Public || pid == self.owner
    }

    /// Stores `obj` under `key` (a `set` replaces, a `bag` skips an identical object).
    pub fn insert(&mut self, lits: &Literals, key: KeyTerm, obj: Object) {
        self.insert_unsettled(lits, key, obj);
        self.settle();
    }

    fn insert_unsettled(&mut self, lits: &Literals, key: KeyTerm, obj: Object) {
        let words = obj.memory_words();
        let Some(slot) = self.objects.get_mut(&key) else {
            self.objects.insert_new(key, Slot::One(obj));
            self.size += 1;
            self.words += words;
            self.resize(true);
            return;
        };
        match self.kind {
            TableKind::Set | TableKind::OrderedSet => {
                let old: usize = slot.as_slice().iter().map(Object::memory_words).sum();
                let was_empty = slot.as_slice().is_empty();
                self.words = self.words + words - old;
                *slot = Slot::One(obj);
                // A key deleted from a fixed table comes back in its old place.
                if was_empty {
                    self.size += 1;
                }
                return;
            }
            TableKind::Bag => {
                let v = obj.view(lits);
                if slot
                    .as_slice()
                    .iter()
                    .any(|o| same(&o.view(lits), o.root(), &v, obj.root()))
                {
                    return;
                }
            }
            TableKind::DuplicateBag => {}
        }
        slot.push(obj);
        self.size += 1;
        self.words += words;
        self.resize(true);
    }

    /// The objects under `key`, oldest first.
    pub fn get(&self, key: &KeyTerm) -> &[Object] {
        self.objects.get(key).map(Slot::as_slice).unwrap_or(&[])
    }

    /// Replaces object `i` under `key`.
    pub fn replace(&mut self, key: &KeyTerm, i: usize, obj: Object) {
        let old = match self.objects.get_mut(key) {
            Some(Slot::One(o)) if i == 0 => o,
            Some(Slot::Many(v)) => match v.get_mut(i) {
                Some(o) => o,
                None => return,
            },
            _ => return,
        };
        self.words = self.words + obj.memory_words() - old.memory_words();
        *old = obj;
        self.settle();
    }

    /// Whether `key` has objects.
    pub fn contains(&self, key: &KeyTerm) -> bool {
        self.objects
            .get(key)
            .is_some_and(|s| !s.as_slice().is_empty())
    }

    /// Whether `key` has objects or, in a fixed table, had them: a traversal may go on
    /// from it.
    pub fn has_place(&self, key: &KeyTerm) -> bool {
        self.objects.get(key).is_some()
    }

    /// Removes and returns the objects under `key`.
    pub fn remove(&mut self, key: &KeyTerm) -> Vec<Object> {
        let v = if self.keeps_places() {
            self.objects
                .get_mut(key)
                .map(|s| core::mem::replace(s, Slot::Many(Vec::new())).into_vec())
        } else {
            self.objects.remove(key).map(Slot::into_vec)
        };
        let v = v.unwrap_or_default();
        self.size -= v.len();
        self.words -= v.iter().map(Object::memory_words).sum::<usize>();
        self.resize(false);
        self.settle();
        v
    }

    /// Removes the objects under `key` that are `=:=` to `t` (read through `tv`).
    pub fn remove_object(&mut self, lits: &Literals, key: &KeyTerm, tv: &View, t: Term) {
        let Some(slot) = self.objects.get_mut(key) else {
            return;
        };
        let (removed, freed) = slot.retain(|o| !same(&o.view(lits), o.root(), tv, t));
        let empty = slot.as_slice().is_empty();
        self.size -= removed;
        self.words -= freed;
        if empty && !self.keeps_places() {
            self.objects.remove(key);
        }
        self.resize(false);
        self.settle();
    }

    /// Removes every object (a hashed table goes back to its first size, as erl's).
    pub fn clear(&mut self) {
        if self.keeps_places() {
            self.objects.retain(&mut |_, slot: &mut Slot| {
                *slot = Slot::Many(Vec::new());
                true
            });
        } else {
            self.objects = Table::empty_store(self.kind);
        }
        self.size = 0;
        self.words = 0;
        self.settle();
    }

    /// Keeps only the objects `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&Object) -> bool) {
        let mut removed = 0;
        let mut freed = 0;
        let places = self.keeps_places();
        self.objects.retain(&mut |_, slot: &mut Slot| {
            let (n, words) = slot.retain(&mut keep);
            removed += n;
            freed += words;
            places || !slot.as_slice().is_empty()
        });
        self.size -= removed;
        self.words -= freed;
        self.resize(false);
        self.settle();
    }

    /// Every object with its key and its place among the key's objects.
    pub fn entries(&self) -> Vec<(&KeyTerm, usize, &Object)> {
        let mut out = Vec::with_capacity(self.size);
        for (k, slot) in self.objects.in_order() {
            out.extend(slot.as_slice().iter().enumerate().map(|(i, o)| (k, i, o)));
        }
        out
    }

    /// How many slots `ets:slot/2` numbers: the keys of an `ordered_set`, the buckets of a
    /// hashed table.
    pub fn slots(&self) -> usize {
        match &self.objects {
            Store::Tree(m) => m.len(),
            Store::Hash(h) => h.buckets(),
        }
    }

    /// The objects of slot `i` (see [`Table::slots`]) as `ets:slot/2` lists them: a bucket's
    /// from its chain's tail, each key's oldest first.
    pub fn slot(&self, i: usize) -> Vec<&Object> {
        match &self.objects {
            Store::Tree(m) => m
                .values()
                .nth(i)
                .map(|s| s.as_slice().iter().collect())
                .unwrap_or_default(),
            Store::Hash(_) => {
                let mut objs = self.bucket(i);
                objs.reverse();
                objs
            }
        }
    }

    /// Every object in the order erl's `tab2list`, `match` and `select` give them: an
    /// `ordered_set`'s in key order, a hashed table's in reverse traversal order (erl
    /// gathers them last first), each key's oldest first.
    pub fn objects(&self) -> Vec<&Object> {
        let mut keys = self.objects.in_order();
        if self.gathers_reversed() {
            keys.reverse();
        }
        let mut out = Vec::with_capacity(self.size);
        for (_, slot) in keys {
            out.extend(slot.as_slice());
        }
        out
    }

    /// One step of a traversal: visits the objects from `from` on, in traversal order (a
    /// hashed table's keys newest object first, so that results gathered last first come
    /// out in [`Table::objects`]' order), until at least `budget` are seen; returns where to
    /// go on, `None` at the end. A hashed table's step ends at a bucket's end, and a table
    /// that grows or shrinks between steps may show an object twice or not at all (erl
    /// fixes the table meanwhile).
    pub fn visit(
        &self,
        from: &Resume,
        budget: usize,
        mut each: impl FnMut(&Object),
    ) -> Option<Resume> {
        use core::ops::Bound;
        let mut seen = 0;
        match &self.objects {
            Store::Tree(m) => {
                let lower = match from {
                    Resume::After(k) => Bound::Excluded(k),
                    _ => Bound::Unbounded,
                };
                for (k, slot) in m.range::<KeyTerm, _>((lower, Bound::Unbounded)) {
                    slot.as_slice().iter().for_each(&mut each);
                    seen += slot.as_slice().len();
                    if seen >= budget {
                        return Some(Resume::After(k.clone()));
                    }
                }
            }
            Store::Hash(h) => {
                let start = match from {
                    Resume::Bucket(b) => *b,
                    _ => 0,
                };
                for b in start..h.buckets() {
                    for (_, slot) in h.bucket(b) {
                        slot.as_slice().iter().rev().for_each(&mut each);
                        seen += slot.as_slice().len();
                    }
                    if seen >= budget && b + 1 < h.buckets() {
                        return Some(Resume::Bucket(b + 1));
                    }
                }
            }
        }
        None
    }

    /// The objects of a hashed table's bucket `b` in traversal order (each key's newest
    /// first); none for an `ordered_set`.
    pub fn bucket(&self, b: usize) -> Vec<&Object> {
        match &self.objects {
            Store::Tree(_) => Vec::new(),
            Store::Hash(h) => h
                .bucket(b)
                .flat_map(|(_, s)| s.as_slice().iter().rev())
                .collect(),
        }
    }

    /// Whether results gathered last first in a traversal by [`Table::visit`] are in
    /// [`Table::objects`]' order already (a hashed table) or need reversing.
    pub fn gathers_reversed(&self) -> bool {
        matches!(self.objects, Store::Hash(_))
    }

    /// An object of the first key in traversal order.
    pub fn first(&self) -> Option<&Object> {
        match &self.objects {
            Store::Tree(m) => m.values().next().and_then(|v| v.as_slice().first()),
            Store::Hash(h) => Table::live_from(h, h.first()),
        }
    }

    /// An object of `at` or of the first key after it that has objects (not a deleted
    /// key's kept place).
    fn live_from<'a>(
        h: &'a Hashed<Slot>,
        mut at: Option<(&'a KeyTerm, &'a Slot)>,
    ) -> Option<&'a Object> {
        while let Some((k, slot)) = at {
            if let Some(o) = slot.as_slice().first() {
                return Some(o);
            }
            at = h.next(k);
        }
        None
    }

    /// An object of the last key of an `ordered_set`.
    pub fn last(&self) -> Option<&Object> {
        match &self.objects {
            Store::Tree(m) => m.values().next_back().and_then(|v| v.as_slice().first()),
            Store::Hash(_) => None,
        }
    }

    /// An object of the key after `key` in traversal order (for an `ordered_set`, `key`
    /// need not be in the table).
    pub fn next(&self, key: &KeyTerm) -> Option<&Object> {
        use core::ops::Bound;
        let slot = match &self.objects {
            Store::Tree(m) => m
                .range((Bound::Excluded(key), Bound::Unbounded))
                .next()
                .map(|(_, v)| v),
            Store::Hash(h) => return Table::live_from(h, h.next(key)),
        };
        slot.and_then(|v| v.as_slice().first())
    }

    /// An object of the key before `key` in an `ordered_set` (which need not hold `key`).
    pub fn prev(&self, key: &KeyTerm) -> Option<&Object> {
        use core::ops::Bound;
        match &self.objects {
            Store::Tree(m) => m
                .range((Bound::Unbounded, Bound::Excluded(key)))
                .next_back()
                .and_then(|(_, v)| v.as_slice().first()),
            Store::Hash(_) => None,
        }
    }
}
