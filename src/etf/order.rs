//! Erlang's term order over [`ExtTerm`]s.
//!
//! `number < atom < reference < fun < port < pid < tuple < map < [] < list < bitstring`.
//! [`compare`] is the order of `<` and `lists:sort/1`, where `1 == 1.0`. [`compare_keys`] is
//! the map key order, which is total over distinct terms: every integer sorts before every
//! float. Both match OTP 25 for numbers, atoms, tuples, maps, lists and bitstrings. Pids, ports,
//! references and funs of the local node are ordered by their fields (serial then number for
//! pids, most significant word first for references); across nodes OTP also looks at the node
//! name first, as done here.
//!
//! Nested terms are compared with an explicit work list, so depth costs heap, not native
//! stack.

use alloc::vec::Vec;
use core::cmp::Ordering;
use num_bigint::BigInt;
use num_traits::{Float, FromPrimitive};

use super::ExtTerm;

/// Compares two terms in Erlang's term order, treating `1` and `1.0` as equal.
pub fn compare(a: &ExtTerm, b: &ExtTerm) -> Ordering {
    cmp(a, b, false)
}

/// Compares two terms in map key order: like [`compare`], but every integer sorts before every
/// float, so no two distinct terms compare equal.
pub fn compare_keys(a: &ExtTerm, b: &ExtTerm) -> Ordering {
    cmp(a, b, true)
}

fn rank(t: &ExtTerm) -> u8 {
    match t {
        ExtTerm::Integer(_) | ExtTerm::BigInteger(_) | ExtTerm::Float(_) => 0,
        ExtTerm::Atom(_) => 1,
        ExtTerm::Reference { .. } => 2,
        ExtTerm::ExportFun { .. } | ExtTerm::LocalFun { .. } => 3,
        ExtTerm::Port { .. } => 4,
        ExtTerm::Pid { .. } => 5,
        ExtTerm::Tuple(_) => 6,
        ExtTerm::Map(_) => 7,
        ExtTerm::Nil => 8,
        ExtTerm::List(..) => 9,
        ExtTerm::Binary(_) | ExtTerm::BitBinary(..) => 10,
    }
}

/// Comparisons still to make, the next one on top.
enum Pending<'a> {
    /// Compare these two terms (`true`: in map key order).
    Pair(&'a ExtTerm, &'a ExtTerm, bool),
    /// This outcome, unless it is `Equal`.
    Outcome(Ordering),
}

