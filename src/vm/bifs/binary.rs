//! Binary BIFs: `binary_part`, `split_binary` and the natives of the `binary` module.

use alloc::borrow::Cow;
use alloc::vec::Vec;
use num_bigint::{BigInt, Sign};

use super::trap;
use crate::vm::atom;
use crate::vm::bif::{badarg, owned_bytes, BifResult, Ctx, Fault};
use crate::vm::heap::View;
use crate::vm::process::SLICE_REDUCTIONS;
use crate::vm::term::Term;

fn bytes(ctx: &Ctx, t: Term) -> Result<Vec<u8>, Fault> {
    crate::vm::bif::owned_bytes(ctx, t)
}

/// A sub-binary of `t` sharing its buffer: bytes `start..start + len`.
pub fn sub(ctx: &mut Ctx, t: Term, start: i64, len: i64) -> BifResult {
    let (w, off, bits) = ctx.view().bin_ref(t).ok_or_else(badarg)?;
    if !bits.is_multiple_of(8) {
        return Err(badarg());
    }
    let size = (bits / 8) as i64;
    let (s, l) = if len < 0 {
        (start + len, -len)
    } else {
        (start, len)
    };
    if s < 0 || s + l > size {
        return Err(badarg());
    }
    Ok(ctx.p.heap.bin_ref(w, off + 8 * s as usize, 8 * l as usize))
}

fn pos_len(ctx: &Ctx, t: Term) -> Result<(i64, i64), Fault> {
    match ctx.view().tuple(t) {
        Some([p, l]) => Ok((
            p.as_small().ok_or_else(badarg)?,
            l.as_small().ok_or_else(badarg)?,
        )),
        _ => Err(badarg()),
    }
}

/// `binary_part/2`, `binary:part/2`.
pub fn part2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (p, l) = pos_len(ctx, a[1])?;
    sub(ctx, a[0], p, l)
}

/// `binary_part/3`, `binary:part/3`.
pub fn part3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let p = a[1].as_small().ok_or_else(badarg)?;
    let l = a[2].as_small().ok_or_else(badarg)?;
    sub(ctx, a[0], p, l)
}

/// `split_binary/2`.
pub fn split_binary(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = a[1].as_small().ok_or_else(badarg)?;
    let size = ctx.view().binary(a[0]).ok_or_else(badarg)?.bit_len as i64 / 8;
    if n < 0 || n > size {
        return Err(badarg());
    }
    let x = sub(ctx, a[0], 0, n)?;
    let y = sub(ctx, a[0], n, size - n)?;
    Ok(ctx.p.heap.tuple(&[x, y]))
}

/// `binary:copy/1`.
pub fn copy1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let b = bytes(ctx, a[0])?;
    Ok(ctx.p.heap.binary(b))
}

/// Bytes one step of a long `binary:copy/2` writes (a few milliseconds of copying).
const COPY_STEP: usize = 1 << 22;

/// `binary:copy/2`. A result longer than [`COPY_STEP`] is written a step at a time by a
/// continuation ([`copy_step`], [`trap::BINARY_COPY`]) into a buffer held, charged to the
/// node's memory, as the process's trap state, so the others run meanwhile.
pub fn copy2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let b = bytes(ctx, a[0])?;
    let n = a[1].as_small().filter(|n| *n >= 0).ok_or_else(badarg)? as usize;
    let len = b
        .len()
        .checked_mul(n)
        .ok_or_else(|| Fault::error(atom::SYSTEM_LIMIT))?;
    if len > COPY_STEP {
        let mut fill = super::to_binary::filling(ctx, len)?;
        fill.out.extend_from_slice(&b);
        ctx.p.trap_state = Some(alloc::boxed::Box::new(fill));
        let kind = Term::small(trap::BINARY_COPY);
        return Err(Fault::TrapTo([kind, a[0], a[1], Term::NIL]));
    }
    let mut out = ctx.output_buffer(len)?;
    if len > 0 {
        out.extend_from_slice(&b);
        double_up_to(&mut out, len);
    }
    ctx.charge(out.len() / 256);
    Ok(ctx.p.heap.binary(out))
}

