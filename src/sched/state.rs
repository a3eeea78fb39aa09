//! The node's process table and everything that links processes: names, links, monitors,
//! timers, exit signals and message delivery.
//!
//! Invariants:
//! * A live process's pid number (its pid's data, see [`pids`](super::pids)) is never handed
//!   out again while it lives; a dead one's slot comes back with a new serial, so the dead
//!   pid names no one until the 28-bit data wraps (as in erl). A number missing from the
//!   table is a dead process.
//! * The running process is in the table with its [`Process`] taken out. Anything the node
//!   must deliver to it meanwhile (messages built by the node, exit signals) is held in its
//!   entry and applied, in order, when it is parked.
//! * Links are symmetric: `b` is in `a.links` exactly when `a` is in `b.links`, until an exit
//!   signal over the link is applied (the receiving side drops it then).
//! * Every monitor is in the monitor table and in its target's `watched_by`; the watcher's
//!   `watching` names it too. A fired or removed monitor is gone from all three.
//! * Exit signals are queued and applied one at a time ([`State::process_signals`]), so a
//!   cascade of exits over many links never recurses.
//! * A term copied into a process heap or into a [`Carried`] grows it only as the node's memory
//!   account allows ([`try_copy_term`]), and a carried term stays charged until dropped. A
//!   refused copy changes nothing: a send is the sender's error (`system_limit`); what the
//!   node delivers itself falls back on what fits (an exit reason becomes `system_limit`; a
//!   held message is dropped and its receiver killed as a refused collection kills, see
//!   [`State::deliver`]).

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec::Vec;

use super::pids::PidTable;
use super::proctable::ProcTable;
use super::queue::{Priority, RunQueues};
use super::refset::RefSet;
use super::router::{ChannelRouter, Route};
use super::timers::{TimerId, Timers};
use crate::outlet::OutletTable;
use crate::platform::Platform;
use crate::pore::PoreTable;
use crate::vm::atom;
use crate::vm::copy::{try_copy_term, try_room};
use crate::vm::heap::{Heap, View};
use crate::vm::literals::Literals;
use crate::vm::maxheap::MaxHeap;
use crate::vm::memory::{NodeMemory, OutOfMemory};
use crate::vm::process::Process;
use crate::vm::services::MinHeaps;
use crate::vm::services::{AliasMode, CodeChange, CodeReply, ExitKind, TimerDest};
use crate::vm::term::Term;
use crate::vm::trace::{self, Stamp, Tracee, Verdict};
use crate::wordhash::{WideHash, WordHash};
use crate::wordmap::{Word, WordMap, WordSet};

/// Where a process is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// In a run queue.
    Runnable,
    /// Waiting in `receive` (maybe with a timeout).
    Waiting,
    /// Taken out of the table and running.
    Running,
}

/// A term in a heap of its own, on its way to other processes (a timer's message, an exit
/// reason). Literal-area pointers in it are shared, never copied. A copied one charges the
/// node's memory account until it is dropped.
#[derive(Debug)]
pub struct Carried {
    heap: Heap,
    term: Term,
}

impl Carried {
    /// Copies `t` out of the heap `view` reads, into a heap charged to `memory`; a copy the
    /// account or the allocator refuses is an error (the sender's `system_limit`).
    pub fn copy(view: &View, t: Term, memory: &NodeMemory) -> Result<Self, OutOfMemory> {
        let mut heap = small_heap();
        heap.attach(memory);
        let term = try_copy_term(view, &mut heap, t)?;
        Ok(Self { heap, term })
    }

    /// An immediate term (an atom, a small integer).
    pub fn immediate(t: Term) -> Self {
        Self {
            heap: small_heap(),
            term: t,
        }
    }

    /// The trace message `{trace, Pid, Tag, Data...}` (or `{trace_ts, ..., Stamp}`) of
    /// process `pid` traced as `tracee`, its data copied from the heap `view` reads; it takes
    /// the clock's next unique number.
    pub fn trace(
        view: &View,
        memory: &NodeMemory,
        clock: &mut TraceClock,
        tracee: Tracee,
        pid: u32,
        tag: Term,
        data: &[Term],
    ) -> Result<Self, OutOfMemory> {
        clock.unique += 1;
        let mut heap = small_heap();
        heap.attach(memory);
        let mut items: Vec<Term> = Vec::with_capacity(data.len() + 4);
        let stamp = trace::stamp(tracee.flags);
        items.push(if stamp == Stamp::None {
            atom::TRACE
        } else {
            atom::TRACE_TS
        });
        items.push(Term::pid(pid));
        items.push(tag);
        for &d in data {
            items.push(try_copy_term(view, &mut heap, d)?);
        }
        // The stamp's tuple (at most 4 words and two bignums of 3) and the message's.
        try_room(&mut heap, items.len() + 16)?;
        match stamp {
            Stamp::None => {}
            Stamp::Now => {
                let micros = clock.system_ns / 1000;
                let parts = [
                    Term::small((micros / 1_000_000_000_000) as i64),
                    Term::small((micros / 1_000_000 % 1_000_000) as i64),
                    Term::small((micros % 1_000_000) as i64),
                ];
                items.push(heap.tuple(&parts));
            }
            Stamp::Monotonic => items.push(heap.int(clock.monotonic_ns as i64)),
            Stamp::Strict => {
                let mono = heap.int(clock.monotonic_ns as i64);
                let unique = heap.int(clock.unique as i64);
                items.push(heap.tuple(&[mono, unique]));
            }
        }
        let term = heap.tuple(&items);
        Ok(Self { heap, term })
    }

    /// Keeps `t` in `heap` (a dead process's heap: nothing is copied).
    pub fn in_heap(heap: Heap, term: Term) -> Self {
        Self { heap, term }
    }

    /// The term (valid in this carrier's heap).
    pub fn term(&self) -> Term {
        self.term
    }

    /// Copies the term onto `dst`, if the node's memory allows it (`dst` unchanged if not).
    pub(super) fn copy_onto(&self, lits: &Literals, dst: &mut Heap) -> Result<Term, OutOfMemory> {
        try_copy_term(&self.heap.view(lits), dst, self.term)
    }
}

/// A heap for a term carried outside every process ([`Heap::fragment`]: only the words it
/// needs). A process's own heap is a [`Heap::new`].
pub fn small_heap() -> Heap {
    Heap::fragment()
}

/// Who a monitor watches, as its `'DOWN'` message names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watched {
    /// A pid.
    Pid(u32),
    /// A registered name: `{Name, nonode@nohost}`.
    Name(Term),
}

