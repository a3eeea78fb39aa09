//! Time: Xen's per-vCPU time info turned into a monotonic nanosecond clock.
//!
//! Xen publishes `system_time` (ns since host boot) at `tsc_timestamp`, plus a scale factor; we
//! extend it with the TSC delta since then. Xen bumps `version` to odd before an update and to
//! even after, so a reader retries until it sees the same even version on both sides.

/// One consistent copy of a vCPU's time info.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeInfo {
    /// TSC value at the time `system_time` was sampled.
    pub tsc_timestamp: u64,
    /// Nanoseconds since host boot at `tsc_timestamp`.
    pub system_time: u64,
    /// Multiplier (32.32 fixed point) from shifted TSC ticks to ns.
    pub tsc_to_system_mul: u32,
    /// Shift applied to the TSC delta before multiplying.
    pub tsc_shift: i8,
}

impl TimeInfo {
    /// Converts a TSC delta into nanoseconds with Xen's scale.
    pub fn scale_delta(&self, delta: u64) -> u64 {
        let shifted = if self.tsc_shift >= 0 {
            delta << self.tsc_shift
        } else {
            delta >> (-self.tsc_shift)
        };
        ((shifted as u128 * self.tsc_to_system_mul as u128) >> 32) as u64
    }

    /// System time in ns at TSC value `tsc`.
    pub fn system_time_at(&self, tsc: u64) -> u64 {
        self.system_time + self.scale_delta(tsc.wrapping_sub(self.tsc_timestamp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_matches_xen_formula() {
        // A 2 GHz TSC: each tick is 0.5 ns, i.e. mul = 2^31 with no shift.
        let t = TimeInfo {
            tsc_timestamp: 1000,
            system_time: 5_000_000,
            tsc_to_system_mul: 1 << 31,
            tsc_shift: 0,
        };
        assert_eq!(t.system_time_at(1000), 5_000_000);
        assert_eq!(t.system_time_at(3000), 5_001_000);
        // A shift doubles (positive) or halves (negative) the ticks first.
        let up = TimeInfo { tsc_shift: 1, ..t };
        assert_eq!(up.scale_delta(2000), 2000);
        let down = TimeInfo { tsc_shift: -1, ..t };
        assert_eq!(down.scale_delta(2000), 500);
    }

    #[test]
    fn large_deltas_do_not_overflow() {
        let t = TimeInfo {
            tsc_timestamp: 0,
            system_time: 0,
            tsc_to_system_mul: u32::MAX,
            tsc_shift: 2,
        };
        // One hour of a 3 GHz TSC.
        let ticks = 3_000_000_000u64 * 3600;
        let ns = t.scale_delta(ticks);
        assert!(ns > ticks * 3 && ns < ticks * 4);
    }
}
