//! Tracing BIFs: `erlang:trace/3`, `trace_info/2`, `trace_delivered/1`, and the trace
//! events the process BIFs raise (see [`crate::vm::trace`] for the messages).
//!
//! The caller's own settings are in its [`Process`](crate::vm::process::Process); every
//! other process's are reached through the node ([`Services::tracee`]).
//!
//! [`Services::tracee`]: crate::vm::services::Services::tracee

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;

use crate::vm::atom;
use crate::vm::bif::{badarg, badarg_cause, BifResult, Ctx, Fault};
use crate::vm::code::{Code, CountChange, MetaPoint, TraceHow, TracePoint};
use crate::vm::copy::{try_copy_term, try_room};
use crate::vm::services::CodeChange;
use crate::vm::term::Term;
use crate::vm::trace::{
    self, CallClause, CallSpec, EventPattern, FlagError, Message, Tracee, Verdict, FLAG_NAMES,
};

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
    if !trace::used() {
        return;
    }
    let Some(t) = tracee_of(ctx, pid) else {
        return;
    };
    // A process that is its own tracer is told nothing (as in erl); a silent one nothing of
    // its calls.
    if !t.has(flags) || t.tracer == pid || (flags == trace::CALL && t.has(trace::SILENT)) {
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
    if !trace::ENABLED {
        return;
    }
    // The flag is checked here too, to skip the look-up of `pid` when it is off.
    if !ctx.p.trace.is_some_and(|t| t.has(trace::SEND)) {
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
    sent_as(ctx, tag, msg, to);
}

/// The caller's send event `tag` of `msg` to `to`, as the node's `send` pattern lets it
/// through (the caller is traced with `send`).
pub fn sent_as(ctx: &mut Ctx, tag: Term, msg: Term, to: Term) {
    if !trace::ENABLED {
        return;
    }
    let pattern = ctx.node.event_pattern(false, None);
    let args = [to, msg];
    match verdict(ctx, &pattern, &args) {
        Verdict::Off | Verdict::Unmatched => {}
        Verdict::Plain => event(ctx, me(ctx), trace::SEND, tag, &[msg, to]),
        Verdict::With(x) => event(ctx, me(ctx), trace::SEND, tag, &[msg, to, x]),
    }
}

/// What the node's `'receive'` pattern says of the caller's message `msg` to process
/// `pid` (run here, where the match engine has a process to run in; the node delivers it).
pub fn receive_verdict(ctx: &mut Ctx, pid: u32, msg: Term) -> Verdict {
    if !trace::used() {
        return Verdict::Unmatched;
    }
    let traced = tracee_of(ctx, pid).is_some_and(|t| t.has(trace::RECEIVE));
    if !traced {
        return Verdict::Unmatched;
    }
    let pattern = ctx.node.event_pattern(true, None);
    if !matches!(pattern, EventPattern::Spec(_)) {
        return Verdict::Unmatched;
    }
    let sender = ctx.p.pid;
    // Run as the receiver, whose pid `{self}` gives in erl.
    ctx.p.pid = Term::pid(pid);
    let v = verdict(ctx, &pattern, &[atom::NONODE, sender, msg]);
    ctx.p.pid = sender;
    v
}

/// The `'receive'` events of messages the node delivered to the caller under a match
/// specification (see [`Process::trace_pending`]), as the pattern lets them through now.
///
/// [`Process::trace_pending`]: crate::vm::process::Process::trace_pending
pub fn pending_receives(ctx: &mut Ctx) {
    let pending = core::mem::take(&mut ctx.p.trace_pending);
    let pattern = ctx.node.event_pattern(true, None);
    for [node, sender, msg] in pending {
        match verdict(ctx, &pattern, &[node, sender, msg]) {
            Verdict::Off | Verdict::Unmatched => {}
            Verdict::Plain => event(ctx, me(ctx), trace::RECEIVE, atom::RECEIVE, &[msg]),
            Verdict::With(x) => event(ctx, me(ctx), trace::RECEIVE, atom::RECEIVE, &[msg, x]),
        }
    }
}

/// Runs `pattern` on the event's `args` (read from the caller's heap): whether it makes a
/// trace message, and what term it adds (built on the caller's heap).
fn verdict(ctx: &mut Ctx, pattern: &EventPattern, args: &[Term]) -> Verdict {
    match pattern {
        EventPattern::All => Verdict::Plain,
        EventPattern::Off => Verdict::Off,
        EventPattern::Spec(spec) => {
            let list = ctx.p.heap.list(args);
            let c = spec.clauses.first();
            let mut run = c.and_then(|c| run_clause(ctx, spec, c, list, false));
            if c.is_some_and(|c| c.display > 0) {
                // `{Result, Shown}`: the terms of `display` actions go out first.
                let v = ctx.view();
                let pair = run.and_then(|r| v.tuple(r)).map(<[Term]>::to_vec);
                run = pair.as_ref().map(|p| p[0]);
                let shown = pair.and_then(|p| v.list_to_vec(p[1])).unwrap_or_default();
                for x in shown {
                    show(ctx, x);
                }
            }
            match run {
                None | Some(atom::FALSE) => Verdict::Off,
                Some(atom::TRUE) => Verdict::Plain,
                Some(x) => Verdict::With(x),
            }
        }
    }
}

/// After the caller spawned `child` (started as `{M, F, Args}` = `mfa`, built in the
/// caller's heap): passes the caller's flags on (`set_on_spawn`, `set_on_first_spawn`) and
/// raises `spawn` in the caller and `spawned` in the child.
pub fn spawned(ctx: &mut Ctx, child: u32, mfa: impl FnOnce(&mut Ctx) -> Term) {
    if !trace::used() {
        return;
    }
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
    if !trace::used() {
        return;
    }
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
    if !trace::used() {
        return;
    }
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
    // The flag list is checked first, as erl checks it.
    let items = ctx
        .view()
        .list_to_vec(a[2])
        .ok_or_else(|| badarg_cause(atom::BADOPT))?;
    let how = match a[1] {
        atom::TRUE => true,
        atom::FALSE => false,
        _ => return Err(badarg()),
    };
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
    if how {
        trace::note_used();
    }
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
        return function_info(ctx, (m, f, arity.as_small().unwrap_or(-1)), item);
    }
    if what == atom::SEND || what == atom::RECEIVE {
        return event_info(ctx, what == atom::RECEIVE, item);
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
        // Whether modules loaded from now on are counted or timed.
        let value = match ctx.atoms.name(item) {
            "call_count" if ctx.code.count_on_load => atom::TRUE,
            "call_time" if ctx.code.time_on_load => atom::TRUE,
            _ => atom::FALSE,
        };
        return Ok(ctx.p.heap.tuple(&[item, value]));
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

/// `trace_info/2` of function `{M, F, A}`.
fn function_info(ctx: &mut Ctx, (m, f, a): (Term, Term, i64), item: Term) -> BifResult {
    let code = ctx.code;
    let index = code.module_index(m);
    let fi = index.and_then(|i| {
        code.modules[i as usize]
            .functions
            .iter()
            .find(|fi| fi.name == f && fi.arity as i64 == a)
    });
    let (Some(index), Some(fi)) = (index, fi) else {
        return Ok(ctx.p.heap.tuple(&[item, atom::UNDEFINED]));
    };
    let point = code
        .trace
        .iter()
        .flatten()
        .find(|t| t.module == index && t.entry == fi.start + 1);
    let traced = match point.map(|t| &t.how) {
        Some(TraceHow::Local(_)) => ctx.atoms.intern("local").map_err(|_| badarg())?,
        Some(TraceHow::Global(_)) => atom::GLOBAL,
        None => atom::FALSE,
    };
    let spec = match point {
        Some(t) => try_copy_term(&t.spec.heap.view(ctx.lits), &mut ctx.p.heap, t.spec.source)
            .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?,
        None => atom::FALSE,
    };
    let metaed = code.meta_of(index, fi.start + 1);
    let (meta, meta_spec) = match metaed {
        Some(t) => (
            Term::pid(t.tracer),
            try_copy_term(&t.spec.heap.view(ctx.lits), &mut ctx.p.heap, t.spec.source)
                .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?,
        ),
        None => (atom::FALSE, atom::FALSE),
    };
    let counted = code.count_of(index, fi.start + 1);
    let calls = match counted {
        Some(n) => ctx.p.heap.int(n as i64),
        None => atom::FALSE,
    };
    let timed = code.time_of(index, fi.start + 1);
    let times = match timed {
        Some(t) => time_list(ctx, t)?,
        None => atom::FALSE,
    };
    let value = match ctx.atoms.name(item) {
        "traced" => traced,
        "match_spec" => spec,
        "call_count" => calls,
        "call_time" => times,
        // erl's `[]` for a function with a call-trace pattern and no meta one.
        "meta" if metaed.is_none() && point.is_some() => Term::NIL,
        "meta" => meta,
        "meta_match_spec" => meta_spec,
        "all" if point.is_some() || counted.is_some() || timed.is_some() || metaed.is_some() => {
            let mut items = Vec::new();
            for (name, v) in [
                ("traced", traced),
                ("match_spec", spec),
                ("meta", meta),
                ("meta_match_spec", meta_spec),
                ("call_time", times),
                ("call_count", calls),
            ] {
                let k = ctx.atoms.intern(name).map_err(|_| badarg())?;
                items.push(ctx.p.heap.tuple(&[k, v]));
            }
            ctx.p.heap.list(&items)
        }
        _ => atom::FALSE,
    };
    Ok(ctx.p.heap.tuple(&[item, value]))
}

/// The `[{Pid, Count, S, Us}]` of a timed function, per process (the time in
/// microseconds, cut down as erl does).
fn time_list(ctx: &mut Ctx, t: &crate::vm::calltime::TimePoint) -> BifResult {
    let figures = t.figures();
    try_room(&mut ctx.p.heap, figures.len() * 16 + 2)
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    let mut items = Vec::with_capacity(figures.len());
    for (pid, calls, nanos) in figures {
        let us = nanos / 1000;
        let calls = ctx.p.heap.int(calls as i64);
        let (s, us) = (
            ctx.p.heap.int((us / 1_000_000) as i64),
            Term::small((us % 1_000_000) as i64),
        );
        items.push(ctx.p.heap.tuple(&[Term::pid(pid), calls, s, us]));
    }
    Ok(ctx.p.heap.list(&items))
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

/// A function `trace_pattern/3` gives a pattern to (or takes it from).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceTarget {
    /// Module index.
    pub module: u32,
    /// Entry instruction.
    pub entry: u32,
    /// `{M, F, A}`.
    pub mfa: (Term, Term, u32),
    /// For a global pattern, the export entry whose calls are traced.
    pub export: Option<u32>,
}

/// The functions of loaded modules `{M, F, A}` names (`None` for `'_'`): every function for
/// a local pattern, the exported ones for a global one.
fn targets(
    code: &Code,
    m: Option<Term>,
    f: Option<Term>,
    a: Option<u32>,
    local: bool,
) -> Vec<TraceTarget> {
    let mut out = Vec::new();
    let modules: Vec<u32> = match m {
        Some(name) => code.module_index(name).into_iter().collect(),
        // Module 0 holds the node's own stubs, not a program's functions.
        None => code
            .by_name
            .iter()
            .map(|(_, i)| i)
            .filter(|&i| i != 0)
            .collect(),
    };
    for index in modules {
        let module = &code.modules[index as usize];
        for fi in &module.functions {
            if f.is_some_and(|f| f != fi.name) || a.is_some_and(|a| a != fi.arity) {
                continue;
            }
            let mfa = (module.name, fi.name, fi.arity);
            let export = if local {
                None
            } else {
                match code.find_export(module.name, fi.name, fi.arity) {
                    Some(e) if module.exports.contains(&(fi.name, fi.arity)) => Some(e),
                    _ => continue,
                }
            };
            out.push(TraceTarget {
                module: index,
                entry: fi.start + 1,
                mfa,
                export,
            });
        }
    }
    out
}

/// A match specification for calls, as [`CallSpec`] keeps it: heads and guards copied to
/// its heap (to be run by ETS's engine), the actions understood here.
fn call_spec(ctx: &mut Ctx, spec: Term) -> Result<CallSpec, Fault> {
    let konst = ctx.atoms.intern("const").map_err(|_| badarg())?;
    let ctx = &*ctx;
    let v = ctx.view();
    let bad = || badarg_cause(atom::MATCH_SPEC);
    let no_room = |_| Fault::error(atom::SYSTEM_LIMIT);
    let items = v.list_to_vec(spec).ok_or_else(bad)?;
    let mut out = CallSpec::every_call();
    out.clauses.clear();
    out.source = try_copy_term(&v, &mut out.heap, spec).map_err(no_room)?;
    let underscore = ctx.atoms.lookup("_");
    for item in items {
        let Some(&[head, guards, body]) = v.tuple(item) else {
            return Err(bad());
        };
        let guard_list = v.list_to_vec(guards).ok_or_else(bad)?;
        let actions = v.list_to_vec(body).ok_or_else(bad)?;
        let (mut return_trace, mut exception_trace, mut message) = (false, false, Message::Plain);
        // The message's term when it is evaluated, the terms `display` shows, `silent`.
        let (mut evaluated, mut shows, mut silent) = (None, Vec::new(), None);
        let (mut off, mut on) = (0, 0);
        for act in actions {
            let items = match v.tuple(act) {
                Some(x) if !x.is_empty() && x[0].is_atom() => x,
                // A constant or a variable (`fun2ms`'s `true`): evaluated to nothing.
                None if act.is_immediate() => continue,
                _ => return Err(bad()),
            };
            let key = (ctx.atoms.name(items[0]), items.len());
            let action = CALL_ACTIONS
                .iter()
                .position(|&a| a == key)
                .ok_or_else(bad)?;
            let arg = items.get(1).copied().unwrap_or(atom::TRUE);
            match action {
                0 => return_trace = true,
                1 => (return_trace, exception_trace) = (true, true),
                2 => {
                    message = call_message(ctx, arg, &mut out.heap)?;
                    evaluated = Some(arg);
                }
                3 => shows.push(arg),
                // Any other term leaves the flag as it is.
                4 => {
                    silent = [atom::TRUE, atom::FALSE]
                        .contains(&arg)
                        .then_some(arg == atom::TRUE)
                }
                5 => on |= flag_bits(ctx, &[arg]),
                6 => off |= flag_bits(ctx, &[arg]),
                _ => {
                    let list = |t| v.list_to_vec(t).ok_or_else(bad);
                    off |= flag_bits(ctx, &list(arg)?);
                    on |= flag_bits(ctx, &list(items[2])?);
                }
            }
        }
        if message != Message::Eval {
            evaluated = None;
        }
        let display = u8::try_from(shows.len()).map_err(|_| bad())?;
        let mut names_caller = false;
        let any =
            (Some(head) == underscore || v.list_to_vec(head).is_some()) && guard_list.is_empty();
        let any = any
            && evaluated.is_none()
            && shows.is_empty()
            && (Some(head) == underscore
                || v.list_to_vec(head)
                    .is_some_and(|h| h.iter().all(|&t| Some(t) == underscore)));
        let test = if any {
            None
        } else if !cfg!(any(feature = "ets", not(target_os = "none"))) {
            // Heads and guards are run by ETS's match engine, which this image lacks.
            return Err(bad());
        } else if Some(head) != underscore && v.list_to_vec(head).is_none() {
            return Err(bad());
        } else {
            let heap = &mut out.heap;
            let h = try_copy_term(&v, heap, head).map_err(no_room)?;
            let g = try_copy_term(&v, heap, guards).map_err(no_room)?;
            // The body: `true`, or one tuple of the evaluated message (`true` without one)
            // and the terms to display (`{{M, D1, ...}}` builds it).
            let mut parts = Vec::with_capacity(shows.len() + 1);
            parts.push(match evaluated {
                Some(t) => try_copy_term(&v, heap, t).map_err(no_room)?,
                None => atom::TRUE,
            });
            for t in shows {
                parts.push(try_copy_term(&v, heap, t).map_err(no_room)?);
            }
            try_room(heap, parts.len() + 16).map_err(no_room)?;
            let result = match (evaluated, display) {
                (None, 0) => atom::TRUE,
                _ => {
                    let inner = heap.tuple(&parts);
                    heap.tuple(&[inner])
                }
            };
            let body = heap.list(&[result]);
            let clause = heap.tuple(&[h, g, body]);
            let test = heap.list(&[clause]);
            // Checked with `{caller}` as a constant: the match engine knows no such function.
            let checked = match ctx.atoms.lookup("caller") {
                Some(c) => put_caller(heap, ctx.lits, [c, konst], test, atom::UNDEFINED),
                None => test,
            };
            names_caller = checked != test;
            if !compiles(&heap.view(ctx.lits), ctx.atoms, checked) {
                return Err(bad());
            }
            Some(test)
        };
        out.clauses.push(CallClause {
            test,
            return_trace,
            exception_trace,
            message,
            silent,
            display,
            caller: names_caller,
            flags: (off, on),
        });
    }
    Ok(out)
}

/// The actions of call patterns, by name and size (`{return_trace}`, `{message, X}`,
/// `{trace, Off, On}`, ...).
const CALL_ACTIONS: [(&str, usize); 8] = [
    ("return_trace", 1),
    ("exception_trace", 1),
    ("message", 2),
    ("display", 2),
    ("silent", 2),
    ("enable_trace", 2),
    ("disable_trace", 2),
    ("trace", 3),
];

/// The trace flag bits named by `names` (as in erl, a name that is no flag changes nothing).
fn flag_bits(ctx: &Ctx, names: &[Term]) -> u32 {
    names.iter().fold(0, |bits, &n| {
        let name = n.is_atom().then(|| ctx.atoms.name(n));
        match trace::FLAG_NAMES.iter().position(|&f| Some(f) == name) {
            Some(i) => bits | 1 << i,
            None => bits,
        }
    })
}

/// `t` (in `heap`) with each `{caller}` in it replaced by `{const, Caller}` (`names`: the
/// atoms `caller` and `const`); `t` itself when it has none.
fn put_caller(
    heap: &mut crate::vm::heap::Heap,
    lits: &crate::vm::literals::Literals,
    names: [Term; 2],
    t: Term,
    caller: Term,
) -> Term {
    let (items, tuple) = {
        let v = heap.view(lits);
        match (v.tuple(t), v.list_to_vec(t)) {
            (Some(x), _) => (x.to_vec(), true),
            (None, Some(x)) => (x, false),
            (None, None) => return t,
        }
    };
    let new: Vec<Term> = match tuple && items == [names[0]] {
        true => alloc::vec![names[1], caller],
        false => items
            .iter()
            .map(|&x| put_caller(heap, lits, names, x, caller))
            .collect(),
    };
    if new == items || try_room(heap, 2 * new.len() + 1).is_err() {
        return t;
    }
    match tuple {
        true => heap.tuple(&new),
        false => heap.list(&new),
    }
}

/// What `{message, Arg}` in a call pattern says (constants go to `heap`): `false` none,
/// `true` the usual message, `{caller}` and `{{Tag, {caller}}}` the caller, a constant
/// (an immediate that is no variable, or `{const, T}`) itself; anything else (variables,
/// expressions, terms built of them) is evaluated when the clause matches.
fn call_message(ctx: &Ctx, arg: Term, heap: &mut crate::vm::heap::Heap) -> Result<Message, Fault> {
    let v = ctx.view();
    let no_room = |_| Fault::error(atom::SYSTEM_LIMIT);
    let is_caller = |t: Term| {
        v.tuple(t)
            .is_some_and(|z| z.len() == 1 && z[0].is_atom() && ctx.atoms.name(z[0]) == "caller")
    };
    let variable = |t: Term| t.is_atom() && ctx.atoms.name(t).starts_with('$');
    Ok(match arg {
        atom::FALSE => Message::Off,
        atom::TRUE => Message::Plain,
        t if is_caller(t) => Message::Caller,
        // `{{Tag, {caller}}}`: a tuple of an atom and the caller.
        t if v.tuple(t).is_some_and(|x| {
            x.len() == 1
                && v.tuple(x[0]).is_some_and(|y| {
                    y.len() == 2 && y[0].is_atom() && !variable(y[0]) && is_caller(y[1])
                })
        }) =>
        {
            let tag = v
                .tuple(t)
                .and_then(|x| v.tuple(x[0]))
                .map_or(atom::UNDEFINED, |y| y[0]);
            Message::TaggedCaller(tag)
        }
        t if t.is_immediate() && !variable(t) => {
            Message::With(try_copy_term(&v, heap, t).map_err(no_room)?)
        }
        t => match v.tuple(t) {
            Some(&[c, x]) if c.is_atom() && ctx.atoms.name(c) == "const" => {
                Message::With(try_copy_term(&v, heap, x).map_err(no_room)?)
            }
            _ => Message::Eval,
        },
    })
}

/// `erlang:trace_pattern/2`.
pub fn trace_pattern2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    trace_pattern_with(ctx, a[0], a[1], Term::NIL, 2)
}

/// `erlang:trace_pattern/3`: `global` (the default) and `local` call-trace patterns, with
/// `true`, `[]`, `false` or a match specification whose actions are `return_trace`,
/// `exception_trace`, `message`, `display` and `silent`.
pub fn trace_pattern3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    trace_pattern_with(ctx, a[0], a[1], a[2], 3)
}

