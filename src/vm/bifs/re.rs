//! `re`'s natives (`run/2,3`, `internal_run/4`, `compile/1,2`, `inspect/2`, `version/0`)
//! over the engine in [`crate::vm::regex`]; OTP's own `re.beam` builds `replace`, `split`
//! and the rest on them, unchanged.
//!
//! A compiled pattern is `{re_pattern, Groups, Unicode, UseCRLF, Binary}` as in erl; the
//! binary is ours (a tag, the compile options, the pattern's text) and is compiled again by
//! each run. Global matching (`global`) is done here with erl's loop: after an empty match,
//! the search is tried again from where it started, anchored and not empty there; failing
//! that, it moves on one character past the empty match (two over CRLF when the newline
//! convention has CRLF). Results, errors and
//! offsets (bytes) are erl's; unset groups are `{-1,0}`, `<<>>` or `[]`.
//!
//! Work is bounded: a run stops after `match_limit` steps (erl's default, 10,000,000) and
//! its backtrack stack stays within the memory the node has left (beyond it the caller fails
//! with `system_limit`). A run does at most the caller's slice of work at a time, as erl's
//! does: then it traps ([`Fault::TrapTo`], continuation [`RE_RUN`]) with its state kept in
//! the process ([`Pending`]), other processes run, and it goes on in the next slice, so a
//! long match never holds the scheduler. Slicing changes no result: the match limit counts
//! the steps from each start position, however the run is sliced.

use alloc::vec::Vec;

use super::conv::iolist_bytes;
use super::unicode::chars;
use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::heap::View;
use crate::vm::regex::{opt, MatchError, Newline, Progress, Regex, Run, Search};
use crate::vm::term::Term;

/// The first bytes of a compiled pattern's binary.
const MAGIC: &[u8; 4] = b"XBRE";

/// `global` (a BIF-level option, above the engine's bits).
const GLOBAL: u32 = 1 << 28;
/// `report_errors`.
const REPORT_ERRORS: u32 = 1 << 29;

/// Options a run with a compiled pattern accepts besides its own (as `pcre_exec` does).
const EXEC_OK: u32 = opt::ANCHORED | opt::BSR_ANYCRLF | NEWLINE_MASK;
/// Options only a run takes.
const RUN_ONLY: u32 = GLOBAL
    | REPORT_ERRORS
    | opt::NOTBOL
    | opt::NOTEOL
    | opt::NOTEMPTY
    | opt::NOTEMPTY_ATSTART
    | OFFSET_ETC;
/// Stands for `{offset, _}`, `{capture, ...}` and the limits in [`RUN_ONLY`].
const OFFSET_ETC: u32 = 1 << 30;
const NEWLINE_MASK: u32 = 7 << opt::NEWLINE_SHIFT;
/// Set when a `{newline, _}` was given.
const NEWLINE_GIVEN: u32 = 1 << 31;

/// Atom options and their bits.
const ATOM_OPTIONS: [(&str, u32); 22] = [
    ("unicode", opt::UTF),
    ("anchored", opt::ANCHORED),
    ("caseless", opt::CASELESS),
    ("dollar_endonly", opt::DOLLAR_ENDONLY),
    ("dotall", opt::DOTALL),
    ("extended", opt::EXTENDED),
    ("firstline", opt::FIRSTLINE),
    ("multiline", opt::MULTILINE),
    ("no_auto_capture", opt::NO_AUTO_CAPTURE),
    ("dupnames", opt::DUPNAMES),
    ("ungreedy", opt::UNGREEDY),
    ("bsr_anycrlf", opt::BSR_ANYCRLF),
    ("bsr_unicode", 0),
    ("no_start_optimize", 0),
    ("ucp", opt::UCP),
    ("never_utf", opt::NEVER_UTF),
    ("global", GLOBAL),
    ("notbol", opt::NOTBOL),
    ("noteol", opt::NOTEOL),
    ("notempty", opt::NOTEMPTY),
    ("notempty_atstart", opt::NOTEMPTY_ATSTART),
    ("report_errors", REPORT_ERRORS),
];

/// Newline conventions by name, in [`Newline`]'s order.
const NEWLINES: [&str; 5] = ["lf", "cr", "crlf", "any", "anycrlf"];

/// Which groups a match reports.
enum Values {
    All,
    AllButFirst,
    First,
    None,
    AllNames,
    List(Vec<Term>),
}

/// How a group is reported.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Index,
    List,
    Binary,
}

/// A run's or a compilation's options.
struct Options {
    bits: u32,
    offset: usize,
    values: Values,
    kind: Kind,
    match_limit: u64,
    depth_limit: usize,
}

fn name<'a>(ctx: &'a Ctx, t: Term) -> &'a str {
    if t.is_atom() {
        ctx.atoms.name(t)
    } else {
        ""
    }
}

