//! The file BIFs over the platform's file system (the host's files, or the image's archive).

use alloc::string::String;
use alloc::vec::Vec;

use super::super::conv::{iolist_output, list_to_string};
use super::super::system::posixtime_to_universaltime;
use super::{atom, error};
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::files::{FileInfo, FileOp, FileReply, FileType, OpenMode, Posix, Whence};
use crate::vm::term::Term;

/// Bytes `read_line/1` reads at a time while looking for the end of a line.
const LINE_CHUNK: usize = 256;
/// Bytes `copy/3` moves at a time.
const COPY_CHUNK: usize = 64 * 1024;

fn ok(ctx: &mut Ctx, v: Term) -> Term {
    ctx.p.heap.tuple(&[atom::OK, v])
}

/// A file name: a flat string, a binary or an atom.
fn name(ctx: &Ctx, t: Term) -> Result<String, Fault> {
    let v = ctx.view();
    if let Some(b) = v.binary(t) {
        let bytes = b.bytes().ok_or_else(badarg)?;
        return String::from_utf8(bytes.to_vec()).map_err(|_| badarg());
    }
    if t.is_atom() {
        return Ok(String::from(ctx.atoms.name(t)));
    }
    list_to_string(&v, t).ok_or_else(badarg)
}

fn io_bytes(ctx: &Ctx, t: Term) -> Result<Vec<u8>, Fault> {
    iolist_output(ctx, t)
}

/// The platform's number of the open file `t`.
fn fd(ctx: &Ctx, t: Term) -> Result<u64, Fault> {
    match ctx.view().tuple(t) {
        Some([tag, module, n])
            if ctx.atoms.name(*tag) == "file_descriptor"
                && ctx.atoms.name(*module) == "prim_file" =>
        {
            n.as_small()
                .and_then(|n| u64::try_from(n).ok())
                .ok_or_else(badarg)
        }
        _ => Err(badarg()),
    }
}

/// Asks the platform; another process's open file raises `not_on_controlling_process`,
/// as in erl.
fn request(ctx: &mut Ctx, op: FileOp<'_>) -> Result<Result<FileReply, Posix>, Fault> {
    let me = ctx.p.pid.pid_number();
    match ctx.node.io().file(me, op) {
        Err(Posix::NotOwner) => Err(Fault::error(atom(ctx, Posix::NotOwner.name()))),
        r => Ok(r),
    }
}

/// `ok` or `{error, Reason}` for a request answered with nothing.
fn done(ctx: &mut Ctx, op: FileOp<'_>) -> BifResult {
    Ok(match request(ctx, op)? {
        Ok(_) => atom::OK,
        Err(e) => error(ctx, e),
    })
}

fn binary(ctx: &mut Ctx, bytes: Vec<u8>) -> Term {
    ctx.p.heap.binary(bytes)
}

/// `{ok, Value}` with the value `make` builds from the platform's answer, or `{error,
/// Reason}`. `make` gives `None` for an answer of another kind than the request's, which no
/// platform gives: `eio` then.
fn answer(
    ctx: &mut Ctx,
    r: Result<FileReply, Posix>,
    make: impl FnOnce(&mut Ctx, FileReply) -> Result<Option<Term>, Fault>,
) -> BifResult {
    let made = match r {
        Ok(reply) => make(ctx, reply)?.ok_or(Posix::Eio),
        Err(e) => Err(e),
    };
    Ok(match made {
        Ok(v) => ok(ctx, v),
        Err(e) => error(ctx, e),
    })
}

/// The bytes a read answered.
fn bytes(r: Result<FileReply, Posix>) -> Result<Vec<u8>, Posix> {
    match r? {
        FileReply::Bytes(b) => Ok(b),
        _ => Err(Posix::Eio),
    }
}

/// `{ok, Binary}`, or `eof` for no bytes, from a read.
fn read_reply(ctx: &mut Ctx, r: Result<FileReply, Posix>) -> BifResult {
    Ok(match bytes(r) {
        Ok(b) if b.is_empty() => atom(ctx, "eof"),
        Ok(b) => {
            let b = binary(ctx, b);
            ok(ctx, b)
        }
        Err(e) => error(ctx, e),
    })
}

fn string(ctx: &mut Ctx, s: &str) -> Term {
    let chars: Vec<Term> = s.chars().map(|c| Term::small(c as i64)).collect();
    ctx.p.heap.list(&chars)
}

