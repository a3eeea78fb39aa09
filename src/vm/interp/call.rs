//! Calls: resolving an export or a fun to code, a BIF or `apply`, the `undef` error, and
//! taking a BIF's trap (a yield into the calling instruction again, the trap stub or
//! `apply/3`). The instructions that call are in the dispatch loop ([`super`]); the pieces
//! they share, which are rare or too long to inline in it, are here.

#![forbid(unsafe_code)]

use crate::vm::atom::{self, AtomTable};
use crate::vm::bif::{badarg, BifFn, Class, Ctx, Fault, Frame};
use crate::vm::code::TIME_POINT;
use crate::vm::code::{
    split_fun_id, Code, MetaPoint, Target, TraceHow, TracePoint, META_POINT, SPAWN_APPLY3_PC,
    TRAP_PC,
};
use crate::vm::exception::{self, BifName, Top};
use crate::vm::heap::View;
use crate::vm::literals::Literals;
use crate::vm::ops::Op;
use crate::vm::process::{Process, SLICE_REDUCTIONS, X_REGS};
use crate::vm::term::{Kind, Term};

use super::{stop, Outcome};

/// Takes a BIF's trap: yields so that the calling instruction (`at - 1`) runs again with
/// the BIF's new arguments (`Trap`), or so that the process calls the trap stub (`TrapTo`) or
/// `apply/3` (`Apply`; for both, the caller's frame as for a call from `at`, a tail call
/// dropping `tail` slots).
#[cold]
pub(super) fn trap(
    p: &mut Process,
    xr: &mut [Term; X_REGS],
    live: &mut usize,
    f: Fault,
    arity: usize,
    at: (u32, u32),
    tail: Option<usize>,
) -> Outcome {
    let (args, to): (&[Term], (u32, u32)) = match &f {
        Fault::Trap(t) => (&t[..arity], (at.0, at.1 - 1)),
        Fault::TrapTo(t) => {
            // A continuation trapping again (from the stub) keeps its caller.
            let from_stub = at.0 == 0 && (TRAP_PC..TRAP_PC + 3).contains(&at.1);
            if !(from_stub && tail.is_some()) {
                enter_from(p, at, tail);
            }
            (t, (0, TRAP_PC))
        }
        // The module-0 stub that tail-calls apply/3 on x0..x2.
        Fault::Apply(t) => {
            enter_from(p, at, tail);
            (t, (0, SPAWN_APPLY3_PC))
        }
        _ => return stop(f),
    };
    let n = args.len();
    xr[..n].copy_from_slice(args);
    if p.heap.wants_gc(0) && p.room_or_collect(&mut xr[..n], 0).is_err() {
        // Over a max_heap_size that kills, as in gc!.
        return Outcome::Crash {
            class: Class::Exit,
            reason: atom::KILLED,
            trace: Term::NIL,
        };
    }
    *live = n;
    p.reductions = SLICE_REDUCTIONS;
    (p.module, p.pc) = to;
    Outcome::Yield
}

/// Sets up the caller's frame for a trap's call from `at`, as for a call (`tail`: a tail call
/// dropping that many slots).
fn enter_from(p: &mut Process, at: (u32, u32), tail: Option<usize>) {
    match tail {
        Some(dealloc) => {
            let len = p.stack.len();
            p.stack.truncate(len - dealloc);
            p.trap_caller = Some(at);
        }
        None => {
            p.stack.push(Term::cp_at(at.0, at.1 as usize));
            p.trap_caller = None;
        }
    }
}

/// A call target resolved from an export entry.
pub(super) enum Resolved {
    Code(u32, u32),
    Bif(BifFn, BifName),
    Apply,
    Load(Term),
    Undef,
}

/// Where a call of `module:function/arity` goes, from the export table; a module not loaded
/// (nor known to be missing) is to be loaded first.
fn resolve(code: &Code, module: Term, function: Term, arity: u32) -> Resolved {
    if let Some(e) = code.find_export(module, function, arity) {
        match code.exports[e as usize].target {
            Target::Code { module, pc } => return Resolved::Code(module, pc),
            Target::Bif(b) => return Resolved::Bif(b, BifName::Export(e)),
            Target::Apply => return Resolved::Apply,
            Target::Undefined => {}
        }
    }
    if module.is_atom()
        && code.module_index(module).is_none()
        && !code.missing.contains(module.atom_index())
    {
        Resolved::Load(module)
    } else {
        Resolved::Undef
    }
}

