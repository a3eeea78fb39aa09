//! The direct decoder against the tree path it replaces (`from_ext` of the decoded tree):
//! the same terms, in the same representation, for generated encodings of every kind, and
//! the same refusals for cut and mutated ones, with and without `safe`.

use alloc::vec::Vec;

use super::*;
use crate::etf::ExtTerm;
use crate::vm::code::Code;
use crate::vm::encode::tests::{Rng, World};
use crate::vm::encode::{encode as encode_term, encoded_size};
use crate::vm::ext::from_ext;
use crate::vm::memory::NodeMemory;

/// Whether every atom `ext` names exists (the tree path's `safe`).
fn atoms_exist(atoms: &AtomTable, ext: &ExtTerm) -> bool {
    let mut names: Vec<&str> = Vec::new();
    let mut work = alloc::vec![ext];
    while let Some(t) = work.pop() {
        match t {
            ExtTerm::Atom(name) => names.push(name),
            ExtTerm::Tuple(items) => work.extend(items),
            ExtTerm::List(items, tail) => {
                work.extend(items);
                work.push(tail);
            }
            ExtTerm::Map(pairs) => work.extend(pairs.iter().flat_map(|(k, v)| [k, v])),
            ExtTerm::Pid { node, .. }
            | ExtTerm::Port { node, .. }
            | ExtTerm::Reference { node, .. } => names.push(node),
            ExtTerm::ExportFun {
                module, function, ..
            } => names.extend([module.as_str(), function.as_str()]),
            ExtTerm::LocalFun {
                module, pid, free, ..
            } => {
                names.push(module);
                work.push(pid);
                work.extend(free);
            }
            _ => {}
        }
    }
    names.iter().all(|n| atoms.lookup(n).is_some())
}

/// The tree path, as `binary_to_term` took it.
fn old_path(
    heap: &mut Heap,
    atoms: &mut AtomTable,
    code: &Code,
    bytes: &[u8],
    safe: bool,
) -> Option<(Term, usize)> {
    let (ext, n) = crate::etf::decode_prefix_with_depth(bytes, usize::MAX).ok()?;
    if safe && !atoms_exist(atoms, &ext) {
        return None;
    }
    let t = from_ext(heap, atoms, code, &ext).ok()?;
    Some((t, n))
}

/// Whether `a` and `b` are the same term held the same way: same kinds, maps with their
/// pairs in the same order, floats with the same bits.
fn same(v: &View, a: Term, b: Term) -> bool {
    let mut todo = alloc::vec![(a, b)];
    while let Some((a, b)) = todo.pop() {
        if a.is_immediate() || b.is_immediate() {
            if a != b {
                return false;
            }
            continue;
        }
        if a.is_cons() != b.is_cons() {
            return false;
        }
        if a.is_cons() {
            let ((ha, ta), (hb, tb)) = (v.cons(a), v.cons(b));
            todo.push((ha, hb));
            todo.push((ta, tb));
            continue;
        }
        let kind = v.kind(a);
        if kind != v.kind(b) {
            return false;
        }
        let (pa, pb) = (v.payload(a), v.payload(b));
        if pa.len() != pb.len() {
            return false;
        }
        match kind {
            Some(Kind::BinRef) => {
                let (x, y) = (v.binary(a).unwrap(), v.binary(b).unwrap());
                if x.bit_len != y.bit_len || x.to_vec() != y.to_vec() {
                    return false;
                }
            }
            Some(k) if k.payload_is_terms() => {
                todo.extend(pa.iter().copied().zip(pb.iter().copied()))
            }
            _ => {
                if pa != pb {
                    return false;
                }
            }
        }
    }
    true
}

