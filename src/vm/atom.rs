//! The atom table: interned atom names, shared by every process of a node.
//!
//! Atoms are never freed. Indices below [`PREDEFINED`]`.len()` are fixed at compile time so the
//! VM and BIFs can name common atoms as constants ([`TRUE`], [`BADARG`], ...).

use alloc::string::String;
use alloc::vec::Vec;

use super::term::Term;

/// Why an atom could not be created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtomError {
    /// The name is longer than 255 characters.
    TooLong,
    /// The table reached its size limit.
    TableFull,
}

macro_rules! predefined {
    ($($name:ident = $text:expr,)*) => {
        /// Names of the predefined atoms, in index order.
        pub const PREDEFINED: &[&str] = &[$($text,)*];
        /// Positions in [`PREDEFINED`] (an enum numbers them without macro recursion).
        #[allow(non_camel_case_types, clippy::upper_case_acronyms, dead_code)]
        #[repr(u32)]
        enum Index {
            $($name,)*
        }
        $(
            #[doc = concat!("The predefined atom `", $text, "`.")]
            pub const $name: Term = Term::atom(Index::$name as u32);
        )*
    };
}

predefined! {
    FALSE = "false",
    TRUE = "true",
    OK = "ok",
    ERROR = "error",
    EXIT = "exit",
    THROW = "throw",
    UNDEFINED = "undefined",
    BADARG = "badarg",
    BADARITH = "badarith",
    BADMATCH = "badmatch",
    FUNCTION_CLAUSE = "function_clause",
    CASE_CLAUSE = "case_clause",
    IF_CLAUSE = "if_clause",
    UNDEF = "undef",
    BADFUN = "badfun",
    BADARITY = "badarity",
    BADKEY = "badkey",
    BADMAP = "badmap",
    BADRECORD = "badrecord",
    TRY_CLAUSE = "try_clause",
    SYSTEM_LIMIT = "system_limit",
    NOCATCH = "nocatch",
    ERLANG = "erlang",
    FILE = "file",
    LINE = "line",
    NORMAL = "normal",
    NONODE = "nonode@nohost",
    INFINITY = "infinity",
    EXPORT = "export",
    ALL = "all",
    BIG = "big",
    LITTLE = "little",
    NATIVE = "native",
    SIGNED = "signed",
    UNSIGNED = "unsigned",
    INTEGER = "integer",
    FLOAT = "float",
    BINARY = "binary",
    UTF8 = "utf8",
    UTF16 = "utf16",
    UTF32 = "utf32",
    STRING = "string",
    APPEND = "append",
    PRIVATE_APPEND = "private_append",
    LATIN1 = "latin1",
    UNICODE = "unicode",
    APPLY = "apply",
    MAIN = "main",
    EXCEPTION = "exception",
    BADFILE = "badfile",
    NOFILE = "nofile",
    ERROR_INFO = "error_info",
    MODULE = "module",
    NAME = "name",
    ARITY = "arity",
    ENV = "env",
    TYPE = "type",
    LOCAL = "local",
    EXTERNAL = "external",
    INDEX = "index",
    UNIQ = "uniq",
    NEW_INDEX = "new_index",
    NEW_UNIQ = "new_uniq",
    PID = "pid",
    DECIMALS = "decimals",
    SCIENTIFIC = "scientific",
    COMPACT = "compact",
    SHORT = "short",
    MAX_HEAP_SIZE = "max_heap_size",
    INIT = "init",
    START_EM = "start_em",
    DO_BOOT = "do_boot",
    CAUSE = "cause",
    GENERAL = "general",
    BADOPT = "badopt",
    POSITIONAL = "positional",
    NOMATCH = "nomatch",
    GLOBAL = "global",
    SCOPE = "scope",
    LIBRARY = "library",
    STACKTRACE = "stacktrace",
    EXIT_CAPS = "EXIT",
    UNDEFINED_FUNCTION = "undefined_function",
    ERL_ERTS_ERRORS = "erl_erts_errors",
    ABORT = "abort",
    ITERATOR = "iterator",
    TRIM = "trim",
    COMPRESSED = "compressed",
    USED = "used",
    SAFE = "safe",
    CP = "cp",
    SEND = "send",
    RUNTIME = "runtime",
    WALL_CLOCK = "wall_clock",
    REDUCTIONS = "reductions",
    EXACT_REDUCTIONS = "exact_reductions",
    GARBAGE_COLLECTION = "garbage_collection",
    RUN_QUEUE = "run_queue",
    WORDSIZE = "wordsize",
    INTERNAL = "internal",
    EMU = "emu",
    OPT = "opt",
    PRIORITY = "priority",
    SECOND = "second",
    MILLISECOND = "millisecond",
    MICROSECOND = "microsecond",
    NANOSECOND = "nanosecond",
    PERF_COUNTER = "perf_counter",
    STANDARD_ERROR = "standard_error",
    ON_LOAD = "on_load",
    MESSAGE_QUEUE_LEN = "message_queue_len",
    MESSAGES = "messages",
    DICTIONARY = "dictionary",
    HEAP_SIZE = "heap_size",
    TOTAL_HEAP_SIZE = "total_heap_size",
    STACK_SIZE = "stack_size",
    REGISTERED_NAME = "registered_name",
    STATUS = "status",
    RUNNING = "running",
    TRAP_EXIT = "trap_exit",
    NOT_A_LIST = "not_a_list",
    NO_INTEGER = "no_integer",
    NO_FLOAT = "no_float",
    TIMEOUT_VALUE = "timeout_value",
    MINOR_VERSION = "minor_version",
    TRIM_ALL = "trim_all",
    NONE_ATOM = "none",
    EXPORTS = "exports",
    ATTRIBUTES = "attributes",
    COMPILE = "compile",
    MD5 = "md5",
    FUNCTIONS = "functions",
    VALUE = "value",
    DOWN = "DOWN",
    PROCESS = "process",
    NOPROC = "noproc",
    FLUSH = "flush",
    INFO = "info",
    ALIAS = "alias",
    KILLED = "killed",
    TRAP = "trap",
    TIME = "time",
    ID = "id",
    ACCESS = "access",
    POSITION = "position",
    KEYPOS = "keypos",
    ALREADY_EXISTS = "already_exists",
    NOTALIVE = "notalive",
    TRACE = "trace",
    TRACE_TS = "trace_ts",
    RECEIVE = "receive",
    SPAWN = "spawn",
    SPAWNED = "spawned",
    LINK = "link",
    UNLINK = "unlink",
    GETTING_LINKED = "getting_linked",
    GETTING_UNLINKED = "getting_unlinked",
    REGISTER = "register",
    UNREGISTER = "unregister",
    CALL = "call",
    RETURN_FROM = "return_from",
    TRACER = "tracer",
    FLAGS = "flags",
    PROCS = "procs",
    MATCH_SPEC = "match_spec",
    SPAWN_REPLY = "spawn_reply",
    PORE_TAG = "$pore",
    OUTLET_TAG = "$outlet",
    DEMONITOR = "demonitor",
    REPLY_DEMONITOR = "reply_demonitor",
    EXPLICIT_UNALIAS = "explicit_unalias",
}