/// `read_file/1`.
pub fn read_file(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let path = name(ctx, a[0])?;
    let limit = ctx.p.heap.memory_left().unwrap_or(usize::MAX);
    let r = request(ctx, FileOp::ReadFile { path: &path, limit })?;
    answer(ctx, r, |ctx, reply| {
        Ok(match reply {
            FileReply::Bytes(b) => Some(binary(ctx, b)),
            _ => None,
        })
    })
}

/// `write_file/2`.
pub fn write_file(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let path = name(ctx, a[0])?;
    let data = io_bytes(ctx, a[1])?;
    done(
        ctx,
        FileOp::WriteFile {
            path: &path,
            data: &data,
        },
    )
}

/// `list_dir/1` and `list_dir_all/1`: the names as strings, in the directory's order.
pub fn list_dir(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let path = name(ctx, a[0])?;
    let r = request(ctx, FileOp::ListDir(&path))?;
    answer(ctx, r, |ctx, reply| {
        Ok(match reply {
            FileReply::Names(names) => {
                let items: Vec<Term> = names.iter().map(|n| string(ctx, n)).collect();
                Some(ctx.p.heap.list(&items))
            }
            _ => None,
        })
    })
}

/// How `#file_info{}` times are given.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TimeAs {
    Local,
    Universal,
    Posix,
}

fn time_option(ctx: &Ctx, opts: Term) -> Result<TimeAs, Fault> {
    let v = ctx.view();
    let mut t = TimeAs::Local;
    for o in v.list_to_vec(opts).ok_or_else(badarg)? {
        match v.tuple(o) {
            Some([k, how]) if ctx.atoms.name(*k) == "time" => {
                t = match ctx.atoms.name(*how) {
                    "local" => TimeAs::Local,
                    "universal" => TimeAs::Universal,
                    "posix" => TimeAs::Posix,
                    _ => return Err(badarg()),
                }
            }
            // `raw` and the like change nothing here.
            _ if o.is_atom() => {}
            _ => return Err(badarg()),
        }
    }
    Ok(t)
}

fn time(ctx: &mut Ctx, secs: i64, how: TimeAs) -> BifResult {
    let n = ctx.p.heap.int(secs);
    match how {
        TimeAs::Posix => Ok(n),
        // Local time is UTC here (see `erlang:universaltime_to_localtime/1`).
        TimeAs::Local | TimeAs::Universal => posixtime_to_universaltime(ctx, &[n]),
    }
}

fn info_record(ctx: &mut Ctx, i: &FileInfo, how: TimeAs) -> BifResult {
    let kind = match i.kind {
        FileType::Regular => "regular",
        FileType::Directory => "directory",
        FileType::Symlink => "symlink",
        FileType::Device => "device",
        FileType::Other => "other",
    };
    let access = match (i.readable, i.writable) {
        (true, true) => "read_write",
        (true, false) => "read",
        (false, true) => "write",
        (false, false) => "none",
    };
    let tag = atom(ctx, "file_info");
    let size = ctx.p.heap.int(i.size as i64);
    let kind = atom(ctx, kind);
    let access = atom(ctx, access);
    let atime = time(ctx, i.atime, how)?;
    let mtime = time(ctx, i.mtime, how)?;
    let ctime = time(ctx, i.ctime, how)?;
    let nums = [
        i64::from(i.mode),
        i.links as i64,
        i.major_device as i64,
        i.minor_device as i64,
        i.inode as i64,
        i64::from(i.uid),
        i64::from(i.gid),
    ];
    let mut fields = Vec::with_capacity(14);
    fields.extend_from_slice(&[tag, size, kind, access, atime, mtime, ctime]);
    for n in nums {
        fields.push(ctx.p.heap.int(n));
    }
    Ok(ctx.p.heap.tuple(&fields))
}

fn file_info(ctx: &mut Ctx, path: Term, opts: Term, follow: bool) -> BifResult {
    let path = name(ctx, path)?;
    let how = time_option(ctx, opts)?;
    let op = FileOp::Info {
        path: &path,
        follow,
    };
    let r = request(ctx, op)?;
    answer(ctx, r, |ctx, reply| match reply {
        FileReply::Info(i) => info_record(ctx, &i, how).map(Some),
        _ => Ok(None),
    })
}

/// `read_file_info/1`.
pub fn read_file_info1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    file_info(ctx, a[0], Term::NIL, true)
}

/// `read_file_info/2`.
pub fn read_file_info2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    file_info(ctx, a[0], a[1], true)
}

/// `read_link_info/1`.
pub fn read_link_info1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    file_info(ctx, a[0], Term::NIL, false)
}

/// `read_link_info/2`.
pub fn read_link_info2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    file_info(ctx, a[0], a[1], false)
}

