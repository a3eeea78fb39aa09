//! The HTTP packet types of `erlang:decode_packet/3`: `http`, `httph`, `http_bin` and
//! `httph_bin`, one line (or one folded header) at a time, as erl decodes them.
//!
//! `http` reads a request line, `{http_request, Method, Uri, {Major, Minor}}`, or a status
//! line, `{http_response, {Major, Minor}, Status, Reason}`; `httph` a header line,
//! `{http_header, Bit, Name, Original, Value}`, or the empty line, `http_eoh`. A line that
//! does not parse is `{http_error, Line}` (the line with its end). The `_bin` types give
//! binaries where the others give strings (lists of bytes). Known methods are atoms
//! (`'GET'`); known header names (erl's table of 52) are atoms with their bit number, others
//! strings with erl's case rule (each word's first letter upper case, the rest lower case;
//! names over 50 bytes as they are). Header values folded over lines (a line starting with
//! a space or tab) keep their line ends. Numbers are C ints as in erl: digits past 2^31 wrap.

use crate::vm::bif::{badarg, BifResult, Ctx};
use crate::vm::term::Term;

/// Names in one string, separated by spaces (one string keeps a table small in the image),
/// with where each starts: `starts[k]..starts[k + 1] - 1` is name `k`.
pub struct Names<const N: usize> {
    text: &'static str,
    starts: [u16; N],
}

impl<const N: usize> Names<N> {
    /// The table of the `N - 1` names in `text`.
    pub const fn new(text: &'static str) -> Self {
        let b = text.as_bytes();
        let mut starts = [0u16; N];
        let (mut i, mut k) = (0, 1);
        while i < b.len() {
            if b[i] == b' ' {
                starts[k] = (i + 1) as u16;
                k += 1;
            }
            i += 1;
        }
        assert!(k == N - 1, "N is one more than the number of names");
        starts[k] = (b.len() + 1) as u16;
        Names { text, starts }
    }

    /// The name equal to `s`, and its place from 0.
    pub fn find(&self, s: &[u8]) -> Option<(usize, &'static str)> {
        find_name(self.text, &self.starts, s)
    }
}

/// [`Names::find`], one copy for every table size.
#[inline(never)]
fn find_name(text: &'static str, starts: &[u16], s: &[u8]) -> Option<(usize, &'static str)> {
    starts.windows(2).enumerate().find_map(|(k, w)| {
        let name = &text[w[0] as usize..w[1] as usize - 1];
        (name.as_bytes() == s).then_some((k, name))
    })
}

/// The methods that decode to atoms.
static METHODS: Names<8> = Names::new("OPTIONS GET HEAD POST PUT DELETE TRACE");

/// The header names that decode to atoms, in erl's order: a name's bit is its place,
/// counting from 1.
static HEADERS: Names<53> = Names::new(
    "Cache-Control Connection Date Pragma Transfer-Encoding Upgrade Via Accept \
    Accept-Charset Accept-Encoding Accept-Language Authorization From Host \
    If-Modified-Since If-Match If-None-Match If-Range If-Unmodified-Since Max-Forwards \
    Proxy-Authorization Range Referer User-Agent Age Location Proxy-Authenticate Public \
    Retry-After Server Vary Warning Www-Authenticate Allow Content-Base Content-Encoding \
    Content-Language Content-Length Content-Location Content-Md5 Content-Range \
    Content-Type Etag Expires Last-Modified Accept-Ranges Set-Cookie Set-Cookie2 \
    X-Forwarded-For Cookie Keep-Alive Proxy-Connection",
);

/// The longest header name erl normalises and looks up.
const MAX_NAME: usize = 50;

/// Where the argument binary's bytes are, for sub-binaries of it, and whether text is built
/// as binaries.
pub struct Text {
    /// The argument's buffer word.
    pub buf: u64,
    /// The argument's bit offset in its buffer.
    pub off: usize,
    /// Binaries (`http_bin`) rather than strings.
    pub bin: bool,
}

impl Text {
    /// A sub-binary of the argument: `len` bytes from byte `start`.
    pub fn binary(&self, ctx: &mut Ctx, start: usize, len: usize) -> Term {
        ctx.p.heap.bin_ref(self.buf, self.off + 8 * start, 8 * len)
    }

    /// Bytes `span` of `p` (the argument's bytes) as a string or a sub-binary.
    fn span(&self, ctx: &mut Ctx, p: &[u8], (start, len): Span) -> Term {
        if self.bin {
            self.binary(ctx, start, len)
        } else {
            ctx.p.heap.byte_list(&p[start..start + len])
        }
    }

