//! Timers: receive timeouts and `erlang:send_after/3`, ordered by deadline.
//!
//! Timers live in slots; a timer's identity is its slot and the slot's generation, which
//! advances each time the slot is freed, so cancelling a timer that already fired (or was
//! cancelled) is a harmless miss. Starting and cancelling take no tree search: a start takes a
//! free slot and pushes `(deadline, sequence, id)` on a binary heap, and a cancel empties the
//! slot. Cancelled entries stay in the heap and are skipped when they surface; when they
//! outnumber the held timers the heap is rebuilt from the slots, so it stays within a
//! constant factor of the held count.
//!
//! A receive with a timeout arms a timer at each wait and drops it when a message ends the
//! wait, usually long before its deadline, and a server loop does so for every message. So
//! such a timer is not cancelled but made dormant ([`Timers::disarm`]: not pending, never
//! fires, keeps its slot and heap entry), and the next wait arms it again
//! ([`Timers::rearm`]); a later deadline than its heap entry's only updates the slot, and the
//! entry, when it surfaces, is pushed again at the slot's deadline (or dropped with the timer
//! if it is still dormant). A wait then costs no heap push.

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

/// One slot: its generation, and the timer it holds.
#[derive(Debug)]
struct Slot<K> {
    generation: u32,
    timer: Option<Timer<K>>,
}

/// A timer held in a slot: armed (it fires at `deadline`) or dormant (see
/// [`Timers::disarm`]).
#[derive(Debug)]
struct Timer<K> {
    deadline: u64,
    /// Its start's sequence number (timers due together fire in start order).
    seq: u64,
    /// The deadline of the slot's one live heap entry: never later than `deadline`. Entries
    /// naming the slot with another deadline are stale.
    queued: u64,
    armed: bool,
    payload: K,
}

