//! What BIFs ask of the node around the VM: other processes, names, links, monitors, timers,
//! and the platform's console, clocks and files (`Services::io`): the VM's one seam.
//!
//! The interpreter runs one process at a time; the node takes that process out of its table
//! while it runs and lends the BIFs a [`Services`] object for everything that involves other
//! processes. Services never touch the running process itself: what concerns it (its own
//! mailbox, its dictionary) the BIF does directly through `Ctx::p`, and signals the node
//! must deliver to it while it runs are held back until it is parked.
//!
//! Terms cross from the caller's heap into the node through a [`View`] and are copied
//! ([`copy`](super::copy)); nothing keeps a reference into the caller's heap.
//!
//! [`NoServices`] stands for a node with a single process (the `-on_load` runner and VM unit
//! tests): spawning fails, other pids are dead, names are unknown.

use alloc::vec::Vec;

use super::bif::Io;
use super::heap::View;
use super::maxheap::MaxHeap;
use super::memory::OutOfMemory;
use super::process::MemoryUse;
use super::term::Term;
use crate::sched::queue::Priority;

/// erl's default `process_limit`: at most this many processes exist at once, and
/// `erlang:system_info(process_limit)` answers it.
pub const PROCESS_LIMIT: usize = 262_144;

/// How a new process starts.
#[derive(Clone, Copy, Debug)]
pub enum Start {
    /// `apply(Fun, [])`.
    Fun(Term),
    /// `apply(Module, Function, Args)` (`Args` a proper list).
    Apply(Term, Term, Term),
}

/// The heap sizes new processes start with unless spawned with others (erl's
/// `system_flag(min_heap_size | min_bin_vheap_size, Words)`), in words, each one of erl's heap
/// sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinHeaps {
    /// `min_heap_size`.
    pub heap: usize,
    /// `min_bin_vheap_size`.
    pub bin_vheap: usize,
}

impl Default for MinHeaps {
    fn default() -> Self {
        MinHeaps {
            heap: super::heap::ERL_MIN_HEAP_SIZE,
            bin_vheap: super::process::ERL_MIN_BIN_VHEAP_SIZE,
        }
    }
}

/// What a spawn asks for besides the start.
#[derive(Clone, Copy, Debug, Default)]
pub struct SpawnOptions {
    /// Link the new process to the caller.
    pub link: bool,
    /// Monitor the new process with this reference number.
    pub monitor: Option<u64>,
    /// Its priority.
    pub priority: Priority,
    /// Its `max_heap_size` (`None`: the node's default).
    pub max_heap: Option<MaxHeap>,
    /// Its `min_heap_size` in words, one of erl's heap sizes (`None`: erl's default).
    pub min_heap: Option<usize>,
    /// Its `message_queue_data` is `off_heap`.
    pub off_heap_queue: bool,
}

/// Why a spawn failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpawnError {
    /// This node cannot create processes.
    Unsupported,
    /// The process table is full.
    SystemLimit,
}

/// Who an exit signal comes from (exit/2 or a link).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitKind {
    /// `exit(Pid, Reason)`: `kill` cannot be trapped.
    Explicit,
    /// A linked process exited.
    Link,
}

/// When a process alias (a reference messages can be sent to) stops working.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AliasMode {
    /// Only `unalias/1` (or the owner's exit) ends it.
    Explicit,
    /// It ends with its monitor (demonitor or the 'DOWN').
    Demonitor,
    /// Like `Demonitor`, and also after the first message sent through it.
    ReplyDemonitor,
}

/// Where a timer's message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerDest {
    /// A process.
    Pid(u32),
    /// A registered name, looked up when the timer fires.
    Name(Term),
}

/// Node-wide counts `statistics/1` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeCounters {
    /// Reductions of every slice that ended, of every process (live or not); the running
    /// process's current slice is not in it, as in erl's `statistics(reductions)`.
    pub reductions: u64,
    /// Slices run (erl's context switches).
    pub slices: u64,
    /// Processes waiting in the run queues.
    pub runnable: usize,
    /// Collections of every process (live or not), but those of the running process's
    /// current slice, which it still holds ([`Process::gc_tally`](super::process::Process::gc_tally)).
    pub gc: super::process::GcTally,
    /// Bytes the console's I/O servers wrote (`statistics(io)`'s output; see
    /// [`Services::count_output`]).
    pub output_bytes: u64,
}