/// Grows `out`, which holds whole copies of a binary, to `len` bytes by copying what it
/// holds: as many copies of the copies as fit, then the rest.
fn double_up_to(out: &mut Vec<u8>, len: usize) {
    while out.len() < len {
        out.extend_from_within(..out.len().min(len - out.len()));
    }
}

/// One step of a long `binary:copy/2` (continuation [`trap::BINARY_COPY`]): `a[1]` and
/// `a[2]` are the arguments; the buffer holds whole copies so far (at least one).
pub fn copy_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut fill = ctx
        .p
        .trap_state
        .take()
        .and_then(|s| s.downcast::<super::to_binary::Filling>().ok())
        .ok_or_else(badarg)?;
    let n = a[2].as_small().ok_or_else(badarg)? as usize;
    let one = ctx.view().binary(a[1]).ok_or_else(badarg)?.bit_len / 8;
    let len = one * n;
    // Whole copies only: what follows is copied from the start of the buffer.
    let step_end = len.min(((fill.out.len() + COPY_STEP) / one * one).max(fill.out.len() + one));
    double_up_to(&mut fill.out, step_end);
    ctx.charge(SLICE_REDUCTIONS as usize);
    if fill.out.len() < len {
        ctx.p.trap_state = Some(fill);
        return Err(Fault::TrapTo([a[0], a[1], a[2], Term::NIL]));
    }
    Ok(fill.into_binary(ctx))
}

/// `binary:at/2`.
pub fn at(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let b = bytes(ctx, a[0])?;
    let i = a[1].as_small().ok_or_else(badarg)?;
    b.get(usize::try_from(i).map_err(|_| badarg())?)
        .map(|&c| Term::small(c as i64))
        .ok_or_else(badarg)
}

/// `binary:first/1`.
pub fn first(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let b = bytes(ctx, a[0])?;
    b.first().map(|&c| Term::small(c as i64)).ok_or_else(badarg)
}

/// `binary:last/1`.
pub fn last(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let b = bytes(ctx, a[0])?;
    b.last().map(|&c| Term::small(c as i64)).ok_or_else(badarg)
}

/// `binary:list_to_bin/1`.
pub fn list_to_bin(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    super::conv::binary_list_to_bin(ctx, a)
}

/// `binary:referenced_byte_size/1`.
pub fn referenced_byte_size(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let (w, _, bits) = v.bin_ref(a[0]).ok_or_else(badarg)?;
    // erl copies a piece of at most 64 bytes (its heap-binary limit) out of the binary it
    // comes from, whether taken by `binary:part`, `split_binary` or a match, so such a piece
    // references only itself; pieces here share their buffer whatever their size.
    let bytes = bits.div_ceil(8);
    if bytes <= ERL_HEAP_BINARY_LIMIT {
        return Ok(Term::small(bytes as i64));
    }
    Ok(Term::small(v.buffer(w).len() as i64))
}

/// The largest binary erl keeps on a process heap (`ERL_ONHEAP_BIN_LIMIT`), in bytes.
const ERL_HEAP_BINARY_LIMIT: usize = 64;

/// `binary:compile_pattern/1`: patterns are searched directly, so the "compiled" form is the
/// validated pattern list itself, wrapped as `{cp, Patterns}`.
pub fn compile_pattern(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    patterns(&ctx.view(), a[0])?;
    Ok(ctx.p.heap.tuple(&[atom::CP, a[0]]))
}

