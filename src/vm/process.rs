//! A process's execution state: heap, stack, registers, reductions, dictionary.
//!
//! The stack holds Y registers and return addresses (continuation pointers) like OTP 24+: a call
//! pushes its return address, `allocate` pushes Y slots on top of it, and `y(i)` is
//! `stack[len - 1 - i]`. Catch markers live in Y slots. Everything the collector must see is
//! listed by [`Process::collect`].

use alloc::vec::Vec;

use super::gc::{self, GcError};
use super::heap::{erl_heap_size, Heap};
use super::mailbox::Mailbox;
use super::maxheap::{HeapReport, MaxHeap};
use super::memory::{MemoryError, OutOfMemory};
use super::term::Term;

/// Words a heap reservation for a BIF's result ([`Process::reserve_words`]) adds beyond what
/// it was asked for: more than the `test_heap` of any instruction sequence around a call.
pub const RESERVE_SLACK: usize = 1024;

/// Number of X registers.
pub const X_REGS: usize = 1024;
/// Number of float registers.
pub const F_REGS: usize = 256;
/// Reductions per time slice.
pub const SLICE_REDUCTIONS: i32 = 1000;
/// Stack words every process starts with, not charged to the node's memory account (like the
/// process structure itself); growth beyond them is ([`Process::grow_stack`]).
pub const STACK_FREE_WORDS: usize = 256;
/// Stack words kept free beyond [`Process::max_stack`]: a frame is checked against the
/// checkpoint before it is pushed, but a return address or two may be pushed after a check
/// (a call's), and they must never make the vector grow on its own: an allocation that
/// cannot fail gracefully would take the node down (in the image, the domain) instead of the
/// process.
pub const STACK_SLACK: usize = 8;
/// erl's default `min_bin_vheap_size` in words: the smallest binary virtual heap it gives.
pub const ERL_MIN_BIN_VHEAP_SIZE: usize = 46_422;

/// Bytes a process holds, as the memory BIFs report them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryUse {
    /// Its heap at its heap size (see [`Process::heap_size`]), and its stack, registers,
    /// mailbox, dictionary and structure as allocated: `process_info(P, memory)`, as erl
    /// counts a process; a share of `memory(processes_used)`.
    pub held: usize,
    /// What its heap holds past its heap size: room reserved up to the collection threshold
    /// and the to-space kept for the next collection (the node's memory account charges it);
    /// with `held`, a share of `memory(processes)`.
    pub room: usize,
    /// Its share of the off-heap binary buffers its heap references (`memory(binary)`).
    pub binary: usize,
}

impl core::ops::Add for MemoryUse {
    type Output = MemoryUse;
    fn add(self, o: MemoryUse) -> MemoryUse {
        MemoryUse {
            held: self.held + o.held,
            room: self.room + o.room,
            binary: self.binary + o.binary,
        }
    }
}

/// Collections done and heap words they freed (erl's `statistics(garbage_collection)`
/// counts), kept by a process until the node adds them to its totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GcTally {
    /// Collections.
    pub collections: u64,
    /// Heap words in use before a collection and not after it, summed.
    pub words_reclaimed: u64,
}

impl core::ops::AddAssign for GcTally {
    fn add_assign(&mut self, o: GcTally) {
        self.collections += o.collections;
        self.words_reclaimed += o.words_reclaimed;
    }
}