/// A counter whose change since the last call `statistics/1` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// `reductions` and `exact_reductions`.
    Reductions = 0,
    /// `runtime`.
    Runtime = 1,
    /// `wall_clock`.
    WallClock = 2,
}

/// The node as seen from a BIF of process `me` (the running process): the VM's one way out.
pub trait Services {
    /// The platform's console, clocks, environment, files and commands, as the node lets
    /// the running process reach them.
    fn io(&mut self) -> &mut dyn Io;
    /// Creates a process running `start` (terms read through `view`); returns its number.
    fn spawn(
        &mut self,
        me: u32,
        view: &View,
        start: Start,
        opts: SpawnOptions,
    ) -> Result<u32, SpawnError>;
    /// Copies `msg` into the mailbox of live process `to` (never `me`); dead: dropped. An error
    /// when the node's memory refuses the copy: nothing was sent (the caller's
    /// `system_limit`).
    fn send(&mut self, me: u32, to: u32, view: &View, msg: Term) -> Result<(), OutOfMemory>;
    /// The process registered as `name`.
    fn whereis(&self, name: Term) -> Option<u32>;
    /// Registers `pid` as `name`; false if the name is taken, the pid dead or named.
    fn register(&mut self, name: Term, pid: u32) -> bool;
    /// Removes a name; false if it was not registered.
    fn unregister(&mut self, name: Term) -> bool;
    /// Every registered name.
    fn registered(&self) -> Vec<Term>;
    /// Changes how many times process `pid` is suspended by `by` (+1, -1, or 0 to ask) and
    /// answers the count before; `None` for a process that is not alive, or a count that
    /// would go below zero (which is left as it is).
    fn suspend(&mut self, pid: u32, by: i32) -> Option<u32> {
        let _ = (pid, by);
        None
    }
    /// Asks for a change to the node's code on behalf of process `me`, made once the
    /// running slice ends; `false` when this node cannot change its code (or already has a
    /// change to make).
    fn change_code(&mut self, me: u32, change: CodeChange) -> bool {
        let _ = (me, change);
        false
    }
    /// The answer to process `me`'s [`Services::change_code`], once made.
    fn code_reply(&mut self, me: u32) -> Option<CodeReply> {
        let _ = me;
        None
    }
    /// Whether process `pid` (never the running one) is in module index `module`'s code or
    /// will return or throw into it; `None` if it is gone.
    fn runs_module(&self, pid: u32, module: u32) -> Option<bool> {
        let _ = (pid, module);
        None
    }
    /// Whether `pid` is alive (`me` always is).
    fn is_alive(&self, pid: u32) -> bool;

    /// Sends `tracee.tracer` the trace message `{trace, Pid, Tag, Data...}` of process `pid`
    /// (`trace_ts` and a timestamp when its flags ask), its data read through `view`. False
    /// when the tracer is gone (the caller then stops tracing the process, as erl does).
    fn trace_event(
        &mut self,
        tracee: super::trace::Tracee,
        pid: u32,
        view: &View,
        tag: Term,
        data: &[Term],
    ) -> bool {
        let _ = (tracee, pid, view, tag, data);
        false
    }

    /// Has process `pid` (not the caller) collect its heap when it next runs; false when
    /// there is no such process.
    fn collect(&mut self, pid: u32) -> bool {
        let _ = pid;
        false
    }

    /// Notes a request to process `pid` (not the caller) that erl makes a signal the
    /// process is scheduled to handle, for its `running` trace events.
    fn signalled(&mut self, pid: u32) {
        let _ = pid;
    }

    /// Logs `text` as erl's emulator logs an error about the caller (through logger when it
    /// runs), once the caller's slice has ended.
    fn emulator_error(&mut self, text: &str) {
        log::error!("{text}");
    }

