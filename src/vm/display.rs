//! `erlang:display/1`'s output format, byte for byte as the emulator prints it.
//!
//! Floats print as `%.6e` (`3.500000e+00`); lists of printable Latin-1 characters (plus tab,
//! newline, carriage return) print as strings; binaries whose bytes are all printable ASCII
//! print as `<<"...">>`; atoms are quoted unless they start with a lowercase letter and contain
//! only letters, digits and `_`. Output is UTF-8.
//!
//! [`init_text`] is the shorter text erl's `init` makes of the reason it stops the node for
//! ("init terminating in do_boot (...)").

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use super::atom::AtomTable;
use super::code::{split_fun_id, Code};
use super::heap::View;
use super::term::{Kind, Term};

/// Formats a term the way `erlang:display/1` does (without the trailing newline). Characters
/// 128..=255 inside strings are written as single Latin-1 bytes, like the emulator does; atoms
/// are UTF-8.
pub fn display(v: &View, atoms: &AtomTable, code: &Code, t: Term) -> Vec<u8> {
    let mut out = Vec::new();
    display_to(v, atoms, code, t, &mut |bytes| out.extend_from_slice(bytes));
    out
}

/// Formats a term as [`display`] does, handing the text to `out` in pieces of about
/// [`PIECE`] bytes as it is made: the text of a large term (a million-element list makes
/// 7 MB) is never held whole.
pub fn display_to(v: &View, atoms: &AtomTable, code: &Code, t: Term, out: &mut dyn FnMut(&[u8])) {
    let mut s = String::new();
    let mut bytes = Vec::new();
    write_term(&mut s, v, atoms, code, t, &mut |s| {
        if s.len() >= PIECE {
            emit(s, &mut bytes, out);
        }
    });
    emit(&mut s, &mut bytes, out);
}

/// The size of the pieces [`display_to`] hands out.
pub const PIECE: usize = 64 * 1024;

/// Hands out the text made so far as bytes (and empties it): Latin-1 string characters
/// were written as private-use markers and become single bytes.
fn emit(s: &mut String, bytes: &mut Vec<u8>, out: &mut dyn FnMut(&[u8])) {
    if s.is_empty() {
        return;
    }
    bytes.clear();
    for c in s.chars() {
        let u = c as u32;
        if (LATIN1_MARK..LATIN1_MARK + 256).contains(&u) {
            bytes.push((u - LATIN1_MARK) as u8);
        } else {
            let mut b = [0u8; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
        }
    }
    s.clear();
    out(bytes);
}

/// Base of the private-use code points standing for raw Latin-1 bytes during formatting.
const LATIN1_MARK: u32 = 0xF_0000;

/// Formats a float as C's `%.6e`.
pub fn float_e6(f: f64) -> String {
    let s = crate::vm::decimal::sci(f, 6);
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            if digits.len() < 2 {
                alloc::format!("{m}e{sign}0{digits}")
            } else {
                alloc::format!("{m}e{sign}{digits}")
            }
        }
        None => s,
    }
}

fn is_latin1_lower(c: char) -> bool {
    c.is_ascii_lowercase() || (('\u{df}'..='\u{ff}').contains(&c) && c != '\u{f7}')
}

fn is_atom_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '_'
        || (('\u{c0}'..='\u{ff}').contains(&c) && c != '\u{d7}' && c != '\u{f7}')
}

/// Writes an atom, quoted when needed.
pub fn write_atom(s: &mut String, name: &str) {
    let mut chars = name.chars();
    let plain = match chars.next() {
        Some(c) => is_latin1_lower(c) && chars.all(is_atom_char),
        None => false,
    };
    if plain {
        s.push_str(name);
        return;
    }
    s.push('\'');
    for c in name.chars() {
        match c {
            '\'' => s.push_str("\\'"),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            '\x0b' => s.push_str("\\v"),
            '\x08' => s.push_str("\\b"),
            '\x0c' => s.push_str("\\f"),
            '\x1b' => s.push_str("\\e"),
            c => s.push(c),
        }
    }
    s.push('\'');
}

fn printable_list(v: &View, mut t: Term) -> Option<String> {
    let mut out = String::new();
    while t.is_cons() {
        let (h, tl) = v.cons(t);
        let c = h.as_small()?;
        match c {
            10 => out.push_str("\\n"),
            34 => out.push_str("\\\""),
            9 | 13 | 32..=126 => out.push(char::from_u32(c as u32)?),
            160..=255 => out.push(char::from_u32(LATIN1_MARK + c as u32)?),
            _ => return None,
        }
        t = tl;
    }
    if t.is_nil() {
        Some(out)
    } else {
        None
    }
}

