//! Process tracing as erl's `erlang:trace/3` sets it up: which events of a process are
//! traced ([`Tracee::flags`]) and which process gets the trace messages
//! ([`Tracee::tracer`]).
//!
//! A traced event becomes a message `{trace, Pid, Tag, Data...}` to the tracer, or
//! `{trace_ts, Pid, Tag, Data..., Stamp}` with a timestamp flag. The node builds it in a
//! heap of its own and delivers it as any message (a delivery of a trace message is never
//! traced itself, so a tracer that traces its own receives cannot feed itself forever).
//! The events: `send` (`{trace, Pid, send, Msg, To}`), `'receive'` (`{trace, Pid,
//! 'receive', Msg}`, a receive's timeout as the message `timeout`), and `procs`: `spawn`,
//! `spawned`, `exit`, `link`, `unlink`, `getting_linked`, `getting_unlinked`, `register`,
//! `unregister`. The `set_on_*` flags pass the flags on to spawned or linked processes.
//! With `call`, calls of functions that have a call-trace pattern (`trace_pattern/3`, kept
//! as [`CallSpec`]s in [`super::code::Code::trace`]) make `call` messages, and `return_from`
//! ones with `return_trace`, `return_to` ones with `return_to`. `send` and `'receive'`
//! events pass the node's [`EventPattern`] first. `running` and `exiting` events come from
//! the scheduler at a slice's start and end, `garbage_collection` ones from the collections
//! a slice made ([`GcEvent`]). Meta patterns ([`super::code::MetaPoint`]) send their
//! timestamped messages whatever the caller's flags. `silent` stops the call-trace messages
//! of the process; erl's port flags are accepted and reported by `trace_info/2`, but make
//! no messages.

use alloc::vec::Vec;

use super::atom::{self, AtomTable};

/// The function process `p` is in between slices, as `{M, F, Arity}`: where it will go on
/// (for a process not yet started through module 0's `apply/3` stub, the function it
/// applies); `None` when not known.
pub fn current_mfa(
    code: &super::code::Code,
    p: &super::process::Process,
    view: &super::heap::View,
) -> Option<(Term, Term, u32)> {
    if p.module == 0 {
        if p.pc == super::code::SPAWN_APPLY3_PC {
            let (m, f, args) = (*p.x.first()?, *p.x.get(1)?, *p.x.get(2)?);
            let n = view.list_len(args)?;
            return (m.is_atom() && f.is_atom()).then_some((m, f, n as u32));
        }
        // `spawn(Fun)`'s start: erl's `apply/2`.
        if p.pc == super::code::SPAWN_APPLY2_PC {
            return Some((atom::ERLANG, atom::APPLY, 2));
        }
        return None;
    }
    let m = code.modules.get(p.module as usize)?;
    let f = m.function_at(p.pc.saturating_sub(1).max(1))?;
    Some((m.name, f.name, f.arity))
}

/// Whether tracing is built in: always on the host, in the image with the `trace` feature.
/// Every place that traces tests it first, so without it the compiler leaves them out.
pub const ENABLED: bool = cfg!(any(feature = "trace", not(target_os = "none")));

/// Set once any process has been traced: until then the process BIFs skip asking the node
/// about other processes' tracing (a spawn or a link would otherwise pay for a look-up).
static USED: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// Whether tracing may be on for some process (see [`USED`]).
#[inline]
pub fn used() -> bool {
    ENABLED && USED.load(core::sync::atomic::Ordering::Relaxed)
}

/// Notes that tracing was turned on.
pub fn note_used() {
    USED.store(true, core::sync::atomic::Ordering::Relaxed);
}
use super::term::Term;

