//! Process BIFs: spawn, send, links, monitors, exit signals, names, timers and flags.
//!
//! Everything that involves another process goes through [`Ctx::node`]; what concerns only
//! the caller (sending to itself, flushing its own mailbox) is done here on [`Ctx::p`].
//! Signals the node holds back for the caller (an exit signal it sent itself, a link to a
//! process that just died) take effect when it next yields; a BIF that may have caused one
//! ends the caller's slice early so that happens at once.

use alloc::vec::Vec;

use crate::sched::queue::Priority;
use crate::vm::atom;
use crate::vm::bif::{badarg, badarg_cause, BifResult, Ctx, Fault};
use crate::vm::bifs::trace;
use crate::vm::code::split_fun_id;
use crate::vm::process::Process;
use crate::vm::services::{AliasMode, ExitKind, SpawnError, SpawnOptions, Start, TimerDest};
use crate::vm::term::{Kind, Term};
use crate::vm::trace::{EventPattern, Verdict};

/// Whether `t` is the atom `name`.
fn is_atom(ctx: &Ctx, t: Term, name: &str) -> bool {
    t.is_atom() && ctx.atoms.name(t) == name
}

/// Interns an atom the VM does not predefine.
fn atom(ctx: &mut Ctx, name: &str) -> Result<Term, Fault> {
    ctx.atoms.intern(name).map_err(|_| badarg())
}

fn me(ctx: &Ctx) -> u32 {
    ctx.p.pid.pid_number()
}

/// Ends the caller's slice at its next call or return, so held-back signals apply promptly.
fn end_slice(ctx: &mut Ctx) {
    ctx.p.reductions = ctx.p.reductions.min(1);
}

fn new_ref(ctx: &mut Ctx) -> (u64, Term) {
    let n = *ctx.next_ref;
    *ctx.next_ref += 1;
    (n, ctx.p.heap.reference(n))
}

/// The reference number of a reference term.
fn ref_number(ctx: &Ctx, t: Term) -> Option<u64> {
    let v = ctx.view();
    v.is_ref(t).then(|| v.payload(t)[0].0)
}

/// The process a send or monitor names: a pid, a registered name or `{Name, Node}`, or
/// an alias (sends only).
enum Dest {
    Pid(u32),
    Name(Term),
    Alias(u64),
}

fn dest(ctx: &Ctx, t: Term) -> Option<Dest> {
    if t.is_pid() {
        return Some(Dest::Pid(t.pid_number()));
    }
    if t.is_atom() {
        return Some(Dest::Name(t));
    }
    if let Some(n) = ref_number(ctx, t) {
        return Some(Dest::Alias(n));
    }
    match ctx.view().tuple(t) {
        Some([name, node]) if name.is_atom() && *node == atom::NONODE => Some(Dest::Name(*name)),
        _ => None,
    }
}

/// Whether `t` is `{Name, Node}` for a node other than this one. This node is not
/// distributed, so it reaches no other: erl drops what is sent there.
fn other_node(ctx: &Ctx, t: Term) -> bool {
    matches!(ctx.view().tuple(t), Some([name, node])
        if name.is_atom() && node.is_atom() && *node != atom::NONODE)
}

/// `erlang:send/2` and `!`.
pub fn send(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (to, msg) = (a[0], a[1]);
    let Some(dest) = dest(ctx, to) else {
        // Another node's: dropped. (Looked at only here: a send to a pid pays nothing.)
        return match other_node(ctx, to) {
            true => Ok(msg),
            false => Err(badarg()),
        };
    };
    let pid = match dest {
        Dest::Pid(n) => n,
        // `{Name, node()}` with no process of that name drops the message, as erl does;
        // only a bare name that is not registered is `badarg`.
        Dest::Name(name) => match ctx.node.whereis(name) {
            Some(pid) => pid,
            None if to.is_atom() => return Err(badarg()),
            None => return Ok(msg),
        },
        Dest::Alias(n) => match ctx.node.alias_target(n) {
            Some(pid) => pid,
            // An inactive alias: the message is dropped, like one to a dead pid.
            None => return Ok(msg),
        },
    };
    if pid == me(ctx) {
        // A queue the node's memory cannot grow takes nothing: `system_limit`.
        ctx.p
            .room_for_message()
            .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
        ctx.p.mailbox.push(msg);
        if ctx.p.trace.is_some_and(|t| t.has(trace::SEND_FLAG)) {
            trace::sent_as(ctx, atom::SEND, msg, to);
        }
        if ctx.p.trace.is_some() {
            match trace::receive_verdict(ctx, pid, msg) {
                Verdict::Off => {}
                Verdict::With(x) => {
                    trace::event(ctx, pid, trace::RECEIVE_FLAG, atom::RECEIVE, &[msg, x])
                }
                Verdict::Unmatched | Verdict::Plain => {
                    if !matches!(ctx.node.event_pattern(true, None), EventPattern::Off) {
                        trace::event(ctx, pid, trace::RECEIVE_FLAG, atom::RECEIVE, &[msg]);
                    }
                }
            }
        }
    } else {
        // Traced before it is sent, so that the tracer sees the send before the
        // receiver's `'receive'`.
        if ctx.p.trace.is_some() {
            trace::sent(ctx, pid, msg, to);
        }
        let verdict = if crate::vm::trace::used() {
            trace::receive_verdict(ctx, pid, msg)
        } else {
            Verdict::Unmatched
        };
        let view = ctx.p.heap.view(ctx.lits);
        // A copy the node's memory refuses sends nothing: `system_limit`, as a BIF whose
        // result would not fit.
        ctx.node
            .send_matched(ctx.p.pid.pid_number(), pid, &view, msg, verdict)
            .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    }
    Ok(msg)
}

/// `erlang:send_nosuspend/2,3`: a send that never suspends (none does on one node): `true`,
/// or `false` where `send/3` answers `noconnect`.
pub fn send_nosuspend(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let sent = match a.get(2) {
        Some(&opts) => send_with_options(ctx, a[0], a[1], opts)?,
        None => send(ctx, &a[..2]).map(|_| atom::OK)?,
    };
    Ok(Term::boolean(sent == atom::OK))
}

