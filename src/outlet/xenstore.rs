//! The Xenstore outlet: a native Xenstore client in the kernel, the baseline the Erlang
//! driver over the Xenstore pore is measured against.
//!
//! The owner sends commands `{Tag, Op}` or `{Tag, Op, TxId}` (Tag any term, echoed back) and
//! gets each result as `{xenstore, Tag, Result}`. Ops: `{read, Path}`, `{write, Path,
//! Value}`, `{mkdir, Path}`, `{rm, Path}`, `{directory, Path}`, `{get_perms, Path}`,
//! `{set_perms, Path, PermStrings}`, `{get_domain_path, DomId}`, `{watch, Path, Token}`,
//! `{unwatch, Path, Token}`, `{transaction_start}`, `{transaction_end, TxId, commit | abort}`;
//! paths, values, tokens and permission strings are binaries. Results: `ok`, `{ok, Binary}`
//! (read, get_domain_path), `{ok, [Binary]}` (directory, get_perms), `{ok, TxId}`
//! (transaction_start), `{error, Reason}` with xenstored's error in lower case (`enoent`,
//! `eacces`, ...; an unknown one as `{xenstored, Binary}`) or `timeout`. A malformed command,
//! an empty path or one with a NUL byte, or a payload over 4096 bytes is rejected (`badarg`)
//! before anything is sent. Watch events arrive as `{xenstore_watch, Path, Token}`.
//!
//! Two modes, chosen at open:
//! * [`Mode::Blocking`], what LING's outlet did: one request at a time. The command writes
//!   the request and waits for its reply inside the call, sleeping on the Xenstore channel
//!   ([`Platform::wait_for_channel`]) for ring room and for the reply; the whole node waits
//!   with it. After 5 s the result is `{error, timeout}` and a late reply is dropped.
//! * [`Mode::Async`]: commands are encoded and queued; up to 16 are in flight (C xenstored
//!   stops reading a ring while 20 replies are queued), written as the ring has room with one
//!   notification per batch; replies are taken when the channel fires, reassembled when
//!   split, and matched by request id.
//!
//! Sharing the ring: the Xenstore ring has one user at a time, this outlet or the Xenstore
//! pore (the other gets `{error, busy}`). The outlet starts from the message boundaries the
//! pore table kept: it refuses to open when a request was left half written
//! ([`OutletError::MidMessage`]), and skips the rest of a reply left half read. Closing (on
//! request or with the owner) drops queued commands, finishes writing a request already
//! started and waits, sleeping on the channel for at most 5 s, for the replies in flight and
//! the end of a message being read; those are dropped. It then hands its framing back, so
//! after a timed-out close the next user still knows where the boundaries are. Request ids
//! are `0xFF00_0000 + n`, apart from the Erlang driver's. Watches set through the outlet stay
//! in xenstored until unwatched; their later events reach the ring's next user, which
//! ignores tokens it does not know.
//!
//! A ring whose indices are out of range is not used: requests time out (blocking) or wait
//! (async). Repairing a ring is the Erlang driver's business.

use super::{Driver, KeptRing, OutletError};
use crate::etf::ExtTerm;
use crate::platform::{Channel, Platform};
use crate::wordmap::WideMap;
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use xenbeam_xenproto::framing::Framing;
use xenbeam_xenproto::xenstore::{
    Header, MessageType, HEADER_SIZE, MAX_PAYLOAD, REQUESTS, RESPONSES, XENSTORED_ERRORS,
};

/// How commands are carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One at a time, waiting for the reply inside the command.
    Blocking,
    /// Queued and pipelined; replies when the channel fires.
    Async,
}

/// Requests in flight at most (async mode).
const WINDOW: usize = 16;
/// How long a blocking command or a close waits.
const TIMEOUT_NS: u64 = 5_000_000_000;
/// Request ids start here, apart from the Erlang driver's (generation << 24 + n).
const ID_BASE: u32 = 0xFF00_0000;

/// A decoded command, waiting for room in the window.
struct Request {
    tag: ExtTerm,
    kind: MessageType,
    tx: u32,
    payload: Vec<u8>,
}

