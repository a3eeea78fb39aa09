//! The hash that orders large maps, bit-compatible with OTP 25's internal term hash so large
//! maps iterate, print and serialise in the same order as under erl.
//!
//! erl keeps maps of more than 32 pairs in a hash trie indexed four hash bits at a time, lowest
//! bits first; its iteration order is therefore the order of the hashes read nibble by nibble.
//! [`trie_key`] turns a hash into a number whose plain order is that order. Keys whose 32-bit
//! hashes are equal go on below the eighth level, placed by a second hash salted with the
//! depth ([`deeper_position`], [`collision_order`]); only those rare keys pay for it. Immediates are
//! hashed through erl's own word encoding (small integers, `[]`); atoms use our atom index in
//! that encoding, so atom-keyed large maps are ordered consistently but not as erl orders them
//! (erl's order depends on its atom table).

use alloc::vec::Vec;

use super::heap::View;
use super::term::{Kind, Term};

/// Jenkins' golden-ratio constant.
pub const HCONST: u32 = 0x9e37_79b9;
pub(crate) const HCONST_4: u32 = 0x78dd_e6e4;
pub(crate) const HCONST_9: u32 = 0x8ff3_4781;
pub(crate) const HCONST_10: u32 = 0x2e2a_c13a;
pub(crate) const HCONST_11: u32 = 0xcc62_3af3;
pub(crate) const HCONST_12: u32 = 0x6a99_b4ac;
pub(crate) const HCONST_13: u32 = 0x08d1_2e65;
pub(crate) const HCONST_15: u32 = 0x4540_21d7;
pub(crate) const HCONST_16: u32 = 0xe377_9b90;
pub(crate) const HCONST_17: u32 = 0x81af_1549;
pub(crate) const HCONST_18: u32 = 0x1fe6_8f02;
pub(crate) const HCONST_20: u32 = 0x5c55_8274;
pub(crate) const HCONST_22: u32 = 0x98c4_75e6;
/// Salt erl mixes into its internal hash.
pub(crate) const INTERNAL_HASH_SALT: u32 = 3_432_918_353;
/// Largest magnitude erl keeps as a small integer (60-bit signed).
pub(crate) const ERL_SMALL_MAX: i64 = (1 << 59) - 1;
pub(crate) const ERL_SMALL_MIN: i64 = -(1 << 59);
/// erl's word for `[]`.
pub(crate) const ERL_NIL: u64 = 0x3b;

/// Bob Jenkins' 96-bit mix, as erl uses it.
#[inline]
fn mix(a: u32, b: u32, c: u32) -> u32 {
    mix3(a, b, c).2
}

/// Mixes two words (each offset by `con`) into hash `h`.
#[inline]
pub fn hash2_step(h: u32, x: u32, y: u32, con: u32) -> u32 {
    mix(con.wrapping_add(x), con.wrapping_add(y), h)
}

#[inline]
fn hash2(h: u32, x: u32, y: u32, con: u32) -> u32 {
    hash2_step(h, x, y, con)
}

#[inline]
pub(crate) fn const_hash(h: u32, con: u32) -> u32 {
    (h ^ con).rotate_left(17)
}

/// Mixes a bitstring of `bit_len` bits (whole bytes, then the leftover high bits of the last
/// byte) into `h`, as erl's internal hash and `phash2` both do.
pub fn bitstring_hash(h: u32, bytes: &[u8], bit_len: usize) -> u32 {
    let whole = bit_len / 8;
    let rest = bit_len % 8;
    let con = HCONST_13.wrapping_add(h);
    if bit_len == 0 {
        return con;
    }
    let mut h = block_hash(&bytes[..whole], con);
    if rest > 0 {
        let last = (bytes[whole] >> (8 - rest)) as u32;
        h = hash2_step(h, rest as u32, last, HCONST_15);
    }
    h
}

/// Jenkins' block hash over bytes, as erl hashes binaries.
pub fn block_hash(k: &[u8], init: u32) -> u32 {
    let le = |s: &[u8]| u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
    let (mut a, mut b, mut c) = (HCONST, HCONST, init);
    let mut chunks = k.chunks_exact(12);
    for ch in &mut chunks {
        a = a.wrapping_add(le(&ch[0..4]));
        b = b.wrapping_add(le(&ch[4..8]));
        c = c.wrapping_add(le(&ch[8..12]));
        (a, b, c) = mix3(a, b, c);
    }
    let r = chunks.remainder();
    c = c.wrapping_add(k.len() as u32);
    for (i, &byte) in r.iter().enumerate() {
        let v = byte as u32;
        match i {
            0..=3 => a = a.wrapping_add(v << (8 * i)),
            4..=7 => b = b.wrapping_add(v << (8 * (i - 4))),
            _ => c = c.wrapping_add(v << (8 * (i - 7))),
        }
    }
    mix3(a, b, c).2
}