/// A message the node builds in a receiver's heap.
#[derive(Clone, Debug)]
pub enum Delivery {
    /// A plain message.
    Message(Rc<Carried>),
    /// `{timeout, Ref, Msg}` (erlang:start_timer/3).
    Timeout(u64, Rc<Carried>),
    /// `{'EXIT', From, Reason}` for a process trapping exits.
    Exit(u32, Rc<Carried>),
    /// `{'DOWN', Ref, process, Who, Reason}`, from the process that ended (none for
    /// `noproc`), with the monitor's tag in place of `'DOWN'` if it has one.
    Down(u64, Watched, Option<u32>, Rc<Carried>, Option<Rc<Carried>>),
    /// `{irq, {'$pore', Id}}`.
    Irq(u64),
    /// `{{'$outlet', Id}, Message}`.
    Outlet(u64, Rc<Carried>),
    /// A trace message (built whole; its delivery is not traced).
    Trace(Rc<Carried>),
}

/// Something held for the running process until it is parked.
#[derive(Debug)]
enum Held {
    Deliver(Delivery),
    Signal(u32, Rc<Carried>, ExitKind),
}

/// One process-table entry.
#[derive(Debug)]
pub struct Entry {
    /// The process (`None` while it runs).
    pub process: Option<Box<Process>>,
    /// Where it is.
    pub status: Status,
    /// Its priority.
    pub priority: Priority,
    /// Whether exit signals become messages.
    pub trap_exit: bool,
    /// Linked processes.
    pub links: WordSet<u32>,
    /// Its registered name.
    pub name: Option<Term>,
    /// The timer of its timed receives: armed while it waits in one, dormant after.
    pub recv_timer: Option<TimerId>,
    /// A kernel service (the Xenstore driver and its supervisor): numbered apart from the
    /// program's processes, not counted among them, and its pores do not keep the node up.
    /// Set through [`State::set_system`], which keeps the count of services.
    pub(super) system: bool,
    /// A kernel service whose spawns belong to the program (the application controller,
    /// which starts the program's applications; the timer server, which runs its
    /// `apply_after` functions): what they start is counted as the program's.
    pub(super) spawns_program: bool,
    /// A kernel process that only keeps house: its timers (an idle timeout, a periodic
    /// refresh) never keep the node from stopping.
    pub(super) housekeeping: bool,
    /// Its group leader (erl's `group_leader/0,2`): the spawner's, or itself for a process
    /// the node starts.
    pub group_leader: u32,
    /// `{M, F, Arity}` it was spawned with (`None`: erl's `{erlang, apply, 2}`).
    pub initial_call: Option<(Term, Term, u32)>,
    /// The process that spawned it (`process_info(P, parent)`); `None` for those the node
    /// starts itself, `init` among them.
    pub parent: Option<u32>,
    /// Reductions of the slices it ran: a slice used up counts in full, one that ended in a
    /// `receive` or an exit counts one.
    pub reductions: u64,
    /// How many times it is suspended (`erlang:suspend_process/1,2`): while above zero it
    /// is not scheduled, though it stays runnable.
    pub suspended: u32,
    /// Its `save_calls` flag (`process_flag/2,3`): how many calls `last_calls` would list. It
    /// is kept and reported, but no calls are recorded (that would cost every call a check).
    pub save_calls: u16,
    /// The module its calls of undefined functions go to (`process_flag(error_handler, M)`),
    /// as `M:undefined_function(Module, Function, Args)`; `None` is erl's `error_handler`,
    /// whose answer is the `undef` error (modules are loaded before the call fails). Kept
    /// here, not in the process, so that the process the interpreter runs stays as it was.
    pub error_handler: Option<Term>,
    /// Monitors others hold on it.
    watched_by: RefSet,
    /// Monitors it holds.
    watching: RefSet,
    /// Aliases it holds (so that its exit ends them without a search of every alias).
    aliases: RefSet,
    held: Vec<Held>,
}

#[derive(Clone, Copy, Debug)]
struct Monitor {
    watcher: u32,
    target: u32,
    who: Watched,
}

/// An alias's owner and mode, as the alias map keeps them: the mode in the low byte.
impl Word for (u32, AliasMode) {
    #[inline]
    fn to_word(self) -> u64 {
        u64::from(self.0) << 8 | self.1 as u64
    }
    #[inline]
    fn from_word(w: u64) -> Self {
        let mode = match w as u8 {
            0 => AliasMode::Explicit,
            1 => AliasMode::Demonitor,
            _ => AliasMode::ReplyDemonitor,
        };
        ((w >> 8) as u32, mode)
    }
}

/// Trace events the node owes a process the signal machinery reached between its slices
/// (see [`State::trace_due`]).
pub enum TraceDue {
    /// A traced process a signal ended.
    Dying(DyingTraced),
    /// A waiting process (its pid number) a signal left waiting, that erl schedules to
    /// handle the signal (see [`State::signalled`]).
    Signalled(u32),
}

/// A traced process a signal ended between its slices, whose trace events wait for the node.
pub struct DyingTraced {
    /// Its pid number.
    pub pid: u32,
    /// Its trace flags and tracer.
    pub trace: Tracee,
    /// Why it ended.
    pub reason: Rc<Carried>,
    /// The process as the signal found it (where it was, for `in`).
    pub process: Box<Process>,
}

/// What a timer does when it fires.
#[derive(Debug)]
pub enum TimerEvent {
    /// Ends the receive process `pid` waits in.
    Receive(u32),
    /// Sends a message (send_after/start_timer with this reference number).
    Send {
        /// The reference number the BIF returned.
        reference: u64,
        /// Where to.
        dest: TimerDest,
        /// What.
        msg: Rc<Carried>,
        /// `{timeout, Ref, Msg}` instead of `Msg`.
        wrap: bool,
    },
}

/// Atoms the node builds messages with, interned once.
#[derive(Clone, Copy, Debug)]
pub struct NodeAtoms {
    /// `'DOWN'`.
    pub down: Term,
    /// `process`.
    pub process: Term,
    /// `noproc`.
    pub noproc: Term,
    /// `kill`.
    pub kill: Term,
    /// `killed`.
    pub killed: Term,
    /// `timeout`.
    pub timeout: Term,
    /// `irq`.
    pub irq: Term,
    /// `'$pore'`.
    pub pore: Term,
    /// `'$outlet'`.
    pub outlet: Term,
    /// `clock_service`: the node of a timer's message, to a `'receive'` trace pattern.
    pub clock_service: Term,
    /// `timer_server`: the processes the kernel's timer server spawns (`apply_after`'s) are
    /// the program's.
    pub timer_server: Term,
}

/// A queued exit signal.
#[derive(Debug)]
struct Signal {
    from: u32,
    to: u32,
    reason: Rc<Carried>,
    kind: ExitKind,
}

