//! Xenstore message boundaries in a byte stream, followed as bytes pass.
//!
//! A Xenstore ring carries messages back to back: a 16-byte header whose last word (offset
//! 12, little-endian) is the payload length, then the payload. Whoever writes or reads the
//! ring in pieces can lose track of where a message ends, and a new user of the ring (after
//! the previous one crashed mid-message) cannot tell at all. A [`MessageCursor`] watches one
//! direction's bytes go by and always knows how far the next boundary is; [`Framing`] holds
//! one cursor per direction of a Xenstore ring.
//!
//! The cursors only count: they never refuse a length. A payload length over the protocol's
//! limit is followed like any other, since the bytes have already crossed the ring.

use crate::xenstore::HEADER_SIZE;

/// Where one direction's byte stream stands relative to message boundaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MessageCursor {
    /// The header bytes of the current message seen so far.
    header: [u8; HEADER_SIZE],
    /// How many of `header` are filled (`HEADER_SIZE` never stays: the header is then parsed).
    have: usize,
    /// Payload bytes of the current message still to pass.
    payload_left: u32,
}

impl MessageCursor {
    /// A cursor at a message boundary.
    pub const fn new() -> Self {
        Self {
            header: [0; HEADER_SIZE],
            have: 0,
            payload_left: 0,
        }
    }

    /// `bytes` passed, in stream order.
    pub fn advance(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.payload_left > 0 {
                let n = bytes.len().min(self.payload_left as usize);
                self.payload_left -= n as u32;
                bytes = &bytes[n..];
                continue;
            }
            let n = bytes.len().min(HEADER_SIZE - self.have);
            self.header[self.have..self.have + n].copy_from_slice(&bytes[..n]);
            self.have += n;
            bytes = &bytes[n..];
            if self.have == HEADER_SIZE {
                let len = &self.header[12..16];
                self.payload_left = u32::from_le_bytes([len[0], len[1], len[2], len[3]]);
                self.have = 0;
            }
        }
    }

    /// Whether the stream stands between two messages.
    pub fn at_boundary(&self) -> bool {
        self.have == 0 && self.payload_left == 0
    }

    /// Bytes still to pass before the current message ends, as far as they are known: inside
    /// a header, the rest of the header (the payload length is in its last word, so it
    /// counts only once the header is complete); inside a payload, the rest of the payload.
    /// 0 at a boundary.
    pub fn to_boundary(&self) -> u32 {
        if self.have > 0 {
            (HEADER_SIZE - self.have) as u32
        } else {
            self.payload_left
        }
    }

    /// Back to a boundary (the stream restarted).
    pub fn reset(&mut self) {
        *self = Self::new();
    }
}

/// Both directions of a Xenstore ring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Framing {
    /// Requests: what the guest wrote.
    pub requests: MessageCursor,
    /// Responses: what the guest consumed.
    pub responses: MessageCursor,
}

impl Framing {
    /// Both directions at a boundary.
    pub const fn new() -> Self {
        Self {
            requests: MessageCursor::new(),
            responses: MessageCursor::new(),
        }
    }

    /// Bytes still to write to finish the request message in progress (0 at a boundary).
    pub fn req_left(&self) -> u32 {
        self.requests.to_boundary()
    }

    /// Reply bytes still to consume to reach the next reply boundary (0 at a boundary).
    pub fn rsp_skip(&self) -> u32 {
        self.responses.to_boundary()
    }

    /// Both directions back to a boundary: the rings were reset (a reconnect).
    pub fn reset(&mut self) {
        *self = Self::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xenstore::Header;

    fn message(len: u32) -> Vec<u8> {
        let mut m = Header {
            kind: 2,
            req_id: 7,
            tx_id: 0,
            len,
        }
        .encode()
        .to_vec();
        m.extend(core::iter::repeat_n(b'x', len as usize));
        m
    }

    #[test]
    fn whole_messages_end_at_a_boundary() {
        let mut c = MessageCursor::new();
        assert!(c.at_boundary());
        c.advance(&message(5));
        assert!(c.at_boundary());
        let mut two = message(0);
        two.extend(message(300));
        c.advance(&two);
        assert_eq!(c.to_boundary(), 0);
    }

    #[test]
    fn a_header_split_anywhere_is_still_parsed() {
        let m = message(300);
        for cut in 1..HEADER_SIZE {
            let mut c = MessageCursor::new();
            c.advance(&m[..cut]);
            assert_eq!(c.to_boundary(), (HEADER_SIZE - cut) as u32, "cut at {cut}");
            assert!(!c.at_boundary());
            c.advance(&m[cut..HEADER_SIZE]);
            assert_eq!(c.to_boundary(), 300);
            c.advance(&m[HEADER_SIZE..]);
            assert!(c.at_boundary());
        }
        // One byte at a time, across two messages.
        let mut c = MessageCursor::new();
        let mut both = message(3);
        both.extend(message(2));
        for (i, b) in both.iter().enumerate() {
            c.advance(core::slice::from_ref(b));
            let done = i + 1 == HEADER_SIZE + 3 || i + 1 == both.len();
            assert_eq!(c.at_boundary(), done, "after byte {i}");
        }
    }

    #[test]
    fn a_payload_cut_short_counts_what_is_left() {
        let mut c = MessageCursor::new();
        let m = message(100);
        c.advance(&m[..HEADER_SIZE + 40]);
        assert_eq!(c.to_boundary(), 60);
        c.advance(&m[HEADER_SIZE + 40..HEADER_SIZE + 99]);
        assert_eq!(c.to_boundary(), 1);
        // The rest of this message and part of the next in one piece.
        let mut rest = vec![b'x'];
        rest.extend(&message(10)[..4]);
        c.advance(&rest);
        assert_eq!(c.to_boundary(), 12);
    }

    #[test]
    fn directions_are_independent_and_reset_together() {
        let mut f = Framing::new();
        f.requests.advance(&message(20)[..HEADER_SIZE + 5]);
        f.responses.advance(&message(9)[..3]);
        assert_eq!((f.req_left(), f.rsp_skip()), (15, 13));
        f.reset();
        assert_eq!((f.req_left(), f.rsp_skip()), (0, 0));
        assert_eq!(f, Framing::default());
    }
}
