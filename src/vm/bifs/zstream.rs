//! `zlib`'s stream functions (`open/0`, `deflateInit`, `deflate`, `inflate`, `safeInflate`,
//! `inflateChunk`, `set_controlling_process`, ...) over the node's stream table
//! ([`crate::vm::zstream`]).
//!
//! A stream is a reference, as in erl; its number keys the table. Arguments are checked in
//! erl's order: the options (zlib.erl's `arg_level` and friends raise `bad_...` reasons),
//! then whether the term is a stream (`badarg`), then the data (`badarg`; for `deflate`
//! after the owner), then the owner (`not_on_controlling_process`), then the stream's
//! state. Output is one
//! binary per call (erl's may be split in 16 KiB pieces), bounded by the memory the node
//! has left (`system_limit` beyond it).
//!
//! Every function goes through one [`call`], so the shared checks exist once in the image.

use alloc::vec::Vec;

use super::conv::iolist_bytes;
use crate::vm::atom::{self, AtomTable};
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::term::Term;
use crate::vm::zstream::{Flush, Step, ZError, INFLATE_CHUNK};

/// Which stream function.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Close,
    DeflateInit,
    Deflate,
    DeflateReset,
    DeflateEnd,
    InflateInit,
    Inflate,
    SafeInflate,
    InflateReset,
    InflateEnd,
    Crc32,
    DeflateSetDictionary,
    InflateSetDictionary,
    InflateGetDictionary,
    DeflateParams,
    InflateChunk,
    SetBufSize,
    GetBufSize,
    SetControllingProcess,
}

/// What the options of a call said, read before the stream is looked at.
#[derive(Clone, Copy)]
struct Args {
    level: i32,
    window_bits: i32,
    strategy: i32,
    raise_on_dict: bool,
    /// `setBufSize/2`'s size.
    buf_size: u32,
}

/// An integer argument in `range`, or `e`.
fn int_in(t: Term, range: core::ops::RangeInclusive<i64>, e: ZError) -> Result<i32, ZError> {
    match t.as_small() {
        Some(i) if range.contains(&i) => Ok(i as i32),
        _ => Err(e),
    }
}

/// zlib.erl's `arg_bitsz`.
fn window_bits(t: Term) -> Result<i32, ZError> {
    match int_in(t, -15..=47, ZError::BadWindowBits)? {
        -7..=7 => Err(ZError::BadWindowBits),
        w => Ok(w),
    }
}

/// The name of `t` if it is an atom.
fn name(atoms: &AtomTable, t: Term) -> &str {
    if t.is_atom() {
        atoms.name(t)
    } else {
        ""
    }
}

/// Which of `names` the atom `t` is (one loop over a table: a `match` on strings would be
/// more code in the image).
fn pick(atoms: &AtomTable, t: Term, names: &[&str]) -> Option<usize> {
    let n = name(atoms, t);
    names.iter().position(|&m| m == n)
}

/// zlib.erl's `arg_level`.
fn level(atoms: &AtomTable, t: Term) -> Result<i32, ZError> {
    const LEVELS: [i32; 4] = [0, 1, 9, -1];
    let names = ["none", "best_speed", "best_compression", "default"];
    match pick(atoms, t, &names) {
        Some(i) => Ok(LEVELS[i]),
        None => int_in(t, 0..=9, ZError::BadLevel),
    }
}

/// zlib.erl's `arg_strategy` (zlib's numbers are the positions).
fn strategy(atoms: &AtomTable, t: Term) -> Result<i32, ZError> {
    let names = ["default", "filtered", "huffman_only", "rle"];
    pick(atoms, t, &names)
        .map(|i| i as i32)
        .ok_or(ZError::BadStrategy)
}

/// How a call fails: a [`ZError`] to raise, or a ready fault.
type Failure = Result<Fault, ZError>;