/// The node's tables.
pub struct State<P: Platform> {
    /// Live processes by number.
    pub procs: ProcTable<Entry>,
    /// How many of them are kernel services.
    system_alive: usize,
    /// Reductions of every slice that ended, of every process.
    pub reductions: u64,
    /// Slices run.
    pub slices: u64,
    /// Collections of every process, as far as the node has taken them.
    pub gc: crate::vm::process::GcTally,
    /// Bytes written to the console by `io` ([`Services::count_output`](crate::vm::services::Services::count_output)).
    pub output_bytes: u64,
    /// `statistics/1`'s last readings, by [`Reading`](crate::vm::services::Reading).
    pub readings: [u64; 3],
    /// Runnable processes.
    pub queues: RunQueues,
    /// Receive timeouts and timer messages.
    pub timers: Timers<TimerEvent>,
    timer_refs: WordMap<u64, TimerId>,
    names: WordMap<u32, u32>,
    monitors: WideHash<u64, Monitor>,
    /// The tags of the monitors that have one (`monitor/3`'s `{tag, Tag}`): few, so kept in
    /// a list that an untagged monitor's end only checks is empty.
    monitor_tags: Vec<(u64, Rc<Carried>)>,
    aliases: WordHash<u64, (u32, AliasMode)>,
    /// Open pores.
    pub pores: PoreTable<P>,
    /// Open outlets.
    pub outlets: OutletTable<P>,
    /// Which pore or outlet each of their channels belongs to.
    pub router: ChannelRouter,
    /// Hands out pid numbers.
    pub pids: PidTable,
    /// At most this many processes exist at once (erl's `process_limit`); a spawn beyond it
    /// fails with `system_limit` instead of exhausting memory. Set with
    /// [`State::set_process_limit`].
    process_limit: usize,
    /// The next low slot a kernel service takes.
    pub(super) next_system_slot: u32,
    /// The `max_heap_size` new processes get (erl's `system_flag(max_heap_size, _)`).
    pub max_heap: MaxHeap,
    /// The `min_heap_size` and `min_bin_vheap_size` new processes get.
    pub min_heaps: MinHeaps,
    signals: VecDeque<Signal>,
    /// The process that runs the command line's items, if any.
    pub(super) main: Option<u32>,
    /// Booted by OTP's `init` (`Node::boot`) and the program not started yet: the node is
    /// not idle while only kernel processes run.
    pub(super) booting: bool,
    /// How many live processes keep house ([`State::set_housekeeping`]).
    pub(super) housekeepers: usize,
    /// Its exit reason once it has been removed (the scheduler looks: erl's `init` dies with
    /// it, halting the node when the reason is not `normal`).
    pub(super) main_end: Option<Rc<Carried>>,
    /// Interned atoms.
    pub atoms: NodeAtoms,
    /// Outlet replies to deliver after the current slice.
    pub outlet_replies: crate::outlet::Deliveries,
    /// An empty literal area: copies never read literals (they are shared), but a heap view
    /// needs one.
    no_lits: Literals,
    /// Processes removed since the node last released their ETS tables.
    pub exited: Vec<u32>,
    /// In order, traced processes a signal ended between their slices whose tracer wants
    /// `running` or `exiting` events (see [`State::terminate`]), and waiting processes
    /// traced with `running` that a signal reached which leaves them waiting (a link, an
    /// unlink, an ignored exit signal, a monitor, a demonitor, some `process_info`
    /// requests, a resume), which erl schedules to handle the signal (see
    /// [`State::signalled`]): the node sends their events, which need its code tables.
    pub trace_due: Vec<TraceDue>,
    /// The account every process heap charges (unlimited unless the node is given a budget).
    pub memory: NodeMemory,
    /// The `atomics` and `counters` arrays.
    pub atomic_arrays: crate::vm::bifs::atomics::AtomicArrays,
    /// A change to the loaded code a process asked for in its slice (made when the slice
    /// ends), and the answers the asking processes take when they run again (several may
    /// wait at once: each asks in its own slice).
    pub code_change: Option<(u32, CodeChange)>,
    /// See `code_change`: by pid; an exiting process's answer goes with it.
    pub code_reply: Vec<(u32, CodeReply)>,
    /// Errors of erl's emulator that BIFs raised in the current slice, logged when it ends.
    pub emulator_errors: Vec<alloc::string::String>,
    /// What processes spawned from now on are traced with (`erlang:trace(new, ...)`).
    pub trace_new: Option<Tracee>,
    /// The pattern of `send` events (`trace_pattern(send, ...)`).
    pub send_pattern: trace::EventPattern,
    /// The pattern of `'receive'` events.
    pub receive_pattern: trace::EventPattern,
    /// The clock trace messages the node builds are stamped with (read at each slice).
    pub trace_clock: TraceClock,
}

/// The times a trace message's timestamp is made of.
#[derive(Clone, Copy, Debug, Default)]
pub struct TraceClock {
    /// The monotonic clock, in nanoseconds.
    pub monotonic_ns: u64,
    /// The system clock, in nanoseconds since 1970.
    pub system_ns: u64,
    /// A number no other stamp had (`strict_monotonic_timestamp`'s second part).
    pub unique: u64,
}

/// Nanoseconds per millisecond.
pub const MS: u64 = 1_000_000;

/// The process numbers kernel services take first (a half-open range).
pub const SYSTEM_PIDS: (u32, u32) = (40, 79);

impl<P: Platform> State<P> {
    /// Empty tables, for erl's default process limit.
    pub fn new(atoms: NodeAtoms) -> Self {
        let pids = PidTable::new(crate::vm::services::PROCESS_LIMIT);
        Self {
            procs: ProcTable::new(pids.slots()),
            system_alive: 0,
            reductions: 0,
            slices: 0,
            gc: crate::vm::process::GcTally::default(),
            output_bytes: 0,
            readings: [0; 3],
            queues: RunQueues::new(),
            timers: Timers::new(),
            timer_refs: WordMap::new(),
            names: WordMap::new(),
            monitors: WideHash::new(),
            monitor_tags: Vec::new(),
            aliases: WordHash::new(),
            pores: PoreTable::new(),
            outlets: OutletTable::new(),
            router: ChannelRouter::new(),
            pids,
            process_limit: crate::vm::services::PROCESS_LIMIT,
            next_system_slot: SYSTEM_PIDS.0,
            max_heap: MaxHeap::default(),
            min_heaps: MinHeaps::default(),
            signals: VecDeque::new(),
            main: None,
            booting: false,
            housekeepers: 0,
            main_end: None,
            atoms,
            outlet_replies: Vec::new(),
            no_lits: Literals::default(),
            exited: Vec::new(),
            trace_due: Vec::new(),
            memory: NodeMemory::unlimited(),
            atomic_arrays: Default::default(),
            code_change: None,
            code_reply: Default::default(),
            emulator_errors: Vec::new(),
            trace_new: None,
            send_pattern: trace::EventPattern::All,
            receive_pattern: trace::EventPattern::All,
            trace_clock: TraceClock::default(),
        }
    }

