//! The external term format: Erlang's serialised terms, as found in `.beam` literal tables and
//! produced by `term_to_binary/1`.
//!
//! Decoding yields an [`ExtTerm`], an owned tree that lives outside any process heap. The loader
//! keeps literals in this form; the VM copies them onto a heap (or into a literal area) when a
//! module is loaded, and builds `ExtTerm`s back from heap terms for `term_to_binary/1`.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use num_bigint::BigInt;

mod decode;
mod encode;
mod error;
mod order;
#[cfg(test)]
mod tests;

pub use decode::{
    decode, decode_body, decode_body_at, decode_body_with_depth, decode_prefix,
    decode_prefix_with_depth, decode_with_depth, DEFAULT_MAX_DEPTH,
};
pub(crate) use decode::{inflate_term, MAX_INFLATE_RATIO};
pub use encode::{encode, encode_body, encode_with, EncodeOptions, FLATMAP_MAX_PAIRS};
pub use error::EtfError;
pub use order::{compare, compare_keys};

/// The version byte that starts every external term.
pub const VERSION: u8 = 131;

/// The tag bytes of the external term format.
pub mod tag {
    /// A zlib-compressed term: u32 uncompressed size, then the zlib stream.
    pub const COMPRESSED: u8 = 80;
    /// u8 integer.
    pub const SMALL_INTEGER: u8 = 97;
    /// i32 integer.
    pub const INTEGER: u8 = 98;
    /// Old float: 31 bytes of text.
    pub const FLOAT: u8 = 99;
    /// IEEE double, big-endian.
    pub const NEW_FLOAT: u8 = 70;
    /// Latin-1 atom, u16 length.
    pub const ATOM: u8 = 100;
    /// Latin-1 atom, u8 length.
    pub const SMALL_ATOM: u8 = 115;
    /// UTF-8 atom, u16 length.
    pub const ATOM_UTF8: u8 = 118;
    /// UTF-8 atom, u8 length.
    pub const SMALL_ATOM_UTF8: u8 = 119;
    /// Tuple, u8 arity.
    pub const SMALL_TUPLE: u8 = 104;
    /// Tuple, u32 arity.
    pub const LARGE_TUPLE: u8 = 105;
    /// The empty list.
    pub const NIL: u8 = 106;
    /// A proper list of bytes, u16 length.
    pub const STRING: u8 = 107;
    /// A list: u32 length, elements, tail.
    pub const LIST: u8 = 108;
    /// Binary, u32 length.
    pub const BINARY: u8 = 109;
    /// Bitstring: u32 length, u8 bits used in the last byte.
    pub const BIT_BINARY: u8 = 77;
    /// Big integer, u8 digit count.
    pub const SMALL_BIG: u8 = 110;
    /// Big integer, u32 digit count.
    pub const LARGE_BIG: u8 = 111;
    /// Map, u32 arity.
    pub const MAP: u8 = 116;
    /// Pid with u8 creation.
    pub const PID: u8 = 103;
    /// Pid with u32 creation.
    pub const NEW_PID: u8 = 88;
    /// Port with u8 creation.
    pub const PORT: u8 = 102;
    /// Port with u32 creation.
    pub const NEW_PORT: u8 = 89;
    /// Port with u64 number and u32 creation.
    pub const V4_PORT: u8 = 120;
    /// Reference with one word and u8 creation.
    pub const REFERENCE: u8 = 101;
    /// Reference with several words and u8 creation.
    pub const NEW_REFERENCE: u8 = 114;
    /// Reference with several words and u32 creation.
    pub const NEWER_REFERENCE: u8 = 90;
    /// `fun M:F/A`.
    pub const EXPORT: u8 = 113;
    /// A local fun with its environment.
    pub const NEW_FUN: u8 = 112;
}

