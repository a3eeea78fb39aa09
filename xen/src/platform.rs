//! The booted domain: start_info, shared_info, the console, the clock and event waiting.
//!
//! [`init`] runs first thing after entry. It validates start_info, maps shared_info, finds the
//! console and Xenstore pages, masks upcalls and publishes a [`Platform`] that the rest of the
//! kernel reaches through [`get`]. The console is usable as soon as `init` returns; the panic
//! path ([`crate::crash`]) can use it even if `init` did not finish, through the early console
//! handle set up before anything else can fail.

use crate::console::{self, ConsoleInput, ConsoleRing, Received};
use crate::error::XenError;
use crate::events::{Port, SharedInfo, MAX_PORTS};
use crate::hypercall::{self, ShutdownReason};
use crate::idle;
use crate::mm;
use crate::ring::RingCorrupt;
use crate::shared::SharedPage;
use crate::xenstore::{Doorbell, SyncClient, XenstoreError};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use spin::{Mutex, Once};

/// The magic prefix of start_info for a 64-bit PV guest.
const MAGIC_PREFIX: &[u8] = b"xen-3.0-x86_64";

/// Most ports one SCHEDOP_poll call may wait on that we keep registered.
pub const MAX_WAIT_PORTS: usize = 64;

/// What the kernel keeps of start_info (a copy: the page itself is reused later).
#[derive(Clone, Copy, Debug)]
pub struct StartInfo {
    /// Pages of memory the domain has.
    pub nr_pages: u64,
    /// Machine address of shared_info.
    pub shared_info: u64,
    /// SIF_* flags.
    pub flags: u32,
    /// Machine frame of the Xenstore ring page.
    pub store_mfn: u64,
    /// Event channel for Xenstore.
    pub store_evtchn: u32,
    /// Machine frame of the console ring page.
    pub console_mfn: u64,
    /// Event channel for the console.
    pub console_evtchn: u32,
    /// Virtual address of the initial top-level page table.
    pub pt_base: u64,
    /// Number of page-table frames Xen built.
    pub nr_pt_frames: u64,
    /// Virtual address of the pfn-to-mfn list.
    pub mfn_list: u64,
    /// Virtual address of start_info itself.
    pub address: u64,
    /// The command line (xl's `extra=`), NUL-padded.
    pub cmd_line: [u8; 1024],
}

/// The running domain.
pub struct Platform {
    start_info: StartInfo,
    cmd_line_len: usize,
    shared: SharedInfo,
    console: Mutex<ConsoleRing>,
    console_input: Mutex<ConsoleInput>,
    console_port: Port,
    store: SharedPage,
    store_port: Port,
    boot_ns: u64,
    wait_ports: Mutex<([Port; MAX_WAIT_PORTS], usize)>,
    /// The 64-port words of the pending bitmap that hold a watched port, one bit each (see
    /// [`SharedInfo::drain_pending_in`]); kept with `wait_ports`.
    watched_words: AtomicU64,
}

static PLATFORM: Once<Platform> = Once::new();

/// The pending bitmap's words (one bit each) that hold one of `ports`.
fn words_of(ports: &[Port]) -> u64 {
    ports
        .iter()
        .filter(|p| p.0 < MAX_PORTS)
        .fold(0, |words, p| words | 1 << (p.0 / 64))
}

/// How many times the scheduler or a blocking outlet slept in SCHEDOP_poll waiting for events
/// ([`Platform::wait_for_events`] and [`Platform::poll`]).
static SLEEPS: AtomicU64 = AtomicU64::new(0);
/// How long [`Platform::poll`] watches the ports before it sleeps in Xen: a window that adapts
/// to how soon events come, up to `idle_poll=US` (see [`crate::idle`]).
static IDLE: Mutex<idle::Window> =
    Mutex::new(idle::Window::new(idle::DEFAULT_MAX_US as u64 * 1000));
static EARLY_CONSOLE: AtomicUsize = AtomicUsize::new(0);
static EARLY_CONSOLE_PORT: AtomicU32 = AtomicU32::new(u32::MAX);

