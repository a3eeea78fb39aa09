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

/// Executes an integer division by zero, raising #DE (for testing crash reports).
#[cfg(target_os = "none")]
pub fn raise_divide_error() -> ! {
    // SAFETY: the division faults before it can affect any state; the trap handler reports it
    // and shuts the domain down, so control never comes back here.
    unsafe {
        core::arch::asm!(
            "xor edx, edx",
            "xor eax, eax",
            "xor ecx, ecx",
            "div ecx",
            "ud2",
            options(noreturn)
        );
    }
}

/// Executes `ud2`, raising #UD (for testing crash reports).
#[cfg(target_os = "none")]
pub fn raise_invalid_opcode() -> ! {
    // SAFETY: as for `raise_divide_error`: the fault handler never returns.
    unsafe { core::arch::asm!("ud2", options(noreturn)) }
}
