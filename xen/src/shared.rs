//! Pages shared with another domain (or with Xen), accessed only through volatile operations.
//!
//! The other side writes these pages whenever it likes, so the kernel never holds a Rust
//! reference into them: a `&[u8]` over a page that changes underneath would be undefined
//! behaviour. A [`SharedPage`] hands out single volatile reads and writes at checked offsets
//! and nothing else; ordering between them is the caller's business, stated at each barrier.

use core::ptr::NonNull;
use xenbeam_xenproto::ring::RingMemory;

/// Size of a page.
pub const PAGE_SIZE: usize = 4096;

/// A page of foreign-writable memory.
#[derive(Debug)]
pub struct SharedPage {
    base: NonNull<u8>,
}

// SAFETY: all access goes through volatile operations on memory that stays mapped for the life
// of the value (the `new` contract); the kernel runs on one vCPU, and the other party is
// another domain that already writes concurrently, which volatile access tolerates.
unsafe impl Send for SharedPage {}
// SAFETY: as for Send: no method hands out references into the page.
unsafe impl Sync for SharedPage {}

impl SharedPage {
    /// Wraps the page at `base`.
    ///
    /// # Safety
    /// `base` must be page-aligned and point to `PAGE_SIZE` bytes that stay mapped, readable
    /// and writable for as long as the returned value (and anything it is moved into) lives.
    pub unsafe fn new(base: NonNull<u8>) -> Self {
        debug_assert_eq!(base.as_ptr() as usize % PAGE_SIZE, 0);
        Self { base }
    }

    /// The page's virtual address.
    pub fn address(&self) -> usize {
        self.base.as_ptr() as usize
    }

    fn at(&self, offset: usize, width: usize) -> *mut u8 {
        assert!(
            offset + width <= PAGE_SIZE && offset.is_multiple_of(width),
            "bad shared-page offset"
        );
        // SAFETY: offset + width is within the page the `new` contract says is mapped.
        unsafe { self.base.as_ptr().add(offset) }
    }

    /// Reads a byte.
    #[inline]
    pub fn read_u8(&self, offset: usize) -> u8 {
        let p = self.at(offset, 1);
        // SAFETY: `p` is in the mapped page; volatile because the other side writes it.
        unsafe { p.read_volatile() }
    }

    /// Writes a byte.
    #[inline]
    pub fn write_u8(&self, offset: usize, value: u8) {
        let p = self.at(offset, 1);
        // SAFETY: `p` is in the mapped page; volatile because the other side reads it.
        unsafe { p.write_volatile(value) }
    }

    /// Copies `bytes` to `offset..offset + bytes.len()`, a byte at a time (volatile: the other
    /// side reads them), with one bounds check.
    pub fn write_bytes(&self, offset: usize, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let p = self.at(offset, 1);
        assert!(offset + bytes.len() <= PAGE_SIZE, "bad shared-page range");
        for (i, &b) in bytes.iter().enumerate() {
            // SAFETY: offset + i < offset + bytes.len() <= PAGE_SIZE, inside the mapped page.
            unsafe { p.add(i).write_volatile(b) }
        }
    }

    /// Copies `offset..offset + out.len()` into `out`, a byte at a time (volatile: the other
    /// side writes them), with one bounds check.
    pub fn read_bytes(&self, offset: usize, out: &mut [u8]) {
        if out.is_empty() {
            return;
        }
        let p = self.at(offset, 1);
        assert!(offset + out.len() <= PAGE_SIZE, "bad shared-page range");
        for (i, b) in out.iter_mut().enumerate() {
            // SAFETY: as in `write_bytes`.
            *b = unsafe { p.add(i).read_volatile() };
        }
    }

    /// Reads an aligned little-endian u32 in one access (so it is never torn).
    #[inline]
    pub fn read_u32(&self, offset: usize) -> u32 {
        let p = self.at(offset, 4) as *mut u32;
        // SAFETY: `p` is 4-byte aligned (checked in `at`) and in the mapped page.
        unsafe { p.read_volatile() }
    }

    /// Writes an aligned u32 in one access.
    #[inline]
    pub fn write_u32(&self, offset: usize, value: u32) {
        let p = self.at(offset, 4) as *mut u32;
        // SAFETY: `p` is 4-byte aligned (checked in `at`) and in the mapped page.
        unsafe { p.write_volatile(value) }
    }

    /// Reads an aligned u64 in one access.
    #[inline]
    pub fn read_u64(&self, offset: usize) -> u64 {
        let p = self.at(offset, 8) as *mut u64;
        // SAFETY: `p` is 8-byte aligned (checked in `at`) and in the mapped page.
        unsafe { p.read_volatile() }
    }

    /// Writes an aligned u64 in one access.
    #[inline]
    pub fn write_u64(&self, offset: usize, value: u64) {
        let p = self.at(offset, 8) as *mut u64;
        // SAFETY: `p` is 8-byte aligned (checked in `at`) and in the mapped page.
        unsafe { p.write_volatile(value) }
    }

