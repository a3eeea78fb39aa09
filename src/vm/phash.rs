//! `erlang:phash/2` and `erlang:phash2/1,2`: erl's portable term hashes, bit for bit.
//!
//! Both are defined on the term's value (not its representation), so they can be reproduced
//! exactly: `phash` is a multiply-and-add hash over bytes with a set of primes, `phash2` mixes
//! 32-bit words with Bob Jenkins' mix. Atoms hash by their name (hashpjw). Library code depends
//! on these values for its data layout (`dict` and `sets` place keys by `phash/2`), so exactness
//! shows up in what programs print.

use alloc::vec::Vec;

use super::atom::AtomTable;
use super::code::{split_fun_id, Code};
use super::heap::View;
use super::maphash::{bitstring_hash, hash2_step, HCONST};
use super::term::{Kind, Term};

const FN1: u32 = 268_440_163;
const FN2: u32 = 268_439_161;
const FN3: u32 = 268_435_459;
const FN4: u32 = 268_436_141;
const FN5: u32 = 268_438_633;
const FN6: u32 = 268_437_017;
const FN8: u32 = 268_437_511;
const FN9: u32 = 268_439_627;
const FN10: u32 = 268_440_479;
const FN11: u32 = 268_440_577;
const FN12: u32 = 268_440_581;
const FN13: u32 = 268_440_593;
const FN14: u32 = 268_440_611;

const HCONST_2: u32 = 0x3c6e_f372;
const HCONST_3: u32 = 0xdaa6_6d2b;
const HCONST_4: u32 = 0x78dd_e6e4;
const HCONST_5: u32 = 0x1715_609d;
const HCONST_7: u32 = 0x5384_540f;
const HCONST_9: u32 = 0x8ff3_4781;
const HCONST_10: u32 = 0x2e2a_c13a;
const HCONST_11: u32 = 0xcc62_3af3;
const HCONST_12: u32 = 0x6a99_b4ac;
const HCONST_14: u32 = 0xa708_a81e;
const HCONST_16: u32 = 0xe377_9b90;
const HCONST_19: u32 = 0xbe1e_08bb;
/// erl's internal tag value for `[]` in the old tag numbering.
const NIL_DEF: u32 = 2;

/// The hashpjw value erl keeps for every atom, from its UTF-8 name.
pub fn atom_hash(name: &str) -> u32 {
    let b = name.as_bytes();
    let mut h: u32 = 0;
    let mut i = 0;
    while i < b.len() {
        let mut v = b[i] as u32;
        i += 1;
        // Two-byte UTF-8 sequences of Latin-1 characters hash as the character.
        if i < b.len() && (v & 0xfe) == 0xc2 && (b[i] & 0xc0) == 0x80 {
            v = ((v << 6) | (b[i] as u32 & 0x3f)) & 0xff;
            i += 1;
        }
        h = (h << 4).wrapping_add(v);
        let g = h & 0xf000_0000;
        if g != 0 {
            h ^= g >> 24;
            h ^= g;
        }
    }
    h
}

fn step_u32(h: u32, x: u32, prime: u32) -> u32 {
    let mut h = h;
    for i in 0..4 {
        h = h.wrapping_mul(prime).wrapping_add((x >> (8 * i)) & 0xff);
    }
    h
}

fn magnitude_bytes(h: u32, mag: &[u64], prime: u32) -> u32 {
    let mut h = h;
    let n = mag.len();
    for (i, &d) in mag.iter().enumerate() {
        let bytes = if i + 1 == n && d >> 32 == 0 { 4 } else { 8 };
        for j in 0..bytes {
            h = h
                .wrapping_mul(prime)
                .wrapping_add(((d >> (8 * j)) & 0xff) as u32);
        }
    }
    h
}

enum Op {
    Term(Term),
    /// Multiply in the end-of-list marker.
    CdrPost,
    /// Finish a tuple of this arity.
    TupleEnd(u32),
}