    /// Adds a runnable process.
    pub fn insert(&mut self, mut p: Box<Process>, priority: Priority) -> u32 {
        let pid = p.pid.pid_number();
        // A spawn attaches the heap before it copies the arguments: once is enough.
        if !p
            .heap
            .memory_account()
            .is_some_and(|m| m.same_account(&self.memory))
        {
            p.heap.attach(&self.memory);
        }
        self.procs.insert(
            pid,
            Entry {
                process: Some(p),
                status: Status::Runnable,
                priority,
                trap_exit: false,
                links: WordSet::new(),
                name: None,
                recv_timer: None,
                system: false,
                spawns_program: false,
                housekeeping: false,
                group_leader: pid,
                initial_call: None,
                parent: None,
                reductions: 0,
                suspended: 0,
                save_calls: 0,
                error_handler: None,
                watched_by: RefSet::new(),
                watching: RefSet::new(),
                aliases: RefSet::new(),
                held: Vec::new(),
            },
        );
        self.queues.push(pid, priority);
        pid
    }

    /// At most this many processes exist at once.
    pub fn process_limit(&self) -> usize {
        self.process_limit
    }

    /// Sets the process limit, and sizes the pid table for it if no process has been spawned
    /// yet (`+P` is set before any).
    pub fn set_process_limit(&mut self, limit: usize) {
        self.process_limit = limit;
        if let Some(pids) = self.pids.resized(limit) {
            self.procs.set_slots(pids.slots());
            self.pids = pids;
        }
    }

    /// A pid number for a new process of the program, or for a kernel service (erl's kernel
    /// processes sit between its first processes and the program's, so services take the
    /// numbers of that range, once each, while it lasts); `None` past the process limit.
    pub fn new_pid(&mut self, system: bool) -> Option<u32> {
        if self.procs.len() >= self.process_limit {
            return None;
        }
        if system && self.next_system_slot < SYSTEM_PIDS.1 {
            self.next_system_slot += 1;
            if let Some(n) = self.pids.reserve(self.next_system_slot - 1) {
                return Some(n);
            }
        }
        self.pids.alloc()
    }

    /// Live processes that are not kernel services.
    pub fn user_alive(&self) -> usize {
        self.procs.len() - self.system_alive
    }

    /// Marks live kernel process `pid` as one that only keeps house; `false` when it is no
    /// live kernel process.
    pub fn set_housekeeping(&mut self, pid: u32) -> bool {
        match self.procs.get_mut(&pid) {
            Some(e) if e.system => {
                if !core::mem::replace(&mut e.housekeeping, true) {
                    self.housekeepers += 1;
                }
                true
            }
            _ => false,
        }
    }

    /// Marks live process `pid` as a kernel service or not.
    pub fn set_system(&mut self, pid: u32, system: bool) {
        if let Some(e) = self.procs.get_mut(&pid) {
            match (e.system, system) {
                (false, true) => self.system_alive += 1,
                (true, false) => self.system_alive -= 1,
                _ => {}
            }
            e.system = system;
        }
    }

    /// Changes how many times `pid` is suspended by `by` (+1, -1, or 0 to ask) and answers
    /// the count before; `None` for a process that is not alive or a count that would go
    /// below zero.
    pub fn suspend(&mut self, pid: u32, by: i32) -> Option<u32> {
        let e = self.procs.get_mut(&pid)?;
        let before = e.suspended;
        e.suspended = before.checked_add_signed(by)?;
        // Scheduling passed it over while suspended: queue it again.
        if before > 0 && e.suspended == 0 {
            if e.status == Status::Runnable {
                self.queues.push(pid, e.priority);
            }
            self.signalled(pid);
        }
        Some(before)
    }

    /// Notes that a signal reached `pid` that erl handles by scheduling it (see
    /// [`State::trace_due`]).
    #[inline]
    pub fn signalled(&mut self, pid: u32) {
        if trace::used() {
            self.note_signalled(pid);
        }
    }

    /// [`State::signalled`]'s work, for a waiting process traced with `running` by another
    /// or with the events of a collection made for it to send.
    #[cold]
    #[inline(never)]
    fn note_signalled(&mut self, pid: u32) {
        let Some(e) = self.procs.get(&pid) else {
            return;
        };
        let Some(p) = e.process.as_ref() else {
            return;
        };
        let told = p
            .trace
            .is_some_and(|t| t.has(trace::RUNNING) && t.tracer != pid);
        if e.status == Status::Waiting
            && e.suspended == 0
            && (told || p.gc_events.is_some())
            && !self
                .trace_due
                .iter()
                .any(|d| matches!(d, TraceDue::Signalled(p) if *p == pid))
        {
            self.trace_due.push(TraceDue::Signalled(pid));
        }
    }

    /// Makes a waiting process runnable.
    fn wake(&mut self, pid: u32) {
        if let Some(e) = self.procs.get_mut(&pid) {
            if e.status == Status::Waiting {
                e.status = Status::Runnable;
                self.queues.push(pid, e.priority);
            }
        }
    }

    /// Copies `msg` (read through `view`) into `to`'s mailbox; a dead `to` drops it. A copy
    /// the node's memory refuses sends nothing and is an error (the sender's
    /// `system_limit`); the receiver is left as it was.
    /// A traced receiver's `'receive'` event is made even when its tracer sent the message
    /// (as in erl).
    pub fn send(&mut self, to: u32, view: &View, msg: Term) -> Result<(), OutOfMemory> {
        self.send_matched(to, view, msg, Verdict::Unmatched)
    }

    /// [`State::send`] with what the sender found of the receiver's `'receive'` pattern
    /// (a term it adds is read through `view` too).
    pub fn send_matched(
        &mut self,
        to: u32,
        view: &View,
        msg: Term,
        verdict: Verdict,
    ) -> Result<(), OutOfMemory> {
        let Some(e) = self.procs.get_mut(&to) else {
            return Ok(());
        };
        match e.process.as_mut() {
            Some(p) => {
                p.room_for_message().map_err(|_| OutOfMemory {
                    heap_words: p.heap.words.len(),
                    wanted_words: p.heap.words.len() + p.mailbox.capacity().max(4),
                })?;
                let m = try_copy_term(view, &mut p.heap, msg)?;
                p.mailbox.push(m);
                let traced = p.trace.is_some();
                let verdict = match verdict {
                    // The added term, copied next to the message (none when it does not fit).
                    Verdict::With(x) if trace::ENABLED && traced => {
                        match try_copy_term(view, &mut p.heap, x) {
                            Ok(x) => Verdict::With(x),
                            Err(_) => Verdict::Plain,
                        }
                    }
                    v => v,
                };
                self.wake(to);
                if traced {
                    self.trace_receive_matched(to, m, verdict, [atom::NONODE, atom::UNDEFINED]);
                }
            }
            None => {
                let c = Rc::new(Carried::copy(view, msg, &self.memory)?);
                e.held.push(Held::Deliver(Delivery::Message(c)));
            }
        }
        Ok(())
    }

    /// Builds `d` in `to`'s heap and queues it (held if `to` is running).
    ///
    /// The node's memory may refuse the copy of a term carried here (the sender was answered
    /// long ago). An exit reason is then replaced by `system_limit`; a message is dropped and
    /// the refusal recorded on the receiver's heap, as a refused collection is, so the
    /// receiver is killed with the node-memory report when it next stops running.
    pub fn deliver(&mut self, to: u32, d: Delivery) {
        self.deliver_as(to, d, false);
    }

