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

/// A decoded Erlang term, independent of any heap.
#[derive(Clone, Debug, PartialEq)]
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
