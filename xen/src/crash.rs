//! Crash reports: panics and processor exceptions end here.
//!
//! A report goes through the lock-free early console path (the normal writer may be the thing
//! that broke), says what happened and where, and the domain shuts down with reason `crash` so
//! the toolstack (`xl`, `on_crash=`) sees it. A fault while reporting a fault skips straight
//! to the shutdown.

use crate::hypercall::ShutdownReason;
use crate::platform;
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, Ordering};
use xenbeam_arch::trap::{page_fault_cause, vector_name, TrapFrame};

static CRASHING: AtomicBool = AtomicBool::new(false);

fn begin() {
    if CRASHING.swap(true, Ordering::SeqCst) {
        platform::early_write(b"\nxenbeam: fault while reporting a crash\n");
        platform::shutdown_now(ShutdownReason::Crash);
    }
}

fn finish() -> ! {
    let _ = writeln!(Early, "xenbeam: domain crashed");
    match platform::try_get() {
        Some(p) => {
            p.console_flush(1_000_000_000);
            platform::shutdown_now(ShutdownReason::Crash)
        }
        None => platform::shutdown_now(ShutdownReason::Crash),
    }
}

/// Writes through the early path only.
struct Early;

impl Write for Early {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        platform::early_write(s.as_bytes());
        Ok(())
    }
}

/// Reports a Rust panic and crashes the domain.
pub fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    begin();
    let _ = write!(Early, "\nxenbeam: PANIC: {}", info.message());
    if let Some(loc) = info.location() {
        let _ = write!(Early, " at {}:{}:{}", loc.file(), loc.line(), loc.column());
    }
    let _ = writeln!(Early);
    finish()
}

/// Reports a processor exception and crashes the domain.
pub fn trap(frame: &TrapFrame) -> ! {
    begin();
    let _ = writeln!(
        Early,
        "\nxenbeam: FATAL EXCEPTION: {} (vector {}), error code {:#x}, rip {:#018x}",
        vector_name(frame.vector),
        frame.vector,
        frame.error_code,
        frame.rip
    );
    if frame.vector == 14 {
        let address = platform::try_get().map_or(0, |p| p.shared_info().cr2());
        let (why, access, mode) = page_fault_cause(frame.error_code);
        let _ = writeln!(
            Early,
            "xenbeam: page fault at address {address:#018x}: {why} on {access} in {mode} mode"
        );
        let (stack_lo, _) = xenbeam_arch::entry::stack_bounds();
        let guard = xenbeam_arch::entry::stack_guard_page() as u64;
        if (guard..stack_lo as u64).contains(&address) {
            let _ = writeln!(Early, "xenbeam: the kernel stack overflowed");
        }
    }
    let f = frame;
    let _ = writeln!(
        Early,
        "  rax {:016x} rbx {:016x} rcx {:016x} rdx {:016x}\n  rsi {:016x} rdi {:016x} rbp {:016x} rsp {:016x}\n  r8  {:016x} r9  {:016x} r10 {:016x} r11 {:016x}\n  r12 {:016x} r13 {:016x} r14 {:016x} r15 {:016x}\n  rip {:016x} rflags {:08x} cs {:04x} ss {:04x}",
        f.rax, f.rbx, f.rcx, f.rdx, f.rsi, f.rdi, f.rbp, f.rsp, f.r8, f.r9, f.r10, f.r11,
        f.r12, f.r13, f.r14, f.r15, f.rip, f.rflags, f.cs, f.ss
    );
    finish()
}

/// Deliberately fails in the way `kind` names, to test crash reporting end to end.
pub fn trigger(kind: crate::cmdline::CrashTest) -> ! {
    use crate::cmdline::CrashTest;
    log::warn!("crash test requested: {kind:?}");
    match kind {
        CrashTest::Panic => panic!("deliberate panic requested on the command line"),
        CrashTest::PageFault => {
            let unmapped = 0xdead_0000usize as *const u64;
            // SAFETY: not safe, on purpose: nothing is mapped at this low address (the image
            // lives at the top of the address space), so the read faults and the trap handler
            // crashes the domain without returning here.
            let value = unsafe { unmapped.read_volatile() };
            panic!("read from an unmapped address returned {value}")
        }
        CrashTest::Divide => xenbeam_arch::cpu::raise_divide_error(),
        CrashTest::InvalidOpcode => xenbeam_arch::cpu::raise_invalid_opcode(),
        CrashTest::OutOfMemory => {
            let mut hoard: alloc::vec::Vec<alloc::vec::Vec<u8>> = alloc::vec::Vec::new();
            let mut size = 1 << 16;
            loop {
                hoard.push(alloc::vec![1u8; size]);
                size = size.saturating_mul(2);
            }
        }
    }
}