/// Why the platform could not start.
#[derive(Clone, Copy, Debug)]
pub enum InitError {
    /// start_info does not carry the 64-bit PV magic.
    BadMagic,
    /// A hypercall failed during set-up.
    Hypercall(&'static str, XenError),
}

impl core::fmt::Display for InitError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::BadMagic => f.write_str("start_info magic is not xen-3.0-x86_64"),
            Self::Hypercall(what, e) => write!(f, "{what} failed: {e}"),
        }
    }
}

fn read_start_info(address: usize) -> Result<StartInfo, InitError> {
    let ptr = address as *const xen_sys::start_info;
    // SAFETY: Xen passes the address of the start_info page in %rsi at entry; it is mapped
    // in the initial page tables and suitably aligned. The domain builder fills it before
    // the domain starts and nothing writes it afterwards, so a plain copy reads what a
    // volatile one would (and compiles to one memcpy, where a volatile read of the
    // page-sized struct became one move per byte, about 16 KiB of code).
    let raw = unsafe { ptr.read() };
    let magic = &raw.magic[..MAGIC_PREFIX.len()];
    if !magic.iter().zip(MAGIC_PREFIX).all(|(&c, &m)| c as u8 == m) {
        return Err(InitError::BadMagic);
    }
    // A loop rather than `map`, which the compiler unrolls into a move per element.
    let mut cmd_line = [0u8; 1024];
    for (d, &c) in cmd_line.iter_mut().zip(raw.cmd_line.iter()) {
        *d = c as u8;
    }
    // SAFETY: for a domU the console union holds the domU variant (mfn, evtchn).
    let console = unsafe { raw.console.domU };
    Ok(StartInfo {
        nr_pages: raw.nr_pages,
        shared_info: raw.shared_info,
        flags: raw.flags,
        store_mfn: raw.store_mfn,
        store_evtchn: raw.store_evtchn,
        console_mfn: console.mfn,
        console_evtchn: console.evtchn,
        pt_base: raw.pt_base,
        nr_pt_frames: raw.nr_pt_frames,
        mfn_list: raw.mfn_list,
        address: address as u64,
        cmd_line,
    })
}

fn page_at(va: u64) -> SharedPage {
    let ptr = NonNull::new(va as *mut u8).expect("page address is not null");
    // SAFETY: callers pass the virtual address of a page that stays mapped for the life of the
    // kernel (shared_info in its slot, the console and Xenstore pages in the direct map).
    unsafe { SharedPage::new(ptr) }
}

/// Brings up the platform from the start_info page at `start_info_address`.
pub fn init(start_info_address: usize) -> Result<&'static Platform, InitError> {
    let si = read_start_info(start_info_address)?;
    mm::set_p2m(si.mfn_list, si.nr_pages);

    // The console first, so everything after can report problems.
    let console_va = mm::va_of_mfn(si.console_mfn);
    EARLY_CONSOLE_PORT.store(si.console_evtchn, Ordering::Relaxed);
    EARLY_CONSOLE.store(console_va as usize, Ordering::Release);

    let slot = xenbeam_arch::entry::shared_info_slot() as u64;
    hypercall::update_va_mapping(slot, si.shared_info | mm::PTE_KERNEL_RW)
        .map_err(|e| InitError::Hypercall("mapping shared_info", e))?;
    let shared = SharedInfo::new(page_at(slot));
    shared.disable_upcalls();
    let boot_ns = shared
        .time_info()
        .system_time_at(xenbeam_arch::cpu::read_tsc());

    let mut cmd_line_len = si.cmd_line.iter().position(|&b| b == 0).unwrap_or(1024);
    if core::str::from_utf8(&si.cmd_line[..cmd_line_len]).is_err() {
        cmd_line_len = 0;
    }
    let console_port = Port(si.console_evtchn);
    let store_port = Port(si.store_evtchn);
    let platform = PLATFORM.call_once(|| Platform {
        start_info: si,
        cmd_line_len,
        shared,
        console: Mutex::new(ConsoleRing::new(page_at(console_va))),
        console_input: Mutex::new(ConsoleInput::new(page_at(console_va))),
        console_port,
        store: page_at(mm::va_of_mfn(si.store_mfn)),
        store_port,
        boot_ns,
        wait_ports: Mutex::new(([Port(0); MAX_WAIT_PORTS], 0)),
        watched_words: AtomicU64::new(0),
    });
    platform.shared.mask(console_port);
    platform.shared.mask(store_port);
    Ok(platform)
}

