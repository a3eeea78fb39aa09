//! The per-process copying collector (Cheney's algorithm).
//!
//! Roots are slices of term slots the caller passes in: the live X registers, the stack (whose
//! continuation pointers and catch markers are immediates and are skipped), the process
//! dictionary and, later, the mailbox. Live objects are copied into a fresh vector sized for the
//! survivors, so the heap both grows and shrinks; literal-area pointers are left alone. Binary
//! buffers still referenced are carried over (renumbered) and the rest are dropped.
//!
//! A moved cons cell has [`Term::MOVED`] in its head and the new pointer in its tail; a moved
//! boxed object has the new boxed pointer in place of its header (a header is never tagged as a
//! pointer, so the two cannot be confused).
//!
//! Memory is taken through [`Heap::grow_words`], so the node's memory account and the
//! allocator can refuse it: the to-space is reserved for every word of the from-space before
//! anything is copied (a refusal leaves the heap untouched and returns
//! [`GcError::NodeMemory`]), and the heap's room to grow until the next collection is
//! reserved after it: three times the live data, or at least one and a half times it when
//! memory is short (the collection then still succeeds); with less, the heap is left collected
//! and consistent and [`GcError::NodeMemory`] is returned, since collecting ever more often
//! for ever less room would only stall the node.

use alloc::vec::Vec;

use super::heap::{BinBuf, Heap, BIN_LITERAL, MIN_HEAP_WORDS};
use super::term::{header_kind, header_size, Kind, Term, TAG_BOXED, TAG_HEADER};

/// Why a collection left the process unable to go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GcError {
    /// The heap is over the process's `max_heap_size`, which kills it.
    HeapLimit,
    /// The node's memory budget, or the allocator, cannot give the heap the room it needs.
    NodeMemory {
        /// Words the heap's new space needed.
        wanted_words: usize,
    },
}

struct Copier<'a> {
    from: &'a mut [Term],
    to: Vec<Term>,
    old_bins: &'a [BinBuf],
    new_bins: Vec<BinBuf>,
    bin_map: Vec<u32>,
}

impl Copier<'_> {
    #[inline]
    fn evacuate(&mut self, t: Term) -> Term {
        if !t.is_pointer() || t.is_literal() {
            return t;
        }
        let off = t.offset();
        if t.is_cons() {
            if self.from[off] == Term::MOVED {
                return self.from[off + 1];
            }
            let new = Term::cons_ptr(self.to.len());
            self.to.push(self.from[off]);
            self.to.push(self.from[off + 1]);
            self.from[off] = Term::MOVED;
            self.from[off + 1] = new;
            new
        } else {
            let h = self.from[off];
            if h.0 & 7 == TAG_BOXED {
                return h;
            }
            let n = header_size(h.0);
            let new = Term::boxed_ptr(self.to.len());
            self.to.extend_from_slice(&self.from[off..off + 1 + n]);
            self.from[off] = new;
            new
        }
    }

    fn remap_bin(&mut self, word: u64) -> u64 {
        if word & BIN_LITERAL != 0 {
            return word;
        }
        let i = (word >> 1) as usize;
        if self.bin_map[i] == u32::MAX {
            self.bin_map[i] = self.new_bins.len() as u32;
            self.new_bins.push(self.old_bins[i].clone());
        }
        (self.bin_map[i] as u64) << 1
    }

    fn scan(&mut self) {
        let mut i = 0;
        while i < self.to.len() {
            let w = self.to[i];
            if w.0 & 7 == TAG_HEADER {
                let n = header_size(w.0);
                match header_kind(w.0) {
                    Some(k) if k.payload_is_terms() => {
                        for j in i + 1..i + 1 + n {
                            let t = self.to[j];
                            self.to[j] = self.evacuate(t);
                        }
                    }
                    Some(Kind::BinRef | Kind::MatchCtx) => {
                        let b = self.to[i + 1].0;
                        self.to[i + 1] = Term(self.remap_bin(b));
                    }
                    _ => {}
                }
                i += 1 + n;
            } else {
                let h = self.evacuate(self.to[i]);
                self.to[i] = h;
                let t = self.evacuate(self.to[i + 1]);
                self.to[i + 1] = t;
                i += 2;
            }
        }
    }
}

/// From this many words (8 MiB) on, a heap is large: it grows by twice its live data rather
/// than three times, and its to-space gets no room beyond the words to copy until the copy
/// is done, so memory, not copying, is what it saves.
const LARGE_HEAP_WORDS: usize = 1 << 20;

