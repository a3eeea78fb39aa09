//! A synchronous Xenstore client for boot time, over the wire format of the protocol crate.
//!
//! The wire definitions (ring layouts, headers, the connection words) live in
//! `xenbeam_xenproto::xenstore` and are re-exported here. The synchronous
//! [`SyncClient`] sends one request and waits for its reply, skipping watch events and replies
//! to other requests; it is what the kernel uses before the scheduler exists. The Erlang driver
//! over a ring pore and the native outlet replace it once processes run.

use crate::error::XenError;
use crate::ring::RingCorrupt;
use crate::shared::SharedPage;
use core::fmt;

pub use xenbeam_xenproto::xenstore::{
    Header, MessageType, OversizedPayload, CONNECTION, ERROR, HEADER_SIZE, MAX_PAYLOAD, REQUESTS,
    RESPONSES, SERVER_FEATURES, XENSTORE_CONNECTED, XENSTORE_RECONNECT,
    XENSTORE_SERVER_FEATURE_ERROR, XENSTORE_SERVER_FEATURE_RECONNECTION,
};

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

impl From<OversizedPayload> for XenstoreError {
    fn from(e: OversizedPayload) -> Self {
        Self::OversizedReply(e.0)
    }
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