fn count(t: Term) -> Result<u64, Fault> {
    t.as_small()
        .and_then(|n| u64::try_from(n).ok())
        .ok_or_else(badarg)
}

/// Reads an option list.
fn options(ctx: &Ctx, list: Term) -> Result<Options, Fault> {
    let v = ctx.view();
    let items = v.list_to_vec(list).ok_or_else(badarg)?;
    let mut o = Options {
        bits: 0,
        offset: 0,
        values: Values::All,
        kind: Kind::Index,
        match_limit: 10_000_000,
        depth_limit: 10_000_000,
    };
    for t in items {
        if let Some(&(_, bit)) = ATOM_OPTIONS.iter().find(|(n, _)| *n == name(ctx, t)) {
            o.bits |= bit;
            continue;
        }
        let fields = v.tuple(t).ok_or_else(badarg)?;
        let key = name(ctx, fields[0]);
        match (key, fields.len()) {
            ("newline", 2) => {
                let n = NEWLINES
                    .iter()
                    .position(|&n| n == name(ctx, fields[1]))
                    .ok_or_else(badarg)?;
                o.bits = (o.bits & !NEWLINE_MASK) | ((n as u32) << opt::NEWLINE_SHIFT);
                o.bits |= NEWLINE_GIVEN;
            }
            ("offset", 2) => {
                o.offset = usize::try_from(count(fields[1])?).map_err(|_| badarg())?;
                o.bits |= OFFSET_ETC;
            }
            ("match_limit", 2) => {
                o.match_limit = count(fields[1])?;
                o.bits |= OFFSET_ETC;
            }
            ("match_limit_recursion", 2) => {
                o.depth_limit = usize::try_from(count(fields[1])?).map_err(|_| badarg())?;
                o.bits |= OFFSET_ETC;
            }
            ("capture", 2 | 3) => {
                o.bits |= OFFSET_ETC;
                o.values = match name(ctx, fields[1]) {
                    "all" => Values::All,
                    "all_but_first" => Values::AllButFirst,
                    "first" => Values::First,
                    "none" => Values::None,
                    "all_names" => Values::AllNames,
                    _ => {
                        let ids = v.list_to_vec(fields[1]).ok_or_else(badarg)?;
                        if ids.is_empty() {
                            Values::None
                        } else {
                            Values::List(ids)
                        }
                    }
                };
                if let Some(&k) = fields.get(2) {
                    o.kind = match name(ctx, k) {
                        "index" => Kind::Index,
                        "list" => Kind::List,
                        "binary" => Kind::Binary,
                        _ => return Err(badarg()),
                    };
                }
            }
            _ => return Err(badarg()),
        }
    }
    Ok(o)
}

/// The bytes of a subject or pattern: iodata, or in UTF mode chardata as UTF-8 (erl's
/// `unicode:characters_to_binary/2`); a binary in UTF mode must be valid UTF-8.
fn text(ctx: &Ctx, t: Term, utf: bool) -> Result<Vec<u8>, Fault> {
    let v = ctx.view();
    let mut out = Vec::new();
    if utf && !v.is_binary(t) {
        let mut cps = Vec::new();
        chars(&v, t, false, &mut cps).ok_or_else(badarg)?;
        for c in cps {
            let c = char::from_u32(c).ok_or_else(badarg)?;
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
        return Ok(out);
    }
    iolist_bytes(&v, t, &mut out).ok_or_else(badarg)?;
    if utf && core::str::from_utf8(&out).is_err() {
        return Err(badarg());
    }
    Ok(out)
}

/// The text of a pattern, as [`text`] gives it up to its first NUL byte: erl hands the
/// pattern to PCRE as a C string, so what follows a NUL is not part of it.
fn pattern_text(ctx: &Ctx, t: Term, utf: bool) -> Result<Vec<u8>, Fault> {
    let mut text = text(ctx, t, utf)?;
    if let Some(end) = text.iter().position(|&b| b == 0) {
        text.truncate(end);
    }
    Ok(text)
}

/// A compiled pattern term's options and text, if `t` is one of ours.
fn compiled(ctx: &Ctx, t: Term) -> Option<(u32, Vec<u8>)> {
    let v = ctx.view();
    let f = v.tuple(t)?;
    if f.len() != 5 || name(ctx, f[0]) != "re_pattern" {
        return None;
    }
    let bin = v.binary_bytes(f[4])?;
    let rest = bin.strip_prefix(MAGIC)?;
    let bits = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?);
    Some((bits, rest[4..].to_vec()))
}

/// Raises a compile error's `{ErrString, Position}` term.
fn error_spec(ctx: &mut Ctx, e: crate::vm::regex::PatternError) -> Term {
    let msg = ctx.p.heap.string(e.error.message());
    let pos = Term::small(e.offset as i64);
    ctx.p.heap.tuple(&[msg, pos])
}

