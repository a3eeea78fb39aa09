//! System and introspection BIFs that do not need other processes: `system_info/1`,
//! `statistics/1`, calendar time, term-to-text conversions of pids, references and funs.

use alloc::string::String;
use alloc::vec::Vec;

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
use crate::vm::display::display;
use crate::vm::services::{MinHeaps, Reading};
use crate::vm::term::{Kind, Term};

/// The version of erl's runtime system (ERTS) the node answers as (OTP 25).
pub const ERTS_VERSION: &str = "13.1.5";

/// erl's text for a term (as `erlang:display/1` writes it), as a character list.
fn text_of(ctx: &mut Ctx, t: Term) -> Term {
    let bytes = {
        let v = ctx.view();
        display(&v, ctx.atoms, ctx.code, t)
    };
    let s = String::from_utf8_lossy(&bytes).into_owned();
    ctx.p.heap.string(&s)
}

/// `pid_to_list/1`.
pub fn pid_to_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_pid() {
        return Err(badarg());
    }
    Ok(text_of(ctx, a[0]))
}

/// `ref_to_list/1`.
pub fn ref_to_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !ctx.view().is_ref(a[0]) {
        return Err(badarg());
    }
    Ok(text_of(ctx, a[0]))
}

/// `fun_to_list/1`.
pub fn fun_to_list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !ctx.view().is_fun(a[0]) {
        return Err(badarg());
    }
    Ok(text_of(ctx, a[0]))
}

/// `list_to_ref/1`: `"#Ref<0.A.B.C>"`, as `ref_to_list/1` writes them (B and C the high and
/// low 32 bits of the reference's number, A 0); another A, which the node's references never
/// have, is folded into the number's top bits.
pub fn list_to_ref(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = super::conv::list_to_string(&ctx.view(), a[0]).ok_or_else(badarg)?;
    let body = s
        .strip_prefix("#Ref<0.")
        .and_then(|r| r.strip_suffix('>'))
        .ok_or_else(badarg)?;
    let parts: Vec<&str> = body.split('.').collect();
    let number = |d: &str| -> Option<u64> {
        (!d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
            .then(|| d.parse().ok())
            .flatten()
    };
    let [a, hi, lo] = parts[..] else {
        return Err(badarg());
    };
    match (number(a), number(hi), number(lo)) {
        (Some(a), Some(hi), Some(lo)) if hi <= 0xffff_ffff && lo <= 0xffff_ffff => {
            Ok(ctx.p.heap.reference((hi << 32 | lo) ^ a.rotate_right(8)))
        }
        _ => Err(badarg()),
    }
}

/// `list_to_pid/1`: `"<0.Number.Serial>"`.
pub fn list_to_pid(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let s = super::conv::list_to_string(&ctx.view(), a[0]).ok_or_else(badarg)?;
    let (number, serial) = s
        .strip_prefix("<0.")
        .and_then(|r| r.strip_suffix('>'))
        .and_then(|r| r.split_once('.'))
        .ok_or_else(badarg)?;
    let part = |d: &str| -> Option<u32> {
        // Decimal digits only (`parse` would take a sign).
        d.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| d.parse().ok())?
    };
    match (part(number), part(serial)) {
        (Some(n), Some(s)) => Term::pid_from_parts(n, s).ok_or_else(badarg),
        _ => Err(badarg()),
    }
}

/// `erlang:make_fun/3`: `fun M:F/A`.
pub fn make_fun(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let arity = a[2]
        .as_small()
        .filter(|n| (0..=255).contains(n))
        .ok_or_else(badarg)?;
    if !a[0].is_atom() || !a[1].is_atom() {
        return Err(badarg());
    }
    Ok(ctx.p.heap.export_fun(a[0], a[1], arity as u32))
}

