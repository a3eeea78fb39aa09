//! Pores and outlets as processes see them: the `pore` and `outlet` BIF requests, and their
//! events turned into messages.
//!
//! A pore is the term `{'$pore', Id}` and an outlet `{'$outlet', Id}` (Id a number that is
//! never reused for another object). Neither can be linked to or registered (they are not
//! pids), and both close when their owner exits ([`State::terminate`]).
//!
//! Errors become Erlang values by kind. Misuse raises `badarg`: a caller that is not the
//! owner, a closed or malformed handle, a command the outlet's driver rejects. Failures of a
//! well-formed request are returned as `{error, Reason}`: `no_room` (`pore:write/2` data
//! does not fit; nothing was written), `corrupt` (the other side's ring indices are out of
//! range, from any ring operation), `busy` (the Xenstore ring is already open in a pore or
//! the Xenstore outlet), `mid_message` (the Xenstore outlet cannot start on a ring whose last
//! user left a request half written), and for platform refusals `system_limit` (no pages or channels left), `enotsup`
//! (not on this machine, such as the Xenstore ring on the host), `bad_channel` and
//! `refused`.
//!
//! `pore:info/1` answers `#{server_features, connection, error}` from the page, and for the
//! Xenstore ring also `req_left` and `rsp_skip` (see [`crate::pore`] for the framing).
//!
//! Events: a pore's channel firing sends `{irq, Pore}` to its owner (coalesced until the
//! owner next uses the pore); an outlet's messages arrive as `{Outlet, Message}`. Opening
//! either adds its channels to the node's channel router and closing removes them, so an
//! event finds its object with one lookup.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec;
use alloc::vec::Vec;

use super::router::Route;
use super::state::{Carried, Delivery, State};
use crate::outlet::xenstore::XenstoreOutlet;
use crate::outlet::{Deliveries, Loopback, OutletError, OutletId};
use crate::platform::{Platform, PlatformError};
use crate::pore::{Irq, PoreError, PoreId, PoreInfo};
use crate::vm::ext::from_ext;
use crate::vm::interp::Vm;
use crate::vm::services::{IoReply, IoRequest};

/// Sends `{irq, Pore}` to a pore's owner.
pub fn deliver_irq<P: Platform>(st: &mut State<P>, irq: Irq) {
    st.deliver(irq.owner, Delivery::Irq(irq.pore.to_u64()));
}

/// Sends an outlet's messages to its owner as `{Outlet, Message}`.
pub fn deliver_outlet<P: Platform>(st: &mut State<P>, vm: &mut Vm, out: Deliveries) {
    for (owner, id, msg) in out {
        let mut heap = super::state::small_heap();
        let Ok(t) = from_ext(&mut heap, &mut vm.atoms, &vm.code, &msg) else {
            continue;
        };
        let c = Rc::new(Carried::in_heap(heap, t));
        st.deliver(owner, Delivery::Outlet(id.0, c));
    }
}