/// Reads the options of `op` (zlib.erl's argument checks).
fn args(ctx: &Ctx, a: &[Term], op: Op) -> Result<Args, Failure> {
    let mut r = Args {
        level: -1,
        window_bits: 15,
        strategy: 0,
        raise_on_dict: true,
        buf_size: 0,
    };
    let zerr = Err;
    match op {
        Op::DeflateInit => {
            if let Some(&l) = a.get(1) {
                r.level = level(ctx.atoms, l).map_err(zerr)?;
            }
            if a.len() == 6 {
                if name(ctx.atoms, a[2]) != "deflated" {
                    return Err(zerr(ZError::BadMethod));
                }
                r.window_bits = window_bits(a[3]).map_err(zerr)?;
                int_in(a[4], 1..=9, ZError::BadMemLevel).map_err(zerr)?;
                r.strategy = strategy(ctx.atoms, a[5]).map_err(zerr)?;
            }
        }
        Op::DeflateParams => {
            r.level = level(ctx.atoms, a[1]).map_err(zerr)?;
            r.strategy = strategy(ctx.atoms, a[2]).map_err(zerr)?;
        }
        // zlib.erl's guard: 16 < Size < 1 bsl 24.
        Op::SetBufSize => {
            r.buf_size = int_in(a[1], 17..=(1 << 24) - 1, ZError::Badarg).map_err(zerr)? as u32
        }
        Op::SetControllingProcess if !a[1].is_pid() => return Err(zerr(ZError::Badarg)),
        Op::InflateInit => {
            if let Some(&w) = a.get(1) {
                r.window_bits = window_bits(w).map_err(zerr)?;
            }
        }
        Op::Inflate if a.len() == 3 => {
            let v = ctx.view();
            let opts = v
                .list_to_vec(a[2])
                .ok_or(Ok(Fault::error(atom::FUNCTION_CLAUSE)))?;
            for o in opts {
                if let Some([k, val]) = v.tuple(o) {
                    if name(ctx.atoms, *k) == "exception_on_need_dict" {
                        r.raise_on_dict = match *val {
                            atom::TRUE => true,
                            atom::FALSE => false,
                            _ => return Err(Ok(badarg())),
                        };
                        break;
                    }
                }
            }
        }
        _ => {}
    }
    Ok(r)
}

/// Runs `op` on the stream `a[0]` with the arguments `a`.
fn call(ctx: &mut Ctx, a: &[Term], op: Op) -> BifResult {
    let mut work = 0;
    let r = args(ctx, a, op).and_then(|args| run(ctx, a, op, args, &mut work));
    ctx.charge(work / 64);
    r.map_err(|e| match e {
        Err(e) => Fault::error(ctx.atoms.intern(e.reason()).unwrap_or(atom::BADARG)),
        Ok(fault) => fault,
    })
}