    /// The trace settings of process `pid` (not the caller's: those are in its
    /// `Process`): `None` when there is no such process.
    fn tracee(&self, pid: u32) -> Option<Option<super::trace::Tracee>> {
        let _ = pid;
        None
    }

    /// Sets the trace settings of process `pid` (not the caller); false when there is no
    /// such process.
    fn set_tracee(&mut self, pid: u32, tracee: Option<super::trace::Tracee>) -> bool {
        let _ = (pid, tracee);
        false
    }

    /// The trace settings processes spawned from now on get, after setting them to `new`
    /// when given (`erlang:trace(new, ...)`).
    fn trace_new(
        &mut self,
        new: Option<Option<super::trace::Tracee>>,
    ) -> Option<super::trace::Tracee> {
        let _ = new;
        None
    }
    /// The node's pattern of `send` events (`receive` false) or of `'receive'` events,
    /// after setting it to `new` when given (`erlang:trace_pattern(send | 'receive', ...)`).
    fn event_pattern(
        &mut self,
        receive: bool,
        new: Option<super::trace::EventPattern>,
    ) -> super::trace::EventPattern {
        let _ = (receive, new);
        super::trace::EventPattern::All
    }

    /// [`Services::send`] with what the sender found of the receiver's `'receive'`
    /// pattern.
    fn send_matched(
        &mut self,
        me: u32,
        to: u32,
        view: &View,
        msg: Term,
        verdict: super::trace::Verdict,
    ) -> Result<(), OutOfMemory> {
        let _ = verdict;
        self.send(me, to, view, msg)
    }

