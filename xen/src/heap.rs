//! The kernel heap: the global allocator over the frames [`crate::mm::init`] gave it.
//!
//! Two tiers behind one spin lock (one vCPU, no interrupts: the lock only guards against
//! re-entry):
//! - **Size classes** for small blocks (up to [`MAX_CLASS`] bytes, alignment up to 16): one
//!   free list per power of two from 16 bytes, each free block holding the address of the
//!   next. Allocating and freeing are a few instructions; an empty class is refilled by
//!   carving a chunk from the tier below. Freed small blocks stay in their class for reuse.
//!   This matters because the runtime allocates and frees small buffers on every message,
//!   binary and pore access, and the tier below costs time in proportion to its free holes.
//! - **A linked-list allocator** (first fit) for everything else and for the chunks. It
//!   starts small and grows on demand: when an allocation does not fit, the memory module
//!   maps the next frames after the heap's end and the heap is extended.
//!
//! When an allocation cannot be served, the failure is logged with the heap's figures and the
//! caller gets a null pointer: a fallible request (`Vec::try_reserve`, as the runtime's
//! collector makes) fails and its process is killed; any other request goes on to Rust's
//! allocation-error path, which reports it as a panic and the domain crashes. Either way "out
//! of memory" is never silent.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;
use linked_list_allocator::Heap;
use spin::Mutex;

/// The smallest size class, in bytes: room for the free list's link, and the alignment every
/// class block has.
const MIN_CLASS: usize = 16;
/// The largest size class, in bytes; larger blocks go to the linked-list tier.
pub const MAX_CLASS: usize = 2048;
/// Number of size classes: 16, 32, ..., 2048.
const CLASSES: usize = (MAX_CLASS / MIN_CLASS).trailing_zeros() as usize + 1;
/// Bytes carved at once to refill an empty class (at least four blocks of the class).
const CHUNK: usize = 4096;

/// The global allocator type; the image declares one `static` of it.
pub struct KernelHeap {
    inner: Mutex<Inner>,
}

struct Inner {
    heap: Heap,
    /// Head of each class's free list: the address of a free block, 0 when empty. A free
    /// block's first word is the address of the next one.
    free: [usize; CLASSES],
    /// Bytes held by the classes, in use or free (all of it counts as used by the tier below).
    classed: usize,
}

/// The size class serving `layout`, if it is small enough.
fn class_of(layout: Layout) -> Option<usize> {
    if layout.size() > MAX_CLASS || layout.align() > MIN_CLASS {
        return None;
    }
    let size = layout.size().max(MIN_CLASS).next_power_of_two();
    Some((size / MIN_CLASS).trailing_zeros() as usize)
}

/// A class's block size in bytes.
const fn class_size(class: usize) -> usize {
    MIN_CLASS << class
}

impl KernelHeap {
    /// An empty heap; every allocation fails until [`KernelHeap::init`].
    pub const fn new() -> Self {
        Self {
            inner: Mutex::new(Inner {
                heap: Heap::empty(),
                free: [0; CLASSES],
                classed: 0,
            }),
        }
    }

    /// Gives the heap `size` bytes at `start`.
    ///
    /// # Safety
    /// The range must be mapped, writable, unused by anything else, and never handed to
    /// anyone else for the rest of the kernel's life; `init` may be called once.
    pub unsafe fn init(&self, start: usize, size: usize) {
        // SAFETY: forwarded from this function's contract.
        unsafe { self.inner.lock().heap.init(start as *mut u8, size) }
    }

    /// (used, currently mapped) bytes; blocks kept free in the size classes count as used.
    pub fn usage(&self) -> (usize, usize) {
        let inner = self.inner.lock();
        (inner.heap.used(), inner.heap.size())
    }

    /// Bytes held by the size classes (in use or kept free for reuse).
    pub fn classed(&self) -> usize {
        self.inner.lock().classed
    }
}

impl Default for KernelHeap {
    fn default() -> Self {
        Self::new()
    }
}

/// Maps more memory directly after the heap's end: its length in bytes, or `None` when the
/// domain has no more to give.
#[cfg(target_os = "none")]
fn grow(min_bytes: usize) -> Option<usize> {
    crate::mm::grow_heap(min_bytes)
}

/// On the host (tests) the heap is the buffer it was given.
#[cfg(not(target_os = "none"))]
fn grow(_min_bytes: usize) -> Option<usize> {
    None
}

