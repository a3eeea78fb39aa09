//! The archive's files as a read-only file system: what `file`, `filelib` and `code:priv_dir`
//! see in the image.
//!
//! Entries named by an absolute path (`/lib/App/priv/...`, `/lib/App/ebin/App.app`) are
//! files; directories are implied by the paths below them, and `/` always exists. Modules
//! (entries named by a module name) are not files. Paths are resolved against a current
//! directory (`/` at first), with `.`, `..` and repeated slashes as POSIX has them. Anything
//! that would change the file system fails with `erofs`, as on a read-only mount; open files
//! are read-only, numbered, and belong to the process that opened them.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::Archive;
use crate::vm::files::{FileInfo, FileOp, FileReply, FileType, Posix, Whence};

/// At most this many files open at once (erl's `emfile` past it).
const MAX_OPEN: usize = 1024;

/// An open file.
#[derive(Clone, Copy, Debug)]
struct Open<'a> {
    /// The process that opened it.
    owner: u32,
    /// Its contents.
    data: &'a [u8],
    /// The position.
    pos: u64,
}

/// What a path names.
enum Node<'a> {
    /// A file, with its index among the files and its contents.
    File(usize, &'a [u8]),
    /// A directory.
    Dir,
}

/// The archive's files, read-only, with the open files and the current directory.
#[derive(Debug)]
pub struct FileView<'a> {
    /// (path, contents), sorted by path.
    files: Vec<(&'a str, &'a [u8])>,
    /// Open files by number (index + 1); `None` when closed.
    open: Vec<Option<Open<'a>>>,
    /// The current directory: absolute, normalised, without a trailing slash (`/` alone).
    cwd: String,
}

/// `path` made absolute against `cwd` and normalised: `.` and empty components dropped, `..`
/// going up (never above `/`). `None` for an empty path (erl's `enoent`).
fn resolve(cwd: &str, path: &str) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    let from_cwd = if path.starts_with('/') { "" } else { cwd };
    for part in from_cwd.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = String::new();
    for p in &parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    Some(out)
}

impl<'a> FileView<'a> {
    /// The files of `archive`.
    pub fn new(archive: &Archive<'a>) -> Self {
        let mut files: Vec<(&'a str, &'a [u8])> = archive
            .entries()
            .filter(|(name, _)| name.starts_with('/'))
            .collect();
        files.sort_unstable_by_key(|(name, _)| *name);
        Self {
            files,
            open: Vec::new(),
            cwd: String::from("/"),
        }
    }

    /// The `ebin` directories of the applications the archive has files of (`/lib/App/ebin`,
    /// whether or not it holds files itself): the image's code path, through which
    /// `code:lib_dir/1` and `code:priv_dir/1` find them.
    pub fn app_ebins(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (path, _) in &self.files {
            let mut parts = path[1..].split('/');
            if let (Some("lib"), Some(app), Some(_), Some(_)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            {
                let ebin = alloc::format!("/lib/{app}/ebin");
                if !out.contains(&ebin) {
                    out.push(ebin);
                }
            }
        }
        out
    }

    /// What the normalised path `p` names.
    fn node(&self, p: &str) -> Option<Node<'a>> {
        if p == "/" {
            return Some(Node::Dir);
        }
        // The first path not before `p`: `p` itself, or the first one below it when `p` is a
        // directory (`p/...` sorts after `p`, and only names starting with `p` lie between).
        let i = self.files.partition_point(|(name, _)| *name < p);
        let (name, data) = *self.files.get(i)?;
        if name == p {
            return Some(Node::File(i, data));
        }
        let below = self.files[i..]
            .iter()
            .take_while(|(n, _)| n.starts_with(p))
            .any(|(n, _)| n.as_bytes().get(p.len()) == Some(&b'/'));
        below.then_some(Node::Dir)
    }

    /// What `path` names, relative paths against the current directory; `enoent` when
    /// nothing, `enotdir` when a file stands where a directory is needed on the way.
    fn lookup(&self, path: &str) -> Result<(String, Node<'a>), Posix> {
        let p = resolve(&self.cwd, path).ok_or(Posix::Enoent)?;
        match self.node(&p) {
            Some(n) => Ok((p, n)),
            None => {
                // A file as a directory on the way (`file.txt/x`) is enotdir, as in POSIX.
                let mut at = 1;
                while let Some(k) = p[at..].find('/') {
                    if let Some(Node::File(..)) = self.node(&p[..at + k]) {
                        return Err(Posix::Enotdir);
                    }
                    at += k + 1;
                }
                Err(Posix::Enoent)
            }
        }
    }