    /// Bytes not in the argument as a string or a new binary.
    fn fresh(&self, ctx: &mut Ctx, s: &[u8]) -> Term {
        if self.bin {
            ctx.p.heap.binary(s.to_vec())
        } else {
            ctx.p.heap.byte_list(s)
        }
    }
}

/// `len` bytes from `start`.
type Span = (usize, usize);

/// A request's URI.
enum Uri {
    /// `*`
    Star,
    /// `{abs_path, Path}`
    AbsPath(Span),
    /// `{absoluteURI, http | https, Host, Port | undefined, Path}`; no path is `"/"`.
    Absolute {
        https: bool,
        host: Span,
        port: Option<i32>,
        path: Option<Span>,
    },
    /// `{scheme, Scheme, Rest}`
    Scheme(Span, Span),
    /// Anything else, as it is.
    Other(Span),
}

/// A decoded line.
enum Line {
    Request {
        method: Result<&'static str, Span>,
        uri: Uri,
        version: (i32, i32),
    },
    Response {
        version: (i32, i32),
        status: i32,
        reason: Span,
    },
    Header {
        known: Option<(usize, &'static str)>,
        name: Result<([u8; MAX_NAME], usize), Span>,
        original: Span,
        value: Span,
    },
    Eoh,
    Error,
}

fn space(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Not a token character: controls, space, bytes over 127 and HTTP's separators.
fn special(c: u8) -> bool {
    !(33..128).contains(&c) || b"()<>@,;:\\\"/[]?={}".contains(&c)
}

/// The length of the HTTP packet at the start of `b` as erl computes it: > 0 the whole line
/// (a header with its continuation lines), 0 unknown yet, `None` over the limit
/// (`packet_size`, else `line_length`).
pub fn length(b: &[u8], max: u32, line_length: u32, header: bool) -> Option<i32> {
    let n = b.len();
    if b == b"\n" || b == b"\r\n" {
        return Some(n as i32);
    }
    let max = if max == 0 { line_length } else { max } as usize;
    let over = |len: usize| max != 0 && len > max;
    let mut from = 0;
    loop {
        let Some(i) = b[from..].iter().position(|&c| c == b'\n') else {
            return (max == 0 || n < max).then_some(0);
        };
        let len = from + i + 1;
        if header && len < n && space(b[len]) && len > 2 {
            from = len;
            continue;
        }
        if over(len) {
            return None;
        }
        let whole = !header || len < n;
        return Some(if whole { len as i32 } else { 0 });
    }
}

/// Reads a run of decimal digits from `p[*i..end]`, wrapping as a C int does; `None` when
/// there is none.
fn digits(p: &[u8], i: &mut usize, end: usize) -> Option<i32> {
    let start = *i;
    let mut v: i32 = 0;
    while *i < end && p[*i].is_ascii_digit() {
        v = v.wrapping_mul(10).wrapping_add((p[*i] - b'0') as i32);
        *i += 1;
    }
    (*i > start).then_some(v)
}

fn skip_space(p: &[u8], i: &mut usize, end: usize) -> bool {
    let start = *i;
    while *i < end && space(p[*i]) {
        *i += 1;
    }
    *i > start
}

/// `Major.Minor` after `HTTP/` at `p[*i..end]`.
fn version(p: &[u8], i: &mut usize, end: usize) -> Option<(i32, i32)> {
    if !p[*i..end].starts_with(b"HTTP/") {
        return None;
    }
    *i += 5;
    let major = digits(p, i, end)?;
    if *i == end || p[*i] != b'.' {
        return None;
    }
    *i += 1;
    Some((major, digits(p, i, end)?))
}

/// Decodes the whole packet `p` (one line, or a header with its continuations).
fn parse(p: &[u8], header: bool) -> Option<Line> {
    let end = match p {
        [.., b'\r', _] => p.len() - 2,
        [.., b'\n'] => p.len() - 1,
        _ => p.len(),
    };
    let mut i = 0;
    if header {
        if end == 0 {
            return Some(Line::Eoh);
        }
        let mut name = [0u8; MAX_NAME];
        let mut up = true;
        while !special(p[i]) {
            let mut c = p[i];
            if i < MAX_NAME {
                if up {
                    c = c.to_ascii_uppercase();
                    up = false;
                } else if c == b'-' {
                    up = true;
                } else {
                    c = c.to_ascii_lowercase();
                }
                name[i] = c;
            }
            i += 1;
            if i == end {
                return None;
            }
        }
        if p[i] != b':' {
            return None;
        }
        let len = i;
        let (known, name) = if len <= MAX_NAME {
            let known = HEADERS.find(&name[..len]);
            (known, Ok((name, len)))
        } else {
            (None, Err((0, len)))
        };
        i += 1;
        skip_space(p, &mut i, end);
        return Some(Line::Header {
            known,
            name,
            original: (0, len),
            value: (i, end - i),
        });
    }
    if p[..end].starts_with(b"HTTP/") {
        let version = version(p, &mut i, end)?;
        if !skip_space(p, &mut i, end) {
            return None;
        }
        let status = digits(p, &mut i, end).unwrap_or(0);
        if !skip_space(p, &mut i, end) && i < end {
            return None;
        }
        return Some(Line::Response {
            version,
            status,
            reason: (i, end - i),
        });
    }
    while i < end && !special(p[i]) {
        i += 1;
    }
    if i == end || i == 0 || !space(p[i]) {
        return None;
    }
    let method = METHODS.find(&p[..i]).map(|(_, m)| m).ok_or((0, i));
    skip_space(p, &mut i, end);
    let start = i;
    while i < end && !space(p[i]) {
        i += 1;
    }
    if i == start {
        return None;
    }
    let uri = uri(p, start, i);
    skip_space(p, &mut i, end);
    let version = if i == end {
        (0, 9)
    } else if end - i < 8 {
        return None;
    } else {
        version(p, &mut i, end)?
    };
    Some(Line::Request {
        method,
        uri,
        version,
    })
}

/// The request URI `p[start..end]` as erl classifies it.
fn uri(p: &[u8], start: usize, end: usize) -> Uri {
    let u = &p[start..end];
    let prefix = |s: &[u8]| u.len() >= s.len() && u[..s.len()].eq_ignore_ascii_case(s);
    if u == b"*" {
        Uri::Star
    } else if u.len() <= 1 || u[0] == b'/' {
        Uri::AbsPath((start, u.len()))
    } else if prefix(b"http://") || prefix(b"https://") {
        let https = prefix(b"https://");
        let host = start + if https { 8 } else { 7 };
        let (host_end, path) = match p[host..end].iter().position(|&c| c == b'/') {
            Some(k) => (host + k, Some((host + k, end - host - k))),
            None => (end, None),
        };
        let (host_len, port) = match p[host..host_end].iter().position(|&c| c == b':') {
            None => (host_end - host, None),
            Some(k) => {
                let mut i = host + k + 1;
                let port = digits(p, &mut i, host_end).filter(|&n| i == host_end && n != 0);
                (k, port)
            }
        };
        Uri::Absolute {
            https,
            host: (host, host_len),
            port,
            path,
        }
    } else {
        match u.iter().position(|&c| c == b':') {
            Some(k) => Uri::Scheme((start, k), (start + k + 1, u.len() - k - 1)),
            None => Uri::Other((start, u.len())),
        }
    }
}

/// The term for the HTTP packet `p` (the start of the argument's bytes).
pub fn decode(ctx: &mut Ctx, text: &Text, p: &[u8], header: bool) -> BifResult {
    let small = |n: i32| Term::small(n as i64);
    match parse(p, header).unwrap_or(Line::Error) {
        Line::Eoh => intern(ctx, "http_eoh"),
        Line::Error => {
            let line = text.span(ctx, p, (0, p.len()));
            tagged(ctx, "http_error", &[line])
        }
        Line::Response {
            version,
            status,
            reason,
        } => {
            let reason = text.span(ctx, p, reason);
            let version = ctx.p.heap.tuple(&[small(version.0), small(version.1)]);
            tagged(ctx, "http_response", &[version, small(status), reason])
        }
        Line::Request {
            method,
            uri,
            version,
        } => {
            let method = match method {
                Ok(m) => intern(ctx, m)?,
                Err(s) => text.span(ctx, p, s),
            };
            let uri = uri_term(ctx, text, p, uri)?;
            let version = ctx.p.heap.tuple(&[small(version.0), small(version.1)]);
            tagged(ctx, "http_request", &[method, uri, version])
        }
        Line::Header {
            known,
            name,
            original,
            value,
        } => {
            let (bit, name) = match (known, name) {
                (Some((k, h)), _) => (k as i32 + 1, intern(ctx, h)?),
                (None, Ok((buf, len))) => (0, text.fresh(ctx, &buf[..len])),
                (None, Err(s)) => (0, text.span(ctx, p, s)),
            };
            let original = text.span(ctx, p, original);
            let value = text.span(ctx, p, value);
            tagged(ctx, "http_header", &[small(bit), name, original, value])
        }
    }
}

fn intern(ctx: &mut Ctx, name: &str) -> BifResult {
    ctx.atoms.intern(name).map_err(|_| badarg())
}

/// `{Tag, Elements...}` (up to five elements).
fn tagged(ctx: &mut Ctx, tag: &str, elems: &[Term]) -> BifResult {
    let mut t = [intern(ctx, tag)?; 6];
    t[1..=elems.len()].copy_from_slice(elems);
    Ok(ctx.p.heap.tuple(&t[..=elems.len()]))
}

fn uri_term(ctx: &mut Ctx, text: &Text, p: &[u8], uri: Uri) -> BifResult {
    match uri {
        Uri::Star => intern(ctx, "*"),
        Uri::AbsPath(s) => {
            let s = text.span(ctx, p, s);
            tagged(ctx, "abs_path", &[s])
        }
        Uri::Other(s) => Ok(text.span(ctx, p, s)),
        Uri::Scheme(scheme, rest) => {
            let scheme = text.span(ctx, p, scheme);
            let rest = text.span(ctx, p, rest);
            tagged(ctx, "scheme", &[scheme, rest])
        }
        Uri::Absolute {
            https,
            host,
            port,
            path,
        } => {
            let scheme = intern(ctx, if https { "https" } else { "http" })?;
            let host = text.span(ctx, p, host);
            let port = port.map_or(crate::vm::atom::UNDEFINED, |n| Term::small(n as i64));
            let path = match path {
                Some(s) => text.span(ctx, p, s),
                None => text.fresh(ctx, b"/"),
            };
            tagged(ctx, "absoluteURI", &[scheme, host, port, path])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_wait_for_the_next_line_to_see_a_continuation() {
        assert_eq!(length(b"Host: x\r\n", 0, 0, true), Some(0));
        assert_eq!(length(b"Host: x\r\nA", 0, 0, true), Some(9));
        assert_eq!(length(b"Host: x\r\n y\r\nA", 0, 0, true), Some(13));
        assert_eq!(length(b"GET / HTTP/1.1\r\n", 0, 0, false), Some(16));
        assert_eq!(length(b"\r\n", 0, 0, true), Some(2));
        assert_eq!(length(b"GET / HTTP/1.1\r\n", 5, 0, false), None);
        assert_eq!(length(b"GET ", 0, 5, false), Some(0));
        assert_eq!(length(b"GET /", 0, 5, false), None);
    }

    #[test]
    fn header_names_are_normalised_and_looked_up() {
        let Some(Line::Header { known, name, .. }) = parse(b"content-LENGTH: 3\r\n", true) else {
            panic!("no header");
        };
        assert_eq!(known, Some((37, "Content-Length")));
        let Ok((buf, len)) = name else {
            panic!("no name")
        };
        assert_eq!(&buf[..len], b"Content-Length");
        assert!(parse(b"bad header\r\n", true).is_none());
        assert!(matches!(parse(b"\r\n", true), Some(Line::Eoh)));
    }

    #[test]
    fn names_are_found_with_their_place() {
        assert_eq!(HEADERS.find(b"Cache-Control"), Some((0, "Cache-Control")));
        assert_eq!(
            HEADERS.find(b"Proxy-Connection"),
            Some((51, "Proxy-Connection"))
        );
        assert_eq!(HEADERS.find(b"cache-control"), None);
        assert_eq!(METHODS.find(b"TRACE"), Some((6, "TRACE")));
        assert_eq!(METHODS.find(b""), None);
    }

    #[test]
    fn request_lines_give_method_uri_and_version() {
        let Some(Line::Request {
            method,
            uri,
            version,
        }) = parse(b"GET http://h:80/p HTTP/1.1\r\n", false)
        else {
            panic!("no request");
        };
        assert_eq!(method, Ok("GET"));
        assert_eq!(version, (1, 1));
        assert!(matches!(
            uri,
            Uri::Absolute {
                https: false,
                host: (11, 1),
                port: Some(80),
                path: Some((15, 2))
            }
        ));
        assert!(parse(b"GET / HTTP/x\r\n", false).is_none());
    }
}