impl Inner {
    /// A block from the linked-list tier, growing the heap when it does not fit.
    fn allocate_large(&mut self, layout: Layout) -> *mut u8 {
        if let Ok(p) = self.heap.allocate_first_fit(layout) {
            return p.as_ptr();
        }
        // Map more memory at the heap's end and retry; alignment may waste up to `align`.
        while let Some(added) = grow(layout.size() + layout.align()) {
            // SAFETY: `grow` just mapped `added` bytes directly after the heap's current
            // end, writable and owned by nobody else.
            unsafe { self.heap.extend(added) };
            if let Ok(p) = self.heap.allocate_first_fit(layout) {
                return p.as_ptr();
            }
        }
        log::error!(
            "out of memory: cannot allocate {} bytes (align {}); heap {} of {} bytes in use",
            layout.size(),
            layout.align(),
            self.heap.used(),
            self.heap.size()
        );
        core::ptr::null_mut()
    }

    /// A block of class `class`, refilling the class from a new chunk when it is empty.
    fn allocate_small(&mut self, class: usize) -> *mut u8 {
        if self.free[class] == 0 {
            let size = class_size(class);
            let chunk = CHUNK.max(4 * size);
            let Ok(layout) = Layout::from_size_align(chunk, MIN_CLASS) else {
                return core::ptr::null_mut();
            };
            let base = self.allocate_large(layout);
            if base.is_null() {
                return base;
            }
            self.classed += chunk;
            // Thread every block of the chunk onto the class's (empty) free list.
            let mut next = 0;
            for at in (0..chunk / size).rev() {
                let block = base as usize + at * size;
                // SAFETY: `block` lies inside the chunk just allocated for this class (it is
                // ours alone, at least `size` >= 16 bytes long and 16-aligned), so a word
                // write at its start is in bounds and aligned.
                unsafe { (block as *mut usize).write(next) };
                next = block;
            }
            self.free[class] = next;
        }
        let block = self.free[class];
        // SAFETY: `block` is the head of this class's free list: a free block of the class
        // whose first word holds the next free block's address (written when it was freed
        // or carved), and which nobody else uses while it is on the list.
        self.free[class] = unsafe { (block as *const usize).read() };
        block as *mut u8
    }

    /// Puts a block of class `class` back on its free list.
    ///
    /// # Safety
    /// `block` must have come from `allocate_small(class)` and be no longer in use.
    unsafe fn free_small(&mut self, block: *mut u8, class: usize) {
        // SAFETY: the caller hands back a whole class block (16-aligned, at least 16 bytes)
        // that nobody uses any more, so its first word is ours to overwrite with the link.
        unsafe { (block as *mut usize).write(self.free[class]) };
        self.free[class] = block as usize;
    }
}