    /// Atomically clears the bits of `mask` in the u64 at `offset` and returns the old value.
    /// Used for event-channel pending words, which Xen sets with locked operations.
    #[inline]
    pub fn fetch_and_u64(&self, offset: usize, mask: u64) -> u64 {
        let p = self.at(offset, 8) as *mut u64;
        // SAFETY: `p` is aligned and mapped for the page's life; AtomicU64 has the same layout
        // as u64, and the only other writer (Xen) uses locked instructions on it too.
        let atomic = unsafe { core::sync::atomic::AtomicU64::from_ptr(p) };
        atomic.fetch_and(mask, core::sync::atomic::Ordering::SeqCst)
    }

    /// Atomically sets the bits of `mask` in the u64 at `offset` and returns the old value.
    #[inline]
    pub fn fetch_or_u64(&self, offset: usize, mask: u64) -> u64 {
        let p = self.at(offset, 8) as *mut u64;
        // SAFETY: as for `fetch_and_u64`.
        let atomic = unsafe { core::sync::atomic::AtomicU64::from_ptr(p) };
        atomic.fetch_or(mask, core::sync::atomic::Ordering::SeqCst)
    }
}

/// Rings (the console, the boot-time Xenstore client) run over shared pages.
impl RingMemory for SharedPage {
    fn read_u8(&self, offset: usize) -> u8 {
        SharedPage::read_u8(self, offset)
    }
    fn write_u8(&self, offset: usize, value: u8) {
        SharedPage::write_u8(self, offset, value)
    }
    fn read_u32(&self, offset: usize) -> u32 {
        SharedPage::read_u32(self, offset)
    }
    fn write_u32(&self, offset: usize, value: u32) {
        SharedPage::write_u32(self, offset, value)
    }
    fn write_bytes(&self, offset: usize, bytes: &[u8]) {
        SharedPage::write_bytes(self, offset, bytes)
    }
    fn read_bytes(&self, offset: usize, out: &mut [u8]) {
        SharedPage::read_bytes(self, offset, out)
    }
}

/// A page-aligned buffer standing in for a shared page in host tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// An owned, zeroed, page-aligned page.
    #[repr(C, align(4096))]
    pub struct TestPage(pub [u8; PAGE_SIZE]);

    impl TestPage {
        /// A zeroed page on the heap.
        pub fn new() -> Box<Self> {
            Box::new(TestPage([0; PAGE_SIZE]))
        }

        /// A shared-page view of it; valid while the box lives.
        pub fn share(self: &mut Box<Self>) -> SharedPage {
            let ptr = NonNull::new(self.0.as_mut_ptr()).expect("non-null");
            // SAFETY: the box is page-aligned, PAGE_SIZE long and outlives every test's use.
            unsafe { SharedPage::new(ptr) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::TestPage;

    #[test]
    fn accessors_round_trip() {
        let mut page = TestPage::new();
        let shared = page.share();
        shared.write_u32(2052, 0xdead_beef);
        assert_eq!(shared.read_u32(2052), 0xdead_beef);
        shared.write_u8(4095, 7);
        assert_eq!(shared.read_u8(4095), 7);
        shared.write_u64(8, u64::MAX);
        assert_eq!(shared.fetch_and_u64(8, !0b100), u64::MAX);
        assert_eq!(shared.read_u64(8), !0b100);
        assert_eq!(shared.fetch_or_u64(8, 0b100), !0b100);
        assert_eq!(shared.read_u64(8), u64::MAX);
    }

    #[test]
    fn a_ring_runs_over_a_shared_page() {
        use xenbeam_xenproto::ring::RingLayout;
        const RING: RingLayout = RingLayout {
            data: 0,
            size: 16,
            cons: 64,
            prod: 68,
        };
        let mut page = TestPage::new();
        let shared = page.share();
        shared.write_u32(RING.cons, u32::MAX - 5);
        shared.write_u32(RING.prod, u32::MAX - 5);
        assert_eq!(RING.produce(&shared, b"hello, ring world"), Ok(16));
        let mut out = [0u8; 32];
        assert_eq!(RING.consume(&shared, &mut out), Ok(16));
        assert_eq!(&out[..16], b"hello, ring worl");
        assert_eq!(shared.read_u32(RING.cons), 10, "indices wrapped");
    }

    #[test]
    #[should_panic(expected = "bad shared-page range")]
    fn a_copy_past_the_page_end_is_refused() {
        let mut page = TestPage::new();
        page.share().write_bytes(4090, &[0; 10]);
    }

    #[test]
    #[should_panic(expected = "bad shared-page offset")]
    fn out_of_page_access_is_refused() {
        let mut page = TestPage::new();
        page.share().read_u32(4094);
    }
}