/// The mix returning all three words (block hashing carries them between rounds).
fn mix3(mut a: u32, mut b: u32, mut c: u32) -> (u32, u32, u32) {
    a = a.wrapping_sub(b).wrapping_sub(c) ^ (c >> 13);
    b = b.wrapping_sub(c).wrapping_sub(a) ^ (a << 8);
    c = c.wrapping_sub(a).wrapping_sub(b) ^ (b >> 13);
    a = a.wrapping_sub(b).wrapping_sub(c) ^ (c >> 12);
    b = b.wrapping_sub(c).wrapping_sub(a) ^ (a << 16);
    c = c.wrapping_sub(a).wrapping_sub(b) ^ (b >> 5);
    a = a.wrapping_sub(b).wrapping_sub(c) ^ (c >> 3);
    b = b.wrapping_sub(c).wrapping_sub(a) ^ (a << 10);
    c = c.wrapping_sub(a).wrapping_sub(b) ^ (b >> 15);
    (a, b, c)
}

pub(crate) fn immediate(h: u32, word: u64) -> u32 {
    hash2(h, word as u32, (word >> 32) as u32, HCONST)
}

pub(crate) fn big_limbs(h: u32, negative: bool, limbs: &[u64]) -> u32 {
    let con = if negative { HCONST_10 } else { HCONST_11 };
    let mut h = h;
    for &l in limbs {
        h = hash2(h, l as u32, (l >> 32) as u32, con);
    }
    h
}

/// Work items: terms to hash, or the marker for "after a list cell's head".
enum Item {
    Term(Term),
    Cdr,
}