    /// What the node knows of a live process (for `process_info/2`).
    fn process_info(&self, pid: u32) -> Option<ProcessInfo> {
        let _ = pid;
        None
    }
    /// The memory held by the processes the node holds (not the running one).
    fn process_memory(&self) -> MemoryUse {
        MemoryUse::default()
    }
    /// A copy in `heap` of the messages (`messages`) or the dictionary (`{Key, Value}` tuples)
    /// of process `pid` (never the running one); an error, with `heap` as it was, when the
    /// node's memory refuses it.
    fn copy_out(
        &self,
        pid: u32,
        messages: bool,
        heap: &mut super::heap::Heap,
    ) -> Result<Option<Term>, OutOfMemory> {
        let _ = (pid, messages, heap);
        Ok(None)
    }
    /// `process_info(Pid, binary)` of process `pid` (never the running one): see
    /// [`Heap::shared_binaries`](super::heap::Heap::shared_binaries); `None` if it is gone.
    fn binaries(&self, pid: u32) -> Option<Result<Vec<[u64; 3]>, OutOfMemory>> {
        let _ = pid;
        None
    }
    /// The node's `atomics` arrays (`None`: this node has none).
    fn atomic_arrays(&mut self) -> Option<&mut super::bifs::atomics::AtomicArrays> {
        None
    }
    /// The group leader of live process `pid`, after setting it to `new` if given.
    fn group_leader(&mut self, pid: u32, new: Option<u32>) -> Option<u32> {
        let _ = (pid, new);
        None
    }
    /// Every live process number, in the order of the process table's slots (ascending until
    /// slots are reused).
    fn processes(&self) -> Vec<u32>;
    /// Node-wide counts for `statistics/1`.
    fn counters(&self) -> NodeCounters {
        NodeCounters::default()
    }
    /// Counts `bytes` written to the console for `io` (erl counts the bytes its port drivers
    /// move: the standard output and standard error ports, not `erlang:display/1`, and not
    /// files, which OTP reads and writes through NIFs).
    fn count_output(&mut self, bytes: usize) {
        let _ = bytes;
    }
    /// Swaps the node's last reading of `which` (`statistics/1`'s "since the last call") for
    /// `value`; returns the one before (0 at first).
    fn swap_reading(&mut self, which: Reading, value: u64) -> u64 {
        let _ = (which, value);
        0
    }
    /// At most this many processes exist at once (`erlang:system_info(process_limit)`).
    fn process_limit(&self) -> usize {
        PROCESS_LIMIT
    }
    /// The node's default `max_heap_size`, after setting it to `new` if given; the old one.
    fn system_max_heap(&mut self, new: Option<MaxHeap>) -> MaxHeap {
        let _ = new;
        MaxHeap::default()
    }
    /// The node's `min_heap_size` and `min_bin_vheap_size` for new processes, after setting
    /// them to `new` if given; the old ones.
    fn system_min_heaps(&mut self, new: Option<MinHeaps>) -> MinHeaps {
        let _ = new;
        MinHeaps::default()
    }
    /// Links `me` and `other`; false if `other` is dead (the caller decides what that means).
    fn link(&mut self, me: u32, other: u32) -> bool;
    /// Removes the link between `me` and `other`, if any.
    fn unlink(&mut self, me: u32, other: u32);
    /// Monitors `target` (or the process registered as `name`); a dead target sends
    /// `{'DOWN', Ref, process, Target, noproc}` at once.
    fn monitor(&mut self, me: u32, reference: u64, target: Option<u32>, name: Option<Term>);
    /// Gives the monitor `reference`, made next by [`Services::monitor`], the tag its
    /// `'DOWN'` message carries in place of `'DOWN'` (copied from `view`); an error when the
    /// node's memory refuses the copy.
    fn tag_monitor(&mut self, reference: u64, view: &View, tag: Term) -> Result<(), OutOfMemory> {
        let _ = (reference, view, tag);
        Ok(())
    }
    /// Makes `reference` an alias of `me`: messages sent to it go to `me`.
    fn alias(&mut self, me: u32, reference: u64, mode: AliasMode) {
        let _ = (me, reference, mode);
    }
    /// Ends an alias `me` owns; false if it was not active.
    fn unalias(&mut self, me: u32, reference: u64) -> bool {
        let _ = (me, reference);
        false
    }
    /// The process a message sent to alias `reference` goes to (a reply alias ends here).
    fn alias_target(&mut self, reference: u64) -> Option<u32> {
        let _ = reference;
        None
    }
    /// Removes a monitor `me` holds; false if it was not active.
    fn demonitor(&mut self, me: u32, reference: u64) -> bool;
    /// Sends an exit signal from `me` to `to` with `reason` (read through `view`); an error,
    /// with nothing sent, when the node's memory refuses the reason's copy.
    fn exit_signal(
        &mut self,
        me: u32,
        to: u32,
        view: &View,
        reason: Term,
        kind: ExitKind,
    ) -> Result<(), OutOfMemory>;
    /// Sets whether `me` traps exits; returns the old value.
    fn set_trap_exit(&mut self, me: u32, on: bool) -> bool;
    /// Whether `me` traps exits.
    fn trap_exit(&self, me: u32) -> bool;
    /// Under OTP's boot, makes `me`, a kernel process until now, the process that runs the
    /// command line's items, and ends the boot; `false` when the node is not booting.
    fn program_starts(&mut self, me: u32) -> bool {
        let _ = me;
        false
    }
    /// Marks kernel process `pid` as one that only keeps house (its timers never keep the
    /// node running); `false` when `pid` is no kernel process.
    fn set_housekeeping(&mut self, pid: u32) -> bool {
        let _ = pid;
        false
    }
    /// Sets the error handler of process `pid` (`None`: erl's own): the old one.
    fn set_error_handler(&mut self, pid: u32, handler: Option<Term>) -> Option<Term> {
        let _ = (pid, handler);
        None
    }
    /// The error handler of process `pid`, if not erl's own.
    fn error_handler(&self, pid: u32) -> Option<Term> {
        let _ = pid;
        None
    }
    /// Sets the `save_calls` flag of process `pid`: the old value, `None` for no such
    /// process.
    fn set_save_calls(&mut self, pid: u32, n: u16) -> Option<u16> {
        let _ = (pid, n);
        None
    }
    /// Makes what kernel service `pid` spawns from now on the program's processes; `false`
    /// when `pid` is no kernel service.
    fn set_spawns_program(&mut self, pid: u32) -> bool {
        let _ = pid;
        false
    }
    /// Whether the node holds signals back for `me` that may end it (it should yield).
    fn signals_pending(&self, me: u32) -> bool {
        let _ = me;
        false
    }
    /// Sets `me`'s priority; returns the old one.
    fn set_priority(&mut self, me: u32, priority: Priority) -> Priority;
    /// Starts a timer that sends `msg` (or `{timeout, Ref, Msg}` when `wrap`) after `ms`; an
    /// error, with no timer, when the node's memory refuses the message's copy.
    fn start_timer(
        &mut self,
        reference: u64,
        dest: TimerDest,
        ms: u64,
        view: &View,
        msg: Term,
        wrap: bool,
    ) -> Result<(), OutOfMemory>;
    /// Cancels a timer; the milliseconds it had left, if it was pending.
    fn cancel_timer(&mut self, reference: u64) -> Option<u64>;
    /// The milliseconds a pending timer has left.
    fn read_timer(&self, reference: u64) -> Option<u64>;
    /// A pore or outlet operation (`module:function(Args)` of the `pore`/`outlet` modules);
    /// `None` when this node has no such objects.
    fn io_object(&mut self, me: u32, request: IoRequest<'_>) -> Option<IoReply> {
        let _ = (me, request);
        None
    }
}

