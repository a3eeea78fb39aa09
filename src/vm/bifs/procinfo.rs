//! `process_info/1,2` and the group leader (`group_leader/0,2`).
//!
//! The node knows a process's links, monitors, flags and group leader; the calling process's
//! heap, stack, mailbox and dictionary are read here from [`Ctx::p`], another's are copied out
//! by the node. An item is answered as erl answers it, `{Item, Value}`.

use alloc::vec::Vec;

use super::procs::priority_atom;
use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::exception::{build_trace, Top};
use crate::vm::process::SLICE_REDUCTIONS;
use crate::vm::services::ProcessInfo;
use crate::vm::term::Term;

/// An item `process_info/2` answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Item {
    RegisteredName,
    TrapExit,
    Priority,
    Links,
    Monitors,
    MonitoredBy,
    GroupLeader,
    Status,
    MessageQueueLen,
    Messages,
    Dictionary,
    HeapSize,
    TotalHeapSize,
    StackSize,
    Memory,
    Reductions,
    MaxHeapSize,
    MinHeapSize,
    MinBinVheapSize,
    InitialCall,
    CurrentFunction,
    CurrentStacktrace,
    CurrentLocation,
    Suspending,
    ErrorHandler,
    GarbageCollection,
    Binary,
    CatchLevel,
    LastCalls,
    SequentialTraceToken,
    Trace,
    Parent,
    MessageQueueData,
    GarbageCollectionInfo,
    Backtrace,
}

/// Every item answered (`process_info/1`'s among them), by name.
const ITEMS: [(&str, Item); 35] = [
    ("registered_name", Item::RegisteredName),
    ("trap_exit", Item::TrapExit),
    ("priority", Item::Priority),
    ("links", Item::Links),
    ("monitors", Item::Monitors),
    ("monitored_by", Item::MonitoredBy),
    ("group_leader", Item::GroupLeader),
    ("status", Item::Status),
    ("message_queue_len", Item::MessageQueueLen),
    ("messages", Item::Messages),
    ("dictionary", Item::Dictionary),
    ("heap_size", Item::HeapSize),
    ("total_heap_size", Item::TotalHeapSize),
    ("stack_size", Item::StackSize),
    ("memory", Item::Memory),
    ("reductions", Item::Reductions),
    ("max_heap_size", Item::MaxHeapSize),
    ("min_heap_size", Item::MinHeapSize),
    ("min_bin_vheap_size", Item::MinBinVheapSize),
    ("initial_call", Item::InitialCall),
    ("current_function", Item::CurrentFunction),
    ("current_stacktrace", Item::CurrentStacktrace),
    ("current_location", Item::CurrentLocation),
    ("suspending", Item::Suspending),
    ("error_handler", Item::ErrorHandler),
    ("garbage_collection", Item::GarbageCollection),
    ("binary", Item::Binary),
    ("catchlevel", Item::CatchLevel),
    // Call saving, sequential and other tracing are not implemented: never on, as erl
    // answers for a process nothing turned them on for.
    ("last_calls", Item::LastCalls),
    ("sequential_trace_token", Item::SequentialTraceToken),
    ("trace", Item::Trace),
    ("parent", Item::Parent),
    ("message_queue_data", Item::MessageQueueData),
    ("garbage_collection_info", Item::GarbageCollectionInfo),
    ("backtrace", Item::Backtrace),
];

/// The items of `process_info/1`, in erl's order (`registered_name` first when there is one).
const DEFAULT_ITEMS: [&str; 16] = [
    "current_function",
    "initial_call",
    "status",
    "message_queue_len",
    "links",
    "dictionary",
    "trap_exit",
    "error_handler",
    "priority",
    "group_leader",
    "total_heap_size",
    "heap_size",
    "stack_size",
    "reductions",
    "garbage_collection",
    "suspending",
];

fn named(ctx: &mut Ctx, name: &str) -> Result<Term, Fault> {
    ctx.atoms.intern(name).map_err(|_| badarg())
}

/// `erlang:process_display(Pid, backtrace)`: the process's `backtrace` text on standard
/// error.
pub fn process_display(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !(a[1].is_atom() && ctx.atoms.name(a[1]) == "backtrace") {
        return Err(badarg());
    }
    let info = view_of(ctx, a[0])?.ok_or_else(badarg)?;
    let item = ctx.atoms.intern("backtrace").map_err(|_| badarg())?;
    let text = value(ctx, a[0], &info, item)?.ok_or_else(badarg)?;
    let bytes = ctx
        .view()
        .binary_bytes(text)
        .map(|b| b.into_owned())
        .unwrap_or_default();
    ctx.node.io().stderr(&bytes);
    Ok(atom::TRUE)
}

