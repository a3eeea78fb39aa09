//! Owned table keys and their orders: erl's term order for `ordered_set`, exact equality for
//! the hashed table types.
//!
//! A key is copied out of the heap once when an object is stored or looked up, so tables can
//! keep it in a `BTreeMap` with no heap or atom table at hand: atoms carry their names (the
//! term order compares atom text). Floats come in two forms, chosen when a key is made:
//! [`KeyTerm::Float`] compares with integers by value (`1 == 1.0`, the `ordered_set` rule),
//! [`KeyTerm::ExactFloat`] sorts after every integer, so only `=:=` terms are equal (the rule
//! of `set`, `bag` and `duplicate_bag`, and of map keys everywhere).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cmp::Ordering;
use num_bigint::BigInt;
use num_traits::{FromPrimitive, ToPrimitive};

use crate::vm::atom::AtomTable;
use crate::vm::code::split_fun_id;
use crate::vm::code::Code;
use crate::vm::heap::View;
use crate::vm::term::{Kind, Term};

/// A key, owned and comparable without a heap.
#[derive(Clone, Debug)]
pub enum KeyTerm {
    /// An integer that fits in an `i64`.
    Int(i64),
    /// Any other integer.
    Big(Box<BigInt>),
    /// A float equal to the integer of the same value.
    Float(f64),
    /// A float different from every integer.
    ExactFloat(f64),
    /// An atom, by name.
    Atom(Box<str>),
    /// A reference, by number.
    Ref(u64),
    /// A fun.
    Fun(Box<FunKey>),
    /// A pid, by number.
    Pid(u32),
    /// A tuple.
    Tuple(Box<[KeyTerm]>),
    /// A map: pairs sorted by key.
    Map(Box<[(KeyTerm, KeyTerm)]>),
    /// `[]`.
    Nil,
    /// A non-empty list: its elements and the tail after them (never a list).
    List(Box<[KeyTerm]>, Box<KeyTerm>),
    /// A bitstring: its bytes (unused low bits of the last one cleared) and length in bits.
    Bits(Box<[u8]>, usize),
}

/// A fun key: external funs by `M:F/A`, local ones by module, fun number and environment.
#[derive(Clone, Debug)]
pub struct FunKey {
    /// `fun M:F/A` (true) or a local fun.
    pub(super) external: bool,
    /// Module name.
    pub(super) module: Box<str>,
    /// Function name (external funs).
    pub(super) function: Box<str>,
    /// Arity (external funs) or the fun's number in its module.
    pub(super) number: u64,
    /// Captured variables (local funs).
    pub(super) free: Box<[KeyTerm]>,
}

impl KeyTerm {
    /// The key form of `t`; `exact` picks the float form (see the module docs).
    pub fn from_term(v: &View, atoms: &AtomTable, code: &Code, t: Term, exact: bool) -> KeyTerm {
        if let Some(i) = t.as_small() {
            return KeyTerm::Int(i);
        }
        if t.is_atom() {
            return KeyTerm::Atom(atoms.name(t).into());
        }
        if t.is_nil() {
            return KeyTerm::Nil;
        }
        if t.is_pid() {
            return KeyTerm::Pid(t.pid_number());
        }
        if t.is_cons() {
            let mut items = Vec::new();
            let mut l = t;
            while l.is_cons() {
                let (h, tl) = v.cons(l);
                items.push(KeyTerm::from_term(v, atoms, code, h, exact));
                l = tl;
            }
            let tail = KeyTerm::from_term(v, atoms, code, l, exact);
            return KeyTerm::List(items.into_boxed_slice(), Box::new(tail));
        }
        let each = |ts: &[Term], exact: bool| -> Box<[KeyTerm]> {
            ts.iter()
                .map(|e| KeyTerm::from_term(v, atoms, code, *e, exact))
                .collect()
        };
        match v.kind(t) {
            Some(Kind::Tuple) => KeyTerm::Tuple(each(v.payload(t), exact)),
            Some(Kind::PosBig | Kind::NegBig) => {
                let b = v.big(t).unwrap_or_default();
                match b.to_i64() {
                    Some(i) => KeyTerm::Int(i),
                    None => KeyTerm::Big(Box::new(b)),
                }
            }
            Some(Kind::Float) => {
                let f = v.float(t).unwrap_or(0.0);
                if exact {
                    KeyTerm::ExactFloat(f)
                } else {
                    KeyTerm::Float(f)
                }
            }
            Some(Kind::BinRef) => match v.binary(t) {
                Some(b) => {
                    let mut bytes = b.to_vec();
                    let bits = b.bit_len;
                    if bits % 8 != 0 {
                        if let Some(last) = bytes.last_mut() {
                            *last &= 0xFFu8 << (8 - bits % 8);
                        }
                    }
                    KeyTerm::Bits(bytes.into_boxed_slice(), bits)
                }
                None => KeyTerm::Nil,
            },
            Some(Kind::Map | Kind::TreeMap) => {
                let mut pairs: Vec<(KeyTerm, KeyTerm)> = v
                    .map_entries(t)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, x)| {
                        (
                            KeyTerm::from_term(v, atoms, code, k, true),
                            KeyTerm::from_term(v, atoms, code, x, exact),
                        )
                    })
                    .collect();
                crate::sort::sort_by(&mut pairs, |a, b| a.0.cmp(&b.0));
                KeyTerm::Map(pairs.into_boxed_slice())
            }
            Some(Kind::Export) => {
                let p = v.payload(t);
                KeyTerm::Fun(Box::new(FunKey {
                    external: true,
                    module: atoms.name(p[0]).into(),
                    function: atoms.name(p[1]).into(),
                    number: p[2].small_value() as u64,
                    free: Box::new([]),
                }))
            }
            Some(Kind::Fun) => {
                let p = v.payload(t);
                let id = p[0].small_value() as u64;
                let (mi, li) = split_fun_id(id);
                let module = code
                    .modules
                    .get(mi as usize)
                    .map(|m| atoms.name(m.name))
                    .unwrap_or("");
                KeyTerm::Fun(Box::new(FunKey {
                    external: false,
                    module: module.into(),
                    function: "".into(),
                    number: li as u64,
                    free: each(&p[1..], exact),
                }))
            }
            Some(Kind::Ref) => KeyTerm::Ref(v.payload(t)[0].0),
            Some(Kind::MatchCtx | Kind::MapNode) | None => KeyTerm::Nil,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            KeyTerm::Int(_) | KeyTerm::Big(_) | KeyTerm::Float(_) | KeyTerm::ExactFloat(_) => 0,
            KeyTerm::Atom(_) => 1,
            KeyTerm::Ref(_) => 2,
            KeyTerm::Fun(_) => 3,
            KeyTerm::Pid(_) => 5,
            KeyTerm::Tuple(_) => 6,
            KeyTerm::Map(_) => 7,
            KeyTerm::Nil => 8,
            KeyTerm::List(..) => LIST_RANK,
            KeyTerm::Bits(..) => 10,
        }
    }
}