fn trace_pattern_with(ctx: &mut Ctx, mfa: Term, spec: Term, flags: Term, _n: u32) -> BifResult {
    if mfa == atom::SEND || mfa == atom::RECEIVE {
        return event_pattern(ctx, mfa == atom::RECEIVE, spec, flags);
    }
    let v = ctx.view();
    let badopt = || badarg_cause(atom::BADOPT);
    let flags = v.list_to_vec(flags).ok_or_else(badopt)?;
    let mut local = None;
    let (mut count, mut time) = (false, false);
    // `meta` or `{meta, Pid}`: the meta tracer's pid number.
    let mut meta = None;
    let is_meta = |t: Term| t.is_atom() && ctx.atoms.name(t) == "meta";
    for f in flags {
        if is_meta(f) {
            meta = Some(me(ctx));
            continue;
        }
        if let Some(&[tag, pid]) = v.tuple(f) {
            if is_meta(tag) && pid.is_pid() {
                meta = Some(pid.pid_number());
                continue;
            }
            // `{meta, Module, State}` (a tracer module) is not here.
            return Err(badopt());
        }
        let l = match (f.is_atom(), f.is_atom().then(|| ctx.atoms.name(f))) {
            (true, Some("global")) => false,
            (true, Some("local")) => true,
            (true, Some("call_count")) => {
                count = true;
                continue;
            }
            (true, Some("call_time")) => {
                time = true;
                continue;
            }
            // meta, call_memory: not here.
            _ => return Err(badopt()),
        };
        if local.is_some_and(|was| was != l) {
            return Err(badopt());
        }
        local = Some(l);
    }
    // Counting and timing cover every call: erl refuses `global` beside them.
    if (count || time) && local == Some(false) {
        return Err(badopt());
    }
    // A meta pattern goes with local patterns, counting and timing, not with `global`.
    if meta.is_some() && local == Some(false) {
        return Err(badopt());
    }
    let also_local = local == Some(true);
    let local = local.unwrap_or(false);
    let underscore = ctx.atoms.lookup("_");
    let wild = |t: Term| Some(t) == underscore;
    let none = || badarg_cause(atom::NONE_ATOM);
    let change = match (count || time, spec) {
        (false, _) => None,
        (true, atom::TRUE | Term::NIL) => Some(CountChange::Start),
        // Beside a meta pattern, a match specification is the meta pattern's; the
        // counting starts (erl's).
        (true, s) if s.is_cons() && meta.is_some() => Some(CountChange::Start),
        (true, atom::FALSE) => Some(CountChange::Stop),
        (true, s) if s.is_atom() && ctx.atoms.name(s) == "pause" => Some(CountChange::Pause),
        (true, s) if s.is_atom() && ctx.atoms.name(s) == "restart" => Some(CountChange::Restart),
        // erl names the counting as the cause of a match specification here.
        (true, s) if s.is_cons() => {
            let cause = ctx.atoms.intern("call_count").map_err(|_| badarg())?;
            return Err(badarg_cause(cause));
        }
        (true, _) => return Err(badarg_cause(atom::MATCH_SPEC)),
    };
    if let Some(change) = change {
        if mfa.is_atom() && ctx.atoms.name(mfa) == "on_load" {
            if meta.is_some() {
                return Err(badopt());
            }
            let on = match change {
                CountChange::Start => Some(true),
                CountChange::Stop => Some(false),
                _ => None,
            };
            let change = CountChange::Pause;
            let change = CodeChange::CountPattern {
                targets: Vec::new(),
                change,
                on_load: on,
                count,
                time,
                local: None,
            };
            return super::codeload::ask_with(ctx, change, atom::UNDEFINED, Term::small(0));
        }
    }
    let Some(&[m, f, arity]) = v.tuple(mfa) else {
        // `on_load` with a local call-trace pattern: modules loaded from now on get it.
        if mfa.is_atom() && ctx.atoms.name(mfa) == "on_load" && also_local && meta.is_none() {
            let spec = match spec {
                atom::TRUE | Term::NIL => Some(Rc::new(CallSpec::every_call())),
                atom::FALSE => None,
                s if s.is_cons() => Some(Rc::new(call_spec(ctx, s)?)),
                _ => return Err(badarg_cause(atom::MATCH_SPEC)),
            };
            let change = CodeChange::TracePattern {
                targets: Vec::new(),
                spec,
                on_load: true,
            };
            return super::codeload::ask_with(ctx, change, atom::UNDEFINED, Term::small(0));
        }
        return Err(none());
    };
    // A name, or `'_'` for any.
    let name_or_any = |t: Term| match t {
        t if wild(t) => Ok(None),
        t if t.is_atom() => Ok(Some(t)),
        _ => Err(none()),
    };
    let (m, f) = (name_or_any(m)?, name_or_any(f)?);
    let a = if wild(arity) {
        None
    } else {
        match arity.as_small() {
            Some(n) if (0..=255).contains(&n) => Some(n as u32),
            _ => return Err(none()),
        }
    };
    if (m.is_none() && f.is_some()) || (f.is_none() && a.is_some()) {
        return Err(none());
    }
    if let Some(change) = change {
        // Counts are kept for every call, local or not.
        let found = targets(ctx.code, m, f, a, true);
        let n = Term::small(found.len() as i64);
        // With `local` beside, the functions get a local call-trace pattern too (erl's).
        let local = match change {
            _ if !also_local => None,
            CountChange::Start => Some(Some(Rc::new(CallSpec::every_call()))),
            CountChange::Stop => Some(None),
            CountChange::Pause | CountChange::Restart => None,
        };
        let local = match (local, spec) {
            // A local pattern beside a meta pattern takes its match specification.
            (Some(Some(_)), s) if s.is_cons() => Some(Some(Rc::new(call_spec(ctx, s)?))),
            (local, _) => local,
        };
        let change = CodeChange::CountPattern {
            targets: found,
            change,
            on_load: None,
            count,
            time,
            local,
        };
        return match meta {
            Some(tracer) => meta_pattern(ctx, (m, f, a), spec, tracer, Some(change)),
            None => super::codeload::ask_with(ctx, change, atom::UNDEFINED, n),
        };
    }
    if let Some(tracer) = meta {
        // With `local` beside: the functions get a local call-trace pattern too.
        let also = match (also_local, spec) {
            (false, _) => None,
            (true, atom::TRUE | Term::NIL) => Some(Some(Rc::new(CallSpec::every_call()))),
            (true, atom::FALSE) => Some(None),
            (true, s) if s.is_cons() => Some(Some(Rc::new(call_spec(ctx, s)?))),
            (true, _) => None,
        };
        let also = also.map(|spec| CodeChange::TracePattern {
            targets: targets(ctx.code, m, f, a, true),
            spec,
            on_load: false,
        });
        return meta_pattern(ctx, (m, f, a), spec, tracer, also);
    }
    let spec = match spec {
        atom::TRUE | Term::NIL => Some(Rc::new(CallSpec::every_call())),
        atom::FALSE => None,
        s if s.is_cons() => Some(Rc::new(call_spec(ctx, s)?)),
        // restart, pause (for call counts): not here.
        _ => return Err(badarg_cause(atom::MATCH_SPEC)),
    };
    let found = targets(ctx.code, m, f, a, local);
    let count = Term::small(found.len() as i64);
    let change = CodeChange::TracePattern {
        targets: found,
        spec,
        on_load: false,
    };
    super::codeload::ask_with(ctx, change, atom::UNDEFINED, count)
}

