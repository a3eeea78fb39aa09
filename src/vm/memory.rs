//! The node's memory account: bytes held by process heaps and binaries, against a budget.
//!
//! A node has one [`NodeMemory`]; every process heap the scheduler admits holds a handle on it
//! and charges the capacity of its word vectors (the live heap and the spare to-space), and
//! every binary buffer such a heap makes charges its capacity once until its last reference
//! drops ([`BinData`](super::binbuf::BinData)). The
//! collector asks the account before it takes more memory for a heap, so a heap that would
//! grow past the budget is refused there, and the scheduler kills the process that asked
//! instead of the node running out of memory (in the image: instead of the domain dying).
//!
//! Invariants: `used` is the sum of what the attached heaps have charged; a heap releases its
//! charge when it is dropped, so a dead process leaves nothing behind in the account. Words
//! pushed between collections (an instruction may overshoot its heap's limit) are charged late,
//! at the heap's next collection, whether or not they fit: the budget bounds growth, it cannot
//! take back memory already in use; so is a binary, when it is made. Code, ETS tables'
//! own structures and the kernel's are not charged; in the image the budget leaves a reserve
//! for them.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicUsize, Ordering};

/// The node's memory budget for process heaps, in bytes, when the allocator that serves them
/// (in the image, the kernel heap) may grow to `heap_max` bytes and `heap_used` are in use:
/// what is left after a reserve of an eighth of the heap (at least 4 MiB, at most a quarter)
/// for everything the budget does not count: code, ETS tables' own structures, messages in
/// flight and the kernel's own structures.
pub fn budget_within(heap_max: usize, heap_used: usize) -> usize {
    let reserve = (heap_max / 8).max(4 << 20).min(heap_max / 4);
    heap_max.saturating_sub(heap_used).saturating_sub(reserve)
}

/// Why the account refused a charge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum MemoryError {
    /// The charge would take the node's heaps past the budget.
    OverBudget = 1,
    /// The allocator could not give the memory although the budget allowed it.
    AllocationFailed = 2,
}

/// What a process asked for when the node's memory refused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfMemory {
    /// Words on the heap when it asked (live and garbage).
    pub heap_words: usize,
    /// Words the heap's new space needed and could not get.
    pub wanted_words: usize,
}

#[derive(Debug)]
struct Account {
    budget: AtomicUsize,
    used: AtomicUsize,
}

/// A handle on a node's memory account; clones share it. The default handle belongs to no
/// account (heaps outside the scheduler: ETS objects, messages being built in tests) and
/// charges nothing.
#[derive(Clone, Debug, Default)]
pub struct NodeMemory(Option<Arc<Account>>);

impl NodeMemory {
    /// A new account with no limit (`usize::MAX` bytes) and nothing charged.
    pub fn unlimited() -> Self {
        NodeMemory(Some(Arc::new(Account {
            budget: AtomicUsize::new(usize::MAX),
            used: AtomicUsize::new(0),
        })))
    }

    /// Sets the budget in bytes (`usize::MAX`: unlimited). Heaps already over it keep what
    /// they have; their next growth is refused.
    pub fn set_budget(&self, bytes: usize) {
        if let Some(a) = &self.0 {
            a.budget.store(bytes, Ordering::Relaxed);
        }
    }

    /// The budget in bytes (`usize::MAX` when unlimited or unattached).
    pub fn budget(&self) -> usize {
        self.0
            .as_ref()
            .map_or(usize::MAX, |a| a.budget.load(Ordering::Relaxed))
    }

    /// Whether `other` is a handle on the same account.
    pub fn same_account(&self, other: &NodeMemory) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Bytes charged by the attached heaps.
    pub fn used(&self) -> usize {
        self.0
            .as_ref()
            .map_or(0, |a| a.used.load(Ordering::Relaxed))
    }

    /// Charges `bytes` if they fit in the budget.
    #[inline(never)]
    pub fn try_charge(&self, bytes: usize) -> Result<(), MemoryError> {
        let Some(a) = &self.0 else {
            return Ok(());
        };
        let budget = a.budget.load(Ordering::Relaxed);
        a.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(bytes).filter(|&n| n <= budget)
            })
            .map(|_| ())
            .map_err(|_| MemoryError::OverBudget)
    }

    /// Charges `bytes` whatever the budget (memory already taken).
    #[inline(never)]
    pub fn charge(&self, bytes: usize) {
        if let Some(a) = &self.0 {
            let _ = a
                .used
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                    Some(used.saturating_add(bytes))
                });
        }
    }

    /// Gives back `bytes` charged before.
    #[inline(never)]
    pub fn release(&self, bytes: usize) {
        if let Some(a) = &self.0 {
            let _ = a
                .used
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                    Some(used.saturating_sub(bytes))
                });
        }
    }
}

/// Working memory a BIF holds while it runs (an encoding's intermediate tree), charged to
/// the node's account until dropped.
#[derive(Debug)]
#[must_use]
pub struct TempCharge {
    memory: NodeMemory,
    bytes: usize,
}

impl Drop for TempCharge {
    fn drop(&mut self) {
        self.memory.release(self.bytes);
    }
}

impl NodeMemory {
    /// Bytes the budget has left (`None`: no account, or no budget).
    pub fn left(&self) -> Option<usize> {
        let a = self.0.as_ref()?;
        match a.budget.load(Ordering::Relaxed) {
            usize::MAX => None,
            b => Some(b.saturating_sub(a.used.load(Ordering::Relaxed))),
        }
    }

    /// Charges `bytes` of working memory if they fit in the budget, until the guard drops.
    pub fn try_charge_temporary(&self, bytes: usize) -> Result<TempCharge, MemoryError> {
        self.try_charge(bytes)?;
        Ok(TempCharge {
            memory: self.clone(),
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_stop_at_the_budget_and_releases_make_room() {
        let m = NodeMemory::unlimited();
        m.set_budget(1000);
        let other = m.clone();
        assert_eq!(m.try_charge(600), Ok(()));
        assert_eq!(other.try_charge(600), Err(MemoryError::OverBudget));
        assert_eq!(other.used(), 600);
        m.release(600);
        assert_eq!(other.try_charge(1000), Ok(()));
        other.charge(10);
        assert_eq!(m.used(), 1010);
    }

    #[test]
    fn an_unattached_handle_charges_nothing() {
        let m = NodeMemory::default();
        assert_eq!(m.try_charge(usize::MAX), Ok(()));
        assert_eq!(m.used(), 0);
        assert_eq!(m.budget(), usize::MAX);
    }
}