/// A decoded Erlang term, independent of any heap.
///
/// Dropping, cloning and comparing with `==` walk nested terms with explicit work lists, so a
/// term nested millions deep needs no native recursion. (`Debug` output does recurse; it is
/// for diagnostics of small terms.)
#[derive(Debug, Default)]
pub enum ExtTerm {
    /// An integer that fits in an `i64` (SMALL_INTEGER_EXT, INTEGER_EXT, or a small big).
    Integer(i64),
    /// An integer outside the `i64` range (SMALL_BIG_EXT, LARGE_BIG_EXT).
    BigInteger(BigInt),
    /// NEW_FLOAT_EXT (or the old textual FLOAT_EXT).
    Float(f64),
    /// Any of the atom encodings; the name as UTF-8.
    Atom(String),
    /// SMALL_TUPLE_EXT, LARGE_TUPLE_EXT.
    Tuple(Vec<ExtTerm>),
    /// NIL_EXT: the empty list.
    #[default]
    Nil,
    /// LIST_EXT with its elements and tail (the tail is `Nil` for a proper list). STRING_EXT
    /// decodes to a proper list of small integers.
    List(Vec<ExtTerm>, Box<ExtTerm>),
    /// BINARY_EXT: a whole number of bytes.
    Binary(Vec<u8>),
    /// BIT_BINARY_EXT: `bits` (1..=8) significant bits in the last byte, high bits first.
    BitBinary(Vec<u8>, u8),
    /// MAP_EXT: key/value pairs in the order they were encoded.
    Map(Vec<(ExtTerm, ExtTerm)>),
    /// NEW_PID_EXT / PID_EXT.
    Pid {
        /// Node name atom.
        node: String,
        /// Process number.
        id: u32,
        /// Serial.
        serial: u32,
        /// Node incarnation.
        creation: u32,
    },
    /// V4_PORT_EXT / NEW_PORT_EXT / PORT_EXT.
    Port {
        /// Node name atom.
        node: String,
        /// Port number.
        id: u64,
        /// Node incarnation.
        creation: u32,
    },
    /// NEWER_REFERENCE_EXT / NEW_REFERENCE_EXT.
    Reference {
        /// Node name atom.
        node: String,
        /// Node incarnation.
        creation: u32,
        /// The reference words (1 to 5).
        ids: Vec<u32>,
    },
    /// EXPORT_EXT: `fun M:F/A`.
    ExportFun {
        /// Module name.
        module: String,
        /// Function name.
        function: String,
        /// Arity.
        arity: u8,
    },
    /// NEW_FUN_EXT: a local fun with its captured environment.
    LocalFun {
        /// Module name.
        module: String,
        /// Arity of the fun.
        arity: u8,
        /// MD5 of the module (uniq).
        uniq: [u8; 16],
        /// Index into the module's fun table.
        index: u32,
        /// Old index field.
        old_index: i64,
        /// Old uniq field.
        old_uniq: i64,
        /// Creator pid.
        pid: Box<ExtTerm>,
        /// Captured free variables.
        free: Vec<ExtTerm>,
    },
}

impl ExtTerm {
    /// Whether this term holds other terms.
    fn has_children(&self) -> bool {
        match self {
            ExtTerm::Tuple(items) => !items.is_empty(),
            ExtTerm::List(..) | ExtTerm::LocalFun { .. } => true,
            ExtTerm::Map(pairs) => !pairs.is_empty(),
            _ => false,
        }
    }

    /// Moves the nested terms that hold terms themselves onto `out`, leaving leaves in place.
    fn take_children(&mut self, out: &mut Vec<ExtTerm>) {
        let nested = |t: &mut ExtTerm, out: &mut Vec<ExtTerm>| {
            if t.has_children() {
                out.push(core::mem::take(t));
            }
        };
        match self {
            ExtTerm::Tuple(items) => items.iter_mut().for_each(|t| nested(t, out)),
            ExtTerm::List(items, tail) => {
                items.iter_mut().for_each(|t| nested(t, out));
                nested(tail, out);
            }
            ExtTerm::Map(pairs) => pairs.iter_mut().for_each(|(k, v)| {
                nested(k, out);
                nested(v, out);
            }),
            ExtTerm::LocalFun { pid, free, .. } => {
                nested(pid, out);
                free.iter_mut().for_each(|t| nested(t, out));
            }
            _ => {}
        }
    }
}

impl Drop for ExtTerm {
    fn drop(&mut self) {
        if !self.has_children() {
            return;
        }
        let mut work = Vec::new();
        self.take_children(&mut work);
        // Each popped term has its nested terms moved out before it is dropped, so its own
        // drop finds nothing left to descend into.
        while let Some(mut t) = work.pop() {
            t.take_children(&mut work);
        }
    }
}