/// `trace_pattern(MFA, Spec, [meta | {meta, Tracer}])`: the functions (local calls too)
/// get a meta pattern to `tracer`, or lose theirs for `false`; `pause` and `restart`
/// leave it as it is (they are for counting and timing). `then`: the change the other
/// flags make to the same functions (counting, timing, a local pattern).
fn meta_pattern(
    ctx: &mut Ctx,
    (m, f, a): (Option<Term>, Option<Term>, Option<u32>),
    spec: Term,
    tracer: u32,
    then: Option<CodeChange>,
) -> BifResult {
    let spec = match spec {
        atom::TRUE | Term::NIL => Some(Some(Rc::new(CallSpec::every_call()))),
        atom::FALSE => Some(None),
        s if s.is_cons() => Some(Some(Rc::new(call_spec(ctx, s)?))),
        s if s.is_atom() && matches!(ctx.atoms.name(s), "pause" | "restart") => None,
        _ => return Err(badarg_cause(atom::MATCH_SPEC)),
    };
    let found = targets(ctx.code, m, f, a, true);
    let count = Term::small(found.len() as i64);
    let change = match spec {
        Some(spec) => CodeChange::MetaPattern {
            targets: found,
            spec,
            tracer,
            then: then.map(Box::new),
        },
        None => match then {
            Some(then) => then,
            None => return Ok(count),
        },
    };
    super::codeload::ask_with(ctx, change, atom::UNDEFINED, count)
}