/// Collects `heap`, updating every root slot, and leaves room for `need` more words. Fails,
/// with the heap still consistent, when the node's memory cannot give it the room.
pub fn collect(heap: &mut Heap, roots: &mut [&mut [Term]], need: usize) -> Result<(), GcError> {
    let mut from = core::mem::take(&mut heap.words);
    let old_bins = core::mem::take(&mut heap.bins);
    // A fresh to-space: the old space is freed after the collection, never kept for the
    // next one (that would double every collected process's memory, as erl does not).
    let mut to = Vec::new();
    // Every live word fits in the from-space's length: reserve that (and `need`) up front, so
    // copying never reallocates and a refusal comes before anything has moved. While the live
    // data stays about the same size, the room after the collection is the room before it:
    // reserve that much, so the new space need not grow (and copy) again below.
    let want = from.len().saturating_add(need);
    let old_limit = heap.limit();
    let room = if old_limit < LARGE_HEAP_WORDS {
        want.max((old_limit + old_limit / 8).saturating_add(need))
    } else {
        want
    };
    if heap.grow_words(&mut to, room, from.capacity()).is_err()
        && heap.grow_words(&mut to, want, from.capacity()).is_err()
    {
        heap.words = from;
        heap.bins = old_bins;
        heap.settle();
        return Err(GcError::NodeMemory { wanted_words: want });
    }
    // Where each old buffer handle went, made before anything moves so that a refusal
    // leaves the heap as it was.
    let mut bin_map = Vec::new();
    if bin_map.try_reserve_exact(old_bins.len()).is_err() {
        heap.words = from;
        heap.bins = old_bins;
        heap.settle();
        return Err(GcError::NodeMemory { wanted_words: want });
    }
    bin_map.resize(old_bins.len(), u32::MAX);
    let mut c = Copier {
        from: &mut from,
        to,
        old_bins: &old_bins,
        new_bins: Vec::new(),
        bin_map,
    };
    for slots in roots.iter_mut() {
        for s in slots.iter_mut() {
            *s = c.evacuate(*s);
        }
    }
    c.scan();
    let mut to = c.to;
    let new_bins = c.new_bins;
    drop(old_bins);
    // The old space goes now, before the new one grows (which may copy it): the peak is the
    // two spaces, as during the copy.
    drop(from);
    heap.settle_at(to.capacity());
    let live = to.len();
    // The next collection comes when the heap is three times the live data (twice for a
    // large heap): each collection copies the live words once, so a wider margin copies less
    // per word allocated (twice the live data made collection a third of a large map's
    // workload). Idle processes stay at the minimum.
    let factor = if live + need < LARGE_HEAP_WORDS { 3 } else { 2 };
    let mut limit = ((live + need) * factor)
        .max(MIN_HEAP_WORDS)
        .max(heap.min_heap);
    // The mutator fills the heap up to the limit and a little past it (BIF results are built
    // before the next safe point looks), so give the vector that room now, while it holds only
    // the live words: growing it later would copy a full heap (and outside the account).
    if to.capacity() > limit * 4 {
        to.shrink_to(limit + limit / 8);
    }
    let mut refused = None;
    if heap.grow_words(&mut to, limit + limit / 8, 0).is_err() {
        // No memory for the usual room: make do with half the live data more, so collections
        // stay proportional to the work done between them; less than that would only thrash.
        limit = (live + need).saturating_add((live + need) / 2);
        let wanted_words = limit.saturating_add(limit / 8);
        if heap.grow_words(&mut to, wanted_words, 0).is_err() {
            refused = Some(GcError::NodeMemory { wanted_words });
            limit = (live + need).max(to.capacity() - to.capacity() / 9);
        }
    }
    heap.words = to;
    heap.bins = new_bins;
    heap.after_collection(limit);
    heap.settle();
    match refused {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::literals::Literals;

    #[test]
    fn garbage_is_dropped_and_sharing_kept() {
        let lits = Literals::default();
        let mut h = Heap::new();
        for i in 0..10_000 {
            let _ = h.tuple(&[Term::small(i)]);
        }
        let shared = h.float(1.5);
        let b = h.binary(alloc::vec![9, 8, 7]);
        let _dead = h.binary(alloc::vec![0; 100]);
        let l = h.list(&[shared, shared, b]);
        let mut regs = [l, Term::small(3)];
        collect(&mut h, &mut [&mut regs], 0).unwrap();
        assert_eq!(h.words.len(), 6 + 2 + 4);
        assert_eq!(h.bins.len(), 1);
        let v = h.view(&lits);
        let items = v.list_to_vec(regs[0]).unwrap();
        assert_eq!(items[0], items[1]);
        assert_eq!(v.float(items[0]), Some(1.5));
        assert_eq!(v.binary(items[2]).unwrap().bytes(), Some(&[9u8, 8, 7][..]));
        assert_eq!(regs[1], Term::small(3));
    }

    #[test]
    fn long_loop_stays_bounded() {
        let mut h = Heap::new();
        let mut acc = [Term::NIL];
        for i in 0..1_000_000 {
            let t = h.tuple(&[Term::small(i), Term::small(i)]);
            acc[0] = h.cons(t, Term::NIL);
            if h.wants_gc(0) {
                collect(&mut h, &mut [&mut acc], 0).unwrap();
            }
        }
        assert!(h.words.capacity() < 8 * MIN_HEAP_WORDS);
    }

    #[test]
    fn growth_past_the_node_budget_is_refused_and_released_on_drop() {
        use crate::vm::memory::NodeMemory;
        let lits = Literals::default();
        let memory = NodeMemory::unlimited();
        let mut h = Heap::new();
        h.attach(&memory);
        let items: Vec<Term> = (0..100_000).map(Term::small).collect();
        let l = h.list(&items);
        let mut r = [l];
        collect(&mut h, &mut [&mut r], 0).unwrap();
        assert_eq!(memory.used(), h.charged());
        assert!(memory.used() >= 200_000 * 8);
        // The heap doubles; the budget has no room for a to-space that large: refused before
        // anything moves, the heap still readable.
        memory.set_budget(memory.used() + 1000);
        let l2 = h.list(&items);
        let mut r = [r[0], l2];
        let before = h.words.len();
        assert!(matches!(
            collect(&mut h, &mut [&mut r], 0),
            Err(GcError::NodeMemory { wanted_words }) if wanted_words == before
        ));
        assert_eq!(h.words.len(), before);
        assert_eq!(h.view(&lits).list_len(r[1]), Some(100_000));
        assert_eq!(memory.used(), h.charged());
        assert!(memory.used() <= memory.budget());
        // With the budget raised, the same collection succeeds.
        memory.set_budget(usize::MAX);
        collect(&mut h, &mut [&mut r], 0).unwrap();
        assert_eq!(h.view(&lits).list_len(r[0]), Some(100_000));
        drop(h);
        assert_eq!(memory.used(), 0);
    }
}
