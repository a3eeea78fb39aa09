//! The PV console ring (`xencons_interface`): output to xenconsoled, input from it.
//!
//! Layout of the page: `in[1024]` at 0, `out[2048]` at 1024, then the indices `in_cons`,
//! `in_prod`, `out_cons`, `out_prod` as u32s at 3072..3088. We produce into `out` and consume
//! from `in`. The output ring keeps no state of its own beyond the page, so the panic path can
//! write through a fresh [`ConsoleRing`] even if the normal writer was interrupted mid-line.
//!
//! Input ([`ConsoleInput`]) is what xenconsoled reads from the domain's pty, byte for byte:
//! the pty is raw, so no terminal driver turns ^D into end of file. The reader does that
//! itself as a terminal in canonical mode would: a ^D (0x04) at the start of a line ends the
//! input for good; a ^D after other characters of a line is not input and only makes a
//! second ^D end it. A backend that publishes impossible indices ends the input too.

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
}

/// Ends the console's input at the start of a line (EOT, typed as ^D).
pub const END_OF_INPUT: u8 = 0x04;

/// What a read of the console's input found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// This many bytes, at the start of the caller's buffer.
    Bytes(usize),
    /// Nothing yet.
    Nothing,
    /// The input has ended.
    End,
}

/// The reader of the console's input ring, with what it must remember between reads: whether
/// a line is under way (for ^D) and whether the input has ended.
#[derive(Debug)]
pub struct ConsoleInput {
    page: SharedPage,
    mid_line: bool,
    ended: bool,
}

impl ConsoleInput {
    /// Reads the input ring of the console page.
    pub fn new(page: SharedPage) -> Self {
        Self {
            page,
            mid_line: false,
            ended: false,
        }
    }

