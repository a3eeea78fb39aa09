//! Conversion BIFs between atoms, strings, binaries, numbers and tuples.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use num_bigint::BigInt;
use num_traits::ToPrimitive;

use super::arith::{num, Num};
use super::to_binary::{self, Walk};
use super::trap;
use crate::vm::atom;
use crate::vm::bif::{badarg, copied_terms, list_elems, BifResult, Ctx, Fault};
use crate::vm::heap::BinSlice;
use crate::vm::heap::View;
use crate::vm::process::SLICE_REDUCTIONS;
use crate::vm::small::SmallStack;
use crate::vm::term::Term;

/// Calls `f` with the bytes of an iolist, in order; `None` if it is not one (after calls
/// for the part before the offending element).
///
/// The walk's stack lives in the frame for the usual shallow iolists, so a walk does not
/// allocate.
pub fn iolist_chunks(v: &View, t: Term, f: impl FnMut(&[u8])) -> Option<()> {
    match iolist_chunks_within(v, t, usize::MAX, f) {
        Walk::Done => Some(()),
        _ => None,
    }
}

/// [`iolist_chunks`] for at most about `budget` units of work (an element, or 64 bytes of
/// a binary): [`Walk::Paused`] when the iolist is longer.
pub fn iolist_chunks_within(v: &View, t: Term, budget: usize, mut f: impl FnMut(&[u8])) -> Walk {
    // A binary's bytes to `f` (false when it is not byte-sized); its work in `work`.
    fn emit(b: BinSlice, work: &mut usize, f: &mut impl FnMut(&[u8])) -> bool {
        if !b.bit_len.is_multiple_of(8) {
            return false;
        }
        *work += b.bit_len / 512;
        match b.bytes() {
            Some(x) => f(x),
            None => f(&b.to_vec()),
        }
        true
    }
    let mut stack: SmallStack<Term, 32> = SmallStack::new(Term::NIL);
    stack.push(t);
    let mut work = 0usize;
    while let Some(t) = stack.pop() {
        work += 1;
        if work > budget {
            return Walk::Paused;
        }
        if t.is_cons() {
            let (h, tl) = v.cons(t);
            // The tail is checked before the head is taken; it is walked after it.
            if !(tl.is_nil() || tl.is_cons() || v.is_binary(tl)) {
                return Walk::Bad;
            }
            stack.push(tl);
            if let Some(c) = h.as_small() {
                if !(0..=255).contains(&c) {
                    return Walk::Bad;
                }
                // Fast path for flat byte runs.
                f(&[c as u8]);
            } else if h.is_cons() {
                stack.push(h);
            } else if h.is_nil() {
            } else if let Some(b) = v.binary(h) {
                // A binary element at once: no second look at it off the stack.
                if !emit(b, &mut work, &mut f) {
                    return Walk::Bad;
                }
            } else {
                return Walk::Bad;
            }
            continue;
        }
        if t.is_nil() {
            continue;
        }
        match v.binary(t) {
            Some(b) if emit(b, &mut work, &mut f) => {}
            _ => return Walk::Bad,
        }
    }
    Walk::Done
}

/// The number of bytes in an iolist; `None` if it is not one.
pub fn iolist_len(v: &View, t: Term) -> Option<usize> {
    let mut n = 0;
    iolist_chunks(v, t, |c| n += c.len())?;
    Some(n)
}

/// Appends the bytes of an iolist to `out`; `None` (and `out` unchanged) if it is not one or
/// the allocator cannot hold its bytes.
///
/// The size is counted first so `out` grows once instead of doubling its way up.
pub fn iolist_bytes(v: &View, t: Term, out: &mut Vec<u8>) -> Option<()> {
    let n = iolist_len(v, t)?;
    out.try_reserve(n).ok()?;
    iolist_chunks(v, t, |c| out.extend_from_slice(c))
}

/// The bytes of iolist `t` in a buffer of their own: `badarg` if it is not one, erl's
/// `system_limit` when they are more than the node's memory can hold (an iolist repeating
/// one binary can stand for far more bytes than its process holds).
pub fn iolist_output(ctx: &Ctx, t: Term) -> Result<Vec<u8>, Fault> {
    let v = ctx.view();
    let n = iolist_len(&v, t).ok_or_else(badarg)?;
    let mut out = ctx.output_buffer(n)?;
    iolist_chunks(&v, t, |c| out.extend_from_slice(c)).ok_or_else(badarg)?;
    Ok(out)
}

