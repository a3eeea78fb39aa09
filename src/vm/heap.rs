//! A process heap: a growable vector of term words plus the off-heap binaries it references.
//!
//! Objects are appended at the end of [`Heap::words`]; nothing is freed until the copying
//! collector ([`gc`](super::gc)) runs at a safe point (a call, a return or a `test_heap`).
//! Allocation never fails: an instruction may overshoot [`Heap::limit`], and the next safe point
//! collects. Constructors live here; readers live on [`View`], which pairs a heap with the
//! shared literal area because a term may point into either.
//!
//! Binary data is never stored in the word vector: a binary term is a small `BinRef` object
//! naming a buffer in [`Heap::bins`] (or in the literal area's buffers) plus a bit offset and
//! bit length, so sub-binaries and appends are cheap and buffers are shared by reference count.
//!
//! A heap the scheduler admits is attached to the node's [`NodeMemory`] account and charges the
//! capacity of its word vectors there; the collector grows it only through
//! [`Heap::grow_words`], which asks the account and the allocator first and fails instead of
//! aborting. Dropping the heap gives its charge back.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use num_bigint::{BigInt, BigUint, Sign};

use super::literals::Literals;
use super::memory::{MemoryError, NodeMemory, OutOfMemory, TempCharge};
use super::term::{header, header_kind, header_size, Kind, Term};

pub use super::binbuf::{BinBuf, BinData};

/// The smallest collection threshold in words (memory is only used as the heap fills): 32 KiB,
/// near erl's heap size of 4,181 words. Each collection copies every live word (there is no
/// young generation), so a process that allocates much and keeps little collects once per
/// this many words: lower would collect too often, higher would hold more memory in every
/// process that has collected once (16,384 held over 144 KiB in each).
pub const MIN_HEAP_WORDS: usize = 4096;

/// A process heap.
#[derive(Debug)]
pub struct Heap {
    /// The heap words; objects are appended here.
    pub words: Vec<Term>,
    /// Off-heap binary buffers referenced from `words` by index.
    pub bins: Vec<BinBuf>,
    /// Collect at the next safe point once `words.len()` exceeds this.
    limit: usize,
    /// The process's `min_heap_size` in words (one of erl's heap sizes, see
    /// [`erl_heap_size`]): a collection never sets `limit` below it.
    pub min_heap: usize,
    /// Bytes of binary buffers created since the last collection (GC pressure).
    bin_bytes: usize,
    /// Collect at the next safe point once `bin_bytes` exceeds this (set with `limit`).
    bin_limit: usize,
    /// `limit`, or 0 once `bin_bytes` has passed `bin_limit`: both thresholds in the one
    /// comparison that calls and allocations make ([`Heap::wants_gc`]). Every change of
    /// the three goes through [`Heap::settle_gc_at`].
    gc_at: usize,
    /// What the heap charges to the node's memory account (`None`: not attached to one).
    /// Boxed, to keep the heap, and so every process, one word larger only.
    charge: Option<Box<Charge>>,
}

/// A heap's standing with the node's memory account.
#[derive(Debug)]
struct Charge {
    /// The account.
    memory: NodeMemory,
    /// Bytes charged for the heap's `words` and its `bins` vector.
    bytes: usize,
    /// Bytes charged for its process's stack ([`Heap::charge_stack`]).
    stack_bytes: usize,
    /// Bytes charged for its process's message queue ([`Heap::charge_queue`]).
    queue_bytes: usize,
    /// The last growth the account or the allocator refused, until the scheduler takes it.
    refused: Option<OutOfMemory>,
    /// A binary made since the last collection found the account at or over its budget
    /// (a binary is charged when it is made, whether or not it fits).
    bins_over: bool,
}

impl Drop for Heap {
    fn drop(&mut self) {
        if let Some(c) = &self.charge {
            c.memory.release(c.bytes + c.stack_bytes + c.queue_bytes);
        }
    }
}

impl Default for Heap {
    fn default() -> Self {
        Self::new()
    }
}

/// erl's default `min_heap_size`, in words: the smallest of its heap sizes a process gets.
pub const ERL_MIN_HEAP_SIZE: usize = 233;

/// Room a safe point keeps in the heap's vector for the code that runs before the next one.
/// The loader drops `test_heap` (words are pushed onto the vector, which grows itself when
/// full), so a call finds the vector this close to full and grows it then, by the heap's own
/// sequence ([`Heap::next_size`]), rather than leaving the next push to double it.
pub const STRAIGHT_LINE_WORDS: usize = 128;

/// The smallest of erl's heap sizes (12, 38, then each the sum of the two before plus one,
/// and past 833,026 words a fifth more each time) that holds `words`, but at least erl's
/// default minimum: the `min_heap_size` a process asking for `words` gets, as erl rounds it.
/// `None` for a size no heap can have (past `isize::MAX` bytes).
pub fn erl_heap_size(words: usize) -> Option<usize> {
    next_heap_size(words.max(ERL_MIN_HEAP_SIZE))
}

/// The smallest of erl's heap sizes that holds `words`, from the smallest (12): what
/// `erlang:system_flag(min_heap_size | min_bin_vheap_size, Words)` sets. `None` past any heap.
pub fn next_heap_size(words: usize) -> Option<usize> {
    let max = isize::MAX as usize / core::mem::size_of::<Term>();
    if words <= 12 {
        return Some(12);
    }
    let (mut before, mut size, mut index) = (12usize, 38usize, 1);
    while size < words {
        let next = if index < 22 {
            size + before + 1
        } else {
            size + size / 5
        };
        (before, size, index) = (size, next, index + 1);
        if size > max {
            return None;
        }
    }
    Some(size)
}

/// The binary bytes a heap of `limit` words may create between collections.
pub fn bin_limit(limit: usize) -> usize {
    (limit * 8).max(1 << 20)
}

/// Bit flag in a BinRef's buffer word: the buffer is in the literal area.
pub const BIN_LITERAL: u64 = 1;

