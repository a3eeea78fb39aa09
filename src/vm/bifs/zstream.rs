//! `zlib`'s stream functions (`open/0`, `deflateInit`, `deflate`, `inflate`, `safeInflate`,
//! ...) over the node's stream table ([`crate::vm::zstream`]).
//!
//! A stream is a reference, as in erl; its number keys the table. Arguments are checked in
//! erl's order: the options (zlib.erl's `arg_level` and friends raise `bad_...` reasons),
//! then the stream (`badarg` when the term is not a stream, `not_on_controlling_process`
//! when the caller does not own it), then its state. Output is one binary per call (erl may
//! split it) and bounded by the memory the node has left (`system_limit` beyond it).

use alloc::vec::Vec;

use super::conv::iolist_bytes;
use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::term::Term;
use crate::vm::zstream::{Flush, Step, Stream, ZError, INFLATE_CHUNK};

/// Raises `e` as erl does.
fn raise(ctx: &mut Ctx, e: ZError) -> Fault {
    Fault::error(ctx.atoms.intern(e.reason()).unwrap_or(atom::BADARG))
}

/// The stream `z` names for the caller; a closed one fails with `closed`.
fn stream<'c>(ctx: &'c mut Ctx, z: Term, closed: ZError) -> Result<&'c mut Stream, ZError> {
    let v = ctx.view();
    if !v.is_ref(z) {
        return Err(ZError::Badarg);
    }
    let id = v.payload(z)[0].0;
    let me = ctx.p.pid.pid_number();
    ctx.zlib.live(id, me, closed)
}

/// Runs `f` on the stream `z` (a closed one fails with `closed`), raising its error.
fn with<T>(
    ctx: &mut Ctx,
    z: Term,
    closed: ZError,
    f: impl FnOnce(&mut Stream) -> Result<T, ZError>,
) -> Result<T, Fault> {
    stream(ctx, z, closed)
        .and_then(f)
        .map_err(|e| raise(ctx, e))
}

fn ok(r: Result<(), Fault>) -> BifResult {
    r.map(|()| atom::OK)
}

/// The bytes of the iodata `t` (`badarg` otherwise).
fn input(ctx: &Ctx, t: Term) -> Result<Vec<u8>, ZError> {
    let mut out = Vec::new();
    iolist_bytes(&ctx.view(), t, &mut out).ok_or(ZError::Badarg)?;
    Ok(out)
}

/// How much output the caller's memory allows.
fn limit(ctx: &Ctx) -> usize {
    ctx.p.heap.memory_left().unwrap_or(usize::MAX)
}

/// `zlib:open/0`.
pub fn open(ctx: &mut Ctx, _a: &[Term]) -> BifResult {
    let id = *ctx.next_ref;
    *ctx.next_ref += 1;
    ctx.zlib.open(id, ctx.p.pid.pid_number());
    Ok(ctx.p.heap.reference(id))
}

/// `zlib:close/1`.
pub fn close(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    if !v.is_ref(a[0]) {
        return Err(badarg());
    }
    let id = v.payload(a[0])[0].0;
    let me = ctx.p.pid.pid_number();
    ok(ctx.zlib.close(id, me).map_err(|e| raise(ctx, e)))
}

/// An integer argument in `range`, or `e`.
fn int_in(t: Term, range: core::ops::RangeInclusive<i64>, e: ZError) -> Result<i32, ZError> {
    match t.as_small() {
        Some(i) if range.contains(&i) => Ok(i as i32),
        _ => Err(e),
    }
}

/// zlib.erl's `arg_level`.
fn level(ctx: &Ctx, t: Term) -> Result<i32, ZError> {
    if t.is_atom() {
        return match ctx.atoms.name(t) {
            "none" => Ok(0),
            "best_speed" => Ok(1),
            "best_compression" => Ok(9),
            "default" => Ok(-1),
            _ => Err(ZError::BadLevel),
        };
    }
    int_in(t, 0..=9, ZError::BadLevel)
}

/// zlib.erl's `arg_bitsz`.
fn window_bits(t: Term) -> Result<i32, ZError> {
    match int_in(t, -15..=47, ZError::BadWindowBits)? {
        -7..=7 => Err(ZError::BadWindowBits),
        w => Ok(w),
    }
}

