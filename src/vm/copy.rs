//! Copying a term from one heap to another (messages, spawn arguments, ETS-like stores).
//!
//! Literal-area pointers are shared, not copied; binary buffers are shared by reference count
//! (the destination heap gets its own handle); everything else is copied word for word, with
//! sharing inside the term preserved and no native recursion (a work list drives the copy).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::heap::{Heap, View, BIN_LITERAL};
use super::term::{header_kind, header_size, Kind, Term};

/// Copies `t` (readable through `src`) onto `dst`, returning the new term.
pub fn copy_term(src: &View, dst: &mut Heap, t: Term) -> Term {
    if !t.is_pointer() || t.is_literal() {
        return t;
    }
    // Old offset -> new term, so shared subterms stay shared; old buffer -> new buffer word.
    let mut moved: BTreeMap<(bool, usize), Term> = BTreeMap::new();
    let mut bufs: BTreeMap<u64, u64> = BTreeMap::new();
    // Slots in `dst.words` still holding source terms to translate.
    let mut fix: Vec<usize> = Vec::new();
    let root = copy_one(src, dst, t, &mut moved, &mut bufs, &mut fix);
    while let Some(slot) = fix.pop() {
        let old = dst.words[slot];
        let new = copy_one(src, dst, old, &mut moved, &mut bufs, &mut fix);
        dst.words[slot] = new;
    }
    root
}

/// Copies the outermost object of `t`; its term-valued fields are queued in `fix`.
fn copy_one(
    src: &View,
    dst: &mut Heap,
    t: Term,
    moved: &mut BTreeMap<(bool, usize), Term>,
    bufs: &mut BTreeMap<u64, u64>,
    fix: &mut Vec<usize>,
) -> Term {
    if !t.is_pointer() || t.is_literal() {
        return t;
    }
    let key = (t.is_cons(), t.offset());
    if let Some(&n) = moved.get(&key) {
        return n;
    }
    let area = src.area(t);
    let off = t.offset();
    let new = if t.is_cons() {
        let at = dst.words.len();
        dst.words.push(area[off]);
        dst.words.push(area[off + 1]);
        fix.push(at);
        fix.push(at + 1);
        Term::cons_ptr(at)
    } else {
        let h = area[off].0;
        let n = header_size(h);
        let at = dst.words.len();
        dst.words.extend_from_slice(&area[off..off + 1 + n]);
        match header_kind(h) {
            Some(k) if k.payload_is_terms() => fix.extend(at + 1..at + 1 + n),
            Some(Kind::BinRef | Kind::MatchCtx) => {
                let w = area[off + 1].0;
                let nw = if w & BIN_LITERAL != 0 {
                    w
                } else {
                    *bufs.entry(w).or_insert_with(|| {
                        let buf = src.bins[(w >> 1) as usize].clone();
                        let i = dst.bins.len() as u64;
                        dst.bins.push(buf);
                        i << 1
                    })
                };
                dst.words[at + 1] = Term(nw);
            }
            _ => {}
        }
        Term::boxed_ptr(at)
    };
    moved.insert(key, new);
    new
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::atom::AtomTable;
    use crate::vm::compare::exact_eq;
    use crate::vm::literals::Literals;

    #[test]
    fn copies_structure_shares_buffers_and_literals() {
        let lits = Literals::default();
        let atoms = AtomTable::new();
        let mut a = Heap::new();
        let f = a.float(2.5);
        let b = a.binary(alloc::vec![1, 2, 3]);
        let inner = a.tuple(&[f, b, Term::small(7)]);
        let l = a.list(&[inner, inner, Term::NIL]);
        let mut m = a.map_sorted(&[(Term::small(1), l)]);
        // Deep list to show no recursion limit.
        for _ in 0..100_000 {
            m = a.cons(m, Term::NIL);
        }
        let mut dst = Heap::new();
        let c = copy_term(&a.view(&lits), &mut dst, m);
        assert_eq!(dst.bins.len(), 1);
        assert!(alloc::sync::Arc::ptr_eq(&dst.bins[0], &a.bins[0]));
        // Equal terms across the two heaps: compare through a combined view of the copy.
        let v = dst.view(&lits);
        let mut x = c;
        for _ in 0..100_000 {
            x = v.cons(x).0;
        }
        let l2 = v.map_entries(x).unwrap()[0].1;
        let items = v.list_to_vec(l2).unwrap();
        assert_eq!(items[0], items[1], "sharing preserved");
        let t = v.tuple(items[0]).unwrap();
        assert_eq!(v.float(t[0]), Some(2.5));
        assert_eq!(v.binary(t[1]).unwrap().bytes(), Some(&[1u8, 2, 3][..]));
        assert!(exact_eq(&v, &atoms, t[2], Term::small(7)));
    }
}
