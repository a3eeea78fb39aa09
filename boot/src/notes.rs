//! The Xen ELF notes that tell the domain builder how to load and enter the image.
//!
//! Placing a static in a named section counts as unsafe code to the compiler; these statics are
//! plain data the linker collects into the PT_NOTE segment and nothing reads at run time.
#![allow(unsafe_code)]

use xenbeam_xen::elfnote::{kind, string_size, Address, ElfNote};
use xenbeam_xen::mm::VIRT_BASE;

macro_rules! string_note {
    ($name:ident, $kind:expr, $text:expr) => {
        #[used]
        #[unsafe(link_section = ".note.Xen")]
        static $name: ElfNote<[u8; string_size($text)]> = ElfNote::string($kind, $text);
    };
}

string_note!(GUEST_OS, kind::GUEST_OS, "xenbeam");
string_note!(
    GUEST_VERSION,
    kind::GUEST_VERSION,
    env!("CARGO_PKG_VERSION")
);
string_note!(XEN_VERSION, kind::XEN_VERSION, "xen-3.0");
string_note!(LOADER, kind::LOADER, "generic");
string_note!(PAE_MODE, kind::PAE_MODE, "yes");
string_note!(
    FEATURES,
    kind::FEATURES,
    "!writable_page_tables|pae_pgdir_above_4gb"
);

#[used]
#[unsafe(link_section = ".note.Xen")]
static VIRT_BASE_NOTE: ElfNote<u64> = ElfNote::number(kind::VIRT_BASE, VIRT_BASE);

#[used]
#[unsafe(link_section = ".note.Xen")]
static PADDR_OFFSET: ElfNote<u64> = ElfNote::number(kind::PADDR_OFFSET, 0);

#[used]
#[unsafe(link_section = ".note.Xen")]
static ENTRY: ElfNote<Address> =
    ElfNote::address(kind::ENTRY, xenbeam_arch::entry::_start as *const u8);

#[used]
#[unsafe(link_section = ".note.Xen")]
static HYPERCALL_PAGE: ElfNote<Address> = ElfNote::address(
    kind::HYPERCALL_PAGE,
    &raw const xenbeam_arch::entry::HYPERCALL_PAGE,
);
