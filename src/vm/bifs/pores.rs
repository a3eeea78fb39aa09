//! The `pore` and `outlet` modules: drivers written in Erlang reach pages and event channels.
//!
//! A pore is `{'$pore', Id}` and an outlet `{'$outlet', Id}`. Every operation is checked by
//! the node against the caller: misuse (not the owner, a closed or malformed handle, a bad
//! argument) raises `badarg`; a well-formed request that cannot be done returns
//! `{error, Reason}` (`no_room`, `corrupt`, `busy`, ...; the list is in `crate::sched::io`).
//! Events arrive as messages: `{irq, Pore}` for a pore, `{Outlet, Message}` for an outlet.

use alloc::vec::Vec;
use num_bigint::Sign;

use crate::outlet::xenstore::Mode;
use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::bifs::conv::iolist_chunks;
use crate::vm::ext::to_ext;
use crate::vm::services::{IoReply, IoRequest};
use crate::vm::term::Term;

/// Writes up to this many bytes are gathered in a stack buffer rather than a heap one: twice
/// the Xenstore ring, so that a driver's batch of requests (which fills the ring when many
/// callers wait) and a first try at more than the free space both stay off the heap.
const SMALL_WRITE: usize = 2048;

/// The id inside `{Tag, Id}` when `Tag` is the atom `tag`.
fn handle(ctx: &Ctx, t: Term, tag: Term) -> Result<u64, Fault> {
    match ctx.view().tuple(t) {
        Some([k, id]) if *k == tag => id
            .as_small()
            .filter(|n| *n >= 0)
            .map(|n| n as u64)
            .ok_or_else(badarg),
        _ => Err(badarg()),
    }
}

fn pore(ctx: &Ctx, t: Term) -> Result<u64, Fault> {
    handle(ctx, t, atom::PORE_TAG)
}

fn outlet(ctx: &Ctx, t: Term) -> Result<u64, Fault> {
    handle(ctx, t, atom::OUTLET_TAG)
}

/// Carries out `req` and turns the reply into a term; `tag` names what an `Opened` is.
fn call(ctx: &mut Ctx, req: IoRequest<'_>, tag: Term) -> BifResult {
    let me = ctx.p.pid.pid_number();
    match ctx.node.io_object(me, req).ok_or_else(badarg)? {
        IoReply::Ok => Ok(atom::OK),
        IoReply::Opened(id) => {
            let n = ctx.p.heap.int(id as i64);
            Ok(ctx.p.heap.tuple(&[tag, n]))
        }
        IoReply::Bytes(b) => Ok(ctx.p.heap.binary(b)),
        IoReply::Avail(free, avail) => Ok(ctx
            .p
            .heap
            .tuple(&[Term::small(i64::from(free)), Term::small(i64::from(avail))])),
        IoReply::Count(n) => Ok(Term::small(i64::from(n))),
        IoReply::Info(mut pairs) => {
            // Atom keys in term order are in name order.
            crate::sort::sort_by_key(&mut pairs, |(k, _)| *k);
            let mut entries = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                let key = ctx.atoms.intern(k).map_err(|_| badarg())?;
                entries.push((key, Term::small(i64::from(v))));
            }
            Ok(ctx.p.heap.map_sorted(&entries))
        }
        IoReply::Error(reason) => {
            let reason = ctx.atoms.intern(reason).map_err(|_| badarg())?;
            Ok(ctx.p.heap.tuple(&[atom::ERROR, reason]))
        }
        IoReply::Badarg => Err(badarg()),
    }
}

/// `pore:open_loopback/0`: a page and a loopback channel pair; `poke` raises its own irq.
pub fn open_loopback(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    call(ctx, IoRequest::PoreOpenLoopback, atom::PORE_TAG)
}

/// `pore:open_xenstore/0`: the Xenstore ring page and channel; `{error, busy}` while another
/// pore holds them, `{error, enotsup}` on a machine without Xenstore.
pub fn open_xenstore(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    call(ctx, IoRequest::PoreOpenXenstore, atom::PORE_TAG)
}