/// Runs clause `c` of a call or event pattern on `args` (a list on the caller's heap):
/// the result its matching clause gives, `None` when none matches.
/// A `{caller}` in the clause is the calling function, `undefined` in a test (`in_test`).
#[cfg(any(feature = "ets", not(target_os = "none")))]
fn run_clause(
    ctx: &mut Ctx,
    spec: &CallSpec,
    c: &CallClause,
    args: Term,
    in_test: bool,
) -> Option<Term> {
    use crate::vm::ets::matchspec::{run_term, MatchSpec};
    let Some(test) = c.test else {
        return Some(atom::TRUE);
    };
    let mut t = try_copy_term(&spec.heap.view(ctx.lits), &mut ctx.p.heap, test).ok()?;
    if c.caller {
        let who = match in_test {
            true => atom::UNDEFINED,
            false => caller(ctx),
        };
        let names = [ctx.atoms.intern("caller"), ctx.atoms.intern("const")];
        let [Ok(c), Ok(k)] = names else {
            return None;
        };
        t = put_caller(&mut ctx.p.heap, ctx.lits, [c, k], t, who);
    }
    let ms = MatchSpec::compile(&ctx.p.heap.view(ctx.lits), ctx.atoms, t).ok()?;
    run_term(ctx, &ms, args)
}

