//! `erlang:decode_packet/3`: erl's packet types `raw` (`0`), `1`, `2`, `4`, `line`, `asn1`,
//! `sunrm`, `cdr`, `fcgi`, `tpkt`, `ssl_tls`, and the HTTP types of [`super::packet_http`],
//! with the options `{packet_size, N}`, `{line_length, N}` and `{line_delimiter, C}`.
//!
//! The result is erl's: `{ok, Packet, Rest}`, `{more, Length | undefined}` when the binary
//! holds no whole packet yet, or `{error, invalid}` for a malformed header or a packet over
//! `packet_size`. Packet and rest are sub-binaries of the argument, which may be a bitstring
//! (its last bits stay in the rest). Sizes are checked in erl's 32-bit arithmetic, so a
//! header saying more than 2^31 bytes is `invalid` as in erl. An unknown type is `badarg`
//! with `cause => badopt`, any other bad argument a plain `badarg`.

use alloc::vec::Vec;

use super::packet_http::{self, Names, Text};
use crate::vm::atom;
use crate::vm::bif::{badarg, badarg_cause, BifResult, Ctx, Fault};
use crate::vm::heap::BinSlice;
use crate::vm::term::Term;

/// How one packet is delimited.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// The whole binary.
    Raw,
    /// A big-endian length header of this many bytes, left out of the packet.
    Header(u32),
    /// Sun RPC's record marker: a 4-byte length, its top bit the last-fragment flag.
    SunRm,
    /// A BER tag and length.
    Asn1,
    /// A CORBA GIOP header.
    Cdr,
    /// A FastCGI record; its padding is left out of the packet.
    Fcgi,
    /// An ISO-on-TCP (RFC 1006) header.
    Tpkt,
    /// A TLS record (or an SSLv2 client hello), decoded to `{ssl_tls, ...}`.
    SslTls,
    /// Up to and including the delimiter.
    Line,
    /// An HTTP line, decoded; `header` when it starts in the header state (`httph`),
    /// `bin` for binaries rather than strings.
    Http { header: bool, bin: bool },
}

/// The options, as erl's 32-bit values (0 for no limit).
struct Options {
    packet_size: u32,
    line_length: u32,
    delimiter: u8,
}

/// What the start of the binary holds.
#[derive(Debug, PartialEq)]
enum Framed {
    /// A whole packet of this many bytes.
    Packet(usize),
    /// Not enough bytes; the whole packet's size if the header says it.
    More(Option<usize>),
    /// A malformed header, or over `packet_size`.
    Invalid,
}

/// erl's length check for a header of `hlen` and a body of `plen` bytes (`max` 0: none):
/// the total as a C int, invalid when it wraps below the header's size.
fn remain(hlen: u32, plen: u32, max: u32) -> Option<i32> {
    let total = hlen.wrapping_add(plen) as i32;
    (max == 0 || plen <= max)
        .then_some(total)
        .filter(|&t| t >= hlen as i32)
}

/// A big-endian number (one copy for all the header formats).
#[inline(never)]
fn be(b: &[u8]) -> u32 {
    b.iter().fold(0, |n, &x| (n << 8) | x as u32)
}

/// The length of the packet at the start of `b` as erl computes it: > 0 the whole size,
/// 0 unknown yet, `None` invalid.
fn length(kind: Kind, b: &[u8], o: &Options) -> Option<i32> {
    let n = b.len();
    let hl = |h: usize| n < h;
    let max = o.packet_size;
    match kind {
        Kind::Raw => Some(n as u32 as i32),
        Kind::Header(h) if hl(h as usize) => Some(0),
        Kind::Header(h) => remain(h, be(&b[..h as usize]), max),
        Kind::SunRm if hl(4) => Some(0),
        Kind::SunRm => remain(4, be(&b[..4]) & 0x7fff_ffff, max),
        Kind::Asn1 => asn1(b, max),
        Kind::Cdr | Kind::Fcgi if hl(if kind == Kind::Cdr { 12 } else { 8 }) => Some(0),
        Kind::Cdr if &b[..4] != b"GIOP" => None,
        Kind::Cdr if b[6] & 1 != 0 => {
            remain(12, u32::from_le_bytes([b[8], b[9], b[10], b[11]]), max)
        }
        Kind::Cdr => remain(12, be(&b[8..12]), max),
        Kind::Fcgi if b[0] != 1 => None,
        Kind::Fcgi => remain(8, be(&b[4..6]) + b[6] as u32, max),
        Kind::Tpkt | Kind::SslTls if hl(if kind == Kind::Tpkt { 4 } else { 5 }) => Some(0),
        Kind::Tpkt if b[0] != 3 => None,
        Kind::Tpkt => remain(4, be(&b[2..4]).wrapping_sub(4), max),
        Kind::SslTls if b[0] & 0x80 != 0 && b[2] == 1 => {
            remain(5, (be(&b[..2]) & 0x7fff).wrapping_sub(3), max)
        }
        Kind::SslTls => remain(5, be(&b[3..5]), max),
        Kind::Line => line(b, max, o.line_length, o.delimiter),
        Kind::Http { header, .. } => packet_http::length(b, max, o.line_length, header),
    }
}

