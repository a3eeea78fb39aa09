//! Copying a term from one heap to another (messages, spawn arguments, ETS-like stores).
//!
//! Literal-area pointers are shared, not copied; binary buffers are shared by reference count
//! (the destination heap gets its own handle); everything else is copied word for word, with
//! no native recursion (a work list drives the copy).
//!
//! Every message send copies, and most messages are a handful of objects, so the cheap cases
//! come first: a tuple of immediates and literals (`{token, N}`) is copied word for word; a
//! term of at most [`TREE_OBJECTS`] objects is copied as a tree (a subterm it shares is
//! copied once per reference, as erl does); anything bigger keeps its sharing, so a term
//! whose sharing doubles at each level costs its size, not its size as a tree. That copy's
//! bookkeeping (the sharing map, the buffer map and the work list) lives in fixed arrays
//! first and only spills to the global allocator for big terms.
//!
//! A copy into another process ([`try_copy_term`]: a message, a spawn's arguments, an exit
//! reason) never grows the destination on its own: before each object it checks the room
//! left in `dst.words` (one comparison), and when there is none it grows the vector through
//! [`Heap::grow_words`], which asks the node's memory account and the allocator first. The
//! sharing map and the work list of a big copy are working memory charged to the same
//! account until the copy ends. A refusal undoes the copy (`dst.words` and `dst.bins` are cut
//! back to where they were) and is the caller's to report: the sender's `system_limit`, or a
//! replacement the node builds. [`copy_term`] is for heaps the caller has sized or that stand
//! outside the account (ETS objects): it grows past the budget when it must.

use alloc::vec::Vec;

use super::heap::{Heap, View, BIN_LITERAL};
use super::memory::{NodeMemory, OutOfMemory};
use super::small::{SmallMap, SmallStack};
use super::term::{header_kind, header_size, Kind, Term};

/// Objects kept in the inline sharing map before it spills to a tree.
const INLINE_OBJECTS: usize = 8;
/// Work-list slots kept inline before the work list spills to a `Vec`.
const INLINE_WORK: usize = 16;

/// The state of one copy.
struct Copier {
    /// Source pointer word -> new term, so shared subterms stay shared: in an array while
    /// the copy is small, ...
    moved: SmallMap<u64, Term, INLINE_OBJECTS>,
    /// ... and all of them in a hash table once it is not.
    more: Forwarding,
    /// Source buffer word -> destination buffer word.
    bufs: SmallMap<u64, u64, 4>,
    /// Slots in `dst.words` still holding source terms to translate.
    fix: SmallStack<usize, INLINE_WORK>,
    /// The working memory the tables above took from the global allocator.
    work: Work,
}

/// Copies `t` (readable through `src`) onto `dst`, returning the new term. `dst` grows only as
/// the node's memory account and the allocator allow; when they refuse, `dst` is left as it
/// was and the refusal is returned (see the module docs).
pub fn try_copy_term(src: &View, dst: &mut Heap, t: Term) -> Result<Term, OutOfMemory> {
    copy_in(src, dst, t, true)
}

/// Copies `t` (readable through `src`) onto `dst`, returning the new term: for a heap outside
/// the node's account (an ETS object) or one already given room for the copy. Growth the
/// account refuses is taken anyway (charged at the heap's next collection).
pub fn copy_term(src: &View, dst: &mut Heap, t: Term) -> Term {
    match copy_in(src, dst, t, false) {
        Ok(new) => new,
        // Only the allocator can refuse an uncharged copy, and a Vec that could not grow on
        // its own aborted the same way before copies checked their room.
        Err(oom) => panic!(
            "the allocator refused a term copy of {} words",
            oom.wanted_words
        ),
    }
}

