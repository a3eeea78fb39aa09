//! The host's file system for `prim_file`: the machine's files through `std::fs`, open files
//! numbered and kept with the process that opened them.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};

use xenbeam::vm::files::{FileInfo, FileOp, FileReply, FileType, Posix, Whence};

/// Files open at once, as erl's default limit of descriptors on a usual Linux machine.
const MAX_OPEN: usize = 1024;

/// Open files by number, with their owners.
#[derive(Default)]
pub struct HostFiles {
    open: HashMap<u64, (u32, File)>,
    next: u64,
    /// Read on the first `read_file_info`.
    who: Option<Identity>,
}

/// The POSIX error of a failed host call, as erl names it.
pub(crate) fn posix(e: std::io::Error) -> Posix {
    match e.raw_os_error() {
        Some(n) => Posix::from_errno(n),
        None => match e.kind() {
            std::io::ErrorKind::NotFound => Posix::Enoent,
            std::io::ErrorKind::PermissionDenied => Posix::Eacces,
            std::io::ErrorKind::AlreadyExists => Posix::Eexist,
            std::io::ErrorKind::InvalidInput => Posix::Einval,
            _ => Posix::Eio,
        },
    }
}

/// Who the runner is, for the `access` field: effective user, and the groups it is in.
#[derive(Default)]
struct Identity {
    uid: u32,
    groups: Vec<u32>,
}

impl Identity {
    /// Read from /proc (the standard library has no safe getuid); nobody when unreadable.
    fn of_this_process() -> Identity {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let ids = |key: &str, nth: usize| -> Vec<u32> {
            let line = status.lines().find(|l| l.starts_with(key)).unwrap_or("");
            let fields = line
                .split_whitespace()
                .skip(1)
                .filter_map(|f| f.parse().ok());
            if nth == usize::MAX {
                fields.collect()
            } else {
                fields.skip(nth).take(1).collect()
            }
        };
        let mut groups = ids("Gid:", 1);
        groups.extend(ids("Groups:", usize::MAX));
        Identity {
            uid: ids("Uid:", 1).first().copied().unwrap_or(u32::MAX),
            groups,
        }
    }

    /// Whether the file may be read and written, as access(2) answers (what erl's `access`
    /// field reports): root may do both; others by the owner's, group's or others' bits.
    fn access(&self, meta: &std::fs::Metadata) -> (bool, bool) {
        if self.uid == 0 {
            return (true, true);
        }
        let mode = meta.permissions().mode();
        let shift = if self.uid == meta.uid() {
            6
        } else if self.groups.contains(&meta.gid()) {
            3
        } else {
            0
        };
        (mode >> shift & 0o4 != 0, mode >> shift & 0o2 != 0)
    }
}

fn info(meta: &std::fs::Metadata, who: &Identity) -> FileInfo {
    let ft = meta.file_type();
    let kind = if ft.is_file() {
        FileType::Regular
    } else if ft.is_dir() {
        FileType::Directory
    } else if ft.is_symlink() {
        FileType::Symlink
    } else {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_block_device() || ft.is_char_device() {
            FileType::Device
        } else {
            FileType::Other
        }
    };
    let (readable, writable) = who.access(meta);
    FileInfo {
        size: meta.size(),
        kind,
        readable,
        writable,
        atime: meta.atime(),
        mtime: meta.mtime(),
        ctime: meta.ctime(),
        mode: meta.mode(),
        links: meta.nlink(),
        major_device: meta.dev(),
        minor_device: meta.rdev(),
        inode: meta.ino(),
        uid: meta.uid(),
        gid: meta.gid(),
    }
}

fn path_text(p: std::path::PathBuf) -> Result<String, Posix> {
    p.into_os_string().into_string().map_err(|_| Posix::Einval)
}

impl HostFiles {
    fn file(&mut self, caller: u32, n: u64) -> Result<&mut File, Posix> {
        match self.open.get_mut(&n) {
            Some((owner, f)) if *owner == caller => Ok(f),
            Some(_) => Err(Posix::NotOwner),
            // What erl says of a closed file.
            None => Err(Posix::Einval),
        }
    }