/// `erlang:spawn_request/1..5`: spawns as `spawn_opt` does and answers with a request
/// reference at once; the reply `{spawn_reply, ReqId, ok, Pid}` (or `{Tag, ...}` with
/// `{reply_tag, Tag}`; `error` and the reason when the spawn fails) follows as a message,
/// as `{reply, yes | no | error_only | success_only}` asks. With `monitor` the monitor's
/// reference is the request's, as in erl.
pub fn spawn_request(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    // The forms: [Node,] Fun [, Opts] and [Node,] M, F, Args [, Opts].
    let with_node = match a.len() {
        2 => !v.is_fun(a[0]),
        3 => v.is_fun(a[1]),
        4 => a[2].is_atom(),
        5 => true,
        _ => false,
    };
    let (node, rest) = if with_node {
        (Some(a[0]), &a[1..])
    } else {
        (None, a)
    };
    if let Some(n) = node {
        if !n.is_atom() {
            return Err(badarg());
        }
        local_node(ctx, n)?;
    }
    let (start, opts) = match rest {
        [f] => (fun_start(ctx, *f)?, Term::NIL),
        [f, o] => (fun_start(ctx, *f)?, *o),
        [m, f, args] => (mfa_start(ctx, *m, *f, *args)?, Term::NIL),
        [m, f, args, o] => (mfa_start(ctx, *m, *f, *args)?, *o),
        _ => return Err(badarg()),
    };
    let items = ctx.view().list_to_vec(opts).ok_or_else(badarg)?;
    let (mut tag, mut on_ok, mut on_error) = (atom::SPAWN_REPLY, true, true);
    let mut bad = false;
    for o in items {
        if let Some(&[k, x]) = ctx.view().tuple(o) {
            if is_atom(ctx, k, "reply_tag") {
                tag = x;
            } else if is_atom(ctx, k, "reply") {
                (on_ok, on_error) = match ctx.atoms.name(x) {
                    "yes" => (true, true),
                    "no" => (false, false),
                    "error_only" => (false, true),
                    "success_only" => (true, false),
                    _ => {
                        bad = true;
                        (true, true)
                    }
                };
            }
        }
    }
    let (number, req) = new_ref(ctx);
    // A bad option is answered in the reply, as erl does: `{Tag, ReqId, error, badopt}`.
    let parsed = match read_spawn_opts(ctx, opts, true) {
        Some(p) if !bad => Ok(p),
        _ => Err(atom::BADOPT),
    };
    let (outcome, value) = match parsed {
        Ok(SpawnRequest {
            opts: mut sopts,
            monitor,
        }) => {
            let monitored = match monitor {
                Some(m) => {
                    sopts.monitor = Some(number);
                    monitor_options(ctx, number, m)
                }
                None => Ok(()),
            };
            match monitored.and_then(|()| spawn_with(ctx, start, sopts)) {
                Ok(pid) => (atom::OK, pid),
                Err(_) => (atom::ERROR, atom::SYSTEM_LIMIT),
            }
        }
        Err(why) => (atom::ERROR, why),
    };
    if (outcome == atom::OK && on_ok) || (outcome == atom::ERROR && on_error) {
        let msg = ctx.p.heap.tuple(&[tag, req, outcome, value]);
        ctx.p
            .room_for_message()
            .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
        ctx.p.mailbox.push(msg);
    }
    Ok(req)
}

/// `erlang:spawn_request_abandon/1`: every request is answered as it is made, so there is
/// never one to abandon: `false` (`badarg` for what is no reference).
pub fn spawn_request_abandon(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !ctx.view().is_ref(a[0]) {
        return Err(badarg());
    }
    Ok(atom::FALSE)
}

/// `erlang:send/3`: `ok`, or `noconnect` for a message to another node with that option
/// (this node connects to none). `nosuspend` changes nothing on one node; any other
/// option is `badarg` with cause `badopt`.
pub fn send3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    send_with_options(ctx, a[0], a[1], a[2])
}

fn send_with_options(ctx: &mut Ctx, to: Term, msg: Term, opts: Term) -> BifResult {
    let mut noconnect = false;
    let Some(items) = ctx.view().list_to_vec(opts) else {
        return Err(badopt(ctx));
    };
    for o in items {
        match o.is_atom().then(|| ctx.atoms.name(o)) {
            Some("noconnect") => noconnect = true,
            Some("nosuspend") => {}
            _ => return Err(badopt(ctx)),
        }
    }
    send(ctx, &[to, msg])?;
    if noconnect && other_node(ctx, to) {
        return atom(ctx, "noconnect");
    }
    Ok(atom::OK)
}

fn spawn_with(ctx: &mut Ctx, start: Start, opts: SpawnOptions) -> Result<Term, Fault> {
    let view = ctx.p.heap.view(ctx.lits);
    match ctx.node.spawn(ctx.p.pid.pid_number(), &view, start, opts) {
        Ok(n) => {
            trace::spawned(ctx, n, |ctx| match start {
                Start::Apply(m, f, args) => ctx.p.heap.tuple(&[m, f, args]),
                Start::Fun(f) => {
                    let args = ctx.p.heap.list(&[f, Term::NIL]);
                    ctx.p.heap.tuple(&[atom::ERLANG, atom::APPLY, args])
                }
            });
            if opts.link {
                trace::linked(ctx, n);
            }
            Ok(Term::pid(n))
        }
        Err(SpawnError::Unsupported) => Err(badarg()),
        Err(SpawnError::SystemLimit) => Err(Fault::error(atom::SYSTEM_LIMIT)),
    }
}

fn fun_start(ctx: &Ctx, f: Term) -> Result<Start, Fault> {
    if ctx.view().is_fun(f) {
        Ok(Start::Fun(f))
    } else {
        Err(badarg())
    }
}

fn mfa_start(ctx: &Ctx, m: Term, f: Term, args: Term) -> Result<Start, Fault> {
    if m.is_atom() && f.is_atom() && ctx.view().list_len(args).is_some() {
        Ok(Start::Apply(m, f, args))
    } else {
        Err(badarg())
    }
}

