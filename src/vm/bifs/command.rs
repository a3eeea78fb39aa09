//! `os:cmd/1,2`: a shell command's output, as erl's `os` module gives it.
//!
//! erl's `os:cmd` runs the command in `/bin/sh` through a port and collects what it writes.
//! The VM has no ports: these BIFs check the command and the options as `os.erl` does (the
//! same `badarg`s, with `cause => badopt` for options that are no map), ask the platform to
//! start the command ([`Io::command_start`]), then go on in Erlang, in the calling process
//! (`xenbeam_os:cmd/2`, one of the host runner's own modules): it polls
//! [`command_read`] with `receive after` waits between looks, so the scheduler runs others
//! meanwhile, stops where `os.erl` stops (the shell's end-of-transmission byte, `max_size`)
//! and decodes the bytes as `os.erl` does. A platform without a shell cannot start one:
//! `badarg` with `cause => {open_port, enoent}`, as erl's `os:cmd` reports a port it cannot
//! open. The image, which has none, carries only the checks and that error (its
//! `xenbeam:command_*` BIFs are `badarg`): a few hundred bytes.

#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::vm::atom;
use crate::vm::bif::{badarg, badarg_cause, BifResult, Ctx, Fault};
use crate::vm::term::Term;

/// `os:cmd/1`.
pub fn cmd1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    cmd(ctx, a[0], atom::INFINITY)
}

/// `os:cmd/2`: options are a map; its `max_size` (by default `infinity`) bounds the output.
pub fn cmd2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    // os.erl reads its option before it looks at the command.
    if !ctx.view().is_map(a[1]) {
        let badopt = ctx.atoms.intern("badopt").map_err(|_| badarg())?;
        return Err(badarg_cause(badopt));
    }
    let key = ctx.atoms.intern("max_size").map_err(|_| badarg())?;
    let max = crate::vm::map::get(&ctx.view(), ctx.atoms, a[1], key).unwrap_or(atom::INFINITY);
    cmd(ctx, a[0], max)
}

/// The image has no shell: the command only has its checks.
#[cfg(target_os = "none")]
fn cmd(ctx: &mut Ctx, command: Term, _: Term) -> BifResult {
    command_text(ctx, command).ok_or_else(badarg)?;
    Err(cannot_start(ctx, crate::vm::files::Posix::Enoent))
}

#[cfg(not(target_os = "none"))]
fn cmd(ctx: &mut Ctx, command: Term, max: Term) -> BifResult {
    let text = command_text(ctx, command).ok_or_else(badarg)?;
    let caller = ctx.p.pid.pid_number();
    match ctx.node.io().command_start(caller, &text, &[]) {
        Ok(id) => {
            let (Ok(m), Ok(f)) = (ctx.atoms.intern("xenbeam_os"), ctx.atoms.intern("cmd")) else {
                ctx.node.io().command_close(id);
                return Err(badarg());
            };
            let args = ctx.p.heap.list(&[Term::small(i64::from(id)), max]);
            Err(Fault::Apply([m, f, args]))
        }
        Err(e) => Err(cannot_start(ctx, e)),
    }
}

/// erl's error for a port it cannot open: `badarg`, `cause => {open_port, Reason}`.
fn cannot_start(ctx: &mut Ctx, e: crate::vm::files::Posix) -> Fault {
    let (Ok(open_port), Ok(reason)) = (ctx.atoms.intern("open_port"), ctx.atoms.intern(e.name()))
    else {
        return badarg();
    };
    let cause = ctx.p.heap.tuple(&[open_port, reason]);
    badarg_cause(cause)
}

/// The command's text in UTF-8 as os.erl's `validate/1` takes it: an atom's name, or a deep
/// list of positive character codes in which a NUL may only be followed by NULs (dropped);
/// `None` for anything else.
fn command_text(ctx: &Ctx, command: Term) -> Option<Vec<u8>> {
    if command.is_atom() {
        return Some(ctx.atoms.name(command).as_bytes().to_vec());
    }
    let v = ctx.view();
    let mut text = String::new();
    let mut nul = false;
    // The rest of each list being walked, innermost last: no native recursion on the depth.
    let mut pending = vec![command];
    while let Some(mut t) = pending.pop() {
        while t.is_cons() {
            let (head, tail) = v.cons(t);
            t = tail;
            if let Some(c) = head.as_small() {
                match u32::try_from(c).ok().and_then(char::from_u32) {
                    Some('\0') => nul = true,
                    Some(c) if !nul => text.push(c),
                    _ => return None,
                }
            } else if head.is_cons() || head == Term::NIL {
                pending.push(t);
                t = head;
            } else {
                return None;
            }
        }
        if t != Term::NIL {
            return None;
        }
    }
    Some(text.into_bytes())
}

/// The id argument of the `xenbeam:command_*` BIFs.
#[cfg(not(target_os = "none"))]
fn command_id(t: Term) -> Result<u32, Fault> {
    t.as_small()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(badarg)
}

/// `xenbeam:command_read/1` and `command_close/1` in the image, where no command starts:
/// `badarg`, as for an id that is no command's.
#[cfg(target_os = "none")]
pub fn read(_: &mut Ctx, _: &[Term]) -> BifResult {
    Err(badarg())
}

/// As [`read`].
#[cfg(target_os = "none")]
pub fn close(_: &mut Ctx, _: &[Term]) -> BifResult {
    Err(badarg())
}

/// `xenbeam:command_read(Id)`: the next output of command Id as a binary, `wait` when none
/// has arrived yet, or `eof` once the command has ended.
#[cfg(not(target_os = "none"))]
pub fn read(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let output = ctx.node.io().command_read(command_id(a[0])?);
    super::xenbeam::input_term(ctx, output)
}

/// `xenbeam:command_close(Id)`: command Id's output is read no more.
#[cfg(not(target_os = "none"))]
pub fn close(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    ctx.node.io().command_close(command_id(a[0])?);
    Ok(atom::OK)
}
