//! Key orders against the VM's own term order, and table semantics per type.

use alloc::vec::Vec;

use super::key::KeyTerm;
use super::object::Object;
use super::table::{Access, Table, TableKind, Tuning};
use crate::vm::atom::AtomTable;
use crate::vm::code::Code;
use crate::vm::compare::{compare, Mode};
use crate::vm::heap::Heap;
use crate::vm::literals::Literals;
use crate::vm::term::Term;

fn sample(h: &mut Heap, atoms: &mut AtomTable) -> Vec<Term> {
    let a = atoms.intern("apple").unwrap();
    let b = atoms.intern("banana").unwrap();
    let big = h.bigint(&(num_bigint::BigInt::from(1u64) << 80u32));
    let nbig = h.bigint(&-(num_bigint::BigInt::from(1u64) << 70u32));
    let f1 = h.float(1.0);
    let f2 = h.float(2.5);
    let f3 = h.float(-0.5);
    let t1 = h.tuple(&[a, Term::small(1)]);
    let t2 = h.tuple(&[Term::small(1)]);
    let s = h.string("str");
    let l = h.list_with_tail(&[a], b);
    let bin = h.binary(alloc::vec![1, 2, 3]);
    let bin2 = h.binary(alloc::vec![1, 2]);
    let r = h.reference(7);
    alloc::vec![
        Term::small(3),
        b,
        f2,
        big,
        Term::small(1),
        nbig,
        t1,
        Term::NIL,
        a,
        f1,
        s,
        l,
        bin,
        t2,
        bin2,
        Term::pid(80),
        r,
        f3,
        Term::small(-4),
    ]
}

#[test]
fn ordered_keys_follow_the_term_order() {
    let mut atoms = AtomTable::new();
    let lits = Literals::default();
    let code = Code::new(
        crate::vm::atom::INIT,
        crate::vm::atom::START_EM,
        crate::vm::atom::DO_BOOT,
    );
    let mut h = Heap::new();
    let terms = sample(&mut h, &mut atoms);
    let v = h.view(&lits);
    for &x in &terms {
        for &y in &terms {
            let kx = KeyTerm::from_term(&v, &atoms, &code, x, false);
            let ky = KeyTerm::from_term(&v, &atoms, &code, y, false);
            assert_eq!(
                kx.cmp(&ky),
                compare(&v, &atoms, x, y, Mode::Arith),
                "{kx:?} vs {ky:?}"
            );
            let ex = KeyTerm::from_term(&v, &atoms, &code, x, true);
            let ey = KeyTerm::from_term(&v, &atoms, &code, y, true);
            assert_eq!(
                ex.cmp(&ey).is_eq(),
                compare(&v, &atoms, x, y, Mode::MapKey).is_eq()
            );
        }
    }
}

#[test]
fn one_and_one_point_zero_are_one_key_only_when_ordered() {
    let atoms = AtomTable::new();
    let lits = Literals::default();
    let code = Code::new(
        crate::vm::atom::INIT,
        crate::vm::atom::START_EM,
        crate::vm::atom::DO_BOOT,
    );
    let mut h = Heap::new();
    let f = h.float(1.0);
    let v = h.view(&lits);
    let k = |t, exact| KeyTerm::from_term(&v, &atoms, &code, t, exact);
    assert_eq!(k(Term::small(1), false), k(f, false));
    assert_ne!(k(Term::small(1), true), k(f, true));
}

fn table(kind: TableKind) -> Table {
    Table::new(
        1,
        crate::vm::atom::OK,
        false,
        kind,
        1,
        Access::Protected,
        9,
        None,
        Tuning::default(),
    )
}

#[test]
fn bags_skip_identical_objects_and_keep_insertion_order() {
    let atoms = AtomTable::new();
    let lits = Literals::default();
    let code = Code::new(
        crate::vm::atom::INIT,
        crate::vm::atom::START_EM,
        crate::vm::atom::DO_BOOT,
    );
    for (kind, expect) in [
        (TableKind::Set, 1),
        (TableKind::OrderedSet, 1),
        (TableKind::Bag, 2),
        (TableKind::DuplicateBag, 3),
    ] {
        let mut t = table(kind);
        let mut h = Heap::new();
        let objs = [
            h.tuple(&[Term::small(5), Term::small(2)]),
            h.tuple(&[Term::small(5), Term::small(1)]),
            h.tuple(&[Term::small(5), Term::small(2)]),
        ];
        let v = h.view(&lits);
        for o in objs {
            let key = KeyTerm::from_term(&v, &atoms, &code, Term::small(5), kind.exact_keys());
            t.insert(&lits, key, Object::new(&v, o));
        }
        let key = KeyTerm::from_term(&v, &atoms, &code, Term::small(5), kind.exact_keys());
        assert_eq!(t.size(), expect, "{kind:?}");
        assert_eq!(t.get(&key).len(), expect, "{kind:?}");
        // A set keeps the last object, a bag the first of each.
        let first = t.get(&key)[0].element(&lits, 1);
        assert_eq!(first, Some(Term::small(2)));
        assert_eq!(t.remove(&key).len(), expect);
        assert_eq!(t.size(), 0);
    }
}

