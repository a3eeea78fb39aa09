//! How long the vCPU watches for events before it sleeps in Xen: an adaptive window.
//!
//! Sleeping in SCHEDOP_poll costs a wake-up: Xen must notice the event, make the vCPU
//! runnable and schedule it again, and the notifying side (xenstored's domain, for a reply)
//! pays for the wake-up too. When events come close together, watching the pending bits for
//! a little while before sleeping saves all of that; when the domain is idle, the watching
//! only burns CPU. So the window adapts, as Linux's haltpoll governor does: it starts at
//! nothing, doubles (from [`START_NS`]) after each short sleep, and halves after a long one,
//! down to nothing. A sleep counts as short up to [`SHORT_SLEEPS`] times the maximum window,
//! not just up to the window: what the sleep took includes the wake-up itself, which under
//! emulation can take a millisecond, and a bound of one window then kept the window at
//! nothing while every event came within a millisecond (a pore write at N=1 took 900 us
//! instead of 550). erl's schedulers busy-wait in the same way before they sleep.
//!
//! The maximum is the `idle_poll=US` boot option ([`DEFAULT_MAX_US`] unless given; 0 turns
//! watching off). This module is the arithmetic; [`crate::platform`] does the watching.

/// The maximum window unless the command line says otherwise, in microseconds.
pub const DEFAULT_MAX_US: u32 = 500;
/// The first window after one that was nothing, in nanoseconds.
pub const START_NS: u64 = 20_000;
/// A sleep up to this many maximum windows long grows the window; a longer one shrinks it.
pub const SHORT_SLEEPS: u64 = 4;

/// The current window and its bound, in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    max_ns: u64,
    now_ns: u64,
}

impl Window {
    /// A window that starts at nothing and may grow to `max_ns` (0: never watch).
    pub const fn new(max_ns: u64) -> Self {
        Self { max_ns, now_ns: 0 }
    }

    /// How long to watch before the next sleep.
    pub fn watch_ns(&self) -> u64 {
        self.now_ns
    }

    /// The bound the window grows to.
    pub fn max_ns(&self) -> u64 {
        self.max_ns
    }

    /// After a sleep: `waited_ns` is the time from the start of the watch to the wake-up.
    /// A short wait (see [`SHORT_SLEEPS`]) grows the window; a longer one shrinks it.
    pub fn after_sleep(&mut self, waited_ns: u64) {
        if waited_ns <= self.max_ns.saturating_mul(SHORT_SLEEPS) {
            self.now_ns = (self.now_ns * 2).clamp(START_NS.min(self.max_ns), self.max_ns);
        } else {
            self.now_ns /= 2;
            if self.now_ns < START_NS {
                self.now_ns = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_waits_grow_the_window_to_its_bound_and_long_ones_shrink_it_to_nothing() {
        let mut w = Window::new(300_000);
        assert_eq!(w.watch_ns(), 0);
        let mut seen = Vec::new();
        for _ in 0..6 {
            // A millisecond: an event soon after the watch, and a slow wake-up.
            w.after_sleep(1_000_000);
            seen.push(w.watch_ns());
        }
        assert_eq!(seen, [20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
        seen.clear();
        for _ in 0..6 {
            w.after_sleep(5_000_000);
            seen.push(w.watch_ns());
        }
        assert_eq!(seen, [150_000, 75_000, 37_500, 0, 0, 0]);
        // A wait of exactly four bounds still counts as short.
        w.after_sleep(1_200_000);
        assert_eq!(w.watch_ns(), 20_000);
        w.after_sleep(1_200_001);
        assert_eq!(w.watch_ns(), 0);
    }

    #[test]
    fn a_bound_of_nothing_never_watches() {
        let mut w = Window::new(0);
        for waited in [0, 1, 10_000, 1_000_000] {
            w.after_sleep(waited);
            assert_eq!(w.watch_ns(), 0);
        }
    }

    #[test]
    fn a_bound_below_the_start_is_the_window() {
        let mut w = Window::new(5_000);
        w.after_sleep(1_000);
        assert_eq!(w.watch_ns(), 5_000);
        w.after_sleep(21_000);
        assert_eq!(w.watch_ns(), 0);
    }
}
