//! Op profile: how often each kind of instruction ran, and each pair of kinds in a row.
//!
//! The counts are the measured basis for choosing superinstructions: a pair that runs often
//! is a candidate for fusing. The interpreter feeds an [`OpProfile`] only when the crate is
//! built with the `op-profile` feature (it is then a field of [`super::interp::Vm`]); without
//! the feature nothing here is called and the dispatch loop is unchanged.
//!
//! A pair is two instructions executed one after the other by the same process within one
//! run of [`super::interp::run_with`]: [`OpProfile::resume`] forgets the previous instruction
//! whenever the interpreter is entered, so a switch between processes never makes a pair.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write;

use super::atom::AtomTable;
use super::code::Code;
use super::ops::Op;
use alloc::format;

/// Execution counts per instruction kind and per adjacent pair of kinds.
#[derive(Clone, Debug)]
pub struct OpProfile {
    /// Executions per kind, indexed by [`Op::index`].
    ops: Vec<u64>,
    /// Executions per pair, indexed by `first * Op::KINDS + second`.
    pairs: Vec<u64>,
    /// Generic BEAM instructions executed (fused instructions count as several).
    generic: u64,
    /// The kind executed last, or `Op::KINDS` when there is none to pair with.
    prev: usize,
    /// Executions per instruction position: `at[module][pc]` (grown as positions run).
    at: Vec<Vec<u64>>,
}

impl Default for OpProfile {
    fn default() -> Self {
        Self::new()
    }
}

impl OpProfile {
    /// An empty profile.
    pub fn new() -> Self {
        OpProfile {
            ops: vec![0; Op::KINDS],
            pairs: vec![0; Op::KINDS * Op::KINDS],
            generic: 0,
            prev: Op::KINDS,
            at: Vec::new(),
        }
    }

    /// [`OpProfile::record`], and counts the execution at position `pc` of module `module`
    /// (indices of [`Code::modules`] and of its instructions), for [`OpProfile::functions`].
    pub fn record_at(&mut self, op: &Op, module: u32, pc: usize) {
        self.record(op);
        let (m, pc) = (module as usize, pc);
        if self.at.len() <= m {
            self.at.resize_with(m + 1, Vec::new);
        }
        let counts = &mut self.at[m];
        if counts.len() <= pc {
            counts.resize(pc + 1, 0);
        }
        counts[pc] += 1;
    }

