//! The page allocator's bookkeeping: which page frames of the pool are free.
//!
//! The pool is a contiguous range of pseudo-physical frame numbers set aside at boot; the heap
//! has the rest of memory. Pores and other shared objects take whole pages from here because
//! they need a page-aligned address and the machine frame behind it. Freed pages go back to
//! the pool; freeing a page that is not allocated is an error, not silent corruption.

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

/// Why a page operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageError {
    /// Every page of the pool is in use.
    OutOfPages {
        /// Size of the pool.
        total: usize,
    },
    /// The frame is not part of the pool.
    NotInPool(u64),
    /// The frame is already free.
    DoubleFree(u64),
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutOfPages { total } => write!(f, "out of pages: all {total} pool pages in use"),
            Self::NotInPool(pfn) => write!(f, "frame {pfn:#x} is not in the page pool"),
            Self::DoubleFree(pfn) => write!(f, "frame {pfn:#x} freed twice"),
        }
    }
}

/// Free/used state for a contiguous range of frames.
#[derive(Debug)]
pub struct PageAllocator {
    first_pfn: u64,
    count: usize,
    /// One bit per page, set when free.
    free_bits: Vec<u64>,
    free: usize,
    /// Word index where the last search succeeded; searching starts there.
    hint: usize,
}

impl PageAllocator {
    /// A pool of `count` free frames starting at `first_pfn`.
    pub fn new(first_pfn: u64, count: usize) -> Self {
        let mut free_bits = vec![u64::MAX; count.div_ceil(64)];
        if !count.is_multiple_of(64) {
            if let Some(last) = free_bits.last_mut() {
                *last = (1u64 << (count % 64)) - 1;
            }
        }
        Self {
            first_pfn,
            count,
            free_bits,
            free: count,
            hint: 0,
        }
    }

    /// Takes a free frame.
    pub fn alloc(&mut self) -> Result<u64, PageError> {
        if self.free == 0 {
            return Err(PageError::OutOfPages { total: self.count });
        }
        let words = self.free_bits.len();
        for step in 0..words {
            let w = (self.hint + step) % words;
            let bits = self.free_bits[w];
            if bits != 0 {
                let bit = bits.trailing_zeros() as usize;
                self.free_bits[w] &= !(1u64 << bit);
                self.free -= 1;
                self.hint = w;
                return Ok(self.first_pfn + (w * 64 + bit) as u64);
            }
        }
        unreachable!("free count says a page is free but the bitmap has none");
    }

    /// Returns a frame to the pool.
    pub fn free(&mut self, pfn: u64) -> Result<(), PageError> {
        let index = pfn
            .checked_sub(self.first_pfn)
            .filter(|&i| (i as usize) < self.count)
            .ok_or(PageError::NotInPool(pfn))? as usize;
        let (w, bit) = (index / 64, 1u64 << (index % 64));
        if self.free_bits[w] & bit != 0 {
            return Err(PageError::DoubleFree(pfn));
        }
        self.free_bits[w] |= bit;
        self.free += 1;
        Ok(())
    }

    /// Frames currently free.
    pub fn free_count(&self) -> usize {
        self.free
    }

    /// Frames in the pool.
    pub fn total(&self) -> usize {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocates_every_page_once_then_reports_exhaustion() {
        let mut pool = PageAllocator::new(1000, 70);
        let mut got: Vec<u64> = (0..70).map(|_| pool.alloc().unwrap()).collect();
        got.sort();
        assert_eq!(got, (1000..1070).collect::<Vec<_>>());
        assert_eq!(pool.alloc(), Err(PageError::OutOfPages { total: 70 }));
        assert_eq!(pool.free_count(), 0);
        pool.free(1042).unwrap();
        assert_eq!(pool.alloc(), Ok(1042));
    }

    #[test]
    fn bad_frees_are_errors() {
        let mut pool = PageAllocator::new(10, 5);
        assert_eq!(pool.free(9), Err(PageError::NotInPool(9)));
        assert_eq!(pool.free(15), Err(PageError::NotInPool(15)));
        assert_eq!(pool.free(12), Err(PageError::DoubleFree(12)));
        let p = pool.alloc().unwrap();
        pool.free(p).unwrap();
        assert_eq!(pool.free(p), Err(PageError::DoubleFree(p)));
        assert_eq!(pool.free_count(), 5);
    }

    #[test]
    fn churn_keeps_counts_consistent() {
        let mut pool = PageAllocator::new(0, 256);
        let mut held = Vec::new();
        for round in 0..2000u64 {
            if round % 3 == 2 {
                if let Some(p) = held.pop() {
                    pool.free(p).unwrap();
                }
            } else if let Ok(p) = pool.alloc() {
                assert!(!held.contains(&p));
                held.push(p);
            }
            assert_eq!(pool.free_count() + held.len(), 256);
        }
    }
}