/// `{re_pattern, ...}` for `re` compiled from `pattern` with `bits`.
fn pattern_term(ctx: &mut Ctx, re: &Regex, pattern: &[u8], bits: u32) -> Term {
    let mut bin = Vec::with_capacity(pattern.len() + 8);
    bin.extend_from_slice(MAGIC);
    bin.extend_from_slice(&bits.to_le_bytes());
    bin.extend_from_slice(pattern);
    let tag = ctx.atoms.intern("re_pattern").unwrap_or(atom::BADARG);
    let crlf = matches!(
        Newline::from_bits(bits),
        Newline::Crlf | Newline::Any | Newline::AnyCrlf
    );
    let b = ctx.p.heap.binary(bin);
    ctx.p.heap.tuple(&[
        tag,
        Term::small(re.groups() as i64),
        Term::small(i64::from(bits & opt::UTF != 0)),
        Term::small(i64::from(crlf)),
        b,
    ])
}

fn compile(ctx: &mut Ctx, pattern: Term, opts: Term) -> BifResult {
    let o = options(ctx, opts)?;
    if o.bits & RUN_ONLY != 0 {
        return Err(badarg());
    }
    let bits = o.bits & !NEWLINE_GIVEN;
    let text = pattern_text(ctx, pattern, bits & opt::UTF != 0)?;
    ctx.charge(text.len() / 16);
    match Regex::compile(&text, bits) {
        Ok(re) => {
            let mp = pattern_term(ctx, &re, &text, bits);
            Ok(ctx.p.heap.tuple(&[atom::OK, mp]))
        }
        Err(e) => {
            let spec = error_spec(ctx, e);
            Ok(ctx.p.heap.tuple(&[atom::ERROR, spec]))
        }
    }
}

/// `re:compile/1`.
pub fn compile1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    compile(ctx, a[0], Term::NIL)
}

/// `re:compile/2`.
pub fn compile2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    compile(ctx, a[0], a[1])
}

/// `re:version/0`: the PCRE version erl 25 reports, whose syntax this follows.
pub fn version(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(ctx.p.heap.binary(b"8.44 2020-02-12".to_vec()))
}

/// `re:inspect(MP, namelist)`: the group names, sorted.
pub fn inspect(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (bits, text) = compiled(ctx, a[0]).ok_or_else(badarg)?;
    if name(ctx, a[1]) != "namelist" {
        return Err(badarg());
    }
    let re = Regex::compile(&text, bits).map_err(|_| badarg())?;
    let mut names = Vec::new();
    for (n, _) in re.names() {
        names.push(ctx.p.heap.binary(n.clone()));
    }
    let list = ctx.p.heap.list(&names);
    let tag = ctx.atoms.intern("namelist").unwrap_or(atom::BADARG);
    Ok(ctx.p.heap.tuple(&[tag, list]))
}

/// `re:run/2`.
pub fn run2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    run(ctx, a, Term::NIL)
}

/// `re:run/3`, and `re:internal_run/4` (OTP's `re.erl` calls it with a flag we ignore).
pub fn run3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    run(ctx, a, a[2])
}

/// `re:run` with arguments `a` (the subject, the pattern and, but for `run/2`, the options
/// `opts`).
fn run(ctx: &mut Ctx, a: &[Term], opts: Term) -> BifResult {
    let (subject, pattern) = (a[0], a[1]);
    let o = options(ctx, opts)?;
    let (re, utf, crlf) = match compiled(ctx, pattern) {
        Some((bits, text)) => {
            let own = o.bits & !(RUN_ONLY | NEWLINE_GIVEN);
            if own & !EXEC_OK != 0 {
                return Err(badarg());
            }
            let re = Regex::compile(&text, bits).map_err(|_| badarg())?;
            let crlf = re.uses_crlf();
            (re, bits & opt::UTF != 0, crlf)
        }
        None if ctx.view().is_tuple(pattern) => return Err(badarg()),
        None => {
            let bits = o.bits & !(RUN_ONLY | NEWLINE_GIVEN);
            let utf = bits & opt::UTF != 0;
            let text = pattern_text(ctx, pattern, utf)?;
            match Regex::compile(&text, bits) {
                Ok(re) => {
                    let crlf = re.uses_crlf();
                    (re, utf, crlf)
                }
                Err(e) if o.bits & REPORT_ERRORS != 0 => {
                    let spec = error_spec(ctx, e);
                    let compile = ctx.atoms.intern("compile").unwrap_or(atom::BADARG);
                    let reason = ctx.p.heap.tuple(&[compile, spec]);
                    return Ok(ctx.p.heap.tuple(&[atom::ERROR, reason]));
                }
                Err(_) => return Err(badarg()),
            }
        }
    };
    // Checked after the pattern, as erl: a bad subject is badarg even with a bad pattern.
    let s = if ctx.view().is_binary(subject) {
        text(ctx, subject, utf)?
    } else {
        // A list is read a step at a time, as erl reads it for a global or UTF run (erl's
        // other runs read it in one go).
        let budget = if o.bits & GLOBAL == 0 && !utf {
            usize::MAX
        } else {
            READ_STEP
        };
        let mut stack = alloc::vec![subject];
        let mut s = Vec::new();
        match read(&ctx.view(), &mut stack, utf, &mut s, budget) {
            Walk::Done => s,
            Walk::Bad => return Err(badarg()),
            Walk::Paused => {
                let job = alloc::boxed::Box::new(Pending::new(re, s, o.bits, crlf, true));
                park(ctx, job)?;
                let stack = stack_list(ctx, &stack);
                let args = ctx.p.heap.list(a);
                let state = ctx.p.heap.tuple(&[stack, args]);
                return Err(Fault::TrapTo([Term::small(RE_RUN), subject, opts, state]));
            }
        }
    };
    let job = Pending::new(re, s, o.bits, crlf, false);
    search(
        ctx,
        alloc::boxed::Box::new(job),
        o,
        [Term::small(RE_RUN), subject, opts],
    )
}

