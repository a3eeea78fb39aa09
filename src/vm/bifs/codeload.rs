//! Loading code while the node runs: `erlang:load_module/2`, `delete_module/1`,
//! `purge_module/1`, `check_old_code/1` and `check_process_code/2,3`, the BIFs under OTP's
//! `code:load_binary/3`, `code:purge/1` and the rest (the kernel's code server calls them).
//!
//! A module has at most two versions, as in erl: current code, which calls through its name
//! reach, and old code, which processes that were running it go on running (their local
//! calls stay in it) until it is purged. The code is borrowed while a process runs, so the
//! three BIFs that change it ask the node ([`Services::change_code`]) and wait in a
//! continuation ([`CODE_CHANGE`]); the node makes the change as soon as the slice ends and
//! the continuation takes the answer.
#![forbid(unsafe_code)]

use super::trap::CODE_CHANGE;
use crate::vm::atom;
use crate::vm::bif::{badarg, badarg_cause, BifResult, Ctx, Fault};
use crate::vm::services::{CodeChange, CodeReply, LoadRefusal};
use crate::vm::term::Term;
use alloc::vec::Vec;

/// `erlang:load_module(Module, Binary)`.
pub fn load_module(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() {
        return Err(badarg());
    }
    let bytes = ctx
        .view()
        .binary_bytes(a[1])
        .ok_or_else(badarg)?
        .into_owned();
    ask(
        ctx,
        CodeChange::Load {
            module: a[0],
            bytes,
        },
        a[0],
    )
}

/// `erlang:delete_module(Module)`.
pub fn delete_module(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() {
        return Err(badarg());
    }
    ask(ctx, CodeChange::Delete(a[0]), a[0])
}

/// `erlang:purge_module(Module)`.
pub fn purge_module(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() {
        return Err(badarg());
    }
    ask(ctx, CodeChange::Purge(a[0]), a[0])
}

/// Hands the change to the node and waits for it in the continuation. Which BIF asked is
/// the continuation's second argument (for its errors), the module its third.
fn ask(ctx: &mut Ctx, change: CodeChange, module: Term) -> BifResult {
    let which = Term::small(match change {
        CodeChange::Load { .. } => 0,
        CodeChange::Delete(_) => 1,
        CodeChange::Purge(_) => 2,
        CodeChange::SetPath(_) => 3,
    });
    if !ctx.node.change_code(ctx.p.pid.pid_number(), change) {
        // A node that cannot change its code (a VM without a scheduler, in tests).
        return Err(badarg());
    }
    Err(Fault::TrapTo([
        Term::small(CODE_CHANGE),
        which,
        module,
        Term::NIL,
    ]))
}

/// The continuation: the node's answer as the BIF's result.
pub fn step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let module = a[2];
    let name = match a[1].as_small() {
        Some(0) => "load_module",
        Some(1) => "delete_module",
        Some(2) => "purge_module",
        _ => "set_code_path",
    };
    let reply = ctx
        .node
        .code_reply(ctx.p.pid.pid_number())
        .ok_or_else(badarg)?;
    let refused = |ctx: &mut Ctx, why: &str| -> BifResult {
        let why = ctx.atoms.intern(why).map_err(|_| badarg())?;
        Ok(ctx.p.heap.tuple(&[atom::ERROR, why]))
    };
    match reply {
        CodeReply::Loaded => {
            let tag = ctx.atoms.intern("module").map_err(|_| badarg())?;
            Ok(ctx.p.heap.tuple(&[tag, module]))
        }
        CodeReply::Refused(LoadRefusal::Badfile) => refused(ctx, "badfile"),
        CodeReply::Refused(LoadRefusal::NotPurged) => refused(ctx, "not_purged"),
        CodeReply::Refused(LoadRefusal::OnLoadFailure) => refused(ctx, "on_load_failure"),
        CodeReply::Done => Ok(atom::TRUE),
        CodeReply::Undefined => Ok(atom::UNDEFINED),
        CodeReply::Badarg => Err(Fault::trapped_error(
            ctx,
            atom::BADARG,
            ("erlang", name),
            &[module],
        )),
        CodeReply::NoMemory => Err(Fault::trapped_error(
            ctx,
            atom::SYSTEM_LIMIT,
            ("erlang", name),
            &[module],
        )),
    }
}

/// `erlang:check_old_code(Module)`.
pub fn check_old_code(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() {
        return Err(badarg());
    }
    Ok(Term::boolean(ctx.code.old.contains_key(a[0].atom_index())))
}

/// `erlang:check_process_code(Pid, Module)` and `/3` (its options are checked and change
/// nothing: the answer is always known at once). Whether the process runs `Module`'s old
/// code: is in it, or will return or throw into it. (erl also counts funs of the old code
/// the process holds; these are not looked for.)
pub fn check_process_code(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_pid() || !a[1].is_atom() {
        return Err(badarg());
    }
    if let Some(&opts) = a.get(2) {
        let v = ctx.view();
        let ok = v.list_to_vec(opts).is_some_and(|items| {
            items.iter().all(|&o| match v.tuple(o) {
                Some(&[k, v]) => {
                    ctx.atoms.name(k) == "allow_gc" && (v == atom::TRUE || v == atom::FALSE)
                }
                _ => false,
            })
        });
        if !ok {
            let cause = ctx.atoms.intern("bad_option").map_err(|_| badarg())?;
            return Err(badarg_cause(cause));
        }
    }
    let Some(old) = ctx.code.old.get(a[1].atom_index()) else {
        return Ok(atom::FALSE);
    };
    let pid = a[0].pid_number();
    let runs = if pid == ctx.p.pid.pid_number() {
        ctx.p.runs_module(old)
    } else {
        ctx.node.runs_module(pid, old).unwrap_or(false)
    };
    Ok(Term::boolean(runs))
}

/// `xenbeam:set_code_path(Dirs)`: the directories the node loads modules from, in search
/// order (the kernel's code server calls it when `code:add_patha/1` and the like change
/// its path). Modules not found before are looked for again.
pub fn set_code_path(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let dirs = {
        let v = ctx.view();
        let items = v.list_to_vec(a[0]).ok_or_else(badarg)?;
        items
            .iter()
            .map(|&d| super::conv::list_to_string(&v, d))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(badarg)?
    };
    ask(ctx, CodeChange::SetPath(dirs), atom::UNDEFINED)
}

/// `erlang:loaded/0`: the modules with current code.
pub fn loaded(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let names: Vec<Term> = ctx
        .code
        .by_name
        .iter()
        .map(|(name, _)| Term::atom(name))
        .collect();
    Ok(ctx.p.heap.list(&names))
}
