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

fn in_latin1(enc: Option<&Term>) -> bool {
    enc == Some(&atom::LATIN1)
}

fn collect(ctx: &Ctx, a: &[Term]) -> Result<Vec<u32>, Fault> {
    let mut out = Vec::new();
    chars(&ctx.view(), a[0], in_latin1(a.get(1)), &mut out).ok_or_else(badarg)?;
    Ok(out)
}

/// `unicode:characters_to_list/1,2`.
pub fn characters_to_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let cs = collect(ctx, a)?;
    let items: Vec<Term> = cs.iter().map(|&c| Term::small(c as i64)).collect();
    Ok(ctx.p.heap.list(&items))
}

/// `unicode:characters_to_binary/1,2,3`.
pub fn characters_to_binary(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let cs = collect(ctx, a)?;
    let out_latin1 = in_latin1(a.get(2));
    let mut bytes = Vec::with_capacity(cs.len());
    for c in cs {
        if out_latin1 {
            bytes.push(u8::try_from(c).map_err(|_| badarg())?);
        } else {
            let ch = char::from_u32(c).ok_or_else(badarg)?;
            let mut b = [0u8; 4];
            bytes.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
        }
    }
    Ok(ctx.p.heap.binary(bytes))
}

/// `unicode:bin_is_7bit/1`.
pub fn bin_is_7bit(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let b = ctx
        .view()
        .binary_bytes(a[0])
        .ok_or_else(badarg)?
        .into_owned();
    Ok(Term::boolean(b.iter().all(|&c| c < 128)))
}

/// `code:ensure_modules_loaded/1`: modules load on first call here, so this is `ok`.
pub fn ensure_modules_loaded(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(atom::OK)
}

/// `code:ensure_loaded/1`.
pub fn ensure_loaded(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() {
        return Err(badarg());
    }
    Ok(ctx.p.heap.tuple(&[atom::MODULE, a[0]]))
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
    if to_stderr {
        ctx.io.stderr(&out);
    } else {
        ctx.io.stdout(&out);
    }
    Ok(atom::OK)
}

/// `io:put_chars/1`.
pub fn put_chars(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    put(ctx, a[0], false)
}

/// `io:put_chars/2`: the device may be `standard_error`; everything else goes to stdout.
pub fn put_chars2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    put(ctx, a[1], a[0] == atom::STANDARD_ERROR)
}

/// `io:printable_range/0`: erl's default, `latin1` (`+pc unicode` is not supported).
pub fn printable_range(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(atom::LATIN1)
}

/// `io:columns/0,1`: the console is no terminal, as for erl under `-noshell`.
pub fn columns(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let enotsup = ctx.atoms.intern("enotsup").map_err(|_| badarg())?;
    Ok(ctx.p.heap.tuple(&[atom::ERROR, enotsup]))
}

/// `io:getopts/0,1`: what erl's standard output answers under `-noshell`.
pub fn getopts(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let (binary, encoding) = match (ctx.atoms.intern("binary"), ctx.atoms.intern("encoding")) {
        (Ok(b), Ok(e)) => (b, e),
        _ => return Err(badarg()),
    };
    let b = ctx.p.heap.tuple(&[binary, atom::FALSE]);
    let e = ctx.p.heap.tuple(&[encoding, atom::LATIN1]);
    Ok(ctx.p.heap.list(&[b, e]))
}

/// `io:setopts/1,2`: accepted (output is written as is whatever the options say).
pub fn setopts(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let opts = a[a.len() - 1];
    ctx.view().list_len(opts).ok_or_else(badarg)?;
    Ok(atom::OK)
}