/// The copy behind [`try_copy_term`] (`charged`) and [`copy_term`].
#[inline]
fn copy_in(src: &View, dst: &mut Heap, t: Term, charged: bool) -> Result<Term, OutOfMemory> {
    if !t.is_pointer() || t.is_literal() {
        return Ok(t);
    }
    if let Some(flat) = copy_flat_tuple(src, dst, t, charged)? {
        return Ok(flat);
    }
    let (words, bins, capacity) = (dst.words.len(), dst.bins.len(), dst.words.capacity());
    match copy_tree(src, dst, t, charged) {
        Ok(tree) => return Ok(tree),
        Err(Stop::Refused(oom)) => {
            give_back(dst, capacity);
            return Err(oom);
        }
        Err(Stop::TooBig) => {}
    }
    let mut c = Copier {
        moved: SmallMap::new((0, Term::NIL)),
        more: Forwarding::default(),
        bufs: SmallMap::new((0, 0)),
        fix: SmallStack::new(0),
        work: Work {
            memory: if charged {
                dst.memory_account().cloned()
            } else {
                None
            },
            bytes: 0,
        },
    };
    let copied = (|| {
        let root = c.copy_one(src, dst, t, charged)?;
        while let Some(slot) = c.fix.pop() {
            let old = dst.words[slot];
            let new = c.copy_one(src, dst, old, charged)?;
            dst.words[slot] = new;
        }
        Ok(root)
    })();
    if copied.is_err() {
        dst.words.truncate(words);
        dst.bins.truncate(bins);
        give_back(dst, capacity);
    }
    copied
}

/// Shrinks `dst.words` back to `capacity` words after a refused copy grew it, and its charge
/// with it: a receiver that never collects (an idle one) would otherwise hold the room of a
/// message it never got.
#[cold]
fn give_back(dst: &mut Heap, capacity: usize) {
    if dst.words.capacity() > capacity {
        dst.words.shrink_to(capacity);
        dst.settle();
    }
}

/// Makes sure `dst.words` has room for `words` more words, growing it as [`try_copy_term`]
/// does (the node's account, then the allocator): for the few words a delivery wraps a
/// copied term in, which would otherwise grow the vector on their own.
pub fn try_room(dst: &mut Heap, words: usize) -> Result<(), OutOfMemory> {
    room(dst, words, true)
}

/// Why a copy stopped before its end.
enum Stop {
    /// The term has more objects than a tree copy takes.
    TooBig,
    /// The node's memory or the allocator refused room for it.
    Refused(OutOfMemory),
}

/// Makes sure `dst.words` has room for `need` more words: grown through
/// [`Heap::grow_words`] (the account, then the allocator) to [`Heap::next_size`], or, when
/// that is refused, by an eighth of what the heap holds, or exactly. An uncharged copy
/// (`!charged`) then grows exactly, whatever the account says.
#[inline]
fn room(dst: &mut Heap, need: usize, charged: bool) -> Result<(), OutOfMemory> {
    if dst.words.capacity() - dst.words.len() >= need {
        return Ok(());
    }
    grow(dst, need, charged)
}

#[cold]
#[inline(never)]
fn grow(dst: &mut Heap, need: usize, charged: bool) -> Result<(), OutOfMemory> {
    let len = dst.words.len();
    let want = len.saturating_add(need);
    let refused = OutOfMemory {
        heap_words: len,
        wanted_words: want,
    };
    let first = dst.next_size(need);
    for total in [first, first.min(want.saturating_add(want / 8)), want] {
        if dst.grow_to(total).is_ok() {
            return Ok(());
        }
    }
    if !charged && dst.words.try_reserve_exact(need).is_ok() {
        return Ok(());
    }
    Err(refused)
}

/// Room for one more buffer handle in `dst.bins` (not charged: a word per buffer, each
/// buffer charged on its own when it was made).
#[inline]
fn bin_room(dst: &mut Heap) -> Result<(), OutOfMemory> {
    if dst.bins.len() < dst.bins.capacity() {
        return Ok(());
    }
    dst.bins.try_reserve(1).map_err(|_| OutOfMemory {
        heap_words: dst.words.len(),
        wanted_words: dst.words.len() + 1,
    })?;
    // The vector's growth is charged with the heap's words.
    dst.settle();
    Ok(())
}

/// Working memory of a copy (its sharing map, buffer map and work list) charged to the
/// destination's account until the copy ends (`memory` is `None` for an uncharged copy).
struct Work {
    memory: Option<NodeMemory>,
    bytes: usize,
}

