//! Conversion between heap terms and [`ExtTerm`] trees (for persistent terms and outlets'
//! commands and messages; `term_to_binary/1` writes straight from the heap and
//! `binary_to_term/1` reads straight into it, see [`encode`](super::encode) and
//! [`decode`](super::decode)).

use alloc::string::String;
use alloc::vec::Vec;

use super::atom::AtomTable;
use super::code::{split_fun_id, Code};
use super::heap::{Heap, View};
use super::literals::{build, BuildError, Target};
use super::term::{Kind, Term};
use crate::etf::ExtTerm;

use super::encode::NODE;

/// Pending work of [`to_ext`].
enum Step {
    /// Convert this term and push the result.
    Term(Term),
    /// Pop `n` elements and make a tuple.
    Tuple(usize),
    /// Pop `n` elements and a tail and make a list.
    List(usize),
    /// Pop `n` elements and make a proper list.
    ProperList(usize),
    /// Pop `n` keys and values (interleaved) and make a map.
    Map(usize),
    /// Pop `n` free variables and make this fun (boxed: a step stays two words, which is
    /// what a deeply nested term's pending steps cost per level).
    Fun(alloc::boxed::Box<(ExtTerm, usize)>),
}

/// A term kept outside every heap in its external form (a persistent term): key, value and
/// the bytes charged to the node's memory for them.
#[derive(Debug)]
pub struct Stored {
    /// The key.
    pub key: ExtTerm,
    /// The value.
    pub value: ExtTerm,
    /// Bytes charged.
    pub bytes: usize,
    /// The key's hash (`erlang:phash2/1` of the key term).
    pub hash: u32,
}

/// An estimate, in bytes, of the memory [`to_ext`] and the encoder take for `t`, or `None`
/// as soon as it passes `limit`: a tree node per term (its slot in its parent's vector), and
/// per container (tuple, map, fun, list) its allocation, its share of the work lists and of
/// the stack of finished parts; copies of atom names, binaries and bignums; the encoding.
/// Shared subterms count once per occurrence, as the encoding repeats them. The walk keeps an
/// explicit stack of the pointers still to visit and follows a list's spine in a loop.
pub fn ext_cost(v: &View, atoms: &AtomTable, t: Term, limit: usize) -> Option<usize> {
    const NODE: usize = core::mem::size_of::<ExtTerm>();
    const CONTAINER: usize = 2 * NODE + 128;
    let mut total = 0usize;
    let mut todo: Vec<Term> = Vec::new();
    let mut next = Some(t);
    while let Some(t) = next.take().or_else(|| todo.pop()) {
        total = total.saturating_add(NODE);
        let mut visit = |x: Term, total: &mut usize| {
            if x.is_pointer() {
                todo.push(x);
            } else {
                *total = total.saturating_add(NODE);
            }
        };
        if t.is_atom() {
            total = total.saturating_add(atoms.name(t).len() + 16);
        } else if t.is_cons() {
            total = total.saturating_add(CONTAINER);
            let mut l = t;
            loop {
                let (h, tl) = v.cons(l);
                visit(h, &mut total);
                if !tl.is_cons() {
                    visit(tl, &mut total);
                    break;
                }
                total = total.saturating_add(NODE);
                if total > limit {
                    return None;
                }
                l = tl;
            }
        } else if t.is_boxed() {
            match v.kind(t) {
                Some(k) if k.payload_is_terms() => {
                    total = total.saturating_add(CONTAINER);
                    for &x in v.payload(t) {
                        visit(x, &mut total);
                    }
                }
                Some(Kind::BinRef | Kind::MatchCtx) => {
                    let bits = v.payload(t)[2].0 as usize;
                    total = total.saturating_add(bits / 4);
                }
                _ => total = total.saturating_add(16 * v.payload(t).len()),
            }
        }
        if total > limit {
            return None;
        }
    }
    Some(total)
}

#[cfg(test)]
const _: () = assert!(core::mem::size_of::<Step>() == 16);

