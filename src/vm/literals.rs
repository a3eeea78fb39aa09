//! The literal area and conversion of external terms ([`ExtTerm`]) into terms.
//!
//! Module literals are built once, when the module is loaded, into [`Literals`]: a word area
//! and binary buffers shared by every process. Pointers into it carry the literal bit, so the
//! collector leaves them alone and processes never copy them. The same builder puts terms on a
//! process heap for [`from_ext`](super::ext::from_ext).

use alloc::sync::Arc;
use alloc::vec::Vec;

use super::atom::AtomTable;
use super::compare::{compare, Mode};
use super::heap::{BinBuf, BinData, View, BIN_LITERAL};
use super::term::{header, Kind, Term, LITERAL_BIT};
use crate::etf::ExtTerm;

/// The shared literal area.
#[derive(Debug, Default)]
pub struct Literals {
    /// Literal words; pointers to them carry [`LITERAL_BIT`].
    pub words: Vec<Term>,
    /// Literal binary buffers; buffer words naming them carry [`BIN_LITERAL`].
    pub bins: Vec<BinBuf>,
}

/// Why an external term could not become a term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// An atom name was invalid or the table is full.
    Atom,
    /// A local fun whose module is not known here.
    UnknownFun,
    /// A map with the same key twice (erl refuses it too).
    DuplicateKey,
    /// A pid whose number or serial is too large for a local pid (erl refuses it too).
    Pid,
}

/// Where a term is being built.
pub struct Target<'a> {
    /// Words to append to.
    pub words: &'a mut Vec<Term>,
    /// Buffers to append to.
    pub bins: &'a mut Vec<BinBuf>,
    /// Whether pointers must carry the literal bit.
    pub literal: bool,
}

impl Literals {
    /// Adds a literal and returns the term pointing at it.
    pub fn insert(&mut self, ext: &ExtTerm, atoms: &mut AtomTable) -> Result<Term, BuildError> {
        let mut words = core::mem::take(&mut self.words);
        let mut bins = core::mem::take(&mut self.bins);
        let r = {
            let mut t = Target {
                words: &mut words,
                bins: &mut bins,
                literal: true,
            };
            build(&mut t, ext, atoms, &mut |_, _| None)
        };
        self.words = words;
        self.bins = bins;
        let t = r?;
        // Maps need their pairs sorted, which needs a view of the finished area.
        sort_maps(self, atoms, t);
        Ok(t)
    }
}

/// Resolves a local fun `(module name, index)` to a fun id, when the module is loaded.
pub type FunResolver<'r> = dyn FnMut(&str, u32) -> Option<u64> + 'r;

fn ptr(t: &Target, off: usize, cons: bool) -> Term {
    let p = if cons {
        Term::cons_ptr(off)
    } else {
        Term::boxed_ptr(off)
    };
    if t.literal {
        Term(p.0 | LITERAL_BIT)
    } else {
        p
    }
}

fn boxed(t: &mut Target, kind: Kind, payload: &[Term]) -> Term {
    let off = t.words.len();
    t.words.push(Term(header(kind, payload.len())));
    t.words.extend_from_slice(payload);
    ptr(t, off, false)
}

/// Pending work of [`build`].
enum Job<'e> {
    /// Build this term and push it.
    Visit(&'e ExtTerm),
    /// Pop `n` elements and make a tuple.
    Tuple(usize),
    /// Pop `n` elements and a tail and make a list.
    List(usize),
    /// Pop `n` keys and values (interleaved, in key order) and make a map.
    Map(usize),
    /// Pop `n` free variables and make the fun with this id.
    Fun(u64, usize),
}