/// A list of character codes as a `String` (`None` if any is not a valid char).
pub fn list_to_string(v: &View, t: Term) -> Option<String> {
    let mut s = String::new();
    let mut l = t;
    while l.is_cons() {
        let (h, tl) = v.cons(l);
        s.push(char::from_u32(u32::try_from(h.as_small()?).ok()?)?);
        l = tl;
    }
    if l.is_nil() {
        Some(s)
    } else {
        None
    }
}

/// `atom_to_list/1`.
pub fn atom_to_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() {
        return Err(badarg());
    }
    let s = String::from(ctx.atoms.name(a[0]));
    Ok(ctx.p.heap.string(&s))
}

/// `atom_to_binary/1,2`.
pub fn atom_to_binary(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() {
        return Err(badarg());
    }
    let latin1 = is_latin1(a.get(1).copied())?;
    let s = String::from(ctx.atoms.name(a[0]));
    if latin1 {
        let mut out = Vec::new();
        for c in s.chars() {
            out.push(u8::try_from(c as u32).map_err(|_| badarg())?);
        }
        return Ok(ctx.p.heap.binary(out));
    }
    Ok(ctx.p.heap.binary(s.into_bytes()))
}

fn make_atom(ctx: &mut Ctx, s: &str) -> BifResult {
    ctx.atoms.intern(s).map_err(|e| match e {
        crate::vm::atom::AtomError::TooLong => Fault::error(atom::SYSTEM_LIMIT),
        crate::vm::atom::AtomError::TableFull => Fault::error(atom::SYSTEM_LIMIT),
    })
}

/// `list_to_atom/1`.
pub fn list_to_atom(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = list_to_string(&ctx.view(), a[0]).ok_or_else(badarg)?;
    make_atom(ctx, &s)
}

/// `list_to_existing_atom/1`.
pub fn list_to_existing_atom(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = list_to_string(&ctx.view(), a[0]).ok_or_else(badarg)?;
    ctx.atoms.lookup(&s).ok_or_else(badarg)
}

/// Whether an atom BIF's encoding argument is `latin1` rather than `unicode` or `utf8` (the
/// default when there is none); any other is `badarg`.
fn is_latin1(enc: Option<Term>) -> Result<bool, Fault> {
    match enc {
        None | Some(atom::UNICODE | atom::UTF8) => Ok(false),
        Some(atom::LATIN1) => Ok(true),
        Some(_) => Err(badarg()),
    }
}

fn binary_string(ctx: &Ctx, t: Term, enc: Option<Term>) -> Result<String, Fault> {
    let latin1 = is_latin1(enc)?;
    let v = ctx.view();
    let b = v.binary_bytes(t).ok_or_else(badarg)?;
    if latin1 {
        Ok(b.iter().map(|&c| c as char).collect())
    } else {
        core::str::from_utf8(&b)
            .map(String::from)
            .map_err(|_| badarg())
    }
}

/// `binary_to_atom/1,2`.
pub fn binary_to_atom(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = binary_string(ctx, a[0], a.get(1).copied())?;
    make_atom(ctx, &s)
}

/// `binary_to_existing_atom/1,2`.
pub fn binary_to_existing_atom(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = binary_string(ctx, a[0], a.get(1).copied())?;
    ctx.atoms.lookup(&s).ok_or_else(badarg)
}

/// The text of the integer term `t` in `base` (digits above 9 in upper case). Small integers
/// are written into `buf`; only bignums go through `BigInt` and a new string.
fn int_text<'b>(
    ctx: &Ctx,
    t: Term,
    base: Option<Term>,
    buf: &'b mut [u8; SMALL_DIGITS],
) -> Result<Cow<'b, [u8]>, Fault> {
    let v = ctx.view();
    let base = match base {
        Some(b) => b
            .as_small()
            .filter(|b| (2..=36).contains(b))
            .ok_or_else(badarg)? as u32,
        None => 10,
    };
    if let Some(i) = t.as_small() {
        return Ok(Cow::Borrowed(small_text(i, base, buf)));
    }
    let i = v.int(t).ok_or_else(badarg)?.to_big();
    Ok(Cow::Owned(crate::vm::radix::int_text(&i, base)))
}

/// Room for any `i64` in any base: 64 binary digits and a sign.
const SMALL_DIGITS: usize = 65;

