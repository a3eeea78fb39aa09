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
//!   A chunk is aligned to its size, so a block finds its chunk by masking its address.
//! - **A linked-list allocator** (first fit) for everything else and for the chunks. It
//!   starts small and grows on demand: when an allocation does not fit, the memory module
//!   maps the next frames after the heap's end and the heap is extended.
//!
//! **Sweeping** joins the two: when a large allocation fails with the heap at its limit, the
//! classes give back every chunk whose blocks are all free, and the allocation is tried
//! again. So the memory of a million small objects freed together (a dead ETS table) can
//! become one large process heap. The sweep counts each chunk's free blocks in a side table
//! (two bytes per 4 KiB of the heap's largest extent, taken from the heap at start-up by
//! [`KernelHeap::prepare_sweeps`]), takes the blocks of wholly free chunks off their lists,
//! and returns those chunks from the highest address down (the tier below walks its holes
//! from the lowest address to place each one, so no walk passes a hole the sweep made). The
//! free and allocate paths pay only for keeping count of the free small bytes.
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
/// Bytes carved at once to refill an empty class (at least four blocks of the class), and
/// the span of memory one entry of the sweep's table covers.
const CHUNK: usize = 4096;
/// In a sweep table entry, the chunk's class plus one (0: no listed block there) ...
const ENTRY_CLASS_SHIFT: u32 = 12;
/// ... above its count of free blocks (at most `CHUNK / MIN_CLASS`).
const ENTRY_COUNT: u16 = (1 << ENTRY_CLASS_SHIFT) - 1;

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
    /// Bytes of the classes' blocks on their free lists.
    free_bytes: usize,
    /// Whether a small block was freed since the last sweep (if not, a sweep finds nothing
    /// new to give back).
    freed_small: bool,
    /// The sweep's table: one `u16` per [`CHUNK`] bytes from `origin` to the heap's largest
    /// end, allocated from the heap at `init` (0 and no entries: no sweeps).
    table: usize,
    /// Entries in the table.
    entries: usize,
    /// The address the table's first entry stands for (the heap's start, rounded down).
    origin: usize,
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

/// The bytes (and alignment) of a class's chunks.
const fn chunk_size(class: usize) -> usize {
    let four_blocks = 4 * class_size(class);
    if four_blocks > CHUNK {
        four_blocks
    } else {
        CHUNK
    }
}

/// Blocks in one chunk of a class.
const fn blocks_per_chunk(class: usize) -> usize {
    chunk_size(class) / class_size(class)
}

