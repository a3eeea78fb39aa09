//! Timers: receive timeouts and `erlang:send_after/3`, ordered by deadline.
//!
//! Timers live in slots; a timer's identity is its slot and the slot's generation, which
//! advances each time the slot is freed, so cancelling a timer that already fired (or was
//! cancelled) is a harmless miss. Starting and cancelling take no tree search: a start takes a
//! free slot and pushes `(deadline, slot, generation)` on a binary heap, and a cancel empties
//! the slot. Cancelled entries stay in the heap and are skipped when they surface; when they
//! outnumber the pending timers the heap is rebuilt from the slots, so it stays within a
//! constant factor of the pending count (a receive with a timeout starts and cancels one timer
//! per call, usually long before its deadline).

use alloc::collections::BinaryHeap;
use alloc::vec::Vec;
use core::cmp::Reverse;

/// A timer's identity: its slot in the low half, the slot's generation in the high half.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerId(pub u64);

impl TimerId {
    fn new(slot: u32, generation: u32) -> Self {
        TimerId(u64::from(generation) << 32 | u64::from(slot))
    }

    fn slot(self) -> usize {
        (self.0 & 0xFFFF_FFFF) as usize
    }

    fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }
}

impl crate::wordmap::Word for TimerId {
    #[inline]
    fn to_word(self) -> u64 {
        self.0
    }
    #[inline]
    fn from_word(w: u64) -> Self {
        TimerId(w)
    }
}

/// One slot: its generation, and the pending timer's deadline and payload.
#[derive(Debug)]
struct Slot<K> {
    generation: u32,
    /// Deadline, sequence number, payload.
    timer: Option<(u64, u64, K)>,
}

/// Pending timers carrying payloads of type `K`.
#[derive(Debug)]
pub struct Timers<K> {
    /// `(deadline, sequence, id)` of every pending timer, and of cancelled ones not yet
    /// dropped; the sequence number (of starts) fires timers due together in start order.
    heap: BinaryHeap<Reverse<(u64, u64, TimerId)>>,
    slots: Vec<Slot<K>>,
    /// Slots without a timer.
    free: Vec<u32>,
    /// Pending timers.
    live: usize,
    /// Timers started so far.
    started: u64,
}

impl<K> Default for Timers<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K> Timers<K> {
    /// No timers.
    pub fn new() -> Self {
        Self {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            started: 0,
        }
    }

    /// Starts a timer due at `deadline` (ns).
    pub fn start(&mut self, deadline: u64, payload: K) -> TimerId {
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    timer: None,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let s = &mut self.slots[slot as usize];
        s.timer = Some((deadline, self.started + 1, payload));
        let id = TimerId::new(slot, s.generation);
        self.live += 1;
        if self.heap.len() >= 2 * self.live + 64 {
            self.rebuild();
        }
        self.started += 1;
        self.heap.push(Reverse((deadline, self.started, id)));
        id
    }

    /// Cancels a timer; returns its deadline and payload if it was still pending.
    pub fn cancel(&mut self, id: TimerId) -> Option<(u64, K)> {
        let s = self.slots.get_mut(id.slot())?;
        if s.generation != id.generation() {
            return None;
        }
        let (deadline, _, payload) = s.timer.take()?;
        s.generation = s.generation.wrapping_add(1);
        self.free.push(id.slot() as u32);
        self.live -= 1;
        Some((deadline, payload))
    }

    /// The deadline of a pending timer.
    pub fn deadline(&self, id: TimerId) -> Option<u64> {
        let s = self.slots.get(id.slot())?;
        if s.generation != id.generation() {
            return None;
        }
        s.timer.as_ref().map(|(d, _, _)| *d)
    }

    /// Whether the heap entry `id` names a pending timer.
    fn pending(&self, id: TimerId) -> bool {
        self.deadline(id).is_some()
    }

    /// Drops the heap's entries for timers no longer pending (keeping its room).
    fn rebuild(&mut self) {
        let slots = &self.slots;
        self.heap.retain(|&Reverse((_, _, id))| {
            slots
                .get(id.slot())
                .is_some_and(|s| s.generation == id.generation() && s.timer.is_some())
        });
    }

    /// The earliest pending deadline.
    pub fn next_deadline(&mut self) -> Option<u64> {
        while let Some(&Reverse((deadline, _, id))) = self.heap.peek() {
            if self.pending(id) {
                return Some(deadline);
            }
            self.heap.pop();
        }
        None
    }

