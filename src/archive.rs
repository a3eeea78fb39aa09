//! The module archive: the `.beam` files embedded in the image, and the applications' files.
//!
//! `scripts/build` collects the modules a program needs and the image's build script packs
//! them with [`write`]; at run time [`Archive::parse`] validates the whole archive once and
//! then hands out module bytes by name. Entries named by an absolute path instead of a module
//! name are files (an application's `priv` directory and `.app` file), which [`files`] shows
//! as a read-only file system. The layout is deliberately simple: the magic `XBAR`, a
//! u32 version and entry count, then per entry a u16 name length, the name, a u32 data length
//! and the data (all little-endian, no padding).

use alloc::vec::Vec;
use core::fmt;

pub mod files;

const MAGIC: &[u8; 4] = b"XBAR";
const VERSION: u32 = 1;

/// Why an archive is unusable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveError {
    /// It does not start with the magic and version.
    BadHeader,
    /// An entry runs past the end.
    Truncated {
        /// Index of the entry.
        entry: u32,
    },
    /// A module name is not UTF-8 or is empty.
    BadName {
        /// Index of the entry.
        entry: u32,
    },
    /// Bytes are left over after the last entry.
    TrailingBytes,
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadHeader => f.write_str("module archive: bad header"),
            Self::Truncated { entry } => write!(f, "module archive: entry {entry} is truncated"),
            Self::BadName { entry } => write!(f, "module archive: entry {entry} has a bad name"),
            Self::TrailingBytes => f.write_str("module archive: trailing bytes"),
        }
    }
}

/// A validated archive over borrowed bytes.
#[derive(Clone, Debug)]
pub struct Archive<'a> {
    entries: Vec<(&'a str, &'a [u8])>,
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if bytes.len() < n {
        return None;
    }
    let (head, tail) = bytes.split_at(n);
    *bytes = tail;
    Some(head)
}

impl<'a> Archive<'a> {
    /// Validates `bytes` as an archive.
    pub fn parse(mut bytes: &'a [u8]) -> Result<Self, ArchiveError> {
        let header = take(&mut bytes, 12).ok_or(ArchiveError::BadHeader)?;
        if &header[..4] != MAGIC || header[4..8] != VERSION.to_le_bytes() {
            return Err(ArchiveError::BadHeader);
        }
        let count = u32::from_le_bytes([header[8], header[9], header[10], header[11]]);
        // Each entry takes at least 6 bytes, which bounds a believable count.
        if count as usize > bytes.len() / 6 {
            return Err(ArchiveError::Truncated { entry: 0 });
        }
        let mut entries = Vec::with_capacity(count as usize);
        for entry in 0..count {
            let truncated = ArchiveError::Truncated { entry };
            let len = take(&mut bytes, 2).ok_or(truncated)?;
            let name =
                take(&mut bytes, u16::from_le_bytes([len[0], len[1]]) as usize).ok_or(truncated)?;
            let name = core::str::from_utf8(name)
                .ok()
                .filter(|n| !n.is_empty())
                .ok_or(ArchiveError::BadName { entry })?;
            let len = take(&mut bytes, 4).ok_or(truncated)?;
            let size = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
            let data = take(&mut bytes, size).ok_or(truncated)?;
            entries.push((name, data));
        }
        if !bytes.is_empty() {
            return Err(ArchiveError::TrailingBytes);
        }
        Ok(Self { entries })
    }

    /// The bytes of module `name` (never a file's: their names are paths).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.entries
            .iter()
            .find(|(n, _)| *n == name && !n.starts_with('/'))
            .map(|(_, d)| *d)
    }

    /// All entries, in archive order.
    pub fn entries(&self) -> impl Iterator<Item = (&'a str, &'a [u8])> + '_ {
        self.entries.iter().copied()
    }

    /// Number of modules.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no modules.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Packs `(name, bytes)` entries into an archive. Names must be under 64 KiB and data under
/// 4 GiB; anything else is a bug in the caller.
pub fn write<'e>(entries: impl IntoIterator<Item = (&'e str, &'e [u8])>) -> Vec<u8> {
    let entries: Vec<_> = entries.into_iter().collect();
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (name, data) in entries {
        let name_len = u16::try_from(name.len()).expect("module name under 64 KiB");
        let data_len = u32::try_from(data.len()).expect("module under 4 GiB");
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&data_len.to_le_bytes());
        out.extend_from_slice(data);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let bytes = write([("lists", &b"FOR1 lists"[..]), ("hello", &b"FOR1 hi"[..])]);
        let archive = Archive::parse(&bytes).unwrap();
        assert_eq!(archive.len(), 2);
        assert_eq!(archive.get("hello"), Some(&b"FOR1 hi"[..]));
        assert_eq!(archive.get("nope"), None);
        let names: Vec<_> = archive.entries().map(|(n, _)| n).collect();
        assert_eq!(names, ["lists", "hello"]);
        assert!(Archive::parse(&write([])).unwrap().is_empty());
    }

    #[test]
    fn damage_is_an_error_never_a_panic() {
        let bytes = write([("a", &[1u8, 2, 3][..]), ("bb", &[4u8; 40][..])]);
        for cut in 0..bytes.len() {
            assert!(
                Archive::parse(&bytes[..cut]).is_err(),
                "prefix of {cut} bytes"
            );
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert_eq!(
            Archive::parse(&extra).unwrap_err(),
            ArchiveError::TrailingBytes
        );
        let mut bad_name = bytes.clone();
        bad_name[14] = 0xff;
        assert_eq!(
            Archive::parse(&bad_name).unwrap_err(),
            ArchiveError::BadName { entry: 0 }
        );
        let mut huge_count = bytes.clone();
        huge_count[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Archive::parse(&huge_count).is_err());
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x5a;
            let _ = Archive::parse(&flipped);
        }
    }
}
