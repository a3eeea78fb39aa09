//! The `xenbeam` module: what the kernel's own Erlang services need from the kernel.

use alloc::string::String;
use alloc::vec::Vec;

use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx, Input};
use crate::vm::bifs::conv::iolist_output;
use crate::vm::display::display;
use crate::vm::term::Term;

/// `xenbeam:log(Level, IoData)`: one line in the kernel's log (the console in the image, with
/// its time stamp and level), for the kernel's Erlang services. Level is one of logger's:
/// `emergency`, `alert`, `critical` and `error` log as errors, `warning` as a warning,
/// `notice` and `info` as information, `debug` as debugging.
pub fn log(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    log_line(ctx, a[0], a[1], None)
}

/// `xenbeam:spawns_program(Pid)`: the processes kernel service Pid spawns from now on are
/// the program's (numbered and counted with them, so they keep the node running), as the
/// application controller's application masters and the timer server's `apply_after`
/// processes must be. `false` when Pid is no live kernel service.
pub fn spawns_program(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_pid() {
        return Err(badarg());
    }
    Ok(Term::boolean(
        ctx.node.set_spawns_program(a[0].pid_number()),
    ))
}

/// `xenbeam:housekeeping(Pid)`: kernel process Pid only keeps house: its timers (an idle
/// timeout, a periodic refresh) never keep the node from stopping. `false` when Pid is no
/// live kernel process.
pub fn housekeeping(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_pid() {
        return Err(badarg());
    }
    Ok(Term::boolean(ctx.node.set_housekeeping(a[0].pid_number())))
}

/// `xenbeam:program_starts()`: under OTP's boot, the caller (the process of OTP's `init`
/// that runs the command line's items) stops being a kernel process and the boot ends:
/// from now on the node stops when the program is done, and its heap has no share in the
/// kernel's room in the node's memory. `false` when not booting.
pub fn program_starts(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let me = ctx.p.pid.pid_number();
    let started = ctx.node.program_starts(me);
    if started {
        ctx.p.heap.set_kernel(false);
    }
    Ok(Term::boolean(started))
}

/// `xenbeam:read_input/0`: the next bytes of standard input as a binary, `wait` when none
/// have arrived yet (the console's I/O server asks again a little later), or `eof`. The
/// image's console has no input: always `eof` there.
pub fn read_input(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let input = ctx.node.io().read_input();
    input_term(ctx, input)
}

/// What arrived as a term: a binary of the bytes, `wait` or `eof`.
pub fn input_term(ctx: &mut Ctx, input: Input) -> BifResult {
    match input {
        Input::Bytes(b) => Ok(ctx.p.heap.binary(b)),
        Input::Pending => ctx.atoms.intern("wait").map_err(|_| badarg()),
        Input::Eof => ctx.atoms.intern("eof").map_err(|_| badarg()),
    }
}

/// `xenbeam:log(Level, IoData, Term)`: the same, with Term printed after the text as
/// `erlang:display/1` prints it (a reason, a state).
pub fn log3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    log_line(ctx, a[0], a[1], Some(a[2]))
}

fn log_line(ctx: &mut Ctx, level: Term, text: Term, term: Option<Term>) -> BifResult {
    let a = [level, text];
    if !a[0].is_atom() {
        return Err(badarg());
    }
    let level = match ctx.atoms.name(a[0]) {
        "emergency" | "alert" | "critical" | "error" => log::Level::Error,
        "warning" => log::Level::Warn,
        "notice" | "info" => log::Level::Info,
        "debug" => log::Level::Debug,
        _ => return Err(badarg()),
    };
    let mut bytes = iolist_output(ctx, a[1])?;
    if let Some(t) = term {
        bytes.extend_from_slice(&display(&ctx.view(), ctx.atoms, ctx.code, t));
    }
    let text = String::from_utf8_lossy(&bytes);
    ctx.node.io().log(level, text.trim_end_matches('\n'));
    Ok(atom::OK)
}

/// `xenbeam:code_path/0`: the directories the node loads modules from, in the order it
/// searches them, as strings (the kernel's code server answers `code:get_path/0` and finds
/// modules' files and applications' directories with it). Empty where modules come only
/// from the image's archive.
pub fn code_path(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let dirs = ctx.node.io().code_path();
    let items: Vec<Term> = dirs.iter().map(|d| ctx.p.heap.string(d)).collect();
    Ok(ctx.p.heap.list(&items))
}

/// `xenbeam:run_times()`: `{Running, Runnable, Blocked, Sleeps}` under a hypervisor, the
/// microseconds the node's virtual CPU has spent running, ready but waiting for a physical
/// CPU, and blocked, and how many times the node slept waiting for events; `undefined`
/// elsewhere. Benchmarks use it to tell their own work from waiting.
pub fn run_times(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    match ctx.node.io().run_times() {
        Some([running, runnable, blocked, sleeps]) => {
            let us = |ns: u64| Term::small((ns / 1000) as i64);
            let t = [
                us(running),
                us(runnable),
                us(blocked),
                Term::small(sleeps as i64),
            ];
            Ok(ctx.p.heap.tuple(&t))
        }
        None => Ok(atom::UNDEFINED),
    }
}