/// `pore:write(Pore, IoData)`: all of it into the request ring and `ok`, or `{error, no_room}`
/// (nothing written) when it does not fit; no notification.
pub fn write(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = pore(ctx, a[0])?;
    let v = ctx.view();
    // A driver writes a request per call and most are small: gather those in the frame, in
    // one walk of the iolist; a bigger one moves to the heap when it outgrows the frame.
    let mut small = [0u8; SMALL_WRITE];
    let mut big = Vec::new();
    let mut at = 0;
    iolist_chunks(&v, a[1], |c| {
        if big.is_empty() && at + c.len() <= SMALL_WRITE {
            small[at..at + c.len()].copy_from_slice(c);
        } else {
            if big.is_empty() {
                big.reserve(2 * (at + c.len()));
                big.extend_from_slice(&small[..at]);
            }
            big.extend_from_slice(c);
        }
        at += c.len();
    })
    .ok_or_else(badarg)?;
    let bytes = if big.is_empty() {
        &small[..at]
    } else {
        &big[..]
    };
    call(ctx, IoRequest::PoreWrite(id, bytes), atom::PORE_TAG)
}

/// `pore:read(Pore)`: every reply byte available, as a binary.
pub fn read(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = pore(ctx, a[0])?;
    call(ctx, IoRequest::PoreRead(id), atom::PORE_TAG)
}

/// `pore:avail(Pore)`: `{FreeRequestBytes, AvailableReplyBytes}`.
pub fn avail(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = pore(ctx, a[0])?;
    call(ctx, IoRequest::PoreAvail(id), atom::PORE_TAG)
}

/// `pore:discard(Pore, N)`: consumes up to `N` available reply bytes without returning them;
/// the number consumed.
pub fn discard(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = pore(ctx, a[0])?;
    let n = match a[1].as_small() {
        Some(n) if n >= 0 => u32::try_from(n).unwrap_or(u32::MAX),
        // A non-negative bignum asks for more than any ring holds.
        _ if ctx.view().big(a[1]).is_some_and(|b| b.sign() == Sign::Plus) => u32::MAX,
        _ => return Err(badarg()),
    };
    call(ctx, IoRequest::PoreDiscard(id, n), atom::PORE_TAG)
}

/// `pore:info(Pore)`: `#{server_features, connection, error}` read from the page, plus
/// `req_left` and `rsp_skip` (where the message boundaries are) for the Xenstore ring.
pub fn info(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = pore(ctx, a[0])?;
    call(ctx, IoRequest::PoreInfo(id), atom::PORE_TAG)
}

/// `pore:reconnect(Pore)`: asks the server to reset the rings; `ok`. The reset is done when
/// `connection` in `pore:info/1` is 0 again (an `{irq, Pore}` follows it).
pub fn reconnect(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = pore(ctx, a[0])?;
    call(ctx, IoRequest::PoreReconnect(id), atom::PORE_TAG)
}

/// `pore:poke(Pore)`: notifies the other side.
pub fn poke(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = pore(ctx, a[0])?;
    call(ctx, IoRequest::PorePoke(id), atom::PORE_TAG)
}

/// `pore:close(Pore)`.
pub fn close(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = pore(ctx, a[0])?;
    call(ctx, IoRequest::PoreClose(id), atom::PORE_TAG)
}

/// `outlet:open_loopback/0`: a loopback driver (`ping` makes it send `{event, N}`).
pub fn outlet_open_loopback(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    call(ctx, IoRequest::OutletOpenLoopback, atom::OUTLET_TAG)
}

/// `outlet:open_xenstore(Mode)`: the native Xenstore client over the Xenstore ring, Mode
/// `blocking` or `async` (see `crate::outlet::xenstore`); `{error, busy}` while a pore holds
/// the ring, `{error, mid_message}` when its last user left a request half written.
pub fn outlet_open_xenstore(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mode = match a[0] {
        m if m.is_atom() && ctx.atoms.name(m) == "blocking" => Mode::Blocking,
        m if m.is_atom() && ctx.atoms.name(m) == "async" => Mode::Async,
        _ => return Err(badarg()),
    };
    call(ctx, IoRequest::OutletOpenXenstore(mode), atom::OUTLET_TAG)
}

/// `outlet:command(Outlet, Command)`.
pub fn outlet_command(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = outlet(ctx, a[0])?;
    if !a[1].is_immediate() {
        // A caller that may not use the outlet is refused before a large command is
        // converted (and its working memory charged).
        call(ctx, IoRequest::OutletCheck(id), atom::OUTLET_TAG)?;
    }
    let charge = super::etf::charge_encoding(ctx, a[1])?;
    let cmd = to_ext(&ctx.view(), ctx.atoms, ctx.code, a[1]);
    let reply = call(ctx, IoRequest::OutletCommand(id, cmd), atom::OUTLET_TAG);
    drop(charge);
    reply
}

/// `outlet:close(Outlet)`.
pub fn outlet_close(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = outlet(ctx, a[0])?;
    call(ctx, IoRequest::OutletClose(id), atom::OUTLET_TAG)
}
