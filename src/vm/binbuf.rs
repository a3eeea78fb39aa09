//! Off-heap binary buffers, and what they charge to the node's memory account.
//!
//! A binary's bytes live outside the process heap in a [`BinData`] shared by reference count
//! ([`BinBuf`]): a message or an ETS object refers to the same buffer as the heap that made it.
//! A buffer made by a process whose heap is attached to the node's [`NodeMemory`] charges its
//! capacity there once, however many heaps refer to it, and gives it back when the last
//! reference drops, so the node's account sees binaries as erl's `erlang:memory(binary)` does.
//!
//! Invariants: `charged` is what this buffer has charged to `memory` (0 with no account):
//! [`held_bytes`] of its capacity, the bytes and what holding them costs besides (the shared
//! header's block, the smallest block for the bytes, a heap's handle to it), so that a
//! process making millions of small binaries meets the node's budget before the allocator
//! runs dry (erl keeps binaries of up to 64 bytes on the process heap; here each is a buffer
//! of its own, about 90 bytes more than its heap words); a buffer's bytes change only while
//! one heap holds it (appends in place), through [`BinData::put_bytes`], which settles the
//! charge.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::Deref;

use super::memory::NodeMemory;

/// A shared, immutable-once-published byte buffer behind binary terms.
pub type BinBuf = Arc<BinData>;

/// What a buffer of `capacity` bytes holds of the node's memory: its bytes (at least the
/// allocator's smallest block, 16 bytes, when there are any), the block of the shared header
/// (`Arc` counts and [`BinData`], rounded up to a power of two as the image's allocator
/// rounds small blocks) and one heap's handle to it.
pub const fn held_bytes(capacity: usize) -> usize {
    const HEADER: usize =
        (2 * core::mem::size_of::<usize>() + core::mem::size_of::<BinData>()).next_power_of_two();
    let bytes = if capacity == 0 {
        0
    } else if capacity < 16 {
        16
    } else {
        capacity
    };
    bytes + HEADER + core::mem::size_of::<BinBuf>()
}

/// A binary's bytes and their charge to the node's memory account.
#[derive(Debug, Default)]
pub struct BinData {
    bytes: Vec<u8>,
    memory: NodeMemory,
    charged: usize,
}

impl BinData {
    /// A buffer owning `bytes` that charges nothing (literals, heaps outside the node).
    pub fn uncharged(bytes: Vec<u8>) -> Self {
        BinData {
            bytes,
            memory: NodeMemory::default(),
            charged: 0,
        }
    }

    /// A buffer owning `bytes`, charged to `memory` (memory already taken: whatever the
    /// budget, so the next growth that asks the account sees it).
    pub fn charged(bytes: Vec<u8>, memory: Option<&NodeMemory>) -> Self {
        // What `settle` does from nothing charged, in one step (every new binary comes here).
        let Some(m) = memory else {
            return Self::uncharged(bytes);
        };
        let charged = held_bytes(bytes.capacity());
        m.charge(charged);
        BinData {
            bytes,
            memory: m.clone(),
            charged,
        }
    }

    /// Bytes charged to the node's account for this buffer.
    pub fn charge(&self) -> usize {
        self.charged
    }

    /// Takes the bytes out to append to them; [`BinData::put_bytes`] puts them back.
    pub fn take_bytes(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.bytes)
    }

    /// Puts back bytes taken out (with more appended), settling the charge with `memory`.
    pub fn put_bytes(&mut self, bytes: Vec<u8>, memory: Option<&NodeMemory>) {
        self.bytes = bytes;
        self.settle(memory);
    }

    /// Charges the capacity not charged yet, or gives back what is no longer held.
    fn settle(&mut self, memory: Option<&NodeMemory>) {
        let want = held_bytes(self.bytes.capacity());
        if want == self.charged {
            return;
        }
        if self.charged == 0 {
            match memory {
                Some(m) => self.memory = m.clone(),
                None => return,
            }
        }
        if want > self.charged {
            self.memory.charge(want - self.charged);
        } else {
            self.memory.release(self.charged - want);
        }
        self.charged = want;
    }
}

impl Deref for BinData {
    type Target = Vec<u8>;

    fn deref(&self) -> &Vec<u8> {
        &self.bytes
    }
}

impl Drop for BinData {
    fn drop(&mut self) {
        self.memory.release(self.charged);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_buffer_is_charged_once_until_its_last_reference_drops() {
        let m = NodeMemory::unlimited();
        let small = BinData::charged(alloc::vec![0; 10], Some(&m));
        // A small buffer charges its block and what holding it costs besides.
        assert_eq!((small.charge(), m.used()), (held_bytes(10), held_bytes(10)));
        assert!(held_bytes(10) >= 16 + 64 + 8, "{}", held_bytes(10));
        drop(small);
        assert_eq!(m.used(), 0);
        let b = Arc::new(BinData::charged(Vec::with_capacity(1000), Some(&m)));
        assert_eq!(m.used(), held_bytes(1000));
        let other = b.clone();
        drop(b);
        assert_eq!(m.used(), held_bytes(1000));
        drop(other);
        assert_eq!(m.used(), 0);
    }

    #[test]
    fn appends_charge_their_growth_and_a_shrink_gives_it_back() {
        let m = NodeMemory::unlimited();
        let mut b = BinData::charged(alloc::vec![1; 8], Some(&m));
        let mut bytes = b.take_bytes();
        bytes.reserve_exact(4000);
        let cap = bytes.capacity();
        b.put_bytes(bytes, Some(&m));
        assert_eq!((b.charge(), m.used()), (held_bytes(cap), held_bytes(cap)));
        let mut bytes = b.take_bytes();
        bytes.shrink_to_fit();
        b.put_bytes(bytes, Some(&m));
        assert_eq!((b.charge(), m.used()), (held_bytes(8), held_bytes(8)));
        let lit = BinData::uncharged(alloc::vec![0; 4096]);
        assert_eq!(lit.charge(), 0);
        drop((b, lit));
        assert_eq!(m.used(), 0);
    }
}