/// `make_hash`: the value behind `erlang:phash/2`.
pub fn phash(v: &View, atoms: &AtomTable, code: &Code, t: Term) -> u32 {
    let mut h: u32 = 0;
    let mut todo = alloc::vec![Op::Term(t)];
    while let Some(op) = todo.pop() {
        let t = match op {
            Op::CdrPost => {
                h = h.wrapping_mul(FN8);
                continue;
            }
            Op::TupleEnd(n) => {
                h = h.wrapping_mul(FN9).wrapping_add(n);
                continue;
            }
            Op::Term(t) => t,
        };
        if let Some(n) = t.as_small() {
            let mag = n.unsigned_abs();
            h = step_u32(h, mag as u32, FN2);
            if mag >> 32 != 0 {
                h = step_u32(h, (mag >> 32) as u32, FN2);
            }
            h = h.wrapping_mul(if n < 0 { FN4 } else { FN3 });
        } else if t.is_nil() {
            h = h.wrapping_mul(FN3).wrapping_add(1);
        } else if t.is_atom() {
            h = h.wrapping_mul(FN1).wrapping_add(atom_hash(atoms.name(t)));
        } else if t.is_pid() {
            // Only the number of `<0.Number.Serial>` is hashed, as in erl.
            h = step_u32(h, t.pid_parts().0, FN5).wrapping_mul(FN6);
        } else if t.is_cons() {
            // Bytes at the head are folded in directly; anything else is hashed as a term.
            let mut l = t;
            loop {
                let (hd, tl) = v.cons(l);
                match hd.as_small() {
                    Some(b) if (0..=255).contains(&b) => {
                        h = h.wrapping_mul(FN2).wrapping_add(b as u32);
                        if !tl.is_cons() {
                            todo.push(Op::CdrPost);
                            todo.push(Op::Term(tl));
                            break;
                        }
                        l = tl;
                    }
                    _ => {
                        if tl.is_cons() {
                            todo.push(Op::Term(tl));
                        } else {
                            todo.push(Op::CdrPost);
                            todo.push(Op::Term(tl));
                        }
                        todo.push(Op::Term(hd));
                        break;
                    }
                }
            }
        } else {
            match v.kind(t) {
                Some(Kind::Tuple) => {
                    let el = v.payload(t);
                    todo.push(Op::TupleEnd(el.len() as u32));
                    for e in el.iter().rev() {
                        todo.push(Op::Term(*e));
                    }
                }
                Some(Kind::Float) => {
                    let mut f = v.float(t).unwrap_or(0.0);
                    if f == 0.0 {
                        f = 0.0;
                    }
                    let b = f.to_bits();
                    h = h
                        .wrapping_mul(FN6)
                        .wrapping_add((b as u32) ^ ((b >> 32) as u32));
                }
                Some(Kind::PosBig | Kind::NegBig) => {
                    let mag: Vec<u64> = v.payload(t).iter().map(|w| w.0).collect();
                    h = magnitude_bytes(h, &mag, FN2);
                    h = h.wrapping_mul(if v.kind(t) == Some(Kind::NegBig) {
                        FN4
                    } else {
                        FN3
                    });
                }
                Some(Kind::BinRef) => {
                    if let Some(b) = v.binary(t) {
                        let bytes = b.to_vec();
                        let whole = b.bit_len / 8;
                        let rest = b.bit_len % 8;
                        for &c in &bytes[..whole] {
                            h = h.wrapping_mul(FN1).wrapping_add(c as u32);
                        }
                        if rest > 0 {
                            let last = (bytes[whole] >> (8 - rest)) as u32;
                            h = h
                                .wrapping_mul(FN1)
                                .wrapping_add(last)
                                .wrapping_mul(FN12)
                                .wrapping_add(rest as u32);
                        }
                        h = h.wrapping_mul(FN4).wrapping_add(whole as u32);
                    }
                }
                Some(Kind::Fun) => {
                    let p = v.payload(t);
                    let (mname, index, uniq) = fun_identity(code, atoms, p[0]);
                    h = h.wrapping_mul(FN10).wrapping_add((p.len() - 1) as u32);
                    h = h.wrapping_mul(FN1).wrapping_add(atom_hash(mname));
                    h = h.wrapping_mul(FN2).wrapping_add(index);
                    h = h.wrapping_mul(FN2).wrapping_add(uniq);
                    for e in p[1..].iter().rev() {
                        todo.push(Op::Term(*e));
                    }
                }
                Some(Kind::Export) => {
                    let p = v.payload(t);
                    h = h.wrapping_mul(FN11).wrapping_add(p[2].small_value() as u32);
                    h = h
                        .wrapping_mul(FN1)
                        .wrapping_add(atom_hash(atoms.name(p[0])));
                    h = h
                        .wrapping_mul(FN1)
                        .wrapping_add(atom_hash(atoms.name(p[1])));
                }
                Some(Kind::Ref) => {
                    let n = v.payload(t)[0].0 as u32;
                    h = step_u32(h, n, FN9).wrapping_mul(FN10);
                }
                Some(Kind::Map | Kind::TreeMap) => {
                    h = h
                        .wrapping_mul(FN13)
                        .wrapping_add(FN14)
                        .wrapping_add(phash2(v, atoms, code, t));
                }
                _ => {}
            }
        }
    }
    h
}