/// Converts a term into an external-term tree. Nested terms are converted with an explicit
/// work list and a stack of finished parts, so depth costs heap, not native stack.
pub fn to_ext(v: &View, atoms: &AtomTable, code: &Code, t: Term) -> ExtTerm {
    // The usual message or command is a few small tuples deep: convert it directly, and
    // take the work list only for deeper or longer terms.
    if let Some(e) = to_ext_small(v, atoms, code, t, SMALL_DEPTH) {
        return e;
    }
    let mut work = alloc::vec![Step::Term(t)];
    let mut done: Vec<ExtTerm> = Vec::new();
    while let Some(step) = work.pop() {
        let t = match step {
            Step::Term(t) => t,
            Step::Tuple(n) => {
                let items = done.split_off(done.len() - n);
                done.push(ExtTerm::Tuple(items));
                continue;
            }
            Step::List(n) => {
                let tail = done.pop().unwrap_or_default();
                let items = done.split_off(done.len() - n);
                done.push(ExtTerm::List(items, alloc::boxed::Box::new(tail)));
                continue;
            }
            Step::ProperList(n) => {
                let items = done.split_off(done.len() - n);
                done.push(ExtTerm::List(items, alloc::boxed::Box::new(ExtTerm::Nil)));
                continue;
            }
            Step::Map(n) => {
                let flat = done.split_off(done.len() - 2 * n);
                let mut pairs = Vec::with_capacity(n);
                let mut it = flat.into_iter();
                while let (Some(k), Some(x)) = (it.next(), it.next()) {
                    pairs.push((k, x));
                }
                done.push(ExtTerm::Map(pairs));
                continue;
            }
            Step::Fun(pending) => {
                let (mut fun, n) = *pending;
                let items = done.split_off(done.len() - n);
                if let ExtTerm::LocalFun { free, .. } = &mut fun {
                    *free = items;
                }
                done.push(fun);
                continue;
            }
        };
        if t.is_cons() {
            let mut items = Vec::new();
            let mut l = t;
            while l.is_cons() {
                let (h, tl) = v.cons(l);
                items.push(h);
                l = tl;
            }
            if l.is_nil() {
                work.push(Step::ProperList(items.len()));
            } else {
                work.push(Step::List(items.len()));
                work.push(Step::Term(l));
            }
            work.extend(items.into_iter().rev().map(Step::Term));
            continue;
        }
        match v.kind(t) {
            Some(Kind::Tuple) => {
                let p = v.payload(t);
                work.push(Step::Tuple(p.len()));
                work.extend(p.iter().rev().map(|e| Step::Term(*e)));
            }
            Some(Kind::Map | Kind::TreeMap) => {
                let mut e = v.map_entries(t).unwrap_or_default();
                if v.map_is_hashed(t) {
                    // erl writes large maps in the order maps:to_list/1 gives.
                    e.reverse();
                }
                work.push(Step::Map(e.len()));
                for (k, x) in e.into_iter().rev() {
                    work.push(Step::Term(x));
                    work.push(Step::Term(k));
                }
            }
            Some(Kind::Fun) => {
                let p = v.payload(t);
                let fun = shallow(v, atoms, code, t);
                work.push(Step::Fun(alloc::boxed::Box::new((fun, p.len() - 1))));
                work.extend(p[1..].iter().rev().map(|e| Step::Term(*e)));
            }
            _ => done.push(shallow(v, atoms, code, t)),
        }
    }
    done.pop().unwrap_or_default()
}

/// How deep [`to_ext_small`] recurses before it leaves a term to the work list.
const SMALL_DEPTH: u32 = 4;

/// Converts tuples of at most 8 elements and leaves, recursing at most `depth` levels (a
/// bound, so no term can overflow the stack); `None` for anything else.
fn to_ext_small(v: &View, atoms: &AtomTable, code: &Code, t: Term, depth: u32) -> Option<ExtTerm> {
    if t.is_cons() {
        return None;
    }
    match v.kind(t) {
        Some(Kind::Tuple) if depth > 0 => {
            let p = v.payload(t);
            if p.len() > 8 {
                return None;
            }
            let mut items = Vec::with_capacity(p.len());
            for &e in p {
                items.push(to_ext_small(v, atoms, code, e, depth - 1)?);
            }
            Some(ExtTerm::Tuple(items))
        }
        Some(Kind::Tuple | Kind::Map | Kind::TreeMap | Kind::Fun) => None,
        _ => Some(shallow(v, atoms, code, t)),
    }
}