/// Pending output while printing: nested terms are walked with an explicit stack so deep
/// terms cannot overflow the native stack.
enum Item {
    Term(Term),
    Text(&'static str),
    /// Text made while printing (the bitmaps of a large map's trie).
    Owned(String),
    /// The rest of a list after its first element.
    ListRest(Term),
    /// The elements of a tuple from this one on (after the first).
    TupleRest(Term, usize),
}

/// Writes `t` to `s`, calling `flush` after each step (an element, a piece of text): it
/// may take the text made so far out of `s`.
fn write_term(
    s: &mut String,
    v: &View,
    atoms: &AtomTable,
    code: &Code,
    t: Term,
    flush: &mut dyn FnMut(&mut String),
) {
    let mut todo = alloc::vec![Item::Term(t)];
    while let Some(item) = todo.pop() {
        flush(s);
        let t = match item {
            Item::Text(x) => {
                s.push_str(x);
                continue;
            }
            Item::Owned(x) => {
                s.push_str(&x);
                continue;
            }
            Item::ListRest(l) => {
                if l.is_cons() {
                    let (h, tl) = v.cons(l);
                    s.push(',');
                    todo.push(Item::ListRest(tl));
                    todo.push(Item::Term(h));
                } else if !l.is_nil() {
                    s.push('|');
                    todo.push(Item::Term(l));
                }
                continue;
            }
            Item::TupleRest(tuple, i) => {
                if let Some(&e) = v.payload(tuple).get(i) {
                    s.push(',');
                    todo.push(Item::TupleRest(tuple, i + 1));
                    todo.push(Item::Term(e));
                }
                continue;
            }
            Item::Term(t) => t,
        };
        if let Some(i) = t.as_small() {
            let _ = write!(s, "{i}");
        } else if t.is_atom() {
            write_atom(s, atoms.name(t));
        } else if t.is_nil() {
            s.push_str("[]");
        } else if t.is_pid() {
            let (number, serial) = t.pid_parts();
            let _ = write!(s, "<0.{number}.{serial}>");
        } else if t.is_cons() {
            if let Some(str) = printable_list(v, t) {
                s.push('"');
                s.push_str(&str);
                s.push('"');
                continue;
            }
            let (h, tl) = v.cons(t);
            s.push('[');
            todo.push(Item::Text("]"));
            todo.push(Item::ListRest(tl));
            todo.push(Item::Term(h));
        } else if v.kind(t) == Some(Kind::Tuple) {
            s.push('{');
            todo.push(Item::Text("}"));
            if let Some(&first) = v.payload(t).first() {
                todo.push(Item::TupleRest(t, 1));
                todo.push(Item::Term(first));
            }
        } else if matches!(v.kind(t), Some(Kind::Map | Kind::TreeMap)) && !v.map_is_hashed(t) {
            s.push_str("#{");
            todo.push(Item::Text("}"));
            let entries = v.map_entries(t).unwrap_or_default();
            for (i, (k, x)) in entries.into_iter().enumerate().rev() {
                todo.push(Item::Term(x));
                todo.push(Item::Text("=>"));
                todo.push(Item::Term(k));
                if i > 0 {
                    todo.push(Item::Text(","));
                }
            }
        } else if matches!(v.kind(t), Some(Kind::Map | Kind::TreeMap)) {
            // erl prints a large map as its hash trie: `#<bitmap>{...}` at the root,
            // `<bitmap>{...}` for inner nodes, `[K|V]` for leaves.
            let entries: Vec<(u32, Term, Term)> = v
                .map_entries(t)
                .unwrap_or_default()
                .into_iter()
                .map(|(k, x)| (super::maphash::internal_hash(v, k, 0), k, x))
                .collect();
            s.push('#');
            let mut items = Vec::new();
            trie_items(&mut items, &entries, 0);
            todo.extend(items.into_iter().rev());
        } else if v.kind(t) == Some(Kind::BinRef) {
            write_binary(s, v, t, flush);
        } else if t.is_boxed() {
            write_boxed(s, v, atoms, code, t);
        } else {
            s.push_str("<?>");
        }
    }
}

/// Writes a boxed term that holds no other terms (tuples and maps are expanded by
/// [`write_term`]).
fn write_boxed(s: &mut String, v: &View, atoms: &AtomTable, code: &Code, t: Term) {
    match v.kind(t) {
        Some(Kind::PosBig | Kind::NegBig) => {
            if let Some(b) = v.big(t) {
                let text = crate::vm::radix::int_text(&b, 10);
                s.extend(text.iter().map(|&c| char::from(c)));
            }
        }
        Some(Kind::Float) => {
            if let Some(f) = v.float(t) {
                s.push_str(&float_e6(f));
            }
        }
        Some(Kind::BinRef) => write_binary(s, v, t, &mut |_| {}),
        Some(Kind::MatchCtx) => s.push_str("#MatchState"),
        Some(Kind::Tuple | Kind::Map | Kind::TreeMap | Kind::MapNode) => s.push_str("<?>"),
        Some(Kind::Fun) => {
            let id = v.payload(t)[0].small_value() as u64;
            let (m, l) = split_fun_id(id);
            match code.modules.get(m as usize) {
                Some(module) => {
                    let lam = module.lambdas.get(l as usize);
                    let _ = write!(
                        s,
                        "#Fun<{}.{}.{}>",
                        atoms.name(module.name),
                        lam.map(|x| x.index).unwrap_or(l),
                        lam.map(|x| x.old_uniq).unwrap_or(0)
                    );
                }
                None => s.push_str("#Fun<?>"),
            }
        }
        Some(Kind::Export) => {
            let p = v.payload(t);
            s.push_str("fun ");
            write_atom(s, atoms.name(p[0]));
            s.push(':');
            write_atom(s, atoms.name(p[1]));
            let _ = write!(s, "/{}", p[2].small_value());
        }
        Some(Kind::Ref) => {
            let n = v.payload(t)[0].0;
            let _ = write!(s, "#Ref<0.0.{}.{}>", n >> 32, n & 0xffff_ffff);
        }
        None => s.push_str("<?>"),
    }
}

/// Queues the output of one trie node holding `entries` (already in trie order) at `level`.
/// The recursion follows trie levels (at most eight), never the depth of the terms.
fn trie_items(out: &mut Vec<Item>, entries: &[(u32, Term, Term)], level: u32) {
    let nibble = |h: u32| (h >> (4 * (level % 8))) & 0xf;
    let mut bitmap = 0u32;
    for e in entries {
        bitmap |= 1 << nibble(e.0);
    }
    out.push(Item::Owned(alloc::format!("<{bitmap:x}>{{")));
    let mut i = 0;
    let mut first = true;
    while i < entries.len() {
        let slot = nibble(entries[i].0);
        let mut j = i + 1;
        while j < entries.len() && nibble(entries[j].0) == slot {
            j += 1;
        }
        if !first {
            out.push(Item::Text(","));
        }
        first = false;
        if j - i == 1 || level >= 7 {
            for (n, e) in entries[i..j].iter().enumerate() {
                if n > 0 {
                    out.push(Item::Text(","));
                }
                out.push(Item::Text("["));
                out.push(Item::Term(e.1));
                out.push(Item::Text("|"));
                out.push(Item::Term(e.2));
                out.push(Item::Text("]"));
            }
        } else {
            trie_items(out, &entries[i..j], level + 1);
        }
        i = j;
    }
    out.push(Item::Text("}"));
}

/// Writes a binary as [`binary_text`] does (and bitstrings as `<<1,2,3:4>>`), a piece at a
/// time: `flush` runs after every [`BINARY_STEP`] bytes, so that a large binary's text is
/// never held whole (nor its bytes copied).
fn write_binary(s: &mut String, v: &View, t: Term, flush: &mut dyn FnMut(&mut String)) {
    let Some(b) = v.binary(t) else { return };
    let whole = b.bit_len / 8;
    let rest = b.bit_len % 8;
    let text = rest == 0 && whole > 0 && (0..whole).all(|k| (32..=126).contains(&byte_at(&b, k)));
    s.push_str(if text { "<<\"" } else { "<<" });
    for k in 0..whole {
        let c = byte_at(&b, k);
        if text {
            if c == b'"' {
                s.push_str("\\\"");
            } else {
                s.push(c as char);
            }
        } else {
            if k > 0 {
                s.push(',');
            }
            let _ = write!(s, "{c}");
        }
        if k % BINARY_STEP == BINARY_STEP - 1 {
            flush(s);
        }
    }
    if rest > 0 {
        let last = (0..rest).fold(0u8, |acc, i| (acc << 1) | b.bit(whole * 8 + i));
        if whole > 0 {
            s.push(',');
        }
        let _ = write!(s, "{last}:{rest}");
    }
    s.push_str(if text { "\">>" } else { ">>" });
}

/// How many bytes of a binary [`write_binary`] writes between two flushes.
const BINARY_STEP: usize = 4096;

/// Byte `k` of a binary's whole bytes, wherever its bits start.
fn byte_at(b: &super::heap::BinSlice, k: usize) -> u8 {
    let off = b.bit_offset + 8 * k;
    let (i, shift) = (off / 8, off % 8);
    if shift == 0 {
        b.data[i]
    } else {
        (b.data[i] << shift) | (b.data[i + 1] >> (8 - shift))
    }
}

/// A binary of whole bytes as `erlang:display/1` writes it: `<<"text">>` when every byte is
/// printable ASCII (only `"` escaped), else `<<1,2,3>>`.
pub fn binary_text(bytes: &[u8]) -> String {
    let mut s = String::from("<<");
    if !bytes.is_empty() && bytes.iter().all(|c| (32..=126).contains(c)) {
        s.push('"');
        for &c in bytes {
            if c == b'"' {
                s.push_str("\\\"");
            } else {
                s.push(c as char);
            }
        }
        s.push('"');
    } else {
        for (i, c) in bytes.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(s, "{c}");
        }
    }
    s.push_str(">>");
    s
}

