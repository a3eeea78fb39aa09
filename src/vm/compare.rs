//! Erlang's term order and the two equalities (`==` and `=:=`).
//!
//! Order: number < atom < reference < fun < port < pid < tuple < map < [] < list < bitstring.
//! Numbers compare by value (`1 == 1.0`); under exact comparison an integer and a float are
//! never equal, and in map-key order every integer sorts before every float.

use core::cmp::Ordering;

use alloc::vec::Vec;
use num_bigint::BigInt;

use super::atom::AtomTable;
use super::heap::View;
use super::term::{Kind, Term};

/// Type rank in the standard term order.
fn rank(v: &View, t: Term) -> u8 {
    if t.is_small() {
        return 0;
    }
    if t.is_atom() {
        return 2;
    }
    if t.is_pid() {
        return 6;
    }
    if t.is_nil() {
        return 9;
    }
    if t.is_cons() {
        return 10;
    }
    match v.kind(t) {
        Some(Kind::PosBig | Kind::NegBig | Kind::Float) => 0,
        Some(Kind::Ref) => 3,
        Some(Kind::Fun | Kind::Export) => 4,
        Some(Kind::Tuple) => 7,
        Some(Kind::Map | Kind::TreeMap) => 8,
        Some(Kind::MapNode) => 12,
        Some(Kind::BinRef | Kind::MatchCtx) => 11,
        None => 12,
    }
}

/// How integers and floats relate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Standard order, `1 == 1.0`.
    Arith,
    /// Exact: `1 =/= 1.0`; integers and floats are ordered by value, ties by type (int first).
    Exact,
    /// Map-key order: all integers before all floats.
    MapKey,
}

/// Compares two terms in Erlang's term order. Nested terms are walked with an explicit
/// work list, so arbitrarily deep terms cannot overflow the native stack.
pub fn compare(v: &View, atoms: &AtomTable, a: Term, b: Term, mode: Mode) -> Ordering {
    // Two small integers (`max(N, M)`, `N >= M` as a BIF) compare by value in every mode.
    if let (Some(x), Some(y)) = (a.as_small(), b.as_small()) {
        return x.cmp(&y);
    }
    let mut todo: Vec<(Term, Term, Mode)> = Vec::new();
    let (mut a, mut b, mut mode) = (a, b, mode);
    loop {
        let o = compare_shallow(v, atoms, a, b, mode, &mut todo);
        if o != Ordering::Equal {
            return o;
        }
        match todo.pop() {
            Some((x, y, m)) => {
                a = x;
                b = y;
                mode = m;
            }
            None => return Ordering::Equal,
        }
    }
}