#[cfg(not(any(feature = "ets", not(target_os = "none"))))]
fn run_clause(_: &mut Ctx, _: &CallSpec, c: &CallClause, _: Term, _: bool) -> Option<Term> {
    c.test.is_none().then_some(atom::TRUE)
}

/// Whether match specification `ms` (read through `v`) is one ETS's engine takes.
#[cfg(any(feature = "ets", not(target_os = "none")))]
fn compiles(v: &crate::vm::heap::View, atoms: &crate::vm::atom::AtomTable, ms: Term) -> bool {
    crate::vm::ets::matchspec::MatchSpec::compile(v, atoms, ms).is_ok()
}

#[cfg(not(any(feature = "ets", not(target_os = "none"))))]
fn compiles(_: &crate::vm::heap::View, _: &crate::vm::atom::AtomTable, _: Term) -> bool {
    false
}

/// A match specification of `send` or `'receive'` events as [`EventPattern::Spec`] keeps
/// it. The actions: `{message, X}` (`X` `false`, `true`, or a term or variable to add;
/// `{caller}` is refused, as in erl), `{display, X}` (its one clause's test then gives
/// `{Result, Shown}`, marked by [`CallClause::display`]), and `return_trace`,
/// `exception_trace` and `silent`, which erl takes and which change nothing here.
fn event_spec(ctx: &mut Ctx, spec: Term) -> Result<CallSpec, Fault> {
    let bad = || badarg_cause(atom::MATCH_SPEC);
    let no_room = |_| Fault::error(atom::SYSTEM_LIMIT);
    let v = ctx.view();
    let items = v.list_to_vec(spec).ok_or_else(bad)?;
    let mut clauses = Vec::with_capacity(items.len());
    for item in items {
        let Some(&[head, guards, body]) = v.tuple(item) else {
            return Err(bad());
        };
        v.list_len(guards).ok_or_else(bad)?;
        let (mut result, mut shows) = (atom::TRUE, Vec::new());
        for act in v.list_to_vec(body).ok_or_else(bad)? {
            let name = match v.tuple(act) {
                Some(t) if !t.is_empty() && t[0].is_atom() => (ctx.atoms.name(t[0]), t.len()),
                _ => return Err(bad()),
            };
            if name == ("display", 2) {
                shows.push(v.tuple(act).map_or(atom::TRUE, |t| t[1]));
            }
            match name {
                ("message", 2) => {
                    let arg = v.tuple(act).map_or(atom::TRUE, |t| t[1]);
                    let caller = v.tuple(arg).is_some_and(|x| {
                        x.len() == 1 && x[0].is_atom() && ctx.atoms.name(x[0]) == "caller"
                    });
                    if caller {
                        return Err(bad());
                    }
                    result = arg;
                }
                ("return_trace" | "exception_trace", 1) | ("display" | "silent", 2) => {}
                _ => return Err(bad()),
            }
        }
        clauses.push((head, guards, result, shows));
    }
    // With `display` actions, every body builds `{Result, Shown}` (`{{R, [D, ...]}}`).
    let shows = clauses.iter().any(|c| !c.3.is_empty());
    // The test, on the caller's heap to be checked, then in the pattern's own.
    let words: usize = clauses.iter().map(|c| 2 * c.3.len() + 24).sum();
    try_room(&mut ctx.p.heap, words + 16).map_err(no_room)?;
    let mut tests = Vec::with_capacity(clauses.len());
    for (head, guards, mut result, shown) in clauses {
        if shows {
            let shown = ctx.p.heap.list(&shown);
            let pair = ctx.p.heap.tuple(&[result, shown]);
            result = ctx.p.heap.tuple(&[pair]);
        }
        let body = ctx.p.heap.list(&[result]);
        tests.push(ctx.p.heap.tuple(&[head, guards, body]));
    }
    let test = ctx.p.heap.list(&tests);
    if !compiles(&ctx.view(), ctx.atoms, test) {
        return Err(bad());
    }
    let mut out = CallSpec::every_call();
    let v = ctx.view();
    out.source = try_copy_term(&v, &mut out.heap, spec).map_err(no_room)?;
    out.clauses[0].test = Some(try_copy_term(&v, &mut out.heap, test).map_err(no_room)?);
    out.clauses[0].display = u8::from(shows);
    Ok(out)
}