/// `zlib:deflateInit/1,2,6`.
pub fn deflate_init(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let args = || -> Result<(i32, i32, i32), ZError> {
        let lvl = a.get(1).map_or(Ok(-1), |&t| level(ctx, t))?;
        if a.len() < 6 {
            return Ok((lvl, 15, 0));
        }
        if a[2].is_atom() && ctx.atoms.name(a[2]) == "deflated" {
        } else {
            return Err(ZError::BadMethod);
        }
        let wb = window_bits(a[3])?;
        int_in(a[4], 1..=9, ZError::BadMemLevel)?;
        let strategy = match a[5].is_atom().then(|| ctx.atoms.name(a[5])) {
            Some("default") => 0,
            Some("filtered") => 1,
            Some("huffman_only") => 2,
            Some("rle") => 3,
            _ => return Err(ZError::BadStrategy),
        };
        Ok((lvl, wb, strategy))
    };
    let (lvl, wb, strategy) = args().map_err(|e| raise(ctx, e))?;
    let memory = ctx.p.heap.memory_account().cloned();
    ok(with(ctx, a[0], ZError::AlreadyInitialized, |s| {
        s.deflate_init(lvl, wb, strategy, memory.as_ref())
    }))
}

/// `zlib:deflate/2,3`.
pub fn deflate(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let limit = limit(ctx);
    let data = stream(ctx, a[0], ZError::NotInitialized)
        .map(|_| ())
        .and_then(|()| input(ctx, a[1]))
        .map_err(|e| raise(ctx, e))?;
    // zlib.erl reads the flush mode after it has queued the data.
    let flush = match a.get(2).map(|&t| t.is_atom().then(|| ctx.atoms.name(t))) {
        None | Some(Some("none")) => Flush::None,
        Some(Some("sync")) => Flush::Sync,
        Some(Some("full")) => Flush::Full,
        Some(Some("finish")) => Flush::Finish,
        _ => {
            let e = ctx.atoms.intern("bad_flush_mode").unwrap_or(atom::BADARG);
            return Err(Fault::error(e));
        }
    };
    ctx.charge(data.len() / 64);
    let out = with(ctx, a[0], ZError::NotInitialized, |s| {
        s.deflate(&data, flush, limit)
    })?;
    Ok(iolist(ctx, out))
}

/// `[Bytes]`, or `[]` when there are none.
fn iolist(ctx: &mut Ctx, bytes: Vec<u8>) -> Term {
    if bytes.is_empty() {
        return Term::NIL;
    }
    let b = ctx.p.heap.binary(bytes);
    ctx.p.heap.cons(b, Term::NIL)
}

/// `zlib:deflateReset/1`.
pub fn deflate_reset(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    ok(with(
        ctx,
        a[0],
        ZError::NotInitialized,
        Stream::deflate_reset,
    ))
}

/// `zlib:deflateEnd/1`.
pub fn deflate_end(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    ok(with(ctx, a[0], ZError::NotInitialized, Stream::deflate_end))
}

/// `zlib:inflateInit/1,2`.
pub fn inflate_init(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let wb = match a.get(1) {
        Some(&t) => window_bits(t).map_err(|e| raise(ctx, e))?,
        None => 15,
    };
    let memory = ctx.p.heap.memory_account().cloned();
    ok(with(ctx, a[0], ZError::AlreadyInitialized, |s| {
        s.inflate_init(wb, memory.as_ref())
    }))
}

/// `zlib:inflateReset/1`.
pub fn inflate_reset(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    ok(with(
        ctx,
        a[0],
        ZError::NotInitialized,
        Stream::inflate_reset,
    ))
}

/// `zlib:inflateEnd/1`.
pub fn inflate_end(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    ok(with(ctx, a[0], ZError::NotInitialized, Stream::inflate_end))
}

/// Queues the iodata `t` on the stream `z` for inflating.
fn enqueue(ctx: &mut Ctx, z: Term, t: Term) -> Result<(), Fault> {
    let data = stream(ctx, z, ZError::NotInitialized)
        .map(|_| ())
        .and_then(|()| input(ctx, t))
        .map_err(|e| raise(ctx, e))?;
    ctx.charge(data.len() / 64);
    with(ctx, z, ZError::NotInitialized, |s| s.enqueue(&data))
}

/// One inflate step of at most erl's chunk: the output as an iolist and how it ended.
fn step(ctx: &mut Ctx, z: Term) -> Result<(Term, Step), Fault> {
    if limit(ctx) < INFLATE_CHUNK {
        return Err(Fault::error(atom::SYSTEM_LIMIT));
    }
    let (out, step) = with(ctx, z, ZError::NotInitialized, |s| {
        s.inflate_step(INFLATE_CHUNK)
    })?;
    ctx.charge(out.len() / 64);
    Ok((iolist(ctx, out), step))
}

/// `{need_dictionary, Adler, Output}`.
fn need_dictionary(ctx: &mut Ctx, id: u32, out: Term) -> Term {
    let tag = ctx.atoms.intern("need_dictionary").unwrap_or(atom::BADARG);
    let id = ctx.p.heap.int(i64::from(id));
    ctx.p.heap.tuple(&[tag, id, out])
}