impl Heap {
    /// An empty heap of the minimum size.
    pub fn new() -> Self {
        Heap {
            // Memory is taken as the heap fills, so idle processes stay small.
            words: Vec::new(),
            bins: Vec::new(),
            limit: MIN_HEAP_WORDS,
            min_heap: ERL_MIN_HEAP_SIZE,
            bin_bytes: 0,
            bin_limit: bin_limit(MIN_HEAP_WORDS),
            gc_at: 0,
            charge: None,
        }
    }

    /// A heap for a term kept outside every process (an ETS object, a held message, a
    /// trace pattern): no minimum heap size, so its first growth is only what the term needs.
    pub fn fragment() -> Self {
        let mut h = Heap::new();
        h.min_heap = 0;
        h
    }

    /// Sets the process's `min_heap_size` (`words`, already one of erl's heap sizes): the heap
    /// gets room for that many words now, as erl's does, and collects no sooner than when it
    /// holds them, now and after every collection. Room the node's budget or the allocator
    /// refuses is an error (the caller's `system_limit`) and changes nothing; so a heap never
    /// grows to its threshold without the account.
    pub fn set_min_heap(&mut self, words: usize) -> Result<(), MemoryError> {
        self.grow_to(words)?;
        self.min_heap = words;
        self.limit = self.limit.max(words);
        self.bin_limit = bin_limit(self.limit);
        self.settle_gc_at();
        Ok(())
    }

    /// Charges this heap to `memory` from now on (what it holds already included).
    pub fn attach(&mut self, memory: &NodeMemory) {
        if let Some(c) = self.charge.take() {
            c.memory.release(c.bytes);
        }
        self.charge = Some(Box::new(Charge {
            memory: memory.clone(),
            bytes: 0,
            stack_bytes: 0,
            queue_bytes: 0,
            refused: None,
            bins_over: false,
        }));
        self.settle();
    }

    /// Makes this heap's charges from now on a kernel process's (`true`: they may take the
    /// kernel's room at the top of the budget, see [`NodeMemory::for_kernel`]) or not.
    pub fn set_kernel(&mut self, kernel: bool) {
        if let Some(c) = &mut self.charge {
            c.memory = c.memory.for_kernel(kernel);
        }
    }

    /// Bytes this heap has charged to its account (its process's stack included).
    pub fn charged(&self) -> usize {
        self.charge.as_ref().map_or(0, |c| c.bytes + c.stack_bytes)
    }

    /// Sets what its process's stack is charged to `words` words' worth of bytes: a growth
    /// only if the budget allows it (`OverBudget` otherwise, charging nothing), a shrink
    /// always. A heap outside any account charges nothing.
    pub fn charge_stack(&mut self, words: usize) -> Result<(), MemoryError> {
        let Some(c) = &mut self.charge else {
            return Ok(());
        };
        let bytes = words.saturating_mul(core::mem::size_of::<Term>());
        if bytes > c.stack_bytes {
            c.memory.try_charge(bytes - c.stack_bytes)?;
        } else {
            c.memory.release(c.stack_bytes - bytes);
        }
        c.stack_bytes = bytes;
        Ok(())
    }

    /// Sets what its process's message queue is charged to `words` words' worth of bytes:
    /// with `room_first`, a growth only if the budget allows it (`OverBudget` otherwise,
    /// charging nothing); without, whatever the budget (the memory is already taken).
    pub fn charge_queue(&mut self, words: usize, room_first: bool) -> Result<(), MemoryError> {
        let Some(c) = &mut self.charge else {
            return Ok(());
        };
        let bytes = words.saturating_mul(core::mem::size_of::<Term>());
        if bytes > c.queue_bytes {
            if room_first {
                c.memory.try_charge(bytes - c.queue_bytes)?;
            } else {
                c.memory.charge(bytes - c.queue_bytes);
            }
        } else {
            c.memory.release(c.queue_bytes - bytes);
        }
        c.queue_bytes = bytes;
        Ok(())
    }

    /// Records a growth that was refused, for the scheduler to report (see
    /// [`Heap::take_refusal`]).
    pub fn note_refusal(&mut self, refusal: OutOfMemory) {
        if let Some(c) = &mut self.charge {
            c.refused = Some(refusal);
        }
    }

    /// The node's memory account this heap charges, for native state its process keeps
    /// outside the heap (a zlib stream's codec).
    pub fn memory_account(&self) -> Option<&NodeMemory> {
        self.charge.as_ref().map(|c| &c.memory)
    }

    /// Charges the buffers from index `from` on to the node's account, if this heap is
    /// attached to one: buffers made without the heap's constructors (a decoded term's).
    pub fn charge_bins_from(&mut self, from: usize) {
        let memory = self.charge.as_ref().map(|c| &c.memory);
        for b in self.bins.iter_mut().skip(from) {
            if let Some(d) = Arc::get_mut(b) {
                let bytes = d.take_bytes();
                d.put_bytes(bytes, memory);
            }
        }
        self.check_bins_charge();
    }

    /// Puts back the bytes of buffer `i` taken out with [`BinData::take_bytes`] to append
    /// to them, charging their growth to the node's account.
    pub fn put_bin_bytes(&mut self, i: usize, bytes: Vec<u8>) {
        let memory = self.charge.as_ref().map(|c| &c.memory);
        if let Some(d) = self.bins.get_mut(i).and_then(Arc::get_mut) {
            d.put_bytes(bytes, memory);
        }
        self.check_bins_charge();
    }

    /// After a binary's charge: if it left the account at or over its budget, the heap asks
    /// for a collection at the next safe point ([`Heap::wants_gc`]), where the process is
    /// refused if the account is still over once its dead binaries are gone
    /// ([`Heap::take_bins_over`]). Without this a process making small binaries between two
    /// collections could take far more than the budget outside its heap (each binary's
    /// buffer and handle), more than the allocator's reserve beyond the budget holds.
    fn check_bins_charge(&mut self) {
        if let Some(c) = &mut self.charge {
            if !c.bins_over && c.memory.left() == Some(0) {
                c.bins_over = true;
                self.bin_limit = 0;
                self.settle_gc_at();
            }
        }
    }

    /// Whether a binary made since the last call found the account at or over its budget
    /// (see [`Heap::check_bins_charge`]); clears it.
    pub fn take_bins_over(&mut self) -> bool {
        self.charge
            .as_mut()
            .is_some_and(|c| core::mem::take(&mut c.bins_over))
    }

