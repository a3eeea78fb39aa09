//! The xenbeam kernel image: boots as a Xen x86_64 PV guest.
//!
//! `_start` (in arch) switches to the kernel stack and calls [`xenbeam_main`], which brings the
//! platform up in dependency order: start_info and the console, the log level from the command
//! line, traps, memory (direct map, heap, page pool), the timer's event channel. It then prints
//! the banner with the boot time, runs the self-test if asked, starts the Erlang node with the
//! kernel's services (the Xenstore driver, which logs the domain's name and id), runs whatever
//! the command line asks for, and powers the domain off.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

extern crate alloc;

mod erlang;
mod notes;
mod seam;
mod selftest;

use log::{info, warn, LevelFilter};
use xenbeam_xen::cmdline::{self, BootOption, CrashTest, LogLevel};
use xenbeam_xen::heap::KernelHeap;
use xenbeam_xen::hypercall::ShutdownReason;
use xenbeam_xen::{crash, hypercall, logger, mm, platform, traps};

#[global_allocator]
static HEAP: KernelHeap = KernelHeap::new();

/// The Erlang modules embedded by `scripts/build` (a module archive).
static MODULES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/modules.xbar"));

/// What the command line asked for.
#[derive(Default)]
struct Options<'a> {
    log: Option<LevelFilter>,
    crash: Option<CrashTest>,
    selftest: bool,
    pages: Option<u64>,
    wait: Option<u64>,
    /// `idle_poll=US`: how long to watch for events before sleeping in Xen.
    idle_poll: Option<u32>,
    /// Whether the command line names Erlang functions to run (`-run`, `-s`); they are
    /// collected once the heap exists ([`run_specs`]).
    run: bool,
    /// Ties the options to the command line they came from.
    line: core::marker::PhantomData<&'a str>,
}

fn level_filter(level: LogLevel) -> LevelFilter {
    match level {
        LogLevel::Off => LevelFilter::Off,
        LogLevel::Error => LevelFilter::Error,
        LogLevel::Warn => LevelFilter::Warn,
        LogLevel::Info => LevelFilter::Info,
        LogLevel::Debug => LevelFilter::Debug,
        LogLevel::Trace => LevelFilter::Trace,
    }
}

/// The command line's `-run` and `-s` items, in order (this allocates: the heap must exist).
fn run_specs(line: &str) -> alloc::vec::Vec<cmdline::RunSpec<'_>> {
    cmdline::parse(line)
        .flatten()
        .filter_map(|o| match o {
            BootOption::Run(spec) => Some(spec),
            _ => None,
        })
        .collect()
}

fn options(line: &str) -> Options<'_> {
    let mut opts = Options::default();
    for option in cmdline::parse(line).flatten() {
        match option {
            BootOption::Log(level) => opts.log = Some(level_filter(level)),
            BootOption::Crash(kind) => opts.crash = Some(kind),
            BootOption::SelfTest => opts.selftest = true,
            BootOption::Pages(n) => opts.pages = Some(n as u64),
            BootOption::Wait(s) => opts.wait = Some(s),
            BootOption::IdlePoll(us) => opts.idle_poll = Some(us),
            BootOption::Run(_) => opts.run = true,
        }
    }
    opts
}

