//! Copying a term from one heap to another (messages, exit reasons, spawn arguments).
//!
//! Like erl, a copy does not preserve sharing inside the term: every reference to a subterm is
//! copied on its own. Pointers into the literal area stay as they are (literals are shared by
//! every process and never collected), binary buffers are shared by reference count, and the
//! walk is iterative (a Cheney scan over the copied words), so long lists and deep terms never
//! recurse in Rust.

use alloc::collections::BTreeMap;

use super::heap::{Heap, View, BIN_LITERAL};
use super::term::{header_kind, header_size, Kind, Term, TAG_HEADER};

/// Copies `t` (read through `src`) onto `dst`; returns the copy.
pub fn copy_term(src: &View, dst: &mut Heap, t: Term) -> Term {
    if !t.is_pointer() || t.is_literal() {
        return t;
    }
    let start = dst.words.len();
    let mut bins: BTreeMap<u64, u64> = BTreeMap::new();
    let root = evacuate(src, dst, t);
    let mut i = start;
    while i < dst.words.len() {
        let w = dst.words[i];
        if w.0 & 7 == TAG_HEADER {
            let n = header_size(w.0);
            match header_kind(w.0) {
                Some(k) if k.payload_is_terms() => {
                    for j in i + 1..i + 1 + n {
                        let e = dst.words[j];
                        dst.words[j] = evacuate(src, dst, e);
                    }
                }
                Some(Kind::BinRef | Kind::MatchCtx) => {
                    let word = dst.words[i + 1].0;
                    dst.words[i + 1] = Term(remap_bin(src, dst, &mut bins, word));
                }
                _ => {}
            }
            i += 1 + n;
        } else {
            // A cons cell: head and tail.
            let h = dst.words[i];
            dst.words[i] = evacuate(src, dst, h);
            let tl = dst.words[i + 1];
            dst.words[i + 1] = evacuate(src, dst, tl);
            i += 2;
        }
    }
    root
}

/// Copies the object `t` points to (shallowly) onto `dst`; its fields are fixed up later.
fn evacuate(src: &View, dst: &mut Heap, t: Term) -> Term {
    if !t.is_pointer() || t.is_literal() {
        return t;
    }
    let area = src.area(t);
    let off = t.offset();
    if t.is_cons() {
        let new = Term::cons_ptr(dst.words.len());
        dst.words.push(area[off]);
        dst.words.push(area[off + 1]);
        new
    } else {
        let n = header_size(area[off].0);
        let new = Term::boxed_ptr(dst.words.len());
        dst.words.extend_from_slice(&area[off..off + 1 + n]);
        new
    }
}

fn remap_bin(src: &View, dst: &mut Heap, map: &mut BTreeMap<u64, u64>, word: u64) -> u64 {
    if word & BIN_LITERAL != 0 {
        return word;
    }
    if let Some(&w) = map.get(&word) {
        return w;
    }
    let i = (word >> 1) as usize;
    let Some(buf) = src.bins.get(i) else {
        return word;
    };
    let new = (dst.bins.len() as u64) << 1;
    dst.bins.push(buf.clone());
    dst.bin_bytes += buf.len();
    map.insert(word, new);
    new
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::atom::{AtomTable, OK};
    use crate::vm::compare::exact_eq;
    use crate::vm::literals::Literals;

    #[test]
    fn copies_nested_terms_and_shares_binaries() {
        let lits = Literals::default();
        let atoms = AtomTable::new();
        let mut a = Heap::new();
        let f = a.float(2.5);
        let b = a.binary(alloc::vec![1, 2, 3]);
        let big = a.int(i64::MAX);
        let inner = a.tuple(&[OK, f, b, big]);
        let l = a.list(&[inner, Term::small(7), inner]);
        let m = crate::vm::map::from_pairs(&mut a, &lits, &atoms, alloc::vec![(OK, l)]);
        let mut dst = Heap::new();
        let _junk = dst.tuple(&[Term::small(1)]);
        let c = copy_term(&a.view(&lits), &mut dst, m);
        // Compare by copying back into the source heap and using term equality there.
        let back = copy_term(&dst.view(&lits), &mut a, c);
        assert!(exact_eq(&a.view(&lits), &atoms, m, back));
        assert_eq!(dst.bins.len(), 1, "one buffer, shared by both references");
    }

    #[test]
    fn long_lists_do_not_recurse() {
        let lits = Literals::default();
        let mut a = Heap::new();
        let items: alloc::vec::Vec<Term> = (0..200_000).map(Term::small).collect();
        let l = a.list(&items);
        let mut dst = Heap::new();
        let c = copy_term(&a.view(&lits), &mut dst, l);
        assert_eq!(dst.view(&lits).list_len(c), Some(200_000));
    }
}
