//! Time BIFs over the platform clock ([`Io`](crate::vm::bif::Io)): monotonic and system time
//! in erl's units (the native unit is the nanosecond, as on Linux).

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx};
use crate::vm::term::Term;

/// Units per second for a time-unit term.
fn per_second(t: Term) -> Option<u64> {
    if let Some(n) = t.as_small() {
        return if n > 0 { Some(n as u64) } else { None };
    }
    Some(match t {
        atom::SECOND => 1,
        atom::MILLISECOND => 1_000,
        atom::MICROSECOND => 1_000_000,
        atom::NANOSECOND | atom::NATIVE | atom::PERF_COUNTER => 1_000_000_000,
        _ => return None,
    })
}

fn convert(nanos: u64, unit: u64) -> i64 {
    ((nanos as u128 * unit as u128) / 1_000_000_000) as i64
}

/// `erlang:monotonic_time/0,1`.
/// `os:perf_counter/0`: the monotonic clock in its native unit (`perf_counter` converts as
/// the nanosecond).
pub fn perf_counter(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let n = ctx.node.io().monotonic_nanos();
    Ok(ctx.p.heap.int(n as i64))
}

pub fn monotonic_time(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let unit = match a.first() {
        Some(u) => per_second(*u).ok_or_else(badarg)?,
        None => 1_000_000_000,
    };
    let n = ctx.node.io().monotonic_nanos();
    Ok(ctx.p.heap.int(convert(n, unit)))
}

/// `erlang:system_time/0,1` and `os:system_time/0,1`.
pub fn system_time(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let unit = match a.first() {
        Some(u) => per_second(*u).ok_or_else(badarg)?,
        None => 1_000_000_000,
    };
    let n = ctx.node.io().system_nanos();
    Ok(ctx.p.heap.int(convert(n, unit)))
}

/// `erlang:timestamp/0` and `os:timestamp/0`: `{MegaSecs, Secs, MicroSecs}`.
pub fn timestamp(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let us = ctx.node.io().system_nanos() / 1_000;
    let (mega, rest) = (us / 1_000_000_000_000, us % 1_000_000_000_000);
    let (secs, micro) = (rest / 1_000_000, rest % 1_000_000);
    Ok(ctx.p.heap.tuple(&[
        Term::small(mega as i64),
        Term::small(secs as i64),
        Term::small(micro as i64),
    ]))
}

/// `erlang:convert_time_unit/3`.
pub fn convert_time_unit(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let t = ctx.view().int(a[0]).ok_or_else(badarg)?.to_big();
    let from = per_second(a[1]).ok_or_else(badarg)?;
    let to = per_second(a[2]).ok_or_else(badarg)?;
    // Floor division, as erl rounds towards negative infinity.
    let v = num_integer::Integer::div_floor(
        &(t * num_bigint::BigInt::from(to)),
        &num_bigint::BigInt::from(from),
    );
    Ok(ctx.p.heap.bigint(&v))
}

/// `erlang:time_offset/0,1`: system time minus monotonic time, in the unit asked for.
pub fn time_offset(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let unit = match a.first() {
        Some(u) => per_second(*u).ok_or_else(badarg)?,
        None => 1_000_000_000,
    };
    let off = ctx.node.io().system_nanos() as i64 - ctx.node.io().monotonic_nanos() as i64;
    // Floor division, as erl's conversions round towards negative infinity.
    let v = if unit <= 1_000_000_000 {
        off.div_euclid(1_000_000_000 / unit as i64)
    } else {
        off.saturating_mul(unit as i64 / 1_000_000_000)
    };
    Ok(ctx.p.heap.int(v))
}
