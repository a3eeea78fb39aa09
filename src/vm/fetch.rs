//! Instruction fetch without a bounds check: the one place in the runtime that uses `unsafe`.
//!
//! The interpreter fetches an instruction for every step, and a checked index costs a load,
//! a compare and a branch each time. The check is redundant because of how code is built:
//!
//! - Every module's code ends with [`Op::CodeEnd`], which never falls through (it raises).
//!   [`install`](super::translate::install) and [`Code::new`](super::code::Code::new), the
//!   only places that add modules, put it there, and [`Ops::of`] refuses code without it.
//! - Every branch target is a label the translator resolved to the index of an instruction
//!   it emitted, or to the index after the last one, which is now `CodeEnd`'s: so every
//!   target is below the length. Fused instructions skip only instructions that follow them.
//! - Falling through from any instruction other than the last reaches the next one.
//! - Return addresses and catch markers are made by the interpreter from such indices, and a
//!   module's code never changes once installed (a reload installs a new module index).
//! - The interpreter checks the saved position when a process resumes ([`Ops::get`]).
//!
//! Debug builds assert the bound on every fetch, so the conformance suite and the fuzzers
//! exercise the argument above.
#![allow(unsafe_code)]

use super::ops::Op;

/// A module's instructions, known to end with [`Op::CodeEnd`].
#[derive(Clone, Copy)]
pub struct Ops<'a> {
    ops: &'a [Op],
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

    /// The instruction at `pc`, a position reached by branching, falling through or
    /// returning within code built as the module documentation describes.
    #[inline(always)]
    pub fn at(&self, pc: usize) -> &'a Op {
        debug_assert!(
            pc < self.ops.len(),
            "instruction {pc} of {}",
            self.ops.len()
        );
        // SAFETY: `pc` is below the length: see the module documentation for why every
        // position the interpreter reaches this way is, and `of` for the final `CodeEnd`.
        unsafe { self.ops.get_unchecked(pc) }
    }
}
