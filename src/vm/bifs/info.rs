//! Introspection BIFs: `module_info`, `fun_info`, `function_exported`, `is_builtin`.

use alloc::vec::Vec;

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx};
use crate::vm::code::split_fun_id;
use crate::vm::term::{Kind, Term};

/// The module's exported functions in the order they are defined, as erl lists them (the
/// export table's own order is the compiler's, sorted).
fn module_exports(ctx: &mut Ctx, m: u32) -> Term {
    let module = &ctx.code.modules[m as usize];
    let mut sorted = module.exports.clone();
    sorted.sort_unstable_by_key(|&(f, a)| (f.0, a));
    let ex: Vec<(Term, u32)> = module
        .functions
        .iter()
        .map(|f| (f.name, f.arity))
        .filter(|&(f, a)| {
            sorted
                .binary_search_by_key(&(f.0, a), |&(g, b)| (g.0, b))
                .is_ok()
        })
        .collect();
    let mut items = Vec::with_capacity(ex.len());
    for (f, a) in ex {
        items.push(ctx.p.heap.tuple(&[f, Term::small(a as i64)]));
    }
    ctx.p.heap.list(&items)
}

fn info_item(ctx: &mut Ctx, m: u32, what: Term) -> BifResult {
    Ok(match what {
        atom::MODULE => ctx.code.modules[m as usize].name,
        atom::EXPORTS => module_exports(ctx, m),
        atom::ATTRIBUTES => ctx.code.modules[m as usize].attributes,
        atom::FUNCTIONS => {
            let fs: Vec<(Term, u32)> = ctx.code.modules[m as usize]
                .functions
                .iter()
                .map(|f| (f.name, f.arity))
                .collect();
            let mut items = Vec::new();
            for (f, a) in fs {
                items.push(ctx.p.heap.tuple(&[f, Term::small(a as i64)]));
            }
            ctx.p.heap.list(&items)
        }
        atom::COMPILE | atom::NATIVE => Term::NIL,
        atom::MD5 => {
            let md5 = ctx.code.modules[m as usize].md5;
            ctx.p.heap.binary(md5.to_vec())
        }
        _ => return Err(badarg()),
    })
}

/// `erlang:get_module_info/1`.
pub fn get_module_info1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let m = ctx.code.module_index(a[0]).ok_or_else(badarg)?;
    let keys = [
        atom::MODULE,
        atom::EXPORTS,
        atom::ATTRIBUTES,
        atom::COMPILE,
        atom::MD5,
    ];
    let mut items = Vec::new();
    for k in keys {
        let v = info_item(ctx, m, k)?;
        items.push(ctx.p.heap.tuple(&[k, v]));
    }
    Ok(ctx.p.heap.list(&items))
}

/// `erlang:get_module_info/2`.
pub fn get_module_info2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let m = ctx.code.module_index(a[0]).ok_or_else(badarg)?;
    info_item(ctx, m, a[1])
}

/// `erlang:fun_info/2`.
pub fn fun_info2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let kind = v.kind(a[0]).ok_or_else(badarg)?;
    let payload = v.payload(a[0]).to_vec();
    let value = match kind {
        Kind::Export => match a[1] {
            atom::ARITY => payload[2],
            atom::MODULE => payload[0],
            atom::NAME => payload[1],
            atom::TYPE => atom::EXTERNAL,
            atom::ENV => Term::NIL,
            atom::PID | atom::INDEX | atom::UNIQ | atom::NEW_INDEX | atom::NEW_UNIQ => {
                atom::UNDEFINED
            }
            _ => return Err(badarg()),
        },
        Kind::Fun => {
            let (mi, li) = split_fun_id(payload[0].small_value() as u64);
            let module = &ctx.code.modules[mi as usize];
            let lam = module.lambdas[li as usize];
            match a[1] {
                atom::ARITY => Term::small(lam.arity as i64),
                atom::MODULE => module.name,
                // erl forgets the name with the code.
                atom::NAME if module.is_freed() => Term::NIL,
                atom::NAME => module
                    .function_at(lam.entry)
                    .map(|f| f.name)
                    .unwrap_or(atom::UNDEFINED),
                atom::TYPE => atom::LOCAL,
                atom::ENV => ctx.p.heap.list(&payload[1..]),
                atom::PID => ctx.p.pid,
                atom::INDEX => Term::small(lam.index as i64),
                atom::NEW_INDEX => Term::small(lam.index as i64),
                atom::UNIQ => Term::small(lam.old_uniq as i64),
                // erl's `new_uniq` is the module's MD5, shared by its funs.
                atom::NEW_UNIQ => {
                    let md5 = module.md5;
                    ctx.p.heap.binary(md5.to_vec())
                }
                _ => return Err(badarg()),
            }
        }
        _ => return Err(badarg()),
    };
    Ok(ctx.p.heap.tuple(&[a[1], value]))
}

/// `erlang:fun_info/1`: the items of [`fun_info2`] erl lists for a local or an external fun.
pub fn fun_info1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    const LOCAL: [Term; 10] = [
        atom::PID,
        atom::MODULE,
        atom::NEW_INDEX,
        atom::NEW_UNIQ,
        atom::INDEX,
        atom::UNIQ,
        atom::NAME,
        atom::ARITY,
        atom::ENV,
        atom::TYPE,
    ];
    const EXTERNAL: [Term; 5] = [atom::MODULE, atom::NAME, atom::ARITY, atom::ENV, atom::TYPE];
    let keys: &[Term] = match ctx.view().kind(a[0]) {
        Some(Kind::Fun) => &LOCAL,
        Some(Kind::Export) => &EXTERNAL,
        _ => return Err(badarg()),
    };
    let mut items = Vec::with_capacity(keys.len());
    for &k in keys {
        items.push(fun_info2(ctx, &[a[0], k])?);
    }
    Ok(ctx.p.heap.list(&items))
}

/// `erlang:function_exported/3`.
pub fn function_exported(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = a[2].as_small().ok_or_else(badarg)?;
    if !(a[0].is_atom() && a[1].is_atom()) {
        return Err(badarg());
    }
    let found = ctx
        .code
        .find_export(a[0], a[1], n as u32)
        .map(|e| {
            // BIFs count as exported, as in erl.
            matches!(
                ctx.code.exports[e as usize].target,
                crate::vm::code::Target::Code { .. } | crate::vm::code::Target::Bif(_)
            )
        })
        .unwrap_or(false);
    Ok(Term::boolean(found))
}

/// `erlang:module_loaded/1`.
pub fn module_loaded(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() {
        return Err(badarg());
    }
    Ok(Term::boolean(ctx.code.module_index(a[0]).is_some()))
}

/// `erlang:is_builtin/3`.
pub fn is_builtin(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = a[2].as_small().ok_or_else(badarg)?;
    let r = crate::vm::bifs::lookup(ctx.atoms.name(a[0]), ctx.atoms.name(a[1]), n as u32);
    Ok(Term::boolean(r.is_some()))
}