/// The text erl's `init` makes of a term for its halt slogan (`init terminating in do_boot
/// (...)`): lists and tuples to four levels, then `[_]` and `{_}`; a list whose flattened
/// elements are all printable ASCII (or tab, newline, carriage return) as those characters,
/// unquoted; atoms unquoted; integers, pids and floats (as `float_to_list/1`) as text; anything
/// else (binaries, maps, funs, references) as nothing. The levels are bounded, so the native
/// recursion is too; long and deeply nested lists are walked with explicit stacks.
pub fn init_text(v: &View, atoms: &AtomTable, t: Term) -> String {
    let mut s = String::new();
    init_text_at(&mut s, v, atoms, t, 0);
    s
}

/// The levels `init_text` expands before `[_]` and `{_}`.
const INIT_TEXT_LEVELS: u32 = 4;

fn init_text_at(s: &mut String, v: &View, atoms: &AtomTable, t: Term, depth: u32) {
    let is_list = t.is_cons() || t.is_nil();
    if is_list && depth >= INIT_TEXT_LEVELS {
        s.push_str("[_]");
    } else if is_list {
        if let Some(chars) = flat_printable(v, t) {
            s.extend(chars.iter().map(|&c| c as char));
            return;
        }
        s.push('[');
        let mut l = t;
        let mut first = true;
        while l.is_cons() {
            let (h, tl) = v.cons(l);
            if !first {
                s.push(',');
            }
            first = false;
            init_text_at(s, v, atoms, h, depth + 1);
            l = tl;
        }
        if !l.is_nil() {
            // erl's init fails on an improper list; show its tail rather than nothing.
            s.push('|');
            init_text_at(s, v, atoms, l, depth + 1);
        }
        s.push(']');
    } else if let Some(i) = t.as_small() {
        let _ = write!(s, "{i}");
    } else if t.is_atom() {
        s.push_str(atoms.name(t));
    } else if t.is_pid() {
        let (number, serial) = t.pid_parts();
        let _ = write!(s, "<0.{number}.{serial}>");
    } else if v.kind(t) == Some(Kind::Tuple) {
        if depth >= INIT_TEXT_LEVELS {
            s.push_str("{_}");
            return;
        }
        s.push('{');
        for (i, e) in v.payload(t).iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            init_text_at(s, v, atoms, *e, depth + 1);
        }
        s.push('}');
    } else if let Some(f) = v.float(t) {
        s.push_str(&super::bifs::conv::float_text_default(f));
    } else if let Some(b) = v.big(t) {
        let text = crate::vm::radix::int_text(&b, 10);
        s.extend(text.iter().map(|&c| char::from(c)));
    }
}