/// One Erlang process.
#[derive(Debug)]
pub struct Process {
    /// This process's pid.
    pub pid: Term,
    /// The heap.
    pub heap: Heap,
    /// Y registers and return addresses.
    pub stack: Vec<Term>,
    /// The live X registers while the process is not running. While it runs they are in the
    /// node's register file ([`Vm::regs`](super::interp::Vm::regs)), as in erl, so an idle
    /// process keeps only what it needs.
    pub x: Vec<Term>,
    /// Float registers.
    pub f: Vec<f64>,
    /// Module of the next instruction.
    pub module: u32,
    /// Index of the next instruction.
    pub pc: u32,
    /// Reductions left in this slice.
    pub reductions: i32,
    /// The process dictionary.
    pub dict: super::dict::Dict,
    /// Stack depth in words up to which calls and frames need no check: the stack's capacity
    /// as last charged to the node's memory account. Past it, a call grows the stack through
    /// [`Process::grow_stack`], which asks the account (the stack is memory like the heap, so
    /// a deep recursion fails its process, never the node) and checks `max_heap_size`.
    pub max_stack: usize,
    /// Received messages (terms on this process's heap) and the state of the receive that
    /// reads them: save position and timer flags.
    pub mailbox: Mailbox,
    /// Its `max_heap_size` (set with [`Process::set_max_heap`]).
    pub max_heap: MaxHeap,
    /// Reports of collections that found the heap over `max_heap`, for the node to print.
    pub heap_reports: Vec<HeapReport>,
    /// Its `min_bin_vheap_size` in words, one of erl's heap sizes: set and reported as erl
    /// does, but binaries are not collected by a virtual heap here, so it changes nothing.
    pub min_bin_vheap: usize,
    /// Marked `sensitive` (`process_flag/2`): `process_info` shows no messages, dictionary
    /// or backtrace of it, as erl's does.
    pub sensitive: bool,
    /// Its `monitor_nodes` subscriptions (`process_flag/2`): how many of each, by the hash
    /// of their options (0 without). The node is never distributed, so none ever fires.
    pub monitor_nodes: Vec<(u32, u32)>,
    /// Its collections since the node last took them ([`GcTally`]).
    pub gc_tally: GcTally,
    /// A `re:run` that trapped and goes on in the process's next slice.
    pub re_run: Option<alloc::boxed::Box<super::bifs::re::Pending>>,
    /// Where the BIF whose continuation runs was tail-called from (module, next
    /// instruction): its frame is gone, but erl names the caller in the BIF's stack trace.
    pub trap_caller: Option<(u32, u32)>,
    /// The native part of a trapped BIF's state, which holds no terms (those are in the
    /// continuation's arguments, where the collector sees them).
    pub trap_state: Option<alloc::boxed::Box<dyn core::any::Any>>,
    /// Its trace flags and tracer (`erlang:trace/3`), if it is traced.
    pub trace: Option<super::trace::Tracee>,
    /// Messages the node delivered under a `'receive'` match specification, whose events
    /// wait for this process's next slice to run it: `[Node, Sender, Msg]` in its heap
    /// (nothing collects the heap before they are run).
    pub trace_pending: Vec<[Term; 3]>,
    /// Its part in call timing, once it entered a timed function ([`super::calltime`]).
    pub call_time: Option<alloc::boxed::Box<super::calltime::Clock>>,
    /// Collections done while it is traced with `garbage_collection`, whose trace events
    /// the node sends at the end of the slice.
    pub gc_events: super::trace::GcEvents,
}

impl Process {
    /// A fresh process with an empty heap and stack.
    pub fn new(pid: Term) -> Self {
        Process {
            pid,
            heap: Heap::new(),
            stack: Vec::with_capacity(STACK_FREE_WORDS),
            x: Vec::new(),
            f: Vec::new(),
            module: 0,
            pc: 0,
            reductions: SLICE_REDUCTIONS,
            dict: super::dict::Dict::default(),
            max_stack: STACK_FREE_WORDS - STACK_SLACK,
            mailbox: Mailbox::new(),
            max_heap: MaxHeap::default(),
            heap_reports: Vec::new(),
            min_bin_vheap: ERL_MIN_BIN_VHEAP_SIZE,
            sensitive: false,
            monitor_nodes: Vec::new(),
            gc_tally: GcTally::default(),
            re_run: None,
            trap_caller: None,
            trap_state: None,
            trace: None,
            trace_pending: Vec::new(),
            gc_events: None,
            call_time: None,
        }
    }

    /// Sets its `max_heap_size`. A limit that kills also caps the heap's growth between
    /// collections, so a collection checks the heap soon after it passes the limit.
    pub fn set_max_heap(&mut self, m: MaxHeap) {
        self.max_heap = m;
        self.cap_heap_limit();
    }