/// Builds `ext` into `t`. Map pairs are sorted into map-key order as they are built.
///
/// Nested terms are built with an explicit work list, children before their container and
/// left to right, so depth costs heap rather than native stack.
pub fn build(
    t: &mut Target,
    ext: &ExtTerm,
    atoms: &mut AtomTable,
    funs: &mut FunResolver,
) -> Result<Term, BuildError> {
    if let Some(r) = build_small(t, ext, atoms, SMALL_DEPTH) {
        return r;
    }
    let mut work = alloc::vec![Job::Visit(ext)];
    let mut done: Vec<Term> = Vec::new();
    while let Some(job) = work.pop() {
        let ext = match job {
            Job::Visit(ext) => ext,
            Job::Tuple(n) => {
                let off = t.words.len();
                t.words.push(Term(header(Kind::Tuple, n)));
                t.words.extend(done.drain(done.len() - n..));
                let r = ptr(t, off, false);
                done.push(r);
                continue;
            }
            Job::List(n) => {
                let mut l = done.pop().unwrap_or(Term::NIL);
                for e in done.drain(done.len() - n..).rev() {
                    let off = t.words.len();
                    t.words.push(e);
                    t.words.push(l);
                    l = ptr(t, off, true);
                }
                done.push(l);
                continue;
            }
            Job::Map(n) => {
                let off = t.words.len();
                t.words.push(Term(header(Kind::Map, 2 * n)));
                t.words.extend(done.drain(done.len() - 2 * n..));
                let r = ptr(t, off, false);
                done.push(r);
                continue;
            }
            Job::Fun(id, n) => {
                let mut v = Vec::with_capacity(n + 1);
                v.push(Term::small(id as i64));
                v.extend(done.drain(done.len() - n..));
                let r = boxed(t, Kind::Fun, &v);
                done.push(r);
                continue;
            }
        };
        let leaf = match ext {
            ExtTerm::Tuple(elems) => {
                work.push(Job::Tuple(elems.len()));
                work.extend(elems.iter().rev().map(Job::Visit));
                continue;
            }
            ExtTerm::List(elems, tail) => {
                work.push(Job::List(elems.len()));
                work.push(Job::Visit(tail));
                work.extend(elems.iter().rev().map(Job::Visit));
                continue;
            }
            ExtTerm::Map(pairs) => {
                let mut sorted: Vec<&(ExtTerm, ExtTerm)> = pairs.iter().collect();
                crate::sort::sort_by(&mut sorted, |a, b| crate::etf::compare_keys(&a.0, &b.0));
                if sorted
                    .windows(2)
                    .any(|w| crate::etf::compare_keys(&w[0].0, &w[1].0).is_eq())
                {
                    return Err(BuildError::DuplicateKey);
                }
                work.push(Job::Map(pairs.len()));
                for (k, val) in sorted.into_iter().rev() {
                    work.push(Job::Visit(val));
                    work.push(Job::Visit(k));
                }
                continue;
            }
            ExtTerm::LocalFun {
                module,
                index,
                free,
                ..
            } => {
                let id = funs(module, *index).ok_or(BuildError::UnknownFun)?;
                work.push(Job::Fun(id, free.len()));
                work.extend(free.iter().rev().map(Job::Visit));
                continue;
            }
            _ => match build_leaf(t, ext, atoms)? {
                Some(leaf) => leaf,
                None => continue,
            },
        };
        done.push(leaf);
    }
    Ok(done.pop().unwrap_or(Term::NIL))
}

/// Builds a term that holds no other terms; `None` for a container.
fn build_leaf(
    t: &mut Target,
    ext: &ExtTerm,
    atoms: &mut AtomTable,
) -> Result<Option<Term>, BuildError> {
    Ok(Some(match ext {
        ExtTerm::Integer(i) => match Term::try_small(*i) {
            Some(s) => s,
            None => build_big(t, &num_bigint::BigInt::from(*i)),
        },
        ExtTerm::BigInteger(b) => {
            if let Some(s) = i64::try_from(b).ok().and_then(Term::try_small) {
                s
            } else {
                build_big(t, b)
            }
        }
        ExtTerm::Float(f) => boxed(t, Kind::Float, &[Term(f.to_bits())]),
        ExtTerm::Atom(name) => atoms.intern(name).map_err(|_| BuildError::Atom)?,
        ExtTerm::Nil => Term::NIL,
        ExtTerm::Binary(bytes) => build_bin(t, bytes.clone(), bytes.len() * 8),
        ExtTerm::BitBinary(bytes, bits) => {
            let len = bytes.len().saturating_sub(1) * 8 + *bits as usize;
            build_bin(t, bytes.clone(), len)
        }
        ExtTerm::Pid { id, serial, .. } => {
            Term::pid_from_parts(*id, *serial).ok_or(BuildError::Pid)?
        }
        ExtTerm::Port { id, .. } => Term::small((*id & 0xffff_ffff) as i64),
        ExtTerm::Reference { ids, .. } => {
            let mut n = 0u64;
            for (i, w) in ids.iter().take(2).enumerate() {
                n |= (*w as u64) << (32 * i);
            }
            boxed(t, Kind::Ref, &[Term(n)])
        }
        ExtTerm::ExportFun {
            module,
            function,
            arity,
        } => {
            let m = atoms.intern(module).map_err(|_| BuildError::Atom)?;
            let f = atoms.intern(function).map_err(|_| BuildError::Atom)?;
            boxed(t, Kind::Export, &[m, f, Term::small(*arity as i64)])
        }
        _ => return Ok(None),
    }))
}

/// How deep [`build_small`] recurses before it leaves a term to the work list.
const SMALL_DEPTH: u32 = 4;

