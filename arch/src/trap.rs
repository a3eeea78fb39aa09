//! Processor exceptions: the saved-register frame, vector names and the entry stubs.
//!
//! A PV guest kernel receives exceptions through a trap table registered with Xen. Xen builds a
//! bounce frame on the kernel stack: `rcx`, `r11` (saved because Xen returns with `sysret`),
//! the error code for vectors that have one, then `rip, cs, rflags, rsp, ss`. Each stub here
//! folds that into one [`TrapFrame`] layout (a zero error code where the CPU pushes none, the
//! vector number, all general registers) and calls `xenbeam_trap(&TrapFrame)`, which the Xen
//! layer defines and which does not return: every exception in this kernel is fatal.

/// Number of vectors the stub table covers (0..=19: the architectural exceptions).
pub const VECTORS: usize = 20;

/// The registers saved by a trap stub, lowest address first.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrapFrame {
    /// r15.
    pub r15: u64,
    /// r14.
    pub r14: u64,
    /// r13.
    pub r13: u64,
    /// r12.
    pub r12: u64,
    /// r11 (as before the exception; restored from Xen's frame).
    pub r11: u64,
    /// r10.
    pub r10: u64,
    /// r9.
    pub r9: u64,
    /// r8.
    pub r8: u64,
    /// rbp.
    pub rbp: u64,
    /// rdi.
    pub rdi: u64,
    /// rsi.
    pub rsi: u64,
    /// rdx.
    pub rdx: u64,
    /// rcx (as before the exception; restored from Xen's frame).
    pub rcx: u64,
    /// rbx.
    pub rbx: u64,
    /// rax.
    pub rax: u64,
    /// The exception vector.
    pub vector: u64,
    /// The error code (0 for vectors without one).
    pub error_code: u64,
    /// Faulting instruction pointer.
    pub rip: u64,
    /// Code segment.
    pub cs: u64,
    /// Flags.
    pub rflags: u64,
    /// Stack pointer at the time of the exception.
    pub rsp: u64,
    /// Stack segment.
    pub ss: u64,
}

/// Whether the CPU pushes an error code for `vector`.
pub const fn has_error_code(vector: u8) -> bool {
    matches!(vector, 8 | 10 | 11 | 12 | 13 | 14 | 17)
}

/// The conventional name of an exception vector.
pub const fn vector_name(vector: u64) -> &'static str {
    match vector {
        0 => "divide error",
        1 => "debug",
        2 => "non-maskable interrupt",
        3 => "breakpoint",
        4 => "overflow",
        5 => "bound range exceeded",
        6 => "invalid opcode",
        7 => "device not available",
        8 => "double fault",
        9 => "coprocessor segment overrun",
        10 => "invalid TSS",
        11 => "segment not present",
        12 => "stack-segment fault",
        13 => "general protection",
        14 => "page fault",
        16 => "x87 floating-point error",
        17 => "alignment check",
        18 => "machine check",
        19 => "SIMD floating-point error",
        _ => "unknown exception",
    }
}

/// Decodes a page-fault error code into words for a crash report.
pub fn page_fault_cause(error_code: u64) -> (&'static str, &'static str, &'static str) {
    let present = if error_code & 1 != 0 {
        "protection violation"
    } else {
        "page not present"
    };
    let access = if error_code & 16 != 0 {
        "instruction fetch"
    } else if error_code & 2 != 0 {
        "write"
    } else {
        "read"
    };
    let mode = if error_code & 4 != 0 {
        "user"
    } else {
        "kernel"
    };
    (present, access, mode)
}

#[cfg(target_os = "none")]
mod stubs {
    use core::arch::global_asm;

    macro_rules! trap_stub {
        ($vector:literal, error_code) => {
            global_asm!(
                ".section .text.traps, \"ax\"",
                concat!(".global xenbeam_trap_", $vector),
                concat!("xenbeam_trap_", $vector, ":"),
                "    mov rcx, [rsp]",
                "    mov r11, [rsp + 8]",
                "    add rsp, 16",
                concat!("    push ", $vector),
                "    jmp xenbeam_trap_common",
            );
        };
        ($vector:literal) => {
            global_asm!(
                ".section .text.traps, \"ax\"",
                concat!(".global xenbeam_trap_", $vector),
                concat!("xenbeam_trap_", $vector, ":"),
                "    mov rcx, [rsp]",
                "    mov r11, [rsp + 8]",
                "    add rsp, 16",
                "    push 0",
                concat!("    push ", $vector),
                "    jmp xenbeam_trap_common",
            );
        };
    }