enum Op2 {
    Term(Term),
    /// The elements of a tuple from this index on (pushed one at a time, so that a wide
    /// tuple does not fill the stack).
    TupleRest(Term, usize),
    /// End of one key/value pair of a map.
    Pair,
    /// End of a map: restore the outer state.
    MapTail {
        hash: u32,
        xor: u32,
    },
}

/// `make_hash2`: the value behind `erlang:phash2/1,2`.
pub fn phash2(v: &View, atoms: &AtomTable, code: &Code, t: Term) -> u32 {
    let mut h = Hash2::new(atoms, t);
    h.run(v, atoms, code, usize::MAX);
    h.h
}

/// A `phash2` in progress, which can stop after a number of steps and go on later (the
/// BIF yields between slices, as erl's does): the hash so far and the work left, a stack.
pub struct Hash2 {
    /// The hash so far.
    pub h: u32,
    /// The XOR of the hashes of the pairs of the map being hashed.
    pub xor_pairs: u32,
    todo: Vec<Op2>,
}

/// What a paused [`Hash2`] still has to hash, for keeping as terms between slices: each item
/// a (kind, term) pair, oldest first: kind -1 is a term, kind `i >= 0` the elements of a
/// tuple from index `i` on.
pub type Pending = Vec<(i64, Term)>;

impl Hash2 {
    /// The hash of `t`, not started. (An atom at the top takes erl's short path: done.)
    pub fn new(atoms: &AtomTable, t: Term) -> Self {
        if t.is_atom() {
            return Hash2 {
                h: atom_hash(atoms.name(t)),
                xor_pairs: 0,
                todo: Vec::new(),
            };
        }
        Hash2 {
            h: 0,
            xor_pairs: 0,
            todo: alloc::vec![Op2::Term(t)],
        }
    }

    /// Goes on with `pending` (as [`Hash2::pending`] gave it) from hash `h` and `xor_pairs`.
    pub fn resume(h: u32, xor_pairs: u32, pending: &[(i64, Term)]) -> Self {
        let todo = pending
            .iter()
            .map(|&(kind, t)| match usize::try_from(kind) {
                Ok(i) => Op2::TupleRest(t, i),
                Err(_) => Op2::Term(t),
            })
            .collect();
        Hash2 { h, xor_pairs, todo }
    }

    /// Whether the hash is complete.
    pub fn done(&self) -> bool {
        self.todo.is_empty()
    }

    /// The work left as terms, when it can be kept so: not inside a map (whose pairs are
    /// hashed apart and combined at its end) and at most `most` items; else `None`.
    pub fn pending(&self, most: usize) -> Option<Pending> {
        if self.todo.len() > most {
            return None;
        }
        self.todo
            .iter()
            .map(|op| match op {
                Op2::Term(t) => Some((-1, *t)),
                Op2::TupleRest(t, i) => Some((*i as i64, *t)),
                Op2::Pair | Op2::MapTail { .. } => None,
            })
            .collect()
    }

