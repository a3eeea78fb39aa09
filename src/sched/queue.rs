//! Run queues: which runnable process goes next, by priority.
//!
//! As in erl, `high` processes always run before `normal` and `low` ones (and `max` before
//! all), while `low` shares the CPU with `normal` instead of starving: a low process runs
//! after every [`LOW_SKIP`] normal slices, or whenever no normal process is runnable. Within a
//! priority the order is first in, first out, so processes preempted for using up their
//! reductions take turns fairly.

use alloc::collections::VecDeque;

/// How many normal slices run before a waiting low-priority process gets one.
pub const LOW_SKIP: u32 = 8;

/// Process priority, as `process_flag(priority, P)` sets it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// Runs when nothing else wants to, and every few normal slices.
    Low,
    /// The default.
    #[default]
    Normal,
    /// Always before normal and low.
    High,
    /// Always before everything else.
    Max,
}

/// The queues of runnable processes (by process number).
#[derive(Debug, Default)]
pub struct RunQueues {
    max: VecDeque<u32>,
    high: VecDeque<u32>,
    normal: VecDeque<u32>,
    low: VecDeque<u32>,
    normal_since_low: u32,
}

impl RunQueues {
    /// Empty queues.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues `pid` at the back of its priority's queue.
    pub fn push(&mut self, pid: u32, priority: Priority) {
        match priority {
            Priority::Max => self.max.push_back(pid),
            Priority::High => self.high.push_back(pid),
            Priority::Normal => self.normal.push_back(pid),
            Priority::Low => self.low.push_back(pid),
        }
    }

    /// The next process to run.
    pub fn pop(&mut self) -> Option<u32> {
        if let Some(p) = self.max.pop_front().or_else(|| self.high.pop_front()) {
            return Some(p);
        }
        let low_due = self.normal_since_low >= LOW_SKIP || self.normal.is_empty();
        if low_due {
            if let Some(p) = self.low.pop_front() {
                self.normal_since_low = 0;
                return Some(p);
            }
        }
        let p = self.normal.pop_front()?;
        self.normal_since_low += 1;
        Some(p)
    }

    /// Whether nothing is runnable.
    pub fn is_empty(&self) -> bool {
        self.max.is_empty() && self.high.is_empty() && self.normal.is_empty() && self.low.is_empty()
    }

    /// Number of queued entries.
    pub fn len(&self) -> usize {
        self.max.len() + self.high.len() + self.normal.len() + self.low.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn higher_priorities_go_first_and_fifo_within_one() {
        let mut q = RunQueues::new();
        q.push(1, Priority::Normal);
        q.push(2, Priority::High);
        q.push(3, Priority::Normal);
        q.push(4, Priority::Max);
        q.push(5, Priority::High);
        let order: Vec<u32> = core::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, [4, 2, 5, 1, 3]);
        assert!(q.is_empty());
    }

    #[test]
    fn low_priority_gets_a_share_but_not_more() {
        let mut q = RunQueues::new();
        // Two busy normal processes and one busy low one, each requeued after its slice.
        for p in [1, 2] {
            q.push(p, Priority::Normal);
        }
        q.push(9, Priority::Low);
        let mut low_runs = 0;
        for _ in 0..900 {
            let p = q.pop().unwrap();
            if p == 9 {
                low_runs += 1;
                q.push(p, Priority::Low);
            } else {
                q.push(p, Priority::Normal);
            }
        }
        assert_eq!(low_runs, 100, "one low slice per {LOW_SKIP} normal ones");
        // Alone, a low process runs every time.
        let mut alone = RunQueues::new();
        alone.push(7, Priority::Low);
        assert_eq!(alone.pop(), Some(7));
    }
}
