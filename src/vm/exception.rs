//! Raising exceptions: building erl-shaped stack traces and unwinding to the nearest catch.
//!
//! A trace is at most the node's `backtrace_depth` (8 unless `erlang:system_flag/2` changed
//! it; at least one) `{M, F, ArityOrArgs, Location}` frames: an optional BIF frame, the
//! current function, then one frame per return address on the stack, exactly as erl shows them
//! (tail calls leave no frame). The handler receives `x0 = NONE, x1 = Class, x2 = Reason,
//! x3 = {Class, Trace}` (the "raw" trace that `raise`, `build_stacktrace` and `raw_raise` use).

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU8, Ordering};

use super::atom::{self, AtomTable};
use super::bif::{error_info_module, Class};
use super::code::{Code, SPAWN_APPLY3_PC};
use super::literals::Literals;
use super::ops::Op;
use super::process::Process;
use super::term::Term;

/// Erl's default `backtrace_depth`.
pub const TRACE_DEPTH: usize = 8;

/// Erl's largest `backtrace_depth`: a larger setting keeps this many frames.
pub const MAX_TRACE_DEPTH: usize = 64;

/// The node's `backtrace_depth` (`erlang:system_flag(backtrace_depth, N)`): how many frames
/// stack traces keep. Atomic so that BIFs, which see the node's code shared, can set it.
#[derive(Debug)]
pub struct TraceDepth(AtomicU8);

impl Default for TraceDepth {
    fn default() -> Self {
        Self(AtomicU8::new(TRACE_DEPTH as u8))
    }
}

impl TraceDepth {
    /// The depth now.
    pub fn get(&self) -> usize {
        usize::from(self.0.load(Ordering::Relaxed))
    }

    /// Sets the depth (capped at [`MAX_TRACE_DEPTH`], as erl caps it) and returns the old one.
    pub fn set(&self, depth: usize) -> usize {
        let capped = depth.min(MAX_TRACE_DEPTH) as u8;
        usize::from(self.0.swap(capped, Ordering::Relaxed))
    }
}

/// A BIF as a stack frame names it.
#[derive(Clone, Copy, Debug)]
pub enum BifName {
    /// By its export entry (the calls the loader bound, and those through one).
    Export(u32),
    /// By module and function, for one reached through `apply` or a fun `M:F/A` before any
    /// call to it made it an export entry.
    Named(Term, Term),
}

impl From<u32> for BifName {
    fn from(export: u32) -> Self {
        Self::Export(export)
    }
}

impl BifName {
    /// Its module and function atoms.
    fn atoms(self, code: &Code) -> (Term, Term) {
        match self {
            Self::Export(e) => code
                .exports
                .get(e as usize)
                .map_or((atom::ERLANG, atom::UNDEFINED), |e| (e.module, e.function)),
            Self::Named(m, f) => (m, f),
        }
    }
}

/// The top of a trace being built.
pub enum Top<'a> {
    /// The current function at `pc`, optionally with its arguments instead of its arity.
    Function {
        /// Arguments replacing the arity.
        args: Option<Term>,
        /// An `{error_info, Map}` for the frame's location (`erlang:error/3`).
        info: Option<Term>,
    },
    /// A failing BIF called from the current function.
    Bif {
        /// The BIF.
        bif: BifName,
        /// Its arguments.
        args: &'a [Term],
    },
    /// A failing BIF entered by a tail call of a fun: the caller's frame went before the
    /// call, so only the BIF and the return addresses show.
    TailBif {
        /// The BIF.
        bif: BifName,
        /// Its arguments.
        args: &'a [Term],
    },
    /// A failing function of OTP's that the VM has as a BIF, shown as erl shows the Erlang
    /// function: `{M, F, Arity, []}`, called from the current function.
    Named {
        /// The BIF.
        bif: BifName,
        /// Its arity.
        arity: u32,
    },
    /// A BIF that failed in its continuation (called from the trap stub, whose frame is
    /// not shown): `{Module, Function, Args}`.
    Trapped {
        /// The BIF and its arguments.
        bif: Term,
    },
    /// A failed binary construction in the current function, with erl's `cause` for the
    /// frame's `error_info` (segment number, type, problem, value) when a segment is to blame.
    Construct {
        /// The cause (by reference: this enum is built on every raise).
        cause: Option<&'a (u32, &'static str, &'static str, Term)>,
    },
    /// An undefined function `M:F(Args)` about to be called (the caller's return address is
    /// already on the stack, so the current function is not listed).
    Undef {
        /// Module.
        module: Term,
        /// Function.
        function: Term,
        /// Arguments.
        args: &'a [Term],
    },
}