/// Decodes `bytes` both ways (with and without `safe`) and checks they agree.
fn agree(w: &mut World, bytes: &[u8]) -> bool {
    let mut ok = false;
    for safe in [true, false] {
        let before = w.heap.words.len();
        let new = decode(&mut w.heap, &mut w.atoms, &w.lits, &w.code, bytes, safe);
        if new.is_ok() && bytes.get(1) != Some(&tag::COMPRESSED) {
            let p = plan(bytes, 1, &w.atoms, safe, None).unwrap();
            assert_eq!(w.heap.words.len() - before, p.words, "words planned");
        }
        let old = old_path(&mut w.heap, &mut w.atoms, &w.code, bytes, safe);
        match (new, old) {
            (Ok((a, n)), Some((b, m))) => {
                assert_eq!(n, m, "bytes used");
                let v = w.heap.view(&w.lits);
                assert!(same(&v, a, b), "different terms from {bytes:?}");
                ok = true;
            }
            (Err(DecodeError::Invalid), None) => {}
            (new, old) => panic!("safe {safe}: {new:?} against {old:?} for {bytes:?}"),
        }
    }
    ok
}

#[test]
fn generated_terms_decode_as_the_tree_path_does() {
    let mut w = World::new();
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    let (mut decoded, mut mutated) = (0, 0);
    for round in 0..3000 {
        let mut made = Vec::new();
        let t = w.term(&mut r, 1 + round % 6, &mut made);
        let v = w.heap.view(&w.lits);
        let options = crate::etf::EncodeOptions {
            minor_version: (round % 3) as u8,
        };
        let size = encoded_size(&v, &w.atoms, &w.code, t, options, None);
        if !size.is_ok_and(|n| n < 1 << 16) {
            continue;
        }
        let mut bytes = encode_term(&v, &w.atoms, &w.code, t, options, None).unwrap();
        if agree(&mut w, &bytes) {
            decoded += 1;
        }
        // Trailing bytes are left alone.
        bytes.extend_from_slice(b"more");
        agree(&mut w, &bytes);
        bytes.truncate(bytes.len() - 4);
        // Cut short, and with a byte changed.
        let cut = r.below(bytes.len() as u64) as usize;
        agree(&mut w, &bytes[..cut]);
        for _ in 0..4 {
            let mut m = bytes.clone();
            let at = r.below(m.len() as u64) as usize;
            m[at] = match r.below(3) {
                0 => r.next() as u8,
                1 => m[at].wrapping_add(1),
                _ => m[at].wrapping_sub(1),
            };
            if agree(&mut w, &m) {
                mutated += 1;
            }
        }
        if round % 100 == 99 {
            w.heap = Heap::new();
        }
    }
    assert!(decoded > 1000, "{decoded} terms decoded");
    assert!(mutated > 100, "{mutated} mutated terms decoded");
}

/// `131` and a hand-written body.
fn term(body: &[u8]) -> Vec<u8> {
    let mut b = alloc::vec![VERSION];
    b.extend_from_slice(body);
    b
}

