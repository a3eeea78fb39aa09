//! Loading code while the node runs: `erlang:load_module/2`, `delete_module/1`,
//! `purge_module/1`, `check_old_code/1`, `check_process_code/2,3`, and the two steps of
//! loading several modules at once, `prepare_loading/2` and `finish_loading/1`: the BIFs
//! under OTP's `code:load_binary/3`, `code:purge/1`, `code:atomic_load/1` and the rest (the
//! kernel's code server calls them).
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
use crate::vm::code::Prepared;
use crate::vm::services::{CodeChange, CodeReply, LoadRefusal};
use crate::vm::term::Term;
use alloc::vec::Vec;

/// `erlang:load_module(Module, Binary)`.
pub fn load_module(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let bytes = module_and_code(ctx, a)?;
    ask(
        ctx,
        CodeChange::Load {
            module: a[0],
            bytes,
        },
        a[0],
    )
}

/// The bytes of a `(Module, Binary)` pair of arguments: an atom and a binary, else badarg.
fn module_and_code(ctx: &Ctx, a: &[Term]) -> Result<Vec<u8>, Fault> {
    if !a[0].is_atom() {
        return Err(badarg());
    }
    Ok(ctx
        .view()
        .binary_bytes(a[1])
        .ok_or_else(badarg)?
        .into_owned())
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
    ask_with(ctx, change, module, Term::NIL)
}

/// [`ask`] with a fourth continuation argument (what the answer is made from).
pub(crate) fn ask_with(ctx: &mut Ctx, change: CodeChange, module: Term, extra: Term) -> BifResult {
    let which = Term::small(match change {
        CodeChange::Load { .. } => 0,
        CodeChange::Delete(_) => 1,
        CodeChange::Purge(_) => 2,
        CodeChange::SetPath(_) => 3,
        CodeChange::Prepare { .. } => 4,
        CodeChange::Finish(_) => 5,
        CodeChange::TracePattern { .. }
        | CodeChange::CountPattern { .. }
        | CodeChange::MetaPattern { .. } => 6,
    });
    if !ctx.node.change_code(ctx.p.pid.pid_number(), change) {
        // A node that cannot change its code (a VM without a scheduler, in tests).
        return Err(badarg());
    }
    Err(Fault::TrapTo([
        Term::small(CODE_CHANGE),
        which,
        module,
        extra,
    ]))
}

/// `erlang:prepare_loading(Module, Binary)`: the module read and checked, named by a new
/// reference for `finish_loading/1`, or `{error, badfile}`.
pub fn prepare_loading(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let bytes = module_and_code(ctx, a)?;
    let key = *ctx.next_ref;
    *ctx.next_ref += 1;
    let change = CodeChange::Prepare {
        module: a[0],
        bytes,
        key,
    };
    ask_with(ctx, change, a[0], Term::small(key as i64))
}

/// The prepared module a term names (a reference `prepare_loading/2` answered), if any.
fn prepared<'c>(ctx: &Ctx<'c>, t: Term) -> Option<(u64, &'c Prepared)> {
    let v = ctx.p.heap.view(ctx.lits);
    if !v.is_ref(t) {
        return None;
    }
    let key = v.payload(t)[0].0;
    ctx.code.prepared(key).map(|p| (key, p))
}

/// `erlang:has_prepared_code_on_load(Prepared)`.
pub fn has_prepared_code_on_load(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (_, p) = prepared(ctx, a[0]).ok_or_else(badarg)?;
    Ok(Term::boolean(p.on_load))
}

