//! The compact term encoding of BEAM operands.
//!
//! The low three bits of the first byte are the tag (u i a x y f h z). The value is in the
//! high nibble (bit 3 clear), or in the top three bits plus the next byte (bits 3-4 = 01), or
//! in 2..=8 following bytes (bits 3-4 = 11, top three bits = length - 2), or, when the top
//! three bits are all set, in `n + 9` bytes where `n` is itself a compact `u` value. Byte
//! forms are big-endian two's complement; only `i` may be negative or need a big integer.
//! Tag `z` introduces an extended operand: 1 list, 2 float register, 3 allocation list,
//! 4 literal, 5 typed register.
//!
//! This module only decodes; range checks against the module's tables are done by the caller.

use alloc::vec::Vec;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

use super::error::OperandError;
use super::reader::Reader;
use super::Operand;

/// The number of X registers a module may use (as in OTP 25).
pub const MAX_X_REGISTERS: u32 = 1024;

const TAG_U: u8 = 0;
const TAG_I: u8 = 1;
const TAG_A: u8 = 2;
const TAG_X: u8 = 3;
const TAG_Y: u8 = 4;
const TAG_F: u8 = 5;
const TAG_H: u8 = 6;
const TAG_Z: u8 = 7;

/// A decoded tag and value, before it becomes an [`Operand`].
pub(crate) enum Tagged {
    /// A tag with a non-negative value that fits in a u64.
    Small(u8, u64),
    /// An `i` value that is negative or does not fit in a u64.
    Big(BigInt),
}

/// Reads one tagged value.
pub(crate) fn read_tagged(r: &mut Reader<'_>) -> Result<Tagged, OperandError> {
    read_tagged_with(r, true)
}

/// Reads one tagged value; `long` allows the form whose byte count is itself a compact value
/// (never needed for that count, so the recursion is one level deep at most).
fn read_tagged_with(r: &mut Reader<'_>, long: bool) -> Result<Tagged, OperandError> {
    let first = r.u8().map_err(|_| OperandError::Truncated)?;
    let tag = first & 7;
    if first & 0x08 == 0 {
        return Ok(Tagged::Small(tag, u64::from(first >> 4)));
    }
    if first & 0x10 == 0 {
        let low = r.u8().map_err(|_| OperandError::Truncated)?;
        return Ok(Tagged::Small(
            tag,
            (u64::from(first & 0xE0) << 3) | u64::from(low),
        ));
    }
    let len = match first >> 5 {
        7 if !long => return Err(OperandError::ValueTooLarge),
        7 => match read_tagged_with(r, false)? {
            Tagged::Small(TAG_U, n) => n
                .checked_add(9)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or(OperandError::ValueTooLarge)?,
            _ => return Err(OperandError::ValueTooLarge),
        },
        n => usize::from(n) + 2,
    };
    if len > r.remaining() {
        return Err(OperandError::Truncated);
    }
    let bytes = r.bytes(len).map_err(|_| OperandError::Truncated)?;
    let value = BigInt::from_signed_bytes_be(bytes);
    if tag != TAG_I && value.is_negative() {
        return Err(OperandError::ValueTooLarge);
    }
    match value.to_u64() {
        Some(v) => Ok(Tagged::Small(tag, v)),
        None if tag == TAG_I => Ok(Tagged::Big(value)),
        None => Err(OperandError::ValueTooLarge),
    }
}

fn to_u32(v: u64) -> Result<u32, OperandError> {
    u32::try_from(v).map_err(|_| OperandError::ValueTooLarge)
}

/// Reads a value that must have tag `u`.
fn read_unsigned(r: &mut Reader<'_>) -> Result<u64, OperandError> {
    match read_tagged(r)? {
        Tagged::Small(TAG_U, v) => Ok(v),
        _ => Err(OperandError::WrongKind),
    }
}

/// Reads one operand. `nested` is true inside an extended list, where lists may not nest.
pub(crate) fn read_operand(r: &mut Reader<'_>, nested: bool) -> Result<Operand, OperandError> {
    let (tag, value) = match read_tagged(r)? {
        Tagged::Small(tag, value) => (tag, value),
        Tagged::Big(big) => {
            return Ok(match big.to_i64() {
                Some(i) => Operand::Integer(i),
                None => Operand::BigInteger(big),
            })
        }
    };
    Ok(match tag {
        TAG_U => Operand::Unsigned(value),
        TAG_I => match i64::try_from(value) {
            Ok(i) => Operand::Integer(i),
            Err(_) => Operand::BigInteger(BigInt::from(value)),
        },
        TAG_A if value == 0 => Operand::Nil,
        TAG_A => Operand::Atom(to_u32(value - 1)?),
        TAG_X => x_register(value)?,
        TAG_Y => Operand::Y(to_u32(value)?),
        TAG_F => Operand::Label(to_u32(value)?),
        TAG_H => Operand::Char(to_u32(value)?),
        TAG_Z => extended(r, value, nested)?,
        _ => return Err(OperandError::WrongKind),
    })
}

fn x_register(value: u64) -> Result<Operand, OperandError> {
    let x = to_u32(value)?;
    if x >= MAX_X_REGISTERS {
        return Err(OperandError::XRegisterTooLarge(x));
    }
    Ok(Operand::X(x))
}

fn extended(r: &mut Reader<'_>, ext: u64, nested: bool) -> Result<Operand, OperandError> {
    match ext {
        1 => {
            if nested {
                return Err(OperandError::NestedList);
            }
            let len = read_unsigned(r)?;
            // Every element takes at least one byte.
            let len = usize::try_from(len)
                .ok()
                .filter(|&n| n <= r.remaining())
                .ok_or(OperandError::Truncated)?;
            let mut items = Vec::with_capacity(len);
            for _ in 0..len {
                items.push(read_operand(r, true)?);
            }
            Ok(Operand::List(items))
        }
        2 => Ok(Operand::FloatReg(to_u32(read_unsigned(r)?)?)),
        3 => {
            if nested {
                return Err(OperandError::NestedList);
            }
            let len = read_unsigned(r)?;
            // Every entry takes at least two bytes.
            let len = usize::try_from(len)
                .ok()
                .filter(|&n| n <= r.remaining() / 2)
                .ok_or(OperandError::Truncated)?;
            let mut items = Vec::with_capacity(len);
            for _ in 0..len {
                let kind = read_unsigned(r)?;
                if kind > 2 {
                    return Err(OperandError::BadAllocKind(kind));
                }
                let count = to_u32(read_unsigned(r)?)?;
                items.push((kind as u32, count));
            }
            Ok(Operand::AllocList(items))
        }
        4 => Ok(Operand::Literal(to_u32(read_unsigned(r)?)?)),
        5 => {
            let register = match read_tagged(r)? {
                Tagged::Small(TAG_X, v) => x_register(v)?,
                Tagged::Small(TAG_Y, v) => Operand::Y(to_u32(v)?),
                _ => return Err(OperandError::BadTypedRegister),
            };
            // The type index refers to the Type chunk, which this loader does not keep.
            read_unsigned(r)?;
            Ok(register)
        }
        other => Err(OperandError::UnknownExtendedTag(other)),
    }
}
