//! A simulated platform for host tests: a virtual clock, loopback channels, heap pages.
//!
//! Time only moves when the runtime waits: `wait_for_events` with a deadline and nothing
//! pending jumps the clock to the deadline, so timeouts are exact and tests never sleep. A
//! wait with no deadline and nothing pending is a deadlock in the program under test and is
//! counted in [`SimPlatform::stalls`] instead of blocking forever.
//!
//! [`SimPlatform::attach_xenstored`] puts a simulated xenstored behind the Xenstore ring: the
//! guest's notify on the ring's channel kicks it, and it runs whenever the runtime collects
//! events (`take_pending`, `wait_for_events`), raising the channel when it consumed or
//! produced ring data. A wait jumps the clock to the daemon's next delayed reply if that comes
//! before the deadline, and is not a stall while the daemon can still make progress.

use super::xenstored::{Xenstored, XenstoredConfig, XenstoredStats};
use super::{Channel, Page, Platform, PlatformError, RingMemory};
use alloc::collections::BTreeMap;
use alloc::collections::BTreeSet;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

/// A heap-backed page. Several handles may share one page ([`SimPage::share`]), as a guest
/// and a simulated daemon share the Xenstore page; each access borrows the bytes only for its
/// own duration, so interleaved accesses through different handles are fine.
#[derive(Debug)]
pub struct SimPage {
    frame: u64,
    bytes: Rc<RefCell<[u8; 4096]>>,
    /// Whether handing this handle back to [`Platform::free_page`] returns an allocation.
    counted: bool,
}

impl SimPage {
    fn fresh(frame: u64, counted: bool) -> Self {
        Self {
            frame,
            bytes: Rc::new(RefCell::new([0; 4096])),
            counted,
        }
    }

    /// Another handle to the same page (the other domain's mapping). Freeing it does not
    /// return the page.
    pub fn share(&self) -> SimPage {
        SimPage {
            frame: self.frame,
            bytes: Rc::clone(&self.bytes),
            counted: false,
        }
    }
}

impl Page for SimPage {
    fn frame(&self) -> u64 {
        self.frame
    }
}

impl RingMemory for SimPage {
    fn read_u8(&self, offset: usize) -> u8 {
        self.bytes.borrow()[offset]
    }
    fn write_u8(&self, offset: usize, value: u8) {
        self.bytes.borrow_mut()[offset] = value;
    }
    fn read_u32(&self, offset: usize) -> u32 {
        assert!(offset.is_multiple_of(4), "unaligned u32 access");
        let b = self.bytes.borrow();
        u32::from_le_bytes([b[offset], b[offset + 1], b[offset + 2], b[offset + 3]])
    }
    fn write_u32(&self, offset: usize, value: u32) {
        assert!(offset.is_multiple_of(4), "unaligned u32 access");
        self.bytes.borrow_mut()[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
    }
    fn write_bytes(&self, offset: usize, bytes: &[u8]) {
        self.bytes.borrow_mut()[offset..offset + bytes.len()].copy_from_slice(bytes);
    }
    fn read_bytes(&self, offset: usize, out: &mut [u8]) {
        out.copy_from_slice(&self.bytes.borrow()[offset..offset + out.len()]);
    }
}

/// The simulation.
#[derive(Debug, Default)]
pub struct SimPlatform {
    now: Cell<u64>,
    pending: RefCell<BTreeSet<Channel>>,
    /// Bound channels and their peers (`None`: the peer is outside, e.g. a test).
    bound: RefCell<BTreeMap<Channel, Option<Channel>>>,
    next_channel: Cell<u32>,
    next_frame: Cell<u64>,
    pages_out: Cell<usize>,
    page_limit: Cell<Option<usize>>,
    stalls: Cell<usize>,
    console: RefCell<Vec<u8>>,
    notified: RefCell<Vec<Channel>>,
    xenstored: RefCell<Option<Attached>>,
}

/// A simulated xenstored and the ring it serves.
#[derive(Debug)]
struct Attached {
    daemon: Xenstored,
    /// The guest's handle on the ring page.
    page: SimPage,
    channel: Channel,
}

impl SimPlatform {
    /// A simulation at time zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds a channel whose other end is the test itself.
    pub fn bind_external(&self) -> Channel {
        let c = self.fresh_channel();
        self.bound.borrow_mut().insert(c, None);
        c
    }

    /// Makes `channel` pending, as if the other side had notified it.
    pub fn raise(&self, channel: Channel) {
        if self.bound.borrow().contains_key(&channel) {
            self.pending.borrow_mut().insert(channel);
        }
    }