/// The flags, in the order `trace_info(Pid, flags)` lists them (erl's): bit `i` is
/// `FLAG_NAMES[i]`.
pub const FLAG_NAMES: [&str; 21] = [
    "running_procs",
    "running_ports",
    "ports",
    "scheduler_id",
    "silent",
    "return_to",
    "arity",
    "garbage_collection",
    "exiting",
    "running",
    "set_on_first_link",
    "set_on_link",
    "set_on_first_spawn",
    "procs",
    "call",
    "set_on_spawn",
    "receive",
    "send",
    "monotonic_timestamp",
    "strict_monotonic_timestamp",
    "timestamp",
];

/// The bit of each flag in the word `process_info(P, trace)` gives, as erl numbers them
/// (`FLAG_NAMES` order).
const ERL_BITS: [u32; 21] = [
    1 << 21, // running_procs
    1 << 20, // running_ports
    1 << 22, // ports
    1 << 23, // scheduler_id
    1 << 17, // silent
    1 << 16, // return_to
    1 << 15, // arity
    1 << 14, // garbage_collection
    1 << 24, // exiting
    1 << 13, // running
    1 << 9,  // set_on_first_link
    1 << 8,  // set_on_link
    1 << 7,  // set_on_first_spawn
    1 << 11, // procs
    1 << 10, // call
    1 << 6,  // set_on_spawn
    1 << 5,  // receive
    1 << 4,  // send
    1 << 2,  // monotonic_timestamp
    1 << 1,  // strict_monotonic_timestamp
    1,       // timestamp
];

/// The trace flags `flags` as the integer `process_info(P, trace)` gives in erl.
pub fn erl_word(flags: u32) -> i64 {
    let mut word = 0;
    for (i, b) in ERL_BITS.iter().enumerate() {
        if flags & (1 << i) != 0 {
            word |= i64::from(*b);
        }
    }
    word
}

const fn bit(name: &str) -> u32 {
    let mut i = 0;
    while i < FLAG_NAMES.len() {
        if str_eq(FLAG_NAMES[i], name) {
            return 1 << i;
        }
        i += 1;
    }
    panic!("no such flag")
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `send`.
pub const SEND: u32 = bit("send");
/// `'receive'`.
pub const RECEIVE: u32 = bit("receive");
/// `procs`.
pub const PROCS: u32 = bit("procs");
/// `call`.
pub const CALL: u32 = bit("call");
/// `arity`: a call's message has the arity instead of the arguments.
pub const ARITY: u32 = bit("arity");
/// `return_to`: with `call`, returns of functions with a local pattern are told.
pub const RETURN_TO: u32 = bit("return_to");
/// `silent`: with `call`, the call-trace messages of the process are not sent (a match
/// specification's `{silent, Bool}` sets and clears it).
pub const SILENT: u32 = bit("silent");
/// `running`: `in` and `out` when the process is scheduled in and out.
pub const RUNNING: u32 = bit("running");
/// `exiting`: `out_exited` when the process ends.
pub const EXITING: u32 = bit("exiting");
/// `garbage_collection`: `gc_minor_start` ... `gc_major_end` around its collections.
pub const GARBAGE_COLLECTION: u32 = bit("garbage_collection");
/// `set_on_spawn`.
pub const SET_ON_SPAWN: u32 = bit("set_on_spawn");
/// `set_on_first_spawn`.
pub const SET_ON_FIRST_SPAWN: u32 = bit("set_on_first_spawn");
/// `set_on_link`.
pub const SET_ON_LINK: u32 = bit("set_on_link");
/// `set_on_first_link`.
pub const SET_ON_FIRST_LINK: u32 = bit("set_on_first_link");
/// `timestamp`: `{MegaSecs, Secs, MicroSecs}` of the system clock.
pub const TIMESTAMP: u32 = bit("timestamp");
/// `monotonic_timestamp`: the monotonic clock in nanoseconds.
pub const MONOTONIC: u32 = bit("monotonic_timestamp");
/// `strict_monotonic_timestamp`: `{Monotonic, UniqueInteger}`.
pub const STRICT: u32 = bit("strict_monotonic_timestamp");
/// Every flag (`all`).
pub const ALL: u32 = (1 << FLAG_NAMES.len()) - 1;

/// A traced process's flags and its tracer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tracee {
    /// Bits of [`FLAG_NAMES`].
    pub flags: u32,
    /// The tracer's pid number.
    pub tracer: u32,
}