/// Search patterns, borrowed from the binaries that hold them when those are byte-aligned.
enum Patterns<'a> {
    /// A single binary (no vector needed).
    One(Cow<'a, [u8]>),
    /// A list of binaries.
    Many(Vec<Cow<'a, [u8]>>),
}

impl Patterns<'_> {
    fn as_slice(&self) -> &[Cow<'_, [u8]>] {
        match self {
            Patterns::One(p) => core::slice::from_ref(p),
            Patterns::Many(ps) => ps,
        }
    }
}

/// The patterns of a `binary:match/split` call: a binary, a non-empty list of them, or a
/// compiled `{cp, Patterns}`; no pattern may be empty.
fn patterns<'a>(v: &View<'a>, t: Term) -> Result<Patterns<'a>, Fault> {
    let t = match v.tuple(t) {
        Some([tag, p]) if *tag == atom::CP => *p,
        _ => t,
    };
    let one = |p: Term| match v.binary_bytes(p) {
        Some(b) if !b.is_empty() => Ok(b),
        _ => Err(badarg()),
    };
    if v.is_binary(t) {
        return Ok(Patterns::One(one(t)?));
    }
    let mut out = Vec::new();
    let mut l = t;
    while l.is_cons() {
        let (p, rest) = v.cons(l);
        out.push(one(p)?);
        l = rest;
    }
    if !l.is_nil() || out.is_empty() {
        return Err(badarg());
    }
    Ok(Patterns::Many(out))
}

/// Finds the first (longest at that position) match at or after `from`.
fn find(hay: &[u8], pats: &Patterns, from: usize, end: usize) -> Option<(usize, usize)> {
    find_before(hay, pats, from, end, end)
}

/// [`find`] of a match starting before `limit` (it may end after it, up to `end`).
fn find_before(
    hay: &[u8],
    pats: &Patterns,
    from: usize,
    limit: usize,
    end: usize,
) -> Option<(usize, usize)> {
    let pats = pats.as_slice();
    for i in from..limit.min(end) {
        let mut best: Option<usize> = None;
        for p in pats {
            if i + p.len() <= end && hay[i..i + p.len()] == **p {
                best = Some(best.map_or(p.len(), |b: usize| b.max(p.len())));
            }
        }
        if let Some(l) = best {
            return Some((i, l));
        }
    }
    None
}

/// Applies one `{scope, {Start, Length}}` option to the search range `r` of a binary of `len`
/// bytes.
fn scope_item(v: &View, o: Term, len: usize, r: &mut (usize, usize)) -> Result<(), Fault> {
    match v.tuple(o) {
        Some([k, pl]) if *k == atom::SCOPE => {
            let (s, l) = match v.tuple(*pl) {
                Some([s, l]) => (
                    s.as_small().ok_or_else(badarg)?,
                    l.as_small().ok_or_else(badarg)?,
                ),
                _ => return Err(badarg()),
            };
            let (s, l) = if l < 0 { (s + l, -l) } else { (s, l) };
            if s < 0 || (s + l) as usize > len {
                return Err(badarg());
            }
            *r = (s as usize, (s + l) as usize);
            Ok(())
        }
        _ => Err(badarg()),
    }
}

/// The search range given by an option list (`{scope, ...}` only), or the whole binary.
fn scope(v: &View, opts: Option<Term>, len: usize) -> Result<(usize, usize), Fault> {
    let mut r = (0, len);
    let Some(mut l) = opts else {
        return Ok(r);
    };
    while l.is_cons() {
        let (o, rest) = v.cons(l);
        scope_item(v, o, len, &mut r)?;
        l = rest;
    }
    if !l.is_nil() {
        return Err(badarg());
    }
    Ok(r)
}