/// The rank of non-empty lists in the term order.
const LIST_RANK: u8 = 9;

/// Compares an integer with a float by value.
fn cmp_int_float(i: &KeyTerm, f: f64) -> Ordering {
    if let KeyTerm::Int(n) = i {
        if n.unsigned_abs() < (1u64 << 53) {
            return (*n as f64).partial_cmp(&f).unwrap_or(Ordering::Equal);
        }
    }
    let big = match i {
        KeyTerm::Int(n) => BigInt::from(*n),
        KeyTerm::Big(b) => (**b).clone(),
        _ => return Ordering::Equal,
    };
    let floor = num_traits::Float::floor(f);
    let Some(whole) = BigInt::from_f64(floor) else {
        return Ordering::Equal;
    };
    match big.cmp(&whole) {
        Ordering::Equal if f > floor => Ordering::Less,
        other => other,
    }
}

fn cmp_slices(a: &[KeyTerm], b: &[KeyTerm]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = x.cmp(y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

fn cmp_bits(a: &[u8], la: usize, b: &[u8], lb: usize) -> Ordering {
    let common = la.min(lb);
    let whole = common / 8;
    let o = a[..whole].cmp(&b[..whole]);
    if o != Ordering::Equal {
        return o;
    }
    let rest = common % 8;
    if rest > 0 {
        let mask = 0xFFu8 << (8 - rest);
        let o = (a[whole] & mask).cmp(&(b[whole] & mask));
        if o != Ordering::Equal {
            return o;
        }
    }
    la.cmp(&lb)
}

impl Ord for KeyTerm {
    fn cmp(&self, other: &Self) -> Ordering {
        use KeyTerm::*;
        let by_rank = self.rank().cmp(&other.rank());
        if by_rank != Ordering::Equal {
            return by_rank;
        }
        match (self, other) {
            (Int(a), Int(b)) => a.cmp(b),
            (Big(a), Big(b)) => a.cmp(b),
            (Int(_), Big(b)) => {
                if b.sign() == num_bigint::Sign::Minus {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (Big(a), Int(_)) => {
                if a.sign() == num_bigint::Sign::Minus {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (Float(a) | ExactFloat(a), Float(b) | ExactFloat(b)) => {
                a.partial_cmp(b).unwrap_or(Ordering::Equal)
            }
            (ExactFloat(_), _) => Ordering::Greater,
            (_, ExactFloat(_)) => Ordering::Less,
            (Float(f), i) => cmp_int_float(i, *f).reverse(),
            (i, Float(f)) => cmp_int_float(i, *f),
            (Atom(a), Atom(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Ref(a), Ref(b)) => a.cmp(b),
            (Fun(a), Fun(b)) => a
                .external
                .cmp(&b.external)
                .then_with(|| a.module.cmp(&b.module))
                .then_with(|| a.function.cmp(&b.function))
                .then(a.number.cmp(&b.number))
                .then_with(|| cmp_slices(&a.free, &b.free)),
            (Pid(a), Pid(b)) => a.cmp(b),
            (Tuple(a), Tuple(b)) => a.len().cmp(&b.len()).then_with(|| cmp_slices(a, b)),
            (Map(a), Map(b)) => a
                .len()
                .cmp(&b.len())
                .then_with(|| {
                    a.iter()
                        .zip(b.iter())
                        .map(|(x, y)| x.0.cmp(&y.0))
                        .find(|o| o.is_ne())
                        .unwrap_or(Ordering::Equal)
                })
                .then_with(|| {
                    a.iter()
                        .zip(b.iter())
                        .map(|(x, y)| x.1.cmp(&y.1))
                        .find(|o| o.is_ne())
                        .unwrap_or(Ordering::Equal)
                }),
            (Nil, Nil) => Ordering::Equal,
            (List(xs, xt), List(ys, yt)) => {
                for (x, y) in xs.iter().zip(ys.iter()) {
                    let o = x.cmp(y);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                match xs.len().cmp(&ys.len()) {
                    // The longer list's rest (a list) against the shorter one's tail.
                    Ordering::Greater => LIST_RANK.cmp(&yt.rank()),
                    Ordering::Less => xt.rank().cmp(&LIST_RANK),
                    Ordering::Equal => xt.cmp(yt),
                }
            }
            (Bits(a, la), Bits(b, lb)) => cmp_bits(a, *la, b, *lb),
            _ => Ordering::Equal,
        }
    }
}

impl PartialOrd for KeyTerm {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for KeyTerm {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for KeyTerm {}