/// Writes `i` in `base` (2..=36, upper-case digits) at the end of `buf`; returns the text.
fn small_text(i: i64, base: u32, buf: &mut [u8; SMALL_DIGITS]) -> &[u8] {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut n = i.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = DIGITS[(n % u64::from(base)) as usize];
        n /= u64::from(base);
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    &buf[at..]
}

/// `integer_to_list/1,2`.
pub fn integer_to_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut buf = [0; SMALL_DIGITS];
    let s = int_text(ctx, a[0], a.get(1).copied(), &mut buf)?;
    ctx.heap_room(2 * s.len())?;
    Ok(ctx.p.heap.byte_list(&s))
}

/// `integer_to_binary/1,2`.
pub fn integer_to_binary(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut buf = [0; SMALL_DIGITS];
    let s = int_text(ctx, a[0], a.get(1).copied(), &mut buf)?;
    Ok(ctx.p.heap.binary(s.into_owned()))
}

fn parse_int(s: &str, base: u32) -> Option<BigInt> {
    let (neg, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let v = BigInt::from(crate::vm::radix::parse(digits.as_bytes(), base)?);
    Some(if neg { -v } else { v })
}

fn base_of(b: Option<&Term>) -> Result<u32, Fault> {
    match b {
        Some(b) => Ok(b
            .as_small()
            .filter(|b| (2..=36).contains(b))
            .ok_or_else(badarg)? as u32),
        None => Ok(10),
    }
}

/// The value of integer text (an optional sign, then digits in `base`) when it fits an
/// `i64`; `None` when it does not or is not integer text (the general path decides which).
fn parse_i64(s: &[u8], base: u32) -> Option<i64> {
    let (neg, digits) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        let d = (c as char).to_digit(base)?;
        v = v.checked_mul(base as i64)?.checked_add(d as i64)?;
    }
    Some(if neg { -v } else { v })
}

/// Room for the text of any `i64` with a sign: longer lists take the general path.
const SHORT_TEXT: usize = 66;

/// `list_to_integer/1,2`.
pub fn list_to_integer(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let base = base_of(a.get(1))?;
    // Short texts of small integers: no string, no bignum.
    let mut buf = [0u8; SHORT_TEXT];
    let (mut n, mut l) = (0, a[0]);
    let v = ctx.view();
    while l.is_cons() && n < SHORT_TEXT {
        let (h, t) = v.cons(l);
        match h.as_small() {
            Some(c @ 0..=127) => buf[n] = c as u8,
            _ => break,
        }
        n += 1;
        l = t;
    }
    if l.is_nil() {
        if let Some(i) = parse_i64(&buf[..n], base) {
            return Ok(ctx.p.heap.int(i));
        }
    }
    let s = list_to_string(&ctx.view(), a[0]).ok_or_else(badarg)?;
    let i = parse_int(&s, base).ok_or_else(badarg)?;
    Ok(ctx.p.heap.bigint(&i))
}

/// `binary_to_integer/1,2`.
pub fn binary_to_integer(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let base = base_of(a.get(1))?;
    let small = ctx
        .view()
        .binary(a[0])
        .and_then(|b| b.bytes().and_then(|t| parse_i64(t, base)));
    if let Some(i) = small {
        return Ok(ctx.p.heap.int(i));
    }
    let s = binary_string(ctx, a[0], Some(atom::LATIN1))?;
    let i = parse_int(&s, base).ok_or_else(badarg)?;
    Ok(ctx.p.heap.bigint(&i))
}

/// Erl's float text for `float_to_list/1`: `%.20e`.
pub fn float_text_default(f: f64) -> String {
    fix_exponent(&crate::vm::decimal::sci(f, 20))
}

fn fix_exponent(s: &str) -> String {
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, d) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            if d.len() < 2 {
                alloc::format!("{m}e{sign}0{d}")
            } else {
                alloc::format!("{m}e{sign}{d}")
            }
        }
        None => String::from(s),
    }
}

