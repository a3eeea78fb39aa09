//! `atomics` and the `erts_internal` functions behind `counters`: arrays of 64-bit integers
//! shared by every process of the node.
//!
//! An array is named by a reference; the node keeps the arrays ([`AtomicArrays`]), so a
//! reference sent to another process reaches the same array. Processes run one at a time,
//! so every operation is atomic as erl promises. Arrays live as long as the node (erl frees
//! one when no reference to it is left; nothing tracks that here).

use alloc::vec::Vec;

use num_traits::ToPrimitive;

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::term::Term;
use crate::wordmap::WideMap;

/// One array: its values as 64-bit patterns, read as signed or unsigned.
#[derive(Debug)]
struct Array {
    signed: bool,
    /// Made by `counters:new/2` with `write_concurrency` (only `info` tells them apart).
    counters: bool,
    values: Vec<u64>,
}

/// The node's arrays by reference number.
#[derive(Debug, Default)]
pub struct AtomicArrays {
    arrays: WideMap<u64, Array>,
}

fn int(ctx: &Ctx, t: Term) -> Option<i128> {
    if let Some(n) = t.as_small() {
        return Some(n as i128);
    }
    ctx.view().int(t)?.to_big().to_i128()
}

fn int_term(ctx: &mut Ctx, v: i128) -> Term {
    match i64::try_from(v) {
        Ok(n) => ctx.p.heap.int(n),
        Err(_) => ctx.p.heap.bigint(&num_bigint::BigInt::from(v)),
    }
}

/// The value range of an array.
fn range(signed: bool) -> (i128, i128) {
    if signed {
        (i64::MIN as i128, i64::MAX as i128)
    } else {
        (0, u64::MAX as i128)
    }
}

fn read(a: &Array, bits: u64) -> i128 {
    if a.signed {
        bits as i64 as i128
    } else {
        bits as i128
    }
}

/// A value that must be in the array's range, as a bit pattern.
fn value(ctx: &Ctx, signed: bool, t: Term) -> Result<u64, Fault> {
    let v = int(ctx, t).ok_or_else(badarg)?;
    let (lo, hi) = range(signed);
    if (lo..=hi).contains(&v) {
        Ok(v as u64)
    } else {
        Err(badarg())
    }
}

/// An increment: anything a signed or an unsigned 64-bit integer holds; it wraps around.
fn increment(ctx: &Ctx, t: Term) -> Result<u64, Fault> {
    let v = int(ctx, t).ok_or_else(badarg)?;
    if (i64::MIN as i128..=u64::MAX as i128).contains(&v) {
        Ok(v as u64)
    } else {
        Err(badarg())
    }
}

/// The array a reference names and a 1-based index into it (as a 0-based one).
fn slot<'a>(ctx: &'a mut Ctx, r: Term, ix: Term) -> Result<(&'a mut Array, usize), Fault> {
    let v = ctx.view();
    if !v.is_ref(r) {
        return Err(badarg());
    }
    let n = v.payload(r)[0].0;
    let a = ctx
        .node
        .atomic_arrays()
        .and_then(|t| t.arrays.get_mut(n))
        .ok_or_else(badarg)?;
    match ix.as_small() {
        Some(i) if i >= 1 && (i as usize) <= a.values.len() => Ok((a, i as usize - 1)),
        _ => Err(badarg()),
    }
}

fn create(ctx: &mut Ctx, size: Term, signed: bool, counters: bool) -> BifResult {
    let size = match size.as_small() {
        Some(n) if n >= 1 && n <= u32::MAX as i64 => n as usize,
        _ => return Err(badarg()),
    };
    let n = *ctx.next_ref;
    *ctx.next_ref += 1;
    let arrays = ctx.node.atomic_arrays().ok_or_else(badarg)?;
    let values = alloc::vec![0; size];
    arrays.arrays.insert(
        n,
        Array {
            signed,
            counters,
            values,
        },
    );
    Ok(ctx.p.heap.reference(n))
}

/// `atomics:new(Arity, [{signed, Bool}])`.
pub fn new(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut signed = true;
    for o in ctx.view().list_to_vec(a[1]).ok_or_else(badarg)? {
        match ctx.view().tuple(o) {
            Some([k, v])
                if k.is_atom()
                    && ctx.atoms.name(*k) == "signed"
                    && (*v == atom::TRUE || *v == atom::FALSE) =>
            {
                signed = *v == atom::TRUE;
            }
            _ => return Err(badarg()),
        }
    }
    create(ctx, a[0], signed, false)
}

/// `atomics:put/3` (and `erts_internal:counters_put/3`).
pub fn put(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let bits = checked(ctx, a[0], a[1], a[2])?;
    let (arr, i) = slot(ctx, a[0], a[1])?;
    arr.values[i] = bits;
    Ok(atom::OK)
}

/// `atomics:get/2` (and `erts_internal:counters_get/2`).
pub fn get(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (arr, i) = slot(ctx, a[0], a[1])?;
    let v = read(arr, arr.values[i]);
    Ok(int_term(ctx, v))
}

/// Adds to a slot; the new value.
fn add_with(ctx: &mut Ctx, a: &[Term]) -> Result<i128, Fault> {
    let incr = increment(ctx, a[2])?;
    let (arr, i) = slot(ctx, a[0], a[1])?;
    arr.values[i] = arr.values[i].wrapping_add(incr);
    Ok(read(arr, arr.values[i]))
}

