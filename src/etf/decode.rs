//! Decoding of external terms into [`ExtTerm`].
//!
//! The decoder never trusts a count: before it reserves room for `n` elements it checks that
//! the remaining input holds at least the smallest possible encoding of `n` elements, so its
//! allocations are bounded by a small multiple of the input size. Nesting is bounded by an
//! explicit depth limit, so hostile input cannot exhaust the stack.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use num_bigint::{BigInt, Sign};
use num_traits::ToPrimitive;

use super::{tag, EtfError, ExtTerm, VERSION};

/// The default nesting limit of [`decode`]: deeper terms are rejected.
pub const DEFAULT_MAX_DEPTH: usize = 256;

/// zlib cannot expand data by more than about 1032:1; a declared size beyond that is a lie.
pub(crate) const MAX_INFLATE_RATIO: usize = 1032;

/// Decodes a complete external term that starts with the version byte 131. The term may be
/// compressed (tag 80). Bytes after the term are an error.
pub fn decode(bytes: &[u8]) -> Result<ExtTerm, EtfError> {
    decode_with_depth(bytes, DEFAULT_MAX_DEPTH)
}

/// Like [`decode`] with an explicit nesting limit.
pub fn decode_with_depth(bytes: &[u8], max_depth: usize) -> Result<ExtTerm, EtfError> {
    let (term, used) = decode_prefix_with_depth(bytes, max_depth)?;
    if used == bytes.len() {
        Ok(term)
    } else {
        Err(EtfError::TrailingBytes { offset: used })
    }
}

/// Decodes the external term (with version byte, possibly compressed) at the start of
/// `bytes` and returns it with the number of bytes it took, as `binary_to_term/2` with the
/// `used` option. Bytes after the term are left alone.
pub fn decode_prefix(bytes: &[u8]) -> Result<(ExtTerm, usize), EtfError> {
    decode_prefix_with_depth(bytes, DEFAULT_MAX_DEPTH)
}

/// Like [`decode_prefix`] with an explicit nesting limit.
pub fn decode_prefix_with_depth(
    bytes: &[u8],
    max_depth: usize,
) -> Result<(ExtTerm, usize), EtfError> {
    match bytes.first() {
        None => return Err(EtfError::Truncated { offset: 0 }),
        Some(&VERSION) => {}
        Some(&found) => return Err(EtfError::BadVersion { found }),
    }
    if bytes.get(1) == Some(&tag::COMPRESSED) {
        let (inflated, used) = inflate_term(bytes, 2)?;
        return Ok((decode_body_with_depth(&inflated, max_depth)?, used));
    }
    let mut decoder = Decoder::new(bytes, 1, max_depth);
    let term = decoder.term(0)?;
    Ok((term, decoder.pos))
}

/// Decodes a complete external term without the leading version byte (as in the bodies of
/// compressed terms). Bytes after the term are an error.
pub fn decode_body(bytes: &[u8]) -> Result<ExtTerm, EtfError> {
    decode_body_with_depth(bytes, DEFAULT_MAX_DEPTH)
}

/// Like [`decode_body`] with an explicit nesting limit.
pub fn decode_body_with_depth(bytes: &[u8], max_depth: usize) -> Result<ExtTerm, EtfError> {
    let mut decoder = Decoder::new(bytes, 0, max_depth);
    let term = decoder.term(0)?;
    decoder.finish()?;
    Ok(term)
}

/// Decodes one term without a version byte that starts at `pos` in `bytes` (an element of a
/// list or tuple whose header the caller read); returns it with the offset just past it.
pub fn decode_body_at(
    bytes: &[u8],
    pos: usize,
    max_depth: usize,
) -> Result<(ExtTerm, usize), EtfError> {
    let mut decoder = Decoder::new(bytes, pos, max_depth);
    let term = decoder.term(0)?;
    Ok((term, decoder.pos))
}

