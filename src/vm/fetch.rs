//! Instruction fetch without a bounds check: the one place in the runtime that uses `unsafe`.
//!
//! The interpreter fetches an instruction for every step. It keeps its position as a pointer
//! to the next instruction ([`Ip`]), so a step is one load of the instruction's tag and one
//! pointer increment, with no index to scale and no base to add; a checked index would cost a
//! load, a compare and a branch more. The check is redundant because of how code is built:
//!
//! - Every module's code ends with [`Op::CodeEnd`], which never falls through (it raises).
//!   [`install`](super::translate::install) and [`Code::new`](super::code::Code::new), the
//!   only places that add modules, put it there, and [`Ops::of`] refuses code without it.
//! - Every branch target is a label the translator resolved to the index of an instruction
//!   it emitted, or to the index after the last one, which is now `CodeEnd`'s: so every
//!   target is below the length. Fused instructions skip only instructions that follow them.
//! - Falling through from any instruction other than the last reaches the next one.
//! - Return addresses and catch markers are made by the interpreter from such indices, and a
//!   module's code never changes once installed (a reload installs a new module index),
//!   except that purged code is freed ([`Code::free`](super::code::Code::free)): emptied,
//!   between slices, so no [`Ops`] of it is held, and [`Ops::of`] refuses it thereafter.
//! - The interpreter checks the saved position when a process resumes ([`Ops::get`]).
//!
//! So every [`Ip`] is made by [`Ops::at`] from a position below the length (or by
//! [`Ops::at_offset`] from such a position times the instruction size), or by
//! [`Ip::skip`] from one that points at an instruction other than the last, by as many
//! instructions as follow it: it points into the code, which the `'a` borrow keeps alive and
//! unchanged. [`Ip::skip`] past the end (which the argument above rules out for positions
//! that are fetched) makes no reference and is harmless until fetched.
//!
//! Debug builds assert the bound on every fetch, so the conformance suite and the fuzzers
//! exercise the argument above.
#![allow(unsafe_code)]

use core::marker::PhantomData;

use super::ops::Op;

/// A module's instructions, known to end with [`Op::CodeEnd`].
#[derive(Clone, Copy)]
pub struct Ops<'a> {
    ops: &'a [Op],
}

/// A position in a module's instructions: a pointer to one of them (see the module
/// documentation for why it stays in bounds).
#[derive(Clone, Copy)]
pub struct Ip<'a> {
    at: *const Op,
    /// The code it points into, for the debug assertion on every fetch.
    #[cfg(debug_assertions)]
    ops: &'a [Op],
    _code: PhantomData<&'a [Op]>,
}

impl<'a> Ops<'a> {
    /// `code` if it ends with [`Op::CodeEnd`].
    #[inline]
    pub fn of(code: &'a [Op]) -> Option<Self> {
        match code.last() {
            Some(Op::CodeEnd) => Some(Ops { ops: code }),
            _ => None,
        }
    }

    /// The instruction at `pc`, checked: for positions that come from outside the running
    /// code (a process resuming).
    #[inline]
    pub fn get(&self, pc: usize) -> Option<&'a Op> {
        self.ops.get(pc)
    }

    /// The position of the instruction at `pc`, a position reached by branching, falling
    /// through or returning within code built as the module documentation describes.
    #[inline(always)]
    pub fn at(&self, pc: usize) -> Ip<'a> {
        debug_assert!(
            pc < self.ops.len(),
            "instruction {pc} of {}",
            self.ops.len()
        );
        Ip {
            at: self.ops.as_ptr().wrapping_add(pc),
            #[cfg(debug_assertions)]
            ops: self.ops,
            _code: PhantomData,
        }
    }

    /// The index of the instruction `ip` points at (for return addresses, stack traces and
    /// saved positions).
    #[inline(always)]
    pub fn index(&self, ip: Ip<'a>) -> usize {
        self.offset(ip) / core::mem::size_of::<Op>()
    }

    /// The byte offset of the instruction `ip` points at from the first one: its index times
    /// the size of an instruction (the fast loop's return addresses, without a division).
    #[inline(always)]
    pub fn offset(&self, ip: Ip<'a>) -> usize {
        ip.at as usize - self.ops.as_ptr() as usize
    }

    /// [`Ops::at`] of the instruction at byte offset `offset`, a multiple of the instruction
    /// size that [`Ops::offset`] gave (a return address made from it).
    #[inline(always)]
    pub fn at_offset(&self, offset: usize) -> Ip<'a> {
        debug_assert!(
            offset.is_multiple_of(core::mem::size_of::<Op>())
                && offset / core::mem::size_of::<Op>() < self.ops.len(),
            "offset {offset} of {}",
            self.ops.len()
        );
        Ip {
            at: self.ops.as_ptr().wrapping_byte_add(offset),
            #[cfg(debug_assertions)]
            ops: self.ops,
            _code: PhantomData,
        }
    }
}

impl<'a> Ip<'a> {
    /// The instruction it points at.
    #[inline(always)]
    pub fn op(self) -> &'a Op {
        #[cfg(debug_assertions)]
        debug_assert!(
            self.ops.as_ptr_range().contains(&self.at),
            "instruction {} of {}",
            (self.at as usize).wrapping_sub(self.ops.as_ptr() as usize)
                / core::mem::size_of::<Op>(),
            self.ops.len()
        );
        // SAFETY: `at` points at an instruction of the code borrowed for `'a`: see the module
        // documentation for why every position the interpreter fetches this way does.
        unsafe { &*self.at }
    }

    /// The position `n` instructions further on.
    #[inline(always)]
    pub fn skip(self, n: usize) -> Ip<'a> {
        Ip {
            at: self.at.wrapping_add(n),
            ..self
        }
    }
}
