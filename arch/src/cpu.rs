//! Reading the few processor registers the kernel needs.

/// Reads the time-stamp counter.
///
/// Xen's time info scales TSC deltas into nanoseconds, so this is the fine-grained half of the
/// monotonic clock.
#[inline]
pub fn read_tsc() -> u64 {
    // SAFETY: rdtsc has no memory effects and is permitted in a PV guest (Xen does not set
    // CR4.TSD for PV guests).
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// Tells the processor we are in a spin-wait loop.
#[inline]
pub fn spin_hint() {
    core::hint::spin_loop();
}

/// Reads the stack pointer, for crash reports.
#[inline]
pub fn stack_pointer() -> u64 {
    let rsp: u64;
    // SAFETY: copies rsp into a register; reads no memory.
    unsafe {
        core::arch::asm!("mov {}, rsp", out(reg) rsp, options(nomem, nostack, preserves_flags))
    };
    rsp
}
