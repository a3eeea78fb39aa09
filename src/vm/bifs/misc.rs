//! Process and system BIFs: exceptions, halt, display, self, references, the process
//! dictionary, node.

use alloc::string::String;
use alloc::vec::Vec;

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Class, Ctx, Fault, Frame};
use crate::vm::compare::exact_eq;
use crate::vm::display::display_to;
use crate::vm::phash::Hash2;
use crate::vm::process::SLICE_REDUCTIONS;
use crate::vm::services::{SpawnError, SpawnOptions, Start};
use crate::vm::term::Term;

use super::trap;

/// `erlang:display/1`.
/// The text goes out in pieces as it is made, so that displaying a large term takes no
/// memory in proportion to its text.
pub fn display(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    {
        let v = ctx.p.heap.view(ctx.lits);
        let io = ctx.node.io();
        display_to(&v, ctx.atoms, ctx.code, a[0], &mut |bytes| io.stdout(bytes));
    }
    ctx.node.io().stdout(b"\n");
    Ok(atom::TRUE)
}

/// `halt/0`.
pub fn halt0(_: &mut Ctx, _: &[Term]) -> BifResult {
    Err(Fault::Halt(0))
}

/// `halt/1`.
pub fn halt1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let Some(n) = a[0].as_small() {
        if n >= 0 {
            return Err(Fault::Halt((n & 0xff) as i32));
        }
        return Err(badarg());
    }
    if a[0] == atom::ABORT {
        return Err(Fault::Halt(134));
    }
    let v = ctx.view();
    // A message is a string: a list of characters and nothing else (`halt(["3"])`, what
    // `-run erlang halt 3` calls, is badarg in erl).
    let chars = v.list_to_vec(a[0]).ok_or_else(badarg)?;
    let s: Option<String> = chars
        .iter()
        .map(|c| {
            c.as_small()
                .and_then(|c| u32::try_from(c).ok().and_then(char::from_u32))
        })
        .collect();
    s.map_or_else(
        || Err(badarg()),
        |mut s| {
            crate::vm::driver::truncate_slogan(&mut s);
            Err(Fault::HaltMessage(s))
        },
    )
}

/// `halt/2`: the options are checked first, as erl does: a proper list of
/// `{flush, Boolean}` (output is always written out), else `badarg` with cause `badopt`.
pub fn halt2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let opts = v.list_to_vec(a[1]).ok_or_else(badopt)?;
    for o in opts {
        match v.tuple(o) {
            Some(&[k, atom::TRUE | atom::FALSE]) if k.is_atom() && ctx.atoms.name(k) == "flush" => {
            }
            _ => return Err(badopt()),
        }
    }
    halt1(ctx, &a[..1])
}

/// `badarg` with erl's cause `badopt`: an option list the BIF does not take.
pub(super) fn badopt() -> Fault {
    crate::vm::bif::badarg_cause(atom::BADOPT)
}

/// `self/0`.
pub fn self_(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(ctx.p.pid)
}

/// `node/0`.
pub fn node(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(atom::NONODE)
}

/// `node/1`: the node of a pid or reference (ports there are none), always this one;
/// anything else is `badarg`.
pub fn node1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if a[0].is_pid() || ctx.view().is_ref(a[0]) {
        Ok(atom::NONODE)
    } else {
        Err(badarg())
    }
}

/// `nodes/0`: the node is never distributed, so it sees no other node.
pub fn nodes0(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(Term::NIL)
}

/// Whether the node types of `nodes/1,2` (an atom or a list of them) include the node
/// itself (`this`, `known`); `None` for an argument erl refuses.
fn nodes_this(ctx: &Ctx, arg: Term) -> Option<bool> {
    let types = if arg.is_atom() {
        alloc::vec![arg]
    } else {
        ctx.view().list_to_vec(arg)?
    };
    let mut this = false;
    for t in types {
        if !t.is_atom() {
            return None;
        }
        match ctx.atoms.name(t) {
            "this" | "known" => this = true,
            "visible" | "hidden" | "connected" => {}
            _ => return None,
        }
    }
    Some(this)
}

