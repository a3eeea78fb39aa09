//! Pid numbers as erl hands them out: a slot of the process table plus a serial that changes
//! each time the slot is reused.
//!
//! A pid's 28-bit data is `serial << 15 | number` and prints as `<0.Number.Serial>`. The table
//! has a power-of-two number of slots (`process_limit` rounded up), and a pid's slot is its
//! data modulo that size. A freed slot comes back with its data advanced by the table size,
//! so the dead process's pid names no one until the slot has been reused
//! `2^28 / slots` times; the data wraps at 2^28 and the node never runs out of pids.
//!
//! Like erl's, slots are handed out first in order (from the first spawned pid on, then the
//! low slots kernel processes did not take) and then freed ones, oldest first.
//!
//! Invariants: every slot is in exactly one place: not yet handed out (`fresh`, or a reserved
//! slot never used), live, or queued in `free` with its next data. So two live processes
//! never share a slot, and a pid in use is never handed out again.

use alloc::collections::VecDeque;

use crate::vm::term::PID_DATA_BITS as DATA_BITS;

/// The fewest slots a table has (erl's smallest `+P`).
pub const MIN_SLOTS: u32 = 1024;

/// Slots below this are the ones erl's kernel processes take; the program's first spawn gets
/// this one.
pub const FIRST_FREE_SLOT: u32 = 79;

/// The smallest `+P` erl takes.
pub const MIN_PROCESS_LIMIT: u64 = 1024;
/// The largest `+P` erl takes.
pub const MAX_PROCESS_LIMIT: u64 = (1 << 27) - 1;

/// The process limit erl sets for `+P requested`: rounded up to a power of two, at most
/// [`MAX_PROCESS_LIMIT`]; `None` for a number erl refuses (below [`MIN_PROCESS_LIMIT`] or
/// above the largest).
pub fn round_process_limit(requested: u64) -> Option<usize> {
    if !(MIN_PROCESS_LIMIT..=MAX_PROCESS_LIMIT).contains(&requested) {
        return None;
    }
    let rounded = requested.next_power_of_two().min(MAX_PROCESS_LIMIT);
    usize::try_from(rounded).ok()
}

/// Hands out pid data.
#[derive(Debug)]
pub struct PidTable {
    /// Number of slots (a power of two).
    slots: u32,
    /// Mask of the data bits (`2^28 - 1`; smaller in tests).
    data_mask: u32,
    /// Slots handed out in order so far, counted from [`FIRST_FREE_SLOT`]; past the table's
    /// end it goes on over the low slots.
    fresh: u32,
    /// Low slots taken by [`PidTable::reserve`] (bit per slot).
    reserved: u128,
    /// Freed slots, oldest first, each with the data its next process gets.
    free: VecDeque<u32>,
}

impl PidTable {
    /// A table for at most `limit` live processes.
    pub fn new(limit: usize) -> Self {
        let want = u32::try_from(limit).unwrap_or(u32::MAX).max(MIN_SLOTS);
        let slots = want
            .checked_next_power_of_two()
            .unwrap_or(1 << (DATA_BITS - 1))
            .min(1 << (DATA_BITS - 1));
        Self {
            slots,
            data_mask: (1 << DATA_BITS) - 1,
            fresh: 0,
            reserved: 0,
            free: VecDeque::new(),
        }
    }

    /// The same table sized for `limit`, if it has handed out nothing but reserved slots yet
    /// (after that, the slots in use fix its size).
    pub fn resized(&self, limit: usize) -> Option<PidTable> {
        if self.fresh != 0 || !self.free.is_empty() {
            return None;
        }
        let mut t = PidTable::new(limit);
        t.reserved = self.reserved;
        t.data_mask = self.data_mask;
        Some(t)
    }

    /// Makes the data wrap at `2^bits` (tests use this to reach the wrap quickly).
    #[cfg(test)]
    pub fn set_data_bits(&mut self, bits: u32) {
        assert!(bits < DATA_BITS && (1u32 << bits) > self.slots);
        self.data_mask = (1 << bits) - 1;
    }