/// `zlib:inflate/2,3`: everything the queued input gives; with `{exception_on_need_dict,
/// false}` a preset dictionary is `{need_dictionary, Adler, Output}`, else an error.
pub fn inflate(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut raise_on_dict = true;
    if let Some(&opts) = a.get(2) {
        let v = ctx.view();
        let opts = v
            .list_to_vec(opts)
            .ok_or_else(|| Fault::error(atom::FUNCTION_CLAUSE))?;
        for o in opts {
            if let Some([k, val]) = v.tuple(o) {
                if k.is_atom() && ctx.atoms.name(*k) == "exception_on_need_dict" {
                    raise_on_dict = match *val {
                        atom::TRUE => true,
                        atom::FALSE => false,
                        _ => return Err(badarg()),
                    };
                    break;
                }
            }
        }
    }
    enqueue(ctx, a[0], a[1])?;
    // Each step's output joined as erl's zlib.erl joins them: [[[C1], C2], C3].
    let mut acc = Term::NIL;
    let mut total = 0usize;
    loop {
        let (out, step) = step(ctx, a[0])?;
        if out != Term::NIL {
            total += INFLATE_CHUNK;
            if total > limit(ctx) {
                return Err(Fault::error(atom::SYSTEM_LIMIT));
            }
            acc = if acc == Term::NIL {
                out
            } else {
                let (chunk, _) = ctx.view().cons(out);
                let tail = ctx.p.heap.cons(chunk, Term::NIL);
                ctx.p.heap.cons(acc, tail)
            };
        }
        match step {
            Step::Continue => {}
            Step::Finished => return Ok(acc),
            Step::NeedDictionary(id) if raise_on_dict => {
                let tag = ctx.atoms.intern("need_dictionary").unwrap_or(atom::BADARG);
                let id = ctx.p.heap.int(i64::from(id));
                return Err(Fault::error(ctx.p.heap.tuple(&[tag, id])));
            }
            Step::NeedDictionary(id) => return Ok(need_dictionary(ctx, id, acc)),
        }
    }
}

/// `zlib:safeInflate/2`: at most one chunk of output.
pub fn safe_inflate(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    enqueue(ctx, a[0], a[1])?;
    let (out, step) = step(ctx, a[0])?;
    let tag = match step {
        Step::Continue => "continue",
        Step::Finished => "finished",
        Step::NeedDictionary(id) => return Ok(need_dictionary(ctx, id, out)),
    };
    let tag = ctx.atoms.intern(tag).unwrap_or(atom::BADARG);
    Ok(ctx.p.heap.tuple(&[tag, out]))
}

/// `zlib:crc32/1`: the stream's running CRC-32 (erl keeps one for raw streams only).
pub fn crc32(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let crc = with(ctx, a[0], ZError::NotInitialized, |s| s.crc32())?;
    Ok(ctx.p.heap.int(i64::from(crc)))
}

/// `zlib:crc32/2,3`, `zlib:adler32/2,3`: erl's zlib.erl ignores the stream (any reference
/// will do) and calls `erlang:crc32`/`erlang:adler32`.
pub fn checksum(ctx: &mut Ctx, a: &[Term], f: fn(&mut Ctx, &[Term]) -> BifResult) -> BifResult {
    if !ctx.view().is_ref(a[0]) {
        return Err(badarg());
    }
    f(ctx, &a[1..])
}

/// `zlib:crc32/2,3`.
pub fn crc32_data(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    checksum(ctx, a, super::checksum::crc32)
}

/// `zlib:adler32/2,3`.
pub fn adler32(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    checksum(ctx, a, super::checksum::adler32)
}

/// `zlib:getBufSize/1`.
pub fn get_buf_size(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    if !v.is_ref(a[0]) {
        return Err(badarg());
    }
    let id = v.payload(a[0])[0].0;
    let me = ctx.p.pid.pid_number();
    // A closed stream keeps erl's default (erl keeps the size it had).
    let size = match ctx.zlib.get(id, me) {
        Ok(s) => s.map_or(4000, |s| s.buf_size()),
        Err(e) => return Err(raise(ctx, e)),
    };
    Ok(ctx.p.heap.int(size))
}

/// `zlib:setBufSize/2` (16 < Size < 2^24, as zlib.erl checks).
pub fn set_buf_size(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let size = match a[1].as_small() {
        Some(n) if n > 16 && n < 1 << 24 => n,
        _ => return Err(badarg()),
    };
    let v = ctx.view();
    if !v.is_ref(a[0]) {
        return Err(badarg());
    }
    let id = v.payload(a[0])[0].0;
    let me = ctx.p.pid.pid_number();
    match ctx.zlib.get(id, me) {
        Ok(s) => {
            if let Some(s) = s {
                s.set_buf_size(size);
            }
            Ok(atom::OK)
        }
        Err(e) => Err(raise(ctx, e)),
    }
}