/// `(M:F/A + Offset)` for instruction `pc` of module index `module`, as erl's backtraces
/// name a position (the offset counts instructions from the function's start).
fn function_text(ctx: &Ctx, (module, pc): (u32, u32)) -> alloc::string::String {
    let found = ctx.code.modules.get(module as usize).and_then(|m| {
        let f = m.function_at(pc)?;
        Some((m.name, f.name, f.arity, pc - f.start))
    });
    match found {
        Some((m, f, a, off)) => alloc::format!(
            "({}:{}/{} + {})",
            ctx.atoms.name(m),
            ctx.atoms.name(f),
            a,
            off
        ),
        None => "(unknown function)".into(),
    }
}

/// `{M, F, A}` of the function at `pc` of module index `module`.
fn mfa_at(ctx: &mut Ctx, module: u32, pc: u32) -> Term {
    // A hibernating process waits in module 0's stub: erl shows the BIF it called.
    if module == 0 && pc >= crate::vm::code::HIBERNATE_PC - 1 {
        if let Ok(hibernate) = ctx.atoms.intern("hibernate") {
            return ctx.p.heap.tuple(&[atom::ERLANG, hibernate, Term::small(3)]);
        }
    }
    ctx.mfa_at(module, pc).unwrap_or(atom::UNDEFINED)
}

/// The `min_bin_vheap_size` of the process `info` describes, in words (`me`: the caller).
fn min_bin_vheap(ctx: &Ctx, me: bool, info: &ProcessInfo) -> usize {
    match info.min_bin_vheap {
        Some(words) if !me => words,
        _ => ctx.p.min_bin_vheap,
    }
}

/// The `min_heap_size` of the process `info` describes, in words (`me`: the caller).
fn min_heap(ctx: &Ctx, me: bool, info: &ProcessInfo) -> usize {
    match info.min_heap {
        Some(words) if !me => words,
        _ => ctx.p.heap.min_heap,
    }
}

