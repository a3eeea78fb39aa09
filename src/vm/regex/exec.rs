//! The matcher: runs a compiled program over a subject with an explicit backtrack stack.
//!
//! A backtrack point is a [`Frame`] on a vector; captures and loop registers changed since a
//! point are restored from frames pushed when they changed, so failing back to a point
//! restores the whole state. Atomic groups and lookarounds push a marker; leaving them drops
//! the backtrack points above the marker but keeps the restore frames. The stack is bounded
//! by the caller's budget in bytes and in frames, and the work by a step count.
//!
//! A subroutine call pushes a [`Frame::Call`] (the calls in progress are linked through
//! them) and jumps to the group's code; reaching the group's end returns: the frames above
//! the call are dropped, the captures and loop registers restored from them, and the match
//! goes on after the call. Backtracking verbs push a frame that acts when backtracking
//! reaches it: it unwinds the stack to the innermost call or assertion (which then fails, or
//! is true when negative) or to the bottom, where it ends this start position or the search.
//!
//! All of a run's state lives in a [`Search`], not on the native stack, so a run can stop
//! after a budget of work and go on later from exactly where it was ([`Search::resume`]):
//! the BIFs run a long match a scheduler slice at a time. It pauses only at the top of the
//! instruction loop, where the state is whole.

use alloc::vec::Vec;

use super::class::{caseless_eq, Prop, Set};
use super::unicode::{grapheme_class, grapheme_joins};
use super::{opt, Inst, Look, Newline, Regex, Test, Verb};

/// How a run could not finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum MatchError {
    /// More steps than the match limit (erl: `{error, match_limit}` or `nomatch`).
    MatchLimit = 1,
    /// More backtrack points than the recursion limit (erl: `match_limit_recursion`).
    RecursionLimit = 2,
    /// The backtrack stack would pass the memory budget.
    Memory = 3,
    /// A group was called again at the same subject position from within itself (PCRE's
    /// recursion loop; erl reports no match).
    RecursionLoop = 4,
}

/// The parameters of one run.
#[derive(Clone, Debug)]
pub struct Run {
    /// Byte offset of the first start position.
    pub start: usize,
    /// Run options: bits of [`opt`] (`ANCHORED`, `NOTBOL`, `NOTEOL`, `NOTEMPTY`,
    /// `NOTEMPTY_ATSTART`).
    pub flags: u32,
    /// The newline convention, when the run sets one.
    pub newline: Option<Newline>,
    /// Most steps (backtrack points made and taken) from each start position, as PCRE counts
    /// its match limit.
    pub match_limit: u64,
    /// Most backtrack frames at once.
    pub depth_limit: usize,
    /// Most bytes the backtrack stack may take.
    pub memory: usize,
}

impl Run {
    /// A run from `start` with erl's default limits and no memory bound.
    pub fn new(start: usize) -> Run {
        Run {
            start,
            flags: 0,
            newline: None,
            match_limit: 10_000_000,
            depth_limit: 10_000_000,
            memory: usize::MAX,
        }
    }
}

const UNSET: usize = usize::MAX;

/// No call in progress (for [`Search::call`] and [`Frame::Call`]'s link).
const NO_CALL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
enum Frame {
    /// Go on at `pc` with `pos`.
    Alt { pc: usize, pos: usize },
    /// Restore capture slot `n`.
    Slot { n: u16, old: usize },
    /// Restore loop register `n`.
    Reg { n: u16, old: usize },
    /// An atomic group's start.
    Barrier,
    /// A lookaround's start: where it was tried, where its code ends and, as a condition,
    /// where the "no" branch starts (else 0).
    Look {
        negative: bool,
        pos: usize,
        cont: u32,
        no: u32,
    },
    /// A subroutine call of `group` made at `pos`, returning to `ret`; `prev` is the stack
    /// index of the call it was made in ([`NO_CALL`]: none).
    Call {
        group: u16,
        ret: u32,
        prev: u32,
        pos: usize,
    },
    /// A verb met at `pc` and `pos`: acts when backtracked into.
    Verb { verb: Verb, pc: u32, pos: usize },
    /// `(*MARK:NAME)` met at `pos`.
    Mark { name: u16, pos: usize },
    /// The start of an alternative (a `Branch` at `pc`), for `(*THEN)`.
    Branch { pc: u32 },
    /// A greedy single-character repeat at `pc` that may give back characters down to
    /// `min_pos`; it now ends at `pos`.
    Greedy {
        pc: usize,
        min_pos: usize,
        pos: usize,
    },
    /// A lazy single-character repeat at `pc` that has taken `count` and ends at `pos`.
    Lazy { pc: usize, pos: usize, count: u32 },
}