/// A request on the wire; `tag` is `None` once its caller stopped waiting.
struct InFlight {
    tag: Option<ExtTerm>,
    kind: MessageType,
}

/// The driver.
pub struct XenstoreOutlet<G> {
    page: G,
    channel: Channel,
    mode: Mode,
    framing: Framing,
    /// Reply bytes are dropped until the message the previous user left half read ends.
    skipping: bool,
    next_id: u32,
    queue: VecDeque<Request>,
    in_flight: WideMap<u32, InFlight>,
    /// Bytes of admitted requests not yet in the ring.
    out: VecDeque<u8>,
    /// Reply bytes not yet making a whole message.
    rx: Vec<u8>,
}

impl<G: crate::platform::Page> XenstoreOutlet<G> {
    /// A driver over the platform's Xenstore page and channel, the ring's boundaries where
    /// its last user left them.
    pub fn open(
        page: G,
        channel: Channel,
        mode: Mode,
        framing: Framing,
    ) -> Result<Self, OutletError> {
        if framing.req_left() != 0 {
            return Err(OutletError::MidMessage);
        }
        Ok(Self {
            page,
            channel,
            mode,
            skipping: !framing.responses.at_boundary(),
            framing,
            next_id: 0,
            queue: VecDeque::new(),
            in_flight: WideMap::new(),
            out: VecDeque::new(),
            rx: Vec::new(),
        })
    }

    /// Puts a request on the way out; its id.
    fn start(&mut self, r: Request) -> u32 {
        let id = ID_BASE | self.next_id;
        self.next_id = (self.next_id + 1) & 0x00FF_FFFF;
        let header = Header {
            kind: r.kind as u32,
            req_id: id,
            tx_id: r.tx,
            len: r.payload.len() as u32,
        };
        self.out.extend(header.encode());
        self.out.extend(r.payload);
        let entry = InFlight {
            tag: Some(r.tag),
            kind: r.kind,
        };
        self.in_flight.insert(id, entry);
        id
    }

    /// Writes what fits of the output; whether anything was written.
    fn write(&mut self) -> bool {
        let bytes = self.out.make_contiguous();
        let n = REQUESTS.produce(&self.page, bytes).unwrap_or(0);
        self.framing.requests.advance(&bytes[..n]);
        self.out.drain(..n);
        n > 0
    }

    /// Takes every reply byte available and handles the whole messages; whether anything
    /// was taken.
    fn read(&mut self, out: &mut Vec<ExtTerm>) -> bool {
        let avail = RESPONSES.available(&self.page).unwrap_or(0);
        let mut buf = vec![0u8; avail as usize];
        let n = RESPONSES.consume(&self.page, &mut buf).unwrap_or(0);
        let mut rest = &buf[..n];
        while self.skipping && !rest.is_empty() {
            let k = rest
                .len()
                .min(self.framing.responses.to_boundary() as usize);
            self.framing.responses.advance(&rest[..k]);
            rest = &rest[k..];
            self.skipping = !self.framing.responses.at_boundary();
        }
        self.framing.responses.advance(rest);
        self.rx.extend_from_slice(rest);
        while let Some(head) = self.rx.first_chunk::<HEADER_SIZE>() {
            let Ok(header) = Header::decode(head) else {
                // Too long to follow: drop it, up to where the framing says it ends.
                self.rx.clear();
                self.skipping = !self.framing.responses.at_boundary();
                break;
            };
            let end = HEADER_SIZE + header.len as usize;
            if self.rx.len() < end {
                break;
            }
            let body: Vec<u8> = self.rx.drain(..end).skip(HEADER_SIZE).collect();
            self.dispatch(header, &body, out);
        }
        n > 0
    }