fn local_node(ctx: &Ctx, node: Term) -> Result<(), Fault> {
    let _ = ctx;
    if node == atom::NONODE {
        Ok(())
    } else {
        Err(badarg())
    }
}

/// Spawns with the options given; `{Pid, Ref}` when monitoring.
/// `monitor`: `{Pid, Ref}` is returned, the monitor with its options.
fn spawn_result(
    ctx: &mut Ctx,
    start: Start,
    mut opts: SpawnOptions,
    monitor: Option<MonitorOptions>,
) -> BifResult {
    let mref = monitor.map(|_| new_ref(ctx));
    opts.monitor = mref.map(|(n, _)| n);
    if let (Some(m), Some((n, _))) = (monitor, mref) {
        monitor_options(ctx, n, m)?;
    }
    let pid = spawn_with(ctx, start, opts)?;
    // A new process cannot have died before the caller yields, so a link to it holds nothing
    // back; ending the slice anyway cost a supervisor a turn of the run queue per restart.
    if opts.link && ctx.node.signals_pending(me(ctx)) {
        end_slice(ctx);
    }
    Ok(match mref {
        Some((_, r)) => ctx.p.heap.tuple(&[pid, r]),
        None => pid,
    })
}

/// `spawn/1`.
pub fn spawn1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = fun_start(ctx, a[0])?;
    spawn_result(ctx, s, SpawnOptions::default(), None)
}

/// `spawn/2` (`spawn(Node, Fun)` on this node).
pub fn spawn2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    local_node(ctx, a[0])?;
    let s = local_fun_start(ctx, a[1], "spawn")?;
    spawn_result(ctx, s, SpawnOptions::default(), None)
}

/// The start of `name/2` on this node: a bad fun is `name/1`'s error, as erl's
/// `erlang:name/2` calls `name/1` for its own node.
fn local_fun_start(ctx: &mut Ctx, f: Term, name: &str) -> Result<Start, Fault> {
    fun_start(ctx, f).map_err(|_| Fault::trapped_error(ctx, atom::BADARG, ("erlang", name), &[f]))
}

/// `spawn/3`.
pub fn spawn3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = mfa_start(ctx, a[0], a[1], a[2])?;
    spawn_result(ctx, s, SpawnOptions::default(), None)
}

/// `spawn/4` (`spawn(Node, M, F, Args)` on this node).
pub fn spawn4(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    local_node(ctx, a[0])?;
    let s = mfa_start(ctx, a[1], a[2], a[3])?;
    spawn_result(ctx, s, SpawnOptions::default(), None)
}

const LINKED: SpawnOptions = SpawnOptions {
    link: true,
    monitor: None,
    priority: Priority::Normal,
    max_heap: None,
    min_heap: None,
    off_heap_queue: false,
};

/// `spawn_link/1`.
pub fn spawn_link1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = fun_start(ctx, a[0])?;
    spawn_result(ctx, s, LINKED, None)
}

/// `spawn_link/3`.
pub fn spawn_link3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = mfa_start(ctx, a[0], a[1], a[2])?;
    spawn_result(ctx, s, LINKED, None)
}

/// `spawn_link/2,4`: `spawn_link/1,3` on this node (another is `badarg`: the node is not
/// distributed).
pub fn spawn_link_on(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    local_node(ctx, a[0])?;
    match a.len() {
        2 => {
            let s = local_fun_start(ctx, a[1], "spawn_link")?;
            spawn_result(ctx, s, LINKED, None)
        }
        _ => spawn_link3(ctx, &a[1..]),
    }
}

/// `spawn_monitor/2,4`: `spawn_monitor/1,3` on this node.
pub fn spawn_monitor_on(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    local_node(ctx, a[0])?;
    match a.len() {
        2 => spawn_monitor1(ctx, &a[1..]),
        _ => spawn_monitor3(ctx, &a[1..]),
    }
}

/// `spawn_opt/3,5`: `spawn_opt/2,4` on this node.
pub fn spawn_opt_on(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    local_node(ctx, a[0])?;
    match a.len() {
        3 => spawn_opt2(ctx, &a[1..]),
        // erl's spawn_opt/5 hands only a list of options to spawn_opt/4 (whose error, with
        // its cause, it passes on): anything else is a plain badarg.
        _ if !(a[4].is_cons() || a[4].is_nil()) => Err(badarg()),
        _ => spawn_opt4(ctx, &a[1..]),
    }
}

/// The arity of a fun term.
fn fun_arity(ctx: &Ctx, f: Term) -> Option<u32> {
    let v = ctx.view();
    match v.kind(f)? {
        Kind::Fun => {
            let (mi, li) = split_fun_id(v.payload(f)[0].small_value() as u64);
            Some(
                ctx.code
                    .modules
                    .get(mi as usize)?
                    .lambdas
                    .get(li as usize)?
                    .arity,
            )
        }
        Kind::Export => Some(v.payload(f)[2].small_value() as u32),
        _ => None,
    }
}

/// `spawn_monitor/1` (unlike spawn/1, it checks the fun takes no arguments).
pub fn spawn_monitor1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if fun_arity(ctx, a[0]) != Some(0) {
        return Err(badarg());
    }
    let s = fun_start(ctx, a[0])?;
    spawn_result(ctx, s, SpawnOptions::default(), Some(MonitorOptions::PLAIN))
}

/// `spawn_monitor/3`.
pub fn spawn_monitor3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = mfa_start(ctx, a[0], a[1], a[2])?;
    spawn_result(ctx, s, SpawnOptions::default(), Some(MonitorOptions::PLAIN))
}

/// A `min_heap_size` argument as the heap size erl gives it: a non-negative integer (else
/// `badarg`) rounded up to one of erl's heap sizes (`system_limit` past any heap).
fn min_heap_words(words: Term) -> Result<usize, Fault> {
    let words = words.as_small().filter(|&n| n >= 0).ok_or_else(badarg)?;
    crate::vm::heap::erl_heap_size(words as usize).ok_or_else(|| Fault::error(atom::SYSTEM_LIMIT))
}