fn line(b: &[u8], max: u32, trunc: u32, delimiter: u8) -> Option<i32> {
    let over = |n: usize, limit: u32| limit != 0 && n > limit as usize;
    match b.iter().position(|&c| c == delimiter) {
        None if over(b.len(), max) => None,
        None if trunc != 0 && b.len() >= trunc as usize => Some(trunc as i32),
        None => Some(0),
        Some(i) if over(i + 1, max) => None,
        Some(i) if over(i + 1, trunc) => Some(trunc as i32),
        Some(i) => Some((i + 1) as i32),
    }
}

/// A BER tag (one byte, or more for tag numbers over 30) then a short or long length.
fn asn1(b: &[u8], max: u32) -> Option<i32> {
    if b.len() < 2 {
        return Some(0);
    }
    let (mut t, mut left) = (1, b.len() - 1);
    if b[0] & 0x1f == 0x1f {
        while left > 0 && b[t] & 0x80 != 0 {
            t += 1;
            left -= 1;
        }
        if left < 2 {
            return Some(0);
        }
        t += 1;
        left -= 1;
    }
    let len = (b[t] & 0x7f) as usize;
    let plen = if b[t] & 0x80 != 0 {
        t += 1;
        if left - 1 < len {
            return Some(0);
        }
        if len > 4 {
            return None;
        }
        t += len;
        be(&b[t - len..t])
    } else {
        t += 1;
        len as u32
    };
    remain(t as u32, plen, max)
}

/// What the start of `b` holds, as erl's `decode_packet` classifies `length`'s answer.
fn frame(kind: Kind, b: &[u8], o: &Options) -> Framed {
    match length(kind, b, o) {
        None => Framed::Invalid,
        Some(n) if n < 0 => Framed::Invalid,
        Some(0) => Framed::More(None),
        Some(n) if n as usize <= b.len() => Framed::Packet(n as usize),
        Some(n) => Framed::More(Some(n as usize)),
    }
}

/// The body of a whole packet of `total` bytes (never less than its header, as [`remain`]
/// sees to): the bytes after a length header, a FastCGI record without its padding, else the
/// whole packet.
fn body(kind: Kind, b: &[u8], total: usize) -> (usize, usize) {
    match kind {
        Kind::Header(h) => (h as usize, total - h as usize),
        Kind::Fcgi => (0, total - b[6] as usize),
        _ => (0, total),
    }
}

/// The packet types named by atoms, separated by spaces, and what they are, in order.
static NAMED: Names<13> =
    Names::new("raw line asn1 sunrm cdr fcgi tpkt ssl_tls http httph http_bin httph_bin");
const NAMED_KINDS: [Kind; 12] = [
    Kind::Raw,
    Kind::Line,
    Kind::Asn1,
    Kind::SunRm,
    Kind::Cdr,
    Kind::Fcgi,
    Kind::Tpkt,
    Kind::SslTls,
    Kind::Http {
        header: false,
        bin: false,
    },
    Kind::Http {
        header: true,
        bin: false,
    },
    Kind::Http {
        header: false,
        bin: true,
    },
    Kind::Http {
        header: true,
        bin: true,
    },
];

fn kind(ctx: &Ctx, t: Term) -> Option<Kind> {
    match t.as_small() {
        Some(0) => Some(Kind::Raw),
        Some(n @ (1 | 2 | 4)) => Some(Kind::Header(n as u32)),
        _ if t.is_atom() => {
            let name = ctx.atoms.name(t).as_bytes();
            NAMED.find(name).map(|(i, _)| NAMED_KINDS[i])
        }
        _ => None,
    }
}