    fn dispatch(&mut self, header: Header, body: &[u8], out: &mut Vec<ExtTerm>) {
        if header.kind == MessageType::WatchEvent as u32 {
            let mut parts = body.split(|&b| b == 0);
            let path = parts.next().unwrap_or_default();
            let token = parts.next().unwrap_or_default();
            out.push(ExtTerm::Tuple(vec![
                atom("xenstore_watch"),
                bin(path),
                bin(token),
            ]));
            return;
        }
        // An unknown id is a reply to an earlier user of the ring: dropped.
        if let Some(InFlight {
            tag: Some(tag),
            kind,
        }) = self.in_flight.remove(header.req_id)
        {
            out.push(reply(tag, result(kind, header.kind, body)));
        }
    }

    /// Takes replies, admits queued requests, writes, and notifies once if anything moved.
    fn pump<P: Platform<Page = G>>(&mut self, platform: &P, out: &mut Vec<ExtTerm>) {
        let read = self.read(out);
        while self.in_flight.len() < WINDOW {
            match self.queue.pop_front() {
                Some(r) => {
                    self.start(r);
                }
                None => break,
            }
        }
        if self.write() | read {
            let _ = platform.notify(self.channel);
        }
    }

    /// Blocking mode: sends `r` and waits for its reply.
    fn call<P: Platform<Page = G>>(&mut self, platform: &P, r: Request, out: &mut Vec<ExtTerm>) {
        let id = self.start(r);
        let deadline = platform.now_ns().saturating_add(TIMEOUT_NS);
        loop {
            self.pump(platform, out);
            if !self.in_flight.contains_key(id) {
                return;
            }
            if platform.now_ns() >= deadline {
                if let Some(tag) = self.in_flight.get_mut(id).and_then(|f| f.tag.take()) {
                    out.push(reply(tag, error(atom("timeout"))));
                }
                return;
            }
            platform.wait_for_channel(self.channel, deadline);
        }
    }
}

impl<P: Platform> Driver<P> for XenstoreOutlet<P::Page> {
    fn channels(&self) -> Vec<Channel> {
        vec![self.channel]
    }

    fn on_event(&mut self, platform: &P, _channel: Channel, out: &mut Vec<ExtTerm>) {
        self.pump(platform, out);
    }

    fn command(
        &mut self,
        platform: &P,
        command: &ExtTerm,
        out: &mut Vec<ExtTerm>,
    ) -> Result<(), OutletError> {
        let r = decode(command).ok_or(OutletError::BadCommand)?;
        match self.mode {
            Mode::Blocking => self.call(platform, r, out),
            Mode::Async => {
                self.queue.push_back(r);
                self.pump(platform, out);
            }
        }
        Ok(())
    }

    fn close(&mut self, platform: &P) -> Option<KeptRing> {
        self.queue.clear();
        let deadline = platform.now_ns().saturating_add(TIMEOUT_NS);
        let mut dropped = Vec::new();
        loop {
            self.pump(platform, &mut dropped);
            dropped.clear();
            let quiet = self.out.is_empty() && self.in_flight.is_empty() && self.rx.is_empty();
            if quiet || platform.now_ns() >= deadline {
                return Some((self.channel, self.framing));
            }
            platform.wait_for_channel(self.channel, deadline);
        }
    }
}

