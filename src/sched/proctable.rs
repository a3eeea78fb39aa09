//! The process table: live processes by pid number, indexed by the pid's slot.
//!
//! [`PidTable`](super::pids::PidTable) gives every live process a slot of its own (the pid's
//! data modulo the number of slots), so looking a process up is one index and one compare of
//! the stored pid: no search, whatever the number of processes. Every send, wake-up, timer and
//! monitor looks processes up, which a search tree made a sizeable part of message passing.
//!
//! The vector grows to the highest slot used and holds a pointer per slot (the entries are
//! boxed), so a node that ever ran many processes keeps 8 bytes per slot it used, at most
//! the process limit's worth.

use alloc::boxed::Box;
use alloc::vec::Vec;

/// Live processes' entries of type `E` by pid number.
#[derive(Debug)]
pub struct ProcTable<E> {
    slots: Vec<Option<Box<(u32, E)>>>,
    /// The number of slots less one (a power of two less one).
    mask: u32,
    len: usize,
}

impl<E> ProcTable<E> {
    /// An empty table for pids with `slots` slots (a power of two).
    pub fn new(slots: u32) -> Self {
        debug_assert!(slots.is_power_of_two());
        Self {
            slots: Vec::new(),
            mask: slots.wrapping_sub(1),
            len: 0,
        }
    }

    /// Uses `slots` slots from now on (the pid table was resized), moving the entries.
    pub fn set_slots(&mut self, slots: u32) {
        debug_assert!(slots.is_power_of_two());
        let old = core::mem::take(&mut self.slots);
        self.mask = slots.wrapping_sub(1);
        self.len = 0;
        for (pid, e) in old.into_iter().flatten().map(|b| *b) {
            self.insert(pid, e);
        }
    }

    fn slot(&self, pid: u32) -> usize {
        (pid & self.mask) as usize
    }

    /// The entry of live process `pid`.
    #[inline]
    pub fn get(&self, pid: &u32) -> Option<&E> {
        match self.slots.get(self.slot(*pid)) {
            Some(Some(b)) if b.0 == *pid => Some(&b.1),
            _ => None,
        }
    }

    /// The entry of live process `pid`, to change.
    #[inline]
    pub fn get_mut(&mut self, pid: &u32) -> Option<&mut E> {
        let i = self.slot(*pid);
        match self.slots.get_mut(i) {
            Some(Some(b)) if b.0 == *pid => Some(&mut b.1),
            _ => None,
        }
    }

    /// Whether `pid` is live.
    #[inline]
    pub fn contains_key(&self, pid: &u32) -> bool {
        self.get(pid).is_some()
    }

    /// Adds live process `pid`. Its slot is free: the pid table never hands out the slot of
    /// a live process (a debug build checks).
    pub fn insert(&mut self, pid: u32, e: E) {
        let i = self.slot(pid);
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, || None);
        }
        debug_assert!(
            self.slots[i].as_ref().is_none_or(|b| b.0 == pid),
            "slot {i} of pid {pid} is taken"
        );
        if self.slots[i].replace(Box::new((pid, e))).is_none() {
            self.len += 1;
        }
    }

    /// Removes process `pid`; its entry if it was live.
    pub fn remove(&mut self, pid: &u32) -> Option<E> {
        let i = self.slot(*pid);
        match self.slots.get_mut(i) {
            Some(s @ Some(_)) if s.as_ref().is_some_and(|b| b.0 == *pid) => {
                self.len -= 1;
                s.take().map(|b| b.1)
            }
            _ => None,
        }
    }

    /// Live processes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no process is live.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Live pid numbers, in slot order.
    pub fn keys(&self) -> impl Iterator<Item = &u32> + '_ {
        self.slots.iter().flatten().map(|b| &b.0)
    }

    /// Live processes' entries, in slot order.
    pub fn values(&self) -> impl Iterator<Item = &E> + '_ {
        self.slots.iter().flatten().map(|b| &b.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;

    /// The table against a BTreeMap, with pids as the pid table makes them: a slot below the
    /// size plus a serial above it.
    #[test]
    fn behaves_as_a_map_of_live_pids() {
        let mut t = ProcTable::new(1024);
        let mut model = BTreeMap::new();
        let mut serial = [0u32; 1024];
        let mut x: u32 = 7;
        for step in 0..50_000u32 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let slot = x % 1024;
            let pid = serial[slot as usize] * 1024 + slot;
            if let Some(v) = model.remove(&pid) {
                assert_eq!(t.remove(&pid), Some(v));
                serial[slot as usize] = (serial[slot as usize] + 1) % (1 << 18);
            } else {
                t.insert(pid, step);
                model.insert(pid, step);
            }
            // A dead pid of the same slot names no one.
            let stale = pid.wrapping_sub(1024);
            assert_eq!(t.get(&stale), model.get(&stale));
            assert_eq!(t.len(), model.len());
        }
        let mut keys: Vec<u32> = t.keys().copied().collect();
        keys.sort_unstable();
        assert_eq!(keys, model.keys().copied().collect::<Vec<_>>());
        let sum: u64 = t.values().map(|&v| u64::from(v)).sum();
        assert_eq!(sum, model.values().map(|&v| u64::from(v)).sum::<u64>());
        if let Some((&pid, &v)) = model.iter().next() {
            *t.get_mut(&pid).unwrap() += 1;
            assert_eq!(t.get(&pid), Some(&(v + 1)));
        }
    }

    #[test]
    fn resizing_keeps_the_entries() {
        let mut t = ProcTable::new(1024);
        t.insert(40, 'a');
        t.insert(78, 'b');
        t.set_slots(4096);
        assert_eq!(
            (t.get(&40), t.get(&78), t.len()),
            (Some(&'a'), Some(&'b'), 2)
        );
        t.insert(4000, 'c');
        assert_eq!(t.remove(&4000), Some('c'));
        assert_eq!(t.remove(&4000), None);
        assert!(!t.contains_key(&(4000 + 4096)));
    }
}
