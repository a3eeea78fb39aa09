//! The Xenstore wire format: ring layouts, message headers and the connection words.
//!
//! The Xenstore page holds two 1 KiB byte rings: requests (the guest produces, xenstored
//! consumes) and responses (the reverse). Each message is a 16-byte little-endian header
//! (type, request id, transaction id, payload length) followed by at most [`MAX_PAYLOAD`]
//! payload bytes. After the rings' indices come three words of the reconnection protocol
//! (`xs_wire.h`): the features the server offers, the connection state the guest sets to ask
//! for a reset, and an error word the server sets when it gives up on the connection.

use crate::ring::RingLayout;
use core::fmt;

/// The request ring.
pub const REQUESTS: RingLayout = RingLayout {
    data: 0,
    size: 1024,
    cons: 2048,
    prod: 2052,
};

/// The response ring.
pub const RESPONSES: RingLayout = RingLayout {
    data: 1024,
    size: 1024,
    cons: 2056,
    prod: 2060,
};

/// Largest payload xenstored accepts; a bigger one makes it drop the connection.
pub const MAX_PAYLOAD: usize = 4096;

/// Size of a message header.
pub const HEADER_SIZE: usize = 16;

/// The error names xenstored sends in an ERROR reply (`xsd_errors`), each NUL-terminated
/// on the wire.
pub const XENSTORED_ERRORS: [&str; 17] = [
    "EINVAL",
    "EACCES",
    "EEXIST",
    "EISDIR",
    "ENOENT",
    "ENOMEM",
    "ENOSPC",
    "EIO",
    "ENOTEMPTY",
    "ENOSYS",
    "EROFS",
    "EBUSY",
    "EAGAIN",
    "EISCONN",
    "E2BIG",
    "EPERM",
    "EQUOTA",
];

/// Message types (`xsd_sockmsg_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum MessageType {
    /// List a directory.
    Directory = 1,
    /// Read a value.
    Read = 2,
    /// Read permissions.
    GetPerms = 3,
    /// Set a watch.
    Watch = 4,
    /// Remove a watch.
    Unwatch = 5,
    /// Start a transaction.
    TransactionStart = 6,
    /// End a transaction.
    TransactionEnd = 7,
    /// The domain's home path.
    GetDomainPath = 10,
    /// Write a value.
    Write = 11,
    /// Make a directory.
    Mkdir = 12,
    /// Remove a node.
    Rm = 13,
    /// Set permissions.
    SetPerms = 14,
    /// A watch fired.
    WatchEvent = 15,
    /// An error reply.
    Error = 16,
    /// Reset all watches.
    ResetWatches = 21,
    /// A part of a large directory.
    DirectoryPart = 22,
}

impl MessageType {
    /// The type for a wire value, if we know it.
    pub fn from_u32(value: u32) -> Option<Self> {
        Some(match value {
            1 => Self::Directory,
            2 => Self::Read,
            3 => Self::GetPerms,
            4 => Self::Watch,
            5 => Self::Unwatch,
            6 => Self::TransactionStart,
            7 => Self::TransactionEnd,
            10 => Self::GetDomainPath,
            11 => Self::Write,
            12 => Self::Mkdir,
            13 => Self::Rm,
            14 => Self::SetPerms,
            15 => Self::WatchEvent,
            16 => Self::Error,
            21 => Self::ResetWatches,
            22 => Self::DirectoryPart,
            _ => return None,
        })
    }
}

/// A message header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Message type (raw, since a reply may carry a type we do not know).
    pub kind: u32,
    /// Request id, echoed in the reply.
    pub req_id: u32,
    /// Transaction id, 0 outside transactions.
    pub tx_id: u32,
    /// Payload length.
    pub len: u32,
}

impl Header {
    /// The wire form.
    pub fn encode(&self) -> [u8; HEADER_SIZE] {
        let mut out = [0u8; HEADER_SIZE];
        for (chunk, v) in
            out.chunks_exact_mut(4)
                .zip([self.kind, self.req_id, self.tx_id, self.len])
        {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// Parses a header; refuses a payload length over [`MAX_PAYLOAD`].
    pub fn decode(bytes: &[u8; HEADER_SIZE]) -> Result<Self, OversizedPayload> {
        let word =
            |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let header = Self {
            kind: word(0),
            req_id: word(4),
            tx_id: word(8),
            len: word(12),
        };
        if header.len as usize > MAX_PAYLOAD {
            return Err(OversizedPayload(header.len));
        }
        Ok(header)
    }
}

/// A header announced a payload over [`MAX_PAYLOAD`]; carries the length seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OversizedPayload(pub u32);

impl fmt::Display for OversizedPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "payload of {} bytes exceeds {MAX_PAYLOAD}", self.0)
    }
}

/// Offset in the ring page of the word where the server lists its features.
pub const SERVER_FEATURES: usize = 2064;

/// Offset of the connection word: the guest writes [`XENSTORE_RECONNECT`] to ask for a reset.
pub const CONNECTION: usize = 2068;

/// Offset of the error word the server sets when it stops serving the connection.
pub const ERROR: usize = 2072;

/// Server feature bit: the server honours [`XENSTORE_RECONNECT`].
pub const XENSTORE_SERVER_FEATURE_RECONNECTION: u32 = 1;

/// Server feature bit: the server reports failures in the [`ERROR`] word.
pub const XENSTORE_SERVER_FEATURE_ERROR: u32 = 2;

/// Connection word value: the connection is in use (and a requested reset is done).
pub const XENSTORE_CONNECTED: u32 = 0;

/// Connection word value: the guest asks the server to reset the rings.
pub const XENSTORE_RECONNECT: u32 = 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_little_endian() {
        let h = Header {
            kind: MessageType::Write as u32,
            req_id: 0x0102_0304,
            tx_id: 7,
            len: 300,
        };
        let wire = h.encode();
        assert_eq!(&wire[..4], &[11, 0, 0, 0]);
        assert_eq!(&wire[4..8], &[4, 3, 2, 1]);
        assert_eq!(&wire[12..], &[44, 1, 0, 0]);
        assert_eq!(Header::decode(&wire), Ok(h));
        assert_eq!(MessageType::from_u32(11), Some(MessageType::Write));
        assert_eq!(MessageType::from_u32(8), None);
    }

    #[test]
    fn oversized_payloads_are_refused() {
        let mut wire = Header {
            kind: 2,
            req_id: 1,
            tx_id: 0,
            len: MAX_PAYLOAD as u32,
        }
        .encode();
        assert!(Header::decode(&wire).is_ok());
        wire[12..].copy_from_slice(&(MAX_PAYLOAD as u32 + 1).to_le_bytes());
        assert_eq!(
            Header::decode(&wire),
            Err(OversizedPayload(MAX_PAYLOAD as u32 + 1))
        );
    }

    #[test]
    fn connection_words_follow_the_ring_indices() {
        assert_eq!(RESPONSES.prod + 4, SERVER_FEATURES);
        assert_eq!(SERVER_FEATURES + 4, CONNECTION);
        assert_eq!(CONNECTION + 4, ERROR);
    }
}
