//! Errors from decoding the external term format.
//!
//! Every variant carries the byte offset (in the term being decoded, after any decompression)
//! where the problem was found, so a caller can report it precisely.

use core::fmt;

/// Why a byte sequence is not a valid external term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EtfError {
    /// The input ended inside a term.
    Truncated {
        /// Offset where more bytes were needed.
        offset: usize,
    },
    /// The first byte is not the version byte 131.
    BadVersion {
        /// The byte found instead.
        found: u8,
    },
    /// A tag this decoder does not know (or one only valid in distribution messages).
    UnknownTag {
        /// The tag byte.
        tag: u8,
        /// Its offset.
        offset: usize,
    },
    /// Terms nest deeper than the decoder's limit.
    TooDeep {
        /// Offset of the term that went over the limit.
        offset: usize,
    },
    /// A count or length is larger than the remaining input could possibly hold.
    BadLength {
        /// Offset of the count.
        offset: usize,
    },
    /// An atom is not valid UTF-8 or has more than 255 characters.
    BadAtom {
        /// Offset of the atom.
        offset: usize,
    },
    /// A float is not finite, or a textual float does not parse.
    BadFloat {
        /// Offset of the float.
        offset: usize,
    },
    /// A big integer has a sign byte other than 0 or 1.
    BadSign {
        /// Offset of the integer.
        offset: usize,
    },
    /// A bit binary declares 0 or more than 8 bits in its last byte, or has no bytes.
    BadBitCount {
        /// Offset of the bit binary.
        offset: usize,
    },
    /// A reference has no words or more than five.
    BadReference {
        /// Offset of the reference.
        offset: usize,
    },
    /// A fun is malformed: its size field disagrees with its contents, or a field has the
    /// wrong kind of term.
    BadFun {
        /// Offset of the fun.
        offset: usize,
    },
    /// A compressed term does not inflate to exactly its declared size.
    BadCompression {
        /// Offset of the compressed term.
        offset: usize,
    },
    /// Bytes remain after a complete term.
    TrailingBytes {
        /// Offset of the first byte not used.
        offset: usize,
    },
}

impl EtfError {
    /// A stable numeric code for the error kind, for logs and crash reasons.
    pub fn code(&self) -> u16 {
        match self {
            EtfError::Truncated { .. } => 1,
            EtfError::BadVersion { .. } => 2,
            EtfError::UnknownTag { .. } => 3,
            EtfError::TooDeep { .. } => 4,
            EtfError::BadLength { .. } => 5,
            EtfError::BadAtom { .. } => 6,
            EtfError::BadFloat { .. } => 7,
            EtfError::BadSign { .. } => 8,
            EtfError::BadBitCount { .. } => 9,
            EtfError::BadReference { .. } => 10,
            EtfError::BadFun { .. } => 11,
            EtfError::BadCompression { .. } => 12,
            EtfError::TrailingBytes { .. } => 13,
        }
    }
}

impl fmt::Display for EtfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            EtfError::Truncated { offset } => write!(f, "term truncated at byte {offset}"),
            EtfError::BadVersion { found } => {
                write!(f, "external term starts with {found}, not version byte 131")
            }
            EtfError::UnknownTag { tag, offset } => {
                write!(f, "unknown external term tag {tag} at byte {offset}")
            }
            EtfError::TooDeep { offset } => {
                write!(f, "term nested too deeply at byte {offset}")
            }
            EtfError::BadLength { offset } => {
                write!(f, "length at byte {offset} exceeds the remaining input")
            }
            EtfError::BadAtom { offset } => write!(f, "invalid atom at byte {offset}"),
            EtfError::BadFloat { offset } => write!(f, "invalid float at byte {offset}"),
            EtfError::BadSign { offset } => {
                write!(f, "big integer at byte {offset} has an invalid sign byte")
            }
            EtfError::BadBitCount { offset } => {
                write!(f, "bit binary at byte {offset} has an invalid bit count")
            }
            EtfError::BadReference { offset } => {
                write!(f, "reference at byte {offset} has an invalid word count")
            }
            EtfError::BadFun { offset } => write!(f, "malformed fun at byte {offset}"),
            EtfError::BadCompression { offset } => {
                write!(
                    f,
                    "compressed term at byte {offset} does not inflate to its size"
                )
            }
            EtfError::TrailingBytes { offset } => {
                write!(f, "unexpected bytes after the term at byte {offset}")
            }
        }
    }
}