/// `erlang:finish_loading(PreparedList)`: `ok` once every module is current (together: no
/// process runs in between), or erl's refusal naming the modules in the way:
/// `{duplicated, Ms}` (prepared twice), `{not_purged, Ms}` (current and old code both
/// present); a single module with an `-on_load` function loads and answers
/// `{on_load, [M]}`; more than one when any has one is `system_limit`. A list holding
/// anything but prepared code is `badarg`.
pub fn finish_loading(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let items = ctx.view().list_to_vec(a[0]).ok_or_else(badarg)?;
    let mut keys = Vec::with_capacity(items.len());
    let mut modules = Vec::with_capacity(items.len());
    let mut on_load = false;
    let mut rest = a[0];
    for &t in &items {
        let key = match prepared(ctx, t) {
            Some((key, p)) if p.parsed.is_some() => {
                modules.push(p.module);
                on_load |= p.on_load;
                key
            }
            // erl names the list from the element it refused on.
            _ => {
                return Err(Fault::trapped_error(
                    ctx,
                    atom::BADARG,
                    ("erlang", "finish_loading"),
                    &[rest],
                ))
            }
        };
        rest = ctx.view().cons(rest).1;
        keys.push(key);
    }
    if keys.is_empty() {
        return Ok(atom::OK);
    }
    if on_load && keys.len() > 1 {
        // erl names the list from where its walk ended: the end.
        return Err(Fault::trapped_error(
            ctx,
            atom::SYSTEM_LIMIT,
            ("erlang", "finish_loading"),
            &[Term::NIL],
        ));
    }
    // erl lists the modules in the way last first.
    let duplicated: Vec<Term> = modules
        .iter()
        .enumerate()
        .filter(|&(i, m)| modules[..i].contains(m))
        .map(|(_, m)| m)
        .rev()
        .copied()
        .collect();
    if !duplicated.is_empty() {
        return refusal(ctx, "duplicated", &duplicated);
    }
    let code = ctx.code;
    let not_purged: Vec<Term> = modules
        .iter()
        .filter(|m| code.module_index(**m).is_some() && code.old.contains_key(m.atom_index()))
        .rev()
        .copied()
        .collect();
    if !not_purged.is_empty() {
        return refusal(ctx, "not_purged", &not_purged);
    }
    let list = ctx.p.heap.list(&modules);
    ask_with(ctx, CodeChange::Finish(keys), list, Term::boolean(on_load))
}

/// `{Why, Modules}`.
fn refusal(ctx: &mut Ctx, why: &str, modules: &[Term]) -> BifResult {
    let why = ctx.atoms.intern(why).map_err(|_| badarg())?;
    let list = ctx.p.heap.list(modules);
    Ok(ctx.p.heap.tuple(&[why, list]))
}

/// The continuation: the node's answer as the BIF's result.
pub fn step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let module = a[2];
    let name = match a[1].as_small() {
        Some(0) => "load_module",
        Some(1) => "delete_module",
        Some(2) => "purge_module",
        Some(4) => "prepare_loading",
        Some(5) => "finish_loading",
        Some(6) => "trace_pattern",
        _ => "set_code_path",
    };
    let reply = ctx
        .node
        .code_reply(ctx.p.pid.pid_number())
        .ok_or_else(badarg)?;
    match (a[1].as_small(), reply) {
        // The number of functions the pattern was given to.
        (Some(6), _) => return Ok(a[3]),
        (Some(4), CodeReply::Done) => {
            let key = a[3].as_small().ok_or_else(badarg)? as u64;
            return Ok(ctx.p.heap.reference(key));
        }
        (Some(5), CodeReply::Loaded) if a[3] == atom::FALSE => return Ok(atom::OK),
        (Some(5), CodeReply::Loaded | CodeReply::Refused(LoadRefusal::OnLoadFailure)) => {
            let on_load = ctx.atoms.intern("on_load").map_err(|_| badarg())?;
            return Ok(ctx.p.heap.tuple(&[on_load, module]));
        }
        (Some(5), CodeReply::Refused(_)) => {
            let badfile = ctx.atoms.intern("badfile").map_err(|_| badarg())?;
            return Ok(ctx.p.heap.tuple(&[badfile, module]));
        }
        _ => {}
    }
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
        // `load_module/2` refuses as it refuses a bad file, so OTP's code server, loading
        // for another process, reports the refusal and goes on (the caller's call fails).
        CodeReply::NoMemory if name == "load_module" => refused(ctx, "system_limit"),
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

/// `erl_prim_loader:get_modules(Modules, Process, Dirs)`: goes on in the kernel's Erlang
/// (`xenbeam_kernel:get_modules/3`), since it calls `Process` for each module.
pub fn get_modules(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    in_kernel(ctx, "get_modules", &a[..3])
}

/// `code:ensure_modules_loaded(Modules)`: goes on in the kernel's Erlang, which loads each
/// module the node's own way (on demand, from the code path or the image's archive, where
/// OTP's version would look in the code path only).
pub fn ensure_modules_loaded(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    in_kernel(ctx, "ensure_modules_loaded", &a[..1])
}

/// Continues a BIF as `xenbeam_kernel:Function(Args...)`.
fn in_kernel(ctx: &mut Ctx, function: &str, args: &[Term]) -> BifResult {
    let (Ok(m), Ok(f)) = (
        ctx.atoms.intern("xenbeam_kernel"),
        ctx.atoms.intern(function),
    ) else {
        return Err(badarg());
    };
    let args = ctx.p.heap.list(args);
    Err(Fault::Apply([m, f, args]))
}
