//! `unicode` natives and the few `code` server functions ordinary library code calls
//! (`characters_to_list` and `characters_to_binary` are in [`super::characters`]).

use alloc::vec::Vec;

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx};
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

/// `unicode:bin_is_7bit/1`.
pub fn bin_is_7bit(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    // Anything but a binary is `false`, as in erl.
    let v = ctx.view();
    let seven = v
        .binary_bytes(a[0])
        .is_some_and(|b| b.iter().all(|&c| c < 128));
    Ok(Term::boolean(seven))
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
        ctx.node.io().stderr(&out);
    } else {
        ctx.node.io().stdout(&out);
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