    trap_stub!(0);
    trap_stub!(1);
    trap_stub!(3);
    trap_stub!(4);
    trap_stub!(5);
    trap_stub!(6);
    trap_stub!(7);
    trap_stub!(9);
    trap_stub!(10, error_code);
    trap_stub!(11, error_code);
    trap_stub!(12, error_code);
    trap_stub!(13, error_code);
    trap_stub!(14, error_code);
    trap_stub!(16);
    trap_stub!(17, error_code);
    trap_stub!(18);
    trap_stub!(19);

    global_asm!(
        ".section .text.traps, \"ax\"",
        "xenbeam_trap_common:",
        "    push rax",
        "    push rbx",
        "    push rcx",
        "    push rdx",
        "    push rsi",
        "    push rdi",
        "    push rbp",
        "    push r8",
        "    push r9",
        "    push r10",
        "    push r11",
        "    push r12",
        "    push r13",
        "    push r14",
        "    push r15",
        "    mov rdi, rsp",
        "    and rsp, -16",
        "    call xenbeam_trap",
        "    ud2",
        "",
        ".section .rodata.traps, \"a\"",
        ".balign 8",
        ".global xenbeam_trap_stubs",
        "xenbeam_trap_stubs:",
        "    .quad xenbeam_trap_0, xenbeam_trap_1, 0, xenbeam_trap_3, xenbeam_trap_4",
        "    .quad xenbeam_trap_5, xenbeam_trap_6, xenbeam_trap_7, 0, xenbeam_trap_9",
        "    .quad xenbeam_trap_10, xenbeam_trap_11, xenbeam_trap_12, xenbeam_trap_13",
        "    .quad xenbeam_trap_14, 0, xenbeam_trap_16, xenbeam_trap_17, xenbeam_trap_18",
        "    .quad xenbeam_trap_19",
    );

    unsafe extern "C" {
        static xenbeam_trap_stubs: [u64; super::VECTORS];
    }

    /// The address of the entry stub for `vector`, or `None` for vectors Xen handles itself
    /// (NMI and double fault go through other mechanisms in a PV guest).
    pub fn stub_address(vector: usize) -> Option<u64> {
        // SAFETY: the table is immutable data defined above with exactly VECTORS entries.
        let table = unsafe { &*core::ptr::addr_of!(xenbeam_trap_stubs) };
        table.get(vector).copied().filter(|&a| a != 0)
    }
}

#[cfg(target_os = "none")]
pub use stubs::stub_address;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_layout_matches_the_stub_pushes() {
        // 15 general registers, vector, error code, then Xen's five-word iret frame.
        assert_eq!(core::mem::size_of::<TrapFrame>(), 22 * 8);
        assert_eq!(core::mem::offset_of!(TrapFrame, r15), 0);
        assert_eq!(core::mem::offset_of!(TrapFrame, rax), 14 * 8);
        assert_eq!(core::mem::offset_of!(TrapFrame, vector), 15 * 8);
        assert_eq!(core::mem::offset_of!(TrapFrame, error_code), 16 * 8);
        assert_eq!(core::mem::offset_of!(TrapFrame, rip), 17 * 8);
        assert_eq!(core::mem::offset_of!(TrapFrame, ss), 21 * 8);
    }

    #[test]
    fn error_code_vectors() {
        let with: Vec<u8> = (0..32).filter(|&v| has_error_code(v)).collect();
        assert_eq!(with, vec![8, 10, 11, 12, 13, 14, 17]);
    }

    #[test]
    fn page_fault_decoding() {
        assert_eq!(page_fault_cause(0), ("page not present", "read", "kernel"));
        assert_eq!(
            page_fault_cause(0b111),
            ("protection violation", "write", "user")
        );
        assert_eq!(page_fault_cause(0x10).1, "instruction fetch");
        assert_eq!(vector_name(14), "page fault");
        assert_eq!(vector_name(99), "unknown exception");
    }
}