    /// Advances the clock.
    pub fn advance(&self, ns: u64) {
        self.now.set(self.now.get() + ns);
    }

    /// Limits how many pages may be out at once.
    pub fn limit_pages(&self, limit: usize) {
        self.page_limit.set(Some(limit));
    }

    /// Pages currently allocated.
    pub fn pages_out(&self) -> usize {
        self.pages_out.get()
    }

    /// Channels currently bound.
    pub fn channels_bound(&self) -> usize {
        self.bound.borrow().len()
    }

    /// Waits that could never end (nothing pending, no deadline).
    pub fn stalls(&self) -> usize {
        self.stalls.get()
    }

    /// Whether some channel is pending.
    pub fn has_pending(&self) -> bool {
        !self.pending.borrow().is_empty()
    }

    /// Everything written to the console.
    pub fn console(&self) -> Vec<u8> {
        self.console.borrow().clone()
    }

    /// Channels notified towards the outside, in order (drained).
    pub fn take_notified(&self) -> Vec<Channel> {
        core::mem::take(&mut *self.notified.borrow_mut())
    }

    /// Moves the clock forward to `ns` (never back): for a host runner that keeps real time
    /// and lets the simulation's channels and daemon see it.
    pub fn set_now(&self, ns: u64) {
        self.now.set(self.now.get().max(ns));
    }

    /// Serves the Xenstore ring with a simulated xenstored configured by `cfg` (replacing any
    /// earlier one): [`Platform::xenstore`] then returns the ring page and its channel.
    pub fn attach_xenstored(&self, cfg: XenstoredConfig) {
        let channel = self.fresh_channel();
        self.bound.borrow_mut().insert(channel, None);
        let frame = self.next_frame.get() + 1;
        self.next_frame.set(frame);
        // The ring page belongs to the platform: it is not counted among allocated pages.
        let page = SimPage::fresh(frame, false);
        let daemon = Xenstored::new(cfg, page.share());
        let old = self.xenstored.replace(Some(Attached {
            daemon,
            page,
            channel,
        }));
        if let Some(old) = old {
            self.close(old.channel);
        }
    }

    /// What the attached xenstored has done so far.
    pub fn xenstored_stats(&self) -> Option<XenstoredStats> {
        self.xenstored.borrow().as_ref().map(|a| a.daemon.stats())
    }

    /// Lets the attached xenstored take one step if it has work at the current time, raising
    /// its channel when the step touched the ring.
    pub fn run_xenstored(&self) {
        let now = self.now.get();
        let raised = match self.xenstored.borrow_mut().as_mut() {
            Some(a) if a.daemon.has_work(now) => a.daemon.step(now).then_some(a.channel),
            _ => None,
        };
        if let Some(channel) = raised {
            self.raise(channel);
        }
    }

    /// Whether the attached xenstored could make progress without time passing.
    pub fn xenstored_busy(&self) -> bool {
        let now = self.now.get();
        self.xenstored
            .borrow()
            .as_ref()
            .is_some_and(|a| a.daemon.has_work(now))
    }

    /// When the attached xenstored's next delayed reply is due.
    pub fn xenstored_deadline(&self) -> Option<u64> {
        self.xenstored
            .borrow()
            .as_ref()
            .and_then(|a| a.daemon.next_deadline())
    }

    /// Clears `channel`'s pending flag; whether it was set.
    pub fn clear_pending(&self, channel: Channel) -> bool {
        self.pending.borrow_mut().remove(&channel)
    }

    /// Until when a wait for one channel may sleep at `now`: the daemon's next delayed reply
    /// if it comes before `deadline` (one already due that cannot be written waits for the
    /// guest, so it does not count).
    pub fn sleep_until(&self, now: u64, deadline: u64) -> u64 {
        match self.xenstored_deadline() {
            Some(d) if d > now => d.min(deadline),
            _ => deadline,
        }
    }

    fn fresh_channel(&self) -> Channel {
        let n = self.next_channel.get() + 1;
        self.next_channel.set(n);
        Channel(n)
    }
}

impl Platform for SimPlatform {
    type Page = SimPage;

    fn now_ns(&self) -> u64 {
        self.now.get()
    }