/// Compares the outer layer of two terms; pushes pairs of children still to compare (the
/// first pair to compare on top).
fn compare_shallow(
    v: &View,
    atoms: &AtomTable,
    a: Term,
    b: Term,
    mode: Mode,
    todo: &mut Vec<(Term, Term, Mode)>,
) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (ra, rb) = (rank(v, a), rank(v, b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match ra {
        0 => compare_numbers(v, a, b, mode),
        2 => atoms.name(a).cmp(atoms.name(b)),
        3 => v.payload(a)[0].0.cmp(&v.payload(b)[0].0),
        4 => {
            let (ka, kb) = (v.kind(a), v.kind(b));
            if ka != kb {
                // Local funs sort before external funs.
                return if ka == Some(Kind::Fun) {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
            }
            push_seq(v.payload(a), v.payload(b), mode, todo)
        }
        6 => a.pid_number().cmp(&b.pid_number()),
        7 => {
            let (x, y) = (v.payload(a), v.payload(b));
            if x.len() != y.len() {
                return x.len().cmp(&y.len());
            }
            // Leading elements that are immediates on both sides (a key's small integers and
            // atoms) are compared here, without the work list.
            let mut i = 0;
            while i < x.len() && x[i].is_immediate() && y[i].is_immediate() {
                let o = compare_shallow(v, atoms, x[i], y[i], mode, todo);
                if o != Ordering::Equal {
                    return o;
                }
                i += 1;
            }
            push_seq(&x[i..], &y[i..], mode, todo)
        }
        8 => {
            let sorted = |t| {
                let mut e = v.map_entries(t).unwrap_or_default();
                // Exact comparison only asks whether two maps are equal: equal large maps
                // list their pairs in the same (hash) order, so that order serves and the
                // sort into map-key order (for `<` and the like) is not needed.
                if v.map_is_hashed(t) && mode != Mode::Exact {
                    crate::sort::sort_by(&mut e, |p, q| compare(v, atoms, p.0, q.0, Mode::MapKey));
                }
                e
            };
            let (x, y) = (sorted(a), sorted(b));
            if x.len() != y.len() {
                return x.len().cmp(&y.len());
            }
            // Keys first (in map-key order), then values; the first pair ends up on top.
            for (p, q) in x.iter().zip(y.iter()).rev() {
                todo.push((p.1, q.1, mode));
            }
            for (p, q) in x.iter().zip(y.iter()).rev() {
                todo.push((p.0, q.0, Mode::MapKey));
            }
            Ordering::Equal
        }
        9 => Ordering::Equal,
        10 => {
            let (ha, ta) = v.cons(a);
            let (hb, tb) = v.cons(b);
            todo.push((ta, tb, mode));
            todo.push((ha, hb, mode));
            Ordering::Equal
        }
        11 => compare_bits(v, a, b),
        _ => a.0.cmp(&b.0),
    }
}

/// Same-length sequences compare element-wise; pushes the pairs, first on top.
fn push_seq(x: &[Term], y: &[Term], mode: Mode, todo: &mut Vec<(Term, Term, Mode)>) -> Ordering {
    if x.len() != y.len() {
        return x.len().cmp(&y.len());
    }
    for (p, q) in x.iter().zip(y.iter()).rev() {
        todo.push((*p, *q, mode));
    }
    Ordering::Equal
}

/// Whether `a == b` (arithmetic equality).
pub fn eq(v: &View, atoms: &AtomTable, a: Term, b: Term) -> bool {
    a == b || compare(v, atoms, a, b, Mode::Arith) == Ordering::Equal
}

/// Whether `a =:= b` (exact equality).
pub fn exact_eq(v: &View, atoms: &AtomTable, a: Term, b: Term) -> bool {
    if a == b {
        return true;
    }
    if a.is_immediate() || b.is_immediate() {
        return false;
    }
    if let Some(same) = exact_eq_flat(v, a, b) {
        return same;
    }
    compare(v, atoms, a, b, Mode::Exact) == Ordering::Equal
}

/// `a =:= b` for two boxed terms when their own words decide it: references, floats, binaries,
/// and tuples as long as no two elements at the same position are both boxed. `None` when a
/// nested term needs the general comparison. Matching a reply by its reference, or a tuple
/// of atoms and small integers, then takes no work list.
fn exact_eq_flat(v: &View, a: Term, b: Term) -> Option<bool> {
    if !(a.is_boxed() && b.is_boxed()) {
        return None;
    }
    let kind = v.kind(a)?;
    if v.kind(b)? != kind {
        return None;
    }
    match kind {
        Kind::Ref => Some(v.payload(a) == v.payload(b)),
        // Under OTP 25 `0.0 =:= -0.0`, as f64's equality has it.
        Kind::Float => Some(v.float(a)? == v.float(b)?),
        Kind::BinRef => {
            // Bitstrings of different lengths differ (the payload's third word is the length
            // in bits); only equal lengths need their bytes compared.
            let bits = v.payload(a)[2];
            if bits != v.payload(b)[2] {
                return Some(false);
            }
            if bits.0 == 0 {
                // `Bin =:= <<>>`: two empty bitstrings, whatever their buffers.
                return Some(true);
            }
            Some(compare_bits(v, a, b) == Ordering::Equal)
        }
        Kind::Tuple => {
            let (x, y) = (v.payload(a), v.payload(b));
            if x.len() != y.len() {
                return Some(false);
            }
            for (p, q) in x.iter().zip(y) {
                if p == q {
                    continue;
                }
                // An immediate equals only itself: integers of the small range are never
                // bignums, and other kinds never share a representation.
                if p.is_immediate() || q.is_immediate() {
                    return Some(false);
                }
                return None;
            }
            Some(true)
        }
        _ => None,
    }
}

fn compare_bits(v: &View, a: Term, b: Term) -> Ordering {
    let (Some(x), Some(y)) = (v.binary(a), v.binary(b)) else {
        return Ordering::Equal;
    };
    if let (Some(p), Some(q)) = (x.bytes(), y.bytes()) {
        return p.cmp(q);
    }
    let n = x.bit_len.min(y.bit_len);
    for i in 0..n {
        let o = x.bit(i).cmp(&y.bit(i));
        if o != Ordering::Equal {
            return o;
        }
    }
    x.bit_len.cmp(&y.bit_len)
}

/// Compares two numbers.
fn compare_numbers(v: &View, a: Term, b: Term, mode: Mode) -> Ordering {
    if a.is_small() && b.is_small() {
        return a.small_value().cmp(&b.small_value());
    }
    let fa = v.float(a);
    let fb = v.float(b);
    match (fa, fb) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (None, None) => {
            let x = v.int(a).map(|i| i.to_big()).unwrap_or_default();
            let y = v.int(b).map(|i| i.to_big()).unwrap_or_default();
            x.cmp(&y)
        }
        (Some(x), None) => {
            if mode == Mode::MapKey {
                return Ordering::Greater;
            }
            let o = cmp_float_int(x, &v.int(b).map(|i| i.to_big()).unwrap_or_default());
            if o == Ordering::Equal && mode == Mode::Exact {
                Ordering::Greater
            } else {
                o
            }
        }
        (None, Some(y)) => {
            if mode == Mode::MapKey {
                return Ordering::Less;
            }
            let o = cmp_float_int(y, &v.int(a).map(|i| i.to_big()).unwrap_or_default()).reverse();
            if o == Ordering::Equal && mode == Mode::Exact {
                Ordering::Less
            } else {
                o
            }
        }
    }
}

/// Compares a float with an integer exactly.
fn cmp_float_int(f: f64, i: &BigInt) -> Ordering {
    let fi = super::num::big_to_f64(i);
    match f.partial_cmp(&fi) {
        Some(Ordering::Equal) => {
            // Equal as floats: compare exactly via the float's integer part when it is integral.
            if num_traits::Float::fract(f) == 0.0 && num_traits::Float::abs(f) < 1e300 {
                let fb = float_to_big(f);
                fb.cmp(i)
            } else {
                Ordering::Equal
            }
        }
        Some(o) => o,
        None => Ordering::Equal,
    }
}

/// An integral float as a `BigInt`.
pub fn float_to_big(f: f64) -> BigInt {
    use num_traits::FromPrimitive;
    BigInt::from_f64(num_traits::Float::trunc(f)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::heap::Heap;
    use crate::vm::literals::Literals;

    #[test]
    fn order_of_types_and_numbers() {
        let lits = Literals::default();
        let mut atoms = AtomTable::new();
        let mut h = Heap::new();
        let f1 = h.float(1.0);
        let tup = h.tuple(&[]);
        let lst = h.list(&[Term::small(1)]);
        let bin = h.binary(alloc::vec![]);
        let a = atoms.intern("a").unwrap();
        let v = h.view(&lits);
        let i1 = Term::small(1);
        assert!(eq(&v, &atoms, i1, f1));
        assert!(!exact_eq(&v, &atoms, i1, f1));
        assert_eq!(compare(&v, &atoms, f1, i1, Mode::MapKey), Ordering::Greater);
        let seq = [i1, a, tup, Term::NIL, lst, bin];
        for w in seq.windows(2) {
            assert_eq!(compare(&v, &atoms, w[0], w[1], Mode::Arith), Ordering::Less);
        }
    }
}
