//! Call time tracing (`erlang:trace_pattern(MFA, _, [call_time])`), which `eprof` reads:
//! per function and per process, the calls and the time spent in the function itself.
//!
//! A timed function's entry instruction is replaced by an [`Op::CountCall`] marked with
//! [`TIME_POINT`] (chained with call
//! counting and local trace patterns through the replaced instruction, as [`TimePoint::saved`]
//! keeps it). A process traced with the `call` flag that enters it charges the time since
//! its last stamp to the timed function it was in ([`Clock::current`]), counts the call, and
//! makes the new function current; a return frame under the function's return address (its
//! words: the caller's timed function, then [`RETURN_TIME_PC`]) makes the caller's function
//! current again when it returns. A return address that already is such a frame gets none,
//! so a loop of tail calls stays one frame, as in erl. The node charges the current function
//! when the process's slice ends and restamps when the next one starts, so only running time
//! counts (from the first slice that starts with tracing on in the node); time after the
//! process's last charge before it exits is not counted (erl's rule). A function whose
//! timing stops while a process is in it is no longer charged.
//!
//! [`Op::CountCall`]: super::ops::Op::CountCall
//! [`TIME_POINT`]: super::code::TIME_POINT
//! [`RETURN_TIME_PC`]: super::code::RETURN_TIME_PC

#![forbid(unsafe_code)]

use alloc::vec::Vec;
use core::cell::Cell;

use super::code::Code;
use super::ops::Op;
use super::process::Process;
use super::term::Term;

/// A function whose calls are timed.
pub struct TimePoint {
    /// Its module's index.
    pub module: u32,
    /// Its entry instruction.
    pub entry: u32,
    /// Per process: (pid number, calls, nanoseconds), in the order processes first came
    /// (changed while code is shared: a `Cell`, taken and put back).
    pub per_pid: Cell<Vec<(u32, u64, u64)>>,
    /// Whether calls are being timed (`pause` stops it, keeping the figures).
    pub running: Cell<bool>,
    /// The entry instruction its [`super::ops::Op::CountCall`] replaced.
    pub saved: Op,
}

impl core::fmt::Debug for TimePoint {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TimePoint")
            .field("module", &self.module)
            .field("entry", &self.entry)
            .field("per_pid", &self.figures())
            .field("running", &self.running.get())
            .finish()
    }
}

impl super::code::EntryPoint for TimePoint {
    const TIMED: bool = true;
    fn new(module: u32, entry: u32, saved: Op) -> Self {
        Self {
            module,
            entry,
            per_pid: Cell::new(Vec::new()),
            running: Cell::new(true),
            saved,
        }
    }
    fn place(&self) -> (u32, u32) {
        (self.module, self.entry)
    }
    fn running(&self) -> &Cell<bool> {
        &self.running
    }
    fn clear(&self) {
        TimePoint::clear(self);
    }
}

impl TimePoint {
    /// Adds `calls` and `nanos` to process `pid`'s figures.
    fn add(&self, pid: u32, calls: u64, nanos: u64) {
        let mut v = self.per_pid.take();
        match v.iter_mut().find(|e| e.0 == pid) {
            Some(e) => {
                e.1 += calls;
                e.2 += nanos;
            }
            None => v.push((pid, calls, nanos)),
        }
        self.per_pid.set(v);
    }

    /// The figures: (pid number, calls, nanoseconds).
    pub fn figures(&self) -> Vec<(u32, u64, u64)> {
        let v = self.per_pid.take();
        let out = v.clone();
        self.per_pid.set(v);
        out
    }

    /// Forgets the figures (`restart`).
    pub fn clear(&self) {
        self.per_pid.set(Vec::new());
    }
}

/// A timed function as a process refers to it: the time point's number, checked against
/// the function it names (a number can be reused once its function's timing stops).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timed {
    /// The number [`Code::times`] keeps it under.
    pub point: u32,
    /// Its module index.
    pub module: u32,
    /// Its entry instruction.
    pub entry: u32,
}

impl Timed {
    /// The return frame's word for `t`: its module and entry (`[]` for none).
    fn key(t: Option<Timed>) -> Term {
        match t {
            Some(t) => Term::small(((t.module as i64) << 32) | t.entry as i64),
            None => Term::NIL,
        }
    }