/// Starts the search of `job`, whose subject is read (`a` is the continuation and the
/// subject and options).
fn search(
    ctx: &mut Ctx,
    mut job: alloc::boxed::Box<Pending>,
    o: Options,
    a: [Term; 3],
) -> BifResult {
    let (s, utf) = (&job.s, job.re.options() & opt::UTF != 0);
    if o.offset > s.len() && o.bits & GLOBAL != 0 {
        // erl's global loop stops before its first search.
        return Ok(atom::NOMATCH);
    }
    if o.offset > s.len() || (utf && !is_char_start(s, o.offset)) {
        return Err(badarg());
    }
    if let Values::List(ids) = &o.values {
        check_ids(ctx, ids)?;
    }
    let mut r = Run::new(o.offset);
    r.flags = o.bits
        & (opt::ANCHORED | opt::NOTBOL | opt::NOTEOL | opt::NOTEMPTY | opt::NOTEMPTY_ATSTART);
    if o.bits & NEWLINE_GIVEN != 0 {
        r.newline = Some(Newline::from_bits(o.bits));
    }
    r.match_limit = o.match_limit;
    r.depth_limit = o.depth_limit;
    r.memory = ctx.p.heap.memory_left().unwrap_or(usize::MAX).min(1 << 30);
    job.search = Search::new(&job.re, r.clone());
    job.run = r;
    match advance(ctx, &mut job)? {
        Some(outcome) => finish(ctx, job, outcome, o, a),
        None => {
            park(ctx, job)?;
            Err(Fault::TrapTo([a[0], a[1], a[2], Term::NIL]))
        }
    }
}

/// Units of work (list elements, or 256 bytes of a binary) a step of reading a list subject
/// does.
const READ_STEP: usize = 1 << 15;

/// How a bounded read of a list subject ended.
enum Walk {
    Done,
    Bad,
    Paused,
}

/// Reads the subject terms on `stack` (the next one last) into `out` for `budget` units of
/// work: an iolist's bytes, or in UTF mode chardata as UTF-8 (each binary valid UTF-8
/// itself).
fn read(v: &View, stack: &mut Vec<Term>, utf: bool, out: &mut Vec<u8>, budget: usize) -> Walk {
    let mut work = 0;
    while let Some(t) = stack.pop() {
        if work >= budget {
            stack.push(t);
            return Walk::Paused;
        }
        work += 1;
        if t.is_nil() {
            continue;
        }
        if let Some(b) = v.binary(t) {
            if !b.bit_len.is_multiple_of(8) {
                return Walk::Bad;
            }
            let bytes = match b.bytes() {
                Some(x) => alloc::borrow::Cow::Borrowed(x),
                None => alloc::borrow::Cow::Owned(b.to_vec()),
            };
            if utf && core::str::from_utf8(&bytes).is_err() {
                return Walk::Bad;
            }
            if out.try_reserve(bytes.len()).is_err() {
                // As the subject read in one go: more than the allocator gives is badarg.
                return Walk::Bad;
            }
            out.extend_from_slice(&bytes);
            work += bytes.len() / 256;
            continue;
        }
        if !t.is_cons() {
            return Walk::Bad;
        }
        let (h, tl) = v.cons(t);
        stack.push(tl);
        match h.as_small() {
            Some(c) if utf => {
                let Some(c) = u32::try_from(c).ok().and_then(char::from_u32) else {
                    return Walk::Bad;
                };
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            }
            Some(c @ 0..=255) => out.push(c as u8),
            Some(_) => return Walk::Bad,
            None => stack.push(h),
        }
    }
    Walk::Done
}