/// `nodes/1`.
pub fn nodes1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let this = nodes_this(ctx, a[0]).ok_or_else(badarg)?;
    Ok(if this {
        ctx.p.heap.list(&[atom::NONODE])
    } else {
        Term::NIL
    })
}

/// `nodes/2`: the node itself, when asked for, with the information asked for
/// (`connection_id`: `undefined`, `node_type`: `this`).
pub fn nodes2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let this = nodes_this(ctx, a[0]).ok_or_else(badarg)?;
    let opts = ctx.view().map_entries(a[1]).ok_or_else(badarg)?;
    let mut info = Vec::new();
    for (k, v) in opts {
        let value = match (k.is_atom().then(|| ctx.atoms.name(k)), v) {
            (Some("connection_id"), atom::TRUE) => atom::UNDEFINED,
            (Some("node_type"), atom::TRUE) => ctx.atoms.intern("this").map_err(|_| badarg())?,
            (Some("connection_id" | "node_type"), atom::FALSE) => continue,
            _ => return Err(badarg()),
        };
        info.push((k, value));
    }
    if !this {
        return Ok(Term::NIL);
    }
    let m = ctx.p.heap.map_sorted(&info);
    let entry = ctx.p.heap.tuple(&[atom::NONODE, m]);
    Ok(ctx.p.heap.list(&[entry]))
}

/// `is_alive/0`: never, as for erl started without a node name.
pub fn is_alive(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(atom::FALSE)
}

/// `make_ref/0`.
pub fn make_ref(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let n = *ctx.next_ref;
    *ctx.next_ref += 1;
    Ok(ctx.p.heap.reference(n))
}

/// `throw/1`.
pub fn throw(_: &mut Ctx, a: &[Term]) -> BifResult {
    Err(Fault::raise(Class::Throw, a[0]))
}

/// `exit/1`.
pub fn exit(_: &mut Ctx, a: &[Term]) -> BifResult {
    Err(Fault::raise(Class::Exit, a[0]))
}

/// `error/1`.
pub fn error1(_: &mut Ctx, a: &[Term]) -> BifResult {
    Err(Fault::raise(Class::Error, a[0]))
}

/// `error/2`.
pub fn error2(_: &mut Ctx, a: &[Term]) -> BifResult {
    Err(Fault::Raise {
        class: Class::Error,
        reason: a[0],
        frame: Frame::CallerArgs(a[1], None),
    })
}

/// `error/3`.
pub fn error3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    // erl puts an `{error_info, Map}` option in the frame's location, after file and line.
    let info = ctx.view().list_to_vec(a[2]).and_then(|opts| {
        opts.into_iter().rev().find(|&o| {
            let v = ctx.view();
            matches!(v.tuple(o), Some([k, m]) if *k == atom::ERROR_INFO && v.is_map(*m))
        })
    });
    Err(Fault::Raise {
        class: Class::Error,
        reason: a[0],
        frame: Frame::CallerArgs(a[1], info),
    })
}

/// `raise/3`.
pub fn raise(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    // erlang:raise/3 with a bad class or stack trace returns badarg instead of raising.
    let class = match Class::from_atom(a[0]) {
        Some(c) => c,
        None => return Ok(atom::BADARG),
    };
    let v = ctx.view();
    let trace = match v.tuple(a[2]) {
        Some([_, t]) => *t,
        _ => a[2],
    };
    let Some(frames) = v.list_to_vec(trace) else {
        return Ok(atom::BADARG);
    };
    // erl keeps frames as `{M, F, ArityOrArgs, Location}`: a frame given without its
    // location gets an empty one. It keeps as many as its backtrace_depth (at least one).
    let depth = ctx.code.trace_depth.get().max(1);
    let trace = if frames.len() > depth
        || frames
            .iter()
            .any(|&f| matches!(v.tuple(f), Some(t) if t.len() == 3))
    {
        let mut out = Vec::with_capacity(frames.len().min(depth));
        for f in frames.into_iter().take(depth) {
            let t = ctx.view().tuple(f).map(|t| t.to_vec());
            out.push(match t.as_deref() {
                Some(&[m, fun, arity]) => ctx.p.heap.tuple(&[m, fun, arity, Term::NIL]),
                _ => f,
            });
        }
        ctx.p.heap.list(&out)
    } else {
        trace
    };
    Err(Fault::Raise {
        class,
        reason: a[1],
        frame: Frame::Trace(trace),
    })
}