    /// Number of slots.
    pub fn slots(&self) -> u32 {
        self.slots
    }

    /// Takes the low slot `slot` (below [`FIRST_FREE_SLOT`]) for a process erl also gives a
    /// fixed number (the `-run` process, kernel services); `None` if it was taken before.
    pub fn reserve(&mut self, slot: u32) -> Option<u32> {
        if slot >= FIRST_FREE_SLOT || self.reserved & (1 << slot) != 0 {
            return None;
        }
        self.reserved |= 1 << slot;
        Some(slot)
    }

    /// The data for a new process; `None` when every slot is live.
    pub fn alloc(&mut self) -> Option<u32> {
        while self.fresh < self.slots {
            let slot = (FIRST_FREE_SLOT + self.fresh) % self.slots;
            self.fresh += 1;
            if slot >= FIRST_FREE_SLOT || self.reserve(slot).is_some() {
                return Some(slot);
            }
        }
        self.free.pop_front()
    }

    /// A process with this data is gone: its slot comes back with the next serial.
    pub fn release(&mut self, data: u32) {
        self.free
            .push_back(data.wrapping_add(self.slots) & self.data_mask);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_handed_out_in_order_then_reused_with_a_new_serial() {
        let mut t = PidTable::new(3);
        assert_eq!(t.slots(), MIN_SLOTS);
        assert_eq!(t.reserve(9), Some(9));
        assert_eq!(t.reserve(9), None);
        let first: alloc::vec::Vec<u32> = (0..MIN_SLOTS - 1).map(|_| t.alloc().unwrap()).collect();
        assert_eq!(first[0], FIRST_FREE_SLOT);
        assert_eq!(first[(MIN_SLOTS - FIRST_FREE_SLOT) as usize], 0);
        assert!(!first.contains(&9));
        assert_eq!(t.alloc(), None);
        t.release(80);
        t.release(9);
        assert_eq!(t.alloc(), Some(80 + MIN_SLOTS));
        assert_eq!(t.alloc(), Some(9 + MIN_SLOTS));
        assert_eq!(t.alloc(), None);
    }

    #[test]
    fn data_wraps_and_keeps_its_slot() {
        let mut t = PidTable::new(MIN_SLOTS as usize);
        t.set_data_bits(12);
        let d = t.alloc().unwrap();
        let mut cur = d;
        for _ in 0..4 {
            t.release(cur);
            while let Some(x) = t.alloc() {
                if x % MIN_SLOTS == d {
                    cur = x;
                    break;
                }
                t.release(x);
            }
        }
        assert_eq!(
            cur, d,
            "four generations in a 12-bit space: back to the first"
        );
    }

    #[test]
    fn process_limits_round_as_erls() {
        assert_eq!(round_process_limit(1000), None);
        assert_eq!(round_process_limit(0), None);
        assert_eq!(round_process_limit(1024), Some(1024));
        assert_eq!(round_process_limit(1025), Some(2048));
        assert_eq!(round_process_limit(300_000), Some(524_288));
        assert_eq!(round_process_limit(67_108_865), Some(134_217_727));
        assert_eq!(round_process_limit(134_217_727), Some(134_217_727));
        assert_eq!(round_process_limit(134_217_728), None);
    }

    #[test]
    fn a_table_in_use_keeps_its_size() {
        let mut t = PidTable::new(1024);
        t.reserve(9);
        let mut big = t.resized(5000).unwrap();
        assert_eq!(big.slots(), 8192);
        assert_eq!(big.reserve(9), None);
        big.alloc();
        assert!(big.resized(1024).is_none());
    }

    #[test]
    fn the_largest_limit_fits_the_data() {
        assert_eq!(PidTable::new(134_217_727).slots(), 1 << 27);
        assert_eq!(PidTable::new(2000).slots(), 2048);
    }
}