/// The stack as a list, the next term first.
fn stack_list(ctx: &mut Ctx, stack: &[Term]) -> Term {
    let mut l = Term::NIL;
    for &t in stack {
        l = ctx.p.heap.cons(t, l);
    }
    l
}

/// One more step of reading a list subject: `a[3]` is `{Stack, Args}` (the stack as a
/// list, the next term first, and the BIF's arguments).
fn read_step(ctx: &mut Ctx, mut job: alloc::boxed::Box<Pending>, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let [stack, args] = v.tuple(a[3]).ok_or_else(badarg)? else {
        return Err(badarg());
    };
    let (stack, args) = (*stack, *args);
    let mut stack_vec = Vec::new();
    let mut l = stack;
    while l.is_cons() {
        let (h, t) = v.cons(l);
        stack_vec.push(h);
        l = t;
    }
    stack_vec.reverse();
    let utf = job.re.options() & opt::UTF != 0;
    let walk = read(&v, &mut stack_vec, utf, &mut job.s, READ_STEP);
    ctx.charge(crate::vm::process::SLICE_REDUCTIONS as usize);
    match walk {
        Walk::Done => {
            job.reading = false;
            let o = options(ctx, a[2])?;
            search(ctx, job, o, [a[0], a[1], a[2]])
        }
        Walk::Bad => {
            let v = ctx.view();
            let mut all = Vec::new();
            let mut l = args;
            while l.is_cons() {
                let (h, t) = v.cons(l);
                all.push(h);
                l = t;
            }
            let name = if all.len() == 4 {
                "internal_run"
            } else {
                "run"
            };
            Err(Fault::trapped_error(ctx, atom::BADARG, ("re", name), &all))
        }
        Walk::Paused => {
            park(ctx, job)?;
            let stack = stack_list(ctx, &stack_vec);
            let state = ctx.p.heap.tuple(&[stack, args]);
            Err(Fault::TrapTo([a[0], a[1], a[2], state]))
        }
    }
}

/// The result of a finished run: built at once, or for a global run with more than
/// [`REPORT_STEP`] matches to report, a step at a time from the last match (`a` is the
/// continuation and its subject and options). The steps read the subject's bytes from a
/// binary: an iolist subject whose captures are binaries becomes one first.
fn finish(
    ctx: &mut Ctx,
    mut job: alloc::boxed::Box<Pending>,
    outcome: Outcome,
    o: Options,
    a: [Term; 3],
) -> BifResult {
    let listed = match o.values {
        Values::None => false,
        Values::AllNames => !job.re.names().is_empty(),
        _ => true,
    };
    let long = job.found.len() > REPORT_STEP && o.bits & GLOBAL != 0;
    if outcome.is_err() || !listed || !long {
        return report(ctx, &job, outcome, o, a[1]);
    }
    let subject = if o.kind == Kind::Binary && !ctx.view().is_binary(a[1]) {
        ctx.p.heap.binary(job.s.clone())
    } else {
        a[1]
    };
    job.building = Some(job.found.len());
    park(ctx, job)?;
    Err(Fault::TrapTo([a[0], subject, a[2], Term::NIL]))
}

/// Matches a step of a global run's result reports.
const REPORT_STEP: usize = 8192;

/// One step of building a global run's result from its end: `list` holds the captures of
/// the matches after the first `job.building`.
fn build_step(ctx: &mut Ctx, mut job: alloc::boxed::Box<Pending>, a: &[Term]) -> BifResult {
    let o = options(ctx, a[2])?;
    let left = job.building.ok_or_else(badarg)?;
    let from = left.saturating_sub(REPORT_STEP);
    let utf = job.re.options() & opt::UTF != 0;
    let whole = (o.kind == Kind::Binary).then_some(a[1]);
    let mut list = a[3];
    for slots in job.found[from..left].iter().rev() {
        let c = captures(ctx, &job.re, &o, slots, &job.s, whole, utf)?;
        list = ctx.p.heap.cons(c, list);
    }
    // The matches reported go now, a step's worth at a time, not all at the end.
    job.found.truncate(from);
    ctx.charge(crate::vm::process::SLICE_REDUCTIONS as usize);
    if from == 0 {
        let tag = ctx.atoms.intern("match").unwrap_or(atom::BADARG);
        return Ok(ctx.p.heap.tuple(&[tag, list]));
    }
    job.building = Some(from);
    // Parked as it was: it holds no more than when its charge was taken.
    ctx.p.re_run = Some(job);
    Err(Fault::TrapTo([a[0], a[1], a[2], list]))
}

