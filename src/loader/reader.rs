//! A bounds-checked big-endian cursor over one chunk's bytes.
//!
//! Every read either returns the bytes or a [`Problem::Truncated`] naming the chunk, so the
//! table parsers never index out of bounds.

use super::error::{ChunkId, Problem};

/// A cursor over the data of one chunk.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    chunk: ChunkId,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8], chunk: ChunkId) -> Self {
        Reader {
            data,
            pos: 0,
            chunk,
        }
    }

    pub(crate) fn chunk(&self) -> ChunkId {
        self.chunk
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos == self.data.len()
    }

    pub(crate) fn truncated(&self) -> Problem {
        Problem::Truncated {
            chunk: self.chunk,
            offset: self.data.len(),
        }
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], Problem> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.data.len())
            .ok_or_else(|| self.truncated())?;
        let slice = &self.data[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let slice = &self.data[self.pos..];
        self.pos = self.data.len();
        slice
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Problem> {
        Ok(self.bytes(1)?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, Problem> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, Problem> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads a u32 count of items that take at least `min_size` bytes each, and checks that
    /// the rest of the chunk can hold them, so the count is safe to allocate for.
    pub(crate) fn count(&mut self, min_size: usize) -> Result<usize, Problem> {
        let offset = self.pos;
        let count = self.u32()?;
        let fits = (count as usize)
            .checked_mul(min_size)
            .is_some_and(|needed| needed <= self.remaining());
        if fits {
            Ok(count as usize)
        } else {
            Err(Problem::BadCount {
                chunk: self.chunk,
                offset,
                count: u64::from(count),
            })
        }
    }
}