    /// Makes room for `need` more stack words past [`Process::max_stack`]: about double its
    /// depth, charged to the node's memory account (beyond the first [`STACK_FREE_WORDS`],
    /// which every process has), then sets the next checkpoint, [`STACK_SLACK`] words short of
    /// the room. Refused by the account or the allocator (the reservation is fallible), the
    /// refusal is recorded as a heap's is and the result is [`GcError::NodeMemory`] (the
    /// scheduler kills the process); over its `max_heap_size` (which counts the stack, as in
    /// erl) it is reported and, if the setting kills, [`GcError::HeapLimit`].
    pub fn grow_stack(&mut self, need: usize) -> Result<(), GcError> {
        let len = self.stack.len();
        let want = len
            .saturating_add(need)
            .saturating_mul(2)
            .max(STACK_FREE_WORDS)
            .saturating_add(STACK_SLACK);
        let charged = want.max(self.stack.capacity()) - STACK_FREE_WORDS;
        let grown = match self.heap.charge_stack(charged) {
            Ok(()) => self
                .stack
                .try_reserve_exact(want.saturating_sub(len))
                .is_ok(),
            Err(_) => false,
        };
        // The allocator may give more than asked, or nothing: charge what is held.
        let _ = self
            .heap
            .charge_stack(self.stack.capacity().saturating_sub(STACK_FREE_WORDS));
        self.max_stack = self.stack.capacity() - STACK_SLACK;
        if !grown {
            let heap_words = self.heap.words.len();
            self.heap.note_refusal(OutOfMemory {
                heap_words,
                wanted_words: want - len,
            });
            return Err(GcError::NodeMemory {
                wanted_words: want - len,
            });
        }
        self.check_max_heap(0)
    }

    /// Gives back stack room a deep recursion left behind (at a collection, and when the
    /// process waits): down to about twice the depth in use, at least [`STACK_FREE_WORDS`];
    /// the checkpoint and the charge follow. (Shrinking below that on every wait made each
    /// schedule of a busy process a reallocation down and another one up.)
    pub fn trim_stack(&mut self) {
        let keep = self.stack.len().saturating_mul(2).max(STACK_FREE_WORDS);
        if self.stack.capacity() > 2 * keep {
            self.stack.shrink_to(keep);
            let _ = self
                .heap
                .charge_stack(self.stack.capacity().saturating_sub(STACK_FREE_WORDS));
            self.max_stack = self.stack.capacity() - STACK_SLACK;
        }
    }

    /// Gives the heap room for `words` more words and puts off the next collection until
    /// they are used, if the node's account and the allocator allow it: for a BIF that
    /// builds one large term over several steps, which the collections between the steps
    /// would otherwise copy again and again. A `max_heap_size` that kills still caps the
    /// limit, so a collection still checks the heap soon after it passes that size.
    pub fn make_room(&mut self, words: usize) {
        if self.reserve_words(words).is_ok() {
            let want = self.heap.words.len().saturating_add(words);
            self.heap.set_limit(self.heap.limit().max(want));
            self.cap_heap_limit();
        }
    }

    /// Makes sure the heap's vector has room for `words` more words without growing on its
    /// own (a push past its capacity would double the whole vector, hundreds of MB for a large
    /// heap, with no way to refuse): a reservation within the node's budget and the
    /// allocator's means, or an error and nothing changed.
    ///
    /// A growth reserves [`RESERVE_SLACK`] words more than asked: the instruction that called
    /// a BIF may go on to build what its `test_heap` reserved before the call (a list cell, a
    /// tuple), and an exact reservation would leave those words to a doubling of the vector.
    pub fn reserve_words(&mut self, words: usize) -> Result<(), MemoryError> {
        let want = self.heap.words.len().saturating_add(words);
        if self.heap.words.capacity() >= want {
            return Ok(());
        }
        self.heap.grow_to(want.saturating_add(RESERVE_SLACK))
    }

    fn cap_heap_limit(&mut self) {
        let m = self.max_heap;
        if m.kill && m.size != 0 {
            let cap = usize::try_from(m.size).unwrap_or(usize::MAX);
            let capped = self.heap.limit().min(cap.max(self.heap.words.len()));
            self.heap.set_limit(capped);
        }
    }

    /// The heap's size as `max_heap_size` counts it: the heap in use (messages included) plus
    /// `need` more words, and the stack.
    pub fn total_heap_words(&self, need: usize) -> usize {
        self.heap.words.len() + need + self.stack.len()
    }

    /// `min_bin_vheap_size` as erl rounds a requested `words`: the smallest of erl's heap
    /// sizes that holds them, at least erl's default (`None` past any heap).
    pub fn bin_vheap_size(words: usize) -> Option<usize> {
        erl_heap_size(words.max(ERL_MIN_BIN_VHEAP_SIZE))
    }

    /// The heap size erl reports for it (`process_info(P, heap_size)`, and `total_heap_size`,
    /// since there is no old generation here), in words: the smallest of erl's heap sizes that
    /// holds the words in use (the live data and what was allocated since the last
    /// collection), at least its `min_heap_size`. Not the collection threshold, which is a
    /// speed decision (it is at least [`MIN_HEAP_WORDS`](super::heap::MIN_HEAP_WORDS)).
    pub fn heap_size(&self) -> usize {
        let used = self.heap.words.len();
        erl_heap_size(used).unwrap_or(used).max(self.heap.min_heap)
    }