/// One more slice of a `re:run` that trapped (continuation [`RE_RUN`]; the state is the
/// subject and the options, and the process's [`Pending`] run).
pub fn run_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let Some(mut job) = ctx.p.re_run.take() else {
        return Err(badarg());
    };
    if job.building.is_some() {
        return build_step(ctx, job, a);
    }
    if job.reading {
        return read_step(ctx, job, a);
    }
    match advance(ctx, &mut job)? {
        Some(outcome) => {
            let o = options(ctx, a[2])?;
            finish(ctx, job, outcome, o, [a[0], a[1], a[2]])
        }
        None => {
            park(ctx, job)?;
            Err(Fault::TrapTo([a[0], a[1], a[2], a[3]]))
        }
    }
}

/// Keeps `job` in the process until its next slice, charged to the node's memory account
/// meanwhile (so runs parked in many processes stay within the node's memory together);
/// `system_limit` when the account cannot hold it.
fn park(ctx: &mut Ctx, mut job: alloc::boxed::Box<Pending>) -> Result<(), Fault> {
    job.charge = None;
    if let Some(m) = ctx.p.heap.memory_account() {
        let bytes = job.s.capacity() + job.search.bytes() + job.found_bytes;
        let c = m.try_charge_temporary(bytes);
        job.charge = Some(c.map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?);
    }
    ctx.p.re_run = Some(job);
    Ok(())
}

/// The continuation number of a trapped `re:run` (see [`super::trap::resume`]).
pub const RE_RUN: i64 = 1;

/// Units of matcher work (instructions run, characters scanned) per reduction.
const WORK_PER_REDUCTION: u64 = 64;

/// Fewest reductions' worth of work a call does before it traps, so a caller whose slice is
/// almost used up still gets on.
const MIN_REDUCTIONS: i32 = 100;

/// A `re:run` in progress: the compiled pattern, the subject's bytes, and where the search
/// and erl's global loop have got to. A process that traps in `re:run` keeps it in
/// [`crate::vm::process::Process::re_run`] until its next slice; it holds no terms, so
/// collections between slices need not know of it.
#[derive(Debug)]
pub struct Pending {
    re: Regex,
    s: Vec<u8>,
    bits: u32,
    crlf: bool,
    /// The parameters of the global loop's next search (its start moves on).
    run: Run,
    search: Search,
    /// When `search` is the global loop's retry after an empty match: where that match was
    /// and where the search that found it started.
    retry: Option<(usize, usize)>,
    found: Vec<Slots>,
    /// What the matches in `found` hold, counted as they come (summing them at each park
    /// would make a run with many matches quadratic).
    found_bytes: usize,
    /// Once the run is done and its result is built a step at a time: the number of
    /// matches (the first ones) whose captures are still to build.
    building: Option<usize>,
    /// While a list subject is read a step at a time into `s` (before the search).
    reading: bool,
    /// What it holds, charged while it is parked ([`park`]).
    charge: Option<crate::vm::memory::TempCharge>,
}

impl Pending {
    /// A run of `re` over the subject bytes `s` (still being read from a list when
    /// `reading`), before its first search.
    fn new(re: Regex, s: Vec<u8>, bits: u32, crlf: bool, reading: bool) -> Self {
        Pending {
            search: Search::new(&re, Run::new(0)),
            re,
            s,
            bits,
            crlf,
            run: Run::new(0),
            retry: None,
            found: Vec::new(),
            found_bytes: 0,
            building: None,
            reading,
            charge: None,
        }
    }
}

/// How a run ended: the matches found, or (with `report_errors`) the limit that stopped it.
type Outcome = Result<(), MatchError>;

/// Builds `re:run`'s result from the matches of a finished run.
fn report(
    ctx: &mut Ctx,
    job: &Pending,
    outcome: Outcome,
    mut o: Options,
    subject: Term,
) -> BifResult {
    if let Err(e) = outcome {
        let reason = match e {
            MatchError::MatchLimit => "match_limit",
            _ => "match_limit_recursion",
        };
        let reason = ctx.atoms.intern(reason).unwrap_or(atom::BADARG);
        return Ok(ctx.p.heap.tuple(&[atom::ERROR, reason]));
    }
    let (re, s, matches) = (&job.re, &job.s, &job.found);
    if matches.is_empty() {
        return Ok(atom::NOMATCH);
    }
    o.values = match o.values {
        Values::AllNames if re.names().is_empty() => Values::None,
        v => v,
    };
    let tag = ctx.atoms.intern("match").unwrap_or(atom::BADARG);
    if let Values::None = o.values {
        return Ok(tag);
    }
    let utf = re.options() & opt::UTF != 0;
    let is_binary = ctx.view().is_binary(subject);
    let whole = if o.kind == Kind::Binary && !is_binary {
        let b = ctx.p.heap.binary(s.clone());
        Some(b)
    } else if o.kind == Kind::Binary {
        Some(subject)
    } else {
        None
    };
    let mut out = Vec::with_capacity(matches.len());
    for slots in matches {
        out.push(captures(ctx, re, &o, slots, s, whole, utf)?);
    }
    let result = if o.bits & GLOBAL != 0 {
        ctx.p.heap.list(&out)
    } else {
        out[0]
    };
    Ok(ctx.p.heap.tuple(&[tag, result]))
}