/// Carries out a `pore:`/`outlet:` request of process `me`.
pub fn request<P: Platform>(
    st: &mut State<P>,
    platform: &P,
    me: u32,
    req: IoRequest<'_>,
) -> IoReply {
    let pore = PoreId::from_u64;
    match req {
        IoRequest::PoreOpenLoopback => match st.pores.open_loopback(platform, me) {
            Ok(id) => opened_pore(st, id),
            Err(e) => pore_error(e),
        },
        IoRequest::PoreOpenXenstore => {
            let opened = platform
                .xenstore()
                .ok_or(PoreError::Platform(PlatformError::Unsupported))
                .and_then(|ring| match st.router.route(ring.1) {
                    Some(Route::Outlet(_)) => Err(PoreError::Busy),
                    _ => st.pores.open_xenstore(me, ring),
                });
            match opened {
                Ok(id) => opened_pore(st, id),
                Err(e) => pore_error(e),
            }
        }
        IoRequest::PoreWrite(id, bytes) => ok_or(st.pores.write(pore(id), me, bytes)),
        IoRequest::PoreRead(id) => match st.pores.read(pore(id), me) {
            Ok(b) => IoReply::Bytes(b),
            Err(e) => pore_error(e),
        },
        IoRequest::PoreAvail(id) => match st.pores.avail(pore(id), me) {
            Ok((free, avail)) => IoReply::Avail(free, avail),
            Err(e) => pore_error(e),
        },
        IoRequest::PoreDiscard(id, max) => match st.pores.discard(pore(id), me, max) {
            Ok(n) => IoReply::Count(n),
            Err(e) => pore_error(e),
        },
        IoRequest::PoreInfo(id) => match st.pores.info(pore(id), me) {
            Ok(info) => IoReply::Info(info_pairs(&info)),
            Err(e) => pore_error(e),
        },
        IoRequest::PoreReconnect(id) => ok_or(st.pores.reconnect(platform, pore(id), me)),
        IoRequest::PorePoke(id) => ok_or(st.pores.poke(platform, pore(id), me)),
        IoRequest::PoreClose(id) => {
            let closed = st.pores.close(platform, pore(id), me);
            if closed.is_ok() {
                st.router.remove(Route::Pore(pore(id)));
            }
            ok_or(closed)
        }
        IoRequest::OutletOpenLoopback => match Loopback::open(platform) {
            Ok(driver) => opened_outlet(st, me, Box::new(driver)),
            Err(e) => IoReply::Error(platform_reason(e)),
        },
        IoRequest::OutletOpenXenstore(mode) => {
            let Some((page, channel)) = platform.xenstore() else {
                return IoReply::Error(platform_reason(PlatformError::Unsupported));
            };
            if st.router.route(channel).is_some() {
                return outlet_error(OutletError::Busy);
            }
            // The ring's boundaries as its last user left them; kept again if we cannot start.
            let framing = st.pores.take_kept(channel);
            match XenstoreOutlet::open(page, channel, mode, framing) {
                Ok(driver) => opened_outlet(st, me, Box::new(driver)),
                Err(e) => {
                    st.pores.keep(channel, framing);
                    outlet_error(e)
                }
            }
        }
        IoRequest::OutletCheck(id) => match st.outlets.check_owner(OutletId(id), me) {
            Ok(()) => IoReply::Ok,
            Err(e) => outlet_error(e),
        },
        IoRequest::OutletCommand(id, command) => {
            match st.outlets.command(platform, OutletId(id), me, &command) {
                Ok(replies) => {
                    // Immediate replies go through the mailbox like events; they are built
                    // after the caller's slice, when the atom table is free again.
                    st.outlet_replies.extend(replies);
                    IoReply::Ok
                }
                Err(e) => outlet_error(e),
            }
        }
        IoRequest::OutletClose(id) => match st.outlets.close(platform, OutletId(id), me) {
            Ok(kept) => {
                st.router.remove(Route::Outlet(OutletId(id)));
                if let Some((channel, framing)) = kept {
                    st.pores.keep(channel, framing);
                }
                IoReply::Ok
            }
            Err(e) => outlet_error(e),
        },
    }
}

/// Registers a new outlet, routes its channels to it and answers with its id.
fn opened_outlet<P: Platform>(
    st: &mut State<P>,
    me: u32,
    driver: Box<dyn crate::outlet::Driver<P>>,
) -> IoReply {
    let id = st.outlets.open(me, driver);
    for c in st.outlets.channels(id) {
        st.router.add(c, Route::Outlet(id));
    }
    IoReply::Opened(id.0)
}

/// Routes a new pore's channel to it and answers with its id.
fn opened_pore<P: Platform>(st: &mut State<P>, id: PoreId) -> IoReply {
    if let Some(c) = st.pores.channel(id) {
        st.router.add(c, Route::Pore(id));
    }
    IoReply::Opened(id.to_u64())
}

fn ok_or(r: Result<(), PoreError>) -> IoReply {
    match r {
        Ok(()) => IoReply::Ok,
        Err(e) => pore_error(e),
    }
}

/// Misuse is `badarg`; anything else is `{error, Reason}`.
fn pore_error(e: PoreError) -> IoReply {
    match e {
        PoreError::Closed | PoreError::NotOwner => IoReply::Badarg,
        PoreError::NoRoom { .. } => IoReply::Error("no_room"),
        PoreError::Corrupt(_) => IoReply::Error("corrupt"),
        PoreError::Busy => IoReply::Error("busy"),
        PoreError::Platform(e) => IoReply::Error(platform_reason(e)),
    }
}

fn outlet_error(e: OutletError) -> IoReply {
    match e {
        OutletError::Closed | OutletError::NotOwner | OutletError::BadCommand => IoReply::Badarg,
        OutletError::Busy => IoReply::Error("busy"),
        OutletError::MidMessage => IoReply::Error("mid_message"),
        OutletError::Platform(e) => IoReply::Error(platform_reason(e)),
    }
}

/// The Erlang reason for a platform refusal, in the style of `file` and `gen_tcp` errors.
fn platform_reason(e: PlatformError) -> &'static str {
    match e {
        PlatformError::Exhausted => "system_limit",
        PlatformError::BadChannel(_) => "bad_channel",
        PlatformError::Unsupported => "enotsup",
        PlatformError::Refused(_) => "refused",
    }
}

