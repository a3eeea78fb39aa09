//! Regular expressions with PCRE's syntax and erl's `re` semantics: a backtracking engine.
//!
//! [`Regex::compile`] turns a pattern into a small program ([`parse`]); [`Regex::exec`] runs
//! it over a subject from a start offset ([`exec`]). Character classes and the escapes that
//! name sets of characters live in [`class`], Unicode's properties in [`unicode`].
//!
//! Invariants that keep a hostile pattern or subject from taking the node down:
//! * Nothing recurses natively on the pattern's nesting or on the subject's length: the
//!   parser keeps its open groups in a vector (at most [`MAX_NESTING`] deep), and the matcher
//!   keeps its backtrack points in a vector whose size is bounded by the caller's byte budget.
//! * Work is counted: every backtrack point costs a step, and a run of one start position
//!   stops after `match_limit` steps, as PCRE's match limit does.
//! * A program has at most [`MAX_PROGRAM`] instructions (counted repeats copy their body).
//! * Subroutine calls and recursion (`(?1)`, `(?R)`, `(?&name)`) run on the same explicit
//!   stack: a call is a frame there, so it counts against the same frame and byte budgets, and
//!   each call is a step of the match limit. A call of a group that is already running at the
//!   same subject position stops the run (PCRE's recursion loop, a no-match for erl).
//! * A subroutine call is atomic, as in PCRE 1: when it returns, its backtrack points are
//!   dropped and the captures and loop registers it changed get their old values back.

#![forbid(unsafe_code)]

mod class;
mod exec;
mod parse;
#[cfg(test)]
mod tests;
mod unicode;
mod unicode_tables;

use alloc::vec::Vec;

pub use exec::{MatchError, Progress, Run, Search};

/// Deepest nesting of parentheses a pattern may have.
pub const MAX_NESTING: usize = 1000;

/// Most instructions a compiled pattern may have.
pub const MAX_PROGRAM: usize = 200_000;

/// Compile options, as bits (erl's `re:compile/2` options).
pub mod opt {
    /// `caseless`, `(?i)`.
    pub const CASELESS: u32 = 1;
    /// `multiline`, `(?m)`.
    pub const MULTILINE: u32 = 1 << 1;
    /// `dotall`, `(?s)`.
    pub const DOTALL: u32 = 1 << 2;
    /// `extended`, `(?x)`.
    pub const EXTENDED: u32 = 1 << 3;
    /// `anchored`.
    pub const ANCHORED: u32 = 1 << 4;
    /// `dollar_endonly`.
    pub const DOLLAR_ENDONLY: u32 = 1 << 5;
    /// `ungreedy`, `(?U)`.
    pub const UNGREEDY: u32 = 1 << 6;
    /// `unicode`: pattern and subject are UTF-8.
    pub const UTF: u32 = 1 << 7;
    /// `ucp`: `\d`, `\w`, `\s`, `\b` and POSIX classes by Unicode properties.
    pub const UCP: u32 = 1 << 8;
    /// `firstline`.
    pub const FIRSTLINE: u32 = 1 << 9;
    /// `no_auto_capture`.
    pub const NO_AUTO_CAPTURE: u32 = 1 << 10;
    /// `dupnames`, `(?J)`.
    pub const DUPNAMES: u32 = 1 << 11;
    /// `bsr_anycrlf`: `\R` is only CR, LF or CRLF.
    pub const BSR_ANYCRLF: u32 = 1 << 12;
    /// `never_utf`.
    pub const NEVER_UTF: u32 = 1 << 13;
    /// The newline convention's shift (a [`super::Newline`] in three bits).
    pub const NEWLINE_SHIFT: u32 = 16;
    /// Options that only matter at run time but may also be given to compile.
    pub const NOTBOL: u32 = 1 << 20;
    /// `noteol`.
    pub const NOTEOL: u32 = 1 << 21;
    /// `notempty`.
    pub const NOTEMPTY: u32 = 1 << 22;
    /// `notempty_atstart`.
    pub const NOTEMPTY_ATSTART: u32 = 1 << 23;
}

/// What ends a line (`{newline, NL}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Newline {
    /// `lf` (erl's default).
    Lf = 0,
    /// `cr`.
    Cr = 1,
    /// `crlf`.
    Crlf = 2,
    /// `any`: CR, LF, CRLF, VT, FF, NEL and (in UTF mode) U+2028, U+2029.
    Any = 3,
    /// `anycrlf`: CR, LF or CRLF.
    AnyCrlf = 4,
}

impl Newline {
    /// The convention stored in compile options `bits`.
    pub fn from_bits(bits: u32) -> Newline {
        match (bits >> opt::NEWLINE_SHIFT) & 7 {
            1 => Newline::Cr,
            2 => Newline::Crlf,
            3 => Newline::Any,
            4 => Newline::AnyCrlf,
            _ => Newline::Lf,
        }
    }
}

