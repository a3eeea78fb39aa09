//! Pores and outlets as processes see them: the `pore` and `outlet` BIF requests, and their
//! events turned into messages.
//!
//! A pore is the term `{'$pore', Id}` and an outlet `{'$outlet', Id}` (Id a number that is
//! never reused for another object). Only the owner may use either; anyone else gets
//! `badarg`. Neither can be linked to or registered (they are not pids), and both close when
//! their owner exits ([`State::terminate`]).
//!
//! Events: a pore's channel firing sends `{irq, Pore}` to its owner (coalesced until the
//! owner next uses the pore); an outlet's messages arrive as `{Outlet, Message}`. Opening
//! either adds its channels to the node's channel router and closing removes them, so an
//! event finds its object with one lookup.

use alloc::boxed::Box;
use alloc::rc::Rc;

use super::router::Route;
use super::state::{Carried, Delivery, State};
use crate::outlet::{Deliveries, Loopback, OutletError, OutletId};
use crate::platform::Platform;
use crate::pore::{Irq, PoreId};
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
    let done = |r: Result<(), ()>| match r {
        Ok(()) => IoReply::Ok,
        Err(()) => IoReply::Badarg,
    };
    match req {
        IoRequest::PoreOpenLoopback => match st.pores.open_loopback(platform, me) {
            Ok(id) => opened_pore(st, id),
            Err(_) => IoReply::Badarg,
        },
        IoRequest::PoreOpenXenstore => match platform.xenstore() {
            Some(ring) => match st.pores.open_xenstore(me, ring) {
                Ok(id) => opened_pore(st, id),
                Err(_) => IoReply::Badarg,
            },
            None => IoReply::Badarg,
        },
        IoRequest::PoreWrite(id, bytes) => {
            done(st.pores.write(pore(id), me, bytes).map_err(|_| ()))
        }
        IoRequest::PoreRead(id) => match st.pores.read(pore(id), me) {
            Ok(b) => IoReply::Bytes(b),
            Err(_) => IoReply::Badarg,
        },
        IoRequest::PoreAvail(id) => match st.pores.avail(pore(id), me) {
            Ok((free, avail)) => IoReply::Avail(free, avail),
            Err(_) => IoReply::Badarg,
        },
        IoRequest::PorePoke(id) => done(st.pores.poke(platform, pore(id), me).map_err(|_| ())),
        IoRequest::PoreClose(id) => {
            let closed = st.pores.close(platform, pore(id), me);
            if closed.is_ok() {
                st.router.remove(Route::Pore(pore(id)));
            }
            done(closed.map_err(|_| ()))
        }
        IoRequest::OutletOpenLoopback => match Loopback::open(platform) {
            Ok(driver) => {
                let id = st.outlets.open(me, Box::new(driver));
                for c in st.outlets.channels(id) {
                    st.router.add(c, Route::Outlet(id));
                }
                IoReply::Opened(id.0)
            }
            Err(_) => IoReply::Badarg,
        },
        IoRequest::OutletCommand(id, command) => {
            match st.outlets.command(platform, OutletId(id), me, &command) {
                Ok(replies) => {
                    // Immediate replies go through the mailbox like events; they are built
                    // after the caller's slice, when the atom table is free again.
                    st.outlet_replies.extend(replies);
                    IoReply::Ok
                }
                Err(OutletError::BadCommand) | Err(_) => IoReply::Badarg,
            }
        }
        IoRequest::OutletClose(id) => {
            let closed = st.outlets.close(platform, OutletId(id), me);
            if closed.is_ok() {
                st.router.remove(Route::Outlet(OutletId(id)));
            }
            done(closed.map_err(|_| ()))
        }
    }
}

/// Routes a new pore's channel to it and answers with its id.
fn opened_pore<P: Platform>(st: &mut State<P>, id: PoreId) -> IoReply {
    if let Some(c) = st.pores.channel(id) {
        st.router.add(c, Route::Pore(id));
    }
    IoReply::Opened(id.to_u64())
}