/// The location of `pc` in `module` (`{file, F}` and `{line, L}` when known), then `extra`.
fn location(p: &mut Process, code: &Code, module: u32, pc: u32, extra: Option<Term>) -> Term {
    let mut items = [Term::NIL; 3];
    let mut n = 0;
    if let Some((file, line)) = code
        .modules
        .get(module as usize)
        .and_then(|m| m.location(pc))
    {
        let f = p.heap.string(file);
        items[0] = p.heap.tuple(&[atom::FILE, f]);
        items[1] = p.heap.tuple(&[atom::LINE, Term::small(*line as i64)]);
        n = 2;
    }
    if let Some(e) = extra {
        items[n] = e;
        n += 1;
    }
    p.heap.list(&items[..n])
}

fn function_frame(
    p: &mut Process,
    code: &Code,
    module: u32,
    pc: u32,
    args: Option<Term>,
    extra: Option<Term>,
) -> Option<Term> {
    // Module 0's stubs past `init`'s two frames (where spawned processes start with a tail
    // call of apply, the trap and hibernate stubs) are erl's emulator, never a frame.
    if module == 0 && pc >= SPAWN_APPLY3_PC - 1 {
        return None;
    }
    let m = code.modules.get(module as usize)?;
    let f = *m.function_at(pc)?;
    let loc = location(p, code, module, pc, extra);
    let a = args.unwrap_or(Term::small(f.arity as i64));
    Some(p.heap.tuple(&[m.name, f.name, a, loc]))
}

/// `{error_info, #{cause => {Segment, Type, Problem, Value}, function => format_bs_fail,
/// module => erl_erts_errors}}`, which erl puts in the frame of a failed construction.
fn construct_info(
    p: &mut Process,
    atoms: &mut AtomTable,
    (segment, kind, problem, value): (u32, &str, &str, Term),
) -> Term {
    let mut atom = |name: &str| atoms.intern(name).unwrap_or(atom::UNDEFINED);
    let (kind, problem) = (atom(kind), atom(problem));
    let (cause, function, erts_errors) = (
        atom("cause"),
        atom("format_bs_fail"),
        atom("erl_erts_errors"),
    );
    let c = p
        .heap
        .tuple(&[Term::small(segment as i64), kind, problem, value]);
    let map = p.heap.map_sorted(&[
        (cause, c),
        (atom("function"), function),
        (atom::MODULE, erts_errors),
    ]);
    p.heap.tuple(&[atom::ERROR_INFO, map])
}

/// The frame of a failed BIF `bm:bf` called with the list `args`, with erl's `error_info`.
/// With `cause`, the map also has `cause => Cause`, as erl's BIFs that say what was wrong
/// give it (`time` for a timer's time, `badopt` for an option).
fn bif_frame(
    p: &mut Process,
    atoms: &mut AtomTable,
    bm: Term,
    bf: Term,
    args: Term,
    cause: Option<Term>,
) -> Term {
    let info_mod = atoms
        .intern(error_info_module(atoms.name(bm)))
        .unwrap_or(atom::ERLANG);
    let map = match cause {
        // `cause` sorts before `module`.
        Some(c) => p
            .heap
            .map_sorted(&[(atom::CAUSE, c), (atom::MODULE, info_mod)]),
        None => p.heap.map_sorted(&[(atom::MODULE, info_mod)]),
    };
    let info = p.heap.tuple(&[atom::ERROR_INFO, map]);
    let loc = p.heap.list(&[info]);
    p.heap.tuple(&[bm, bf, args, loc])
}