/// The node's view of a process, for `process_info/2`.
#[derive(Clone, Debug, Default)]
pub struct ProcessInfo {
    /// Registered name.
    pub name: Option<Term>,
    /// Whether it traps exits.
    pub trap_exit: bool,
    /// Its priority.
    pub priority: Priority,
    /// Linked processes.
    pub links: Vec<u32>,
    /// Whether it waits in `receive` (else it is runnable or running).
    pub waiting: bool,
    /// Whether it is suspended (`erlang:suspend_process/1,2`).
    pub suspended: bool,
    /// Messages in its mailbox (unknown for the running process).
    pub message_queue_len: Option<usize>,
    /// Its `max_heap_size` (unknown for the running process).
    pub max_heap: Option<MaxHeap>,
    /// Its group leader.
    pub group_leader: u32,
    /// `{M, F, Arity}` it was spawned with (`None`: `{erlang, apply, 2}`).
    pub initial_call: Option<(Term, Term, u32)>,
    /// The monitors it holds: the target, and the name it was monitored by if any.
    pub monitors: Vec<(u32, Option<Term>)>,
    /// The processes monitoring it.
    pub monitored_by: Vec<u32>,
    /// Reductions counted so far.
    pub reductions: u64,
    /// Where it resumes: (module index, pc) (unknown for the running process).
    pub at: Option<(u32, u32)>,
    /// The return addresses on its stack, innermost first, at most a stack trace's depth:
    /// (module index, pc) (unknown for the running process).
    pub returns: Vec<(u32, u32)>,
    /// Its heap size and stack size in words (see [`Process::heap_size`](super::process::Process::heap_size)),
    /// and the bytes it holds (unknown for the running process).
    pub words: Option<(usize, usize, usize)>,
    /// Its `min_heap_size` in words (unknown for the running process).
    pub min_heap: Option<usize>,
    /// Its `min_bin_vheap_size` in words (unknown for the running process).
    pub min_bin_vheap: Option<usize>,
    /// The process that spawned it, if any.
    pub parent: Option<u32>,
    /// How many `catch` and `try` it is inside (unknown for the running process).
    pub catches: usize,
    /// Its `message_queue_data` is `off_heap`.
    pub off_heap_queue: bool,
    /// It is marked `sensitive` (`process_flag/2`).
    pub sensitive: bool,
    /// Its `save_calls` flag is set (`process_flag/2,3`).
    pub save_calls: bool,
    /// Its error handler module, if not erl's `error_handler` (`process_flag/2`).
    pub error_handler: Option<Term>,
}