/// Pending work of [`ExtTerm::clone`].
enum CloneStep<'a> {
    /// Clone this term and push the copy.
    Visit(&'a ExtTerm),
    /// Pop `n` copies and make a tuple.
    Tuple(usize),
    /// Pop `n` copies and a tail and make a list.
    List(usize),
    /// Pop `n` keys and values (interleaved) and make a map.
    Map(usize),
    /// Pop the creator pid and `n` free variables and make a fun like this one.
    Fun(&'a ExtTerm, usize),
}

impl Clone for ExtTerm {
    fn clone(&self) -> Self {
        let mut work = alloc::vec![CloneStep::Visit(self)];
        let mut done: Vec<ExtTerm> = Vec::new();
        while let Some(step) = work.pop() {
            let t = match step {
                CloneStep::Visit(t) => t,
                CloneStep::Tuple(n) => {
                    let items = done.split_off(done.len() - n);
                    done.push(ExtTerm::Tuple(items));
                    continue;
                }
                CloneStep::List(n) => {
                    let tail = done.pop().unwrap_or_default();
                    let items = done.split_off(done.len() - n);
                    done.push(ExtTerm::List(items, Box::new(tail)));
                    continue;
                }
                CloneStep::Map(n) => {
                    let mut it = done.split_off(done.len() - 2 * n).into_iter();
                    let mut pairs = Vec::with_capacity(n);
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        pairs.push((k, v));
                    }
                    done.push(ExtTerm::Map(pairs));
                    continue;
                }
                CloneStep::Fun(template, n) => {
                    let mut parts = done.split_off(done.len() - n - 1).into_iter();
                    let pid = parts.next().unwrap_or_default();
                    if let ExtTerm::LocalFun {
                        module,
                        arity,
                        uniq,
                        index,
                        old_index,
                        old_uniq,
                        ..
                    } = template
                    {
                        done.push(ExtTerm::LocalFun {
                            module: module.clone(),
                            arity: *arity,
                            uniq: *uniq,
                            index: *index,
                            old_index: *old_index,
                            old_uniq: *old_uniq,
                            pid: Box::new(pid),
                            free: parts.collect(),
                        });
                    }
                    continue;
                }
            };
            let leaf = match t {
                ExtTerm::Integer(i) => ExtTerm::Integer(*i),
                ExtTerm::BigInteger(b) => ExtTerm::BigInteger(b.clone()),
                ExtTerm::Float(f) => ExtTerm::Float(*f),
                ExtTerm::Atom(a) => ExtTerm::Atom(a.clone()),
                ExtTerm::Nil => ExtTerm::Nil,
                ExtTerm::Binary(b) => ExtTerm::Binary(b.clone()),
                ExtTerm::BitBinary(b, bits) => ExtTerm::BitBinary(b.clone(), *bits),
                ExtTerm::Pid {
                    node,
                    id,
                    serial,
                    creation,
                } => ExtTerm::Pid {
                    node: node.clone(),
                    id: *id,
                    serial: *serial,
                    creation: *creation,
                },
                ExtTerm::Port { node, id, creation } => ExtTerm::Port {
                    node: node.clone(),
                    id: *id,
                    creation: *creation,
                },
                ExtTerm::Reference {
                    node,
                    creation,
                    ids,
                } => ExtTerm::Reference {
                    node: node.clone(),
                    creation: *creation,
                    ids: ids.clone(),
                },
                ExtTerm::ExportFun {
                    module,
                    function,
                    arity,
                } => ExtTerm::ExportFun {
                    module: module.clone(),
                    function: function.clone(),
                    arity: *arity,
                },
                ExtTerm::Tuple(items) => {
                    work.push(CloneStep::Tuple(items.len()));
                    work.extend(items.iter().rev().map(CloneStep::Visit));
                    continue;
                }
                ExtTerm::List(items, tail) => {
                    work.push(CloneStep::List(items.len()));
                    work.push(CloneStep::Visit(tail));
                    work.extend(items.iter().rev().map(CloneStep::Visit));
                    continue;
                }
                ExtTerm::Map(pairs) => {
                    work.push(CloneStep::Map(pairs.len()));
                    for (k, v) in pairs.iter().rev() {
                        work.push(CloneStep::Visit(v));
                        work.push(CloneStep::Visit(k));
                    }
                    continue;
                }
                ExtTerm::LocalFun { pid, free, .. } => {
                    work.push(CloneStep::Fun(t, free.len()));
                    work.extend(free.iter().rev().map(CloneStep::Visit));
                    work.push(CloneStep::Visit(pid));
                    continue;
                }
            };
            done.push(leaf);
        }
        done.pop().unwrap_or_default()
    }
}

