//! Unicode 7.0 character properties: `\p{..}`, `\P{..}`, `ucp` and caseless matching in
//! UTF mode.
//!
//! The data are erl's own (OTP 25's PCRE 8.45 has Unicode 7.0.0 tables), written into
//! [`super::unicode_tables`] by scripts/gen-unicode-tables as sorted runs: each lookup is a
//! binary search. Property names are PCRE's, case-sensitive, with no loose matching.
//!
//! Caseless sets of three or four characters (K, k and the Kelvin sign U+212A; Σ, σ and ς)
//! are cycles in the other-case table: each member's other case is the next member, so
//! following it from a character visits its whole set.

use super::class::Set;
use super::unicode_tables::{
    CASE, CATEGORY, GRAPHEME, GRAPHEME_HANGUL, GRAPHEME_JOINS, GRAPHEME_LV, SCRIPT, SCRIPT_NAMES,
};

/// General category names, in the order of the tables' indexes.
const CATEGORY_NAMES: [&str; 30] = [
    "Cc", "Cf", "Cn", "Co", "Cs", "Ll", "Lm", "Lo", "Lt", "Lu", "Mc", "Me", "Mn", "Nd", "Nl", "No",
    "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "Sc", "Sk", "Sm", "So", "Zl", "Zp", "Zs",
];

const fn bit(name: &str) -> u32 {
    let mut i = 0;
    while i < CATEGORY_NAMES.len() {
        let n = CATEGORY_NAMES[i].as_bytes();
        let m = name.as_bytes();
        if n[0] == m[0] && n[1] == m[1] {
            return 1 << i;
        }
        i += 1;
    }
    0
}

const LU: u8 = 9;
const LL: u8 = 5;
const CF: u32 = bit("Cf");
const ND: u32 = bit("Nd");
const LL_MASK: u32 = bit("Ll");
const LU_MASK: u32 = bit("Lu");
const ZS: u32 = bit("Zs");

/// The categories whose names start with `letter` (`L` is Ll, Lm, Lo, Lt and Lu).
const fn group(letter: u8) -> u32 {
    let mut mask = 0;
    let mut i = 0;
    while i < CATEGORY_NAMES.len() {
        if CATEGORY_NAMES[i].as_bytes()[0] == letter {
            mask |= 1 << i;
        }
        i += 1;
    }
    mask
}

const L: u32 = group(b'L');
const N: u32 = group(b'N');
const P: u32 = group(b'P');
const S: u32 = group(b'S');
const Z: u32 = group(b'Z');
const M: u32 = group(b'M');

/// The run of a `start << 8 | value` table that holds `c`.
fn run(table: &[u32], c: u32) -> u32 {
    let i = table.partition_point(|&r| r >> 8 <= c);
    // The first run starts at 0, so `i` is at least 1.
    table[i.saturating_sub(1)]
}

/// The general category of `c`, as an index into the category names.
pub(crate) fn category(c: u32) -> u8 {
    let r = run(&CATEGORY, c);
    let (start, kind) = (r >> 8, (r & 0xff) as u8);
    let even = (c - start).is_multiple_of(2);
    match kind {
        // Runs of Lu, Ll, Lu, ... and of Ll, Lu, Ll, ...
        30 => [LL, LU][usize::from(even)],
        31 => [LU, LL][usize::from(even)],
        k => k,
    }
}

fn category_bit(c: u32) -> u32 {
    1 << category(c)
}

/// The script of `c`, as an index into the script names.
fn script(c: u32) -> u8 {
    (run(&SCRIPT, c) & 0xff) as u8
}

/// The grapheme break class of `c`, as `\X` sees it.
pub(crate) fn grapheme_class(c: u32) -> u8 {
    let class = (run(&GRAPHEME, c) & 0xff) as u8;
    if class != GRAPHEME_HANGUL {
        return class;
    }
    // A Hangul syllable: LV when it has no final consonant, LVT when it has one.
    GRAPHEME_LV + u8::from(!(c - 0xac00).is_multiple_of(28))
}

/// Whether `\X` goes on from a character of class `left` to one of class `right`.
pub(crate) fn grapheme_joins(left: u8, right: u8) -> bool {
    GRAPHEME_JOINS
        .get(usize::from(left))
        .is_some_and(|m| m & (1 << right) != 0)
}