/// `trace_pattern(send | 'receive', Spec, Flags)`: the node's pattern of those events.
fn event_pattern(ctx: &mut Ctx, receive: bool, spec: Term, flags: Term) -> BifResult {
    let none = || badarg_cause(atom::NONE_ATOM);
    if flags != Term::NIL {
        return Err(none());
    }
    let pattern = match spec {
        atom::TRUE | Term::NIL => EventPattern::All,
        atom::FALSE => EventPattern::Off,
        s if s.is_atom() && matches!(ctx.atoms.name(s), "pause" | "restart") => return Err(none()),
        s => EventPattern::Spec(Rc::new(event_spec(ctx, s)?)),
    };
    ctx.node.event_pattern(receive, Some(pattern));
    Ok(Term::small(1))
}

/// `trace_info(send | 'receive', match_spec)`.
fn event_info(ctx: &mut Ctx, receive: bool, item: Term) -> BifResult {
    if item != atom::MATCH_SPEC {
        return Err(badarg());
    }
    let value = match ctx.node.event_pattern(receive, None) {
        EventPattern::All => atom::TRUE,
        EventPattern::Off => atom::FALSE,
        EventPattern::Spec(s) => try_copy_term(&s.heap.view(ctx.lits), &mut ctx.p.heap, s.source)
            .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?,
    };
    Ok(ctx.p.heap.tuple(&[item, value]))
}

/// What a traced call asks of the function's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    /// Nothing: the call was not traced.
    Nothing,
    /// The call was traced; nothing at its end.
    Call,
    /// Its return is traced (`return_trace`).
    Return,
    /// Its return and an exception out of it are traced (`exception_trace`).
    ReturnOrException,
}

/// What a call's matching clause asks: see [`matched`].
type Matched = (Then, Option<Option<Term>>, (u32, u32));

/// The first clause of `spec` that the argument list `list` matches, if any: what the
/// function's end asks (`otherwise` when the clause asks neither `return_trace` nor
/// `exception_trace`), the trace message's extra term, `None` (no message) for
/// `{message, false}`, and the caller's trace flags to clear and set after the message
/// ([`CallClause::flags`]).
fn matched(ctx: &mut Ctx, spec: &CallSpec, list: Term, otherwise: Then) -> Option<Matched> {
    let (c, result) = spec
        .clauses
        .iter()
        .find_map(|c| run_clause(ctx, spec, c, list, false).map(|r| (c, r)))?;
    let then = match (c.return_trace, c.exception_trace) {
        (_, true) => Then::ReturnOrException,
        (true, false) => Then::Return,
        _ => otherwise,
    };
    if let Some(on) = c.silent {
        if let Some(t) = ctx.p.trace.as_mut() {
            t.flags = if on {
                t.flags | trace::SILENT
            } else {
                t.flags & !trace::SILENT
            };
        }
    }
    let extra = match c.message {
        Message::Caller => Some(caller(ctx)),
        Message::TaggedCaller(tag) => {
            let c = caller(ctx);
            Some(ctx.p.heap.tuple(&[tag, c]))
        }
        _ => match clause_outcome(ctx, spec, c, result) {
            None => return Some((then, None, c.flags)),
            Some(atom::TRUE) => None,
            x => x,
        },
    };
    Some((then, Some(extra), c.flags))
}

/// `enable_trace` and `disable_trace` of a matched clause: the caller's flags lose `off` and
/// gain `on` (a process without a tracer keeps none).
fn change_flags(ctx: &mut Ctx, (off, on): (u32, u32)) {
    if let Some(t) = ctx.p.trace.as_mut() {
        t.flags = (t.flags & !off) | on;
    }
}

/// What clause `c` of `spec` that matched with `result` (its test's value) says of the
/// call's message once its `display` actions have shown their terms: `None` for none,
/// `true` for the usual one, else the term to add (on the caller's heap).
fn clause_outcome(ctx: &mut Ctx, spec: &CallSpec, c: &CallClause, result: Term) -> Option<Term> {
    let evaluated = if c.message == Message::Eval || c.display > 0 {
        let parts = ctx.view().tuple(result).map(<[Term]>::to_vec)?;
        for &x in parts.iter().skip(1) {
            show(ctx, x);
        }
        parts.first().copied()
    } else {
        None
    };
    match c.message {
        Message::Off => None,
        Message::With(x) => try_copy_term(&spec.heap.view(ctx.lits), &mut ctx.p.heap, x).ok(),
        Message::Eval => evaluated.filter(|&x| x != atom::FALSE),
        _ => Some(atom::TRUE),
    }
}