/// The `undef` error of a call of `md:fun(args)` from instruction `pc` of module `m`
/// (a tail call dropping `dealloc` slots from the caller's caller), with `md:fun` on top of
/// its stack trace as erl reports it. Out of line: [`super::general`] is large enough.
#[cold]
#[inline(never)]
pub(super) fn undef(
    p: &mut Process,
    atoms: &mut AtomTable,
    code: &Code,
    (m, pc): (u32, usize),
    (md, fun, args): (Term, Term, &[Term]),
    tail: bool,
    dealloc: u32,
) -> Fault {
    if tail {
        let len = p.stack.len();
        p.stack.truncate(len - dealloc as usize);
    } else {
        p.stack.push(Term::cp_at(m, pc));
    }
    let trace = exception::build_trace(
        p,
        atoms,
        code,
        m,
        pc as u32,
        Top::Undef {
            module: md,
            function: fun,
            args,
        },
    );
    Fault::Raise {
        class: Class::Error,
        reason: atom::UNDEF,
        frame: Frame::Trace(trace),
    }
}

/// The arity a fun term accepts.
pub(super) fn fun_arity(code: &Code, v: &View, f: Term) -> Option<u32> {
    match v.kind(f)? {
        Kind::Fun => {
            let (mi, li) = split_fun_id(v.payload(f)[0].small_value() as u64);
            code.modules
                .get(mi as usize)?
                .lambdas
                .get(li as usize)
                .map(|l| l.arity)
        }
        Kind::Export => Some(v.payload(f)[2].small_value() as u32),
        _ => None,
    }
}

/// Where a fun call goes.
pub(super) enum FunEntry {
    /// Module, instruction, and the live registers at entry (arguments and free variables).
    Code(u32, u32, u32),
    /// An external fun's module and function, neither loaded nor to load: `undef`.
    Mfa(Term, Term),
    /// An external fun whose module must be loaded first.
    Load(Term),
}

/// Why a fun cannot be called.
pub(super) enum FunError {
    /// Not a fun, or one whose code is gone.
    BadFun,
    /// A fun of another arity.
    BadArity,
}

/// Resolves a fun call with `n` arguments in x0..; loads the environment after them.
pub(super) fn fun_entry(
    p: &mut Process,
    xr: &mut [Term; X_REGS],
    lits: &Literals,
    code: &Code,
    f: Term,
    n: u32,
) -> Result<FunEntry, FunError> {
    let v = p.heap.view(lits);
    match v.kind(f) {
        Some(Kind::Fun) => {
            let payload = v.payload(f);
            let (mi, li) = split_fun_id(payload[0].small_value() as u64);
            let lam = code
                .modules
                .get(mi as usize)
                // A fun of purged code is `badfun`, as in erl.
                .filter(|m| !m.is_freed())
                .and_then(|m| m.lambdas.get(li as usize))
                .ok_or(FunError::BadFun)?;
            if lam.arity != n {
                return Err(FunError::BadArity);
            }
            let env_len = payload.len() - 1;
            if n as usize + env_len > X_REGS {
                // Only a hand-made fun can carry this much (erl's limit is 255 in all).
                return Err(FunError::BadFun);
            }
            for i in 0..env_len {
                let e = p.heap.view(lits).payload(f)[1 + i];
                xr[n as usize + i] = e;
            }
            Ok(FunEntry::Code(mi, lam.entry, n + env_len as u32))
        }
        Some(Kind::Export) => {
            let pl = v.payload(f);
            let (md, fun, a) = (pl[0], pl[1], pl[2].small_value() as u32);
            if a != n {
                return Err(FunError::BadArity);
            }
            match resolve(code, md, fun, n) {
                Resolved::Code(mi, pc) => Ok(FunEntry::Code(mi, pc, n)),
                Resolved::Load(name) => Ok(FunEntry::Load(name)),
                _ => Ok(FunEntry::Mfa(md, fun)),
            }
        }
        _ => Err(FunError::BadFun),
    }
}