fn dict_find(ctx: &Ctx, key: Term) -> Option<usize> {
    ctx.p.dict.find(&ctx.view(), ctx.atoms, key)
}

/// `put/2`.
pub fn put(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    match dict_find(ctx, a[0]) {
        Some(i) => Ok(ctx.p.dict.replace(i, a[1])),
        None => {
            let p = &mut *ctx.p;
            p.dict.insert(&p.heap.view(ctx.lits), a[0], a[1]);
            Ok(atom::UNDEFINED)
        }
    }
}

/// `get/1`.
pub fn get(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    Ok(match dict_find(ctx, a[0]) {
        Some(i) => ctx.p.dict.value(i),
        None => atom::UNDEFINED,
    })
}

/// `get/0`.
pub fn get0(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let pairs: Vec<(Term, Term)> = ctx.p.dict.pairs().to_vec();
    let mut items = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        items.push(ctx.p.heap.tuple(&[k, v]));
    }
    Ok(ctx.p.heap.list(&items))
}

/// `get_keys/0`.
pub fn get_keys(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let keys: Vec<Term> = ctx.p.dict.pairs().iter().map(|(k, _)| *k).collect();
    Ok(ctx.p.heap.list(&keys))
}

/// `erase/1`.
pub fn erase(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    Ok(match dict_find(ctx, a[0]) {
        Some(i) => {
            let p = &mut *ctx.p;
            p.dict.remove(&p.heap.view(ctx.lits), i).1
        }
        None => atom::UNDEFINED,
    })
}

/// `erase/0`.
pub fn erase0(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let r = get0(ctx, a)?;
    ctx.p.dict.clear();
    Ok(r)
}

/// A BIF that always fails with `undef` (placeholder for natives not provided).
pub fn undef(_: &mut Ctx, _: &[Term]) -> BifResult {
    Err(Fault::raise(Class::Error, atom::UNDEF))
}

/// `erlang:garbage_collect/0` (collection happens at the next safe point).
pub fn garbage_collect(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    ctx.p.heap.collect_soon();
    Ok(atom::TRUE)
}

/// `erlang:garbage_collect/1`: the caller collects at its next safe point, another process
/// when it next runs; `false` for a dead process.
pub fn garbage_collect1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    collect_pid(ctx, a[0])
}

fn collect_pid(ctx: &mut Ctx, pid: Term) -> BifResult {
    if !pid.is_pid() {
        return Err(badarg());
    }
    if pid == ctx.p.pid {
        ctx.p.heap.collect_soon();
        return Ok(atom::TRUE);
    }
    Ok(Term::boolean(ctx.node.collect(pid.pid_number())))
}

