//! `erlang:decode_packet/3` for the packet types `raw` (`0`), `1`, `2`, `4` and `line`, with
//! the options `{packet_size, N}` and `{line_length, N}`.
//!
//! The result is erl's: `{ok, Packet, Rest}`, `{more, Length | undefined}` when the binary
//! holds no whole packet yet, or `{error, invalid}` for a packet over `packet_size`. The other
//! packet types erl knows (`asn1`, `http`, ...) raise `badarg`.

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::term::Term;

/// How one packet is delimited.
#[derive(Clone, Copy)]
enum Kind {
    /// The whole binary.
    Raw,
    /// A big-endian length header of this many bytes.
    Header(usize),
    /// Up to and including a newline.
    Line,
}

/// What the binary holds.
enum Parsed {
    /// A packet of `len` bytes after a header of `skip` bytes.
    Packet { skip: usize, len: usize },
    /// Not enough bytes; the whole packet's size if the header says it.
    More(Option<usize>),
    /// Over `packet_size`.
    Invalid,
}

fn parse(kind: Kind, b: &[u8], max: usize, trunc: usize) -> Parsed {
    let limited = |n: usize| max != 0 && n > max;
    match kind {
        Kind::Raw if b.is_empty() => Parsed::More(None),
        Kind::Raw => Parsed::Packet {
            skip: 0,
            len: b.len(),
        },
        Kind::Header(h) => {
            if b.len() < h {
                return Parsed::More(None);
            }
            let len = b[..h].iter().fold(0usize, |n, &x| (n << 8) | x as usize);
            if limited(len) {
                Parsed::Invalid
            } else if b.len() < h + len {
                Parsed::More(Some(h + len))
            } else {
                Parsed::Packet { skip: h, len }
            }
        }
        Kind::Line => match b.iter().position(|&c| c == b'\n') {
            None if limited(b.len()) => Parsed::Invalid,
            None if trunc != 0 && b.len() >= trunc => Parsed::Packet {
                skip: 0,
                len: trunc,
            },
            None => Parsed::More(None),
            Some(i) if limited(i + 1) => Parsed::Invalid,
            Some(i) => Parsed::Packet {
                skip: 0,
                len: if trunc != 0 {
                    (i + 1).min(trunc)
                } else {
                    i + 1
                },
            },
        },
    }
}

fn kind(ctx: &Ctx, t: Term) -> Option<Kind> {
    if let Some(n) = t.as_small() {
        return Some(match n {
            0 => Kind::Raw,
            1 | 2 | 4 => Kind::Header(n as usize),
            _ => return None,
        });
    }
    if !t.is_atom() {
        return None;
    }
    match ctx.atoms.name(t) {
        "raw" => Some(Kind::Raw),
        "line" => Some(Kind::Line),
        _ => None,
    }
}

/// `{packet_size, N}` and `{line_length, N}`: (packet_size, line_length), 0 for no limit.
fn options(ctx: &Ctx, t: Term) -> Result<(usize, usize), Fault> {
    let (mut max, mut trunc) = (0, 0);
    for o in ctx.view().list_to_vec(t).ok_or_else(badarg)? {
        let (k, n) = match ctx.view().tuple(o) {
            Some([k, v]) if k.is_atom() => match v.as_small() {
                Some(n) if n >= 0 => (ctx.atoms.name(*k), n as usize),
                _ => return Err(badarg()),
            },
            _ => return Err(badarg()),
        };
        match k {
            "packet_size" => max = n,
            "line_length" => trunc = n,
            _ => return Err(badarg()),
        }
    }
    Ok((max, trunc))
}

/// `erlang:decode_packet(Type, Bin, Options)`.
pub fn decode_packet(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let kind = kind(ctx, a[0]).ok_or_else(badarg)?;
    let (max, trunc) = options(ctx, a[2])?;
    let b = crate::vm::bif::owned_bytes(ctx, a[1])?;
    // line_length applies to lines only.
    let trunc = if matches!(kind, Kind::Line) { trunc } else { 0 };
    let named = |ctx: &mut Ctx, n: &str| ctx.atoms.intern(n).map_err(|_| badarg());
    Ok(match parse(kind, &b, max, trunc) {
        Parsed::Packet { skip, len } => {
            let packet = ctx.p.heap.binary(b[skip..skip + len].to_vec());
            let rest = ctx.p.heap.binary(b[skip + len..].to_vec());
            ctx.p.heap.tuple(&[atom::OK, packet, rest])
        }
        Parsed::More(n) => {
            let more = named(ctx, "more")?;
            let n = match n {
                Some(n) => ctx.p.heap.int(n as i64),
                None => atom::UNDEFINED,
            };
            ctx.p.heap.tuple(&[more, n])
        }
        Parsed::Invalid => {
            let invalid = named(ctx, "invalid")?;
            ctx.p.heap.tuple(&[atom::ERROR, invalid])
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(p: Parsed) -> Option<(usize, usize)> {
        match p {
            Parsed::Packet { skip, len } => Some((skip, len)),
            _ => None,
        }
    }

    #[test]
    fn headers_give_the_body_or_the_size_still_needed() {
        assert_eq!(
            packet(parse(Kind::Header(1), b"\x03abcde", 0, 0)),
            Some((1, 3))
        );
        assert!(matches!(
            parse(Kind::Header(2), b"\x00\x05ab", 0, 0),
            Parsed::More(Some(7))
        ));
        assert!(matches!(
            parse(Kind::Header(4), b"\x00\x00", 0, 0),
            Parsed::More(None)
        ));
        assert!(matches!(
            parse(Kind::Header(2), b"\x01\x00ab", 10, 0),
            Parsed::Invalid
        ));
    }

    #[test]
    fn lines_end_at_a_newline_or_the_line_length() {
        assert_eq!(packet(parse(Kind::Line, b"ab\ncd", 0, 0)), Some((0, 3)));
        assert_eq!(packet(parse(Kind::Line, b"abcdef\nx", 0, 3)), Some((0, 3)));
        assert!(matches!(parse(Kind::Line, b"ab", 0, 3), Parsed::More(None)));
        assert!(matches!(
            parse(Kind::Line, b"abcdef", 3, 0),
            Parsed::Invalid
        ));
    }
}