/// The value of one item of process `pid` (`info` is the node's view of it); `None`: not an
/// item erl knows.
fn value(ctx: &mut Ctx, pid: Term, info: &ProcessInfo, item: Term) -> Result<Option<Term>, Fault> {
    let me = pid == ctx.p.pid;
    let n = pid.pid_number();
    if !item.is_atom() {
        return Ok(None);
    }
    let (heap, stack, memory) = match info.words {
        Some((h, s, m)) if !me => (h, s + ERL_STACK_BASE, m),
        _ => (ctx.p.heap_size(), own_stack_size(ctx), 0),
    };
    let Some(&(_, which)) = ITEMS.iter().find(|(n, _)| *n == ctx.atoms.name(item)) else {
        return Ok(None);
    };
    // A sensitive process's messages, dictionary and backtrace are not shown, as in erl.
    let sensitive = if me { ctx.p.sensitive } else { info.sensitive };
    if sensitive {
        match which {
            Item::Messages | Item::Dictionary => return Ok(Some(Term::NIL)),
            Item::MessageQueueLen => return Ok(Some(Term::small(0))),
            Item::Backtrace => return Ok(Some(ctx.p.heap.binary(Vec::new()))),
            _ => {}
        }
    }
    let v = match which {
        Item::RegisteredName => info.name.unwrap_or(Term::NIL),
        Item::TrapExit => Term::boolean(info.trap_exit),
        Item::Priority => priority_atom(ctx, info.priority)?,
        Item::Links => {
            let l: Vec<Term> = info.links.iter().map(|&p| Term::pid(p)).collect();
            ctx.p.heap.list(&l)
        }
        Item::Monitors => {
            let process = named(ctx, "process")?;
            let mut l = Vec::with_capacity(info.monitors.len());
            for &(target, by_name) in &info.monitors {
                let who = match by_name {
                    Some(name) => ctx.p.heap.tuple(&[name, atom::NONODE]),
                    None => Term::pid(target),
                };
                l.push(ctx.p.heap.tuple(&[process, who]));
            }
            ctx.p.heap.list(&l)
        }
        Item::MonitoredBy => {
            let l: Vec<Term> = info.monitored_by.iter().map(|&p| Term::pid(p)).collect();
            ctx.p.heap.list(&l)
        }
        Item::GroupLeader => Term::pid(info.group_leader),
        Item::Status => named(
            ctx,
            if me {
                "running"
            } else if info.suspended {
                "suspended"
            } else if info.waiting {
                "waiting"
            } else {
                "runnable"
            },
        )?,
        Item::MessageQueueLen => {
            let len = if me {
                ctx.p.mailbox.len()
            } else {
                info.message_queue_len.unwrap_or(0)
            };
            Term::small(len as i64)
        }
        Item::Messages | Item::Dictionary if !me => {
            let messages = which == Item::Messages;
            match ctx.node.copy_out(n, messages, &mut ctx.p.heap) {
                Ok(Some(l)) => l,
                Ok(None) => Term::NIL,
                Err(_) => return Err(Fault::error(atom::SYSTEM_LIMIT)),
            }
        }
        Item::Messages => {
            let mut m = Vec::new();
            m.try_reserve_exact(ctx.p.mailbox.len())
                .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
            m.extend(ctx.p.mailbox.iter());
            ctx.heap_room(2 * m.len())?;
            ctx.p.heap.list(&m)
        }
        Item::Dictionary => super::misc::get0(ctx, &[])?,
        Item::HeapSize | Item::TotalHeapSize => Term::small(heap as i64),
        Item::StackSize => Term::small(stack as i64),
        Item::Memory if me => ctx.p.heap.int(ctx.p.memory_use().held as i64),
        Item::Memory => ctx.p.heap.int(memory as i64),
        // The caller's own: those of its slices before, and of this one so far.
        Item::Reductions if me => {
            let now = (SLICE_REDUCTIONS - ctx.p.reductions.clamp(0, SLICE_REDUCTIONS)) as u64;
            ctx.p.heap.int((info.reductions + now) as i64)
        }
        Item::Reductions => ctx.p.heap.int(info.reductions as i64),
        Item::MinHeapSize => Term::small(min_heap(ctx, me, info) as i64),
        Item::MinBinVheapSize => Term::small(min_bin_vheap(ctx, me, info) as i64),
        Item::MaxHeapSize => match info.max_heap {
            Some(m) if !me => m.to_term(&mut ctx.p.heap, ctx.atoms),
            _ => ctx.p.max_heap.to_term(&mut ctx.p.heap, ctx.atoms),
        },
        Item::InitialCall => match info.initial_call {
            Some((m, f, a)) => ctx.p.heap.tuple(&[m, f, Term::small(a as i64)]),
            None => ctx
                .p
                .heap
                .tuple(&[atom::ERLANG, atom::APPLY, Term::small(2)]),
        },
        Item::CurrentFunction => {
            let (m, pc) = match info.at {
                Some(at) if !me => at,
                // The caller's pc is past the call (which may end its function).
                _ => (ctx.p.module, ctx.p.pc.saturating_sub(1)),
            };
            mfa_at(ctx, m, pc)
        }
        // At backtrace_depth 0 erl shows no frame here (an exception's trace keeps its top).
        Item::CurrentStacktrace if ctx.code.trace_depth.get() == 0 => Term::NIL,
        Item::CurrentStacktrace if me => {
            let (m, pc) = (ctx.p.module, ctx.p.pc.saturating_sub(1));
            build_trace(
                ctx.p,
                ctx.atoms,
                ctx.code,
                m,
                pc,
                Top::Function {
                    args: None,
                    info: None,
                },
            )
        }
        Item::CurrentLocation => {
            let (m, pc) = match info.at {
                Some(at) if !me => at,
                _ => (ctx.p.module, ctx.p.pc.saturating_sub(1)),
            };
            match crate::vm::exception::trace_of(ctx.p, ctx.code, (m, pc), &[], 1) {
                t if t.is_cons() => ctx.view().list_to_vec(t).map_or(Term::NIL, |f| f[0]),
                _ => return Ok(None),
            }
        }
        Item::CurrentStacktrace => match info.at {
            Some(at) => {
                let depth = ctx.code.trace_depth.get();
                crate::vm::exception::trace_of(ctx.p, ctx.code, at, &info.returns, depth)
            }
            None => Term::NIL,
        },
        Item::Suspending => Term::NIL,
        Item::ErrorHandler => match info.error_handler {
            Some(m) => m,
            None => named(ctx, "error_handler")?,
        },
        Item::CatchLevel => {
            let level = if me {
                ctx.p.catch_level()
            } else {
                info.catches
            };
            Term::small(level as i64)
        }
        // Calls are not recorded: a process saving them has none to show.
        Item::LastCalls if info.save_calls => Term::NIL,
        Item::LastCalls => atom::FALSE,
        Item::SequentialTraceToken => Term::NIL,
        Item::Trace => Term::small(
            super::trace::tracee_of(ctx, n).map_or(0, |t| crate::vm::trace::erl_word(t.flags)),
        ),
        Item::Parent => info.parent.map_or(atom::UNDEFINED, Term::pid),
        Item::MessageQueueData => {
            let off = if me {
                ctx.p.mailbox.off_heap()
            } else {
                info.off_heap_queue
            };
            named(ctx, if off { "off_heap" } else { "on_heap" })?
        }
        Item::Binary => {
            let found = if me {
                Some(ctx.p.heap.shared_binaries())
            } else {
                ctx.node.binaries(n)
            };
            let bins = match found {
                Some(Ok(b)) => b,
                Some(Err(_)) => return Err(Fault::error(atom::SYSTEM_LIMIT)),
                None => Vec::new(),
            };
            // A 3-tuple and a cons cell each.
            ctx.heap_room(bins.len() * 6)?;
            let mut l = Term::NIL;
            for [id, size, refs] in bins.into_iter().rev() {
                let t = [id, size, refs].map(|x| Term::small(x as i64));
                let e = ctx.p.heap.tuple(&t);
                l = ctx.p.heap.cons(e, l);
            }
            l
        }
        Item::GarbageCollectionInfo => {
            // One generation and no binary virtual heap: the young heap is all of it.
            let vheap = min_bin_vheap(ctx, me, info) as i64;
            let (heap, stack) = (heap as i64, stack as i64);
            let mut l = Vec::new();
            for (k, v) in [
                ("old_heap_block_size", 0),
                ("heap_block_size", heap),
                ("mbuf_size", 0),
                ("recent_size", heap),
                ("stack_size", stack),
                ("old_heap_size", 0),
                ("heap_size", heap),
                ("bin_vheap_size", 0),
                ("bin_vheap_block_size", vheap),
                ("bin_old_vheap_size", 0),
                ("bin_old_vheap_block_size", vheap),
            ] {
                let k = named(ctx, k)?;
                let v = ctx.p.heap.int(v);
                l.push(ctx.p.heap.tuple(&[k, v]));
            }
            ctx.p.heap.list(&l)
        }
        Item::Backtrace => {
            // erl's text shows machine addresses and Y registers; this one the functions:
            // where it is, then each return address, innermost first.
            let (at, returns) = match info.at {
                Some(at) if !me => (at, info.returns.clone()),
                _ => (
                    (ctx.p.module, ctx.p.pc.saturating_sub(1)),
                    crate::vm::exception::return_addresses(ctx.p),
                ),
            };
            let mut text = alloc::format!("Program counter: {}\n", function_text(ctx, at));
            for (m, pc) in returns {
                text.push_str(&alloc::format!(
                    "\nReturn addr {}\n",
                    function_text(ctx, (m, pc.saturating_sub(1)))
                ));
            }
            text.push_str("\nReturn addr (<terminate process normally>)\n");
            ctx.heap_room(text.len() / 8 + 8)?;
            ctx.p.heap.binary(text.into_bytes())
        }
        Item::GarbageCollection => {
            let max = ctx.p.max_heap.to_term(&mut ctx.p.heap, ctx.atoms);
            let mut l = Vec::new();
            for (k, v) in [
                ("min_bin_vheap_size", min_bin_vheap(ctx, me, info) as i64),
                ("min_heap_size", min_heap(ctx, me, info) as i64),
                ("fullsweep_after", 65_535),
                ("minor_gcs", 0),
            ] {
                let k = named(ctx, k)?;
                l.push(ctx.p.heap.tuple(&[k, Term::small(v)]));
            }
            let m = ctx.p.heap.tuple(&[atom::MAX_HEAP_SIZE, max]);
            l.insert(0, m);
            ctx.p.heap.list(&l)
        }
    };
    Ok(Some(v))
}