impl Tracee {
    /// Whether any of `flags` is set.
    #[inline]
    pub fn has(self, flags: u32) -> bool {
        self.flags & flags != 0
    }

    /// What a process spawned by this one inherits (`None`: nothing), and what this one
    /// keeps (a `set_on_first_spawn` is used up by the first spawn).
    pub fn on_spawn(self) -> (Option<Tracee>, Tracee) {
        self.inherit(SET_ON_SPAWN, SET_ON_FIRST_SPAWN)
    }

    /// As [`Tracee::on_spawn`], for a process this one links to.
    pub fn on_link(self) -> (Option<Tracee>, Tracee) {
        self.inherit(SET_ON_LINK, SET_ON_FIRST_LINK)
    }

    fn inherit(self, every: u32, first: u32) -> (Option<Tracee>, Tracee) {
        if self.has(every) {
            (Some(self), self)
        } else if self.has(first) {
            let child = Tracee {
                flags: self.flags & !first,
                tracer: self.tracer,
            };
            let kept = Tracee {
                flags: self.flags & !first,
                tracer: self.tracer,
            };
            (Some(child), kept)
        } else {
            (None, self)
        }
    }
}

/// What the calls of a function with a call-trace pattern do (its match specification, as
/// far as it is understood here): the first clause whose head and guards match the
/// arguments decides; none matching, the call is not traced.
#[derive(Debug)]
pub struct CallSpec {
    /// The clauses in order; one that matches anything for `true` and `[]`.
    pub clauses: Vec<CallClause>,
    /// Where the clauses' tests live.
    pub heap: super::heap::Heap,
    /// The specification as given (`[]` for `true`), in `heap`, for `trace_info/2`.
    pub source: Term,
}

/// One clause of a [`CallSpec`].
#[derive(Debug)]
pub struct CallClause {
    /// `[{Head, Guards, [true]}]` in the spec's heap, run as an ETS match specification on
    /// the argument list; `None` when the clause matches every call (`'_'`, no guards).
    pub test: Option<Term>,
    /// `{return_trace}` or `{exception_trace}`: the return is traced too.
    pub return_trace: bool,
    /// `{exception_trace}`: an exception out of the function is traced too.
    pub exception_trace: bool,
    /// What `{message, _}` says of the call's message.
    pub message: Message,
    /// `{silent, Bool}`: the caller's `silent` flag is set (or cleared) when the clause
    /// matches.
    pub silent: Option<bool>,
    /// How many `{display, X}` actions the clause has: with them or [`Message::Eval`], the
    /// test's body builds one tuple of the message's term and the terms to display, in
    /// order. (An event pattern's one clause has 1 here when its body gives `{Result,
    /// Shown}`.)
    pub display: u8,
    /// Whether the evaluated terms name `{caller}` (put in when the clause runs).
    pub caller: bool,
    /// The caller's trace flags `disable_trace` (first) and `enable_trace` (second) clear
    /// and set once the call's message is sent (`trace` gives both).
    pub flags: (u32, u32),
}

/// See [`CallClause::message`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message {
    /// No `message` action, or `{message, true}`: the usual message.
    Plain,
    /// `{message, false}`: none (`return_trace` still holds).
    Off,
    /// `{message, Term}`: the usual message with the term (in the spec's heap) added.
    With(Term),
    /// `{message, {caller}}`: the usual message with the calling function's `{M, F, A}`
    /// (`undefined` when not known, as after a tail call from another module's code).
    Caller,
    /// `{message, {{Tag, {caller}}}}` (a tuple made of a constant and the caller, as
    /// `fprof` asks): the usual message with `{Tag, Caller}`.
    TaggedCaller(Term),
    /// `{message, X}` with variables or expressions (`'$1'`, `'$_'`, `{{arg, '$1'}}`), or
    /// `{display, X}` actions: the clause's test evaluates them (see
    /// [`CallClause::display`]); its first element is the term to add (`true`: none).
    Eval,
}

