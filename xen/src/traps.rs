//! The trap table: every processor exception goes to [`xenbeam_trap`], which reports it and
//! crashes the domain.
//!
//! There is no exception this kernel can recover from: Erlang-level failures are handled in
//! the VM, so a processor exception means a kernel bug, and the most useful thing to do is to
//! say exactly what happened and stop.

use crate::error::XenError;
use crate::hypercall;
use xen_sys::{trap_info, FLAT_KERNEL_CS};
use xenbeam_arch::trap::{stub_address, TrapFrame, VECTORS};

/// Registers the exception entry stubs with Xen.
pub fn install() -> Result<(), XenError> {
    let empty = trap_info {
        vector: 0,
        flags: 0,
        cs: 0,
        address: 0,
    };
    let mut table = [empty; VECTORS + 1];
    let mut n = 0;
    for vector in 0..VECTORS {
        if let Some(address) = stub_address(vector) {
            // Breakpoint and overflow may be raised by `int3`/`into` at privilege 3; the rest
            // only by the processor itself.
            let dpl = if vector == 3 || vector == 4 { 3 } else { 0 };
            table[n] = trap_info {
                vector: vector as u8,
                flags: dpl,
                cs: FLAT_KERNEL_CS as u16,
                address,
            };
            n += 1;
        }
    }
    hypercall::set_trap_table(&table[..=n])
}

/// Called by the entry stubs with the saved registers.
#[unsafe(no_mangle)]
extern "C" fn xenbeam_trap(frame: &TrapFrame) -> ! {
    crate::crash::trap(frame)
}