    /// Bytes the node's budget has left for this heap's process (`None`: no budget).
    pub fn memory_left(&self) -> Option<usize> {
        self.charge.as_ref().and_then(|c| c.memory.left())
    }

    /// Makes room for `bytes` more in `buf`, a buffer whose size the process's arguments chose
    /// (`binary:copy(B, 1 bsl 40)`, `<<0:(1 bsl 40)>>`), so that a size beyond any memory is an
    /// error for the caller to raise (erl's `system_limit`) instead of an abort of the node:
    /// `OverBudget` when it is more than the node's budget has left for this process,
    /// `AllocationFailed` when the allocator refuses it. Nothing is charged to the account.
    pub fn reserve_output(&self, buf: &mut Vec<u8>, bytes: usize) -> Result<(), MemoryError> {
        if self.memory_left().is_some_and(|left| bytes > left) {
            return Err(MemoryError::OverBudget);
        }
        buf.try_reserve(bytes)
            .map_err(|_| MemoryError::AllocationFailed)
    }

    /// Charges `bytes` of working memory for a BIF this heap's process runs, until the guard
    /// drops (`None`: no account). When the budget cannot hold them the refusal is recorded as
    /// a refused growth is (the scheduler kills the process) and the result is `Err`.
    pub fn charge_temporary(&mut self, bytes: usize) -> Result<Option<TempCharge>, MemoryError> {
        let Some(c) = &mut self.charge else {
            return Ok(None);
        };
        match c.memory.try_charge_temporary(bytes) {
            Ok(g) => Ok(Some(g)),
            Err(e) => {
                let heap_words = self.words.len();
                self.note_refusal(OutOfMemory {
                    heap_words,
                    wanted_words: bytes.div_ceil(core::mem::size_of::<Term>()),
                });
                Err(e)
            }
        }
    }

    /// The growth refused since the last call, if any.
    pub fn take_refusal(&mut self) -> Option<OutOfMemory> {
        self.charge.as_mut().and_then(|c| c.refused.take())
    }

    /// Brings the charge up to date with the capacity of `words` (growth since the last
    /// collection is charged here, whatever the budget: the memory is already taken).
    pub fn settle(&mut self) {
        self.settle_at(self.words.capacity());
    }

    /// Sets the charge to `words` words' worth of bytes, and the buffer handles' vector.
    pub(crate) fn settle_at(&mut self, words: usize) {
        let Some(c) = &mut self.charge else {
            return;
        };
        // The handles' vector grows by doubling as binaries are made: a process holding
        // hundreds of thousands of small binaries holds megabytes of it.
        let words = words.saturating_add(self.bins.capacity());
        let bytes = words.saturating_mul(core::mem::size_of::<Term>());
        if bytes > c.bytes {
            c.memory.charge(bytes - c.bytes);
        } else {
            c.memory.release(c.bytes - bytes);
        }
        c.bytes = bytes;
    }

    /// Gives `v` (a word vector taken out of this heap while `others` words stay held by its
    /// other vectors) room for `total` words, if the account and the allocator allow it;
    /// otherwise leaves `v` as it was. The charge covers `v` and `others` afterwards.
    pub fn grow_words(
        &mut self,
        v: &mut Vec<Term>,
        total: usize,
        others: usize,
    ) -> Result<(), MemoryError> {
        let word = core::mem::size_of::<Term>();
        self.settle_at(others.saturating_add(v.capacity()));
        if v.capacity() >= total {
            return Ok(());
        }
        let extra = (total - v.capacity())
            .checked_mul(word)
            .ok_or(MemoryError::OverBudget)?;
        if let Some(c) = &mut self.charge {
            c.memory.try_charge(extra)?;
            c.bytes += extra;
        }
        let grown = v.try_reserve_exact(total - v.len());
        self.settle_at(others.saturating_add(v.capacity()));
        grown.map_err(|_| MemoryError::AllocationFailed)
    }

    /// Whether the heap has passed its collection threshold (its binaries aside): the cheap
    /// test a return's fast path makes.
    #[inline]
    pub fn over_limit(&self) -> bool {
        self.words.len() > self.limit
    }

    /// Whether a safe point should collect before allocating `need` more words (or because
    /// of the binaries made since the last collection).
    #[inline]
    pub fn wants_gc(&self, need: usize) -> bool {
        self.words.len() + need > self.gc_at
    }