/// Inflates the compressed term whose u32 size field is at `at`; returns the inflated body
/// and the offset just past the zlib stream.
pub(crate) fn inflate_term(bytes: &[u8], at: usize) -> Result<(Vec<u8>, usize), EtfError> {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;

    let size_bytes = bytes.get(at..at + 4).ok_or(EtfError::Truncated {
        offset: bytes.len(),
    })?;
    let declared = u32::from_be_bytes([size_bytes[0], size_bytes[1], size_bytes[2], size_bytes[3]]);
    let data = &bytes[at + 4..];
    let declared = declared as usize;
    let bad = EtfError::BadCompression { offset: at };
    if declared
        > data
            .len()
            .saturating_mul(MAX_INFLATE_RATIO)
            .saturating_add(64)
    {
        return Err(bad);
    }
    let mut out = alloc::vec![0u8; declared];
    let mut state = Box::<DecompressorOxide>::default();
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, consumed, written) = decompress(&mut state, data, &mut out, 0, flags);
    if status != TINFLStatus::Done || written != declared {
        return Err(bad);
    }
    Ok((out, at + 4 + consumed))
}

/// A cursor over the input with the nesting limit.
struct Decoder<'a> {
    input: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl<'a> Decoder<'a> {
    fn new(input: &'a [u8], pos: usize, max_depth: usize) -> Self {
        Decoder {
            input,
            pos,
            max_depth,
        }
    }

    fn finish(&self) -> Result<(), EtfError> {
        if self.pos == self.input.len() {
            Ok(())
        } else {
            Err(EtfError::TrailingBytes { offset: self.pos })
        }
    }

    fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], EtfError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.input.len())
            .ok_or(EtfError::Truncated {
                offset: self.input.len(),
            })?;
        let slice = &self.input[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, EtfError> {
        Ok(self.bytes(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, EtfError> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, EtfError> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, EtfError> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    /// Checks that `count` items of at least `min_size` bytes each can still follow.
    fn check_count(&self, count: usize, min_size: usize, offset: usize) -> Result<(), EtfError> {
        match count.checked_mul(min_size) {
            Some(needed) if needed <= self.remaining() => Ok(()),
            _ => Err(EtfError::BadLength { offset }),
        }
    }

    /// Decodes one term with an explicit stack of open containers, so nesting costs heap,
    /// not machine stack, and is bounded by `max_depth`.
    fn term(&mut self, base_depth: usize) -> Result<ExtTerm, EtfError> {
        let mut open: Vec<Open> = Vec::new();
        loop {
            let start = self.pos;
            if base_depth + open.len() > self.max_depth {
                return Err(EtfError::TooDeep { offset: start });
            }
            let mut value = match self.header()? {
                Header::Done(value) => value,
                Header::Open(container) => {
                    open.push(container);
                    continue;
                }
            };
            // Feed the finished value to the innermost open container, closing as many as
            // are now complete.
            loop {
                let Some(mut top) = open.pop() else {
                    return Ok(value);
                };
                match top.push(value, self)? {
                    Some(done) => value = done,
                    None => {
                        open.push(top);
                        break;
                    }
                }
            }
        }
    }

    /// Reads the start of a term: either a whole leaf term, an empty container, or the
    /// header of a container whose elements follow.
    fn header(&mut self) -> Result<Header, EtfError> {
        let start = self.pos;
        let t = self.u8()?;
        let done = |term| Ok(Header::Done(term));
        match t {
            tag::SMALL_INTEGER => done(ExtTerm::Integer(i64::from(self.u8()?))),
            tag::INTEGER => done(ExtTerm::Integer(i64::from(self.u32()? as i32))),
            tag::FLOAT => done(self.text_float(start)?),
            tag::NEW_FLOAT => {
                let value = f64::from_bits(self.u64()?);
                if value.is_finite() {
                    done(ExtTerm::Float(value))
                } else {
                    Err(EtfError::BadFloat { offset: start })
                }
            }
            tag::ATOM | tag::SMALL_ATOM | tag::ATOM_UTF8 | tag::SMALL_ATOM_UTF8 => {
                self.pos = start;
                done(ExtTerm::Atom(self.atom()?))
            }
            tag::SMALL_TUPLE => {
                let arity = usize::from(self.u8()?);
                self.open_tuple(arity, start)
            }
            tag::LARGE_TUPLE => {
                let arity = self.u32()? as usize;
                self.open_tuple(arity, start)
            }
            tag::NIL => done(ExtTerm::Nil),
            tag::STRING => {
                let len = usize::from(self.u16()?);
                let bytes = self.bytes(len)?;
                if bytes.is_empty() {
                    return done(ExtTerm::Nil);
                }
                let elements = bytes.iter().map(|&b| ExtTerm::Integer(i64::from(b)));
                done(ExtTerm::List(elements.collect(), Box::new(ExtTerm::Nil)))
            }
            tag::LIST => {
                let len = self.u32()? as usize;
                // Elements and the tail: at least one byte each.
                self.check_count(len, 1, start)?;
                Ok(Header::Open(Open::List {
                    elements: Vec::with_capacity(len),
                    len,
                }))
            }
            tag::BINARY => {
                let len = self.u32()? as usize;
                done(ExtTerm::Binary(self.bytes(len)?.to_vec()))
            }
            tag::BIT_BINARY => {
                let len = self.u32()? as usize;
                let bits = self.u8()?;
                let data = self.bytes(len)?;
                // erl takes 1 to 8 bits in a last byte, and no bits of no bytes (<<>>).
                if (len == 0) != (bits == 0) || bits > 8 {
                    return Err(EtfError::BadBitCount { offset: start });
                }
                let mut data = data.to_vec();
                if bits == 8 || bits == 0 {
                    return done(ExtTerm::Binary(data));
                }
                // Unused low bits of the last byte carry no meaning; keep them zero so equal
                // bitstrings compare equal.
                if let Some(last) = data.last_mut() {
                    *last &= 0xFFu8 << (8 - bits);
                }
                done(ExtTerm::BitBinary(data, bits))
            }
            tag::SMALL_BIG => {
                let n = usize::from(self.u8()?);
                done(self.big(n, start)?)
            }
            tag::LARGE_BIG => {
                let n = self.u32()? as usize;
                done(self.big(n, start)?)
            }
            tag::MAP => {
                let arity = self.u32()? as usize;
                self.check_count(arity, 2, start)?;
                if arity == 0 {
                    return done(ExtTerm::Map(Vec::new()));
                }
                Ok(Header::Open(Open::Map {
                    pairs: Vec::with_capacity(arity),
                    key: None,
                    arity,
                }))
            }
            tag::PID | tag::NEW_PID => {
                let node = self.atom()?;
                let id = self.u32()?;
                let serial = self.u32()?;
                let creation = if t == tag::PID {
                    u32::from(self.u8()?)
                } else {
                    self.u32()?
                };
                done(ExtTerm::Pid {
                    node,
                    id,
                    serial,
                    creation,
                })
            }
            tag::PORT | tag::NEW_PORT | tag::V4_PORT => {
                let node = self.atom()?;
                let id = if t == tag::V4_PORT {
                    self.u64()?
                } else {
                    u64::from(self.u32()?)
                };
                let creation = if t == tag::PORT {
                    u32::from(self.u8()?)
                } else {
                    self.u32()?
                };
                done(ExtTerm::Port { node, id, creation })
            }
            tag::REFERENCE => {
                let node = self.atom()?;
                let id = self.u32()?;
                let creation = u32::from(self.u8()?);
                done(ExtTerm::Reference {
                    node,
                    creation,
                    ids: alloc::vec![id],
                })
            }
            tag::NEW_REFERENCE | tag::NEWER_REFERENCE => {
                let len = usize::from(self.u16()?);
                if len == 0 || len > 5 {
                    return Err(EtfError::BadReference { offset: start });
                }
                let node = self.atom()?;
                let creation = if t == tag::NEW_REFERENCE {
                    u32::from(self.u8()?)
                } else {
                    self.u32()?
                };
                let mut ids = Vec::with_capacity(len);
                for _ in 0..len {
                    ids.push(self.u32()?);
                }
                done(ExtTerm::Reference {
                    node,
                    creation,
                    ids,
                })
            }
            tag::EXPORT => {
                let module = self.atom()?;
                let function = self.atom()?;
                if self.u8()? != tag::SMALL_INTEGER {
                    return Err(EtfError::BadFun { offset: start });
                }
                let arity = self.u8()?;
                done(ExtTerm::ExportFun {
                    module,
                    function,
                    arity,
                })
            }
            tag::NEW_FUN => self.open_fun(start),
            _ => Err(EtfError::UnknownTag {
                tag: t,
                offset: start,
            }),
        }
    }

    fn open_tuple(&mut self, arity: usize, start: usize) -> Result<Header, EtfError> {
        self.check_count(arity, 1, start)?;
        if arity == 0 {
            return Ok(Header::Done(ExtTerm::Tuple(Vec::new())));
        }
        Ok(Header::Open(Open::Tuple {
            elements: Vec::with_capacity(arity),
            arity,
        }))
    }

    /// Reads the fixed fields of a NEW_FUN_EXT; the creator pid and free variables follow.
    fn open_fun(&mut self, start: usize) -> Result<Header, EtfError> {
        let size = self.u32()? as usize;
        let bad = EtfError::BadFun { offset: start };
        // The size counts itself and everything after the tag.
        let end = (start + 1).checked_add(size).ok_or(bad)?;
        if end > self.input.len() {
            return Err(EtfError::Truncated {
                offset: self.input.len(),
            });
        }
        let arity = self.u8()?;
        let mut uniq = [0u8; 16];
        uniq.copy_from_slice(self.bytes(16)?);
        let index = self.u32()?;
        let num_free = self.u32()? as usize;
        let module = self.atom()?;
        let old_index = self.integer_field(start)?;
        let old_uniq = self.integer_field(start)?;
        // The pid and each free variable take at least one byte.
        self.check_count(num_free.saturating_add(1), 1, start)?;
        Ok(Header::Open(Open::Fun(Box::new(FunParts {
            start,
            end,
            module,
            arity,
            uniq,
            index,
            old_index,
            old_uniq,
            pid: None,
            free: Vec::with_capacity(num_free),
            num_free,
        }))))
    }

    /// Reads any of the four atom encodings.
    fn atom(&mut self) -> Result<String, EtfError> {
        let start = self.pos;
        let t = self.u8()?;
        let (len, latin1) = match t {
            tag::ATOM => (usize::from(self.u16()?), true),
            tag::SMALL_ATOM => (usize::from(self.u8()?), true),
            tag::ATOM_UTF8 => (usize::from(self.u16()?), false),
            tag::SMALL_ATOM_UTF8 => (usize::from(self.u8()?), false),
            _ => {
                return Err(EtfError::UnknownTag {
                    tag: t,
                    offset: start,
                })
            }
        };
        let bytes = self.bytes(len)?;
        let bad = EtfError::BadAtom { offset: start };
        let name = if latin1 {
            bytes.iter().map(|&b| char::from(b)).collect::<String>()
        } else {
            String::from(core::str::from_utf8(bytes).map_err(|_| bad)?)
        };
        if name.chars().count() > 255 {
            return Err(bad);
        }
        Ok(name)
    }

    fn big(&mut self, n: usize, start: usize) -> Result<ExtTerm, EtfError> {
        let sign = self.u8()?;
        let digits = self.bytes(n)?;
        let sign = match sign {
            0 => Sign::Plus,
            1 => Sign::Minus,
            _ => return Err(EtfError::BadSign { offset: start }),
        };
        let value = BigInt::from_bytes_le(sign, digits);
        Ok(match value.to_i64() {
            Some(small) => ExtTerm::Integer(small),
            None => ExtTerm::BigInteger(value),
        })
    }

    fn text_float(&mut self, start: usize) -> Result<ExtTerm, EtfError> {
        let text = self.bytes(31)?;
        let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
        let bad = EtfError::BadFloat { offset: start };
        let text = core::str::from_utf8(&text[..end]).map_err(|_| bad)?;
        let value = crate::vm::decimal::parse(text.trim()).ok_or(bad)?;
        if value.is_finite() {
            Ok(ExtTerm::Float(value))
        } else {
            Err(bad)
        }
    }

    fn integer_field(&mut self, start: usize) -> Result<i64, EtfError> {
        match self.u8()? {
            tag::SMALL_INTEGER => Ok(i64::from(self.u8()?)),
            tag::INTEGER => Ok(i64::from(self.u32()? as i32)),
            _ => Err(EtfError::BadFun { offset: start }),
        }
    }
}

/// What [`Decoder::header`] found.
enum Header {
    /// A complete term.
    Done(ExtTerm),
    /// A container whose elements are still to be read.
    Open(Open),
}

/// A container being filled in by the iterative decoder.
enum Open {
    Tuple {
        elements: Vec<ExtTerm>,
        arity: usize,
    },
    /// `len` elements, then the tail.
    List {
        elements: Vec<ExtTerm>,
        len: usize,
    },
    Map {
        pairs: Vec<(ExtTerm, ExtTerm)>,
        key: Option<ExtTerm>,
        arity: usize,
    },
    Fun(Box<FunParts>),
}

/// The fields of a NEW_FUN_EXT read so far.
struct FunParts {
    start: usize,
    end: usize,
    module: String,
    arity: u8,
    uniq: [u8; 16],
    index: u32,
    old_index: i64,
    old_uniq: i64,
    pid: Option<ExtTerm>,
    free: Vec<ExtTerm>,
    num_free: usize,
}

impl Open {
    /// Adds the next decoded value; returns the finished container when it is complete.
    fn push(&mut self, value: ExtTerm, decoder: &Decoder<'_>) -> Result<Option<ExtTerm>, EtfError> {
        match self {
            Open::Tuple { elements, arity } => {
                elements.push(value);
                if elements.len() < *arity {
                    return Ok(None);
                }
                Ok(Some(ExtTerm::Tuple(core::mem::take(elements))))
            }
            Open::List { elements, len } => {
                if elements.len() < *len {
                    elements.push(value);
                    return Ok(None);
                }
                // `value` is the tail.
                let mut elements = core::mem::take(elements);
                if elements.is_empty() {
                    return Ok(Some(value));
                }
                // Keep one canonical shape: a list's tail is never itself a list.
                let mut value = value;
                Ok(Some(match &mut value {
                    ExtTerm::List(more, tail) => {
                        elements.append(more);
                        ExtTerm::List(elements, Box::new(core::mem::take(&mut **tail)))
                    }
                    _ => ExtTerm::List(elements, Box::new(value)),
                }))
            }
            Open::Map { pairs, key, arity } => {
                match key.take() {
                    None => *key = Some(value),
                    Some(k) => pairs.push((k, value)),
                }
                if pairs.len() < *arity {
                    return Ok(None);
                }
                Ok(Some(ExtTerm::Map(core::mem::take(pairs))))
            }
            Open::Fun(parts) => {
                let bad = EtfError::BadFun {
                    offset: parts.start,
                };
                if parts.pid.is_none() {
                    if !matches!(value, ExtTerm::Pid { .. }) {
                        return Err(bad);
                    }
                    parts.pid = Some(value);
                } else {
                    parts.free.push(value);
                }
                if parts.free.len() < parts.num_free {
                    return Ok(None);
                }
                if decoder.pos != parts.end {
                    return Err(bad);
                }
                let pid = parts.pid.take().ok_or(bad)?;
                Ok(Some(ExtTerm::LocalFun {
                    module: core::mem::take(&mut parts.module),
                    arity: parts.arity,
                    uniq: parts.uniq,
                    index: parts.index,
                    old_index: parts.old_index,
                    old_uniq: parts.old_uniq,
                    pid: Box::new(pid),
                    free: core::mem::take(&mut parts.free),
                }))
            }
        }
    }
}
