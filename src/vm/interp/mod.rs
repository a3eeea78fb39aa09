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
//!
//! One dispatch `match` per loop lives here; what the instructions share out of line is in
//! files by family: `bs.rs` (bit syntax), `call.rs` (call targets, `undef`, BIF traps, funs,
//! `apply/2,3` called as a BIF), `guards.rs` (type tests, comparisons, size guards). A
//! process's messages and receive state are its [`Mailbox`](super::mailbox::Mailbox).

use alloc::string::String;
use alloc::vec::Vec;

use super::atom::{self, AtomTable};
use super::bif::{self, badarg, BifFn, Class, Ctx, Fault, Frame, Io};
use super::bits;
use super::code::{Code, Target};
use super::compare::{compare, exact_eq, Mode};
use super::exception::{self, BifName, Top};
use super::fetch::{Ip, Ops};
use super::literals::Literals;
use super::map;
use super::ops::*;
use super::process::{Process, F_REGS, SLICE_REDUCTIONS, X_REGS};
use super::services::{NoServices, Services};
use super::term::{Kind, Term};

mod bs;
mod call;
mod guards;
#[cfg(test)]
mod tests;

use bs::{bs_fault, bs_get, create_bin, ctx_fields, set_pos};
use call::{
    apply_bif, apply_target, fun_arity, fun_entry, fun_error, to_error_handler, trap, undef,
    Applied, FunEntry, Resolved,
};
use guards::{cmp_test, element_of, long_length, size_of, type_test, Length};

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