/// The error term for `e`: `{badfun, F}` or `{badarity, {F, Args}}`.
pub(super) fn fun_error(p: &mut Process, e: FunError, f: Term, args: &[Term]) -> Term {
    match e {
        FunError::BadFun => p.heap.tuple(&[atom::BADFUN, f]),
        FunError::BadArity => {
            let l = p.heap.list(args);
            let inner = p.heap.tuple(&[f, l]);
            p.heap.tuple(&[atom::BADARITY, inner])
        }
    }
}

/// Where `apply(Md, Fun, Args)` with `n` arguments goes; `badarg` unless `Md` and `Fun`
/// are atoms.
pub(super) fn apply_target(code: &Code, md: Term, fun: Term, n: u32) -> Result<Resolved, Fault> {
    if !md.is_atom() || !fun.is_atom() {
        return Err(badarg());
    }
    Ok(resolve(code, md, fun, n))
}

/// Where `erlang:apply/2,3` called as an instruction ([`Op::ApplyBif`]) goes, its argument
/// list spread into x0.. (and a fun's free variables after them).
pub(super) enum Applied {
    /// Code: module, instruction, and the live registers at entry.
    Code(u32, u32, u32),
    /// A BIF, with this many arguments, and its name for stack traces.
    Bif(BifFn, u32, BifName),
    /// The module must be loaded first; the registers are as the instruction found them, so
    /// it runs again after the load.
    Load(Term),
    /// An exception raised from the calling function (`undef` with the frame set up as for
    /// the call, `badfun`, `badarity`, `badarg`).
    Fault(Fault),
    /// The module or function is no atom, or the argument list no proper list: `badarg`
    /// from `apply` itself.
    Refused,
}

/// Resolves `apply(M, F, Args)` (`arity` 3) or `apply(Fun, Args)` (2) with its arguments in
/// x0..arity, called from instruction `at` (a tail call dropping `dealloc` slots when `tail`):
/// spreads `Args` into x0.. and says where the call goes, as `apply` and `call_fun` would.
/// Out of the dispatch loop: calling `apply` as a function is rare (the compiler emits the
/// `apply` instruction for `M:F(A...)`).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub(super) fn apply_bif(
    p: &mut Process,
    xr: &mut [Term; X_REGS],
    atoms: &mut AtomTable,
    lits: &Literals,
    code: &Code,
    arity: u32,
    at: (u32, usize),
    tail: bool,
    dealloc: u32,
) -> Applied {
    let mut arity = arity;
    // `apply(erlang, apply, Args)` is `apply` again with Args: a loop, however deep.
    loop {
        let args_term = xr[arity as usize - 1];
        let Some(items) = p.heap.view(lits).list_to_vec(args_term) else {
            return Applied::Refused;
        };
        let n = items.len() as u32;
        if arity == 3 {
            let (md, fun) = (xr[0], xr[1]);
            return match apply_target(code, md, fun, n) {
                Ok(Resolved::Load(name)) => Applied::Load(name),
                Err(_) => Applied::Refused,
                Ok(Resolved::Apply) if n == 2 || n == 3 => {
                    xr[..items.len()].copy_from_slice(&items);
                    arity = n;
                    continue;
                }
                Ok(r) => {
                    xr[..items.len()].copy_from_slice(&items);
                    match r {
                        Resolved::Code(nm, npc) => Applied::Code(nm, npc, n),
                        Resolved::Bif(b, export) => Applied::Bif(b, n, export),
                        _ => Applied::Fault(undef(
                            p,
                            atoms,
                            code,
                            at,
                            (md, fun, &items),
                            tail,
                            dealloc,
                        )),
                    }
                }
            };
        }
        return apply_fun(p, xr, atoms, lits, code, &items, at, tail, dealloc);
    }
}