/// `erlang:garbage_collect/2`: options `{type, major | minor}` (one generation here: both
/// collect all of it) and `{async, RequestId}` (the answer comes as `{garbage_collect,
/// RequestId, Result}` and the call returns `async`).
pub fn garbage_collect2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    // An option erl does not know has its cause `bad_option`; a bad `type` is plain.
    let cause = ctx.atoms.intern("bad_option").map_err(|_| badarg())?;
    let bad_option = || crate::vm::bif::badarg_cause(cause);
    let v = ctx.view();
    let opts = v.list_to_vec(a[1]).ok_or_else(bad_option)?;
    let mut request = None;
    for o in opts {
        match v.tuple(o) {
            Some(&[k, x]) if k.is_atom() && ctx.atoms.name(k) == "type" => {
                if !(x.is_atom() && matches!(ctx.atoms.name(x), "major" | "minor")) {
                    return Err(badarg());
                }
            }
            Some(&[k, x]) if k.is_atom() && ctx.atoms.name(k) == "async" => request = Some(x),
            _ => return Err(bad_option()),
        }
    }
    let result = collect_pid(ctx, a[0])?;
    let Some(request) = request else {
        return Ok(result);
    };
    let tag = ctx.atoms.intern("garbage_collect").map_err(|_| badarg())?;
    let msg = ctx.p.heap.tuple(&[tag, request, result]);
    ctx.p
        .room_for_message()
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    ctx.p.mailbox.push(msg);
    ctx.atoms.intern("async").map_err(|_| badarg())
}

/// `erlang:nif_error/1,2`: stubs of natively implemented functions. As in erl, the stack
/// trace starts with the BIF's own frame.
pub fn nif_error(_: &mut Ctx, a: &[Term]) -> BifResult {
    Err(Fault::error(a[0]))
}

/// `get_keys/1`.
pub fn get_keys1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let keys: Vec<Term> = ctx
        .p
        .dict
        .pairs()
        .iter()
        .filter(|(_, val)| exact_eq(&v, ctx.atoms, *val, a[0]))
        .map(|(k, _)| *k)
        .collect();
    Ok(ctx.p.heap.list(&keys))
}

/// `erlang:phash2/1,2`, exactly as erl computes it. A large term is hashed a step at a
/// time ([`PHASH2_STEP`] terms), yielding in between as erl's does, whenever the work left
/// can be kept as terms (continuation [`trap::PHASH2`]); inside a large map or a term nested
/// thousands of levels deep it goes on without yielding.
pub fn phash2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let range = match a.get(1) {
        Some(&r) => {
            hash_range(ctx, r)?;
            r
        }
        None => Term::NIL,
    };
    let h = Hash2::new(ctx.atoms, a[0]);
    phash2_go(ctx, h, range)
}

/// Terms (and bytes of byte lists) `phash2` hashes per step: about a slice's work.
const PHASH2_STEP: usize = 1 << 16;

/// The most items of work left that `phash2` keeps as terms to yield.
const PHASH2_PENDING: usize = 4096;

/// A paused `phash2`'s hash and map XOR (its work left is a list in the trap's arguments).
struct Phash2State {
    h: u32,
    xor_pairs: u32,
}

fn phash2_go(ctx: &mut Ctx, mut h: Hash2, range: Term) -> BifResult {
    loop {
        let steps = {
            let v = ctx.p.heap.view(ctx.lits);
            h.run(&v, ctx.atoms, ctx.code, PHASH2_STEP)
        };
        ctx.charge(steps / (PHASH2_STEP / SLICE_REDUCTIONS as usize));
        if h.done() {
            let h = h.h;
            return Ok(Term::small(if range.is_nil() {
                i64::from(h & ((1 << 27) - 1))
            } else {
                match hash_range(ctx, range)? {
                    0 => i64::from(h),
                    r => (u64::from(h) % r) as i64,
                }
            }));
        }
        if let Some(pending) = h.pending(PHASH2_PENDING) {
            let items: Vec<Term> = pending
                .iter()
                .flat_map(|&(kind, t)| [Term::small(kind), t])
                .collect();
            let list = ctx.p.heap.list(&items);
            ctx.p.trap_state = Some(alloc::boxed::Box::new(Phash2State {
                h: h.h,
                xor_pairs: h.xor_pairs,
            }));
            let kind = Term::small(trap::PHASH2);
            return Err(Fault::TrapTo([kind, range, list, Term::NIL]));
        }
    }
}

