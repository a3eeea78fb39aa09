//! Encoding of [`ExtTerm`]s, byte for byte as OTP 25's `term_to_binary/1` does it.
//!
//! What is matched: integers as SMALL_INTEGER (0..=255), INTEGER (other `i32`), SMALL_BIG or
//! LARGE_BIG; floats as NEW_FLOAT; atoms as ATOM_EXT when every character is Latin-1 and as
//! SMALL_ATOM_UTF8/ATOM_UTF8 otherwise (OTP 25's default `minor_version` 1; [`EncodeOptions`]
//! selects `minor_version` 2, which always uses UTF-8 atoms, or 0, which writes floats as
//! FLOAT_EXT text); proper lists of at most 65535
//! integers in 0..=255 as STRING_EXT; bitstrings as BINARY or BIT_BINARY; pids as NEW_PID,
//! references as NEWER_REFERENCE, ports as NEW_PORT (V4_PORT when the number needs more than
//! 32 bits); funs as EXPORT and NEW_FUN. Maps with at most 32 pairs are written in map key
//! order, as OTP stores small maps; larger maps are written in the order given, whereas OTP
//! writes them in its internal hash order, so those bytes can differ from OTP's.
//!
//! Encoding is iterative, so a deeply nested term cannot exhaust the stack.

use alloc::vec::Vec;
use num_bigint::{BigInt, Sign};

use super::order::compare_keys;
use super::{tag, ExtTerm, VERSION};

/// Maps up to this many pairs are "flatmaps" in OTP and are written sorted by key.
pub const FLATMAP_MAX_PAIRS: usize = 32;

/// How floats and atoms are written, as `term_to_binary/2`'s `minor_version` option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodeOptions {
    /// 1 (OTP 25's default): Latin-1 atoms as ATOM_EXT. 2: all atoms as UTF-8. 0: as 1, but
    /// floats as the 31-byte text of C's `"%.20e"` (FLOAT_EXT).
    pub minor_version: u8,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions { minor_version: 1 }
    }
}

/// Encodes a term with the version byte, as OTP 25's `term_to_binary/1`.
pub fn encode(term: &ExtTerm) -> Vec<u8> {
    encode_with(term, EncodeOptions::default())
}

/// Encodes a term with the version byte, as `term_to_binary(Term, [{minor_version, N}])`.
pub fn encode_with(term: &ExtTerm, options: EncodeOptions) -> Vec<u8> {
    let mut out = alloc::vec![VERSION];
    encode_body(term, options, &mut out);
    out
}

/// Pending work of the iterative encoder.
enum Work<'a> {
    Term(&'a ExtTerm),
    /// Write the size of the NEW_FUN_EXT whose size field is at this offset.
    PatchFunSize(usize),
}

/// Appends the encoding of `term` without the version byte to `out`.
pub fn encode_body(term: &ExtTerm, options: EncodeOptions, out: &mut Vec<u8>) {
    let mut stack = alloc::vec![Work::Term(term)];
    while let Some(work) = stack.pop() {
        let term = match work {
            Work::Term(term) => term,
            Work::PatchFunSize(at) => {
                let size = (out.len() - at) as u32;
                out[at..at + 4].copy_from_slice(&size.to_be_bytes());
                continue;
            }
        };
        match term {
            ExtTerm::Integer(i) => integer(*i, out),
            ExtTerm::BigInteger(b) => big(b, out),
            ExtTerm::Float(f) if options.minor_version == 0 => text_float(*f, out),
            ExtTerm::Float(f) => {
                out.push(tag::NEW_FLOAT);
                out.extend_from_slice(&f.to_bits().to_be_bytes());
            }
            ExtTerm::Atom(name) => atom(name, options, out),
            ExtTerm::Tuple(elements) => {
                if let Ok(arity) = u8::try_from(elements.len()) {
                    out.push(tag::SMALL_TUPLE);
                    out.push(arity);
                } else {
                    out.push(tag::LARGE_TUPLE);
                    out.extend_from_slice(&(elements.len() as u32).to_be_bytes());
                }
                stack.extend(elements.iter().rev().map(Work::Term));
            }
            ExtTerm::Nil => out.push(tag::NIL),
            ExtTerm::List(elements, tail) => {
                if let Some(bytes) = as_string(elements, tail) {
                    out.push(tag::STRING);
                    out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
                    out.extend_from_slice(&bytes);
                    continue;
                }
                out.push(tag::LIST);
                out.extend_from_slice(&(elements.len() as u32).to_be_bytes());
                stack.push(Work::Term(tail));
                stack.extend(elements.iter().rev().map(Work::Term));
            }
            ExtTerm::Binary(bytes) => {
                out.push(tag::BINARY);
                out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
                out.extend_from_slice(bytes);
            }
            ExtTerm::BitBinary(bytes, bits) => bit_binary(bytes, *bits, out),
            ExtTerm::Map(pairs) => {
                out.push(tag::MAP);
                out.extend_from_slice(&(pairs.len() as u32).to_be_bytes());
                let mut order: Vec<&(ExtTerm, ExtTerm)> = pairs.iter().collect();
                if pairs.len() <= FLATMAP_MAX_PAIRS {
                    crate::sort::sort_by(&mut order, |a, b| compare_keys(&a.0, &b.0));
                }
                for (key, value) in order.into_iter().rev() {
                    stack.push(Work::Term(value));
                    stack.push(Work::Term(key));
                }
            }
            ExtTerm::Pid {
                node,
                id,
                serial,
                creation,
            } => {
                out.push(tag::NEW_PID);
                atom(node, options, out);
                out.extend_from_slice(&id.to_be_bytes());
                out.extend_from_slice(&serial.to_be_bytes());
                out.extend_from_slice(&creation.to_be_bytes());
            }
            ExtTerm::Port { node, id, creation } => {
                if let Ok(small) = u32::try_from(*id) {
                    out.push(tag::NEW_PORT);
                    atom(node, options, out);
                    out.extend_from_slice(&small.to_be_bytes());
                } else {
                    out.push(tag::V4_PORT);
                    atom(node, options, out);
                    out.extend_from_slice(&id.to_be_bytes());
                }
                out.extend_from_slice(&creation.to_be_bytes());
            }
            ExtTerm::Reference {
                node,
                creation,
                ids,
            } => {
                out.push(tag::NEWER_REFERENCE);
                out.extend_from_slice(&(ids.len() as u16).to_be_bytes());
                atom(node, options, out);
                out.extend_from_slice(&creation.to_be_bytes());
                for id in ids {
                    out.extend_from_slice(&id.to_be_bytes());
                }
            }
            ExtTerm::ExportFun {
                module,
                function,
                arity,
            } => {
                out.push(tag::EXPORT);
                atom(module, options, out);
                atom(function, options, out);
                out.push(tag::SMALL_INTEGER);
                out.push(*arity);
            }
            ExtTerm::LocalFun {
                module,
                arity,
                uniq,
                index,
                old_index,
                old_uniq,
                pid,
                free,
            } => {
                out.push(tag::NEW_FUN);
                let size_at = out.len();
                out.extend_from_slice(&[0; 4]);
                out.push(*arity);
                out.extend_from_slice(uniq);
                out.extend_from_slice(&index.to_be_bytes());
                out.extend_from_slice(&(free.len() as u32).to_be_bytes());
                atom(module, options, out);
                integer(*old_index, out);
                integer(*old_uniq, out);
                stack.push(Work::PatchFunSize(size_at));
                stack.extend(free.iter().rev().map(Work::Term));
                stack.push(Work::Term(pid));
            }
        }
    }
}

