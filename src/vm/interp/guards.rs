//! Guard tests and size BIFs the dispatch loop evaluates inline: type tests, term
//! comparisons, `element/2`, `tuple_size/1` and friends, and `length/1`, which yields on a
//! long list and resumes where it stopped.

#![forbid(unsafe_code)]

use crate::vm::atom::{self, AtomTable};
use crate::vm::compare::{compare, eq, exact_eq, Mode};
use crate::vm::heap::View;
use crate::vm::literals::Literals;
use crate::vm::ops::*;
use crate::vm::process::Process;
use crate::vm::term::{Kind, Term};

/// `select_tuple_arity`'s target for `t`: the label its arity is paired with in `table`, or
/// `fail` (also for a term that is no tuple).
#[inline(always)]
pub(super) fn tuple_arity_target(v: &View, t: Term, fail: u32, table: &[(u32, u32)]) -> u32 {
    v.tuple(t)
        .and_then(|el| table.iter().find(|(a, _)| *a as usize == el.len()))
        .map_or(fail, |&(_, l)| l)
}

/// `tuple_size/1`, `byte_size/1`, `map_size/1` or `length/1` of `t` as the BIF computes it,
/// when `t` has the type it takes; for `length/1`, only when the list is shorter than 64
/// cells, for which the BIF charges no reductions (longer ones go to the BIF, which does).
#[inline(never)]
pub(super) fn size_of(v: &View, what: SizeOf, t: Term) -> Option<Term> {
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
pub(super) enum Length {
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
pub(super) fn long_length(
    p: &mut Process,
    lits: &Literals,
    t: Term,
    at: (u32, u32),
    reds: i32,
) -> Length {
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
pub(super) fn element_of(v: &View, i: Term, t: Term) -> Option<Term> {
    let el = v.tuple(t)?;
    let i = usize::try_from(i.as_small()?).ok()?.checked_sub(1)?;
    el.get(i).copied()
}

/// A type-test guard (`is_integer/1`, `is_list/1`, ...).
pub(super) fn type_test(v: &View, t: Term, test: TypeTest) -> bool {
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

/// A comparison guard, with small integers compared on their words.
pub(super) fn cmp_test(v: &View, atoms: &AtomTable, a: Term, b: Term, test: CmpTest) -> bool {
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
