//! A process's mailbox: its received messages and the state of the receive that reads them.
//!
//! Modelled on OTP's message queue and AtomVM's `mailbox.h`: messages are kept oldest first
//! (terms on the owning process's heap); a receive reads them through a *save position*, the
//! index of the next message `loop_rec` looks at. `loop_rec_end` advances it past a message
//! that did not match; `remove_message` takes the message at it out and starts the next
//! receive from the oldest message; `timeout` (or a receive left another way) resets it.
//! The receive's timer flags live here too: whether the scheduler has been asked for a timeout
//! for the current receive, and whether that timeout has expired.
//!
//! Invariants: the save position is at most the queue's length (messages are only appended
//! past it, and every removal resets it); the queue's capacity is charged to the node's memory
//! account through [`Mailbox::room_for_one`] before it grows, so a process flooded with
//! messages is refused them instead of exhausting the node. The collector sees the messages
//! as roots through [`Mailbox::roots_mut`].

#![forbid(unsafe_code)]

use alloc::collections::VecDeque;

use super::heap::Heap;
use super::memory::MemoryError;
use super::term::Term;

/// Received messages and the receive state over them (see the module docs).
#[derive(Debug, Default)]
pub struct Mailbox {
    /// Messages, oldest first. A deque, so taking the oldest message, the common case, costs
    /// the same however long the queue is.
    queue: VecDeque<Term>,
    /// Index of the next message `loop_rec` looks at.
    save: usize,
    /// The current receive has asked the scheduler for a timeout (`wait_timeout`).
    timer_armed: bool,
    /// The scheduler says the current receive's timeout has expired.
    timed_out: bool,
    /// The `message_queue_data` flag: `off_heap` when set. Messages are kept the same way
    /// either way; the flag is remembered and reported as erl's is.
    off_heap: bool,
}

impl Mailbox {
    /// An empty mailbox with no receive under way.
    pub fn new() -> Self {
        Mailbox::default()
    }

    /// Whether `message_queue_data` is `off_heap`.
    pub fn off_heap(&self) -> bool {
        self.off_heap
    }

    /// Sets the `message_queue_data` flag (`true`: `off_heap`); returns the old one.
    pub fn set_off_heap(&mut self, off_heap: bool) -> bool {
        core::mem::replace(&mut self.off_heap, off_heap)
    }

    /// Appends a message (a term already on the owner's heap). The queue should have room
    /// ([`Mailbox::room_for_one`]); without it the deque grows uncharged.
    #[inline]
    pub fn push(&mut self, msg: Term) {
        self.queue.push_back(msg);
    }

    /// The message at the save position (`loop_rec`), if one has arrived.
    #[inline]
    pub fn peek(&self) -> Option<Term> {
        self.queue.get(self.save).copied()
    }

    /// Moves the save position past the current message (`loop_rec_end`: it did not match).
    #[inline]
    pub fn advance(&mut self) {
        self.save += 1;
    }

    /// Takes the message at the save position out (`remove_message`: it matched) and ends the
    /// receive: the next one starts from the oldest message, with no timer. Taking the oldest
    /// message, the common case, is O(1); one further in costs the distance to the nearer end.
    #[inline]
    pub fn remove_current(&mut self) {
        if self.save < self.queue.len() {
            self.queue.remove(self.save);
        }
        self.end_receive();
    }

    /// Ends the receive without taking a message (`timeout`): the next one starts from the
    /// oldest message, with no timer.
    #[inline]
    pub fn end_receive(&mut self) {
        self.save = 0;
        self.timer_armed = false;
        self.timed_out = false;
    }

    /// Puts the save position back at the oldest message (after the queue changed under a
    /// receive, or a process that will wait afresh).
    #[inline]
    pub fn reset_save(&mut self) {
        self.save = 0;
    }

    /// The save position: how many messages the current receive has passed over.
    pub fn save_position(&self) -> usize {
        self.save
    }

    /// Messages in the queue.
    #[inline]
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Messages the queue holds room for, as allocated (the memory BIFs count it).
    pub fn capacity(&self) -> usize {
        self.queue.capacity()
    }