/// A `min_bin_vheap_size` argument as erl rounds it: a non-negative small integer (else
/// `badarg`) rounded up to one of erl's heap sizes, at least its default (`badarg` past any).
fn min_bin_vheap_words(words: Term) -> Result<usize, Fault> {
    let words = words.as_small().filter(|&n| n >= 0).ok_or_else(badarg)?;
    Process::bin_vheap_size(words as usize).ok_or_else(badarg)
}

/// Reads a spawn_opt option list: `link`, `monitor`, `{monitor, [{alias, Mode}]}`,
/// `{priority, P}`, `{max_heap_size, M}`, `{min_heap_size, Words}`, `{message_queue_data, D}`,
/// `{min_bin_vheap_size, Words}` (checked, then ignored as erl 25 does) and
/// `{fullsweep_after, N}` (checked; the collector has no generations), `{scheduler, N}`
/// (checked: there is one scheduler). Anything else, or
/// a value out of range, is `badarg` with erl's cause `badopt`.
fn spawn_opts(ctx: &mut Ctx, list: Term) -> Result<SpawnRequest, Fault> {
    match read_spawn_opts(ctx, list, false) {
        Some(r) => Ok(r),
        None => Err(badopt(ctx)),
    }
}

/// What a spawn_opt option list asks for beyond [`SpawnOptions`].
struct SpawnRequest {
    opts: SpawnOptions,
    /// Return `{Pid, Ref}`, the monitor with these options.
    monitor: Option<MonitorOptions>,
}

/// A spawn's `{monitor, Opts}`: its reference an alias of the caller with this mode, and
/// the tag of its 'DOWN' message.
#[derive(Clone, Copy)]
struct MonitorOptions {
    alias: Option<AliasMode>,
    tag: Option<Term>,
}

impl MonitorOptions {
    /// A monitor without options.
    const PLAIN: Self = Self {
        alias: None,
        tag: None,
    };
}

/// Sets up the options of monitor `n`, made next: its alias and its tag.
fn monitor_options(ctx: &mut Ctx, n: u64, m: MonitorOptions) -> Result<(), Fault> {
    if let Some(mode) = m.alias {
        let me = me(ctx);
        ctx.node.alias(me, n, mode);
    }
    if let Some(t) = m.tag {
        let view = ctx.p.heap.view(ctx.lits);
        ctx.node
            .tag_monitor(n, &view, t)
            .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    }
    Ok(())
}

/// `request`: the list is `spawn_request`'s, which also holds its `reply` options.
fn read_spawn_opts(ctx: &mut Ctx, list: Term, request: bool) -> Option<SpawnRequest> {
    let items = ctx.view().list_to_vec(list)?;
    let mut opts = SpawnOptions::default();
    let mut monitor = None;
    let node_max_heap = ctx.node.system_max_heap(None);
    for o in items {
        if is_atom(ctx, o, "link") {
            opts.link = true;
        } else if is_atom(ctx, o, "monitor") {
            monitor = Some(MonitorOptions::PLAIN);
        } else if let Some(&[k, v]) = ctx.view().tuple(o) {
            match k.is_atom().then(|| ctx.atoms.name(k)) {
                Some("priority") => opts.priority = priority(ctx, v)?,
                Some("max_heap_size") => {
                    opts.max_heap = Some(node_max_heap.parse(&ctx.view(), ctx.atoms, v)?)
                }
                Some("min_heap_size") => opts.min_heap = Some(min_heap_words(v).ok()?),
                Some("message_queue_data") => opts.off_heap_queue = queue_data(ctx, v)?,
                // Checked as erl checks it; erl 25 then reports its default for the new
                // process whatever was asked, and so does this.
                Some("min_bin_vheap_size") => _ = min_bin_vheap_words(v).ok()?,
                Some("fullsweep_after") => _ = v.as_small().filter(|&n| n >= 0)?,
                // The scheduler to bind to: 0 (any) or the one scheduler there is.
                Some("scheduler") => _ = v.as_small().filter(|&n| n == 0 || n == 1)?,
                Some("monitor") => monitor = Some(monitor_alias(ctx, v)?),
                Some("reply_tag" | "reply") if request => {}
                _ => return None,
            }
        } else {
            return None;
        }
    }
    Some(SpawnRequest { opts, monitor })
}

/// The options of `{monitor, Opts}`: `{alias, Mode}` and `{tag, Tag}`.
fn monitor_alias(ctx: &Ctx, list: Term) -> Option<MonitorOptions> {
    let mut m = MonitorOptions::PLAIN;
    for o in ctx.view().list_to_vec(list)? {
        match ctx.view().tuple(o) {
            Some(&[k, mode]) if is_atom(ctx, k, "alias") => m.alias = Some(alias_mode(mode)?),
            Some(&[k, t]) if is_atom(ctx, k, "tag") => m.tag = Some(t),
            _ => return None,
        }
    }
    Some(m)
}

/// A `message_queue_data` value: `Some(true)` for `off_heap`, `Some(false)` for `on_heap`.
fn queue_data(ctx: &Ctx, v: Term) -> Option<bool> {
    match ctx.atoms.name(v) {
        "off_heap" if v.is_atom() => Some(true),
        "on_heap" if v.is_atom() => Some(false),
        _ => None,
    }
}

/// `badarg` with erl's `cause => badopt` (an option it does not take).
fn badopt(_: &mut Ctx) -> Fault {
    super::misc::badopt()
}

/// `spawn_opt/2`.
pub fn spawn_opt2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = fun_start(ctx, a[0])?;
    let r = spawn_opts(ctx, a[1])?;
    spawn_result(ctx, s, r.opts, r.monitor)
}

/// `spawn_opt/4`.
pub fn spawn_opt4(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = mfa_start(ctx, a[0], a[1], a[2])?;
    let r = spawn_opts(ctx, a[3])?;
    spawn_result(ctx, s, r.opts, r.monitor)
}