/// The options' names, in the order `options` matches them.
static OPTIONS: Names<4> = Names::new("packet_size line_length line_delimiter");

/// The options list: each `{Name, N}` with `N` in 0..2^32, `line_delimiter` only for `line`
/// and up to 255.
fn options(ctx: &Ctx, kind: Kind, mut t: Term) -> Result<Options, Fault> {
    let mut o = Options {
        packet_size: 0,
        line_length: 0,
        delimiter: b'\n',
    };
    let v = ctx.view();
    while t.is_cons() {
        let (opt, tail) = v.cons(t);
        t = tail;
        let Some([k, n]) = v.tuple(opt) else {
            return Err(badarg());
        };
        let n = n
            .as_small()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(badarg)?;
        let name = k.is_atom().then(|| ctx.atoms.name(*k).as_bytes());
        match (name.and_then(|name| OPTIONS.find(name)), kind) {
            (Some((0, _)), _) => o.packet_size = n,
            (Some((1, _)), _) => o.line_length = n,
            (Some((2, _)), Kind::Line) if n <= 255 => o.delimiter = n as u8,
            _ => return Err(badarg()),
        }
    }
    if !t.is_nil() {
        return Err(badarg());
    }
    Ok(o)
}

/// `erlang:decode_packet(Type, Bin, Options)`.
pub fn decode_packet(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let Some(kind) = kind(ctx, a[0]) else {
        return Err(badarg_cause(atom::BADOPT));
    };
    let o = options(ctx, kind, a[2])?;
    let view = ctx.view();
    let (buf, off, bits) = view.bin_ref(a[1]).ok_or_else(badarg)?;
    let s = view.binary(a[1]).ok_or_else(badarg)?;
    // The whole bytes, read in place unless the binary starts inside a byte.
    let bytes = BinSlice {
        bit_len: bits / 8 * 8,
        ..s
    };
    let copy;
    let b = match bytes.bytes() {
        Some(b) => b,
        None => {
            copy = bytes.try_to_vec().ok_or_else(system_limit)?;
            &copy[..]
        }
    };
    let framed = frame(kind, b, &o);
    // The packet's bytes when its term is decoded from them (taken before the view goes).
    let mut packet = Vec::new();
    let mut range = (0, 0);
    if let Framed::Packet(total) = framed {
        if matches!(kind, Kind::Http { .. } | Kind::SslTls) {
            packet
                .try_reserve_exact(total)
                .map_err(|_| system_limit())?;
            packet.extend_from_slice(&b[..total]);
        }
        range = body(kind, b, total);
    }
    ctx.charge(bits / 512);
    let total = match framed {
        Framed::Packet(total) => total,
        Framed::More(n) => {
            let more = ctx.atoms.intern("more").map_err(|_| badarg())?;
            let n = n.map_or(atom::UNDEFINED, |n| ctx.p.heap.int(n as i64));
            return Ok(ctx.p.heap.tuple(&[more, n]));
        }
        Framed::Invalid => return invalid(ctx),
    };
    let text = Text {
        buf,
        off,
        bin: matches!(kind, Kind::Http { bin: true, .. }),
    };
    let packet = match kind {
        Kind::Http { header, .. } => packet_http::decode(ctx, &text, &packet, header)?,
        Kind::SslTls => ssl_tls(ctx, &text, &packet)?,
        _ => text.binary(ctx, range.0, range.1),
    };
    let rest = ctx.p.heap.bin_ref(buf, off + 8 * total, bits - 8 * total);
    Ok(ctx.p.heap.tuple(&[atom::OK, packet, rest]))
}

fn system_limit() -> Fault {
    Fault::error(atom::SYSTEM_LIMIT)
}

fn invalid(ctx: &mut Ctx) -> BifResult {
    let invalid = ctx.atoms.intern("invalid").map_err(|_| badarg())?;
    Ok(ctx.p.heap.tuple(&[atom::ERROR, invalid]))
}

