//! The kernel heap: the global allocator over the frames [`crate::mm::init`] gave it.
//!
//! A linked-list allocator behind a spin lock (one vCPU, no interrupts: the lock only guards
//! against re-entry). It starts small and grows on demand: when an allocation does not fit,
//! the memory module maps the next frames after the heap's end and the heap is extended. When an allocation cannot be served, the failure is logged with the
//! heap's figures before Rust's allocation-error path reports it as a panic and the domain
//! crashes, so "out of memory" is never silent.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;
use linked_list_allocator::Heap;
use spin::Mutex;

/// The global allocator type; the image declares one `static` of it.
pub struct KernelHeap {
    heap: Mutex<Heap>,
}

impl KernelHeap {
    /// An empty heap; every allocation fails until [`KernelHeap::init`].
    pub const fn new() -> Self {
        Self {
            heap: Mutex::new(Heap::empty()),
        }
    }

    /// Gives the heap `size` bytes at `start`.
    ///
    /// # Safety
    /// The range must be mapped, writable, unused by anything else, and never handed to
    /// anyone else for the rest of the kernel's life; `init` may be called once.
    pub unsafe fn init(&self, start: usize, size: usize) {
        // SAFETY: forwarded from this function's contract.
        unsafe { self.heap.lock().init(start as *mut u8, size) }
    }

    /// (used, currently mapped) bytes.
    pub fn usage(&self) -> (usize, usize) {
        let heap = self.heap.lock();
        (heap.used(), heap.size())
    }
}

impl Default for KernelHeap {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: allocation and deallocation are delegated to linked_list_allocator's Heap, which
// returns blocks of at least the requested size and alignment from the region given to `init`
// and accepts back exactly the blocks it handed out; the mutex serialises access.
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut heap = self.heap.lock();
        if let Ok(p) = heap.allocate_first_fit(layout) {
            return p.as_ptr();
        }
        // Map more memory at the heap's end and retry; alignment may waste up to `align`.
        while let Some(added) = crate::mm::grow_heap(layout.size() + layout.align()) {
            // SAFETY: `grow_heap` just mapped `added` bytes directly after the heap's current
            // end, writable and owned by nobody else.
            unsafe { heap.extend(added) };
            if let Ok(p) = heap.allocate_first_fit(layout) {
                return p.as_ptr();
            }
        }
        match heap.allocate_first_fit(layout) {
            Ok(p) => p.as_ptr(),
            Err(()) => {
                let (used, size) = (heap.used(), heap.size());
                drop(heap);
                log::error!(
                    "out of memory: cannot allocate {} bytes (align {}); heap {} of {} bytes in use",
                    layout.size(),
                    layout.align(),
                    used,
                    size
                );
                core::ptr::null_mut()
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(p) = NonNull::new(ptr) {
            // SAFETY: GlobalAlloc's contract: `ptr` came from `alloc` with this layout.
            unsafe { self.heap.lock().deallocate(p, layout) }
        }
    }
}
