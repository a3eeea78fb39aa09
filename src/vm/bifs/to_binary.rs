//! `list_to_binary/1`, `iolist_to_binary/1` and `binary:list_to_bin/1` of a long iolist, a
//! slice at a time (continuations [`trap::LIST_TO_BINARY`], [`trap::IOLIST_TO_BINARY`] and
//! [`trap::BINARY_LIST_TO_BIN`]).
//!
//! An iolist with more than [`STEP`] elements (a binary counts one per [`BYTES_PER_UNIT`]
//! bytes) is walked twice, as the one-go path does: first to check it and count its bytes,
//! then to copy them into a buffer of that size. Each step does about [`STEP`] units of work
//! and traps, so the others run in between, as erl's BIFs trap. The walk's stack of terms
//! still to visit is a list in the trap's arguments, where the collector sees it; the
//! buffer being filled is the process's native trap state ([`Filling`]), charged to the
//! node's memory account while the others run.

#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::trap;
use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::heap::View;
use crate::vm::memory::TempCharge;
use crate::vm::process::SLICE_REDUCTIONS;
use crate::vm::term::Term;

/// Units of work a step does: an element, or [`BYTES_PER_UNIT`] bytes of a binary.
pub const STEP: usize = 1 << 15;

/// Bytes of a binary that cost one unit.
const BYTES_PER_UNIT: usize = 64;

/// The buffer being filled between steps. Until it becomes the binary it is working memory
/// of a call that yields, so it is charged to the node's account meanwhile (as `re:run`'s
/// parked state is): other processes that allocate in between see it.
pub struct Filling {
    /// The bytes so far.
    pub out: Vec<u8>,
    _charge: Option<TempCharge>,
}

impl Filling {
    /// The finished buffer as a binary on the process heap; the charge ends first, as from
    /// then on the heap accounts for the bytes.
    pub fn into_binary(self, ctx: &mut Ctx) -> Term {
        let Filling { out, _charge } = self;
        drop(_charge);
        ctx.p.heap.binary(out)
    }
}

/// How a bounded walk ended.
pub enum Walk {
    /// The whole iolist was visited.
    Done,
    /// An element is not part of an iolist.
    Bad,
    /// The step's work is done; the stack holds what is left.
    Paused,
}

/// Visits the iolist terms on `stack` (the next one last), calling `f` with their bytes in
/// order, for about `budget` units of work.
pub fn walk(v: &View, stack: &mut Vec<Term>, budget: usize, mut f: impl FnMut(&[u8])) -> Walk {
    let mut work = 0;
    while let Some(t) = stack.pop() {
        if work >= budget {
            stack.push(t);
            return Walk::Paused;
        }
        work += 1;
        if t.is_nil() {
            continue;
        }
        if let Some(b) = v.binary(t) {
            if !b.bit_len.is_multiple_of(8) {
                return Walk::Bad;
            }
            work += b.bit_len / 8 / BYTES_PER_UNIT;
            match b.bytes() {
                Some(x) => f(x),
                None => f(&b.to_vec()),
            }
            continue;
        }
        if !t.is_cons() {
            return Walk::Bad;
        }
        let (h, tl) = v.cons(t);
        if !(tl.is_nil() || tl.is_cons() || v.is_binary(tl)) {
            return Walk::Bad;
        }
        stack.push(tl);
        if let Some(c) = h.as_small() {
            if !(0..=255).contains(&c) {
                return Walk::Bad;
            }
            f(&[c as u8]);
        } else if h.is_cons() || h.is_nil() || v.is_binary(h) {
            stack.push(h);
        } else {
            return Walk::Bad;
        }
    }
    Walk::Done
}

/// The stack as a list, the next term first.
fn stack_list(ctx: &mut Ctx, stack: &[Term]) -> Term {
    let mut l = Term::NIL;
    for &t in stack {
        l = ctx.p.heap.cons(t, l);
    }
    l
}

