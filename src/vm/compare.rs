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

/// Compares two terms in Erlang's term order.
pub fn compare(v: &View, atoms: &AtomTable, a: Term, b: Term, mode: Mode) -> Ordering {
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
        4 => compare_funs(v, atoms, a, b, mode),
        6 => a.pid_number().cmp(&b.pid_number()),
        7 => {
            let (x, y) = (v.payload(a), v.payload(b));
            x.len()
                .cmp(&y.len())
                .then_with(|| compare_seq(v, atoms, x, y, mode))
        }
        8 => compare_maps(v, atoms, a, b, mode),
        9 => Ordering::Equal,
        10 => compare_lists(v, atoms, a, b, mode),
        11 => compare_bits(v, a, b),
        _ => a.0.cmp(&b.0),
    }
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
    compare(v, atoms, a, b, Mode::Exact) == Ordering::Equal
}

fn compare_seq(v: &View, atoms: &AtomTable, x: &[Term], y: &[Term], mode: Mode) -> Ordering {
    for (p, q) in x.iter().zip(y.iter()) {
        let o = compare(v, atoms, *p, *q, mode);
        if o != Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

fn compare_lists(v: &View, atoms: &AtomTable, mut a: Term, mut b: Term, mode: Mode) -> Ordering {
    loop {
        if !(a.is_cons() && b.is_cons()) {
            return compare(v, atoms, a, b, mode);
        }
        let (ha, ta) = v.cons(a);
        let (hb, tb) = v.cons(b);
        let o = compare(v, atoms, ha, hb, mode);
        if o != Ordering::Equal {
            return o;
        }
        a = ta;
        b = tb;
    }
}

fn compare_maps(v: &View, atoms: &AtomTable, a: Term, b: Term, mode: Mode) -> Ordering {
    if v.kind(a) == Some(Kind::TreeMap) || v.kind(b) == Some(Kind::TreeMap) {
        let flat = |t| -> Vec<Term> {
            v.map_entries(t)
                .unwrap_or_default()
                .into_iter()
                .flat_map(|(k, x)| [k, x])
                .collect()
        };
        return compare_flat(v, atoms, &flat(a), &flat(b), mode);
    }
    compare_flat(v, atoms, v.payload(a), v.payload(b), mode)
}

fn compare_flat(v: &View, atoms: &AtomTable, x: &[Term], y: &[Term], mode: Mode) -> Ordering {
    if x.len() != y.len() {
        return x.len().cmp(&y.len());
    }
    // Keys first, in map-key order, then values.
    for i in (0..x.len()).step_by(2) {
        let o = compare(v, atoms, x[i], y[i], Mode::MapKey);
        if o != Ordering::Equal {
            return o;
        }
    }
    for i in (1..x.len()).step_by(2) {
        let o = compare(v, atoms, x[i], y[i], mode);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

fn compare_funs(v: &View, atoms: &AtomTable, a: Term, b: Term, mode: Mode) -> Ordering {
    let (ka, kb) = (v.kind(a), v.kind(b));
    if ka != kb {
        // Local funs sort before external funs.
        return if ka == Some(Kind::Fun) {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    compare_seq(v, atoms, v.payload(a), v.payload(b), mode)
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