    /// Answers one request of process `caller`.
    pub fn request(&mut self, caller: u32, op: FileOp<'_>) -> Result<FileReply, Posix> {
        use FileReply::*;
        Ok(match op {
            FileOp::ReadFile { path, limit } => {
                let mut f = File::open(path).map_err(posix)?;
                let size = f.metadata().map_err(posix)?.len();
                if size > limit as u64 {
                    return Err(Posix::Enomem);
                }
                let mut buf = Vec::new();
                buf.try_reserve(size as usize).map_err(|_| Posix::Enomem)?;
                // Read at most one byte past the limit: a file that grew is refused too.
                (&mut f)
                    .take((limit as u64).saturating_add(1))
                    .read_to_end(&mut buf)
                    .map_err(posix)?;
                if buf.len() > limit {
                    return Err(Posix::Enomem);
                }
                Bytes(buf)
            }
            FileOp::WriteFile { path, data } => {
                std::fs::write(path, data).map_err(posix)?;
                Done
            }
            FileOp::ListDir(path) => {
                let mut names = Vec::new();
                for e in std::fs::read_dir(path).map_err(posix)? {
                    let e = e.map_err(posix)?;
                    names.push(e.file_name().into_string().map_err(|_| Posix::Einval)?);
                }
                Names(names)
            }
            FileOp::Info { path, follow } => {
                let meta = if follow {
                    std::fs::metadata(path)
                } else {
                    std::fs::symlink_metadata(path)
                };
                let who = self.who.get_or_insert_with(Identity::of_this_process);
                Info(info(&meta.map_err(posix)?, who))
            }
            FileOp::MakeDir(path) => {
                std::fs::create_dir(path).map_err(posix)?;
                Done
            }
            FileOp::DelDir(path) => {
                std::fs::remove_dir(path).map_err(posix)?;
                Done
            }
            FileOp::Delete(path) => {
                std::fs::remove_file(path).map_err(posix)?;
                Done
            }
            FileOp::Rename { from, to } => {
                std::fs::rename(from, to).map_err(posix)?;
                Done
            }
            FileOp::GetCwd => Path(path_text(std::env::current_dir().map_err(posix)?)?),
            FileOp::SetCwd(path) => {
                std::env::set_current_dir(path).map_err(posix)?;
                Done
            }
            FileOp::ReadLink(path) => Path(path_text(std::fs::read_link(path).map_err(posix)?)?),
            FileOp::WriteInfo {
                path,
                mode,
                uid,
                gid,
                atime,
                mtime,
            } => {
                use std::os::unix::fs::PermissionsExt;
                if let Some(mode) = mode {
                    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                        .map_err(posix)?;
                }
                if uid.is_some() || gid.is_some() {
                    std::os::unix::fs::chown(path, uid, gid).map_err(posix)?;
                }
                if let (Some(a), Some(m)) = (atime, mtime) {
                    let at = |secs: i64| {
                        let d = std::time::Duration::from_secs(secs.unsigned_abs());
                        if secs >= 0 {
                            std::time::UNIX_EPOCH + d
                        } else {
                            std::time::UNIX_EPOCH - d
                        }
                    };
                    let times = std::fs::FileTimes::new()
                        .set_accessed(at(a))
                        .set_modified(at(m));
                    std::fs::File::open(path)
                        .and_then(|f| f.set_times(times))
                        .map_err(posix)?;
                }
                Done
            }
            FileOp::Link {
                existing,
                new,
                symbolic,
            } => {
                if symbolic {
                    std::os::unix::fs::symlink(existing, new).map_err(posix)?;
                } else {
                    std::fs::hard_link(existing, new).map_err(posix)?;
                }
                Done
            }
            FileOp::Open { path, mode } => {
                if self.open.len() >= MAX_OPEN {
                    return Err(Posix::Emfile);
                }
                let write = mode.write || mode.append;
                let mut o = OpenOptions::new();
                o.read(mode.read).write(write).append(mode.append);
                if write {
                    if mode.exclusive {
                        o.create_new(true);
                    } else {
                        o.create(true);
                    }
                    // erl truncates a file opened for writing only.
                    o.truncate(!mode.read && !mode.append);
                }
                o.mode(0o666);
                let f = o.open(path).map_err(posix)?;
                self.next += 1;
                self.open.insert(self.next, (caller, f));
                Opened(self.next)
            }
            FileOp::Read { file, len } => {
                let f = self.file(caller, file)?;
                let mut buf = Vec::new();
                f.take(len as u64).read_to_end(&mut buf).map_err(posix)?;
                Bytes(buf)
            }
            FileOp::Pread { file, at, len } => {
                let f = self.file(caller, file)?;
                let mut buf = vec![0u8; len];
                let mut got = 0;
                while got < len {
                    match f.read_at(&mut buf[got..], at + got as u64).map_err(posix)? {
                        0 => break,
                        n => got += n,
                    }
                }
                buf.truncate(got);
                Bytes(buf)
            }
            FileOp::Write { file, data } => {
                self.file(caller, file)?.write_all(data).map_err(posix)?;
                Done
            }
            FileOp::Pwrite { file, at, data } => {
                self.file(caller, file)?
                    .write_all_at(data, at)
                    .map_err(posix)?;
                Done
            }
            FileOp::Seek {
                file,
                whence,
                offset,
            } => {
                let to = match whence {
                    Whence::Start => {
                        SeekFrom::Start(u64::try_from(offset).map_err(|_| Posix::Einval)?)
                    }
                    Whence::Current => SeekFrom::Current(offset),
                    Whence::End => SeekFrom::End(offset),
                };
                Count(self.file(caller, file)?.seek(to).map_err(posix)?)
            }
            FileOp::Truncate(file) => {
                let f = self.file(caller, file)?;
                let at = f.stream_position().map_err(posix)?;
                f.set_len(at).map_err(posix)?;
                Done
            }
            FileOp::Sync(file) => {
                self.file(caller, file)?.sync_all().map_err(posix)?;
                Done
            }
            FileOp::CloseOwned => {
                if !self.open.is_empty() {
                    self.open.retain(|_, (owner, _)| *owner != caller);
                }
                Done
            }
            FileOp::Close(file) => {
                self.file(caller, file)?;
                self.open.remove(&file);
                Done
            }
        })
    }
}