    /// [`State::deliver`]; `clock` when a timer sends it (for the `'receive'` pattern's
    /// `[clock_service, undefined, Msg]`).
    fn deliver_as(&mut self, to: u32, d: Delivery, clock: bool) {
        let atoms = self.atoms;
        let Some(e) = self.procs.get_mut(&to) else {
            return;
        };
        match e.process.as_mut() {
            Some(p) => match p
                .room_for_message()
                .map_err(|_| OutOfMemory {
                    heap_words: p.heap.words.len(),
                    wanted_words: p.heap.words.len() + p.mailbox.capacity().max(4),
                })
                .and_then(|()| build(&self.no_lits, &atoms, p, &d))
            {
                Ok(m) => {
                    p.mailbox.push(m);
                    self.wake(to);
                    if let Delivery::Down(r, ..) = d {
                        // The monitor's alias (not an explicit one) ends as its owner gets
                        // the 'DOWN' (a noproc one comes before any other end).
                        self.end_monitor_alias(r);
                    }
                    if trace::ENABLED && !matches!(d, Delivery::Trace(_)) {
                        let origin = match d {
                            _ if clock => [self.atoms.clock_service, atom::UNDEFINED],
                            Delivery::Timeout(..) => [self.atoms.clock_service, atom::UNDEFINED],
                            Delivery::Exit(from, _) | Delivery::Down(_, _, Some(from), ..) => {
                                [atom::NONODE, Term::pid(from)]
                            }
                            _ => [atom::NONODE, atom::UNDEFINED],
                        };
                        self.trace_receive(to, m, origin);
                    }
                }
                Err(oom) => {
                    log::warn!(
                        "a message of {} words did not fit in the node's memory",
                        oom.wanted_words.saturating_sub(oom.heap_words)
                    );
                    p.heap.note_refusal(oom);
                    // Waiting, it would never stop running again to be killed.
                    self.wake(to);
                }
            },
            None => e.held.push(Held::Deliver(d)),
        }
    }

    /// The `'receive'` trace event of `to` (not running), for message `m` in its heap, that
    /// the node made itself (a timer's, an exit or down message): a `'receive'` match
    /// specification, which only a sending process can run, lets none through.
    fn trace_receive(&mut self, to: u32, m: Term, origin: [Term; 2]) {
        self.trace_receive_matched(to, m, Verdict::Unmatched, origin);
    }

    /// [`State::trace_receive`] with what the sender found of the `'receive'` pattern (a
    /// term to add in `to`'s heap).
    /// `origin` is `[Node, Sender]` as the pattern sees them.
    fn trace_receive_matched(&mut self, to: u32, m: Term, verdict: Verdict, origin: [Term; 2]) {
        if !trace::ENABLED {
            return;
        }
        let extra = match (&self.receive_pattern, verdict) {
            (trace::EventPattern::Off, _) | (_, Verdict::Off) => return,
            (_, Verdict::With(x)) => Some(x),
            (trace::EventPattern::Spec(_), Verdict::Unmatched) => {
                // The match engine needs a process to run in: the receiver's next slice.
                if let Some(p) = self.procs.get_mut(&to).and_then(|e| e.process.as_mut()) {
                    if p.trace
                        .is_some_and(|t| t.has(trace::RECEIVE) && t.tracer != to)
                        // An event the allocator has no room for is dropped, not the node.
                        && p.trace_pending.try_reserve(1).is_ok()
                    {
                        p.trace_pending.push([origin[0], origin[1], m]);
                    }
                }
                return;
            }
            _ => None,
        };
        let Some(e) = self.procs.get_mut(&to) else {
            return;
        };
        let Some(p) = e.process.as_mut() else {
            return;
        };
        match p.trace {
            // A process that is its own tracer is told nothing (as in erl).
            Some(t) if t.has(trace::RECEIVE) && t.tracer != to => {
                // Out for a moment, so that its heap can be read while the node changes.
                let Some(mut p) = e.process.take() else {
                    return;
                };
                let sent = match extra {
                    Some(x) => self.trace_message(to, t, &p.heap, atom::RECEIVE, &[m, x]),
                    None => self.trace_message(to, t, &p.heap, atom::RECEIVE, &[m]),
                };
                if !sent {
                    p.trace = None;
                }
                if let Some(e) = self.procs.get_mut(&to) {
                    e.process = Some(p);
                }
            }
            _ => {}
        }
    }

    /// Sends trace event `tag` of process `pid` (not running), its data read from `heap`, to
    /// its tracer. False when the tracer is gone (which ends the tracing of `pid`); a message
    /// the node's memory refuses is dropped with a warning.
    fn trace_message(
        &mut self,
        pid: u32,
        t: Tracee,
        heap: &Heap,
        tag: Term,
        data: &[Term],
    ) -> bool {
        if !self.procs.contains_key(&t.tracer) {
            return false;
        }
        let view = heap.view(&self.no_lits);
        let c = Carried::trace(
            &view,
            &self.memory,
            &mut self.trace_clock,
            t,
            pid,
            tag,
            data,
        );
        self.deliver_trace(t.tracer, c);
        true
    }

    /// Delivers trace message `c` to `tracer`; one the node's memory refused is dropped with
    /// a warning.
    pub fn deliver_trace(&mut self, tracer: u32, c: Result<Carried, OutOfMemory>) {
        match c {
            Ok(c) => self.deliver(tracer, Delivery::Trace(Rc::new(c))),
            Err(_) => log::warn!("a trace message did not fit in the node's memory"),
        }
    }

    /// The `exit` trace event of a process that ends with `reason`.
    pub fn trace_exit(&mut self, pid: u32, t: Tracee, reason: &Carried) {
        if !trace::ENABLED {
            return;
        }
        if t.has(trace::PROCS) && t.tracer != pid {
            self.trace_message(pid, t, &reason.heap, atom::EXIT, &[reason.term]);
        }
    }

    /// Whether signals or messages are held for `pid`.
    pub fn has_held(&self, pid: u32) -> bool {
        self.procs.get(&pid).is_some_and(|e| !e.held.is_empty())
    }

    /// Puts a process back after it ran, then applies what was held for it.
    pub fn put_back(&mut self, platform: &P, p: Box<Process>, status: Status) {
        let pid = p.pid.pid_number();
        let Some(e) = self.procs.get_mut(&pid) else {
            return;
        };
        e.process = Some(p);
        e.status = status;
        if status == Status::Runnable {
            self.queues.push(pid, e.priority);
        }
        let held = core::mem::take(&mut e.held);
        for h in held {
            match h {
                Held::Deliver(d) => self.deliver(pid, d),
                Held::Signal(from, reason, kind) => {
                    self.signals.push_back(Signal {
                        from,
                        to: pid,
                        reason,
                        kind,
                    });
                    self.process_signals(platform);
                }
            }
        }
    }

