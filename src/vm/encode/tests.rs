//! The direct encoder against the tree path it replaces: the same bytes for generated terms
//! of every kind, nested, shared and deep, with each `minor_version`.

use alloc::vec::Vec;

use super::*;
use crate::etf::encode_with;
use crate::vm::code::{LambdaInfo, LoadedModule};
use crate::vm::compare::{compare, Mode};
use crate::vm::ext::to_ext;
use crate::vm::heap::Heap;
use crate::vm::literals::Literals;
use num_bigint::BigInt;

/// A small deterministic generator (xorshift).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub(crate) struct World {
    pub(crate) lits: Literals,
    pub(crate) atoms: AtomTable,
    pub(crate) code: Code,
    pub(crate) heap: Heap,
    names: Vec<Term>,
}

impl World {
    pub(crate) fn new() -> Self {
        let mut atoms = AtomTable::new();
        let mut names = Vec::new();
        for n in ["a", "ok", "caf\u{e9}", "\u{3bb}x", "", "with space"] {
            names.push(atoms.intern(n).unwrap());
        }
        let long: alloc::string::String = core::iter::repeat_n('\u{3bb}', 200).collect();
        names.push(atoms.intern(&long).unwrap());
        let module = atoms.intern("m").unwrap();
        let mut code = Code::default();
        let lambda = |index, arity, num_free| LambdaInfo {
            entry: 0,
            arity,
            num_free,
            index,
            old_uniq: 0x1234_5678 + index,
        };
        code.modules.push(LoadedModule {
            name: module,
            code: Vec::new(),
            lines: Vec::new(),
            line_table: Vec::new(),
            functions: Vec::new(),
            lambdas: alloc::vec![lambda(0, 0, 0), lambda(1, 2, 3), lambda(300, 1, 1)],
            strings: Vec::new(),
            exports: Vec::new(),
            attributes: Term::NIL,
            on_load: None,
            md5: [0; 16],
        });
        World {
            lits: Literals::default(),
            atoms,
            code,
            heap: Heap::new(),
            names,
        }
    }

    /// A leaf term of some kind.
    fn leaf(&mut self, r: &mut Rng) -> Term {
        let h = &mut self.heap;
        match r.below(16) {
            0 => Term::small(r.below(256) as i64),
            1 => Term::small(r.next() as i64 >> (4 + r.below(60))),
            2 => {
                let bits = 60 + r.below(200);
                let mut b = BigInt::from(1) << bits;
                b += r.next();
                if r.below(2) == 0 {
                    b = -b;
                }
                h.bigint(&b)
            }
            3 => h.float(f64::from_bits(r.next() >> 2) * if r.below(2) == 0 { 1.0 } else { -1.0 }),
            4 => h.float([0.0, -0.0, 1.5, 1e300, 5e-324, 0.1][r.below(6) as usize]),
            5 => self.names[r.below(self.names.len() as u64) as usize],
            6 => Term::NIL,
            7 => {
                let n = r.below(40) as usize;
                h.binary((0..n).map(|i| i as u8 ^ 0x5a).collect())
            }
            8 => {
                let n = 1 + r.below(20) as usize;
                let bits = n * 8 - 1 - r.below(7) as usize;
                h.binary_bits((0..n).map(|_| r.next() as u8).collect(), bits)
            }
            9 => Term::pid_from_parts(r.below(1 << 15) as u32, r.below(8) as u32).unwrap(),
            10 => h.reference(r.next()),
            11 => {
                let f = self.names[r.below(3) as usize];
                h.export_fun(self.names[1], f, r.below(256) as u32)
            }
            12 => h.fun(0, &[]),
            13 => {
                // A bitstring that starts inside a byte (a sub-binary).
                let b = h.binary((0..9).map(|i| i as u8 * 31).collect());
                let (w, _, _) = h.view(&self.lits).bin_ref(b).unwrap();
                let len = r.below(64);
                let off = h.words.len();
                h.words.push(Term(crate::vm::term::header(Kind::BinRef, 3)));
                h.words.extend([Term(w), Term(3), Term(len)]);
                Term::boxed_ptr(off)
            }
            14 => Term::small(-(r.below(1 << 40) as i64)),
            _ => Term::small(
                [i32::MAX as i64, i32::MIN as i64, 1 << 31, -(1 << 31) - 1][r.below(4) as usize],
            ),
        }
    }

