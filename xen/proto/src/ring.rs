//! Byte rings in shared pages: the console and Xenstore transports.
//!
//! A ring is a power-of-two data area plus a producer and a consumer index. The indices are
//! free-running u32 counters (they wrap, and only a Xenstore reconnect resets them); `index & (size - 1)`
//! is the slot. The other side owns one of the two indices and can write anything into it, so
//! every read of a foreign index is validated: `prod - cons` must never exceed the ring's size.

use core::sync::atomic::{fence, Ordering};

/// Memory a ring lives in: single volatile accesses at offsets, never references.
pub trait RingMemory {
    /// Reads a byte.
    fn read_u8(&self, offset: usize) -> u8;
    /// Writes a byte.
    fn write_u8(&self, offset: usize, value: u8);
    /// Reads an aligned u32 in one access.
    fn read_u32(&self, offset: usize) -> u32;
    /// Writes an aligned u32 in one access.
    fn write_u32(&self, offset: usize, value: u32);
    /// Copies `bytes` to `offset..offset + bytes.len()`; memories that can do better than a
    /// byte at a time override it.
    fn write_bytes(&self, offset: usize, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            self.write_u8(offset + i, b);
        }
    }
    /// Copies `offset..offset + out.len()` into `out`.
    fn read_bytes(&self, offset: usize, out: &mut [u8]) {
        for (i, b) in out.iter_mut().enumerate() {
            *b = self.read_u8(offset + i);
        }
    }
}

/// The other side published indices that cannot be right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingCorrupt {
    /// The producer index seen.
    pub prod: u32,
    /// The consumer index seen.
    pub cons: u32,
}

impl core::fmt::Display for RingCorrupt {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "ring indices out of range (prod {:#x}, cons {:#x})",
            self.prod, self.cons
        )
    }
}

/// Where a ring lives inside its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingLayout {
    /// Offset of the data area.
    pub data: usize,
    /// Size of the data area; a power of two.
    pub size: u32,
    /// Offset of the consumer index.
    pub cons: usize,
    /// Offset of the producer index.
    pub prod: usize,
}

/// The number of bytes between `cons` and `prod`, or an error if it exceeds `size`.
pub fn used(prod: u32, cons: u32, size: u32) -> Result<u32, RingCorrupt> {
    let used = prod.wrapping_sub(cons);
    if used > size {
        Err(RingCorrupt { prod, cons })
    } else {
        Ok(used)
    }
}

impl RingLayout {
    fn slot(&self, index: u32) -> usize {
        self.data + (index & (self.size - 1)) as usize
    }

    /// The `n` slots from `index` on, as at most two runs of consecutive offsets (the data
    /// area wraps around): (offset, length) of each.
    fn runs(&self, index: u32, n: usize) -> [(usize, usize); 2] {
        let start = self.slot(index);
        let first = n.min(self.data + self.size as usize - start);
        [(start, first), (self.data, n - first)]
    }

    /// As producer: copies as much of `bytes` as fits and publishes it. Returns the count.
    pub fn produce<M: RingMemory + ?Sized>(
        &self,
        page: &M,
        bytes: &[u8],
    ) -> Result<usize, RingCorrupt> {
        let cons = page.read_u32(self.cons);
        let prod = page.read_u32(self.prod);
        let free = self.size - used(prod, cons, self.size)?;
        // The consumer index must be read before we overwrite the slots it frees: a full
        // barrier, as the ring protocol prescribes for writers.
        fence(Ordering::SeqCst);
        let n = bytes.len().min(free as usize);
        let [(a, a_len), (b, b_len)] = self.runs(prod, n);
        page.write_bytes(a, &bytes[..a_len]);
        page.write_bytes(b, &bytes[a_len..a_len + b_len]);
        // The data must be visible before the new producer index that announces it.
        fence(Ordering::Release);
        page.write_u32(self.prod, prod.wrapping_add(n as u32));
        Ok(n)
    }

    /// As consumer: copies up to `out.len()` available bytes and releases their slots.
    pub fn consume<M: RingMemory + ?Sized>(
        &self,
        page: &M,
        out: &mut [u8],
    ) -> Result<usize, RingCorrupt> {
        let n = self.peek(page, out)?;
        self.advance(page, n as u32);
        Ok(n)
    }

    /// Moves the consumer index on by `n`; returns its old value.
    fn advance<M: RingMemory + ?Sized>(&self, page: &M, n: u32) -> u32 {
        // Our reads of the data must complete before the slots are handed back.
        fence(Ordering::SeqCst);
        // The consumer index is ours: nobody else moved it since peek read it.
        let cons = page.read_u32(self.cons);
        page.write_u32(self.cons, cons.wrapping_add(n));
        cons
    }

    /// As consumer: hands the next `n` slots back to the producer, after a [`Self::peek`]
    /// that saw at least `n` bytes (a reader that takes only part of what it looked at).
    /// Returns whether the producer may have found the ring full before this release (it
    /// was full against the old consumer index when read afterwards): a producer that stops
    /// on a full ring and waits for an event (xenconsoled) wants one then, and only then.
    pub fn release<M: RingMemory + ?Sized>(&self, page: &M, n: u32) -> bool {
        let cons = self.advance(page, n);
        // The new consumer index must be visible before the producer index is read again: a
        // producer that checked for room before the release published its index before that
        // check, so this read sees the ring full; one that checks after sees the room.
        fence(Ordering::SeqCst);
        page.read_u32(self.prod).wrapping_sub(cons) >= self.size
    }