/// Where a paused search goes on.
#[derive(Clone, Copy, Debug)]
enum At {
    /// Before trying start position `p` (skipping to where a match can start first).
    Start(usize),
    /// In the attempt from `start`, at instruction `pc` and subject position `pos`.
    Attempt { start: usize, pc: usize, pos: usize },
}

/// What [`Search::resume`] got to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// The search ended: the capture slots of the match (start and end of each group,
    /// `None` when unset), or `None` for no match.
    Done(Option<Vec<Option<usize>>>),
    /// The work budget ran out first; resume again to go on.
    Paused,
}

/// A search in progress: everything the matcher needs to go on after pausing, so a long
/// run can be done a slice at a time. It holds no reference to the pattern or the subject;
/// every [`Search::resume`] must be given the same ones.
#[derive(Debug)]
pub struct Search {
    run: Run,
    utf: bool,
    /// `ucp`: `\b` by Unicode's letters and numbers.
    ucp: bool,
    newline: Newline,
    slots: Vec<usize>,
    regs: Vec<usize>,
    stack: Vec<Frame>,
    /// Steps for the match limit.
    steps: u64,
    /// `steps` when the current start position was first tried: the limit holds for each
    /// start position on its own, as PCRE's does.
    steps_at_start: u64,
    /// All work done (instructions and characters scanned): what pausing is measured in.
    work: u64,
    max_frames: usize,
    /// Where start positions end (set on the first resume: the end of the first line with
    /// `firstline`).
    last: Option<usize>,
    /// Where the required character was last seen.
    seen: Option<usize>,
    /// The stack index of the innermost call in progress ([`NO_CALL`]: none).
    call: u32,
    /// Where `(*SKIP)` says the next start position is.
    skip: Option<usize>,
    /// Whether `(*COMMIT)` ended the search.
    commit: bool,
    at: At,
}

impl Search {
    /// A search of `re` with the parameters `run`.
    pub fn new(re: &Regex, mut run: Run) -> Search {
        let frame = core::mem::size_of::<Frame>();
        if let Some(n) = re.limits.matches {
            run.match_limit = run.match_limit.min(n);
        }
        if let Some(n) = re.limits.depth {
            run.depth_limit = run
                .depth_limit
                .min(usize::try_from(n).unwrap_or(usize::MAX));
        }
        Search {
            utf: re.options & opt::UTF != 0,
            ucp: re.options & opt::UCP != 0,
            newline: run.newline.unwrap_or(Newline::from_bits(re.options)),
            slots: alloc::vec![UNSET; 2 * (re.groups + 1)],
            regs: alloc::vec![UNSET; re.regs],
            stack: Vec::new(),
            steps: 0,
            steps_at_start: 0,
            work: 0,
            max_frames: run
                .depth_limit
                .min(run.memory / frame)
                .min(NO_CALL as usize),
            last: None,
            seen: None,
            call: NO_CALL,
            skip: None,
            commit: false,
            at: At::Start(run.start),
            run,
        }
    }

    /// Steps taken so far, as the match limit counts them.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Bytes it holds (its backtrack stack, captures and loop registers).
    pub fn bytes(&self) -> usize {
        self.stack.capacity() * core::mem::size_of::<Frame>()
            + (self.slots.capacity() + self.regs.capacity()) * core::mem::size_of::<usize>()
    }

    /// Work done so far, in the units of [`Search::resume`]'s budget.
    pub fn work(&self) -> u64 {
        self.work
    }

    /// Goes on with the search of `re` over `subject` (the same as on every call) for at
    /// most about `budget` more units of work.
    pub fn resume(
        &mut self,
        re: &Regex,
        subject: &[u8],
        budget: u64,
    ) -> Result<Progress, MatchError> {
        let until = self.work.saturating_add(budget);
        let mut m = Matcher {
            re,
            s: subject,
            m: self,
            until,
        };
        match m.search()? {
            None => Ok(Progress::Paused),
            Some(false) => Ok(Progress::Done(None)),
            Some(true) => {
                let mut out = Vec::with_capacity(self.slots.len());
                for p in self.slots.chunks(2) {
                    let set = p[0] != UNSET && p[1] != UNSET;
                    out.push(set.then_some(p[0]));
                    out.push(set.then_some(p[1]));
                }
                Ok(Progress::Done(Some(out)))
            }
        }
    }
}

struct Matcher<'a> {
    re: &'a Regex,
    s: &'a [u8],
    m: &'a mut Search,
    /// The work count at which to pause.
    until: u64,
}

/// Runs `re` over `subject` to the end (see [`Regex::exec`]); `steps` gets the work done.
pub(super) fn exec(
    re: &Regex,
    subject: &[u8],
    run: &Run,
    steps: &mut u64,
) -> Result<Option<Vec<Option<usize>>>, MatchError> {
    let mut search = Search::new(re, run.clone());
    let r = loop {
        match search.resume(re, subject, u64::MAX) {
            Ok(Progress::Paused) => continue,
            Ok(Progress::Done(m)) => break Ok(m),
            Err(e) => break Err(e),
        }
    };
    *steps = search.steps;
    r
}

