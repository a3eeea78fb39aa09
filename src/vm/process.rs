//! A process's execution state: heap, stack, registers, reductions, dictionary.
//!
//! The stack holds Y registers and return addresses (continuation pointers) like OTP 24+: a call
//! pushes its return address, `allocate` pushes Y slots on top of it, and `y(i)` is
//! `stack[len - 1 - i]`. Catch markers live in Y slots. Everything the collector must see is
//! listed by [`Process::collect`].

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;

use super::gc::{self, GcError};
use super::heap::Heap;
use super::maxheap::{HeapReport, MaxHeap};
use super::memory::OutOfMemory;
use super::term::Term;

/// Number of X registers.
pub const X_REGS: usize = 1024;
/// Number of float registers.
pub const F_REGS: usize = 256;
/// Reductions per time slice.
pub const SLICE_REDUCTIONS: i32 = 1000;

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
    /// The process dictionary: (key, value) pairs.
    pub dict: Vec<(Term, Term)>,
    /// Largest stack depth in words (`usize::MAX`: unlimited).
    pub max_stack: usize,
    /// Received messages, oldest first (terms on this process's heap). A deque, so taking the
    /// oldest message, the common case, costs the same however long the queue is.
    pub mailbox: VecDeque<Term>,
    /// Index of the next message `loop_rec` looks at.
    pub recv_cursor: usize,
    /// The current receive has asked the scheduler for a timeout (`wait_timeout`).
    pub timer_armed: bool,
    /// The scheduler says the current receive's timeout has expired.
    pub timed_out: bool,
    /// Its `max_heap_size` (set with [`Process::set_max_heap`]).
    pub max_heap: MaxHeap,
    /// Reports of collections that found the heap over `max_heap`, for the node to print.
    pub heap_reports: Vec<HeapReport>,
}

impl Process {
    /// A fresh process with an empty heap and stack.
    pub fn new(pid: Term) -> Self {
        Process {
            pid,
            heap: Heap::new(),
            stack: Vec::with_capacity(256),
            x: Vec::new(),
            f: vec![0.0; F_REGS],
            module: 0,
            pc: 0,
            reductions: SLICE_REDUCTIONS,
            dict: Vec::new(),
            max_stack: usize::MAX,
            mailbox: VecDeque::new(),
            recv_cursor: 0,
            timer_armed: false,
            timed_out: false,
            max_heap: MaxHeap::default(),
            heap_reports: Vec::new(),
        }
    }

    /// Sets its `max_heap_size`. A limit that kills also caps the heap's growth between
    /// collections, so a collection checks the heap soon after it passes the limit.
    pub fn set_max_heap(&mut self, m: MaxHeap) {
        self.max_heap = m;
        self.cap_heap_limit();
    }

    fn cap_heap_limit(&mut self) {
        let m = self.max_heap;
        if m.kill && m.size != 0 {
            let cap = usize::try_from(m.size).unwrap_or(usize::MAX);
            self.heap.limit = self.heap.limit.min(cap.max(self.heap.words.len()));
        }
    }

    /// The heap's size as `max_heap_size` counts it: the heap in use (messages included) plus
    /// `need` more words, and the stack.
    pub fn total_heap_words(&self, need: usize) -> usize {
        self.heap.words.len() + need + self.stack.len()
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

    /// Collects the heap with the live X registers `x` as roots, leaving `need` words free.
    /// When the node's memory refuses the heap's growth, records it on the heap (the
    /// scheduler kills the process, see [`Heap::take_refusal`]) and returns
    /// [`GcError::NodeMemory`]. Over its `max_heap_size` after collecting, the process is
    /// reported (kept in `heap_reports`) and, when the setting kills, the error says it must die.
    pub fn collect(&mut self, x: &mut [Term], need: usize) -> Result<(), GcError> {
        let mut dict: Vec<Term> = Vec::with_capacity(self.dict.len() * 2);
        for &(k, v) in &self.dict {
            dict.push(k);
            dict.push(v);
        }
        let (older, newer) = self.mailbox.as_mut_slices();
        let r = gc::collect(
            &mut self.heap,
            &mut [x, &mut self.stack, &mut dict, older, newer],
            need,
        );
        for (i, pair) in dict.chunks(2).enumerate() {
            self.dict[i] = (pair[0], pair[1]);
        }
        if let Err(GcError::NodeMemory { wanted_words }) = r {
            let heap_words = self.heap.words.len();
            self.heap.note_refusal(OutOfMemory {
                heap_words,
                wanted_words,
            });
            return r;
        }
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
                heap_block_size: self.heap.limit,
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
