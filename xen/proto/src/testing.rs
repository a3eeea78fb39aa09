//! A page of plain memory for host tests: what the other domain would see, without sharing.

use crate::ring::RingMemory;
use core::cell::Cell;
use std::vec::Vec;

/// A zeroed 4 KiB page accessed through [`RingMemory`].
pub struct TestPage(Vec<Cell<u8>>);

impl TestPage {
    /// A zeroed page.
    pub fn new() -> Self {
        Self((0..4096).map(|_| Cell::new(0)).collect())
    }
}

impl RingMemory for TestPage {
    fn read_u8(&self, offset: usize) -> u8 {
        self.0[offset].get()
    }
    fn write_u8(&self, offset: usize, value: u8) {
        self.0[offset].set(value)
    }
    fn read_u32(&self, offset: usize) -> u32 {
        assert_eq!(offset % 4, 0, "unaligned u32 access");
        u32::from_le_bytes(core::array::from_fn(|i| self.0[offset + i].get()))
    }
    fn write_u32(&self, offset: usize, value: u32) {
        assert_eq!(offset % 4, 0, "unaligned u32 access");
        for (cell, b) in self.0[offset..offset + 4].iter().zip(value.to_le_bytes()) {
            cell.set(b);
        }
    }
}
