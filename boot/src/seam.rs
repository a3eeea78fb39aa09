//! The runtime's platform seam implemented with Xen: channels are event-channel ports (kept
//! masked and collected from shared_info), waiting is SCHEDOP_poll on the watched ports with
//! the deadline as its timeout, pages come from the page pool with their machine frames.

use xenbeam::platform::{Channel, Page, Platform, PlatformError, RingMemory};
use xenbeam_xen::events::Port;
use xenbeam_xen::hypercall::{self, DOMID_SELF};
use xenbeam_xen::mm::PoolPage;
use xenbeam_xen::platform::Platform as Domain;
use xenbeam_xen::shared::SharedPage;
use xenbeam_xen::XenError;

/// The domain as the runtime sees it.
pub struct XenPlatform {
    domain: &'static Domain,
}

impl XenPlatform {
    /// Wraps the booted domain.
    pub fn new(domain: &'static Domain) -> Self {
        Self { domain }
    }
}

fn refused(e: XenError) -> PlatformError {
    PlatformError::Refused(e as i32)
}

/// A page seen through the seam: one of the pool's, or the domain's Xenstore page.
pub enum XenPage {
    /// A page from the pool, returned on free.
    Pool(PoolPage),
    /// The Xenstore ring page, which stays the domain's.
    Xenstore(&'static SharedPage, u64),
}

impl XenPage {
    fn shared(&self) -> &SharedPage {
        match self {
            Self::Pool(p) => p.page(),
            Self::Xenstore(page, _) => page,
        }
    }
}

impl Page for XenPage {
    fn frame(&self) -> u64 {
        match self {
            Self::Pool(p) => p.frame().mfn,
            Self::Xenstore(_, mfn) => *mfn,
        }
    }
}

impl RingMemory for XenPage {
    fn read_u8(&self, offset: usize) -> u8 {
        self.shared().read_u8(offset)
    }
    fn write_u8(&self, offset: usize, value: u8) {
        self.shared().write_u8(offset, value)
    }
    fn read_u32(&self, offset: usize) -> u32 {
        self.shared().read_u32(offset)
    }
    fn write_u32(&self, offset: usize, value: u32) {
        self.shared().write_u32(offset, value)
    }
    fn write_bytes(&self, offset: usize, bytes: &[u8]) {
        self.shared().write_bytes(offset, bytes)
    }
    fn read_bytes(&self, offset: usize, out: &mut [u8]) {
        self.shared().read_bytes(offset, out)
    }
}

impl Platform for XenPlatform {
    type Page = XenPage;

    fn now_ns(&self) -> u64 {
        self.domain.now_ns()
    }

    fn cpu_ns(&self) -> u64 {
        self.domain.cpu_ns()
    }

    fn run_times(&self) -> Option<[u64; 4]> {
        self.domain.run_times()
    }

    fn wait_for_events(&self, deadline: Option<u64>) {
        // SCHEDOP_poll's timeout of 0 means "none"; a deadline already past returns at once.
        if let Err(e) = self.domain.wait_for_events(deadline.unwrap_or(0)) {
            log::warn!("waiting for events: {e}");
        }
    }

    fn take_pending(&self, sink: &mut dyn FnMut(Channel)) {
        self.domain.take_watched(|port| sink(Channel(port.0)));
    }

    fn wait_for_channel(&self, channel: Channel, deadline: u64) -> bool {
        let port = Port(channel.0);
        let info = self.domain.shared_info();
        loop {
            if info.test_and_clear(port) {
                return true;
            }
            if self.now_ns() >= deadline {
                return false;
            }
            // SCHEDOP_poll on this port alone: other ports stay pending for take_pending.
            if let Err(e) = self.domain.poll(&[port], deadline) {
                log::warn!("waiting on {port}: {e}");
                return false;
            }
        }
    }

    fn notify(&self, channel: Channel) -> Result<(), PlatformError> {
        hypercall::evtchn_send(Port(channel.0)).map_err(refused)
    }

    fn loopback_pair(&self) -> Result<(Channel, Channel), PlatformError> {
        let a = hypercall::evtchn_alloc_unbound(DOMID_SELF).map_err(refused)?;
        let b = match hypercall::evtchn_bind_interdomain(DOMID_SELF, a) {
            Ok(b) => b,
            Err(e) => {
                let _ = hypercall::evtchn_close(a);
                return Err(refused(e));
            }
        };
        for port in [a, b] {
            if let Err(e) = self.domain.watch_port(port) {
                self.close(Channel(a.0));
                self.close(Channel(b.0));
                return Err(refused(e));
            }
        }
        Ok((Channel(a.0), Channel(b.0)))
    }

    fn close(&self, channel: Channel) {
        let port = Port(channel.0);
        self.domain.unwatch_port(port);
        if let Err(e) = hypercall::evtchn_close(port) {
            log::warn!("closing {port}: {e}");
        }
        self.domain.shared_info().test_and_clear(port);
    }

    fn alloc_page(&self) -> Result<XenPage, PlatformError> {
        PoolPage::alloc()
            .map(XenPage::Pool)
            .map_err(|_| PlatformError::Exhausted)
    }

    fn free_page(&self, page: XenPage) {
        if let XenPage::Pool(page) = page {
            if let Err(e) = page.free() {
                log::error!("freeing a page: {e}");
            }
        }
    }

    fn console_write(&self, bytes: &[u8]) {
        self.domain.console_write(bytes)
    }

    fn xenstore(&self) -> Option<(XenPage, Channel)> {
        let (page, port) = self.domain.xenstore_ring();
        // Whoever uses the ring waits for its events like any other channel's.
        if let Err(e) = self.domain.watch_port(port) {
            log::warn!("watching the Xenstore channel: {e}");
        }
        let mfn = self.domain.start_info().store_mfn;
        Some((XenPage::Xenstore(page, mfn), Channel(port.0)))
    }
}