/// The stack of a list made by [`stack_list`].
fn stack_vec(v: &View, mut l: Term) -> Vec<Term> {
    let mut out = Vec::new();
    while l.is_cons() {
        let (h, t) = v.cons(l);
        out.push(h);
        l = t;
    }
    out.reverse();
    out
}

/// Starts a long `list_to_binary/1`, `iolist_to_binary/1` or `binary:list_to_bin/1` (`kind`
/// its continuation) of `list`: traps to the continuation, which counts first.
pub fn start(ctx: &mut Ctx, kind: i64, list: Term) -> BifResult {
    let stack = ctx.p.heap.cons(list, Term::NIL);
    Err(Fault::TrapTo([
        Term::small(kind),
        list,
        stack,
        Term::small(0),
    ]))
}

/// One step: `a[1]` is the iolist given; `a[2]` the walk's stack (a list, the next term
/// first; the iolist itself at the start); `a[3]` the bytes counted so far while counting,
/// `[]` while copying.
pub fn step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let name = match a[0].as_small() {
        Some(trap::LIST_TO_BINARY) => ("erlang", "list_to_binary"),
        Some(trap::BINARY_LIST_TO_BIN) => ("binary", "list_to_bin"),
        _ => ("erlang", "iolist_to_binary"),
    };
    let counting = a[3].is_small();
    let mut stack = stack_vec(&ctx.view(), a[2]);
    let mut fill = if counting {
        None
    } else {
        let st = ctx
            .p
            .trap_state
            .take()
            .and_then(|b| b.downcast::<Filling>().ok());
        Some(st.ok_or_else(badarg)?)
    };
    let mut counted = 0usize;
    let end = {
        let v = ctx.view();
        match &mut fill {
            None => walk(&v, &mut stack, STEP, |c| counted += c.len()),
            Some(f) => walk(&v, &mut stack, STEP, |c| f.out.extend_from_slice(c)),
        }
    };
    ctx.charge(SLICE_REDUCTIONS as usize);
    let kind = a[0];
    match (end, fill) {
        (Walk::Bad, _) => {
            let orig = a[1];
            Err(Fault::trapped_error(ctx, atom::BADARG, name, &[orig]))
        }
        (Walk::Paused, None) => {
            let n = a[3].small_value() as usize + counted;
            let l = stack_list(ctx, &stack);
            Err(Fault::TrapTo([kind, a[1], l, Term::small(n as i64)]))
        }
        (Walk::Done, None) => {
            let n = a[3].small_value() as usize + counted;
            let fill = match filling(ctx, n) {
                Ok(fill) => fill,
                Err(Fault::Raise { reason, .. }) => {
                    let orig = a[1];
                    return Err(Fault::trapped_error(ctx, reason, name, &[orig]));
                }
                Err(f) => return Err(f),
            };
            ctx.p.trap_state = Some(Box::new(fill));
            let l = ctx.p.heap.cons(a[1], Term::NIL);
            Err(Fault::TrapTo([kind, a[1], l, Term::NIL]))
        }
        (Walk::Paused, Some(fill)) => {
            ctx.p.trap_state = Some(fill);
            let l = stack_list(ctx, &stack);
            Err(Fault::TrapTo([kind, a[1], l, Term::NIL]))
        }
        (Walk::Done, Some(fill)) => Ok(fill.into_binary(ctx)),
    }
}

/// An empty buffer for `n` bytes, charged to the node's account; `system_limit` when the
/// node cannot hold them.
pub fn filling(ctx: &Ctx, n: usize) -> Result<Filling, Fault> {
    let out = ctx.output_buffer(n)?;
    let charge = match ctx.p.heap.memory_account() {
        Some(m) => Some(
            m.try_charge_temporary(out.capacity())
                .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?,
        ),
        None => None,
    };
    Ok(Filling {
        out,
        _charge: charge,
    })
}