    /// Removes and returns every timer due at `now`, earliest first.
    pub fn expire(&mut self, now: u64) -> Vec<(TimerId, K)> {
        let mut due = Vec::new();
        while let Some(&Reverse((deadline, _, id))) = self.heap.peek() {
            if deadline > now {
                break;
            }
            self.heap.pop();
            if let Some((_, payload)) = self.cancel(id) {
                due.push((id, payload));
            }
        }
        due
    }

    /// The payloads of the pending timers, in no particular order.
    pub fn payloads(&self) -> impl Iterator<Item = &K> {
        self.slots
            .iter()
            .filter_map(|s| s.timer.as_ref().map(|(_, _, k)| k))
    }

    /// Pending timers.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether none is pending.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_the_pending_timers_only() {
        let mut t = Timers::new();
        let a = t.start(10, 'a');
        t.start(20, 'b');
        t.start(30, 'c');
        t.cancel(a);
        let _ = t.expire(20);
        let left: Vec<char> = t.payloads().copied().collect();
        assert_eq!(left, ['c']);
    }

    #[test]
    fn expire_in_deadline_order_and_skip_cancelled() {
        let mut t = Timers::new();
        let a = t.start(30, 'a');
        let b = t.start(10, 'b');
        let c = t.start(20, 'c');
        let _d = t.start(20, 'd');
        assert_eq!(t.next_deadline(), Some(10));
        assert_eq!(t.cancel(b), Some((10, 'b')));
        assert_eq!(t.cancel(b), None, "cancelling twice is a miss");
        // Takes b's slot, below d's, yet fires after d: timers due together fire in the
        // order they were started.
        let _e = t.start(20, 'e');
        assert_eq!(t.next_deadline(), Some(20));
        assert_eq!(t.expire(5), vec![]);
        let due: Vec<char> = t.expire(20).into_iter().map(|(_, k)| k).collect();
        assert_eq!(due, vec!['c', 'd', 'e']);
        assert_eq!(t.cancel(c), None, "a fired timer cannot be cancelled");
        assert_eq!(t.deadline(a), Some(30));
        assert_eq!(t.len(), 1);
        assert_eq!(t.expire(u64::MAX).len(), 1);
        assert!(t.is_empty());
        assert_eq!(t.next_deadline(), None);
    }

    #[test]
    fn many_timers_stay_bounded_after_cancellation() {
        let mut t = Timers::new();
        for round in 0..10_000u64 {
            let id = t.start(round + 1_000_000, round);
            t.cancel(id);
        }
        assert!(t.is_empty());
        assert!(
            t.heap.len() <= 64,
            "cancelled entries are dropped as they pile up"
        );
        assert_eq!(t.next_deadline(), None);
        assert!(t.heap.is_empty(), "surfaced cancelled entries are dropped");
        assert_eq!(t.slots.len(), 1, "a freed slot is used again");
    }

    #[test]
    fn a_reused_slot_does_not_answer_for_its_old_timer() {
        let mut t = Timers::new();
        let a = t.start(10, 'a');
        assert_eq!(t.cancel(a), Some((10, 'a')));
        let b = t.start(20, 'b');
        assert_ne!(a, b);
        assert_eq!(t.cancel(a), None, "the old identity names nothing");
        assert_eq!(t.deadline(a), None);
        assert_eq!(t.deadline(b), Some(20));
        // The stale heap entry at 10 is skipped, the live one fires.
        assert_eq!(t.next_deadline(), Some(20));
        let due: Vec<char> = t.expire(30).into_iter().map(|(_, k)| k).collect();
        assert_eq!(due, vec!['b']);
    }

    #[test]
    fn many_pending_timers_fire_in_order_after_rebuilds() {
        let mut t = Timers::new();
        let mut keep = Vec::new();
        for i in 0..5_000u64 {
            // Each kept timer is followed by three started and cancelled, forcing rebuilds.
            keep.push(t.start(10_000 - i, i));
            for j in 0..3 {
                let id = t.start(i * 3 + j, u64::MAX);
                t.cancel(id);
            }
        }
        assert_eq!(t.len(), 5_000);
        assert!(t.heap.len() <= 2 * 5_000 + 64);
        let due: Vec<u64> = t.expire(u64::MAX).into_iter().map(|(_, k)| k).collect();
        let want: Vec<u64> = (0..5_000).rev().collect();
        assert_eq!(due, want, "earliest first");
        assert!(t.is_empty());
    }
}