    /// The heap block erl would give it after a collection that leaves `need` words free, for
    /// the `max_heap_size` report: the smallest of erl's heap sizes holding the words in use
    /// and `need`, at least its `min_heap_size` (not the collection threshold).
    pub fn heap_block_size(&self, need: usize) -> usize {
        let words = self.heap.words.len().saturating_add(need);
        erl_heap_size(words)
            .unwrap_or(words)
            .max(self.heap.min_heap)
    }

    /// How many `catch` and `try` it is inside (`process_info(P, catchlevel)`).
    pub fn catch_level(&self) -> usize {
        self.stack.iter().filter(|t| t.is_catch()).count()
    }

    /// Whether it is in module index `module`'s code or will return or throw into it.
    pub fn runs_module(&self, module: u32) -> bool {
        self.module == module
            || self
                .stack
                .iter()
                .any(|t| (t.is_cp() || t.is_catch()) && t.code_module() == module)
    }

    /// The memory it holds, as `erlang:memory/1` and `process_info(P, memory)` count it.
    pub fn memory_use(&self) -> MemoryUse {
        let word = core::mem::size_of::<Term>();
        let pair = core::mem::size_of::<(Term, Term)>();
        // What is really held besides the heap: the stack, registers, mailbox and dictionary
        // vectors as allocated, and the process structure itself (boxed by the node).
        let rest = self.stack.capacity() * word
            + self.x.capacity() * word
            + self.f.capacity() * core::mem::size_of::<f64>()
            + self.mailbox.capacity() * word
            + self.dict.capacity() * pair
            + self.heap.bins.capacity() * core::mem::size_of::<super::heap::BinBuf>()
            + core::mem::size_of::<Process>();
        // A buffer shared by several heaps is counted a share in each, so the node's sum
        // counts it about once.
        let binary = self
            .heap
            .bins
            .iter()
            .map(|b| b.capacity() / alloc::sync::Arc::strong_count(b))
            .sum();
        let heap = self.heap_size() * word;
        let heap_held = self.heap.words.capacity() * word;
        MemoryUse {
            held: heap + rest,
            room: heap_held.saturating_sub(heap),
            binary,
        }
    }

    /// Y register `i`.
    #[inline]
    pub fn y(&self, i: u32) -> Term {
        self.stack[self.stack.len() - 1 - i as usize]
    }

    /// Sets Y register `i`.
    #[inline]
    pub fn set_y(&mut self, i: u32, t: Term) {
        let n = self.stack.len();
        self.stack[n - 1 - i as usize] = t;
    }

    /// Before a collection of a traced process: with `garbage_collection`, its sizes and
    /// whether the collection was asked for (erl's major one).
    #[cold]
    #[inline(never)]
    fn gc_before(&self) -> Option<(super::trace::GcSizes, bool)> {
        let t = self.trace?;
        t.has(super::trace::GARBAGE_COLLECTION)
            .then(|| (self.gc_sizes(), self.heap.limit() == 0))
    }

    /// Its sizes a `garbage_collection` trace event tells.
    fn gc_sizes(&self) -> super::trace::GcSizes {
        super::trace::GcSizes {
            heap: self.heap.words.len() as u64,
            block: self.heap.words.capacity() as u64,
            stack: self.stack.len() as u64,
        }
    }

    /// At a safe point where the heap [`wants_gc`](Heap::wants_gc)`(need)`: room for `need`
    /// more words, by a larger vector when only its capacity is short ([`Heap::fit`]), or by
    /// a collection.
    pub fn room_or_collect(&mut self, x: &mut [Term], need: usize) -> Result<(), GcError> {
        if self.heap.fit(need) {
            return Ok(());
        }
        self.collect(x, need)
    }