    /// The collection threshold in words.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Sets the collection threshold in words.
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
        self.settle_gc_at();
    }

    /// Makes the next safe point collect (`erlang:garbage_collect/0,1`).
    pub fn collect_soon(&mut self) {
        self.set_limit(0);
    }

    /// The thresholds a collection leaves: `limit` words, binaries in proportion, none made.
    pub fn after_collection(&mut self, limit: usize) {
        self.limit = limit;
        self.bin_limit = bin_limit(limit);
        self.bin_bytes = 0;
        self.settle_gc_at();
    }

    /// Brings `gc_at` in line with the thresholds, the binaries made and the vector's
    /// capacity (a safe point short of room grows the vector, see [`Heap::fit`]).
    fn settle_gc_at(&mut self) {
        self.gc_at = if self.bin_bytes > self.bin_limit {
            0
        } else {
            self.limit
                .min(self.words.capacity().saturating_sub(STRAIGHT_LINE_WORDS))
        };
    }

    /// The words a heap holds room for between collections: its threshold and an eighth
    /// more, for what an instruction or a BIF builds past the threshold before the next
    /// safe point looks.
    pub fn room(&self) -> usize {
        self.limit.saturating_add(self.limit / 8)
    }

    /// The capacity to grow to when the vector is `need` words short: doubling from erl's
    /// minimum heap size up to the heap's [`Heap::room`] while the words fit under the
    /// threshold (a collection comes before more is needed), and by half past it (a process
    /// that waits takes messages past its threshold and collects only when it runs). Growth
    /// past the room would be copied once more by the collection that follows, and its
    /// freed blocks would stay in the allocator as holes.
    pub fn next_size(&self, need: usize) -> usize {
        let cap = self.words.capacity();
        let want = self.words.len().saturating_add(need);
        let room = self.room();
        if want <= room {
            want.max(cap.saturating_mul(2).max(self.min_heap).min(room))
        } else {
            want.max(cap.saturating_add(cap / 2))
        }
    }

    /// Grows the heap's own vector to `total` words through [`Heap::grow_words`] (the node's
    /// account, then the allocator); a refusal leaves it as it was.
    pub fn grow_to(&mut self, total: usize) -> Result<(), MemoryError> {
        let mut held = core::mem::take(&mut self.words);
        let grown = self.grow_words(&mut held, total, 0);
        self.words = held;
        self.settle_gc_at();
        grown
    }

    /// At a safe point that [`Heap::wants_gc`]`(need)`: makes room for `need` more words
    /// without a collection when only the vector's capacity is short (the words stay under
    /// the threshold and the binaries under theirs). False when a collection is due, or the
    /// growth was refused (a collection then frees what it can).
    pub fn fit(&mut self, need: usize) -> bool {
        let want = self.words.len().saturating_add(need);
        if self.bin_bytes > self.bin_limit || want > self.limit {
            return false;
        }
        let need = need.saturating_add(STRAIGHT_LINE_WORDS);
        if self.words.capacity() - self.words.len() >= need {
            // The vector grew on its own since `gc_at` was set (a BIF's result).
            self.settle_gc_at();
            return true;
        }
        self.grow_to(self.next_size(need)).is_ok()
    }

    /// A reader over this heap and the literal area.
    #[inline]
    pub fn view<'a>(&'a self, lits: &'a Literals) -> View<'a> {
        View {
            heap: &self.words,
            bins: &self.bins,
            lits,
        }
    }

    /// Builds a cons cell.
    #[inline]
    pub fn cons(&mut self, head: Term, tail: Term) -> Term {
        let off = self.words.len();
        self.words.push(head);
        self.words.push(tail);
        Term::cons_ptr(off)
    }

    /// Head and tail of a cons cell on this heap or in `lits` (the caller checks `is_cons`),
    /// as [`View::cons`] reads them: inlined always, for the interpreter's fast loop.
    #[inline(always)]
    pub fn head_tail(&self, lits: &Literals, t: Term) -> (Term, Term) {
        let a: &[Term] = if t.is_literal() {
            &lits.words
        } else {
            &self.words
        };
        let o = t.offset();
        // One bounds check for the pair, not one per word.
        match a.get(o..o.wrapping_add(2)) {
            Some(&[h, t]) => (h, t),
            _ => bad_cell(o, a.len()),
        }
    }

    /// Builds a tuple.
    pub fn tuple(&mut self, elems: &[Term]) -> Term {
        let off = self.words.len();
        self.words.push(Term(header(Kind::Tuple, elems.len())));
        self.words.extend_from_slice(elems);
        Term::boxed_ptr(off)
    }

    /// Builds a tuple of `arity` copies of `fill` and returns it with its element offset.
    pub fn tuple_filled(&mut self, arity: usize, fill: Term) -> Term {
        let off = self.words.len();
        self.words.push(Term(header(Kind::Tuple, arity)));
        self.words.resize(off + 1 + arity, fill);
        Term::boxed_ptr(off)
    }

    /// Builds a proper list from `elems`, ending in `tail`.
    pub fn list_with_tail(&mut self, elems: &[Term], tail: Term) -> Term {
        let mut l = tail;
        for &e in elems.iter().rev() {
            l = self.cons(e, l);
        }
        l
    }

    /// Builds a proper list.
    pub fn list(&mut self, elems: &[Term]) -> Term {
        self.list_with_tail(elems, Term::NIL)
    }

    /// Builds a string (a list of character codes).
    pub fn string(&mut self, s: &str) -> Term {
        let chars: Vec<Term> = s.chars().map(|c| Term::small(c as i64)).collect();
        self.list(&chars)
    }

    /// Builds a list of bytes.
    pub fn byte_list(&mut self, bytes: &[u8]) -> Term {
        let mut l = Term::NIL;
        for &b in bytes.iter().rev() {
            l = self.cons(Term::small(b as i64), l);
        }
        l
    }

    /// Builds a float.
    pub fn float(&mut self, f: f64) -> Term {
        let off = self.words.len();
        self.words.push(Term(header(Kind::Float, 1)));
        self.words.push(Term(f.to_bits()));
        Term::boxed_ptr(off)
    }

    /// An integer term: small if it fits, else a bignum.
    pub fn int(&mut self, v: i64) -> Term {
        match Term::try_small(v) {
            Some(t) => t,
            None => self.int128(v as i128),
        }
    }

    /// An integer term from an `i128`: small if it fits, else a bignum of one or two limbs
    /// written directly (no `BigInt` in between).
    pub fn int128(&mut self, v: i128) -> Term {
        if let Some(t) = i64::try_from(v).ok().and_then(Term::try_small) {
            return t;
        }
        let m = v.unsigned_abs();
        let (lo, hi) = (m as u64, (m >> 64) as u64);
        let kind = if v < 0 { Kind::NegBig } else { Kind::PosBig };
        let off = self.words.len();
        self.words
            .push(Term(header(kind, if hi == 0 { 1 } else { 2 })));
        self.words.push(Term(lo));
        if hi != 0 {
            self.words.push(Term(hi));
        }
        Term::boxed_ptr(off)
    }

    /// An integer term from a `BigInt`, normalised to a small integer when it fits.
    pub fn bigint(&mut self, v: &BigInt) -> Term {
        if let Ok(i) = i64::try_from(v) {
            if let Some(t) = Term::try_small(i) {
                return t;
            }
        }
        let (sign, digits) = v.to_u64_digits();
        let kind = if sign == Sign::Minus {
            Kind::NegBig
        } else {
            Kind::PosBig
        };
        let off = self.words.len();
        self.words.push(Term(header(kind, digits.len())));
        self.words.extend(digits.into_iter().map(Term));
        Term::boxed_ptr(off)
    }

    /// `process_info(P, binary)`'s entries: `[Id, Size, RefCount]` of each buffer of more
    /// than 64 bytes this heap holds a handle to (erl keeps smaller binaries on the process
    /// heap and lists only shared ones); the id is the buffer's address (its low 48 bits),
    /// the count the heaps and tables that hold it. An error when the list cannot be
    /// allocated.
    pub fn shared_binaries(&self) -> Result<Vec<[u64; 3]>, OutOfMemory> {
        let shared = |b: &&BinBuf| b.len() > 64;
        let n = self.bins.iter().filter(shared).count();
        let mut out = Vec::new();
        out.try_reserve_exact(n).map_err(|_| OutOfMemory {
            heap_words: self.words.len(),
            wanted_words: self.words.len().saturating_add(n.saturating_mul(3)),
        })?;
        for b in self.bins.iter().filter(shared) {
            let id = (Arc::as_ptr(b) as usize as u64) & ((1 << 48) - 1);
            out.push([id, b.len() as u64, Arc::strong_count(b) as u64]);
        }
        Ok(out)
    }

    /// A new binary owning `bytes`, `bits` long (`bits <= 8 * bytes.len()`).
    pub fn binary_bits(&mut self, bytes: Vec<u8>, bits: usize) -> Term {
        self.bin_bytes += bytes.len();
        self.settle_gc_at();
        let idx = self.bins.len();
        let data = BinData::charged(bytes, self.memory_account());
        let room = self.bins.capacity();
        self.bins.push(Arc::new(data));
        if self.bins.capacity() != room {
            self.settle();
        }
        self.check_bins_charge();
        self.bin_ref((idx as u64) << 1, 0, bits)
    }

    /// A new binary owning `bytes`.
    pub fn binary(&mut self, bytes: Vec<u8>) -> Term {
        let bits = bytes.len() * 8;
        self.binary_bits(bytes, bits)
    }

    /// A binary term over an existing buffer (`buf_word` as stored in BinRef objects).
    pub fn bin_ref(&mut self, buf_word: u64, bit_offset: usize, bit_len: usize) -> Term {
        let off = self.words.len();
        // One check for room instead of one per word.
        self.words.extend_from_slice(&[
            Term(header(Kind::BinRef, 3)),
            Term(buf_word),
            Term(bit_offset as u64),
            Term(bit_len as u64),
        ]);
        Term::boxed_ptr(off)
    }

    /// A match context over a buffer, positioned at `start`, ending at `end` (bits).
    pub fn match_ctx(&mut self, buf_word: u64, start: usize, end: usize) -> Term {
        let off = self.words.len();
        self.words.push(Term(header(Kind::MatchCtx, 4)));
        self.words.push(Term(buf_word));
        self.words.push(Term(start as u64));
        self.words.push(Term(end as u64));
        self.words.push(Term(start as u64));
        Term::boxed_ptr(off)
    }

    /// Builds a map from pairs already sorted by key (term order) with no duplicate keys.
    pub fn map_sorted(&mut self, pairs: &[(Term, Term)]) -> Term {
        let off = self.words.len();
        self.words.push(Term(header(Kind::Map, 2 * pairs.len())));
        for &(k, v) in pairs {
            self.words.push(k);
            self.words.push(v);
        }
        Term::boxed_ptr(off)
    }

    /// Builds a local fun object: `fun_id` names the module and lambda, `free` its environment.
    pub fn fun(&mut self, fun_id: u64, free: &[Term]) -> Term {
        let off = self.words.len();
        self.words.push(Term(header(Kind::Fun, 1 + free.len())));
        self.words.push(Term::small(fun_id as i64));
        self.words.extend_from_slice(free);
        Term::boxed_ptr(off)
    }

    /// Builds an external fun `fun M:F/A`.
    pub fn export_fun(&mut self, module: Term, function: Term, arity: u32) -> Term {
        self.tuple_kind(Kind::Export, &[module, function, Term::small(arity as i64)])
    }

    /// Builds a reference.
    pub fn reference(&mut self, number: u64) -> Term {
        let off = self.words.len();
        self.words.push(Term(header(Kind::Ref, 1)));
        self.words.push(Term(number));
        Term::boxed_ptr(off)
    }

    fn tuple_kind(&mut self, kind: Kind, elems: &[Term]) -> Term {
        let off = self.words.len();
        self.words.push(Term(header(kind, elems.len())));
        self.words.extend_from_slice(elems);
        Term::boxed_ptr(off)
    }

    /// Copies the tuple `tuple` (on this heap or in `lits`) with element `index` (0-based)
    /// replaced by `value`, or `None` when `tuple` is not a tuple or `index` is out of range.
    ///
    /// The words are copied in place rather than through a temporary vector: `setelement/3`
    /// runs on hot paths and a heap allocation per call is costly under a first-fit allocator.
    pub fn tuple_with(
        &mut self,
        lits: &Literals,
        tuple: Term,
        index: usize,
        value: Term,
    ) -> Option<Term> {
        let arity = self.view(lits).tuple(tuple)?.len();
        if index >= arity {
            return None;
        }
        let from = tuple.offset();
        let off = self.words.len();
        self.copy_words(lits, tuple, from..from + 1 + arity);
        self.words[off + 1 + index] = value;
        Some(Term::boxed_ptr(off))
    }

    /// Appends the words `range` of the area `t` points into (this heap, or the literal area
    /// when `t` is a literal pointer): copies part of an object without a temporary vector.
    pub fn copy_words(&mut self, lits: &Literals, t: Term, range: core::ops::Range<usize>) {
        if t.is_literal() {
            self.words.extend_from_slice(&lits.words[range]);
        } else {
            self.words.extend_from_within(range);
        }
    }

    /// Overwrites element `index` (0-based) of a tuple on this heap (not the literal area).
    pub fn set_tuple_element(&mut self, tuple: Term, index: usize, value: Term) {
        if !tuple.is_literal() {
            self.words[tuple.offset() + 1 + index] = value;
        }
    }
}