/// Builds the stack trace for an exception raised at `pc` of `module`.
pub fn build_trace(
    p: &mut Process,
    atoms: &mut AtomTable,
    code: &Code,
    module: u32,
    pc: u32,
    top: Top,
) -> Term {
    build_trace_with(p, atoms, code, module, pc, top, None)
}

/// As [`build_trace`], with `cause` in a failed BIF's `error_info` map.
pub fn build_trace_with(
    p: &mut Process,
    atoms: &mut AtomTable,
    code: &Code,
    module: u32,
    pc: u32,
    top: Top,
    cause: Option<Term>,
) -> Term {
    // erl keeps the top frame even at depth 0.
    let depth = code.trace_depth.get().max(1);
    let mut frames: Vec<Term> = Vec::with_capacity(depth);
    match top {
        Top::Bif { bif, args } => {
            let (bm, bf) = bif.atoms(code);
            let al = p.heap.list(args);
            frames.push(bif_frame(p, atoms, bm, bf, al, cause));
            // The caller's frame, unless it tail-called what erl writes in Erlang (erl's
            // tail call of that function leaves no frame of the caller).
            let tail = matches!(
                code.modules
                    .get(module as usize)
                    .and_then(|c| c.code.get(pc as usize)),
                Some(Op::CallBif { tail: true, .. } | Op::CallExt { push: false, .. })
            );
            let erlang_written =
                tail && crate::vm::bifs::erlang_written(atoms.name(bm), atoms.name(bf), args.len());
            if !erlang_written {
                if let Some(f) = function_frame(p, code, module, pc, None, None) {
                    frames.push(f);
                }
            }
        }
        Top::TailBif { bif, args } => {
            let (bm, bf) = bif.atoms(code);
            let al = p.heap.list(args);
            frames.push(bif_frame(p, atoms, bm, bf, al, cause));
        }
        Top::Named { bif, arity } => {
            let (bm, bf) = bif.atoms(code);
            let arity = Term::small(i64::from(arity));
            frames.push(p.heap.tuple(&[bm, bf, arity, Term::NIL]));
            if let Some(f) = function_frame(p, code, module, pc, None, None) {
                frames.push(f);
            }
        }
        Top::Trapped { bif } => {
            // Built on this heap by `Fault::trapped_error`: a 3-tuple's words.
            let o = bif.offset();
            let [bm, bf, al] = match p.heap.words.get(o + 1..o + 4) {
                Some(&[bm, bf, al]) => [bm, bf, al],
                _ => [atom::ERLANG, atom::UNDEFINED, Term::NIL],
            };
            frames.push(bif_frame(p, atoms, bm, bf, al, cause));
            if module != 0 {
                // Raised by the BIF itself, not its continuation (which runs in module
                // 0's stub): the caller is where the BIF was called, as for `Top::Bif`.
                if let Some(f) = function_frame(p, code, module, pc, None, None) {
                    frames.push(f);
                }
            } else if let Some((cm, cpc)) = p.trap_caller {
                if let Some(f) = function_frame(p, code, cm, cpc.saturating_sub(1), None, None) {
                    frames.push(f);
                }
            }
        }
        Top::Function { args, info } => {
            if let Some(f) = function_frame(p, code, module, pc, args, info) {
                frames.push(f);
            }
        }
        Top::Construct { cause } => {
            let info = cause.map(|&c| construct_info(p, atoms, c));
            if let Some(f) = function_frame(p, code, module, pc, None, info) {
                frames.push(f);
            }
        }
        Top::Undef {
            module: um,
            function,
            args,
        } => {
            let al = p.heap.list(args);
            frames.push(p.heap.tuple(&[um, function, al, Term::NIL]));
        }
    }
    let mut i = p.stack.len();
    // As erl's, a return address repeating the one before it (a function that recursed
    // from the same call) is recorded once.
    let mut prev = None;
    while i > 0 && frames.len() < depth {
        i -= 1;
        let t = p.stack[i];
        if t.is_cp() && prev != Some(t) && !is_return_trace(t) {
            prev = Some(t);
            let pc = t.code_pc().saturating_sub(1);
            if let Some(f) = function_frame(p, code, t.code_module(), pc, None, None) {
                frames.push(f);
            }
        }
    }
    frames.truncate(depth);
    p.heap.list(&frames)
}

