//! `zlib`'s one-shot functions: `compress`/`uncompress` (zlib format), `zip`/`unzip` (raw
//! deflate) and `gzip`/`gunzip` (gzip members, RFC 1952), as erl's zlib.erl writes them: each
//! runs one stream of [`crate::vm::zstream`] (miniz_oxide underneath) over all its data.
//!
//! Compressed data is a valid stream of the format asked for, but not byte for byte what
//! erl's zlib writes (another deflate implementation); anything zlib writes is read back.
//! As in erl, bad or truncated data raises `data_error`, bytes after a zlib stream are
//! ignored, and `gunzip` reads concatenated members, their bytes joined. Output grows only
//! while the node's memory allows: a stream that inflates beyond it raises `system_limit`.

use alloc::vec::Vec;

use super::conv::iolist_output;
use crate::vm::bif::{BifResult, Ctx, Fault};
use crate::vm::term::Term;
use crate::vm::zstream::{Flush, Stream, ZError};

/// Raises `e` as erl does.
fn fault(ctx: &mut Ctx, e: ZError) -> Fault {
    Fault::error(
        ctx.atoms
            .intern(e.reason())
            .unwrap_or(crate::vm::atom::BADARG),
    )
}

fn input(ctx: &Ctx, t: Term) -> Result<Vec<u8>, Fault> {
    iolist_output(ctx, t)
}

/// The one-shot functions are erl's zlib.erl ones: a stream (outside the node's table, so
/// nothing is left behind) initialised with these window bits, all the data through it.
fn deflated(ctx: &mut Ctx, t: Term, window_bits: i32) -> BifResult {
    let data = input(ctx, t)?;
    let limit = ctx.p.heap.memory_left().unwrap_or(usize::MAX);
    let mut s = Stream::detached();
    let out = s
        .deflate_init(-1, window_bits, 0, None)
        .and_then(|()| s.deflate(&data, Flush::Finish, limit))
        .map_err(|e| fault(ctx, e))?;
    Ok(ctx.p.heap.binary(out))
}

/// The bytes of the stream at the start of the iodata `t`, read with these window bits;
/// with `members`, streams following it are read too (gzip members). Fewer than `least`
/// bytes are a `data_error` at once (erl's `uncompress/1` wants 8).
fn inflated(ctx: &mut Ctx, t: Term, window_bits: i32, members: bool, least: usize) -> BifResult {
    let data = &input(ctx, t)?[..];
    if data.len() < least {
        return Err(fault(ctx, ZError::Data));
    }
    let limit = ctx.p.heap.memory_left().unwrap_or(usize::MAX);
    let mut s = Stream::detached();
    let out = s
        .inflate_init(window_bits, None)
        .and_then(|()| s.inflate_all(data, members, limit))
        .and_then(|(out, _)| s.inflate_end().map(|()| out))
        .map_err(|e| fault(ctx, e))?;
    Ok(ctx.p.heap.binary(out))
}

/// `zlib:compress/1`.
pub fn compress(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    deflated(ctx, a[0], 15)
}

/// `zlib:uncompress/1` (erl's refuses less than 8 bytes, the smallest zlib stream).
pub fn uncompress(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    inflated(ctx, a[0], 15, false, 8)
}

/// `zlib:zip/1`.
pub fn zip(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    deflated(ctx, a[0], -15)
}

/// `zlib:unzip/1`.
pub fn unzip(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    inflated(ctx, a[0], -15, false, 0)
}

/// `zlib:gzip/1`: one member with erl's header and the CRC-32 and length trailer.
pub fn gzip(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    deflated(ctx, a[0], 31)
}

/// `zlib:gunzip/1`: every member's bytes, each checked against its CRC-32 and length.
pub fn gunzip(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    inflated(ctx, a[0], 31, true, 0)
}