/// erl's internal hash of `t` with `salt` (0 for the first eight trie levels).
pub fn internal_hash(v: &View, t: Term, salt: u32) -> u32 {
    let mut h = salt ^ INTERNAL_HASH_SALT;
    let mut stack: Vec<Item> = Vec::new();
    let mut cur = Some(t);
    loop {
        let Some(t) = cur.take() else {
            match stack.pop() {
                None => return h,
                Some(Item::Cdr) => {
                    h = const_hash(h, HCONST_18);
                    continue;
                }
                Some(Item::Term(t)) => {
                    cur = Some(t);
                    continue;
                }
            }
        };
        if let Some(n) = t.as_small() {
            if (ERL_SMALL_MIN..=ERL_SMALL_MAX).contains(&n) {
                h = immediate(h, ((n as u64) << 4) | 0xf);
            } else {
                h = big_limbs(h, n < 0, &[n.unsigned_abs()]);
            }
        } else if t.is_nil() {
            h = immediate(h, ERL_NIL);
        } else if t.is_atom() {
            h = immediate(h, ((t.atom_index() as u64) << 6) | 0xb);
        } else if t.is_pid() {
            h = immediate(h, ((t.pid_number() as u64) << 4) | 0x3);
        } else if t.is_cons() {
            // Runs of byte-sized heads are packed four to a word, as erl does for strings.
            let mut c = 0u32;
            let mut sh = 0u32;
            let mut l = t;
            loop {
                let (hd, tl) = v.cons(l);
                match hd.as_small() {
                    Some(b) if (0..=255).contains(&b) => {
                        sh = (sh << 8).wrapping_add(b as u32);
                        if c == 3 {
                            h = hash2(h, sh, 0, HCONST_4);
                            c = 0;
                            sh = 0;
                        } else {
                            c += 1;
                        }
                        if !tl.is_cons() {
                            l = tl;
                            break;
                        }
                        l = tl;
                    }
                    _ => break,
                }
            }
            if c > 0 {
                h = hash2(h, sh, c, HCONST_22);
            }
            if l.is_cons() {
                let (hd, tl) = v.cons(l);
                h = const_hash(h, HCONST_17);
                stack.push(Item::Term(tl));
                if !tl.is_cons() {
                    stack.push(Item::Cdr);
                }
                cur = Some(hd);
            } else {
                cur = Some(l);
            }
        } else {
            match v.kind(t) {
                Some(Kind::Tuple) => {
                    let el = v.payload(t);
                    h = hash2(h, el.len() as u32, 0, HCONST_9);
                    if let Some((first, rest)) = el.split_first() {
                        for e in rest.iter().rev() {
                            stack.push(Item::Term(*e));
                        }
                        cur = Some(*first);
                    }
                }
                Some(Kind::Float) => {
                    let mut f = v.float(t).unwrap_or(0.0);
                    if f == 0.0 {
                        f = 0.0;
                    }
                    let bits = f.to_bits();
                    h = hash2(h, bits as u32, (bits >> 32) as u32, HCONST_12);
                }
                Some(Kind::PosBig | Kind::NegBig) => {
                    let limbs: Vec<u64> = v.payload(t).iter().map(|w| w.0).collect();
                    h = big_limbs(h, v.kind(t) == Some(Kind::NegBig), &limbs);
                }
                Some(Kind::BinRef) => {
                    if let Some(b) = v.binary(t) {
                        h = bitstring_hash(h, &b.to_vec(), b.bit_len);
                    }
                }
                Some(Kind::Fun) => {
                    let p = v.payload(t);
                    h = hash2(
                        h,
                        (p.len() - 1) as u32,
                        p[0].small_value() as u32,
                        HCONST_20,
                    );
                    for e in p[1..].iter().rev() {
                        stack.push(Item::Term(*e));
                    }
                }
                Some(Kind::Export) => {
                    for e in v.payload(t).iter().rev() {
                        stack.push(Item::Term(*e));
                    }
                }
                Some(Kind::Ref) => {
                    let n = v.payload(t)[0].0;
                    h = hash2(h, n as u32, (n >> 32) as u32, HCONST_9);
                }
                Some(kind @ (Kind::Map | Kind::TreeMap)) => {
                    // The size, then the pairs key first: a small map's in key order, a
                    // large one's (erl's hash trie, whose nodes push their slots in order
                    // and pop them last first) in reverse iteration order.
                    let entries = v.map_entries(t).unwrap_or_default();
                    h = hash2(h, entries.len() as u32, 0, HCONST_16);
                    let push = |stack: &mut Vec<Item>, (k, x): (Term, Term)| {
                        stack.push(Item::Term(x));
                        stack.push(Item::Term(k));
                    };
                    if kind == Kind::Map {
                        entries.into_iter().rev().for_each(|e| push(&mut stack, e));
                    } else {
                        entries.into_iter().for_each(|e| push(&mut stack, e));
                    }
                }
                _ => {}
            }
        }
    }
}

/// A map key's position in erl's hash trie: hash nibbles, lowest first, as one number.
#[inline]
pub fn trie_key(hash: u32) -> u32 {
    let mut r = 0;
    for i in 0..8 {
        r = (r << 4) | ((hash >> (4 * i)) & 0xf);
    }
    r
}

/// The trie position of a term used as a map key.
pub fn key_position(v: &View, t: Term) -> u32 {
    trie_key(internal_hash(v, t, 0))
}

/// Hashes below the first [`collision_order`] reads before it gives up: erl's trie would go
/// deeper, but distinct keys whose 160 hash bits all agree are not expected to exist.
pub const MAX_DEPTH: u32 = 4;

/// The salt of the hash erl places a key by in trie levels `8 * depth` to `8 * depth + 7`
/// (`make_map_hash(Key, Depth)` in erl_term_hashing.c): for depth 1 and up, the depth and 1
/// mixed into a zero hash with the list-tail constant, as erl does.
fn depth_salt(depth: u32) -> u32 {
    hash2(0, depth, 1, HCONST_22)
}

/// A key's position in the eight trie levels from `8 * depth` on (depth 1 and up): erl
/// rehashes a key with a salt drawn from the depth once the levels of the previous hash
/// are used up (`hashmap_shift_hash` in erl_map.h), so keys whose first hashes are equal
/// are placed by the next hash, and so on.
pub fn deeper_position(v: &View, t: Term, depth: u32) -> u32 {
    trie_key(internal_hash(v, t, depth_salt(depth)))
}

/// The trie order of two keys with equal [`key_position`]s: by their [`deeper_position`]s,
/// depth 1 first. `Equal` for equal keys (and, up to [`MAX_DEPTH`], for none else): callers
/// then fall back on map-key order.
pub fn collision_order(v: &View, a: Term, b: Term) -> core::cmp::Ordering {
    for depth in 1..=MAX_DEPTH {
        let o = deeper_position(v, a, depth).cmp(&deeper_position(v, b, depth));
        if o.is_ne() {
            return o;
        }
    }
    core::cmp::Ordering::Equal
}

