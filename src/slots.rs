//! Slot tables: objects addressed by a slot and a generation, opened, found and closed in
//! constant time.
//!
//! The pore and outlet tables keep their objects here. Empty slots wait on a free list, so
//! opening takes one without a search; each slot counts how often it was filled, so a handle
//! to a closed object (an older generation) reaches nothing, not the object now in its slot.
//!
//! Invariants: `free` holds exactly the empty slots, each once; `len` is the number of full
//! slots; a full slot's generation is the one in the handle [`Slots::insert`] gave for it.

#![forbid(unsafe_code)]

use alloc::vec::Vec;

/// Where an object lives: its slot, and the slot's generation when the object went in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Handle {
    /// Index of the slot.
    pub slot: u32,
    /// How many objects the slot has held, this one included (wrapping).
    pub generation: u32,
}

struct Entry<T> {
    generation: u32,
    item: Option<T>,
}

/// A table of objects with generation-checked handles.
pub struct Slots<T> {
    entries: Vec<Entry<T>>,
    free: Vec<u32>,
    len: usize,
}

impl<T> Default for Slots<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Slots<T> {
    /// An empty table.
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }

    /// Objects in the table.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Slots ever made (full or free): the table never holds more than it once held at once.
    pub fn slot_count(&self) -> usize {
        self.entries.len()
    }

    /// Puts `item` in a free slot (the most recently freed) or a new one.
    pub fn insert(&mut self, item: T) -> Handle {
        let slot = match self.free.pop() {
            Some(s) => s as usize,
            None => {
                self.entries.push(Entry {
                    generation: 0,
                    item: None,
                });
                self.entries.len() - 1
            }
        };
        let e = &mut self.entries[slot];
        e.generation = e.generation.wrapping_add(1);
        e.item = Some(item);
        self.len += 1;
        Handle {
            slot: slot as u32,
            generation: e.generation,
        }
    }

    /// The object `h` stands for, unless it was removed.
    pub fn get(&self, h: Handle) -> Option<&T> {
        let e = self.entries.get(h.slot as usize)?;
        if e.generation != h.generation {
            return None;
        }
        e.item.as_ref()
    }

    /// As [`Slots::get`], to change it.
    pub fn get_mut(&mut self, h: Handle) -> Option<&mut T> {
        let e = self.entries.get_mut(h.slot as usize)?;
        if e.generation != h.generation {
            return None;
        }
        e.item.as_mut()
    }

    /// Takes the object `h` stands for out of the table; its slot goes on the free list.
    pub fn remove(&mut self, h: Handle) -> Option<T> {
        let e = self.entries.get_mut(h.slot as usize)?;
        if e.generation != h.generation {
            return None;
        }
        let item = e.item.take()?;
        self.free.push(h.slot);
        self.len -= 1;
        Some(item)
    }

    /// Every object with its handle, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (Handle, &T)> {
        self.entries.iter().enumerate().filter_map(|(i, e)| {
            let h = Handle {
                slot: i as u32,
                generation: e.generation,
            };
            e.item.as_ref().map(|t| (h, t))
        })
    }

    /// The handles of the objects `keep` picks; nothing is looked at when the table is empty.
    pub fn handles_where(&self, keep: impl Fn(&T) -> bool) -> Vec<Handle> {
        if self.len == 0 {
            return Vec::new();
        }
        self.iter()
            .filter(|(_, t)| keep(t))
            .map(|(h, _)| h)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_opens_and_closes_reuse_slots_and_stale_handles_reach_nothing() {
        let mut t: Slots<u32> = Slots::new();
        let mut live: Vec<(Handle, u32)> = Vec::new();
        let mut stale: Vec<Handle> = Vec::new();
        // 100,000 objects through at most 1,000 slots: opens and closes interleaved.
        for i in 0..100_000u32 {
            if live.len() == 1000 || (i % 3 == 2 && !live.is_empty()) {
                let (h, v) = live.swap_remove((i as usize * 7919) % live.len());
                assert_eq!(t.remove(h), Some(v));
                assert_eq!(t.remove(h), None, "removed twice");
                stale.push(h);
            }
            live.push((t.insert(i), i));
            assert_eq!(t.len(), live.len());
        }
        assert!(t.slot_count() <= 1000);
        for (h, v) in &live {
            assert_eq!(t.get(*h), Some(v));
        }
        for h in stale.iter().rev().take(10_000) {
            assert_eq!(t.get(*h), None);
            assert_eq!(t.get_mut(*h), None);
        }
        let mut seen: Vec<u32> = t.iter().map(|(_, v)| *v).collect();
        seen.sort_unstable();
        let mut want: Vec<u32> = live.iter().map(|(_, v)| *v).collect();
        want.sort_unstable();
        assert_eq!(seen, want);
        let odd = t.handles_where(|v| v % 2 == 1);
        assert_eq!(odd.len(), want.iter().filter(|v| *v % 2 == 1).count());
        for h in odd {
            t.remove(h);
        }
        assert!(t.iter().all(|(_, v)| v % 2 == 0));
    }

    #[test]
    fn a_handle_from_another_slot_or_beyond_the_table_reaches_nothing() {
        let mut t: Slots<&str> = Slots::new();
        let a = t.insert("a");
        assert_eq!(
            a,
            Handle {
                slot: 0,
                generation: 1
            }
        );
        assert!(t.remove(a).is_some());
        let b = t.insert("b");
        assert_eq!(
            b,
            Handle {
                slot: 0,
                generation: 2
            }
        );
        assert_eq!(t.get(a), None);
        assert_eq!(
            t.get(Handle {
                slot: 9,
                generation: 1
            }),
            None
        );
        assert_eq!(
            t.remove(Handle {
                slot: 0,
                generation: 1
            }),
            None
        );
        assert_eq!(t.get(b), Some(&"b"));
        assert!(t.handles_where(|_| true).len() == 1 && !t.is_empty());
    }
}