/// Two patterns are the same only when they are one (their terms live in their own heaps).
impl PartialEq for CallSpec {
    fn eq(&self, other: &Self) -> bool {
        core::ptr::eq(self, other)
    }
}

impl Eq for CallSpec {}

impl CallSpec {
    /// `true`: every call traced, nothing else.
    pub fn every_call() -> Self {
        let heap = super::heap::Heap::fragment();
        CallSpec {
            clauses: alloc::vec![CallClause {
                test: None,
                return_trace: false,
                exception_trace: false,
                message: Message::Plain,
                silent: None,
                display: 0,
                caller: false,
                flags: (0, 0),
            }],
            heap,
            source: Term::NIL,
        }
    }
}

/// The node-wide pattern of `send` or of `'receive'` events
/// (`erlang:trace_pattern(send | 'receive', Spec, [])`): it decides, before the event is
/// made, whether a traced process's send or receive makes a trace message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum EventPattern {
    /// `true` or `[]` (the default): every event.
    #[default]
    All,
    /// `false`: no event.
    Off,
    /// A match specification, run on `[Receiver, Msg]` for `send` and on `[Node, Sender,
    /// Msg]` for `'receive'`: its one clause's test is the specification with each body
    /// replaced by the argument of its last `{message, X}` (`true` without one), so that a
    /// run gives `false` (no event), `true` (the usual message) or the term to add.
    Spec(alloc::rc::Rc<CallSpec>),
}

/// What a sender found of the receiver's `'receive'` pattern, for the node that delivers
/// the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not run: the node decides from the pattern alone.
    Unmatched,
    /// No `'receive'` event.
    Off,
    /// The usual `{trace, Pid, 'receive', Msg}`.
    Plain,
    /// The usual message with this term (in the sender's heap) added.
    With(Term),
}

/// How a timestamp flag stamps a trace message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// No timestamp: `{trace, ...}`.
    None,
    /// `timestamp` (it wins over the others, as in erl).
    Now,
    /// `strict_monotonic_timestamp` (wins over `monotonic_timestamp`).
    Strict,
    /// `monotonic_timestamp`.
    Monotonic,
}

/// The timestamp `flags` ask for.
pub fn stamp(flags: u32) -> Stamp {
    if flags & TIMESTAMP != 0 {
        Stamp::Now
    } else if flags & STRICT != 0 {
        Stamp::Strict
    } else if flags & MONOTONIC != 0 {
        Stamp::Monotonic
    } else {
        Stamp::None
    }
}

/// A process's sizes, in words, before or after a collection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GcSizes {
    /// Heap words in use.
    pub heap: u64,
    /// Heap words held.
    pub block: u64,
    /// Stack words.
    pub stack: u64,
}

/// A collection of a process traced with `garbage_collection`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GcEvent {
    /// Asked for (`gc_major_*`) rather than made by the heap's growth (`gc_minor_*`).
    pub major: bool,
    /// Sizes at its start.
    pub before: GcSizes,
    /// Sizes at its end.
    pub after: GcSizes,
}

/// A process's collections waiting for their trace events (none without tracing built in:
/// then the field takes no room).
#[cfg(any(feature = "trace", not(target_os = "none")))]
pub type GcEvents = Option<alloc::boxed::Box<Vec<GcEvent>>>;
/// See above.
#[cfg(not(any(feature = "trace", not(target_os = "none"))))]
pub type GcEvents = Option<core::convert::Infallible>;