/// The table of interned atoms: every name once, in one buffer, and a hash index over them.
///
/// Loading a module interns each of its atoms, so this is on the path of every load (and of
/// `list_to_atom`); names packed in one string and found through an open-addressing index of
/// atom numbers cost one allocation per growth instead of two per atom, and one hash and
/// usually one comparison per lookup.
#[derive(Debug)]
pub struct AtomTable {
    /// Every name, one after another.
    text: String,
    /// Where each atom's name ends in `text`; it starts where the one before ends.
    ends: Vec<u32>,
    /// Atom numbers by the hash of their names, linear probing, at most half full;
    /// [`AtomTable::EMPTY`] marks a free slot. The length is a power of two.
    slots: Vec<u32>,
}

/// The most atoms a node may create (erl's default limit).
pub const MAX_ATOMS: usize = 1_048_576;

impl Default for AtomTable {
    fn default() -> Self {
        Self::new()
    }
}

impl AtomTable {
    const EMPTY: u32 = u32::MAX;

    /// A table holding the predefined atoms.
    pub fn new() -> Self {
        let mut t = AtomTable {
            text: String::new(),
            ends: Vec::new(),
            slots: alloc::vec![Self::EMPTY; 1024],
        };
        for name in PREDEFINED {
            // Predefined names are short and distinct, so this cannot fail.
            let _ = t.intern(name);
        }
        t
    }