/// `exit/2`: an exit signal to another process (or to the caller itself).
pub fn exit2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_pid() {
        return Err(badarg());
    }
    let view = ctx.p.heap.view(ctx.lits);
    let me = ctx.p.pid.pid_number();
    // A reason the node's memory cannot carry sends nothing.
    ctx.node
        .exit_signal(me, a[0].pid_number(), &view, a[1], ExitKind::Explicit)
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    if a[0] == ctx.p.pid || ctx.node.signals_pending(me) {
        end_slice(ctx);
    }
    Ok(atom::TRUE)
}

/// `link/1`.
pub fn link(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_pid() {
        return Err(badarg());
    }
    if a[0] == ctx.p.pid {
        return Ok(atom::TRUE);
    }
    let me = me(ctx);
    if !ctx.node.link(me, a[0].pid_number()) {
        // A dead process: a trapping caller gets {'EXIT', Pid, noproc}, others an error.
        let noproc = atom::NOPROC;
        if !ctx.node.trap_exit(me) {
            return Err(Fault::error(noproc));
        }
        let msg = ctx.p.heap.tuple(&[atom::EXIT_CAPS, a[0], noproc]);
        ctx.p.mailbox.push(msg);
    } else {
        trace::linked(ctx, a[0].pid_number());
    }
    Ok(atom::TRUE)
}

/// `unlink/1`.
pub fn unlink(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_pid() {
        return Err(badarg());
    }
    let me = me(ctx);
    ctx.node.unlink(me, a[0].pid_number());
    trace::unlinked(ctx, a[0].pid_number());
    Ok(atom::TRUE)
}

/// `monitor/2` (type `process` only).
pub fn monitor(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if is_atom(ctx, a[0], "time_offset") && is_atom(ctx, a[1], "clock_service") {
        // The time offset never changes here (erl's `final` offset): it never fires.
        return Ok(new_ref(ctx).1);
    }
    monitor_with(ctx, a[0], a[1], None, None)
}

/// `monitor/3`: `monitor/2` with the options `{alias, Mode}` (what gen:call uses) and
/// `{tag, Tag}` (the 'DOWN' message has Tag in place of `'DOWN'`; the last one counts).
pub fn monitor3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut alias = None;
    let mut tag = None;
    // Walked in place: gen:call monitors on every call, so no option vector is built.
    let v = ctx.view();
    let mut opts = a[2];
    while opts.is_cons() {
        let (o, rest) = v.cons(opts);
        match v.tuple(o) {
            Some([atom::ALIAS, mode]) => {
                alias = Some(alias_mode(*mode).ok_or_else(super::misc::badopt)?);
            }
            Some([k, t]) if is_atom(ctx, *k, "tag") => tag = Some(*t),
            _ => return Err(super::misc::badopt()),
        }
        opts = rest;
    }
    if !opts.is_nil() {
        return Err(super::misc::badopt());
    }
    monitor_with(ctx, a[0], a[1], alias, tag)
}

fn alias_mode(t: Term) -> Option<AliasMode> {
    Some(match t {
        atom::EXPLICIT_UNALIAS => AliasMode::Explicit,
        atom::DEMONITOR => AliasMode::Demonitor,
        atom::REPLY_DEMONITOR => AliasMode::ReplyDemonitor,
        _ => return None,
    })
}

fn monitor_with(
    ctx: &mut Ctx,
    kind: Term,
    target: Term,
    alias: Option<AliasMode>,
    tag: Option<Term>,
) -> BifResult {
    if kind != atom::PROCESS {
        // A kind erl monitors (ports, the time offset) with a target it refuses is a plain
        // badarg; any other kind is `badtype`.
        if is_atom(ctx, kind, "port") || is_atom(ctx, kind, "time_offset") {
            return Err(badarg());
        }
        let badtype = atom(ctx, "badtype")?;
        return Err(badarg_cause(badtype));
    }
    let target = dest(ctx, target).ok_or_else(badarg)?;
    if matches!(target, Dest::Alias(_)) {
        return Err(badarg());
    }
    let (n, r) = new_ref(ctx);
    monitor_options(ctx, n, MonitorOptions { alias, tag })?;
    let me = me(ctx);
    match target {
        Dest::Pid(p) => ctx.node.monitor(me, n, Some(p), None),
        Dest::Name(name) => {
            let p = ctx.node.whereis(name);
            ctx.node.monitor(me, n, p, Some(name));
        }
        Dest::Alias(_) => return Err(badarg()),
    }
    if ctx.node.signals_pending(me) {
        end_slice(ctx);
    }
    Ok(r)
}

/// `alias/0,1`: a reference that works as an address of the caller.
pub fn alias(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut mode = AliasMode::Explicit;
    if let Some(&opts) = a.first() {
        for o in ctx.view().list_to_vec(opts).ok_or_else(badarg)? {
            if is_atom(ctx, o, "reply") {
                mode = AliasMode::ReplyDemonitor;
            } else if !is_atom(ctx, o, "explicit_unalias") {
                return Err(badarg());
            }
        }
    }
    let (n, r) = new_ref(ctx);
    let me = me(ctx);
    ctx.node.alias(me, n, mode);
    Ok(r)
}

/// `unalias/1`.
pub fn unalias(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = ref_number(ctx, a[0]).ok_or_else(badarg)?;
    let me = me(ctx);
    Ok(Term::boolean(ctx.node.unalias(me, n)))
}

/// `demonitor/1`.
pub fn demonitor1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = ref_number(ctx, a[0]).ok_or_else(badarg)?;
    let me = me(ctx);
    ctx.node.demonitor(me, n);
    Ok(atom::TRUE)
}

