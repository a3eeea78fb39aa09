//! Character classes and the character properties behind `\d`, `\w`, `\s`, POSIX classes
//! and caseless matching.
//!
//! Code points below 256 are classified as erl's PCRE tables do (ISO Latin-1: `é` is a
//! letter and has an upper case, in byte and in UTF mode alike); code points above are
//! never letters, digits or spaces (as without `ucp`). No tables: each property and case
//! pairing is a few comparisons.

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

impl Set {
    /// Whether `c` is in the set. Code points above Latin-1 are in none of the sets of
    /// letters, digits or spaces (`ucp` is accepted but changes nothing: Unicode's property
    /// tables would not fit the image's budget).
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

/// The other case of `c`, or `c`. Below 256 as erl's Latin-1 tables have it; in UTF mode
/// also `ÿ`/`Ÿ`, Latin Extended-A, and the basic Greek and Cyrillic alphabets (each a run
/// of pairs: code, not Unicode's case tables, which would cost the image some 20 KiB).
pub(crate) fn other_case(c: u32, utf: bool) -> u32 {
    match c {
        0x41..=0x5a => c + 32,
        0x61..=0x7a => c - 32,
        0xc0..=0xde if c != 0xd7 => c + 32,
        0xe0..=0xfe if c != 0xf7 => c - 32,
        _ if !utf => c,
        0xff => 0x178,
        0x178 => 0xff,
        // Pairs whose upper case is even, then pairs whose upper case is odd.
        0x100..=0x12f | 0x132..=0x137 | 0x14a..=0x177 => c ^ 1,
        0x139..=0x148 | 0x179..=0x17e => ((c - 1) ^ 1) + 1,
        0x391..=0x3a9 if c != 0x3a2 => c + 32,
        0x3b1..=0x3c9 if c != 0x3c2 => c - 32,
        0x410..=0x42f => c + 32,
        0x430..=0x44f => c - 32,
        0x400..=0x40f => c + 80,
        0x450..=0x45f => c - 80,
        _ => c,
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
    /// `\w` or `\W` outside brackets in UTF mode: in the counted part of a repeat (the
    /// first `min` characters) PCRE 8 tests the byte, so no character from 128 up is a word
    /// character there (erl's `\w+` does not start a match at `é`, though `\w` alone
    /// matches it).
    pub bare_word: bool,
}

impl Class {
    fn has(&self, c: u32) -> bool {
        self.items.iter().any(|&i| match i {
            Item::Range(lo, hi) => lo <= c && c <= hi,
            Item::Set(s, neg) => s.contains(c) != neg,
        })
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
        let found = self.has(c) || (self.fold && self.has(other_case(c, self.utf)));
        found != self.negated
    }
}