    /// The messages, oldest first (`process_info(P, messages)`).
    pub fn iter(&self) -> impl Iterator<Item = Term> + '_ {
        self.queue.iter().copied()
    }

    /// The messages as the collector's roots: the queue's two slices, oldest first.
    pub fn roots_mut(&mut self) -> (&mut [Term], &mut [Term]) {
        self.queue.as_mut_slices()
    }

    /// Keeps only the messages `keep` accepts, in their order, and puts the save position
    /// back at the oldest (indices past a removed message no longer name the same one).
    pub fn retain(&mut self, keep: impl FnMut(&Term) -> bool) {
        self.queue.retain(keep);
        self.save = 0;
    }

    /// Makes room for one more message. The queue grows by doubling; each growth is charged
    /// to `heap`'s share of the node's memory account first and taken from the allocator
    /// fallibly, so a refusal leaves the queue and the charge as they were.
    pub fn room_for_one(&mut self, heap: &mut Heap) -> Result<(), MemoryError> {
        let cap = self.queue.capacity();
        if self.queue.len() < cap {
            return Ok(());
        }
        let extra = cap.max(4);
        heap.charge_queue(cap + extra, true)?;
        if self.queue.try_reserve(extra).is_err() {
            let _ = heap.charge_queue(cap, false);
            return Err(MemoryError::AllocationFailed);
        }
        // The allocator may have given more than asked: that is taken too.
        let _ = heap.charge_queue(self.queue.capacity(), false);
        Ok(())
    }

    /// Whether the current receive has asked the scheduler for a timeout.
    #[inline]
    pub fn timer_armed(&self) -> bool {
        self.timer_armed
    }

    /// Records that the current receive asks for a timeout; false if it already had one
    /// (a wake-up without the timeout: keep waiting on the same timer).
    #[inline]
    pub fn arm_timer(&mut self) -> bool {
        !core::mem::replace(&mut self.timer_armed, true)
    }

    /// The scheduler's word that the current receive's timeout has expired.
    #[inline]
    pub fn expire_timer(&mut self) {
        self.timed_out = true;
    }

    /// Whether the current receive's timeout has expired; if so the timer is cleared, and the
    /// receive goes on to its `timeout` instruction.
    #[inline]
    pub fn take_timeout(&mut self) -> bool {
        if self.timed_out {
            self.timed_out = false;
            self.timer_armed = false;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::memory::NodeMemory;
    use alloc::vec::Vec;

    fn filled(n: i64) -> Mailbox {
        let mut m = Mailbox::new();
        for i in 0..n {
            m.push(Term::small(i));
        }
        m
    }

    fn contents(m: &Mailbox) -> Vec<i64> {
        m.iter().filter_map(|t| t.as_small()).collect()
    }

    /// A selective receive: passing over two messages, taking the third, then starting again
    /// from the oldest.
    #[test]
    fn a_receive_walks_from_the_save_position_and_starts_over_after_a_match() {
        let mut m = filled(4);
        assert_eq!(m.peek(), Some(Term::small(0)));
        m.advance();
        m.advance();
        assert_eq!(m.save_position(), 2);
        assert_eq!(m.peek(), Some(Term::small(2)));
        m.remove_current();
        assert_eq!(contents(&m), [0, 1, 3]);
        assert_eq!(m.save_position(), 0);
        assert_eq!(m.peek(), Some(Term::small(0)));
        m.remove_current();
        assert_eq!(contents(&m), [1, 3]);
        assert_eq!(m.len(), 2);
    }

    /// Past the last message there is nothing to read; a message that arrives then is the
    /// one the waiting receive looks at next.
    #[test]
    fn a_message_arriving_at_the_end_is_the_next_one_read() {
        let mut m = filled(2);
        m.advance();
        m.advance();
        assert_eq!(m.peek(), None);
        // remove_message with nothing at the position removes nothing.
        let mut n = filled(1);
        n.advance();
        n.remove_current();
        assert_eq!(contents(&n), [0]);
        m.push(Term::small(9));
        assert_eq!(m.peek(), Some(Term::small(9)));
        m.end_receive();
        assert_eq!(m.peek(), Some(Term::small(0)));
        assert!(!m.is_empty());
        assert!(Mailbox::new().is_empty());
    }

    #[test]
    fn the_timer_is_armed_once_and_cleared_by_its_expiry_or_the_receive_ending() {
        let mut m = Mailbox::new();
        assert!(!m.take_timeout());
        assert!(m.arm_timer());
        assert!(!m.arm_timer(), "armed already: the same timer goes on");
        assert!(m.timer_armed());
        m.expire_timer();
        assert!(m.take_timeout());
        assert!(!m.timer_armed());
        assert!(!m.take_timeout(), "taken once");
        assert!(m.arm_timer());
        m.expire_timer();
        m.remove_current();
        assert!(!m.timer_armed());
        assert!(!m.take_timeout());
    }

    #[test]
    fn retain_keeps_the_order_and_resets_the_save_position() {
        let mut m = filled(6);
        m.advance();
        m.advance();
        m.retain(|t| t.as_small().is_some_and(|i| i % 2 == 1));
        assert_eq!(contents(&m), [1, 3, 5]);
        assert_eq!(m.save_position(), 0);
        m.reset_save();
        assert_eq!(m.peek(), Some(Term::small(1)));
    }

    /// The roots the collector sees are every message, oldest first, even after the deque
    /// has wrapped around.
    #[test]
    fn roots_are_every_message_in_order() {
        let mut m = filled(4);
        m.remove_current();
        m.remove_current();
        for i in 4..8 {
            m.push(Term::small(i));
        }
        let (a, b) = m.roots_mut();
        let all: Vec<i64> = a
            .iter()
            .chain(b.iter())
            .filter_map(|t| t.as_small())
            .collect();
        assert_eq!(all, [2, 3, 4, 5, 6, 7]);
        for t in a.iter_mut().chain(b.iter_mut()) {
            *t = Term::small(t.as_small().unwrap_or(0) * 10);
        }
        assert_eq!(contents(&m), [20, 30, 40, 50, 60, 70]);
    }

    /// Growth is charged to the node's account before it happens and follows the capacity;
    /// over the budget, the queue is refused room and stays as it was.
    #[test]
    fn growth_is_charged_and_refused_over_the_budget() {
        let memory = NodeMemory::unlimited();
        let mut heap = Heap::new();
        heap.attach(&memory);
        let base = memory.used();
        let mut m = Mailbox::new();
        for i in 0..20 {
            m.room_for_one(&mut heap).unwrap();
            m.push(Term::small(i));
        }
        let word = core::mem::size_of::<Term>();
        assert_eq!(memory.used() - base, m.capacity() * word);
        // A full queue cannot grow past a budget already spent.
        while m.len() < m.capacity() {
            m.push(Term::small(0));
        }
        let (len, cap, used) = (m.len(), m.capacity(), memory.used());
        memory.set_budget(used);
        assert_eq!(m.room_for_one(&mut heap), Err(MemoryError::OverBudget));
        assert_eq!((m.len(), m.capacity(), memory.used()), (len, cap, used));
    }
}
