//! `term_to_binary`, `binary_to_term` and `external_size`, through the external term format.

use crate::vm::bif::{badarg, BifResult, Ctx};
use crate::vm::ext::{from_ext, to_ext};
use crate::vm::term::Term;

fn encode(ctx: &Ctx, t: Term) -> alloc::vec::Vec<u8> {
    let v = ctx.view();
    let ext = to_ext(&v, ctx.atoms, ctx.code, t);
    crate::etf::encode(&ext)
}

/// `term_to_binary/1,2` (options are accepted and ignored).
pub fn term_to_binary(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let bytes = encode(ctx, a[0]);
    Ok(ctx.p.heap.binary(bytes))
}

/// `erlang:external_size/1,2`.
pub fn external_size(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    Ok(Term::small(encode(ctx, a[0]).len() as i64))
}

/// `binary_to_term/1,2`.
pub fn binary_to_term(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let bytes = ctx
        .view()
        .binary_bytes(a[0])
        .ok_or_else(badarg)?
        .into_owned();
    let ext = crate::etf::decode(&bytes).map_err(|_| badarg())?;
    from_ext(&mut ctx.p.heap, ctx.atoms, ctx.code, &ext).map_err(|_| badarg())
}
