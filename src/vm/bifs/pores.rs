//! The `pore` and `outlet` modules: drivers written in Erlang reach pages and event channels.
//!
//! A pore is `{'$pore', Id}` and an outlet `{'$outlet', Id}`. Every operation is checked by
//! the node against the caller (only the owner may use one; anyone else, and any closed or
//! malformed handle, gets `badarg`). Events arrive as messages: `{irq, Pore}` for a pore,
//! `{Outlet, Message}` for an outlet.

use alloc::vec::Vec;

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::bifs::conv::iolist_bytes;
use crate::vm::ext::to_ext;
use crate::vm::services::{IoReply, IoRequest};
use crate::vm::term::Term;

/// The id inside `{Tag, Id}` when `Tag` is the atom `tag`.
fn handle(ctx: &Ctx, t: Term, tag: &str) -> Result<u64, Fault> {
    match ctx.view().tuple(t) {
        Some([k, id]) if k.is_atom() && ctx.atoms.name(*k) == tag => id
            .as_small()
            .filter(|n| *n >= 0)
            .map(|n| n as u64)
            .ok_or_else(badarg),
        _ => Err(badarg()),
    }
}

fn pore(ctx: &Ctx, t: Term) -> Result<u64, Fault> {
    handle(ctx, t, "$pore")
}

fn outlet(ctx: &Ctx, t: Term) -> Result<u64, Fault> {
    handle(ctx, t, "$outlet")
}

/// Carries out `req` and turns the reply into a term; `tag` names what an `Opened` is.
fn call(ctx: &mut Ctx, req: IoRequest<'_>, tag: &str) -> BifResult {
    let me = ctx.p.pid.pid_number();
    match ctx.node.io_object(me, req).ok_or_else(badarg)? {
        IoReply::Ok => Ok(atom::OK),
        IoReply::Opened(id) => {
            let tag = ctx.atoms.intern(tag).map_err(|_| badarg())?;
            let n = ctx.p.heap.int(id as i64);
            Ok(ctx.p.heap.tuple(&[tag, n]))
        }
        IoReply::Bytes(b) => Ok(ctx.p.heap.binary(b)),
        IoReply::Avail(free, avail) => Ok(ctx
            .p
            .heap
            .tuple(&[Term::small(i64::from(free)), Term::small(i64::from(avail))])),
        IoReply::Badarg => Err(badarg()),
    }
}

/// `pore:open_loopback/0`: a page and a loopback channel pair; `poke` raises its own irq.
pub fn open_loopback(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    call(ctx, IoRequest::PoreOpenLoopback, "$pore")
}

/// `pore:open_xenstore/0`: the Xenstore ring page and channel.
pub fn open_xenstore(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    call(ctx, IoRequest::PoreOpenXenstore, "$pore")
}

/// `pore:write(Pore, IoData)`: all of it into the request ring, or `badarg` when it does not
/// fit; no notification.
pub fn write(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = pore(ctx, a[0])?;
    let mut bytes = Vec::new();
    iolist_bytes(&ctx.view(), a[1], &mut bytes).ok_or_else(badarg)?;
    call(ctx, IoRequest::PoreWrite(id, &bytes), "$pore")
}

/// `pore:read(Pore)`: every reply byte available, as a binary.
pub fn read(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = pore(ctx, a[0])?;
    call(ctx, IoRequest::PoreRead(id), "$pore")
}

/// `pore:avail(Pore)`: `{FreeRequestBytes, AvailableReplyBytes}`.
pub fn avail(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = pore(ctx, a[0])?;
    call(ctx, IoRequest::PoreAvail(id), "$pore")
}

/// `pore:poke(Pore)`: notifies the other side.
pub fn poke(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = pore(ctx, a[0])?;
    call(ctx, IoRequest::PorePoke(id), "$pore")
}

/// `pore:close(Pore)`.
pub fn close(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = pore(ctx, a[0])?;
    call(ctx, IoRequest::PoreClose(id), "$pore")
}

/// `outlet:open_loopback/0`: a loopback driver (`ping` makes it send `{event, N}`).
pub fn outlet_open_loopback(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    call(ctx, IoRequest::OutletOpenLoopback, "$outlet")
}

/// `outlet:command(Outlet, Command)`.
pub fn outlet_command(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = outlet(ctx, a[0])?;
    let cmd = to_ext(&ctx.view(), ctx.atoms, ctx.code, a[1]);
    call(ctx, IoRequest::OutletCommand(id, cmd), "$outlet")
}

/// `outlet:close(Outlet)`.
pub fn outlet_close(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = outlet(ctx, a[0])?;
    call(ctx, IoRequest::OutletClose(id), "$outlet")
}