    /// Hashes until done or until about `budget` terms (and bytes of byte lists) have been
    /// taken; returns the steps taken.
    pub fn run(&mut self, v: &View, atoms: &AtomTable, code: &Code, budget: usize) -> usize {
        let mut steps = 0usize;
        let Hash2 { h, xor_pairs, todo } = self;
        while steps < budget {
            let Some(op) = todo.pop() else { break };
            steps += 1;
            let t = match op {
                Op2::Pair => {
                    *xor_pairs ^= *h;
                    *h = 0;
                    continue;
                }
                Op2::MapTail { hash, xor } => {
                    let inner = *xor_pairs;
                    *h = hash2_step(hash, inner, 0, HCONST_19);
                    *xor_pairs = xor;
                    continue;
                }
                Op2::TupleRest(t, i) => {
                    let el = v.payload(t);
                    if let Some(&e) = el.get(i) {
                        if i + 1 < el.len() {
                            todo.push(Op2::TupleRest(t, i + 1));
                        }
                        todo.push(Op2::Term(e));
                    }
                    continue;
                }
                Op2::Term(t) => t,
            };
            if let Some(n) = t.as_small() {
                if (-(1 << 27)..(1 << 27)).contains(&n) {
                    let y = n as i32;
                    if y < 0 {
                        *h = hash2_step(*h, y.unsigned_abs(), 0, HCONST);
                    }
                    *h = hash2_step(*h, y as u32, 0, HCONST);
                } else {
                    let (con, mag) = if n < 0 {
                        (HCONST_10, n.unsigned_abs())
                    } else {
                        (HCONST_11, n as u64)
                    };
                    *h = hash2_step(*h, mag as u32, (mag >> 32) as u32, con);
                }
            } else if t.is_nil() {
                *h = if *h == 0 {
                    3_468_870_702
                } else {
                    hash2_step(*h, NIL_DEF, 0, HCONST_2)
                };
            } else if t.is_atom() {
                let a = atom_hash(atoms.name(t));
                *h = if *h == 0 {
                    a
                } else {
                    hash2_step(*h, a, 0, HCONST_3)
                };
            } else if t.is_pid() {
                *h = hash2_step(*h, t.pid_parts().0, 0, HCONST_5);
            } else if t.is_cons() {
                // A run of bytes is hashed four at a time; a run cut where its four-byte
                // group is complete goes on as the rest of the list, the same hash.
                let mut c = 0u32;
                let mut sh = 0u32;
                let mut l = t;
                let mut last = None;
                let mut cut = false;
                loop {
                    let (hd, tl) = v.cons(l);
                    match hd.as_small() {
                        Some(b) if (0..=255).contains(&b) => {
                            sh = (sh << 8).wrapping_add(b as u32);
                            steps += 1;
                            if c == 3 {
                                *h = hash2_step(*h, sh, 0, HCONST_4);
                                c = 0;
                                sh = 0;
                            } else {
                                c += 1;
                            }
                            if !tl.is_cons() {
                                last = Some(tl);
                                break;
                            }
                            l = tl;
                            if c == 0 && steps >= budget {
                                cut = true;
                                break;
                            }
                        }
                        _ => break,
                    }
                }
                if cut {
                    todo.push(Op2::Term(l));
                    continue;
                }
                if c > 0 {
                    *h = hash2_step(*h, sh, 0, HCONST_4);
                }
                match last {
                    Some(tail) => todo.push(Op2::Term(tail)),
                    None => {
                        let (hd, tl) = v.cons(l);
                        todo.push(Op2::Term(tl));
                        todo.push(Op2::Term(hd));
                    }
                }
            } else {
                match v.kind(t) {
                    Some(Kind::Tuple) => {
                        let el = v.payload(t);
                        *h = hash2_step(*h, el.len() as u32, 0, HCONST_9);
                        if !el.is_empty() {
                            todo.push(Op2::TupleRest(t, 0));
                        }
                    }
                    Some(Kind::Map | Kind::TreeMap) => {
                        let entries = v.map_entries(t).unwrap_or_default();
                        steps += entries.len();
                        *h = hash2_step(*h, entries.len() as u32, 0, HCONST_16);
                        if !entries.is_empty() {
                            todo.push(Op2::MapTail {
                                hash: *h,
                                xor: *xor_pairs,
                            });
                            *h = 0;
                            *xor_pairs = 0;
                            for (k, x) in entries.into_iter().rev() {
                                todo.push(Op2::Pair);
                                todo.push(Op2::Term(x));
                                todo.push(Op2::Term(k));
                            }
                        }
                    }
                    Some(Kind::Float) => {
                        let mut f = v.float(t).unwrap_or(0.0);
                        if f == 0.0 {
                            f = 0.0;
                        }
                        let b = f.to_bits();
                        *h = hash2_step(*h, (b >> 32) as u32, b as u32, HCONST_12);
                    }
                    Some(Kind::PosBig | Kind::NegBig) => {
                        let con = if v.kind(t) == Some(Kind::NegBig) {
                            HCONST_10
                        } else {
                            HCONST_11
                        };
                        for w in v.payload(t) {
                            *h = hash2_step(*h, w.0 as u32, (w.0 >> 32) as u32, con);
                        }
                    }
                    Some(Kind::BinRef) => {
                        if let Some(b) = v.binary(t) {
                            steps += b.bit_len / 64;
                            *h = bitstring_hash(*h, &b.to_vec(), b.bit_len);
                        }
                    }
                    Some(Kind::Fun) => {
                        let p = v.payload(t);
                        let (mname, index, uniq) = fun_identity(code, atoms, p[0]);
                        *h = hash2_step(*h, (p.len() - 1) as u32, atom_hash(mname), HCONST);
                        *h = hash2_step(*h, index, uniq, HCONST);
                        for e in p[1..].iter().rev() {
                            todo.push(Op2::Term(*e));
                        }
                    }
                    Some(Kind::Export) => {
                        let p = v.payload(t);
                        *h = hash2_step(
                            *h,
                            p[2].small_value() as u32,
                            atom_hash(atoms.name(p[0])),
                            HCONST,
                        );
                        *h = hash2_step(*h, atom_hash(atoms.name(p[1])), 0, HCONST_14);
                    }
                    Some(Kind::Ref) => {
                        *h = hash2_step(*h, v.payload(t)[0].0 as u32, 0, HCONST_7);
                    }
                    _ => {}
                }
            }
        }
        steps
    }
}

