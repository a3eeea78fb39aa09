//! `unicode` natives and the few `code` server functions ordinary library code calls.

use alloc::vec::Vec;

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::heap::View;
use crate::vm::term::Term;

/// Collects the code points of unicode chardata (`latin1` input reads binaries as bytes).
pub fn chars(v: &View, t: Term, latin1: bool, out: &mut Vec<u32>) -> Option<()> {
    // Parts still to read, the next on top: nested lists cost heap, not native stack.
    let mut todo = alloc::vec![t];
    while let Some(t) = todo.pop() {
        if let Some(b) = v.binary_bytes(t) {
            if latin1 {
                out.extend(b.iter().map(|&c| c as u32));
            } else {
                out.extend(core::str::from_utf8(&b).ok()?.chars().map(|c| c as u32));
            }
            continue;
        }
        if !t.is_cons() {
            // `[]` ends a list; anything else is not chardata.
            if t.is_nil() {
                continue;
            }
            return None;
        }
        let mut l = t;
        while l.is_cons() {
            let (h, tl) = v.cons(l);
            if let Some(c) = h.as_small() {
                let c = u32::try_from(c).ok()?;
                char::from_u32(c)?;
                out.push(c);
                l = tl;
            } else {
                todo.push(tl);
                todo.push(h);
                l = Term::NIL;
                break;
            }
        }
        if !l.is_nil() {
            todo.push(l);
        }
    }
    Some(())
}

/// An input encoding of `characters_to_list/2` and `characters_to_binary/2`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Latin1,
    Utf8,
    /// UTF-16, little-endian when true.
    Utf16(bool),
    /// UTF-32, little-endian when true.
    Utf32(bool),
}

fn encoding(ctx: &Ctx, t: Option<&Term>) -> Option<Encoding> {
    let Some(&t) = t else {
        return Some(Encoding::Utf8);
    };
    let name = |t: Term| t.is_atom().then(|| ctx.atoms.name(t));
    if let Some([e, endian]) = ctx.view().tuple(t) {
        let little = match name(*endian)? {
            "little" => true,
            "big" => false,
            _ => return None,
        };
        return match name(*e)? {
            "utf16" => Some(Encoding::Utf16(little)),
            "utf32" => Some(Encoding::Utf32(little)),
            _ => None,
        };
    }
    Some(match name(t)? {
        "latin1" => Encoding::Latin1,
        "unicode" | "utf8" => Encoding::Utf8,
        "utf16" => Encoding::Utf16(false),
        "utf32" => Encoding::Utf32(false),
        _ => return None,
    })
}

/// Why decoding a binary stopped early.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Not a character at this offset.
    Invalid(usize),
    /// A character starts at this offset but the binary ends inside it.
    Incomplete(usize),
}

/// Appends the characters of `b` in encoding `enc` to `out`.
fn decode(b: &[u8], enc: Encoding, out: &mut Vec<u32>) -> Result<(), Stop> {
    let unit = |c: &[u8], little: bool| -> u32 {
        let c = c.iter().map(|&x| x as u32);
        if little {
            c.rev().fold(0, |n, x| (n << 8) | x)
        } else {
            c.fold(0, |n, x| (n << 8) | x)
        }
    };
    match enc {
        Encoding::Latin1 => out.extend(b.iter().map(|&c| c as u32)),
        Encoding::Utf8 => {
            let (ok, stop) = match core::str::from_utf8(b) {
                Ok(s) => (s, None),
                Err(e) => {
                    let at = e.valid_up_to();
                    let stop = match e.error_len() {
                        Some(_) => Stop::Invalid(at),
                        None => Stop::Incomplete(at),
                    };
                    (core::str::from_utf8(&b[..at]).unwrap_or(""), Some(stop))
                }
            };
            out.extend(ok.chars().map(|c| c as u32));
            return stop.map_or(Ok(()), Err);
        }
        Encoding::Utf16(little) => {
            let mut i = 0;
            while i < b.len() {
                if i + 2 > b.len() {
                    return Err(Stop::Incomplete(i));
                }
                let u = unit(&b[i..i + 2], little);
                let c = match u {
                    0xD800..=0xDBFF if i + 4 > b.len() => return Err(Stop::Incomplete(i)),
                    0xD800..=0xDBFF => match unit(&b[i + 2..i + 4], little) {
                        l @ 0xDC00..=0xDFFF => 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00),
                        _ => return Err(Stop::Invalid(i)),
                    },
                    0xDC00..=0xDFFF => return Err(Stop::Invalid(i)),
                    u => u,
                };
                out.push(c);
                i += if c >= 0x10000 { 4 } else { 2 };
            }
        }
        Encoding::Utf32(little) => {
            for (n, c) in b.chunks(4).enumerate() {
                if c.len() < 4 {
                    return Err(Stop::Incomplete(n * 4));
                }
                let c = unit(c, little);
                if char::from_u32(c).is_none() {
                    return Err(Stop::Invalid(n * 4));
                }
                out.push(c);
            }
        }
    }
    Ok(())
}