/// Why a pattern does not compile; each is one of PCRE's messages, as erl reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum CompileError {
    /// `\` at the end.
    TrailingBackslash = 1,
    /// `\c` at the end.
    TrailingControl,
    /// `{n,m}` with n > m.
    QuantifierOrder,
    /// A count over 65535.
    QuantifierTooBig,
    /// `[` never closed.
    MissingBracket,
    /// `[z-a]`.
    RangeOrder,
    /// `[a-\d]`.
    InvalidRange,
    /// A quantifier with nothing before it.
    NothingToRepeat,
    /// `(?` followed by something unknown.
    UnknownGroup,
    /// `(?<` followed by something unknown.
    UnknownGroupLt,
    /// `[:alpha:]` outside a class.
    PosixOutsideClass,
    /// `[[:foo:]]`.
    UnknownPosixClass,
    /// `(` never closed.
    MissingParen,
    /// `)` with no `(`.
    UnmatchedParen,
    /// `\5` with fewer groups, or `\k<name>` with no such name.
    NoSuchGroup,
    /// `(?#` never closed.
    MissingCommentEnd,
    /// A lookbehind whose alternatives do not each have a fixed length.
    LookbehindNotFixed,
    /// A code point over the maximum.
    CharTooBig,
    /// `\g{0}`.
    ZeroReference,
    /// `(?<1a>`.
    NameStartsWithDigit,
    /// A group name that does not end properly.
    BadName,
    /// Two groups with one name (without `dupnames`).
    DuplicateName,
    /// Deeper than [`MAX_NESTING`].
    TooDeep,
    /// More than [`MAX_PROGRAM`] instructions.
    TooLarge,
    /// Not valid UTF-8 in UTF mode.
    BadUtf8,
    /// `\p`, `\X` and other features not implemented.
    Unsupported,
    /// `(?(` with a condition not understood.
    BadCondition,
    /// More than two alternatives in a conditional group.
    ConditionTooManyBranches,
    /// `\g` not followed by a number or name.
    BadGReference,
    /// `(?R` or `(?1` not followed by `)`.
    RecursionSyntax,
    /// A recursive call that can be reached again without consuming anything.
    RecursionLoop,
    /// `(?&)`, `\g<>`: no name.
    NameExpected,
    /// `(?(?` not followed by an assertion.
    AssertionExpected,
    /// `(?(DEFINE)a|b)`.
    DefineBranches,
    /// `(?|(?<a>x)|(?<b>y))`.
    DifferentNames,
    /// `(*BOGUS)`.
    UnknownVerb,
    /// `(*COMMIT:x)`.
    VerbArgument,
    /// `(*MARK)`.
    MarkArgument,
    /// `\g<1` not closed.
    GSyntax,
    /// `\p` at the end, or `\p{` never closed.
    MalformedProperty,
    /// `\p{Foo}`.
    UnknownProperty,
}

impl CompileError {
    /// PCRE's message for the error.
    pub fn message(self) -> &'static str {
        use CompileError::*;
        match self {
            TrailingBackslash => "\\ at end of pattern",
            TrailingControl => "\\c at end of pattern",
            QuantifierOrder => "numbers out of order in {} quantifier",
            QuantifierTooBig => "number too big in {} quantifier",
            MissingBracket => "missing terminating ] for character class",
            RangeOrder => "range out of order in character class",
            InvalidRange => "invalid range in character class",
            NothingToRepeat => "nothing to repeat",
            UnknownGroup => "unrecognized character after (? or (?-",
            UnknownGroupLt => "unrecognized character after (?<",
            PosixOutsideClass => "POSIX named classes are supported only within a class",
            UnknownPosixClass => "unknown POSIX class name",
            MissingParen => "missing )",
            UnmatchedParen => "unmatched parentheses",
            NoSuchGroup => "reference to non-existent subpattern",
            MissingCommentEnd => "missing ) after comment",
            LookbehindNotFixed => "lookbehind assertion is not fixed length",
            CharTooBig => "character value in \\x{} or \\o{} is too large",
            ZeroReference => "a numbered reference must not be zero",
            NameStartsWithDigit => "group name must start with a non-digit",
            BadName => "syntax error in subpattern name (missing terminator)",
            DuplicateName => "two named subpatterns have the same name",
            TooDeep => "parentheses are too deeply nested",
            TooLarge => "regular expression is too large",
            BadUtf8 => "invalid UTF-8 string",
            Unsupported => "this version of the regular expression engine does not support it",
            BadCondition => "malformed number or name after (?(",
            ConditionTooManyBranches => "conditional group contains more than two branches",
            BadGReference => "a numbered reference must not be zero",
            RecursionSyntax => "(?R or (?[+-]digits must be followed by )",
            RecursionLoop => "recursive call could loop indefinitely",
            NameExpected => "subpattern name expected",
            AssertionExpected => "assertion expected after (?( or (?(?C)",
            DefineBranches => "DEFINE group contains more than one branch",
            DifferentNames => "different names for subpatterns of the same number are not allowed",
            UnknownVerb => "(*VERB) not recognized or malformed",
            VerbArgument => "an argument is not allowed for (*ACCEPT), (*FAIL), or (*COMMIT)",
            MarkArgument => "(*MARK) must have an argument",
            GSyntax => {
                "\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a \
                 plain number"
            }
            MalformedProperty => "malformed \\P or \\p sequence",
            UnknownProperty => "unknown property name after \\P or \\p",
        }
    }
}

