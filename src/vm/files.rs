//! The file system as BIFs see it: the requests `prim_file` makes of the platform
//! ([`Io::file`](super::bif::Io::file)), their answers and erl's POSIX error names.
//!
//! The runtime has no file system of its own: the host runner answers with the machine's
//! files, a platform without files with [`Posix::Enotsup`] for everything. Paths are UTF-8
//! (erl's native name encoding on Linux). Open files are named by a number the platform
//! hands out and belong to the process that opened them: another process's request on one
//! fails with [`Posix::NotOwner`], as erl's `not_on_controlling_process`.

use alloc::string::String;
use alloc::vec::Vec;

/// How a file is opened (`prim_file:open/2`'s modes that reach the file system).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenMode {
    /// Reads allowed.
    pub read: bool,
    /// Writes allowed (the file is created, and truncated unless `read` or `append`).
    pub write: bool,
    /// Every write goes to the end.
    pub append: bool,
    /// Creating fails when the file exists.
    pub exclusive: bool,
}

/// Where a position counts from (`file:position/2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whence {
    /// From the start (`{bof, N}`).
    Start,
    /// From the current position (`{cur, N}`).
    Current,
    /// From the end (`{eof, N}`).
    End,
}

/// A file system request.
#[derive(Debug)]
pub enum FileOp<'a> {
    /// A whole file's bytes; a file over `limit` bytes is refused with `enomem`.
    ReadFile { path: &'a str, limit: usize },
    /// Writes a whole file (creating or truncating it).
    WriteFile { path: &'a str, data: &'a [u8] },
    /// The names in a directory (without `.` and `..`).
    ListDir(&'a str),
    /// What `stat` (`follow`) or `lstat` says.
    Info { path: &'a str, follow: bool },
    /// Creates a directory.
    MakeDir(&'a str),
    /// Removes an empty directory.
    DelDir(&'a str),
    /// Removes a file.
    Delete(&'a str),
    /// Renames a file or directory.
    Rename { from: &'a str, to: &'a str },
    /// The current directory.
    GetCwd,
    /// Changes the current directory.
    SetCwd(&'a str),
    /// A symbolic link's target.
    ReadLink(&'a str),
    /// Changes what `#file_info{}` gives that can be set (each when given): the mode's
    /// permission bits, the owner and group, and the access and modification times
    /// (seconds since 1970).
    WriteInfo {
        path: &'a str,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        atime: Option<i64>,
        mtime: Option<i64>,
    },
    /// Makes a hard link (`symbolic`: a symbolic one) `new` to `existing`.
    Link {
        existing: &'a str,
        new: &'a str,
        symbolic: bool,
    },
    /// Opens a file.
    Open { path: &'a str, mode: OpenMode },
    /// Up to `len` bytes from the position (an empty answer: end of file).
    Read { file: u64, len: usize },
    /// Up to `len` bytes at `at`, the position unchanged.
    Pread { file: u64, at: u64, len: usize },
    /// Writes at the position.
    Write { file: u64, data: &'a [u8] },
    /// Writes at `at`, the position unchanged.
    Pwrite { file: u64, at: u64, data: &'a [u8] },
    /// Moves the position; answers the new one.
    Seek {
        file: u64,
        whence: Whence,
        offset: i64,
    },
    /// Cuts the file at the position.
    Truncate(u64),
    /// Flushes the file to its device.
    Sync(u64),
    /// Closes the file.
    Close(u64),
    /// Closes every file the caller has open (it has ended).
    CloseOwned,
}

/// What a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    /// A regular file.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link (only from `lstat`).
    Symlink,
    /// A device.
    Device,
    /// Anything else (a pipe, a socket).
    Other,
}

/// `#file_info{}`'s fields, times in seconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileInfo {
    /// Size in bytes.
    pub size: u64,
    /// What it is.
    pub kind: FileType,
    /// Readable by the node.
    pub readable: bool,
    /// Writable by the node.
    pub writable: bool,
    /// Last access.
    pub atime: i64,
    /// Last change of contents.
    pub mtime: i64,
    /// Last change of the inode.
    pub ctime: i64,
    /// Permission and type bits.
    pub mode: u32,
    /// Hard links.
    pub links: u64,
    /// Device number of the file system.
    pub major_device: u64,
    /// Device number, for devices.
    pub minor_device: u64,
    /// Inode number.
    pub inode: u64,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
}

/// A request's answer.
#[derive(Debug, PartialEq, Eq)]
pub enum FileReply {
    /// Done, nothing to say.
    Done,
    /// Bytes read (for `Read`/`Pread`, none at end of file).
    Bytes(Vec<u8>),
    /// Directory entries.
    Names(Vec<String>),
    /// What `Info` found.
    Info(FileInfo),
    /// A path (`GetCwd`, `ReadLink`).
    Path(String),
    /// An opened file.
    Opened(u64),
    /// A position or a count of bytes written.
    Count(u64),
}

/// erl's POSIX error atoms for what file requests fail with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Posix {
    /// Not permitted.
    Eperm,
    /// No such file or directory.
    Enoent,
    /// Input/output error.
    Eio,
    /// Not an open file.
    Ebadf,
    /// Not enough memory (a file too large to read whole).
    Enomem,
    /// Permission denied.
    Eacces,
    /// Busy.
    Ebusy,
    /// Exists.
    Eexist,
    /// Across file systems.
    Exdev,
    /// Not a directory.
    Enotdir,
    /// Is a directory.
    Eisdir,
    /// Invalid argument.
    Einval,
    /// Too many open files.
    Emfile,
    /// No room left.
    Enospc,
    /// Read-only file system.
    Erofs,
    /// A name too long.
    Enametoolong,
    /// Too many symbolic links.
    Eloop,
    /// Not supported here.
    Enotsup,
    /// An open file of another process.
    NotOwner,
}

impl Posix {
    /// The atom erl uses.
    pub fn name(self) -> &'static str {
        match self {
            Posix::Eperm => "eperm",
            Posix::Enoent => "enoent",
            Posix::Eio => "eio",
            Posix::Ebadf => "ebadf",
            Posix::Enomem => "enomem",
            Posix::Eacces => "eacces",
            Posix::Ebusy => "ebusy",
            Posix::Eexist => "eexist",
            Posix::Exdev => "exdev",
            Posix::Enotdir => "enotdir",
            Posix::Eisdir => "eisdir",
            Posix::Einval => "einval",
            Posix::Emfile => "emfile",
            Posix::Enospc => "enospc",
            Posix::Erofs => "erofs",
            Posix::Enametoolong => "enametoolong",
            Posix::Eloop => "eloop",
            Posix::Enotsup => "enotsup",
            Posix::NotOwner => "not_on_controlling_process",
        }
    }

    /// The error for Linux's errno `n` (`eio` for one not listed).
    pub fn from_errno(n: i32) -> Posix {
        match n {
            1 => Posix::Eperm,
            2 => Posix::Enoent,
            9 => Posix::Ebadf,
            12 => Posix::Enomem,
            13 => Posix::Eacces,
            16 => Posix::Ebusy,
            17 => Posix::Eexist,
            18 => Posix::Exdev,
            20 => Posix::Enotdir,
            21 => Posix::Eisdir,
            22 => Posix::Einval,
            24 => Posix::Emfile,
            28 => Posix::Enospc,
            30 => Posix::Erofs,
            36 => Posix::Enametoolong,
            // erl reports a directory that is not empty as existing.
            39 => Posix::Eexist,
            40 => Posix::Eloop,
            95 => Posix::Enotsup,
            _ => Posix::Eio,
        }
    }
}