impl Work {
    /// Charges `bytes` more, if the budget holds them.
    fn take(&mut self, bytes: usize) -> bool {
        match &self.memory {
            Some(m) if m.try_charge(bytes).is_err() => false,
            Some(_) => {
                self.bytes += bytes;
                true
            }
            None => true,
        }
    }
}

impl Drop for Work {
    fn drop(&mut self) {
        if let Some(m) = &self.memory {
            m.release(self.bytes);
        }
    }
}

/// Upper bounds on what [`copy_term`] of a term takes, found without copying it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CopyBound {
    /// Words the copy writes.
    pub words: usize,
    /// Objects its sharing map records (0 for a term copied as a tree).
    pub objects: usize,
}

/// Bounds on the copy of `t` (readable through `src`), walking the term as a tree (every
/// reference counted) with an explicit work list (the fields still to walk that are heap
/// pointers, a list's head before its tail, so a list of small terms keeps it short). A term
/// of more than [`TREE_OBJECTS`] objects is copied with its sharing, so at most the source
/// heap's words are copied; the walk falls back on that bound, and stops, once the tree
/// passes `limit` words.
pub fn copy_bound(src: &View, t: Term, limit: usize) -> CopyBound {
    let (mut words, mut objects) = (0usize, 0usize);
    let mut work = Vec::new();
    if t.is_pointer() && !t.is_literal() {
        work.push(t);
    }
    while let Some(t) = work.pop() {
        objects += 1;
        let area = src.area(t);
        let off = t.offset();
        let fields = if t.is_cons() {
            &area[off..off + 2]
        } else {
            let h = area[off].0;
            let n = header_size(h);
            words += 1;
            if header_kind(h).is_some_and(Kind::payload_is_terms) {
                &area[off + 1..off + 1 + n]
            } else {
                words += n;
                &[]
            }
        };
        words += fields.len();
        for &w in fields.iter().rev() {
            if w.is_pointer() && !w.is_literal() {
                work.push(w);
            }
        }
        if objects > TREE_OBJECTS && words > limit {
            // Only the heap bounds it now (an object takes at least a word).
            let heap = src.heap.len();
            return CopyBound {
                words: heap,
                objects: heap,
            };
        }
    }
    if objects <= TREE_OBJECTS {
        return CopyBound { words, objects: 0 };
    }
    CopyBound {
        words: words.min(src.heap.len()),
        objects: objects.min(src.heap.len()),
    }
}

/// The commonest message, a tuple of immediates and literals (`{token, N}`), copied word for
/// word: nothing in it is shared or needs copying, so it needs no sharing map or work list.
#[inline]
fn copy_flat_tuple(
    src: &View,
    dst: &mut Heap,
    t: Term,
    charged: bool,
) -> Result<Option<Term>, OutOfMemory> {
    if !t.is_boxed() {
        return Ok(None);
    }
    let area = src.area(t);
    let off = t.offset();
    let h = area[off].0;
    if header_kind(h) != Some(Kind::Tuple) {
        return Ok(None);
    }
    let words = &area[off..off + 1 + header_size(h)];
    if words[1..].iter().any(|w| w.is_pointer() && !w.is_literal()) {
        return Ok(None);
    }
    room(dst, words.len(), charged)?;
    let at = dst.words.len();
    dst.words.extend_from_slice(words);
    Ok(Some(Term::boxed_ptr(at)))
}

/// Objects [`copy_tree`] makes at most (and so slots it may have waiting).
pub const TREE_OBJECTS: usize = 16;

/// A small term (a message such as `{call, Ref, Pid, {raw, 1, 0, <<...>>}}`) copied as a tree:
/// no sharing map, no buffer map. A subterm shared within it is copied once per reference,
/// as erl's send does; past [`TREE_OBJECTS`] objects the copy gives up, leaving `dst` as it
/// was, so a term whose sharing would multiply goes to the sharing-preserving [`Copier`]; so
/// does a refused growth, which ends the copy.
fn copy_tree(src: &View, dst: &mut Heap, t: Term, charged: bool) -> Result<Term, Stop> {
    let (words, bins) = (dst.words.len(), dst.bins.len());
    let mut work = Tree {
        fix: [0; TREE_OBJECTS],
        waiting: 0,
        made: 0,
    };
    let copied = (|| {
        let root = work.object(src, dst, t, charged)?;
        while work.waiting > 0 {
            work.waiting -= 1;
            let slot = work.fix[work.waiting];
            let new = work.object(src, dst, dst.words[slot], charged)?;
            dst.words[slot] = new;
        }
        Ok(root)
    })();
    if copied.is_err() {
        dst.words.truncate(words);
        dst.bins.truncate(bins);
    }
    copied
}

