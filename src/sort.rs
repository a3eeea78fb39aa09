//! One stable sort for the whole runtime, whose algorithm is compiled once.
//!
//! `<[T]>::sort_by` is generic over the element type and the comparator, so every call site
//! gets its own copy of the standard library's sort (about 4 KiB of code each in the image).
//! [`sort_by`] instead finds the sorted order of the positions `0..n` with one merge sort that
//! calls the comparator through `dyn`, then moves the elements into that order; per element
//! type and call site there is only that last step, the comparator's shim and the short paths
//! for input already in order and for a few elements (a few hundred bytes).
//!
//! Invariants: the sort is stable (elements comparing equal keep their relative order), makes
//! O(n log n) comparisons (n - 1 for input already in order), and needs two words of scratch
//! space per element beyond `SMALL` (16) elements, none up to it.

#![forbid(unsafe_code)]

use alloc::vec::Vec;
use core::cmp::Ordering;

/// Positions sorted by insertion before merging starts: short runs are cheapest that way.
const RUN: usize = 8;

/// Slices up to this long are sorted in place by insertion, without scratch space.
const SMALL: usize = 16;

/// Sorts `v` by `cmp`, stably: elements that compare equal keep their order.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    // Input in order already (a map's keys often are) costs one comparison per element, and
    // a few elements are sorted in place: neither needs the scratch space below.
    if v.windows(2).all(|w| cmp(&w[0], &w[1]) != Ordering::Greater) {
        return;
    }
    if v.len() <= SMALL {
        for i in 1..v.len() {
            let mut j = i;
            while j > 0 && cmp(&v[j - 1], &v[j]) == Ordering::Greater {
                v.swap(j - 1, j);
                j -= 1;
            }
        }
        return;
    }
    let order = sorted_order(v.len(), &mut |i, j| cmp(&v[i], &v[j]));
    permute(v, order);
}

/// Sorts `v` by the key `key` gives for each element, stably.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// The positions `0..n` in the order `cmp` (comparing the elements at two positions) sorts
/// them, ties in ascending position.
#[inline(never)]
fn sorted_order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut a: Vec<usize> = (0..n).collect();
    for start in (0..n).step_by(RUN) {
        let end = n.min(start + RUN);
        for i in start + 1..end {
            let mut j = i;
            while j > start && cmp(a[j - 1], a[j]) == Ordering::Greater {
                a.swap(j - 1, j);
                j -= 1;
            }
        }
    }
    let mut b = alloc::vec![0; n];
    let mut width = RUN;
    while width < n {
        for lo in (0..n).step_by(2 * width) {
            let mid = n.min(lo + width);
            let hi = n.min(lo + 2 * width);
            if mid == hi || cmp(a[mid - 1], a[mid]) != Ordering::Greater {
                // Already in order (input often is): one comparison, no merge.
                b[lo..hi].copy_from_slice(&a[lo..hi]);
            } else {
                merge(&a[lo..mid], &a[mid..hi], &mut b[lo..hi], cmp);
            }
        }
        core::mem::swap(&mut a, &mut b);
        width *= 2;
    }
    a
}

/// Merges sorted runs `left` and `right` into `out`, `left`'s first on ties.
fn merge(
    left: &[usize],
    right: &[usize],
    out: &mut [usize],
    cmp: &mut dyn FnMut(usize, usize) -> Ordering,
) {
    let (mut i, mut j) = (0, 0);
    for slot in out.iter_mut() {
        let take_left =
            j == right.len() || (i < left.len() && cmp(left[i], right[j]) != Ordering::Greater);
        if take_left {
            *slot = left[i];
            i += 1;
        } else {
            *slot = right[j];
            j += 1;
        }
    }
}

/// Rearranges `v` so that position `k` holds the element that was at `order[k]`; `order` is a
/// permutation of `0..v.len()`.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..v.len() {
        // Each cycle of the permutation is walked once, swapping its elements into place;
        // a position whose element is in place is marked by pointing at itself.
        let mut k = start;
        while order[k] != start && order[k] != k {
            let from = order[k];
            v.swap(k, from);
            order[k] = k;
            k = from;
        }
        order[k] = k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stream of pseudo-random numbers (xorshift).
    fn numbers(seed: u64, n: usize) -> Vec<u64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            })
            .collect()
    }

    #[test]
    fn matches_the_standard_stable_sort_with_many_ties() {
        for n in [0, 1, 2, 3, 7, 8, 9, 16, 17, 24, 100, 1000, 4099] {
            for seed in [1, 7, 12345] {
                // (key, original position): keys repeat, so ties must keep position order.
                let mut mine: Vec<(u64, usize)> = numbers(seed, n)
                    .into_iter()
                    .enumerate()
                    .map(|(i, x)| (x % 10, i))
                    .collect();
                let mut std = mine.clone();
                sort_by(&mut mine, |a, b| a.0.cmp(&b.0));
                std.sort_by_key(|p| p.0);
                assert_eq!(mine, std, "n = {n}, seed = {seed}");
            }
        }
    }

    #[test]
    fn sorts_sorted_reversed_and_equal_input() {
        let mut up: Vec<u32> = (0..50).collect();
        sort_by(&mut up, |a, b| a.cmp(b));
        assert_eq!(up, (0..50).collect::<Vec<_>>());
        let mut down: Vec<u32> = (0..50).rev().collect();
        sort_by_key(&mut down, |x| *x);
        assert_eq!(down, (0..50).collect::<Vec<_>>());
        let mut same: Vec<(u8, usize)> = (0..30).map(|i| (5, i)).collect();
        sort_by_key(&mut same, |p| p.0);
        assert_eq!(same, (0..30).map(|i| (5, i)).collect::<Vec<_>>());
    }

    #[test]
    fn moves_elements_that_are_not_copy() {
        let mut v: Vec<alloc::string::String> = ["pear", "fig", "apple", "kiwi", "date"]
            .iter()
            .map(|s| alloc::string::String::from(*s))
            .collect();
        sort_by(&mut v, |a, b| a.cmp(b));
        assert_eq!(v, ["apple", "date", "fig", "kiwi", "pear"]);
    }
}