impl PartialEq for ExtTerm {
    fn eq(&self, other: &Self) -> bool {
        let mut todo = alloc::vec![(self, other)];
        while let Some((a, b)) = todo.pop() {
            let same = match (a, b) {
                (ExtTerm::Integer(x), ExtTerm::Integer(y)) => x == y,
                (ExtTerm::BigInteger(x), ExtTerm::BigInteger(y)) => x == y,
                (ExtTerm::Float(x), ExtTerm::Float(y)) => x == y,
                (ExtTerm::Atom(x), ExtTerm::Atom(y)) => x == y,
                (ExtTerm::Nil, ExtTerm::Nil) => true,
                (ExtTerm::Binary(x), ExtTerm::Binary(y)) => x == y,
                (ExtTerm::BitBinary(x, m), ExtTerm::BitBinary(y, n)) => x == y && m == n,
                (
                    ExtTerm::Pid {
                        node: n1,
                        id: i1,
                        serial: s1,
                        creation: c1,
                    },
                    ExtTerm::Pid {
                        node: n2,
                        id: i2,
                        serial: s2,
                        creation: c2,
                    },
                ) => n1 == n2 && i1 == i2 && s1 == s2 && c1 == c2,
                (
                    ExtTerm::Port {
                        node: n1,
                        id: i1,
                        creation: c1,
                    },
                    ExtTerm::Port {
                        node: n2,
                        id: i2,
                        creation: c2,
                    },
                ) => n1 == n2 && i1 == i2 && c1 == c2,
                (
                    ExtTerm::Reference {
                        node: n1,
                        creation: c1,
                        ids: w1,
                    },
                    ExtTerm::Reference {
                        node: n2,
                        creation: c2,
                        ids: w2,
                    },
                ) => n1 == n2 && c1 == c2 && w1 == w2,
                (
                    ExtTerm::ExportFun {
                        module: m1,
                        function: f1,
                        arity: a1,
                    },
                    ExtTerm::ExportFun {
                        module: m2,
                        function: f2,
                        arity: a2,
                    },
                ) => m1 == m2 && f1 == f2 && a1 == a2,
                (ExtTerm::Tuple(x), ExtTerm::Tuple(y)) => {
                    x.len() == y.len() && {
                        todo.extend(x.iter().zip(y));
                        true
                    }
                }
                (ExtTerm::List(x, xt), ExtTerm::List(y, yt)) => {
                    x.len() == y.len() && {
                        todo.push((xt, yt));
                        todo.extend(x.iter().zip(y));
                        true
                    }
                }
                (ExtTerm::Map(x), ExtTerm::Map(y)) => {
                    x.len() == y.len() && {
                        for ((k1, v1), (k2, v2)) in x.iter().zip(y) {
                            todo.push((k1, k2));
                            todo.push((v1, v2));
                        }
                        true
                    }
                }
                (
                    ExtTerm::LocalFun {
                        module: m1,
                        arity: a1,
                        uniq: u1,
                        index: i1,
                        old_index: oi1,
                        old_uniq: ou1,
                        pid: p1,
                        free: f1,
                    },
                    ExtTerm::LocalFun {
                        module: m2,
                        arity: a2,
                        uniq: u2,
                        index: i2,
                        old_index: oi2,
                        old_uniq: ou2,
                        pid: p2,
                        free: f2,
                    },
                ) => {
                    let same = m1 == m2
                        && a1 == a2
                        && u1 == u2
                        && i1 == i2
                        && oi1 == oi2
                        && ou1 == ou2
                        && f1.len() == f2.len();
                    if same {
                        todo.push((p1, p2));
                        todo.extend(f1.iter().zip(f2));
                    }
                    same
                }
                _ => false,
            };
            if !same {
                return false;
            }
        }
        true
    }
}