fn is_char_start(s: &[u8], at: usize) -> bool {
    s.get(at).is_none_or(|&b| b & 0xc0 != 0x80)
}

/// The value identifiers of a capture list must be integers (not negative), strings or
/// atoms.
fn check_ids(ctx: &Ctx, ids: &[Term]) -> Result<(), Fault> {
    let v = ctx.view();
    for &id in ids {
        let ok = id.as_small().is_some_and(|n| n >= 0)
            || id.is_atom()
            || v.is_binary(id)
            || super::conv::list_to_string(&v, id).is_some();
        if !ok {
            return Err(badarg());
        }
    }
    Ok(())
}

type Slots = Vec<Option<usize>>;

/// Adds a match to those found. The list doubles as it grows, to tens of MB for millions of
/// matches: a doubling the allocator cannot give is `system_limit` for the caller, never an
/// abort of the node.
fn keep(found: &mut Vec<Slots>, slots: Slots) -> Result<(), Fault> {
    if found.len() == found.capacity() && found.try_reserve(found.len().max(64)).is_err() {
        return Err(Fault::error(atom::SYSTEM_LIMIT));
    }
    found.push(slots);
    Ok(())
}

/// Goes on with `job` for what is left of the caller's slice: the run once, or (`global`)
/// erl's `re:grun` loop. `None` when the slice ran out first.
fn advance(ctx: &mut Ctx, job: &mut Pending) -> Result<Option<Outcome>, Fault> {
    let report = job.bits & REPORT_ERRORS != 0;
    let utf = job.re.options() & opt::UTF != 0;
    let (s, crlf) = (&job.s, job.crlf);
    let mut budget = ctx.p.reductions.max(MIN_REDUCTIONS) as u64 * WORK_PER_REDUCTION;
    loop {
        let before = job.search.work();
        let m = job.search.resume(&job.re, s, budget);
        let done = job.search.work() - before;
        budget = budget.saturating_sub(done);
        ctx.charge((done / WORK_PER_REDUCTION) as usize);
        let m = match m {
            Ok(Progress::Paused) => return Ok(None),
            Ok(Progress::Done(m)) => Ok(m),
            Err(MatchError::Memory) => return Err(Fault::error(atom::SYSTEM_LIMIT)),
            // PCRE's recursion loop: erl takes it for no (further) match.
            Err(MatchError::RecursionLoop) => Ok(None),
            Err(e) => Err(e),
        };
        ctx.charge(1);
        let from = match job.retry.take() {
            None => {
                let slots = match m {
                    Ok(Some(slots)) => slots,
                    Ok(None) => return Ok(Some(Ok(()))),
                    Err(e) if report => return Ok(Some(Err(e))),
                    Err(_) => return Ok(Some(Ok(()))),
                };
                let (a, b) = (slots[0].unwrap_or(0), slots[1].unwrap_or(0));
                let from = job.run.start;
                job.found_bytes += slots.capacity() * 16;
                keep(&mut job.found, slots)?;
                if job.bits & GLOBAL == 0 {
                    return Ok(Some(Ok(())));
                }
                if b <= a {
                    // An empty match: try again where this search started, anchored and
                    // not empty there (erl's loop); then go on after that match, or one
                    // character after the empty one.
                    let mut again = job.run.clone();
                    again.flags |= opt::NOTEMPTY_ATSTART | opt::ANCHORED;
                    job.search = Search::new(&job.re, again);
                    job.retry = Some((a, from));
                    continue;
                }
                job.run.start = b;
                from
            }
            Some((a, from)) => {
                job.run.start = match m {
                    Ok(Some(slots)) => {
                        let (a2, b2) = (slots[0].unwrap_or(0), slots[1].unwrap_or(0));
                        job.found_bytes += slots.capacity() * 16;
                        keep(&mut job.found, slots)?;
                        if b2 > a2 {
                            b2
                        } else {
                            forward(s, a, utf, crlf)
                        }
                    }
                    Ok(None) => forward(s, a, utf, crlf),
                    Err(e) if report => return Ok(Some(Err(e))),
                    Err(_) => forward(s, a, utf, crlf),
                };
                from
            }
        };
        if job.run.start <= from {
            // Never the case with PCRE's rules; a guard against looping for ever.
            job.run.start = forward(s, from, utf, crlf);
        }
        if job.run.start > s.len() {
            return Ok(Some(Ok(())));
        }
        if job.found.len().is_multiple_of(1024) {
            // The matches kept so far, and the terms they will become, within the node's
            // memory.
            let bytes = job.found.len() * (job.re.groups() + 1) * 64;
            if ctx.p.heap.memory_left().is_some_and(|left| bytes > left) {
                return Err(Fault::error(atom::SYSTEM_LIMIT));
            }
            ctx.charge(job.found.len() / 1024);
        }
        job.search = Search::new(&job.re, job.run.clone());
    }
}