/// Whether `t` is chardata as far as its structure goes (integers, binaries, lists of them).
fn well_formed(v: &View, t: Term) -> bool {
    let mut todo = alloc::vec![t];
    while let Some(mut t) = todo.pop() {
        while t.is_cons() {
            let (h, tl) = v.cons(t);
            if !h.is_small() {
                todo.push(h);
            }
            t = tl;
        }
        if !t.is_nil() && v.binary_bytes(t).is_none() {
            return false;
        }
    }
    true
}

/// Where a conversion stopped: `{error, _, Rest}` or `{incomplete, _, Rest}`.
enum Failure {
    Error(Term),
    Incomplete(Term),
}

/// Reads chardata `t` in encoding `enc` into `out`; on a bad character, erl's rest of the
/// input (the unread part of each enclosing list consed around the unread part of the
/// innermost one). A character cut at the end of one binary may go on in the next.
fn convert(ctx: &mut Ctx, t: Term, enc: Encoding, out: &mut Vec<u32>) -> Result<(), Failure> {
    // Tails of the enclosing lists, innermost last.
    let mut frames: Vec<Term> = Vec::new();
    // The start of a character cut at the end of the last binary.
    let mut pending: Vec<u8> = Vec::new();
    let mut cur = t;
    let limit = if enc == Encoding::Latin1 {
        255
    } else {
        0x10FFFF
    };
    loop {
        let v = ctx.p.heap.view(ctx.lits);
        if cur.is_cons() {
            let (h, tl) = v.cons(cur);
            if let Some(c) = h.as_small() {
                if !pending.is_empty() {
                    let rest = wrap(ctx, cur, &frames);
                    return Err(Failure::Error(cut(ctx, &pending, rest, enc)));
                }
                let ok = (0..=limit).contains(&c) && char::from_u32(c as u32).is_some();
                if !ok {
                    return Err(Failure::Error(wrap(ctx, cur, &frames)));
                }
                out.push(c as u32);
                cur = tl;
            } else {
                frames.push(tl);
                cur = h;
            }
            continue;
        }
        if let Some(b) = v.binary_bytes(cur).filter(|b| !b.is_empty()) {
            let plen = pending.len();
            let bytes = if plen == 0 {
                b.into_owned()
            } else {
                let mut all = core::mem::take(&mut pending);
                all.extend_from_slice(&b);
                all
            };
            match decode(&bytes, enc, out) {
                Ok(()) => {}
                Err(Stop::Incomplete(at)) => pending = bytes[at..].to_vec(),
                Err(Stop::Invalid(at)) if at < plen => {
                    let rest = wrap(ctx, cur, &frames);
                    return Err(Failure::Error(cut(ctx, &bytes[at..plen], rest, enc)));
                }
                Err(Stop::Invalid(at)) => {
                    let rest = ctx.p.heap.binary(bytes[at..].to_vec());
                    return Err(Failure::Error(wrap(ctx, rest, &frames)));
                }
            }
        }
        match frames.pop() {
            Some(f) => cur = f,
            None if pending.is_empty() => return Ok(()),
            None => return Err(Failure::Incomplete(ctx.p.heap.binary(pending))),
        }
    }
}

/// The rest for the start of a character that what follows (`rest`) does not complete:
/// `[Start, Rest]` for UTF-8, `[Start | Rest]` for the other encodings (as erl's OTP code
/// builds it).
fn cut(ctx: &mut Ctx, start: &[u8], rest: Term, enc: Encoding) -> Term {
    let start = ctx.p.heap.binary(start.to_vec());
    if enc == Encoding::Utf8 {
        ctx.p.heap.list(&[start, rest])
    } else {
        ctx.p.heap.cons(start, rest)
    }
}