/// Puts `items`, sorted by first position with ties in map-key order, in full trie order:
/// each run of equal positions (rare: a 32-bit hash collision) is sorted by
/// [`collision_order`], stably so that map-key order stays the last word. Runs only cost a
/// scan, so the common case stays one pass over positions already computed.
pub fn order_collisions<T>(
    v: &View,
    items: &mut [T],
    pos: impl Fn(&T) -> u32,
    key: impl Fn(&T) -> Term,
) {
    let mut lo = 0;
    while lo < items.len() {
        let p = pos(&items[lo]);
        let mut hi = lo + 1;
        while hi < items.len() && pos(&items[hi]) == p {
            hi += 1;
        }
        if hi - lo > 1 {
            crate::sort::sort_by(&mut items[lo..hi], |a, b| {
                collision_order(v, key(a), key(b))
            });
        }
        lo = hi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::heap::Heap;
    use crate::vm::literals::Literals;

    /// erl 25: maps:keys(maps:from_list([{K, K} || K <- lists:seq(1, 33)])).
    #[test]
    fn small_integer_order_matches_erl() {
        let lits = Literals::default();
        let h = Heap::new();
        let v = h.view(&lits);
        let mut keys: Vec<i64> = (1..=33).collect();
        keys.sort_by_key(|k| core::cmp::Reverse(key_position(&v, Term::small(*k))));
        assert_eq!(
            keys,
            [
                33, 12, 23, 29, 30, 26, 31, 11, 9, 32, 25, 28, 6, 13, 20, 15, 14, 2, 7, 1, 8, 3,
                17, 22, 21, 4, 24, 10, 27, 19, 5, 18, 16
            ]
        );
    }

    /// Integer keys whose first hashes collide under erl 25 (`enif_hash(ERL_NIF_INTERNAL_HASH,
    /// K, 0)` is 0xb7e5083c for both 40660 and 59671, 0xd3d177b9 for 22575 and 119693), with
    /// the order `maps:next/1` gives them in any map holding both.
    const ERL_COLLISIONS: [(i64, i64); 8] = [
        (59671, 40660),
        (22575, 119693),
        (121236, 167527),
        (178740, 169647),
        (217607, 29879),
        (232672, 204923),
        (280384, 198773),
        (281280, 229095),
    ];

    #[test]
    fn colliding_keys_go_in_erls_deeper_order() {
        let lits = Literals::default();
        let h = Heap::new();
        let v = h.view(&lits);
        let small = Term::small;
        assert_eq!(internal_hash(&v, small(40660), 0), 0xb7e5_083c);
        // erl's salted internal hash (salt 1), which its maps do not use below level 8.
        assert_eq!(internal_hash(&v, small(40660), 1), 0xd871_e105);
        for (first, second) in ERL_COLLISIONS {
            let (a, b) = (small(first), small(second));
            assert_eq!(key_position(&v, a), key_position(&v, b), "{first} {second}");
            assert_eq!(
                collision_order(&v, a, b),
                core::cmp::Ordering::Less,
                "{first}"
            );
            assert_eq!(collision_order(&v, b, a), core::cmp::Ordering::Greater);
            assert_eq!(collision_order(&v, a, a), core::cmp::Ordering::Equal);
        }
    }

    /// Runs of equal first positions are put in deeper order; the rest stays as it is.
    #[test]
    fn order_collisions_sorts_only_the_runs() {
        let lits = Literals::default();
        let h = Heap::new();
        let v = h.view(&lits);
        let keys = [1, 40660, 59671, 2, 119693, 22575];
        let mut items: Vec<(u32, Term)> = keys
            .iter()
            .map(|&k| (key_position(&v, Term::small(k)), Term::small(k)))
            .collect();
        crate::sort::sort_by_key(&mut items, |e| e.0);
        order_collisions(&v, &mut items, |e| e.0, |e| e.1);
        let at = |k: i64| items.iter().position(|e| e.1 == Term::small(k)).unwrap();
        assert_eq!(at(40660), at(59671) + 1);
        assert_eq!(at(119693), at(22575) + 1);
        assert!(items.windows(2).all(|w| w[0].0 <= w[1].0));
    }
}
