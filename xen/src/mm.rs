//! Memory: the direct map of every page of the domain, frame-number translation, and the
//! split of free memory between the heap and the page pool.
//!
//! Xen maps the image, start_info, the page tables and a little padding. [`init`] extends those
//! page tables so that every pseudo-physical frame `pfn` of the domain is mapped at
//! `VIRT_BASE + pfn * 4096`, taking new page-table frames from the padding right after Xen's
//! tables (which is mapped, so each new table can be zeroed before use). A page-table frame
//! must be read-only everywhere before Xen accepts it, so each is remapped read-only first.
//! The frames after the last table frame are free: the page pool takes what was asked for
//! (`pages=N`, or a default share) and the heap the rest.

use crate::error::XenError;
use crate::hypercall;
use crate::pages::{PageAllocator, PageError};
use core::sync::atomic::{AtomicU64, Ordering};
use spin::Mutex;
use xen_sys::mmu_update;

/// Where the image is linked and where frame 0 is mapped.
pub const VIRT_BASE: u64 = 0xffff_ffff_8000_0000;
/// Xen's read-only machine-to-physical table in the hypervisor's part of the address space.
const M2P_BASE: u64 = 0xffff_8000_0000_0000;
/// Frames above this cannot be direct-mapped below the top of the address space.
const MAX_MAPPED_PAGES: u64 = (u64::MAX - VIRT_BASE) / 4096;
/// Present, writable, user (PV kernels run in ring 3), accessed.
pub const PTE_KERNEL_RW: u64 = 0x27;
/// Present, read-only, user, accessed.
const PTE_KERNEL_RO: u64 = 0x25;
/// Entries of upper-level tables: present, writable, user, accessed, dirty.
const PTE_TABLE: u64 = 0x67;
const PTE_PRESENT: u64 = 1;
const PTE_ADDR_MASK: u64 = 0x000f_ffff_ffff_f000;

static P2M: AtomicU64 = AtomicU64::new(0);
static P2M_LEN: AtomicU64 = AtomicU64::new(0);

/// Records where Xen put the pfn-to-mfn list.
pub fn set_p2m(mfn_list: u64, nr_pages: u64) {
    P2M.store(mfn_list, Ordering::Relaxed);
    P2M_LEN.store(nr_pages, Ordering::Release);
}

/// The virtual address of frame `pfn`.
pub const fn va_of_pfn(pfn: u64) -> u64 {
    VIRT_BASE + pfn * 4096
}

/// The frame number of a direct-mapped virtual address.
pub const fn pfn_of_va(va: u64) -> u64 {
    (va - VIRT_BASE) / 4096
}

/// The machine frame behind pseudo-physical frame `pfn`.
pub fn pfn_to_mfn(pfn: u64) -> u64 {
    assert!(
        pfn < P2M_LEN.load(Ordering::Acquire),
        "pfn beyond the domain"
    );
    let p2m = P2M.load(Ordering::Relaxed) as *const u64;
    // SAFETY: the p2m list Xen built has one u64 per pfn of the domain (checked above) and lies
    // in the initial mapping, which is never unmapped.
    unsafe { p2m.add(pfn as usize).read_volatile() }
}

/// The pseudo-physical frame of machine frame `mfn`, from Xen's M2P table.
pub fn mfn_to_pfn(mfn: u64) -> u64 {
    let entry = (M2P_BASE + mfn * 8) as *const u64;
    // SAFETY: Xen maps the M2P table read-only into every PV guest at M2P_BASE, with an entry
    // for every machine frame; the frames we ask about belong to this domain.
    unsafe { entry.read_volatile() }
}

/// The virtual address of a machine frame that belongs to this domain.
pub fn va_of_mfn(mfn: u64) -> u64 {
    va_of_pfn(mfn_to_pfn(mfn))
}

fn read_entry(table_va: u64, index: u64) -> u64 {
    let p = (table_va + index * 8) as *const u64;
    // SAFETY: `table_va` is the direct-mapped (read-only) address of a page-table frame and
    // index < 512; page tables are read with volatile loads because Xen edits them for us.
    unsafe { p.read_volatile() }
}

fn table_va_of_entry(entry: u64) -> u64 {
    va_of_mfn((entry & PTE_ADDR_MASK) >> 12)
}

/// Machine address of a page-table entry, as mmu_update wants it.
fn entry_machine_address(table_va: u64, index: u64) -> u64 {
    (pfn_to_mfn(pfn_of_va(table_va)) << 12) + index * 8
}