/// Shortest round-trip text as erl's `float_to_list(F, [short])` prints it: the shortest
/// digits, in fixed or scientific notation, whichever is shorter (fixed on a tie).
pub fn float_text_short(f: f64) -> String {
    // Beyond 2^53 not every integer is a float: erl always writes these in `e` notation.
    let beyond = num_traits::Float::abs(f) >= 9_007_199_254_740_992.0;
    // The shortest round-trip digits in scientific form.
    let e = crate::vm::decimal::shortest(f);
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let mut digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let n = digits.len() as i32;
    if let Some(even) = even_on_tie(f, &digits, exp) {
        digits = even;
    }
    let sign = if neg { "-" } else { "" };
    let mut fixed = String::from(sign);
    if exp >= 0 {
        if n <= exp + 1 {
            fixed.push_str(&digits);
            for _ in 0..(exp + 1 - n) {
                fixed.push('0');
            }
            fixed.push_str(".0");
        } else {
            fixed.push_str(&digits[..(exp + 1) as usize]);
            fixed.push('.');
            fixed.push_str(&digits[(exp + 1) as usize..]);
        }
    } else {
        fixed.push_str("0.");
        for _ in 0..(-exp - 1) {
            fixed.push('0');
        }
        fixed.push_str(&digits);
    }
    let mut sci = String::from(sign);
    sci.push_str(&digits[..1]);
    sci.push('.');
    if n > 1 {
        sci.push_str(&digits[1..]);
    } else {
        sci.push('0');
    }
    sci.push_str(&alloc::format!("e{exp}"));
    if beyond || sci.len() < fixed.len() {
        sci
    } else {
        fixed
    }
}

/// The other shortest digits when `digits` (scientific exponent `exp`) and a neighbour one
/// unit away in the last place are equally near `f` and the neighbour's last digit is even:
/// erl breaks such exact ties towards the even digit, Rust's shortest form away from it.
fn even_on_tie(f: f64, digits: &str, exp: i32) -> Option<String> {
    let n = digits.len();
    let d: u64 = digits.parse().ok()?;
    if d.is_multiple_of(2) || !f.is_finite() || f == 0.0 {
        return None;
    }
    // |f| = m * 2^e exactly; a tie means 2|f| * 10^k == 2d +- 1 with k = n - 1 - exp.
    let bits = f.abs().to_bits();
    let (biased, frac) = ((bits >> 52) as i64, bits & ((1 << 52) - 1));
    let (m, e) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), biased - 1075)
    };
    let k = n as i64 - 1 - exp as i64;
    let twos = e + 1;
    let ten = || BigInt::from(10u32);
    for cand in [d - 1, d + 1] {
        let text = alloc::format!("{cand}");
        if text.len() != n {
            continue;
        }
        let (mut l, mut r) = (BigInt::from(m), BigInt::from(d + cand));
        if twos >= 0 {
            l <<= twos as usize;
        } else {
            r <<= (-twos) as usize;
        }
        if k >= 0 {
            l *= num_traits::pow(ten(), k as usize);
        } else {
            r *= num_traits::pow(ten(), (-k) as usize);
        }
        if l == r {
            return Some(text);
        }
    }
    None
}

/// The form `float_to_list/2` and `float_to_binary/2` write a float in.
#[derive(Clone, Copy)]
enum FloatForm {
    /// The default (`[{scientific, 20}]`).
    Default,
    /// `short`.
    Short,
    /// `{decimals, N}`.
    Decimals,
    /// `{scientific, N}`.
    Scientific,
}

/// The text of `f` under the options `opts`, as erl reads them: every option is checked for
/// its type first; the last of `short`, `{decimals, N}` and `{scientific, N}` chooses the
/// form, and `N` is the last one given by either tuple; only the chosen form's range counts.
fn float_opts(ctx: &Ctx, f: f64, opts: Term) -> Result<String, Fault> {
    let v = ctx.view();
    let list = v.list_to_vec(opts).ok_or_else(badarg)?;
    let (mut form, mut n, mut compact) = (FloatForm::Default, 0i64, false);
    for o in list {
        if o == atom::COMPACT {
            compact = true;
        } else if o == atom::SHORT {
            form = FloatForm::Short;
        } else {
            match v.tuple(o) {
                Some(&[k, x]) if (k == atom::DECIMALS || k == atom::SCIENTIFIC) => {
                    n = x.as_small().ok_or_else(badarg)?;
                    form = if k == atom::DECIMALS {
                        FloatForm::Decimals
                    } else {
                        FloatForm::Scientific
                    };
                }
                _ => return Err(badarg()),
            }
        }
    }
    match form {
        FloatForm::Default => Ok(float_text_default(f)),
        FloatForm::Short => Ok(float_text_short(f)),
        FloatForm::Decimals => {
            let n = usize::try_from(n)
                .ok()
                .filter(|&n| n <= 253)
                .ok_or_else(badarg)?;
            let mut out = erl_fixed(f, n).ok_or_else(badarg)?;
            // `compact` applies to `decimals` only (and then only when there are some).
            if compact && n > 0 {
                while out.ends_with('0') && !out.ends_with(".0") {
                    out.pop();
                }
            }
            Ok(out)
        }
        FloatForm::Scientific => {
            // As C's `%.*e`, which erl calls: a negative precision is the default, 6; a
            // text longer than erl's buffer is `badarg`.
            let n = usize::try_from(n).unwrap_or(6);
            if n > FLOAT_TEXT_MAX {
                return Err(badarg());
            }
            let out = fix_exponent(&crate::vm::decimal::sci(f, n));
            if out.len() > FLOAT_TEXT_MAX {
                return Err(badarg());
            }
            Ok(out)
        }
    }
}