/// An integer read from a term.
#[derive(Clone, Debug, PartialEq)]
pub enum Int {
    /// A small integer.
    Small(i64),
    /// A bignum.
    Big(BigInt),
}

impl Int {
    /// As a `BigInt`.
    pub fn to_big(&self) -> BigInt {
        match self {
            Int::Small(v) => BigInt::from(*v),
            Int::Big(b) => b.clone(),
        }
    }
}

/// A binary's bits: `bit_len` bits of `data` starting at bit `bit_offset`.
#[derive(Clone, Copy, Debug)]
pub struct BinSlice<'a> {
    /// The whole underlying buffer.
    pub data: &'a [u8],
    /// Start, in bits from the start of `data`.
    pub bit_offset: usize,
    /// Length in bits.
    pub bit_len: usize,
}

impl<'a> BinSlice<'a> {
    /// The bytes when the slice is byte-aligned and a whole number of bytes.
    pub fn bytes(&self) -> Option<&'a [u8]> {
        if self.bit_offset.is_multiple_of(8) && self.bit_len.is_multiple_of(8) {
            let s = self.bit_offset / 8;
            Some(&self.data[s..s + self.bit_len / 8])
        } else {
            None
        }
    }

    /// Bit `i` of the slice (0 is the most significant bit of the first byte).
    #[inline]
    pub fn bit(&self, i: usize) -> u8 {
        let b = self.bit_offset + i;
        (self.data[b / 8] >> (7 - (b % 8))) & 1
    }

    /// Copies the bits out as [`BinSlice::to_vec`] does, into a buffer the allocator may
    /// refuse (`None`): for copies whose size is the program's choice.
    pub fn try_to_vec(&self) -> Option<Vec<u8>> {
        let n = self.bit_len.div_ceil(8);
        let mut out = Vec::new();
        out.try_reserve_exact(n).ok()?;
        match self.bytes() {
            Some(b) => out.extend_from_slice(b),
            None => {
                out.resize(n, 0);
                copy_bits(self.data, self.bit_offset, &mut out, 0, self.bit_len);
            }
        }
        Some(out)
    }

    /// Copies the bits out, left-aligned: whole bytes then a final partial byte (high bits).
    pub fn to_vec(&self) -> Vec<u8> {
        if let Some(b) = self.bytes() {
            return b.to_vec();
        }
        let mut out = vec![0u8; self.bit_len.div_ceil(8)];
        copy_bits(self.data, self.bit_offset, &mut out, 0, self.bit_len);
        out
    }
}