    /// The open file `file` of `caller`.
    fn opened(&mut self, caller: u32, file: u64) -> Result<&mut Open<'a>, Posix> {
        let slot = usize::try_from(file)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| self.open.get_mut(i))
            .and_then(Option::as_mut)
            // What erl says of a closed file.
            .ok_or(Posix::Einval)?;
        if slot.owner != caller {
            return Err(Posix::NotOwner);
        }
        Ok(slot)
    }

    /// Carries out `op` for process `caller`.
    pub fn request(&mut self, caller: u32, op: FileOp<'_>) -> Result<FileReply, Posix> {
        match op {
            FileOp::ReadFile { path, limit } => match self.lookup(path)?.1 {
                Node::File(_, data) if data.len() > limit => Err(Posix::Enomem),
                Node::File(_, data) => Ok(FileReply::Bytes(data.to_vec())),
                Node::Dir => Err(Posix::Eisdir),
            },
            FileOp::ListDir(path) => {
                let (p, node) = self.lookup(path)?;
                if let Node::File(..) = node {
                    return Err(Posix::Enotdir);
                }
                let prefix = if p == "/" { p } else { p + "/" };
                let mut names: Vec<String> = self
                    .files
                    .iter()
                    .filter_map(|(name, _)| name.strip_prefix(prefix.as_str()))
                    .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
                    .collect();
                names.sort_unstable();
                names.dedup();
                Ok(FileReply::Names(names))
            }
            FileOp::Info { path, .. } => {
                let (kind, size, mode, inode) = match self.lookup(path)?.1 {
                    Node::File(i, data) => (FileType::Regular, data.len() as u64, 0o100444, i + 2),
                    Node::Dir => (FileType::Directory, 0, 0o40555, 1),
                };
                Ok(FileReply::Info(FileInfo {
                    size,
                    kind,
                    readable: true,
                    writable: false,
                    atime: 0,
                    mtime: 0,
                    ctime: 0,
                    mode,
                    links: 1,
                    major_device: 0,
                    minor_device: 0,
                    inode: inode as u64,
                    uid: 0,
                    gid: 0,
                }))
            }
            FileOp::GetCwd => Ok(FileReply::Path(self.cwd.clone())),
            FileOp::SetCwd(path) => match self.lookup(path)? {
                (p, Node::Dir) => {
                    self.cwd = p;
                    Ok(FileReply::Done)
                }
                (_, Node::File(..)) => Err(Posix::Enotdir),
            },
            FileOp::ReadLink(path) => self.lookup(path).and(Err(Posix::Einval)),
            FileOp::Open { path, mode } => {
                if mode.write || mode.append {
                    return Err(Posix::Erofs);
                }
                let data = match self.lookup(path)?.1 {
                    Node::File(_, data) => data,
                    Node::Dir => return Err(Posix::Eisdir),
                };
                let file = Open {
                    owner: caller,
                    data,
                    pos: 0,
                };
                let i = match self.open.iter().position(Option::is_none) {
                    Some(i) => i,
                    None if self.open.len() < MAX_OPEN => {
                        self.open.push(None);
                        self.open.len() - 1
                    }
                    None => return Err(Posix::Emfile),
                };
                self.open[i] = Some(file);
                Ok(FileReply::Opened(i as u64 + 1))
            }
            FileOp::Read { file, len } => {
                let f = self.opened(caller, file)?;
                let bytes = slice_at(f.data, f.pos, len).to_vec();
                f.pos += bytes.len() as u64;
                Ok(FileReply::Bytes(bytes))
            }
            FileOp::Pread { file, at, len } => {
                let f = self.opened(caller, file)?;
                Ok(FileReply::Bytes(slice_at(f.data, at, len).to_vec()))
            }
            FileOp::Seek {
                file,
                whence,
                offset,
            } => {
                let f = self.opened(caller, file)?;
                let base = match whence {
                    Whence::Start => 0,
                    Whence::Current => f.pos as i64,
                    Whence::End => f.data.len() as i64,
                };
                let pos = base.checked_add(offset).filter(|p| *p >= 0);
                f.pos = pos.ok_or(Posix::Einval)? as u64;
                Ok(FileReply::Count(f.pos))
            }
            // Opened for reading only: as erl answers a write to such a file.
            FileOp::Write { file, .. } | FileOp::Pwrite { file, .. } | FileOp::Truncate(file) => {
                self.opened(caller, file).and(Err(Posix::Ebadf))
            }
            FileOp::Sync(file) => self.opened(caller, file).map(|_| FileReply::Done),
            FileOp::Close(file) => {
                self.opened(caller, file)?;
                self.open[file as usize - 1] = None;
                Ok(FileReply::Done)
            }
            FileOp::CloseOwned => {
                for slot in &mut self.open {
                    if slot.is_some_and(|f| f.owner == caller) {
                        *slot = None;
                    }
                }
                Ok(FileReply::Done)
            }
            FileOp::WriteFile { .. }
            | FileOp::MakeDir(_)
            | FileOp::DelDir(_)
            | FileOp::Delete(_)
            | FileOp::Rename { .. }
            | FileOp::WriteInfo { .. }
            | FileOp::Link { .. } => Err(Posix::Erofs),
        }
    }
}