/// The platform, once [`init`] has run.
pub fn get() -> &'static Platform {
    PLATFORM.get().expect("platform used before init")
}

/// The platform if it is up (for the crash path).
pub fn try_get() -> Option<&'static Platform> {
    PLATFORM.get()
}

/// Writes straight into the console ring without locks or set-up beyond the console address
/// being known; for early boot and crash reports. Gives up on bytes the backend does not take
/// within about a second rather than hanging a dying domain.
pub fn early_write(bytes: &[u8]) {
    let va = EARLY_CONSOLE.load(Ordering::Acquire);
    if va == 0 {
        hypercall::console_io_write(bytes);
        return;
    }
    let ring = ConsoleRing::new(page_at(va as u64));
    let port = Port(EARLY_CONSOLE_PORT.load(Ordering::Relaxed));
    write_all(&ring, port, bytes);
}

/// Bytes written to the console ring so far, up to a little more than the ring holds: once
/// more than the ring's size went in, the backend has taken some, so it works and a later
/// stall is a slow relay (xenconsoled writing into a slow reader), not a missing backend.
static CONSOLE_WRITTEN: AtomicUsize = AtomicUsize::new(0);
/// Set when a write gave up on a full ring; later writes then put in what fits without
/// waiting, until the backend takes something again.
static CONSOLE_STALLED: AtomicBool = AtomicBool::new(false);

/// How long a write waits on a full ring that does not move, in waits of about a millisecond:
/// a second while no backend has been seen working (perhaps none runs), half a minute once
/// one has (a busy relay must not lose output).
const FIRST_STALL_WAITS: u32 = 1_000;
const STALL_WAITS: u32 = 30_000;

/// Writes all of `bytes`, waiting while the ring is full. Gives up only when the backend has
/// taken nothing for a while (see [`STALL_WAITS`]), not after some time of waits in all: a
/// long write to a slow but working backend (xenconsoled serving many domains, or relaying
/// into a slow reader) must not lose its end. After giving up, writes stop waiting until the
/// backend takes bytes again, so output to a dead backend costs no time.
fn write_all(ring: &ConsoleRing, port: Port, mut bytes: &[u8]) {
    let mut stalls = 0;
    while !bytes.is_empty() {
        match ring.write(bytes) {
            Ok(0) => {
                let _ = hypercall::evtchn_send(port);
                if CONSOLE_STALLED.load(Ordering::Relaxed) {
                    return;
                }
                stalls += 1;
                let limit =
                    if CONSOLE_WRITTEN.load(Ordering::Relaxed) > console::OUTPUT.size as usize {
                        STALL_WAITS
                    } else {
                        FIRST_STALL_WAITS
                    };
                if stalls > limit {
                    CONSOLE_STALLED.store(true, Ordering::Relaxed);
                    return;
                }
                wait_a_little(port);
            }
            Ok(n) => {
                bytes = &bytes[n..];
                let seen = CONSOLE_WRITTEN.load(Ordering::Relaxed);
                if seen <= console::OUTPUT.size as usize {
                    CONSOLE_WRITTEN.store(seen + n, Ordering::Relaxed);
                }
                CONSOLE_STALLED.store(false, Ordering::Relaxed);
                stalls = 0;
            }
            Err(_) => return,
        }
    }
    let _ = hypercall::evtchn_send(port);
}

/// Sleeps about a millisecond or until `port` fires; needs the clock when it is up.
fn wait_a_little(port: Port) {
    match try_get() {
        Some(p) => {
            p.shared.test_and_clear(port);
            let _ = hypercall::poll(&[port], p.now_ns() + 1_000_000);
        }
        None => hypercall::yield_cpu(),
    }
}

/// Xenstore access through the Xenstore event channel, with a deadline.
pub struct StoreDoorbell {
    port: Port,
    deadline_ns: u64,
}

impl Doorbell for StoreDoorbell {
    fn notify(&mut self) {
        let _ = hypercall::evtchn_send(self.port);
    }