    /// A term of up to `depth` levels, drawing on `made` for shared subterms.
    pub(crate) fn term(&mut self, r: &mut Rng, depth: u32, made: &mut Vec<Term>) -> Term {
        if depth == 0 || r.below(4) == 0 {
            return self.leaf(r);
        }
        let t = match r.below(12) {
            0 if !made.is_empty() => made[r.below(made.len() as u64) as usize],
            0 | 1 => {
                let n = r.below(6) as usize;
                let items: Vec<Term> = (0..n).map(|_| self.term(r, depth - 1, made)).collect();
                self.heap.tuple(&items)
            }
            2 => {
                let n = r.below(6) as usize;
                let items: Vec<Term> = (0..n).map(|_| self.term(r, depth - 1, made)).collect();
                let tail = if r.below(3) == 0 {
                    self.leaf(r)
                } else {
                    Term::NIL
                };
                let mut l = tail;
                for &x in items.iter().rev() {
                    l = self.heap.cons(x, l);
                }
                l
            }
            3 => {
                // Bytes, sometimes with one that is not.
                let n = 1 + r.below(10) as usize;
                let mut items: Vec<Term> =
                    (0..n).map(|_| Term::small(r.below(256) as i64)).collect();
                if r.below(3) == 0 {
                    items[n / 2] = Term::small(256);
                }
                self.heap.list(&items)
            }
            4 | 5 => {
                let n = [0, 1, 3, 32, 33, 40, 100][r.below(7) as usize];
                self.map(r, n, depth, made)
            }
            6 => {
                let free: Vec<Term> = (0..3).map(|_| self.term(r, depth - 1, made)).collect();
                self.heap.fun(1, &free)
            }
            7 => {
                let x = self.term(r, depth - 1, made);
                self.heap.fun(2, &[x])
            }
            8 => {
                let n = 250 + r.below(10) as usize;
                let items: Vec<Term> = (0..n).map(|_| self.leaf(r)).collect();
                self.heap.tuple(&items)
            }
            _ => self.leaf(r),
        };
        made.push(t);
        t
    }

    /// A map of `n` pairs (keys of every kind, some of them containers); large ones held as
    /// a tree or, now and then, flat.
    fn map(&mut self, r: &mut Rng, n: usize, depth: u32, made: &mut Vec<Term>) -> Term {
        let mut pairs = Vec::new();
        for i in 0..n {
            let k = match i % 4 {
                0 => Term::small(i as i64),
                1 => self.leaf(r),
                2 => self.term(r, depth.saturating_sub(2), made),
                _ => self.heap.float(i as f64),
            };
            let x = self.term(r, depth - 1, made);
            pairs.push((k, x));
        }
        {
            let v = self.heap.view(&self.lits);
            crate::vm::map::normalize(&v, &self.atoms, &mut pairs);
        }
        if pairs.len() > 32 && r.below(3) == 0 {
            self.heap.map_sorted(&pairs)
        } else {
            crate::vm::bigmap::from_sorted(&mut self.heap, &self.lits, &pairs)
        }
    }

    fn check(&self, t: Term) {
        let v = self.heap.view(&self.lits);
        let ext = to_ext(&v, &self.atoms, &self.code, t);
        for minor in [0, 1, 2] {
            let options = EncodeOptions {
                minor_version: minor,
            };
            let old = encode_with(&ext, options);
            let new = encode(&v, &self.atoms, &self.code, t, options, None).unwrap();
            if new != old {
                let at = new.iter().zip(&old).take_while(|(a, b)| a == b).count();
                let from = at.saturating_sub(8);
                panic!(
                    "minor_version {minor}: {} bytes against {}, first difference at {at}: {:?} against {:?}",
                    new.len(),
                    old.len(),
                    &new[from..(at + 16).min(new.len())],
                    &old[from..(at + 16).min(old.len())]
                );
            }
            let size = encoded_size(&v, &self.atoms, &self.code, t, options, None);
            assert_eq!(size, Ok(old.len()));
        }
    }
}

#[test]
fn generated_terms_encode_as_the_tree_path_does() {
    let mut w = World::new();
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let mut checked = 0;
    for round in 0..3000 {
        let mut made = Vec::new();
        let t = w.term(&mut r, 1 + round % 6, &mut made);
        // Shared subterms can make a term's encoding huge; the tree path is slow on those.
        let v = w.heap.view(&w.lits);
        let size = encoded_size(&v, &w.atoms, &w.code, t, EncodeOptions::default(), None);
        if size.is_ok_and(|n| n < 1 << 18) {
            w.check(t);
            checked += 1;
        }
        if round % 100 == 99 {
            w.heap = Heap::new();
        }
    }
    assert!(checked > 2000, "{checked} terms checked");
}