/// Keeps collection `e` for its trace events.
#[cfg(any(feature = "trace", not(target_os = "none")))]
pub fn note_gc(events: &mut GcEvents, e: GcEvent) {
    events.get_or_insert_with(Default::default).push(e);
}

/// See above: without tracing, nothing is kept.
#[cfg(not(any(feature = "trace", not(target_os = "none"))))]
pub fn note_gc(_: &mut GcEvents, _: GcEvent) {}

/// The collections kept, taken.
#[cfg(any(feature = "trace", not(target_os = "none")))]
pub fn take_gcs(events: &mut GcEvents) -> Vec<GcEvent> {
    events.take().map(|b| *b).unwrap_or_default()
}

/// See above.
#[cfg(not(any(feature = "trace", not(target_os = "none"))))]
pub fn take_gcs(_: &mut GcEvents) -> Vec<GcEvent> {
    Vec::new()
}

impl GcSizes {
    /// The `{Key, Value}` pairs of erl's info list, in its order (one generation and no
    /// binary virtual heap here: those sizes are 0); `reclaimed` is `wordsize`.
    pub fn info(self, reclaimed: u64) -> [(&'static str, u64); 12] {
        [
            ("wordsize", reclaimed),
            ("old_heap_block_size", 0),
            ("heap_block_size", self.block),
            ("mbuf_size", 0),
            ("recent_size", self.heap),
            ("stack_size", self.stack),
            ("old_heap_size", 0),
            ("heap_size", self.heap),
            ("bin_vheap_size", 0),
            ("bin_vheap_block_size", 0),
            ("bin_old_vheap_size", 0),
            ("bin_old_vheap_block_size", 0),
        ]
    }
}

/// Why a flag list was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagError {
    /// Not a proper list, a malformed `{tracer, _}` or a flag erl refuses here
    /// (`cpu_timestamp`): `badarg`.
    Bad,
    /// An unknown flag: `badarg` with cause `badopt`.
    Unknown,
}

/// The flags of a list given to `erlang:trace/3` and the tracer it names (`{tracer, Pid}`).
pub fn parse_flags(
    atoms: &AtomTable,
    items: &[Term],
    is_tuple: impl Fn(Term) -> Option<(Term, Term)>,
) -> Result<(u32, Option<Term>), FlagError> {
    let mut flags = 0;
    let mut tracer = None;
    for &t in items {
        if t.is_atom() {
            let name = atoms.name(t);
            if name == "all" {
                flags |= ALL;
            } else if let Some(i) = FLAG_NAMES.iter().position(|&n| n == name) {
                flags |= 1 << i;
            } else if name == "cpu_timestamp" {
                return Err(FlagError::Bad);
            } else {
                return Err(FlagError::Unknown);
            }
        } else if let Some((tag, pid)) = is_tuple(t) {
            if tag != atom::TRACER {
                return Err(FlagError::Unknown);
            }
            tracer = Some(pid);
        } else {
            return Err(FlagError::Unknown);
        }
    }
    Ok((flags, tracer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_keep_erls_order_and_inheritance_uses_up_first() {
        assert_eq!(SEND, 1 << 17);
        assert_eq!(TIMESTAMP, 1 << 20);
        let t = Tracee {
            flags: SEND | SET_ON_FIRST_SPAWN,
            tracer: 7,
        };
        let (child, kept) = t.on_spawn();
        assert_eq!(
            child,
            Some(Tracee {
                flags: SEND,
                tracer: 7
            })
        );
        assert_eq!(kept.flags, SEND);
        let t = Tracee {
            flags: PROCS | SET_ON_SPAWN,
            tracer: 7,
        };
        assert_eq!(t.on_spawn(), (Some(t), t));
        assert_eq!(t.on_link(), (None, t));
        assert_eq!(stamp(MONOTONIC | STRICT), Stamp::Strict);
        assert_eq!(stamp(ALL), Stamp::Now);
    }
}