/// `binary:match/2,3`.
pub fn match_(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let found = {
        // Searched in place: the haystack and patterns are borrowed, not copied.
        let v = ctx.view();
        let hay = v.binary_bytes(a[0]).ok_or_else(badarg)?;
        match (a.len(), v.binary_bytes(a[1])) {
            // The common case, one pattern over the whole subject: no pattern list to build.
            (2, Some(p)) if !p.is_empty() => {
                let at = match p[..] {
                    [byte] => hay.iter().position(|&b| b == byte),
                    _ => hay.windows(p.len()).position(|w| w == &p[..]),
                };
                at.map(|i| (i, p.len()))
            }
            _ => {
                let pats = patterns(&v, a[1])?;
                let (s, e) = scope(&v, a.get(2).copied(), hay.len())?;
                find(&hay, &pats, s, e)
            }
        }
    };
    match found {
        Some((i, l)) => Ok(ctx
            .p
            .heap
            .tuple(&[Term::small(i as i64), Term::small(l as i64)])),
        None => Ok(atom::NOMATCH),
    }
}

/// `binary:matches/2,3`.
pub fn matches(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let found = {
        let v = ctx.view();
        let hay = v.binary_bytes(a[0]).ok_or_else(badarg)?;
        let pats = patterns(&v, a[1])?;
        let (mut s, e) = scope(&v, a.get(2).copied(), hay.len())?;
        if long_search(&v, a[0], s, e) {
            return Err(search_trap(ctx, trap::BINARY_MATCHES, a, s));
        }
        let mut found = Vec::new();
        while let Some((i, l)) = find(&hay, &pats, s, e) {
            found.push((i, l));
            s = i + l;
        }
        found
    };
    let mut out = Term::NIL;
    for &(i, l) in found.iter().rev() {
        let t = ctx
            .p
            .heap
            .tuple(&[Term::small(i as i64), Term::small(l as i64)]);
        out = ctx.p.heap.cons(t, out);
    }
    Ok(out)
}

/// `binary:split/2,3` (options: `global`, `trim`, `trim_all`, `{scope, ...}`).
pub fn split(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut parts = {
        let v = ctx.view();
        let hay = v.binary_bytes(a[0]).ok_or_else(badarg)?;
        let pats = patterns(&v, a[1])?;
        let (mut global, mut trim, mut trim_all) = (false, false, false);
        let mut r = (0, hay.len());
        if let Some(&o) = a.get(2) {
            let mut l = o;
            while l.is_cons() {
                let (x, rest) = v.cons(l);
                match x {
                    atom::GLOBAL => global = true,
                    atom::TRIM => trim = true,
                    atom::TRIM_ALL => trim_all = true,
                    t if v.tuple(t).is_some() => scope_item(&v, t, hay.len(), &mut r)?,
                    _ => return Err(badarg()),
                }
                l = rest;
            }
            if !l.is_nil() {
                return Err(badarg());
            }
        }
        let (s, e) = r;
        if global && long_search(&v, a[0], s, e) {
            return Err(search_trap(ctx, trap::BINARY_SPLIT, a, s));
        }
        let mut parts: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        let mut from = s;
        while let Some((i, l)) = find(&hay, &pats, from, e) {
            parts.push((start, i));
            start = i + l;
            from = start;
            if !global {
                break;
            }
        }
        parts.push((start, hay.len()));
        if trim_all {
            parts.retain(|(x, y)| x != y);
        } else if trim {
            while matches!(parts.last(), Some((x, y)) if x == y) {
                parts.pop();
            }
        }
        parts
    };
    let mut out = Term::NIL;
    for (x, y) in parts.drain(..).rev() {
        let part = sub(ctx, a[0], x as i64, (y - x) as i64)?;
        out = ctx.p.heap.cons(part, out);
    }
    Ok(out)
}

/// Bytes of the subject one step of a long `binary:matches/2,3` or global
/// `binary:split/3` searches (matches may run past it).
const SEARCH_STEP: usize = 1 << 16;

/// List cells one step of the final reversal of a long search's results moves.
const REVERSE_STEP: usize = 1 << 15;