/// One more step of a `phash2` (continuation [`trap::PHASH2`]): `a[1]` the range (`[]` for
/// `phash2/1`), `a[2]` the work left as (kind, term) pairs flattened into a list.
pub fn phash2_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let st = ctx
        .p
        .trap_state
        .take()
        .and_then(|b| b.downcast::<Phash2State>().ok())
        .ok_or_else(badarg)?;
    let items = ctx.view().list_to_vec(a[2]).ok_or_else(badarg)?;
    let pending: Vec<(i64, Term)> = items
        .chunks_exact(2)
        .map(|p| (p[0].as_small().unwrap_or(-1), p[1]))
        .collect();
    let h = Hash2::resume(st.h, st.xor_pairs, &pending);
    phash2_go(ctx, h, a[1])
}

/// `erlang:phash/2`, exactly as erl computes it.
pub fn phash(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let h = {
        let v = ctx.view();
        crate::vm::phash::phash(&v, ctx.atoms, ctx.code, a[0])
    };
    let range = hash_range(ctx, a[1])?;
    Ok(Term::small(if range == 0 {
        h as i64 + 1
    } else {
        (h as u64 % range) as i64 + 1
    }))
}

/// A hash range argument: 1..=2^32, where 2^32 is returned as 0.
fn hash_range(ctx: &Ctx, r: Term) -> Result<u64, Fault> {
    let v = ctx.view();
    let n = v.int(r).ok_or_else(badarg)?.to_big();
    let n: u64 = u64::try_from(&n).map_err(|_| badarg())?;
    match n {
        0 => Err(badarg()),
        0x1_0000_0000 => Ok(0),
        n if n < 0x1_0000_0000 => Ok(n),
        _ => Err(badarg()),
    }
}

/// `erlang:unique_integer/0,1`: the modifiers (`positive`, `monotonic`) change nothing, as
/// every integer given is positive and greater than the last; any other is `badarg`.
pub fn unique_integer(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if let Some(&mods) = a.first() {
        for m in ctx.view().list_to_vec(mods).ok_or_else(badarg)? {
            if !m.is_atom() || !matches!(ctx.atoms.name(m), "positive" | "monotonic") {
                return Err(badarg());
            }
        }
    }
    let n = *ctx.next_ref;
    *ctx.next_ref += 1;
    Ok(Term::small(n as i64))
}

/// `erlang:iolist_to_iovec/1`.
pub fn iolist_to_iovec(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let out = super::conv::iolist_output(ctx, a[0])?;
    if out.is_empty() {
        return Ok(Term::NIL);
    }
    let b = ctx.p.heap.binary(out);
    Ok(ctx.p.heap.list(&[b]))
}

/// `erlang:send/2` and `!`: only messages to the process itself are delivered so far.
pub fn send(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if a[0] == ctx.p.pid {
        ctx.p
            .room_for_message()
            .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
        ctx.p.mailbox.push(a[1]);
    } else if !a[0].is_pid() {
        return Err(badarg());
    }
    Ok(a[1])
}

/// `erlang:is_process_alive/1`.
pub fn is_process_alive(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_pid() {
        return Err(badarg());
    }
    Ok(Term::boolean(a[0] == ctx.p.pid))
}

/// `os:getenv/1`: the platform's environment variable (a string of characters), or
/// `false`.
pub fn os_getenv(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let name = super::conv::iolist_output(ctx, a[0])?;
    let name = core::str::from_utf8(&name).map_err(|_| badarg())?;
    match ctx.node.io().getenv(name) {
        Some(v) => Ok(ctx.p.heap.string(&v)),
        None => Ok(atom::FALSE),
    }
}

/// `inet:gethostname/0` (erl's asks the inet driver, which is not here): `{ok, Name}` with
/// the platform's host name, else the `HOSTNAME` variable, else `"nohost"`.
pub fn inet_gethostname(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let name = ctx
        .node
        .io()
        .hostname()
        .or_else(|| ctx.node.io().getenv("HOSTNAME"))
        .unwrap_or_else(|| String::from("nohost"));
    let name = ctx.p.heap.string(&name);
    Ok(ctx.p.heap.tuple(&[atom::OK, name]))
}