/// A compile error and the byte offset in the pattern where it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatternError {
    /// What went wrong.
    pub error: CompileError,
    /// Where (a byte offset into the pattern).
    pub offset: usize,
}

/// One instruction of a compiled pattern. Jumps are relative to the instruction's own index,
/// so a piece of code can be copied (counted repeats) without relocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Inst {
    /// The code point (or byte).
    Char(u32),
    /// The code point, either case.
    CharFold(u32),
    /// Any character but a newline.
    Any,
    /// Any character.
    AnyAll,
    /// A character of class `classes[i]`.
    Class(u16),
    /// A zero-width assertion.
    Assert(Look),
    /// Try the next instruction, and `to` later on failure (lazy: the other way round).
    Split { to: i32, lazy: bool },
    /// Go on at `pc + to`.
    Jmp(i32),
    /// Record the position in capture slot `n`.
    Save(u16),
    /// Record the position in loop register `n` (where this iteration started).
    Mark(u16),
    /// End of a loop body that started at `pc + back`: an iteration that consumed nothing
    /// leaves the loop; else loop again (greedy) or go on first (lazy).
    Repeat { reg: u16, back: i32, lazy: bool },
    /// The single-character instruction that follows, `min..=max` times (then the code two
    /// instructions on): one backtrack point for the whole run.
    RepeatOne {
        min: u32,
        max: u32,
        lazy: bool,
        possessive: bool,
    },
    /// Start of an atomic group: a barrier for backtracking.
    AtomicStart,
    /// End of an atomic group: drops the backtrack points taken inside it.
    AtomicEnd,
    /// Start of a lookaround; its end is at `pc + skip - 1`. As the condition of a
    /// conditional group, `no` is where the "no" branch starts (`pc + no`); else 0.
    LookStart { negative: bool, skip: i32, no: i32 },
    /// End of a lookaround body.
    LookEnd,
    /// Step back `n` characters (a lookbehind alternative), failing at the start.
    Back(u32),
    /// The text captured by group `n` again.
    Backref { group: u16, fold: bool },
    /// A conditional group: go on if `test` holds, else at `pc + no`.
    If { test: Test, no: i32 },
    /// Call group `group` (0: the whole pattern) as a subroutine: its code starts at `to`
    /// (set when the pattern is compiled whole). The call returns at the group's `End` (the
    /// whole pattern's: `Match`) or at `(*ACCEPT)`, atomically.
    Call { group: u16, to: u32 },
    /// The end of group `n`, a group that is called: return from the call when the
    /// innermost call is of `n`, else record the position in slot `2n + 1` (as `Save`).
    End(u16),
    /// The start of capturing group `group` that has a backreference to itself inside:
    /// record the position in loop register `reg` (group `group` keeps its last text).
    Open { group: u16, reg: u16 },
    /// At the end of such a group: its start is what register `reg` holds (a `Save` of its
    /// end follows).
    SetStart { group: u16, reg: u16 },
    /// Record the position as the end of group `group` (before `(*ACCEPT)`), without
    /// returning from a call of the group; its start is in loop register `reg` if it is not
    /// `u16::MAX` (a group with a backreference to itself).
    Close { group: u16, reg: u16 },
    /// A backtracking verb.
    Verb(Verb),
    /// Start of an alternative of a group with alternatives that ends at `pc + end`
    /// (emitted only when the pattern has `(*THEN)`): `(*THEN)` goes back to the point
    /// before it. `group` is the group's number when it is a capturing group or the whole
    /// pattern (0), else `u16::MAX`.
    Branch { end: u32, group: u16 },
    /// `\R`.
    Linebreak,
    /// `\X`: an extended grapheme cluster.
    Grapheme,
    /// `\K`: the match starts here.
    ResetStart,
    /// The whole pattern matched.
    Match,
}