/// The state of a [`copy_tree`]: destination slots still holding source terms.
struct Tree {
    fix: [usize; TREE_OBJECTS],
    waiting: usize,
    made: usize,
}

impl Tree {
    /// Copies the outermost object of `t` (a heap pointer), queueing its term fields;
    /// `TooBig` when the tree is bigger than the budget.
    #[inline]
    fn object(&mut self, src: &View, dst: &mut Heap, t: Term, charged: bool) -> Result<Term, Stop> {
        self.made += 1;
        let area = src.area(t);
        let off = t.offset();
        let (new, fields) = if t.is_cons() {
            room(dst, 2, charged).map_err(Stop::Refused)?;
            let at = dst.words.len();
            dst.words.extend_from_slice(&area[off..off + 2]);
            (Term::cons_ptr(at), at..at + 2)
        } else {
            let h = area[off].0;
            let n = header_size(h);
            room(dst, 1 + n, charged).map_err(Stop::Refused)?;
            let at = dst.words.len();
            dst.words.extend_from_slice(&area[off..off + 1 + n]);
            match header_kind(h) {
                Some(k) if k.payload_is_terms() => (Term::boxed_ptr(at), at + 1..at + 1 + n),
                Some(Kind::BinRef | Kind::MatchCtx) => {
                    let w = share_buffer(src, dst, area[off + 1].0).map_err(Stop::Refused)?;
                    dst.words[at + 1] = Term(w);
                    (Term::boxed_ptr(at), at..at)
                }
                _ => (Term::boxed_ptr(at), at..at),
            }
        };
        for slot in fields {
            let w = dst.words[slot];
            if w.is_pointer() && !w.is_literal() {
                if self.made + self.waiting >= TREE_OBJECTS {
                    return Err(Stop::TooBig);
                }
                self.fix[self.waiting] = slot;
                self.waiting += 1;
            }
        }
        Ok(new)
    }
}

/// The destination's handle on the buffer a source BinRef or match context names by `w`
/// (a literal buffer word stays as it is).
fn share_buffer(src: &View, dst: &mut Heap, w: u64) -> Result<u64, OutOfMemory> {
    if w & BIN_LITERAL != 0 {
        return Ok(w);
    }
    bin_room(dst)?;
    let i = (dst.bins.len() as u64) << 1;
    dst.bins.push(src.bins[(w >> 1) as usize].clone());
    Ok(i)
}

impl Copier {
    /// Queues slot `at` of the destination, holding the source's `t`, if `t` must be copied
    /// (immediates and literals stay as they are).
    #[inline]
    fn fix_if_needed(&mut self, dst: &Heap, at: usize, t: Term) -> Result<(), OutOfMemory> {
        if t.is_pointer() && !t.is_literal() {
            let work = &mut self.work;
            if !self.fix.try_push(at, |bytes| work.take(bytes)) {
                return Err(work_refused(dst));
            }
        }
        Ok(())
    }