/// erl's text buffer for a float: a longer text is `badarg`.
const FLOAT_TEXT_MAX: usize = 255;

/// `f` with `n` decimals as erl writes it: below 2^53 and with fewer than 19 decimals, the
/// fraction is scaled by 10^n in floating point and rounded half away from zero (so 0.15
/// gives 0.2, as in erl, though the double is a little under 0.15); otherwise the exact value
/// is rounded, as C's `%.*f` does. A negative number keeps its sign even when it rounds to
/// zero. `None` when the text is longer than erl's buffer.
fn erl_fixed(f: f64, n: usize) -> Option<String> {
    let a = num_traits::Float::abs(f);
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    if a > 9_007_199_254_740_992.0 || n >= 19 {
        out.push_str(&exact_fixed(a, n));
    } else {
        // With no decimals this rounds `a` half away from zero, as erl does.
        let scale = (0..n).fold(1.0f64, |x, _| x * 10.0);
        let int_f = num_traits::Float::floor(a);
        let frac_f = num_traits::Float::round((a - int_f) * scale);
        // A rounding that reaches `scale` carries into the integer part.
        let carry = frac_f >= scale;
        let int_part = int_f as u64 + u64::from(carry);
        let frac_part = if carry { 0 } else { frac_f as u64 };
        out.push_str(&alloc::format!("{int_part}"));
        if n > 0 {
            out.push_str(&alloc::format!(".{frac_part:0n$}"));
        }
    }
    (out.len() <= FLOAT_TEXT_MAX).then_some(out)
}

/// The exact binary value of `a` (not negative) rounded to `n` decimals, ties to even.
fn exact_fixed(a: f64, n: usize) -> String {
    let (text, scale) = crate::vm::decimal::expansion(a);
    // Digits up to the `n`th decimal (zeros in front so there is an integer digit), and
    // the exact digits after it.
    let fraction = (-scale) as usize;
    let mut all: Vec<u8> = core::iter::repeat_n(b'0', (fraction + 1).saturating_sub(text.len()))
        .chain(text.iter().copied())
        .collect();
    let keep = all.len() - fraction + n;
    all.resize(all.len().max(keep), b'0');
    let rest = all.split_off(keep);
    let mut digits = all;
    crate::vm::decimal::round_digits(&mut digits, &rest);
    let int_len = digits.len() - n;
    let mut out = String::from(core::str::from_utf8(&digits[..int_len]).unwrap_or("0"));
    if n > 0 {
        out.push('.');
        out.push_str(core::str::from_utf8(&digits[int_len..]).unwrap_or(""));
    }
    out
}

fn float_arg(ctx: &Ctx, t: Term) -> Result<f64, Fault> {
    ctx.view().float(t).ok_or_else(badarg)
}

/// `float_to_list/1,2`.
pub fn float_to_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let f = float_arg(ctx, a[0])?;
    let s = if a.len() > 1 {
        float_opts(ctx, f, a[1])?
    } else {
        float_text_default(f)
    };
    Ok(ctx.p.heap.string(&s))
}

/// `float_to_binary/1,2`.
pub fn float_to_binary(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let f = float_arg(ctx, a[0])?;
    let s = if a.len() > 1 {
        float_opts(ctx, f, a[1])?
    } else {
        float_text_default(f)
    };
    Ok(ctx.p.heap.binary(s.into_bytes()))
}

fn parse_float(s: &str) -> Option<f64> {
    // Erlang requires digits on both sides of the point.
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, rest) = body.split_once('.')?;
    if int.is_empty() || !int.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let frac_end = rest.find(['e', 'E']).unwrap_or(rest.len());
    let frac = &rest[..frac_end];
    if frac.is_empty() || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let f = crate::vm::decimal::parse(s)?;
    if f.is_finite() {
        Some(f)
    } else {
        None
    }
}

