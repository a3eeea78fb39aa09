//! The IFF container of a `.beam` file: `"FOR1"`, a u32 size, `"BEAM"`, then chunks of a
//! four-byte id, a u32 size and the data padded to a multiple of four bytes.
//!
//! Only the chunks the loader uses (and Meta, part of the module's MD5) are kept; others
//! (Type, CInf, Dbgi, Docs, ExCk, ...) are skipped.

use super::error::{ChunkId, LoadError};

/// The data of the chunks the loader reads.
#[derive(Default)]
pub(crate) struct Chunks<'a> {
    pub(crate) atoms: Option<&'a [u8]>,
    pub(crate) code: Option<&'a [u8]>,
    pub(crate) strings: Option<&'a [u8]>,
    pub(crate) imports: Option<&'a [u8]>,
    pub(crate) exports: Option<&'a [u8]>,
    pub(crate) locals: Option<&'a [u8]>,
    pub(crate) lambdas: Option<&'a [u8]>,
    pub(crate) literals: Option<&'a [u8]>,
    pub(crate) attributes: Option<&'a [u8]>,
    pub(crate) lines: Option<&'a [u8]>,
    /// Only for the module's MD5.
    pub(crate) meta: Option<&'a [u8]>,
}

/// Chunk identifiers.
pub(crate) mod id {
    use super::ChunkId;
    pub(crate) const ATU8: ChunkId = *b"AtU8";
    pub(crate) const ATOM: ChunkId = *b"Atom";
    pub(crate) const CODE: ChunkId = *b"Code";
    pub(crate) const STRT: ChunkId = *b"StrT";
    pub(crate) const IMPT: ChunkId = *b"ImpT";
    pub(crate) const EXPT: ChunkId = *b"ExpT";
    pub(crate) const LOCT: ChunkId = *b"LocT";
    pub(crate) const FUNT: ChunkId = *b"FunT";
    pub(crate) const LITT: ChunkId = *b"LitT";
    pub(crate) const ATTR: ChunkId = *b"Attr";
    pub(crate) const LINE: ChunkId = *b"Line";
    pub(crate) const META: ChunkId = *b"Meta";
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

impl<'a> Chunks<'a> {
    /// Splits a file into its chunks, checking the container structure.
    pub(crate) fn parse(file: &'a [u8]) -> Result<Self, LoadError> {
        if file.len() < 12 || &file[0..4] != b"FOR1" || &file[8..12] != b"BEAM" {
            return Err(LoadError::NotBeam);
        }
        let declared = be32(&file[4..8]);
        let actual = file.len() - 8;
        if (declared as usize) > actual || declared < 4 {
            return Err(LoadError::BadFormSize { declared, actual });
        }
        let end = 8 + declared as usize;
        let mut chunks = Chunks::default();
        let mut pos = 12;
        let mut old_atoms = false;
        while pos < end {
            let overrun = |chunk: ChunkId| LoadError::ChunkOverrun { chunk, offset: pos };
            if end - pos < 8 {
                let mut chunk = [b'?'; 4];
                let have = (end - pos).min(4);
                chunk[..have].copy_from_slice(&file[pos..pos + have]);
                return Err(overrun(chunk));
            }
            let chunk: ChunkId = [file[pos], file[pos + 1], file[pos + 2], file[pos + 3]];
            let size = be32(&file[pos + 4..pos + 8]) as usize;
            let data_start = pos + 8;
            // Data is padded to four bytes; the padding must be present, as OTP requires.
            let stored = size.checked_add(3).map(|s| s & !3).ok_or(overrun(chunk))?;
            if stored > end - data_start {
                return Err(overrun(chunk));
            }
            let data = &file[data_start..data_start + size];
            let slot = match chunk {
                id::ATU8 => Some(&mut chunks.atoms),
                id::CODE => Some(&mut chunks.code),
                id::STRT => Some(&mut chunks.strings),
                id::IMPT => Some(&mut chunks.imports),
                id::EXPT => Some(&mut chunks.exports),
                id::LOCT => Some(&mut chunks.locals),
                id::FUNT => Some(&mut chunks.lambdas),
                id::LITT => Some(&mut chunks.literals),
                id::ATTR => Some(&mut chunks.attributes),
                id::LINE => Some(&mut chunks.lines),
                id::META => Some(&mut chunks.meta),
                id::ATOM => {
                    old_atoms = true;
                    None
                }
                _ => None,
            };
            if let Some(slot) = slot {
                if slot.is_some() {
                    return Err(LoadError::DuplicateChunk { chunk });
                }
                *slot = Some(data);
            }
            pos = data_start + stored;
        }
        if chunks.atoms.is_none() && old_atoms {
            return Err(LoadError::OldAtomChunk);
        }
        for (chunk, present) in [
            (id::ATU8, chunks.atoms.is_some()),
            (id::CODE, chunks.code.is_some()),
            (id::STRT, chunks.strings.is_some()),
            (id::IMPT, chunks.imports.is_some()),
            (id::EXPT, chunks.exports.is_some()),
        ] {
            if !present {
                return Err(LoadError::MissingChunk { chunk });
            }
        }
        Ok(chunks)
    }
}

impl Chunks<'_> {
    /// The module's MD5 as erl computes it (`module_info(md5)`, and `beam_lib:md5/1` of its
    /// file): over the atom, code, string, import, export, fun, literal and Meta chunks in
    /// that order, with each fun entry's old unique number taken as zero.
    pub(crate) fn md5(&self) -> [u8; 16] {
        use crate::vm::bifs::md5::Md5;
        let mut m = Md5::new();
        for data in [
            self.atoms,
            self.code,
            self.strings,
            self.imports,
            self.exports,
        ] {
            m.update(data.unwrap_or_default());
        }
        if let Some(funs) = self.lambdas {
            // A count, then entries of six words whose last is the old unique number.
            let (count, mut entries) = funs.split_at(funs.len().min(4));
            m.update(count);
            while entries.len() >= 24 {
                m.update(&entries[..20]);
                m.update(&[0; 4]);
                entries = &entries[24..];
            }
            m.update(entries);
        }
        for data in [self.literals, self.meta] {
            m.update(data.unwrap_or_default());
        }
        m.finish()
    }
}