/// Copies `len` bits from `src` at bit `src_off` into `dst` at bit `dst_off` (MSB first).
pub fn copy_bits(src: &[u8], src_off: usize, dst: &mut [u8], dst_off: usize, len: usize) {
    if src_off.is_multiple_of(8) && dst_off.is_multiple_of(8) {
        let n = len / 8;
        dst[dst_off / 8..dst_off / 8 + n].copy_from_slice(&src[src_off / 8..src_off / 8 + n]);
        for i in n * 8..len {
            set_bit(dst, dst_off + i, get_bit(src, src_off + i));
        }
        return;
    }
    for i in 0..len {
        set_bit(dst, dst_off + i, get_bit(src, src_off + i));
    }
}

#[inline]
fn get_bit(d: &[u8], i: usize) -> u8 {
    (d[i / 8] >> (7 - (i % 8))) & 1
}

#[inline]
fn set_bit(d: &mut [u8], i: usize, v: u8) {
    let m = 1u8 << (7 - (i % 8));
    if v != 0 {
        d[i / 8] |= m;
    } else {
        d[i / 8] &= !m;
    }
}

/// A read-only view of a process heap together with the literal area.
#[derive(Clone, Copy)]
pub struct View<'a> {
    /// The process heap words.
    pub heap: &'a [Term],
    /// The process's binary buffers.
    pub bins: &'a [BinBuf],
    /// The shared literal area.
    pub lits: &'a Literals,
}