#[test]
fn edges_decode_as_the_tree_path_does() {
    let mut w = World::new();
    let node = [tag::SMALL_ATOM_UTF8, 3, b'n', b'@', b'h'];
    let pid = |id: u8| {
        let mut p = alloc::vec![tag::NEW_PID];
        p.extend_from_slice(&node);
        p.extend_from_slice(&[0, 0, 0, id, 0, 0, 0, 0, 0, 0, 0, 1]);
        p
    };
    let port = |id: u8, creation: u8| {
        let mut p = alloc::vec![tag::NEW_PORT];
        p.extend_from_slice(&node);
        p.extend_from_slice(&[0, 0, 0, id, 0, 0, 0, creation]);
        p
    };
    let mut cases: Vec<Vec<u8>> = alloc::vec![
        term(&[tag::NIL]),
        term(&[tag::LIST, 0, 0, 0, 0, tag::SMALL_INTEGER, 5]),
        term(&[
            tag::LIST,
            0,
            0,
            0,
            1,
            tag::NIL,
            tag::LIST,
            0,
            0,
            0,
            0,
            tag::NIL
        ]),
        term(&[tag::MAP, 0, 0, 0, 0]),
        term(&[tag::SMALL_TUPLE, 0]),
        term(&[tag::STRING, 0, 0]),
        term(&[tag::BIT_BINARY, 0, 0, 0, 0, 0]),
        term(&[tag::BIT_BINARY, 0, 0, 0, 1, 8, 0xff]),
        term(&[tag::BIT_BINARY, 0, 0, 0, 1, 3, 0xff]),
        term(&[tag::BIT_BINARY, 0, 0, 0, 1, 0, 0xff]),
        term(&[tag::BIT_BINARY, 0, 0, 0, 1, 9, 0xff]),
        term(&[tag::SMALL_BIG, 0, 1]),
        term(&[tag::SMALL_BIG, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0x80]),
        term(&[tag::SMALL_BIG, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0x80]),
        term(&[tag::SMALL_BIG, 9, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
        term(&[tag::SMALL_BIG, 2, 2, 1, 0]),
        term(&[tag::LARGE_BIG, 0, 0, 0, 9, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
        term(&[tag::NEW_FLOAT, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0]),
        term(&[tag::ATOM, 0, 2, 0xe9, b'a']),
        term(&[tag::ATOM_UTF8, 0, 2, 0xc3, 0x28]),
        term(&[tag::SMALL_ATOM, 3, b'n', b'e', b'w']),
        term(&[
            tag::EXPORT,
            tag::SMALL_ATOM,
            1,
            b'm',
            tag::SMALL_ATOM,
            1,
            b'f',
            tag::SMALL_INTEGER,
            2
        ]),
        term(&[
            tag::EXPORT,
            tag::SMALL_ATOM,
            1,
            b'm',
            tag::SMALL_ATOM,
            1,
            b'f',
            tag::INTEGER,
            2
        ]),
        // A key twice; 1 and 1.0 apart; 0.0 and -0.0 the same key.
        term(&[tag::MAP, 0, 0, 0, 2, tag::NIL, tag::NIL, tag::NIL, tag::NIL]),
        term(&[
            tag::MAP,
            0,
            0,
            0,
            2,
            tag::SMALL_INTEGER,
            1,
            tag::NIL,
            tag::NEW_FLOAT,
            0x3f,
            0xf0,
            0,
            0,
            0,
            0,
            0,
            0,
            tag::NIL,
        ]),
        term(&[
            tag::MAP,
            0,
            0,
            0,
            2,
            tag::NEW_FLOAT,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            tag::NIL,
            tag::NEW_FLOAT,
            0x80,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            tag::NIL,
        ]),
        // A fun: refused.
        term(&[tag::NEW_FUN, 0, 0, 0, 0]),
        term(&[tag::COMPRESSED, 0, 0, 0, 0]),
    ];
    // Pids, ports and references as keys: ordered in external form.
    let mut keys = alloc::vec![tag::MAP, 0, 0, 0, 4];
    for k in [pid(3), port(7, 1), port(7, 2), pid(2)] {
        keys.extend_from_slice(&k);
        keys.push(tag::NIL);
    }
    assert!(agree(&mut w, &term(&keys)), "foreign keys");
    let mut nested = alloc::vec![tag::MAP, 0, 0, 0, 2, tag::SMALL_TUPLE, 1];
    nested.extend_from_slice(&pid(9));
    nested.extend_from_slice(&[tag::NIL, tag::LIST, 0, 0, 0, 0, tag::SMALL_TUPLE, 1]);
    nested.extend_from_slice(&pid(1));
    nested.push(tag::NIL);
    cases.push(term(&nested));
    let mut big_pid = alloc::vec![tag::NEW_PID];
    big_pid.extend_from_slice(&node);
    big_pid.extend_from_slice(&[0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    cases.push(term(&big_pid));
    // A large map, flat, out of order.
    let mut large = alloc::vec![tag::MAP, 0, 0, 0x10, 0];
    for i in (0..4096u32).rev() {
        large.push(tag::INTEGER);
        large.extend_from_slice(&(i.wrapping_mul(2_654_435_761)).to_be_bytes());
        large.extend_from_slice(&[tag::SMALL_INTEGER, i as u8]);
    }
    assert!(agree(&mut w, &term(&large)), "a large map");
    // Small integer keys of every size and sign, in no order; then one repeated.
    let mut r = Rng(0x5851_f42d_4c95_7f2d);
    let mut ints = alloc::vec![tag::MAP, 0, 0, 0x04, 0];
    for i in 0..1024 {
        // Distinct: the low ten bits are `i`.
        let k = (((r.next() as i64) >> (15 + i % 48)) << 10) | i as i64;
        ints.push(tag::SMALL_BIG);
        ints.extend_from_slice(&[8, u8::from(k < 0)]);
        ints.extend_from_slice(&k.unsigned_abs().to_le_bytes());
        ints.extend_from_slice(&[tag::SMALL_INTEGER, i as u8]);
    }
    assert!(agree(&mut w, &term(&ints)), "integer keys");
    // The same integers first in pairs, and as floats.
    let mut pairs = alloc::vec![tag::MAP, 0, 0, 0x04, 0];
    let mut floats = pairs.clone();
    for (i, key) in ints[5..].chunks(13).enumerate() {
        let k = &key[..11];
        pairs.extend_from_slice(&[tag::SMALL_TUPLE, 2]);
        pairs.extend_from_slice(k);
        pairs.extend_from_slice(&[tag::NIL, tag::NIL]);
        let mut m = [0u8; 8];
        m.copy_from_slice(&k[3..]);
        let x = u64::from_le_bytes(m) as f64 * if k[2] == 1 { -1.0 } else { 1.0 } / 3.0;
        floats.push(tag::NEW_FLOAT);
        floats.extend_from_slice(&x.to_bits().to_be_bytes());
        floats.extend_from_slice(&[tag::SMALL_INTEGER, i as u8]);
    }
    assert!(agree(&mut w, &term(&pairs)), "pair keys");
    assert!(agree(&mut w, &term(&floats)), "float keys");
    let repeated = [tag::SMALL_BIG, 8, 1, 9, 0, 0, 0, 0, 0, 0, 0];
    ints[5..16].copy_from_slice(&repeated);
    ints[18..29].copy_from_slice(&repeated);
    assert!(!agree(&mut w, &term(&ints)), "a repeated key");
    for c in &cases {
        agree(&mut w, c);
    }
}

#[test]
fn compressed_terms_decode_as_the_tree_path_does() {
    let mut w = World::new();
    let mut r = Rng(0x1234_5678_9abc_def1);
    let mut checked = 0;
    for round in 0..200 {
        let mut made = Vec::new();
        let t = w.term(&mut r, 1 + round % 5, &mut made);
        let v = w.heap.view(&w.lits);
        let options = crate::etf::EncodeOptions::default();
        if !encoded_size(&v, &w.atoms, &w.code, t, options, None).is_ok_and(|n| n < 1 << 16) {
            continue;
        }
        let bytes = encode_term(&v, &w.atoms, &w.code, t, options, None).unwrap();
        let body = &bytes[1..];
        let mut s = crate::vm::zstream::Stream::detached();
        s.deflate_init(6, 15, 0, None).unwrap();
        let z = s
            .deflate(body, crate::vm::zstream::Flush::Finish, usize::MAX)
            .unwrap();
        let mut c = alloc::vec![VERSION, tag::COMPRESSED];
        c.extend_from_slice(&(body.len() as u32).to_be_bytes());
        c.extend_from_slice(&z);
        c.extend_from_slice(b"tail");
        if agree(&mut w, &c) {
            checked += 1;
        }
        // A size that is not the inflated one.
        let mut lie = c.clone();
        lie[5] ^= 1;
        agree(&mut w, &lie);
        agree(&mut w, &c[..c.len() - 6]);
    }
    assert!(checked > 50, "{checked}");
}

#[test]
fn ten_million_deep_lists_and_tuples_decode_without_recursion() {
    let mut w = World::new();
    let n = 10_000_000;
    let mut bytes = alloc::vec![VERSION];
    for i in 0..n {
        if i % 2 == 0 {
            bytes.extend_from_slice(&[tag::LIST, 0, 0, 0, 1]);
        } else {
            bytes.extend_from_slice(&[tag::SMALL_TUPLE, 1]);
        }
    }
    bytes.push(tag::NIL);
    bytes.extend(core::iter::repeat_n(tag::NIL, n / 2));
    let (t, used) = decode(&mut w.heap, &mut w.atoms, &w.lits, &w.code, &bytes, false).unwrap();
    assert_eq!(used, bytes.len());
    let v = w.heap.view(&w.lits);
    let mut x = t;
    for i in 0..n {
        x = if i % 2 == 0 {
            let (h, tl) = v.cons(x);
            assert_eq!(tl, Term::NIL);
            h
        } else {
            v.tuple(x).unwrap()[0]
        };
    }
    assert_eq!(x, Term::NIL);
}

#[test]
fn deep_terms_decode_as_the_tree_path_does() {
    let mut w = World::new();
    let mut t = Term::NIL;
    for i in 0..100_000 {
        t = match i % 4 {
            0 => w.heap.cons(t, Term::NIL),
            1 => w.heap.tuple(&[t, Term::small(i)]),
            2 => w.heap.map_sorted(&[(Term::small(1), t)]),
            _ => w.heap.cons(Term::small(i), t),
        };
    }
    let v = w.heap.view(&w.lits);
    let bytes = encode_term(&v, &w.atoms, &w.code, t, Default::default(), None).unwrap();
    assert!(agree(&mut w, &bytes));
}

#[test]
fn a_term_the_budget_cannot_hold_is_over_budget() {
    let mut w = World::new();
    let memory = NodeMemory::unlimited();
    w.heap.attach(&memory);
    // A list of a million one-byte binaries: 5 MiB of bytes, 40 MiB of heap and buffers.
    let mut bytes = alloc::vec![VERSION, tag::LIST];
    bytes.extend_from_slice(&1_000_000u32.to_be_bytes());
    for _ in 0..1_000_000 {
        bytes.extend_from_slice(&[tag::BINARY, 0, 0, 0, 1, 7]);
    }
    bytes.push(tag::NIL);
    memory.set_budget(memory.used() + (20 << 20));
    let r = decode(&mut w.heap, &mut w.atoms, &w.lits, &w.code, &bytes, false);
    assert!(matches!(r, Err(DecodeError::OverBudget(_))), "{r:?}");
    memory.set_budget(usize::MAX);
    let (t, _) = decode(&mut w.heap, &mut w.atoms, &w.lits, &w.code, &bytes, false).unwrap();
    assert_eq!(
        w.heap.view(&w.lits).list_to_vec(t).map(|l| l.len()),
        Some(1_000_000)
    );
    // A ten-million-deep list needs its stack: refused within a small budget.
    let mut deep = alloc::vec![VERSION];
    for _ in 0..10_000_000 {
        deep.extend_from_slice(&[tag::LIST, 0, 0, 0, 1]);
    }
    deep.extend(core::iter::repeat_n(tag::NIL, 10_000_001));
    memory.set_budget(memory.used() + (8 << 20));
    let r = decode(&mut w.heap, &mut w.atoms, &w.lits, &w.code, &deep, false);
    assert!(matches!(r, Err(DecodeError::OverBudget(_))), "{r:?}");
}

/// A map of `keys` (each valued its index) filled as `binary_to_term` fills a large one:
/// the heap index of its header.
fn filled_map(heap: &mut Heap, keys: &[Term]) -> usize {
    let (at, _) = start_map(heap, keys.len()).unwrap();
    for (i, &k) in keys.iter().enumerate() {
        heap.words[at + 1 + 2 * i] = k;
        heap.words[at + 2 + 2 * i] = Term::small(i as i64);
    }
    at
}

/// The values (the keys' indices in `keys`) of the map at `at`, in the order they are in.
fn values(heap: &Heap, at: usize, n: usize) -> Vec<Term> {
    heap.words[at + 2..at + 1 + 2 * n]
        .iter()
        .step_by(2)
        .copied()
        .collect()
}

/// The order the one-shot sort puts `keys` in, as their indices.
fn sorted_at_once(w: &mut World, keys: &[Term]) -> Result<Vec<Term>> {
    let at = filled_map(&mut w.heap, keys);
    sort_map(&mut w.heap, &w.atoms, &w.lits, &[], at, None)?;
    Ok(values(&w.heap, at, keys.len()))
}

/// The order the stepped sort puts `keys` in with `budget` a step (and a collection between
/// steps, which moves `keys` too), as their indices, and the steps it took.
fn sorted_in_steps(w: &mut World, keys: &mut [Term], budget: usize) -> (Result<Vec<Term>>, usize) {
    let mut map = Term::boxed_ptr(filled_map(&mut w.heap, keys));
    let mut sort = MapSort::new(keys.len(), None).unwrap();
    for steps in 1.. {
        let at = map.offset();
        match sort.step(&mut w.heap, &w.atoms, &w.lits, at, budget) {
            Ok(false) if steps % 16 != 0 => {}
            Ok(false) => {
                // Collections between steps move the map and its keys.
                let mut roots = [map];
                crate::vm::gc::collect(&mut w.heap, &mut [&mut roots[..], keys], 0).unwrap();
                map = roots[0];
            }
            Ok(true) => {
                return (Ok(values(&w.heap, at, keys.len())), steps);
            }
            Err(e) => return (Err(e), steps),
        }
    }
    unreachable!()
}

/// `{I, <<I:16>>}`, made anew.
fn tuple_key(heap: &mut Heap, i: u16) -> Term {
    let b = heap.binary(i.to_be_bytes().to_vec());
    heap.tuple(&[Term::small(i64::from(i)), b])
}

#[test]
fn the_stepped_map_sort_orders_keys_as_the_one_shot_sort_does() {
    let mut w = World::new();
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let mut many_steps = 0;
    for round in 0..120 {
        let n = [2, 15, 16, 17, 33, 100, 257, 400][round % 8];
        let mut keys: Vec<Term> = Vec::new();
        let mut made = Vec::new();
        while keys.len() < n {
            let i = r.below(1 << 12);
            let k = match r.below(5) {
                0 => tuple_key(&mut w.heap, i as u16),
                1 => Term::small(i as i64 - 2000),
                2 => w.heap.float(i as f64 - 2000.0),
                _ => w.term(&mut r, 1 + (round % 4) as u32, &mut made),
            };
            let v = w.heap.view(&w.lits);
            if keys
                .iter()
                .all(|&o| compare(&v, &w.atoms, o, k, Mode::MapKey).is_ne())
            {
                keys.push(k);
            }
        }
        let want = sorted_at_once(&mut w, &keys).unwrap();
        for budget in [1, 3, 40, usize::MAX] {
            let (got, steps) = sorted_in_steps(&mut w, &mut keys, budget);
            assert_eq!(got.unwrap(), want, "{n} keys, {budget} a step");
            if steps > 100 {
                many_steps += 1;
            }
        }
        if round % 20 == 19 {
            w.heap = Heap::new();
        }
    }
    assert!(many_steps > 50, "{many_steps} sorts of many steps");
}

#[test]
fn the_stepped_map_sort_refuses_a_repeated_key_wherever_it_is() {
    let mut w = World::new();
    let n = 300;
    for (p, q) in [
        (0, n - 1),
        (0, 1),
        (n - 1, n - 2),
        (5, 250),
        (150, 151),
        (299, 16),
    ] {
        let mut keys: Vec<Term> = (0..n as u16).map(|i| tuple_key(&mut w.heap, i)).collect();
        keys[p] = tuple_key(&mut w.heap, q as u16);
        assert_eq!(sorted_at_once(&mut w, &keys), Err(INVALID));
        for budget in [1, 5, 64, usize::MAX] {
            let (got, _) = sorted_in_steps(&mut w, &mut keys, budget);
            assert_eq!(got, Err(INVALID), "key {q} again at {p}, {budget} a step");
        }
    }
}
