//! The image's entry point, boot stack and hypercall page.
//!
//! Xen enters `_start` in 64-bit mode with `%rsi` pointing at the start_info page and a small
//! bootstrap stack of its own. `_start` switches to our stack (a fixed area in .bss, with an
//! unmapped guard page below it once memory is set up) and calls `xenbeam_main(start_info)`,
//! which the image crate defines and which never returns.
//!
//! The hypercall page is a page-aligned, page-sized hole in .text that Xen fills with one
//! 32-byte stub per hypercall when it loads the image (the HYPERCALL_PAGE ELF note names it).

use core::arch::global_asm;

/// Size of the kernel stack, in bytes. The interpreter loop does not recurse on Erlang calls,
/// so this bounds native recursion only.
pub const STACK_SIZE: usize = 256 * 1024;

global_asm!(
    ".section .text.entry, \"ax\"",
    ".global _start",
    "_start:",
    "    cld",
    "    lea rsp, [rip + xenbeam_stack_top]",
    "    xor ebp, ebp",
    "    mov rdi, rsi",
    "    call xenbeam_main",
    "    ud2",
    "",
    ".section .text.hypercall_page, \"ax\"",
    ".balign 4096",
    ".global HYPERCALL_PAGE",
    "HYPERCALL_PAGE:",
    "    .skip 4096, 0xcc",
    "",
    ".section .bss.stack, \"aw\", @nobits",
    ".balign 4096",
    ".global xenbeam_stack_guard",
    "xenbeam_stack_guard:",
    "    .skip 4096",
    "    .skip {stack_size}",
    ".global xenbeam_stack_top",
    "xenbeam_stack_top:",
    "",
    ".section .bss.page_slot, \"aw\", @nobits",
    ".balign 4096",
    ".global xenbeam_shared_info_slot",
    "xenbeam_shared_info_slot:",
    "    .skip 4096",
    stack_size = const STACK_SIZE,
);

unsafe extern "C" {
    /// The first byte of the hypercall page (filled in by Xen).
    pub static HYPERCALL_PAGE: u8;
    /// The guard page below the kernel stack.
    static xenbeam_stack_guard: u8;
    /// One past the top of the kernel stack.
    static xenbeam_stack_top: u8;
    /// A page-aligned page of virtual address space where shared_info gets mapped.
    static xenbeam_shared_info_slot: u8;
    /// The end of the image (from the linker script).
    static _image_end: u8;
    /// The entry point (for the ENTRY ELF note).
    pub fn _start() -> !;
}

/// The virtual address of the hypercall page.
pub fn hypercall_page() -> *const u8 {
    core::ptr::addr_of!(HYPERCALL_PAGE)
}

/// The virtual address of the page below the stack, unmapped once paging is under our control
/// so that a stack overflow faults instead of corrupting .bss.
pub fn stack_guard_page() -> usize {
    core::ptr::addr_of!(xenbeam_stack_guard) as usize
}

/// The virtual address reserved for mapping shared_info (its original frame is given up).
pub fn shared_info_slot() -> usize {
    core::ptr::addr_of!(xenbeam_shared_info_slot) as usize
}

/// One past the last byte of the loaded image (.bss included).
pub fn image_end() -> usize {
    core::ptr::addr_of!(_image_end) as usize
}

/// The address range of the kernel stack: `(lowest, one past highest)`.
pub fn stack_bounds() -> (usize, usize) {
    let top = core::ptr::addr_of!(xenbeam_stack_top) as usize;
    (top - STACK_SIZE, top)
}

/// Calls a hypercall stub with up to five arguments and returns Xen's result (`rax`).
///
/// # Safety
/// `entry` must be a stub in the hypercall page, and the arguments must be what that hypercall
/// expects: pointers among them must be valid for whatever Xen reads or writes through them.
#[inline]
pub unsafe fn hypercall(entry: *const u8, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64) -> i64 {
    let ret: i64;
    // SAFETY: the caller guarantees the stub and arguments are valid. The x86_64 PV hypercall
    // ABI takes arguments in rdi, rsi, rdx, r10, r8 and returns in rax; the stub executes
    // `syscall`, which clobbers rcx and r11, and a debug Xen may scribble on the argument
    // registers, so all of them are declared clobbered. The call pushes a return address, so
    // this is not `nostack`.
    unsafe {
        core::arch::asm!(
            "call {entry}",
            entry = in(reg) entry,
            lateout("rax") ret,
            inlateout("rdi") a1 => _,
            inlateout("rsi") a2 => _,
            inlateout("rdx") a3 => _,
            inlateout("r10") a4 => _,
            inlateout("r8") a5 => _,
            lateout("rcx") _,
            lateout("r11") _,
        );
    }
    ret
}
