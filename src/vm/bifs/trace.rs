//! Tracing BIFs: `erlang:trace/3`, `trace_info/2`, `trace_delivered/1`, and the trace
//! events the process BIFs raise (see [`crate::vm::trace`] for the messages).
//!
//! The caller's own settings are in its [`Process`](crate::vm::process::Process); every
//! other process's are reached through the node ([`Services::tracee`]).
//!
//! [`Services::tracee`]: crate::vm::services::Services::tracee

use alloc::vec::Vec;

use crate::vm::atom;
use crate::vm::bif::{badarg, badarg_cause, BifResult, Ctx, Fault};
use crate::vm::term::Term;
use crate::vm::trace::{self, FlagError, Tracee, FLAG_NAMES};

/// `send`, for the process BIFs.
pub const SEND_FLAG: u32 = trace::SEND;
/// `'receive'`.
pub const RECEIVE_FLAG: u32 = trace::RECEIVE;
/// `procs`.
pub const PROCS_FLAG: u32 = trace::PROCS;

fn me(ctx: &Ctx) -> u32 {
    ctx.p.pid.pid_number()
}

/// The trace settings of process `pid` (`None` when it is not traced or not alive).
pub fn tracee_of(ctx: &Ctx, pid: u32) -> Option<Tracee> {
    if pid == me(ctx) {
        ctx.p.trace
    } else {
        ctx.node.tracee(pid).flatten()
    }
}

fn set_tracee_of(ctx: &mut Ctx, pid: u32, t: Option<Tracee>) {
    if pid == me(ctx) {
        ctx.p.trace = t;
    } else {
        ctx.node.set_tracee(pid, t);
    }
}

/// Raises trace event `tag` of process `pid` if it is traced with any of `flags`, its data
/// read from the caller's heap. A tracer that is gone ends the tracing of `pid`.
pub fn event(ctx: &mut Ctx, pid: u32, flags: u32, tag: Term, data: &[Term]) {
    let Some(t) = tracee_of(ctx, pid) else {
        return;
    };
    // A process that is its own tracer is told nothing (as in erl).
    if !t.has(flags) || t.tracer == pid {
        return;
    }
    let view = ctx.p.heap.view(ctx.lits);
    if !ctx.node.trace_event(t, pid, &view, tag, data) {
        set_tracee_of(ctx, pid, None);
    }
}

/// After the caller sent `msg` to `to` (process `pid`, not itself): `send`, or
/// `send_to_non_existing_process` when no such process lives.
pub fn sent(ctx: &mut Ctx, pid: u32, msg: Term, to: Term) {
    let Some(t) = ctx.p.trace else {
        return;
    };
    if !t.has(trace::SEND) {
        return;
    }
    let tag = if ctx.node.is_alive(pid) {
        atom::SEND
    } else {
        match ctx.atoms.intern("send_to_non_existing_process") {
            Ok(a) => a,
            Err(_) => return,
        }
    };
    event(ctx, me(ctx), trace::SEND, tag, &[msg, to]);
}

/// After the caller spawned `child` (started as `{M, F, Args}` = `mfa`, built in the
/// caller's heap): passes the caller's flags on (`set_on_spawn`, `set_on_first_spawn`) and
/// raises `spawn` in the caller and `spawned` in the child.
pub fn spawned(ctx: &mut Ctx, child: u32, mfa: impl FnOnce(&mut Ctx) -> Term) {
    let parent = me(ctx);
    let mine = ctx.p.trace;
    if let Some(t) = mine {
        let (inherited, kept) = t.on_spawn();
        ctx.p.trace = Some(kept);
        if let Some(i) = inherited {
            ctx.node.set_tracee(child, Some(i));
        }
    }
    let child_traced = ctx.node.tracee(child).flatten();
    let procs = |t: Option<Tracee>| t.is_some_and(|t| t.has(trace::PROCS));
    if !procs(mine) && !procs(child_traced) {
        return;
    }
    let mfa = mfa(ctx);
    event(
        ctx,
        parent,
        trace::PROCS,
        atom::SPAWN,
        &[Term::pid(child), mfa],
    );
    event(
        ctx,
        child,
        trace::PROCS,
        atom::SPAWNED,
        &[Term::pid(parent), mfa],
    );
}