/// A match specification's `{display, X}`: `X` on standard output as `erlang:display/1`
/// prints it.
fn show(ctx: &mut Ctx, x: Term) {
    let v = ctx.p.heap.view(ctx.lits);
    let io = ctx.node.io();
    crate::vm::display::display_to(&v, ctx.atoms, ctx.code, x, &mut |bytes| io.stdout(bytes));
    io.stdout(b"\n");
}

/// At the entry of traced function `t`, its arguments in `args`: the `call` trace message
/// when the caller is traced for calls and the pattern matches; what its end asks.
#[cold]
#[inline(never)]
pub fn call(ctx: &mut Ctx, t: &TracePoint, args: &[Term]) -> Then {
    if !trace::ENABLED {
        return Then::Nothing;
    }
    let Some(me_t) = ctx.p.trace else {
        return Then::Nothing;
    };
    if !me_t.has(trace::CALL) || me_t.tracer == me(ctx) {
        return Then::Nothing;
    }
    let list = ctx.p.heap.list(args);
    let Some((then, extra, flags)) = matched(ctx, &t.spec, list, Then::Call) else {
        return Then::Nothing;
    };
    let Some(extra) = extra else {
        change_flags(ctx, flags);
        return then;
    };
    let (m, f, arity) = t.mfa;
    let what = if me_t.has(trace::ARITY) {
        Term::small(arity as i64)
    } else {
        list
    };
    let mfa = ctx.p.heap.tuple(&[m, f, what]);
    match extra {
        Some(x) => event(ctx, me(ctx), trace::CALL, atom::CALL, &[mfa, x]),
        None => event(ctx, me(ctx), trace::CALL, atom::CALL, &[mfa]),
    }
    change_flags(ctx, flags);
    then
}

/// A return-trace frame's module word: the module index, with this bit when an exception
/// out of the function is traced too.
pub const EXCEPTION_BIT: i64 = 1 << 32;

/// A return-trace frame's module word has this bit when the frame is a meta pattern's (its
/// messages go to the function's meta tracer).
pub const META_BIT: i64 = 1 << 33;

/// A return-trace frame's module word has this bit when the frame is `return_to`'s: the
/// return makes a `return_to` message naming the function returned to.
pub const RETURN_TO_BIT: i64 = 1 << 34;

/// Whether a traced call of the caller marks its return for `return_to`: it is traced with
/// `call` and `return_to`, and its return address is not such a mark already (a tail call
/// returns where its caller would).
pub fn wants_return_to(ctx: &Ctx) -> bool {
    let Some(t) = ctx.p.trace else {
        return false;
    };
    if !t.has(trace::RETURN_TO) || !t.has(trace::CALL) || t.tracer == me(ctx) {
        return false;
    }
    let stack = &ctx.p.stack;
    let n = stack.len();
    let marked = n >= 3
        && is_trace_frame(stack[n - 1])
        && stack[n - 3]
            .as_small()
            .is_some_and(|w| w & RETURN_TO_BIT != 0);
    !marked
}

/// Whether return address `t` is a return-trace frame's (see [`EXCEPTION_BIT`]).
fn is_trace_frame(t: Term) -> bool {
    t.is_cp() && t.code_module() == 0 && t.code_pc() == crate::vm::code::RETURN_TRACE_PC
}

/// `{trace, Pid, return_to, MFA}` of the caller, back in the function of code word `at`
/// (a return address or a catch), `undefined` when it is none of a program's.
fn return_to(ctx: &mut Ctx, at: Term) {
    let mfa = match at.code_module() {
        0 => None,
        m => ctx.mfa_at(m, at.code_pc().saturating_sub(1)),
    };
    let Ok(tag) = ctx.atoms.intern("return_to") else {
        return;
    };
    event(
        ctx,
        me(ctx),
        trace::CALL,
        tag,
        &[mfa.unwrap_or(atom::UNDEFINED)],
    );
}

/// An exception of `class` with `reason` leaves the caller's current function: `exception_from`
/// for every function traced with `exception_trace` it unwinds before a catch, and the
/// timed function it is caught in is current again (see [`crate::vm::calltime`]).
#[cold]
#[inline(never)]
pub fn unwinding(ctx: &mut Ctx, class: Term, reason: Term) {
    if !trace::ENABLED {
        return;
    }
    if ctx.p.call_time.is_some() && ctx.p.trace.is_some_and(|t| t.has(trace::CALL)) {
        // Timed functions it leaves: the one it is caught in is current again.
        let now = ctx.node.io().monotonic_nanos();
        crate::vm::calltime::unwinding(ctx.code, ctx.p, now);
    }
    let mut frames = Vec::new();
    let stack = &ctx.p.stack;
    let mut i = stack.len();
    // A `return_to` mark unwound: the function that catches is returned to.
    let mut marked = false;
    let mut catch = None;
    while i > 0 {
        i -= 1;
        let t = stack[i];
        if t.is_catch() {
            catch = Some(t);
            break;
        }
        if is_trace_frame(t) && i >= 2 {
            marked |= stack[i - 2]
                .as_small()
                .is_some_and(|w| w & RETURN_TO_BIT != 0);
        }
        if t.is_cp()
            && t.code_module() == 0
            && t.code_pc() == crate::vm::code::RETURN_TRACE_PC
            && i >= 2
        {
            if let (Some(m), Some(entry)) = (stack[i - 2].as_small(), stack[i - 1].as_small()) {
                if m & EXCEPTION_BIT != 0 {
                    frames.push(((m & 0xffff_ffff) as u32, entry as u32, m & META_BIT != 0));
                }
            }
        }
    }
    for (module, entry, meta) in frames {
        let Some(mfa) = ctx.mfa_at(module, entry) else {
            continue;
        };
        let what = ctx.p.heap.tuple(&[class, reason]);
        let tag = match ctx.atoms.intern("exception_from") {
            Ok(t) => t,
            Err(_) => return,
        };
        if meta {
            meta_event(ctx, module, entry, tag, &[mfa, what]);
        } else {
            event(ctx, me(ctx), trace::CALL, tag, &[mfa, what]);
        }
    }
    if let Some(at) = catch.filter(|_| marked) {
        return_to(ctx, at);
    }
}