impl<'a> View<'a> {
    /// The word area a pointer refers into.
    #[inline]
    pub fn area(&self, t: Term) -> &'a [Term] {
        if t.is_literal() {
            &self.lits.words
        } else {
            self.heap
        }
    }

    /// The header word of a boxed term.
    #[inline]
    pub fn header(&self, t: Term) -> u64 {
        self.area(t)[t.offset()].0
    }

    /// The kind of a boxed term (`None` for non-boxed terms).
    #[inline]
    pub fn kind(&self, t: Term) -> Option<Kind> {
        if t.is_boxed() {
            header_kind(self.header(t))
        } else {
            None
        }
    }

    /// The words after a boxed term's header.
    #[inline]
    pub fn payload(&self, t: Term) -> &'a [Term] {
        let a = self.area(t);
        let o = t.offset();
        let n = header_size(a[o].0);
        &a[o + 1..o + 1 + n]
    }

    /// Head and tail of a cons cell (the caller checks `is_cons`).
    #[inline]
    pub fn cons(&self, t: Term) -> (Term, Term) {
        let a = self.area(t);
        let o = t.offset();
        (a[o], a[o + 1])
    }

    /// The elements of a tuple.
    #[inline]
    pub fn tuple(&self, t: Term) -> Option<&'a [Term]> {
        if self.kind(t) == Some(Kind::Tuple) {
            Some(self.payload(t))
        } else {
            None
        }
    }

    /// Whether `t` is a tuple.
    #[inline]
    pub fn is_tuple(&self, t: Term) -> bool {
        self.kind(t) == Some(Kind::Tuple)
    }

    /// The value of a float term.
    #[inline]
    pub fn float(&self, t: Term) -> Option<f64> {
        if self.kind(t) == Some(Kind::Float) {
            Some(f64::from_bits(self.payload(t)[0].0))
        } else {
            None
        }
    }

    /// Whether `t` is a bignum.
    #[inline]
    pub fn is_big(&self, t: Term) -> bool {
        matches!(self.kind(t), Some(Kind::PosBig | Kind::NegBig))
    }

    /// Whether `t` is an integer (small or big).
    #[inline]
    pub fn is_integer(&self, t: Term) -> bool {
        t.is_small() || self.is_big(t)
    }

    /// Whether `t` is a number.
    #[inline]
    pub fn is_number(&self, t: Term) -> bool {
        t.is_small()
            || matches!(
                self.kind(t),
                Some(Kind::PosBig | Kind::NegBig | Kind::Float)
            )
    }

    /// A bignum's value.
    pub fn big(&self, t: Term) -> Option<BigInt> {
        let sign = match self.kind(t)? {
            Kind::PosBig => Sign::Plus,
            Kind::NegBig => Sign::Minus,
            _ => return None,
        };
        let limbs = self.payload(t);
        let mut digits = Vec::with_capacity(limbs.len() * 2);
        for l in limbs {
            digits.push(l.0 as u32);
            digits.push((l.0 >> 32) as u32);
        }
        Some(BigInt::from_biguint(sign, BigUint::new(digits)))
    }

    /// An integer's value when it fits an `i128` (small integers and bignums of up to two
    /// limbs below 2^127), without building a `BigInt`.
    pub fn int128(&self, t: Term) -> Option<i128> {
        if t.is_small() {
            return Some(t.small_value() as i128);
        }
        let neg = match self.kind(t)? {
            Kind::PosBig => false,
            Kind::NegBig => true,
            _ => return None,
        };
        let m = match self.payload(t) {
            [lo] => lo.0 as u128,
            [lo, hi] => (hi.0 as u128) << 64 | lo.0 as u128,
            _ => return None,
        };
        let m = i128::try_from(m).ok()?;
        Some(if neg { -m } else { m })
    }

    /// An integer's value.
    pub fn int(&self, t: Term) -> Option<Int> {
        if t.is_small() {
            Some(Int::Small(t.small_value()))
        } else {
            self.big(t).map(Int::Big)
        }
    }

    /// A number as a float (integers converted; `None` for non-numbers).
    pub fn number_f64(&self, t: Term) -> Option<f64> {
        if t.is_small() {
            return Some(t.small_value() as f64);
        }
        if let Some(f) = self.float(t) {
            return Some(f);
        }
        self.big(t).map(|b| super::num::big_to_f64(&b))
    }

    /// The raw words of a BinRef (buffer word, bit offset, bit length).
    #[inline]
    pub fn bin_ref(&self, t: Term) -> Option<(u64, usize, usize)> {
        if !t.is_boxed() {
            return None;
        }
        // One look at the area for the kind and the words (every binary operation starts
        // here): a BinRef's header is known in its low byte, and its payload is three words.
        let a = self.area(t);
        let o = t.offset();
        if a[o].0 & 0xff != header(Kind::BinRef, 0) {
            return None;
        }
        let p = &a[o + 1..o + 4];
        Some((p[0].0, p[1].0 as usize, p[2].0 as usize))
    }

    /// The buffer a BinRef buffer word names.
    #[inline]
    pub fn buffer(&self, buf_word: u64) -> &'a [u8] {
        let i = (buf_word >> 1) as usize;
        if buf_word & BIN_LITERAL != 0 {
            &self.lits.bins[i]
        } else {
            &self.bins[i]
        }
    }

    /// A bitstring's bits.
    pub fn binary(&self, t: Term) -> Option<BinSlice<'a>> {
        let (w, off, len) = self.bin_ref(t)?;
        Some(BinSlice {
            data: self.buffer(w),
            bit_offset: off,
            bit_len: len,
        })
    }

    /// Whether `t` is a bitstring (binary or not byte-sized).
    #[inline]
    pub fn is_bitstring(&self, t: Term) -> bool {
        self.kind(t) == Some(Kind::BinRef)
    }

    /// Whether `t` is a binary (a whole number of bytes).
    #[inline]
    pub fn is_binary(&self, t: Term) -> bool {
        matches!(self.bin_ref(t), Some((_, _, len)) if len.is_multiple_of(8))
    }

    /// The bytes of a byte-aligned whole binary (copying if unaligned; `None` too when the
    /// allocator refuses that copy).
    pub fn binary_bytes(&self, t: Term) -> Option<alloc::borrow::Cow<'a, [u8]>> {
        let s = self.binary(t)?;
        if !s.bit_len.is_multiple_of(8) {
            return None;
        }
        Some(match s.bytes() {
            Some(b) => alloc::borrow::Cow::Borrowed(b),
            None => alloc::borrow::Cow::Owned(s.try_to_vec()?),
        })
    }

    /// The pairs of a map, sorted by key.
    pub fn map_pairs(&self, t: Term) -> Option<&'a [Term]> {
        if self.kind(t) == Some(Kind::Map) {
            Some(self.payload(t))
        } else {
            None
        }
    }

    /// Whether `t` is a map (small or large).
    #[inline]
    pub fn is_map(&self, t: Term) -> bool {
        matches!(self.kind(t), Some(Kind::Map | Kind::TreeMap))
    }

    /// The number of pairs in a map.
    pub fn map_size(&self, t: Term) -> Option<usize> {
        match self.kind(t)? {
            Kind::Map => Some(self.payload(t).len() / 2),
            Kind::TreeMap => Some(self.payload(t)[0].small_value() as usize),
            _ => None,
        }
    }

    /// Whether erl would hold this map as a hash trie (more than 32 pairs): such maps iterate
    /// in hash order (see [`maphash`](super::maphash)) rather than key order.
    pub fn map_is_hashed(&self, t: Term) -> bool {
        self.map_size(t)
            .is_some_and(|n| n > super::bigmap::FLATMAP_MAX)
    }

    /// A map's pairs in iteration order (copied out; works for both layouts): key order for
    /// small maps, erl's hash-trie order for large ones.
    pub fn map_entries(&self, t: Term) -> Option<Vec<(Term, Term)>> {
        match self.kind(t)? {
            Kind::Map => {
                let mut e: Vec<(Term, Term)> =
                    self.payload(t).chunks(2).map(|c| (c[0], c[1])).collect();
                if e.len() > super::bigmap::FLATMAP_MAX {
                    // A large map that arrived flat (a literal, binary_to_term): positions
                    // found once each, ties in key order refined by deeper hashes.
                    let mut keyed: Vec<(u32, Term, Term)> = e
                        .iter()
                        .map(|&(k, x)| (super::maphash::key_position(self, k), k, x))
                        .collect();
                    crate::sort::sort_by_key(&mut keyed, |p| p.0);
                    super::maphash::order_collisions(self, &mut keyed, |p| p.0, |p| p.1);
                    e = keyed.into_iter().map(|(_, k, x)| (k, x)).collect();
                }
                Some(e)
            }
            Kind::TreeMap => {
                let mut out = Vec::with_capacity(self.payload(t)[0].small_value() as usize);
                super::bigmap::in_order(self, self.payload(t)[1], &mut out);
                Some(out)
            }
            _ => None,
        }
    }

    /// Whether `t` is a fun (local or external).
    #[inline]
    pub fn is_fun(&self, t: Term) -> bool {
        matches!(self.kind(t), Some(Kind::Fun | Kind::Export))
    }

    /// Whether `t` is a reference.
    #[inline]
    pub fn is_ref(&self, t: Term) -> bool {
        self.kind(t) == Some(Kind::Ref)
    }

    /// Collects a proper list's elements (`None` if improper).
    pub fn list_to_vec(&self, mut t: Term) -> Option<Vec<Term>> {
        let mut v = Vec::new();
        while t.is_cons() {
            let (h, tl) = self.cons(t);
            v.push(h);
            t = tl;
        }
        if t.is_nil() {
            Some(v)
        } else {
            None
        }
    }

    /// A proper list's length (`None` if improper).
    pub fn list_len(&self, mut t: Term) -> Option<usize> {
        let mut n = 0;
        while t.is_cons() {
            n += 1;
            t = self.cons(t).1;
        }
        if t.is_nil() {
            Some(n)
        } else {
            None
        }
    }
}

