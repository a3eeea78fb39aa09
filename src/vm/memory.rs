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
//! take back memory already in use; so is a binary, when it is made. Loaded code is charged
//! where the node attaches its code to the account (the host runner does, and an image that
//! boots OTP's way: the kernel's code alone is some 12 MB); an image that starts the
//! kernel's services itself does not, and its budget's reserve holds its code, as it holds
//! ETS tables' own structures and the kernel's.
//!
//! Under OTP's boot the kernel is Erlang processes beside the program's: the top of the
//! budget (the kernel's room) is theirs alone, so that a program that takes all it may
//! still leaves the loader, the code server and the logger the memory to work.

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

/// The top of a `budget` that only the kernel's processes may take when the kernel runs as
/// Erlang processes beside the program's (OTP's boot): a sixteenth, at least 1 MiB and at
/// most 8 MiB, room for the loader to read a large module's file and for the logger and the
/// console's server to report while the program's processes hold all they may.
pub fn kernel_room_within(budget: usize) -> usize {
    (budget / 16).clamp(1 << 20, 8 << 20)
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
    /// The top of the budget that only kernel handles may charge.
    kernel_room: AtomicUsize,
}

/// A handle on a node's memory account; clones share it. The default handle belongs to no
/// account (heaps outside the scheduler: ETS objects, messages being built in tests) and
/// charges nothing. A kernel handle ([`NodeMemory::kernel`]) may charge the whole budget;
/// another stops short of the kernel's room ([`NodeMemory::set_kernel_room`]), so that the
/// kernel's processes can still work when the program's have taken all they may.
#[derive(Clone, Debug, Default)]
pub struct NodeMemory {
    account: Option<Arc<Account>>,
    kernel: bool,
}

impl NodeMemory {
    /// A new account with no limit (`usize::MAX` bytes) and nothing charged.
    pub fn unlimited() -> Self {
        NodeMemory {
            account: Some(Arc::new(Account {
                budget: AtomicUsize::new(usize::MAX),
                used: AtomicUsize::new(0),
                kernel_room: AtomicUsize::new(0),
            })),
            kernel: false,
        }
    }

    /// A handle on the same account, for a kernel process's heap (`true`) or another's.
    pub fn for_kernel(&self, kernel: bool) -> Self {
        NodeMemory {
            account: self.account.clone(),
            kernel,
        }
    }

    /// Sets how many bytes at the top of the budget only kernel handles may charge.
    pub fn set_kernel_room(&self, bytes: usize) {
        if let Some(a) = &self.account {
            a.kernel_room.store(bytes, Ordering::Relaxed);
        }
    }

    /// What this handle may take the account's use to: the budget, less the kernel's room
    /// for a handle that is not the kernel's.
    fn limit(&self, a: &Account) -> usize {
        let budget = a.budget.load(Ordering::Relaxed);
        match self.kernel {
            true => budget,
            false => budget.saturating_sub(a.kernel_room.load(Ordering::Relaxed)),
        }
    }

    /// Sets the budget in bytes (`usize::MAX`: unlimited). Heaps already over it keep what
    /// they have; their next growth is refused.
    pub fn set_budget(&self, bytes: usize) {
        if let Some(a) = &self.account {
            a.budget.store(bytes, Ordering::Relaxed);
        }
    }

    /// The budget in bytes (`usize::MAX` when unlimited or unattached).
    pub fn budget(&self) -> usize {
        self.account
            .as_ref()
            .map_or(usize::MAX, |a| a.budget.load(Ordering::Relaxed))
    }

    /// Whether `other` is a handle on the same account.
    pub fn same_account(&self, other: &NodeMemory) -> bool {
        match (&self.account, &other.account) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Bytes charged by the attached heaps.
    pub fn used(&self) -> usize {
        self.account
            .as_ref()
            .map_or(0, |a| a.used.load(Ordering::Relaxed))
    }

    /// Charges `bytes` if they fit in what the handle may take of the budget.
    #[inline(never)]
    pub fn try_charge(&self, bytes: usize) -> Result<(), MemoryError> {
        let Some(a) = &self.account else {
            return Ok(());
        };
        let budget = self.limit(a);
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
        if let Some(a) = &self.account {
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
        if let Some(a) = &self.account {
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
    /// Bytes the budget has left for this handle (`None`: no account, or no budget).
    pub fn left(&self) -> Option<usize> {
        let a = self.account.as_ref()?;
        match a.budget.load(Ordering::Relaxed) {
            usize::MAX => None,
            _ => Some(self.limit(a).saturating_sub(a.used.load(Ordering::Relaxed))),
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
    fn the_kernel_room_is_for_kernel_handles_only() {
        let m = NodeMemory::unlimited();
        m.set_budget(1000);
        m.set_kernel_room(300);
        let kernel = m.for_kernel(true);
        assert_eq!(m.try_charge(800), Err(MemoryError::OverBudget));
        assert_eq!(m.try_charge(700), Ok(()));
        assert_eq!(m.left(), Some(0));
        assert_eq!(kernel.left(), Some(300));
        assert_eq!(kernel.try_charge(300), Ok(()));
        assert_eq!(kernel.try_charge(1), Err(MemoryError::OverBudget));
        assert!(kernel.same_account(&m));
    }

    #[test]
    fn an_unattached_handle_charges_nothing() {
        let m = NodeMemory::default();
        assert_eq!(m.try_charge(usize::MAX), Ok(()));
        assert_eq!(m.used(), 0);
        assert_eq!(m.budget(), usize::MAX);
    }
}