/// `make_dir/1`.
pub fn make_dir(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let path = name(ctx, a[0])?;
    done(ctx, FileOp::MakeDir(&path))
}

/// `del_dir/1`.
pub fn del_dir(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let path = name(ctx, a[0])?;
    done(ctx, FileOp::DelDir(&path))
}

/// `delete/1`.
pub fn delete(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let path = name(ctx, a[0])?;
    done(ctx, FileOp::Delete(&path))
}

/// `rename/2`.
pub fn rename(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (from, to) = (name(ctx, a[0])?, name(ctx, a[1])?);
    done(
        ctx,
        FileOp::Rename {
            from: &from,
            to: &to,
        },
    )
}

/// `make_link/2`.
pub fn make_link(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    link(ctx, a, false)
}

/// `make_symlink/2`.
pub fn make_symlink(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    link(ctx, a, true)
}

fn link(ctx: &mut Ctx, a: &[Term], symbolic: bool) -> BifResult {
    let (existing, new) = (name(ctx, a[0])?, name(ctx, a[1])?);
    let op = FileOp::Link {
        existing: &existing,
        new: &new,
        symbolic,
    };
    done(ctx, op)
}

fn path_reply(ctx: &mut Ctx, r: Result<FileReply, Posix>) -> BifResult {
    answer(ctx, r, |ctx, reply| {
        Ok(match reply {
            FileReply::Path(p) => Some(string(ctx, &p)),
            _ => None,
        })
    })
}

/// `get_cwd/0`.
pub fn get_cwd0(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let r = request(ctx, FileOp::GetCwd)?;
    path_reply(ctx, r)
}

/// `get_cwd/1`: the current directory of a drive, which only Windows has.
pub fn get_cwd1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    name(ctx, a[0])?;
    Ok(error(ctx, Posix::Enotsup))
}

/// `set_cwd/1`.
pub fn set_cwd(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let path = name(ctx, a[0])?;
    done(ctx, FileOp::SetCwd(&path))
}

/// `read_link/1` and `read_link_all/1`.
pub fn read_link(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let path = name(ctx, a[0])?;
    let r = request(ctx, FileOp::ReadLink(&path))?;
    path_reply(ctx, r)
}

/// `altname/1`: short names exist only on Windows.
pub fn altname(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    name(ctx, a[0])?;
    Ok(error(ctx, Posix::Enotsup))
}

/// `write_file_info/2,3`: the mode, owner, group and access and modification times of a
/// `#file_info{}` record, those not `undefined` (times as the `time` option says; when one
/// of the two times is given, the other left out is now, as erl sets them). A time that is
/// no date and time is `{error, badarg}`, as erl answers.
pub fn write_file_info(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let path = name(ctx, a[0])?;
    let how = time_option(ctx, a.get(2).copied().unwrap_or(Term::NIL))?;
    let v = ctx.view();
    let rec: alloc::vec::Vec<Term> = match v.tuple(a[1]) {
        Some(r) if r.len() == 14 && r[0].is_atom() && ctx.atoms.name(r[0]) == "file_info" => {
            r.to_vec()
        }
        _ => return Err(badarg()),
    };
    let number = |t: Term| -> Result<Option<u32>, Fault> {
        match t {
            atom::UNDEFINED => Ok(None),
            t => match t.as_small() {
                Some(n) if (0..=i64::from(u32::MAX)).contains(&n) => Ok(Some(n as u32)),
                _ => Err(badarg()),
            },
        }
    };
    let when = |t: Term| -> Result<Option<i64>, Fault> {
        match (t, how) {
            (atom::UNDEFINED, _) => Ok(None),
            (t, TimeAs::Posix) => t.as_small().map(Some).ok_or_else(badarg),
            // Local time is UTC here, as everywhere in the runtime.
            (t, _) => super::super::system::datetime_secs(ctx, t)
                .map(Some)
                .ok_or_else(badarg),
        }
    };
    let (atime, mtime) = match (when(rec[4]), when(rec[5])) {
        (Ok(a), Ok(m)) => (a, m),
        _ => return Ok(ctx.p.heap.tuple(&[atom::ERROR, atom::BADARG])),
    };
    let now = (ctx.node.io().system_nanos() / 1_000_000_000) as i64;
    let (atime, mtime) = match (atime, mtime) {
        (None, None) => (None, None),
        (a, m) => (Some(a.unwrap_or(now)), Some(m.unwrap_or(now))),
    };
    let op = FileOp::WriteInfo {
        path: &path,
        mode: number(rec[7])?.map(|m| m & 0o7777),
        uid: number(rec[12])?,
        gid: number(rec[13])?,
        atime,
        mtime,
    };
    done(ctx, op)
}

