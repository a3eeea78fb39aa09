//! Stored objects: a term copied off a process heap into words of its own.
//!
//! An object is a heap fragment: the words [`copy_term`] wrote and the binary buffers they
//! name, with the root term. Literal-area pointers stay shared (literals are never freed), so
//! a stored constant costs nothing. Reading an object back is one more `copy_term`, onto the
//! reader's heap.

use alloc::boxed::Box;

use crate::vm::copy::copy_term;
use crate::vm::heap::{BinBuf, Heap, View};
use crate::vm::literals::Literals;
use crate::vm::term::{Kind, Term};

/// A term stored outside every process heap.
#[derive(Debug)]
pub struct Object {
    words: Box<[Term]>,
    bins: Box<[BinBuf]>,
    root: Term,
}

impl Object {
    /// Copies `t`, read through `v`.
    pub fn new(v: &View, t: Term) -> Object {
        let mut h = Heap::fragment();
        let root = copy_term(v, &mut h, t);
        Object {
            words: core::mem::take(&mut h.words).into_boxed_slice(),
            bins: core::mem::take(&mut h.bins).into_boxed_slice(),
            root,
        }
    }

    /// A reader over the object.
    pub fn view<'a>(&'a self, lits: &'a Literals) -> View<'a> {
        View {
            heap: &self.words,
            bins: &self.bins,
            lits,
        }
    }

    /// The stored term (read it through [`Object::view`]).
    pub fn root(&self) -> Term {
        self.root
    }

    /// Copies the object onto `heap`.
    pub fn copy_to(&self, lits: &Literals, heap: &mut Heap) -> Term {
        copy_term(&self.view(lits), heap, self.root)
    }

    /// Element `i` (0-based) of a stored tuple, still in the object's words.
    pub fn element(&self, lits: &Literals, i: usize) -> Option<Term> {
        self.view(lits).tuple(self.root)?.get(i).copied()
    }

    /// Words of memory the object takes (its own words plus a small fixed overhead).
    pub fn memory_words(&self) -> usize {
        self.words.len() + 4
    }
}

/// Whether `a` (read through `va`) and `b` (through `vb`) are exactly equal (`=:=`).
pub fn same(va: &View, a: Term, vb: &View, b: Term) -> bool {
    if a.is_immediate() || b.is_immediate() {
        return a == b;
    }
    if a.is_cons() != b.is_cons() {
        return false;
    }
    if a.is_cons() {
        let (mut x, mut y) = (a, b);
        while x.is_cons() && y.is_cons() {
            let (hx, tx) = va.cons(x);
            let (hy, ty) = vb.cons(y);
            if !same(va, hx, vb, hy) {
                return false;
            }
            x = tx;
            y = ty;
        }
        return same(va, x, vb, y);
    }
    let (ka, kb) = (va.kind(a), vb.kind(b));
    match (ka, kb) {
        (Some(Kind::Tuple), Some(Kind::Tuple))
        | (Some(Kind::Fun), Some(Kind::Fun))
        | (Some(Kind::Export), Some(Kind::Export)) => {
            let (pa, pb) = (va.payload(a), vb.payload(b));
            pa.len() == pb.len() && pa.iter().zip(pb).all(|(x, y)| same(va, *x, vb, *y))
        }
        (Some(Kind::Float), Some(Kind::Float)) => va.float(a) == vb.float(b),
        (Some(Kind::PosBig | Kind::NegBig), Some(Kind::PosBig | Kind::NegBig)) => {
            va.big(a) == vb.big(b)
        }
        (Some(Kind::Ref), Some(Kind::Ref)) => va.payload(a)[0] == vb.payload(b)[0],
        (Some(Kind::BinRef), Some(Kind::BinRef)) => match (va.binary(a), vb.binary(b)) {
            (Some(x), Some(y)) => x.bit_len == y.bit_len && x.to_vec() == y.to_vec(),
            _ => false,
        },
        (Some(Kind::Map | Kind::TreeMap), Some(Kind::Map | Kind::TreeMap)) => {
            match (va.map_entries(a), vb.map_entries(b)) {
                (Some(x), Some(y)) => {
                    x.len() == y.len()
                        && x.iter()
                            .zip(y.iter())
                            .all(|(p, q)| same(va, p.0, vb, q.0) && same(va, p.1, vb, q.1))
                }
                _ => false,
            }
        }
        _ => false,
    }
}