/// `{ssl_tls, [], ContentType, {Major, Minor}, Data}` for a TLS record, or for an SSLv2
/// client hello (content type 22, its data after a `<<1, Length:24>>` prefix) as erl gives.
fn ssl_tls(ctx: &mut Ctx, text: &Text, p: &[u8]) -> BifResult {
    let (kind, version, data) = if p[0] & 0x80 != 0 && p[2] == 1 {
        // A hello's length has 15 bits: the copy is small.
        let n = (p.len() - 3) as u32;
        let mut d = alloc::vec![1];
        d.extend_from_slice(&n.to_be_bytes()[1..]);
        d.extend_from_slice(&p[3..]);
        (22, &p[3..5], ctx.p.heap.binary(d))
    } else {
        (p[0], &p[1..3], text.binary(ctx, 5, p.len() - 5))
    };
    let tag = ctx.atoms.intern("ssl_tls").map_err(|_| badarg())?;
    let small = |n: u8| Term::small(n as i64);
    let version = ctx.p.heap.tuple(&[small(version[0]), small(version[1])]);
    Ok(ctx
        .p
        .heap
        .tuple(&[tag, Term::NIL, small(kind), version, data]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(kind: Kind, b: &[u8], packet_size: u32, line_length: u32) -> Framed {
        let o = Options {
            packet_size,
            line_length,
            delimiter: b'\n',
        };
        frame(kind, b, &o)
    }

    #[test]
    fn headers_give_the_size_still_needed_or_invalid() {
        assert_eq!(
            framed(Kind::Header(1), b"\x03abcde", 0, 0),
            Framed::Packet(4)
        );
        assert_eq!(
            framed(Kind::Header(2), b"\x00\x05ab", 0, 0),
            Framed::More(Some(7))
        );
        assert_eq!(
            framed(Kind::Header(4), b"\x00\x00", 0, 0),
            Framed::More(None)
        );
        assert_eq!(
            framed(Kind::Header(2), b"\x01\x00ab", 10, 0),
            Framed::Invalid
        );
        // Over 2^31 - 1 bytes in all: erl's int cannot hold it.
        assert_eq!(
            framed(Kind::Header(4), b"\xff\xff\xff\xff", 0, 0),
            Framed::Invalid
        );
        assert_eq!(
            framed(Kind::SunRm, b"\x80\x00\x00\x02ab", 0, 0),
            Framed::Packet(6)
        );
        // A total that wraps below the header's size is invalid, whatever the limit.
        let max = u32::MAX;
        assert_eq!(
            framed(Kind::Header(4), b"\xff\xff\xff\xffab", max, 0),
            Framed::Invalid
        );
        assert_eq!(
            framed(Kind::Tpkt, b"\x03\x00\x00\x00ab", max, 0),
            Framed::Invalid
        );
    }

    #[test]
    fn lines_end_at_a_newline_or_the_line_length() {
        assert_eq!(framed(Kind::Line, b"ab\ncd", 0, 0), Framed::Packet(3));
        assert_eq!(framed(Kind::Line, b"abcdef\nx", 0, 3), Framed::Packet(3));
        assert_eq!(framed(Kind::Line, b"ab", 0, 3), Framed::More(None));
        assert_eq!(framed(Kind::Line, b"abcdef", 3, 0), Framed::Invalid);
    }

    #[test]
    fn other_headers_follow_their_formats() {
        assert_eq!(framed(Kind::Asn1, b"\x30\x03abcd", 0, 0), Framed::Packet(5));
        assert_eq!(
            framed(Kind::Asn1, b"\x30\x82\x00\x03abcd", 0, 0),
            Framed::Packet(7)
        );
        assert_eq!(
            framed(Kind::Asn1, b"\x1f\x81\x01\x01a", 0, 0),
            Framed::Packet(5)
        );
        assert_eq!(
            framed(Kind::Asn1, b"\x30\x85\x00\x00\x00\x00\x01", 0, 0),
            Framed::Invalid
        );
        assert_eq!(
            framed(Kind::Tpkt, b"\x03\x00\x00\x02", 0, 0),
            Framed::Invalid
        );
        assert_eq!(
            framed(Kind::Tpkt, b"\x03\x00\x00\x06ab", 0, 0),
            Framed::Packet(6)
        );
        assert_eq!(
            framed(Kind::Fcgi, b"\x01\x01\x00\x01\x00\x02\x03\x00", 0, 0),
            Framed::More(Some(13))
        );
        assert_eq!(
            framed(Kind::Cdr, b"GIOP\x01\x00\x01\x00\x02\x00\x00\x00ab", 0, 0),
            Framed::Packet(14)
        );
        assert_eq!(
            framed(Kind::Cdr, b"GIOX\x01\x00\x01\x00\x02\x00\x00\x00ab", 0, 0),
            Framed::Invalid
        );
    }
}