    fn wait_for_events(&self, deadline: Option<u64>) {
        self.run_xenstored();
        if !self.pending.borrow().is_empty() || self.xenstored_busy() {
            return;
        }
        let deadline = match (deadline, self.xenstored_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match deadline {
            Some(d) => self.now.set(self.now.get().max(d)),
            None => self.stalls.set(self.stalls.get() + 1),
        }
    }

    fn take_pending(&self, sink: &mut dyn FnMut(Channel)) {
        self.run_xenstored();
        let pending = core::mem::take(&mut *self.pending.borrow_mut());
        for c in pending {
            sink(c);
        }
    }

    fn wait_for_channel(&self, channel: Channel, deadline: u64) -> bool {
        loop {
            self.run_xenstored();
            if self.clear_pending(channel) {
                return true;
            }
            if self.xenstored_busy() {
                continue;
            }
            let now = self.now.get();
            if now >= deadline {
                return false;
            }
            self.now.set(self.sleep_until(now, deadline));
        }
    }

    fn notify(&self, channel: Channel) -> Result<(), PlatformError> {
        let peer = *self
            .bound
            .borrow()
            .get(&channel)
            .ok_or(PlatformError::BadChannel(channel))?;
        if let Some(a) = self
            .xenstored
            .borrow_mut()
            .as_mut()
            .filter(|a| a.channel == channel)
        {
            a.daemon.kick();
            return Ok(());
        }
        match peer {
            Some(p) => self.raise(p),
            None => self.notified.borrow_mut().push(channel),
        }
        Ok(())
    }

    fn loopback_pair(&self) -> Result<(Channel, Channel), PlatformError> {
        let (a, b) = (self.fresh_channel(), self.fresh_channel());
        let mut bound = self.bound.borrow_mut();
        bound.insert(a, Some(b));
        bound.insert(b, Some(a));
        Ok((a, b))
    }

    fn close(&self, channel: Channel) {
        self.bound.borrow_mut().remove(&channel);
        self.pending.borrow_mut().remove(&channel);
    }

    fn alloc_page(&self) -> Result<SimPage, PlatformError> {
        if self
            .page_limit
            .get()
            .is_some_and(|l| self.pages_out.get() >= l)
        {
            return Err(PlatformError::Exhausted);
        }
        self.pages_out.set(self.pages_out.get() + 1);
        let frame = self.next_frame.get() + 1;
        self.next_frame.set(frame);
        Ok(SimPage::fresh(frame, true))
    }

    fn free_page(&self, page: SimPage) {
        if page.counted {
            self.pages_out.set(self.pages_out.get() - 1);
        }
    }

    fn console_write(&self, bytes: &[u8]) {
        self.console.borrow_mut().extend_from_slice(bytes);
    }

    fn xenstore(&self) -> Option<(SimPage, Channel)> {
        self.xenstored
            .borrow()
            .as_ref()
            .map(|a| (a.page.share(), a.channel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_channels_and_coalescing() {
        let p = SimPlatform::new();
        let (a, b) = p.loopback_pair().unwrap();
        p.notify(a).unwrap();
        p.notify(a).unwrap();
        let mut seen = Vec::new();
        p.take_pending(&mut |c| seen.push(c));
        assert_eq!(
            seen,
            vec![b],
            "two notifies coalesce into one pending event"
        );
        p.take_pending(&mut |c| seen.push(c));
        assert_eq!(seen.len(), 1);
        p.close(b);
        p.notify(a).unwrap();
        p.take_pending(&mut |c| seen.push(c));
        assert_eq!(seen.len(), 1, "a closed channel is never reported");
        assert_eq!(p.notify(b), Err(PlatformError::BadChannel(b)));
    }

    #[test]
    fn waiting_moves_virtual_time_only_when_idle() {
        let p = SimPlatform::new();
        p.wait_for_events(Some(5_000));
        assert_eq!(p.now_ns(), 5_000);
        let c = p.bind_external();
        p.raise(c);
        p.wait_for_events(Some(9_000));
        assert_eq!(p.now_ns(), 5_000, "a pending event ends the wait at once");
        p.take_pending(&mut |_| {});
        p.wait_for_events(None);
        assert_eq!(p.stalls(), 1);
    }

    #[test]
    fn pages_are_zeroed_distinct_and_limited() {
        let p = SimPlatform::new();
        p.limit_pages(2);
        let one = p.alloc_page().unwrap();
        let two = p.alloc_page().unwrap();
        assert_ne!(one.frame(), two.frame());
        assert_eq!(one.read_u32(2048), 0);
        one.write_u32(2048, 0x0102_0304);
        assert_eq!(one.read_u8(2048), 4);
        assert_eq!(p.alloc_page().unwrap_err(), PlatformError::Exhausted);
        p.free_page(one);
        assert_eq!(p.pages_out(), 1);
        assert!(p.alloc_page().is_ok());
    }
}
