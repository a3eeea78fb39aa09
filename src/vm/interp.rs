//! The dispatch loop: runs one process until it exits, halts, crashes, needs a module loaded or
//! uses up its reductions.
//!
//! Two loops share the work. [`exec`]'s fast loop runs the common cases of the instructions
//! programs spend most of their time in, with its few state variables in machine registers;
//! [`general`] runs every instruction with its full semantics (collections, BIF calls,
//! exceptions, yields) and hands back to the fast loop at calls and returns while that pays.
//! A fast path changes nothing before it has checked that it applies, so `general` can run
//! the same instruction from the start when it does not.
//!
//! Each call and return costs a reduction; at zero the process yields ([`Outcome::Yield`]) so a
//! scheduler can switch. Collections happen only at safe points (allocate, test_heap, calls,
//! returns) with the live X registers as roots. A call to a module that is not loaded returns
//! [`Outcome::NeedModule`] without side effects: the driver loads it and resumes, and the call
//! instruction runs again.

use alloc::string::String;
use alloc::vec::Vec;
use num_bigint::BigInt;

use super::atom::{self, AtomTable};
use super::bif::{self, badarg, BifFn, Class, Ctx, Fault, Frame, Io};
use super::bits::{self, BitWriter};
use super::code::{split_fun_id, Code, Target, SPAWN_APPLY3_PC, TRAP_PC};
use super::compare::{compare, eq, exact_eq, Mode};
use super::exception::{self, BifName, Top};
use super::fetch::{Ip, Ops};
use super::heap::View;
use super::literals::Literals;
use super::map;
use super::memory::MemoryError;
use super::ops::*;
use super::process::{Process, F_REGS, SLICE_REDUCTIONS, X_REGS};
use super::services::{NoServices, Services};
use super::term::{Kind, Term};

/// Node-wide state the interpreter needs besides the process.
#[derive(Debug)]
pub struct Vm {
    /// Atoms.
    pub atoms: AtomTable,
    /// Literals.
    pub lits: Literals,
    /// Modules and exports.
    pub code: Code,
    /// ETS tables.
    pub ets: super::ets::Ets,
    /// zlib streams.
    pub zlib: super::zstream::Streams,
    /// Next reference number.
    pub next_ref: u64,
    /// Persistent terms.
    pub persistent: super::persistent::PersistentTerms,
    /// The X register file of the running process (its live registers are copied in and out
    /// around each run).
    pub regs: alloc::boxed::Box<[Term; X_REGS]>,
    /// Counts of executed instructions and pairs.
    #[cfg(feature = "op-profile")]
    pub profile: super::profile::OpProfile,
}

/// Why [`run`] returned.
#[derive(Debug)]
pub enum Outcome {
    /// The process finished (returned to the bottom of its stack).
    Normal,
    /// `halt/1` with a status.
    Halt(i32),
    /// `halt/1` with a message (erl writes a crash dump and exits 1).
    HaltMessage(String),
    /// An uncaught exception.
    Crash {
        /// Class.
        class: Class,
        /// Reason.
        reason: Term,
        /// Stack trace.
        trace: Term,
    },
    /// The named module must be loaded (or marked missing) before resuming.
    NeedModule(Term),
    /// The reductions ran out.
    Yield,
    /// The process waits for a message (it resumes at its `loop_rec`).
    Waiting,
    /// The process waits for a message for at most this many milliseconds; when the time is
    /// up the scheduler marks its receive timed out
    /// ([`Mailbox::expire_timer`](super::mailbox::Mailbox::expire_timer)) and runs it again.
    WaitTimeout(u64),
}

impl Default for Vm {
    fn default() -> Self {
        Self::new()
    }
}

impl Vm {
    /// A VM with only the built-in `init` stub loaded.
    pub fn new() -> Self {
        let mut atoms = AtomTable::new();
        let mut code = Code::new(atom::INIT, atom::START_EM, atom::DO_BOOT);
        super::bifs::register(&mut code, &mut atoms);
        Vm {
            atoms,
            lits: Literals::default(),
            code,
            ets: super::ets::Ets::new(),
            zlib: super::zstream::Streams::new(),
            next_ref: 1,
            persistent: super::persistent::PersistentTerms::default(),
            regs: alloc::boxed::Box::new([Term::NIL; X_REGS]),
            #[cfg(feature = "op-profile")]
            profile: Default::default(),
        }
    }
}

#[inline]
fn fetch(x: &[Term; X_REGS], p: &Process, s: Src) -> Term {
    match s {
        // Register numbers are below X_REGS (checked at load time); the mask lets the compiler
        // drop the bounds check.
        Src::X(i) => x[i as usize & (X_REGS - 1)],
        Src::Y(i) => p.y(i),
        Src::C(t) => t,
    }
}

#[inline]
fn store(x: &mut [Term; X_REGS], p: &mut Process, d: Dst, v: Term) {
    match d {
        Dst::X(i) => x[i as usize & (X_REGS - 1)] = v,
        Dst::Y(i) => p.set_y(i, v),
    }
}

/// `x + n` for a small integer `x` and `delta = n << 3`, when the sum is a small integer.
///
/// Computed on the word: a small is its value shifted past the 3 tag bits, and smalls fill
/// the rest of the word, so the word sum overflows exactly when the result is not a small.
#[inline(always)]
fn small_add_word(x: Term, delta: i64) -> Option<Term> {
    if !x.is_small() {
        return None;
    }
    (x.0 as i64).checked_add(delta).map(|w| Term(w as u64))
}

/// `x + y` (`x - y` when `sub`) for small integers, when the result is a small integer
/// (computed on the words as [`small_add_word`]).
#[inline(always)]
fn small_add_sub(x: Term, y: Term, sub: bool) -> Option<Term> {
    if !(x.is_small() && y.is_small()) {
        return None;
    }
    // `y`'s value shifted past the tag bits: its word without the tag.
    let delta = (y.0 ^ super::term::TAG_SMALL) as i64;
    let w = if sub {
        (x.0 as i64).checked_sub(delta)
    } else {
        (x.0 as i64).checked_add(delta)
    };
    w.map(|w| Term(w as u64))
}

