//! Event channels: ports, and the pending and mask bitmaps in shared_info.
//!
//! xenbeam keeps every port masked and never takes upcalls: the scheduler asks which ports are
//! pending when it is ready to (`events_do_pending`) and sleeps in SCHEDOP_poll when nothing
//! can run. A masked port still gets its pending bit set, and SCHEDOP_poll still wakes on it.
//! The bitmap operations here are atomic read-modify-writes on the shared_info page, because
//! Xen sets pending bits from other physical CPUs at any time.

use crate::shared::SharedPage;
use crate::time::TimeInfo;

/// Offset of `evtchn_pending[64]` in shared_info (after 32 vcpu_info records of 64 bytes).
pub const PENDING_OFFSET: usize = 2048;
/// Offset of `evtchn_mask[64]` in shared_info.
pub const MASK_OFFSET: usize = 2560;
/// Number of ports the 2-level ABI addresses on x86_64.
pub const MAX_PORTS: u32 = 64 * 64;
/// Offset of vcpu_info[0].evtchn_upcall_pending.
pub const UPCALL_PENDING_OFFSET: usize = 0;
/// Offset of vcpu_info[0].evtchn_upcall_mask.
pub const UPCALL_MASK_OFFSET: usize = 1;
/// Offset of vcpu_info[0].evtchn_pending_sel.
pub const PENDING_SEL_OFFSET: usize = 8;
/// Offset of vcpu_info[0].arch.cr2 (the faulting address of the last page fault).
pub const CR2_OFFSET: usize = 16;
/// Offset of vcpu_info[0].time.
pub const TIME_OFFSET: usize = 32;

/// An event-channel port number.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port(pub u32);

impl Port {
    fn word_and_bit(self) -> (usize, u64) {
        assert!(self.0 < MAX_PORTS, "event channel port out of range");
        ((self.0 / 64) as usize * 8, 1u64 << (self.0 % 64))
    }
}

impl core::fmt::Display for Port {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "port {}", self.0)
    }
}

/// The shared_info page's event and time fields.
#[derive(Debug)]
pub struct SharedInfo {
    page: SharedPage,
}

impl SharedInfo {
    /// Wraps the mapped shared_info page.
    pub fn new(page: SharedPage) -> Self {
        Self { page }
    }

    /// Masks `port`: Xen will set its pending bit but never send an upcall for it.
    pub fn mask(&self, port: Port) {
        let (word, bit) = port.word_and_bit();
        self.page.fetch_or_u64(MASK_OFFSET + word, bit);
    }

    /// Whether `port` is pending.
    pub fn is_pending(&self, port: Port) -> bool {
        let (word, bit) = port.word_and_bit();
        self.page.read_u64(PENDING_OFFSET + word) & bit != 0
    }

    /// Clears `port`'s pending bit; returns whether it was set.
    pub fn test_and_clear(&self, port: Port) -> bool {
        let (word, bit) = port.word_and_bit();
        self.page.fetch_and_u64(PENDING_OFFSET + word, !bit) & bit != 0
    }

    /// Takes every pending port out of the bitmap, calling `f` for each in ascending order.
    /// Each 64-port word is claimed with one atomic swap-to-zero, so a bit Xen sets meanwhile
    /// is either seen now or left for the next call, never lost.
    pub fn drain_pending(&self, f: impl FnMut(Port)) {
        self.drain_pending_in(u64::MAX, f)
    }

    /// As [`SharedInfo::drain_pending`], looking only at the 64-port words whose bits are set
    /// in `words` (bit `w` stands for ports `64 * w` to `64 * w + 63`): a caller that knows
    /// which ports it watches reads one or two words instead of all 64.
    pub fn drain_pending_in(&self, words: u64, mut f: impl FnMut(Port)) {
        let mut left = words;
        while left != 0 {
            let word = left.trailing_zeros() as usize;
            left &= left - 1;
            let offset = PENDING_OFFSET + word * 8;
            if self.page.read_u64(offset) == 0 {
                continue;
            }
            let mut bits = self.page.fetch_and_u64(offset, 0);
            while bits != 0 {
                let bit = bits.trailing_zeros();
                bits &= bits - 1;
                f(Port(word as u32 * 64 + bit));
            }
        }
    }

    /// Keeps upcalls off for vCPU 0: xenbeam polls instead (and SCHEDOP_poll requires it).
    pub fn disable_upcalls(&self) {
        self.page.write_u8(UPCALL_MASK_OFFSET, 1);
    }

    /// Clears vCPU 0's "some event pending" summary flags, which stay set because upcalls
    /// are never delivered; the per-port bitmap is the truth.
    pub fn clear_upcall_pending(&self) {
        self.page.write_u8(UPCALL_PENDING_OFFSET, 0);
        self.page.fetch_and_u64(PENDING_SEL_OFFSET, 0);
    }

    /// The faulting address of the last page fault (Xen stores CR2 here for PV guests).
    pub fn cr2(&self) -> u64 {
        self.page.read_u64(CR2_OFFSET)
    }