/// Whether return address `t` is the one a function traced with `return_trace` (or a timed
/// function) returns to (not a frame of the program's: stack traces leave it out, as erl's do).
fn is_return_trace(t: Term) -> bool {
    t.code_module() == 0
        && (t.code_pc() == super::code::RETURN_TRACE_PC
            || t.code_pc() == super::code::RETURN_TIME_PC)
}

/// The return addresses on a process's stack, innermost first, as many as a stack trace
/// can show ([`MAX_TRACE_DEPTH`]): (module index, pc of the call's successor).
pub fn return_addresses(p: &Process) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for t in p
        .stack
        .iter()
        .rev()
        .filter(|t| t.is_cp() && !is_return_trace(**t))
    {
        let at = (t.code_module(), t.code_pc());
        // Repeats of the same return address are recorded once (see build_trace).
        if out.last() != Some(&at) {
            out.push(at);
            if out.len() == MAX_TRACE_DEPTH {
                break;
            }
        }
    }
    out
}

/// The stack trace of another process, resuming at `at` with `returns` on its stack (see
/// [`return_addresses`]), built on `p`'s heap as erl's `current_stacktrace` shows it: at most
/// `depth` frames.
pub fn trace_of(
    p: &mut Process,
    code: &Code,
    at: (u32, u32),
    returns: &[(u32, u32)],
    depth: usize,
) -> Term {
    let mut frames: Vec<Term> = Vec::with_capacity(depth.min(MAX_TRACE_DEPTH));
    let pcs = core::iter::once(at).chain(returns.iter().map(|&(m, pc)| (m, pc.saturating_sub(1))));
    for (m, pc) in pcs {
        if frames.len() >= depth {
            break;
        }
        if let Some(f) = function_frame(p, code, m, pc, None, None) {
            frames.push(f);
        }
    }
    p.heap.list(&frames)
}

/// Unwinds to the innermost catch. On success the stack is cut back to the catching frame,
/// the handler registers are set and the handler's (module, pc) is returned.
pub fn unwind(
    p: &mut Process,
    x: &mut [Term],
    class: Class,
    reason: Term,
    trace: Term,
) -> Option<(u32, u32)> {
    let mut cut = p.stack.len();
    let mut i = p.stack.len();
    while i > 0 {
        i -= 1;
        let t = p.stack[i];
        if t.is_cp() {
            cut = i;
        } else if t.is_catch() {
            p.stack.truncate(cut);
            let raw = p.heap.tuple(&[class.atom(), trace]);
            x[..4].copy_from_slice(&[Term::NONE, class.atom(), reason, raw]);
            return Some((t.code_module(), t.code_pc()));
        }
    }
    None
}

/// The value of `catch Expr` for an exception in x1..x3 (see the module docs).
pub fn catch_value(p: &mut Process, x: &[Term], lits: &Literals) -> Term {
    let class = x[1];
    let reason = x[2];
    if class == atom::THROW {
        return reason;
    }
    let exit_atom = atom::EXIT_CAPS;
    if class == atom::ERROR {
        let trace = raw_trace(p, lits, x[3]);
        let inner = p.heap.tuple(&[reason, trace]);
        p.heap.tuple(&[exit_atom, inner])
    } else {
        p.heap.tuple(&[exit_atom, reason])
    }
}

/// The trace list inside a raw trace (or the term itself if it is already a list).
pub fn raw_trace(p: &Process, lits: &Literals, raw: Term) -> Term {
    let v = p.heap.view(lits);
    match v.tuple(raw) {
        Some([_, t]) => *t,
        _ => raw,
    }
}

/// The class inside a raw trace.
pub fn raw_class(p: &Process, lits: &Literals, raw: Term) -> Option<Class> {
    let v = p.heap.view(lits);
    match v.tuple(raw) {
        Some([c, _]) => Class::from_atom(*c),
        _ => None,
    }
}