/// Takes a BIF's trap: yields so that the calling instruction (`at - 1`) runs again with
/// the BIF's new arguments (`Trap`), or so that the process calls the trap stub (`TrapTo`) or
/// `apply/3` (`Apply`; for both, the caller's frame as for a call from `at`, a tail call
/// dropping `tail` slots).
#[cold]
fn trap(
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
    if p.heap.wants_gc(0) && p.collect(&mut xr[..n], 0).is_err() {
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

/// How a fault that is no exception ends the run.
#[cold]
fn stop(f: Fault) -> Outcome {
    match f {
        Fault::Halt(n) => Outcome::Halt(n),
        Fault::HaltMessage(s) => Outcome::HaltMessage(s),
        // A trap (or hibernate) is taken where the BIF is called; one reaching here is a
        // failed call.
        Fault::Trap(_)
        | Fault::TrapTo(_)
        | Fault::Apply(_)
        | Fault::Hibernate
        | Fault::Raise { .. } => Outcome::Crash {
            class: Class::Error,
            reason: atom::BADARG,
            trace: Term::NIL,
        },
    }
}

/// `tuple_size/1`, `byte_size/1`, `map_size/1` or `length/1` of `t` as the BIF computes it,
/// when `t` has the type it takes; for `length/1`, only when the list is shorter than 64
/// cells, for which the BIF charges no reductions (longer ones go to the BIF, which does).
#[inline(never)]
fn size_of(v: &View, what: SizeOf, t: Term) -> Option<Term> {
    let n = match what {
        SizeOf::Tuple => v.tuple(t)?.len(),
        SizeOf::Binary => v.binary(t)?.bit_len.div_ceil(8),
        SizeOf::Map => v.map_size(t)?,
        SizeOf::List => {
            let (mut n, mut l) = (0, t);
            while l.is_cons() && n < 64 {
                n += 1;
                l = v.cons(l).1;
            }
            if !l.is_nil() || n >= 64 {
                return None;
            }
            n
        }
    };
    Some(Term::small(n as i64))
}

/// Cells `length/1` walks for a reduction.
const CELLS_PER_REDUCTION: usize = 64;

/// How far [`long_length`] got.
enum Length {
    /// The list's length, and the reductions it took.
    Done(usize, i32),
    /// Not done within the reductions left: the instruction runs again after a yield.
    More,
    /// Not a proper list.
    Improper,
}

/// Where a long `length/1` stopped to yield: the list it measures, the cell it reached, the
/// cells before it, and the instruction it is for.
struct LengthState {
    list: Term,
    at: Term,
    counted: usize,
    instruction: (u32, u32),
}

/// `length/1` of the list `t` at instruction `at` with `reds` reductions left in the slice:
/// walks a reduction's worth of cells per reduction, and when the slice runs out keeps its
/// place in the process's trap state, so the instruction, run again after the yield, goes on
/// from there (erl's `length/1` yields too). The place stays valid: a process is collected
/// only while it runs, and it resumes at this very instruction, so no collection moves the
/// cells in between (messages delivered meanwhile only add words). It is taken up only by
/// the same instruction on the same list term, and only if its cell lies within the heap;
/// otherwise the count starts over.
#[inline(never)]
fn long_length(p: &mut Process, lits: &Literals, t: Term, at: (u32, u32), reds: i32) -> Length {
    let (mut l, mut n) = (t, 0usize);
    if let Some(s) = p
        .trap_state
        .take()
        .and_then(|s| s.downcast::<LengthState>().ok())
    {
        // (A literal list's cells never move.)
        let fits = s.at.is_literal() || s.at.offset() + 1 < p.heap.words.len();
        if s.list == t && s.instruction == at && s.at.is_cons() && fits {
            (l, n) = (s.at, s.counted);
        }
    }
    let budget = usize::try_from(reds.max(1)).unwrap_or(1) * CELLS_PER_REDUCTION;
    let v = p.heap.view(lits);
    let mut walked = 0;
    while l.is_cons() && walked < budget {
        l = v.cons(l).1;
        walked += 1;
    }
    n += walked;
    if l.is_cons() {
        p.trap_state = Some(alloc::boxed::Box::new(LengthState {
            list: t,
            at: l,
            counted: n,
            instruction: at,
        }));
        return Length::More;
    }
    if !l.is_nil() {
        return Length::Improper;
    }
    Length::Done(n, (walked / CELLS_PER_REDUCTION) as i32)
}

/// `element(I, T)` when `I` is a small integer within the arity of the tuple `T`; `None` for
/// everything else (the BIF decides: badarg).
#[inline]
fn element_of(v: &View, i: Term, t: Term) -> Option<Term> {
    let el = v.tuple(t)?;
    let i = usize::try_from(i.as_small()?).ok()?.checked_sub(1)?;
    el.get(i).copied()
}

fn type_test(v: &View, t: Term, test: TypeTest) -> bool {
    match test {
        TypeTest::Integer => v.is_integer(t),
        TypeTest::Float => v.kind(t) == Some(Kind::Float),
        TypeTest::Number => v.is_number(t),
        TypeTest::Atom => t.is_atom(),
        TypeTest::Pid => t.is_pid(),
        TypeTest::Reference => v.is_ref(t),
        TypeTest::Port => false,
        TypeTest::Nil => t.is_nil(),
        TypeTest::Binary => v.is_binary(t),
        TypeTest::Bitstr => v.is_bitstring(t),
        TypeTest::List => t.is_nil() || t.is_cons(),
        TypeTest::NonEmptyList => t.is_cons(),
        TypeTest::Tuple => v.is_tuple(t),
        TypeTest::Function => v.is_fun(t),
        TypeTest::Boolean => t == atom::TRUE || t == atom::FALSE,
        TypeTest::Map => v.is_map(t),
    }
}

fn cmp_test(v: &View, atoms: &AtomTable, a: Term, b: Term, test: CmpTest) -> bool {
    match test {
        CmpTest::Lt => {
            if a.is_small() && b.is_small() {
                a.small_value() < b.small_value()
            } else {
                compare(v, atoms, a, b, Mode::Arith).is_lt()
            }
        }
        CmpTest::Ge => {
            if a.is_small() && b.is_small() {
                a.small_value() >= b.small_value()
            } else {
                !compare(v, atoms, a, b, Mode::Arith).is_lt()
            }
        }
        CmpTest::EqExact => exact_eq(v, atoms, a, b),
        CmpTest::NeExact => !exact_eq(v, atoms, a, b),
        CmpTest::Eq => a == b || (!(a.is_immediate() && b.is_immediate()) && eq(v, atoms, a, b)),
        CmpTest::Ne => !(a == b || (!(a.is_immediate() && b.is_immediate()) && eq(v, atoms, a, b))),
    }
}

/// A call target resolved from an export entry.
enum Resolved {
    Code(u32, u32),
    Bif(BifFn, BifName),
    Apply,
    Load(Term),
    Undef,
}

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
/// its stack trace as erl reports it. Out of line: [`general`] is large enough.
#[cold]
#[inline(never)]
fn undef(
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

/// Runs `p` from its saved position as the only process of its node.
pub fn run(vm: &mut Vm, io: &mut dyn Io, p: &mut Process) -> Outcome {
    run_with(vm, io, &mut NoServices, p)
}

/// Runs `p` from its saved position; BIFs reach other processes through `node`.
pub fn run_with(vm: &mut Vm, io: &mut dyn Io, node: &mut dyn Services, p: &mut Process) -> Outcome {
    vm.regs[..p.x.len()].copy_from_slice(&p.x);
    let mut live = 0;
    let outcome = exec(vm, io, node, p, &mut live);
    p.x.clear();
    p.x.extend_from_slice(&vm.regs[..live]);
    if p.x.capacity() > 4 * live.max(8) {
        // After a module load saved every register: give the memory back.
        p.x.shrink_to_fit();
    }
    outcome
}

/// The node's state the general path needs besides the process and the registers.
struct Env<'e> {
    atoms: &'e mut AtomTable,
    lits: &'e Literals,
    code: &'e Code,
    io: &'e mut dyn Io,
    node: &'e mut dyn Services,
    next_ref: &'e mut u64,
    persistent: &'e mut super::persistent::PersistentTerms,
    ets: &'e mut super::ets::Ets,
    zlib: &'e mut super::zstream::Streams,
    #[cfg(feature = "op-profile")]
    profile: &'e mut super::profile::OpProfile,
}

/// Where the running process is: what the fast loop and the general path hand each other.
#[derive(Clone, Copy)]
struct State<'e> {
    /// The next instruction.
    ip: Ip<'e>,
    /// The module it is in.
    m: u32,
    /// That module's instructions.
    ops: Ops<'e>,
    /// Reductions left, counted in a local; the process's count is reset when it yields.
    reds: i32,
    /// Whether [`general`] hands back to the fast loop: only while the fast loop pays for
    /// the switch, running past at least one call each time it is entered.
    hand_back: bool,
}

/// Whether [`exec`]'s fast loop runs `op` (or tries to, handing it to [`general`] when its
/// fast path does not apply). The op-profile build runs everything through [`general`],
/// which counts each instruction.
///
/// Not inlined: [`general`] asks at every call and return, and each inlined copy would carry
/// its own table.
#[inline(never)]
fn has_fast_path(op: &Op) -> bool {
    !cfg!(feature = "op-profile")
        && matches!(
            op,
            Op::MoveXX(..)
                | Op::MoveXY(..)
                | Op::MoveYX(..)
                | Op::MoveCX(..)
                | Op::TestCons(..)
                | Op::TestNil(..)
                | Op::EqImm(..)
                | Op::NeImm(..)
                | Op::JumpOnVal { .. }
                | Op::SelectValX { .. }
                | Op::Jump(_)
                | Op::Return
                | Op::DeallocReturn(_)
                | Op::Call { .. }
                | Op::CallLast { .. }
                | Op::CallOnly { .. }
                | Op::Move2Call { .. }
                | Op::AllocMove2Call { .. }
                | Op::ConsAllocGetListCall { .. }
                | Op::AddImm { .. }
                | Op::AddImmY { .. }
                | Op::AddSubReturn { .. }
                | Op::AddSubReturnYX { .. }
                | Op::TestGetList(..)
                | Op::PutListReturn(..)
                | Op::PutListReturnYX(..)
                | Op::Allocate { .. }
                | Op::TestHeap { .. }
                | Op::Move2(..)
                | Op::PutList(..)
                | Op::GetTupleElement(..)
                | Op::GetTupleElement2(..)
                | Op::PutTuple2(..)
                | Op::IsTaggedTuple { .. }
                | Op::Test { .. }
                | Op::Order { .. }
                | Op::IntArith { .. }
                | Op::Element { .. }
                | Op::LoopRec(_)
                | Op::RemoveMessage
                | Op::Wait(_)
                | Op::Send
        )
}

/// Runs `p` with its X registers in `vm.regs`; sets `live` to how many of them the process
/// needs when it runs again (the arguments of the call it yields at; none when it waits).
///
/// The instructions most programs spend their time in run here, in a small loop whose state
/// (position, module, reductions, registers, process) fits in machine registers. Each does
/// its common case only, and only after checking that it applies (no collection due, no
/// yield, a return within the module...); everything else, and every instruction without a
/// fast path, goes to [`general`], which runs the full instruction set until it reaches an
/// instruction with a fast path again.
fn exec(
    vm: &mut Vm,
    io: &mut dyn Io,
    node: &mut dyn Services,
    p: &mut Process,
    live: &mut usize,
) -> Outcome {
    let Vm {
        atoms,
        lits,
        code,
        ets,
        zlib,
        next_ref,
        persistent,
        regs,
        #[cfg(feature = "op-profile")]
        profile,
    } = vm;
    let xr: &mut [Term; X_REGS] = regs;
    #[cfg(feature = "op-profile")]
    profile.resume();
    let code: &Code = code;
    let lits: &Literals = lits;
    let mut m = p.module;
    let pc = p.pc as usize;
    // Code that does not end as `fetch` requires, or a saved position outside it, cannot be
    // run (neither comes from the loader; the check is once per slice).
    let mut ops = match code.modules.get(m as usize).and_then(|c| Ops::of(&c.code)) {
        Some(ops) if ops.get(pc).is_some() => ops,
        _ => return bad_code(),
    };
    let mut ip = ops.at(pc);
    // Return addresses into the current module without their position: made once per
    // module, not at every call and return.
    let mut cp0 = Term::cp_at(m, 0);
    let mut reds = p.reductions;
    // The reductions when the fast loop was last entered.
    let mut visit_reds = reds;
    let mut env = Env {
        atoms,
        lits,
        code,
        io,
        node,
        next_ref,
        persistent,
        ets,
        zlib,
        #[cfg(feature = "op-profile")]
        profile,
    };

    loop {
        // The op-profile build counts every instruction in `general`.
        if !cfg!(feature = "op-profile") {
            match fast(&mut env, xr, p, lits, ops, cp0, &mut ip, &mut reds) {
                Stop::General => {}
                Stop::Wait(target) => {
                    // As in `general`: resume at the loop_rec.
                    p.module = m;
                    p.pc = target;
                    return Outcome::Waiting;
                }
            }
        }
        let mut st = State {
            ip,
            m,
            ops,
            reds,
            hand_back: visit_reds - reds >= 2,
        };
        if let Some(outcome) = general(&mut env, xr, p, live, &mut st) {
            return outcome;
        }
        State {
            ip,
            m,
            ops,
            reds,
            ..
        } = st;
        cp0 = Term::cp_at(m, 0);
        visit_reds = reds;
    }
}

/// `send/2` of `x0` to `x1` for the fast loop: the message as sent, or `None` when the send
/// fails (having sent nothing).
#[inline(never)]
fn try_send(
    env: &mut Env<'_>,
    xr: &[Term; X_REGS],
    p: &mut Process,
    lits: &Literals,
) -> Option<Term> {
    let mut ctx = Ctx {
        p,
        atoms: &mut *env.atoms,
        lits,
        code: env.code,
        io: &mut *env.io,
        next_ref: &mut *env.next_ref,
        persistent: &mut *env.persistent,
        ets: &mut *env.ets,
        zlib: &mut *env.zlib,
        node: &mut *env.node,
    };
    super::bifs::procs::send(&mut ctx, &[xr[0], xr[1]]).ok()
}

/// Why [`fast`] stopped.
enum Stop {
    /// The instruction at the position needs [`general`] (or has no fast path).
    General,
    /// A `wait` resuming at the given `loop_rec`.
    Wait(u32),
}

/// The fast loop: runs the instructions of [`has_fast_path`] from `*at` while their common
/// case applies, and stops at the first one that needs more, leaving `*at` there.
///
/// A function of its own with no call on its hot paths, so its state (position, code,
/// reductions, registers, process) stays in machine registers: inside [`exec`], with the
/// calls to [`general`] in the same loop, the compiler kept some of it on the stack.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn fast<'e>(
    env: &mut Env<'_>,
    xr: &mut [Term; X_REGS],
    p: &mut Process,
    lits: &Literals,
    ops: Ops<'e>,
    cp0: Term,
    at: &mut Ip<'e>,
    reds_left: &mut i32,
) -> Stop {
    let mut ip = *at;
    let mut reds = *reds_left;

    macro_rules! get {
        ($s:expr) => {
            fetch(xr, p, $s)
        };
    }
    macro_rules! x {
        ($i:expr) => {
            xr[$i as usize & (X_REGS - 1)]
        };
    }
    // Two moves specialised at load time: one dispatch for both.
    macro_rules! mv2 {
        ($m:expr) => {
            match $m {
                Mv2::XxXx(a, b, c, d) => {
                    x!(b) = x!(a);
                    x!(d) = x!(c);
                }
                Mv2::XxXy(a, b, c, d) => {
                    x!(b) = x!(a);
                    p.set_y(d, x!(c));
                }
                Mv2::XxYx(a, b, c, d) => {
                    x!(b) = x!(a);
                    x!(d) = p.y(c);
                }
                Mv2::XxCx(a, b, c, d) => {
                    x!(b) = x!(a);
                    x!(d) = c;
                }
                Mv2::XyXx(a, b, c, d) => {
                    p.set_y(b, x!(a));
                    x!(d) = x!(c);
                }
                Mv2::XyXy(a, b, c, d) => {
                    p.set_y(b, x!(a));
                    p.set_y(d, x!(c));
                }
                Mv2::XyYx(a, b, c, d) => {
                    p.set_y(b, x!(a));
                    x!(d) = p.y(c);
                }
                Mv2::XyCx(a, b, c, d) => {
                    p.set_y(b, x!(a));
                    x!(d) = c;
                }
                Mv2::YxXx(a, b, c, d) => {
                    x!(b) = p.y(a);
                    x!(d) = x!(c);
                }
                Mv2::YxXy(a, b, c, d) => {
                    x!(b) = p.y(a);
                    p.set_y(d, x!(c));
                }
                Mv2::YxYx(a, b, c, d) => {
                    x!(b) = p.y(a);
                    x!(d) = p.y(c);
                }
                Mv2::YxCx(a, b, c, d) => {
                    x!(b) = p.y(a);
                    x!(d) = c;
                }
                Mv2::CxXx(a, b, c, d) => {
                    x!(b) = a;
                    x!(d) = x!(c);
                }
                Mv2::CxXy(a, b, c, d) => {
                    x!(b) = a;
                    p.set_y(d, x!(c));
                }
                Mv2::CxYx(a, b, c, d) => {
                    x!(b) = a;
                    x!(d) = p.y(c);
                }
                Mv2::CxCx(a, b, c, d) => {
                    x!(b) = a;
                    x!(d) = c;
                }
            }
        };
    }
    // Whether a call can take its fast path: no stack overflow with `$grow` more words, no
    // collection due at its safe point, and no yield at its reduction.
    macro_rules! call_ok {
        ($grow:expr) => {
            p.stack.len() + $grow as usize <= p.max_stack && !p.heap.wants_gc(0) && reds > 1
        };
    }
    // Enters a local function at `$target` with the return address `$skip` instructions past
    // `$next` (a fused call returns past the instructions it stands for).
    macro_rules! enter {
        ($next:expr, $skip:expr, $target:expr) => {{
            p.stack.push(cp0.cp_with_pc(ops.index($next) + $skip));
            ip = ops.at($target as usize);
            reds -= 1;
            continue;
        }};
    }
    // Pushes `$n` fresh Y slots (the frame's part that `allocate` makes).
    macro_rules! push_slots {
        ($n:expr) => {
            for _ in 0..$n {
                p.stack.push(Term::NIL);
            }
        };
    }
    // A cons cell, as `Heap::cons` makes it but with one capacity check for both words
    // (fewer instructions here; in `general` the two pushes measure better).
    macro_rules! cons {
        ($h:expr, $t:expr) => {{
            let off = p.heap.words.len();
            p.heap.words.extend_from_slice(&[$h, $t]);
            Term::cons_ptr(off)
        }};
    }
    // Whether a return after dropping `$n` slots can take its fast path: a return address
    // into this module on the stack, and (unless `$arith`: a sum returned, at most a bignum)
    // a heap within its limit (a return is a safe point, taken in `general`). Gives the
    // stack's length without the frame and the address's position.
    macro_rules! return_to {
        ($n:expr) => {
            return_to!($n, false)
        };
        ($n:expr, $arith:expr) => {{
            let i = p.stack.len().wrapping_sub($n as usize + 1);
            match p.stack.get(i) {
                Some(&cp) if cp.is_cp_into(cp0) && ($arith || !p.heap.over_limit()) => {
                    Some((i, cp.code_pc()))
                }
                _ => None,
            }
        }};
    }

    // Leaves the loop at the current instruction.
    macro_rules! stop {
        ($why:expr) => {{
            *at = ip;
            *reds_left = reds;
            return $why;
        }};
    }

    loop {
        let op = ip.op();
        let next = ip.skip(1);
        match op {
            Op::MoveXX(a, b) => {
                x!(*b) = x!(*a);
                ip = next;
                continue;
            }
            Op::MoveXY(a, b) => {
                p.set_y(*b, x!(*a));
                ip = next;
                continue;
            }
            Op::MoveYX(a, b) => {
                x!(*b) = p.y(*a);
                ip = next;
                continue;
            }
            Op::MoveCX(t, b) => {
                x!(*b) = *t;
                ip = next;
                continue;
            }
            Op::TestCons(fail, src) => {
                ip = if get!(*src).is_cons() {
                    next
                } else {
                    ops.at(*fail as usize)
                };
                continue;
            }
            Op::TestNil(fail, src) => {
                ip = if get!(*src).is_nil() {
                    next
                } else {
                    ops.at(*fail as usize)
                };
                continue;
            }
            Op::EqImm(fail, a, t) => {
                ip = if get!(*a) == *t {
                    next
                } else {
                    ops.at(*fail as usize)
                };
                continue;
            }
            Op::NeImm(fail, a, t) => {
                ip = if get!(*a) != *t {
                    next
                } else {
                    ops.at(*fail as usize)
                };
                continue;
            }
            Op::JumpOnVal {
                src,
                fail,
                base,
                table,
            } => {
                // As in `general`.
                let i = x!(*src).0.wrapping_sub(base.0).rotate_right(3) as usize;
                ip = ops.at(match table.get(i) {
                    Some(&l) => l,
                    None => *fail,
                } as usize);
                continue;
            }
            Op::SelectValX { src, fail, table } => {
                let v = x!(*src);
                let mut target = *fail;
                for &(t, l) in table.iter() {
                    if t == v {
                        target = l;
                        break;
                    }
                }
                ip = ops.at(target as usize);
                continue;
            }
            Op::Jump(t) => {
                ip = ops.at(*t as usize);
                continue;
            }
            Op::Return => {
                if let Some((len, to)) = return_to!(0) {
                    p.stack.truncate(len);
                    ip = ops.at(to as usize);
                    continue;
                }
            }
            Op::DeallocReturn(n) => {
                if let Some((len, to)) = return_to!(*n) {
                    p.stack.truncate(len);
                    ip = ops.at(to as usize);
                    continue;
                }
            }
            Op::Call { target, .. } => {
                if call_ok!(0) {
                    enter!(next, 0, *target);
                }
            }
            Op::CallLast {
                target, dealloc, ..
            } => {
                let len = p.stack.len();
                if len >= *dealloc as usize && call_ok!(0) {
                    p.stack.truncate(len - *dealloc as usize);
                    ip = ops.at(*target as usize);
                    reds -= 1;
                    continue;
                }
            }
            Op::CallOnly { target, .. } => {
                if call_ok!(0) {
                    ip = ops.at(*target as usize);
                    reds -= 1;
                    continue;
                }
            }
            Op::Move2Call { moves, target, .. } => {
                if call_ok!(0) {
                    mv2!(*moves);
                    enter!(next, 2, *target);
                }
            }
            Op::AllocMove2Call {
                slots,
                moves,
                target,
                ..
            } => {
                if call_ok!(*slots) {
                    push_slots!(*slots);
                    mv2!(*moves);
                    enter!(next, 3, *target);
                }
            }
            Op::ConsAllocGetListCall {
                fail,
                src,
                slots,
                h,
                t,
                target,
                ..
            } => {
                let l = x!(*src);
                if !l.is_cons() {
                    ip = ops.at(*fail as usize);
                    continue;
                }
                if call_ok!(*slots) {
                    push_slots!(*slots);
                    let (hd, tl) = p.heap.head_tail(lits, l);
                    p.set_y(*h, hd);
                    x!(*t) = tl;
                    enter!(next, 3, *target);
                }
            }
            Op::AddImm { a, delta, dst, .. } => {
                if let Some(t) = small_add_word(x!(*a), *delta) {
                    x!(*dst) = t;
                    ip = next;
                    continue;
                }
            }
            Op::AddImmY { a, delta, dst, .. } => {
                if let Some(t) = small_add_word(p.y(*a), *delta) {
                    x!(*dst) = t;
                    ip = next;
                    continue;
                }
            }
            Op::AddSubReturn {
                sub, a, b, dealloc, ..
            } => {
                if let Some(t) = small_add_sub(get!(*a), get!(*b), *sub) {
                    if let Some((len, to)) = return_to!(*dealloc, true) {
                        xr[0] = t;
                        p.stack.truncate(len);
                        ip = ops.at(to as usize);
                        continue;
                    }
                }
            }
            Op::AddSubReturnYX {
                sub, a, b, dealloc, ..
            } => {
                if let Some(t) = small_add_sub(p.y(*a), x!(*b), *sub) {
                    if let Some((len, to)) = return_to!(*dealloc, true) {
                        xr[0] = t;
                        p.stack.truncate(len);
                        ip = ops.at(to as usize);
                        continue;
                    }
                }
            }
            Op::TestGetList(fail, s, h, t) => {
                let l = get!(*s);
                if l.is_cons() {
                    let (hd, tl) = p.heap.head_tail(lits, l);
                    store(xr, p, *h, hd);
                    store(xr, p, *t, tl);
                    ip = ip.skip(2);
                } else {
                    ip = ops.at(*fail as usize);
                }
                continue;
            }
            Op::PutListReturn(h, t, n) => {
                if let Some((len, to)) = return_to!(*n) {
                    let (hv, tv) = (get!(*h), get!(*t));
                    xr[0] = cons!(hv, tv);
                    p.stack.truncate(len);
                    ip = ops.at(to as usize);
                    continue;
                }
            }
            Op::PutListReturnYX(h, t, n) => {
                if let Some((len, to)) = return_to!(*n) {
                    xr[0] = cons!(p.y(*h), x!(*t));
                    p.stack.truncate(len);
                    ip = ops.at(to as usize);
                    continue;
                }
            }
            Op::Allocate { slots, .. } if p.stack.len() + *slots as usize <= p.max_stack => {
                for _ in 0..*slots {
                    p.stack.push(Term::NIL);
                }
                ip = next;
                continue;
            }
            Op::TestHeap { heap, .. } if !p.heap.wants_gc(*heap as usize) => {
                ip = next;
                continue;
            }
            Op::Move2(a, b, c, d) => {
                let v = get!(*a);
                store(xr, p, *b, v);
                let w = get!(*c);
                store(xr, p, *d, w);
                ip = ip.skip(2);
                continue;
            }
            Op::PutList(h, t, d) => {
                let (hv, tv) = (get!(*h), get!(*t));
                let c = cons!(hv, tv);
                store(xr, p, *d, c);
                ip = next;
                continue;
            }
            Op::GetTupleElement(s, i, d) => {
                let t = get!(*s);
                let e = p.heap.view(lits).payload(t)[*i as usize];
                store(xr, p, *d, e);
                ip = next;
                continue;
            }
            Op::GetTupleElement2(s, [i, j], [d, e]) => {
                let t = get!(*s);
                let (a, b) = {
                    let el = p.heap.view(lits).payload(t);
                    (el[*i as usize], el[*j as usize])
                };
                store(xr, p, *d, a);
                store(xr, p, *e, b);
                ip = ip.skip(2);
                continue;
            }
            Op::PutTuple2(d, elems) => {
                let off = p.heap.words.len();
                p.heap
                    .words
                    .push(Term(super::term::header(Kind::Tuple, elems.len())));
                for s in elems.iter() {
                    let v = get!(*s);
                    p.heap.words.push(v);
                }
                store(xr, p, *d, Term::boxed_ptr(off));
                ip = next;
                continue;
            }
            Op::IsTaggedTuple {
                fail,
                src,
                arity,
                tag,
            } => {
                let v = get!(*src);
                let ok = match p.heap.view(lits).tuple(v) {
                    Some(el) => el.len() == *arity as usize && el[0] == *tag,
                    None => false,
                };
                ip = if ok { next } else { ops.at(*fail as usize) };
                continue;
            }
            Op::Test { test, fail, src } => {
                let t = get!(*src);
                // The tests most guards make, inline; the rest out of line.
                let ok = match test {
                    TypeTest::Tuple => p.heap.view(lits).is_tuple(t),
                    TypeTest::Atom => t.is_atom(),
                    TypeTest::Integer if t.is_small() => true,
                    _ => type_test(&p.heap.view(lits), t, *test),
                };
                ip = if ok { next } else { ops.at(*fail as usize) };
                continue;
            }
            Op::Order { ge, fail, a, b } => {
                let (x, y) = (get!(*a), get!(*b));
                if x.is_small() && y.is_small() {
                    ip = if (x.small_value() < y.small_value()) == *ge {
                        ops.at(*fail as usize)
                    } else {
                        next
                    };
                    continue;
                }
            }
            Op::IntArith { op, a, b, dst, .. } => {
                let fast = match (get!(*a).as_small(), get!(*b).as_small()) {
                    (Some(i), Some(j)) => op.small(i, j).and_then(Term::try_small),
                    _ => None,
                };
                if let Some(t) = fast {
                    store(xr, p, *dst, t);
                    ip = next;
                    continue;
                }
            }
            Op::Element { idx, tup, dst, .. } => {
                if let Some(e) = element_of(&p.heap.view(lits), get!(*idx), get!(*tup)) {
                    store(xr, p, *dst, e);
                    ip = next;
                    continue;
                }
            }
            Op::LoopRec(fail) => {
                match p.mailbox.peek() {
                    Some(msg) => {
                        xr[0] = msg;
                        ip = next;
                    }
                    None => ip = ops.at(*fail as usize),
                }
                continue;
            }
            Op::RemoveMessage => {
                p.mailbox.remove_current();
                ip = next;
                continue;
            }
            Op::Wait(target) => stop!(Stop::Wait(*target)),
            Op::Send => {
                // A failed send has sent nothing: `general` runs it again and raises.
                if let Some(msg) = try_send(env, xr, p, lits) {
                    xr[0] = msg;
                    ip = next;
                    continue;
                }
            }
            // Every other instruction, named rather than matched by `_`: with no default
            // case the dispatch is one indexed jump over every tag, without a range check.
            Op::FuncInfo { .. }
            | Op::CallExt { .. }
            | Op::CallBif { .. }
            | Op::Bif { .. }
            | Op::AddSub { .. }
            | Op::SizeOf { .. }
            | Op::Deallocate { .. }
            | Op::Trim { .. }
            | Op::Move { .. }
            | Op::Swap { .. }
            | Op::InitY { .. }
            | Op::Cmp { .. }
            | Op::IsFunction2 { .. }
            | Op::TestArity { .. }
            | Op::SelectVal { .. }
            | Op::SelectTupleArity { .. }
            | Op::GetList { .. }
            | Op::GetHd { .. }
            | Op::GetTl { .. }
            | Op::SetTupleElement { .. }
            | Op::Catch { .. }
            | Op::CatchEnd { .. }
            | Op::TryEnd { .. }
            | Op::TryCase { .. }
            | Op::TryCaseEnd { .. }
            | Op::Raise { .. }
            | Op::BuildStacktrace
            | Op::RawRaise
            | Op::Badmatch { .. }
            | Op::IfEnd
            | Op::CaseEnd { .. }
            | Op::Badrecord { .. }
            | Op::CallFun { .. }
            | Op::CallFun2 { .. }
            | Op::CallFunLast { .. }
            | Op::CallFun2Last { .. }
            | Op::MakeFun { .. }
            | Op::Apply { .. }
            | Op::ApplyBif { .. }
            | Op::PutMap { .. }
            | Op::HasMapFields { .. }
            | Op::GetMapElements { .. }
            | Op::FLoad { .. }
            | Op::FStore { .. }
            | Op::FMove { .. }
            | Op::FArith { .. }
            | Op::FNeg { .. }
            | Op::BsCreateBin { .. }
            | Op::BsStartMatch { .. }
            | Op::BsGet { .. }
            | Op::BsSkip { .. }
            | Op::BsUtf { .. }
            | Op::BsTestTail { .. }
            | Op::BsTestUnit { .. }
            | Op::BsMatchString { .. }
            | Op::BsGetPosition { .. }
            | Op::BsSetPosition { .. }
            | Op::BsGetTail { .. }
            | Op::BsContextToBinary { .. }
            | Op::LoopRecEnd { .. }
            | Op::Timeout
            | Op::WaitTimeout { .. }
            | Op::BsInitWritable
            | Op::ConsAllocGetList { .. }
            | Op::Nop
            | Op::Exit
            | Op::CodeEnd
            | Op::Allocate { .. }
            | Op::TestHeap { .. } => {}
        }
        stop!(Stop::General);
    }
}