    fn wait(&mut self) -> Result<(), XenstoreError> {
        let p = get();
        if p.now_ns() >= self.deadline_ns {
            return Err(XenstoreError::Timeout);
        }
        p.shared.test_and_clear(self.port);
        // Wake on the event or after a millisecond, whichever comes first, in case a
        // notification was missed (the ring is re-checked either way).
        let _ = hypercall::poll(&[self.port], (p.now_ns() + 1_000_000).min(self.deadline_ns));
        Ok(())
    }
}

impl Platform {
    /// The start_info copy.
    pub fn start_info(&self) -> &StartInfo {
        &self.start_info
    }

    /// The command line as given by the toolstack.
    pub fn cmd_line(&self) -> &str {
        core::str::from_utf8(&self.start_info.cmd_line[..self.cmd_line_len]).unwrap_or("")
    }

    /// The shared_info page (event bitmaps, time, CR2).
    pub fn shared_info(&self) -> &SharedInfo {
        &self.shared
    }

    /// Monotonic system time in nanoseconds (since the host booted).
    pub fn now_ns(&self) -> u64 {
        self.shared
            .time_info()
            .system_time_at(xenbeam_arch::cpu::read_tsc())
    }

    /// Nanoseconds vCPU 0 has run (Xen's RUNSTATE_running time, up to now): the domain's
    /// CPU time, without the time it was blocked or waited for a physical CPU. The uptime
    /// if Xen does not say.
    pub fn cpu_ns(&self) -> u64 {
        self.run_times().map_or_else(|| self.uptime_ns(), |t| t[0])
    }

    /// Nanoseconds since this domain entered `_start` (measured from `init`).
    pub fn uptime_ns(&self) -> u64 {
        self.now_ns().saturating_sub(self.boot_ns)
    }

    /// System time at boot.
    pub fn boot_ns(&self) -> u64 {
        self.boot_ns
    }

    /// Writes bytes to the console, waiting for room as needed.
    pub fn console_write(&self, bytes: &[u8]) {
        let ring = self.console.lock();
        write_all(&ring, self.console_port, bytes);
    }

    /// Takes input typed at the console into `out`, never waiting (see [`ConsoleInput`]: a
    /// ^D at a line's start ends it). Corrupt ring indices end the input: the read that
    /// finds them returns the error.
    pub fn console_read(&self, out: &mut [u8]) -> Result<Received, RingCorrupt> {
        let (got, notify) = self.console_input.lock().read(out)?;
        if notify {
            // The backend may have stopped on a full ring: tell it there is room.
            let _ = hypercall::evtchn_send(self.console_port);
        }
        Ok(got)
    }

    /// Waits until the console backend has taken everything written, or `timeout_ns` passes.
    pub fn console_flush(&self, timeout_ns: u64) {
        let deadline = self.now_ns() + timeout_ns;
        loop {
            let unsent = self.console.lock().unsent();
            if !matches!(unsent, Ok(n) if n > 0) || self.now_ns() >= deadline {
                return;
            }
            let _ = hypercall::evtchn_send(self.console_port);
            self.shared.test_and_clear(self.console_port);
            let _ = hypercall::poll(
                &[self.console_port],
                (self.now_ns() + 1_000_000).min(deadline),
            );
        }
    }