    /// Takes up to `out.len()` bytes of input into `out`. Returns what it found and whether
    /// the backend is to be notified: xenconsoled stops reading the pty while the ring is
    /// full and looks at it again only on an event, so one is due when slots were handed back
    /// to a ring it may have seen full (and only then: it ignores events beyond a rate).
    /// Corrupt indices end the input; the read that finds them returns the error, all later
    /// reads `End`.
    pub fn read(&mut self, out: &mut [u8]) -> Result<(Received, bool), RingCorrupt> {
        if self.ended {
            return Ok((Received::End, false));
        }
        let seen = INPUT
            .peek(&self.page, out)
            .inspect_err(|_| self.ended = true)?;
        let (mut kept, mut taken) = (0, 0);
        // Bytes move down over the ^Ds dropped before them; `kept <= taken` throughout.
        while let (Some(&byte), false) = (out.get(taken).filter(|_| taken < seen), self.ended) {
            taken += 1;
            if byte == END_OF_INPUT {
                // At a line's start it ends the input (what follows stays in the ring);
                // within a line it only ends that line's editing, as a terminal's ^D does.
                self.ended = !self.mid_line;
                self.mid_line = false;
            } else if let Some(slot) = out.get_mut(kept) {
                *slot = byte;
                kept += 1;
                self.mid_line = byte != b'\n';
            }
        }
        let notify = taken > 0 && INPUT.release(&self.page, taken as u32);
        let got = match kept {
            0 if self.ended => Received::End,
            0 => Received::Nothing,
            n => Received::Bytes(n),
        };
        Ok((got, notify))
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

    /// The backend's side: puts `bytes` in the input ring at `in_prod` and publishes them.
    fn type_in(page: &SharedPage, bytes: &[u8]) {
        assert_eq!(INPUT.produce(page, bytes), Ok(bytes.len()));
    }

    fn in_cons(page: &TestPage) -> u32 {
        u32::from_le_bytes(page.0[3072..3076].try_into().unwrap())
    }

    #[test]
    fn input_is_read_from_the_in_area_and_its_slots_released() {
        let mut page = TestPage::new();
        page.0[0..2].copy_from_slice(b"ok");
        page.0[3076..3080].copy_from_slice(&2u32.to_le_bytes());
        let mut input = ConsoleInput::new(page.share());
        let mut buf = [0u8; 8];
        assert_eq!(input.read(&mut buf), Ok((Received::Bytes(2), false)));
        assert_eq!(&buf[..2], b"ok");
        assert_eq!(in_cons(&page), 2);
        assert_eq!(input.read(&mut buf), Ok((Received::Nothing, false)));
    }

    #[test]
    fn input_wraps_around_the_ring_and_a_small_buffer_takes_it_in_parts() {
        let mut page = TestPage::new();
        let backend = page.share();
        // Indices near the wrap of both the ring and the u32.
        backend.write_u32(INPUT.cons, u32::MAX - 2);
        backend.write_u32(INPUT.prod, u32::MAX - 2);
        let mut input = ConsoleInput::new(page.share());
        type_in(&backend, b"line one\nline two\n");
        let mut got = Vec::new();
        let mut buf = [0u8; 5];
        while let Ok((Received::Bytes(n), _)) = input.read(&mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"line one\nline two\n");
        assert_eq!(INPUT.available(&backend), Ok(0));
    }

    #[test]
    fn the_backend_is_notified_only_when_the_ring_was_full() {
        let mut page = TestPage::new();
        let backend = page.share();
        let mut input = ConsoleInput::new(page.share());
        let mut buf = [0u8; 2048];
        type_in(&backend, &[b'x'; 1000]);
        assert_eq!(input.read(&mut buf), Ok((Received::Bytes(1000), false)));
        // Full: xenconsoled stops reading the pty until it hears from us.
        type_in(&backend, &[b'y'; 1024]);
        assert_eq!(input.read(&mut buf[..10]), Ok((Received::Bytes(10), true)));
        assert_eq!(input.read(&mut buf), Ok((Received::Bytes(1014), false)));
        assert_eq!(input.read(&mut buf), Ok((Received::Nothing, false)));
    }

    #[test]
    fn control_d_at_a_line_start_ends_the_input_for_good() {
        let mut page = TestPage::new();
        let backend = page.share();
        let mut input = ConsoleInput::new(page.share());
        let mut buf = [0u8; 16];
        type_in(&backend, b"\x04");
        assert_eq!(input.read(&mut buf), Ok((Received::End, false)));
        type_in(&backend, b"more\n");
        assert_eq!(
            input.read(&mut buf),
            Ok((Received::End, false)),
            "still ended"
        );
        assert_eq!(
            INPUT.available(&backend),
            Ok(5),
            "later bytes are left alone"
        );

        let mut page = TestPage::new();
        let backend = page.share();
        let mut input = ConsoleInput::new(page.share());
        type_in(&backend, b"last\n\x04after");
        assert_eq!(input.read(&mut buf), Ok((Received::Bytes(5), false)));
        assert_eq!(&buf[..5], b"last\n");
        assert_eq!(input.read(&mut buf), Ok((Received::End, false)));
        assert_eq!(INPUT.available(&backend), Ok(5));
    }

    #[test]
    fn control_d_within_a_line_is_dropped_and_a_second_one_ends_the_input() {
        let mut page = TestPage::new();
        let backend = page.share();
        let mut input = ConsoleInput::new(page.share());
        let mut buf = [0u8; 16];
        type_in(&backend, b"ab\x04c");
        assert_eq!(input.read(&mut buf), Ok((Received::Bytes(3), false)));
        assert_eq!(&buf[..3], b"abc");
        type_in(&backend, b"\x04");
        assert_eq!(
            input.read(&mut buf),
            Ok((Received::Nothing, false)),
            "only ends the line"
        );
        type_in(&backend, b"\x04");
        assert_eq!(input.read(&mut buf), Ok((Received::End, false)));
        // Across one read: the text, then end of input.
        let mut page = TestPage::new();
        let backend = page.share();
        let mut input = ConsoleInput::new(page.share());
        type_in(&backend, b"tail\x04\x04");
        assert_eq!(input.read(&mut buf), Ok((Received::Bytes(4), false)));
        assert_eq!(input.read(&mut buf), Ok((Received::End, false)));
    }

    #[test]
    fn hostile_indices_end_the_input_once_without_reading_out_of_the_ring() {
        for (cons, prod) in [(0, 1025), (7, 3), (0, u32::MAX), (u32::MAX - 10, 2000)] {
            let mut page = TestPage::new();
            page.0[3072..3076].copy_from_slice(&cons.to_le_bytes());
            page.0[3076..3080].copy_from_slice(&prod.to_le_bytes());
            let mut input = ConsoleInput::new(page.share());
            let mut buf = [0u8; 2048];
            assert_eq!(
                input.read(&mut buf),
                Err(crate::ring::RingCorrupt { prod, cons })
            );
            assert_eq!(
                input.read(&mut buf),
                Ok((Received::End, false)),
                "reported once"
            );
            assert_eq!(in_cons(&page), cons, "in_cons untouched");
            assert!(buf.iter().all(|&b| b == 0));
        }
    }
}
