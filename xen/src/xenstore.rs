//! The Xenstore wire protocol and a synchronous client for boot time.
//!
//! The Xenstore page holds two 1 KiB byte rings: requests (we produce, xenstored consumes) and
//! responses (the reverse). Each message is a 16-byte little-endian header (type, request id,
//! transaction id, payload length) followed by at most 4096 payload bytes. The synchronous
//! [`SyncClient`] sends one request and waits for its reply, skipping watch events and replies
//! to other requests; it is what the kernel uses before the scheduler exists. The Erlang driver
//! over a ring pore and the native outlet replace it once processes run.

use crate::error::XenError;
use crate::ring::{RingCorrupt, RingLayout};
use crate::shared::SharedPage;
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
    pub fn decode(bytes: &[u8; HEADER_SIZE]) -> Result<Self, XenstoreError> {
        let word =
            |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let header = Self {
            kind: word(0),
            req_id: word(4),
            tx_id: word(8),
            len: word(12),
        };
        if header.len as usize > MAX_PAYLOAD {
            return Err(XenstoreError::OversizedReply(header.len));
        }
        Ok(header)
    }
}

/// Why a Xenstore operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XenstoreError {
    /// The request would exceed [`MAX_PAYLOAD`].
    OversizedRequest(usize),
    /// The server announced a payload over [`MAX_PAYLOAD`].
    OversizedReply(u32),
    /// The reply did not fit the caller's buffer (it was read and discarded).
    ReplyTooLarge(usize),
    /// xenstored answered with an error (its errno name mapped to ours).
    Server(XenError),
    /// A reply of an unexpected type.
    UnexpectedReply(u32),
    /// The ring's indices are corrupt.
    Corrupt(RingCorrupt),
    /// No progress before the deadline.
    Timeout,
}

impl From<RingCorrupt> for XenstoreError {
    fn from(e: RingCorrupt) -> Self {
        Self::Corrupt(e)
    }
}

impl fmt::Display for XenstoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OversizedRequest(n) => {
                write!(f, "request payload of {n} bytes exceeds {MAX_PAYLOAD}")
            }
            Self::OversizedReply(n) => {
                write!(f, "reply payload of {n} bytes exceeds {MAX_PAYLOAD}")
            }
            Self::ReplyTooLarge(n) => write!(f, "reply of {n} bytes does not fit the buffer"),
            Self::Server(e) => write!(f, "xenstored: {e}"),
            Self::UnexpectedReply(t) => write!(f, "unexpected reply type {t}"),
            Self::Corrupt(e) => write!(f, "xenstore {e}"),
            Self::Timeout => f.write_str("xenstore timed out"),
        }
    }
}

/// Maps the errno name xenstored sends in an ERROR reply.
pub fn server_error(payload: &[u8]) -> XenError {
    let name = payload.split(|&b| b == 0).next().unwrap_or(&[]);
    match name {
        b"EPERM" => XenError::NotPermitted,
        b"ENOENT" => XenError::NoEntry,
        b"EIO" => XenError::Io,
        b"EAGAIN" => XenError::TryAgain,
        b"ENOMEM" => XenError::NoMemory,
        b"EACCES" => XenError::Access,
        b"EBUSY" => XenError::Busy,
        b"EEXIST" => XenError::Exists,
        b"EINVAL" => XenError::Invalid,
        b"ENOSPC" => XenError::NoSpace,
        b"ENOSYS" => XenError::NotImplemented,
        _ => XenError::Other,
    }
}

/// How the synchronous client kicks xenstored and waits for it.
pub trait Doorbell {
    /// Notifies the other side that a ring changed.
    fn notify(&mut self);
    /// Waits until the other side may have changed a ring; `Err` when the deadline passed.
    fn wait(&mut self) -> Result<(), XenstoreError>;
}

/// A one-request-at-a-time client over the Xenstore page.
pub struct SyncClient<'a, D: Doorbell> {
    page: &'a SharedPage,
    bell: D,
    next_id: u32,
}

impl<'a, D: Doorbell> SyncClient<'a, D> {
    /// A client over `page`.
    pub fn new(page: &'a SharedPage, bell: D) -> Self {
        Self {
            page,
            bell,
            next_id: 1,
        }
    }

    /// Reads `path` (relative paths are under the domain's home) into `out`; returns its length.
    pub fn read(&mut self, path: &str, out: &mut [u8]) -> Result<usize, XenstoreError> {
        self.transact(MessageType::Read, &[path.as_bytes(), b"\0"], out)
    }

    /// Writes `value` at `path`.
    pub fn write(&mut self, path: &str, value: &[u8]) -> Result<(), XenstoreError> {
        self.transact(
            MessageType::Write,
            &[path.as_bytes(), b"\0", value],
            &mut [0u8; 8],
        )
        .map(|_| ())
    }