impl KernelHeap {
    /// An empty heap; every allocation fails until [`KernelHeap::init`].
    pub const fn new() -> Self {
        Self {
            inner: Mutex::new(Inner {
                heap: Heap::empty(),
                free: [0; CLASSES],
                classed: 0,
                free_bytes: 0,
                freed_small: false,
                table: 0,
                entries: 0,
                origin: 0,
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

    /// Takes the sweep's table from the heap, to cover the heap's growth up to `max` bytes
    /// from its start: before this (or if the table does not fit), no sweep gives chunks
    /// back. Called once, after [`KernelHeap::init`].
    pub fn prepare_sweeps(&self, max: usize) {
        let mut inner = self.inner.lock();
        let start = inner.heap.bottom() as usize;
        let origin = start & !(CHUNK - 1);
        let entries = (start + max.max(inner.heap.size()) - origin).div_ceil(CHUNK);
        let Ok(layout) = Layout::array::<u16>(entries) else {
            return;
        };
        let table = inner.allocate_large(layout);
        if table.is_null() {
            return;
        }
        inner.table = table as usize;
        inner.entries = entries;
        inner.origin = origin;
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
        // At the heap's limit: take back the chunks the classes no longer use, and retry
        // (unless no sweep can find room: nothing freed since the last, or too little free).
        if self.freed_small && self.free_bytes >= layout.size() && self.sweep() > 0 {
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
            let chunk = chunk_size(class);
            let Ok(layout) = Layout::from_size_align(chunk, chunk) else {
                return core::ptr::null_mut();
            };
            let base = self.allocate_large(layout);
            if base.is_null() {
                return base;
            }
            self.classed += chunk;
            self.free_bytes += chunk;
            // Thread every block of the chunk onto the class's free list (which a sweep
            // inside `allocate_large` may have refilled meanwhile).
            let mut next = self.free[class];
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
        self.free_bytes -= class_size(class);
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
        self.free_bytes += class_size(class);
        self.freed_small = true;
    }

    /// Gives every chunk whose blocks are all free back to the linked-list tier: the bytes
    /// returned. Linear in the free small blocks and the heap's extent.
    fn sweep(&mut self) -> usize {
        self.freed_small = false;
        if self.entries == 0 {
            return 0;
        }
        // SAFETY: `init` allocated the table for `entries` u16s, for good, and nothing else
        // refers to it; the heap's lock is held.
        let table =
            unsafe { core::slice::from_raw_parts_mut(self.table as *mut u16, self.entries) };
        table.fill(0);
        let (origin, free) = (self.origin, self.free);
        let entry_of = |block: usize, class: usize| {
            (block & !(chunk_size(class) - 1)).wrapping_sub(origin) / CHUNK
        };
        // SAFETY: the blocks walked are on a class's free list: free blocks whose first word
        // is the next one's address.
        let next_of = |block: usize| unsafe { (block as *const usize).read() };
        for (class, &head) in free.iter().enumerate() {
            let mut block = head;
            while block != 0 {
                if let Some(e) = table.get_mut(entry_of(block, class)) {
                    *e = (((class + 1) as u16) << ENTRY_CLASS_SHIFT) | ((*e & ENTRY_COUNT) + 1);
                }
                block = next_of(block);
            }
        }
        let all_free = |e: u16| {
            let class = (e >> ENTRY_CLASS_SHIFT) as usize;
            class > 0 && (e & ENTRY_COUNT) as usize == blocks_per_chunk(class - 1)
        };
        // Keep the blocks of chunks still in use, in their order.
        for (class, &list) in free.iter().enumerate() {
            let (mut head, mut last) = (0usize, 0usize);
            let mut block = list;
            while block != 0 {
                let next = next_of(block);
                if !table
                    .get(entry_of(block, class))
                    .is_some_and(|&e| all_free(e))
                {
                    if last == 0 {
                        head = block;
                    } else {
                        // SAFETY: `last` is a free block kept on the list: its first word is
                        // the link.
                        unsafe { (last as *mut usize).write(block) };
                    }
                    last = block;
                }
                block = next;
            }
            if last != 0 {
                // SAFETY: `last` is the list's last kept free block.
                unsafe { (last as *mut usize).write(0) };
            }
            self.free[class] = head;
        }
        let mut returned = 0;
        for (i, &e) in table.iter().enumerate().rev() {
            if !all_free(e) {
                continue;
            }
            let class = (e >> ENTRY_CLASS_SHIFT) as usize - 1;
            let bytes = chunk_size(class);
            let chunk = origin + i * CHUNK;
            let (Some(p), Ok(layout)) = (
                NonNull::new(chunk as *mut u8),
                Layout::from_size_align(bytes, bytes),
            ) else {
                continue;
            };
            // SAFETY: the chunk came from `allocate_large` with this layout (in
            // `allocate_small`), every one of its blocks was free and none is listed now.
            unsafe { self.heap.deallocate(p, layout) };
            self.classed -= bytes;
            self.free_bytes -= bytes;
            returned += bytes;
        }
        returned
    }
}

// SAFETY: small blocks come from chunks that the linked-list tier handed out, each block at
// least as large as its class (>= the request) and 16-aligned (>= the request's alignment, see
// `class_of`); a block is on at most one free list and `dealloc` returns it to the class the
// same layout maps to; a chunk goes back to the tier below only when every one of its blocks
// is on the free list, and they are taken off it first. Everything else is delegated to
// linked_list_allocator's Heap, which returns blocks of at least the requested size and
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
        h.prepare_sweeps(bytes);
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

    /// Allocates blocks of `layout` until the heap refuses one.
    fn fill(h: &KernelHeap, layout: Layout) -> Vec<*mut u8> {
        let mut blocks = Vec::new();
        loop {
            // SAFETY: a valid, non-zero layout; the caller frees each block once.
            let p = unsafe { h.alloc(layout) };
            if p.is_null() {
                return blocks;
            }
            blocks.push(p);
        }
    }

    #[test]
    fn small_blocks_freed_together_become_a_large_block() {
        let h = heap(1 << 20);
        let small = Layout::from_size_align(24, 8).unwrap();
        let blocks = fill(&h, small);
        assert!(blocks.len() > 30_000, "{} blocks", blocks.len());
        for &p in &blocks {
            // SAFETY: each block came from `alloc` with `small` and is freed once.
            unsafe { h.dealloc(p, small) };
        }
        assert!(h.classed() > 900 << 10);
        let large = Layout::from_size_align(768 << 10, 8).unwrap();
        // SAFETY: a valid layout.
        let p = unsafe { h.alloc(large) };
        assert!(!p.is_null(), "the free chunks were not given back");
        assert_eq!(h.classed(), 0);
        assert_eq!(h.inner.lock().free_bytes, 0);
        // SAFETY: `p` came from `alloc` with `large`.
        unsafe { h.dealloc(p, large) };
        // The classes refill from the tier below as before.
        let again = fill(&h, small);
        assert!(again.len() * 20 > blocks.len() * 19, "{}", again.len());
    }

    #[test]
    fn a_sweep_keeps_the_chunks_in_use_and_their_free_blocks() {
        let h = heap(1 << 20);
        let a = Layout::from_size_align(48, 16).unwrap();
        let b = Layout::from_size_align(2000, 8).unwrap();
        let mut blocks: Vec<(*mut u8, Layout)> = Vec::new();
        for i in 0.. {
            let l = if i % 8 == 0 { b } else { a };
            // SAFETY: a valid layout.
            let p = unsafe { h.alloc(l) };
            if p.is_null() {
                break;
            }
            blocks.push((p, l));
        }
        // Keep one block in 50 of the first and last tenth (their chunks stay in use), marked
        // with its index; the middle is all free.
        let n = blocks.len();
        let mut kept = Vec::new();
        for (i, (p, l)) in blocks.into_iter().enumerate() {
            if i % 50 == 1 && (i < n / 10 || i > n - n / 10) {
                // SAFETY: a live block of at least 48 bytes.
                unsafe { core::ptr::write_bytes(p, i as u8, l.size()) };
                kept.push((p, l, i as u8));
            } else {
                // SAFETY: a live block from `alloc` with `l`, freed once.
                unsafe { h.dealloc(p, l) };
            }
        }
        let held = h.classed();
        let large = Layout::from_size_align(256 << 10, 8).unwrap();
        // SAFETY: a valid layout.
        let p = unsafe { h.alloc(large) };
        assert!(!p.is_null(), "no chunk was given back");
        assert!(
            h.classed() < held / 2 && h.classed() > 0,
            "{held} {}",
            h.classed()
        );
        for &(q, l, mark) in &kept {
            // SAFETY: `q` is live with `l.size()` bytes.
            let bytes = unsafe { core::slice::from_raw_parts(q, l.size()) };
            assert!(bytes.iter().all(|x| *x == mark), "a kept block changed");
        }
        // The free blocks left in the kept chunks are still handed out, distinct from the
        // kept ones.
        let more = fill(&h, a);
        for p in &more {
            assert!(kept.iter().all(|(q, _, _)| q != p));
        }
        assert!(more.windows(2).all(|w| w[0] != w[1]));
        for &(q, l, mark) in &kept {
            // SAFETY: as above.
            let bytes = unsafe { core::slice::from_raw_parts(q, l.size()) };
            assert!(
                bytes.iter().all(|x| *x == mark),
                "a kept block was handed out"
            );
        }
    }
}