/// `demonitor/2` with `flush` and `info`.
pub fn demonitor2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = ref_number(ctx, a[0]).ok_or_else(badarg)?;
    let (mut flush, mut info) = (false, false);
    // Walked in place: gen calls demonitor on every reply, so no option vector is built.
    let v = ctx.view();
    let mut opts = a[1];
    while opts.is_cons() {
        let (o, rest) = v.cons(opts);
        match o {
            atom::FLUSH => flush = true,
            atom::INFO => info = true,
            _ => return Err(badarg()),
        }
        opts = rest;
    }
    if !opts.is_nil() {
        return Err(badarg());
    }
    let me = me(ctx);
    let removed = ctx.node.demonitor(me, n);
    if flush {
        // Signals held back for the caller are in its mailbox by now only if it yielded;
        // the node keeps 'DOWN' messages for a removed monitor from ever arriving later.
        let v = ctx.p.heap.view(ctx.lits);
        ctx.p.mailbox.retain(|&m| match v.tuple(m) {
            // Any tag: a tagged monitor's message has its own in place of 'DOWN'.
            Some([_, r, _, _, _]) => !(v.is_ref(*r) && v.payload(*r)[0].0 == n),
            _ => true,
        });
    }
    Ok(Term::boolean(!info || removed))
}

/// `register/2`.
pub fn register(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    // erl's error causes: `none` for a name that cannot be registered or what is not a
    // process, `notalive` for a process that is not alive, `registered_name` when the
    // process has a name, `none` again when another process has the name.
    if !a[0].is_atom() || a[0] == atom::UNDEFINED || !a[1].is_pid() {
        return Err(badarg_cause(atom::NONE_ATOM));
    }
    let pid = a[1].pid_number();
    if ctx.node.register(a[0], pid) {
        trace::event(ctx, pid, trace::PROCS_FLAG, atom::REGISTER, &[a[0]]);
        Ok(atom::TRUE)
    } else if a[1] != ctx.p.pid && !ctx.node.is_alive(pid) {
        Err(badarg_cause(atom::NOTALIVE))
    } else if ctx.node.process_info(pid).is_some_and(|i| i.name.is_some()) {
        Err(badarg_cause(atom::REGISTERED_NAME))
    } else {
        Err(badarg_cause(atom::NONE_ATOM))
    }
}

/// `unregister/1`.
pub fn unregister(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let owner = if a[0].is_atom() {
        ctx.node.whereis(a[0])
    } else {
        None
    };
    if a[0].is_atom() && ctx.node.unregister(a[0]) {
        if let Some(pid) = owner {
            trace::event(ctx, pid, trace::PROCS_FLAG, atom::UNREGISTER, &[a[0]]);
        }
        Ok(atom::TRUE)
    } else {
        Err(badarg())
    }
}

/// `whereis/1`.
pub fn whereis(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() {
        return Err(badarg());
    }
    Ok(ctx.node.whereis(a[0]).map_or(atom::UNDEFINED, Term::pid))
}

/// `registered/0`.
pub fn registered(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let names = ctx.node.registered();
    Ok(ctx.p.heap.list(&names))
}

/// `is_process_alive/1`.
pub fn is_process_alive(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_pid() {
        return Err(badarg());
    }
    Ok(Term::boolean(
        a[0] == ctx.p.pid || ctx.node.is_alive(a[0].pid_number()),
    ))
}

/// `processes/0`.
pub fn processes(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let pids: Vec<Term> = ctx.node.processes().into_iter().map(Term::pid).collect();
    Ok(ctx.p.heap.list(&pids))
}

fn priority(ctx: &Ctx, t: Term) -> Option<Priority> {
    if !t.is_atom() {
        return None;
    }
    Some(match ctx.atoms.name(t) {
        "low" => Priority::Low,
        "normal" => Priority::Normal,
        "high" => Priority::High,
        "max" => Priority::Max,
        _ => return None,
    })
}

pub(super) fn priority_atom(ctx: &mut Ctx, p: Priority) -> Result<Term, Fault> {
    atom(
        ctx,
        match p {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Max => "max",
        },
    )
}

/// `process_flag/2`: `trap_exit`, `priority`, `max_heap_size`, `min_heap_size`,
/// `min_bin_vheap_size`, `message_queue_data`, `sensitive`, `error_handler` and `monitor_nodes`
/// (also with options).
pub fn process_flag(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let me = me(ctx);
    if let Some(key) = monitor_nodes_key(ctx, a[0]) {
        // Subscriptions are counted as erl counts them: on answers the count before, off
        // the count it clears.
        let on = match a[1] {
            atom::TRUE => true,
            atom::FALSE => false,
            _ => return Err(badarg()),
        };
        let subs = &mut ctx.p.monitor_nodes;
        let at = subs.iter().position(|s| s.0 == key);
        let old = at.map_or(0, |i| subs[i].1);
        match (on, at) {
            (true, Some(i)) => subs[i].1 += 1,
            (true, None) => subs.push((key, 1)),
            (false, Some(i)) => {
                subs.swap_remove(i);
            }
            (false, None) => {}
        }
        return Ok(Term::small(i64::from(old)));
    }
    if a[0] == atom::TRAP_EXIT {
        let on = match a[1] {
            atom::TRUE => true,
            atom::FALSE => false,
            _ => return Err(badarg()),
        };
        let old = ctx.node.set_trap_exit(me, on);
        if !on && ctx.node.signals_pending(me) {
            end_slice(ctx);
        }
        Ok(Term::boolean(old))
    } else if is_atom(ctx, a[0], "priority") {
        let p = priority(ctx, a[1]).ok_or_else(badarg)?;
        let old = ctx.node.set_priority(me, p);
        priority_atom(ctx, old)
    } else if a[0] == atom::MAX_HEAP_SIZE {
        // Keys the map leaves out take the node's default, as in erl.
        let node_max_heap = ctx.node.system_max_heap(None);
        let m = node_max_heap.parse(&ctx.view(), ctx.atoms, a[1]);
        let old = ctx.p.max_heap;
        ctx.p.set_max_heap(m.ok_or_else(badarg)?);
        Ok(old.to_term(&mut ctx.p.heap, ctx.atoms))
    } else if is_atom(ctx, a[0], "min_heap_size") {
        let old = ctx.p.heap.min_heap;
        ctx.p
            .heap
            .set_min_heap(min_heap_words(a[1])?)
            .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
        Ok(Term::small(old as i64))
    } else if is_atom(ctx, a[0], "min_bin_vheap_size") {
        let new = min_bin_vheap_words(a[1])?;
        let old = core::mem::replace(&mut ctx.p.min_bin_vheap, new);
        Ok(Term::small(old as i64))
    } else if is_atom(ctx, a[0], "scheduler") && a[1].as_small().is_some_and(|n| n >= 0) {
        // One scheduler: a process is bound to none.
        Ok(Term::small(0))
    } else if is_atom(ctx, a[0], "fullsweep_after") && a[1].as_small().is_some_and(|n| n >= 0) {
        // One generation: every collection is a full sweep whatever the setting.
        Ok(Term::small(65535))
    } else if is_atom(ctx, a[0], "sensitive") {
        let on = match a[1] {
            atom::TRUE => true,
            atom::FALSE => false,
            _ => return Err(badarg()),
        };
        Ok(Term::boolean(core::mem::replace(&mut ctx.p.sensitive, on)))
    } else if is_atom(ctx, a[0], "save_calls") {
        let n = save_calls(a[1]).ok_or_else(|| badarg_cause(atom::NONE_ATOM))?;
        let old = ctx.node.set_save_calls(me, n).unwrap_or(0);
        Ok(Term::small(i64::from(old)))
    } else if is_atom(ctx, a[0], "error_handler") {
        if !a[1].is_atom() {
            return Err(badarg());
        }
        let new = (!is_atom(ctx, a[1], "error_handler")).then_some(a[1]);
        match ctx.node.set_error_handler(me, new) {
            Some(old) => Ok(old),
            None => atom(ctx, "error_handler"),
        }
    } else if is_atom(ctx, a[0], "message_queue_data") {
        // One mailbox layout: the setting is remembered and reported (logger's processes
        // ask for off_heap).
        let new = queue_data(ctx, a[1]).ok_or_else(badarg)?;
        let old = ctx.p.mailbox.set_off_heap(new);
        atom(ctx, if old { "off_heap" } else { "on_heap" })
    } else {
        // A flag erl does not know (or this runtime does not keep), as erl reports one.
        Err(badopt(ctx))
    }
}