/// A command's request, or `None` when it is malformed.
fn decode(command: &ExtTerm) -> Option<Request> {
    let ExtTerm::Tuple(items) = command else {
        return None;
    };
    let (tag, op, mut tx) = match items.as_slice() {
        [tag, op] => (tag, op, 0),
        [tag, op, ExtTerm::Integer(tx)] => (tag, op, u32::try_from(*tx).ok()?),
        _ => return None,
    };
    let ExtTerm::Tuple(op) = op else {
        return None;
    };
    let (ExtTerm::Atom(name), args) = op.split_first()? else {
        return None;
    };
    let mut p = Vec::new();
    use MessageType as T;
    let kind = match (name.as_str(), args) {
        ("read", [path]) => arg(&mut p, path).map(|_| T::Read)?,
        ("mkdir", [path]) => arg(&mut p, path).map(|_| T::Mkdir)?,
        ("rm", [path]) => arg(&mut p, path).map(|_| T::Rm)?,
        ("directory", [path]) => arg(&mut p, path).map(|_| T::Directory)?,
        ("get_perms", [path]) => arg(&mut p, path).map(|_| T::GetPerms)?,
        ("write", [path, ExtTerm::Binary(value)]) => {
            arg(&mut p, path)?;
            p.extend_from_slice(value);
            T::Write
        }
        ("set_perms", [path, ExtTerm::List(perms, tail)]) if **tail == ExtTerm::Nil => {
            arg(&mut p, path)?;
            for perm in perms {
                arg(&mut p, perm)?;
            }
            T::SetPerms
        }
        ("get_domain_path", [ExtTerm::Integer(dom)]) if (0..0x7FF0).contains(dom) => {
            p.extend_from_slice(dom.to_string().as_bytes());
            p.push(0);
            T::GetDomainPath
        }
        ("watch", [path, token]) => arg(&mut p, path)
            .and(arg(&mut p, token))
            .map(|_| T::Watch)?,
        ("unwatch", [path, token]) => arg(&mut p, path)
            .and(arg(&mut p, token))
            .map(|_| T::Unwatch)?,
        ("transaction_start", []) => {
            p.push(0);
            T::TransactionStart
        }
        ("transaction_end", [ExtTerm::Integer(id), ExtTerm::Atom(how)]) => {
            tx = u32::try_from(*id).ok()?;
            p.extend_from_slice(match how.as_str() {
                "commit" => b"T\0",
                "abort" => b"F\0",
                _ => return None,
            });
            T::TransactionEnd
        }
        _ => return None,
    };
    (p.len() <= MAX_PAYLOAD).then(|| Request {
        tag: tag.clone(),
        kind,
        tx,
        payload: p,
    })
}

/// Appends a non-empty binary without NUL bytes, NUL-terminated.
fn arg(p: &mut Vec<u8>, t: &ExtTerm) -> Option<()> {
    match t {
        ExtTerm::Binary(b) if !b.is_empty() && !b.contains(&0) => {
            p.extend_from_slice(b);
            p.push(0);
            Some(())
        }
        _ => None,
    }
}

/// The result of a request of type `sent` answered with a message of type `kind`.
fn result(sent: MessageType, kind: u32, body: &[u8]) -> ExtTerm {
    let first = body.split(|&b| b == 0).next().unwrap_or_default();
    if kind == MessageType::Error as u32 {
        let name = String::from_utf8_lossy(first);
        return error(match XENSTORED_ERRORS.contains(&&*name) {
            true => atom(&name.to_ascii_lowercase()),
            false => ExtTerm::Tuple(vec![atom("xenstored"), bin(first)]),
        });
    }
    let strings = || {
        let items = body.split(|&b| b == 0).filter(|s| !s.is_empty()).map(bin);
        ExtTerm::List(items.collect(), Box::new(ExtTerm::Nil))
    };
    match sent {
        MessageType::Read => ok(bin(body)),
        MessageType::GetDomainPath => ok(bin(first)),
        MessageType::Directory | MessageType::GetPerms => ok(strings()),
        MessageType::TransactionStart => ok(core::str::from_utf8(first)
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or_else(|| bin(first), ExtTerm::Integer)),
        _ => atom("ok"),
    }
}

fn atom(name: &str) -> ExtTerm {
    ExtTerm::Atom(name.into())
}

fn bin(bytes: &[u8]) -> ExtTerm {
    ExtTerm::Binary(bytes.to_vec())
}

fn ok(value: ExtTerm) -> ExtTerm {
    ExtTerm::Tuple(vec![atom("ok"), value])
}

fn error(reason: ExtTerm) -> ExtTerm {
    ExtTerm::Tuple(vec![atom("error"), reason])
}

