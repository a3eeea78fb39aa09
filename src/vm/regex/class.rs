//! Character classes and the character properties behind `\d`, `\w`, `\s`, POSIX classes
//! and caseless matching.
//!
//! Without `ucp`, code points below 256 are classified as erl's PCRE tables do (ISO
//! Latin-1: `é` is a letter, in byte and in UTF mode alike); code points above are never
//! letters, digits or spaces. With `ucp`, the parser gives `\d`, `\w`, `\s` and most POSIX
//! classes as Unicode properties instead ([`Prop`], in [`super::unicode`]). Case pairs are
//! Latin-1's outside UTF mode and Unicode 7.0's in it.

use alloc::vec::Vec;

use super::unicode;
pub(crate) use super::unicode::Prop;

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

impl Set {
    /// Whether `c` is in the set, as erl's Latin-1 tables have it. Code points above
    /// Latin-1 are in none of the sets of letters, digits or spaces (with `ucp` the parser
    /// gives Unicode properties instead of these sets).
    pub(crate) fn contains(self, c: u32) -> bool {
        let wide = c >= 256;
        let alpha = !wide && latin1_alpha(c);
        match self {
            Set::Digit => digit(c),
            Set::Word => c == u32::from(b'_') || digit(c) || alpha,
            Set::Alpha => alpha,
            Set::Alnum => digit(c) || alpha,
            Set::Lower => !wide && latin1_lower(c),
            Set::Upper => !wide && latin1_upper(c),
            Set::Space => matches!(c, 9..=13 | 32),
            Set::HSpace => matches!(
                c,
                9 | 0x20 | 0xa0 | 0x1680 | 0x180e | 0x2000..=0x200a | 0x202f | 0x205f | 0x3000
            ),
            Set::VSpace => matches!(c, 10..=13 | 0x85 | 0x2028 | 0x2029),
            // erl's tables have all of Latin-1 as ASCII, and Latin-1's controls, symbols
            // and punctuation in cntrl, graph, print and punct.
            Set::Ascii => c < 256,
            Set::Blank => c == 9 || c == 32,
            Set::Cntrl => c < 32 || (127..160).contains(&c),
            Set::Graph => (33..127).contains(&c) || (160..256).contains(&c),
            Set::Print => (32..127).contains(&c) || (160..256).contains(&c),
            Set::Punct => {
                ((33..127).contains(&c) && !(c as u8).is_ascii_alphanumeric())
                    || matches!(c, 160..=169 | 171..=180 | 182..=185 | 187..=191 | 215 | 247)
            }
            Set::XDigit => c < 128 && (c as u8).is_ascii_hexdigit(),
        }
    }
}

/// The other case of `c`, or `c`. Outside UTF mode, below 256, as erl's Latin-1 tables
/// have it; in UTF mode, Unicode 7.0's (for a caseless set of three or four, such as K, k
/// and the Kelvin sign, the next member round the set: see [`caseless_eq`]).
pub(crate) fn other_case(c: u32, utf: bool) -> u32 {
    match c {
        // ASCII but for k and s, whose sets have a third member in UTF mode.
        0x41..=0x5a if !utf || !matches!(c, 0x4b | 0x53) => c + 32,
        0x61..=0x7a if !utf || !matches!(c, 0x6b | 0x73) => c - 32,
        0..=0x7f if !utf || !matches!(c, 0x4b | 0x53 | 0x6b | 0x73) => c,
        _ if utf => unicode::other_case(c),
        0xc0..=0xde if c != 0xd7 => c + 32,
        0xe0..=0xfe if c != 0xf7 => c - 32,
        _ => c,
    }
}

/// Whether `a` and `b` match each other caselessly: the same, or in one caseless set
/// (followed round as a cycle of other cases).
pub(crate) fn caseless_eq(a: u32, b: u32, utf: bool) -> bool {
    let mut x = a;
    for _ in 0..4 {
        if x == b {
            return true;
        }
        x = other_case(x, utf);
        if x == a {
            break;
        }
    }
    false
}

/// One member of a class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    /// Code points `lo..=hi`.
    Range(u32, u32),
    /// A named set, or (`true`) its complement.
    Set(Set, bool),
    /// A Unicode property (`\p`), or (`true`) its complement; never caseless.
    Prop(Prop, bool),
}

/// A bracketed class (or `\d` and friends outside brackets, as a one-item class).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Class {
    pub items: Vec<Item>,
    pub negated: bool,
    /// Caseless: a character matches if either of its cases does.
    pub fold: bool,
    pub utf: bool,
    /// `\w` or `\W` outside brackets in UTF mode: in the counted part of a repeat (the
    /// first `min` characters) PCRE 8 tests the byte, so no character from 128 up is a word
    /// character there (erl's `\w+` does not start a match at `é`, though `\w` alone
    /// matches it).
    pub bare_word: bool,
}

impl Class {
    fn ranges_have(&self, c: u32) -> bool {
        self.items
            .iter()
            .any(|&i| matches!(i, Item::Range(lo, hi) if lo <= c && c <= hi))
    }

    /// Whether an item has `c`; `props`: whether properties count (not for other cases).
    fn has(&self, c: u32, props: bool) -> bool {
        self.items.iter().any(|&i| match i {
            Item::Range(lo, hi) => lo <= c && c <= hi,
            Item::Set(s, neg) => s.contains(c) != neg,
            Item::Prop(p, neg) => props && p.contains(c) != neg,
        })
    }

    /// Whether another member of `c`'s caseless set is in the class. Named sets take
    /// part only below 256 (PCRE gives them as a bitmap of Latin-1, not case-folded).
    fn has_other_case(&self, c: u32) -> bool {
        let mut x = other_case(c, self.utf);
        for _ in 0..3 {
            if x == c {
                return false;
            }
            if self.has(x, false) && (c < 256 && x < 256 || self.ranges_have(x)) {
                return true;
            }
            x = other_case(x, self.utf);
        }
        false
    }

    /// Whether `c` is in the class as one of the first `min` characters of a repeat.
    pub(crate) fn matches_counted(&self, c: u32) -> bool {
        if self.bare_word && c >= 128 {
            return self.items.first() == Some(&Item::Set(Set::Word, true));
        }
        self.matches(c)
    }

    /// Whether the character `c` is in the class.
    pub(crate) fn matches(&self, c: u32) -> bool {
        let found = self.has(c, true) || (self.fold && self.has_other_case(c));
        found != self.negated
    }
}