/// [`apply_bif`] for `apply(Fun, Args)`, `Args` read into `items`.
#[allow(clippy::too_many_arguments)]
fn apply_fun(
    p: &mut Process,
    xr: &mut [Term; X_REGS],
    atoms: &mut AtomTable,
    lits: &Literals,
    code: &Code,
    items: &[Term],
    at: (u32, usize),
    tail: bool,
    dealloc: u32,
) -> Applied {
    let n = items.len() as u32;
    {
        let f = xr[0];
        xr[..items.len()].copy_from_slice(items);
        match fun_entry(p, xr, lits, code, f, n) {
            Ok(FunEntry::Code(nm, npc, live_at_entry)) => Applied::Code(nm, npc, live_at_entry),
            Ok(FunEntry::Mfa(md, fun)) => {
                xr[n as usize] = md;
                xr[n as usize + 1] = fun;
                xr[n as usize + 2] = Term::NIL;
                // Dispatched as apply/3 would be.
                match apply_target(code, md, fun, n) {
                    Ok(Resolved::Code(nm, npc)) => Applied::Code(nm, npc, n),
                    Ok(Resolved::Bif(b, export)) => Applied::Bif(b, n, export),
                    _ => Applied::Fault(undef(p, atoms, code, at, (md, fun, items), tail, dealloc)),
                }
            }
            Ok(FunEntry::Load(name)) => {
                // The registers were overwritten: apply/2's arguments back.
                let l = p.heap.list(items);
                xr[0] = f;
                xr[1] = l;
                Applied::Load(name)
            }
            Err(fe) => Applied::Fault(Fault::raise(Class::Error, fun_error(p, fe, f, items))),
        }
    }
}

/// The entry of a function whose calls are counted or timed ([`Op::CountCall`]) or traced locally
/// ([`Op::TraceLocal`]), `op` the instruction there: counts, times and traces the call (its
/// arguments in `xr`), and answers the instruction they replaced, to run now; `None` for a
/// count or trace point that is gone (which the node never leaves in code).
#[cold]
#[inline(never)]
pub(super) fn breakpoint<'e>(
    code: &'e Code,
    ctx: &mut Ctx,
    xr: &[Term; X_REGS],
    mut op: &'e Op,
) -> Option<&'e Op> {
    loop {
        match op {
            Op::CountCall(n) if n & TIME_POINT != 0 => {
                let n = n & !TIME_POINT;
                let t = code.times.get(n as usize)?.as_ref()?;
                // Only processes traced for calls are timed (erl's rule).
                let traced = crate::vm::trace::ENABLED
                    && ctx.p.trace.is_some_and(|t| t.has(crate::vm::trace::CALL));
                if t.running.get() && traced {
                    let now = ctx.node.io().monotonic_nanos();
                    crate::vm::calltime::enter(code, ctx.p, n, t, now);
                }
                op = &t.saved;
            }
            Op::CountCall(n) => {
                let c = code.counts.get(*n as usize)?.as_ref()?;
                if c.running.get() {
                    c.calls.set(c.calls.get() + 1);
                }
                op = &c.saved;
            }
            // Only the tracing BIFs make trace points.
            Op::TraceLocal(_) if !crate::vm::trace::ENABLED => return None,
            Op::TraceLocal(n) if n & META_POINT != 0 => {
                let t = code.metas.get((n & !META_POINT) as usize)?.as_ref()?;
                meta_call(ctx, xr, t);
                op = &t.saved;
            }
            Op::TraceLocal(n) => {
                let t = code.trace.get(*n as usize)?.as_ref()?;
                if ctx.p.trace.is_some() {
                    traced_call(ctx, xr, t, true);
                }
                match &t.how {
                    TraceHow::Local(original) => op = original,
                    TraceHow::Global(_) => break,
                }
            }
            _ => break,
        }
    }
    Some(op)
}

/// A timed function returned through its return frame, whose words were `key` and `point`
/// (see [`crate::vm::calltime::returned`]).
#[cold]
#[inline(never)]
pub(super) fn returned_timed(code: &Code, ctx: &mut Ctx, key: Term, point: Term) {
    if !crate::vm::trace::ENABLED {
        return;
    }
    let traced = ctx.p.trace.is_some_and(|t| t.has(crate::vm::trace::CALL));
    let now = if traced {
        ctx.node.io().monotonic_nanos()
    } else {
        0
    };
    crate::vm::calltime::returned(code, ctx.p, key, point, now, traced);
}

/// A call of function `t`, which has a meta pattern (its arguments in `xr`): the meta
/// tracer is told, and with `return_trace` the return comes back through
/// [`Op::ReturnTrace`] first, its frame's module word marked with `META_BIT`.
#[cold]
#[inline(never)]
fn meta_call(ctx: &mut Ctx, xr: &[Term; X_REGS], t: &MetaPoint) {
    use crate::vm::bifs::trace::{meta_call, Then, EXCEPTION_BIT, META_BIT};
    if !crate::vm::trace::ENABLED {
        return;
    }
    let args: alloc::vec::Vec<Term> = xr[..t.mfa.2 as usize].to_vec();
    let then = meta_call(ctx, t, &args);
    let bit = match then {
        Then::Nothing | Then::Call => return,
        Then::Return => META_BIT,
        Then::ReturnOrException => META_BIT | EXCEPTION_BIT,
    };
    push_return_frame(ctx, t.module as i64 | bit, t.entry);
}