    /// Sends one request made of `parts` and copies its reply payload into `out`.
    pub fn transact(
        &mut self,
        kind: MessageType,
        parts: &[&[u8]],
        out: &mut [u8],
    ) -> Result<usize, XenstoreError> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        if len > MAX_PAYLOAD {
            return Err(XenstoreError::OversizedRequest(len));
        }
        let req_id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let header = Header {
            kind: kind as u32,
            req_id,
            tx_id: 0,
            len: len as u32,
        };
        self.send(&header.encode())?;
        for part in parts {
            self.send(part)?;
        }
        loop {
            let mut raw = [0u8; HEADER_SIZE];
            self.receive(&mut raw)?;
            let reply = Header::decode(&raw)?;
            let n = reply.len as usize;
            let mine = reply.req_id == req_id && reply.kind != MessageType::WatchEvent as u32;
            if !mine {
                self.discard(n)?;
                continue;
            }
            if reply.kind == MessageType::Error as u32 {
                let mut name = [0u8; 16];
                let keep = n.min(name.len());
                self.receive(&mut name[..keep])?;
                self.discard(n - keep)?;
                return Err(XenstoreError::Server(server_error(&name[..keep])));
            }
            if reply.kind != kind as u32 {
                self.discard(n)?;
                return Err(XenstoreError::UnexpectedReply(reply.kind));
            }
            if n > out.len() {
                self.discard(n)?;
                return Err(XenstoreError::ReplyTooLarge(n));
            }
            self.receive(&mut out[..n])?;
            return Ok(n);
        }
    }

    fn send(&mut self, mut bytes: &[u8]) -> Result<(), XenstoreError> {
        while !bytes.is_empty() {
            let n = REQUESTS.produce(self.page, bytes)?;
            bytes = &bytes[n..];
            self.bell.notify();
            if !bytes.is_empty() {
                self.bell.wait()?;
            }
        }
        Ok(())
    }

    fn receive(&mut self, mut out: &mut [u8]) -> Result<(), XenstoreError> {
        while !out.is_empty() {
            let n = RESPONSES.consume(self.page, out)?;
            if n > 0 {
                // Tell the server there is room again.
                self.bell.notify();
            }
            out = &mut out[n..];
            if !out.is_empty() {
                self.bell.wait()?;
            }
        }
        Ok(())
    }

    fn discard(&mut self, mut n: usize) -> Result<(), XenstoreError> {
        let mut sink = [0u8; 64];
        while n > 0 {
            let chunk = n.min(sink.len());
            self.receive(&mut sink[..chunk])?;
            n -= chunk;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::testing::TestPage;
    use std::collections::HashMap;

    /// A tiny xenstored over the same page: answers whatever requests are complete.
    struct FakeServer<'a> {
        page: &'a SharedPage,
        store: HashMap<Vec<u8>, Vec<u8>>,
        pending: Vec<u8>,
        /// Messages to emit before each reply (e.g. watch events).
        noise: Vec<(Header, Vec<u8>)>,
        /// Reply bytes waiting for room in the response ring.
        outbox: Vec<u8>,
        waits_left: usize,
    }

    impl FakeServer<'_> {
        fn pump(&mut self) {
            self.flush();
            let mut buf = [0u8; 1024];
            let n = REQUESTS.consume(self.page, &mut buf).unwrap();
            self.pending.extend_from_slice(&buf[..n]);
            while self.pending.len() >= HEADER_SIZE {
                let h = Header::decode(self.pending[..16].try_into().unwrap()).unwrap();
                let total = HEADER_SIZE + h.len as usize;
                if self.pending.len() < total {
                    break;
                }
                let body: Vec<u8> = self.pending[16..total].to_vec();
                self.pending.drain(..total);
                for (nh, nb) in std::mem::take(&mut self.noise) {
                    self.emit(nh, &nb);
                }
                let (kind, reply) = match MessageType::from_u32(h.kind) {
                    Some(MessageType::Read) => {
                        let path = &body[..body.len() - 1];
                        match self.store.get(path) {
                            Some(v) => (h.kind, v.clone()),
                            None => (MessageType::Error as u32, b"ENOENT\0".to_vec()),
                        }
                    }
                    Some(MessageType::Write) => {
                        let split = body.iter().position(|&b| b == 0).unwrap();
                        self.store
                            .insert(body[..split].to_vec(), body[split + 1..].to_vec());
                        (h.kind, b"OK\0".to_vec())
                    }
                    _ => (MessageType::Error as u32, b"EINVAL\0".to_vec()),
                };
                let rh = Header {
                    kind,
                    req_id: h.req_id,
                    tx_id: 0,
                    len: reply.len() as u32,
                };
                self.emit(rh, &reply);
            }
            self.flush();
        }

        fn emit(&mut self, h: Header, body: &[u8]) {
            self.outbox.extend_from_slice(&h.encode());
            self.outbox.extend_from_slice(body);
        }

        fn flush(&mut self) {
            let n = RESPONSES.produce(self.page, &self.outbox).unwrap();
            self.outbox.drain(..n);
        }
    }

    impl Doorbell for &mut FakeServer<'_> {
        fn notify(&mut self) {
            self.pump();
        }
        fn wait(&mut self) -> Result<(), XenstoreError> {
            if self.waits_left == 0 {
                return Err(XenstoreError::Timeout);
            }
            self.waits_left -= 1;
            self.pump();
            Ok(())
        }
    }

    fn server(page: &SharedPage) -> FakeServer<'_> {
        let mut store = HashMap::new();
        store.insert(b"name".to_vec(), b"guest-1".to_vec());
        FakeServer {
            page,
            store,
            pending: Vec::new(),
            noise: Vec::new(),
            outbox: Vec::new(),
            waits_left: 100,
        }
    }

    #[test]
    fn read_write_and_errors_round_trip() {
        let mut page = TestPage::new();
        let shared = page.share();
        // Rings that have been used before: indices far from zero.
        for off in [2048, 2052, 2056, 2060] {
            shared.write_u32(off, 0xffff_fff0);
        }
        let mut srv = server(&shared);
        let mut client = SyncClient::new(&shared, &mut srv);
        let mut out = [0u8; 64];
        let n = client.read("name", &mut out).unwrap();
        assert_eq!(&out[..n], b"guest-1");
        client.write("data/x", b"42").unwrap();
        let n = client.read("data/x", &mut out).unwrap();
        assert_eq!(&out[..n], b"42");
        assert_eq!(
            client.read("missing", &mut out),
            Err(XenstoreError::Server(XenError::NoEntry))
        );
    }

    #[test]
    fn large_values_cross_the_ring_in_pieces_and_small_buffers_are_refused() {
        let mut page = TestPage::new();
        let shared = page.share();
        let mut srv = server(&shared);
        let value = vec![b'v'; 3000];
        let mut client = SyncClient::new(&shared, &mut srv);
        client.write("big", &value).unwrap();
        let mut out = vec![0u8; 4096];
        assert_eq!(client.read("big", &mut out), Ok(3000));
        assert_eq!(&out[..3000], &value[..]);
        let mut small = [0u8; 10];
        assert_eq!(
            client.read("big", &mut small),
            Err(XenstoreError::ReplyTooLarge(3000))
        );
        // The oversized reply was drained: the next request still works.
        assert_eq!(client.read("name", &mut out), Ok(7));
        let huge = vec![0u8; MAX_PAYLOAD];
        assert_eq!(
            client.write("p", &huge),
            Err(XenstoreError::OversizedRequest(4098))
        );
    }

    #[test]
    fn watch_events_and_foreign_replies_are_skipped() {
        let mut page = TestPage::new();
        let shared = page.share();
        let mut srv = server(&shared);
        srv.noise.push((
            Header {
                kind: MessageType::WatchEvent as u32,
                req_id: 0,
                tx_id: 0,
                len: 6,
            },
            b"a\0tok\0".to_vec(),
        ));
        srv.noise.push((
            Header {
                kind: MessageType::Read as u32,
                req_id: 999,
                tx_id: 0,
                len: 3,
            },
            b"old".to_vec(),
        ));
        let mut client = SyncClient::new(&shared, &mut srv);
        let mut out = [0u8; 16];
        let n = client.read("name", &mut out).unwrap();
        assert_eq!(&out[..n], b"guest-1");
    }

    #[test]
    fn hostile_replies_are_errors_not_hangs() {
        let mut page = TestPage::new();
        let shared = page.share();
        let mut srv = server(&shared);
        srv.store.clear();
        // The server claims a 1 MiB payload.
        srv.noise.push((
            Header {
                kind: 2,
                req_id: 1,
                tx_id: 0,
                len: 1 << 20,
            },
            Vec::new(),
        ));
        let mut client = SyncClient::new(&shared, &mut srv);
        let mut out = [0u8; 16];
        assert_eq!(
            client.read("x", &mut out),
            Err(XenstoreError::OversizedReply(1 << 20))
        );

        // A server that never answers: the wait budget runs out.
        let mut page2 = TestPage::new();
        let shared2 = page2.share();
        struct Silent(usize);
        impl Doorbell for Silent {
            fn notify(&mut self) {}
            fn wait(&mut self) -> Result<(), XenstoreError> {
                self.0 += 1;
                if self.0 > 3 {
                    Err(XenstoreError::Timeout)
                } else {
                    Ok(())
                }
            }
        }
        let mut client = SyncClient::new(&shared2, Silent(0));
        assert_eq!(client.read("x", &mut out), Err(XenstoreError::Timeout));

        // Corrupt response indices.
        shared2.write_u32(RESPONSES.prod, 5000);
        let mut client = SyncClient::new(&shared2, Silent(0));
        assert!(matches!(
            client.read("x", &mut out),
            Err(XenstoreError::Corrupt(_))
        ));
    }
}