    /// A consistent copy of vCPU 0's time info.
    pub fn time_info(&self) -> TimeInfo {
        loop {
            let version = self.page.read_u32(TIME_OFFSET);
            // The fields must be read after the first version read and before the second.
            core::sync::atomic::fence(core::sync::atomic::Ordering::Acquire);
            let info = TimeInfo {
                tsc_timestamp: self.page.read_u64(TIME_OFFSET + 8),
                system_time: self.page.read_u64(TIME_OFFSET + 16),
                tsc_to_system_mul: self.page.read_u32(TIME_OFFSET + 24),
                tsc_shift: self.page.read_u8(TIME_OFFSET + 28) as i8,
            };
            core::sync::atomic::fence(core::sync::atomic::Ordering::Acquire);
            if version & 1 == 0 && self.page.read_u32(TIME_OFFSET) == version {
                return info;
            }
            core::hint::spin_loop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::testing::TestPage;
    use core::mem::offset_of;
    use xen_sys::{shared_info, vcpu_info, vcpu_time_info};

    #[test]
    fn offsets_agree_with_xen_public_headers() {
        assert_eq!(offset_of!(shared_info, evtchn_pending), PENDING_OFFSET);
        assert_eq!(offset_of!(shared_info, evtchn_mask), MASK_OFFSET);
        assert_eq!(
            offset_of!(vcpu_info, evtchn_upcall_pending),
            UPCALL_PENDING_OFFSET
        );
        assert_eq!(
            offset_of!(vcpu_info, evtchn_upcall_mask),
            UPCALL_MASK_OFFSET
        );
        assert_eq!(
            offset_of!(vcpu_info, evtchn_pending_sel),
            PENDING_SEL_OFFSET
        );
        assert_eq!(offset_of!(vcpu_info, arch), CR2_OFFSET);
        assert_eq!(offset_of!(vcpu_info, time), TIME_OFFSET);
        assert_eq!(offset_of!(vcpu_time_info, tsc_timestamp), 8);
        assert_eq!(offset_of!(vcpu_time_info, system_time), 16);
        assert_eq!(offset_of!(vcpu_time_info, tsc_to_system_mul), 24);
        assert_eq!(offset_of!(vcpu_time_info, tsc_shift), 28);
    }

    #[test]
    fn pending_bits() {
        let mut page = TestPage::new();
        let info = SharedInfo::new(page.share());
        // Xen marks ports 3 and 130 pending.
        page.0[PENDING_OFFSET] = 0b1000;
        page.0[PENDING_OFFSET + 16] = 0b100;
        assert!(info.is_pending(Port(3)));
        assert!(info.is_pending(Port(130)));
        assert!(!info.is_pending(Port(2)));
        assert!(info.test_and_clear(Port(3)));
        assert!(!info.test_and_clear(Port(3)));
        page.0[PENDING_OFFSET] = 0b1010_0000;
        let mut seen = Vec::new();
        info.drain_pending(|p| seen.push(p.0));
        assert_eq!(seen, vec![5, 7, 130]);
        let mut again = Vec::new();
        info.drain_pending(|p| again.push(p.0));
        assert!(again.is_empty());
    }

    #[test]
    fn draining_some_words_leaves_the_others_pending() {
        let mut page = TestPage::new();
        let info = SharedInfo::new(page.share());
        // Ports 1 (word 0), 70 (word 1) and 4095 (word 63) pending.
        page.0[PENDING_OFFSET] = 0b10;
        page.0[PENDING_OFFSET + 8] = 0b100_0000;
        page.0[PENDING_OFFSET + 511] = 0x80;
        let mut seen = Vec::new();
        info.drain_pending_in(1 | 1 << 63, |p| seen.push(p.0));
        assert_eq!(seen, vec![1, 4095]);
        assert!(info.is_pending(Port(70)));
        assert!(!info.is_pending(Port(1)));
        let mut rest = Vec::new();
        info.drain_pending(|p| rest.push(p.0));
        assert_eq!(rest, vec![70]);
    }

    #[test]
    fn masking_sets_the_mask_bit() {
        let mut page = TestPage::new();
        let info = SharedInfo::new(page.share());
        info.mask(Port(65));
        assert_eq!(page.0[MASK_OFFSET + 8], 0b10);
    }

    #[test]
    fn time_info_is_read_consistently() {
        let mut page = TestPage::new();
        page.0[TIME_OFFSET..TIME_OFFSET + 4].copy_from_slice(&2u32.to_le_bytes());
        page.0[TIME_OFFSET + 16..TIME_OFFSET + 24].copy_from_slice(&77u64.to_le_bytes());
        page.0[TIME_OFFSET + 24..TIME_OFFSET + 28].copy_from_slice(&(1u32 << 31).to_le_bytes());
        page.0[TIME_OFFSET + 28] = (-1i8) as u8;
        let info = SharedInfo::new(page.share()).time_info();
        assert_eq!(info.system_time, 77);
        assert_eq!(info.tsc_shift, -1);
        assert_eq!(info.tsc_to_system_mul, 1 << 31);
    }
}