/// `list_to_float/1`.
pub fn list_to_float(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = list_to_string(&ctx.view(), a[0]).ok_or_else(badarg)?;
    let f = parse_float(&s).ok_or_else(badarg)?;
    Ok(ctx.p.heap.float(f))
}

/// `binary_to_float/1`.
pub fn binary_to_float(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = binary_string(ctx, a[0], Some(atom::LATIN1))?;
    let f = parse_float(&s).ok_or_else(badarg)?;
    Ok(ctx.p.heap.float(f))
}

/// `list_to_tuple/1`.
pub fn list_to_tuple(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let items = list_elems(&ctx.view(), a[0])?;
    ctx.charge(items.len() / 32);
    ctx.heap_room(items.len() + 1)?;
    Ok(ctx.p.heap.tuple(&items))
}

/// `tuple_to_list/1`.
pub fn tuple_to_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let items = copied_terms(ctx.view().tuple(a[0]).ok_or_else(badarg)?)?;
    ctx.charge(items.len() / 32);
    ctx.heap_room(2 * items.len())?;
    Ok(ctx.p.heap.list(&items))
}

/// Bytes one step of `binary_to_list/1` turns into list cells (about a slice's work).
const LIST_STEP_BYTES: usize = 1 << 15;

/// A copy of the binary `t` that starts on a byte boundary (for the steps of a trapping BIF,
/// which read byte ranges of their argument in place).
pub fn aligned_copy(ctx: &mut Ctx, t: Term) -> Result<Term, Fault> {
    let bytes = crate::vm::bif::owned_bytes(ctx, t)?;
    Ok(ctx.p.heap.binary(bytes))
}

/// `binary_to_list/1`. A binary longer than a step is turned into a list a step at a time,
/// from its end, by a continuation ([`binary_to_list_step`]), so the others run meanwhile.
pub fn binary_to_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (len, aligned) = {
        let v = ctx.view();
        let b = v.binary(a[0]).filter(|b| b.bit_len % 8 == 0);
        let b = b.ok_or_else(badarg)?;
        (b.bit_len / 8, b.bytes().is_some())
    };
    if len > LIST_STEP_BYTES {
        // The steps read byte ranges: a binary not on a byte boundary is copied once.
        let bin = if aligned {
            a[0]
        } else {
            aligned_copy(ctx, a[0])?
        };
        let kind = Term::small(trap::BINARY_TO_LIST);
        return Err(Fault::TrapTo([
            kind,
            bin,
            Term::small(len as i64),
            Term::NIL,
        ]));
    }
    let b = ctx
        .view()
        .binary_bytes(a[0])
        .ok_or_else(badarg)?
        .into_owned();
    ctx.charge(b.len() / 32);
    Ok(ctx.p.heap.byte_list(&b))
}

/// One step of `binary_to_list/1` of a long binary (continuation [`trap::BINARY_TO_LIST`]):
/// the last `LIST_STEP_BYTES` of the bytes still to do go in front of the list so far.
pub fn binary_to_list_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let end = a[2].as_small().and_then(|n| usize::try_from(n).ok());
    let end = end.ok_or_else(badarg)?;
    let start = end.saturating_sub(LIST_STEP_BYTES);
    let chunk = {
        let v = ctx.view();
        let bytes = v.binary(a[1]).and_then(|b| b.bytes()).ok_or_else(badarg)?;
        bytes.get(start..end).ok_or_else(badarg)?.to_vec()
    };
    // The step's cells, in the heap's vector before they are made (as binary_to_list/3
    // does): a heap the node's memory cannot grow is system_limit, not a failed push.
    ctx.p
        .reserve_words(2 * chunk.len())
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    let mut list = a[3];
    for &b in chunk.iter().rev() {
        list = ctx.p.heap.cons(Term::small(i64::from(b)), list);
    }
    ctx.charge(SLICE_REDUCTIONS as usize);
    if start == 0 {
        return Ok(list);
    }
    let kind = Term::small(trap::BINARY_TO_LIST);
    Err(Fault::TrapTo([kind, a[1], Term::small(start as i64), list]))
}