/// `erlang:system_monitor/0` and `erlang:system_profile/0`: nothing is monitored or
/// profiled (setting either is not there), so `undefined`.
pub fn no_monitor(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(atom::UNDEFINED)
}

/// `erlang:load_nif/2`: no native libraries load here (a unikernel has no loader for
/// them): `{error, {load_failed, Text}}`, as erl answers for a library it cannot load.
/// One of erl's preloaded modules (loaded from erts's `ebin` by OTP's code server, for its
/// `module_info`, say) is told `ok`: the node's BIFs are its native functions.
pub fn load_nif(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let caller = ctx.code.modules.get(ctx.p.module as usize).map(|m| m.name);
    if caller.is_some_and(|m| super::system::PRELOADED.contains(&ctx.atoms.name(m))) {
        return Ok(atom::OK);
    }
    let reason = ctx.atoms.intern("load_failed").map_err(|_| badarg())?;
    let text = ctx
        .p
        .heap
        .string("Failed to load NIF library: NIF libraries are not supported");
    let inner = ctx.p.heap.tuple(&[reason, text]);
    Ok(ctx.p.heap.tuple(&[atom::ERROR, inner]))
}

/// `badarg` for every argument: `open_port/2` and the port BIFs (no
/// ports exist here, and erl answers `badarg` for what is not a port), `set_cookie/1,2`
/// (the node is not alive), `call_on_load_function/1` (no module waits for one).
pub fn refuse(_: &mut Ctx, _: &[Term]) -> BifResult {
    Err(badarg())
}

/// `erlang:port_info/1`: `undefined` for a name (no port is registered under one, as none
/// exists here), `badarg` for anything else.
pub fn port_info1(_: &mut Ctx, a: &[Term]) -> BifResult {
    if a[0].is_atom() {
        Ok(atom::UNDEFINED)
    } else {
        Err(badarg())
    }
}

/// `erlang:port_info/2`: `undefined` for a name, as `port_info/1`; `badarg` with erl's
/// cause for what is not a port, `badtype`.
pub fn port_info2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if a[0].is_atom() {
        return Ok(atom::UNDEFINED);
    }
    let badtype = ctx.atoms.intern("badtype").map_err(|_| badarg())?;
    Err(crate::vm::bif::badarg_cause(badtype))
}

/// A variable's name or value for `os:putenv/2` and `os:unsetenv/1`: a string of
/// characters (a name without `=`).
fn env_text(ctx: &Ctx, t: Term, name: bool) -> Result<String, Fault> {
    let s = super::conv::list_to_string(&ctx.view(), t).ok_or_else(badarg)?;
    if name && s.contains('=') {
        return Err(badarg());
    }
    Ok(s)
}

/// `os:putenv/2`: sets the variable for the node's later `os:getenv/1,2` and `os:env/0`.
pub fn os_putenv(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let name = env_text(ctx, a[0], true)?;
    let value = env_text(ctx, a[1], false)?;
    ctx.node.io().putenv(&name, Some(&value));
    Ok(atom::TRUE)
}

/// `os:unsetenv/1`.
pub fn os_unsetenv(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let name = env_text(ctx, a[0], true)?;
    ctx.node.io().putenv(&name, None);
    Ok(atom::TRUE)
}

/// `os:env/0`: every variable as `{Name, Value}`, strings.
pub fn os_env(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let all = ctx.node.io().environment();
    let mut out = Vec::new();
    out.try_reserve_exact(all.len())
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    for (n, v) in all {
        let n = ctx.p.heap.string(&n);
        let v = ctx.p.heap.string(&v);
        out.push(ctx.p.heap.tuple(&[n, v]));
    }
    Ok(ctx.p.heap.list(&out))
}

/// `os:getpid/0`: the operating system's id of the node's process, as a string.
pub fn os_getpid(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let pid = alloc::format!("{}", ctx.node.io().os_pid());
    Ok(ctx.p.heap.string(&pid))
}