/// What memory set-up produced.
#[derive(Clone, Copy, Debug)]
pub struct MemoryLayout {
    /// Frames in the domain.
    pub total_pages: u64,
    /// Frames used by Xen's layout (image, start_info, p2m, initial tables) and the frames
    /// set aside for our own page tables.
    pub reserved_pages: u64,
    /// Frames mapped during boot (the rest are mapped when first needed).
    pub mapped_at_boot: u64,
    /// The heap's first frame and its maximum size in frames.
    pub heap: (u64, u64),
    /// The page pool's first frame and size in frames.
    pub pool: (u64, u64),
}

/// Batches page-table updates into few hypercalls.
struct Updates {
    queue: [mmu_update; 128],
    len: usize,
}

impl Updates {
    const fn new() -> Self {
        Self {
            queue: [mmu_update { ptr: 0, val: 0 }; 128],
            len: 0,
        }
    }

    fn push(&mut self, ptr: u64, val: u64) -> Result<(), XenError> {
        self.queue[self.len] = mmu_update { ptr, val };
        self.len += 1;
        if self.len == self.queue.len() {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), XenError> {
        if self.len > 0 {
            hypercall::mmu_update(&self.queue[..self.len])?;
            self.len = 0;
        }
        Ok(())
    }
}

/// Why memory set-up or growth failed.
#[derive(Clone, Copy, Debug)]
pub enum MemoryError {
    /// A page-table hypercall failed.
    Xen(&'static str, XenError),
    /// The domain has too little memory to run.
    TooSmall {
        /// Frames free after set-up.
        free_pages: u64,
    },
    /// The frames set aside for page tables ran out (a bug in the reservation).
    NoTableFrames,
}

impl core::fmt::Display for MemoryError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Xen(what, e) => write!(f, "{what}: {e}"),
            Self::TooSmall { free_pages } => write!(
                f,
                "only {free_pages} pages free after set-up; give the domain more memory"
            ),
            Self::NoTableFrames => f.write_str("no frames left for page tables"),
        }
    }
}

/// The page tables and the frames reserved for new table pages.
struct PageTables {
    pt_base: u64,
    next_table: u64,
    table_end: u64,
}

static TABLES: Mutex<Option<PageTables>> = Mutex::new(None);

/// The heap's growth state: the next frame to give it and the last it may have.
struct HeapGrowth {
    next: u64,
    end: u64,
}

static HEAP_GROWTH: Mutex<HeapGrowth> = Mutex::new(HeapGrowth { next: 0, end: 0 });

/// How many frames the heap grows by at least (one L1 table's worth: 2 MiB).
const HEAP_STEP: u64 = 512;
/// How much heap is mapped at boot.
const HEAP_AT_BOOT: u64 = 256;

impl PageTables {
    /// Maps frames `start..end` at their direct-map addresses, creating missing tables from
    /// the reserved table frames. Already mapped frames are left alone.
    fn map_range(&mut self, start: u64, end: u64) -> Result<(), MemoryError> {
        let xen = |what| move |e| MemoryError::Xen(what, e);
        let mut updates = Updates::new();
        let mut chunk = start;
        // One page-table walk per L1 table (2 MiB), then its entries in a batch.
        while chunk < end {
            let va = va_of_pfn(chunk);
            let mut table = self.pt_base;
            for level in (1..4).rev() {
                let index = (va >> (12 + 9 * level)) & 511;
                let entry = read_entry(table, index);
                if entry & PTE_PRESENT != 0 {
                    table = table_va_of_entry(entry);
                    continue;
                }
                updates.flush().map_err(xen("mapping memory"))?;
                table = self.new_table(table, index)?;
            }
            let table_mfn = pfn_to_mfn(pfn_of_va(table));
            let chunk_end = ((chunk | 511) + 1).min(end);
            for pfn in chunk..chunk_end {
                let index = pfn & 511;
                if read_entry(table, index) & PTE_PRESENT == 0 {
                    updates
                        .push(
                            (table_mfn << 12) + index * 8,
                            (pfn_to_mfn(pfn) << 12) | PTE_KERNEL_RW,
                        )
                        .map_err(xen("mapping memory"))?;
                }
            }
            chunk = chunk_end;
        }
        updates.flush().map_err(xen("mapping memory"))
    }