/// `binary_to_list/3`: bytes `Start..=Stop` (from 1) of a binary, or of the whole bytes of a
/// bitstring, as erl takes them. A range longer than a step is the list of a sub-binary,
/// made a step at a time as `binary_to_list/1` makes it; only the range's bytes are ever
/// copied.
pub fn binary_to_list3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (w, off, bits) = ctx.view().bin_ref(a[0]).ok_or_else(badarg)?;
    let s = a[1].as_small().ok_or_else(badarg)?;
    let e = a[2].as_small().ok_or_else(badarg)?;
    if s < 1 || e < s || e as usize > bits / 8 {
        return Err(badarg());
    }
    let (from, len) = (s as usize - 1, (e - s + 1) as usize);
    let range = ctx.p.heap.bin_ref(w, off + 8 * from, 8 * len);
    binary_to_list(ctx, &[range])
}

/// `bitstring_to_list/1`.
pub fn bitstring_to_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if ctx.view().binary(a[0]).is_some_and(|b| b.bit_len % 8 == 0) {
        return binary_to_list(ctx, a);
    }
    let (bytes, rest) = {
        let v = ctx.view();
        let b = v.binary(a[0]).ok_or_else(badarg)?;
        let bytes = b.try_to_vec();
        (
            bytes.ok_or_else(|| Fault::error(atom::SYSTEM_LIMIT))?,
            b.bit_len % 8,
        )
    };
    // A cell a byte and the tail binary's words, in the heap's vector before they are made.
    ctx.p
        .reserve_words(2 * bytes.len() + 8)
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    let whole = bytes.len() - 1;
    let last = bytes[whole] >> (8 - rest);
    let tail = ctx
        .p
        .heap
        .binary_bits(alloc::vec![last << (8 - rest)], rest);
    let mut list = ctx.p.heap.cons(tail, Term::NIL);
    for &b in bytes[..whole].iter().rev() {
        list = ctx.p.heap.cons(Term::small(i64::from(b)), list);
    }
    ctx.charge(bytes.len() / 32);
    Ok(list)
}

/// `list_to_binary/1`.
pub fn list_to_binary(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    iolist_to_binary_as(ctx, a[0], trap::LIST_TO_BINARY)
}

/// `iolist_to_binary/1`.
pub fn iolist_to_binary(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    iolist_to_binary_as(ctx, a[0], trap::IOLIST_TO_BINARY)
}

/// `binary:list_to_bin/1`.
pub fn binary_list_to_bin(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    iolist_to_binary_as(ctx, a[0], trap::BINARY_LIST_TO_BIN)
}

/// The binary of iolist `t`. One longer than a step ([`to_binary::STEP`]) is walked a
/// step at a time by a continuation (`kind`), so the others run meanwhile.
fn iolist_to_binary_as(ctx: &mut Ctx, t: Term, kind: i64) -> BifResult {
    let v = ctx.view();
    if let Some(b) = v.binary(t) {
        if b.bit_len.is_multiple_of(8) {
            return Ok(t);
        }
    }
    let mut n = 0;
    match iolist_chunks_within(&v, t, to_binary::STEP, |c| n += c.len()) {
        Walk::Done => {}
        Walk::Bad => return Err(badarg()),
        Walk::Paused => return to_binary::start(ctx, kind, t),
    }
    let mut out = ctx.output_buffer(n)?;
    iolist_chunks(&v, t, |c| out.extend_from_slice(c)).ok_or_else(badarg)?;
    // A reduction per 256 bytes gathered (a long iolist ends the caller's slice).
    ctx.charge(out.len() / 256);
    Ok(ctx.p.heap.binary(out))
}

/// `list_to_bitstring/1`.
pub fn list_to_bitstring(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut w = crate::vm::bits::BitWriter::default();
    {
        let v = ctx.view();
        let mut stack = alloc::vec![a[0]];
        while let Some(t) = stack.pop() {
            if t.is_nil() {
                continue;
            }
            if let Some(b) = v.binary(t) {
                w.slice(&b);
            } else if t.is_cons() {
                let (h, tl) = v.cons(t);
                stack.push(tl);
                if let Some(c) = h.as_small() {
                    if !(0..=255).contains(&c) {
                        return Err(badarg());
                    }
                    w.uint(c as u64, 8);
                } else {
                    stack.push(h);
                }
            } else {
                return Err(badarg());
            }
        }
    }
    let bits = w.bits;
    Ok(ctx.p.heap.binary_bits(w.buf, bits))
}

/// `iolist_size/1`.
pub fn iolist_size(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = iolist_len(&ctx.view(), a[0]).ok_or_else(badarg)?;
    Ok(ctx.p.heap.int(n as i64))
}

