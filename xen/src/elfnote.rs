//! Xen ELF notes: how the image tells Xen's domain builder where to load and enter it.
//!
//! Each note is an ELF note record (name size, descriptor size, type, the name "Xen" padded to
//! four bytes, the descriptor) placed in the `.note.Xen` section, which the linker script puts
//! in a PT_NOTE segment. Every record here is eight-byte aligned and a multiple of eight bytes
//! long, so records laid out back to back by the linker never have gaps a reader could
//! misparse.

/// Note types from Xen's public `elfnote.h`.
pub mod kind {
    /// Virtual address of the entry point.
    pub const ENTRY: u32 = 1;
    /// Virtual address of the hypercall page.
    pub const HYPERCALL_PAGE: u32 = 2;
    /// Virtual base the image is linked at.
    pub const VIRT_BASE: u32 = 3;
    /// Offset between virtual and load ("physical") addresses.
    pub const PADDR_OFFSET: u32 = 4;
    /// Xen interface version the image speaks ("xen-3.0").
    pub const XEN_VERSION: u32 = 5;
    /// Guest OS name.
    pub const GUEST_OS: u32 = 6;
    /// Guest OS version.
    pub const GUEST_VERSION: u32 = 7;
    /// Loader kind ("generic").
    pub const LOADER: u32 = 8;
    /// PAE mode ("yes" for 64-bit guests).
    pub const PAE_MODE: u32 = 9;
    /// Required and optional features.
    pub const FEATURES: u32 = 10;
}

/// One note record with a descriptor of type `D`.
#[repr(C, align(8))]
pub struct ElfNote<D> {
    namesz: u32,
    descsz: u32,
    kind: u32,
    name: [u8; 4],
    desc: D,
}

/// A descriptor holding an address known only at link time.
#[repr(transparent)]
pub struct Address(pub *const u8);

// SAFETY: an `Address` is written once by the linker and only ever read; the pointer is never
// dereferenced through it.
unsafe impl Sync for Address {}

impl<D> ElfNote<D> {
    const fn with(kind: u32, desc: D) -> Self {
        Self {
            namesz: 4,
            descsz: core::mem::size_of::<D>() as u32,
            kind,
            name: *b"Xen\0",
            desc,
        }
    }

    /// The record's bytes, for checks.
    pub fn header(&self) -> (u32, u32, u32, [u8; 4]) {
        (self.namesz, self.descsz, self.kind, self.name)
    }
}

impl ElfNote<u64> {
    /// A numeric note.
    pub const fn number(kind: u32, value: u64) -> Self {
        Self::with(kind, value)
    }
}

impl ElfNote<Address> {
    /// A note holding a link-time address.
    pub const fn address(kind: u32, address: *const u8) -> Self {
        Self::with(kind, Address(address))
    }
}

impl<const N: usize> ElfNote<[u8; N]> {
    /// A string note; `N` must be a multiple of 8 with room for the terminating NUL.
    pub const fn string(kind: u32, text: &str) -> Self {
        assert!(
            N.is_multiple_of(8),
            "string note length must be a multiple of 8"
        );
        assert!(text.len() < N, "string note needs room for a NUL");
        let mut desc = [0u8; N];
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            desc[i] = bytes[i];
            i += 1;
        }
        Self::with(kind, desc)
    }

    /// The descriptor text up to the first NUL.
    pub fn text(&self) -> &[u8] {
        let end = self.desc.iter().position(|&b| b == 0).unwrap_or(N);
        &self.desc[..end]
    }
}

/// Rounds a string length (plus NUL) up to the descriptor size used for it.
pub const fn string_size(text: &str) -> usize {
    (text.len() + 1).div_ceil(8) * 8
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{align_of, size_of};

    fn bytes_of<T>(value: &T) -> Vec<u8> {
        let ptr = value as *const T as *const u8;
        // SAFETY: reading the plain-data bytes of a live value of size_of::<T>().
        unsafe { core::slice::from_raw_parts(ptr, size_of::<T>()).to_vec() }
    }

    #[test]
    fn numeric_note_layout() {
        let note = ElfNote::number(kind::VIRT_BASE, 0xffff_ffff_8000_0000);
        assert_eq!(size_of::<ElfNote<u64>>(), 24);
        assert_eq!(align_of::<ElfNote<u64>>(), 8);
        let b = bytes_of(&note);
        assert_eq!(&b[0..4], &4u32.to_le_bytes());
        assert_eq!(&b[4..8], &8u32.to_le_bytes());
        assert_eq!(&b[8..12], &3u32.to_le_bytes());
        assert_eq!(&b[12..16], b"Xen\0");
        assert_eq!(&b[16..24], &0xffff_ffff_8000_0000u64.to_le_bytes());
    }

    #[test]
    fn string_note_layout() {
        const TEXT: &str = "xen-3.0";
        let note: ElfNote<[u8; string_size(TEXT)]> = ElfNote::string(kind::XEN_VERSION, TEXT);
        assert_eq!(string_size(TEXT), 8);
        assert_eq!(size_of_val(&note) % 8, 0);
        assert_eq!(note.header(), (4, 8, 5, *b"Xen\0"));
        assert_eq!(note.text(), b"xen-3.0");
        let b = bytes_of(&note);
        assert_eq!(b.len(), 24);
        assert_eq!(b[16 + 7], 0, "NUL-terminated");
    }

    #[test]
    fn every_record_size_is_a_multiple_of_eight() {
        for text in [
            "",
            "a",
            "generic",
            "xen-3.0x",
            "!writable_page_tables|pae_pgdir_above_4gb",
        ] {
            let size = string_size(text);
            assert_eq!(size % 8, 0);
            assert!(size > text.len());
            assert!(size - text.len() <= 8);
        }
        assert_eq!(size_of::<ElfNote<Address>>(), 24);
    }
}
