//! Timers: receive timeouts and `erlang:send_after/3`, ordered by deadline.
//!
//! A timer is identified by a sequence number that is never reused, so cancelling a timer
//! that already fired (or was cancelled) is a harmless miss. Cancelled timers leave their heap
//! entry behind and are skipped when they surface, which keeps cancel O(log n).

use alloc::collections::{BTreeMap, BinaryHeap};
use alloc::vec::Vec;
use core::cmp::Reverse;

/// A timer's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerId(pub u64);

/// Pending timers carrying payloads of type `K`.
#[derive(Debug)]
pub struct Timers<K> {
    heap: BinaryHeap<Reverse<(u64, u64)>>,
    live: BTreeMap<u64, (u64, K)>,
    next: u64,
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
            live: BTreeMap::new(),
            next: 1,
        }
    }

    /// Starts a timer due at `deadline` (ns).
    pub fn start(&mut self, deadline: u64, payload: K) -> TimerId {
        let id = self.next;
        self.next += 1;
        self.heap.push(Reverse((deadline, id)));
        self.live.insert(id, (deadline, payload));
        TimerId(id)
    }

    /// Cancels a timer; returns its deadline and payload if it was still pending.
    pub fn cancel(&mut self, id: TimerId) -> Option<(u64, K)> {
        self.live.remove(&id.0)
    }

    /// The deadline of a pending timer.
    pub fn deadline(&self, id: TimerId) -> Option<u64> {
        self.live.get(&id.0).map(|(d, _)| *d)
    }

    /// The earliest pending deadline.
    pub fn next_deadline(&mut self) -> Option<u64> {
        while let Some(&Reverse((deadline, id))) = self.heap.peek() {
            if self.live.contains_key(&id) {
                return Some(deadline);
            }
            self.heap.pop();
        }
        None
    }

    /// Removes and returns every timer due at `now`, earliest first.
    pub fn expire(&mut self, now: u64) -> Vec<(TimerId, K)> {
        let mut due = Vec::new();
        while let Some(&Reverse((deadline, id))) = self.heap.peek() {
            if deadline > now {
                break;
            }
            self.heap.pop();
            if let Some((_, payload)) = self.live.remove(&id) {
                due.push((TimerId(id), payload));
            }
        }
        due
    }

    /// Pending timers.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// Whether none is pending.
    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(t.next_deadline(), Some(20));
        assert_eq!(t.expire(5), vec![]);
        let due: Vec<char> = t.expire(20).into_iter().map(|(_, k)| k).collect();
        assert_eq!(due, vec!['c', 'd']);
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
        assert_eq!(t.next_deadline(), None);
        assert!(t.heap.is_empty(), "surfaced cancelled entries are dropped");
    }
}