/// [`call`]'s work once the options are read: the result, a [`ZError`] to raise, or a
/// ready fault (`{need_dictionary, Adler}`, `bad_flush_mode`); `work` counts the bytes
/// handled, for reductions.
fn run(ctx: &mut Ctx, a: &[Term], op: Op, args: Args, work: &mut usize) -> Result<Term, Failure> {
    let v = ctx.p.heap.view(ctx.lits);
    if !v.is_ref(a[0]) {
        return Err(Err(ZError::Badarg));
    }
    let id = v.payload(a[0])[0].0;
    let me = ctx.p.pid.pid_number();
    // These work on closed streams too.
    match op {
        Op::Close => {
            ctx.zlib.close(id, me).map_err(Err)?;
            return Ok(atom::OK);
        }
        Op::SetControllingProcess => {
            let to = a[1].pid_number();
            let alive = a[1] == ctx.p.pid || ctx.node.is_alive(to);
            ctx.zlib.set_owner(id, me, to, alive).map_err(Err)?;
            return Ok(atom::OK);
        }
        Op::GetBufSize => {
            let size = ctx.zlib.buf_size(id, me, None).map_err(Err)?;
            return Ok(Term::small(i64::from(size)));
        }
        Op::SetBufSize => {
            ctx.zlib
                .buf_size(id, me, Some(args.buf_size))
                .map_err(Err)?;
            return Ok(atom::OK);
        }
        _ => {}
    }
    let memory = ctx.p.heap.memory_account().cloned();
    let limit = ctx.p.heap.memory_left().unwrap_or(usize::MAX);
    // zlib.erl reads the data before it calls the NIF, whatever the stream (a closed one,
    // another process's); but `deflate` first asks the stream for deflateParams' output,
    // which only its owner may.
    if op == Op::Deflate {
        ctx.zlib.get(id, me).map_err(Err)?;
    }
    let mut data = Vec::new();
    if matches!(
        op,
        Op::Deflate
            | Op::Inflate
            | Op::SafeInflate
            | Op::DeflateSetDictionary
            | Op::InflateSetDictionary
    ) || (op == Op::InflateChunk && a.len() == 2)
    {
        let v = ctx.p.heap.view(ctx.lits);
        iolist_bytes(&v, a[1], &mut data).ok_or(Err(ZError::Badarg))?;
        *work += data.len();
    }
    let s = match ctx.zlib.get(id, me).map_err(Err)? {
        Some(s) => s,
        // erl's closed stream is neither idle nor initialised.
        None if matches!(op, Op::DeflateInit | Op::InflateInit) => {
            return Err(Err(ZError::AlreadyInitialized))
        }
        None => return Err(Err(ZError::NotInitialized)),
    };
    let heap = &mut ctx.p.heap;
    let done = match op {
        Op::DeflateInit => {
            s.deflate_init(args.level, args.window_bits, args.strategy, memory.as_ref())
        }
        Op::InflateInit => s.inflate_init(args.window_bits, memory.as_ref()),
        Op::DeflateReset => s.deflate_reset(),
        Op::DeflateEnd => s.deflate_end(),
        Op::InflateReset => s.inflate_reset(),
        Op::InflateEnd => s.inflate_end(),
        Op::Crc32 => {
            let crc = s.crc32().map_err(Err)?;
            return Ok(Term::small(i64::from(crc)));
        }
        Op::DeflateSetDictionary => {
            // erl's NIF makes a C int of it.
            let adler = s.deflate_set_dictionary(&data).map_err(Err)?;
            return Ok(Term::small(i64::from(adler as i32)));
        }
        Op::InflateSetDictionary => s.inflate_set_dictionary(&data),
        Op::InflateGetDictionary => {
            let window = s.inflate_get_dictionary().map_err(Err)?;
            return Ok(heap.binary(window));
        }
        Op::Deflate => {
            // zlib.erl reads the flush mode after it has queued the data.
            const FLUSHES: [Flush; 4] = [Flush::None, Flush::Sync, Flush::Full, Flush::Finish];
            let names = ["none", "sync", "full", "finish"];
            let flush = match a.get(2).map(|&t| pick(ctx.atoms, t, &names)) {
                None => Flush::None,
                Some(Some(i)) => FLUSHES[i],
                Some(None) => {
                    let e = ctx.atoms.intern("bad_flush_mode").unwrap_or(atom::BADARG);
                    return Err(Ok(Fault::error(e)));
                }
            };
            let out = s.deflate(&data, flush, limit).map_err(Err)?;
            return Ok(iolist(heap, out));
        }
        Op::Inflate => {
            let (out, dict) = s.inflate_all(&data, false, limit).map_err(Err)?;
            *work += out.len();
            let out = iolist(heap, out);
            let Some(id) = dict else {
                return Ok(out);
            };
            let tag = ctx.atoms.intern("need_dictionary").unwrap_or(atom::BADARG);
            // erl's NIF makes a C int of it.
            let id = Term::small(i64::from(id as i32));
            if args.raise_on_dict {
                return Err(Ok(Fault::error(heap.tuple(&[tag, id]))));
            }
            return Ok(heap.tuple(&[tag, id, out]));
        }
        Op::SafeInflate => {
            s.enqueue(&data).map_err(Err)?;
            let (out, step) = s.inflate_step(INFLATE_CHUNK).map_err(Err)?;
            *work += out.len();
            let out = iolist(heap, out);
            let (tag, id) = match step {
                Step::Continue => ("continue", None),
                Step::Finished => ("finished", None),
                Step::NeedDictionary(id) => ("need_dictionary", Some(id)),
            };
            let tag = ctx.atoms.intern(tag).unwrap_or(atom::BADARG);
            return Ok(match id {
                Some(id) => heap.tuple(&[tag, Term::small(i64::from(id as i32)), out]),
                None => heap.tuple(&[tag, out]),
            });
        }
        Op::DeflateParams => s.deflate_params(args.level, args.strategy, limit, memory.as_ref()),
        Op::InflateChunk => {
            if a.len() == 2 {
                s.enqueue(&data).map_err(Err)?;
            }
            let (out, step) = s.inflate_step(s.buf_size as usize).map_err(Err)?;
            *work += out.len();
            let out = iolist(heap, out);
            return match step {
                Step::Finished => Ok(out),
                Step::Continue => {
                    let more = ctx.atoms.intern("more").unwrap_or(atom::BADARG);
                    Ok(heap.tuple(&[more, out]))
                }
                // zlib.erl's inflateChunk raises it.
                Step::NeedDictionary(id) => {
                    let tag = ctx.atoms.intern("need_dictionary").unwrap_or(atom::BADARG);
                    let id = Term::small(i64::from(id as i32));
                    Err(Ok(Fault::error(heap.tuple(&[tag, id]))))
                }
            };
        }
        Op::Close | Op::SetControllingProcess | Op::GetBufSize | Op::SetBufSize => Ok(()),
    };
    done.map(|()| atom::OK).map_err(Err)
}