/// The node's view of live process `pid` (the calling process included), or `None` if dead.
fn view_of(ctx: &mut Ctx, pid: Term) -> Result<Option<ProcessInfo>, Fault> {
    if !pid.is_pid() {
        return Err(badarg());
    }
    Ok(match ctx.node.process_info(pid.pid_number()) {
        Some(i) => Some(i),
        // A node without a process table (a lone process) still answers for the caller.
        None if pid == ctx.p.pid => Some(ProcessInfo {
            group_leader: pid.pid_number(),
            ..ProcessInfo::default()
        }),
        None => None,
    })
}

/// The words of a process's stack that erl counts and this stack does not hold: the return
/// address of the process's first function (to its exit; here the empty stack is the exit).
const ERL_STACK_BASE: usize = 1;

/// The caller's stack size as erl reports it: [`ERL_STACK_BASE`] and the return address of
/// its call to `process_info` (a BIF's call here pushes none).
fn own_stack_size(ctx: &Ctx) -> usize {
    ctx.p.stack.len() + ERL_STACK_BASE + 1
}

fn pair(ctx: &mut Ctx, pid: Term, info: &ProcessInfo, item: Term) -> BifResult {
    let v = value(ctx, pid, info, item)?.ok_or_else(badarg)?;
    Ok(ctx.p.heap.tuple(&[item, v]))
}