#[test]
fn a_million_keys() {
    let atoms = AtomTable::new();
    let lits = Literals::default();
    let code = Code::new(
        crate::vm::atom::INIT,
        crate::vm::atom::START_EM,
        crate::vm::atom::DO_BOOT,
    );
    let mut t = table(TableKind::Set);
    let mut h = Heap::new();
    for i in 0..1_000_000i64 {
        h.words.clear();
        let o = h.tuple(&[Term::small(i), Term::small(i * 2)]);
        let v = h.view(&lits);
        let key = KeyTerm::from_term(&v, &atoms, &code, Term::small(i), true);
        t.insert(&lits, key, Object::new(&v, o));
    }
    assert_eq!(t.size(), 1_000_000);
    for i in (0..1_000_000i64).step_by(7) {
        let o = &t.get(&KeyTerm::Int(i))[0];
        assert_eq!(o.element(&lits, 1), Some(Term::small(i * 2)));
    }
}

/// erl 25's `erts_debug:get_internal_state({internal_hash, T})` for these terms, which its
/// ETS uses to place every key but a top-level atom.
#[test]
fn key_hashes_match_erl() {
    use super::hashed::key_hash;
    use alloc::boxed::Box;
    use num_bigint::BigInt;
    let int = KeyTerm::Int;
    let nil = || Box::new(KeyTerm::Nil);
    let string = |s: &str| {
        KeyTerm::List(
            s.bytes().map(|b| KeyTerm::Int(b as i64)).collect(),
            Box::new(KeyTerm::Nil),
        )
    };
    let cases: [(KeyTerm, u32); 11] = [
        (KeyTerm::Map(Box::new([])), 4050418618),
        (KeyTerm::Map(Box::new([(int(1), int(2))])), 3344407571),
        (
            KeyTerm::Map(Box::new([(int(1), int(2)), (int(3), int(4))])),
            293805823,
        ),
        (
            KeyTerm::List(Box::new([int(1)]), Box::new(int(2))),
            813403020,
        ),
        (KeyTerm::List(Box::new([int(300)]), nil()), 3431643858),
        (string("abcde"), 513042836),
        (KeyTerm::ExactFloat(1.5), 1817557079),
        (KeyTerm::Big(Box::new(BigInt::from(1) << 70u32)), 1532645093),
        (
            KeyTerm::Big(Box::new(-(BigInt::from(1) << 70u32))),
            3667445918,
        ),
        (KeyTerm::Bits(Box::new([1, 2, 0x30]), 20), 4221112956),
        (KeyTerm::Tuple(Box::new([int(1), string("ab")])), 3599841945),
    ];
    for (k, want) in cases {
        assert_eq!(key_hash(&k), want, "{k:?}");
    }
}

/// A hashed table keeps every key findable and traverses each once as it grows bucket by
/// bucket past several segments and shrinks back.
#[test]
fn hashed_tables_grow_and_shrink() {
    use super::hashed::Hashed;
    let mut t: Hashed<i64> = Hashed::default();
    let n = 9000i64;
    for i in 0..n {
        t.insert_new(KeyTerm::Int(i * 31), i);
        t.grow(t.len());
    }
    assert_eq!(t.buckets(), n as usize);
    let mut seen: Vec<i64> = t.iter().into_iter().map(|(_, v)| *v).collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..n).collect::<Vec<_>>());
    for i in (0..n).filter(|i| i % 10 != 0) {
        assert_eq!(t.remove(&KeyTerm::Int(i * 31)), Some(i));
        t.shrink(t.len());
    }
    assert_eq!(t.len(), 900);
    assert!(t.buckets() < 4000, "{}", t.buckets());
    for i in 0..n {
        let want = (i % 10 == 0).then_some(i);
        assert_eq!(t.get(&KeyTerm::Int(i * 31)).copied(), want);
    }
    let mut walked = Vec::new();
    let mut at = t.first().map(|(k, _)| k.clone());
    while let Some(k) = at {
        walked.push(*t.get(&k).unwrap());
        at = t.next(&k).map(|(k, _)| k.clone());
    }
    let all: Vec<i64> = t.iter().into_iter().map(|(_, v)| *v).collect();
    assert_eq!(walked, all);
    t.retain(&mut |_, v| *v % 20 == 0);
    assert_eq!(t.len(), 450);
    assert!(t
        .iter()
        .into_iter()
        .all(|(k, v)| *k == KeyTerm::Int(v * 31)));
}