/// After the caller linked to `other`: `set_on_link` flags pass on, `link` in the caller,
/// `getting_linked` in the other.
pub fn linked(ctx: &mut Ctx, other: u32) {
    let me = me(ctx);
    if let Some(t) = ctx.p.trace {
        let (inherited, kept) = t.on_link();
        ctx.p.trace = Some(kept);
        if let Some(i) = inherited {
            ctx.node.set_tracee(other, Some(i));
        }
    }
    event(ctx, me, trace::PROCS, atom::LINK, &[Term::pid(other)]);
    event(
        ctx,
        other,
        trace::PROCS,
        atom::GETTING_LINKED,
        &[Term::pid(me)],
    );
}

/// After the caller unlinked from `other`.
pub fn unlinked(ctx: &mut Ctx, other: u32) {
    let me = me(ctx);
    event(ctx, me, trace::PROCS, atom::UNLINK, &[Term::pid(other)]);
    event(
        ctx,
        other,
        trace::PROCS,
        atom::GETTING_UNLINKED,
        &[Term::pid(me)],
    );
}

/// What a process spec of `trace/3` names.
enum Spec {
    One(u32),
    Existing,
    New,
    Both,
    Ports,
}

fn spec(ctx: &Ctx, t: Term) -> Option<Spec> {
    if t.is_pid() {
        return Some(Spec::One(t.pid_number()));
    }
    if !t.is_atom() {
        return None;
    }
    Some(match ctx.atoms.name(t) {
        "all" | "processes" => Spec::Both,
        "existing" | "existing_processes" => Spec::Existing,
        "new" | "new_processes" => Spec::New,
        "ports" | "existing_ports" | "new_ports" => Spec::Ports,
        _ => return None,
    })
}

/// Changes `current` as `trace/3` does: `how` true adds `flags` with `tracer`, false takes
/// them away (no flags left: not traced). `None` when another live tracer holds it.
fn changed(
    ctx: &Ctx,
    current: Option<Tracee>,
    how: bool,
    flags: u32,
    tracer: u32,
) -> Option<Option<Tracee>> {
    if !how {
        return Some(current.and_then(|c| {
            let left = c.flags & !flags;
            (left != 0).then_some(Tracee { flags: left, ..c })
        }));
    }
    let tracer_alive = |pid| pid == me(ctx) || ctx.node.is_alive(pid);
    match current {
        Some(c) if c.flags != 0 && c.tracer != tracer && tracer_alive(c.tracer) => None,
        Some(c) if c.tracer == tracer => Some(Some(Tracee {
            flags: c.flags | flags,
            tracer,
        })),
        _ => Some(Some(Tracee { flags, tracer })),
    }
}

/// `erlang:trace/3`.
pub fn trace3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let how = match a[1] {
        atom::TRUE => true,
        atom::FALSE => false,
        _ => return Err(badarg()),
    };
    let items = ctx
        .view()
        .list_to_vec(a[2])
        .ok_or_else(|| badarg_cause(atom::BADOPT))?;
    let view = ctx.view();
    let (flags, tracer) = trace::parse_flags(ctx.atoms, &items, |t| match view.tuple(t) {
        Some(&[tag, x]) => Some((tag, x)),
        _ => None,
    })
    .map_err(|e| match e {
        FlagError::Bad => badarg(),
        FlagError::Unknown => badarg_cause(atom::BADOPT),
    })?;
    let tracer = match tracer {
        None => me(ctx),
        Some(t) if t.is_pid() => t.pid_number(),
        Some(_) => return Err(badarg_cause(atom::BADOPT)),
    };
    let which = spec(ctx, a[0]).ok_or_else(badarg)?;
    let mut count = 0usize;
    let (existing, new) = match which {
        Spec::One(pid) => {
            if pid != me(ctx) && !ctx.node.is_alive(pid) {
                return Err(badarg());
            }
            let now = tracee_of(ctx, pid);
            let Some(t) = changed(ctx, now, how, flags, tracer) else {
                ctx.node
                    .emulator_error("** can only have one tracer per process\n");
                return Err(badarg());
            };
            set_tracee_of(ctx, pid, t);
            return Ok(Term::small(1));
        }
        Spec::Ports => return Ok(Term::small(0)),
        Spec::Existing => (true, false),
        Spec::New => (false, true),
        Spec::Both => (true, true),
    };
    if existing {
        let mut pids: Vec<u32> = ctx.node.processes();
        if !pids.contains(&me(ctx)) {
            pids.push(me(ctx));
        }
        for pid in pids {
            // The tracer is not traced by its own `all`, and processes held by another
            // tracer are left as they are.
            if pid == tracer && how {
                continue;
            }
            let now = tracee_of(ctx, pid);
            if let Some(t) = changed(ctx, now, how, flags, tracer) {
                set_tracee_of(ctx, pid, t);
            }
            count += 1;
        }
    }
    if new {
        let now = ctx.node.trace_new(None);
        if let Some(t) = changed(ctx, now, how, flags, tracer) {
            ctx.node.trace_new(Some(t));
        }
    }
    Ok(Term::small(count as i64))
}