/// Reductions after which [`general`] hands back to the fast loop even when the fast loop did
/// not pay for the switch when it handed over.
const HAND_BACK_AFTER: i32 = 64;

/// Runs instructions from `st` with every instruction's full semantics until a call or a
/// return reaches an instruction with a fast path, then leaves `st` there and returns `None`;
/// or returns how the run ends.
fn general<'e>(
    env: &mut Env<'e>,
    xr: &mut [Term; X_REGS],
    p: &mut Process,
    live: &mut usize,
    st: &mut State<'e>,
) -> Option<Outcome> {
    let atoms: &mut AtomTable = &mut *env.atoms;
    let lits: &'e Literals = env.lits;
    let code: &'e Code = env.code;
    let io: &mut dyn Io = &mut *env.io;
    let node: &mut dyn Services = &mut *env.node;
    let next_ref: &mut u64 = &mut *env.next_ref;
    let persistent = &mut *env.persistent;
    let ets = &mut *env.ets;
    let zlib = &mut *env.zlib;
    #[cfg(feature = "op-profile")]
    let profile = &mut *env.profile;
    let State {
        mut ip,
        mut m,
        mut ops,
        mut reds,
        ..
    } = *st;
    // A run entered without handing back still hands back once it has made this many
    // reductions: an instruction without a fast path in a loop then costs a switch every
    // so many calls, not the rest of the slice here.
    let hand_back_at = reds - HAND_BACK_AFTER;

    // The index of the next instruction (for return addresses and saved positions).
    macro_rules! pc {
        () => {
            ops.index(ip)
        };
    }

    macro_rules! get {
        ($s:expr) => {
            fetch(xr, p, $s)
        };
    }
    macro_rules! ctx {
        () => {
            Ctx {
                p: &mut *p,
                atoms: &mut *atoms,
                lits,
                code,
                io: &mut *io,
                next_ref: &mut *next_ref,
                persistent: &mut *persistent,
                ets: &mut *ets,
                zlib: &mut *zlib,
                node: &mut *node,
            }
        };
    }
    // Raise `$fault` with the stack-trace top `$top`; continue at a handler or return.
    macro_rules! fault {
        ($fault:expr, $top:expr) => {{
            let f: Fault = $fault;
            match f {
                Fault::Halt(_)
                | Fault::HaltMessage(_)
                | Fault::Trap(_)
                | Fault::TrapTo(_)
                | Fault::Apply(_)
                | Fault::Hibernate => return Some(stop(f)),
                Fault::Raise {
                    class,
                    reason,
                    frame,
                } => {
                    let at = (pc!() as u32).saturating_sub(1);
                    let trace = match frame {
                        Frame::Trace(t) => t,
                        Frame::CallerArgs(a, info) => exception::build_trace(
                            p,
                            atoms,
                            code,
                            m,
                            at,
                            Top::Function {
                                args: if a == atom::NONE_ATOM { None } else { Some(a) },
                                info,
                            },
                        ),
                        Frame::Caller => exception::build_trace(
                            p,
                            atoms,
                            code,
                            m,
                            at,
                            Top::Function {
                                args: None,
                                info: None,
                            },
                        ),
                        Frame::Bif | Frame::Trapped(_) | Frame::BifCause(_) => {
                            let (top, cause): (Top, _) = match frame {
                                Frame::Trapped(bif) => (Top::Trapped { bif }, None),
                                Frame::BifCause(c) => ($top, Some(c)),
                                _ => ($top, None),
                            };
                            exception::build_trace_with(p, atoms, code, m, at, top, cause)
                        }
                        Frame::Named => {
                            let top = match $top {
                                Top::Bif { bif, args } | Top::TailBif { bif, args } => Top::Named {
                                    bif,
                                    arity: args.len() as u32,
                                },
                                other => other,
                            };
                            exception::build_trace(p, atoms, code, m, at, top)
                        }
                    };
                    match exception::unwind(p, xr, class, reason, trace) {
                        Some((nm, npc)) => {
                            m = nm;
                            ops = match Ops::of(&code.modules[m as usize].code) {
                                Some(ops) => ops,
                                None => return Some(bad_code()),
                            };
                            ip = ops.at(npc as usize);
                            continue;
                        }
                        None => {
                            return Some(Outcome::Crash {
                                class,
                                reason,
                                trace,
                            })
                        }
                    }
                }
            }
        }};
    }
    macro_rules! raise {
        ($class:expr, $reason:expr) => {
            fault!(
                Fault::raise($class, $reason),
                Top::Function {
                    args: None,
                    info: None,
                }
            )
        };
    }
    macro_rules! error_tuple {
        ($tag:expr, $v:expr) => {{
            let v = $v;
            let r = p.heap.tuple(&[$tag, v]);
            raise!(Class::Error, r)
        }};
    }
    macro_rules! gc {
        ($need:expr, $live:expr) => {
            if p.heap.wants_gc($need as usize)
                && p.collect(&mut xr[..($live as usize).min(X_REGS)], $need as usize)
                    .is_err()
            {
                // Over a max_heap_size that kills: no catch sees it.
                let (class, reason, trace) = (Class::Exit, atom::KILLED, Term::NIL);
                return Some(Outcome::Crash {
                    class,
                    reason,
                    trace,
                });
            }
        };
    }
    // Counts a reduction on entering code with `$live` argument registers.
    // After a call or a return: back to the fast loop if it runs the instruction there.
    // Switching costs about as much as a call, so only there, not after every instruction.
    macro_rules! hand_back {
        () => {
            // To the one exit after the loop (no call or return is inside an inner loop).
            if (st.hand_back || reds <= hand_back_at) && has_fast_path(ip.op()) {
                break;
            }
        };
    }
    macro_rules! reduce {
        ($target_m:expr, $target_pc:expr, $live:expr) => {
            reds -= 1;
            if reds <= 0 {
                *live = ($live as usize).min(X_REGS);
                p.reductions = SLICE_REDUCTIONS;
                p.module = $target_m;
                p.pc = $target_pc as u32;
                return Some(Outcome::Yield);
            }
            hand_back!();
        };
    }
    macro_rules! jump_module {
        ($nm:expr, $npc:expr) => {{
            let nm = $nm;
            if nm != m {
                m = nm;
                ops = match Ops::of(&code.modules[m as usize].code) {
                    Some(ops) => ops,
                    None => return Some(bad_code()),
                };
            }
            ip = ops.at($npc as usize);
        }};
    }
    macro_rules! do_return {
        () => {{
            // A return is a safe point (x0 live): the returns that end a body recursion build
            // a cell or a tuple each with no call between them, so without one a list of
            // millions would grow the heap's vector past its limit, and past the node's
            // memory, with no way to refuse it.
            gc!(0, 1);
            let cp = match p.stack.pop() {
                Some(cp) if cp.is_cp() => cp,
                _ => {
                    *live = 1;
                    return Some(Outcome::Normal);
                }
            };
            jump_module!(cp.code_module(), cp.code_pc());
            hand_back!();
        }};
    }
    macro_rules! need_module {
        ($module:expr) => {{
            // The call runs again after the load: keep every register (rare).
            *live = X_REGS;
            p.module = m;
            p.pc = (pc!() - 1) as u32;
            return Some(Outcome::NeedModule($module));
        }};
    }
    // Past its checkpoint the stack grows, charged to the node's memory account; refused
    // there, or over a max_heap_size that kills, the process dies as in `gc!`.
    macro_rules! stack_check {
        () => {
            stack_check!(0)
        };
        ($n:expr) => {
            if p.stack.len() + $n as usize > p.max_stack && p.grow_stack($n as usize).is_err() {
                let (class, reason, trace) = (Class::Exit, atom::KILLED, Term::NIL);
                return Some(Outcome::Crash {
                    class,
                    reason,
                    trace,
                });
            }
        };
    }
    // Calls a BIF with x0..arity, then continues (or returns when `tail`). With `resume`
    // the instruction can run again with new arguments in x0..arity: a BIF that traps
    // (Fault::Trap) yields there; elsewhere it runs to the end (bif::finish). A trap to the
    // stub (Fault::TrapTo) yields everywhere.
    macro_rules! call_bif {
        ($bif:expr, $arity:expr, $export:expr, $tail:expr, $dealloc:expr) => {
            call_bif!($bif, $arity, $export, $tail, $dealloc, false, false)
        };
        ($bif:expr, $arity:expr, $export:expr, $tail:expr, $dealloc:expr, $resume:expr) => {
            call_bif!($bif, $arity, $export, $tail, $dealloc, $resume, false)
        };
        // `$frameless`: the caller's frame went before the call (a tail call of a fun), so a
        // failure shows the BIF without it.
        ($bif:expr, $arity:expr, $export:expr, $tail:expr, $dealloc:expr, $resume:expr, $frameless:expr) => {{
            let n = $arity as usize;
            let mut buf = [Term::NIL; 8];
            let heap_args: Vec<Term>;
            let args: &[Term] = if n <= 8 {
                buf[..n].copy_from_slice(&xr[..n]);
                &buf[..n]
            } else {
                heap_args = xr[..n].to_vec();
                &heap_args
            };
            // Where the caller is, for process_info's current_function and stack trace.
            (p.module, p.pc) = (m, pc!() as u32);
            let r = if $resume {
                ($bif)(&mut ctx!(), args)
            } else {
                bif::finish(&mut ctx!(), $bif, args)
            };
            // A BIF ends the slice early by lowering the process's count (erlang:yield/0,
            // signals the scheduler holds for this process).
            reds = reds.min(p.reductions);
            match r {
                Ok(v) => {
                    xr[0] = v;
                    if $tail {
                        let len = p.stack.len();
                        p.stack.truncate(len - $dealloc as usize);
                        do_return!();
                    } else {
                        // Only x0 is live after a call: a cheap safe point for BIF garbage.
                        gc!(0, 1);
                    }
                }
                Err(Fault::Hibernate) => jump_module!(0, crate::vm::code::HIBERNATE_PC),
                Err(f) => {
                    if let Fault::Trap(_) | Fault::TrapTo(_) | Fault::Apply(_) = f {
                        let tail = if $tail { Some($dealloc as usize) } else { None };
                        return Some(trap(p, xr, live, f, n, (m, pc!() as u32), tail));
                    }
                    // After a tail call by call_ext_last erl still reports the caller as the
                    // function that made the call; after a fun's tail call it does not.
                    if $frameless {
                        fault!(
                            f,
                            Top::TailBif {
                                bif: BifName::from($export),
                                args
                            }
                        )
                    }
                    fault!(
                        f,
                        Top::Bif {
                            bif: BifName::from($export),
                            args
                        }
                    )
                }
            }
        }};
    }

    // `+` or `-` on `$x` and `$y` (from the operands `$a` and `$b`) into `$dst`.
    macro_rules! add_sub {
        ($sub:expr, $export:expr, $fail:expr, $x:expr, $y:expr, $b:expr, $dst:expr, $bif:expr) => {{
            let (x, y): (Term, Term) = ($x, $y);
            if let Some(t) = small_add_sub(x, y, $sub) {
                store(xr, p, $dst, t);
            } else if x.is_small() && y.is_small() {
                let r = if $sub {
                    x.small_value() - y.small_value()
                } else {
                    x.small_value() + y.small_value()
                };
                let t = p.heap.int(r);
                store(xr, p, $dst, t);
            } else {
                let args = [x, y];
                let bif: BifFn = $bif;
                match bif(&mut ctx!(), &args) {
                    Ok(v) => store(xr, p, $dst, v),
                    Err(_) if $fail != 0 => ip = ops.at($fail as usize),
                    // erl's JIT inlines `X + Lit` / `X - Lit` and reports those failures
                    // from the calling function, without a frame for erlang:'+'/2.
                    Err(_) if matches!($b, Src::C(t) if t.is_small()) => {
                        raise!(Class::Error, atom::BADARITH)
                    }
                    Err(f) => fault!(
                        f,
                        Top::Bif {
                            bif: BifName::Export($export),
                            args: &args
                        }
                    ),
                }
            }
        }};
    }
    // `$x` plus a small constant (`$delta`, shifted past the tag bits) into X register `$dst`;
    // the general BIF `$bif` on `$x` and the constant as written `$b` when that is no small.
    macro_rules! add_imm {
        ($x:expr, $delta:expr, $dst:expr, $fail:expr, $bif:expr, $b:expr) => {{
            let x: Term = $x;
            let d = $dst as usize & (X_REGS - 1);
            match small_add_word(x, $delta) {
                Some(t) => xr[d] = t,
                None => {
                    let bif: BifFn = $bif;
                    match bif(&mut ctx!(), &[x, $b]) {
                        Ok(v) => xr[d] = v,
                        Err(_) if $fail != 0 => ip = ops.at($fail as usize),
                        // As erl's JIT, which inlines `X + Lit`: no frame for erlang:'+'/2.
                        Err(_) => raise!(Class::Error, atom::BADARITH),
                    }
                }
            }
        }};
    }
    // A move specialised at load time.
    macro_rules! mv {
        ($m:expr) => {
            match $m {
                Mv::XX(a, b) => xr[b as usize & (X_REGS - 1)] = xr[a as usize & (X_REGS - 1)],
                Mv::XY(a, b) => p.set_y(b, xr[a as usize & (X_REGS - 1)]),
                Mv::YX(a, b) => xr[b as usize & (X_REGS - 1)] = p.y(a),
                Mv::CX(t, b) => xr[b as usize & (X_REGS - 1)] = t,
            }
        };
    }
    // A call to `$target` in this module returning to `pc` (call, and the fused forms that
    // end in one): the stack check, the return address, a safe point, a reduction.
    macro_rules! call_local {
        ($target:expr, $arity:expr) => {
            stack_check!();
            p.stack.push(Term::cp_at(m, pc!()));
            gc!(0, $arity);
            ip = ops.at($target as usize);
            reduce!(m, pc!(), $arity);
        };
    }
    loop {
        let op = ip.op();
        #[cfg(feature = "op-profile")]
        profile.record_at(op, m, pc!());
        ip = ip.skip(1);
        match op {
            Op::Move(s, d) => {
                let v = get!(*s);
                store(xr, p, *d, v);
            }
            Op::MoveXX(a, b) => xr[*b as usize & (X_REGS - 1)] = xr[*a as usize & (X_REGS - 1)],
            Op::MoveXY(a, b) => {
                let v = xr[*a as usize & (X_REGS - 1)];
                p.set_y(*b, v);
            }
            Op::MoveYX(a, b) => xr[*b as usize & (X_REGS - 1)] = p.y(*a),
            Op::MoveCX(t, b) => xr[*b as usize & (X_REGS - 1)] = *t,
            Op::TestCons(fail, src) => {
                if !get!(*src).is_cons() {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::TestNil(fail, src) => {
                if !get!(*src).is_nil() {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::Test { test, fail, src } => {
                let t = get!(*src);
                let v = p.heap.view(lits);
                if !type_test(&v, t, *test) {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::Cmp { test, fail, a, b } => {
                let (x, y) = (get!(*a), get!(*b));
                let ok = match test {
                    CmpTest::EqExact if x == y => true,
                    CmpTest::EqExact if x.is_immediate() || y.is_immediate() => false,
                    CmpTest::NeExact if x == y => false,
                    CmpTest::NeExact if x.is_immediate() || y.is_immediate() => true,
                    _ => {
                        let v = p.heap.view(lits);
                        cmp_test(&v, atoms, x, y, *test)
                    }
                };
                if !ok {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::Call { target, arity } => {
                call_local!(*target, *arity);
            }
            Op::CallLast {
                target,
                arity,
                dealloc,
            } => {
                let len = p.stack.len();
                p.stack.truncate(len - *dealloc as usize);
                gc!(0, *arity);
                ip = ops.at(*target as usize);
                reduce!(m, pc!(), *arity);
            }
            Op::CallOnly { target, arity } => {
                gc!(0, *arity);
                ip = ops.at(*target as usize);
                reduce!(m, pc!(), *arity);
            }
            Op::Return => do_return!(),
            Op::DeallocReturn(n) => {
                let len = p.stack.len();
                p.stack.truncate(len - *n as usize);
                do_return!();
            }
            Op::ConsAllocGetList {
                fail,
                src,
                slots,
                h,
                t,
            } => {
                let l = get!(*src);
                if l.is_cons() {
                    stack_check!(*slots);
                    for _ in 0..*slots {
                        p.stack.push(Term::NIL);
                    }
                    let (hd, tl) = p.heap.view(lits).cons(l);
                    store(xr, p, *h, hd);
                    store(xr, p, *t, tl);
                    ip = ip.skip(2);
                } else {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::ConsAllocGetListCall {
                fail,
                src,
                slots,
                h,
                t,
                target,
                arity,
            } => {
                let l = xr[*src as usize & (X_REGS - 1)];
                if l.is_cons() {
                    stack_check!(*slots);
                    for _ in 0..*slots {
                        p.stack.push(Term::NIL);
                    }
                    let (hd, tl) = p.heap.view(lits).cons(l);
                    p.set_y(*h, hd);
                    xr[*t as usize & (X_REGS - 1)] = tl;
                    // The call: it returns past the fused instructions and itself.
                    ip = ip.skip(3);
                    call_local!(*target, *arity);
                } else {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::PutListReturn(h, t, n) => {
                let (hv, tv) = (get!(*h), get!(*t));
                xr[0] = p.heap.cons(hv, tv);
                let len = p.stack.len();
                p.stack.truncate(len - *n as usize);
                do_return!();
            }
            Op::PutListReturnYX(h, t, n) => {
                let (hv, tv) = (p.y(*h), xr[*t as usize & (X_REGS - 1)]);
                xr[0] = p.heap.cons(hv, tv);
                let len = p.stack.len();
                p.stack.truncate(len - *n as usize);
                do_return!();
            }
            Op::Move2Call {
                moves,
                target,
                arity,
            } => {
                let (m1, m2) = moves.split();
                mv!(m1);
                mv!(m2);
                ip = ip.skip(2);
                call_local!(*target, *arity);
            }
            Op::AllocMove2Call {
                slots,
                moves,
                target,
                arity,
            } => {
                let (m1, m2) = moves.split();
                stack_check!(*slots);
                for _ in 0..*slots {
                    p.stack.push(Term::NIL);
                }
                mv!(m1);
                mv!(m2);
                // The call: it returns past the fused instructions and itself. The stack
                // check above is the call's too (the moves do not change the depth).
                ip = ip.skip(3);
                p.stack.push(Term::cp_at(m, pc!()));
                gc!(0, *arity);
                ip = ops.at(*target as usize);
                reduce!(m, pc!(), *arity);
            }
            Op::TestGetList(fail, s, h, t) => {
                let l = get!(*s);
                if l.is_cons() {
                    let (hd, tl) = p.heap.view(lits).cons(l);
                    store(xr, p, *h, hd);
                    store(xr, p, *t, tl);
                    ip = ip.skip(1);
                } else {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::Move2(a, b, c, d) => {
                let v = get!(*a);
                store(xr, p, *b, v);
                let w = get!(*c);
                store(xr, p, *d, w);
                ip = ip.skip(1);
            }
            Op::Allocate { slots, .. } => {
                // No collection here: the call that entered this function was a safe point,
                // and heaps grow on demand.
                stack_check!(*slots);
                for _ in 0..*slots {
                    p.stack.push(Term::NIL);
                }
            }
            Op::TestHeap { heap, live } => gc!(*heap, *live),
            Op::Deallocate(n) => {
                let len = p.stack.len();
                p.stack.truncate(len - *n as usize);
            }
            Op::Trim(n) => {
                let len = p.stack.len();
                let keep_top = 0;
                let _ = keep_top;
                // Remove y0..y(n-1), which sit at the top of the stack.
                p.stack.truncate(len - *n as usize);
            }
            Op::AddSub {
                sub,
                export,
                fail,
                a,
                b,
                dst,
                bif,
            } => {
                let (x, y) = (get!(*a), get!(*b));
                add_sub!(*sub, *export, *fail, x, y, *b, *dst, *bif);
            }
            Op::AddSubReturn {
                sub,
                export,
                fail,
                a,
                b,
                dealloc,
                bif,
            } => {
                let (x, y) = (get!(*a), get!(*b));
                match small_add_sub(x, y, *sub) {
                    Some(t) => {
                        xr[0] = t;
                        let len = p.stack.len();
                        p.stack.truncate(len - *dealloc as usize);
                        do_return!();
                    }
                    // The `AddSub` alone; the `deallocate; return` after it follow.
                    _ => add_sub!(*sub, *export, *fail, x, y, *b, Dst::X(0), *bif),
                }
            }
            Op::AddSubReturnYX {
                sub,
                export,
                fail,
                a,
                b,
                dealloc,
                bif,
            } => {
                let (x, y) = (p.y(*a), xr[*b as usize & (X_REGS - 1)]);
                match small_add_sub(x, y, *sub) {
                    Some(t) => {
                        xr[0] = t;
                        let len = p.stack.len();
                        p.stack.truncate(len - *dealloc as usize);
                        do_return!();
                    }
                    // The `AddSub` alone; the `deallocate; return` after it follow.
                    _ => add_sub!(*sub, *export, *fail, x, y, Src::X(*b), Dst::X(0), *bif),
                }
            }
            Op::EqImm(fail, a, t) => {
                // An immediate equals exactly only the same word.
                if get!(*a) != *t {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::NeImm(fail, a, t) => {
                if get!(*a) == *t {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::Order { ge, fail, a, b } => {
                let (x, y) = (get!(*a), get!(*b));
                let lt = if x.is_small() && y.is_small() {
                    x.small_value() < y.small_value()
                } else {
                    compare(&p.heap.view(lits), atoms, x, y, Mode::Arith).is_lt()
                };
                if lt == *ge {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::AddImm {
                a,
                delta,
                dst,
                fail,
                bif,
                b,
            } => {
                let x = xr[*a as usize & (X_REGS - 1)];
                add_imm!(x, *delta, *dst, *fail, *bif, *b);
            }
            Op::AddImmY {
                a,
                delta,
                dst,
                fail,
                bif,
                b,
            } => {
                let x = p.y(*a);
                add_imm!(x, *delta, *dst, *fail, *bif, *b);
            }
            Op::SizeOf {
                what,
                live: n_live,
                fail,
                export,
                src,
                dst,
                bif,
            } => {
                let t = get!(*src);
                match size_of(&p.heap.view(lits), *what, t) {
                    Some(n) => store(xr, p, *dst, n),
                    None if *what == SizeOf::List && *n_live != NO_LIVE && t.is_cons() => {
                        // A long list: counted a slice's worth of cells at a time.
                        let at = (m, (pc!() - 1) as u32);
                        match long_length(p, lits, t, at, reds) {
                            Length::Done(n, used) => {
                                reds -= used;
                                store(xr, p, *dst, Term::small(n as i64));
                            }
                            Length::More => {
                                *live = usize::from(*n_live);
                                p.reductions = SLICE_REDUCTIONS;
                                (p.module, p.pc) = at;
                                return Some(Outcome::Yield);
                            }
                            Length::Improper if *fail != 0 => ip = ops.at(*fail as usize),
                            Length::Improper => {
                                let a = [t];
                                fault!(
                                    Fault::error(atom::BADARG),
                                    Top::Bif {
                                        bif: BifName::Export(*export),
                                        args: &a
                                    }
                                )
                            }
                        }
                    }
                    None => {
                        // The BIF's own error (or a long list's length), as for `Op::Bif`.
                        let a = [t];
                        match bif(&mut ctx!(), &a) {
                            Ok(v) => {
                                reds = reds.min(p.reductions);
                                store(xr, p, *dst, v)
                            }
                            Err(_) if *fail != 0 => ip = ops.at(*fail as usize),
                            Err(f) => fault!(
                                f,
                                Top::Bif {
                                    bif: BifName::Export(*export),
                                    args: &a
                                }
                            ),
                        }
                    }
                }
            }
            Op::Element {
                fail,
                export,
                idx,
                tup,
                dst,
                bif,
            } => {
                let (i, t) = (get!(*idx), get!(*tup));
                match element_of(&p.heap.view(lits), i, t) {
                    Some(e) => store(xr, p, *dst, e),
                    None => {
                        // The BIF's own error, as for `Op::Bif`.
                        let a = [i, t];
                        match bif(&mut ctx!(), &a) {
                            Ok(v) => store(xr, p, *dst, v),
                            Err(_) if *fail != 0 => ip = ops.at(*fail as usize),
                            Err(f) => fault!(
                                f,
                                Top::Bif {
                                    bif: BifName::Export(*export),
                                    args: &a
                                }
                            ),
                        }
                    }
                }
            }
            Op::IntArith {
                op,
                fail,
                export,
                a,
                b,
                dst,
                bif,
            } => {
                let (x, y) = (get!(*a), get!(*b));
                let fast = match (x.as_small(), y.as_small()) {
                    (Some(i), Some(j)) => op.small(i, j).and_then(Term::try_small),
                    _ => None,
                };
                match fast {
                    Some(t) => store(xr, p, *dst, t),
                    None => {
                        let args = [x, y];
                        match bif(&mut ctx!(), &args) {
                            Ok(v) => store(xr, p, *dst, v),
                            Err(_) if *fail != 0 => ip = ops.at(*fail as usize),
                            Err(f) => fault!(
                                f,
                                Top::Bif {
                                    bif: BifName::Export(*export),
                                    args: &args
                                }
                            ),
                        }
                    }
                }
            }
            Op::Bif {
                bif,
                export,
                fail,
                args,
                dst,
            } => {
                let mut buf = [Term::NIL; 3];
                for (i, s) in args.iter().enumerate() {
                    buf[i] = get!(*s);
                }
                let a = &buf[..args.len()];
                match bif(&mut ctx!(), a) {
                    Ok(v) => {
                        // A guard BIF charges for long work (length/1) as call_bif! sees.
                        reds = reds.min(p.reductions);
                        store(xr, p, *dst, v)
                    }
                    Err(_) if *fail != 0 => ip = ops.at(*fail as usize),
                    Err(f) => fault!(
                        f,
                        Top::Bif {
                            bif: BifName::Export(*export),
                            args: a
                        }
                    ),
                }
            }
            Op::GetList(s, h, t) => {
                let l = get!(*s);
                let (hd, tl) = p.heap.view(lits).cons(l);
                store(xr, p, *h, hd);
                store(xr, p, *t, tl);
            }
            Op::GetHd(s, h) => {
                let l = get!(*s);
                let hd = p.heap.view(lits).cons(l).0;
                store(xr, p, *h, hd);
            }
            Op::GetTl(s, t) => {
                let l = get!(*s);
                let tl = p.heap.view(lits).cons(l).1;
                store(xr, p, *t, tl);
            }
            Op::GetTupleElement(s, i, d) => {
                let t = get!(*s);
                let e = p.heap.view(lits).payload(t)[*i as usize];
                store(xr, p, *d, e);
            }
            Op::GetTupleElement2(s, [i, j], [d, e]) => {
                let t = get!(*s);
                let (a, b) = {
                    let el = p.heap.view(lits).payload(t);
                    (el[*i as usize], el[*j as usize])
                };
                store(xr, p, *d, a);
                store(xr, p, *e, b);
                ip = ip.skip(1);
            }
            Op::SetTupleElement(val, tup, i) => {
                let (v, t) = (get!(*val), get!(*tup));
                p.heap.set_tuple_element(t, *i as usize, v);
            }
            Op::PutList(h, t, d) => {
                let (hv, tv) = (get!(*h), get!(*t));
                let c = p.heap.cons(hv, tv);
                store(xr, p, *d, c);
            }
            Op::PutTuple2(d, elems) => {
                let off = p.heap.words.len();
                p.heap
                    .words
                    .push(Term(super::term::header(Kind::Tuple, elems.len())));
                for s in elems.iter() {
                    let v = get!(*s);
                    p.heap.words.push(v);
                }
                store(xr, p, *d, Term::boxed_ptr(off));
            }
            Op::SelectVal {
                src,
                fail,
                table,
                sorted,
            } => {
                let v = get!(*src);
                let mut target = *fail;
                if *sorted {
                    if table.len() <= 4 {
                        // Immediates compare by word; a scan beats a search on few entries.
                        for &(t, l) in table.iter() {
                            if t == v {
                                target = l;
                                break;
                            }
                        }
                    } else if v.is_immediate() {
                        if let Ok(i) = table.binary_search_by_key(&v.0, |(t, _)| t.0) {
                            target = table[i].1;
                        }
                    }
                } else {
                    let view = p.heap.view(lits);
                    for (t, l) in table.iter() {
                        if exact_eq(&view, atoms, v, *t) {
                            target = *l;
                            break;
                        }
                    }
                }
                ip = ops.at(target as usize);
            }
            Op::SelectValX { src, fail, table } => {
                let v = xr[*src as usize & (X_REGS - 1)];
                let mut target = *fail;
                // Immediates compare by word; a scan beats a search on few entries.
                for &(t, l) in table.iter() {
                    if t == v {
                        target = l;
                        break;
                    }
                }
                ip = ops.at(target as usize);
            }
            Op::JumpOnVal {
                src,
                fail,
                base,
                table,
            } => {
                // A small integer's word less `base`'s is its distance from it shifted past
                // the tag bits, which are then zero; any other term leaves some tag bits,
                // which the rotation makes a huge index.
                let v = xr[*src as usize & (X_REGS - 1)];
                let i = v.0.wrapping_sub(base.0).rotate_right(3) as usize;
                ip = ops.at(match table.get(i) {
                    Some(&l) => l,
                    None => *fail,
                } as usize);
            }
            Op::SelectTupleArity { src, fail, table } => {
                let v = get!(*src);
                let view = p.heap.view(lits);
                let mut target = *fail;
                if let Some(el) = view.tuple(v) {
                    for (a, l) in table.iter() {
                        if *a as usize == el.len() {
                            target = *l;
                            break;
                        }
                    }
                }
                ip = ops.at(target as usize);
            }
            Op::Jump(t) => ip = ops.at(*t as usize),
            Op::TestArity { fail, src, arity } => {
                let v = get!(*src);
                if p.heap.view(lits).payload(v).len() != *arity as usize {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::IsTaggedTuple {
                fail,
                src,
                arity,
                tag,
            } => {
                let v = get!(*src);
                let ok = match p.heap.view(lits).tuple(v) {
                    Some(el) => el.len() == *arity as usize && el[0] == *tag,
                    None => false,
                };
                if !ok {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::IsFunction2 { fail, src, arity } => {
                let (f, a) = (get!(*src), get!(*arity));
                let ok = match fun_arity(code, &p.heap.view(lits), f) {
                    Some(n) => a.as_small() == Some(n as i64),
                    None => false,
                };
                if !ok {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::InitY(ys) => {
                for y in ys.iter() {
                    p.set_y(*y, Term::NIL);
                }
            }
            Op::Swap(a, b) => {
                let va = match *a {
                    Dst::X(i) => xr[i as usize],
                    Dst::Y(i) => p.y(i),
                };
                let vb = match *b {
                    Dst::X(i) => xr[i as usize],
                    Dst::Y(i) => p.y(i),
                };
                store(xr, p, *a, vb);
                store(xr, p, *b, va);
            }
            Op::FuncInfo { arity, .. } => {
                let args: Vec<Term> = xr[..*arity as usize].to_vec();
                let l = p.heap.list(&args);
                fault!(
                    Fault::Raise {
                        class: Class::Error,
                        reason: atom::FUNCTION_CLAUSE,
                        frame: Frame::CallerArgs(l, None),
                    },
                    Top::Function {
                        args: None,
                        info: None,
                    }
                );
            }
            Op::CallExt {
                export,
                push,
                dealloc,
            } => {
                let e = &code.exports[*export as usize];
                match e.target {
                    Target::Code { module, pc: target } => {
                        if *push {
                            stack_check!();
                            p.stack.push(Term::cp_at(m, pc!()));
                        } else {
                            let len = p.stack.len();
                            p.stack.truncate(len - *dealloc as usize);
                        }
                        gc!(0, e.arity);
                        jump_module!(module, target);
                        reduce!(m, pc!(), e.arity);
                    }
                    Target::Bif(b) => {
                        call_bif!(b, e.arity, *export, !*push, *dealloc, true);
                    }
                    Target::Apply => {
                        // Rare: resolved after the module loaded; treat as apply.
                        raise!(Class::Error, atom::UNDEF);
                    }
                    Target::Undefined => {
                        if code.module_index(e.module).is_none()
                            && !code.missing.contains(e.module.atom_index())
                        {
                            need_module!(e.module);
                        }
                        if *push {
                            p.stack.push(Term::cp_at(m, pc!()));
                        } else {
                            let len = p.stack.len();
                            p.stack.truncate(len - *dealloc as usize);
                        }
                        let args: Vec<Term> = xr[..e.arity as usize].to_vec();
                        let trace = exception::build_trace(
                            p,
                            atoms,
                            code,
                            m,
                            pc!() as u32,
                            Top::Undef {
                                module: e.module,
                                function: e.function,
                                args: &args,
                            },
                        );
                        fault!(
                            Fault::Raise {
                                class: Class::Error,
                                reason: atom::UNDEF,
                                frame: Frame::Trace(trace),
                            },
                            Top::Function {
                                args: None,
                                info: None,
                            }
                        );
                    }
                }
            }
            Op::CallBif {
                bif,
                arity,
                export,
                tail,
                dealloc,
            } => {
                call_bif!(*bif, *arity, *export, *tail, *dealloc, true);
            }
            Op::Apply {
                arity,
                tail,
                dealloc,
            } => {
                let n = *arity;
                let (md, fun) = (xr[n as usize], xr[n as usize + 1]);
                match apply_target(code, md, fun, n) {
                    Ok(Resolved::Code(nm, npc)) => {
                        if *tail {
                            let len = p.stack.len();
                            p.stack.truncate(len - *dealloc as usize);
                        } else {
                            p.stack.push(Term::cp_at(m, pc!()));
                            stack_check!();
                        }
                        gc!(0, n);
                        jump_module!(nm, npc);
                        reduce!(m, pc!(), n);
                    }
                    Ok(Resolved::Bif(b, export)) => {
                        call_bif!(b, n, export, *tail, *dealloc);
                    }
                    Ok(Resolved::Load(name)) => need_module!(name),
                    Ok(Resolved::Apply) | Ok(Resolved::Undef) => {
                        if !*tail {
                            p.stack.push(Term::cp_at(m, pc!()));
                        } else {
                            let len = p.stack.len();
                            p.stack.truncate(len - *dealloc as usize);
                        }
                        let args: Vec<Term> = xr[..n as usize].to_vec();
                        let trace = exception::build_trace(
                            p,
                            atoms,
                            code,
                            m,
                            pc!() as u32,
                            Top::Undef {
                                module: md,
                                function: fun,
                                args: &args,
                            },
                        );
                        fault!(
                            Fault::Raise {
                                class: Class::Error,
                                reason: atom::UNDEF,
                                frame: Frame::Trace(trace),
                            },
                            Top::Function {
                                args: None,
                                info: None,
                            }
                        );
                    }
                    Err(f) => fault!(
                        f,
                        Top::Function {
                            args: None,
                            info: None,
                        }
                    ),
                }
            }
            Op::ApplyBif {
                arity,
                export,
                tail,
                dealloc,
            } => {
                // erlang:apply(M, F, Args) / apply(Fun, Args): spread Args into x0.. and retry
                // as apply / call_fun.
                let args_term = xr[*arity as usize - 1];
                let items = match p.heap.view(lits).list_to_vec(args_term) {
                    Some(v) => v,
                    None => {
                        let args: Vec<Term> = xr[..*arity as usize].to_vec();
                        fault!(
                            badarg(),
                            Top::Bif {
                                bif: BifName::Export(*export),
                                args: &args
                            }
                        )
                    }
                };
                let n = items.len() as u32;
                if *arity == 3 {
                    let (md, fun) = (xr[0], xr[1]);
                    match apply_target(code, md, fun, n) {
                        Ok(Resolved::Load(name)) => need_module!(name),
                        Err(f) => fault!(
                            f,
                            Top::Function {
                                args: None,
                                info: None,
                            }
                        ),
                        Ok(r) => {
                            xr[..items.len()].copy_from_slice(&items);
                            match r {
                                Resolved::Code(nm, npc) => {
                                    if *tail {
                                        let len = p.stack.len();
                                        p.stack.truncate(len - *dealloc as usize);
                                    } else {
                                        p.stack.push(Term::cp_at(m, pc!()));
                                        stack_check!();
                                    }
                                    gc!(0, n);
                                    jump_module!(nm, npc);
                                    reduce!(m, pc!(), n);
                                }
                                Resolved::Bif(b, export) => {
                                    call_bif!(b, n, export, *tail, *dealloc);
                                }
                                _ => {
                                    if !*tail {
                                        p.stack.push(Term::cp_at(m, pc!()));
                                    } else {
                                        let len = p.stack.len();
                                        p.stack.truncate(len - *dealloc as usize);
                                    }
                                    let trace = exception::build_trace(
                                        p,
                                        atoms,
                                        code,
                                        m,
                                        pc!() as u32,
                                        Top::Undef {
                                            module: md,
                                            function: fun,
                                            args: &items,
                                        },
                                    );
                                    fault!(
                                        Fault::Raise {
                                            class: Class::Error,
                                            reason: atom::UNDEF,
                                            frame: Frame::Trace(trace),
                                        },
                                        Top::Function {
                                            args: None,
                                            info: None,
                                        }
                                    );
                                }
                            }
                        }
                    }
                } else {
                    let f = xr[0];
                    xr[..items.len()].copy_from_slice(&items);
                    match fun_entry(p, xr, lits, code, f, n) {
                        Ok(FunEntry::Code(nm, npc, live_at_entry)) => {
                            if *tail {
                                let len = p.stack.len();
                                p.stack.truncate(len - *dealloc as usize);
                            } else {
                                p.stack.push(Term::cp_at(m, pc!()));
                                stack_check!();
                            }
                            gc!(0, live_at_entry);
                            jump_module!(nm, npc);
                            reduce!(m, pc!(), live_at_entry);
                        }
                        Ok(FunEntry::Mfa(md, fun)) => {
                            xr[n as usize] = md;
                            xr[n as usize + 1] = fun;
                            xr[n as usize + 2] = Term::NIL;
                            // Re-dispatch as apply: restore the original registers' shape.
                            match apply_target(code, md, fun, n) {
                                Ok(Resolved::Code(nm, npc)) => {
                                    if *tail {
                                        let len = p.stack.len();
                                        p.stack.truncate(len - *dealloc as usize);
                                    } else {
                                        p.stack.push(Term::cp_at(m, pc!()));
                                        stack_check!();
                                    }
                                    gc!(0, n);
                                    jump_module!(nm, npc);
                                    reduce!(m, pc!(), n);
                                }
                                Ok(Resolved::Bif(b, export)) => {
                                    call_bif!(b, n, export, *tail, *dealloc);
                                }
                                _ => {
                                    let f = undef(
                                        p,
                                        atoms,
                                        code,
                                        (m, pc!()),
                                        (md, fun, &items),
                                        *tail,
                                        *dealloc,
                                    );
                                    fault!(
                                        f,
                                        Top::Function {
                                            args: None,
                                            info: None,
                                        }
                                    );
                                }
                            }
                        }
                        Ok(FunEntry::Load(name)) => {
                            // Registers were overwritten; restore apply/2's arguments.
                            let l = p.heap.list(&items);
                            xr[0] = f;
                            xr[1] = l;
                            need_module!(name)
                        }
                        Err(fe) => {
                            let reason = fun_error(p, fe, f, &items);
                            raise!(Class::Error, reason)
                        }
                    }
                }
            }
            Op::CallFun(arity)
            | Op::CallFun2(arity, _)
            | Op::CallFunLast(arity, _)
            | Op::CallFun2Last(arity, _, _) => {
                let n = *arity;
                let (f, last) = match op {
                    Op::CallFun2(_, s) => (get!(*s), None),
                    Op::CallFunLast(_, d) => (xr[n as usize], Some(*d as usize)),
                    Op::CallFun2Last(_, s, d) => (get!(*s), Some(*d as usize)),
                    _ => (xr[n as usize], None),
                };
                // Enters the callee: a tail call drops the caller's frame first, any other
                // call pushes its return address.
                macro_rules! enter_fun {
                    () => {
                        match last {
                            Some(d) => {
                                let len = p.stack.len();
                                p.stack.truncate(len.saturating_sub(d));
                            }
                            None => {
                                stack_check!();
                                p.stack.push(Term::cp_at(m, pc!()));
                            }
                        }
                    };
                }
                match fun_entry(p, xr, lits, code, f, n) {
                    Ok(FunEntry::Code(nm, npc, live_at_entry)) => {
                        enter_fun!();
                        gc!(0, live_at_entry);
                        jump_module!(nm, npc);
                        reduce!(m, pc!(), live_at_entry);
                    }
                    Ok(FunEntry::Mfa(md, fun)) => match apply_target(code, md, fun, n) {
                        Ok(Resolved::Code(nm, npc)) => {
                            enter_fun!();
                            gc!(0, n);
                            jump_module!(nm, npc);
                            reduce!(m, pc!(), n);
                        }
                        Ok(Resolved::Bif(b, export)) => match last {
                            Some(d) => {
                                // As erl: the frame goes, then the BIF is applied.
                                let len = p.stack.len();
                                p.stack.truncate(len.saturating_sub(d));
                                call_bif!(b, n, export, true, 0, false, true)
                            }
                            None => call_bif!(b, n, export, false, 0),
                        },
                        Ok(Resolved::Load(name)) => need_module!(name),
                        _ => {
                            enter_fun!();
                            let args: Vec<Term> = xr[..n as usize].to_vec();
                            let trace = exception::build_trace(
                                p,
                                atoms,
                                code,
                                m,
                                pc!() as u32,
                                Top::Undef {
                                    module: md,
                                    function: fun,
                                    args: &args,
                                },
                            );
                            fault!(
                                Fault::Raise {
                                    class: Class::Error,
                                    reason: atom::UNDEF,
                                    frame: Frame::Trace(trace),
                                },
                                Top::Function {
                                    args: None,
                                    info: None,
                                }
                            );
                        }
                    },
                    Ok(FunEntry::Load(name)) => need_module!(name),
                    Err(fe) => {
                        let args: Vec<Term> = xr[..n as usize].to_vec();
                        let reason = fun_error(p, fe, f, &args);
                        if last.is_none() {
                            // As erl: the return address is pushed before the fun is
                            // checked, so the caller shows twice in the trace.
                            stack_check!();
                            p.stack.push(Term::cp_at(m, pc!()));
                        }
                        raise!(Class::Error, reason)
                    }
                }
            }
            Op::MakeFun(id, d, env) => {
                let off = p.heap.words.len();
                p.heap
                    .words
                    .push(Term(super::term::header(Kind::Fun, 1 + env.len())));
                p.heap.words.push(Term::small(*id as i64));
                for s in env.iter() {
                    let v = get!(*s);
                    p.heap.words.push(v);
                }
                store(xr, p, *d, Term::boxed_ptr(off));
            }
            Op::Catch(y, target) => p.set_y(*y, Term::catch(m, *target)),
            Op::CatchEnd(y) => {
                p.set_y(*y, Term::NIL);
                if xr[0].is_none() {
                    let v = exception::catch_value(p, xr, lits);
                    xr[0] = v;
                }
            }
            Op::TryEnd(y) => p.set_y(*y, Term::NIL),
            Op::TryCase(y) => {
                p.set_y(*y, Term::NIL);
                xr[0] = xr[1];
                xr[1] = xr[2];
                xr[2] = xr[3];
            }
            Op::TryCaseEnd(s) => error_tuple!(atom::TRY_CLAUSE, get!(*s)),
            Op::Badmatch(s) => error_tuple!(atom::BADMATCH, get!(*s)),
            Op::CaseEnd(s) => error_tuple!(atom::CASE_CLAUSE, get!(*s)),
            Op::Badrecord(s) => error_tuple!(atom::BADRECORD, get!(*s)),
            Op::IfEnd => raise!(Class::Error, atom::IF_CLAUSE),
            Op::Raise(stk, val) => {
                let (raw, reason) = (get!(*stk), get!(*val));
                let class = exception::raw_class(p, lits, raw).unwrap_or(Class::Error);
                let trace = exception::raw_trace(p, lits, raw);
                fault!(
                    Fault::Raise {
                        class,
                        reason,
                        frame: Frame::Trace(trace),
                    },
                    Top::Function {
                        args: None,
                        info: None,
                    }
                );
            }
            Op::BuildStacktrace => {
                let t = exception::raw_trace(p, lits, xr[0]);
                xr[0] = t;
            }
            Op::RawRaise => {
                let (c, reason, raw) = (xr[0], xr[1], xr[2]);
                match Class::from_atom(c) {
                    Some(class) => {
                        let trace = exception::raw_trace(p, lits, raw);
                        fault!(
                            Fault::Raise {
                                class,
                                reason,
                                frame: Frame::Trace(trace),
                            },
                            Top::Function {
                                args: None,
                                info: None,
                            }
                        );
                    }
                    None => xr[0] = atom::BADARG,
                }
            }
            Op::PutMap {
                exact,
                fail,
                src,
                dst,
                pairs,
            } => {
                let mv = get!(*src);
                if !p.heap.view(lits).is_map(mv) {
                    if *fail != 0 {
                        ip = ops.at(*fail as usize);
                        continue;
                    }
                    error_tuple!(atom::BADMAP, mv);
                }
                let mut new = Vec::with_capacity(pairs.len() / 2);
                for kv in pairs.chunks(2) {
                    new.push((get!(kv[0]), get!(kv[1])));
                }
                match map::update(&mut p.heap, lits, atoms, mv, &new, *exact) {
                    map::Update::Map(t) => store(xr, p, *dst, t),
                    map::Update::BadKey(k) => {
                        if *fail != 0 {
                            ip = ops.at(*fail as usize);
                            continue;
                        }
                        error_tuple!(atom::BADKEY, k);
                    }
                }
            }
            Op::HasMapFields { fail, src, keys } => {
                let mv = get!(*src);
                let v = p.heap.view(lits);
                for k in keys.iter() {
                    let key = fetch(xr, p, *k);
                    if map::get(&v, atoms, mv, key).is_none() {
                        ip = ops.at(*fail as usize);
                        break;
                    }
                }
            }
            Op::GetMapElements { fail, src, pairs } => {
                let mv = get!(*src);
                let mut ok = true;
                for (k, d) in pairs.iter() {
                    let key = get!(*k);
                    let found = map::get(&p.heap.view(lits), atoms, mv, key);
                    match found {
                        Some(val) => store(xr, p, *d, val),
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
                if !ok {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::FLoad(s, f, conv) => {
                let v = get!(*s);
                let view = p.heap.view(lits);
                let x = if *conv {
                    view.number_f64(v)
                } else {
                    view.float(v)
                };
                match x {
                    Some(x) if x.is_finite() => fregs(p)[*f as usize] = x,
                    _ => raise!(Class::Error, atom::BADARITH),
                }
            }
            Op::FStore(f, d) => {
                let x = fregs(p)[*f as usize];
                let t = p.heap.float(x);
                store(xr, p, *d, t);
            }
            Op::FMove(s, d) => {
                let r = fregs(p);
                r[*d as usize] = r[*s as usize];
            }
            Op::FArith(fop, a, b, d) => {
                let r = fregs(p);
                let (x, y) = (r[*a as usize], r[*b as usize]);
                let r = match fop {
                    FloatOp::Add => x + y,
                    FloatOp::Sub => x - y,
                    FloatOp::Mul => x * y,
                    FloatOp::Div => x / y,
                };
                if !r.is_finite() {
                    raise!(Class::Error, atom::BADARITH);
                }
                fregs(p)[*d as usize] = r;
            }
            Op::FNeg(a, d) => {
                let r = fregs(p);
                r[*d as usize] = -r[*a as usize];
            }
            Op::BsCreateBin {
                fail,
                dst,
                segs,
                hint,
            } => match create_bin(p, xr, lits, &code.modules[m as usize].strings, segs, *hint) {
                Ok(t) => store(xr, p, *dst, t),
                Err(e) => {
                    if *fail != 0 {
                        ip = ops.at(*fail as usize);
                        continue;
                    }
                    let (f, cause) = bs_fault(p, xr, e);
                    fault!(
                        f,
                        Top::Construct {
                            cause: cause.as_ref()
                        }
                    );
                }
            },
            Op::BsStartMatch { fail, src, dst } => {
                let v = get!(*src);
                let view = p.heap.view(lits);
                if view.kind(v) == Some(Kind::MatchCtx) {
                    store(xr, p, *dst, v);
                } else if let Some((w, off, len)) = view.bin_ref(v) {
                    let c = p.heap.match_ctx(w, off, off + len);
                    store(xr, p, *dst, c);
                } else if *fail != 0 {
                    ip = ops.at(*fail as usize);
                } else {
                    fault!(
                        badarg(),
                        Top::Function {
                            args: None,
                            info: None,
                        }
                    );
                }
            }
            Op::BsGet {
                what,
                fail,
                ctx,
                size,
                unit,
                flags,
                dst,
            } => {
                let c = get!(*ctx);
                let sz = get!(*size);
                match bs_get(p, lits, c, sz, *unit, *flags, *what) {
                    Some(t) => store(xr, p, *dst, t),
                    None => ip = ops.at(*fail as usize),
                }
            }
            Op::BsSkip {
                fail,
                ctx,
                size,
                unit,
            } => {
                let c = get!(*ctx);
                let sz = get!(*size);
                let (_, _, end, pos) = ctx_fields(p, c);
                let n = if sz == atom::ALL {
                    Some(end - pos)
                } else {
                    sz.as_small()
                        .filter(|s| *s >= 0)
                        .map(|s| s as usize * *unit as usize)
                };
                match n {
                    Some(n) if pos + n <= end => set_pos(p, c, pos + n),
                    _ => ip = ops.at(*fail as usize),
                }
            }
            Op::BsUtf {
                utf,
                fail,
                ctx,
                flags,
                dst,
            } => {
                let c = get!(*ctx);
                let (w, _, end, pos) = ctx_fields(p, c);
                let r = {
                    let view = p.heap.view(lits);
                    bits::read_utf(view.buffer(w), pos, end, *utf, *flags)
                };
                match r {
                    Some((cp, len)) => {
                        set_pos(p, c, pos + len);
                        if let Some(d) = dst {
                            store(xr, p, *d, Term::small(cp as i64));
                        }
                    }
                    None => ip = ops.at(*fail as usize),
                }
            }
            Op::BsTestTail(fail, ctx, bits) => {
                let c = get!(*ctx);
                let (_, _, end, pos) = ctx_fields(p, c);
                if (end - pos) as u64 != *bits {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::BsTestUnit(fail, ctx, unit) => {
                let c = get!(*ctx);
                let (_, _, end, pos) = ctx_fields(p, c);
                if *unit != 0 && !(end - pos).is_multiple_of(*unit as usize) {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::BsMatchString(fail, ctx, nbits, off) => {
                let c = get!(*ctx);
                let (w, _, end, pos) = ctx_fields(p, c);
                let n = *nbits as usize;
                let ok = pos + n <= end && {
                    let view = p.heap.view(lits);
                    let data = view.buffer(w);
                    let strings = &code.modules[m as usize].strings;
                    let s = &strings[(*off as usize).min(strings.len())..];
                    s.len() * 8 >= n && {
                        let a = super::heap::BinSlice {
                            data,
                            bit_offset: pos,
                            bit_len: n,
                        };
                        let b = super::heap::BinSlice {
                            data: s,
                            bit_offset: 0,
                            bit_len: n,
                        };
                        (0..n).all(|i| a.bit(i) == b.bit(i))
                    }
                };
                if ok {
                    set_pos(p, c, pos + n);
                } else {
                    ip = ops.at(*fail as usize);
                }
            }
            Op::BsGetPosition(ctx, d) => {
                let c = get!(*ctx);
                let (_, _, _, pos) = ctx_fields(p, c);
                store(xr, p, *d, Term::small(pos as i64));
            }
            Op::BsSetPosition(ctx, posv) => {
                let c = get!(*ctx);
                let pv = get!(*posv);
                set_pos(p, c, pv.small_value() as usize);
            }
            Op::BsGetTail(ctx, d) => {
                let c = get!(*ctx);
                let (w, _, end, pos) = ctx_fields(p, c);
                let t = p.heap.bin_ref(w, pos, end - pos);
                store(xr, p, *d, t);
            }
            Op::BsContextToBinary(s) => {
                let c = get!(*s);
                if p.heap.view(lits).kind(c) == Some(Kind::MatchCtx) {
                    let (w, start, end, _) = ctx_fields(p, c);
                    let t = p.heap.bin_ref(w, start, end - start);
                    if let Src::X(i) = s {
                        xr[*i as usize] = t;
                    } else if let Src::Y(i) = s {
                        p.set_y(*i, t);
                    }
                }
            }
            Op::Send => {
                let args = [xr[0], xr[1]];
                match super::bifs::procs::send(&mut ctx!(), &args) {
                    Ok(msg) => xr[0] = msg,
                    Err(f) => fault!(
                        f,
                        Top::Bif {
                            bif: BifName::Export(
                                code.find_export(atom::ERLANG, atom::SEND, 2).unwrap_or(0)
                            ),
                            args: &args
                        }
                    ),
                }
            }
            Op::LoopRec(fail) => match p.mailbox.peek() {
                Some(msg) => xr[0] = msg,
                None => ip = ops.at(*fail as usize),
            },
            Op::LoopRecEnd(target) => {
                p.mailbox.advance();
                ip = ops.at(*target as usize);
            }
            Op::RemoveMessage => p.mailbox.remove_current(),
            Op::Timeout => p.mailbox.end_receive(),
            Op::Wait(target) => {
                // Resume at the loop_rec: it looks at the messages that arrived meanwhile.
                p.module = m;
                p.pc = *target;
                return Some(Outcome::Waiting);
            }
            Op::WaitTimeout(target, src) => {
                // The instruction runs again when the process wakes up (without a message):
                // a timeout in an X register stays live.
                *live = match *src {
                    Src::X(i) => i as usize + 1,
                    _ => 0,
                };
                let t = get!(*src);
                if p.mailbox.take_timeout() {
                    // The time is up: fall through to `timeout`.
                } else if t == atom::INFINITY {
                    p.module = m;
                    p.pc = *target;
                    return Some(Outcome::Waiting);
                } else {
                    let ms = match t.as_small() {
                        Some(n) if (0..=u32::MAX as i64).contains(&n) => n as u64,
                        _ => raise!(Class::Error, atom::TIMEOUT_VALUE),
                    };
                    if ms != 0 {
                        p.module = m;
                        p.pc = *target;
                        if !p.mailbox.arm_timer() {
                            return Some(Outcome::Waiting);
                        }
                        return Some(Outcome::WaitTimeout(ms));
                    }
                }
            }
            Op::BsInitWritable => {
                let hint = xr[0].as_small().unwrap_or(0).clamp(0, 1 << 20) as usize;
                xr[0] = p.heap.binary(Vec::with_capacity(hint));
            }
            Op::Nop => {}
            Op::Exit => {
                *live = 1;
                return Some(Outcome::Normal);
            }
            Op::CodeEnd => raise!(Class::Error, atom::UNDEF),
        }
    }
    *st = State {
        ip,
        m,
        ops,
        reds,
        hand_back: true,
    };
    None
}

/// How a process ends when its code or saved position cannot be run.
#[cold]
/// The float registers, made (zeroed) by the first float instruction after the process last
/// waited: most processes never use them, and a receive has none live.
#[inline]
fn fregs(p: &mut Process) -> &mut [f64] {
    if p.f.len() < F_REGS {
        p.f.resize(F_REGS, 0.0);
    }
    &mut p.f
}

fn bad_code() -> Outcome {
    Outcome::Crash {
        class: Class::Error,
        reason: atom::UNDEF,
        trace: Term::NIL,
    }
}

fn ctx_fields(p: &Process, c: Term) -> (u64, usize, usize, usize) {
    let o = c.offset();
    let w = &p.heap.words;
    (
        w[o + 1].0,
        w[o + 2].0 as usize,
        w[o + 3].0 as usize,
        w[o + 4].0 as usize,
    )
}

fn set_pos(p: &mut Process, c: Term, pos: usize) {
    let o = c.offset();
    p.heap.words[o + 4] = Term(pos as u64);
}

fn bs_get(
    p: &mut Process,
    lits: &Literals,
    c: Term,
    size: Term,
    unit: u32,
    flags: u32,
    what: BsGet,
) -> Option<Term> {
    let (w, _, end, pos) = ctx_fields(p, c);
    let n = if size == atom::ALL {
        let rest = end - pos;
        if unit > 1 && !rest.is_multiple_of(unit as usize) {
            return None;
        }
        rest
    } else {
        let s = size.as_small()?;
        if s < 0 {
            return None;
        }
        (s as usize).checked_mul(unit as usize)?
    };
    if pos + n > end {
        return None;
    }
    let t = match what {
        BsGet::Binary => p.heap.bin_ref(w, pos, n),
        BsGet::Integer => {
            if n <= 64 {
                let v = bits::read_int64(p.heap.view(lits).buffer(w), pos, n, flags);
                match i64::try_from(v) {
                    Ok(i) => p.heap.int(i),
                    Err(_) => p.heap.bigint(&BigInt::from(v)),
                }
            } else {
                let b: BigInt = {
                    let data = p.heap.view(lits).buffer(w);
                    bits::read_integer(data, pos, n, flags)
                };
                p.heap.bigint(&b)
            }
        }
        BsGet::Float => {
            let f = {
                let data = p.heap.view(lits).buffer(w);
                bits::read_float(data, pos, n, flags)?
            };
            p.heap.float(f)
        }
    };
    set_pos(p, c, pos + n);
    Some(t)
}

/// What is wrong with a segment, as erl's `cause` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BsProblem {
    /// The value has the wrong type (or is no code point, for `utf*`).
    Type,
    /// The size is no non-negative integer, or too large.
    Size,
    /// The binary is shorter than the size.
    Short,
    /// The binary's size is no multiple of the unit.
    Unit,
    /// A float segment's size is not 16, 32 or 64 bits.
    Invalid,
}

/// Why a binary construction failed: `system_limit` or else `badarg`, and the segment to
/// blame with what is wrong with it. Small, as the construction's hot path returns it;
/// [`bs_fault`] makes the exception and erl's cause from it.
#[derive(Clone, Copy, Debug)]
struct BsFail<'s> {
    /// `system_limit` rather than `badarg`.
    limit: bool,
    /// The segment at fault.
    blame: Option<(&'s Segment, BsProblem)>,
}

impl<'s> BsFail<'s> {
    /// A `system_limit`: the result would not fit in the node's memory.
    fn limit() -> BsFail<'s> {
        BsFail {
            limit: true,
            blame: None,
        }
    }

    /// A `badarg` blaming segment `s` for `problem`.
    fn badarg(s: &'s Segment, problem: BsProblem) -> BsFail<'s> {
        BsFail {
            limit: false,
            blame: Some((s, problem)),
        }
    }

    /// A `badarg` blaming no segment.
    fn plain() -> BsFail<'s> {
        BsFail {
            limit: false,
            blame: None,
        }
    }
}

/// The exception for `e`, and erl's `cause` for its frame's error_info: the segment's number,
/// type, problem and the value or size at fault (read again from the registers, which the
/// construction did not change).
#[cold]
#[inline(never)]
fn bs_fault(
    p: &Process,
    xr: &[Term; X_REGS],
    e: BsFail,
) -> (Fault, Option<(u32, &'static str, &'static str, Term)>) {
    let fault = if e.limit {
        Fault::error(atom::SYSTEM_LIMIT)
    } else {
        badarg()
    };
    let cause = e.blame.map(|(s, problem)| {
        let kind = match s.kind {
            SegKind::Integer => "integer",
            SegKind::Float => "float",
            SegKind::Utf8 => "utf8",
            SegKind::Utf16 => "utf16",
            SegKind::Utf32 => "utf32",
            SegKind::Binary | SegKind::String | SegKind::Append | SegKind::PrivateAppend => {
                "binary"
            }
        };
        let (name, value) = match problem {
            BsProblem::Type => ("type", s.src),
            BsProblem::Size => ("size", s.size),
            BsProblem::Short => ("short", s.src),
            BsProblem::Unit => ("unit", s.src),
            BsProblem::Invalid => ("invalid", s.size),
        };
        (s.pos, kind, name, fetch(xr, p, value))
    });
    (fault, cause)
}

/// The size in bits of segment `s` given `size` units: `badarg` unless a non-negative
/// integer, `system_limit` when that many bits cannot be addressed (a bignum size, or size
/// times unit overflowing); either blames the size.
#[inline(always)]
fn segment_bits<'s>(view: &View, s: &'s Segment, size: Term) -> Result<usize, BsFail<'s>> {
    match size.as_small() {
        Some(n) if n >= 0 => match (n as usize).checked_mul(s.unit as usize) {
            Some(bits) => Ok(bits),
            None => Err(bad_size(view, s, size)),
        },
        _ => Err(bad_size(view, s, size)),
    }
}

/// What [`segment_bits`] fails with for `size`.
#[cold]
#[inline(never)]
fn bad_size<'s>(view: &View, s: &'s Segment, size: Term) -> BsFail<'s> {
    // A non-negative small here overflowed when multiplied by the unit.
    let limit = size.as_small().is_some_and(|n| n >= 0)
        || view
            .big(size)
            .is_some_and(|b| b.sign() == num_bigint::Sign::Plus);
    BsFail {
        limit,
        blame: Some((s, BsProblem::Size)),
    }
}

#[inline(never)]
fn create_bin<'s>(
    p: &mut Process,
    xr: &[Term; X_REGS],
    lits: &Literals,
    strings: &[u8],
    segs: &'s [Segment],
    hint: SizeHint,
) -> Result<Term, BsFail<'s>> {
    // In-place append: the first segment names a binary that ends its buffer.
    let mut writer: Option<(BitWriter, usize, usize)> = None;
    let mut rest = segs;
    if let Some(first) = segs.first() {
        if matches!(first.kind, SegKind::Append | SegKind::PrivateAppend) {
            let b = fetch(xr, p, first.src);
            let view = p.heap.view(lits);
            let (w, off, len) = view
                .bin_ref(b)
                .ok_or(BsFail::badarg(first, BsProblem::Type))?;
            if first.unit > 1 && !len.is_multiple_of(first.unit as usize) {
                return Err(BsFail::badarg(first, BsProblem::Unit));
            }
            if bits::appendable(&view, w, off, len) {
                let i = (w >> 1) as usize;
                let more = size_hint(p, xr, lits, hint, &segs[1..]);
                let buf = alloc::sync::Arc::get_mut(&mut p.heap.bins[i])
                    .ok_or(BsFail::plain())?
                    .take_bytes();
                let mut wr = BitWriter::resume(buf, off + len);
                if construction_room(p, &mut wr, more).is_err() {
                    p.heap.put_bin_bytes(i, wr.buf);
                    return Err(BsFail::limit());
                }
                writer = Some((wr, i, off));
            } else {
                let s = super::heap::BinSlice {
                    data: view.buffer(w),
                    bit_offset: off,
                    bit_len: len,
                };
                // Room for this construction, and for appending as much again later.
                let now = s.bit_len / 8 + size_hint(p, xr, lits, hint, &segs[1..]);
                let room = now.max(s.bit_len / 8 * 2 + 64);
                let mut wr = BitWriter::with_room(if room < LARGE_OUTPUT { room } else { 0 });
                construction_room(p, &mut wr, room).map_err(|_| BsFail::limit())?;
                wr.slice(&s);
                writer = Some((wr, usize::MAX, 0));
            }
            rest = &segs[1..];
        }
    }
    let (mut wr, reuse, start) = match writer {
        Some(w) => w,
        None => {
            // One allocation of about the right size instead of growing from nothing.
            let bytes = size_hint(p, xr, lits, hint, rest);
            let mut wr = BitWriter::with_room(if bytes < LARGE_OUTPUT { bytes } else { 0 });
            construction_room(p, &mut wr, bytes).map_err(|_| BsFail::limit())?;
            (wr, usize::MAX, 0)
        }
    };
    let r = write_segments(p, xr, lits, strings, rest, &mut wr);
    if reuse != usize::MAX {
        // Put the buffer back even on failure so the source binary stays valid.
        let bits_now = wr.bits;
        p.heap.put_bin_bytes(reuse, wr.buf);
        r?;
        return Ok(p.heap.bin_ref((reuse as u64) << 1, start, bits_now - start));
    }
    r?;
    let bits_now = wr.bits;
    Ok(p.heap.binary_bits(wr.buf, bits_now))
}

/// The bytes a construction will probably take: `hint` for the segments whose size the load
/// knew (see [`Segment::load_time_bits`]), and the length of each binary in `segs`.
#[inline]
fn size_hint(
    p: &Process,
    xr: &[Term; X_REGS],
    lits: &Literals,
    hint: SizeHint,
    segs: &[Segment],
) -> usize {
    let mut bits = hint.fixed_bits;
    if hint.binaries {
        for s in segs {
            if matches!(
                s.kind,
                SegKind::Binary | SegKind::Append | SegKind::PrivateAppend
            ) {
                let v = fetch(xr, p, s.src);
                bits += p.heap.view(lits).bin_ref(v).map_or(0, |(_, _, len)| len);
            }
        }
    }
    bits.div_ceil(8)
}

/// Constructions whose output reaches this many bytes take their room from the node's memory
/// fallibly (see [`construction_room`]); smaller ones grow as any small buffer does.
const LARGE_OUTPUT: usize = 1 << 16;

/// Room in `wr` for `bytes` more bytes of a construction's output (its size hint: the
/// segments whose sizes the load knew and the binaries it copies), taken up front when the
/// result will be large, so that appending them never grows the buffer on its own: an
/// accumulator of tens of MB doubling by itself could ask for more than the node has, which
/// must be the process's `system_limit`, not the node's end.
fn construction_room(p: &Process, wr: &mut BitWriter, bytes: usize) -> Result<(), MemoryError> {
    let now = wr.buf.len().max(wr.bits.div_ceil(8));
    let want = now.saturating_add(bytes);
    if want < LARGE_OUTPUT || want <= wr.buf.capacity() {
        return Ok(());
    }
    // Grown as Vec grows (at least doubling), so that appends in a loop stay linear.
    let target = want.max(wr.buf.capacity().saturating_mul(2));
    let more = target - wr.buf.len();
    p.heap.reserve_output(&mut wr.buf, more)
}

/// Room in `wr` for an `n`-bit segment whose size the program chose (an integer segment
/// can ask for any size with a small value): more than the node's memory has left, or than
/// the allocator gives, fails with `system_limit` instead of taking the node down.
fn segment_room(p: &Process, wr: &mut BitWriter, n: usize) -> Result<(), Fault> {
    p.heap
        .reserve_output(&mut wr.buf, n.div_ceil(8))
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))
}

fn write_segments<'s>(
    p: &mut Process,
    xr: &[Term; X_REGS],
    lits: &Literals,
    strings: &[u8],
    segs: &'s [Segment],
    wr: &mut BitWriter,
) -> Result<(), BsFail<'s>> {
    for s in segs {
        let v = fetch(xr, p, s.src);
        let size = fetch(xr, p, s.size);
        let view = p.heap.view(lits);
        // As erl checks: the size first, then the value.
        match s.kind {
            SegKind::Integer => {
                let n = segment_bits(&view, s, size)?;
                if let Some(i) = v.as_small() {
                    if n <= 64 {
                        wr.int64(i as u64, n, s.flags);
                        continue;
                    }
                }
                let b = view
                    .int(v)
                    .ok_or(BsFail::badarg(s, BsProblem::Type))?
                    .to_big();
                segment_room(p, wr, n).map_err(|_| BsFail {
                    limit: true,
                    blame: Some((s, BsProblem::Size)),
                })?;
                wr.integer(&b, n, s.flags);
            }
            SegKind::Float => {
                let n = segment_bits(&view, s, size)?;
                if !matches!(n, 16 | 32 | 64) {
                    return Err(BsFail::badarg(s, BsProblem::Invalid));
                }
                let f = view
                    .number_f64(v)
                    .ok_or(BsFail::badarg(s, BsProblem::Type))?;
                wr.float(f, n, s.flags);
            }
            SegKind::Binary => {
                let n = if size == atom::ALL {
                    None
                } else {
                    Some(segment_bits(&view, s, size)?)
                };
                let b = view.binary(v).ok_or(BsFail::badarg(s, BsProblem::Type))?;
                match n {
                    None => {
                        if s.unit > 1 && !b.bit_len.is_multiple_of(s.unit as usize) {
                            return Err(BsFail::badarg(s, BsProblem::Unit));
                        }
                        wr.slice(&b);
                    }
                    Some(n) if n > b.bit_len => return Err(BsFail::badarg(s, BsProblem::Short)),
                    Some(n) => wr.slice(&super::heap::BinSlice {
                        data: b.data,
                        bit_offset: b.bit_offset,
                        bit_len: n,
                    }),
                }
            }
            SegKind::Utf8 | SegKind::Utf16 | SegKind::Utf32 => {
                let utf = match s.kind {
                    SegKind::Utf8 => Utf::U8,
                    SegKind::Utf16 => Utf::U16,
                    _ => Utf::U32,
                };
                let (bytes, n) = v
                    .as_small()
                    .and_then(|cp| bits::encode_utf(cp, utf, s.flags))
                    .ok_or(BsFail::badarg(s, BsProblem::Type))?;
                wr.bytes(&bytes[..n]);
            }
            SegKind::String => {
                let off = v.small_value() as usize;
                let n = size.small_value() as usize;
                let bytes = strings.get(off..off + n).ok_or(BsFail::plain())?;
                wr.bytes(bytes);
            }
            SegKind::Append | SegKind::PrivateAppend => {
                let b = view.binary(v).ok_or(BsFail::badarg(s, BsProblem::Type))?;
                wr.slice(&b);
            }
        }
    }
    Ok(())
}

/// The arity a fun term accepts.
fn fun_arity(code: &Code, v: &View, f: Term) -> Option<u32> {
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

enum FunEntry {
    /// Module, instruction, and the live registers at entry (arguments and free variables).
    Code(u32, u32, u32),
    Mfa(Term, Term),
    Load(Term),
}

enum FunError {
    BadFun,
    BadArity,
}

/// Resolves a fun call with `n` arguments in x0..; loads the environment after them.
fn fun_entry(
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

fn fun_error(p: &mut Process, e: FunError, f: Term, args: &[Term]) -> Term {
    match e {
        FunError::BadFun => p.heap.tuple(&[atom::BADFUN, f]),
        FunError::BadArity => {
            let l = p.heap.list(args);
            let inner = p.heap.tuple(&[f, l]);
            p.heap.tuple(&[atom::BADARITY, inner])
        }
    }
}

fn apply_target(code: &Code, md: Term, fun: Term, n: u32) -> Result<Resolved, Fault> {
    if !md.is_atom() || !fun.is_atom() {
        return Err(badarg());
    }
    Ok(resolve(code, md, fun, n))
}

#[cfg(test)]
mod tests {
    use super::{small_add_sub, small_add_word};
    use crate::vm::term::{Term, MAX_SMALL, MIN_SMALL};

    /// Word arithmetic on smalls agrees with arithmetic on their values, and gives up exactly
    /// when the result leaves the small range or an operand is no small.
    #[test]
    fn small_sums_on_words_match_values() {
        let vals = [
            0,
            1,
            -1,
            7,
            -8,
            MAX_SMALL,
            MAX_SMALL - 1,
            MIN_SMALL,
            MIN_SMALL + 1,
        ];
        for &a in &vals {
            for &b in &vals {
                for sub in [false, true] {
                    let r = if sub { a - b } else { a + b };
                    let want = Term::try_small(r);
                    let (x, y) = (Term::small(a), Term::small(b));
                    assert_eq!(small_add_sub(x, y, sub), want, "{a} {sub} {b}");
                    if !sub {
                        assert_eq!(small_add_word(x, b << 3), want, "{a} + {b}");
                    }
                }
            }
            assert_eq!(small_add_sub(Term::small(a), Term::NIL, false), None);
            assert_eq!(small_add_sub(Term::NIL, Term::small(a), true), None);
            assert_eq!(small_add_word(Term::NIL, a << 3), None);
        }
    }
}
