//! `zlib`'s one-shot functions: `compress`/`uncompress` (zlib format), `zip`/`unzip` (raw
//! deflate) and `gzip`/`gunzip` (gzip members, RFC 1952), over miniz_oxide.
//!
//! Compressed data is a valid stream of the format asked for, but not byte for byte what
//! erl's zlib writes (another deflate implementation); anything zlib writes is read back.
//! As in erl, bad or truncated data raises `data_error`, bytes after a zlib stream are
//! ignored, and `gunzip` reads concatenated members, their bytes joined. Output grows only
//! while the node's memory allows: a stream that inflates beyond it raises `system_limit`.

use alloc::boxed::Box;
use alloc::vec::Vec;

use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

use super::checksum::crc32_update;
use super::conv::iolist_bytes;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::term::Term;

/// erl's default compression level (zlib's `Z_DEFAULT_COMPRESSION`).
const LEVEL: u8 = 6;

/// The gzip header erl's `gzip/1` writes: magic, deflate, no flags, no time, unix.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];

fn data_error(ctx: &mut Ctx) -> Fault {
    Fault::error(
        ctx.atoms
            .intern("data_error")
            .unwrap_or(crate::vm::atom::BADARG),
    )
}

fn input(ctx: &Ctx, t: Term) -> Result<Vec<u8>, Fault> {
    let mut out = Vec::new();
    iolist_bytes(&ctx.view(), t, &mut out).ok_or_else(badarg)?;
    Ok(out)
}

/// Why an inflate stopped.
enum InflateError {
    /// Bad or truncated data.
    Data,
    /// The output would pass the memory the node has left.
    Memory,
}

/// Inflates the stream at the start of `data` (with its zlib header and checksum when
/// `zlib`); the bytes and how much input the stream took.
fn inflate(ctx: &Ctx, data: &[u8], zlib: bool) -> Result<(Vec<u8>, usize), InflateError> {
    let mut state = Box::<DecompressorOxide>::default();
    let mut flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    if zlib {
        flags |=
            inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER | inflate_flags::TINFL_FLAG_COMPUTE_ADLER32;
    }
    let left = ctx.p.heap.memory_left().unwrap_or(usize::MAX);
    let mut out: Vec<u8> = Vec::new();
    let mut grow = (data.len() * 4).clamp(64, 1 << 20);
    let (mut pos, mut taken) = (0, 0);
    loop {
        let want = out.len() + grow;
        if want > left || out.try_reserve_exact(grow).is_err() {
            return Err(InflateError::Memory);
        }
        out.resize(want, 0);
        let (status, consumed, written) =
            decompress(&mut state, &data[taken..], &mut out, pos, flags);
        taken += consumed;
        pos += written;
        match status {
            TINFLStatus::Done => {
                out.truncate(pos);
                return Ok((out, taken));
            }
            TINFLStatus::HasMoreOutput => grow = grow.saturating_mul(2),
            _ => return Err(InflateError::Data),
        }
    }
}

/// Turns an inflate failure into erl's exception.
fn fault(ctx: &mut Ctx, e: InflateError) -> Fault {
    match e {
        InflateError::Data => data_error(ctx),
        InflateError::Memory => Fault::error(crate::vm::atom::SYSTEM_LIMIT),
    }
}

/// `zlib:compress/1`.
pub fn compress(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    deflated(ctx, a[0], true)
}

/// `zlib:uncompress/1`.
pub fn uncompress(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    inflated(ctx, a[0], true)
}

/// `zlib:zip/1`.
pub fn zip(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    deflated(ctx, a[0], false)
}

/// `zlib:unzip/1`.
pub fn unzip(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    inflated(ctx, a[0], false)
}

/// The deflate stream of the iodata `t`, in the zlib format or raw.
fn deflated(ctx: &mut Ctx, t: Term, zlib: bool) -> BifResult {
    let data = input(ctx, t)?;
    let out = if zlib {
        miniz_oxide::deflate::compress_to_vec_zlib(&data, LEVEL)
    } else {
        miniz_oxide::deflate::compress_to_vec(&data, LEVEL)
    };
    Ok(ctx.p.heap.binary(out))
}

/// The bytes of the deflate stream at the start of the iodata `t` (zlib format or raw).
fn inflated(ctx: &mut Ctx, t: Term, zlib: bool) -> BifResult {
    let data = input(ctx, t)?;
    match inflate(ctx, &data, zlib) {
        Ok((out, _)) => Ok(ctx.p.heap.binary(out)),
        Err(e) => Err(fault(ctx, e)),
    }
}

/// `zlib:gzip/1`: one member with erl's header and the CRC-32 and length trailer.
pub fn gzip(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let data = input(ctx, a[0])?;
    let body = miniz_oxide::deflate::compress_to_vec(&data, LEVEL);
    let mut out = Vec::with_capacity(GZIP_HEADER.len() + body.len() + 8);
    out.extend_from_slice(&GZIP_HEADER);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32_update(0, &data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    Ok(ctx.p.heap.binary(out))
}

/// Where the deflate data of the gzip member at the start of `m` begins (RFC 1952 2.3: the
/// magic, CM 8 for deflate, FLG, MTIME, XFL, OS, then the optional fields FLG announces).
pub fn gzip_body(m: &[u8]) -> Option<usize> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    if m.len() < 10 || m[0] != 0x1f || m[1] != 0x8b || m[2] != 8 || m[3] & 0xe0 != 0 {
        return None;
    }
    let flags = m[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let n = u16::from_le_bytes([*m.get(at)?, *m.get(at + 1)?]) as usize;
        at += 2 + n;
    }
    for field in [FNAME, FCOMMENT] {
        if flags & field != 0 {
            at += m.get(at..)?.iter().position(|&b| b == 0)? + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    (at <= m.len()).then_some(at)
}

/// `zlib:gunzip/1`: every member's bytes, each checked against its CRC-32 and length.
pub fn gunzip(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let data = input(ctx, a[0])?;
    let mut out = Vec::new();
    let mut rest = &data[..];
    loop {
        let Some(body) = gzip_body(rest) else {
            return Err(data_error(ctx));
        };
        let (bytes, used) = inflate(ctx, &rest[body..], false).map_err(|e| fault(ctx, e))?;
        let end = body + used;
        let Some(trailer) = rest.get(end..end + 8) else {
            return Err(data_error(ctx));
        };
        let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        if crc != crc32_update(0, &bytes) || size != bytes.len() as u32 {
            return Err(data_error(ctx));
        }
        if out.is_empty() {
            out = bytes;
        } else {
            out.extend_from_slice(&bytes);
        }
        rest = &rest[end + 8..];
        if rest.is_empty() {
            return Ok(ctx.p.heap.binary(out));
        }
    }
}