    /// Queues an exit signal and applies every queued one.
    pub fn exit_signal(
        &mut self,
        platform: &P,
        from: u32,
        to: u32,
        reason: Rc<Carried>,
        kind: ExitKind,
    ) {
        self.signals.push_back(Signal {
            from,
            to,
            reason,
            kind,
        });
        self.process_signals(platform);
    }

    /// Applies queued exit signals until none is left.
    pub fn process_signals(&mut self, platform: &P) {
        while let Some(s) = self.signals.pop_front() {
            self.apply_exit(platform, s);
        }
    }

    fn apply_exit(&mut self, platform: &P, s: Signal) {
        let Some(e) = self.procs.get_mut(&s.to) else {
            return;
        };
        if e.process.is_none() {
            e.held.push(Held::Signal(s.from, s.reason, s.kind));
            return;
        }
        if s.kind == ExitKind::Link && !e.links.remove(s.from) {
            // Unlinked before the signal arrived.
            return;
        }
        let trap_exit = e.trap_exit;
        let r = s.reason.term();
        if s.kind == ExitKind::Explicit && r == self.atoms.kill {
            let killed = Rc::new(Carried::immediate(self.atoms.killed));
            self.terminate(platform, s.to, killed);
        } else if trap_exit {
            self.deliver(s.to, Delivery::Exit(s.from, s.reason));
        } else if r != atom::NORMAL || (s.kind == ExitKind::Explicit && s.from == s.to) {
            // `normal` ends only the process that sent it to itself (erl's exit(self(), normal)).
            self.terminate(platform, s.to, s.reason);
        } else {
            self.signalled(s.to);
        }
    }

    /// Removes a (not running) process that exited with `reason`: its name, timers, pores
    /// and outlets go, linked processes get exit signals and monitors fire.
    pub fn terminate(&mut self, platform: &P, pid: u32, reason: Rc<Carried>) {
        let Some(mut e) = self.procs.remove(&pid) else {
            return;
        };
        if let Some(t) = e.process.as_mut().and_then(|p| p.trace.take()) {
            match e.process.take() {
                // As erl schedules a process to exit: `in` (with `running`), then `exit`,
                // then `out_exited` (with `exiting`); the node sends them.
                Some(p) if t.has(trace::RUNNING | trace::EXITING) && t.tracer != pid => {
                    self.trace_due.push(TraceDue::Dying(DyingTraced {
                        pid,
                        trace: t,
                        reason: reason.clone(),
                        process: p,
                    }));
                }
                _ => self.trace_exit(pid, t, &reason),
            }
        }
        self.code_reply.retain(|(p, _)| *p != pid);
        if e.system {
            self.system_alive -= 1;
        }
        if e.housekeeping {
            self.housekeepers -= 1;
        }
        if self.main == Some(pid) {
            self.main_end = Some(reason.clone());
        }
        self.pids.release(pid);
        self.exited.push(pid);
        if let Some(t) = e.recv_timer {
            self.timers.cancel(t);
        }
        if let Some(name) = e.name {
            self.names.remove(name.atom_index());
        }
        for id in self.pores.close_owned_by(platform, pid) {
            self.router.remove(Route::Pore(id));
        }
        for (id, kept) in self.outlets.close_owned_by(platform, pid) {
            self.router.remove(Route::Outlet(id));
            if let Some((channel, framing)) = kept {
                self.pores.keep(channel, framing);
            }
        }
        for l in e.links.iter() {
            self.signals.push_back(Signal {
                from: pid,
                to: l,
                reason: reason.clone(),
                kind: ExitKind::Link,
            });
        }
        for r in e.aliases.into_vec() {
            self.aliases.remove(r);
        }
        for r in e.watched_by.into_vec() {
            if let Some(m) = self.monitors.remove(r) {
                if let Some(w) = self.procs.get_mut(&m.watcher) {
                    w.watching.remove(r);
                }
                self.end_monitor_alias(r);
                let tag = self.take_monitor_tag(r);
                self.deliver(
                    m.watcher,
                    Delivery::Down(r, m.who, Some(pid), reason.clone(), tag),
                );
            }
        }
        for r in e.watching.into_vec() {
            self.take_monitor_tag(r);
            if let Some(m) = self.monitors.remove(r) {
                if let Some(t) = self.procs.get_mut(&m.target) {
                    t.watched_by.remove(r);
                }
                self.signalled(m.target);
            }
        }
    }

    /// Links two processes; false if `b` is dead.
    pub fn link(&mut self, a: u32, b: u32) -> bool {
        if !self.procs.contains_key(&b) {
            return false;
        }
        if let Some(e) = self.procs.get_mut(&a) {
            e.links.insert(b);
        }
        if let Some(e) = self.procs.get_mut(&b) {
            e.links.insert(a);
        }
        self.signalled(b);
        true
    }

    /// Removes a link in both directions.
    pub fn unlink(&mut self, a: u32, b: u32) {
        if let Some(e) = self.procs.get_mut(&a) {
            e.links.remove(b);
        }
        if let Some(e) = self.procs.get_mut(&b) {
            e.links.remove(a);
        }
        self.signalled(b);
    }

    /// Gives the monitor `reference`, about to be made, a tag to send in place of `'DOWN'`.
    pub fn tag_monitor(&mut self, reference: u64, tag: Rc<Carried>) {
        self.monitor_tags.push((reference, tag));
    }

    /// Takes the tag of monitor `reference`, if it has one, as the monitor ends.
    fn take_monitor_tag(&mut self, reference: u64) -> Option<Rc<Carried>> {
        if self.monitor_tags.is_empty() {
            return None;
        }
        let at = self.monitor_tags.iter().position(|t| t.0 == reference)?;
        Some(self.monitor_tags.swap_remove(at).1)
    }

    /// `watcher` monitors `target` (dead or `None`: `noproc` at once).
    pub fn monitor(&mut self, watcher: u32, reference: u64, target: Option<u32>, who: Watched) {
        match target.filter(|t| self.procs.contains_key(t)) {
            Some(t) => {
                self.monitors.insert(
                    reference,
                    Monitor {
                        watcher,
                        target: t,
                        who,
                    },
                );
                if let Some(e) = self.procs.get_mut(&t) {
                    e.watched_by.insert(reference);
                }
                self.signalled(t);
                if let Some(e) = self.procs.get_mut(&watcher) {
                    e.watching.insert(reference);
                }
            }
            None => {
                let noproc = Rc::new(Carried::immediate(self.atoms.noproc));
                let tag = self.take_monitor_tag(reference);
                self.deliver(watcher, Delivery::Down(reference, who, None, noproc, tag));
            }
        }
    }