/// A local fun's module name, fun-table index and old uniq, which both hashes mix in.
fn fun_identity<'a>(code: &Code, atoms: &'a AtomTable, id: Term) -> (&'a str, u32, u32) {
    let (mi, li) = split_fun_id(id.small_value() as u64);
    match code.modules.get(mi as usize) {
        Some(m) => {
            let lam = m.lambdas.get(li as usize);
            (
                atoms.name(m.name),
                lam.map(|l| l.index).unwrap_or(li),
                lam.map(|l| l.old_uniq).unwrap_or(0),
            )
        }
        None => ("", li, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::heap::Heap;
    use crate::vm::literals::Literals;

    /// Hashes `t` a few steps at a time, keeping the work left as (kind, term) pairs between
    /// steps whenever it can, as the BIF does across its yields.
    fn in_steps(v: &View, atoms: &AtomTable, code: &Code, t: Term, budget: usize) -> u32 {
        let mut h = Hash2::new(atoms, t);
        while !h.done() {
            h.run(v, atoms, code, budget);
            if let Some(p) = h.pending(usize::MAX) {
                h = Hash2::resume(h.h, h.xor_pairs, &p);
            }
        }
        h.h
    }

    #[test]
    fn a_hash_taken_in_steps_is_the_hash_taken_at_once() {
        let lits = Literals::default();
        let mut atoms = AtomTable::new();
        let code = Code::default();
        let mut h = Heap::new();
        let a = atoms.intern("an_atom").unwrap();
        // Byte runs of every length around the four-byte groups, other integers, tuples
        // (empty, wide, nested), a map, floats, binaries and an improper tail.
        let mut items = Vec::new();
        for n in 0..12 {
            let bytes: Vec<Term> = (0..n).map(|i| Term::small(i * 37 % 256)).collect();
            items.push(h.list(&bytes));
        }
        let wide: Vec<Term> = (0..300).map(|i| Term::small(i * 1000)).collect();
        items.push(h.tuple(&wide));
        items.push(h.tuple(&[]));
        let inner = h.tuple(&[a, Term::small(-5)]);
        let pair = h.tuple(&[inner, Term::NIL]);
        items.push(pair);
        let k = h.list(&[Term::small(1), Term::small(2)]);
        let map = h.map_sorted(&[(Term::small(1), k), (a, pair)]);
        items.push(map);
        items.push(h.float(2.5));
        items.push(h.binary(b"some bytes".to_vec()));
        items.push(Term::small(1 << 40));
        let improper = h.cons(Term::small(7), a);
        items.push(improper);
        let whole = h.list(&items);
        let v = h.view(&lits);
        let want = phash2(&v, &atoms, &code, whole);
        for budget in [1, 2, 3, 5, 7, 64] {
            assert_eq!(in_steps(&v, &atoms, &code, whole, budget), want, "{budget}");
        }
        for &t in &items {
            let once = phash2(&v, &atoms, &code, t);
            assert_eq!(in_steps(&v, &atoms, &code, t, 1), once);
        }
    }
}