/// The elements of the list `t` flattened (nested lists spliced in), if there is at least one
/// and all are printable as init sees it: 32..=126, tab, newline, carriage return.
fn flat_printable(v: &View, t: Term) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = Vec::new();
    let mut l = t;
    loop {
        while l.is_cons() {
            let (h, tl) = v.cons(l);
            if h.is_cons() || h.is_nil() {
                rest.push(tl);
                l = h;
                continue;
            }
            match h.as_small() {
                Some(c @ (32..=126 | 9 | 10 | 13)) => out.push(c as u8),
                _ => return None,
            }
            l = tl;
        }
        if !l.is_nil() {
            return None;
        }
        match rest.pop() {
            Some(tl) => l = tl,
            None => break,
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_printf() {
        assert_eq!(float_e6(3.5), "3.500000e+00");
        assert_eq!(float_e6(1.0e100), "1.000000e+100");
        assert_eq!(float_e6(-0.0), "-0.000000e+00");
        assert_eq!(float_e6(0.000123), "1.230000e-04");
    }

    #[test]
    fn large_terms_print_in_pieces_with_the_same_text() {
        let lits = crate::vm::literals::Literals::default();
        let atoms = AtomTable::new();
        let code = Code::default();
        let mut h = crate::vm::heap::Heap::new();
        let mut list = Term::NIL;
        for i in (0..100_000).rev() {
            list = h.cons(Term::small(i), list);
        }
        let text_bin = h.binary(b"ab\"c".repeat(30_000));
        let bytes_bin = h.binary((0..=255u8).cycle().take(50_000).collect());
        let odd = h.binary_bits(alloc::vec![0xff, 0x0f, 0xa0], 19);
        let elems: Vec<Term> = (0..70_000).map(Term::small).collect();
        let tuple = h.tuple(&elems);
        let t = h.tuple(&[list, text_bin, bytes_bin, odd, tuple]);
        let v = h.view(&lits);
        let mut pieces = Vec::new();
        display_to(&v, &atoms, &code, t, &mut |b| pieces.push(b.to_vec()));
        let whole: Vec<u8> = pieces.concat();
        // Each piece is at most a piece and one step's text (a binary step of 4096 bytes
        // writes at most 4 characters a byte).
        assert!(pieces.len() > 10, "{} pieces", pieces.len());
        assert!(pieces
            .iter()
            .all(|p| p.len() < PIECE + 4 * BINARY_STEP + 64));
        let text = String::from_utf8(whole).expect("ASCII");
        let mut want = String::from("{[0");
        for i in 1..100_000 {
            want.push_str(&alloc::format!(",{i}"));
        }
        want.push_str("],<<\"");
        want.push_str(&"ab\\\"c".repeat(30_000));
        want.push_str("\">>,<<");
        let byte_list: Vec<String> = (0..=255u8)
            .cycle()
            .take(50_000)
            .map(|b| alloc::format!("{b}"))
            .collect();
        want.push_str(&byte_list.join(","));
        // 0xff, 0x0f, then the top three bits of 0xa0: 5.
        want.push_str(">>,<<255,15,5:3>>,{0");
        for i in 1..70_000 {
            want.push_str(&alloc::format!(",{i}"));
        }
        want.push_str("}}");
        assert_eq!(text, want);
    }

    #[test]
    fn an_unaligned_binary_prints_its_bytes() {
        let lits = crate::vm::literals::Literals::default();
        let mut h = crate::vm::heap::Heap::new();
        let b = h.binary(alloc::vec![0x00, 0x12, 0x34, 0x56]);
        let words = h.view(&lits).bin_ref(b).expect("a binary");
        // The bytes starting four bits in: 0x01, 0x23; from byte one on: 0x23, 0x45 ("#E").
        let bytes = h.bin_ref(words.0, 4, 16);
        let text = h.bin_ref(words.0, 12, 16);
        let v = h.view(&lits);
        let out = display(&v, &AtomTable::new(), &Code::default(), bytes);
        assert_eq!(out, b"<<1,35>>");
        let out = display(&v, &AtomTable::new(), &Code::default(), text);
        assert_eq!(out, b"<<\"#E\">>");
    }

    #[test]
    fn atom_quoting() {
        let mut s = String::new();
        for a in ["and", "Abc", "aB_1@x", "a b\\c", "\u{e4}"] {
            write_atom(&mut s, a);
            s.push(' ');
        }
        assert_eq!(s, "and 'Abc' 'aB_1@x' 'a b\\\\c' \u{e4} ");
    }
}
