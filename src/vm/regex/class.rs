//! Character classes and the character properties behind `\d`, `\w`, `\s`, POSIX classes
//! and caseless matching.
//!
//! Code points below 256 are classified as erl's PCRE tables do (ISO Latin-1: `é` is a
//! letter and has an upper case, in byte and in UTF mode alike); code points above are
//! letters or digits only with `ucp`, by Rust's Unicode properties. No tables of our own:
//! each property is a few comparisons.

use alloc::vec::Vec;

/// A named set of characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Set {
    Digit,
    Word,
    Space,
    HSpace,
    VSpace,
    Alpha,
    Alnum,
    Ascii,
    Blank,
    Cntrl,
    Graph,
    Lower,
    Print,
    Punct,
    Upper,
    XDigit,
}

/// POSIX class names in `[[:name:]]`, in [`Set`]'s terms (`space` is `\s` plus VT, as
/// `\s` is in this PCRE; `word` is `\w`).
const POSIX: [(&str, Set); 14] = [
    ("alpha", Set::Alpha),
    ("lower", Set::Lower),
    ("upper", Set::Upper),
    ("alnum", Set::Alnum),
    ("ascii", Set::Ascii),
    ("blank", Set::Blank),
    ("cntrl", Set::Cntrl),
    ("digit", Set::Digit),
    ("graph", Set::Graph),
    ("print", Set::Print),
    ("punct", Set::Punct),
    ("space", Set::Space),
    ("word", Set::Word),
    ("xdigit", Set::XDigit),
];

/// The set a POSIX class name names.
pub(crate) fn posix(name: &[u8]) -> Option<Set> {
    POSIX
        .iter()
        .find(|(n, _)| n.as_bytes() == name)
        .map(|&(_, s)| s)
}

fn digit(c: u32) -> bool {
    (0x30..=0x39).contains(&c)
}

/// A Latin-1 letter (erl's PCRE tables).
fn latin1_alpha(c: u32) -> bool {
    matches!(c, 0x41..=0x5a | 0x61..=0x7a)
        || matches!(c, 0xaa | 0xb5 | 0xba | 0xc0..=0xd6 | 0xd8..=0xf6 | 0xf8..=0xff)
}

fn latin1_upper(c: u32) -> bool {
    matches!(c, 0x41..=0x5a | 0xc0..=0xd6 | 0xd8..=0xde)
}

fn latin1_lower(c: u32) -> bool {
    matches!(c, 0x61..=0x7a | 0xaa | 0xb5 | 0xba | 0xdf..=0xf6 | 0xf8..=0xff)
}

/// `c` as a `char`, for Unicode properties of code points above Latin-1.
fn ch(c: u32) -> Option<char> {
    char::from_u32(c)
}

impl Set {
    /// Whether `c` is in the set (`ucp`: Unicode letters and digits above Latin-1 count).
    pub(crate) fn contains(self, c: u32, ucp: bool) -> bool {
        let wide = c >= 256;
        let uni = |f: fn(char) -> bool| ucp && wide && ch(c).is_some_and(f);
        match self {
            Set::Digit => digit(c) || uni(char::is_numeric),
            Set::Word => {
                c == u32::from(b'_')
                    || digit(c)
                    || (!wide && latin1_alpha(c))
                    || uni(char::is_alphanumeric)
            }
            Set::Alpha => (!wide && latin1_alpha(c)) || uni(char::is_alphabetic),
            Set::Alnum => digit(c) || (!wide && latin1_alpha(c)) || uni(char::is_alphanumeric),
            Set::Lower => (!wide && latin1_lower(c)) || uni(char::is_lowercase),
            Set::Upper => (!wide && latin1_upper(c)) || uni(char::is_uppercase),
            Set::Space => matches!(c, 9..=13 | 32) || uni(char::is_whitespace),
            Set::HSpace => matches!(
                c,
                9 | 0x20 | 0xa0 | 0x1680 | 0x180e | 0x2000..=0x200a | 0x202f | 0x205f | 0x3000
            ),
            Set::VSpace => matches!(c, 10..=13 | 0x85 | 0x2028 | 0x2029),
            Set::Ascii => c < 128,
            Set::Blank => c == 9 || c == 32,
            Set::Cntrl => c < 32 || c == 127,
            Set::Graph => (33..127).contains(&c),
            Set::Print => (32..127).contains(&c),
            Set::Punct => (33..127).contains(&c) && !(c as u8).is_ascii_alphanumeric(),
            Set::XDigit => c < 128 && (c as u8).is_ascii_hexdigit(),
        }
    }
}

/// The other case of `c`, or `c` (in UTF mode, by Unicode's simple case mappings).
pub(crate) fn other_case(c: u32, utf: bool) -> u32 {
    if c < 128 {
        let b = c as u8;
        if b.is_ascii_lowercase() {
            return c - 32;
        }
        if b.is_ascii_uppercase() {
            return c + 32;
        }
        return c;
    }
    if !utf {
        return match c {
            0xc0..=0xde if c != 0xd7 => c + 32,
            0xe0..=0xfe if c != 0xf7 => c - 32,
            _ => c,
        };
    }
    let Some(x) = ch(c) else { return c };
    let single = |it: &mut dyn Iterator<Item = char>| -> Option<u32> {
        let first = it.next()?;
        it.next().is_none().then_some(first as u32)
    };
    match single(&mut x.to_lowercase()) {
        Some(l) if l != c => l,
        _ => single(&mut x.to_uppercase()).unwrap_or(c),
    }
}

/// One member of a class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    /// Code points `lo..=hi`.
    Range(u32, u32),
    /// A named set, or (`true`) its complement.
    Set(Set, bool),
}

/// A bracketed class (or `\d` and friends outside brackets, as a one-item class).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Class {
    pub items: Vec<Item>,
    pub negated: bool,
    /// Caseless: a character matches if either of its cases does.
    pub fold: bool,
    pub utf: bool,
    pub ucp: bool,
}

impl Class {
    fn has(&self, c: u32) -> bool {
        self.items.iter().any(|&i| match i {
            Item::Range(lo, hi) => lo <= c && c <= hi,
            Item::Set(s, neg) => s.contains(c, self.ucp) != neg,
        })
    }

    /// Whether the character `c` is in the class.
    pub(crate) fn matches(&self, c: u32) -> bool {
        let found = self.has(c) || (self.fold && self.has(other_case(c, self.utf)));
        found != self.negated
    }
}