/// `erlang:fun_info_mfa/1`.
pub fn fun_info_mfa(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    match v.kind(a[0]) {
        Some(Kind::Export) => {
            let p = v.payload(a[0]).to_vec();
            Ok(ctx.p.heap.tuple(&p))
        }
        Some(Kind::Fun) => {
            let m = super::info::fun_info2(ctx, &[a[0], atom::MODULE])?;
            let f = super::info::fun_info2(ctx, &[a[0], atom::NAME])?;
            let ar = super::info::fun_info2(ctx, &[a[0], atom::ARITY])?;
            let v = ctx.view();
            // The fun's own arity, as erl 25 gives it (not its implementation's, which
            // counts the free variables too).
            let (m, f, ar) = (v.payload(m)[1], v.payload(f)[1], v.payload(ar)[1]);
            Ok(ctx.p.heap.tuple(&[m, f, ar]))
        }
        _ => Err(badarg()),
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn now_parts(ctx: &mut Ctx) -> ((i64, i64, i64), (i64, i64, i64)) {
    let secs = (ctx.node.io().system_nanos() / 1_000_000_000) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    (civil(days), (rem / 3600, rem % 3600 / 60, rem % 60))
}

fn triple(ctx: &mut Ctx, t: (i64, i64, i64)) -> Term {
    ctx.p
        .heap
        .tuple(&[Term::small(t.0), Term::small(t.1), Term::small(t.2)])
}

/// `date/0` (UTC: the VM has no time zone).
pub fn date(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let (d, _) = now_parts(ctx);
    Ok(triple(ctx, d))
}

/// `time/0` (UTC).
pub fn time(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let (_, t) = now_parts(ctx);
    Ok(triple(ctx, t))
}

/// `universaltime/0` and `localtime/0` (UTC).
pub fn universaltime(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let (d, t) = now_parts(ctx);
    let (d, t) = (triple(ctx, d), triple(ctx, t));
    Ok(ctx.p.heap.tuple(&[d, t]))
}

/// `erlang:posixtime_to_universaltime/1`: seconds since 1970 as `{{Y, M, D}, {H, Mi, S}}`
/// (logger's simple handler and calendar date their output with it).
pub fn posixtime_to_universaltime(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let secs = a[0].as_small().ok_or_else(badarg)?;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let d = triple(ctx, civil(days));
    let t = triple(ctx, (rem / 3600, rem % 3600 / 60, rem % 60));
    Ok(ctx.p.heap.tuple(&[d, t]))
}

/// `erlang:universaltime_to_posixtime/1`: seconds since 1970 of `{{Y, M, D}, {H, Mi, S}}`.
pub fn universaltime_to_posixtime(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let secs = datetime_secs(ctx, a[0]).ok_or_else(badarg)?;
    Ok(ctx.p.heap.int(secs))
}

/// erl's preloaded modules, in the order `erlang:pre_loaded/0` lists them.
pub const PRELOADED: [&str; 21] = [
    "persistent_term",
    "counters",
    "atomics",
    "erts_dirty_process_signal_handler",
    "erts_literal_area_collector",
    "erl_tracer",
    "erts_internal",
    "erlang",
    "erl_prim_loader",
    "prim_zip",
    "prim_net",
    "prim_socket",
    "socket_registry",
    "zlib",
    "prim_file",
    "prim_inet",
    "prim_eval",
    "prim_buffer",
    "init",
    "erl_init",
    "erts_code_purger",
];

/// `erlang:pre_loaded/0`: the modules erl 25 has loaded before anything runs (the node's
/// own stand-ins for those it needs answer for them).
pub fn pre_loaded(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let mut names = Vec::with_capacity(PRELOADED.len());
    for n in PRELOADED {
        names.push(named(ctx, n)?);
    }
    Ok(ctx.p.heap.list(&names))
}

/// Days since 1970-01-01 of a date of the proleptic Gregorian calendar ([`civil`]'s
/// inverse).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since 1970 of a `{{Y, M, D}, {H, Mi, S}}` term that erl takes as a date and time
/// of day: a real date from 1902 on (erl's base year), hours 0-23, minutes and seconds 0-59.
pub(crate) fn datetime_secs(ctx: &Ctx, t: Term) -> Option<i64> {
    let v = ctx.view();
    let [d, tm] = v.tuple(t)? else {
        return None;
    };
    let three = |x: Term| -> Option<[i64; 3]> {
        match v.tuple(x)? {
            [a, b, c] => Some([a.as_small()?, b.as_small()?, c.as_small()?]),
            _ => None,
        }
    };
    let ([y, mo, day], [h, mi, s]) = (three(*d)?, three(*tm)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let ok = (1902..i32::MAX as i64).contains(&y)
        && (1..=12).contains(&mo)
        && day >= 1
        && day <= month_days[mo as usize - 1]
        && (0..24).contains(&h)
        && (0..60).contains(&mi)
        && (0..60).contains(&s);
    ok.then(|| days_from_civil(y, mo, day) * 86_400 + h * 3600 + mi * 60 + s)
}

/// `{{Y, M, D}, {H, Mi, S}}` of seconds since 1970.
fn datetime_term(ctx: &mut Ctx, secs: i64) -> Term {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let d = triple(ctx, civil(days));
    let t = triple(ctx, (rem / 3600, rem % 3600 / 60, rem % 60));
    ctx.p.heap.tuple(&[d, t])
}

/// `erlang:universaltime_to_localtime/1`: the same date and time (the VM's local time is
/// UTC), after checking it as erl does.
pub fn universaltime_to_localtime(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    datetime_secs(ctx, a[0]).ok_or_else(badarg)?;
    Ok(a[0])
}

/// `erlang:localtime_to_universaltime/1,2`: the same date and time (local time is UTC); with
/// `IsDst` `true`, an hour earlier, as erl computes it in a zone without summer time.
pub fn localtime_to_universaltime(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let secs = datetime_secs(ctx, a[0]).ok_or_else(badarg)?;
    match a.get(1).copied() {
        None | Some(atom::FALSE) | Some(atom::UNDEFINED) => Ok(a[0]),
        Some(atom::TRUE) => Ok(datetime_term(ctx, secs - 3600)),
        Some(_) => Err(badarg()),
    }
}

/// `now/0` (deprecated in erl, still common): strictly increasing `{Mega, Secs, Micro}`.
pub fn now(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    super::time::timestamp(ctx, a)
}

/// `statistics/1` for the items a single process can answer.
pub fn statistics(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let ms = ctx.node.io().monotonic_nanos() / 1_000_000;
    let counters = ctx.node.counters();
    // `{Total, SinceLastCall}` of a node-wide counter.
    let with_change = |ctx: &mut Ctx, which: Reading, total: u64| {
        let before = ctx.node.swap_reading(which, total);
        let t = ctx.p.heap.int(total as i64);
        let d = ctx.p.heap.int(total.saturating_sub(before) as i64);
        Ok(ctx.p.heap.tuple(&[t, d]))
    };
    // The caller runs too: erl counts it as an active task.
    let active = counters.runnable + 1;
    match a[0] {
        atom::RUNTIME => {
            let cpu_ms = ctx.node.io().cpu_nanos() / 1_000_000;
            with_change(ctx, Reading::Runtime, cpu_ms)
        }
        atom::WALL_CLOCK => with_change(ctx, Reading::WallClock, ms),
        atom::REDUCTIONS | atom::EXACT_REDUCTIONS => {
            with_change(ctx, Reading::Reductions, counters.reductions)
        }
        atom::GARBAGE_COLLECTION => {
            let mut gc = counters.gc;
            gc += ctx.p.gc_tally;
            let n = ctx.p.heap.int(gc.collections as i64);
            let words = ctx.p.heap.int(gc.words_reclaimed as i64);
            Ok(ctx.p.heap.tuple(&[n, words, Term::small(0)]))
        }
        atom::RUN_QUEUE => Ok(Term::small(counters.runnable as i64)),
        t if t.is_atom() => match ctx.atoms.name(t) {
            "total_run_queue_lengths" | "total_run_queue_lengths_all" => {
                Ok(Term::small(counters.runnable as i64))
            }
            "run_queue_lengths" | "run_queue_lengths_all" => {
                Ok(ctx.p.heap.list(&[Term::small(counters.runnable as i64)]))
            }
            "total_active_tasks" | "total_active_tasks_all" => Ok(Term::small(active as i64)),
            "active_tasks" | "active_tasks_all" => {
                Ok(ctx.p.heap.list(&[Term::small(active as i64)]))
            }
            "io" => {
                // No console input reaches `io` yet: nothing is read.
                let input = ctx.atoms.intern("input").map_err(|_| badarg())?;
                let output = ctx.atoms.intern("output").map_err(|_| badarg())?;
                let i = ctx.p.heap.tuple(&[input, Term::small(0)]);
                let bytes = ctx.p.heap.int(counters.output_bytes as i64);
                let o = ctx.p.heap.tuple(&[output, bytes]);
                Ok(ctx.p.heap.tuple(&[i, o]))
            }
            // Not enabled (system_flag(scheduler_wall_time, true) is not there).
            "scheduler_wall_time" | "scheduler_wall_time_all" => Ok(atom::UNDEFINED),
            "context_switches" => {
                let n = ctx.p.heap.int(counters.slices as i64);
                Ok(ctx.p.heap.tuple(&[n, Term::small(0)]))
            }
            _ => Err(badarg()),
        },
        _ => Err(badarg()),
    }
}

/// `erlang:system_info/1` for common keys.
pub fn system_info(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let t = a[0];
    if let Some([k, x]) = ctx.view().tuple(t) {
        if *k == atom::WORDSIZE && (*x == atom::INTERNAL || *x == atom::EXTERNAL) {
            return Ok(Term::small(8));
        }
        return Err(badarg());
    }
    let name = String::from(ctx.atoms.name(t));
    Ok(match name.as_str() {
        "wordsize" => Term::small(8),
        // The monotonic clock starts with the node (erl's starts at an arbitrary value).
        "start_time" => Term::small(0),
        "otp_release" => ctx.p.heap.string("25"),
        "version" => ctx.p.heap.string(ERTS_VERSION),
        "machine" => ctx.p.heap.string("BEAM"),
        "system_architecture" => ctx.p.heap.string("x86_64-xenbeam"),
        // The node's table lists the running process too.
        "process_count" => Term::small(ctx.node.processes().len().max(1) as i64),
        "compat_rel" => Term::small(25),
        "endian" => named(ctx, "little")?,
        "schedulers"
        | "schedulers_online"
        | "logical_processors"
        | "logical_processors_online"
        | "logical_processors_available" => Term::small(1),
        "atom_count" => Term::small(ctx.atoms.len() as i64),
        "atom_limit" => Term::small(crate::vm::atom::MAX_ATOMS as i64),
        "process_limit" => Term::small(ctx.node.process_limit() as i64),
        "min_heap_size" | "min_bin_vheap_size" => {
            let m = ctx.node.system_min_heaps(None);
            let words = if name == "min_heap_size" {
                m.heap
            } else {
                m.bin_vheap
            };
            let words = ctx.p.heap.int(words as i64);
            ctx.p.heap.tuple(&[t, words])
        }
        "max_heap_size" => {
            let m = ctx.node.system_max_heap(None);
            m.to_term(&mut ctx.p.heap, ctx.atoms)
        }
        "thread_pool_size" => Term::small(1),
        // Native work erl gives dirty schedulers runs on the one scheduler here.
        "dirty_cpu_schedulers" | "dirty_cpu_schedulers_online" | "dirty_io_schedulers" => {
            Term::small(1)
        }
        // No ports: the console, files and commands are not ports here.
        "port_count" => Term::small(0),
        "port_limit" => Term::small(65536),
        "ets_limit" => Term::small(8192),
        "ets_count" => Term::small(ctx.ets.count() as i64),
        // No processor information to read again.
        "update_cpu_info" => named(ctx, "unchanged")?,
        "build_type" => atom::OPT,
        "multi_scheduling" => named(ctx, "disabled")?,
        "scheduler_bind_type" => named(ctx, "unbound")?,
        "cpu_topology" | "modified_timing_level" => atom::UNDEFINED,
        "nif_version" => ctx.p.heap.string("2.16"),
        "driver_version" => ctx.p.heap.string("3.3"),
        "heap_type" => named(ctx, "private")?,
        "lock_checking" => atom::FALSE,
        "eager_check_io" | "time_correction" => atom::TRUE,
        // No C compiler built the runtime: erl's answer for one it does not know.
        "c_compiler_used" => ctx.p.heap.tuple(&[atom::UNDEFINED, atom::UNDEFINED]),
        // erl's default: two for each scheduler.
        "outstanding_system_requests_limit" => Term::small(2),
        "time_offset" => named(ctx, "final")?,
        "time_warp_mode" => named(ctx, "no_time_warp")?,
        "tolerant_timeofday" => named(ctx, "enabled")?,
        "delayed_node_table_gc" => Term::small(60),
        "dist_buf_busy_limit" => Term::small(1_048_576),
        "trace_control_word" => Term::small(0),
        "scheduler_id" => Term::small(1),
        "fullsweep_after" => ctx.p.heap.tuple(&[t, Term::small(65535)]),
        "sequential_tracer" => ctx.p.heap.tuple(&[t, atom::FALSE]),
        "garbage_collection" => {
            let m = ctx.node.system_min_heaps(None);
            let max = ctx.node.system_max_heap(None).size;
            let mut items = [Term::NIL; 4];
            for (slot, (name, v)) in items.iter_mut().zip([
                ("max_heap_size", max),
                ("min_bin_vheap_size", m.bin_vheap as u64),
                ("min_heap_size", m.heap as u64),
                ("fullsweep_after", 65535),
            ]) {
                let k = named(ctx, name)?;
                let v = ctx.p.heap.int(v as i64);
                *slot = ctx.p.heap.tuple(&[k, v]);
            }
            ctx.p.heap.list(&items)
        }
        "smp_support" | "threads" => atom::TRUE,
        // erl's defaults: no parallel port signals (there are no ports), new processes'
        // message queues on their heaps, and no distribution controllers (not distributed).
        "debug_compiled" | "kernel_poll" | "port_parallelism" => atom::FALSE,
        "message_queue_data" => named(ctx, "on_heap")?,
        "dist_ctrl" => Term::NIL,
        "emu_flavor" => atom::EMU,
        "emu_type" => atom::OPT,
        // A node that is not alive has creation 0.
        "creation" => Term::small(0),
        "os_version" => {
            let [major, minor, release] = ctx.node.io().os_version();
            ctx.p.heap.tuple(&[
                Term::small(i64::from(major)),
                Term::small(i64::from(minor)),
                Term::small(i64::from(release)),
            ])
        }
        "hipe_architecture" => atom::UNDEFINED,
        "os_type" => {
            // The image is no Unix, but OTP's `filename` and `os` read any non-`win32` family
            // as Unix, which matches the image's path conventions.
            let name = if cfg!(target_os = "none") {
                "xenbeam"
            } else {
                "linux"
            };
            let (unix, name) = (named(ctx, "unix")?, named(ctx, name)?);
            ctx.p.heap.tuple(&[unix, name])
        }
        _ => return Err(badarg()),
    })
}

fn named(ctx: &mut Ctx, name: &str) -> Result<Term, Fault> {
    ctx.atoms.intern(name).map_err(|_| badarg())
}

/// The `erlang:memory/0` categories, in erl's order.
const MEMORY_KINDS: [&str; 9] = [
    "total",
    "processes",
    "processes_used",
    "system",
    "atom",
    "atom_used",
    "binary",
    "code",
    "ets",
];

/// Bytes per category, erl's way: `processes` is what the processes hold, their heaps'
/// reserved room included (see [`MemoryUse`](crate::vm::process::MemoryUse));
/// `processes_used` is the sum of their `process_info(P, memory)`, each heap at its heap size
/// (see [`Process::heap_size`](crate::vm::process::Process::heap_size), not its collection
/// threshold); `system` is the atom table, loaded code, ETS tables and the off-heap binaries
/// the heaps reference; `total` is the two.
fn memory_figures(ctx: &mut Ctx) -> [usize; 9] {
    let word = core::mem::size_of::<Term>();
    let procs = ctx.node.process_memory() + ctx.p.memory_use();
    let atom = ctx.atoms.len() * 16;
    let code: usize = ctx
        .code
        .modules
        .iter()
        .map(|m| m.code.len() * core::mem::size_of::<crate::vm::ops::Op>())
        .sum();
    let ets: usize = ctx
        .ets
        .ids()
        .into_iter()
        .filter_map(|id| ctx.ets.get(id).map(|t| t.memory_words() * word))
        .sum();
    let system = atom + code + ets + procs.binary;
    let processes = procs.held + procs.room;
    [
        processes + system,
        processes,
        procs.held,
        system,
        atom,
        atom,
        procs.binary,
        code,
        ets,
    ]
}

/// `erlang:memory/0,1`: `[{Kind, Bytes}]`, one kind's bytes, or a list of kinds.
pub fn memory(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let figures = memory_figures(ctx);
    let index = |ctx: &Ctx, t: Term| {
        MEMORY_KINDS
            .iter()
            .position(|k| t.is_atom() && ctx.atoms.name(t) == *k)
    };
    let kinds: Vec<Term> = match a.first() {
        None => {
            let mut v = Vec::new();
            for k in MEMORY_KINDS {
                v.push(named(ctx, k)?);
            }
            v
        }
        Some(&t) if t.is_atom() => {
            let i = index(ctx, t).ok_or_else(badarg)?;
            return Ok(ctx.p.heap.int(figures[i] as i64));
        }
        Some(&t) => ctx.view().list_to_vec(t).ok_or_else(badarg)?,
    };
    let mut out = Vec::with_capacity(kinds.len());
    for k in kinds {
        let i = index(ctx, k).ok_or_else(badarg)?;
        let n = ctx.p.heap.int(figures[i] as i64);
        out.push(ctx.p.heap.tuple(&[k, n]));
    }
    Ok(ctx.p.heap.list(&out))
}

/// `erlang:yield/0` and `erlang:bump_reductions/1`: scheduling hints; `true`.
pub fn yield_(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(atom::TRUE)
}

/// `erlang:bump_reductions/1`: `true` for a non-negative small integer (erl's are below
/// 2^59), else `badarg`; the caller's slice ends no sooner.
pub fn bump_reductions(_: &mut Ctx, a: &[Term]) -> BifResult {
    match a[0].as_small() {
        Some(n) if (0..1 << 59).contains(&n) => Ok(atom::TRUE),
        _ => Err(badarg()),
    }
}

/// `erlang:display_string/1`: writes a character list or binary as is.
pub fn display_string(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let v = ctx.view();
    let bytes: Vec<u8> = match v.binary_bytes(a[0]) {
        Some(b) => b.into_owned(),
        None => {
            let s = super::conv::list_to_string(&v, a[0]).ok_or_else(badarg)?;
            s.chars().map(|c| c as u32 as u8).collect()
        }
    };
    ctx.node.io().stderr(&bytes);
    Ok(atom::TRUE)
}

/// `process_flag/2`: accepted and remembered nowhere yet (processes come with the scheduler).
pub fn process_flag(_: &mut Ctx, a: &[Term]) -> BifResult {
    match a[0] {
        atom::TRAP_EXIT => Ok(atom::FALSE),
        atom::PRIORITY => Ok(atom::NORMAL),
        _ => Err(Fault::error(atom::BADARG)),
    }
}

/// `registered/0`: no names are registered yet.
pub fn registered(_: &mut Ctx, _: &[Term]) -> BifResult {
    Ok(Term::NIL)
}

/// `whereis/1`: no names are registered yet.
pub fn whereis(_: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() {
        return Err(badarg());
    }
    Ok(atom::UNDEFINED)
}

/// `erlang:system_flag/2`: `max_heap_size`, `min_heap_size` and `min_bin_vheap_size` (the
/// defaults of processes spawned from now on), and `backtrace_depth` (the frames every stack
/// trace keeps from now on).
pub fn system_flag(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if a[0].is_atom() {
        match ctx.atoms.name(a[0]) {
            // One scheduler: it stays online, and there is no other to block.
            "schedulers_online" if a[1] == Term::small(1) => return Ok(Term::small(1)),
            "multi_scheduling"
                if a[1].is_atom()
                    && matches!(
                        ctx.atoms.name(a[1]),
                        "block" | "unblock" | "block_normal" | "unblock_normal"
                    ) =>
            {
                return named(ctx, "disabled");
            }
            // One generation: every collection is a full sweep whatever the setting.
            "fullsweep_after" if a[1].as_small().is_some_and(|n| n >= 0) => {
                return Ok(Term::small(65535));
            }
            _ => {}
        }
    }
    if a[0].is_atom() && ctx.atoms.name(a[0]) == "system_logger" {
        // logger's proxy claims the events the emulator logs. The VM writes its own reports
        // (a process's uncaught error) to the console itself, so the setting is accepted and
        // the answer is erl's default receiver.
        let ok = a[1].is_pid()
            || (a[1].is_atom() && matches!(ctx.atoms.name(a[1]), "logger" | "undefined"));
        if !ok {
            return Err(badarg());
        }
        return ctx.atoms.intern("logger").map_err(|_| badarg());
    }
    if a[0].is_atom() && matches!(ctx.atoms.name(a[0]), "min_heap_size" | "min_bin_vheap_size") {
        // erl rounds up to one of its heap sizes, from its smallest (12), not its default.
        let words = a[1]
            .as_small()
            .and_then(|n| usize::try_from(n).ok())
            .and_then(crate::vm::heap::next_heap_size)
            .ok_or_else(badarg)?;
        let old = ctx.node.system_min_heaps(None);
        let (new, was) = if ctx.atoms.name(a[0]) == "min_heap_size" {
            (MinHeaps { heap: words, ..old }, old.heap)
        } else {
            let new = MinHeaps {
                bin_vheap: words,
                ..old
            };
            (new, old.bin_vheap)
        };
        ctx.node.system_min_heaps(Some(new));
        return Ok(ctx.p.heap.int(was as i64));
    }
    if a[0].is_atom() && ctx.atoms.name(a[0]) == "backtrace_depth" {
        // Any small non-negative integer (erl's smalls are below 2^59); more than 64 is 64.
        let depth = a[1]
            .as_small()
            .filter(|n| (0..1 << 59).contains(n))
            .ok_or_else(badarg)?;
        let old = ctx.code.trace_depth.set(depth as usize);
        return Ok(Term::small(old as i64));
    }
    if a[0] != atom::MAX_HEAP_SIZE {
        // A flag erl takes with another value is plain `badarg`; one it does not know (and
        // `time_offset` other than `finalize`) has the cause `badopt`.
        let known = a[0].is_atom()
            && matches!(
                ctx.atoms.name(a[0]),
                "schedulers_online"
                    | "fullsweep_after"
                    | "multi_scheduling"
                    | "scheduler_wall_time"
                    | "microstate_accounting"
                    | "trace_control_word"
                    | "erts_alloc"
                    | "dirty_cpu_schedulers_online"
                    | "scheduler_bind_type"
                    | "outstanding_system_requests_limit"
                    | "cpu_topology"
            );
        return Err(if known {
            badarg()
        } else {
            super::misc::badopt()
        });
    }
    let old = ctx.node.system_max_heap(None);
    let new = old.parse(&ctx.view(), ctx.atoms, a[1]).ok_or_else(badarg)?;
    ctx.node.system_max_heap(Some(new));
    Ok(old.to_term(&mut ctx.p.heap, ctx.atoms))
}