/// A `save_calls` value: 0 to 10,000.
fn save_calls(t: Term) -> Option<u16> {
    t.as_small()
        .filter(|n| (0..=10_000).contains(n))
        .map(|n| n as u16)
}

/// `process_flag/3`: `save_calls` of any live process (`badtype` for anything else in
/// place of one), the only flag erl sets for another process.
pub fn process_flag3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let live = a[0].is_pid() && (a[0] == ctx.p.pid || ctx.node.is_alive(a[0].pid_number()));
    if !live {
        let badtype = atom(ctx, "badtype")?;
        return Err(badarg_cause(badtype));
    }
    if !is_atom(ctx, a[1], "save_calls") {
        return Err(badarg());
    }
    let n = save_calls(a[2]).ok_or_else(badarg)?;
    let old = ctx.node.set_save_calls(a[0].pid_number(), n).unwrap_or(0);
    Ok(Term::small(i64::from(old)))
}

/// The key of a `monitor_nodes` flag: 0 for the plain atom, the hash of its options (a
/// map) for `{monitor_nodes, Options}`; `None` for any other flag.
fn monitor_nodes_key(ctx: &mut Ctx, flag: Term) -> Option<u32> {
    if is_atom(ctx, flag, "monitor_nodes") {
        return Some(0);
    }
    let v = ctx.view();
    let [name, opts] = *v.tuple(flag)? else {
        return None;
    };
    if !(name.is_atom() && ctx.atoms.name(name) == "monitor_nodes" && v.is_map(opts)) {
        return None;
    }
    Some(crate::vm::phash::phash2(&v, ctx.atoms, ctx.code, opts) | 1)
}

/// `erlang:suspend_process/1`: `suspend_process(Pid, [])`.
pub fn suspend_process1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    suspend_process(ctx, &[a[0], Term::NIL])
}

/// `erlang:suspend_process/2`: suspends another live process once more (each suspension
/// is taken back by one `resume_process/1`); with `unless_suspending`, a process already
/// suspended stays as it is and the answer is false. `asynchronous` changes nothing here:
/// the suspension is in place when the call returns.
pub fn suspend_process(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let opts = ctx.view().list_to_vec(a[1]).ok_or_else(badarg)?;
    let mut unless_suspending = false;
    for o in opts {
        if is_atom(ctx, o, "unless_suspending") {
            unless_suspending = true;
        } else if !is_atom(ctx, o, "asynchronous") {
            return Err(badarg());
        }
    }
    if !a[0].is_pid() || a[0] == ctx.p.pid {
        return Err(badarg());
    }
    let by = if unless_suspending { 0 } else { 1 };
    let before = ctx.node.suspend(a[0].pid_number(), by).ok_or_else(badarg)?;
    if unless_suspending {
        if before > 0 {
            return Ok(atom::FALSE);
        }
        ctx.node.suspend(a[0].pid_number(), 1);
    }
    Ok(atom::TRUE)
}

/// `erlang:resume_process/1`: takes one suspension back; `badarg` for a process that is
/// not suspended.
pub fn resume_process(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_pid() || a[0] == ctx.p.pid {
        return Err(badarg());
    }
    ctx.node.suspend(a[0].pid_number(), -1).ok_or_else(badarg)?;
    Ok(atom::TRUE)
}

/// `erlang:yield/0`: the caller goes to the back of its run queue at once, as in erl (a
/// trap to [`super::trap::YIELD`], which answers `true` when the process runs again), not at
/// its next call.
pub fn yield_(_: &mut Ctx, _: &[Term]) -> BifResult {
    let none = Term::NIL;
    Err(Fault::TrapTo([
        Term::small(super::trap::YIELD),
        none,
        none,
        none,
    ]))
}

