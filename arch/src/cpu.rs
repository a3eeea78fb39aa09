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

/// Fills `buf` from the processor's random number generator (RDRAND: a CTR_DRBG that the
/// processor reseeds from its own entropy source). False when the processor has none (CPUID
/// leaf 1, ECX bit 30), when it keeps failing (Intel's guidance: retry up to ten times), or
/// when it fails the start-up check (some processors have returned one value forever).
pub fn rdrand_fill(buf: &mut [u8]) -> bool {
    use core::sync::atomic::{AtomicU8, Ordering};
    // 0: not checked yet, 1: usable, 2: absent or broken. Relaxed suffices: the check gives
    // the same answer whoever runs it.
    static STATE: AtomicU8 = AtomicU8::new(0);
    if STATE.load(Ordering::Relaxed) == 0 {
        STATE.store(if rdrand_works() { 1 } else { 2 }, Ordering::Relaxed);
    }
    if STATE.load(Ordering::Relaxed) != 1 {
        return false;
    }
    for chunk in buf.chunks_mut(8) {
        // SAFETY: the start-up check found RDRAND in CPUID, so the instruction exists.
        let Some(v) = (unsafe { rdrand64() }) else {
            return false;
        };
        chunk.copy_from_slice(&v.to_le_bytes()[..chunk.len()]);
    }
    true
}

/// Whether RDRAND is there and gives values that are not all one value.
fn rdrand_works() -> bool {
    let leaf1 = core::arch::x86_64::__cpuid(1);
    if leaf1.ecx & (1 << 30) == 0 {
        return false;
    }
    let mut first = None;
    for _ in 0..8 {
        // SAFETY: CPUID says the processor has RDRAND, so the instruction exists.
        match (unsafe { rdrand64() }, first) {
            (None, _) => return false,
            (Some(v), None) => first = Some(v),
            (Some(v), Some(f)) if v != f => return true,
            _ => {}
        }
    }
    false
}

/// One 64-bit value from RDRAND, retried up to ten times while it reports no value ready.
/// Callers must know that the processor has RDRAND (CPUID leaf 1, ECX bit 30).
#[target_feature(enable = "rdrand")]
fn rdrand64() -> Option<u64> {
    for _ in 0..10 {
        let mut v = 0u64;
        if core::arch::x86_64::_rdrand64_step(&mut v) == 1 {
            return Some(v);
        }
    }
    None
}