/// A comparison test: an exact (in)equality with an immediate on either side is decided on
/// the words, anything else by the general comparison.
#[inline(always)]
fn compare_test(
    v: &super::heap::View<'_>,
    atoms: &AtomTable,
    x: Term,
    y: Term,
    test: CmpTest,
) -> bool {
    match test {
        CmpTest::EqExact if x == y => true,
        CmpTest::EqExact if x.is_immediate() || y.is_immediate() => false,
        CmpTest::NeExact if x == y => false,
        CmpTest::NeExact if x.is_immediate() || y.is_immediate() => true,
        _ => cmp_test(v, atoms, x, y, test),
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

/// Whether `x` and `y` are both small integers: one test for the two (neither word has a
/// tag bit left once the small tag is taken off).
#[inline(always)]
fn both_small(x: Term, y: Term) -> bool {
    ((x.0 ^ super::term::TAG_SMALL) | (y.0 ^ super::term::TAG_SMALL)) & 7 == 0
}

/// `x + y` (`x - y` when `sub`) for small integers, when the result is a small integer
/// (computed on the words as [`small_add_word`]).
#[inline(always)]
fn small_add_sub(x: Term, y: Term, sub: bool) -> Option<Term> {
    if !both_small(x, y) {
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

/// Runs `p` from its saved position as the only process of its node.
pub fn run(vm: &mut Vm, io: &mut dyn Io, p: &mut Process) -> Outcome {
    run_with(vm, &mut NoServices(io), p)
}

/// Runs `p` from its saved position; BIFs reach other processes through `node`.
pub fn run_with(vm: &mut Vm, node: &mut dyn Services, p: &mut Process) -> Outcome {
    if super::trace::ENABLED && !p.trace_pending.is_empty() {
        let mut ctx = Ctx {
            p: &mut *p,
            atoms: &mut vm.atoms,
            lits: &vm.lits,
            code: &vm.code,
            next_ref: &mut vm.next_ref,
            persistent: &mut vm.persistent,
            ets: &mut vm.ets,
            zlib: &mut vm.zlib,
            node: &mut *node,
        };
        super::bifs::trace::pending_receives(&mut ctx);
    }
    vm.regs[..p.x.len()].copy_from_slice(&p.x);
    let mut live = 0;
    let outcome = exec(vm, node, p, &mut live);
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
                | Op::AddImmAllocCall(_)
                | Op::AddImmYCall(_)
                | Op::ConsAllocGetListCall { .. }
                | Op::AddImm { .. }
                | Op::AddImmY { .. }
                | Op::AddSubReturn { .. }
                | Op::AddReturnYX { .. }
                | Op::TestGetList(..)
                | Op::PutListReturn(..)
                | Op::PutListReturnYX(..)
                | Op::PutListReturnY0X(..)
                | Op::Allocate { .. }
                | Op::TestHeap { .. }
                | Op::Move2(..)
                | Op::PutList(..)
                | Op::GetHd(..)
                | Op::GetTl(..)
                | Op::AddSub { .. }
                | Op::GetTupleElement(..)
                | Op::GetTupleElement2(..)
                | Op::PutTuple2(..)
                | Op::IsTaggedTuple { .. }
                | Op::Test { .. }
                | Op::Order { .. }
                | Op::IntArith { .. }
                | Op::Element { .. }
                | Op::SizeOf { .. }
                | Op::Cmp { .. }
                | Op::SetTupleElement(..)
                | Op::LoopRec(_)
                | Op::RemoveMessage
                | Op::Wait(_)
                | Op::Send
                | Op::Move(..)
                | Op::Swap(..)
                | Op::InitY(_)
                | Op::Deallocate(_)
                | Op::Trim(_)
                | Op::Nop
                | Op::GetList(..)
                | Op::TestArity { .. }
                | Op::SelectTupleArity { .. }
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
fn exec(vm: &mut Vm, node: &mut dyn Services, p: &mut Process, live: &mut usize) -> Outcome {
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
                    // As in `general`: resume at the loop_rec, the slice's count left behind.
                    p.module = m;
                    p.pc = target;
                    p.reductions = reds;
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

// A code word shifted right past its tag and module is its instruction's byte offset.
const _: () = assert!(core::mem::size_of::<Op>() << 24 == 1 << super::term::CP_PC_SHIFT);

/// The byte offset in its module's code of the instruction return address `cp` points at.
#[inline(always)]
fn cp_offset(cp: Term) -> usize {
    (cp.0 >> 24) as usize
}

/// The return address to the instruction at byte offset `offset` (a multiple of the
/// instruction size) of the module of `cp0`, a `Term::cp_at(module, 0)`.
#[inline(always)]
fn cp_at_offset(cp0: Term, offset: usize) -> Term {
    Term(cp0.0 | (offset as u64) << 24)
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
    // `$o` words above the Y registers (a return address pushed with the frame).
    macro_rules! mv2 {
        ($m:expr, $o:expr) => {
            match $m {
                Mv2::XxXx(a, b, c, d) => {
                    x!(b) = x!(a);
                    x!(d) = x!(c);
                }
                Mv2::XxXy(a, b, c, d) => {
                    x!(b) = x!(a);
                    p.set_y(d + $o, x!(c));
                }
                Mv2::XxYx(a, b, c, d) => {
                    x!(b) = x!(a);
                    x!(d) = p.y(c + $o);
                }
                Mv2::XxCx(a, b, c, d) => {
                    x!(b) = x!(a);
                    x!(d) = c;
                }
                Mv2::XyXx(a, b, c, d) => {
                    p.set_y(b + $o, x!(a));
                    x!(d) = x!(c);
                }
                Mv2::XyXy(a, b, c, d) => {
                    p.set_y(b + $o, x!(a));
                    p.set_y(d + $o, x!(c));
                }
                Mv2::XyYx(a, b, c, d) => {
                    p.set_y(b + $o, x!(a));
                    x!(d) = p.y(c + $o);
                }
                Mv2::XyCx(a, b, c, d) => {
                    p.set_y(b + $o, x!(a));
                    x!(d) = c;
                }
                Mv2::YxXx(a, b, c, d) => {
                    x!(b) = p.y(a + $o);
                    x!(d) = x!(c);
                }
                Mv2::YxXy(a, b, c, d) => {
                    x!(b) = p.y(a + $o);
                    p.set_y(d + $o, x!(c));
                }
                Mv2::YxYx(a, b, c, d) => {
                    x!(b) = p.y(a + $o);
                    x!(d) = p.y(c + $o);
                }
                Mv2::YxCx(a, b, c, d) => {
                    x!(b) = p.y(a + $o);
                    x!(d) = c;
                }
                Mv2::CxXx(a, b, c, d) => {
                    x!(b) = a;
                    x!(d) = x!(c);
                }
                Mv2::CxXy(a, b, c, d) => {
                    x!(b) = a;
                    p.set_y(d + $o, x!(c));
                }
                Mv2::CxYx(a, b, c, d) => {
                    x!(b) = a;
                    x!(d) = p.y(c + $o);
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
            p.stack.push(ret!($next, $skip));
            jump_in!($target);
        }};
    }
    // The return address `$skip` instructions past `$next`.
    macro_rules! ret {
        ($next:expr, $skip:expr) => {
            cp_at_offset(cp0, ops.offset($next) + $skip * core::mem::size_of::<Op>())
        };
    }
    // Goes on at the local function at `$target` (its return address pushed).
    macro_rules! jump_in {
        ($target:expr) => {{
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
                    Some((i, cp_offset(cp)))
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
        match op {
            Op::MoveXX(a, b) => {
                x!(*b) = x!(*a);
                ip = ip.skip(1);
                continue;
            }
            Op::MoveXY(a, b) => {
                p.set_y(*b, x!(*a));
                ip = ip.skip(1);
                continue;
            }
            Op::MoveYX(a, b) => {
                x!(*b) = p.y(*a);
                ip = ip.skip(1);
                continue;
            }
            Op::MoveCX(t, b) => {
                x!(*b) = *t;
                ip = ip.skip(1);
                continue;
            }
            Op::TestCons(fail, src) => {
                ip = if get!(*src).is_cons() {
                    ip.skip(1)
                } else {
                    ops.at(*fail as usize)
                };
                continue;
            }
            Op::TestNil(fail, src) => {
                ip = if get!(*src).is_nil() {
                    ip.skip(1)
                } else {
                    ops.at(*fail as usize)
                };
                continue;
            }
            Op::EqImm(fail, a, t) => {
                ip = if get!(*a) == *t {
                    ip.skip(1)
                } else {
                    ops.at(*fail as usize)
                };
                continue;
            }
            Op::NeImm(fail, a, t) => {
                ip = if get!(*a) != *t {
                    ip.skip(1)
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
                    ip = ops.at_offset(to);
                    continue;
                }
            }
            Op::DeallocReturn(n) => {
                if let Some((len, to)) = return_to!(*n) {
                    p.stack.truncate(len);
                    ip = ops.at_offset(to);
                    continue;
                }
            }
            Op::Call { target, .. } => {
                if call_ok!(0) {
                    enter!(ip.skip(1), 0, *target);
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
            // The calls below push the frame and the return address first (one capacity
            // check for both where the frame has one slot), then make their moves: one copy
            // of the moves' dispatch, one word above the frame.
            Op::Move2Call { moves, target, .. } => {
                if call_ok!(0) {
                    p.stack.push(ret!(ip, 3));
                    mv2!(*moves, 1);
                    jump_in!(*target);
                }
            }
            Op::AllocMove2Call {
                slots,
                moves,
                target,
                ..
            } => {
                if call_ok!(*slots) {
                    let cp = ret!(ip, 4);
                    if *slots == 1 {
                        p.stack.extend_from_slice(&[Term::NIL, cp]);
                    } else {
                        push_slots!(*slots);
                        p.stack.push(cp);
                    }
                    mv2!(*moves, 1);
                    jump_in!(*target);
                }
            }
            // The call returns past the fused instructions after these.
            Op::AddImmAllocCall(c) => {
                if let Some(t) = small_add_word(x!(c.a), i64::from(c.delta)) {
                    if call_ok!(1) {
                        x!(c.dst) = t;
                        p.stack.extend_from_slice(&[Term::NIL, ret!(ip, 5)]);
                        p.set_y(c.save.1, x!(c.save.0));
                        x!(c.arg.1) = x!(c.arg.0);
                        jump_in!(c.target);
                    }
                }
            }
            Op::AddImmYCall(c) => {
                if let Some(t) = small_add_word(p.y(c.a), i64::from(c.delta)) {
                    if call_ok!(0) {
                        x!(c.dst) = t;
                        p.stack.push(ret!(ip, 4));
                        p.set_y(c.save.1, x!(c.save.0));
                        x!(c.arg.1) = x!(c.arg.0);
                        jump_in!(c.target);
                    }
                }
            }
            Op::ConsAllocGetListCall {
                fail,
                src,
                slots,
                h,
                t,
                target,
                one,
                ..
            } => {
                let l = x!(*src);
                if !l.is_cons() {
                    ip = ops.at(*fail as usize);
                    continue;
                }
                if *one {
                    if call_ok!(1) {
                        // The frame, its one value and the return address with one
                        // capacity check.
                        let (hd, tl) = p.heap.head_tail(lits, l);
                        p.stack.extend_from_slice(&[hd, ret!(ip, 4)]);
                        x!(*t) = tl;
                        jump_in!(*target);
                    }
                } else if call_ok!(*slots) {
                    let (hd, tl) = p.heap.head_tail(lits, l);
                    push_slots!(*slots);
                    p.set_y(*h, hd);
                    x!(*t) = tl;
                    enter!(ip.skip(1), 3, *target);
                }
            }
            Op::AddImm { a, delta, dst, .. } => {
                if let Some(t) = small_add_word(x!(*a), *delta) {
                    x!(*dst) = t;
                    ip = ip.skip(1);
                    continue;
                }
            }
            Op::AddImmY { a, delta, dst, .. } => {
                if let Some(t) = small_add_word(p.y(*a), *delta) {
                    x!(*dst) = t;
                    ip = ip.skip(1);
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
                        ip = ops.at_offset(to);
                        continue;
                    }
                }
            }
            Op::AddReturnYX { a, b, dealloc, .. } => {
                if let Some(t) = small_add_sub(p.y(*a), x!(*b), false) {
                    if let Some((len, to)) = return_to!(*dealloc, true) {
                        xr[0] = t;
                        p.stack.truncate(len);
                        ip = ops.at_offset(to);
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
                    ip = ops.at_offset(to);
                    continue;
                }
            }
            Op::PutListReturnY0X(t) => {
                let len = p.stack.len();
                if let Some(&[cp, hv]) = p.stack.last_chunk::<2>() {
                    if cp.is_cp_into(cp0) && !p.heap.over_limit() {
                        let tv = x!(*t);
                        p.stack.truncate(len - 2);
                        xr[0] = cons!(hv, tv);
                        ip = ops.at_offset(cp_offset(cp));
                        continue;
                    }
                }
            }
            Op::PutListReturnYX(h, t, n) => {
                if let Some((len, to)) = return_to!(*n) {
                    // The frame goes before the cell is made: the stack's length is then
                    // still the one the return address was found with.
                    let (hv, tv) = (p.y(*h), x!(*t));
                    p.stack.truncate(len);
                    xr[0] = cons!(hv, tv);
                    ip = ops.at_offset(to);
                    continue;
                }
            }
            Op::Allocate { slots, .. } if p.stack.len() + *slots as usize <= p.max_stack => {
                for _ in 0..*slots {
                    p.stack.push(Term::NIL);
                }
                ip = ip.skip(1);
                continue;
            }
            Op::TestHeap { heap, .. } if !p.heap.wants_gc(*heap as usize) => {
                ip = ip.skip(1);
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
            Op::GetHd(s, d) => {
                let l = get!(*s);
                if l.is_cons() {
                    let hd = p.heap.head_tail(lits, l).0;
                    store(xr, p, *d, hd);
                    ip = ip.skip(1);
                    continue;
                }
            }
            Op::GetTl(s, d) => {
                let l = get!(*s);
                if l.is_cons() {
                    let tl = p.heap.head_tail(lits, l).1;
                    store(xr, p, *d, tl);
                    ip = ip.skip(1);
                    continue;
                }
            }
            Op::AddSub { sub, a, b, dst, .. } => {
                if let Some(t) = small_add_sub(get!(*a), get!(*b), *sub) {
                    store(xr, p, *dst, t);
                    ip = ip.skip(1);
                    continue;
                }
            }
            Op::PutList(h, t, d) => {
                let (hv, tv) = (get!(*h), get!(*t));
                let c = cons!(hv, tv);
                store(xr, p, *d, c);
                ip = ip.skip(1);
                continue;
            }
            Op::GetTupleElement(s, i, d) => {
                let t = get!(*s);
                let e = p.heap.view(lits).payload(t)[*i as usize];
                store(xr, p, *d, e);
                ip = ip.skip(1);
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
                ip = ip.skip(1);
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
                ip = if ok {
                    ip.skip(1)
                } else {
                    ops.at(*fail as usize)
                };
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
                ip = if ok {
                    ip.skip(1)
                } else {
                    ops.at(*fail as usize)
                };
                continue;
            }
            Op::Order { ge, fail, a, b } => {
                let (x, y) = (get!(*a), get!(*b));
                if both_small(x, y) {
                    ip = if (x.small_value() < y.small_value()) == *ge {
                        ops.at(*fail as usize)
                    } else {
                        ip.skip(1)
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
                    ip = ip.skip(1);
                    continue;
                }
            }
            Op::Element { idx, tup, dst, .. } => {
                if let Some(e) = element_of(&p.heap.view(lits), get!(*idx), get!(*tup)) {
                    store(xr, p, *dst, e);
                    ip = ip.skip(1);
                    continue;
                }
            }
            // Guards on sizes and exact comparisons, and the in-place updates that follow a
            // record's copy: common in library and driver code, each a visit to `general`
            // otherwise.
            Op::SizeOf { what, src, dst, .. } => {
                if let Some(n) = size_of(&p.heap.view(lits), *what, get!(*src)) {
                    store(xr, p, *dst, n);
                    ip = ip.skip(1);
                    continue;
                }
            }
            Op::Cmp { test, fail, a, b } => {
                let ok = compare_test(&p.heap.view(lits), env.atoms, get!(*a), get!(*b), *test);
                ip = if ok {
                    ip.skip(1)
                } else {
                    ops.at(*fail as usize)
                };
                continue;
            }
            Op::SetTupleElement(val, tup, i) => {
                let (v, t) = (get!(*val), get!(*tup));
                p.heap.set_tuple_element(t, *i as usize, v);
                ip = ip.skip(1);
                continue;
            }
            Op::LoopRec(fail) => {
                match p.mailbox.peek() {
                    Some(msg) => {
                        xr[0] = msg;
                        ip = ip.skip(1);
                    }
                    None => ip = ops.at(*fail as usize),
                }
                continue;
            }
            Op::RemoveMessage => {
                p.mailbox.remove_current();
                ip = ip.skip(1);
                continue;
            }
            Op::Wait(target) => stop!(Stop::Wait(*target)),
            Op::Send => {
                // A failed send has sent nothing: `general` runs it again and raises.
                if let Some(msg) = try_send(env, xr, p, lits) {
                    xr[0] = msg;
                    ip = ip.skip(1);
                    continue;
                }
            }
            // The plainer instructions of library code (records, receive loops, frames).
            Op::Move(s, d) => {
                let v = get!(*s);
                store(xr, p, *d, v);
                ip = ip.skip(1);
                continue;
            }
            Op::Swap(a, b) => {
                let read = |d: Dst, p: &Process| match d {
                    Dst::X(i) => xr[i as usize & (X_REGS - 1)],
                    Dst::Y(i) => p.y(i),
                };
                let (va, vb) = (read(*a, p), read(*b, p));
                store(xr, p, *a, vb);
                store(xr, p, *b, va);
                ip = ip.skip(1);
                continue;
            }
            Op::InitY(ys) => {
                for y in ys.iter() {
                    p.set_y(*y, Term::NIL);
                }
                ip = ip.skip(1);
                continue;
            }
            Op::Deallocate(n) | Op::Trim(n) if p.stack.len() >= *n as usize => {
                let len = p.stack.len();
                p.stack.truncate(len - *n as usize);
                ip = ip.skip(1);
                continue;
            }
            Op::Nop => {
                ip = ip.skip(1);
                continue;
            }
            Op::GetList(s, h, t) => {
                let l = get!(*s);
                if l.is_cons() {
                    let (hd, tl) = p.heap.head_tail(lits, l);
                    store(xr, p, *h, hd);
                    store(xr, p, *t, tl);
                    ip = ip.skip(1);
                    continue;
                }
            }
            Op::TestArity { fail, src, arity } => {
                let v = get!(*src);
                ip = if p.heap.view(lits).payload(v).len() == *arity as usize {
                    ip.skip(1)
                } else {
                    ops.at(*fail as usize)
                };
                continue;
            }
            Op::SelectTupleArity { src, fail, table } => {
                let v = get!(*src);
                ip = ops
                    .at(guards::tuple_arity_target(&p.heap.view(lits), v, *fail, table) as usize);
                continue;
            }
            // Every other instruction, named rather than matched by `_`: with no default
            // case the dispatch is one indexed jump over every tag, without a range check.
            Op::FuncInfo { .. }
            | Op::CallExt { .. }
            | Op::CallBif { .. }
            | Op::Bif { .. }
            | Op::IsFunction2 { .. }
            | Op::SelectVal { .. }
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
            | Op::Exit
            | Op::TraceLocal(_)
            | Op::CountCall(_)
            | Op::TraceGlobal(_)
            | Op::ReturnTrace
            | Op::CodeEnd
            | Op::Allocate { .. }
            | Op::Deallocate(_)
            | Op::Trim(_)
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
                    if p.trace.is_some() || (crate::vm::trace::ENABLED && !code.metas.is_empty()) {
                        super::bifs::trace::unwinding(&mut ctx!(), class.atom(), reason);
                    }
                    match exception::unwind(p, xr, class, reason, trace) {
                        Some((nm, npc)) => {
                            m = nm;
                            ops = match Ops::of(&code.modules[m as usize].code) {
                                Some(ops) => ops,
                                None => return Some(bad_code()),
                            };
                            ip = ops.at(npc as usize);
                            next_op!();
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
    // A guard BIF called from `general` (after an instruction's own quick answer, if any,
    // did not apply): its value goes to `$dst`; its failure jumps to `$fail` when there is
    // one, else raises with the BIF's frame. A BIF that charges for long work (length/1)
    // lowers `p.reductions`, and the slice follows it when it falls below what is left.
    // Unlike `call_bif!`, `p.reductions` is not brought up to date before the call (it is
    // the count at the slice's start or at its last BIF call, never less than what is
    // left), so such a charge counts from there: the store cost 1% of the binary
    // workload's instructions.
    macro_rules! guard_bif {
        ($bif:expr, $args:expr, $export:expr, $fail:expr, $dst:expr) => {{
            let a: &[Term] = $args;
            match $bif(&mut ctx!(), a) {
                Ok(v) => {
                    reds = reds.min(p.reductions);
                    store(xr, p, $dst, v)
                }
                Err(_) if $fail != 0 => ip = ops.at($fail as usize),
                Err(f) => fault!(
                    f,
                    Top::Bif {
                        bif: BifName::Export($export),
                        args: a
                    }
                ),
            }
        }};
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
                && p.room_or_collect(&mut xr[..($live as usize).min(X_REGS)], $need as usize)
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
                leave_ops!();
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
            // Where the caller is, for process_info's current_function and stack trace, and
            // what is left of its slice (for its reductions, and for the BIF to charge).
            (p.module, p.pc) = (m, pc!() as u32);
            p.reductions = reds;
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
    'ops: loop {
        // The next instruction, and the way out of the loop, for the macros above (a label
        // is seen only by macros defined where it is).
        macro_rules! next_op {
            () => {
                continue 'ops
            };
        }
        macro_rules! leave_ops {
            () => {
                break 'ops
            };
        }
        let mut op = ip.op();
        #[cfg(feature = "op-profile")]
        profile.record_at(op, m, pc!());
        ip = ip.skip(1);
        // Runs `op`; again only when it was a count or trace point, with the instruction it
        // replaced (so no instruction pays for the points: the dispatch finds them).
        'dispatch: loop {
            // Hands a call of the undefined `$md:$fun` with `$n` arguments to the process's
            // own error handler, if it has one that takes it ([`call::to_error_handler`]),
            // entered as the call would be (`$tail`: dropping that many slots); else the
            // `undef` error follows.
            macro_rules! to_error_handler {
                ($md:expr, $fun:expr, $n:expr, $tail:expr) => {
                    if let Some(h) = node.error_handler(p.pid.pid_number()) {
                        let at = (m, pc!() as u32);
                        let (md, n) = (($md, $fun), $n as u32);
                        if let Some(o) = to_error_handler(p, xr, live, code, at, h, md, n, $tail) {
                            return Some(o);
                        }
                    }
                };
            }
            // Under OTP's boot, a call of `$md:$fun` with `$n` arguments whose module is not
            // loaded goes to the process's own error handler, else to OTP's `error_handler`
            // once that is loaded, so OTP's code server loads the module, as in erl; else the
            // node loads it.
            macro_rules! not_loaded {
                ($md:expr, $fun:expr, $n:expr, $tail:expr) => {
                    if let Some(i) = code.error_handler {
                        to_error_handler!($md, $fun, $n, $tail);
                        let h = &code.exports[i as usize];
                        if matches!(h.target, Target::Code { .. }) {
                            let at = (m, pc!() as u32);
                            let (md, n) = (($md, $fun), $n as u32);
                            if let Some(o) =
                                to_error_handler(p, xr, live, code, at, h.module, md, n, $tail)
                            {
                                return Some(o);
                            }
                        }
                    }
                };
            }
            match op {
                Op::CountCall(_) | Op::TraceLocal(_) => {
                    // A function whose calls are counted or traced: counted and traced, then
                    // the instruction the counting or the pattern replaced runs.
                    match call::breakpoint(code, &mut ctx!(), xr, op) {
                        Some(original) => {
                            op = original;
                            continue 'dispatch;
                        }
                        None => raise!(Class::Error, atom::UNDEF),
                    }
                }
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
                    let ok = compare_test(&p.heap.view(lits), atoms, get!(*a), get!(*b), *test);
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
                    ..
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
                Op::PutListReturnY0X(t) => {
                    let (hv, tv) = (p.y(0), xr[*t as usize & (X_REGS - 1)]);
                    xr[0] = p.heap.cons(hv, tv);
                    let len = p.stack.len();
                    p.stack.truncate(len - 1);
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
                Op::AddReturnYX {
                    export,
                    fail,
                    a,
                    b,
                    dealloc,
                    bif,
                } => {
                    let (x, y) = (p.y(*a), xr[*b as usize & (X_REGS - 1)]);
                    match small_add_sub(x, y, false) {
                        Some(t) => {
                            xr[0] = t;
                            let len = p.stack.len();
                            p.stack.truncate(len - *dealloc as usize);
                            do_return!();
                        }
                        // The `AddSub` alone; the `deallocate; return` after it follow.
                        _ => add_sub!(false, *export, *fail, x, y, Src::X(*b), Dst::X(0), *bif),
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
                // The `AddImm` alone; the call after it runs as itself.
                Op::AddImmAllocCall(c) | Op::AddImmYCall(c) => {
                    let x = if matches!(op, Op::AddImmYCall(_)) {
                        p.y(c.a)
                    } else {
                        xr[c.a as usize & (X_REGS - 1)]
                    };
                    let n = i64::from(c.delta) >> 3;
                    // erlang:'-'/2 or '+'/2, as the loader found them for the `AddImm`.
                    let (bif, b): (BifFn, Term) = if c.sub {
                        (super::bifs::arith::sub, Term::small(-n))
                    } else {
                        (super::bifs::arith::add, Term::small(n))
                    };
                    add_imm!(x, i64::from(c.delta), c.dst, 0u32, bif, b);
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
                            guard_bif!(bif, &[t], *export, *fail, *dst)
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
                            guard_bif!(bif, &[i, t], *export, *fail, *dst)
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
                            guard_bif!(bif, &[x, y], *export, *fail, *dst)
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
                    guard_bif!(bif, &buf[..args.len()], *export, *fail, *dst)
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
                    let target = guards::tuple_arity_target(&p.heap.view(lits), v, *fail, table);
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
                Op::TraceGlobal(n) => match code.trace.get(*n as usize).and_then(Option::as_ref) {
                    // Where a traced function's export entry leads: the call is traced, then
                    // goes to the function.
                    Some(t) => {
                        if p.trace.is_some() {
                            call::traced_call(&mut ctx!(), xr, t, false);
                        }
                        jump_module!(t.module, t.entry);
                    }
                    None => raise!(Class::Error, atom::UNDEF),
                },
                Op::ReturnTrace
                    if m == 0 && pc!() == crate::vm::code::RETURN_TIME_PC as usize + 1 =>
                {
                    // A timed function returned here: its caller's timed function is under
                    // the return address it took.
                    let point = p.stack.pop().unwrap_or(Term::NIL);
                    let key = p.stack.pop().unwrap_or(Term::NIL);
                    call::returned_timed(code, &mut ctx!(), key, point);
                    do_return!();
                }
                Op::ReturnTrace => {
                    // A function traced with return_trace returned here: its module index and
                    // entry are under the return address it took.
                    let entry = p.stack.pop().and_then(|t| t.as_small()).unwrap_or(-1);
                    let module = p.stack.pop().and_then(|t| t.as_small()).unwrap_or(-1);
                    if module >= 0 && entry >= 0 {
                        let value = xr[0];
                        super::bifs::trace::returned(&mut ctx!(), module, entry as u32, value);
                    }
                    do_return!();
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
                                let tail = (!*push).then_some(*dealloc as usize);
                                not_loaded!(e.module, e.function, e.arity, tail);
                                need_module!(e.module);
                            }
                            let tail = (!*push).then_some(*dealloc as usize);
                            to_error_handler!(e.module, e.function, e.arity, tail);
                            let args: Vec<Term> = xr[..e.arity as usize].to_vec();
                            let f = undef(
                                p,
                                atoms,
                                code,
                                (m, pc!()),
                                (e.module, e.function, &args),
                                !*push,
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
                            if *tail {
                                // As erl's apply_last: the frame goes, then the BIF is
                                // applied (a failure shows no frame of the caller).
                                let len = p.stack.len();
                                p.stack.truncate(len - *dealloc as usize);
                                call_bif!(b, n, export, true, 0, false, true)
                            } else {
                                call_bif!(b, n, export, false, 0)
                            }
                        }
                        Ok(Resolved::Load(name)) => {
                            not_loaded!(md, fun, n, tail.then_some(*dealloc as usize));
                            need_module!(name)
                        }
                        Ok(Resolved::Apply) | Ok(Resolved::Undef) => {
                            let last = tail.then_some(*dealloc as usize);
                            to_error_handler!(md, fun, n, last);
                            let args: Vec<Term> = xr[..n as usize].to_vec();
                            let f = undef(
                                p,
                                atoms,
                                code,
                                (m, pc!()),
                                (md, fun, &args),
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
                        // A module or function that is no atom: `badarg` from apply/3, as erl
                        // reports it.
                        Err(f) => {
                            let list = p.heap.list(&xr[..n as usize]);
                            let args = [md, fun, list];
                            fault!(
                                f,
                                Top::Bif {
                                    bif: BifName::Named(atom::ERLANG, atom::APPLY),
                                    args: &args
                                }
                            )
                        }
                    }
                }
                Op::ApplyBif {
                    arity,
                    export,
                    tail,
                    dealloc,
                } => match apply_bif(
                    p,
                    xr,
                    atoms,
                    lits,
                    code,
                    *arity,
                    (m, pc!()),
                    *tail,
                    *dealloc,
                ) {
                    Applied::Code(nm, npc, live_at_entry) => {
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
                    Applied::Bif(b, n, export) => call_bif!(b, n, export, *tail, *dealloc),
                    Applied::Load(name) => need_module!(name),
                    Applied::Fault(f) => fault!(
                        f,
                        Top::Function {
                            args: None,
                            info: None,
                        }
                    ),
                    Applied::Refused => {
                        let args: Vec<Term> = xr[..*arity as usize].to_vec();
                        fault!(
                            badarg(),
                            Top::Bif {
                                bif: BifName::Export(*export),
                                args: &args
                            }
                        )
                    }
                },
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
                                to_error_handler!(md, fun, n, last);
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
                            next_op!();
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
                                next_op!();
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
                } => {
                    match create_bin(p, xr, lits, &code.modules[m as usize].strings, segs, *hint) {
                        Ok(t) => store(xr, p, *dst, t),
                        Err(e) => {
                            if *fail != 0 {
                                ip = ops.at(*fail as usize);
                                next_op!();
                            }
                            let (f, cause) = bs_fault(p, xr, e);
                            fault!(
                                f,
                                Top::Construct {
                                    cause: cause.as_ref()
                                }
                            );
                        }
                    }
                }
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
                    // What is left of the slice tells the node how much of it was used.
                    p.module = m;
                    p.pc = *target;
                    p.reductions = reds;
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
                        p.reductions = reds;
                        return Some(Outcome::Waiting);
                    } else {
                        let ms = match t.as_small() {
                            Some(n) if (0..=u32::MAX as i64).contains(&n) => n as u64,
                            _ => raise!(Class::Error, atom::TIMEOUT_VALUE),
                        };
                        if ms != 0 {
                            p.module = m;
                            p.pc = *target;
                            p.reductions = reds;
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
            break 'dispatch;
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

/// The float registers, made (zeroed) by the first float instruction after the process last
/// waited: most processes never use them, and a receive has none live.
#[inline]
fn fregs(p: &mut Process) -> &mut [f64] {
    if p.f.len() < F_REGS {
        p.f.resize(F_REGS, 0.0);
    }
    &mut p.f
}

/// How a process ends when its code or saved position cannot be run.
#[cold]
fn bad_code() -> Outcome {
    Outcome::Crash {
        class: Class::Error,
        reason: atom::UNDEF,
        trace: Term::NIL,
    }
}