/// The other case of `c` in UTF mode, or `c` (for a caseless set of three or four, the next
/// member round the set).
pub(crate) fn other_case(c: u32) -> u32 {
    let i = CASE.partition_point(|r| r[0] >> 11 <= c);
    let Some(&[head, delta]) = i.checked_sub(1).and_then(|i| CASE.get(i)) else {
        return c;
    };
    let (start, count, kind) = (head >> 11, (head >> 2) & 0x1ff, head & 3);
    let off = c - start;
    let (index, delta) = match kind {
        0 => (off, delta),
        1 if off.is_multiple_of(2) => (off / 2, delta),
        1 => return c,
        _ => (off, if off.is_multiple_of(2) { 1 } else { u32::MAX }),
    };
    if index < count {
        c.wrapping_add(delta)
    } else {
        c
    }
}

/// A property `\p` can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prop {
    /// `Any`.
    Any,
    /// General categories, one bit per index (`L&` is Ll, Lt and Lu).
    Categories(u32),
    /// A script, by index.
    Script(u8),
    /// `Xan`: letters and numbers.
    Alnum,
    /// `Xps` and `Xsp`: separators and the white space controls (TAB to CR).
    Space,
    /// `Xwd`: letters, numbers and `_`.
    Word,
    /// `Xuc`: what a C++ universal character name can stand for.
    Ucn,
    /// `[:graph:]` with `ucp`.
    Graph,
    /// `[:print:]` with `ucp`.
    Print,
    /// `[:punct:]` with `ucp`.
    Punct,
}

impl Prop {
    /// The property `\p{name}` names (`name` as written, without `^`), as PCRE knows it.
    pub(crate) fn from_name(name: &[u8]) -> Option<Prop> {
        let cats = |m| Some(Prop::Categories(m));
        match name {
            b"Any" => return Some(Prop::Any),
            b"L&" => return cats(LL_MASK | LU_MASK | bit("Lt")),
            b"Xan" => return Some(Prop::Alnum),
            b"Xps" | b"Xsp" => return Some(Prop::Space),
            b"Xwd" => return Some(Prop::Word),
            b"Xuc" => return Some(Prop::Ucn),
            [c @ (b'C' | b'L' | b'M' | b'N' | b'P' | b'S' | b'Z')] => return cats(group(*c)),
            _ => {}
        }
        if let Some(i) = CATEGORY_NAMES.iter().position(|n| n.as_bytes() == name) {
            return cats(1 << i);
        }
        let i = SCRIPT_NAMES
            .split_terminator(' ')
            .position(|n| n.as_bytes() == name)?;
        Some(Prop::Script(i as u8))
    }

    /// `\d` with `ucp`.
    pub(crate) const DIGIT: Prop = Prop::Categories(ND);
    /// `[:alpha:]` with `ucp`.
    pub(crate) const ALPHA: Prop = Prop::Categories(L);
    /// `[:lower:]` with `ucp`.
    pub(crate) const LOWER: Prop = Prop::Categories(LL_MASK);
    /// `[:upper:]` with `ucp`.
    pub(crate) const UPPER: Prop = Prop::Categories(LU_MASK);

    /// Whether `c` has the property.
    pub(crate) fn contains(self, c: u32) -> bool {
        match self {
            Prop::Any => true,
            Prop::Categories(m) => category_bit(c) & m != 0,
            Prop::Script(s) => script(c) == s,
            Prop::Alnum => category_bit(c) & (L | N) != 0,
            Prop::Space => {
                Set::HSpace.contains(c) || Set::VSpace.contains(c) || category_bit(c) & Z != 0
            }
            Prop::Word => c == u32::from(b'_') || category_bit(c) & (L | N) != 0,
            Prop::Ucn => {
                matches!(c, 0x24 | 0x40 | 0x60) || (0xa0..0xd800).contains(&c) || c >= 0xe000
            }
            Prop::Graph => graph(c),
            Prop::Print => graph(c) || category_bit(c) & ZS != 0 || c == 0x180e,
            Prop::Punct => {
                let b = category_bit(c);
                b & P != 0 || (c < 128 && b & S != 0)
            }
        }
    }
}

/// PCRE's `[:graph:]` with `ucp`: characters that mark the page.
fn graph(c: u32) -> bool {
    category_bit(c) & (L | M | N | P | S | CF) != 0
        && !matches!(c, 0x061c | 0x180e | 0x2066..=0x2069)
}