/// `float/1`.
pub fn float(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    match num(&v, a[0]) {
        Some(Num::F(_)) => Ok(a[0]),
        Some(n) => {
            let f = match n {
                Num::I(i) => i as f64,
                Num::B(b) => crate::vm::num::big_to_f64(&b),
                Num::F(f) => f,
            };
            super::arith::make_float(&mut ctx.p.heap, f).map_err(|_| badarg())
        }
        None => Err(badarg()),
    }
}

fn round_with(ctx: &mut Ctx, a: &[Term], op: fn(f64) -> f64) -> BifResult {
    let v = ctx.view();
    match num(&v, a[0]) {
        Some(Num::F(f)) => {
            let r = op(f);
            match r.to_i64() {
                Some(i) if (i as f64) == r => Ok(ctx.p.heap.int(i)),
                _ => Ok(ctx.p.heap.bigint(&crate::vm::compare::float_to_big(r))),
            }
        }
        Some(_) => Ok(a[0]),
        None => Err(badarg()),
    }
}

/// `trunc/1`.
pub fn trunc(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    round_with(ctx, a, num_traits::Float::trunc)
}

/// `round/1` (half away from zero).
pub fn round(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    round_with(ctx, a, num_traits::Float::round)
}

/// `ceil/1`.
pub fn ceil(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    round_with(ctx, a, num_traits::Float::ceil)
}

/// `floor/1`.
pub fn floor(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    round_with(ctx, a, num_traits::Float::floor)
}

/// `string:list_to_integer/1`: `{Integer, Rest}` or `{error, Reason}`.
pub fn string_list_to_integer(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let items = ctx.view().list_to_vec(a[0]);
    let Some(items) = items else {
        let r = ctx.p.heap.tuple(&[atom::ERROR, atom::NOT_A_LIST]);
        return Ok(r);
    };
    let cs: Vec<i64> = items.iter().map(|t| t.as_small().unwrap_or(-1)).collect();
    let mut i = 0;
    if matches!(cs.first(), Some(&43) | Some(&45)) {
        i = 1;
    }
    let start = i;
    while i < cs.len() && (48..=57).contains(&cs[i]) {
        i += 1;
    }
    if i == start {
        return Ok(ctx.p.heap.tuple(&[atom::ERROR, atom::NO_INTEGER]));
    }
    let text: String = cs[..i].iter().map(|&c| c as u8 as char).collect();
    let v = parse_int(&text, 10).ok_or_else(badarg)?;
    let n = ctx.p.heap.bigint(&v);
    let rest = ctx.p.heap.list(&items[i..]);
    Ok(ctx.p.heap.tuple(&[n, rest]))
}

/// `string:list_to_float/1`: `{Float, Rest}` or `{error, Reason}`.
pub fn string_list_to_float(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let items = ctx.view().list_to_vec(a[0]);
    let Some(items) = items else {
        return Ok(ctx.p.heap.tuple(&[atom::ERROR, atom::NOT_A_LIST]));
    };
    let cs: String = items
        .iter()
        .map(|t| {
            t.as_small()
                .and_then(|c| char::from_u32(c as u32))
                .unwrap_or('\u{0}')
        })
        .collect();
    // Longest prefix that parses as an Erlang float.
    let mut best = None;
    for (end, _) in cs
        .char_indices()
        .skip(1)
        .chain(core::iter::once((cs.len(), ' ')))
    {
        if parse_float(&cs[..end]).is_some() {
            best = Some(end);
        }
    }
    match best {
        Some(end) => {
            let f = parse_float(&cs[..end]).unwrap_or(0.0);
            let n = cs[..end].chars().count();
            let ft = ctx.p.heap.float(f);
            let rest = ctx.p.heap.list(&items[n..]);
            Ok(ctx.p.heap.tuple(&[ft, rest]))
        }
        None => Ok(ctx.p.heap.tuple(&[atom::ERROR, atom::NO_FLOAT])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_text_matches_bigint_text() {
        let values = [0i64, 1, -1, 7, -10, 35, 36, 255, -256, i64::MAX, i64::MIN];
        for &i in &values {
            for base in 2..=36 {
                let mut buf = [0; SMALL_DIGITS];
                let want = BigInt::from(i).to_str_radix(base).to_uppercase();
                assert_eq!(
                    small_text(i, base, &mut buf),
                    want.as_bytes(),
                    "{i} base {base}"
                );
            }
        }
    }
}
