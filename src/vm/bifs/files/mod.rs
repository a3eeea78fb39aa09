//! `prim_file`: the file primitives OTP's `file`, `file_server` and `filelib` call, over
//! the platform's file system ([`Io::file`](crate::vm::bif::Io::file)): on the host the
//! machine's files, in the image the archive's (read-only).
//!
//! erl implements `prim_file` as Erlang over NIFs; here its exported functions are BIFs
//! with the same results: `{ok, ...}`, `eof` or `{error, Posix}`. An open file is
//! `#file_descriptor{module = prim_file, data = N}`, N the platform's number for it; only
//! the process that opened it may use it (`{error, not_on_controlling_process}`). Names are
//! flat strings or binaries, UTF-8 (erl's native name encoding). `#file_info{}` times are
//! local time unless `{time, universal | posix}` is asked; local time is UTC here.

use super::super::bif::{badarg, BifResult, Ctx};
use crate::vm::atom;
use crate::vm::files::Posix;
use crate::vm::term::Term;

#[cfg(any(not(target_os = "none"), feature = "archive-files"))]
mod prim;
#[cfg(any(not(target_os = "none"), feature = "archive-files"))]
pub use prim::*;

fn atom(ctx: &mut Ctx, name: &str) -> Term {
    ctx.atoms.intern(name).unwrap_or(atom::UNDEFINED)
}

/// `{error, Reason}`.
fn error(ctx: &mut Ctx, e: Posix) -> Term {
    let reason = atom(ctx, e.name());
    ctx.p.heap.tuple(&[atom::ERROR, reason])
}

/// An image built without its files (the `archive-files` feature): each `prim_file`
/// function answers `{error, enotsup}`, as the full BIFs would over a platform without
/// files, in a few bytes each.
#[cfg(all(target_os = "none", not(feature = "archive-files")))]
macro_rules! without_files {
    ($($name:ident),* $(,)?) => {
        $(
            #[doc = "Not in this image: `{error, enotsup}`."]
            pub fn $name(ctx: &mut Ctx, _: &[Term]) -> BifResult {
                Ok(error(ctx, Posix::Enotsup))
            }
        )*
    };
}

#[cfg(all(target_os = "none", not(feature = "archive-files")))]
without_files!(
    read_file,
    write_file,
    list_dir,
    read_file_info1,
    read_file_info2,
    read_link_info1,
    read_link_info2,
    make_dir,
    del_dir,
    delete,
    rename,
    make_link,
    make_symlink,
    get_cwd0,
    get_cwd1,
    set_cwd,
    read_link,
    altname,
    write_file_info,
    open,
    close,
    read,
    write,
    position,
    pread3,
    pwrite3,
    pread2,
    pwrite2,
    sync,
    truncate,
    advise,
    read_line,
    copy,
);

/// `file:native_name_encoding/0`.
pub fn native_name_encoding(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(atom(ctx, "utf8"))
}

/// `erlang:dt_spread_tag/1`: no dynamic tracing here, so there is never a tag to spread.
pub fn dt_spread_tag(_: &mut Ctx, a: &[Term]) -> BifResult {
    if a[0] == atom::TRUE || a[0] == atom::FALSE {
        // Spreading is on, as in an erl without dynamic tracing.
        Ok(atom::TRUE)
    } else {
        Err(badarg())
    }
}

/// `erlang:dt_restore_tag/1`.
pub fn dt_restore_tag(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(atom::TRUE)
}

/// `{ok, ...}` from a `prim_file` BIF as it is, anything else as erl_prim_loader's `error`.
fn ok_or_error(r: BifResult, ctx: &Ctx) -> BifResult {
    let v = r?;
    match ctx.view().tuple(v) {
        Some([atom::OK, ..]) => Ok(v),
        _ => Ok(atom::ERROR),
    }
}

/// `erl_prim_loader:list_dir/1` (what `code:where_is_file/1,2` lists directories with):
/// `{ok, Names}` or `error`.
pub fn loader_list_dir(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let r = list_dir(ctx, a);
    ok_or_error(r, ctx)
}

/// `erl_prim_loader:read_file_info/1`: `{ok, FileInfo}` or `error`.
pub fn loader_read_file_info(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let r = read_file_info1(ctx, a);
    ok_or_error(r, ctx)
}

/// `erl_prim_loader:get_file/1`: `{ok, Bytes, FullName}` or `error`.
pub fn loader_get_file(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let r = read_file(ctx, a);
    let v = ok_or_error(r, ctx)?;
    match ctx.view().tuple(v) {
        Some(&[_, bytes]) => Ok(ctx.p.heap.tuple(&[atom::OK, bytes, a[0]])),
        _ => Ok(v),
    }
}