/// A request to a pore or an outlet, already decoded from BIF arguments.
#[derive(Debug)]
pub enum IoRequest<'a> {
    /// `pore:open_loopback/0`.
    PoreOpenLoopback,
    /// `pore:open_xenstore/0`.
    PoreOpenXenstore,
    /// `pore:write(Pore, Bytes)`.
    PoreWrite(u64, &'a [u8]),
    /// `pore:read(Pore)`.
    PoreRead(u64),
    /// `pore:avail(Pore)`.
    PoreAvail(u64),
    /// `pore:poke(Pore)`.
    PorePoke(u64),
    /// `pore:info(Pore)`.
    PoreInfo(u64),
    /// `pore:reconnect(Pore)`.
    PoreReconnect(u64),
    /// `pore:discard(Pore, N)` (N clamped to u32).
    PoreDiscard(u64, u32),
    /// `pore:close(Pore)`.
    PoreClose(u64),
    /// `outlet:open_loopback/0`.
    OutletOpenLoopback,
    /// `outlet:open_xenstore(Mode)`.
    OutletOpenXenstore(crate::outlet::xenstore::Mode),
    /// Whether the caller owns outlet `id` and it is open (checked before a command is
    /// converted, so a caller that may not use it costs nothing).
    OutletCheck(u64),
    /// `outlet:command(Outlet, Command)` with the command as an external term.
    OutletCommand(u64, crate::etf::ExtTerm),
    /// `outlet:close(Outlet)`.
    OutletClose(u64),
}

/// The answer to an [`IoRequest`].
#[derive(Debug, PartialEq, Eq)]
pub enum IoReply {
    /// `ok`.
    Ok,
    /// A new pore or outlet id.
    Opened(u64),
    /// Bytes read.
    Bytes(Vec<u8>),
    /// `{Free, Avail}`.
    Avail(u32, u32),
    /// A count (bytes discarded).
    Count(u32),
    /// A map from atom keys to non-negative integers (`pore:info/1`).
    Info(Vec<(&'static str, u32)>),
    /// `{error, Reason}`: the operation could not be done, though it was asked correctly.
    Error(&'static str),
    /// The caller misused the object (not the owner, closed or bad handle): `badarg`.
    Badarg,
}

/// A change to the node's loaded code that a BIF asks for. The code is borrowed while
/// processes run, so the node makes the change between two slices of the asking process,
/// which waits for the [`CodeReply`] in a continuation.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeChange {
    /// `erlang:load_module(Module, Binary)`: the binary's bytes become `Module`'s current
    /// code, the current code becoming old.
    Load {
        /// The module's name (an atom).
        module: Term,
        /// The `.beam` file's bytes.
        bytes: Vec<u8>,
    },
    /// `erlang:delete_module(Module)`: the current code becomes old.
    Delete(Term),
    /// `erlang:purge_module(Module)`: the old code is forgotten.
    Purge(Term),
    /// `xenbeam:set_code_path(Dirs)`: the directories modules load from, in search order
    /// (the code server's path, after `code:add_patha/1` and the like).
    SetPath(Vec<alloc::string::String>),
    /// `erlang:prepare_loading(Module, Binary)`: the binary is read and checked as for a
    /// load, and kept under `key` (the number of the reference the BIF answers) for
    /// [`CodeChange::Finish`].
    Prepare {
        /// The module's name (an atom).
        module: Term,
        /// The `.beam` file's bytes.
        bytes: Vec<u8>,
        /// The reference number.
        key: u64,
    },
    /// `erlang:finish_loading(Prepared)`: the modules prepared under these keys become
    /// current together.
    Finish(Vec<u64>),
    /// `erlang:trace_pattern/3` with `call_count` or `call_time`: the counting or timing of
    /// these functions changes, and that of modules loaded later when `on_load` says.
    CountPattern {
        /// The functions.
        targets: Vec<super::bifs::trace::TraceTarget>,
        /// What changes.
        change: super::code::CountChange,
        /// For `on_load`: whether modules loaded from now on are counted or timed.
        on_load: Option<bool>,
        /// Whether the change is to their call counting (`call_count`).
        count: bool,
        /// Whether the change is to their call timing (`call_time`).
        time: bool,
        /// With `local` beside: their local call-trace pattern too (`Some(None)`: none).
        local: Option<Option<alloc::rc::Rc<super::trace::CallSpec>>>,
    },
    /// `erlang:trace_pattern/3`: these functions get the call-trace pattern (none: lose
    /// theirs).
    TracePattern {
        /// The functions, as [`super::bifs::trace::TraceTarget`]s.
        targets: Vec<super::bifs::trace::TraceTarget>,
        /// The pattern; `None` for `false`.
        spec: Option<alloc::rc::Rc<super::trace::CallSpec>>,
        /// For `on_load`: the pattern modules loaded from now on get.
        on_load: bool,
    },
    /// `erlang:trace_pattern/3` with `meta`: these functions get the meta pattern (none:
    /// lose theirs).
    MetaPattern {
        /// The functions, as [`super::bifs::trace::TraceTarget`]s.
        targets: Vec<super::bifs::trace::TraceTarget>,
        /// The pattern; `None` for `false`.
        spec: Option<alloc::rc::Rc<super::trace::CallSpec>>,
        /// The meta tracer's pid number.
        tracer: u32,
        /// What the other flags of the same call change (counting, timing, a local
        /// pattern), made after it.
        then: Option<alloc::boxed::Box<CodeChange>>,
    },
}

/// What a [`CodeChange`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeReply {
    /// The module loaded: `{module, Module}`.
    Loaded,
    /// It did not load: `{error, Reason}`.
    Refused(LoadRefusal),
    /// Done: `true`.
    Done,
    /// Nothing to delete: `undefined`.
    Undefined,
    /// The change cannot be made as asked (old code in the way of a delete, none to purge):
    /// `badarg`.
    Badarg,
    /// The node's memory cannot hold the module: `system_limit`.
    NoMemory,
}

/// Why a module given as a binary did not load (erl's reasons).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadRefusal {
    /// Not a `.beam` file this VM can load, or one of another module: `badfile`.
    Badfile,
    /// The module has old code still: `not_purged`.
    NotPurged,
    /// Its `-on_load` function did not return `ok`: `on_load_failure`.
    OnLoadFailure,
}