    /// As consumer: copies up to `out.len()` available bytes without releasing them (a look
    /// at what is there, e.g. a message header). Returns the count.
    pub fn peek<M: RingMemory + ?Sized>(
        &self,
        page: &M,
        out: &mut [u8],
    ) -> Result<usize, RingCorrupt> {
        let prod = page.read_u32(self.prod);
        let cons = page.read_u32(self.cons);
        let avail = used(prod, cons, self.size)?;
        // The producer index must be read before the data it covers.
        fence(Ordering::Acquire);
        let n = out.len().min(avail as usize);
        let [(a, a_len), (b, b_len)] = self.runs(cons, n);
        page.read_bytes(a, &mut out[..a_len]);
        page.read_bytes(b, &mut out[a_len..a_len + b_len]);
        Ok(n)
    }

    /// Bytes available to the consumer (validated).
    pub fn available<M: RingMemory + ?Sized>(&self, page: &M) -> Result<u32, RingCorrupt> {
        used(
            page.read_u32(self.prod),
            page.read_u32(self.cons),
            self.size,
        )
    }

    /// Free space for the producer (validated).
    pub fn free<M: RingMemory + ?Sized>(&self, page: &M) -> Result<u32, RingCorrupt> {
        Ok(self.size - self.available(page)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestPage;

    const RING: RingLayout = RingLayout {
        data: 0,
        size: 16,
        cons: 64,
        prod: 68,
    };

    #[test]
    fn used_handles_wrapping_indices() {
        assert_eq!(used(5, 5, 16), Ok(0));
        assert_eq!(used(3, u32::MAX - 2, 16), Ok(6));
        assert_eq!(used(16, 0, 16), Ok(16));
        assert_eq!(used(17, 0, 16), Err(RingCorrupt { prod: 17, cons: 0 }));
        assert!(used(0, 1, 16).is_err(), "consumer ahead of producer");
    }

    #[test]
    fn produce_and_consume_across_the_wrap_point() {
        let shared = TestPage::new();
        // Start near u32 overflow: indices never start at zero in general.
        shared.write_u32(RING.cons, u32::MAX - 5);
        shared.write_u32(RING.prod, u32::MAX - 5);
        assert_eq!(RING.produce(&shared, b"hello, ring world"), Ok(16));
        assert_eq!(RING.free(&shared), Ok(0));
        assert_eq!(RING.produce(&shared, b"more"), Ok(0));
        let mut out = [0u8; 10];
        assert_eq!(RING.consume(&shared, &mut out), Ok(10));
        assert_eq!(&out, b"hello, rin");
        assert_eq!(RING.produce(&shared, b"!!"), Ok(2));
        let mut rest = [0u8; 32];
        let n = RING.consume(&shared, &mut rest).unwrap();
        assert_eq!(&rest[..n], b"g worl!!");
        assert_eq!(RING.available(&shared), Ok(0));
    }

    #[test]
    fn peek_copies_across_the_wrap_point_and_releases_nothing() {
        let shared = TestPage::new();
        shared.write_u32(RING.cons, u32::MAX - 2);
        shared.write_u32(RING.prod, u32::MAX - 2);
        assert_eq!(RING.produce(&shared, b"abcdefgh"), Ok(8));
        let mut head = [0u8; 5];
        assert_eq!(RING.peek(&shared, &mut head), Ok(5));
        assert_eq!(&head, b"abcde");
        let mut all = [0u8; 20];
        assert_eq!(RING.peek(&shared, &mut all), Ok(8), "no more than is there");
        assert_eq!(&all[..8], b"abcdefgh");
        assert_eq!(RING.available(&shared), Ok(8), "still all there");
        assert_eq!(shared.read_u32(RING.cons), u32::MAX - 2);
        shared.write_u32(RING.prod, (u32::MAX - 2).wrapping_add(100));
        assert!(
            RING.peek(&shared, &mut head).is_err(),
            "hostile producer index"
        );
    }

    #[test]
    fn release_hands_back_only_what_was_taken() {
        let shared = TestPage::new();
        shared.write_u32(RING.cons, u32::MAX - 1);
        shared.write_u32(RING.prod, u32::MAX - 1);
        assert_eq!(RING.produce(&shared, b"abcdef"), Ok(6));
        let mut all = [0u8; 6];
        assert_eq!(RING.peek(&shared, &mut all), Ok(6));
        assert!(!RING.release(&shared, 4), "the ring was not full");
        assert_eq!(RING.available(&shared), Ok(2));
        assert_eq!(RING.produce(&shared, b"0123456789abcd"), Ok(14));
        assert_eq!(RING.peek(&shared, &mut all), Ok(6));
        assert!(
            RING.release(&shared, 1),
            "the ring was full: the producer may wait"
        );
        assert_eq!(RING.consume(&shared, &mut all), Ok(6));
        assert_eq!(&all, b"f01234");
    }

    #[test]
    fn hostile_indices_are_refused_without_touching_data() {
        let shared = TestPage::new();
        shared.write_u32(RING.cons, 0);
        shared.write_u32(RING.prod, 1000);
        let mut out = [0u8; 4];
        assert!(RING.consume(&shared, &mut out).is_err());
        assert_eq!(shared.read_u32(RING.cons), 0, "consumer index untouched");
        shared.write_u32(RING.prod, 0);
        shared.write_u32(RING.cons, 40);
        assert!(RING.produce(&shared, b"x").is_err());
        assert_eq!(shared.read_u32(RING.prod), 0, "producer index untouched");
    }
}