// SAFETY: small blocks come from chunks that the linked-list tier handed out and that stay
// allocated for good, each block at least as large as its class (>= the request) and
// 16-aligned (>= the request's alignment, see `class_of`); a block is on at most one free list
// and `dealloc` returns it to the class the same layout maps to. Everything else is delegated
// to linked_list_allocator's Heap, which returns blocks of at least the requested size and
// alignment from the region given to `init` and accepts back exactly the blocks it handed out.
// The mutex serialises access.
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut inner = self.inner.lock();
        match class_of(layout) {
            Some(class) => inner.allocate_small(class),
            None => inner.allocate_large(layout),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some(p) = NonNull::new(ptr) else {
            return;
        };
        let mut inner = self.inner.lock();
        match class_of(layout) {
            // SAFETY: GlobalAlloc's contract: `ptr` came from `alloc` with this layout, which
            // maps to this class, and is no longer used.
            Some(class) => unsafe { inner.free_small(ptr, class) },
            // SAFETY: as above; a layout with no class came from the linked-list tier.
            None => unsafe { inner.heap.deallocate(p, layout) },
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if let Ok(new) = Layout::from_size_align(new_size, layout.align()) {
            if class_of(layout).is_some() && class_of(layout) == class_of(new) {
                // The block already has room for the new size.
                return ptr;
            }
            // SAFETY: GlobalAlloc's contract for `new` (non-zero size, valid layout).
            let p = unsafe { self.alloc(new) };
            if !p.is_null() {
                // SAFETY: both blocks are live, distinct, and at least this long.
                unsafe { core::ptr::copy_nonoverlapping(ptr, p, layout.size().min(new_size)) };
                // SAFETY: `ptr` came from `alloc` with `layout` (the caller's contract).
                unsafe { self.dealloc(ptr, layout) };
            }
            return p;
        }
        core::ptr::null_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::vec::Vec;

    /// A heap over a leaked, 16-aligned buffer of `bytes`.
    fn heap(bytes: usize) -> KernelHeap {
        let buf: &'static mut [u128] = Vec::leak(std::vec![0u128; bytes / 16]);
        let h = KernelHeap::new();
        // SAFETY: the buffer is leaked, so it is ours for the rest of the test process.
        unsafe { h.init(buf.as_mut_ptr() as usize, bytes) };
        h
    }

    #[test]
    fn classes_cover_small_layouts_only() {
        let l = |s, a| Layout::from_size_align(s, a).unwrap();
        assert_eq!(class_of(l(1, 1)), Some(0));
        assert_eq!(class_of(l(16, 8)), Some(0));
        assert_eq!(class_of(l(17, 8)), Some(1));
        assert_eq!(class_of(l(2048, 16)), Some(CLASSES - 1));
        assert_eq!(class_of(l(2049, 8)), None);
        assert_eq!(class_of(l(64, 32)), None);
        assert_eq!(class_size(CLASSES - 1), MAX_CLASS);
    }

    #[test]
    fn blocks_are_distinct_aligned_and_keep_their_contents() {
        let h = heap(1 << 20);
        let sizes = [1usize, 8, 16, 24, 100, 500, 1000, 2048, 3000, 9000];
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        for round in 0..400usize {
            let size = sizes[round % sizes.len()];
            let align = [1usize, 8, 16, 64][round % 4];
            let layout = Layout::from_size_align(size, align).unwrap();
            // SAFETY: a valid, non-zero layout.
            let p = unsafe { h.alloc(layout) };
            assert!(!p.is_null());
            assert_eq!(p as usize % align, 0);
            let fill = round as u8;
            // SAFETY: `p` is a fresh block of `size` bytes.
            unsafe { core::ptr::write_bytes(p, fill, size) };
            live.push((p, layout, fill));
            // Free every third block, oldest first, so lists and holes interleave.
            if round % 3 == 2 {
                let (q, l, f) = live.remove(0);
                // SAFETY: `q` is live with `l.size()` bytes.
                let bytes = unsafe { core::slice::from_raw_parts(q, l.size()) };
                assert!(bytes.iter().all(|b| *b == f), "block overwritten");
                // SAFETY: `q` came from `alloc` with `l`.
                unsafe { h.dealloc(q, l) };
            }
        }
        for (p, l, f) in live {
            // SAFETY: as above.
            let bytes = unsafe { core::slice::from_raw_parts(p, l.size()) };
            assert!(bytes.iter().all(|b| *b == f), "block overwritten");
            // SAFETY: as above.
            unsafe { h.dealloc(p, l) };
        }
        assert!(h.classed() > 0);
    }

    #[test]
    fn freed_small_blocks_are_reused_and_realloc_stays_within_a_class() {
        let h = heap(1 << 16);
        let l = Layout::from_size_align(40, 8).unwrap();
        // SAFETY: valid layouts; each pointer is freed once with the layout it came with.
        unsafe {
            let a = h.alloc(l);
            h.dealloc(a, l);
            let b = h.alloc(l);
            assert_eq!(a, b, "the freed block is the next one handed out");
            let grown = h.realloc(b, l, 60);
            assert_eq!(grown, b, "40 and 60 bytes share the 64-byte class");
            (grown as *mut u64).write(7);
            let moved = h.realloc(grown, Layout::from_size_align(60, 8).unwrap(), 5000);
            assert_ne!(moved, grown);
            assert_eq!(
                (moved as *const u64).read(),
                7,
                "contents move with the block"
            );
            h.dealloc(moved, Layout::from_size_align(5000, 8).unwrap());
        }
    }

    #[test]
    fn exhaustion_is_a_null_pointer_not_a_crash() {
        let h = heap(1 << 14);
        let big = Layout::from_size_align(1 << 15, 8).unwrap();
        // SAFETY: a valid layout; a null result is the failure being tested.
        assert!(unsafe { h.alloc(big) }.is_null());
        let small = Layout::from_size_align(32, 8).unwrap();
        let mut n = 0;
        loop {
            // SAFETY: as above; the blocks are leaked with the test heap.
            let p = unsafe { h.alloc(small) };
            if p.is_null() {
                break;
            }
            n += 1;
        }
        assert!(
            n > 100 && n <= (1 << 14) / 32,
            "{n} blocks of 32 bytes from 16 KiB"
        );
    }
}
