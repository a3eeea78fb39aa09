//! The pattern compiler: one pass over the pattern text that emits the program directly.
//!
//! Open groups are kept in a vector (no native recursion on nesting). Each alternative's
//! code is emitted as it is read; a `|` inserts the split that leads to the next
//! alternative at the start of the current one, and a quantifier rewrites the code of the
//! atom just before it. Jumps are relative, so code moved by an insertion or copied by a
//! counted repeat needs no relocation. Error offsets follow PCRE's (mostly the offset of
//! the character where the problem was seen).
//!
//! What only the whole pattern tells is settled at the end: names and group numbers referred
//! to before their group, the code each subroutine call goes to, which groups are called
//! (their ends become `End`s), and the errors PCRE finds in its second pass (references to
//! missing groups and recursive calls that could loop, the first in the pattern reported).

use alloc::vec::Vec;

use super::class::{other_case, posix, Class, Item, Prop, Set};
use super::{
    opt, CompileError, Inst, Limits, Look, PatternError, Regex, Test, Verb, MAX_NESTING,
    MAX_PROGRAM,
};

/// Largest count in `{n,m}`.
const MAX_COUNT: u32 = 65535;

/// Options an inline setting (`(?imsxJU)`) may change.
const INLINE: u32 =
    opt::CASELESS | opt::MULTILINE | opt::DOTALL | opt::EXTENDED | opt::DUPNAMES | opt::UNGREEDY;

/// What an open group is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Capture(u16),
    Atomic,
    Look {
        behind: bool,
    },
    /// A conditional group; the index of its test (an `If` or, for an assertion, its
    /// `LookStart`), how many `|` were seen and whether it is `(?(DEFINE)`.
    Cond {
        test: usize,
        bars: u8,
        define: bool,
    },
}

/// An open group.
struct Group {
    kind: Kind,
    /// Where the group's code starts (a quantifier after it repeats from here).
    start: usize,
    /// Where its current alternative starts.
    alt_start: usize,
    /// Jumps from ends of alternatives to the group's end, to patch when it closes.
    exits: Vec<usize>,
    /// The options outside the group, restored when it closes.
    flags: u32,
    /// The enclosing alternative's fixed length so far.
    outer_len: Option<u32>,
    /// The enclosing alternative's `seq_rest` and `seq_calls`.
    outer_rest: Option<u32>,
    outer_calls: Vec<u16>,
    /// The fixed length of all alternatives so far (`Some(None)`: they differ or vary).
    len: Option<Option<u32>>,
    /// The enclosing alternative's least length so far.
    outer_min: u32,
    /// The enclosing alternative's `seq_fwd`.
    outer_fwd: bool,
    /// The least length of the alternatives so far.
    min: Option<u32>,
    /// A branch reset group `(?|`: the group count before it and the most after any of its
    /// alternatives so far.
    reset: Option<(usize, usize)>,
    /// Whether a backreference to this capturing group is inside it.
    self_ref: bool,
}

/// An escape sequence's meaning.
enum Esc {
    Char(u32),
    Set(Set, bool),
    /// A Unicode property (`\p`, or `\d` and the like with `ucp`), or its complement.
    Prop(Prop, bool),
    Assert(Look),
    Backref(usize),
    Named(Vec<u8>),
    /// A subroutine call (`\g<..>`): the group (see [`FORWARD`]) and where the reference
    /// ended.
    Call(usize, usize),
    Linebreak,
    Grapheme,
    ResetStart,
    Quote,
    QuoteEnd,
    AnyButNewline,
}

struct Parser<'a> {
    pat: &'a [u8],
    pos: usize,
    flags: u32,
    utf: bool,
    prog: Vec<Inst>,
    classes: Vec<Class>,
    groups: usize,
    names: Vec<(Vec<u8>, u16)>,
    regs: usize,
    open: Vec<Group>,
    /// Start of the last atom, for a quantifier; `None` when there is nothing to repeat.
    atom: Option<usize>,
    /// The last atom's fixed length in characters.
    atom_len: Option<u32>,
    /// The current alternative's fixed length so far.
    seq_len: Option<u32>,
    /// The last atom's least length and the current alternative's so far (PCRE's "could be
    /// empty" when 0, for recursive calls that could loop).
    atom_min: u32,
    seq_min: u32,
    /// Whether the current alternative calls a group not closed yet before anything that
    /// must consume (then PCRE takes it as one that could be empty).
    seq_fwd: bool,
    /// Whether the last atom is the call that set `seq_fwd` (a quantifier undoes that: PCRE
    /// wraps a repeated call in a group it scans through).
    atom_fwd: bool,
    /// The fixed length and least length of each group closed so far, by number.
    closed: Vec<Option<(Option<u32>, u32)>>,
    /// Calls and conditions of groups numbered past those opened so far, with where.
    forward_numbers: Vec<(usize, usize)>,
    /// The names of `(*MARK:NAME)` and `(*SKIP:NAME)`, numbered.
    marks: Vec<Vec<u8>>,
    /// Whether the pattern has `(*THEN)` (then alternatives are marked by `Branch`).
    then: bool,
    /// Whether the pattern has `(*ACCEPT)` (then no character is required).
    accept: bool,
    /// Whether the pattern has a lookbehind.
    lookbehind: bool,
    /// Whether a lookbehind with a call is not of fixed length (an error at the end).
    deferred: bool,
    /// The current alternative's fixed length but for the calls of groups not closed yet
    /// (`seq_calls`), which a lookbehind may have.
    seq_rest: Option<u32>,
    seq_calls: Vec<u16>,
    /// For each lookbehind alternative whose length waits for the groups it calls: the rest
    /// of its length and those groups; its `Back` says `u32::MAX - index` until then.
    lookbehind_calls: Vec<(u32, Vec<u16>)>,
    /// Where the first recursive call that could loop is (an error at the end).
    loops: Option<usize>,
    /// Highest group number referred to by number.
    max_ref: usize,
    in_quote: bool,
    /// Names referred to before their group, with where (see [`FORWARD`]).
    forward: Vec<(Vec<u8>, usize)>,
    /// The last literal outside groups and optional repeats, and where its code starts:
    /// every match contains it (see [`Regex::required`]).
    required: Option<(u32, usize)>,
    /// Whether the pattern has alternatives outside groups (then nothing is required).
    top_alt: bool,
}

/// Group numbers from here on in `Backref`s stand for `forward[n - FORWARD]`.
const FORWARD: u16 = 0xc000;

type Res<T> = Result<T, PatternError>;

fn err<T>(error: CompileError, offset: usize) -> Res<T> {
    Err(PatternError { error, offset })
}