    /// Collects the heap with the live X registers `x` as roots, leaving `need` words free.
    /// When the node's memory refuses the heap's growth, records it on the heap (the
    /// scheduler kills the process, see [`Heap::take_refusal`]) and returns
    /// [`GcError::NodeMemory`]. Over its `max_heap_size` after collecting, the process is
    /// reported (kept in `heap_reports`) and, when the setting kills, the error says it must die.
    pub fn collect(&mut self, x: &mut [Term], need: usize) -> Result<(), GcError> {
        let mut dict: Vec<Term> = Vec::with_capacity(self.dict.len() * 2);
        for &(k, v) in self.dict.pairs() {
            dict.push(k);
            dict.push(v);
        }
        let bins_over = self.heap.take_bins_over();
        // A collection asked for (`garbage_collect/0,1,2`) is erl's major one.
        let before_gc = match super::trace::ENABLED && self.trace.is_some() {
            true => self.gc_before(),
            false => None,
        };
        let (older, newer) = self.mailbox.roots_mut();
        let before = self.heap.words.len();
        let r = gc::collect(
            &mut self.heap,
            &mut [x, &mut self.stack, &mut dict, older, newer],
            need,
        );
        for (slot, pair) in self.dict.pairs_mut().iter_mut().zip(dict.chunks(2)) {
            *slot = (pair[0], pair[1]);
        }
        // A refused collection leaves the heap as it was: not one that happened.
        let after = self.heap.words.len();
        if !matches!(r, Err(GcError::NodeMemory { .. })) || after != before {
            self.gc_tally += GcTally {
                collections: 1,
                words_reclaimed: before.saturating_sub(after) as u64,
            };
        }
        if let Some((before, major)) = before_gc {
            let after = self.gc_sizes();
            let e = super::trace::GcEvent {
                major,
                before,
                after,
            };
            super::trace::note_gc(&mut self.gc_events, e);
        }
        if let Err(GcError::NodeMemory { wanted_words }) = r {
            let heap_words = self.heap.words.len();
            self.heap.note_refusal(OutOfMemory {
                heap_words,
                wanted_words,
            });
            return r;
        }
        if bins_over && self.heap.memory_left() == Some(0) {
            // Binaries made since the last collection took the account over its budget, and
            // still hold it there with the dead ones gone: refused as a heap growth is.
            let heap_words = self.heap.words.len();
            self.heap.note_refusal(OutOfMemory {
                heap_words,
                wanted_words: need,
            });
            return Err(GcError::NodeMemory { wanted_words: need });
        }
        self.trim_stack();
        self.check_max_heap(need)
    }

    /// After a collection or a stack growth: whether the heap (with `need` more words) and the
    /// stack are over `max_heap_size`; if so the process is reported (kept in `heap_reports`)
    /// and, when the setting kills, the error says it must die.
    fn check_max_heap(&mut self, need: usize) -> Result<(), GcError> {
        let total = self.total_heap_words(need);
        if !self.max_heap.exceeded(total) {
            self.cap_heap_limit();
            return Ok(());
        }
        if self.max_heap.error_logger {
            self.heap_reports.push(HeapReport {
                max: self.max_heap,
                total,
                heap_size: self.heap.words.len(),
                heap_block_size: self.heap_block_size(need),
                stack_size: self.stack.len(),
                message_queue_len: self.mailbox.len(),
            });
        }
        if self.max_heap.kill {
            return Err(GcError::HeapLimit);
        }
        Ok(())
    }
}