/// `[Bytes]`, or `[]` when there are none.
fn iolist(heap: &mut crate::vm::heap::Heap, bytes: Vec<u8>) -> Term {
    if bytes.is_empty() {
        return Term::NIL;
    }
    let b = heap.binary(bytes);
    heap.cons(b, Term::NIL)
}

/// `zlib:open/0`.
pub fn open(ctx: &mut Ctx, _a: &[Term]) -> BifResult {
    let id = *ctx.next_ref;
    *ctx.next_ref += 1;
    let memory = ctx.p.heap.memory_account();
    match ctx.zlib.open(id, ctx.p.pid.pid_number(), memory) {
        Ok(()) => Ok(ctx.p.heap.reference(id)),
        Err(e) => Err(Fault::error(
            ctx.atoms.intern(e.reason()).unwrap_or(atom::BADARG),
        )),
    }
}

macro_rules! stream_bifs {
    ($($(#[$doc:meta])* $f:ident => $op:ident,)*) => {
        $(
            $(#[$doc])*
            pub fn $f(ctx: &mut Ctx, a: &[Term]) -> BifResult {
                call(ctx, a, Op::$op)
            }
        )*
    };
}

stream_bifs! {
    /// `zlib:close/1`.
    close => Close,
    /// `zlib:deflateInit/1,2,6`.
    deflate_init => DeflateInit,
    /// `zlib:deflate/2,3`.
    deflate => Deflate,
    /// `zlib:deflateReset/1`.
    deflate_reset => DeflateReset,
    /// `zlib:deflateEnd/1`.
    deflate_end => DeflateEnd,
    /// `zlib:inflateInit/1,2`.
    inflate_init => InflateInit,
    /// `zlib:inflate/2,3`: everything the queued input gives; with
    /// `{exception_on_need_dict, false}` a preset dictionary is `{need_dictionary, Adler,
    /// Output}`, else an error.
    inflate => Inflate,
    /// `zlib:safeInflate/2`: at most one chunk of output.
    safe_inflate => SafeInflate,
    /// `zlib:inflateReset/1`.
    inflate_reset => InflateReset,
    /// `zlib:inflateEnd/1`.
    inflate_end => InflateEnd,
    /// `zlib:crc32/1`: the stream's running CRC-32 (erl keeps one for raw streams only).
    crc32 => Crc32,
    /// `zlib:deflateSetDictionary/2`: the dictionary's Adler-32, as erl gives it.
    deflate_set_dictionary => DeflateSetDictionary,
    /// `zlib:inflateSetDictionary/2`.
    inflate_set_dictionary => InflateSetDictionary,
    /// `zlib:inflateGetDictionary/1`.
    inflate_get_dictionary => InflateGetDictionary,
    /// `zlib:deflateParams/3`: new level and strategy from here on; what was given before
    /// is flushed with the old ones and comes out of the next `deflate`.
    deflate_params => DeflateParams,
    /// `zlib:inflateChunk/1,2`: at most the buffer size of output, `{more, Output}` while
    /// more is pending.
    inflate_chunk => InflateChunk,
    /// `zlib:setBufSize/2`: `inflateChunk`'s chunk size.
    set_buf_size => SetBufSize,
    /// `zlib:getBufSize/1`.
    get_buf_size => GetBufSize,
    /// `zlib:set_controlling_process/2`: the stream is the other process's from now on.
    set_controlling_process => SetControllingProcess,
}

/// `zlib:crc32/2,3`, `zlib:adler32/2,3`: erl's zlib.erl ignores the stream (any reference
/// will do) and calls `erlang:crc32`/`erlang:adler32`.
fn checksum(ctx: &mut Ctx, a: &[Term], f: fn(&mut Ctx, &[Term]) -> BifResult) -> BifResult {
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