#[test]
fn edges_encode_as_the_tree_path_does() {
    let mut w = World::new();
    let mut cases = Vec::new();
    let h = &mut w.heap;
    cases.push(h.tuple(&[]));
    cases.push(h.map_sorted(&[]));
    cases.push(h.binary(Vec::new()));
    cases.push(h.binary_bits(Vec::new(), 0));
    // Byte lists at and past STRING_EXT's limit, and one with an improper tail.
    for n in [65_535, 65_536] {
        let items: Vec<Term> = (0..n).map(|i| Term::small(i as i64 % 256)).collect();
        cases.push(h.list(&items));
    }
    let l = h.list(&[Term::small(1), Term::small(2)]);
    let mut improper = Term::small(3);
    for x in [2, 1] {
        improper = h.cons(Term::small(x), improper);
    }
    cases.push(improper);
    cases.push(h.cons(l, l));
    // A tuple past 255 elements, with the same list in every slot.
    let items = alloc::vec![l; 70_000];
    cases.push(h.tuple(&items));
    // Nested lists, tuples and maps a hundred thousand deep.
    let mut deep = Term::NIL;
    for i in 0..100_000 {
        deep = match i % 4 {
            0 => h.cons(deep, Term::NIL),
            1 => h.tuple(&[deep, Term::small(i)]),
            2 => h.map_sorted(&[(Term::small(1), deep)]),
            _ => h.cons(Term::small(i), deep),
        };
    }
    cases.push(deep);
    for &t in &cases {
        w.check(t);
    }
}

#[test]
fn large_maps_come_out_in_descending_tree_order() {
    let mut w = World::new();
    let pairs: Vec<(Term, Term)> = (0..1000)
        .map(|i| (Term::small(i), Term::small(-i)))
        .collect();
    let m = crate::vm::bigmap::from_sorted(&mut w.heap, &w.lits, &pairs);
    let v = w.heap.view(&w.lits);
    let mut all = v.map_entries(m).unwrap();
    all.reverse();
    for from in [0, 1, 500, 999] {
        let mut got = Vec::new();
        crate::vm::bigmap::descending(&v, m, from, |k, x| {
            got.push((k, x));
            got.len() < 10
        });
        let want: Vec<_> = all[999 - from..].iter().take(10).copied().collect();
        assert!(got == want, "from {from}");
    }
    w.check(m);
}

#[test]
fn ten_million_deep_lists_and_tuples_encode_without_recursion() {
    let w = World::new();
    let mut h = Heap::new();
    let mut t = Term::NIL;
    for i in 0..10_000_000 {
        t = if i % 2 == 0 {
            h.cons(t, Term::NIL)
        } else {
            h.tuple(&[t])
        };
    }
    let v = h.view(&w.lits);
    let bytes = encode(&v, &w.atoms, &w.code, t, EncodeOptions::default(), None).unwrap();
    assert_eq!(bytes.len(), 1 + 5_000_000 * (6 + 2) + 1);
    assert_eq!(
        &bytes[..8],
        &[VERSION, tag::SMALL_TUPLE, 1, tag::LIST, 0, 0, 0, 1]
    );
    let size = encoded_size(&v, &w.atoms, &w.code, t, EncodeOptions::default(), None);
    assert_eq!(size, Ok(bytes.len()));
}

#[test]
fn a_limit_stops_the_encoding_before_it_allocates() {
    let w = World::new();
    let mut h = Heap::new();
    let b = h.binary(alloc::vec![7; 100_000]);
    let items = alloc::vec![b; 10];
    let t = h.tuple(&items);
    let v = h.view(&w.lits);
    let options = EncodeOptions::default();
    let r = encode(&v, &w.atoms, &w.code, t, options, Some(500_000));
    assert!(matches!(r, Err(OverBudget { wanted }) if wanted > 500_000));
    let bytes = encode(&v, &w.atoms, &w.code, t, options, Some(2_000_000)).unwrap();
    assert_eq!(bytes.len(), 3 + 10 * 100_005);
    // Counting takes no buffer; a deep term's stack still counts against the limit.
    assert_eq!(
        encoded_size(&v, &w.atoms, &w.code, t, options, Some(2_000)),
        Ok(bytes.len())
    );
    let mut t = Term::NIL;
    for i in 0..100_000 {
        t = h.tuple(&[t, Term::small(i)]);
    }
    let v = h.view(&w.lits);
    assert!(encoded_size(&v, &w.atoms, &w.code, t, options, Some(100_000)).is_err());
    assert!(encoded_size(&v, &w.atoms, &w.code, t, options, Some(4_000_000)).is_ok());
}

#[test]
fn small_map_keys_are_held_in_the_order_they_are_written() {
    // The encoder writes small maps in their heap order; the tree path sorts the converted
    // keys. The generated maps check the two agree; this checks the heap order is map key
    // order for the kinds whose orders are defined apart (integers before floats).
    let mut w = World::new();
    let one = w.heap.float(1.0);
    let mut pairs = alloc::vec![(one, Term::NIL), (Term::small(2), Term::NIL)];
    let v = w.heap.view(&w.lits);
    crate::vm::map::normalize(&v, &w.atoms, &mut pairs);
    assert_eq!(
        compare(&v, &w.atoms, pairs[0].0, pairs[1].0, Mode::MapKey),
        core::cmp::Ordering::Less
    );
    assert_eq!(pairs[0].0, Term::small(2));
}