impl Process {
    /// Makes room in the mailbox for one more message, charged to the node's memory account
    /// ([`Mailbox::room_for_one`]): a process flooded with messages (even ones that take no
    /// heap words, as atoms) is refused them, its senders' `system_limit`, instead of
    /// exhausting the node.
    pub fn room_for_message(&mut self) -> Result<(), MemoryError> {
        self.mailbox.room_for_one(&mut self.heap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::heap::{ERL_MIN_HEAP_SIZE, MIN_HEAP_WORDS};

    #[test]
    fn heap_size_is_the_erl_size_of_the_words_in_use_not_the_threshold() {
        let mut p = Process::new(Term::pid(1));
        assert_eq!(p.heap_size(), ERL_MIN_HEAP_SIZE);
        assert!(p.heap.limit() >= MIN_HEAP_WORDS);
        p.heap.words.resize(1000, Term::NIL);
        // 987 < 1000 <= 1598 in erl's table.
        assert_eq!(p.heap_size(), 1598);
        p.heap.min_heap = 4185;
        assert_eq!(p.heap_size(), 4185);
        let m = p.memory_use();
        assert!(
            m.held >= 4185 * 8 + core::mem::size_of::<Process>(),
            "{m:?}"
        );
        // The vector holds 1000 words, less than the heap size: no room past it.
        assert_eq!(m.room, 0, "{m:?}");
        // Collected down to nothing live, it is back at its minimum.
        p.heap.min_heap = ERL_MIN_HEAP_SIZE;
        p.collect(&mut [], 0).unwrap();
        assert_eq!(p.heap_size(), ERL_MIN_HEAP_SIZE);
        let m = p.memory_use();
        assert!(m.held < 16 * 1024, "{m:?}");
        // The heap keeps room up to its threshold, and the old space for the next collection.
        assert!(m.room >= (MIN_HEAP_WORDS - ERL_MIN_HEAP_SIZE) * 8, "{m:?}");
    }

    /// A heap grows by its own sequence (erl's minimum, doubling, then its room) whether
    /// messages are copied in or the process builds terms between safe points, and never past
    /// its room before the collection its threshold asks for: a vector that doubled itself
    /// there would be copied again by that collection and leave a freed block twice the room.
    #[test]
    fn a_heap_grows_to_its_room_and_no_further_before_collecting() {
        use crate::vm::copy::try_copy_term;
        use crate::vm::heap::{Heap, ERL_MIN_HEAP_SIZE};
        use crate::vm::literals::Literals;
        let lits = Literals::default();
        let mut sender = Heap::new();
        let msg = sender.tuple(&[Term::small(1), Term::small(2), Term::small(3)]);
        let mut p = Process::new(Term::pid(1));
        let room = p.heap.room();
        let mut sizes = alloc::vec::Vec::new();
        let mut collections = 0;
        let mut x = [Term::NIL];
        for i in 0..20_000 {
            if i % 2 == 0 {
                // A message copied in while the process waits.
                x[0] = try_copy_term(&sender.view(&lits), &mut p.heap, msg).unwrap();
            } else {
                // The process builds a tuple, then reaches a call (a safe point).
                x[0] = p.heap.tuple(&[Term::small(i), x[0], Term::NIL]);
                if p.heap.wants_gc(0) {
                    let before = p.gc_tally.collections;
                    p.room_or_collect(&mut x, 0).unwrap();
                    collections += p.gc_tally.collections - before;
                }
            }
            let cap = p.heap.words.capacity();
            assert!(cap <= room, "step {i}: capacity {cap} past the room {room}");
            if sizes.last() != Some(&cap) {
                sizes.push(cap);
            }
        }
        assert!(collections >= 10, "{collections} collections");
        assert_eq!(
            &sizes[..6],
            [
                ERL_MIN_HEAP_SIZE,
                2 * ERL_MIN_HEAP_SIZE,
                4 * ERL_MIN_HEAP_SIZE,
                8 * ERL_MIN_HEAP_SIZE,
                16 * ERL_MIN_HEAP_SIZE,
                room
            ]
        );
    }

    /// A term kept outside every process takes only the words it needs.
    #[test]
    fn a_fragment_takes_only_what_its_term_needs() {
        use crate::vm::copy::try_copy_term;
        use crate::vm::heap::Heap;
        use crate::vm::literals::Literals;
        let lits = Literals::default();
        let mut src = Heap::new();
        let t = src.tuple(&[Term::small(1), Term::small(2)]);
        let mut frag = Heap::fragment();
        try_copy_term(&src.view(&lits), &mut frag, t).unwrap();
        assert_eq!(frag.words.capacity(), 3);
        let mut heap = Heap::new();
        try_copy_term(&src.view(&lits), &mut heap, t).unwrap();
        assert_eq!(heap.words.capacity(), heap.min_heap);
    }

    /// Each collection is tallied with the words it freed: garbage counts, what survives
    /// does not.
    #[test]
    fn collections_are_tallied_with_the_words_they_free() {
        let mut p = Process::new(Term::pid(1));
        for i in 0..100 {
            p.heap.tuple(&[Term::small(i), Term::small(i)]);
        }
        let kept = p.heap.tuple(&[Term::small(7)]);
        let mut x = [kept];
        p.collect(&mut x, 0).unwrap();
        assert_eq!(
            p.gc_tally,
            GcTally {
                collections: 1,
                words_reclaimed: 300
            }
        );
        p.collect(&mut x, 0).unwrap();
        assert_eq!(p.gc_tally.collections, 2);
        assert_eq!(p.gc_tally.words_reclaimed, 300);
        assert_eq!(
            p.heap
                .view(&crate::vm::literals::Literals::default())
                .tuple(x[0])
                .map(|t| t.len()),
            Some(1)
        );
    }
}