    /// A copy in `heap` of the messages (`messages`) or the dictionary (as `{Key, Value}`
    /// tuples) of process `pid`, which the node holds (not the running one): `Ok(None)` for
    /// no such process, an error (and `heap` as it was) when the node's memory refuses it.
    pub fn copy_out(
        &self,
        pid: u32,
        messages: bool,
        heap: &mut Heap,
    ) -> Result<Option<Term>, OutOfMemory> {
        let Some(p) = self.procs.get(&pid).and_then(|e| e.process.as_ref()) else {
            return Ok(None);
        };
        let (words, bins) = (heap.words.len(), heap.bins.len());
        let copied = copy_items(&p.heap.view(&self.no_lits), p, messages, heap);
        if copied.is_err() {
            heap.words.truncate(words);
            heap.bins.truncate(bins);
        }
        copied.map(Some)
    }

    /// The monitors `pid` holds (target pid and the name it was monitored by, if any) and the
    /// processes monitoring it.
    pub fn monitor_lists(&self, pid: u32) -> (Vec<(u32, Option<Term>)>, Vec<u32>) {
        let Some(e) = self.procs.get(&pid) else {
            return (Vec::new(), Vec::new());
        };
        let held = e.watching.iter().filter_map(|r| self.monitors.get(r));
        let watching = held
            .map(|m| match m.who {
                Watched::Pid(_) => (m.target, None),
                Watched::Name(n) => (m.target, Some(n)),
            })
            .collect();
        let by = e.watched_by.iter().filter_map(|r| self.monitors.get(r));
        (watching, by.map(|m| m.watcher).collect())
    }

    /// Removes a monitor `watcher` holds, and any `'DOWN'` for it still held back; false if
    /// it was not active.
    pub fn demonitor(&mut self, watcher: u32, reference: u64) -> bool {
        if let Some(e) = self.procs.get_mut(&watcher) {
            e.held
                .retain(|h| !matches!(h, Held::Deliver(Delivery::Down(r, ..)) if *r == reference));
        }
        if self.aliases.get(reference).is_some_and(|a| a.0 == watcher) {
            self.end_monitor_alias(reference);
        }
        match self.monitors.get(reference) {
            Some(m) if m.watcher == watcher => {
                let m = *m;
                self.monitors.remove(reference);
                self.take_monitor_tag(reference);
                if let Some(e) = self.procs.get_mut(&m.target) {
                    e.watched_by.remove(reference);
                }
                if let Some(e) = self.procs.get_mut(&watcher) {
                    e.watching.remove(reference);
                }
                self.signalled(m.target);
                true
            }
            _ => false,
        }
    }

    /// Makes `reference` an alias of `owner`.
    pub fn alias(&mut self, owner: u32, reference: u64, mode: AliasMode) {
        if let Some(e) = self.procs.get_mut(&owner) {
            e.aliases.insert(reference);
        }
        self.aliases.insert(reference, (owner, mode));
    }

    /// Removes alias `reference` (of `owner`).
    fn drop_alias(&mut self, owner: u32, reference: u64) {
        self.aliases.remove(reference);
        if let Some(e) = self.procs.get_mut(&owner) {
            e.aliases.remove(reference);
        }
    }

    /// Ends an alias `owner` holds.
    pub fn unalias(&mut self, owner: u32, reference: u64) -> bool {
        match self.aliases.get(reference) {
            Some((o, _)) if o == owner => {
                self.drop_alias(owner, reference);
                true
            }
            _ => false,
        }
    }

    /// Where a message to alias `reference` goes; a reply alias ends with it, and so does
    /// its monitor.
    pub fn alias_target(&mut self, reference: u64) -> Option<u32> {
        let (owner, mode) = self.aliases.get(reference)?;
        if mode == AliasMode::ReplyDemonitor {
            self.drop_alias(owner, reference);
            self.demonitor(owner, reference);
        }
        Some(owner)
    }

    /// A monitor ended: so does an alias tied to it.
    fn end_monitor_alias(&mut self, reference: u64) {
        if let Some((owner, mode)) = self.aliases.get(reference) {
            if mode != AliasMode::Explicit {
                self.drop_alias(owner, reference);
            }
        }
    }

    /// The process registered as `name`.
    pub fn whereis(&self, name: Term) -> Option<u32> {
        self.names.get(name.atom_index())
    }

    /// Registers a live, unnamed process under a free name.
    pub fn register(&mut self, name: Term, pid: u32) -> bool {
        if self.names.contains_key(name.atom_index()) {
            return false;
        }
        match self.procs.get_mut(&pid) {
            Some(e) if e.name.is_none() => {
                e.name = Some(name);
                // OTP's timer server, a kernel process started on first use: the functions
                // its `apply_after` runs are the program's work, and keep the node running.
                if name == self.atoms.timer_server && e.system {
                    e.spawns_program = true;
                }
                self.names.insert(name.atom_index(), pid);
                true
            }
            _ => false,
        }
    }

    /// Removes a name.
    pub fn unregister(&mut self, name: Term) -> bool {
        match self.names.remove(name.atom_index()) {
            Some(pid) => {
                if let Some(e) = self.procs.get_mut(&pid) {
                    e.name = None;
                }
                true
            }
            None => false,
        }
    }

    /// Every registered name.
    pub fn registered(&self) -> Vec<Term> {
        self.names.keys().map(Term::atom).collect()
    }

    /// Starts a message timer.
    pub fn start_timer(&mut self, now: u64, ms: u64, event: TimerEvent) {
        let reference = match &event {
            TimerEvent::Send { reference, .. } => Some(*reference),
            TimerEvent::Receive(_) => None,
        };
        let id = self
            .timers
            .start(now.saturating_add(ms.saturating_mul(MS)), event);
        if let Some(r) = reference {
            self.timer_refs.insert(r, id);
        }
    }

    /// Starts the timeout of the receive `pid` waits in.
    pub fn start_receive_timer(&mut self, now: u64, pid: u32, ms: u64) {
        let deadline = now.saturating_add(ms.saturating_mul(MS));
        let Some(e) = self.procs.get_mut(&pid) else {
            return;
        };
        // The timer of its last timed receive, dormant (or still armed, when that receive
        // ended without the process being parked since), serves again if it is still held.
        if let Some(id) = e.recv_timer {
            if self.timers.rearm(id, deadline) {
                return;
            }
        }
        e.recv_timer = Some(self.timers.start(deadline, TimerEvent::Receive(pid)));
    }

    /// Cancels a message timer; the milliseconds it had left.
    pub fn cancel_timer(&mut self, now: u64, reference: u64) -> Option<u64> {
        let id = self.timer_refs.remove(reference)?;
        let (deadline, _) = self.timers.cancel(id)?;
        Some(deadline.saturating_sub(now).div_ceil(MS))
    }

    /// The milliseconds a message timer has left.
    pub fn read_timer(&self, now: u64, reference: u64) -> Option<u64> {
        let id = self.timer_refs.get(reference)?;
        let deadline = self.timers.deadline(id)?;
        Some(deadline.saturating_sub(now).div_ceil(MS))
    }