/// The Rust entry point, called by `_start` with the start_info address.
#[allow(unsafe_code)] // `no_mangle` only: the symbol `_start` calls.
#[unsafe(no_mangle)]
pub extern "C" fn xenbeam_main(start_info: usize) -> ! {
    let platform = match platform::init(start_info) {
        Ok(p) => p,
        Err(e) => {
            platform::early_write(b"xenbeam: cannot start: ");
            let mut buf = [0u8; 96];
            let msg = format_into(&mut buf, format_args!("{e}\n"));
            platform::early_write(msg);
            platform::shutdown_now(ShutdownReason::Crash);
        }
    };
    let opts = options(platform.cmd_line());
    logger::init(opts.log.unwrap_or(LevelFilter::Info));
    if let Some(us) = opts.idle_poll {
        platform.set_idle_poll(us);
    }
    if let Err(e) = traps::install() {
        panic!("installing the trap table failed: {e}");
    }

    let si = *platform.start_info();
    let memory_start = platform.uptime_ns();
    let first_free = mm::first_free_pfn(&si, xenbeam_arch::entry::image_end() as u64);
    let layout = match mm::init_with_heap(&HEAP, si.pt_base, si.nr_pages, first_free, opts.pages) {
        Ok(layout) => layout,
        Err(e) => panic!("memory set-up failed: {e}"),
    };
    log::debug!(
        "memory: {} of {} pages mapped in {} us (traps and console up at {} us)",
        layout.mapped_at_boot,
        si.nr_pages,
        (platform.uptime_ns() - memory_start) / 1000,
        memory_start / 1000
    );
    if let Err(e) = mm::unmap(xenbeam_arch::entry::stack_guard_page() as u64) {
        warn!("could not unmap the stack guard page: {e}");
    }
    let timer = match hypercall::evtchn_bind_virq(xen_sys::VIRQ_TIMER) {
        Ok(port) => port,
        Err(e) => panic!("binding the timer VIRQ failed: {e}"),
    };
    if let Err(e) = platform.watch_port(timer) {
        panic!("watching the timer port failed: {e}");
    }
    let ready_ns = platform.uptime_ns();

    let (heap_used, heap_size) = HEAP.usage();
    info!(
        "xenbeam {} ready in {}.{:03} ms: heap {} KiB (up to {} KiB, {} KiB used), page pool {} pages, {} pages in all ({} reserved)",
        env!("CARGO_PKG_VERSION"),
        ready_ns / 1_000_000,
        (ready_ns / 1000) % 1000,
        heap_size / 1024,
        layout.heap.1 * 4,
        heap_used / 1024,
        layout.pool.1,
        layout.total_pages,
        layout.reserved_pages,
    );
    info!("command line: '{}'", platform.cmd_line());
    for problem in cmdline::parse(platform.cmd_line()).filter_map(Result::err) {
        warn!("command line: {problem}");
    }
    if let Some(kind) = opts.crash {
        crash::trigger(kind);
    }
    if opts.selftest {
        selftest::run(platform, timer);
    }
    erlang::describe(MODULES);
    let budget = xenbeam::vm::memory::budget_within(layout.heap.1 as usize * 4096, HEAP.usage().0);
    // The kernel heap's sweep table (a kernel structure: it comes out of the budget's
    // reserve, not the budget).
    HEAP.prepare_sweeps(layout.heap.1 as usize * 4096);
    let specs = if opts.run {
        run_specs(platform.cmd_line())
    } else {
        alloc::vec::Vec::new()
    };
    let status = erlang::run(platform, MODULES, &specs, budget);
    if let (Some(spec), Some(status)) = (specs.first(), status) {
        info!(
            "erlang: {}:{} exited with status {status}",
            spec.module, spec.function
        );
    }
    if let Some(seconds) = opts.wait {
        idle(platform, seconds);
    }
    info!("shutting down: poweroff");
    platform.shutdown(ShutdownReason::Poweroff)
}

/// Stays up without using the CPU: the vCPU sleeps in SCHEDOP_poll until the deadline.
fn idle(platform: &platform::Platform, seconds: u64) {
    info!("waiting {seconds} s before powering off");
    let deadline = platform
        .now_ns()
        .saturating_add(seconds.saturating_mul(1_000_000_000));
    let mut wakeups = 0u64;
    while platform.now_ns() < deadline {
        if let Err(e) = platform.wait_for_events(deadline) {
            warn!("waiting: {e}");
        }
        platform.shared_info().drain_pending(|_| {});
        wakeups += 1;
    }
    info!("waited {seconds} s ({wakeups} wake-ups)");
}

/// Formats into a fixed buffer (for the path where nothing else is up yet).
fn format_into<'a>(buf: &'a mut [u8], args: core::fmt::Arguments<'_>) -> &'a [u8] {
    struct Cursor<'b>(&'b mut [u8], usize);
    impl core::fmt::Write for Cursor<'_> {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let room = self.0.len() - self.1;
            let n = s.len().min(room);
            self.0[self.1..self.1 + n].copy_from_slice(&s.as_bytes()[..n]);
            self.1 += n;
            Ok(())
        }
    }
    let mut cursor = Cursor(buf, 0);
    let _ = core::fmt::write(&mut cursor, args);
    let len = cursor.1;
    &buf[..len]
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    crash::panic(info)
}