    /// Copies the outermost object of `t`; its term-valued fields are queued in `fix`.
    fn copy_one(
        &mut self,
        src: &View,
        dst: &mut Heap,
        t: Term,
        charged: bool,
    ) -> Result<Term, OutOfMemory> {
        if !t.is_pointer() || t.is_literal() {
            return Ok(t);
        }
        // The pointer word names the object: its tag tells cons from boxed, then the offset.
        if let Some(n) = self.moved_to(t) {
            return Ok(n);
        }
        let area = src.area(t);
        let off = t.offset();
        let new = if t.is_cons() {
            room(dst, 2, charged)?;
            let at = dst.words.len();
            let (hd, tl) = (area[off], area[off + 1]);
            dst.words.push(hd);
            dst.words.push(tl);
            self.fix_if_needed(dst, at, hd)?;
            self.fix_if_needed(dst, at + 1, tl)?;
            Term::cons_ptr(at)
        } else {
            let h = area[off].0;
            let n = header_size(h);
            room(dst, 1 + n, charged)?;
            let at = dst.words.len();
            dst.words.extend_from_slice(&area[off..off + 1 + n]);
            match header_kind(h) {
                Some(k) if k.payload_is_terms() => {
                    for (i, &w) in area[off + 1..off + 1 + n].iter().enumerate() {
                        self.fix_if_needed(dst, at + 1 + i, w)?;
                    }
                }
                Some(Kind::BinRef | Kind::MatchCtx) => {
                    let w = area[off + 1].0;
                    let nw = if w & BIN_LITERAL != 0 {
                        w
                    } else if let Some(nw) = self.bufs.get(w) {
                        nw
                    } else {
                        let i = share_buffer(src, dst, w)?;
                        // Past its array the buffer map is a tree: a node's share per entry.
                        if self.bufs.len() >= 4 && !self.work.take(BUF_ENTRY_BYTES) {
                            return Err(work_refused(dst));
                        }
                        self.bufs.insert(w, i);
                        i
                    };
                    dst.words[at + 1] = Term(nw);
                }
                _ => {}
            }
            Term::boxed_ptr(at)
        };
        self.record(dst, t, new)?;
        Ok(new)
    }

    /// Where the source object `t` (a heap pointer) was copied, if it was.
    #[inline]
    fn moved_to(&self, t: Term) -> Option<Term> {
        if self.more.is_empty() {
            self.moved.get(t.0)
        } else {
            self.more.get(t.0)
        }
    }

    /// Notes that the source object `t` is now `new`. Past the array's objects, they all move
    /// to the hash table, so a lookup looks in one place.
    #[inline]
    fn record(&mut self, dst: &Heap, t: Term, new: Term) -> Result<(), OutOfMemory> {
        let work = &mut self.work;
        let fits = if !self.more.is_empty() {
            self.more.insert(t.0, new, work)
        } else if self.moved.len() < INLINE_OBJECTS {
            self.moved.insert(t.0, new);
            true
        } else {
            self.moved
                .iter()
                .chain(core::iter::once((t.0, new)))
                .all(|(k, v)| self.more.insert(k, v, work))
        };
        if fits {
            Ok(())
        } else {
            Err(work_refused(dst))
        }
    }
}

/// Bytes charged for each buffer-map entry past the map's array (a tree's entry and its
/// share of a node).
const BUF_ENTRY_BYTES: usize = 32;

/// The refusal of a copy's working memory, as the destination heap reports it.
#[cold]
fn work_refused(dst: &Heap) -> OutOfMemory {
    OutOfMemory {
        heap_words: dst.words.len(),
        wanted_words: dst.words.len(),
    }
}

/// A hash table from source pointer words (never 0, which marks a free slot) to new terms:
/// open addressing with linear probing, at most half full. With a tree here the copy of a
/// 200,000-deep list ran 2.7 times the machine instructions.
#[derive(Default)]
struct Forwarding {
    slots: Vec<(u64, Term)>,
    len: usize,
}