    /// Fires every timer due at `now`.
    pub fn expire_timers(&mut self, now: u64) {
        if !self.timers.may_be_due(now) {
            return;
        }
        for (id, event) in self.timers.expire(now) {
            match event {
                TimerEvent::Receive(pid) => {
                    let Some(e) = self.procs.get_mut(&pid) else {
                        continue;
                    };
                    if e.recv_timer != Some(id) {
                        continue;
                    }
                    e.recv_timer = None;
                    if let Some(p) = e.process.as_mut() {
                        p.mailbox.expire_timer();
                    }
                    self.wake(pid);
                    // erl traces a receive's timeout as the message `timeout`.
                    let origin = [self.atoms.clock_service, atom::UNDEFINED];
                    self.trace_receive(pid, self.atoms.timeout, origin);
                }
                TimerEvent::Send {
                    reference,
                    dest,
                    msg,
                    wrap,
                } => {
                    self.timer_refs.remove(reference);
                    let to = match dest {
                        TimerDest::Pid(p) => Some(p),
                        TimerDest::Name(n) => self.whereis(n),
                    };
                    if let Some(to) = to {
                        let d = if wrap {
                            Delivery::Timeout(reference, msg)
                        } else {
                            Delivery::Message(msg)
                        };
                        self.deliver_as(to, d, true);
                    }
                }
            }
        }
    }

    /// Stops the receive timer of `pid` (its receive ended before the time was up): the
    /// timer goes dormant, for its next timed receive to arm again.
    pub fn cancel_receive_timer(&mut self, pid: u32) {
        if let Some(e) = self.procs.get(&pid) {
            if let Some(t) = e.recv_timer {
                self.timers.disarm(t);
            }
        }
    }
}

/// Builds a delivery's message on `p`'s heap.
fn build(
    lits: &Literals,
    atoms: &NodeAtoms,
    p: &mut Process,
    d: &Delivery,
) -> Result<Term, OutOfMemory> {
    let c = match d {
        Delivery::Message(c) | Delivery::Trace(c) => return c.copy_onto(lits, &mut p.heap),
        Delivery::Irq(_) => None,
        Delivery::Timeout(_, c)
        | Delivery::Exit(_, c)
        | Delivery::Down(_, _, _, c, _)
        | Delivery::Outlet(_, c) => Some(c),
    };
    let exit = matches!(d, Delivery::Exit(..) | Delivery::Down(..));
    // The tuple around the term is built first, with the heap's infallible constructors, in
    // room asked for as a copy asks (an exit signal's from the allocator alone if it must: a
    // few words, around a reason replaced below); then the term is copied into its slot.
    if let Err(oom) = try_room(&mut p.heap, WRAP_WORDS) {
        if !exit || p.heap.words.try_reserve_exact(WRAP_WORDS).is_err() {
            return Err(oom);
        }
    }
    let mark = p.heap.words.len();
    let (wrapper, slot) = match d {
        Delivery::Timeout(r, _) => {
            let r = p.heap.reference(*r);
            (p.heap.tuple(&[atoms.timeout, r, Term::NIL]), 3)
        }
        Delivery::Exit(from, _) => (
            p.heap
                .tuple(&[atom::EXIT_CAPS, Term::pid(*from), Term::NIL]),
            3,
        ),
        Delivery::Down(r, who, ..) => {
            let r = p.heap.reference(*r);
            let who = match *who {
                Watched::Pid(n) => Term::pid(n),
                Watched::Name(name) => p.heap.tuple(&[name, atom::NONODE]),
            };
            let t = p
                .heap
                .tuple(&[atoms.down, r, atoms.process, who, Term::NIL]);
            (t, 5)
        }
        Delivery::Irq(id) => {
            let pore = io_object(p, atoms.pore, *id);
            return Ok(p.heap.tuple(&[atoms.irq, pore]));
        }
        Delivery::Outlet(id, _) => {
            let outlet = io_object(p, atoms.outlet, *id);
            (p.heap.tuple(&[outlet, Term::NIL]), 2)
        }
        Delivery::Message(_) | Delivery::Trace(_) => unreachable!("copied above"),
    };
    let Some(c) = c else {
        return Ok(wrapper);
    };
    let m = match c.copy_onto(lits, &mut p.heap) {
        Ok(m) => m,
        // An exit reason the receiver's heap cannot take: the node's own word for it.
        Err(_) if exit => atom::SYSTEM_LIMIT,
        Err(oom) => {
            p.heap.words.truncate(mark);
            return Err(oom);
        }
    };
    p.heap.words[wrapper.offset() + slot] = m;
    if let Delivery::Down(.., Some(tag)) = d {
        match tag.copy_onto(lits, &mut p.heap) {
            Ok(t) => p.heap.words[wrapper.offset() + 1] = t,
            Err(oom) => {
                p.heap.words.truncate(mark);
                return Err(oom);
            }
        }
    }
    Ok(wrapper)
}

/// The list [`State::copy_out`] makes: `p`'s messages or its dictionary as `{Key, Value}`
/// tuples, copied onto `heap` as far as the node's memory allows.
fn copy_items(
    view: &View,
    p: &Process,
    messages: bool,
    heap: &mut Heap,
) -> Result<Term, OutOfMemory> {
    let n = if messages {
        p.mailbox.len()
    } else {
        p.dict.len()
    };
    let refused = |heap: &Heap| OutOfMemory {
        heap_words: heap.words.len(),
        wanted_words: heap.words.len().saturating_add(n),
    };
    let mut items = Vec::new();
    items.try_reserve_exact(n).map_err(|_| refused(heap))?;
    if messages {
        for m in p.mailbox.iter() {
            items.push(try_copy_term(view, heap, m)?);
        }
    } else {
        for &(k, x) in p.dict.pairs() {
            let (k, x) = (try_copy_term(view, heap, k)?, try_copy_term(view, heap, x)?);
            items.push(k);
            items.push(x);
        }
    }
    // The cons cells (and the dictionary's tuples) at once, then built without growing.
    let cells = if messages { 2 * n } else { 5 * n };
    let mut held = core::mem::take(&mut heap.words);
    let want = held.len().saturating_add(cells);
    let grown = heap.grow_words(&mut held, want, 0);
    heap.words = held;
    grown.map_err(|_| refused(heap))?;
    if messages {
        Ok(heap.list(&items))
    } else {
        let mut list = Term::NIL;
        for kv in items.chunks_exact(2).rev() {
            let t = heap.tuple(kv);
            list = heap.cons(t, list);
        }
        Ok(list)
    }
}

/// Words a delivery builds around the term it carries, at most: `{'DOWN', Ref, process,
/// {Name, Node}, Reason}` (6), its reference (2) and the name's tuple (3); or a pore's or
/// outlet's `{Tag, Id}` with an integer Id of up to 3 words.
const WRAP_WORDS: usize = 16;

/// The term for a pore or outlet: `{Tag, Id}`.
pub fn io_object(p: &mut Process, tag: Term, id: u64) -> Term {
    let n = p.heap.int(id as i64);
    p.heap.tuple(&[tag, n])
}