/// The list `trace_info(_, flags)` gives for `flags`.
fn flag_list(ctx: &mut Ctx, flags: u32) -> Result<Term, Fault> {
    let mut names = Vec::new();
    for (i, name) in FLAG_NAMES.iter().enumerate() {
        if flags & (1 << i) != 0 {
            names.push(ctx.atoms.intern(name).map_err(|_| badarg())?);
        }
    }
    Ok(ctx.p.heap.list(&names))
}

/// `erlang:trace_info/2` for processes and `new`; for a function `{M, F, A}`, `{Item,
/// false}` when it exists (no call tracing), `{Item, undefined}` when it does not.
pub fn trace_info(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (what, item) = (a[0], a[1]);
    if !item.is_atom() {
        return Err(badarg());
    }
    if let Some(&[m, f, arity]) = ctx.view().tuple(what) {
        if !(m.is_atom() && f.is_atom() && arity.is_small()) {
            return Err(badarg());
        }
        let known = match ctx.code.module_index(m) {
            Some(_) => atom::FALSE,
            None => atom::UNDEFINED,
        };
        return Ok(ctx.p.heap.tuple(&[item, known]));
    }
    let t = if what.is_pid() {
        let pid = what.pid_number();
        if pid != me(ctx) && !ctx.node.is_alive(pid) {
            return Ok(atom::UNDEFINED);
        }
        tracee_of(ctx, pid)
    } else if what.is_atom() && matches!(ctx.atoms.name(what), "new" | "new_processes") {
        ctx.node.trace_new(None)
    } else if what.is_atom() && ctx.atoms.name(what) == "on_load" {
        return Ok(ctx.p.heap.tuple(&[item, atom::FALSE]));
    } else {
        return Err(badarg_cause(atom::BADOPT));
    };
    let value = match item {
        atom::FLAGS => flag_list(ctx, t.map_or(0, |t| t.flags))?,
        atom::TRACER => match t {
            Some(t) if t.flags != 0 => Term::pid(t.tracer),
            _ => Term::NIL,
        },
        _ => return Err(badarg()),
    };
    Ok(ctx.p.heap.tuple(&[item, value]))
}

/// `erlang:trace_delivered/1`: trace messages are delivered as they are made, so the
/// answer `{trace_delivered, Tracee, Ref}` comes at once.
pub fn trace_delivered(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let all = a[0].is_atom() && ctx.atoms.name(a[0]) == "all";
    if !a[0].is_pid() && !all {
        return Err(badarg());
    }
    let n = *ctx.next_ref;
    *ctx.next_ref += 1;
    let r = ctx.p.heap.reference(n);
    let tag = ctx.atoms.intern("trace_delivered").map_err(|_| badarg())?;
    let msg = ctx.p.heap.tuple(&[tag, a[0], r]);
    ctx.p
        .room_for_message()
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    ctx.p.mailbox.push(msg);
    Ok(r)
}