/// `atomics:add/3` (and `erts_internal:counters_add/3`).
pub fn add(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    add_with(ctx, a)?;
    Ok(atom::OK)
}

/// `atomics:add_get/3`.
pub fn add_get(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = add_with(ctx, a)?;
    Ok(int_term(ctx, v))
}

/// `atomics:sub/3`.
pub fn sub(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let d = int(ctx, a[2]).ok_or_else(badarg)?;
    let neg = int_term(ctx, -d);
    add(ctx, &[a[0], a[1], neg])
}

/// `atomics:sub_get/3`.
pub fn sub_get(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let d = int(ctx, a[2]).ok_or_else(badarg)?;
    let neg = int_term(ctx, -d);
    add_get(ctx, &[a[0], a[1], neg])
}

/// Checks a value against the array's range; its bit pattern.
fn checked(ctx: &mut Ctx, r: Term, ix: Term, t: Term) -> Result<u64, Fault> {
    let signed = slot(ctx, r, ix)?.0.signed;
    value(ctx, signed, t)
}

/// `atomics:exchange/3`: the old value.
pub fn exchange(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let new = checked(ctx, a[0], a[1], a[2])?;
    let (arr, i) = slot(ctx, a[0], a[1])?;
    let old = core::mem::replace(&mut arr.values[i], new);
    let old = read(arr, old);
    Ok(int_term(ctx, old))
}

/// `atomics:compare_exchange/4`: `ok` if the slot held `Expected`, else what it holds.
pub fn compare_exchange(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let expected = checked(ctx, a[0], a[1], a[2])?;
    let desired = checked(ctx, a[0], a[1], a[3])?;
    let (arr, i) = slot(ctx, a[0], a[1])?;
    if arr.values[i] == expected {
        arr.values[i] = desired;
        return Ok(atom::OK);
    }
    let v = read(arr, arr.values[i]);
    Ok(int_term(ctx, v))
}

/// `atomics:info/1` (and `erts_internal:counters_info/1`): `size`, `max`, `min`, `memory`.
pub fn info(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let (arr, _) = slot(ctx, a[0], Term::small(1))?;
    let (signed, counters, size) = (arr.signed, arr.counters, arr.values.len());
    let k = |ctx: &mut Ctx, n: &str| ctx.atoms.intern(n).map_err(|_| badarg());
    let (memory, size_k) = (k(ctx, "memory")?, k(ctx, "size")?);
    let size_v = Term::small(size as i64);
    if counters {
        // erl gives each counter of a write_concurrency array its own cache lines.
        let bytes = Term::small(160 + 64 * size as i64);
        return Ok(ctx.p.heap.map_sorted(&[(memory, bytes), (size_k, size_v)]));
    }
    let (lo, hi) = range(signed);
    let (max_k, min_k) = (k(ctx, "max")?, k(ctx, "min")?);
    let (hi, lo) = (int_term(ctx, hi), int_term(ctx, lo));
    let bytes = Term::small(40 + 8 * size as i64);
    Ok(ctx
        .p
        .heap
        .map_sorted(&[(max_k, hi), (memory, bytes), (min_k, lo), (size_k, size_v)]))
}

/// `erts_internal:counters_new/1`: a `write_concurrency` counter array.
pub fn counters_new(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    create(ctx, a[0], true, true)
}

/// The array reference inside a counter reference `{atomics | write_concurrency, Ref}`.
fn counter_ref(ctx: &Ctx, c: Term) -> Result<Term, Fault> {
    match ctx.view().tuple(c) {
        Some([kind, r])
            if kind.is_atom()
                && matches!(ctx.atoms.name(*kind), "atomics" | "write_concurrency") =>
        {
            Ok(*r)
        }
        _ => Err(badarg()),
    }
}

/// `counters:new(Size, Opts)`: `{atomics, Ref}` or, with `write_concurrency`,
/// `{write_concurrency, Ref}`.
pub fn counters_new2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let mut concurrent = false;
    for o in ctx.view().list_to_vec(a[1]).ok_or_else(badarg)? {
        match if o.is_atom() { ctx.atoms.name(o) } else { "" } {
            "atomics" => concurrent = false,
            "write_concurrency" => concurrent = true,
            _ => return Err(badarg()),
        }
    }
    let r = create(ctx, a[0], true, concurrent)?;
    let kind = if concurrent {
        "write_concurrency"
    } else {
        "atomics"
    };
    let kind = ctx.atoms.intern(kind).map_err(|_| badarg())?;
    Ok(ctx.p.heap.tuple(&[kind, r]))
}

/// Applies an array BIF to the array of a counter reference.
fn on_counter(ctx: &mut Ctx, a: &[Term], f: fn(&mut Ctx, &[Term]) -> BifResult) -> BifResult {
    let mut args = [Term::NIL; 3];
    args[..a.len()].copy_from_slice(a);
    args[0] = counter_ref(ctx, a[0])?;
    f(ctx, &args[..a.len()])
}

/// `counters:get/2`.
pub fn counters_get(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    on_counter(ctx, a, get)
}

/// `counters:add/3`.
pub fn counters_add(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    on_counter(ctx, a, add)
}

/// `counters:sub/3`.
pub fn counters_sub(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    on_counter(ctx, a, sub)
}

/// `counters:put/3`.
pub fn counters_put(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    on_counter(ctx, a, put)
}

/// `counters:info/1`.
pub fn counters_info(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    on_counter(ctx, a, info)
}