/// `pore:info/1`'s map: the connection words, and the framing of a Xenstore ring.
fn info_pairs(info: &PoreInfo) -> Vec<(&'static str, u32)> {
    let mut pairs = vec![
        ("server_features", info.server_features),
        ("connection", info.connection),
        ("error", info.error),
    ];
    if let Some((req_left, rsp_skip)) = info.framing {
        pairs.push(("req_left", req_left));
        pairs.push(("rsp_skip", rsp_skip));
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Channel;
    use xenbeam_xenproto::ring::RingCorrupt;

    #[test]
    fn misuse_is_badarg_and_everything_else_an_error_reason() {
        assert_eq!(pore_error(PoreError::Closed), IoReply::Badarg);
        assert_eq!(pore_error(PoreError::NotOwner), IoReply::Badarg);
        assert_eq!(
            pore_error(PoreError::NoRoom { free: 3 }),
            IoReply::Error("no_room")
        );
        let corrupt = RingCorrupt { prod: 9, cons: 0 };
        assert_eq!(
            pore_error(PoreError::Corrupt(corrupt)),
            IoReply::Error("corrupt")
        );
        assert_eq!(pore_error(PoreError::Busy), IoReply::Error("busy"));
        let platform = |e| pore_error(PoreError::Platform(e));
        assert_eq!(
            platform(PlatformError::Exhausted),
            IoReply::Error("system_limit")
        );
        assert_eq!(
            platform(PlatformError::Unsupported),
            IoReply::Error("enotsup")
        );
        assert_eq!(
            platform(PlatformError::BadChannel(Channel(4))),
            IoReply::Error("bad_channel")
        );
        assert_eq!(
            platform(PlatformError::Refused(-1)),
            IoReply::Error("refused")
        );
        assert_eq!(outlet_error(OutletError::BadCommand), IoReply::Badarg);
        assert_eq!(
            outlet_error(OutletError::Platform(PlatformError::Exhausted)),
            IoReply::Error("system_limit")
        );
    }

    #[test]
    fn the_xenstore_ring_is_held_by_the_pore_or_the_outlet_never_both() {
        use crate::outlet::xenstore::Mode;
        use crate::platform::sim::SimPlatform;
        use crate::platform::xenstored::XenstoredConfig;
        use crate::vm::term::Term;
        let a = Term::atom;
        let atoms = super::super::state::NodeAtoms {
            down: a(1),
            process: a(2),
            noproc: a(3),
            kill: a(4),
            killed: a(5),
            timeout: a(6),
            irq: a(7),
            pore: a(8),
            outlet: a(9),
            clock_service: a(10),
            timer_server: a(11),
        };
        let platform = SimPlatform::new();
        platform.attach_xenstored(XenstoredConfig::default());
        let mut st = State::new(atoms);
        let mut req = |r| request(&mut st, &platform, 7, r);
        let IoReply::Opened(pore) = req(IoRequest::PoreOpenXenstore) else {
            panic!()
        };
        let outlet = IoRequest::OutletOpenXenstore;
        assert_eq!(req(outlet(Mode::Async)), IoReply::Error("busy"));
        // The pore leaves a request half written: the outlet cannot start there.
        assert_eq!(req(IoRequest::PoreWrite(pore, &[2, 0, 0])), IoReply::Ok);
        assert_eq!(req(IoRequest::PoreClose(pore)), IoReply::Ok);
        assert_eq!(req(outlet(Mode::Blocking)), IoReply::Error("mid_message"));
        let IoReply::Opened(pore) = req(IoRequest::PoreOpenXenstore) else {
            panic!()
        };
        let rest = [0u8; 13];
        assert_eq!(req(IoRequest::PoreWrite(pore, &rest)), IoReply::Ok);
        assert_eq!(req(IoRequest::PoreClose(pore)), IoReply::Ok);
        let IoReply::Opened(id) = req(outlet(Mode::Blocking)) else {
            panic!()
        };
        assert_eq!(req(IoRequest::PoreOpenXenstore), IoReply::Error("busy"));
        assert_eq!(req(outlet(Mode::Async)), IoReply::Error("busy"));
        assert_eq!(req(IoRequest::OutletClose(id)), IoReply::Ok);
        let IoReply::Opened(pore) = req(IoRequest::PoreOpenXenstore) else {
            panic!()
        };
        let info = req(IoRequest::PoreInfo(pore));
        let IoReply::Info(pairs) = info else { panic!() };
        assert!(pairs.contains(&("req_left", 0)) && pairs.contains(&("rsp_skip", 0)));
        assert_eq!(req(IoRequest::PoreClose(pore)), IoReply::Ok);
        assert!(matches!(req(outlet(Mode::Async)), IoReply::Opened(_)));
    }

    #[test]
    fn info_has_framing_fields_only_when_the_ring_is_framed() {
        let mut info = PoreInfo {
            server_features: 1,
            connection: 0,
            error: 0,
            framing: None,
        };
        let keys = |i: &PoreInfo| {
            info_pairs(i)
                .into_iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&info), ["server_features", "connection", "error"]);
        info.framing = Some((4, 9));
        let pairs = info_pairs(&info);
        assert_eq!(&pairs[3..], [("req_left", 4), ("rsp_skip", 9)]);
    }
}