/// `open/2`: `{ok, #file_descriptor{}}`. Of the modes, `read`, `write`, `append` and
/// `exclusive` reach the file system; buffering and encoding modes are `file`'s business.
pub fn open(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let path = name(ctx, a[0])?;
    let v = ctx.view();
    let mut mode = OpenMode::default();
    for m in v.list_to_vec(a[1]).ok_or_else(badarg)? {
        if m.is_atom() {
            match ctx.atoms.name(m) {
                "read" => mode.read = true,
                "write" => mode.write = true,
                "append" => mode.append = true,
                "exclusive" => mode.exclusive = true,
                _ => {}
            }
        } else if v.tuple(m).is_none() {
            return Err(badarg());
        }
    }
    if !mode.write && !mode.append {
        mode.read = true;
    }
    let r = request(ctx, FileOp::Open { path: &path, mode })?;
    answer(ctx, r, |ctx, reply| {
        Ok(match reply {
            FileReply::Opened(n) => {
                let tag = atom(ctx, "file_descriptor");
                let module = atom(ctx, "prim_file");
                let n = ctx.p.heap.int(n as i64);
                Some(ctx.p.heap.tuple(&[tag, module, n]))
            }
            _ => None,
        })
    })
}

/// `close/1`.
pub fn close(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let file = fd(ctx, a[0])?;
    done(ctx, FileOp::Close(file))
}

/// Bytes asked of a read, refused when the node could not hold them.
fn read_length(ctx: &Ctx, t: Term) -> Result<usize, Fault> {
    let len = usize::try_from(offset(t)?).map_err(|_| badarg())?;
    let left = ctx.p.heap.memory_left().unwrap_or(usize::MAX);
    Ok(len.min(left))
}

/// `read/2`.
pub fn read(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let file = fd(ctx, a[0])?;
    let len = read_length(ctx, a[1])?;
    let r = request(ctx, FileOp::Read { file, len })?;
    read_reply(ctx, r)
}

/// `write/2`.
pub fn write(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let file = fd(ctx, a[0])?;
    let data = io_bytes(ctx, a[1])?;
    done(ctx, FileOp::Write { file, data: &data })
}

fn position_arg(ctx: &Ctx, t: Term) -> Result<(Whence, i64), Fault> {
    if let Some(n) = t.as_small() {
        return Ok((Whence::Start, n));
    }
    let v = ctx.view();
    let (w, n) = match v.tuple(t) {
        Some([w, n]) => (*w, n.as_small().ok_or_else(badarg)?),
        _ if t.is_atom() => (t, 0),
        _ => return Err(badarg()),
    };
    let whence = match ctx.atoms.name(w) {
        "bof" => Whence::Start,
        "cur" => Whence::Current,
        "eof" => Whence::End,
        _ => return Err(badarg()),
    };
    Ok((whence, n))
}

/// `position/2`.
pub fn position(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let file = fd(ctx, a[0])?;
    let (whence, offset) = position_arg(ctx, a[1])?;
    let op = FileOp::Seek {
        file,
        whence,
        offset,
    };
    let r = request(ctx, op)?;
    answer(ctx, r, |ctx, reply| {
        Ok(match reply {
            FileReply::Count(n) => Some(ctx.p.heap.int(n as i64)),
            _ => None,
        })
    })
}

fn offset(t: Term) -> Result<u64, Fault> {
    t.as_small()
        .and_then(|n| u64::try_from(n).ok())
        .ok_or_else(badarg)
}

/// `pread/3`.
pub fn pread3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let file = fd(ctx, a[0])?;
    let at = offset(a[1])?;
    let len = read_length(ctx, a[2])?;
    let r = request(ctx, FileOp::Pread { file, at, len })?;
    read_reply(ctx, r)
}

/// `pwrite/3`.
pub fn pwrite3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let file = fd(ctx, a[0])?;
    let at = offset(a[1])?;
    let data = io_bytes(ctx, a[2])?;
    done(
        ctx,
        FileOp::Pwrite {
            file,
            at,
            data: &data,
        },
    )
}