/// A cons cell's offset outside its area: a broken invariant (terms are made by the heap).
#[cold]
#[inline(never)]
fn bad_cell(o: usize, len: usize) -> ! {
    panic!("cons cell at {o} outside an area of {len} words")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output buffer fits in what the node's budget has left and the allocator gives;
    /// past either the caller gets the error it raises as `system_limit`.
    #[test]
    fn reserve_output_stops_at_the_budget_and_the_allocator() {
        let mut h = Heap::new();
        let mut buf = vec![7u8];
        assert_eq!(h.reserve_output(&mut buf, 1 << 20), Ok(()));
        assert!(buf.capacity() > 1 << 20);
        assert_eq!(
            h.reserve_output(&mut Vec::new(), usize::MAX),
            Err(MemoryError::AllocationFailed)
        );
        let memory = NodeMemory::unlimited();
        h.attach(&memory);
        memory.set_budget(memory.used() + 4096);
        let left = h.memory_left().unwrap();
        assert_eq!(h.reserve_output(&mut Vec::new(), left), Ok(()));
        assert_eq!(
            h.reserve_output(&mut Vec::new(), left + 1),
            Err(MemoryError::OverBudget)
        );
        assert_eq!(buf, [7]);
    }

    #[test]
    fn build_and_read() {
        let lits = Literals::default();
        let mut h = Heap::new();
        let f = h.float(3.5);
        let l = h.list(&[Term::small(1), f]);
        let t = h.tuple(&[l, Term::NIL]);
        let big = h.bigint(&(BigInt::from(1) << 100));
        let b = h.binary(vec![1, 2, 3]);
        let v = h.view(&lits);
        let elems = v.tuple(t).unwrap();
        assert_eq!(elems.len(), 2);
        let items = v.list_to_vec(elems[0]).unwrap();
        assert_eq!(items[0], Term::small(1));
        assert_eq!(v.float(items[1]), Some(3.5));
        assert_eq!(v.big(big), Some(BigInt::from(1) << 100));
        assert_eq!(v.binary(b).unwrap().bytes(), Some(&[1u8, 2, 3][..]));
        assert!(h.bigint(&BigInt::from(5)).is_small());
    }

    #[test]
    fn int128_writes_what_bigint_writes() {
        let lits = Literals::default();
        let s = 1i128 << 59;
        let cases = [
            0,
            s - 1,
            s,
            -s,
            -s - 1,
            i64::MAX as i128,
            i64::MIN as i128,
            u64::MAX as i128,
            u64::MAX as i128 + 1,
            -(u64::MAX as i128) - 1,
            i128::MAX,
            i128::MIN + 1,
        ];
        for v in cases {
            let mut a = Heap::new();
            let mut b = Heap::new();
            let ta = a.int128(v);
            let tb = b.bigint(&BigInt::from(v));
            assert_eq!(a.words, b.words, "{v}");
            assert_eq!(ta, tb, "{v}");
            assert_eq!(a.view(&lits).int128(ta), Some(v), "{v}");
        }
        let mut h = Heap::new();
        let big = h.bigint(&(BigInt::from(1) << 127));
        assert_eq!(h.view(&lits).int128(big), None);
    }

    #[test]
    fn tuple_with_copies_and_replaces() {
        let mut lits = Literals::default();
        // A literal {a, b, c} made of small integers 1, 2, 3.
        lits.words.push(Term(header(Kind::Tuple, 3)));
        lits.words
            .extend_from_slice(&[Term::small(1), Term::small(2), Term::small(3)]);
        let lit = Term::boxed_ptr(0).into_literal();
        let mut h = Heap::new();
        h.cons(Term::NIL, Term::NIL);
        let first = h.tuple_with(&lits, lit, 0, Term::small(9)).unwrap();
        let last = h.tuple_with(&lits, first, 2, Term::small(7)).unwrap();
        assert_eq!(h.tuple_with(&lits, lit, 3, Term::NIL), None);
        assert_eq!(h.tuple_with(&lits, Term::small(1), 0, Term::NIL), None);
        let empty = h.tuple(&[]);
        assert_eq!(h.tuple_with(&lits, empty, 0, Term::NIL), None);
        let v = h.view(&lits);
        let s = |a: &[i64]| a.iter().map(|&n| Term::small(n)).collect::<Vec<_>>();
        assert_eq!(v.tuple(lit).unwrap(), &s(&[1, 2, 3])[..]);
        assert_eq!(v.tuple(first).unwrap(), &s(&[9, 2, 3])[..]);
        assert_eq!(v.tuple(last).unwrap(), &s(&[9, 2, 7])[..]);
    }

    #[test]
    fn bit_copy() {
        let src = [0b1011_0011u8, 0b0101_0101];
        let mut dst = [0u8; 2];
        copy_bits(&src, 3, &mut dst, 0, 9);
        assert_eq!(dst, [0b1001_1010, 0b1000_0000]);
    }
}