/// `init:stop/0`: `init:stop(0)`.
pub fn init_stop0(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    init_stop(ctx, Term::small(0))
}

/// `init:stop/1`: the node's orderly end, as erl's init makes it: returns `ok` at once, and a
/// new process stops the program's applications (their supervisors shut their trees down,
/// so servers that trap exits run `terminate/2`), then halts with Status, a whole number
/// from 0 or a string of bytes (which becomes the slogan, as with `halt/1`); anything else is
/// `badarg`, from `init:stop/1` as erl reports it. The process runs
/// `xenbeam_kernel:stop_node/1`.
pub fn init_stop1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    init_stop(ctx, a[0])
}

fn init_stop(ctx: &mut Ctx, status: Term) -> BifResult {
    let bad = || Fault::Raise {
        class: Class::Error,
        reason: atom::BADARG,
        frame: Frame::Named,
    };
    let v = ctx.view();
    let valid = match status.as_small() {
        Some(n) => n >= 0,
        None => v.list_to_vec(status).is_some_and(|l| {
            l.iter()
                .all(|c| c.as_small().is_some_and(|c| (0..256).contains(&c)))
        }),
    };
    if !valid {
        return Err(bad());
    }
    let (Ok(module), Ok(function)) = (
        ctx.atoms.intern("xenbeam_kernel"),
        ctx.atoms.intern("stop_node"),
    ) else {
        return Err(bad());
    };
    let args = ctx.p.heap.list(&[status]);
    let view = ctx.p.heap.view(ctx.lits);
    let me = ctx.p.pid.pid_number();
    match ctx.node.spawn(
        me,
        &view,
        Start::Apply(module, function, args),
        SpawnOptions::default(),
    ) {
        Ok(_) => Ok(atom::OK),
        Err(SpawnError::SystemLimit) => Err(Fault::error(atom::SYSTEM_LIMIT)),
        // No processes to be had here: halt at once.
        Err(SpawnError::Unsupported) => match status.as_small() {
            Some(n) => Err(Fault::Halt((n & 0xff) as i32)),
            None => halt1(ctx, &[status]),
        },
    }
}

/// `init:get_status/0`: `{starting, started}` while the command line's items run (erl's
/// init is still booting then), `{started, started}` once they have returned.
pub fn init_get_status(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let main = crate::sched::node::MAIN_PID;
    let running = main == ctx.p.pid.pid_number() || ctx.node.is_alive(main);
    let [Ok(starting), Ok(started)] = ["starting", "started"].map(|a| ctx.atoms.intern(a)) else {
        return Err(badarg());
    };
    let status = if running { starting } else { started };
    Ok(ctx.p.heap.tuple(&[status, started]))
}

/// OTP's root directory where the node loads OTP's modules from a directory (the host):
/// three levels above kernel's `ebin` (ROOT/lib/kernel-VSN/ebin).
fn otp_root(ctx: &mut Ctx) -> Option<String> {
    ctx.node.io().code_path().into_iter().find_map(|dir| {
        let app = dir.strip_suffix("/ebin")?;
        let (lib, name) = app.rsplit_once('/')?;
        let root = lib.strip_suffix("/lib")?;
        (name == "kernel" || name.starts_with("kernel-")).then(|| String::from(root))
    })
}