/// `pread/2`: `{ok, [Binary | eof]}` for a list of `{Position, Length}`.
pub fn pread2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let file = fd(ctx, a[0])?;
    let v = ctx.view();
    let mut wanted = Vec::new();
    for item in v.list_to_vec(a[1]).ok_or_else(badarg)? {
        match v.tuple(item) {
            Some([at, len]) => wanted.push((offset(*at)?, read_length(ctx, *len)?)),
            _ => return Err(badarg()),
        }
    }
    let mut parts = Vec::with_capacity(wanted.len());
    for (at, len) in wanted {
        match bytes(request(ctx, FileOp::Pread { file, at, len })?) {
            Ok(b) if b.is_empty() => parts.push(atom(ctx, "eof")),
            Ok(b) => parts.push(binary(ctx, b)),
            Err(e) => return Ok(error(ctx, e)),
        }
    }
    let l = ctx.p.heap.list(&parts);
    Ok(ok(ctx, l))
}

/// `pwrite/2`: writes a list of `{Position, Data}`; `{error, {N, Reason}}` names how many
/// were written before one failed, as erl does.
pub fn pwrite2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let file = fd(ctx, a[0])?;
    let v = ctx.view();
    let mut writes = Vec::new();
    for item in v.list_to_vec(a[1]).ok_or_else(badarg)? {
        match v.tuple(item) {
            Some([at, data]) => writes.push((offset(*at)?, io_bytes(ctx, *data)?)),
            _ => return Err(badarg()),
        }
    }
    for (n, (at, data)) in writes.iter().enumerate() {
        let op = FileOp::Pwrite {
            file,
            at: *at,
            data,
        };
        if let Err(e) = request(ctx, op)? {
            let reason = atom(ctx, e.name());
            let n = Term::small(n as i64);
            let inner = ctx.p.heap.tuple(&[n, reason]);
            return Ok(ctx.p.heap.tuple(&[atom::ERROR, inner]));
        }
    }
    Ok(atom::OK)
}

/// `sync/1` and `datasync/1`.
pub fn sync(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let file = fd(ctx, a[0])?;
    done(ctx, FileOp::Sync(file))
}

/// `truncate/1`.
pub fn truncate(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let file = fd(ctx, a[0])?;
    done(ctx, FileOp::Truncate(file))
}

/// `advise/4`: a hint, accepted for an open file.
pub fn advise(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    fd(ctx, a[0])?;
    offset(a[1])?;
    offset(a[2])?;
    Ok(atom::OK)
}

/// `read_line/1`: up to and including the next newline (`\r\n` given as `\n`), or what is
/// left before the end of the file; `eof` at the end.
pub fn read_line(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let file = fd(ctx, a[0])?;
    let mut line = Vec::new();
    loop {
        let op = FileOp::Read {
            file,
            len: LINE_CHUNK,
        };
        let chunk = match bytes(request(ctx, op)?) {
            Ok(b) => b,
            Err(e) => return Ok(error(ctx, e)),
        };
        if chunk.is_empty() {
            break;
        }
        if let Some(i) = chunk.iter().position(|&b| b == b'\n') {
            line.extend_from_slice(&chunk[..=i]);
            // Back to just after the newline for the next read.
            let back = (chunk.len() - i - 1) as i64;
            if back > 0 {
                let op = FileOp::Seek {
                    file,
                    whence: Whence::Current,
                    offset: -back,
                };
                if let Err(e) = request(ctx, op)? {
                    return Ok(error(ctx, e));
                }
            }
            if line.ends_with(b"\r\n") {
                line.truncate(line.len() - 2);
                line.push(b'\n');
            }
            break;
        }
        line.extend_from_slice(&chunk);
        if ctx
            .p
            .heap
            .memory_left()
            .is_some_and(|left| line.len() > left)
        {
            return Ok(error(ctx, Posix::Enomem));
        }
    }
    read_reply(ctx, Ok(FileReply::Bytes(line)))
}

/// `copy/3`: up to Length bytes (or `infinity`) from one open file to another,
/// `{ok, Copied}`.
pub fn copy(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (from, to) = (fd(ctx, a[0])?, fd(ctx, a[1])?);
    let mut left = if a[2].is_atom() && ctx.atoms.name(a[2]) == "infinity" {
        u64::MAX
    } else {
        offset(a[2])?
    };
    let mut copied = 0u64;
    while left > 0 {
        let len = left.min(COPY_CHUNK as u64) as usize;
        let chunk = match bytes(request(ctx, FileOp::Read { file: from, len })?) {
            Ok(b) => b,
            Err(e) => return Ok(error(ctx, e)),
        };
        if chunk.is_empty() {
            break;
        }
        if let Err(e) = request(
            ctx,
            FileOp::Write {
                file: to,
                data: &chunk,
            },
        )? {
            return Ok(error(ctx, e));
        }
        copied += chunk.len() as u64;
        left -= chunk.len() as u64;
    }
    let n = ctx.p.heap.int(copied as i64);
    Ok(ok(ctx, n))
}