/// Pushes a return-trace frame (module word, entry, return address to
/// [`Op::ReturnTrace`]), unless the stack cannot grow (the process is then killed at its
/// next safe point, as for any refused growth).
fn push_return_frame(ctx: &mut Ctx, word: i64, entry: u32) {
    let p = &mut *ctx.p;
    if p.stack.len() + 3 > p.max_stack && p.grow_stack(3).is_err() {
        return;
    }
    p.stack.push(Term::small(word));
    p.stack.push(Term::small(entry as i64));
    p.stack
        .push(Term::cp_at(0, crate::vm::code::RETURN_TRACE_PC as usize));
}

/// Traces a call of function `t` (its arguments in `xr`; `local`: through a local pattern);
/// with `return_to`, its return comes back through [`Op::ReturnTrace`]; with `return_trace`, the return
/// comes back through [`Op::ReturnTrace`] first: its frame (module index, with
/// `EXCEPTION_BIT` for `exception_trace`, entry, return address) is pushed, unless the
/// stack cannot grow (the process is then killed at its next safe point, as for any refused
/// growth).
#[cold]
#[inline(never)]
pub(super) fn traced_call(ctx: &mut Ctx, xr: &[Term; X_REGS], t: &TracePoint, local: bool) {
    use crate::vm::bifs::trace::{call, wants_return_to, Then, EXCEPTION_BIT, RETURN_TO_BIT};
    if !crate::vm::trace::ENABLED {
        return;
    }
    let args: alloc::vec::Vec<Term> = xr[..t.mfa.2 as usize].to_vec();
    let then = call(ctx, t, &args);
    if then == Then::Nothing {
        return;
    }
    // With `return_to`, a local pattern's call marks where it returns to, once for the
    // frames a tail call shares.
    if local && wants_return_to(ctx) {
        push_return_frame(ctx, t.module as i64 | RETURN_TO_BIT, t.entry);
    }
    if then == Then::Call {
        return;
    }
    let bit = if then == Then::ReturnOrException {
        EXCEPTION_BIT
    } else {
        0
    };
    push_return_frame(ctx, t.module as i64 | bit, t.entry);
}

/// A call of the undefined `md:fun` with `n` arguments in x0.., from instruction `at` (a
/// tail call dropping `tail` slots), when the process named an error handler of its own
/// (`process_flag(error_handler, Handler)`): it goes to `Handler:undefined_function(md, fun,
/// Args)`, whose answer is the call's, as in erl. The outcome enters the handler through the
/// scheduler (x0..x2 its arguments), or asks for the handler's module first (the registers
/// untouched, for the call to run again). `None`: the `undef` error, for a handler that does
/// not define the function.
#[cold]
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub(super) fn to_error_handler(
    p: &mut Process,
    xr: &mut [Term; X_REGS],
    live: &mut usize,
    code: &Code,
    at: (u32, u32),
    handler: Term,
    (md, fun): (Term, Term),
    n: u32,
    tail: Option<usize>,
) -> Option<Outcome> {
    match resolve(code, handler, atom::UNDEFINED_FUNCTION, 3) {
        Resolved::Code(module, pc) => {
            if tail.is_none() && p.stack.len() + 1 > p.max_stack && p.grow_stack(1).is_err() {
                return Some(Outcome::Crash {
                    class: Class::Exit,
                    reason: atom::KILLED,
                    trace: Term::NIL,
                });
            }
            let args = p.heap.list(&xr[..n as usize]);
            xr[..3].copy_from_slice(&[md, fun, args]);
            enter_from(p, at, tail);
            p.trap_caller = None;
            *live = 3;
            (p.module, p.pc) = (module, pc);
            Some(Outcome::Yield)
        }
        Resolved::Load(name) => {
            // The call runs again once the module is loaded: every register kept.
            *live = X_REGS;
            (p.module, p.pc) = (at.0, at.1 - 1);
            Some(Outcome::NeedModule(name))
        }
        _ => None,
    }
}
