//! The key sort of a large decoded map, a bounded step at a time.
//!
//! `binary_to_term` of a large map fills one flat map object in the order its pairs arrive,
//! then puts the pairs in map key order. When its keys are not all small integers that
//! order is found by a bottom-up merge sort of pair indices (runs sorted by insertion, then
//! merges of doubling width), a step of at most a given amount of work at a time; then the
//! pairs are moved into that order in one pass, a step of its own.
//!
//! Invariants: a [`MapSort`] holds no terms (a collection between steps moves the map), only
//! pair indices, each with its key's [`order_prefix`] (numbers drawn from the key's value,
//! which decide most comparisons without the heap); each step is given the map again and
//! compares its keys by index. Two keys that compare equal
//! refuse the term, as the one-shot sort does: a merge sort compares any two equal keys with
//! each other directly, within a run or when their runs merge.

#![forbid(unsafe_code)]

use alloc::vec::Vec;
use core::cmp::Ordering;

use super::{order_prefix, Result, INVALID};
use crate::vm::atom::AtomTable;
use crate::vm::compare::{compare, Mode};
use crate::vm::encode::OverBudget;
use crate::vm::heap::{Heap, View};
use crate::vm::literals::Literals;
use crate::vm::memory::TempCharge;
use crate::vm::term::{header_size, Term};

/// Work (comparisons, prefixes found, indices moved) of one step of `binary_to_term`'s sort:
/// a few milliseconds.
pub const STEP_WORK: usize = 100_000;

/// A key's [`order_prefix`] and its pair's index.
type Entry = (u64, u64, u32);

/// Keys in a run sorted by insertion before the merges.
const RUN: usize = 16;

/// A map's key sort in progress: `binary_to_term`'s native trap state between steps.
pub struct MapSort {
    /// Keys' [`order_prefix`]es and pair indices, found so far, then in runs sorted so far.
    order: Vec<Entry>,
    /// Where a merge pass writes (it then swaps with `order`).
    scratch: Vec<Entry>,
    /// Pairs of the map.
    n: usize,
    /// Width of the sorted runs; 0 while the runs are sorted by insertion.
    width: usize,
    /// The merge (or the run) in progress: its start and its cursors in the left and right
    /// runs.
    lo: usize,
    left: usize,
    right: usize,
    /// The node's charge for the sort's memory, held while it is parked.
    _charge: Option<TempCharge>,
}

impl MapSort {
    /// A sort of the `n` pairs of a map, with the node's charge for its memory.
    pub fn new(n: usize, charge: Option<TempCharge>) -> Result<MapSort> {
        let wanted = 2 * n * core::mem::size_of::<Entry>();
        let too_much = |_| OverBudget { wanted };
        let mut order = Vec::new();
        order.try_reserve_exact(n).map_err(too_much)?;
        let mut scratch = Vec::new();
        scratch.try_reserve_exact(n).map_err(too_much)?;
        scratch.resize(n, (0, 0, 0));
        Ok(MapSort {
            order,
            scratch,
            n,
            width: 0,
            lo: 0,
            left: 0,
            right: 0,
            _charge: charge,
        })
    }

    /// Pairs of the map being sorted.
    pub fn pairs(&self) -> usize {
        self.n
    }

    /// Goes on with the sort of the map whose header is at heap index `at` for about
    /// `budget` units of work; `true` when done (its pairs then in key order).
    pub fn step(
        &mut self,
        heap: &mut Heap,
        atoms: &AtomTable,
        lits: &Literals,
        at: usize,
        budget: usize,
    ) -> Result<bool> {
        let n = self.n;
        let base = at + 1;
        if header_size(heap.words.get(at).ok_or(INVALID)?.0) != 2 * n {
            return Err(INVALID);
        }
        let view = View {
            heap: &heap.words,
            bins: &heap.bins,
            lits,
        };
        let key = |i: u32| view.heap[base + 2 * i as usize];
        let mut work = 0;
        while self.order.len() < n {
            if work >= budget {
                return Ok(false);
            }
            let i = self.order.len() as u32;
            let (class, value) = order_prefix(&view, atoms, key(i));
            self.order.push((class, value, i));
            work += 1;
        }
        let MapSort {
            order,
            scratch,
            width,
            lo,
            left,
            right,
            ..
        } = self;
        // Equal keys are a repeated key (the sort never compares a pair with itself).
        let less = |a: Entry, b: Entry| match (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then_with(|| compare(&view, atoms, key(a.2), key(b.2), Mode::MapKey))
        {
            Ordering::Equal => Err(INVALID),
            o => Ok(o == Ordering::Less),
        };
        while *width == 0 && *lo < n {
            if work >= budget {
                return Ok(false);
            }
            let end = (*lo + RUN).min(n);
            for x in *lo + 1..end {
                let moving = order[x];
                let mut y = x;
                while y > *lo {
                    work += 1;
                    if !less(moving, order[y - 1])? {
                        break;
                    }
                    order[y] = order[y - 1];
                    y -= 1;
                }
                order[y] = moving;
            }
            *lo = end;
        }
        if *width == 0 {
            (*width, *lo, *left, *right) = (RUN, 0, 0, RUN.min(n));
        }
        while *width < n {
            if *lo >= n {
                core::mem::swap(order, scratch);
                *width *= 2;
                (*lo, *left, *right) = (0, 0, (*width).min(n));
                continue;
            }
            let mid = (*lo + *width).min(n);
            let hi = (*lo + 2 * *width).min(n);
            while *left < mid && *right < hi {
                if work >= budget {
                    return Ok(false);
                }
                work += 1;
                let out = *left + *right - mid;
                if less(order[*left], order[*right])? {
                    scratch[out] = order[*left];
                    *left += 1;
                } else {
                    scratch[out] = order[*right];
                    *right += 1;
                }
            }
            // One run is used up: the rest of the other follows as it is.
            let out = *left + *right - mid;
            let rest = mid - *left;
            scratch[out..out + rest].copy_from_slice(&order[*left..mid]);
            scratch[out + rest..hi].copy_from_slice(&order[*right..hi]);
            work += hi - out;
            *lo = hi;
            *left = hi;
            *right = (hi + *width).min(n);
        }
        // The pairs are moved in a step of their own.
        if work > 0 {
            return Ok(false);
        }
        let mut pairs: Vec<Term> = Vec::new();
        pairs
            .try_reserve_exact(2 * n)
            .map_err(|_| OverBudget { wanted: 16 * n })?;
        let w = &heap.words;
        for &(_, _, i) in order.iter() {
            let i = base + 2 * i as usize;
            pairs.extend_from_slice(&w[i..i + 2]);
        }
        heap.words[base..base + 2 * n].copy_from_slice(&pairs);
        Ok(true)
    }
}