    /// Makes a zeroed page table from the next reserved frame and links it at `index` of
    /// `parent`. The reserved frames are mapped before any of them is used (boot maps them
    /// first, taking tables for that from the front of the same range, which Xen mapped).
    fn new_table(&mut self, parent: u64, index: u64) -> Result<u64, MemoryError> {
        let xen = |what| move |e| MemoryError::Xen(what, e);
        if self.next_table >= self.table_end {
            return Err(MemoryError::NoTableFrames);
        }
        let pfn = self.next_table;
        let va = va_of_pfn(pfn);
        let mfn = pfn_to_mfn(pfn);
        // SAFETY: `va` is a mapped, writable frame reserved for page tables that nothing else
        // uses; it is zeroed before Xen sees it as a table.
        unsafe { core::ptr::write_bytes(va as *mut u8, 0, 4096) };
        // A frame becomes a page table only if no writable mapping of it exists.
        hypercall::update_va_mapping(va, (mfn << 12) | PTE_KERNEL_RO)
            .map_err(xen("making a page table read-only"))?;
        let ptr = entry_machine_address(parent, index);
        hypercall::mmu_update(&[mmu_update {
            ptr,
            val: (mfn << 12) | PTE_TABLE,
        }])
        .map_err(xen("linking a page table"))?;
        self.next_table += 1;
        Ok(va)
    }
}

/// Sets up the direct map and splits the free frames into heap and pool.
///
/// Mapping a page costs a validated page-table update in Xen, so only what boot needs is
/// mapped now (Xen's layout, the frames reserved for our page tables, the first part of the
/// heap); the heap grows a table's worth at a time when it runs short, and pool frames are
/// mapped when handed out. `first_free_pfn` is the first frame after everything Xen placed;
/// `pool_pages` the requested pool size (`None`: an eighth of free memory, at least 64 pages).
pub fn init(
    pt_base: u64,
    nr_pages: u64,
    first_free_pfn: u64,
    pool_pages: Option<u64>,
) -> Result<MemoryLayout, MemoryError> {
    let usable = nr_pages.min(MAX_MAPPED_PAGES);
    // Enough table frames for the whole direct map: one L1 per 512 frames, plus the few
    // upper-level tables it may need.
    let table_frames = usable.div_ceil(512) + 8;
    let table_end = first_free_pfn + table_frames;
    let free = usable.saturating_sub(table_end);
    if free < 256 {
        return Err(MemoryError::TooSmall { free_pages: free });
    }
    let pool = pool_pages.unwrap_or((free / 8).max(64)).min(free / 2);
    let heap_pages = free - pool;
    let heap_at_boot = HEAP_AT_BOOT.min(heap_pages);

    let mut tables = PageTables {
        pt_base,
        next_table: first_free_pfn,
        table_end,
    };
    tables.map_range(0, table_end + heap_at_boot)?;
    *TABLES.lock() = Some(tables);
    *HEAP_GROWTH.lock() = HeapGrowth {
        next: table_end + heap_at_boot,
        end: table_end + heap_pages,
    };
    Ok(MemoryLayout {
        total_pages: nr_pages,
        reserved_pages: table_end,
        mapped_at_boot: table_end + heap_at_boot,
        heap: (table_end, heap_pages),
        pool: (table_end + heap_pages, pool),
    })
}

/// Maps frames `start..end` (for pool frames and heap growth).
fn map_range(start: u64, end: u64) -> Result<(), MemoryError> {
    TABLES
        .lock()
        .as_mut()
        .ok_or(MemoryError::NoTableFrames)?
        .map_range(start, end)
}

/// Maps more frames for the heap: at least `min_bytes`, in whole 2 MiB steps. Returns the
/// number of bytes added at the heap's current end, or `None` when the heap is at its limit.
pub fn grow_heap(min_bytes: usize) -> Option<usize> {
    let mut growth = HEAP_GROWTH.lock();
    let want = (min_bytes as u64).div_ceil(4096).max(HEAP_STEP);
    let pages = want.min(growth.end - growth.next);
    if pages == 0 {
        return None;
    }
    let start = growth.next;
    if let Err(e) = map_range(start, start + pages) {
        log::error!("heap growth: {e}");
        return None;
    }
    growth.next += pages;
    Some((pages * 4096) as usize)
}

/// Unmaps one page (the stack guard), so touching it faults.
pub fn unmap(va: u64) -> Result<(), XenError> {
    hypercall::update_va_mapping(va, 0)
}

/// A page from the pool: page-aligned, zeroed, with both its addresses.
#[derive(Debug, PartialEq, Eq)]
pub struct Frame {
    /// Pseudo-physical frame number.
    pub pfn: u64,
    /// Machine frame number (what another domain or Xen needs).
    pub mfn: u64,
    /// Virtual address in the direct map.
    pub va: u64,
}