/// The function a traced function was called from: the return address on top of the stack,
/// as `{M, F, A}`, or `undefined`.
fn caller(ctx: &mut Ctx) -> Term {
    let Some(&top) = ctx.p.stack.last() else {
        return atom::UNDEFINED;
    };
    // A timed function's return frame (see `calltime`) is over the return address.
    let is_timed =
        top.is_cp() && top.code_module() == 0 && top.code_pc() == crate::vm::code::RETURN_TIME_PC;
    let n = ctx.p.stack.len();
    let cp = match is_timed {
        true if n >= 4 => ctx.p.stack[n - 4],
        _ => top,
    };
    if !cp.is_cp() || cp.code_module() == 0 {
        return atom::UNDEFINED;
    }
    ctx.mfa_at(cp.code_module(), cp.code_pc().saturating_sub(1))
        .unwrap_or(atom::UNDEFINED)
}

/// `erlang:match_spec_test(Args, Spec, trace)`: `{ok, Result, Flags, []}` for a
/// specification `trace_pattern/3` takes (Result `true`, `false` when no clause matches or
/// the clause says `{message, false}`, or the message's term; Flags the clause's
/// `return_trace` and `exception_trace`), `{error, [{error, Text}]}` for one it refuses.
pub fn match_spec_test(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (args, spec) = (a[0], a[1]);
    if ctx.view().list_len(args).is_none() {
        return Err(badarg());
    }
    let error = |ctx: &mut Ctx, text: &str| -> BifResult {
        let text = ctx.p.heap.string(text);
        let error = atom::ERROR;
        let item = ctx.p.heap.tuple(&[error, text]);
        let list = ctx.p.heap.list(&[item]);
        Ok(ctx.p.heap.tuple(&[error, list]))
    };
    if ctx.view().list_len(spec).is_none() {
        return error(ctx, "Match programs are not in a list.");
    }
    let parsed = match call_spec(ctx, spec) {
        Ok(s) => s,
        Err(_) => return error(ctx, &unknown_action(ctx, spec)),
    };
    let ok = ctx.atoms.intern("ok").map_err(|_| badarg())?;
    let clauses = ctx.view().list_to_vec(spec).unwrap_or_default();
    for (i, c) in parsed.clauses.iter().enumerate() {
        let Some(run) = run_clause(ctx, &parsed, c, args, true) else {
            continue;
        };
        let result = match c.message {
            Message::Caller => atom::UNDEFINED,
            Message::TaggedCaller(tag) => ctx.p.heap.tuple(&[tag, atom::UNDEFINED]),
            _ => clause_outcome(ctx, &parsed, c, run).unwrap_or(atom::FALSE),
        };
        let mut flags = Vec::new();
        let v = ctx.view();
        if let Some(&[_, _, body]) = clauses.get(i).and_then(|&t| v.tuple(t)) {
            for act in v.list_to_vec(body).unwrap_or_default() {
                if let Some(&[name]) = v.tuple(act) {
                    if matches!(ctx.atoms.name(name), "return_trace" | "exception_trace") {
                        flags.push(name);
                    }
                }
            }
        }
        let flags = ctx.p.heap.list(&flags);
        return Ok(ctx.p.heap.tuple(&[ok, result, flags, Term::NIL]));
    }
    Ok(ctx.p.heap.tuple(&[ok, atom::FALSE, Term::NIL, Term::NIL]))
}

/// erl's text for the first action of `spec` that is no function it knows, or for a
/// malformed specification.
fn unknown_action(ctx: &Ctx, spec: Term) -> alloc::string::String {
    let v = ctx.view();
    for clause in v.list_to_vec(spec).unwrap_or_default() {
        let Some(&[_, _, body]) = v.tuple(clause) else {
            break;
        };
        for act in v.list_to_vec(body).unwrap_or_default() {
            if let Some(t) = v.tuple(act) {
                if let Some(&name) = t.first().filter(|n| n.is_atom()) {
                    let known = matches!(
                        (ctx.atoms.name(name), t.len()),
                        ("return_trace" | "exception_trace", 1) | ("message", 2)
                    );
                    if !known {
                        return alloc::format!(
                            "Function {}/{} does_not_exist.",
                            ctx.atoms.name(name),
                            t.len() - 1
                        );
                    }
                }
            }
        }
    }
    "Malformed match specification.".into()
}

/// A return from a function traced with `return_trace`: `word` its frame's module word
/// (the module index, with [`META_BIT`] for a meta pattern's), `entry` its entry, with
/// `value`.
#[cold]
#[inline(never)]
pub fn returned(ctx: &mut Ctx, word: i64, entry: u32, value: Term) {
    if !trace::ENABLED {
        return;
    }
    let module = (word & 0xffff_ffff) as u32;
    if word & RETURN_TO_BIT != 0 {
        // Where it returns: the return address under this frame, past other trace frames.
        let stack = &ctx.p.stack;
        let mut i = stack.len();
        while i >= 3 && is_trace_frame(stack[i - 1]) {
            i -= 3;
        }
        let at = i.checked_sub(1).map_or(Term::NIL, |i| stack[i]);
        return_to(ctx, at);
        return;
    }
    let Some(mfa) = ctx.mfa_at(module, entry) else {
        return;
    };
    if word & META_BIT != 0 {
        meta_event(ctx, module, entry, atom::RETURN_FROM, &[mfa, value]);
    } else {
        event(ctx, me(ctx), trace::CALL, atom::RETURN_FROM, &[mfa, value]);
    }
}

/// Tells the meta tracer of the function at `entry` of module index `module` event `tag`
/// of the caller (always timestamped, as erl's), if the function still has a meta pattern.
fn meta_event(ctx: &mut Ctx, module: u32, entry: u32, tag: Term, data: &[Term]) {
    let Some(tracer) = ctx.code.meta_of(module, entry).map(|m| m.tracer) else {
        return;
    };
    let t = Tracee {
        flags: trace::TIMESTAMP,
        tracer,
    };
    let view = ctx.p.heap.view(ctx.lits);
    ctx.node.trace_event(t, me(ctx), &view, tag, data);
}

/// At the entry of function `t`, which has a meta pattern, its arguments in `args`: the
/// meta tracer's `call` message when the pattern matches (whatever the caller's trace
/// flags); what the function's end asks.
#[cold]
#[inline(never)]
pub fn meta_call(ctx: &mut Ctx, t: &MetaPoint, args: &[Term]) -> Then {
    if !trace::ENABLED {
        return Then::Nothing;
    }
    let list = ctx.p.heap.list(args);
    let Some((then, extra, flags)) = matched(ctx, &t.spec, list, Then::Nothing) else {
        return Then::Nothing;
    };
    let Some(extra) = extra else {
        change_flags(ctx, flags);
        return then;
    };
    let (m, f, _) = t.mfa;
    let mfa = ctx.p.heap.tuple(&[m, f, list]);
    match extra {
        Some(x) => meta_event(ctx, t.module, t.entry, atom::CALL, &[mfa, x]),
        None => meta_event(ctx, t.module, t.entry, atom::CALL, &[mfa]),
    }
    change_flags(ctx, flags);
    then
}