/// Whether a search of binary `t` from `s` to `e` goes on in a continuation: one over
/// [`SEARCH_STEP`] bytes of a subject read in place. An unaligned subject is copied each time
/// it is read, so every step would copy it whole again: it is searched in one go.
fn long_search(v: &View, t: Term, s: usize, e: usize) -> bool {
    e - s > SEARCH_STEP && v.binary(t).is_some_and(|b| b.bytes().is_some())
}

/// Starts a long `binary:matches/2,3` or global `binary:split/3` (arguments checked):
/// traps to continuation `kind` ([`search_step`]).
fn search_trap(ctx: &mut Ctx, kind: i64, a: &[Term], from: usize) -> Fault {
    let args = ctx.p.heap.tuple(a);
    let at = Term::small(from as i64);
    let state = ctx.p.heap.tuple(&[at, Term::small(0)]);
    Fault::TrapTo([Term::small(kind), args, Term::NIL, state])
}

/// One step of a long `binary:matches/2,3` ([`trap::BINARY_MATCHES`]) or global
/// `binary:split/3` ([`trap::BINARY_SPLIT`]): `a[1]` holds the arguments; `a[2]` the
/// results so far, last first; `a[3]` is `{From, Start}` (where the search goes on, where
/// the current part of a split starts) while searching, then `[]` while the results are
/// reversed, `a[2]` being `{ResultsLeft, Reversed}`.
pub fn search_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let split = a[0].as_small() == Some(trap::BINARY_SPLIT);
    let args = ctx.view().tuple(a[1]).ok_or_else(badarg)?.to_vec();
    if a[3].is_nil() {
        let (mut rest, mut out) = match ctx.view().tuple(a[2]) {
            Some(&[rest, out]) => (rest, out),
            _ => return Err(badarg()),
        };
        for _ in 0..REVERSE_STEP {
            if !rest.is_cons() {
                break;
            }
            let (h, t) = ctx.view().cons(rest);
            out = ctx.p.heap.cons(h, out);
            rest = t;
        }
        ctx.charge(SLICE_REDUCTIONS as usize);
        if !rest.is_cons() {
            return Ok(out);
        }
        let state = ctx.p.heap.tuple(&[rest, out]);
        return Err(Fault::TrapTo([a[0], a[1], state, Term::NIL]));
    }
    let (from, start) = match ctx.view().tuple(a[3]) {
        Some(&[f, s]) => (f.small_value() as usize, s.small_value() as usize),
        _ => return Err(badarg()),
    };
    let (found, end, len, trim, trim_all) = {
        let v = ctx.view();
        let hay = v.binary_bytes(args[0]).ok_or_else(badarg)?;
        let pats = patterns(&v, args[1])?;
        let (mut trim, mut trim_all) = (false, false);
        let mut r = (0, hay.len());
        if split {
            let mut l = args[2];
            while l.is_cons() {
                let (x, rest) = v.cons(l);
                match x {
                    atom::TRIM => trim = true,
                    atom::TRIM_ALL => trim_all = true,
                    t if v.tuple(t).is_some() => scope_item(&v, t, hay.len(), &mut r)?,
                    _ => {}
                }
                l = rest;
            }
        } else {
            r = scope(&v, args.get(2).copied(), hay.len())?;
        }
        let limit = (from + SEARCH_STEP).min(r.1);
        let mut found = Vec::new();
        let mut at = from;
        while let Some((i, l)) = find_before(&hay, &pats, at, limit, r.1) {
            // A step finds up to a match a byte: its list of them is the program's to size.
            found
                .try_reserve(1)
                .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
            found.push((i, l));
            at = i + l;
        }
        (found, at.max(limit), r.1, trim, trim_all)
    };
    let mut acc = a[2];
    let mut start = start;
    for (i, l) in found {
        let t = if split {
            if trim_all && i == start {
                start = i + l;
                continue;
            }
            let part = sub(ctx, args[0], start as i64, (i - start) as i64)?;
            start = i + l;
            part
        } else {
            ctx.p
                .heap
                .tuple(&[Term::small(i as i64), Term::small(l as i64)])
        };
        acc = ctx.p.heap.cons(t, acc);
    }
    ctx.charge(SLICE_REDUCTIONS as usize);
    if end < len {
        let state = ctx
            .p
            .heap
            .tuple(&[Term::small(end as i64), Term::small(start as i64)]);
        return Err(Fault::TrapTo([a[0], a[1], acc, state]));
    }
    if split {
        let size = ctx.view().binary_bytes(args[0]).map_or(0, |b| b.len());
        if !(trim_all && start == size) {
            let part = sub(ctx, args[0], start as i64, (size - start) as i64)?;
            acc = ctx.p.heap.cons(part, acc);
        }
        if trim || trim_all {
            let v = ctx.view();
            while acc.is_cons() && v.binary(v.cons(acc).0).is_some_and(|b| b.bit_len == 0) {
                acc = v.cons(acc).1;
            }
        }
    }
    let state = ctx.p.heap.tuple(&[acc, Term::NIL]);
    Err(Fault::TrapTo([a[0], a[1], state, Term::NIL]))
}