fn cmp(a: &ExtTerm, b: &ExtTerm, exact: bool) -> Ordering {
    let mut todo = alloc::vec![Pending::Pair(a, b, exact)];
    while let Some(next) = todo.pop() {
        let o = match next {
            Pending::Pair(a, b, exact) => cmp_shallow(a, b, exact, &mut todo),
            Pending::Outcome(o) => o,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Compares the outer layer of two terms; pushes the pairs of nested terms that decide when
/// the outer layers are equal.
fn cmp_shallow<'a>(
    a: &'a ExtTerm,
    b: &'a ExtTerm,
    exact: bool,
    todo: &mut Vec<Pending<'a>>,
) -> Ordering {
    let by_rank = rank(a).cmp(&rank(b));
    if by_rank != Ordering::Equal {
        return by_rank;
    }
    match (a, b) {
        (ExtTerm::Integer(x), ExtTerm::Integer(y)) => x.cmp(y),
        (ExtTerm::Float(x), ExtTerm::Float(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (ExtTerm::Float(x), _) => match as_big(b) {
            Some(_) if exact => Ordering::Greater,
            Some(y) => cmp_int_float(&y, *x).reverse(),
            None => Ordering::Equal,
        },
        (_, ExtTerm::Float(y)) => match as_big(a) {
            Some(_) if exact => Ordering::Less,
            Some(x) => cmp_int_float(&x, *y),
            None => Ordering::Equal,
        },
        (ExtTerm::Atom(x), ExtTerm::Atom(y)) => x.as_bytes().cmp(y.as_bytes()),
        (ExtTerm::Tuple(x), ExtTerm::Tuple(y)) => x
            .len()
            .cmp(&y.len())
            .then_with(|| push_seq(x, y, exact, todo)),
        (ExtTerm::Map(x), ExtTerm::Map(y)) => push_maps(x, y, exact, todo),
        (ExtTerm::Nil, ExtTerm::Nil) => Ordering::Equal,
        (ExtTerm::List(xe, xt), ExtTerm::List(ye, yt)) => push_lists(xe, xt, ye, yt, exact, todo),
        (ExtTerm::Binary(_) | ExtTerm::BitBinary(..), _) => cmp_bits(a, b),
        (
            ExtTerm::Pid {
                node: n1,
                id: i1,
                serial: s1,
                creation: c1,
            },
            ExtTerm::Pid {
                node: n2,
                id: i2,
                serial: s2,
                creation: c2,
            },
        ) => n1
            .cmp(n2)
            .then(s1.cmp(s2))
            .then(i1.cmp(i2))
            .then(c1.cmp(c2)),
        (
            ExtTerm::Port {
                node: n1,
                id: i1,
                creation: c1,
            },
            ExtTerm::Port {
                node: n2,
                id: i2,
                creation: c2,
            },
        ) => n1.cmp(n2).then(i1.cmp(i2)).then(c1.cmp(c2)),
        (
            ExtTerm::Reference {
                node: n1,
                creation: c1,
                ids: w1,
            },
            ExtTerm::Reference {
                node: n2,
                creation: c2,
                ids: w2,
            },
        ) => n1
            .cmp(n2)
            .then(w1.len().cmp(&w2.len()))
            .then_with(|| w1.iter().rev().cmp(w2.iter().rev()))
            .then(c1.cmp(c2)),
        (ExtTerm::ExportFun { .. }, ExtTerm::LocalFun { .. }) => Ordering::Greater,
        (ExtTerm::LocalFun { .. }, ExtTerm::ExportFun { .. }) => Ordering::Less,
        (
            ExtTerm::ExportFun {
                module: m1,
                function: f1,
                arity: a1,
            },
            ExtTerm::ExportFun {
                module: m2,
                function: f2,
                arity: a2,
            },
        ) => m1.cmp(m2).then(f1.cmp(f2)).then(a1.cmp(a2)),
        (
            ExtTerm::LocalFun {
                module: m1,
                old_index: i1,
                old_uniq: u1,
                free: v1,
                ..
            },
            ExtTerm::LocalFun {
                module: m2,
                old_index: i2,
                old_uniq: u2,
                free: v2,
                ..
            },
        ) => m1
            .cmp(m2)
            .then(i1.cmp(i2))
            .then(u1.cmp(u2))
            .then(v1.len().cmp(&v2.len()))
            .then_with(|| push_seq(v1, v2, exact, todo)),
        // Remaining pairs are integers of which at least one is big.
        _ => match (as_big(a), as_big(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => Ordering::Equal,
        },
    }
}

fn as_big(t: &ExtTerm) -> Option<BigInt> {
    match t {
        ExtTerm::Integer(i) => Some(BigInt::from(*i)),
        ExtTerm::BigInteger(b) => Some(b.clone()),
        _ => None,
    }
}

/// Compares an integer with a finite float by value.
fn cmp_int_float(i: &BigInt, f: f64) -> Ordering {
    let floor = Float::floor(f);
    let Some(whole) = BigInt::from_f64(floor) else {
        return Ordering::Equal;
    };
    match i.cmp(&whole) {
        Ordering::Equal if f > floor => Ordering::Less,
        other => other,
    }
}

/// Queues equally long sequences for element-wise comparison, the first pair on top.
fn push_seq<'a>(
    xs: &'a [ExtTerm],
    ys: &'a [ExtTerm],
    exact: bool,
    todo: &mut Vec<Pending<'a>>,
) -> Ordering {
    for (x, y) in xs.iter().zip(ys).rev() {
        todo.push(Pending::Pair(x, y, exact));
    }
    Ordering::Equal
}

fn push_lists<'a>(
    xe: &'a [ExtTerm],
    xt: &'a ExtTerm,
    ye: &'a [ExtTerm],
    yt: &'a ExtTerm,
    exact: bool,
    todo: &mut Vec<Pending<'a>>,
) -> Ordering {
    let common = xe.len().min(ye.len());
    // After the common cons cells: one side's tail against the other side's tail or rest.
    todo.push(match (xe.len() > common, ye.len() > common) {
        (false, false) => Pending::Pair(xt, yt, exact),
        // The rest of `x` is a cons cell; `yt` is not a list, so rank decides.
        (true, _) => Pending::Outcome(rank_vs_cons(yt).reverse()),
        (false, true) => Pending::Outcome(rank_vs_cons(xt)),
    });
    push_seq(&xe[..common], &ye[..common], exact, todo)
}

/// Orders a list tail that is not a cons cell against a cons cell.
fn rank_vs_cons(t: &ExtTerm) -> Ordering {
    rank(t).cmp(&9)
}

/// Maps of equal size compare their keys in key order, then their values.
fn push_maps<'a>(
    x: &'a [(ExtTerm, ExtTerm)],
    y: &'a [(ExtTerm, ExtTerm)],
    exact: bool,
    todo: &mut Vec<Pending<'a>>,
) -> Ordering {
    let o = x.len().cmp(&y.len());
    if o != Ordering::Equal {
        return o;
    }
    let mut xs: Vec<&(ExtTerm, ExtTerm)> = x.iter().collect();
    let mut ys: Vec<&(ExtTerm, ExtTerm)> = y.iter().collect();
    crate::sort::sort_by(&mut xs, |a, b| compare_keys(&a.0, &b.0));
    crate::sort::sort_by(&mut ys, |a, b| compare_keys(&a.0, &b.0));
    for (a, b) in xs.iter().zip(ys.iter()).rev() {
        todo.push(Pending::Pair(&a.1, &b.1, exact));
    }
    for (a, b) in xs.iter().zip(ys.iter()).rev() {
        todo.push(Pending::Pair(&a.0, &b.0, true));
    }
    Ordering::Equal
}

/// The bytes and total bit length of a bitstring.
fn bits_of(t: &ExtTerm) -> (&[u8], usize) {
    match t {
        ExtTerm::Binary(b) => (b, b.len() * 8),
        ExtTerm::BitBinary(b, bits) => (b, (b.len().saturating_sub(1)) * 8 + usize::from(*bits)),
        _ => (&[], 0),
    }
}

fn cmp_bits(a: &ExtTerm, b: &ExtTerm) -> Ordering {
    let (xa, la) = bits_of(a);
    let (xb, lb) = bits_of(b);
    let common = la.min(lb);
    let whole = common / 8;
    let o = xa[..whole].cmp(&xb[..whole]);
    if o != Ordering::Equal {
        return o;
    }
    let rest = common % 8;
    if rest > 0 {
        let mask = 0xFFu8 << (8 - rest);
        let o = (xa[whole] & mask).cmp(&(xb[whole] & mask));
        if o != Ordering::Equal {
            return o;
        }
    }
    la.cmp(&lb)
}