/// `erlang:process_info/2` with one item or a list of them.
pub fn process_info(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    // A process asking its own heap or stack size (a server tracking its high-water mark)
    // needs nothing from the node's tables.
    if a[0] == ctx.p.pid && a[1].is_atom() {
        let size = match ctx.atoms.name(a[1]) {
            "heap_size" | "total_heap_size" => Some(ctx.p.heap_size()),
            "stack_size" => Some(own_stack_size(ctx)),
            _ => None,
        };
        if let Some(words) = size {
            return Ok(ctx.p.heap.tuple(&[a[1], Term::small(words as i64)]));
        }
    }
    let Some(info) = view_of(ctx, a[0])? else {
        return Ok(atom::UNDEFINED);
    };
    if crate::vm::trace::used() && a[0] != ctx.p.pid {
        by_signal(ctx, a[0], a[1]);
    }
    if a[1].is_atom() {
        if a[1] == atom::REGISTERED_NAME && info.name.is_none() {
            // erl answers [] rather than a tuple for a process without a name.
            return Ok(Term::NIL);
        }
        return pair(ctx, a[0], &info, a[1]);
    }
    let items = ctx.view().list_to_vec(a[1]).ok_or_else(badarg)?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(pair(ctx, a[0], &info, item)?);
    }
    Ok(ctx.p.heap.list(&out))
}

/// The items erl asks of another process by a signal it is scheduled to handle (the
/// others it reads itself).
const SIGNAL_ITEMS: [&str; 13] = [
    "backtrace",
    "binary",
    "current_function",
    "current_location",
    "current_stacktrace",
    "dictionary",
    "links",
    "memory",
    "messages",
    "monitored_by",
    "monitors",
    "suspending",
    "total_heap_size",
];

/// Notes a `process_info` request of `items` (one or a list) to process `pid` that erl
/// would send as a signal, for `pid`'s `running` trace events.
#[cold]
#[inline(never)]
fn by_signal(ctx: &mut Ctx, pid: Term, items: Term) {
    let asks = |t: Term| t.is_atom() && SIGNAL_ITEMS.contains(&ctx.atoms.name(t));
    let signal = match ctx.view().list_to_vec(items) {
        Some(list) => list.into_iter().any(asks),
        None => asks(items),
    };
    if signal {
        ctx.node.signalled(pid.pid_number());
    }
}

/// `erlang:process_info/1`: erl's default items.
pub fn process_info1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let Some(info) = view_of(ctx, a[0])? else {
        return Ok(atom::UNDEFINED);
    };
    if crate::vm::trace::used() && a[0] != ctx.p.pid {
        ctx.node.signalled(a[0].pid_number());
    }
    let mut out = Vec::with_capacity(DEFAULT_ITEMS.len() + 1);
    if info.name.is_some() {
        out.push(pair(ctx, a[0], &info, atom::REGISTERED_NAME)?);
    }
    for name in DEFAULT_ITEMS {
        let item = named(ctx, name)?;
        out.push(pair(ctx, a[0], &info, item)?);
    }
    Ok(ctx.p.heap.list(&out))
}

/// `group_leader/0`.
pub fn group_leader0(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let me = ctx.p.pid.pid_number();
    Ok(Term::pid(ctx.node.group_leader(me, None).unwrap_or(me)))
}

/// `group_leader(Leader, Pid)`: `true`; `badarg` for a dead `Pid`.
pub fn group_leader2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_pid() || !a[1].is_pid() {
        return Err(badarg());
    }
    let target = a[1].pid_number();
    ctx.node
        .group_leader(target, Some(a[0].pid_number()))
        .ok_or_else(badarg)?;
    Ok(atom::TRUE)
}