    /// FNV-1a over the name's bytes, spread over the table.
    #[inline]
    fn start(name: &str, len: usize) -> usize {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in name.as_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        (h ^ (h >> 29)) as usize & (len - 1)
    }

    /// The slot holding `name`'s atom number, or the free slot where it would go.
    fn probe(&self, name: &str) -> (usize, Option<u32>) {
        let len = self.slots.len();
        let mut i = Self::start(name, len);
        loop {
            match self.slots[i] {
                Self::EMPTY => return (i, None),
                a if self.name_at(a as usize) == name => return (i, Some(a)),
                _ => i = (i + 1) & (len - 1),
            }
        }
    }

    fn name_at(&self, i: usize) -> &str {
        let end = self.ends.get(i).map_or(0, |&e| e as usize);
        let start = match i {
            0 => 0,
            _ => self.ends.get(i - 1).map_or(end, |&e| e as usize),
        };
        self.text.get(start..end).unwrap_or("")
    }

    /// The atom named `name`, created if new. Names are counted in characters as erl does.
    pub fn intern(&mut self, name: &str) -> Result<Term, AtomError> {
        let (slot, found) = self.probe(name);
        if let Some(i) = found {
            return Ok(Term::atom(i));
        }
        if name.chars().count() > 255 {
            return Err(AtomError::TooLong);
        }
        if self.ends.len() >= MAX_ATOMS {
            return Err(AtomError::TableFull);
        }
        let i = self.ends.len() as u32;
        self.text.push_str(name);
        self.ends.push(self.text.len() as u32);
        self.slots[slot] = i;
        if 2 * self.ends.len() > self.slots.len() {
            self.rehash(2 * self.slots.len());
        }
        Ok(Term::atom(i))
    }

    /// Rebuilds the index with `len` slots (a power of two).
    fn rehash(&mut self, len: usize) {
        self.slots = alloc::vec![Self::EMPTY; len];
        for a in 0..self.ends.len() {
            let (slot, _) = self.probe(self.name_at(a));
            self.slots[slot] = a as u32;
        }
    }

    /// The atom named `name` if it already exists (`list_to_existing_atom`).
    pub fn lookup(&self, name: &str) -> Option<Term> {
        self.probe(name).1.map(Term::atom)
    }

    /// The name of an atom term or index.
    pub fn name(&self, atom: Term) -> &str {
        self.name_at(atom.atom_index() as usize)
    }

    /// How many atoms exist.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the table is empty (never, once built).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predefined_constants_match_names() {
        let t = AtomTable::new();
        assert_eq!(t.name(TRUE), "true");
        assert_eq!(t.name(BADARG), "badarg");
        assert_eq!(t.name(STACKTRACE), "stacktrace");
    }

    #[test]
    fn predefined_names_are_distinct() {
        let t = AtomTable::new();
        assert_eq!(t.len(), PREDEFINED.len());
    }

    #[test]
    fn intern_is_idempotent() {
        let mut t = AtomTable::new();
        let a = t.intern("hello").unwrap();
        assert_eq!(t.intern("hello").unwrap(), a);
        assert_eq!(t.lookup("hello"), Some(a));
        assert_eq!(t.lookup("nope"), None);
        assert_eq!(t.intern(&"x".repeat(256)), Err(AtomError::TooLong));
    }

    #[test]
    #[cfg_attr(
        debug_assertions,
        ignore = "a million atoms: about 2 s optimised, too slow unoptimised"
    )]
    fn a_full_table_refuses_new_names_and_keeps_answering_for_old_ones() {
        let mut t = AtomTable::new();
        let first = t.intern("a0").unwrap();
        let mut name = String::new();
        for i in t.len()..MAX_ATOMS {
            name.clear();
            let _ = core::fmt::write(&mut name, format_args!("n{i}"));
            t.intern(&name).unwrap();
        }
        assert_eq!(t.len(), MAX_ATOMS);
        // erl's limit: list_to_atom raises system_limit for the next one.
        assert_eq!(t.intern("one_more"), Err(AtomError::TableFull));
        assert_eq!(t.intern("a0"), Ok(first));
        assert_eq!(t.lookup("one_more"), None);
    }
}