fn reply(tag: ExtTerm, result: ExtTerm) -> ExtTerm {
    ExtTerm::Tuple(vec![atom("xenstore"), tag, result])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::sim::{SimPage, SimPlatform};
    use crate::platform::xenstored::XenstoredConfig;
    use alloc::format;

    /// An outlet over the simulated xenstored, with the messages it produced.
    struct Rig {
        p: SimPlatform,
        d: XenstoreOutlet<SimPage>,
        ch: Channel,
        got: Vec<ExtTerm>,
        tag: i64,
    }

    impl Rig {
        fn new(knobs: &str, mode: Mode) -> Self {
            let p = SimPlatform::new();
            p.attach_xenstored(XenstoredConfig::parse(knobs).unwrap());
            let (page, ch) = p.xenstore().unwrap();
            let d = XenstoreOutlet::open(page, ch, mode, Framing::new()).unwrap();
            Self {
                p,
                d,
                ch,
                got: Vec::new(),
                tag: 0,
            }
        }

        /// Sends `{Tag, Op}` (or `{Tag, Op, Tx}`); returns the tag.
        fn send(&mut self, op: ExtTerm, tx: Option<i64>) -> Result<i64, OutletError> {
            self.tag += 1;
            let mut cmd = vec![ExtTerm::Integer(self.tag), op];
            cmd.extend(tx.map(ExtTerm::Integer));
            Driver::command(&mut self.d, &self.p, &ExtTerm::Tuple(cmd), &mut self.got)?;
            Ok(self.tag)
        }

        /// Hands channel events to the outlet until the daemon has nothing left to do.
        fn settle(&mut self) {
            for _ in 0..10_000 {
                let mut fired = false;
                let ch = self.ch;
                self.p.take_pending(&mut |c| fired |= c == ch);
                if fired {
                    Driver::on_event(&mut self.d, &self.p, ch, &mut self.got);
                } else if self.p.xenstored_busy() || self.p.xenstored_deadline().is_some() {
                    self.p.wait_for_events(self.p.xenstored_deadline());
                } else {
                    return;
                }
            }
        }

        /// The result for `tag`, taken from what arrived.
        fn result(&mut self, tag: i64) -> ExtTerm {
            self.settle();
            let i = self.got.iter().position(|m| match m {
                ExtTerm::Tuple(t) => t[..2] == [atom("xenstore"), ExtTerm::Integer(tag)],
                _ => false,
            });
            let i = i.unwrap_or_else(|| panic!("no reply for {tag}: {:?}", self.got));
            match &mut self.got.remove(i) {
                ExtTerm::Tuple(t) => t.pop().unwrap(),
                _ => unreachable!(),
            }
        }

        fn ask(&mut self, op: ExtTerm) -> ExtTerm {
            let tag = self.send(op, None).unwrap();
            self.result(tag)
        }

        fn ask_in(&mut self, tx: i64, op: ExtTerm) -> ExtTerm {
            let tag = self.send(op, Some(tx)).unwrap();
            self.result(tag)
        }

        fn watch_events(&mut self) -> Vec<ExtTerm> {
            self.settle();
            let (events, rest) = self.got.drain(..).partition(|m| match m {
                ExtTerm::Tuple(t) => t[0] == atom("xenstore_watch"),
                _ => false,
            });
            self.got = rest;
            events
        }
    }

    fn op(name: &str, args: &[ExtTerm]) -> ExtTerm {
        let mut t = vec![atom(name)];
        t.extend_from_slice(args);
        ExtTerm::Tuple(t)
    }

    fn b(s: &str) -> ExtTerm {
        bin(s.as_bytes())
    }

    fn list(items: &[&str]) -> ExtTerm {
        ExtTerm::List(items.iter().map(|s| b(s)).collect(), Box::new(ExtTerm::Nil))
    }

    fn err(name: &str) -> ExtTerm {
        error(atom(name))
    }

    const MODES: [Mode; 2] = [Mode::Blocking, Mode::Async];

    #[test]
    fn every_operation_in_both_modes() {
        for mode in MODES {
            let mut r = Rig::new("", mode);
            let ok_ = atom("ok");
            assert_eq!(r.ask(op("write", &[b("data/a"), b("1")])), ok_);
            assert_eq!(r.ask(op("read", &[b("data/a")])), ok(b("1")));
            assert_eq!(r.ask(op("mkdir", &[b("data/d")])), ok_);
            assert_eq!(r.ask(op("directory", &[b("data")])), ok(list(&["a", "d"])));
            assert_eq!(r.ask(op("get_perms", &[b("data/a")])), ok(list(&["n1"])));
            let perms = list(&["n1", "r0"]);
            assert_eq!(r.ask(op("set_perms", &[b("data/a"), perms.clone()])), ok_);
            assert_eq!(r.ask(op("get_perms", &[b("data/a")])), ok(perms));
            let home = r.ask(op("get_domain_path", &[ExtTerm::Integer(1)]));
            assert_eq!(home, ok(b("/local/domain/1")));
            assert_eq!(r.ask(op("rm", &[b("data/a")])), ok_);
            assert_eq!(r.ask(op("read", &[b("data/a")])), err("enoent"));
            assert_eq!(
                r.ask(op("read", &[b("/local/domain/0/name")])),
                err("eacces")
            );
            // A transaction sees its own writes and commits them.
            let tx = tx_id(r.ask(op("transaction_start", &[]))).unwrap();
            assert_eq!(r.ask_in(tx, op("write", &[b("data/t"), b("in")])), ok_);
            assert_eq!(r.ask(op("read", &[b("data/t")])), err("enoent"), "{mode:?}");
            assert_eq!(r.ask_in(tx, op("read", &[b("data/t")])), ok(b("in")));
            let end = op("transaction_end", &[ExtTerm::Integer(tx), atom("commit")]);
            assert_eq!(r.ask(end), ok_);
            assert_eq!(r.ask(op("read", &[b("data/t")])), ok(b("in")));
            // Watches fire at once, then on changes; events carry path and token.
            assert_eq!(r.ask(op("watch", &[b("data/w"), b("tok")])), ok_);
            assert_eq!(r.ask(op("write", &[b("data/w/x"), b("1")])), ok_);
            let event = |p: &str| ExtTerm::Tuple(vec![atom("xenstore_watch"), b(p), b("tok")]);
            assert_eq!(r.watch_events(), vec![event("data/w"), event("data/w/x")]);
            assert_eq!(r.ask(op("unwatch", &[b("data/w"), b("tok")])), ok_);
            assert_eq!(r.ask(op("write", &[b("data/w/x"), b("2")])), ok_);
            assert_eq!(r.watch_events(), vec![]);
            assert_eq!(
                r.ask(op("unwatch", &[b("data/w"), b("tok")])),
                err("enoent")
            );
            assert!(r.got.is_empty(), "{:?}", r.got);
        }
    }

    /// `{ok, TxId}`'s TxId.
    fn tx_id(t: ExtTerm) -> Option<i64> {
        match &t {
            ExtTerm::Tuple(v) if v[0] == atom("ok") => match v[1] {
                ExtTerm::Integer(n) => Some(n),
                _ => None,
            },
            _ => None,
        }
    }

    #[test]
    fn xenstored_errors_become_atoms() {
        for mode in MODES {
            let mut r = Rig::new("errors", mode);
            for name in XENSTORED_ERRORS {
                let path = format!("data/error-{name}");
                let got = r.ask(op("read", &[b(&path)]));
                assert_eq!(got, err(&name.to_ascii_lowercase()), "{mode:?}");
            }
            let other = r.ask(op("write", &[b("data/error-EWHAT"), b("v")]));
            let raw = ExtTerm::Tuple(vec![atom("xenstored"), b("EWHAT")]);
            assert_eq!(other, error(raw));
        }
    }

    #[test]
    fn malformed_commands_are_refused_before_anything_is_sent() {
        let mut r = Rig::new("", Mode::Async);
        let big = ExtTerm::Binary(vec![b'v'; MAX_PAYLOAD]);
        for bad in [
            ExtTerm::Atom("read".into()),
            ExtTerm::Tuple(vec![ExtTerm::Integer(1)]),
            ExtTerm::Tuple(vec![ExtTerm::Integer(1), op("read", &[b("a")]), atom("x")]),
            ExtTerm::Tuple(vec![
                ExtTerm::Nil,
                op("read", &[b("a")]),
                ExtTerm::Integer(-1),
            ]),
            ExtTerm::Tuple(vec![ExtTerm::Nil, op("read", &[])]),
            ExtTerm::Tuple(vec![ExtTerm::Nil, op("read", &[b("")])]),
            ExtTerm::Tuple(vec![ExtTerm::Nil, op("read", &[bin(b"a\0b")])]),
            ExtTerm::Tuple(vec![ExtTerm::Nil, op("read", &[list(&["a"])])]),
            ExtTerm::Tuple(vec![ExtTerm::Nil, op("write", &[b("a"), big])]),
            ExtTerm::Tuple(vec![ExtTerm::Nil, op("set_perms", &[b("a"), ExtTerm::Nil])]),
            ExtTerm::Tuple(vec![ExtTerm::Nil, op("watch", &[b("a"), bin(b"t\0")])]),
            ExtTerm::Tuple(vec![ExtTerm::Nil, op("get_domain_path", &[b("1")])]),
            ExtTerm::Tuple(vec![
                ExtTerm::Nil,
                op("transaction_end", &[ExtTerm::Integer(1), atom("maybe")]),
            ]),
            ExtTerm::Tuple(vec![ExtTerm::Nil, op("frobnicate", &[b("a")])]),
        ] {
            let res = Driver::command(&mut r.d, &r.p, &bad, &mut r.got);
            assert_eq!(res, Err(OutletError::BadCommand), "{bad:?}");
        }
        assert!(r.d.in_flight.is_empty() && r.d.out.is_empty());
        assert_eq!(r.p.xenstored_stats().unwrap().requests, 0);
        // Any term is a tag; the largest payload that fits is fine.
        let tag = ExtTerm::Tuple(vec![atom("mine"), ExtTerm::Nil]);
        let value = ExtTerm::Binary(vec![b'v'; MAX_PAYLOAD - 2]);
        let cmd = ExtTerm::Tuple(vec![tag.clone(), op("write", &[b("a"), value])]);
        Driver::command(&mut r.d, &r.p, &cmd, &mut r.got).unwrap();
        r.settle();
        // xenstored refuses values over its entry-size quota (2048 by default) with ENOSPC.
        assert_eq!(r.got, vec![reply(tag, err("enospc"))]);
    }

    #[test]
    fn async_mode_pipelines_up_to_the_window() {
        for knobs in ["", "reorder", "delay_ns=1000000,chunk=50"] {
            let mut r = Rig::new(knobs, Mode::Async);
            let tags: Vec<i64> = (0..40)
                .map(|i| {
                    let path = format!("data/k{i}");
                    r.send(op("write", &[b(&path), b("v")]), None).unwrap()
                })
                .collect();
            assert_eq!(r.d.in_flight.len(), WINDOW, "{knobs}");
            assert_eq!(r.d.queue.len(), 40 - WINDOW);
            assert!(r.got.is_empty(), "replies come with events");
            r.settle();
            let stats = r.p.xenstored_stats().unwrap();
            assert_eq!(stats.requests, 40);
            assert!(stats.max_outstanding > 1, "{knobs}: several in flight");
            assert!(stats.max_outstanding <= WINDOW);
            assert!(stats.notifies < 40, "{knobs}: one notify per batch");
            for tag in tags {
                assert_eq!(r.result(tag), atom("ok"), "{knobs}");
            }
            let dir = r.ask(op("directory", &[b("data")]));
            let ExtTerm::Tuple(t) = &dir else { panic!() };
            let ExtTerm::List(names, _) = &t[1] else {
                panic!()
            };
            assert_eq!(names.len(), 40);
        }
    }

    #[test]
    fn blocking_mode_waits_inside_the_command_one_at_a_time() {
        let mut r = Rig::new("delay_ns=3000000", Mode::Blocking);
        for i in 0..10 {
            let path = format!("data/k{i}");
            let tag = r.send(op("write", &[b(&path), b("v")]), None).unwrap();
            // The reply is there when the command returns: the clock moved while it slept.
            assert_eq!(r.got, vec![reply(ExtTerm::Integer(tag), atom("ok"))]);
            r.got.clear();
            assert!(r.d.in_flight.is_empty());
        }
        assert!(r.p.now_ns() >= 30_000_000);
        assert_eq!(r.p.xenstored_stats().unwrap().max_outstanding, 1);
        assert_eq!(r.p.stalls(), 0);
    }

    #[test]
    fn blocking_mode_times_out_and_drops_the_late_reply() {
        let mut r = Rig::new("delay_ns=7000000000", Mode::Blocking);
        let tag = r.send(op("read", &[b("name")]), None).unwrap();
        assert_eq!(r.got, vec![reply(ExtTerm::Integer(tag), err("timeout"))]);
        assert_eq!(r.p.now_ns(), TIMEOUT_NS);
        r.got.clear();
        // The late reply arrives with an event and is dropped.
        assert_eq!(r.d.in_flight.len(), 1);
        r.settle();
        assert!(r.got.is_empty() && r.d.in_flight.is_empty());
        assert!(r.p.now_ns() >= 7_000_000_000);
    }

    #[test]
    fn requests_and_replies_cross_the_ring_in_pieces() {
        for mode in MODES {
            for knobs in ["chunk=7,max_value=4000", "chunk=100,reorder,max_value=4000"] {
                let mut r = Rig::new(knobs, mode);
                let value: Vec<u8> = (0..3000u32).map(|i| b'a' + (i % 26) as u8).collect();
                let set = op("write", &[b("data/big"), bin(&value)]);
                assert_eq!(r.ask(set), atom("ok"));
                assert_eq!(r.ask(op("read", &[b("data/big")])), ok(bin(&value)));
                let tags: Vec<i64> = (0..5)
                    .map(|_| r.send(op("read", &[b("data/big")]), None).unwrap())
                    .collect();
                for tag in tags {
                    assert_eq!(r.result(tag), ok(bin(&value)), "{mode:?} {knobs}");
                }
            }
        }
    }

    #[test]
    fn close_finishes_what_is_on_the_wire_and_hands_back_a_boundary() {
        let mut r = Rig::new("chunk=9,delay_ns=1000000", Mode::Async);
        for i in 0..20 {
            let path = format!("data/k{i}");
            r.send(op("write", &[b(&path), b("v")]), None).unwrap();
        }
        let (channel, framing) = Driver::close(&mut r.d, &r.p).unwrap();
        assert_eq!(channel, r.ch);
        assert_eq!((framing.req_left(), framing.rsp_skip()), (0, 0));
        // The 16 in flight were written and answered; the 4 queued were dropped.
        assert_eq!(r.p.xenstored_stats().unwrap().requests, 16);
        assert_eq!(RESPONSES.available(&r.d.page), Ok(0));
    }

    #[test]
    fn the_rest_of_a_reply_left_half_read_is_skipped_and_a_cut_request_refused() {
        let p = SimPlatform::new();
        p.attach_xenstored(XenstoredConfig::default());
        let (page, ch) = p.xenstore().unwrap();
        // A previous user read 5 bytes of a 30-byte watch event.
        let mut event = Header {
            kind: MessageType::WatchEvent as u32,
            req_id: 0,
            tx_id: 0,
            len: 14,
        }
        .encode()
        .to_vec();
        event.extend_from_slice(b"data\0old-tok\0\0");
        RESPONSES.produce(&page, &event).unwrap();
        let mut head = [0u8; 5];
        RESPONSES.consume(&page, &mut head).unwrap();
        let mut framing = Framing::new();
        framing.responses.advance(&head);
        let mut cut = framing;
        cut.requests.advance(&head);
        assert!(matches!(
            XenstoreOutlet::open(page.share(), ch, Mode::Async, cut),
            Err(OutletError::MidMessage)
        ));
        let d = XenstoreOutlet::open(page, ch, Mode::Blocking, framing).unwrap();
        let mut r = Rig {
            p,
            d,
            ch,
            got: Vec::new(),
            tag: 0,
        };
        assert_eq!(r.ask(op("read", &[b("name")])), ok(b("xenbeam")));
        assert!(r.got.is_empty(), "the old event was skipped: {:?}", r.got);
        assert!(r.d.framing.responses.at_boundary());
    }
}