/// The position after the character at `at` (after CRLF as one, when `crlf`).
fn forward(s: &[u8], at: usize, utf: bool, crlf: bool) -> usize {
    if crlf && s[at..].starts_with(b"\r\n") {
        return at + 2;
    }
    let mut p = at + 1;
    while utf && p < s.len() && s[p] & 0xc0 == 0x80 {
        p += 1;
    }
    p
}

/// One match's reported groups.
fn captures(
    ctx: &mut Ctx,
    re: &Regex,
    o: &Options,
    slots: &Slots,
    s: &[u8],
    whole: Option<Term>,
    utf: bool,
) -> BifResult {
    let groups = re.groups();
    // `all` stops at the last group that is set, as erl's does.
    let last = (0..=groups)
        .rev()
        .find(|&n| slots[2 * n].is_some())
        .unwrap_or(0);
    // The groups to report, one loop for every kind of list (each `collect` would be code
    // of its own in the image).
    let mut numbers: Vec<Option<usize>> = Vec::new();
    let (from, to) = match &o.values {
        Values::All => (0, last + 1),
        Values::AllButFirst => (1, last + 1),
        Values::First => (0, 1),
        _ => (0, 0),
    };
    for n in from..to {
        numbers.push(Some(n));
    }
    if let Values::AllNames = o.values {
        for (_, n) in re.names() {
            numbers.push(Some(usize::from(*n)));
        }
    }
    if let Values::List(ids) = &o.values {
        for &id in ids {
            numbers.push(group_of(ctx, re, id));
        }
    }
    let mut items = Vec::with_capacity(numbers.len());
    for n in numbers {
        let span = n
            .filter(|&n| n <= groups)
            .and_then(|n| Some((slots[2 * n]?, slots[2 * n + 1]?)));
        items.push(value(ctx, o.kind, span, s, whole, utf)?);
    }
    Ok(ctx.p.heap.list(&items))
}

/// The group an identifier names (`None`: no such group).
fn group_of(ctx: &Ctx, re: &Regex, id: Term) -> Option<usize> {
    if let Some(n) = id.as_small() {
        return usize::try_from(n).ok();
    }
    let v = ctx.view();
    let text = if id.is_atom() {
        ctx.atoms.name(id).as_bytes().to_vec()
    } else if let Some(b) = v.binary_bytes(id) {
        b.into_owned()
    } else {
        super::conv::list_to_string(&v, id)?.into_bytes()
    };
    re.names()
        .iter()
        .find(|(n, _)| *n == text)
        .map(|(_, g)| usize::from(*g))
}

/// A group's value: `{Start, Len}`, a binary or a list (unset: `{-1,0}`, `<<>>`, `[]`).
fn value(
    ctx: &mut Ctx,
    kind: Kind,
    span: Option<(usize, usize)>,
    s: &[u8],
    whole: Option<Term>,
    utf: bool,
) -> BifResult {
    let (a, b) = span.unwrap_or((usize::MAX, usize::MAX));
    let heap = &mut ctx.p.heap;
    Ok(match kind {
        Kind::Index => match span {
            // `\K` in a lookahead can leave the start after the end, as in PCRE.
            Some(_) => heap.tuple(&[Term::small(a as i64), Term::small(b as i64 - a as i64)]),
            None => heap.tuple(&[Term::small(-1), Term::small(0)]),
        },
        Kind::Binary => {
            let Some(_) = span else {
                return Ok(heap.binary(Vec::new()));
            };
            let (w, off, _) = ctx
                .view()
                .bin_ref(whole.unwrap_or(Term::NIL))
                .ok_or_else(badarg)?;
            ctx.p.heap.bin_ref(w, off + 8 * a, 8 * b.saturating_sub(a))
        }
        Kind::List => match span {
            None => Term::NIL,
            Some(_) if utf => {
                let text = core::str::from_utf8(&s[a..b.max(a)]).map_err(|_| badarg())?;
                let mut cps = Vec::new();
                for c in text.chars() {
                    cps.push(Term::small(c as i64));
                }
                heap.list(&cps)
            }
            Some(_) => heap.byte_list(&s[a..b.max(a)]),
        },
    })
}
