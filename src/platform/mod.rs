//! The platform seam: everything the runtime needs from the machine underneath it.
//!
//! The scheduler, outlets and pores are written against [`Platform`] only. The image implements
//! it with Xen (event channels polled with SCHEDOP_poll, the vCPU clock, pages from the page
//! pool); host tests use [`sim::SimPlatform`], a deterministic simulation with a virtual
//! clock, optionally with a simulated xenstored ([`xenstored::Xenstored`]) behind its Xenstore
//! ring; the host runner uses the real clock.
//!
//! Event delivery follows the Xen model the kernel uses: channels are always masked, events
//! only set a pending flag, and the runtime collects pending channels when it is ready to
//! (`take_pending`), sleeping in `wait_for_events` when nothing can run. A driver that must
//! wait inside a call (the blocking Xenstore outlet) sleeps on its own channel with
//! `wait_for_channel`, leaving every other channel pending for the scheduler.

pub mod sim;
pub mod xenstored;

use core::fmt;

/// An event channel (a Xen port in the image).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Channel(pub u32);

impl crate::wordmap::Word for Channel {
    #[inline]
    fn to_word(self) -> u64 {
        u64::from(self.0)
    }
    #[inline]
    fn from_word(w: u64) -> Self {
        Channel(w as u32)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "channel {}", self.0)
    }
}

/// Why a platform operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlatformError {
    /// No free pages (or channels) are left.
    Exhausted,
    /// The channel is not bound.
    BadChannel(Channel),
    /// The operation is not available on this platform.
    Unsupported,
    /// The hypervisor refused, with its errno.
    Refused(i32),
}

impl fmt::Display for PlatformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exhausted => f.write_str("resources exhausted"),
            Self::BadChannel(c) => write!(f, "{c} is not bound"),
            Self::Unsupported => f.write_str("not supported on this platform"),
            Self::Refused(errno) => write!(f, "refused by the hypervisor (errno {errno})"),
        }
    }
}

pub use xenbeam_xenproto::ring::RingMemory;

/// A page of memory that may be shared with another domain: page-aligned, with a frame
/// number another domain can map. Access is by offset only ([`RingMemory`]), never by
/// reference, because the other side may write it at any time.
pub trait Page: RingMemory {
    /// The frame number another domain needs (the machine frame under Xen).
    fn frame(&self) -> u64;
}

/// What the runtime needs from the machine.
pub trait Platform {
    /// The page type handed out by [`Platform::alloc_page`] (owned: pores keep pages in
    /// boxed resources).
    type Page: Page + 'static;

    /// Monotonic time in nanoseconds.
    fn now_ns(&self) -> u64;

    /// Wall-clock time in nanoseconds since the Unix epoch, for timestamps and
    /// `erlang:system_time/0,1`. Without a wall clock, the monotonic time.
    fn system_time_ns(&self) -> u64 {
        self.now_ns()
    }

    /// CPU time the node has used, in nanoseconds (`statistics(runtime)`): without the time
    /// it slept in [`Platform::wait_for_events`]. Without a way to tell, the monotonic time.
    fn cpu_ns(&self) -> u64 {
        self.now_ns()
    }

    /// Under a hypervisor: nanoseconds the node's CPU has spent running, runnable (ready
    /// but waiting for a physical CPU) and blocked, and how many times the node slept
    /// waiting for events (`xenbeam:run_times/0`). `None` where nobody keeps such times.
    fn run_times(&self) -> Option<[u64; 4]> {
        None
    }

    /// Blocks until some bound channel is pending or `now_ns() >= deadline` (`None`: no
    /// deadline). May return early; callers re-check their conditions.
    fn wait_for_events(&self, deadline: Option<u64>);

    /// Calls `sink` once for every pending channel and clears it. Two events on a channel
    /// between calls are reported once.
    fn take_pending(&self, sink: &mut dyn FnMut(Channel));

    /// Blocks until `channel` is pending or `now_ns() >= deadline`, then clears that channel
    /// alone and returns whether it was pending. Other channels stay pending for
    /// [`Platform::take_pending`]. For a driver that must wait inside a call (the blocking
    /// Xenstore outlet) without spinning and without taking other objects' events.
    fn wait_for_channel(&self, channel: Channel, deadline: u64) -> bool;

    /// Signals the other end of `channel`.
    fn notify(&self, channel: Channel) -> Result<(), PlatformError>;

    /// Creates a connected pair of channels inside this machine: notifying one makes the
    /// other pending. Used to test event delivery end to end.
    fn loopback_pair(&self) -> Result<(Channel, Channel), PlatformError>;

    /// Unbinds a channel; it is never reported again.
    fn close(&self, channel: Channel);

    /// Takes a zeroed page.
    fn alloc_page(&self) -> Result<Self::Page, PlatformError>;

    /// Returns a page.
    fn free_page(&self, page: Self::Page);

    /// Writes to the console.
    fn console_write(&self, bytes: &[u8]);

    /// The Xenstore ring page and its channel, if this machine has them. The page belongs to
    /// the platform: [`Platform::free_page`] on it does nothing.
    fn xenstore(&self) -> Option<(Self::Page, Channel)>;
}