/// The test of a conditional group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Test {
    /// `(?(n)`: group `n` is set.
    Group(u16),
    /// `(?(R)`: inside any subroutine call or recursion.
    Recursion,
    /// `(?(Rn)`, `(?(R&name)`: the innermost call is of group `n`.
    RecursionOf(u16),
    /// `(?(DEFINE)`: never (the group only holds groups to call).
    Never,
}

/// A backtracking verb, `(*NAME)`. Those but `Fail` and `Accept` do nothing going forward;
/// backtracking into them is what counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verb {
    /// `(*FAIL)`: fail here.
    Fail,
    /// `(*ACCEPT)`: end the innermost call or assertion, or the whole match, successfully.
    Accept,
    /// `(*COMMIT)`: no match at all (no later start position).
    Commit,
    /// `(*PRUNE)`: no match from this start position.
    Prune,
    /// `(*SKIP)`: no match before where it was met.
    Skip,
    /// `(*SKIP:NAME)`: no match before the latest `(*MARK:NAME)` on the path (ignored when
    /// there is none); names are numbered per pattern.
    SkipTo(u16),
    /// `(*THEN)`: on to the next alternative of the innermost group with alternatives.
    Then,
    /// `(*MARK:NAME)`: a place for `(*SKIP:NAME)`.
    Mark(u16),
}

/// Zero-width assertions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Look {
    /// `^` without multiline.
    Bol,
    /// `^` with multiline.
    BolMulti,
    /// `$` without multiline.
    Eol,
    /// `$` with dollar_endonly.
    EolOnly,
    /// `$` with multiline.
    EolMulti,
    /// `\A`.
    Start,
    /// `\z`.
    End,
    /// `\Z`.
    EndOrNewline,
    /// `\G`.
    StartOffset,
    /// `\b`.
    Word,
    /// `\B`.
    NotWord,
}

/// A compiled pattern.
#[derive(Debug)]
pub struct Regex {
    prog: Vec<Inst>,
    classes: Vec<class::Class>,
    /// Capturing groups (not counting the whole match).
    groups: usize,
    /// Names and their group numbers, sorted by name.
    names: Vec<(Vec<u8>, u16)>,
    /// Loop registers used.
    regs: usize,
    /// Compile options (after the pattern's own `(*...)` and top-level settings).
    options: u32,
    /// The pattern's own `(*LIMIT_MATCH=n)`, `(*LIMIT_RECURSION=n)`, `(*NO_START_OPT)`.
    limits: Limits,
    /// Whether the pattern has a lookbehind (subject positions of nested calls may then go
    /// down).
    lookbehind: bool,
    /// A character every match contains. As PCRE does, a search gives up when it is not in
    /// the rest of the subject, looked for only when fewer than [`REQUIRED_WINDOW`] bytes
    /// are left (which decides whether a hopeless pattern meets the match limit, as in erl).
    required: Option<u32>,
}

/// What a pattern's leading `(*...)` items say of its runs.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Limits {
    /// `(*LIMIT_MATCH=n)`: a match limit that lowers the caller's.
    pub(crate) matches: Option<u64>,
    /// `(*LIMIT_RECURSION=n)`: likewise for the recursion (here: frame) limit.
    pub(crate) depth: Option<u64>,
    /// `(*NO_START_OPT)`: every start position is tried in full (no skipping to the first
    /// character, no giving up for a missing required one).
    pub(crate) no_start_opt: bool,
}

/// How close to the end of the subject a search looks for the required character.
pub const REQUIRED_WINDOW: usize = 1000;

impl Regex {
    /// Compiles `pattern` with compile options `options` (bits of [`opt`]).
    pub fn compile(pattern: &[u8], options: u32) -> Result<Regex, PatternError> {
        parse::compile(pattern, options)
    }

    /// Capturing groups in the pattern.
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// The group names with their numbers, in name order.
    pub fn names(&self) -> &[(Vec<u8>, u16)] {
        &self.names
    }

    /// The compile options in force.
    pub fn options(&self) -> u32 {
        self.options
    }

    /// Whether the newline convention treats CRLF as one newline (erl's flag in the
    /// compiled pattern, used to step over CRLF after an empty match in global mode).
    pub fn uses_crlf(&self) -> bool {
        matches!(
            Newline::from_bits(self.options),
            Newline::Crlf | Newline::Any | Newline::AnyCrlf
        )
    }

    /// Runs the pattern over `subject`, trying start positions from `run.start`. Returns
    /// the capture slots (start and end of each group, `None` when unset) of the first match;
    /// `steps` gets the work done, for the caller's reductions.
    pub fn exec(
        &self,
        subject: &[u8],
        run: &Run,
        steps: &mut u64,
    ) -> Result<Option<Vec<Option<usize>>>, MatchError> {
        exec::exec(self, subject, run, steps)
    }
}