/// Compiles `pat` with options `options`.
pub(super) fn compile(pat: &[u8], mut options: u32) -> Res<Regex> {
    let mut pos = 0;
    let mut limits = Limits::default();
    // Leading `(*UTF8)`, `(*CRLF)`, `(*LIMIT_MATCH=n)` and the like.
    while pat[pos..].starts_with(b"(*") {
        let Some(end) = pat[pos..].iter().position(|&b| b == b')') else {
            break;
        };
        let nl = |n: u32| (options & !(7 << opt::NEWLINE_SHIFT)) | (n << opt::NEWLINE_SHIFT);
        let item = &pat[pos + 2..pos + end];
        let limit = [&b"LIMIT_MATCH="[..], b"LIMIT_RECURSION="]
            .iter()
            .position(|p| item.starts_with(p));
        if let Some(which) = limit {
            // A number (none: 0) that PCRE reads while it is under 429,496,729.
            let digits = &item[if which == 0 { 12 } else { 16 }..];
            let mut n: u64 = 0;
            for &d in digits {
                if !d.is_ascii_digit() || n > u64::from(u32::MAX / 10 - 1) {
                    n = u64::MAX;
                    break;
                }
                n = n * 10 + u64::from(d - b'0');
            }
            if n == u64::MAX {
                break;
            }
            let l = if which == 0 {
                &mut limits.matches
            } else {
                &mut limits.depth
            };
            *l = Some(l.map_or(n, |o: u64| o.min(n)));
            pos += end + 1;
            continue;
        }
        options = match item {
            b"UTF8" | b"UTF" => options | opt::UTF,
            b"UCP" => options | opt::UCP,
            b"LF" => nl(0),
            b"CR" => nl(1),
            b"CRLF" => nl(2),
            b"ANY" => nl(3),
            b"ANYCRLF" => nl(4),
            b"BSR_ANYCRLF" => options | opt::BSR_ANYCRLF,
            b"BSR_UNICODE" => options & !opt::BSR_ANYCRLF,
            b"NO_START_OPT" => {
                limits.no_start_opt = true;
                options
            }
            b"NO_AUTO_POSSESS" => options,
            _ => break,
        };
        pos += end + 1;
    }
    let utf = options & opt::UTF != 0;
    if utf {
        if let Err(e) = core::str::from_utf8(pat) {
            return err(CompileError::BadUtf8, e.valid_up_to());
        }
    }
    let mut p = Parser {
        pat,
        pos,
        flags: options,
        utf,
        prog: Vec::new(),
        classes: Vec::new(),
        groups: 0,
        names: Vec::new(),
        regs: 0,
        open: Vec::new(),
        atom: None,
        atom_len: Some(0),
        seq_len: Some(0),
        atom_min: 0,
        seq_min: 0,
        seq_fwd: false,
        atom_fwd: false,
        closed: Vec::new(),
        forward_numbers: Vec::new(),
        marks: Vec::new(),
        then: pat.windows(6).any(|w| w == b"(*THEN"),
        accept: false,
        lookbehind: false,
        deferred: false,
        seq_rest: Some(0),
        seq_calls: Vec::new(),
        lookbehind_calls: Vec::new(),
        loops: None,
        max_ref: 0,
        in_quote: false,
        forward: Vec::new(),
        required: None,
        top_alt: false,
    };
    p.prog.push(Inst::Save(0));
    p.push_group(Kind::Plain, 1)?;
    p.run()?;
    if p.open.len() > 1 {
        return err(CompileError::MissingParen, pat.len());
    }
    // References to groups that never came: the first in the pattern, as PCRE finds them;
    // backreferences by number are checked last.
    let names = &p.names;
    let bad_name = p
        .forward
        .iter()
        .filter(|(f, _)| !names.iter().any(|(m, _)| m == f));
    let bad_number = p.forward_numbers.iter().filter(|&&(n, _)| n > p.groups);
    let missing = bad_name.map(|f| f.1).chain(bad_number.map(|f| f.1)).min();
    match (missing, p.loops) {
        (Some(at), l) if l.is_none_or(|l| at < l) => return err(CompileError::NoSuchGroup, at),
        (_, Some(l)) => return err(CompileError::RecursionLoop, l),
        _ => {}
    }
    if p.max_ref > p.groups {
        return err(CompileError::NoSuchGroup, pat.len());
    }
    p.close_group(pat.len())?;
    if p.deferred || !p.lookbehind_lengths() {
        return err(CompileError::LookbehindNotFixed, pat.len());
    }
    p.prog.push(Inst::Match);
    p.resolve_forward()?;
    p.resolve_calls();
    Ok(Regex {
        prog: p.prog,
        classes: p.classes,
        groups: p.groups,
        names: p.names,
        regs: p.regs,
        options,
        limits,
        lookbehind: p.lookbehind,
        required: p.required.filter(|_| !p.accept).map(|(c, _)| c),
    })
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.pat.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// The next character (a code point in UTF mode, else a byte).
    fn next_char(&mut self) -> u32 {
        let b = self.pat[self.pos];
        if !self.utf || b < 0x80 {
            self.pos += 1;
            return u32::from(b);
        }
        let n = match b {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            _ => 4,
        };
        let mut c = u32::from(b) & (0x7f >> n);
        for &x in &self.pat[self.pos + 1..self.pos + n] {
            c = (c << 6) | u32::from(x & 0x3f);
        }
        self.pos += n;
        c
    }

    fn emit(&mut self, i: Inst) -> Res<()> {
        if self.prog.len() >= MAX_PROGRAM {
            return err(CompileError::TooLarge, self.pos);
        }
        self.prog.push(i);
        Ok(())
    }

    /// Emits an atom of fixed length `len` (a backreference's least length is 0, any other
    /// atom's 1).
    fn atom(&mut self, i: Inst, len: Option<u32>) -> Res<()> {
        self.atom = Some(self.prog.len());
        self.emit(i)?;
        self.add_len(len, u32::from(!matches!(i, Inst::Backref { .. })));
        Ok(())
    }

    /// Adds an atom of fixed length `len` and least length `min` to the alternative.
    fn add_len(&mut self, len: Option<u32>, min: u32) {
        self.atom_fwd = false;
        self.atom_len = len;
        self.atom_min = min;
        self.seq_min = self.seq_min.saturating_add(min);
        let add = |s: Option<u32>| match (s, len) {
            (Some(a), Some(b)) => a.checked_add(b),
            _ => None,
        };
        self.seq_len = add(self.seq_len);
        self.seq_rest = add(self.seq_rest);
    }

    fn class(&mut self, c: Class) -> Res<()> {
        let i = u16::try_from(self.classes.len()).map_err(|_| PatternError {
            error: CompileError::TooLarge,
            offset: self.pos,
        })?;
        self.classes.push(c);
        self.atom(Inst::Class(i), Some(1))
    }

    fn new_class(&self) -> Class {
        Class {
            fold: self.flags & opt::CASELESS != 0,
            utf: self.utf,
            ..Class::default()
        }
    }

    fn literal(&mut self, c: u32) -> Res<()> {
        let fold = self.flags & opt::CASELESS != 0 && other_case(c, self.utf) != c;
        if !fold && self.open.len() == 1 && !self.top_alt {
            self.required = Some((c, self.prog.len()));
        }
        self.atom(
            if fold {
                Inst::CharFold(c)
            } else {
                Inst::Char(c)
            },
            Some(1),
        )
    }

    fn assert(&mut self, l: Look) -> Res<()> {
        self.emit(Inst::Assert(l))?;
        self.zero_width();
        Ok(())
    }

    /// After an item that matches no characters and cannot be repeated.
    fn zero_width(&mut self) {
        self.atom_fwd = false;
        self.atom = None;
        self.atom_len = Some(0);
        self.atom_min = 0;
    }

    /// Skips white space and `#` comments in extended mode.
    fn skip_extended(&mut self) {
        while self.flags & opt::EXTENDED != 0 && !self.in_quote {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) => self.pos += 1,
                Some(b'#') => {
                    while let Some(b) = self.peek() {
                        self.pos += 1;
                        if b == b'\n' {
                            break;
                        }
                    }
                }
                _ => break,
            }
        }
    }

    fn run(&mut self) -> Res<()> {
        loop {
            self.skip_extended();
            let Some(b) = self.peek() else {
                return Ok(());
            };
            if self.in_quote {
                if self.pat[self.pos..].starts_with(b"\\E") {
                    self.pos += 2;
                    self.in_quote = false;
                } else {
                    let c = self.next_char();
                    self.literal(c)?;
                }
                continue;
            }
            let at = self.pos;
            match b {
                b'(' => {
                    self.pos += 1;
                    self.open_group(at)?;
                }
                b')' => {
                    if self.open.len() == 1 {
                        return err(CompileError::UnmatchedParen, at);
                    }
                    self.pos += 1;
                    self.close_group(at)?;
                }
                b'|' => {
                    self.pos += 1;
                    self.alternative(at)?;
                }
                b'*' | b'+' | b'?' => {
                    self.pos += 1;
                    let (min, max) = match b {
                        b'*' => (0, u32::MAX),
                        b'+' => (1, u32::MAX),
                        _ => (0, 1),
                    };
                    self.quantify(min, max, at)?;
                }
                b'{' => match self.counted()? {
                    // PCRE reports nothing to repeat at the closing brace.
                    Some((min, max)) => self.quantify(min, max, self.pos - 1)?,
                    None => {
                        self.pos += 1;
                        self.literal(u32::from(b'{'))?;
                    }
                },
                b'[' => {
                    self.pos += 1;
                    self.bracket(at)?;
                }
                b'.' => {
                    self.pos += 1;
                    let i = if self.flags & opt::DOTALL != 0 {
                        Inst::AnyAll
                    } else {
                        Inst::Any
                    };
                    self.atom(i, Some(1))?;
                }
                b'^' => {
                    self.pos += 1;
                    let multi = self.flags & opt::MULTILINE != 0;
                    self.assert(if multi { Look::BolMulti } else { Look::Bol })?;
                }
                b'$' => {
                    self.pos += 1;
                    let l = if self.flags & opt::MULTILINE != 0 {
                        Look::EolMulti
                    } else if self.flags & opt::DOLLAR_ENDONLY != 0 {
                        Look::EolOnly
                    } else {
                        Look::Eol
                    };
                    self.assert(l)?;
                }
                b'\\' => {
                    self.pos += 1;
                    let e = self.escape(false)?;
                    self.escape_atom(e, at)?;
                }
                _ => {
                    let c = self.next_char();
                    self.literal(c)?;
                }
            }
        }
    }

    fn escape_atom(&mut self, e: Esc, at: usize) -> Res<()> {
        match e {
            Esc::Char(c) => self.literal(c),
            Esc::Set(s, neg) => {
                let mut c = self.new_class();
                c.fold = false;
                c.bare_word = self.utf && s == Set::Word;
                c.items.push(Item::Set(s, neg));
                self.class(c)
            }
            Esc::Prop(p, neg) => {
                let mut c = self.new_class();
                c.fold = false;
                c.items.push(Item::Prop(p, neg));
                self.class(c)
            }
            Esc::Assert(l) => self.assert(l),
            Esc::Backref(n) => {
                self.max_ref = self.max_ref.max(n);
                self.backref(n, at)
            }
            Esc::Named(name) => match self.names.iter().find(|(m, _)| *m == name) {
                Some(&(_, n)) => self.backref(usize::from(n), at),
                None => {
                    // A name defined later: a placeholder, resolved at the end.
                    let k = self.forward.len();
                    self.forward.push((name, self.pos.saturating_sub(1)));
                    self.backref(usize::from(FORWARD) + k, at)
                }
            },
            Esc::Call(n, term) => self.call(n, term),
            Esc::Linebreak => self.atom(Inst::Linebreak, None),
            Esc::Grapheme => self.atom(Inst::Grapheme, None),
            Esc::ResetStart => {
                self.emit(Inst::ResetStart)?;
                self.atom = None;
                Ok(())
            }
            Esc::Quote => {
                self.in_quote = true;
                Ok(())
            }
            Esc::QuoteEnd => Ok(()),
            Esc::AnyButNewline => self.atom(Inst::Any, Some(1)),
        }
    }

    /// Gives the placeholders of names referred to before their group their numbers.
    fn resolve_forward(&mut self) -> Res<()> {
        if self.forward.is_empty() {
            return Ok(());
        }
        for i in &mut self.prog {
            let group = match i {
                Inst::Backref { group, .. }
                | Inst::Call { group, .. }
                | Inst::If {
                    test: Test::Group(group) | Test::RecursionOf(group),
                    ..
                } => group,
                _ => continue,
            };
            if *group >= FORWARD {
                let (name, at) = &self.forward[usize::from(*group - FORWARD)];
                match self.names.iter().find(|(m, _)| m == name) {
                    Some(&(_, n)) => *group = n,
                    None => return err(CompileError::NoSuchGroup, *at),
                }
            }
        }
        Ok(())
    }

    /// Points every call at its group's code: just after the group's first opening `Save`
    /// (any copy of a repeated group will do; group 0 is the whole pattern). The closing
    /// `Save`s of called groups become `End`s, where calls return.
    fn resolve_calls(&mut self) {
        let mut called = alloc::vec![false; self.groups + 1];
        for i in &self.prog {
            if let Inst::Call { group, .. } = *i {
                called[usize::from(group)] = true;
            }
        }
        if !called.contains(&true) {
            return;
        }
        let mut starts = alloc::vec![u32::MAX; self.groups + 1];
        for (i, inst) in self.prog.iter().enumerate() {
            let g = match *inst {
                Inst::Save(n) if n % 2 == 0 => usize::from(n / 2),
                Inst::Open { group, .. } => usize::from(group),
                _ => continue,
            };
            if starts[g] == u32::MAX {
                starts[g] = i as u32 + 1;
            }
        }
        for i in &mut self.prog {
            match *i {
                Inst::Call { group, .. } => {
                    *i = Inst::Call {
                        group,
                        to: starts[usize::from(group)],
                    }
                }
                Inst::Save(n) if n % 2 == 1 && called[usize::from(n / 2)] => *i = Inst::End(n / 2),
                _ => {}
            }
        }
    }

    /// Gives the lookbehinds that call groups defined after them their lengths, now that
    /// every group's is known; false if one is not of fixed length.
    fn lookbehind_lengths(&mut self) -> bool {
        for (k, (rest, calls)) in self.lookbehind_calls.iter().enumerate() {
            let mut total = Some(*rest);
            for &g in calls {
                let named = g.checked_sub(FORWARD).and_then(|f| {
                    let name = &self.forward[usize::from(f)].0;
                    self.names.iter().find(|(m, _)| m == name)
                });
                let g = named.map_or(g, |&(_, n)| n);
                let len = self.closed.get(usize::from(g)).copied().flatten();
                total = total
                    .zip(len.and_then(|c| c.0))
                    .and_then(|(a, b)| a.checked_add(b));
            }
            let Some(total) = total else {
                return false;
            };
            let mark = Inst::Back(u32::MAX - k as u32);
            if let Some(i) = self.prog.iter_mut().find(|i| **i == mark) {
                *i = Inst::Back(total);
            }
        }
        true
    }

    /// The number of the group named `name`, or a placeholder (see [`FORWARD`]) for a name
    /// not seen yet; `at`: where to report it if it never is.
    fn named_group(&mut self, name: Vec<u8>, at: usize) -> usize {
        match self.names.iter().find(|(m, _)| *m == name) {
            Some(&(_, n)) => usize::from(n),
            None => {
                self.forward.push((name, at));
                usize::from(FORWARD) + self.forward.len() - 1
            }
        }
    }

    /// The name of a call, `(?&name)` and the like, read up to and including `close`;
    /// returns its group (as [`Parser::named_group`]) and where the name ended.
    fn call_name(&mut self, close: u8) -> Res<(usize, usize)> {
        if self.peek() == Some(close) {
            return err(CompileError::NameExpected, self.pos);
        }
        let name = self.name(close, true)?;
        let term = self.pos - 1;
        Ok((self.named_group(name, term), term))
    }

    /// The group a call by number names (`sign`: relative, +1 or -1, or 0), its reference
    /// ending at `term`.
    fn called(&self, sign: i8, n: u32, term: usize) -> Res<usize> {
        let n = n as usize;
        match sign {
            _ if n == 0 && sign != 0 => err(CompileError::ZeroReference, term),
            1 => Ok(self.groups + n),
            -1 if n > self.groups => err(CompileError::NoSuchGroup, term),
            -1 => Ok(self.groups + 1 - n),
            _ => Ok(n),
        }
    }

    /// Emits a call of group `n` (`FORWARD` and above: a name not seen yet); `term`: where
    /// its reference ended, the offset of its errors. A recursive call that could come back
    /// without consuming anything is refused, as PCRE does outside conditional groups.
    fn call(&mut self, n: usize, term: usize) -> Res<()> {
        let group = u16::try_from(n).map_err(|_| PatternError {
            error: CompileError::NoSuchGroup,
            offset: term,
        })?;
        let known = self.closed.get(n).copied().flatten();
        // A call goes to the first group of the number (in a branch reset group, one
        // closed before may have it): recursive only if that one is still open.
        let open = match n {
            0 => Some(0),
            _ if known.is_some() => None,
            _ => self
                .open
                .iter()
                .position(|g| g.kind == Kind::Capture(group)),
        };
        if let Some(k) = open {
            let in_cond = self
                .open
                .iter()
                .any(|g| matches!(g.kind, Kind::Cond { .. }));
            let empty = |min: u32, fwd: bool| min == 0 || fwd;
            if !in_cond
                && empty(self.seq_min, self.seq_fwd)
                && self.open[k + 1..]
                    .iter()
                    .all(|g| empty(g.outer_min, g.outer_fwd))
            {
                // Reported with the references to missing groups, as PCRE finds them.
                self.loops.get_or_insert(term);
            }
        } else if known.is_none() && n < usize::from(FORWARD) {
            self.forward_numbers.push((n, term));
        }
        self.atom = Some(self.prog.len());
        self.emit(Inst::Call { group, to: 0 })?;
        let (len, min) = known.unwrap_or((None, 0));
        let rest = self.seq_rest;
        self.add_len(len, min);
        // PCRE's scan for an empty alternative stops here unless something before it had to
        // consume.
        self.atom_fwd = known.is_none() && self.seq_min == 0 && !self.seq_fwd;
        self.seq_fwd |= self.atom_fwd;
        if known.is_none() && open.is_none() {
            // A group later in the pattern: its length is known at the end (for a
            // lookbehind; a recursive call never has a fixed length).
            self.seq_rest = rest;
            self.seq_calls.push(group);
        }
        Ok(())
    }

    /// A verb, `(*NAME)` or `(*NAME:ARG)`, after its `(`.
    fn verb(&mut self) -> Res<()> {
        self.pos += 1;
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        let name = start..self.pos;
        let mut arg = self.pos..self.pos;
        if self.eat(b':') {
            let a = self.pos;
            while self.peek().is_some_and(|b| b != b')') {
                self.pos += 1;
            }
            arg = a..self.pos;
        }
        if self.peek() != Some(b')') {
            return err(CompileError::UnknownVerb, self.pos);
        }
        let close = self.pos;
        self.pos += 1;
        let has_arg = !arg.is_empty();
        let verb = match &self.pat[name] {
            b"ACCEPT" | b"F" | b"FAIL" | b"COMMIT" if has_arg => {
                return err(CompileError::VerbArgument, close)
            }
            b"MARK" | b"" if !has_arg => return err(CompileError::MarkArgument, close),
            b"ACCEPT" => Verb::Accept,
            b"F" | b"FAIL" => Verb::Fail,
            b"COMMIT" => Verb::Commit,
            b"PRUNE" => Verb::Prune,
            b"THEN" => Verb::Then,
            b"SKIP" if has_arg => Verb::SkipTo(self.mark(arg)),
            b"SKIP" => Verb::Skip,
            b"MARK" | b"" => Verb::Mark(self.mark(arg)),
            _ => return err(CompileError::UnknownVerb, close),
        };
        if verb == Verb::Accept {
            // The groups it is in are captured up to here.
            self.accept = true;
            for i in (0..self.open.len()).rev() {
                if let Kind::Capture(n) = self.open[i].kind {
                    self.emit(Inst::Close {
                        group: n,
                        reg: u16::MAX,
                    })?;
                }
            }
        }
        self.emit(Inst::Verb(verb))?;
        self.zero_width();
        Ok(())
    }

    /// The number of a mark name (the pattern's text at `at`).
    fn mark(&mut self, at: core::ops::Range<usize>) -> u16 {
        let name = &self.pat[at];
        match self.marks.iter().position(|m| m == name) {
            Some(i) => i as u16,
            None => {
                self.marks.push(name.to_vec());
                (self.marks.len() - 1) as u16
            }
        }
    }

    fn backref(&mut self, n: usize, at: usize) -> Res<()> {
        let group = u16::try_from(n).map_err(|_| PatternError {
            error: CompileError::NoSuchGroup,
            offset: at,
        })?;
        let fold = self.flags & opt::CASELESS != 0;
        // A group that refers to itself is atomic, as PCRE makes it.
        if let Some(g) = self
            .open
            .iter_mut()
            .find(|g| g.kind == Kind::Capture(group))
        {
            g.self_ref = true;
        }
        self.atom(Inst::Backref { group, fold }, None)
    }

    /// A decimal number at the cursor (saturating), if there is one.
    fn number(&mut self) -> Option<u32> {
        let start = self.pos;
        let mut n: u32 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = n.saturating_mul(10).saturating_add(u32::from(d - b'0'));
            self.pos += 1;
        }
        (self.pos > start).then_some(n)
    }

    /// `{n}`, `{n,}` or `{n,m}` at the cursor (then consumed), or `None` (a literal `{`).
    fn counted(&mut self) -> Res<Option<(u32, u32)>> {
        let start = self.pos;
        self.pos += 1;
        let min = self.number();
        let too_big = |p: &Self| err(CompileError::QuantifierTooBig, p.pos);
        let Some(min) = min else {
            self.pos = start;
            return Ok(None);
        };
        if min > MAX_COUNT {
            return too_big(self);
        }
        let max = if self.eat(b',') {
            match self.number() {
                Some(m) if m > MAX_COUNT => return too_big(self),
                Some(m) => m,
                None => u32::MAX,
            }
        } else {
            min
        };
        if self.peek() != Some(b'}') {
            self.pos = start;
            return Ok(None);
        }
        if max < min {
            return err(CompileError::QuantifierOrder, self.pos);
        }
        self.pos += 1;
        Ok(Some((min, max)))
    }

    /// Applies a quantifier (read up to its `+`/`?` suffix) to the last atom.
    fn quantify(&mut self, min: u32, max: u32, at: usize) -> Res<()> {
        let Some(start) = self.atom else {
            return err(CompileError::NothingToRepeat, at);
        };
        let mut lazy = self.flags & opt::UNGREEDY != 0;
        let mut possessive = false;
        if self.eat(b'+') {
            // Possessive repeats are greedy whatever `ungreedy` says.
            possessive = true;
            lazy = false;
        } else if self.eat(b'?') {
            lazy = !lazy;
        }
        // The atom's length no longer counts as it was: take it out of the sequence's.
        let len = self.atom_len;
        let sub = |s: Option<u32>| match (s, len) {
            (Some(s), Some(l)) => Some(s - l),
            _ => None,
        };
        self.seq_len = sub(self.seq_len);
        self.seq_rest = sub(self.seq_rest);
        let atom_min = self.atom_min;
        self.seq_min = self.seq_min.saturating_sub(atom_min);
        if core::mem::take(&mut self.atom_fwd) {
            self.seq_fwd = false;
        }
        if min == 0 && self.required.is_some_and(|(_, at)| at >= start) {
            self.required = None;
        }
        let body = self.prog.split_off(start);
        let simple = matches!(
            body[..],
            [Inst::Char(_) | Inst::CharFold(_) | Inst::Any | Inst::AnyAll | Inst::Class(_)]
        );
        if simple {
            self.emit(Inst::RepeatOne {
                min,
                max,
                lazy,
                possessive,
            })?;
            self.emit(body[0])?;
        } else {
            if possessive {
                self.emit(Inst::AtomicStart)?;
            }
            self.repeat(&body, min, max, lazy)?;
            if possessive {
                self.emit(Inst::AtomicEnd)?;
            }
        }
        self.atom = None;
        let total = match len {
            Some(l) if min == max => l.checked_mul(min),
            _ => None,
        };
        self.add_len(total, atom_min.saturating_mul(min));
        Ok(())
    }

    /// Emits `body` repeated `min..=max` times (`u32::MAX`: no limit).
    fn repeat(&mut self, body: &[Inst], min: u32, max: u32, lazy: bool) -> Res<()> {
        let copies = if max == u32::MAX {
            min.max(1)
        } else {
            max.max(1)
        } as usize;
        if self.prog.len() + copies.saturating_mul(body.len() + 2) > MAX_PROGRAM {
            return err(CompileError::TooLarge, self.pos);
        }
        if max == 0 {
            // Never matched, but kept for the calls of groups in it (`(?<name>...){0}`).
            self.prog.push(Inst::Jmp(body.len() as i32 + 1));
            self.prog.extend_from_slice(body);
            return Ok(());
        }
        let fixed = if max == u32::MAX {
            min.saturating_sub(1)
        } else {
            min
        };
        for _ in 0..fixed {
            self.prog.extend_from_slice(body);
        }
        if max == u32::MAX {
            // [Split to end] Mark body Repeat: the split only when zero times is allowed.
            let reg = self.register()?;
            if min == 0 {
                let to = body.len() as i32 + 3;
                self.prog.push(Inst::Split { to, lazy });
            }
            self.prog.push(Inst::Mark(reg));
            self.prog.extend_from_slice(body);
            let back = -(body.len() as i32 + 1);
            self.prog.push(Inst::Repeat { reg, back, lazy });
            return Ok(());
        }
        // Optional copies: each split jumps to the common end.
        let optional = (max - min) as usize;
        let end = self.prog.len() + optional * (body.len() + 1);
        for _ in 0..optional {
            let to = (end - self.prog.len()) as i32;
            self.prog.push(Inst::Split { to, lazy });
            self.prog.extend_from_slice(body);
        }
        Ok(())
    }

    /// A new loop register.
    fn register(&mut self) -> Res<u16> {
        let reg = u16::try_from(self.regs).map_err(|_| PatternError {
            error: CompileError::TooLarge,
            offset: self.pos,
        })?;
        self.regs += 1;
        Ok(reg)
    }

    fn open_group(&mut self, at: usize) -> Res<()> {
        if self.open.len() >= MAX_NESTING {
            return err(CompileError::TooDeep, at);
        }
        let start = self.prog.len();
        let mut kind = Kind::Plain;
        let mut name: Option<Vec<u8>> = None;
        if self.peek() == Some(b'*')
            && self
                .pat
                .get(self.pos + 1)
                .is_some_and(|&b| b.is_ascii_alphabetic() || b == b':')
        {
            return self.verb();
        }
        if self.eat(b'?') {
            let q = self.pos;
            let digit_at = |i: usize| self.pat.get(i).is_some_and(u8::is_ascii_digit);
            let numbered =
                digit_at(q) || (matches!(self.peek(), Some(b'+' | b'-')) && digit_at(q + 1));
            match self.peek() {
                Some(b':') => self.pos += 1,
                Some(b'|') => {
                    self.pos += 1;
                    self.push_group(Kind::Plain, start)?;
                    let g = self.open.len() - 1;
                    self.open[g].reset = Some((self.groups, self.groups));
                    return Ok(());
                }
                Some(b'R') => {
                    self.pos += 1;
                    if self.peek() != Some(b')') {
                        return err(CompileError::RecursionSyntax, self.pos);
                    }
                    self.pos += 1;
                    return self.call(0, self.pos - 1);
                }
                Some(c) if numbered => {
                    let sign = match c {
                        b'+' => 1,
                        b'-' => -1,
                        _ => 0,
                    };
                    self.pos += usize::from(sign != 0);
                    let n = self.number().unwrap_or(0);
                    if self.peek() != Some(b')') {
                        return err(CompileError::RecursionSyntax, self.pos);
                    }
                    self.pos += 1;
                    let g = self.called(sign, n, self.pos - 1)?;
                    return self.call(g, self.pos - 1);
                }
                Some(b'&') => {
                    self.pos += 1;
                    let (n, term) = self.call_name(b')')?;
                    return self.call(n, term);
                }
                Some(b'P') if self.pat.get(q + 1) == Some(&b'>') => {
                    self.pos += 2;
                    let (n, term) = self.call_name(b')')?;
                    return self.call(n, term);
                }
                Some(b'>') => {
                    self.pos += 1;
                    kind = Kind::Atomic;
                }
                Some(b'=' | b'!') => {
                    kind = Kind::Look { behind: false };
                    let negative = self.peek() == Some(b'!');
                    self.pos += 1;
                    self.emit(Inst::LookStart {
                        negative,
                        skip: 0,
                        no: 0,
                    })?;
                }
                Some(b'#') => {
                    match self.pat[self.pos..].iter().position(|&b| b == b')') {
                        Some(n) => self.pos += n + 1,
                        None => return err(CompileError::MissingCommentEnd, self.pat.len()),
                    }
                    return Ok(());
                }
                Some(b'<') if matches!(self.pat.get(q + 1), Some(b'=' | b'!')) => {
                    let negative = self.pat[q + 1] == b'!';
                    self.pos += 2;
                    kind = Kind::Look { behind: true };
                    self.lookbehind = true;
                    self.emit(Inst::LookStart {
                        negative,
                        skip: 0,
                        no: 0,
                    })?;
                }
                Some(b'<') => {
                    self.pos += 1;
                    name = Some(self.name(b'>', true)?);
                }
                Some(b'\'') => {
                    self.pos += 1;
                    name = Some(self.name(b'\'', true)?);
                }
                Some(b'P') if self.pat.get(q + 1) == Some(&b'<') => {
                    self.pos += 2;
                    name = Some(self.name(b'>', false)?);
                }
                Some(b'P') if self.pat.get(q + 1) == Some(&b'=') => {
                    self.pos += 2;
                    let n = self.name(b')', false)?;
                    return self.escape_atom(Esc::Named(n), at);
                }
                Some(b'(') if self.pat.get(q + 1) == Some(&b'?') => {
                    // An assertion as the condition: its `LookStart` is the test.
                    let a = q + 2;
                    let (negative, behind) = match (self.pat.get(a), self.pat.get(a + 1)) {
                        (Some(b'='), _) => (false, false),
                        (Some(b'!'), _) => (true, false),
                        (Some(b'<'), Some(b'=')) => (false, true),
                        (Some(b'<'), Some(b'!')) => (true, true),
                        _ => return err(CompileError::AssertionExpected, q + 1),
                    };
                    self.pos = a + 1 + usize::from(behind);
                    let test = self.prog.len();
                    let cond = Kind::Cond {
                        test,
                        bars: 0,
                        define: false,
                    };
                    self.push_group(cond, start)?;
                    self.lookbehind |= behind;
                    self.emit(Inst::LookStart {
                        negative,
                        skip: 0,
                        no: 0,
                    })?;
                    return self.push_group(Kind::Look { behind }, test);
                }
                Some(b'(') => {
                    self.pos += 1;
                    let t = self.condition()?;
                    let test = self.prog.len();
                    self.emit(Inst::If { test: t, no: 0 })?;
                    kind = Kind::Cond {
                        test,
                        bars: 0,
                        define: t == Test::Never,
                    };
                }
                _ => {
                    // Option settings: `(?i)` for the rest of the group, `(?i:...)`.
                    let mut on = true;
                    let (mut set, mut clear) = (0, 0);
                    loop {
                        let Some(c) = self.peek() else {
                            return err(CompileError::UnknownGroup, self.pos);
                        };
                        let bit = match c {
                            b'i' => opt::CASELESS,
                            b'm' => opt::MULTILINE,
                            b's' => opt::DOTALL,
                            b'x' => opt::EXTENDED,
                            b'J' => opt::DUPNAMES,
                            b'U' => opt::UNGREEDY,
                            b'X' => 0,
                            b'-' if on => {
                                on = false;
                                self.pos += 1;
                                continue;
                            }
                            b')' | b':' => break,
                            _ => return err(CompileError::UnknownGroup, self.pos),
                        };
                        if on {
                            set |= bit;
                        } else {
                            clear |= bit;
                        }
                        self.pos += 1;
                    }
                    let flags = (self.flags | (set & INLINE)) & !(clear & INLINE);
                    if self.eat(b')') {
                        self.flags = flags;
                        return Ok(());
                    }
                    self.pos += 1;
                    self.push_group(Kind::Plain, start)?;
                    self.flags = flags;
                    return Ok(());
                }
            }
        } else if self.flags & opt::NO_AUTO_CAPTURE == 0 {
            kind = Kind::Capture(0);
        }
        if let Some(name) = name {
            kind = Kind::Capture(0);
            let number = self.groups + 1;
            if let Some(&(_, n)) = self.names.iter().find(|(m, _)| *m == name) {
                if self.flags & opt::DUPNAMES == 0 && usize::from(n) != number {
                    return err(CompileError::DuplicateName, self.pos - 1);
                }
            }
            // In a branch reset group, numbers come again: with the same name only.
            let same = |(m, n): &(Vec<u8>, u16)| usize::from(*n) == number && *m == name;
            if self
                .names
                .iter()
                .any(|e| usize::from(e.1) == number && !same(e))
            {
                return err(CompileError::DifferentNames, self.pos - 1);
            }
            if !self.names.iter().any(same) {
                // Kept in name order (erl lists names sorted), without a sort's code.
                let at = self.names.partition_point(|(m, _)| *m <= name);
                self.names.insert(at, (name, number as u16));
            }
        }
        if let Kind::Capture(_) = kind {
            self.groups += 1;
            if self.groups >= usize::from(FORWARD) {
                return err(CompileError::TooLarge, at);
            }
            let n = self.groups as u16;
            kind = Kind::Capture(n);
            self.emit(Inst::Save(2 * n))?;
        } else if kind == Kind::Atomic {
            self.emit(Inst::AtomicStart)?;
        }
        self.push_group(kind, start)
    }

    fn push_group(&mut self, kind: Kind, start: usize) -> Res<()> {
        self.open.push(Group {
            kind,
            start,
            alt_start: self.prog.len(),
            exits: Vec::new(),
            flags: self.flags,
            outer_len: self.seq_len,
            outer_rest: self.seq_rest,
            outer_calls: core::mem::take(&mut self.seq_calls),
            len: None,
            outer_min: self.seq_min,
            outer_fwd: core::mem::take(&mut self.seq_fwd),
            min: None,
            reset: None,
            self_ref: false,
        });
        self.seq_len = Some(0);
        self.seq_rest = Some(0);
        self.seq_min = 0;
        self.atom = None;
        self.branch()
    }

    /// With `(*THEN)` in the pattern, marks the start of an alternative (made a no-op if
    /// its group turns out to have only one).
    fn branch(&mut self) -> Res<()> {
        let g = self.open.len() - 1;
        let group = match self.open[g].kind {
            _ if !self.then => return Ok(()),
            Kind::Cond { .. } => return Ok(()),
            Kind::Capture(n) => n,
            _ if g == 0 => 0,
            _ => u16::MAX,
        };
        self.emit(Inst::Branch { end: 0, group })
    }

    /// The test in `(?(...)`, read up to and including its `)`: a group number (`+n`, `-n`
    /// relative), `<name>`, `'name'` or a bare name, `R`, `Rn`, `R&name`, `DEFINE`.
    fn condition(&mut self) -> Res<Test> {
        let at = self.pos;
        let sign = match self.peek() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => 0,
        };
        if sign != 0 && self.pat.get(at + 1).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        if let Some(n) = self.number() {
            if !self.eat(b')') {
                return err(CompileError::BadCondition, self.pos);
            }
            if n == 0 {
                return err(CompileError::ZeroReference, at);
            }
            let n = n as usize;
            let n = match sign {
                1 => self.groups + n,
                -1 if n > self.groups => return err(CompileError::NoSuchGroup, self.pos),
                -1 => self.groups + 1 - n,
                _ => n,
            };
            if n > self.groups {
                self.forward_numbers.push((n, self.pos));
            }
            return Ok(Test::Group(self.group_number(n, at)?));
        }
        let word = |p: &mut Self| {
            let start = p.pos;
            while p
                .peek()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                p.pos += 1;
            }
            p.pat[start..p.pos].to_vec()
        };
        if let Some(open @ (b'<' | b'\'')) = self.peek() {
            self.pos += 1;
            let close = if open == b'<' { b'>' } else { open };
            if self.peek() == Some(close) {
                return err(CompileError::AssertionExpected, self.pos);
            }
            let name = self.name(close, false)?;
            if !self.eat(b')') {
                return err(CompileError::BadCondition, self.pos);
            }
            return Ok(Test::Group(self.name_ref(name)?));
        }
        let w = word(self);
        let recursion_of = w == b"R" && self.eat(b'&');
        let name = if recursion_of {
            let name = word(self);
            if name.is_empty() {
                return err(CompileError::AssertionExpected, self.pos);
            }
            name
        } else {
            w
        };
        if name.is_empty() || !self.eat(b')') {
            return err(CompileError::BadCondition, at);
        }
        if !recursion_of {
            if name == b"R" {
                return Ok(Test::Recursion);
            }
            if name == b"DEFINE" {
                return Ok(Test::Never);
            }
            if name[0] == b'R' && name[1..].iter().all(u8::is_ascii_digit) {
                let n = name[1..].iter().fold(0usize, |n, &d| {
                    n.saturating_mul(10).saturating_add(usize::from(d - b'0'))
                });
                return Ok(Test::RecursionOf(self.group_number(n, at)?));
            }
        }
        let n = self.name_ref(name)?;
        Ok(if recursion_of {
            Test::RecursionOf(n)
        } else {
            Test::Group(n)
        })
    }

    /// The group named `name` in a condition just read (a placeholder if it comes later).
    fn name_ref(&mut self, name: Vec<u8>) -> Res<u16> {
        let n = self.named_group(name, self.pos);
        u16::try_from(n).map_err(|_| PatternError {
            error: CompileError::TooLarge,
            offset: self.pos,
        })
    }

    /// `n` as a group number, or PCRE's error when it is too big to be one.
    fn group_number(&self, n: usize, at: usize) -> Res<u16> {
        u16::try_from(n)
            .ok()
            .filter(|&n| n < FORWARD)
            .ok_or(PatternError {
                error: CompileError::NoSuchGroup,
                offset: at,
            })
    }

    /// A group name up to `close` (consumed); `check_digit`: PCRE's message for a leading
    /// digit.
    fn name(&mut self, close: u8, check_digit: bool) -> Res<Vec<u8>> {
        let start = self.pos;
        if self.peek().is_some_and(|b| b.is_ascii_digit()) {
            let _ = check_digit;
            return err(CompileError::NameStartsWithDigit, start);
        }
        while let Some(b) = self.peek() {
            if !(b.is_ascii_alphanumeric() || b == b'_') {
                break;
            }
            self.pos += 1;
        }
        let name = self.pat[start..self.pos].to_vec();
        if name.is_empty() && start == self.pos && self.peek() != Some(close) {
            return err(CompileError::UnknownGroupLt, self.pos);
        }
        if !self.eat(close) {
            return err(CompileError::BadName, self.pos);
        }
        Ok(name)
    }

    /// Ends the current alternative of the innermost group (the pattern is the outermost).
    fn close_alternative(&mut self, at: usize) -> Res<()> {
        let len = self.seq_len;
        let g = self.open.last_mut().unwrap_or_else(|| unreachable!());
        if let Some(Inst::Branch { group, .. }) = self.prog.get(g.alt_start) {
            let end = (self.prog.len() - g.alt_start) as u32;
            let group = *group;
            self.prog[g.alt_start] = Inst::Branch { end, group };
        }
        // An alternative with a call of a group not closed yet could be empty, for PCRE.
        let min = if core::mem::take(&mut self.seq_fwd) {
            0
        } else {
            self.seq_min
        };
        g.min = Some(g.min.map_or(min, |m| m.min(min)));
        if let Kind::Look { behind: true } = g.kind {
            let n = match (len, self.seq_rest) {
                (Some(n), _) => n,
                // Calls of groups not closed yet: their lengths are added at the end.
                (None, Some(rest)) if !self.seq_calls.is_empty() => {
                    let calls = core::mem::take(&mut self.seq_calls);
                    self.lookbehind_calls.push((rest, calls));
                    u32::MAX - (self.lookbehind_calls.len() as u32 - 1)
                }
                // PCRE checks lookbehinds with calls once the pattern is compiled.
                (None, _)
                    if self.prog[g.alt_start..]
                        .iter()
                        .any(|i| matches!(i, Inst::Call { .. })) =>
                {
                    self.deferred = true;
                    0
                }
                (None, _) => return err(CompileError::LookbehindNotFixed, at),
            };
            self.prog.insert(g.alt_start, Inst::Back(n));
        }
        g.len = Some(match g.len {
            None => len,
            Some(l) if l == len => l,
            Some(_) => None,
        });
        Ok(())
    }

    fn alternative(&mut self, at: usize) -> Res<()> {
        self.close_alternative(at)?;
        if self.open.len() == 1 {
            self.top_alt = true;
            self.required = None;
        }
        let gi = self.open.len() - 1;
        if let Some((base, most)) = self.open[gi].reset {
            self.open[gi].reset = Some((base, most.max(self.groups)));
            self.groups = base;
        }
        if let Kind::Cond { test, bars, define } = self.open[gi].kind {
            // More than two branches is an error when the group closes.
            self.open[gi].kind = Kind::Cond {
                test,
                bars: bars.saturating_add(1),
                define,
            };
            self.open[gi].exits.push(self.prog.len());
            self.prog.push(Inst::Jmp(0));
            self.set_if_group(test);
        } else {
            let s = self.open[gi].alt_start;
            let to = (self.prog.len() + 2 - s) as i32;
            self.prog.insert(s, Inst::Split { to, lazy: false });
            self.open[gi].exits.push(self.prog.len());
            self.prog.push(Inst::Jmp(0));
        }
        self.open[gi].alt_start = self.prog.len();
        self.seq_len = Some(0);
        self.seq_rest = Some(0);
        self.seq_calls.clear();
        self.seq_min = 0;
        self.atom = None;
        if self.prog.len() > MAX_PROGRAM {
            return err(CompileError::TooLarge, at);
        }
        self.branch()
    }

    /// Points the conditional test at `test` to the code from here on (its "no" branch).
    fn set_if_group(&mut self, test: usize) {
        let no = (self.prog.len() - test) as i32;
        match self.prog[test] {
            Inst::If { test: t, .. } => self.prog[test] = Inst::If { test: t, no },
            Inst::LookStart { negative, skip, .. } => {
                self.prog[test] = Inst::LookStart { negative, skip, no }
            }
            _ => {}
        }
    }

    /// Closes the innermost group at `)` (or the pattern itself at its end).
    fn close_group(&mut self, at: usize) -> Res<()> {
        self.close_alternative(at)?;
        let g = self.open.pop().unwrap_or_else(|| unreachable!());
        if let Some((_, most)) = g.reset {
            self.groups = self.groups.max(most);
        }
        if g.exits.is_empty() {
            // One alternative: its `Branch` mark (after any `Back`) is not needed.
            for i in [g.alt_start, g.alt_start + 1] {
                if let Some(Inst::Branch { .. }) = self.prog.get(i) {
                    self.prog[i] = Inst::Jmp(1);
                    break;
                }
            }
        }
        match g.kind {
            Kind::Capture(n) if g.self_ref => {
                // Its backreferences see the text it captured before: its start is kept in
                // a loop register until it ends.
                let reg = self.register()?;
                self.prog[g.start] = Inst::Open { group: n, reg };
                for i in &mut self.prog[g.start..] {
                    if *i
                        == (Inst::Close {
                            group: n,
                            reg: u16::MAX,
                        })
                    {
                        *i = Inst::Close { group: n, reg };
                    }
                }
                self.emit(Inst::SetStart { group: n, reg })?;
                self.emit(Inst::Save(2 * n + 1))?
            }
            Kind::Capture(n) => self.emit(Inst::Save(2 * n + 1))?,
            Kind::Atomic => self.emit(Inst::AtomicEnd)?,
            Kind::Look { .. } => self.emit(Inst::LookEnd)?,
            Kind::Cond { bars: 2.., .. } => return err(CompileError::ConditionTooManyBranches, at),
            Kind::Cond {
                define: true,
                bars: 1,
                ..
            } => return err(CompileError::DefineBranches, at),
            Kind::Cond { test, bars: 0, .. } => self.set_if_group(test),
            Kind::Cond { .. } => {}
            Kind::Plain => {}
        }
        let end = self.prog.len();
        // Alternatives end at the group's closing instruction, if it has one.
        let target = match g.kind {
            Kind::Capture(_) if g.self_ref => end - 2,
            Kind::Capture(_) | Kind::Atomic | Kind::Look { .. } => end - 1,
            _ => end,
        };
        for &j in &g.exits {
            self.prog[j] = Inst::Jmp((target - j) as i32);
        }
        if let (Kind::Look { .. }, Some(&Inst::LookStart { negative, no, .. })) =
            (g.kind, self.prog.get(g.start))
        {
            let skip = (end - g.start) as i32;
            self.prog[g.start] = Inst::LookStart { negative, skip, no };
        }
        self.flags = g.flags;
        self.seq_len = g.outer_len;
        self.seq_rest = g.outer_rest;
        self.seq_calls = g.outer_calls;
        self.seq_min = g.outer_min;
        self.seq_fwd = g.outer_fwd;
        let (len, min) = match g.kind {
            Kind::Look { .. } => (Some(0), 0),
            // As PCRE, the length of its branches (one: that one's, even though the
            // condition may skip it).
            Kind::Cond { bars, .. } => (
                g.len.flatten(),
                if bars > 0 { g.min.unwrap_or(0) } else { 0 },
            ),
            _ => (g.len.flatten(), g.min.unwrap_or(0)),
        };
        if g.self_ref {
            self.prog.insert(g.start, Inst::AtomicStart);
            self.emit(Inst::AtomicEnd)?;
        }
        if let Kind::Capture(n) = g.kind {
            let n = usize::from(n);
            if self.closed.len() <= n {
                self.closed.resize(n + 1, None);
            }
            self.closed[n].get_or_insert((len, min));
        }
        self.add_len(len, min);
        self.atom = Some(g.start);
        Ok(())
    }

    /// The end of a POSIX class name starting at `[` at `from` (the index of its `:]`).
    fn posix_end(&self, from: usize) -> Option<usize> {
        let term = *self.pat.get(from + 1)?;
        if !matches!(term, b':' | b'.' | b'=') {
            return None;
        }
        let rest = &self.pat[from + 2..];
        let close = rest.iter().position(|&b| b == b']')?;
        (close > 0 && rest[close - 1] == term).then_some(from + 2 + close - 1)
    }

    /// A bracketed class, after its `[`.
    fn bracket(&mut self, at: usize) -> Res<()> {
        if self.posix_end(at).is_some() {
            return err(CompileError::PosixOutsideClass, at);
        }
        let mut c = self.new_class();
        c.negated = self.eat(b'^');
        let mut first = true;
        let mut quoting = false;
        loop {
            let Some(b) = self.peek() else {
                return err(CompileError::MissingBracket, self.pat.len());
            };
            if quoting {
                if self.pat[self.pos..].starts_with(b"\\E") {
                    self.pos += 2;
                    quoting = false;
                    continue;
                }
            } else if b == b']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            let lo = if quoting {
                self.next_char()
            } else if b == b'[' && self.posix_end(self.pos).is_some() {
                let end = self.posix_end(self.pos).unwrap_or(self.pos);
                self.pos += 2;
                let negated = self.eat(b'^');
                let name_at = self.pos;
                let set = match self.pat[self.pos - 1 - usize::from(negated)] {
                    b':' => posix(&self.pat[self.pos..end]),
                    _ => None,
                };
                let Some(set) = set else {
                    return err(CompileError::UnknownPosixClass, name_at);
                };
                c.items.push(self.posix_item(set, negated));
                self.pos = end + 2;
                continue;
            } else if b == b'\\' {
                self.pos += 1;
                match self.escape(true)? {
                    Esc::Char(ch) => ch,
                    Esc::Set(set, negated) => {
                        c.items.push(Item::Set(set, negated));
                        continue;
                    }
                    Esc::Prop(p, negated) => {
                        c.items.push(Item::Prop(p, negated));
                        continue;
                    }
                    Esc::Quote => {
                        quoting = true;
                        continue;
                    }
                    _ => continue,
                }
            } else {
                self.next_char()
            };
            let range = self.peek() == Some(b'-')
                && self.pat.get(self.pos + 1).is_some_and(|&n| n != b']')
                && !(quoting && self.pat.get(self.pos + 1) == Some(&b'\\'));
            if !range {
                c.items.push(Item::Range(lo, lo));
                continue;
            }
            let dash = self.pos;
            self.pos += 1;
            let hi = match self.peek() {
                Some(b'[') if self.posix_end(self.pos).is_some() => None,
                Some(b'\\') if !quoting => {
                    self.pos += 1;
                    let esc_at = self.pos;
                    match self.escape(true)? {
                        Esc::Char(h) => Some(h),
                        Esc::Set(..) | Esc::Prop(..) => {
                            return err(CompileError::InvalidRange, esc_at)
                        }
                        _ => None,
                    }
                }
                _ => Some(self.next_char()),
            };
            let Some(hi) = hi else {
                // `-` before something that cannot end a range is a literal.
                self.pos = dash;
                c.items.push(Item::Range(lo, lo));
                continue;
            };
            if hi < lo {
                return err(CompileError::RangeOrder, self.pos - 1);
            }
            c.items.push(Item::Range(lo, hi));
        }
        self.class(c)
    }

    /// Up to `max` digits of base `radix` at the cursor, as a number (saturating).
    fn digits(&mut self, radix: u32, max: usize) -> (u32, usize) {
        let mut n: u32 = 0;
        let mut count = 0;
        while count < max {
            let Some(d) = self.peek().and_then(|b| (b as char).to_digit(radix)) else {
                break;
            };
            n = n.saturating_mul(radix).saturating_add(d);
            self.pos += 1;
            count += 1;
        }
        (n, count)
    }

    /// A code point read from an escape, checked against the mode's largest.
    fn code_point(&self, c: u32, at: usize) -> Res<Esc> {
        let max = if self.utf { 0x10ffff } else { 0xff };
        if c > max || (self.utf && (0xd800..0xe000).contains(&c)) {
            return err(CompileError::CharTooBig, at);
        }
        Ok(Esc::Char(c))
    }

    /// An escape sequence, after its backslash.
    fn escape(&mut self, in_class: bool) -> Res<Esc> {
        let Some(b) = self.peek() else {
            return err(CompileError::TrailingBackslash, self.pos);
        };
        if self.utf && b >= 0x80 {
            return Ok(Esc::Char(self.next_char()));
        }
        let at = self.pos;
        self.pos += 1;
        let ucp = self.flags & opt::UCP != 0;
        let set = |s: Set, upper: bool| Ok(Esc::Set(s, upper));
        let prop = |p: Prop, upper: bool| Ok(Esc::Prop(p, upper));
        match b {
            b'd' | b'D' if ucp => prop(Prop::DIGIT, b == b'D'),
            b'w' | b'W' if ucp => prop(Prop::Word, b == b'W'),
            b's' | b'S' if ucp => prop(Prop::Space, b == b'S'),
            b'p' | b'P' => self.property(b == b'P'),
            b'd' | b'D' => set(Set::Digit, b == b'D'),
            b'w' | b'W' => set(Set::Word, b == b'W'),
            b's' | b'S' => set(Set::Space, b == b'S'),
            b'h' | b'H' => set(Set::HSpace, b == b'H'),
            b'v' | b'V' => set(Set::VSpace, b == b'V'),
            b'n' => Ok(Esc::Char(10)),
            b't' => Ok(Esc::Char(9)),
            b'r' => Ok(Esc::Char(13)),
            b'f' => Ok(Esc::Char(12)),
            b'e' => Ok(Esc::Char(27)),
            b'a' => Ok(Esc::Char(7)),
            b'b' if in_class => Ok(Esc::Char(8)),
            b'Q' => Ok(Esc::Quote),
            b'E' => Ok(Esc::QuoteEnd),
            b'x' => {
                if self.peek() == Some(b'{') {
                    let save = self.pos;
                    self.pos += 1;
                    let (c, n) = self.digits(16, usize::MAX);
                    if n > 0 && self.peek() == Some(b'}') {
                        let close = self.pos;
                        self.pos += 1;
                        return self.code_point(c, close);
                    }
                    self.pos = save;
                }
                let (c, _) = self.digits(16, 2);
                Ok(Esc::Char(c))
            }
            b'o' if self.peek() == Some(b'{') => {
                self.pos += 1;
                let (c, _) = self.digits(8, usize::MAX);
                if !self.eat(b'}') {
                    return err(CompileError::BadName, self.pos);
                }
                self.code_point(c, self.pos - 1)
            }
            b'c' => {
                let Some(x) = self.peek() else {
                    return err(CompileError::TrailingControl, self.pos);
                };
                self.pos += 1;
                Ok(Esc::Char(u32::from(x.to_ascii_uppercase() ^ 0x40)))
            }
            b'0' => {
                let (c, _) = self.digits(8, 2);
                self.code_point(c, self.pos)
            }
            b'1'..=b'9' => {
                if !in_class {
                    self.pos = at;
                    let n = self.number().unwrap_or(0) as usize;
                    if n < 8 || n <= self.groups {
                        return Ok(Esc::Backref(n));
                    }
                    self.pos = at;
                }
                if b >= b'8' {
                    self.pos = at + 1;
                    return Ok(Esc::Char(u32::from(b)));
                }
                let (c, _) = self.digits(8, 3);
                self.code_point(c, self.pos)
            }
            b'g' if !in_class => self.g_reference(),
            b'k' if !in_class => {
                let close = match self.peek() {
                    Some(b'<') => b'>',
                    Some(b'\'') => b'\'',
                    Some(b'{') => b'}',
                    _ => return err(CompileError::BadGReference, self.pos),
                };
                self.pos += 1;
                Ok(Esc::Named(self.name(close, false)?))
            }
            b'X' if !in_class => Ok(Esc::Grapheme),
            b'C' | b'L' | b'l' | b'U' | b'u' => err(CompileError::Unsupported, at),
            _ if in_class => Ok(Esc::Char(u32::from(b))),
            b'b' => Ok(Esc::Assert(Look::Word)),
            b'B' => Ok(Esc::Assert(Look::NotWord)),
            b'A' => Ok(Esc::Assert(Look::Start)),
            b'z' => Ok(Esc::Assert(Look::End)),
            b'Z' => Ok(Esc::Assert(Look::EndOrNewline)),
            b'G' => Ok(Esc::Assert(Look::StartOffset)),
            b'R' => Ok(Esc::Linebreak),
            b'K' => Ok(Esc::ResetStart),
            b'N' => Ok(Esc::AnyButNewline),
            _ => Ok(Esc::Char(u32::from(b))),
        }
    }

    /// `\p{Name}`, `\p{^Name}` or `\pL` after the `p` (`negated`: it was `\P`).
    fn property(&mut self, negated: bool) -> Res<Esc> {
        let Some(b) = self.peek() else {
            return err(CompileError::MalformedProperty, self.pos);
        };
        if b != b'{' {
            let at = self.pos;
            self.pos += 1;
            return match Prop::from_name(&[b]) {
                Some(p) => Ok(Esc::Prop(p, negated)),
                None => err(CompileError::UnknownProperty, at),
            };
        }
        self.pos += 1;
        let caret = self.eat(b'^');
        let Some(len) = self.pat[self.pos..].iter().position(|&b| b == b'}') else {
            return err(CompileError::MalformedProperty, self.pat.len());
        };
        let name = &self.pat[self.pos..self.pos + len];
        let close = self.pos + len;
        self.pos = close + 1;
        match Prop::from_name(name) {
            Some(p) => Ok(Esc::Prop(p, negated != caret)),
            None => err(CompileError::UnknownProperty, close),
        }
    }

    /// A POSIX class as a class item: with `ucp`, most stand for Unicode properties
    /// (PCRE's substitutes; caseless, `[:lower:]` and `[:upper:]` are `[:alpha:]`, as
    /// without `ucp`, and `[:blank:]` is `\h`).
    fn posix_item(&self, set: Set, negated: bool) -> Item {
        let caseless = self.flags & opt::CASELESS != 0;
        if self.flags & opt::UCP == 0 {
            let set = match set {
                Set::Lower | Set::Upper if caseless => Set::Alpha,
                s => s,
            };
            return Item::Set(set, negated);
        }
        let prop = match set {
            Set::Alpha => Prop::ALPHA,
            Set::Lower | Set::Upper if caseless => Prop::ALPHA,
            Set::Lower => Prop::LOWER,
            Set::Upper => Prop::UPPER,
            Set::Alnum => Prop::Alnum,
            Set::Digit => Prop::DIGIT,
            Set::Space => Prop::Space,
            Set::Word => Prop::Word,
            Set::Graph => Prop::Graph,
            Set::Print => Prop::Print,
            Set::Punct => Prop::Punct,
            Set::Blank => return Item::Set(Set::HSpace, negated),
            _ => return Item::Set(set, negated),
        };
        Item::Prop(prop, negated)
    }

    /// `\g{n}`, `\g{-n}`, `\g{name}`, `\gn`, `\g-n`, after the `g`.
    fn g_reference(&mut self) -> Res<Esc> {
        if let Some(open @ (b'<' | b'\'')) = self.peek() {
            // A subroutine call, Oniguruma's way.
            let close = if open == b'<' { b'>' } else { open };
            let at = self.pos;
            self.pos += 1;
            let sign = match self.peek() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => 0,
            };
            if sign != 0 || self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += usize::from(sign != 0);
                let n = self.number();
                if n.is_none() || self.peek() != Some(close) {
                    return err(CompileError::GSyntax, at);
                }
                let term = self.pos;
                self.pos += 1;
                return Ok(Esc::Call(self.called(sign, n.unwrap_or(0), term)?, term));
            }
            let (g, term) = self.call_name(close)?;
            return Ok(Esc::Call(g, term));
        }
        let braced = self.eat(b'{');
        let minus = self.eat(b'-');
        let at = self.pos;
        let n = match self.number() {
            Some(n) => n as usize,
            None if braced && !minus => return Ok(Esc::Named(self.name(b'}', false)?)),
            None => return err(CompileError::BadGReference, self.pos),
        };
        if braced && !self.eat(b'}') {
            return err(CompileError::BadGReference, self.pos);
        }
        if n == 0 {
            return err(CompileError::ZeroReference, self.pos - usize::from(braced));
        }
        if minus {
            if n > self.groups {
                return err(CompileError::NoSuchGroup, at);
            }
            return Ok(Esc::Backref(self.groups + 1 - n));
        }
        Ok(Esc::Backref(n))
    }
}
