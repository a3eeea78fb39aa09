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
    decode, decode_body, decode_body_with_depth, decode_prefix, decode_prefix_with_depth,
    decode_with_depth, DEFAULT_MAX_DEPTH,
};
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
/// Dropping a tree takes its nested terms apart with an explicit work list, so a term nested
/// millions deep is freed without native recursion.
#[derive(Clone, Debug, Default, PartialEq)]
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