/// Pending timers carrying payloads of type `K`.
#[derive(Debug)]
pub struct Timers<K> {
    /// `(deadline, sequence, id)` of every held timer, and of stale entries not yet dropped.
    heap: BinaryHeap<Reverse<(u64, u64, TimerId)>>,
    slots: Vec<Slot<K>>,
    /// Slots without a timer.
    free: Vec<u32>,
    /// Armed timers.
    live: usize,
    /// Armed and dormant timers.
    held: usize,
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
            held: 0,
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
        self.started += 1;
        let seq = self.started;
        let s = &mut self.slots[slot as usize];
        s.timer = Some(Timer {
            deadline,
            seq,
            queued: deadline,
            armed: true,
            payload,
        });
        let id = TimerId::new(slot, s.generation);
        self.live += 1;
        self.held += 1;
        self.push(deadline, seq, id);
        id
    }

    fn push(&mut self, deadline: u64, seq: u64, id: TimerId) {
        if self.heap.len() >= 2 * self.held + 64 {
            self.rebuild();
        }
        self.heap.push(Reverse((deadline, seq, id)));
    }

    /// The timer `id` names, armed or dormant.
    fn held_mut(&mut self, id: TimerId) -> Option<&mut Timer<K>> {
        let s = self.slots.get_mut(id.slot())?;
        if s.generation != id.generation() {
            return None;
        }
        s.timer.as_mut()
    }

    /// Makes a timer dormant (a dormant one stays so): it stops counting as pending and will
    /// not fire, but keeps its slot and heap entry until its deadline passes, so that
    /// [`Timers::rearm`] can wake it without touching the heap.
    /// (A receive with a timeout disarms its timer when a message ends it, and arms it again
    /// at its next wait: usually with a later deadline, which needs no new heap entry.)
    pub fn disarm(&mut self, id: TimerId) {
        if let Some(t) = self.held_mut(id) {
            if t.armed {
                t.armed = false;
                self.live -= 1;
            }
        }
    }

    /// Arms a held timer (armed or dormant) again with a new deadline; false when `id` no
    /// longer names one (it fired, was cancelled, or slept past its deadline): start another.
    pub fn rearm(&mut self, id: TimerId, deadline: u64) -> bool {
        self.started += 1;
        let seq = self.started;
        let Some(t) = self.held_mut(id) else {
            return false;
        };
        let was_armed = core::mem::replace(&mut t.armed, true);
        t.deadline = deadline;
        t.seq = seq;
        let earlier = deadline < t.queued;
        if earlier {
            // Its entry would surface too late: a new one, which makes the old one stale.
            t.queued = deadline;
        }
        if !was_armed {
            self.live += 1;
        }
        if earlier {
            self.push(deadline, seq, id);
        }
        true
    }

    /// Cancels a timer; returns its deadline and payload if it was still pending (armed).
    pub fn cancel(&mut self, id: TimerId) -> Option<(u64, K)> {
        let s = self.slots.get_mut(id.slot())?;
        if s.generation != id.generation() {
            return None;
        }
        let t = s.timer.take()?;
        s.generation = s.generation.wrapping_add(1);
        self.free.push(id.slot() as u32);
        self.held -= 1;
        if t.armed {
            self.live -= 1;
            Some((t.deadline, t.payload))
        } else {
            None
        }
    }

    /// The deadline of a pending (armed) timer.
    pub fn deadline(&self, id: TimerId) -> Option<u64> {
        let s = self.slots.get(id.slot())?;
        if s.generation != id.generation() {
            return None;
        }
        s.timer.as_ref().filter(|t| t.armed).map(|t| t.deadline)
    }

    /// Whether the heap entry `(deadline, id)` is its slot's live entry.
    fn current(&self, deadline: u64, id: TimerId) -> bool {
        self.slots.get(id.slot()).is_some_and(|s| {
            s.generation == id.generation()
                && s.timer.as_ref().is_some_and(|t| t.queued == deadline)
        })
    }

    /// Drops the heap's stale entries (keeping its room).
    fn rebuild(&mut self) {
        let slots = &self.slots;
        self.heap.retain(|&Reverse((deadline, _, id))| {
            slots.get(id.slot()).is_some_and(|s| {
                s.generation == id.generation()
                    && s.timer.as_ref().is_some_and(|t| t.queued == deadline)
            })
        });
    }

    /// When the scheduler must look at the timers next: the earliest deadline of a held
    /// timer's heap entry. It may be earlier than any armed deadline (a dormant timer's, or
    /// one re-armed later); [`Timers::expire`] then fires nothing and moves the entry on.
    pub fn next_deadline(&mut self) -> Option<u64> {
        while let Some(&Reverse((deadline, _, id))) = self.heap.peek() {
            if self.current(deadline, id) {
                return Some(deadline);
            }
            self.heap.pop();
        }
        None
    }

    /// Whether an entry may be due at `now` (false means [`Timers::expire`] has nothing to
    /// do: one look at the heap's top).
    #[inline]
    pub fn may_be_due(&self, now: u64) -> bool {
        self.heap
            .peek()
            .is_some_and(|Reverse((deadline, _, _))| *deadline <= now)
    }

    /// Removes and returns every armed timer due at `now`, earliest first; dormant timers
    /// whose deadline passed are dropped, and re-armed ones queued again at their deadline.
    pub fn expire(&mut self, now: u64) -> Vec<(TimerId, K)> {
        let mut due = Vec::new();
        while let Some(&Reverse((deadline, _, id))) = self.heap.peek() {
            if deadline > now {
                break;
            }
            self.heap.pop();
            let Some(t) = self.held_mut(id) else {
                continue;
            };
            if t.queued != deadline {
                continue;
            }
            if t.armed && t.deadline > now {
                // Re-armed later since this entry was pushed.
                let (later, seq) = (t.deadline, t.seq);
                t.queued = later;
                self.heap.push(Reverse((later, seq, id)));
                continue;
            }
            // An armed timer fires; a dormant one has slept past its deadline and goes.
            if let Some((_, payload)) = self.cancel(id) {
                due.push((id, payload));
            }
        }
        due
    }

    /// The payloads of the pending (armed) timers, in no particular order.
    pub fn payloads(&self) -> impl Iterator<Item = &K> {
        self.slots
            .iter()
            .filter_map(|s| s.timer.as_ref().filter(|t| t.armed).map(|t| &t.payload))
    }

    /// Pending (armed) timers.
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

    #[test]
    fn a_dormant_timer_never_fires_and_rearms_without_a_heap_push() {
        let mut t = Timers::new();
        let a = t.start(100, 'a');
        t.disarm(a);
        assert!(t.is_empty(), "a dormant timer is not pending");
        assert_eq!(t.deadline(a), None);
        assert_eq!(t.payloads().count(), 0);
        assert!(t.rearm(a, 150));
        assert_eq!(t.len(), 1);
        assert_eq!(t.heap.len(), 1, "a later deadline keeps the one heap entry");
        // The entry surfaces at 100, fires nothing, and is queued again at 150.
        assert_eq!(t.next_deadline(), Some(100));
        assert_eq!(t.expire(120), vec![]);
        assert_eq!(t.next_deadline(), Some(150));
        let due: Vec<char> = t.expire(150).into_iter().map(|(_, k)| k).collect();
        assert_eq!(due, vec!['a']);
        assert!(!t.rearm(a, 200), "a fired timer is gone");
        assert_eq!(t.next_deadline(), None);
    }

    #[test]
    fn a_dormant_timer_is_dropped_at_its_deadline_and_an_earlier_rearm_fires_early() {
        let mut t = Timers::new();
        let a = t.start(100, 'a');
        t.disarm(a);
        assert_eq!(t.expire(100), vec![], "dormant: dropped, not fired");
        assert!(!t.rearm(a, 300), "its slot is free again");
        assert!(t.heap.is_empty());
        let b = t.start(100, 'b');
        assert!(t.rearm(b, 50), "an earlier deadline takes a new heap entry");
        assert_eq!(t.next_deadline(), Some(50));
        let due: Vec<char> = t.expire(60).into_iter().map(|(_, k)| k).collect();
        assert_eq!(due, vec!['b']);
        assert_eq!(t.expire(100), vec![], "the old entry is stale");
        assert!(t.is_empty());
        // Cancelling a dormant timer frees it and reports nothing pending.
        let c = t.start(10, 'c');
        t.disarm(c);
        assert_eq!(t.cancel(c), None);
        assert!(!t.rearm(c, 20));
    }

    #[test]
    fn a_server_loop_of_timed_receives_keeps_one_timer() {
        let mut t = Timers::new();
        let mut id = t.start(1_000, 0u32);
        for now in 1..10_000u64 {
            t.disarm(id);
            if !t.rearm(id, now + 1_000) {
                id = t.start(now + 1_000, 0);
            }
            let _ = t.expire(now);
        }
        assert_eq!(t.len(), 1);
        assert!(t.heap.len() <= 2, "re-armed later: no new entries");
        assert_eq!(t.slots.len(), 1);
    }
}