/// The time and destination of `send_after` and `start_timer`. A bad time is `badarg` with
/// `cause => time` in the frame's `error_info`, as in erl, and is found before a bad
/// destination.
fn timer_args(ctx: &mut Ctx, a: &[Term], abs: bool) -> Result<(u64, TimerDest), Fault> {
    // As erl: a timer may run as long as its deadline fits the 64-bit monotonic clock in
    // nanoseconds (about 292 years); past that, badarg.
    let now_ns = ctx.node.io().monotonic_nanos();
    let longest = (i64::MAX as u64).saturating_sub(now_ns) / 1_000_000;
    let bad_time = || badarg_cause(atom::TIME);
    let ms = if abs {
        // An absolute time on erl's monotonic clock, in milliseconds; the past fires at once,
        // but a time before the clock's start (the node's, `system_info(start_time)`) is
        // badarg, as in erl.
        let at = a[0].as_small().filter(|&t| t >= 0).ok_or_else(bad_time)?;
        let left = at.saturating_sub((now_ns / 1_000_000) as i64).max(0) as u64;
        if left > longest {
            return Err(bad_time());
        }
        left
    } else {
        match a[0].as_small() {
            Some(n) if n >= 0 && n as u64 <= longest => n as u64,
            _ => return Err(bad_time()),
        }
    };
    let dest = if a[1].is_pid() {
        TimerDest::Pid(a[1].pid_number())
    } else if a[1].is_atom() {
        TimerDest::Name(a[1])
    } else {
        return Err(badarg());
    };
    Ok((ms, dest))
}

/// The options of the timer BIFs, in [`timer_opts`]'s order.
const TIMER_OPTS: [&str; 3] = ["abs", "async", "info"];

/// Reads a timer option list: each item `{Name, Bool}` with `Name` one of [`TIMER_OPTS`]
/// allowed by the bit mask `allowed`; the values in that order (`None` where absent).
/// Anything else: `badarg`, with `cause => badopt` when `cause` says (erl's `send_after` and
/// `start_timer` give it, `cancel_timer` and `read_timer` not).
fn timer_opts(ctx: &Ctx, list: Term, allowed: u8, cause: bool) -> Result<[Option<bool>; 3], Fault> {
    let badarg = || {
        if cause {
            badarg_cause(atom::BADOPT)
        } else {
            badarg()
        }
    };
    let mut out = [None; 3];
    let v = ctx.view();
    let mut l = list;
    while l.is_cons() {
        let (o, rest) = v.cons(l);
        let (k, x) = match v.tuple(o) {
            Some([k, x]) if k.is_atom() && (*x == atom::TRUE || *x == atom::FALSE) => (*k, *x),
            _ => return Err(badarg()),
        };
        let i = TIMER_OPTS.iter().position(|n| ctx.atoms.name(k) == *n);
        match i {
            Some(i) if allowed & (1 << i) != 0 => out[i] = Some(x == atom::TRUE),
            _ => return Err(badarg()),
        }
        l = rest;
    }
    if !l.is_nil() {
        return Err(badarg());
    }
    Ok(out)
}

fn start_timer_with(ctx: &mut Ctx, a: &[Term], wrap: bool) -> BifResult {
    let abs = match a.get(3) {
        Some(&opts) => timer_opts(ctx, opts, 0b001, true)?[0].unwrap_or(false),
        None => false,
    };
    let (ms, dest) = timer_args(ctx, a, abs)?;
    let (n, r) = new_ref(ctx);
    let view = ctx.p.heap.view(ctx.lits);
    ctx.node
        .start_timer(n, dest, ms, &view, a[2], wrap)
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    Ok(r)
}

/// `erlang:send_after/3,4`.
pub fn send_after(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    start_timer_with(ctx, a, false)
}

/// `erlang:start_timer/3,4`: the message is `{timeout, Ref, Msg}`.
pub fn start_timer(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    start_timer_with(ctx, a, true)
}

/// What `cancel_timer` and `read_timer` answer, given the options they allow (a mask of
/// [`TIMER_OPTS`]): `{async, true}` sends the answer as `{Tag, Ref, Result}` and returns
/// `ok`; `{info, false}` returns `ok` alone (cancel only).
fn timer_reply(ctx: &mut Ctx, a: &[Term], tag: &str, allowed: u8) -> BifResult {
    let n = ref_number(ctx, a[0]).ok_or_else(badarg)?;
    let [_, asy, info] = match a.get(1) {
        Some(&opts) => timer_opts(ctx, opts, allowed, false)?,
        None => [None; 3],
    };
    let left = if tag == "cancel_timer" {
        ctx.node.cancel_timer(n)
    } else {
        ctx.node.read_timer(n)
    };
    let result = match left {
        Some(ms) => ctx.p.heap.int(ms as i64),
        None => atom::FALSE,
    };
    if !info.unwrap_or(true) {
        return Ok(atom::OK);
    }
    if asy.unwrap_or(false) {
        let tag = atom(ctx, tag)?;
        let msg = ctx.p.heap.tuple(&[tag, a[0], result]);
        ctx.p.mailbox.push(msg);
        return Ok(atom::OK);
    }
    Ok(result)
}

/// `erlang:cancel_timer/1,2`: the milliseconds left, or `false`.
pub fn cancel_timer(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    timer_reply(ctx, a, "cancel_timer", 0b110)
}

/// `erlang:read_timer/1,2`: the milliseconds left, or `false` (no `info` option).
pub fn read_timer(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    timer_reply(ctx, a, "read_timer", 0b010)
}

/// `erlang:hibernate(M, F, Args)`: drops the caller's stack, has its heap collected, and
/// waits for a message (left in the mailbox) before it calls `apply(M, F, Args)`; that call
/// returns to nothing, so its return ends the process normally.
pub fn hibernate(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() || !a[1].is_atom() || ctx.view().list_len(a[2]).is_none() {
        return Err(badarg());
    }
    ctx.p.stack.clear();
    // Y0..Y2 read M, F, Args: Y0 is the top of the stack.
    ctx.p.stack.extend([a[2], a[1], a[0]]);
    ctx.p.mailbox.reset_save();
    // A heap limit of zero collects at the next safe point (as `garbage_collect/0` does).
    ctx.p.heap.collect_soon();
    Err(Fault::Hibernate)
}