/// Builds tuples of at most 8 elements and leaves directly, recursing at most `depth` levels
/// (a bound, so no term can overflow the stack); `None` for anything else, before building
/// any of it.
fn build_small(
    t: &mut Target,
    ext: &ExtTerm,
    atoms: &mut AtomTable,
    depth: u32,
) -> Option<Result<Term, BuildError>> {
    if !fits_small(ext, depth) {
        return None;
    }
    Some(build_fitting(t, ext, atoms))
}

/// Whether `ext` is made of tuples of at most 8 elements, at most `depth` deep, and leaves.
fn fits_small(ext: &ExtTerm, depth: u32) -> bool {
    match ext {
        ExtTerm::Tuple(elems) => {
            depth > 0 && elems.len() <= 8 && elems.iter().all(|e| fits_small(e, depth - 1))
        }
        ExtTerm::List(..) | ExtTerm::Map(..) | ExtTerm::LocalFun { .. } => false,
        _ => true,
    }
}

/// Builds a term [`fits_small`] accepted (children before their tuple, as the work list does).
fn build_fitting(t: &mut Target, ext: &ExtTerm, atoms: &mut AtomTable) -> Result<Term, BuildError> {
    match ext {
        ExtTerm::Tuple(elems) => {
            let mut items = [Term::NIL; 8];
            for (slot, e) in items.iter_mut().zip(elems) {
                *slot = build_fitting(t, e, atoms)?;
            }
            Ok(boxed(t, Kind::Tuple, &items[..elems.len()]))
        }
        _ => Ok(build_leaf(t, ext, atoms)?.unwrap_or(Term::NIL)),
    }
}

fn build_big(t: &mut Target, b: &num_bigint::BigInt) -> Term {
    let (sign, digits) = b.to_u64_digits();
    let kind = if sign == num_bigint::Sign::Minus {
        Kind::NegBig
    } else {
        Kind::PosBig
    };
    let v: Vec<Term> = digits.into_iter().map(Term).collect();
    boxed(t, kind, &v)
}

fn build_bin(t: &mut Target, bytes: Vec<u8>, bits: usize) -> Term {
    let idx = t.bins.len() as u64;
    t.bins.push(Arc::new(BinData::uncharged(bytes)));
    let word = (idx << 1) | if t.literal { BIN_LITERAL } else { 0 };
    boxed(t, Kind::BinRef, &[Term(word), Term(0), Term(bits as u64)])
}

/// Sorts the pairs of every map reachable from `root` in the literal area.
fn sort_maps(lits: &mut Literals, atoms: &AtomTable, root: Term) {
    let mut todo = alloc::vec![root];
    let mut maps = Vec::new();
    while let Some(t) = todo.pop() {
        let view = View {
            heap: &[],
            bins: &[],
            lits,
        };
        if t.is_cons() {
            let (h, tl) = view.cons(t);
            todo.push(h);
            todo.push(tl);
        } else if t.is_boxed() {
            match view.kind(t) {
                Some(Kind::Tuple | Kind::Fun) => todo.extend_from_slice(view.payload(t)),
                Some(Kind::Map) => {
                    todo.extend_from_slice(view.payload(t));
                    maps.push(t);
                }
                _ => {}
            }
        }
    }
    for m in maps {
        let sorted = {
            let view = View {
                heap: &[],
                bins: &[],
                lits,
            };
            let p = view.payload(m);
            let mut pairs: Vec<(Term, Term)> = p.chunks(2).map(|c| (c[0], c[1])).collect();
            crate::sort::sort_by(&mut pairs, |a, b| {
                compare(&view, atoms, a.0, b.0, Mode::MapKey)
            });
            pairs
        };
        let o = m.offset() + 1;
        for (i, (k, v)) in sorted.into_iter().enumerate() {
            lits.words[o + 2 * i] = k;
            lits.words[o + 2 * i + 1] = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use alloc::vec;

    #[test]
    fn literal_tuple_with_map() {
        let mut atoms = AtomTable::new();
        let mut lits = Literals::default();
        let ext = ExtTerm::Tuple(vec![
            ExtTerm::Atom(String::from("b")),
            ExtTerm::Map(vec![
                (ExtTerm::Atom(String::from("z")), ExtTerm::Integer(1)),
                (ExtTerm::Atom(String::from("a")), ExtTerm::Float(2.0)),
            ]),
        ]);
        let t = lits.insert(&ext, &mut atoms).unwrap();
        assert!(t.is_literal());
        let v = View {
            heap: &[],
            bins: &[],
            lits: &lits,
        };
        let e = v.tuple(t).unwrap();
        let pairs = v.map_pairs(e[1]).unwrap();
        assert_eq!(atoms.name(pairs[0]), "a");
        assert_eq!(v.float(pairs[1]), Some(2.0));
    }
}