    /// The timed function a frame's words `key` and `point` name.
    fn of_frame(key: Term, point: Term) -> Option<Timed> {
        let (k, n) = (key.as_small()?, point.as_small()?);
        Some(Timed {
            point: u32::try_from(n).ok()?,
            module: (k >> 32) as u32,
            entry: k as u32,
        })
    }
}

/// A process's part in call timing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    /// The timed function it runs in (the last one it entered, or went back to).
    pub current: Option<Timed>,
    /// When the time still to charge to it started (nanoseconds, the node's monotonic clock).
    pub since: u64,
}

/// The time point `t` names, if it still times that function.
fn point_of(code: &Code, t: Timed) -> Option<&TimePoint> {
    code.times
        .get(t.point as usize)?
        .as_ref()
        .filter(|p| p.module == t.module && p.entry == t.entry)
}

/// Charges the time from the process's stamp to `now` to its current function, and stamps.
pub fn charge(code: &Code, p: &mut Process, now: u64) {
    let pid = p.pid.pid_number();
    let Some(clock) = p.call_time.as_mut() else {
        return;
    };
    if let Some(point) = clock.current.and_then(|t| point_of(code, t)) {
        point.add(pid, 0, now.saturating_sub(clock.since));
    }
    clock.since = now;
}

/// The process enters function `point` (number `n` of [`Code::times`]): time to the
/// function it was in, a call to this one, which becomes current. Pushes the return frame
/// (unless the return address is one already, or the stack cannot grow: the function then
/// stays current after it returns, until the next timed call).
pub fn enter(code: &Code, p: &mut Process, n: u32, point: &TimePoint, now: u64) {
    charge(code, p, now);
    let pid = p.pid.pid_number();
    point.add(pid, 1, 0);
    let clock = p.call_time.get_or_insert_with(Default::default);
    clock.since = now;
    let prev = clock.current.replace(Timed {
        point: n,
        module: point.module,
        entry: point.entry,
    });
    let is_frame =
        |t: &Term| t.is_cp() && t.code_module() == 0 && t.code_pc() == super::code::RETURN_TIME_PC;
    if p.stack.last().is_some_and(is_frame) {
        return;
    }
    if p.stack.len() + 3 > p.max_stack && p.grow_stack(3).is_err() {
        return;
    }
    p.stack.push(Timed::key(prev));
    p.stack
        .push(Term::small(prev.map_or(-1, |t| i64::from(t.point))));
    p.stack
        .push(Term::cp_at(0, super::code::RETURN_TIME_PC as usize));
}

/// The process returned through a return frame whose words (popped) were `key` and
/// `point`: the time to the returning function, and the caller's is current again. A
/// process no longer traced for calls only drops the frame.
pub fn returned(code: &Code, p: &mut Process, key: Term, point: Term, now: u64, traced: bool) {
    if !traced {
        return;
    }
    charge(code, p, now);
    if let Some(clock) = p.call_time.as_mut() {
        clock.current = Timed::of_frame(key, point);
    }
}

/// An exception is about to unwind the process's stack to its innermost catch: the
/// outermost return frame above the catch names the function current after it.
pub fn unwinding(code: &Code, p: &mut Process, now: u64) {
    let mut outermost = None;
    let mut i = p.stack.len();
    while i > 0 {
        i -= 1;
        let t = p.stack[i];
        if t.is_catch() {
            break;
        }
        if t.is_cp() && t.code_module() == 0 && t.code_pc() == super::code::RETURN_TIME_PC && i >= 2
        {
            outermost = Some((p.stack[i - 2], p.stack[i - 1]));
        }
    }
    if let Some((key, point)) = outermost {
        returned(code, p, key, point, now, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_words_name_the_function_and_none_is_nil() {
        let t = Timed {
            point: 7,
            module: 3,
            entry: 0x1234,
        };
        let key = Timed::key(Some(t));
        assert_eq!(Timed::of_frame(key, Term::small(7)), Some(t));
        assert_eq!(Timed::of_frame(Timed::key(None), Term::small(-1)), None);
    }

    #[test]
    fn figures_add_up_per_process_and_clear() {
        let point = TimePoint {
            module: 1,
            entry: 2,
            per_pid: Cell::new(Vec::new()),
            running: Cell::new(true),
            saved: Op::Nop,
        };
        point.add(5, 1, 0);
        point.add(6, 1, 10);
        point.add(5, 0, 30);
        assert_eq!(point.figures(), alloc::vec![(5, 1, 30), (6, 1, 10)]);
        point.clear();
        assert!(point.figures().is_empty());
    }
}