impl Matcher<'_> {
    /// Tries start positions until a match, the last one, or the budget's end (`None`).
    fn search(&mut self) -> Result<Option<bool>, MatchError> {
        let anchored = (self.re.options | self.m.run.flags) & opt::ANCHORED != 0;
        let last = match self.m.last {
            Some(last) => last,
            None => {
                let mut last = self.s.len();
                if self.re.options & opt::FIRSTLINE != 0 {
                    last = (self.m.run.start..self.s.len())
                        .find(|&p| self.newline_at(p) > 0)
                        .unwrap_or(last);
                }
                self.m.last = Some(last);
                last
            }
        };
        // A match that must start with a given character (an ASCII one either case, when
        // caseless outside UTF mode; in UTF mode, the first byte of its encoding) starts only
        // where that is; verbs, group starts and atomic groups before it do not count, nor
        // does a repeat of it at least once, as in PCRE.
        let prog = &self.re.prog;
        let lead = (1..prog.len()).find(|&i| {
            !matches!(
                prog[i],
                Inst::Jmp(1)
                    | Inst::AtomicStart
                    | Inst::Branch { .. }
                    | Inst::Verb(
                        Verb::Commit | Verb::Prune | Verb::Skip | Verb::SkipTo(_) | Verb::Mark(_)
                    )
            ) && !matches!(prog[i], Inst::Save(n) if n % 2 == 0)
        });
        let lead = lead.and_then(|i| match prog[i] {
            // A repeat that takes its character at least once.
            Inst::RepeatOne { min: 1.., .. } => prog.get(i + 1),
            _ => prog.get(i),
        });
        let first = match lead {
            _ if anchored || self.re.limits.no_start_opt => None,
            // In UTF mode, the first byte of the character's encoding.
            Some(&Inst::Char(c)) if c >= 128 && self.m.utf => {
                let mut buf = [0; 4];
                let b = char::from_u32(c).map(|ch| ch.encode_utf8(&mut buf).as_bytes()[0]);
                b.map(|b| (b, b))
            }
            Some(&Inst::Char(c)) if c < 256 => Some((c as u8, c as u8)),
            Some(&Inst::CharFold(c)) if c < 128 && !self.m.utf => {
                let c = c as u8;
                Some((c.to_ascii_lowercase(), c.to_ascii_uppercase()))
            }
            _ => None,
        };
        loop {
            let (start, pc, pos) = match self.m.at {
                At::Attempt { start, pc, pos } => (start, pc, pos),
                // PCRE counts its first call: no run is within a limit of 0.
                At::Start(_) if self.m.run.match_limit == 0 => return Err(MatchError::MatchLimit),
                At::Start(mut p) => {
                    if let Some((b, c)) = first {
                        match self.s[p..].iter().position(|&x| x == b || x == c) {
                            Some(n) if p + n <= last => p += n,
                            _ => return Ok(Some(false)),
                        }
                    }
                    if let Some(c) = self.re.required.filter(|_| !self.re.limits.no_start_opt) {
                        if self.s.len() - p < super::REQUIRED_WINDOW
                            && self.m.seen.is_none_or(|at| at < p)
                        {
                            self.m.seen = self.find_char(c, p);
                            if self.m.seen.is_none() {
                                return Ok(Some(false));
                            }
                        }
                    }
                    self.m.steps_at_start = self.m.steps;
                    (p, 0, p)
                }
            };
            match self.attempt(start, pc, pos)? {
                None => return Ok(None),
                Some(true) => return Ok(Some(true)),
                Some(false) => {}
            }
            if anchored || start >= last || self.m.commit {
                return Ok(Some(false));
            }
            if let Some(p) = self.m.skip.take().filter(|&p| p > start) {
                if p > last {
                    return Ok(Some(false));
                }
                self.m.at = At::Start(p);
                continue;
            }
            let mut p = start + 1;
            while self.m.utf && p < self.s.len() && self.s[p] & 0xc0 == 0x80 {
                p += 1;
            }
            self.m.at = At::Start(p);
        }
    }

    /// The character at `pos` and its length in bytes.
    fn char_at(&self, pos: usize) -> Option<(u32, usize)> {
        let &b = self.s.get(pos)?;
        if !self.m.utf || b < 0x80 {
            return Some((u32::from(b), 1));
        }
        let n = match b {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            _ => 4,
        };
        let bytes = self.s.get(pos + 1..pos + n)?;
        let c = bytes.iter().fold(u32::from(b) & (0x7f >> n), |c, &x| {
            (c << 6) | u32::from(x & 0x3f)
        });
        Some((c, n))
    }

    /// Where the character `c` next occurs at or after `from`.
    fn find_char(&self, c: u32, from: usize) -> Option<usize> {
        let mut p = from;
        while let Some((x, n)) = self.char_at(p) {
            if x == c {
                return Some(p);
            }
            p += n;
        }
        None
    }

    /// The start of the character before `pos`.
    fn prev(&self, pos: usize) -> usize {
        let mut p = pos - 1;
        while self.m.utf && p > 0 && self.s[p] & 0xc0 == 0x80 {
            p -= 1;
        }
        p
    }

    /// The length of the newline starting at `pos` (0: none).
    fn newline_at(&self, pos: usize) -> usize {
        let s = &self.s[pos.min(self.s.len())..];
        let crlf = s.starts_with(b"\r\n");
        match (self.m.newline, s.first()) {
            (_, None) => 0,
            (Newline::Lf, Some(b'\n')) | (Newline::Cr, Some(b'\r')) => 1,
            (Newline::Crlf, _) if crlf => 2,
            (Newline::Any | Newline::AnyCrlf, _) if crlf => 2,
            (Newline::Any | Newline::AnyCrlf, Some(b'\n' | b'\r')) => 1,
            (Newline::Any, Some(0x0b | 0x0c)) => 1,
            (Newline::Any, Some(_)) => match self.char_at(pos) {
                Some((0x85, n)) => n,
                Some((0x2028 | 0x2029, n)) if self.m.utf => n,
                _ => 0,
            },
            _ => 0,
        }
    }

    /// Whether a newline ends exactly at `pos`.
    fn newline_before(&self, pos: usize) -> bool {
        (1..=3).any(|n| pos >= n && self.newline_at(pos - n) == n)
    }

    /// Where the extended grapheme cluster at `pos` ends (`\X`), if there is a character.
    fn grapheme_end(&self, pos: usize) -> Option<usize> {
        let (c, n) = self.char_at(pos)?;
        let mut left = grapheme_class(c);
        let mut end = pos + n;
        while let Some((d, m)) = self.char_at(end) {
            let right = grapheme_class(d);
            if !grapheme_joins(left, right) {
                break;
            }
            left = right;
            end += m;
        }
        Some(end)
    }

    fn is_word(&self, c: Option<(u32, usize)>) -> bool {
        c.is_some_and(|(c, _)| {
            if self.m.ucp {
                Prop::Word.contains(c)
            } else {
                Set::Word.contains(c)
            }
        })
    }

    fn assert(&self, l: Look, pos: usize) -> bool {
        let len = self.s.len();
        let notbol = self.m.run.flags & opt::NOTBOL != 0;
        let noteol = self.m.run.flags & opt::NOTEOL != 0;
        let nl_to_end = || {
            let n = self.newline_at(pos);
            n > 0 && pos + n == len
        };
        match l {
            Look::Bol => pos == 0 && !notbol,
            Look::BolMulti => {
                if pos == 0 {
                    !notbol
                } else {
                    pos < len && self.newline_before(pos)
                }
            }
            Look::Eol => !noteol && (pos == len || nl_to_end()),
            Look::EolOnly => !noteol && pos == len,
            Look::EolMulti => {
                if pos == len {
                    !noteol
                } else {
                    self.newline_at(pos) > 0
                }
            }
            Look::Start => pos == 0,
            Look::End => pos == len,
            Look::EndOrNewline => pos == len || nl_to_end(),
            Look::StartOffset => pos == self.m.run.start,
            Look::Word | Look::NotWord => {
                let before = pos > 0 && self.is_word(self.char_at(self.prev(pos)));
                let after = self.is_word(self.char_at(pos));
                (before != after) == (l == Look::Word)
            }
        }
    }

    /// Whether the single-character instruction `i` matches at `pos`; the length if so.
    /// `counted`: as one of the first `min` characters of a repeat (see
    /// [`super::class::Class::matches_counted`]).
    fn single(&self, i: Inst, pos: usize, counted: bool) -> Option<usize> {
        let (c, n) = self.char_at(pos)?;
        let ok = match i {
            Inst::Char(x) => c == x,
            Inst::CharFold(x) => caseless_eq(c, x, self.m.utf),
            Inst::Any => self.newline_at(pos) == 0,
            Inst::AnyAll => true,
            Inst::Class(k) if counted => self.re.classes[usize::from(k)].matches_counted(c),
            Inst::Class(k) => self.re.classes[usize::from(k)].matches(c),
            _ => false,
        };
        ok.then_some(n)
    }

    fn push(&mut self, f: Frame) -> Result<(), MatchError> {
        if self.m.stack.len() >= self.m.max_frames {
            return Err(if self.m.max_frames == self.m.run.depth_limit {
                MatchError::RecursionLimit
            } else {
                MatchError::Memory
            });
        }
        self.m
            .stack
            .try_reserve(1)
            .map_err(|_| MatchError::Memory)?;
        self.m.stack.push(f);
        Ok(())
    }

    /// A backtrack point: counts a step.
    fn branch(&mut self, f: Frame) -> Result<(), MatchError> {
        self.step()?;
        self.push(f)
    }

    fn step(&mut self) -> Result<(), MatchError> {
        self.m.steps += 1;
        if self.m.steps - self.m.steps_at_start > self.m.run.match_limit {
            return Err(MatchError::MatchLimit);
        }
        Ok(())
    }

    fn set_slot(&mut self, n: u16, pos: usize) -> Result<(), MatchError> {
        let old = self.m.slots[usize::from(n)];
        self.push(Frame::Slot { n, old })?;
        self.m.slots[usize::from(n)] = pos;
        Ok(())
    }

    /// Leaves an atomic group or lookaround: drops the backtrack points above its marker
    /// (and the marker), keeps the restore frames; returns the marker.
    fn cut(&mut self) -> Frame {
        match self
            .m
            .stack
            .iter()
            .rposition(|f| matches!(f, Frame::Barrier | Frame::Look { .. }))
        {
            Some(i) => self.cut_at(i),
            None => Frame::Barrier,
        }
    }

    /// Drops the frame at stack index `i` and the backtrack points above it, keeping the
    /// restore frames; returns the frame.
    fn cut_at(&mut self, i: usize) -> Frame {
        let marker = self.m.stack[i];
        let mut w = i;
        for r in i + 1..self.m.stack.len() {
            if matches!(self.m.stack[r], Frame::Slot { .. } | Frame::Reg { .. }) {
                self.m.stack[w] = self.m.stack[r];
                w += 1;
            }
        }
        self.m.stack.truncate(w);
        marker
    }

    /// Where a lookaround whose body matched (its marker `f`) goes on: after it if it is
    /// positive, else to a condition's "no" branch (`None`: it fails).
    fn look_done(f: Frame) -> Option<(usize, usize)> {
        match f {
            Frame::Look {
                negative: false,
                pos,
                cont,
                ..
            } => Some((cont as usize, pos)),
            Frame::Look { pos, no, .. } if no != 0 => Some((no as usize, pos)),
            _ => None,
        }
    }

    /// Pops the top frame, undoing what it records (a capture, a loop register, a call).
    fn pop(&mut self) -> Option<Frame> {
        let f = self.m.stack.pop()?;
        match f {
            Frame::Slot { n, old } => self.m.slots[usize::from(n)] = old,
            Frame::Reg { n, old } => self.m.regs[usize::from(n)] = old,
            Frame::Call { prev, .. } => self.m.call = prev,
            _ => {}
        }
        Some(f)
    }

    /// The group of the innermost call in progress.
    fn call_group(&self) -> Option<u16> {
        match self.m.stack.get(self.m.call as usize) {
            Some(&Frame::Call { group, .. }) => Some(group),
            _ => None,
        }
    }

    /// Returns from the innermost call: drops the frames above it, undoing the captures and
    /// loop registers it set (but the match start set by `\K` in it stays, as in PCRE);
    /// gives where to go on.
    #[inline(never)]
    fn ret(&mut self) -> Result<usize, MatchError> {
        let i = self.m.call as usize;
        let Frame::Call { ret, .. } = self.m.stack[i] else {
            return Ok(0);
        };
        let start = self.m.slots[0];
        while self.m.stack.len() > i {
            self.pop();
        }
        if self.m.slots[0] != start {
            self.set_slot(0, start)?;
        }
        Ok(ret as usize)
    }

    /// Backtracking reached a verb met at `pc` and `pos`: unwinds the stack to where it acts.
    /// Returns whether the attempt from this start position is over (then `skip` or
    /// `commit` say what comes next); if not, backtracking goes on from the frame on top.
    #[inline(never)]
    fn verb_back(&mut self, verb: Verb, pc: usize, pos: usize) -> bool {
        let mut skip_to = pos;
        if let Verb::SkipTo(name) = verb {
            // The latest mark of that name (in this call); without one, it is ignored.
            let floor = if self.m.call == NO_CALL {
                0
            } else {
                self.m.call as usize
            };
            let mark = self.m.stack[floor..].iter().rev().find_map(|f| match *f {
                Frame::Mark { name: n, pos } if n == name => Some(pos),
                _ => None,
            });
            // PCRE tries the start position again ignoring it, unless anchored.
            let anchored = (self.re.options | self.m.run.flags) & opt::ANCHORED != 0;
            match mark {
                Some(p) => skip_to = p,
                None if self.m.call == NO_CALL && !anchored => return false,
                None => {}
            }
        }
        while let Some(&f) = self.m.stack.last() {
            match f {
                // A call fails as a whole.
                Frame::Call { .. } => {
                    self.pop();
                    return false;
                }
                // A negative assertion is true; a positive one lets the verb act beyond it,
                // but for `(*THEN)` in a condition, which makes it false.
                Frame::Look { negative, no, .. } if negative || (no != 0 && verb == Verb::Then) => {
                    return false;
                }
                Frame::Branch { pc: b } if verb == Verb::Then => {
                    self.pop();
                    let b = b as usize;
                    let Inst::Branch { end, group } = self.re.prog[b] else {
                        continue;
                    };
                    let inside = b < pc && pc < b + end as usize;
                    // The alternatives of a called group are the call's own: `(*THEN)` in
                    // one fails the call.
                    let top = self.m.call != NO_CALL
                        && (self.m.call as usize) < self.m.stack.len()
                        && self.call_group() == Some(group);
                    if inside && !top {
                        return false;
                    }
                }
                _ => {
                    self.pop();
                }
            }
        }
        match verb {
            Verb::Commit => self.m.commit = true,
            Verb::Skip | Verb::SkipTo(_) => self.m.skip = Some(skip_to),
            _ => {}
        }
        true
    }

    /// Backtracks to the latest point: the state to go on with, or `None` when none is left.
    fn backtrack(&mut self) -> Result<Option<(usize, usize)>, MatchError> {
        while let Some(f) = self.m.stack.pop() {
            match f {
                Frame::Alt { pc, pos } => {
                    self.step()?;
                    return Ok(Some((pc, pos)));
                }
                Frame::Slot { n, old } => self.m.slots[usize::from(n)] = old,
                Frame::Reg { n, old } => self.m.regs[usize::from(n)] = old,
                Frame::Call { prev, .. } => self.m.call = prev,
                Frame::Barrier | Frame::Mark { .. } | Frame::Branch { .. } => {}
                Frame::Look {
                    negative,
                    pos,
                    cont,
                    no,
                } => {
                    if negative {
                        return Ok(Some((cont as usize, pos)));
                    }
                    if no != 0 {
                        return Ok(Some((no as usize, pos)));
                    }
                }
                Frame::Verb { verb, pc, pos } => {
                    if self.verb_back(verb, pc as usize, pos) {
                        return Ok(None);
                    }
                }
                Frame::Greedy { pc, min_pos, pos } => {
                    self.step()?;
                    let p = self.prev(pos);
                    if p > min_pos {
                        self.push(Frame::Greedy {
                            pc,
                            min_pos,
                            pos: p,
                        })?;
                    }
                    return Ok(Some((pc + 2, p)));
                }
                Frame::Lazy { pc, pos, count } => {
                    self.step()?;
                    let Inst::RepeatOne { max, .. } = self.re.prog[pc] else {
                        continue;
                    };
                    if let Some(n) = self.single(self.re.prog[pc + 1], pos, false) {
                        let count = count + 1;
                        if count < max {
                            self.push(Frame::Lazy {
                                pc,
                                pos: pos + n,
                                count,
                            })?;
                        }
                        return Ok(Some((pc + 2, pos + n)));
                    }
                }
            }
        }
        Ok(None)
    }

    /// Tries a match starting at `start`, going on at `pc` and `pos`: whether it matched,
    /// or `None` when the budget ran out first (where to go on is saved).
    fn attempt(&mut self, start: usize, pc: usize, pos: usize) -> Result<Option<bool>, MatchError> {
        let re = self.re;
        let prog = &re.prog;
        let (mut pc, mut pos) = (pc, pos);
        loop {
            if self.m.work >= self.until {
                self.m.at = At::Attempt { start, pc, pos };
                return Ok(None);
            }
            self.m.work += 1;
            let mut ok = true;
            match prog[pc] {
                i @ (Inst::Char(_)
                | Inst::CharFold(_)
                | Inst::Any
                | Inst::AnyAll
                | Inst::Class(_)) => match self.single(i, pos, false) {
                    Some(n) => {
                        pos += n;
                        pc += 1;
                    }
                    None => ok = false,
                },
                Inst::Assert(l) => {
                    ok = self.assert(l, pos);
                    pc += 1;
                }
                Inst::Split { to, lazy } => {
                    let (first, second) = if lazy { (to, 1) } else { (1, to) };
                    self.branch(Frame::Alt {
                        pc: jump(pc, second),
                        pos,
                    })?;
                    pc = jump(pc, first);
                }
                Inst::Jmp(to) => pc = jump(pc, to),
                Inst::Save(n) => {
                    self.set_slot(n, pos)?;
                    pc += 1;
                }
                Inst::End(n) if self.call_group() == Some(n) => pc = self.ret()?,
                i @ (Inst::End(_)
                | Inst::Open { .. }
                | Inst::SetStart { .. }
                | Inst::Close { .. }
                | Inst::Call { .. }
                | Inst::Verb(_)
                | Inst::Branch { .. }) => match self.rare(i, pc, pos)? {
                    Next::Go(p, q) => (pc, pos) = (p, q),
                    Next::Fail => ok = false,
                    Next::Matched => return Ok(Some(true)),
                },
                Inst::ResetStart => {
                    self.set_slot(0, pos)?;
                    pc += 1;
                }
                Inst::Mark(n) => {
                    let old = self.m.regs[usize::from(n)];
                    self.push(Frame::Reg { n, old })?;
                    self.m.regs[usize::from(n)] = pos;
                    pc += 1;
                }
                Inst::Repeat { reg, back, lazy } => {
                    if self.m.regs[usize::from(reg)] == pos {
                        pc += 1;
                    } else if lazy {
                        self.branch(Frame::Alt {
                            pc: jump(pc, back),
                            pos,
                        })?;
                        pc += 1;
                    } else {
                        self.branch(Frame::Alt { pc: pc + 1, pos })?;
                        pc = jump(pc, back);
                    }
                }
                Inst::RepeatOne {
                    min,
                    max,
                    lazy,
                    possessive,
                } => {
                    let one = prog[pc + 1];
                    // PCRE compiles `x{1,n}` as a single `x` and a repeat: only `+` and
                    // counts of two or more test their first characters as a repeat.
                    let counted = if min >= 2 || max == u32::MAX { min } else { 0 };
                    let mut count = 0;
                    let mut min_pos = pos;
                    let limit = if lazy { min } else { max };
                    while count < limit {
                        let Some(n) = self.single(one, pos, count < counted) else {
                            break;
                        };
                        pos += n;
                        count += 1;
                        if count == min {
                            min_pos = pos;
                        }
                    }
                    self.m.steps += u64::from(count) / 16;
                    self.m.work += u64::from(count);
                    if count < min {
                        ok = false;
                    } else if lazy {
                        if count < max {
                            self.branch(Frame::Lazy { pc, pos, count })?;
                        }
                        pc += 2;
                    } else {
                        if !possessive && pos > min_pos {
                            self.branch(Frame::Greedy { pc, min_pos, pos })?;
                        }
                        pc += 2;
                    }
                }
                Inst::AtomicStart => {
                    self.push(Frame::Barrier)?;
                    pc += 1;
                }
                Inst::AtomicEnd => {
                    self.cut();
                    pc += 1;
                }
                Inst::LookStart { negative, skip, no } => {
                    self.push(Frame::Look {
                        negative,
                        pos,
                        cont: jump(pc, skip) as u32,
                        no: if no == 0 { 0 } else { jump(pc, no) as u32 },
                    })?;
                    pc += 1;
                }
                Inst::LookEnd => match Self::look_done(self.cut()) {
                    Some((p, q)) => (pc, pos) = (p, q),
                    None => ok = false,
                },
                Inst::Back(n) => {
                    for _ in 0..n {
                        if pos == 0 {
                            ok = false;
                            break;
                        }
                        pos = self.prev(pos);
                    }
                    pc += 1;
                }
                Inst::Backref { group, fold } => {
                    match self.backref(usize::from(group), fold, pos) {
                        Some(end) => pos = end,
                        None => ok = false,
                    }
                    pc += 1;
                }
                Inst::If { test, no } => {
                    let yes = match test {
                        Test::Group(group) => {
                            let g = 2 * usize::from(group);
                            self.m.slots.get(g + 1).is_some_and(|&e| e != UNSET)
                        }
                        Test::Recursion => self.m.call != NO_CALL,
                        Test::RecursionOf(group) => self.call_group() == Some(group),
                        Test::Never => false,
                    };
                    pc = if yes { pc + 1 } else { jump(pc, no) };
                }
                Inst::Grapheme => {
                    let end = self.grapheme_end(pos);
                    ok = end.is_some();
                    pos = end.unwrap_or(pos);
                    pc += 1;
                }
                Inst::Linebreak => {
                    let n = match self.char_at(pos) {
                        Some((13, _)) if self.s.get(pos + 1) == Some(&b'\n') => 2,
                        Some((10 | 13, n)) => n,
                        Some((0x0b | 0x0c | 0x85 | 0x2028 | 0x2029, n))
                            if self.re.options & opt::BSR_ANYCRLF == 0 =>
                        {
                            n
                        }
                        _ => 0,
                    };
                    ok = n > 0;
                    pos += n;
                    pc += 1;
                }
                Inst::Match if self.m.call != NO_CALL => pc = self.ret()?,
                Inst::Match => {
                    if self.matched(pos) {
                        return Ok(Some(true));
                    }
                    ok = false;
                }
            }
            if !ok {
                match self.backtrack()? {
                    Some((p, q)) => (pc, pos) = (p, q),
                    None => return Ok(Some(false)),
                }
            }
        }
    }

    /// Runs instruction `i` at `pc` and `pos`, one of those no everyday pattern has (calls,
    /// verbs, `(*THEN)`'s marks), kept out of the main loop.
    #[inline(never)]
    fn rare(&mut self, i: Inst, pc: usize, pos: usize) -> Result<Next, MatchError> {
        match i {
            Inst::End(n) => self.set_slot(2 * n + 1, pos)?,
            Inst::Close { group, reg } => {
                if let Some(&start) = self.m.regs.get(usize::from(reg)) {
                    self.set_slot(2 * group, start)?;
                }
                self.set_slot(2 * group + 1, pos)?;
            }
            Inst::Open { reg: n, .. } => {
                let old = self.m.regs[usize::from(n)];
                self.push(Frame::Reg { n, old })?;
                self.m.regs[usize::from(n)] = pos;
            }
            Inst::SetStart { group, reg } => {
                self.set_slot(2 * group, self.m.regs[usize::from(reg)])?;
            }
            Inst::Call { group, to } => {
                // PCRE's recursion loop: the group called again where it was called.
                let mut c = self.m.call;
                while let Some(&Frame::Call {
                    group: g,
                    pos: p,
                    prev,
                    ..
                }) = self.m.stack.get(c as usize)
                {
                    if g == group && p == pos {
                        return Err(MatchError::RecursionLoop);
                    }
                    // Without lookbehinds, calls further out started no later.
                    if p < pos && !self.re.lookbehind {
                        break;
                    }
                    c = prev;
                }
                let prev = self.m.call;
                let ret = pc as u32 + 1;
                self.branch(Frame::Call {
                    group,
                    ret,
                    prev,
                    pos,
                })?;
                self.m.call = (self.m.stack.len() - 1) as u32;
                return Ok(Next::Go(to as usize, pos));
            }
            Inst::Verb(Verb::Fail) => return Ok(Next::Fail),
            Inst::Verb(Verb::Accept) => {
                // The innermost assertion or call ends, or the whole match.
                let floor = match self.m.call {
                    NO_CALL => 0,
                    c => c as usize + 1,
                };
                let look = self.m.stack[floor..]
                    .iter()
                    .rposition(|f| matches!(f, Frame::Look { .. }));
                return Ok(if let Some(i) = look {
                    let f = self.cut_at(floor + i);
                    match Self::look_done(f) {
                        Some((p, q)) => Next::Go(p, q),
                        None => Next::Fail,
                    }
                } else if self.m.call != NO_CALL {
                    Next::Go(self.ret()?, pos)
                } else if self.matched(pos) {
                    Next::Matched
                } else {
                    Next::Fail
                });
            }
            Inst::Verb(Verb::Mark(name)) => self.push(Frame::Mark { name, pos })?,
            Inst::Verb(verb) => {
                let at = pc as u32;
                self.push(Frame::Verb { verb, pc: at, pos })?;
            }
            _ => self.push(Frame::Branch { pc: pc as u32 })?,
        }
        Ok(Next::Go(pc + 1, pos))
    }

    /// The whole pattern matched up to `pos`: whether that is a match (`notempty` and
    /// `notempty_atstart` refuse empty ones).
    fn matched(&mut self, pos: usize) -> bool {
        let from = self.m.slots[0];
        let f = self.m.run.flags;
        let empty = pos == from;
        if empty
            && (f & opt::NOTEMPTY != 0
                || (f & opt::NOTEMPTY_ATSTART != 0 && from == self.m.run.start))
        {
            return false;
        }
        self.m.slots[1] = pos;
        true
    }

    /// The end of group `group`'s text matched again at `pos`.
    fn backref(&self, group: usize, fold: bool, pos: usize) -> Option<usize> {
        let (&s, &e) = (
            self.m.slots.get(2 * group)?,
            self.m.slots.get(2 * group + 1)?,
        );
        if s == UNSET || e == UNSET || s > e {
            return None;
        }
        if !fold {
            let text = &self.s[s..e];
            return self.s[pos..].starts_with(text).then_some(pos + text.len());
        }
        let (mut a, mut b) = (s, pos);
        while a < e {
            let (x, n) = self.char_at(a)?;
            let (y, m) = self.char_at(b)?;
            if !caseless_eq(x, y, self.m.utf) {
                return None;
            }
            a += n;
            b += m;
        }
        Some(b)
    }
}

/// Where [`Matcher::rare`] leaves the match.
enum Next {
    /// On at this instruction and position.
    Go(usize, usize),
    /// Backtrack.
    Fail,
    /// The whole pattern matched.
    Matched,
}

/// `pc + to`.
fn jump(pc: usize, to: i32) -> usize {
    (pc as isize + to as isize) as usize
}