impl Forwarding {
    fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        // Fibonacci hashing of the offset: neighbouring objects spread over the table.
        ((key >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & (self.slots.len() - 1)
    }

    fn get(&self, key: u64) -> Option<Term> {
        if self.slots.is_empty() {
            return None;
        }
        let mut i = self.home(key);
        loop {
            match self.slots[i] {
                (0, _) => return None,
                (k, v) if k == key => return Some(v),
                _ => i = (i + 1) & (self.slots.len() - 1),
            }
        }
    }

    /// Adds a key not in the table yet; false when `work` or the allocator refuses the
    /// table room to grow (the table is left as it was).
    fn insert(&mut self, key: u64, value: Term, work: &mut Work) -> bool {
        if (self.len + 1) * 2 > self.slots.len() {
            let size = (self.slots.len() * 2).max(64);
            let entry = core::mem::size_of::<(u64, Term)>();
            let mut slots = Vec::new();
            if !work.take((size - self.slots.len()) * entry)
                || slots.try_reserve_exact(size).is_err()
            {
                return false;
            }
            slots.resize(size, (0, Term::NIL));
            let old = core::mem::replace(&mut self.slots, slots);
            for (k, v) in old {
                if k != 0 {
                    self.place(k, v);
                }
            }
        }
        self.place(key, value);
        self.len += 1;
        true
    }

    fn place(&mut self, key: u64, value: Term) {
        let mut i = self.home(key);
        while self.slots[i].0 != 0 {
            i = (i + 1) & (self.slots.len() - 1);
        }
        self.slots[i] = (key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::atom::AtomTable;
    use crate::vm::compare::exact_eq;
    use crate::vm::literals::Literals;

    #[test]
    fn a_flat_tuple_is_copied_word_for_word() {
        let lits = Literals::default();
        let mut a = Heap::new();
        let inner = a.tuple(&[Term::small(1)]);
        let flat = a.tuple(&[Term::small(7), Term::NIL, Term::pid(3)]);
        let nested = a.tuple(&[Term::small(7), inner]);
        let mut dst = Heap::new();
        let c = copy_term(&a.view(&lits), &mut dst, flat);
        assert_eq!(dst.words.len(), 4, "header and three words, nothing else");
        let v = dst.view(&lits);
        assert_eq!(
            v.tuple(c).unwrap(),
            [Term::small(7), Term::NIL, Term::pid(3)]
        );
        // A tuple holding a heap pointer takes the general path: the inner tuple is copied too.
        let n = copy_term(&a.view(&lits), &mut dst, nested);
        let v = dst.view(&lits);
        let t = v.tuple(n).unwrap();
        assert_ne!(t[1], inner, "the inner tuple is the copy's own");
        assert_eq!(v.tuple(t[1]).unwrap(), [Term::small(1)]);
    }

    #[test]
    fn small_terms_copy_as_trees_and_bigger_ones_keep_sharing() {
        let lits = Literals::default();
        let mut a = Heap::new();
        let f = a.float(1.5);
        let inner = a.tuple(&[f]);
        let l = a.list(&[inner]);
        let small = a.tuple(&[inner, inner, l]);
        // Wider than the tree budget: 100 floats, the first repeated at the end.
        let mut elems: Vec<Term> = (0..100).map(|i| a.float(i as f64)).collect();
        elems.push(elems[0]);
        let wide = a.tuple(&elems);
        // Sharing that doubles at each level: 20 objects, a million as a tree.
        let mut doubling = a.tuple(&[Term::small(0)]);
        for _ in 0..20 {
            doubling = a.tuple(&[doubling, doubling]);
        }
        let mut dst = Heap::new();
        dst.cons(Term::NIL, Term::NIL);
        let c = copy_term(&a.view(&lits), &mut dst, small);
        assert_eq!(
            dst.words.len(),
            2 + 4 + 2 + 3 * (2 + 2),
            "the inner tuple and its float copied once per reference"
        );
        let w = copy_term(&a.view(&lits), &mut dst, wide);
        let before = dst.words.len();
        let d = copy_term(&a.view(&lits), &mut dst, doubling);
        assert_eq!(
            dst.words.len() - before,
            20 * 3 + 2,
            "one copy of each object"
        );
        let v = dst.view(&lits);
        let t = v.tuple(c).unwrap();
        let copies = [t[0], t[1], v.list_to_vec(t[2]).unwrap()[0]];
        for inner in copies {
            assert_eq!(v.float(v.tuple(inner).unwrap()[0]), Some(1.5));
        }
        let t = v.tuple(w).unwrap();
        assert_eq!(t.len(), 101);
        assert_eq!(t[0], t[100], "sharing preserved past the tree budget");
        for (i, &x) in t[..100].iter().enumerate() {
            assert_eq!(v.float(x), Some(i as f64));
        }
        assert_eq!(before, 20 + 102 + 200);
        let mut x = d;
        for _ in 0..20 {
            let pair = v.tuple(x).unwrap();
            assert_eq!(pair[0], pair[1], "sharing preserved");
            x = pair[0];
        }
        assert_eq!(v.tuple(x).unwrap(), [Term::small(0)]);
    }

    #[test]
    fn a_refused_copy_leaves_the_destination_as_it_was() {
        use crate::vm::memory::NodeMemory;
        let lits = Literals::default();
        let mut a = Heap::new();
        let b = a.binary(alloc::vec![9; 100]);
        let pair = a.tuple(&[Term::small(1), b]);
        // Big enough for the sharing-preserving copy, its maps and its work list.
        let elems: Vec<Term> = (0..20_000).map(|i| a.tuple(&[Term::small(i), b])).collect();
        let big = a.list(&elems);
        let wide = a.tuple(&elems);
        let memory = NodeMemory::unlimited();
        let mut dst = Heap::new();
        dst.attach(&memory);
        let kept = copy_term(&a.view(&lits), &mut dst, pair);
        let (words, bins) = (dst.words.clone(), dst.bins.len());
        let used = memory.used();
        memory.set_budget(used + 64 * 1024);
        for t in [big, wide] {
            let refused = try_copy_term(&a.view(&lits), &mut dst, t);
            assert!(refused.is_err(), "{refused:?}");
            assert_eq!(dst.words, words, "the words as they were");
            assert_eq!(dst.bins.len(), bins, "no buffer handle left behind");
        }
        assert!(
            memory.used() <= used + 64 * 1024,
            "working memory given back"
        );
        let v = dst.view(&lits);
        assert_eq!(v.tuple(kept).unwrap()[0], Term::small(1));
        // With room, the same copy goes through and reads back equal.
        memory.set_budget(usize::MAX);
        let c = try_copy_term(&a.view(&lits), &mut dst, big).expect("fits");
        let v = dst.view(&lits);
        let items = v.list_to_vec(c).unwrap();
        assert_eq!(items.len(), 20_000);
        assert_eq!(v.tuple(items[19_999]).unwrap()[0], Term::small(19_999));
        // A small message copies within its heap's room whatever the account says, and is
        // refused when there is none left.
        let flat = a.tuple(&[Term::small(1), Term::small(2)]);
        memory.set_budget(0);
        let capacity = dst.words.capacity();
        dst.words.resize(capacity - 3, Term::NIL);
        let copied = try_copy_term(&a.view(&lits), &mut dst, flat);
        assert_eq!(copied.map(|t| t.offset()), Ok(capacity - 3));
        assert!(try_copy_term(&a.view(&lits), &mut dst, flat).is_err());
        assert_eq!(dst.words.len(), capacity);
        assert_eq!(dst.words.capacity(), capacity, "never grown on its own");
    }

    #[test]
    fn copies_structure_shares_buffers_and_literals() {
        let lits = Literals::default();
        let atoms = AtomTable::new();
        let mut a = Heap::new();
        let f = a.float(2.5);
        let b = a.binary(alloc::vec![1, 2, 3]);
        let inner = a.tuple(&[f, b, Term::small(7)]);
        let l = a.list(&[inner, inner, Term::NIL]);
        let mut m = a.map_sorted(&[(Term::small(1), l)]);
        // Deep list to show no recursion limit.
        for _ in 0..100_000 {
            m = a.cons(m, Term::NIL);
        }
        let mut dst = Heap::new();
        let c = copy_term(&a.view(&lits), &mut dst, m);
        assert_eq!(dst.bins.len(), 1);
        assert!(alloc::sync::Arc::ptr_eq(&dst.bins[0], &a.bins[0]));
        // Equal terms across the two heaps: compare through a combined view of the copy.
        let v = dst.view(&lits);
        let mut x = c;
        for _ in 0..100_000 {
            x = v.cons(x).0;
        }
        let l2 = v.map_entries(x).unwrap()[0].1;
        let items = v.list_to_vec(l2).unwrap();
        assert_eq!(items[0], items[1], "sharing preserved");
        let t = v.tuple(items[0]).unwrap();
        assert_eq!(v.float(t[0]), Some(2.5));
        assert_eq!(v.binary(t[1]).unwrap().bytes(), Some(&[1u8, 2, 3][..]));
        assert!(exact_eq(&v, &atoms, t[2], Term::small(7)));
    }
}