/// A node with one process: nothing else exists but the platform's console and clocks.
pub struct NoServices<'a>(pub &'a mut dyn Io);

impl Services for NoServices<'_> {
    fn io(&mut self) -> &mut dyn Io {
        self.0
    }
    fn spawn(&mut self, _: u32, _: &View, _: Start, _: SpawnOptions) -> Result<u32, SpawnError> {
        Err(SpawnError::Unsupported)
    }
    fn send(&mut self, _: u32, _: u32, _: &View, _: Term) -> Result<(), OutOfMemory> {
        Ok(())
    }
    fn whereis(&self, _: Term) -> Option<u32> {
        None
    }
    fn register(&mut self, _: Term, _: u32) -> bool {
        false
    }
    fn unregister(&mut self, _: Term) -> bool {
        false
    }
    fn registered(&self) -> Vec<Term> {
        Vec::new()
    }
    fn is_alive(&self, _: u32) -> bool {
        false
    }
    fn processes(&self) -> Vec<u32> {
        Vec::new()
    }
    fn link(&mut self, _: u32, _: u32) -> bool {
        false
    }
    fn unlink(&mut self, _: u32, _: u32) {}
    fn monitor(&mut self, _: u32, _: u64, _: Option<u32>, _: Option<Term>) {}
    fn demonitor(&mut self, _: u32, _: u64) -> bool {
        false
    }
    fn exit_signal(
        &mut self,
        _: u32,
        _: u32,
        _: &View,
        _: Term,
        _: ExitKind,
    ) -> Result<(), OutOfMemory> {
        Ok(())
    }
    fn set_trap_exit(&mut self, _: u32, _: bool) -> bool {
        false
    }
    fn trap_exit(&self, _: u32) -> bool {
        false
    }
    fn set_priority(&mut self, _: u32, _: Priority) -> Priority {
        Priority::Normal
    }
    fn start_timer(
        &mut self,
        _: u64,
        _: TimerDest,
        _: u64,
        _: &View,
        _: Term,
        _: bool,
    ) -> Result<(), OutOfMemory> {
        Ok(())
    }
    fn cancel_timer(&mut self, _: u64) -> Option<u64> {
        None
    }
    fn read_timer(&self, _: u64) -> Option<u64> {
        None
    }
}