    /// Instructions executed per function, most first (ties by name): `Module:Function/Arity`
    /// with its count, from the positions [`OpProfile::record_at`] counted.
    pub fn functions(&self, code: &Code, atoms: &AtomTable) -> Vec<(String, u64)> {
        let mut v = Vec::new();
        for (m, counts) in self.at.iter().enumerate() {
            let Some(module) = code.modules.get(m) else {
                continue;
            };
            let mut per: Vec<u64> = vec![0; module.functions.len()];
            let mut outside = 0;
            for (pc, &n) in counts.iter().enumerate().filter(|(_, &n)| n > 0) {
                // The function whose code starts last at or before pc.
                match module.functions.partition_point(|f| f.start as usize <= pc) {
                    0 => outside += n,
                    i => per[i - 1] += n,
                }
            }
            let mname = atoms.name(module.name);
            for (f, n) in module.functions.iter().zip(per).filter(|(_, n)| *n > 0) {
                v.push((format!("{mname}:{}/{}", atoms.name(f.name), f.arity), n));
            }
            if outside > 0 {
                v.push((format!("{mname}:(no function)"), outside));
            }
        }
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// Counts one executed instruction, and the pair it makes with the one before.
    #[inline]
    pub fn record(&mut self, op: &Op) {
        let kind = op.index();
        self.ops[kind] += 1;
        self.generic += u64::from(op.generic_len());
        if self.prev < Op::KINDS {
            self.pairs[self.prev * Op::KINDS + kind] += 1;
        }
        self.prev = kind;
    }

    /// Forgets the previous instruction: the next one starts no pair.
    pub fn resume(&mut self) {
        self.prev = Op::KINDS;
    }

    /// Instructions executed.
    pub fn total_ops(&self) -> u64 {
        self.ops.iter().sum()
    }

    /// Generic BEAM instructions executed: [`Op::generic_len`] summed over every execution.
    pub fn generic(&self) -> u64 {
        self.generic
    }

    /// Executions of the kind named `name` (0 for an unknown name).
    pub fn count(&self, name: &str) -> u64 {
        Op::NAMES
            .iter()
            .position(|n| *n == name)
            .map_or(0, |i| self.ops[i])
    }

    /// Executions of `first` immediately followed by `second`.
    pub fn pair_count(&self, first: &str, second: &str) -> u64 {
        let index = |name: &str| Op::NAMES.iter().position(|n| *n == name);
        match (index(first), index(second)) {
            (Some(a), Some(b)) => self.pairs[a * Op::KINDS + b],
            _ => 0,
        }
    }

    /// The kinds that ran, most frequent first (ties by name).
    pub fn kinds(&self) -> Vec<(&'static str, u64)> {
        let mut v: Vec<(&'static str, u64)> = Op::NAMES
            .iter()
            .zip(&self.ops)
            .filter(|(_, &n)| n > 0)
            .map(|(name, &n)| (*name, n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }

    /// The pairs that ran, most frequent first (ties by names).
    pub fn pairs(&self) -> Vec<(&'static str, &'static str, u64)> {
        let mut v: Vec<(&'static str, &'static str, u64)> = self
            .pairs
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(i, &n)| (Op::NAMES[i / Op::KINDS], Op::NAMES[i % Op::KINDS], n))
            .collect();
        v.sort_by(|a, b| b.2.cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
        v
    }

    /// The report: totals, then the `top` most frequent kinds and pairs (all of them when
    /// `top` is 0), one per line with its count and share.
    ///
    /// The format is stable for scripts: a `kinds` or `pairs` heading line, then rows of
    /// `count percent name` or `count percent first second`, separated by spaces.
    pub fn report(&self, top: usize) -> String {
        self.report_with(top, None)
    }

    /// [`OpProfile::report`], followed, when `code` is given, by the `top` functions that
    /// ran most instructions (a `functions` heading, then rows of `count percent name`).
    pub fn report_with(&self, top: usize, code: Option<(&Code, &AtomTable)>) -> String {
        let total = self.total_ops();
        let generic = self.generic;
        let mut out = String::new();
        let per_op = if total == 0 {
            0.0
        } else {
            generic as f64 / total as f64
        };
        let _ = writeln!(out, "op profile: {total} ops executed");
        let _ = writeln!(
            out,
            "op profile: {generic} generic BEAM instructions executed ({per_op:.3} per op)"
        );
        let share = |n: u64, of: u64| {
            if of == 0 {
                0.0
            } else {
                100.0 * n as f64 / of as f64
            }
        };
        let limit = |n: usize| if top == 0 { n } else { top.min(n) };

        let kinds = self.kinds();
        let _ = writeln!(
            out,
            "\nkinds: top {} of {} ({} kinds exist)",
            limit(kinds.len()),
            kinds.len(),
            Op::KINDS
        );
        let _ = writeln!(out, "{:>14} {:>7}  op", "count", "%");
        for (name, n) in &kinds[..limit(kinds.len())] {
            let _ = writeln!(out, "{n:>14} {:>6.2}%  {name}", share(*n, total));
        }

        let pairs = self.pairs();
        let pair_total: u64 = self.pairs.iter().sum();
        let _ = writeln!(
            out,
            "\npairs: top {} of {} ({pair_total} pairs executed)",
            limit(pairs.len()),
            pairs.len()
        );
        let _ = writeln!(out, "{:>14} {:>7}  first second", "count", "%");
        for (a, b, n) in &pairs[..limit(pairs.len())] {
            let _ = writeln!(out, "{n:>14} {:>6.2}%  {a} {b}", share(*n, pair_total));
        }
        if let Some((code, atoms)) = code {
            let funs = self.functions(code, atoms);
            let _ = writeln!(
                out,
                "\nfunctions: top {} of {}",
                limit(funs.len()),
                funs.len()
            );
            let _ = writeln!(out, "{:>14} {:>7}  function", "count", "%");
            for (name, n) in &funs[..limit(funs.len())] {
                let _ = writeln!(out, "{n:>14} {:>6.2}%  {name}", share(*n, total));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::ops::{Dst, Src};

    fn sample() -> OpProfile {
        let mut p = OpProfile::new();
        let mv = Op::Move2(Src::X(0), Dst::X(1), Src::X(1), Dst::X(0));
        for _ in 0..3 {
            p.record(&Op::Return);
            p.record(&mv);
        }
        p.resume();
        p.record(&Op::Return);
        p
    }

    #[test]
    fn counts_kinds_pairs_and_generic_instructions() {
        let p = sample();
        assert_eq!(p.total_ops(), 7);
        assert_eq!(p.generic(), 4 + 3 * 2);
        assert_eq!(p.count("Return"), 4);
        assert_eq!(p.count("Move2"), 3);
        assert_eq!(p.pair_count("Return", "Move2"), 3);
        // The resume in between leaves out the last Move2 -> Return.
        assert_eq!(p.pair_count("Move2", "Return"), 2);
        assert_eq!(p.kinds(), vec![("Return", 4), ("Move2", 3)]);
        assert_eq!(p.pairs()[0], ("Return", "Move2", 3));
    }

    #[test]
    fn the_report_lists_totals_kinds_and_pairs() {
        let r = sample().report(1);
        assert!(r.contains("op profile: 7 ops executed"), "{r}");
        assert!(
            r.contains("op profile: 10 generic BEAM instructions"),
            "{r}"
        );
        assert!(r.contains("kinds: top 1 of 2"), "{r}");
        assert!(r.contains("57.14%  Return\n"), "{r}");
        assert!(!r.contains("%  Move2\n"), "{r}");
        assert!(r.contains("pairs: top 1 of 2 (5 pairs executed)"), "{r}");
        assert!(r.contains("60.00%  Return Move2\n"), "{r}");
        let all = sample().report(0);
        assert!(all.contains("%  Move2 Return\n"), "{all}");
    }
}
