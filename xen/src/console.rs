//! The PV console ring (`xencons_interface`): output to xenconsoled, input from it.
//!
//! Layout of the page: `in[1024]` at 0, `out[2048]` at 1024, then the indices `in_cons`,
//! `in_prod`, `out_cons`, `out_prod` as u32s at 3072..3088. We produce into `out` and consume
//! from `in`. The ring keeps no state of its own beyond the page, so the panic path can write
//! through a fresh [`ConsoleRing`] even if the normal writer was interrupted mid-line.

use crate::ring::{RingCorrupt, RingLayout};
use crate::shared::SharedPage;

/// The console's output ring.
pub const OUTPUT: RingLayout = RingLayout {
    data: 1024,
    size: 2048,
    cons: 3080,
    prod: 3084,
};

/// The console's input ring.
pub const INPUT: RingLayout = RingLayout {
    data: 0,
    size: 1024,
    cons: 3072,
    prod: 3076,
};

/// The console ring page.
#[derive(Debug)]
pub struct ConsoleRing {
    page: SharedPage,
}

impl ConsoleRing {
    /// Wraps the console page.
    pub fn new(page: SharedPage) -> Self {
        Self { page }
    }

    /// Queues as much of `bytes` as fits; returns how many were queued.
    pub fn write(&self, bytes: &[u8]) -> Result<usize, RingCorrupt> {
        OUTPUT.produce(&self.page, bytes)
    }

    /// Output bytes the backend has not consumed yet.
    pub fn unsent(&self) -> Result<u32, RingCorrupt> {
        OUTPUT.available(&self.page)
    }

    /// Reads input bytes typed at the console.
    pub fn read(&self, out: &mut [u8]) -> Result<usize, RingCorrupt> {
        INPUT.consume(&self.page, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::testing::TestPage;

    #[test]
    fn output_lands_in_the_out_area_and_advances_out_prod() {
        let mut page = TestPage::new();
        let console = ConsoleRing::new(page.share());
        assert_eq!(console.write(b"hi\n"), Ok(3));
        assert_eq!(console.unsent(), Ok(3));
        assert_eq!(&page.0[1024..1027], b"hi\n");
        assert_eq!(
            u32::from_le_bytes(page.0[3084..3088].try_into().unwrap()),
            3
        );
        // The backend consumes.
        page.0[3080..3084].copy_from_slice(&3u32.to_le_bytes());
        let console = ConsoleRing::new(page.share());
        assert_eq!(console.unsent(), Ok(0));
    }

    #[test]
    fn full_ring_accepts_only_what_fits() {
        let mut page = TestPage::new();
        let console = ConsoleRing::new(page.share());
        let big = [b'x'; 3000];
        assert_eq!(console.write(&big), Ok(2048));
        assert_eq!(console.write(b"y"), Ok(0));
    }

    #[test]
    fn input_is_read_from_the_in_area() {
        let mut page = TestPage::new();
        page.0[0..2].copy_from_slice(b"ok");
        page.0[3076..3080].copy_from_slice(&2u32.to_le_bytes());
        let console = ConsoleRing::new(page.share());
        let mut buf = [0u8; 8];
        assert_eq!(console.read(&mut buf), Ok(2));
        assert_eq!(&buf[..2], b"ok");
    }
}