/// Converts a term that holds no other terms (for a fun: everything but its free variables).
fn shallow(v: &View, atoms: &AtomTable, code: &Code, t: Term) -> ExtTerm {
    if let Some(i) = t.as_small() {
        return ExtTerm::Integer(i);
    }
    if t.is_atom() {
        return ExtTerm::Atom(String::from(atoms.name(t)));
    }
    if t.is_nil() {
        return ExtTerm::Nil;
    }
    if t.is_pid() {
        let (id, serial) = t.pid_parts();
        return ExtTerm::Pid {
            node: String::from(NODE),
            id,
            serial,
            creation: 0,
        };
    }
    match v.kind(t) {
        Some(Kind::PosBig | Kind::NegBig) => ExtTerm::BigInteger(v.big(t).unwrap_or_default()),
        Some(Kind::Float) => ExtTerm::Float(v.float(t).unwrap_or(0.0)),
        Some(Kind::BinRef) => match v.binary(t) {
            Some(b) if b.bit_len.is_multiple_of(8) => ExtTerm::Binary(b.to_vec()),
            Some(b) => ExtTerm::BitBinary(b.to_vec(), (b.bit_len % 8) as u8),
            None => ExtTerm::Nil,
        },
        Some(Kind::Export) => {
            let p = v.payload(t);
            ExtTerm::ExportFun {
                module: String::from(atoms.name(p[0])),
                function: String::from(atoms.name(p[1])),
                arity: p[2].small_value() as u8,
            }
        }
        Some(Kind::Fun) => {
            let p = v.payload(t);
            let (mi, li) = split_fun_id(p[0].small_value() as u64);
            let m = &code.modules[mi as usize];
            let lam = m.lambdas[li as usize];
            ExtTerm::LocalFun {
                module: String::from(atoms.name(m.name)),
                arity: lam.arity as u8,
                uniq: [0; 16],
                index: lam.index,
                old_index: lam.index as i64,
                old_uniq: lam.old_uniq as i64,
                pid: alloc::boxed::Box::new(ExtTerm::Pid {
                    node: String::from(NODE),
                    id: 0,
                    serial: 0,
                    creation: 0,
                }),
                free: Vec::new(),
            }
        }
        Some(Kind::Ref) => {
            let n = v.payload(t)[0].0;
            ExtTerm::Reference {
                node: String::from(NODE),
                creation: 0,
                ids: alloc::vec![n as u32, (n >> 32) as u32, 0],
            }
        }
        Some(Kind::Tuple | Kind::Map | Kind::TreeMap | Kind::MatchCtx | Kind::MapNode) | None => {
            ExtTerm::Nil
        }
    }
}

/// Builds an external-term tree on a process heap.
pub fn from_ext(
    heap: &mut Heap,
    atoms: &mut AtomTable,
    code: &Code,
    ext: &ExtTerm,
) -> Result<Term, BuildError> {
    let first_bin = heap.bins.len();
    let mut t = Target {
        words: &mut heap.words,
        bins: &mut heap.bins,
        literal: false,
    };
    let _ = code;
    let r = build(&mut t, ext, atoms, &mut |_, _| None);
    heap.charge_bins_from(first_bin);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::compare::{compare, exact_eq, Mode};
    use crate::vm::copy::copy_term;
    use crate::vm::display::display;
    use crate::vm::literals::Literals;
    use crate::vm::phash::{phash, phash2};
    use core::cmp::Ordering;

    /// A million levels: far beyond what native recursion survives on a test thread's stack.
    const DEEP: usize = 1_000_000;

    /// `DEEP` levels of one-element lists, pairs and one-pair maps around `inner`.
    fn deep(h: &mut Heap, inner: Term) -> Term {
        let mut t = inner;
        for i in 0..DEEP {
            t = match i % 3 {
                0 => h.cons(t, Term::NIL),
                1 => h.tuple(&[Term::small(i as i64), t]),
                _ => h.map_sorted(&[(Term::small(1), t)]),
            };
        }
        t
    }

    #[test]
    fn deep_heap_terms_convert_compare_hash_copy_and_print() {
        let lits = Literals::default();
        let mut atoms = AtomTable::new();
        let code = Code::default();
        let x = atoms.intern("x").unwrap();
        let y = atoms.intern("y").unwrap();
        let mut h = Heap::new();
        let a = deep(&mut h, x);
        let b = deep(&mut h, y);

        let bytes = crate::etf::encode(&to_ext(&h.view(&lits), &atoms, &code, a));
        let ext = crate::etf::decode_with_depth(&bytes, usize::MAX).expect("decodes");
        let back = from_ext(&mut h, &mut atoms, &code, &ext).expect("builds");
        let v = h.view(&lits);
        assert!(exact_eq(&v, &atoms, a, back));
        assert_eq!(compare(&v, &atoms, a, b, Mode::Arith), Ordering::Less);
        assert_eq!(
            phash2(&v, &atoms, &code, a),
            phash2(&v, &atoms, &code, back)
        );
        assert_eq!(phash(&v, &atoms, &code, a), phash(&v, &atoms, &code, back));
        assert_ne!(phash2(&v, &atoms, &code, a), phash2(&v, &atoms, &code, b));
        let printed = display(&v, &atoms, &code, a);
        assert_eq!(printed.len(), display(&v, &atoms, &code, back).len());
        assert!(printed.starts_with(b"[#{1=>{"));

        let mut other = Heap::new();
        let copied = copy_term(&v, &mut other, a);
        let w = other.view(&lits);
        let again = crate::etf::encode(&to_ext(&w, &atoms, &code, copied));
        assert_eq!(again, bytes);
    }
}