fn wrap(ctx: &mut Ctx, mut rest: Term, frames: &[Term]) -> Term {
    for &f in frames.iter().rev() {
        rest = ctx.p.heap.cons(rest, f);
    }
    rest
}

/// Converts `a[0]` from the encoding `a[1]` (default unicode); the characters, or the
/// `{error | incomplete, Converted, Rest}` tuple built around `done(chars)`.
fn characters(
    ctx: &mut Ctx,
    a: &[Term],
    done: fn(&mut Ctx, &[u32]) -> Term,
) -> Result<Result<Term, Term>, Fault> {
    let enc = encoding(ctx, a.get(1)).ok_or_else(badarg)?;
    if !well_formed(&ctx.view(), a[0]) {
        return Err(badarg());
    }
    let mut cs = Vec::new();
    let failure = convert(ctx, a[0], enc, &mut cs);
    let converted = done(ctx, &cs);
    Ok(match failure {
        Ok(()) => Ok(converted),
        Err(f) => {
            let (tag, rest) = match f {
                Failure::Error(r) => (atom::ERROR, r),
                Failure::Incomplete(r) => {
                    let t = ctx.atoms.intern("incomplete").map_err(|_| badarg())?;
                    (t, r)
                }
            };
            Err(ctx.p.heap.tuple(&[tag, converted, rest]))
        }
    })
}

fn to_list(ctx: &mut Ctx, cs: &[u32]) -> Term {
    let items: Vec<Term> = cs.iter().map(|&c| Term::small(c as i64)).collect();
    ctx.p.heap.list(&items)
}

fn to_utf8(ctx: &mut Ctx, cs: &[u32]) -> Term {
    let s: alloc::string::String = cs.iter().filter_map(|&c| char::from_u32(c)).collect();
    ctx.p.heap.binary(s.into_bytes())
}

/// `unicode:characters_to_list/1,2`.
pub fn characters_to_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    Ok(characters(ctx, a, to_list)?.unwrap_or_else(|e| e))
}

/// `unicode:characters_to_binary/1,2`: UTF-8 from any input encoding. (`/3` is OTP's own
/// code over these.)
pub fn characters_to_binary(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    Ok(characters(ctx, a, to_utf8)?.unwrap_or_else(|e| e))
}

/// `unicode:bin_is_7bit/1`.
pub fn bin_is_7bit(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    // Anything but a binary is `false`, as in erl.
    let v = ctx.view();
    let seven = v
        .binary_bytes(a[0])
        .is_some_and(|b| b.iter().all(|&c| c < 128));
    Ok(Term::boolean(seven))
}

/// `code:ensure_modules_loaded/1`: modules load on first call here, so this is `ok`.
pub fn ensure_modules_loaded(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(atom::OK)
}

/// Writes chardata to the console as erl's `-noshell` standard output does: characters below
/// 256 as single bytes, others as `\x{...}`.
fn put(ctx: &mut Ctx, t: Term, to_stderr: bool) -> BifResult {
    let mut cs = Vec::new();
    chars(&ctx.view(), t, false, &mut cs).ok_or_else(badarg)?;
    let mut out = Vec::with_capacity(cs.len());
    for c in cs {
        if c < 256 {
            out.push(c as u8);
        } else {
            out.extend_from_slice(alloc::format!("\\x{{{c:X}}}").as_bytes());
        }
    }
    ctx.node.count_output(out.len());
    if to_stderr {
        ctx.io.stderr(&out);
    } else {
        ctx.io.stdout(&out);
    }
    Ok(atom::OK)
}

/// `xenbeam:put_chars/1`: chardata to the console's standard output.
pub fn put_chars(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    put(ctx, a[0], false)
}

/// `xenbeam:put_chars/2`: to standard error for `standard_error`, else to standard output.
pub fn put_chars2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    put(ctx, a[1], a[0] == atom::STANDARD_ERROR)
}

/// `net_kernel:dflag_unicode_io/1`, which `io` asks before sending Unicode to an I/O
/// server: always, since every process is local.
pub fn dflag_unicode_io(_: &mut Ctx, a: &[Term]) -> BifResult {
    if a[0].is_pid() {
        Ok(atom::TRUE)
    } else {
        Err(badarg())
    }
}

/// `io:printable_range/0`: erl's default, `latin1` (`+pc unicode` is not supported).
pub fn printable_range(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(atom::LATIN1)
}