/// Up to `len` bytes of `data` from `at` (none past the end).
fn slice_at(data: &[u8], at: u64, len: usize) -> &[u8] {
    let from = usize::try_from(at).unwrap_or(usize::MAX).min(data.len());
    &data[from..from + len.min(data.len() - from)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::files::OpenMode;

    fn archive() -> Vec<u8> {
        super::super::write([
            ("lists", &b"\x1f\x8b not a file"[..]),
            ("/lib/app/priv/hello.txt", b"hello\n"),
            ("/lib/app/priv/sub/data.bin", b"\x00\x01\x02\x03\x04"),
            ("/lib/app/ebin/app.app", b"{application, app, []}.\n"),
            ("/lib/other-1.0/priv/x", b""),
        ])
    }

    fn read(v: &mut FileView, path: &str) -> Result<FileReply, Posix> {
        v.request(
            1,
            FileOp::ReadFile {
                path,
                limit: usize::MAX,
            },
        )
    }

    fn names(v: &mut FileView, path: &str) -> Result<Vec<String>, Posix> {
        match v.request(1, FileOp::ListDir(path))? {
            FileReply::Names(n) => Ok(n),
            other => panic!("ListDir answered {other:?}"),
        }
    }

    fn info(v: &mut FileView, path: &str) -> Result<FileInfo, Posix> {
        match v.request(1, FileOp::Info { path, follow: true })? {
            FileReply::Info(i) => Ok(i),
            other => panic!("Info answered {other:?}"),
        }
    }

    fn open(v: &mut FileView, caller: u32, path: &str) -> Result<u64, Posix> {
        let mode = OpenMode {
            read: true,
            ..OpenMode::default()
        };
        match v.request(caller, FileOp::Open { path, mode })? {
            FileReply::Opened(n) => Ok(n),
            other => panic!("Open answered {other:?}"),
        }
    }

    #[test]
    fn files_are_the_entries_named_by_paths() {
        let bytes = archive();
        let a = Archive::parse(&bytes).unwrap();
        let mut v = FileView::new(&a);
        assert_eq!(
            read(&mut v, "/lib/app/priv/hello.txt"),
            Ok(FileReply::Bytes(b"hello\n".to_vec()))
        );
        assert_eq!(read(&mut v, "lists"), Err(Posix::Enoent));
        assert_eq!(read(&mut v, "/lib/app/priv"), Err(Posix::Eisdir));
        assert_eq!(read(&mut v, "/lib/app/pri"), Err(Posix::Enoent));
        assert_eq!(read(&mut v, ""), Err(Posix::Enoent));
        assert_eq!(
            read(&mut v, "/lib/app/priv/hello.txt/x"),
            Err(Posix::Enotdir)
        );
        assert_eq!(
            v.request(
                1,
                FileOp::ReadFile {
                    path: "/lib/app/priv/hello.txt",
                    limit: 5
                }
            ),
            Err(Posix::Enomem)
        );
    }

    #[test]
    fn directories_follow_from_the_paths_below_them() {
        let bytes = archive();
        let a = Archive::parse(&bytes).unwrap();
        let mut v = FileView::new(&a);
        assert_eq!(names(&mut v, "/").unwrap(), ["lib"]);
        assert_eq!(names(&mut v, "/lib").unwrap(), ["app", "other-1.0"]);
        assert_eq!(
            names(&mut v, "/lib/app/priv/").unwrap(),
            ["hello.txt", "sub"]
        );
        assert_eq!(names(&mut v, "/lib/app/priv/sub").unwrap(), ["data.bin"]);
        assert_eq!(
            names(&mut v, "/lib/app/priv/hello.txt"),
            Err(Posix::Enotdir)
        );
        assert_eq!(names(&mut v, "/lib/none"), Err(Posix::Enoent));
        let d = info(&mut v, "/lib/app").unwrap();
        assert_eq!((d.kind, d.writable), (FileType::Directory, false));
        let f = info(&mut v, "/lib/app/priv/sub/data.bin").unwrap();
        assert_eq!((f.kind, f.size, f.readable), (FileType::Regular, 5, true));
        assert_eq!(v.app_ebins(), ["/lib/app/ebin", "/lib/other-1.0/ebin"]);
    }

    #[test]
    fn relative_paths_resolve_against_the_current_directory() {
        let bytes = archive();
        let a = Archive::parse(&bytes).unwrap();
        let mut v = FileView::new(&a);
        assert_eq!(
            v.request(1, FileOp::GetCwd),
            Ok(FileReply::Path("/".into()))
        );
        assert_eq!(
            names(&mut v, "lib/../lib/./app//priv").unwrap(),
            ["hello.txt", "sub"]
        );
        assert_eq!(
            v.request(1, FileOp::SetCwd("/lib/app/priv")),
            Ok(FileReply::Done)
        );
        assert_eq!(
            read(&mut v, "sub/data.bin"),
            Ok(FileReply::Bytes(vec![0, 1, 2, 3, 4]))
        );
        assert_eq!(
            read(&mut v, "../../../../lib/app/priv/hello.txt"),
            Ok(FileReply::Bytes(b"hello\n".to_vec()))
        );
        assert_eq!(
            v.request(1, FileOp::SetCwd("hello.txt")),
            Err(Posix::Enotdir)
        );
        assert_eq!(v.request(1, FileOp::SetCwd("/nowhere")), Err(Posix::Enoent));
    }

    #[test]
    fn open_files_read_seek_and_belong_to_their_opener() {
        let bytes = archive();
        let a = Archive::parse(&bytes).unwrap();
        let mut v = FileView::new(&a);
        let f = open(&mut v, 7, "/lib/app/priv/sub/data.bin").unwrap();
        let rd = |v: &mut FileView, who, len| v.request(who, FileOp::Read { file: f, len });
        assert_eq!(rd(&mut v, 7, 2), Ok(FileReply::Bytes(vec![0, 1])));
        assert_eq!(rd(&mut v, 7, 10), Ok(FileReply::Bytes(vec![2, 3, 4])));
        assert_eq!(rd(&mut v, 7, 10), Ok(FileReply::Bytes(vec![])));
        assert_eq!(rd(&mut v, 8, 1), Err(Posix::NotOwner));
        let seek = |v: &mut FileView, whence, offset| {
            v.request(
                7,
                FileOp::Seek {
                    file: f,
                    whence,
                    offset,
                },
            )
        };
        assert_eq!(seek(&mut v, Whence::End, -1), Ok(FileReply::Count(4)));
        assert_eq!(seek(&mut v, Whence::Current, -5), Err(Posix::Einval));
        assert_eq!(
            v.request(
                7,
                FileOp::Pread {
                    file: f,
                    at: 1,
                    len: 2
                }
            ),
            Ok(FileReply::Bytes(vec![1, 2]))
        );
        assert_eq!(rd(&mut v, 7, 9), Ok(FileReply::Bytes(vec![4])));
        assert_eq!(
            v.request(
                7,
                FileOp::Write {
                    file: f,
                    data: b"x"
                }
            ),
            Err(Posix::Ebadf)
        );
        assert_eq!(v.request(7, FileOp::Close(f)), Ok(FileReply::Done));
        assert_eq!(v.request(7, FileOp::Close(f)), Err(Posix::Einval));
        // A process's files close when it ends; the numbers are used again.
        let g = open(&mut v, 9, "/lib/app/priv/hello.txt").unwrap();
        assert_eq!(g, f);
        assert_eq!(v.request(9, FileOp::CloseOwned), Ok(FileReply::Done));
        assert_eq!(
            v.request(9, FileOp::Read { file: g, len: 1 }),
            Err(Posix::Einval)
        );
        assert_eq!(open(&mut v, 9, "/lib/app/priv"), Err(Posix::Eisdir));
        assert_eq!(open(&mut v, 9, "/lib/app/priv/none"), Err(Posix::Enoent));
    }

    #[test]
    fn nothing_changes_the_files() {
        let bytes = archive();
        let a = Archive::parse(&bytes).unwrap();
        let mut v = FileView::new(&a);
        let write = OpenMode {
            write: true,
            ..OpenMode::default()
        };
        for op in [
            FileOp::Open {
                path: "/lib/app/priv/hello.txt",
                mode: write,
            },
            FileOp::WriteFile {
                path: "/new",
                data: b"x",
            },
            FileOp::MakeDir("/d"),
            FileOp::Delete("/lib/app/priv/hello.txt"),
            FileOp::DelDir("/lib/app/priv/sub"),
            FileOp::Rename {
                from: "/lib/app/priv/hello.txt",
                to: "/x",
            },
        ] {
            assert_eq!(v.request(1, op), Err(Posix::Erofs));
        }
        assert_eq!(
            read(&mut v, "/lib/app/priv/hello.txt"),
            Ok(FileReply::Bytes(b"hello\n".to_vec()))
        );
    }
}