/// The bytes of a proper list that `term_to_binary` writes as STRING_EXT.
fn as_string(elements: &[ExtTerm], tail: &ExtTerm) -> Option<Vec<u8>> {
    if *tail != ExtTerm::Nil || elements.len() > usize::from(u16::MAX) {
        return None;
    }
    elements
        .iter()
        .map(|e| match e {
            ExtTerm::Integer(i) => u8::try_from(*i).ok(),
            _ => None,
        })
        .collect()
}

/// FLOAT_EXT: the float as C's `printf("%.20e")` writes it, NUL-padded to 31 bytes.
fn text_float(f: f64, out: &mut Vec<u8>) {
    // `sci` has the same exactly rounded digits as C but writes the exponent as `e5` /
    // `e-5`; C writes a sign and at least two digits.
    let text = crate::vm::decimal::sci(f, 20);
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(digits) => ('-', digits),
        None => ('+', exponent),
    };
    let mut field = alloc::format!("{mantissa}e{sign}{digits:0>2}").into_bytes();
    field.resize(31, 0);
    out.push(tag::FLOAT);
    out.extend_from_slice(&field[..31]);
}

fn integer(i: i64, out: &mut Vec<u8>) {
    if let Ok(small) = u8::try_from(i) {
        out.push(tag::SMALL_INTEGER);
        out.push(small);
    } else if let Ok(word) = i32::try_from(i) {
        out.push(tag::INTEGER);
        out.extend_from_slice(&word.to_be_bytes());
    } else {
        big(&BigInt::from(i), out);
    }
}

fn big(value: &BigInt, out: &mut Vec<u8>) {
    if let Ok(small) = i64::try_from(value) {
        if i32::try_from(small).is_ok() {
            integer(small, out);
            return;
        }
    }
    let (sign, digits) = value.to_bytes_le();
    let sign = u8::from(sign == Sign::Minus);
    if let Ok(n) = u8::try_from(digits.len()) {
        out.push(tag::SMALL_BIG);
        out.push(n);
    } else {
        out.push(tag::LARGE_BIG);
        out.extend_from_slice(&(digits.len() as u32).to_be_bytes());
    }
    out.push(sign);
    out.extend_from_slice(&digits);
}

fn bit_binary(bytes: &[u8], bits: u8, out: &mut Vec<u8>) {
    if bits == 0 || bits >= 8 || bytes.is_empty() {
        // A whole number of bytes is a binary.
        out.push(tag::BINARY);
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(bytes);
        return;
    }
    out.push(tag::BIT_BINARY);
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.push(bits);
    let (last, whole) = bytes.split_last().unwrap_or((&0, &[]));
    out.extend_from_slice(whole);
    out.push(last & (0xFFu8 << (8 - bits)));
}

fn atom(name: &str, options: EncodeOptions, out: &mut Vec<u8>) {
    let latin1 = options.minor_version < 2 && name.chars().all(|c| u32::from(c) <= 0xFF);
    if latin1 {
        let count = name.chars().count();
        out.push(tag::ATOM);
        out.extend_from_slice(&(count as u16).to_be_bytes());
        out.extend(name.chars().map(|c| u32::from(c) as u8));
    } else if let Ok(len) = u8::try_from(name.len()) {
        out.push(tag::SMALL_ATOM_UTF8);
        out.push(len);
        out.extend_from_slice(name.as_bytes());
    } else {
        out.push(tag::ATOM_UTF8);
        out.extend_from_slice(&(name.len() as u16).to_be_bytes());
        out.extend_from_slice(name.as_bytes());
    }
}