/// `init:get_argument/1`: the flags a node started as `erl -noshell` has (`root` and
/// `bindir` only where OTP's own directories are at hand), and the runner's `-pa`
/// directories, one value list per flag, as erl's; no others reach the VM.
pub fn init_get_argument(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() {
        return Ok(atom::ERROR);
    }
    let values = match ctx.atoms.name(a[0]) {
        "noshell" => Term::NIL,
        which @ ("root" | "bindir") => {
            let bindir = which == "bindir";
            let Some(mut dir) = otp_root(ctx) else {
                return Ok(atom::ERROR);
            };
            if bindir {
                for part in ["/erts-", super::system::ERTS_VERSION, "/bin"] {
                    dir.push_str(part);
                }
            }
            let s = ctx.p.heap.string(&dir);
            ctx.p.heap.list(&[s])
        }
        "progname" => {
            let s = ctx.p.heap.string("erl");
            ctx.p.heap.list(&[s])
        }
        "home" => match ctx.node.io().getenv("HOME") {
            Some(h) => {
                let s = ctx.p.heap.string(&h);
                ctx.p.heap.list(&[s])
            }
            None => return Ok(atom::ERROR),
        },
        // One list of values per `-pa` flag (the image has no command line with any).
        #[cfg(not(target_os = "none"))]
        "pa" => {
            let mut all = Term::NIL;
            for d in ctx.node.io().pa_dirs().iter().rev() {
                let s = ctx.p.heap.string(d);
                let values = ctx.p.heap.cons(s, Term::NIL);
                all = ctx.p.heap.cons(values, all);
            }
            if all == Term::NIL {
                return Ok(atom::ERROR);
            }
            return Ok(ctx.p.heap.tuple(&[atom::OK, all]));
        }
        _ => return Ok(atom::ERROR),
    };
    let all = ctx.p.heap.list(&[values]);
    Ok(ctx.p.heap.tuple(&[atom::OK, all]))
}

/// `init:get_plain_arguments/0`: none (the runners take no `-extra`).
pub fn init_get_plain_arguments(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(Term::NIL)
}

/// `init:script_id/0`: the boot script's name and version, as erl's start script has them.
pub fn init_script_id(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let name = ctx.p.heap.string("Erlang/OTP");
    let vsn = ctx.p.heap.string("25");
    Ok(ctx.p.heap.tuple(&[name, vsn]))
}

/// `erlang:ports/0`: none; the node's I/O goes through processes (erl has its console's
/// ports here).
pub fn ports(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(Term::NIL)
}

/// `erts_internal:is_system_process(Pid)`: false; erl's system processes are the emulator's
/// own (its code purger, literal collector, signal handlers), which the node does natively,
/// so OTP's `init` stops every process at shutdown.
pub fn is_system_process(_: &mut Ctx, args: &[Term]) -> BifResult {
    if !args[0].is_pid() {
        return Err(badarg());
    }
    Ok(atom::FALSE)
}

/// `erts_internal:scheduler_wall_time/1`: the node keeps no scheduler wall time, so it was
/// never on.
pub fn scheduler_wall_time(_: &mut Ctx, args: &[Term]) -> BifResult {
    match args[0] {
        atom::TRUE | atom::FALSE => Ok(atom::FALSE),
        _ => Err(badarg()),
    }
}

/// `erts_internal:dynamic_node_name/0`: false, the node has no name at all.
pub fn dynamic_node_name(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(atom::FALSE)
}

/// `erlang:get_cookie/0`: `nocookie`, as on any node that is not alive.
pub fn get_cookie(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    ctx.atoms.intern("nocookie").map_err(|_| badarg())
}

/// `init:objfile_extension/0`: `".beam"` (code's file names are made with it).
pub fn init_objfile_extension(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(ctx.p.heap.string(".beam"))
}

/// `init:get_arguments/0`: each flag [`init_get_argument`] knows, in erl's order, then a
/// `{pa, [Dir]}` for each `-pa` flag, as erl lists them after `-noshell`.
pub fn init_get_arguments(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let mut flags = Vec::new();
    // The -pa flags come after -noshell, as erl's command line has them.
    for name in ["root", "bindir", "progname", "home", "noshell", "pa"] {
        let flag = ctx.atoms.intern(name).map_err(|_| badarg())?;
        let found = init_get_argument(ctx, &[flag])?;
        if let Some(&[_, all]) = ctx.view().tuple(found) {
            // One entry per time the flag was given.
            for values in ctx.view().list_to_vec(all).unwrap_or_default() {
                flags.push(ctx.p.heap.tuple(&[flag, values]));
            }
        }
    }
    Ok(ctx.p.heap.list(&flags))
}