    /// A synchronous Xenstore client whose every wait ends by `timeout_ns` from now.
    pub fn xenstore(&self, timeout_ns: u64) -> SyncClient<'_, StoreDoorbell> {
        let bell = StoreDoorbell {
            port: self.store_port,
            deadline_ns: self.now_ns() + timeout_ns,
        };
        SyncClient::new(&self.store, bell)
    }

    /// The Xenstore ring page and its event channel (for the Xenstore pore and outlet).
    pub fn xenstore_ring(&'static self) -> (&'static SharedPage, Port) {
        (&self.store, self.store_port)
    }

    /// Adds `port` to the set [`Platform::wait_for_events`] sleeps on, masking it.
    pub fn watch_port(&self, port: Port) -> Result<(), XenError> {
        self.shared.mask(port);
        let mut set = self.wait_ports.lock();
        let (ports, n) = &mut *set;
        if ports[..*n].contains(&port) {
            return Ok(());
        }
        if *n == MAX_WAIT_PORTS {
            return Err(XenError::NoSpace);
        }
        ports[*n] = port;
        *n += 1;
        self.watched_words
            .store(words_of(&ports[..*n]), Ordering::Relaxed);
        Ok(())
    }

    /// Removes `port` from the wait set.
    pub fn unwatch_port(&self, port: Port) {
        let mut set = self.wait_ports.lock();
        let (ports, n) = &mut *set;
        if let Some(i) = ports[..*n].iter().position(|&p| p == port) {
            ports.copy_within(i + 1..*n, i);
            *n -= 1;
        }
        self.watched_words
            .store(words_of(&ports[..*n]), Ordering::Relaxed);
    }

    /// Takes the pending bits of the watched ports' words out of the bitmap (as
    /// [`SharedInfo::drain_pending`] does for all of them), calling `f` for each pending port.
    /// Every channel the runtime routes is watched, so nothing it waits for is missed; a
    /// pending port outside those words stays pending, as nobody waits for it.
    pub fn take_watched(&self, f: impl FnMut(Port)) {
        self.shared
            .drain_pending_in(self.watched_words.load(Ordering::Relaxed), f)
    }

    /// Blocks the vCPU until a watched port is pending or system time reaches `deadline_ns`
    /// (0: no deadline). Never busy-waits: Xen deschedules us in SCHEDOP_poll.
    pub fn wait_for_events(&self, deadline_ns: u64) -> Result<(), XenError> {
        let set = self.wait_ports.lock();
        let (ports, n) = &*set;
        self.poll(&ports[..*n], deadline_ns)
    }

    /// SCHEDOP_poll on `ports` until `deadline_ns` (0: none), counted in
    /// [`Platform::run_times`].
    ///
    /// It first watches the ports' pending bits for as long as the idle window says (or to
    /// the deadline) and returns as soon as one is set, without a hypercall: an event that
    /// comes within the window finds the vCPU still running instead of waiting for Xen to
    /// wake it. Each sleep then tells the window how long the wait was ([`crate::idle`]).
    pub fn poll(&self, ports: &[Port], deadline_ns: u64) -> Result<(), XenError> {
        let start = self.now_ns();
        let watch_ns = IDLE.lock().watch_ns();
        if watch_ns > 0 {
            let mut until = start.saturating_add(watch_ns);
            if deadline_ns != 0 {
                until = until.min(deadline_ns);
            }
            loop {
                // Reading the pending words is a volatile load of the shared page, so each
                // turn sees what Xen set since the last one.
                if ports.iter().any(|&p| self.shared.is_pending(p)) {
                    return Ok(());
                }
                if self.now_ns() >= until {
                    break;
                }
                core::hint::spin_loop();
            }
        }
        SLEEPS.fetch_add(1, Ordering::Relaxed);
        let slept = hypercall::poll(ports, deadline_ns);
        IDLE.lock().after_sleep(self.now_ns().saturating_sub(start));
        slept
    }

    /// Sets the longest [`Platform::poll`] (and so [`Platform::wait_for_events`]) watches
    /// for an event before sleeping in Xen, in microseconds (0: not at all).
    pub fn set_idle_poll(&self, us: u32) {
        *IDLE.lock() = idle::Window::new(u64::from(us) * 1000);
    }

    /// vCPU 0's time running, runnable (waiting for a physical CPU) and blocked, in
    /// nanoseconds up to now, and how many times it slept in [`Platform::poll`]; `None` if
    /// Xen does not say.
    pub fn run_times(&self) -> Option<[u64; 4]> {
        // Xen counts the current stretch (running, as we ask) up to now in `time` itself.
        let t = hypercall::vcpu_runstate(0).ok()?.time;
        Some([t[0], t[1], t[2], SLEEPS.load(Ordering::Relaxed)])
    }

    /// Ends the domain, after giving the console backend a moment to drain.
    pub fn shutdown(&self, reason: ShutdownReason) -> ! {
        self.console_flush(1_000_000_000);
        shutdown_now(reason)
    }
}

/// Ends the domain without flushing anything.
pub fn shutdown_now(reason: ShutdownReason) -> ! {
    loop {
        let _ = hypercall::shutdown(reason);
        // Only reached if Xen refused; there is nothing better to do than retry.
        hypercall::yield_cpu();
    }
}