/// `binary:encode_unsigned/1,2`.
pub fn encode_unsigned(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view().int(a[0]).ok_or_else(badarg)?.to_big();
    if v.sign() == Sign::Minus {
        return Err(badarg());
    }
    let little = is_little(a.get(1).copied())?;
    let mut b = v.to_bytes_be().1;
    if little {
        b.reverse();
    }
    Ok(ctx.p.heap.binary(b))
}

/// Whether an endianness argument is `little` rather than `big` (the default when there is
/// none); any other is `badarg`.
fn is_little(endian: Option<Term>) -> Result<bool, Fault> {
    match endian {
        None | Some(atom::BIG) => Ok(false),
        Some(atom::LITTLE) => Ok(true),
        Some(_) => Err(badarg()),
    }
}

/// `binary:decode_unsigned/1,2`.
pub fn decode_unsigned(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let b = bytes(ctx, a[0])?;
    let little = is_little(a.get(1).copied())?;
    // The bignum's working copies (the bytes again, then its digits) are infallible: room
    // for them is found first, and given back, so that a binary of hundreds of MB is a
    // `system_limit` rather than an allocation failure. (erl has no integer limit here.)
    let mut probe: Vec<u8> = Vec::new();
    probe
        .try_reserve_exact(b.len().saturating_mul(3))
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    drop(probe);
    let v = if little {
        BigInt::from_bytes_le(Sign::Plus, &b)
    } else {
        BigInt::from_bytes_be(Sign::Plus, &b)
    };
    ctx.heap_room(v.bits().div_ceil(64) as usize + 1)?;
    Ok(ctx.p.heap.bigint(&v))
}

fn all_bins(ctx: &Ctx, t: Term) -> Result<Vec<Vec<u8>>, Fault> {
    let v = ctx.view();
    let l = v.list_to_vec(t).ok_or_else(badarg)?;
    if l.is_empty() {
        return Err(badarg());
    }
    l.into_iter().map(|b| owned_bytes(ctx, b)).collect()
}

/// `binary:longest_common_prefix/1`.
pub fn longest_common_prefix(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let bs = all_bins(ctx, a[0])?;
    let mut n = bs[0].len();
    for b in &bs[1..] {
        n = n.min(
            bs[0]
                .iter()
                .zip(b.iter())
                .take_while(|(x, y)| x == y)
                .count(),
        );
    }
    Ok(Term::small(n as i64))
}

/// `binary:longest_common_suffix/1`.
pub fn longest_common_suffix(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let bs = all_bins(ctx, a[0])?;
    let mut n = bs[0].len();
    for b in &bs[1..] {
        n = n.min(
            bs[0]
                .iter()
                .rev()
                .zip(b.iter().rev())
                .take_while(|(x, y)| x == y)
                .count(),
        );
    }
    Ok(Term::small(n as i64))
}