static POOL: Mutex<Option<PageAllocator>> = Mutex::new(None);

/// Takes a zeroed page from the pool.
pub fn alloc_frame() -> Result<Frame, PageError> {
    let pfn = POOL
        .lock()
        .as_mut()
        .ok_or(PageError::OutOfPages { total: 0 })?
        .alloc()?;
    if let Err(e) = map_range(pfn, pfn + 1) {
        log::error!("page pool: mapping frame {pfn:#x}: {e}");
        let _ = free_frame_number(pfn);
        return Err(PageError::OutOfPages { total: 0 });
    }
    let va = va_of_pfn(pfn);
    // SAFETY: the pool hands each frame to one owner at a time, and it was just mapped
    // writable in the direct map.
    unsafe { core::ptr::write_bytes(va as *mut u8, 0, 4096) };
    Ok(Frame {
        pfn,
        mfn: pfn_to_mfn(pfn),
        va,
    })
}

/// Returns a page to the pool.
pub fn free_frame(frame: Frame) -> Result<(), PageError> {
    free_frame_number(frame.pfn)
}

fn free_frame_number(pfn: u64) -> Result<(), PageError> {
    POOL.lock()
        .as_mut()
        .ok_or(PageError::NotInPool(pfn))?
        .free(pfn)
}

/// (free, total) pages in the pool.
pub fn pool_counts() -> (usize, usize) {
    POOL.lock()
        .as_ref()
        .map_or((0, 0), |p| (p.free_count(), p.total()))
}

/// Maps memory, hands the heap its frames and sets up the pool.
pub fn init_with_heap(
    heap: &'static crate::heap::KernelHeap,
    pt_base: u64,
    nr_pages: u64,
    first_free_pfn: u64,
    pool_pages: Option<u64>,
) -> Result<MemoryLayout, MemoryError> {
    let layout = init(pt_base, nr_pages, first_free_pfn, pool_pages)?;
    let first = layout.heap.0;
    let mapped = layout.mapped_at_boot - first;
    // SAFETY: `init` mapped these frames writable and gives them to nobody else: they lie
    // after every frame Xen or the page tables use and before the pool's range. Later growth
    // (`grow_heap`) appends frames directly after them.
    unsafe { heap.init(va_of_pfn(first) as usize, (mapped * 4096) as usize) };
    // The pool's bitmap lives on the heap, so the pool comes second.
    *POOL.lock() = Some(PageAllocator::new(layout.pool.0, layout.pool.1 as usize));
    Ok(layout)
}

/// The first frame after everything Xen placed in the initial mapping: the image, the p2m
/// list, start_info, the console and Xenstore pages, the page tables and the boot stack.
pub fn first_free_pfn(si: &crate::platform::StartInfo, image_end: u64) -> u64 {
    let after = |va: u64, bytes: u64| pfn_of_va(va + bytes + 4095);
    [
        after(image_end, 0),
        after(si.mfn_list, si.nr_pages * 8),
        after(si.address, 4096),
        mfn_to_pfn(si.console_mfn) + 1,
        mfn_to_pfn(si.store_mfn) + 1,
        pfn_of_va(si.pt_base) + si.nr_pt_frames,
    ]
    .into_iter()
    .max()
    .unwrap_or(0)
        // The boot stack Xen gave us sits right after its page tables.
        + 1
}

/// A pool page owned by one holder, with volatile access for sharing with other domains.
#[derive(Debug)]
pub struct PoolPage {
    frame: Frame,
    page: crate::shared::SharedPage,
}

impl PoolPage {
    /// Takes a zeroed page from the pool.
    pub fn alloc() -> Result<Self, PageError> {
        let frame = alloc_frame()?;
        let ptr = core::ptr::NonNull::new(frame.va as *mut u8).expect("pool pages are not null");
        // SAFETY: the frame is mapped writable in the direct map and stays allocated (so
        // mapped and unused by anyone else) until this value is given to `free`, which
        // consumes the SharedPage together with the frame.
        let page = unsafe { crate::shared::SharedPage::new(ptr) };
        Ok(Self { frame, page })
    }

    /// The frame numbers and address.
    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    /// Volatile access to the page.
    pub fn page(&self) -> &crate::shared::SharedPage {
        &self.page
    }

    /// Returns the page to the pool.
    pub fn free(self) -> Result<(), PageError> {
        free_frame(self.frame)
    }
}
