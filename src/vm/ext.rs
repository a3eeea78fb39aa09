//! Conversion between heap terms and [`ExtTerm`] trees (for `term_to_binary/1` and
//! `binary_to_term/1`).

use alloc::string::String;
use alloc::vec::Vec;

use super::atom::AtomTable;
use super::code::{split_fun_id, Code};
use super::heap::{Heap, View};
use super::literals::{build, BuildError, Target};
use super::term::{Kind, Term};
use crate::etf::ExtTerm;

/// The node name every local pid, reference and fun reports.
const NODE: &str = "nonode@nohost";

/// Converts a term into an external-term tree.
pub fn to_ext(v: &View, atoms: &AtomTable, code: &Code, t: Term) -> ExtTerm {
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
        return ExtTerm::Pid {
            node: String::from(NODE),
            id: t.pid_number(),
            serial: 0,
            creation: 0,
        };
    }
    if t.is_cons() {
        let mut items = Vec::new();
        let mut l = t;
        while l.is_cons() {
            let (h, tl) = v.cons(l);
            items.push(to_ext(v, atoms, code, h));
            l = tl;
        }
        let tail = to_ext(v, atoms, code, l);
        return ExtTerm::List(items, alloc::boxed::Box::new(tail));
    }
    match v.kind(t) {
        Some(Kind::Tuple) => ExtTerm::Tuple(
            v.payload(t)
                .iter()
                .map(|e| to_ext(v, atoms, code, *e))
                .collect(),
        ),
        Some(Kind::PosBig | Kind::NegBig) => ExtTerm::BigInteger(v.big(t).unwrap_or_default()),
        Some(Kind::Float) => ExtTerm::Float(v.float(t).unwrap_or(0.0)),
        Some(Kind::BinRef) => match v.binary(t) {
            Some(b) if b.bit_len.is_multiple_of(8) => ExtTerm::Binary(b.to_vec()),
            Some(b) => ExtTerm::BitBinary(b.to_vec(), (b.bit_len % 8) as u8),
            None => ExtTerm::Nil,
        },
        Some(Kind::Map | Kind::TreeMap) => {
            let mut e = v.map_entries(t).unwrap_or_default();
            if v.map_is_hashed(t) {
                // erl writes large maps in the order maps:to_list/1 gives.
                e.reverse();
            }
            ExtTerm::Map(
                e.into_iter()
                    .map(|(k, x)| (to_ext(v, atoms, code, k), to_ext(v, atoms, code, x)))
                    .collect(),
            )
        }
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
                free: p[1..].iter().map(|e| to_ext(v, atoms, code, *e)).collect(),
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
        Some(Kind::MatchCtx | Kind::MapNode) | None => ExtTerm::Nil,
    }
}

/// Builds an external-term tree on a process heap.
pub fn from_ext(
    heap: &mut Heap,
    atoms: &mut AtomTable,
    code: &Code,
    ext: &ExtTerm,
) -> Result<Term, BuildError> {
    let mut t = Target {
        words: &mut heap.words,
        bins: &mut heap.bins,
        literal: false,
    };
    let _ = code;
    build(&mut t, ext, atoms, &mut |_, _| None)
}
