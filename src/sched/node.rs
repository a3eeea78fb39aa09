//! A node: the VM, its processes and the seed's scheduler loop, over one [`Platform`].
//!
//! [`Node::run`] is LING's `scheduler_next` turned into a loop:
//!
//! 1. [`Node::park_process`]: the process that just ran goes back by why it stopped (used up
//!    its reductions: the back of its run queue; waiting in `receive`: off the queues, with a
//!    timer if the receive has a timeout; finished or crashed: removed, with exit signals to
//!    its links and `'DOWN'` messages to its monitors).
//! 2. [`Node::select_runnable`]: the next process by priority.
//! 3. [`Node::events_do_pending`]: each pending event channel is looked up once in the
//!    channel router and becomes a `{irq, Pore}` message or outlet messages; due timers fire.
//! 4. With a process selected, run it for one slice ([`SLICE_REDUCTIONS`] reductions).
//! 5. Otherwise [`Node::wait_for_events`]: sleep in the platform until an event or the next
//!    timer deadline (never a busy wait), and start again at 2.
//!
//! The node stops when a process halts, when the `-run` process crashes (erl's "init
//! terminating in do_boot"), or when nothing can ever run again.
//!
//! Every process heap charges the node's memory account ([`State::memory`], see
//! [`crate::vm::memory`]); a process whose heap the account or the allocator refuses to grow
//! is killed (reason `killed`, with a report on the console) and the rest run on.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use super::queue::Priority;
use super::router::Route;
use super::state::{Carried, DyingTraced, NodeAtoms, State, Status, TimerEvent, TraceDue, Watched};
use crate::platform::{Channel, Platform};
use crate::vm::atom;
use crate::vm::atom::AtomTable;
use crate::vm::bif::{Class, Io};
use crate::vm::code::{SPAWN_APPLY2_PC, SPAWN_APPLY3_PC};
use crate::vm::copy::try_copy_term;
use crate::vm::display::display_to;
use crate::vm::driver::{Load, LoadFn, ModuleSource, Runtime};
use crate::vm::files::{FileOp, FileReply, Posix};
use crate::vm::heap::View;
use crate::vm::heap::{Heap, ERL_MIN_HEAP_SIZE};
use crate::vm::interp::{run_with, Outcome};
use crate::vm::maxheap::{report_text, HeapReport, MaxHeap};
use crate::vm::memory::OutOfMemory;
use crate::vm::process::{MemoryUse, Process, SLICE_REDUCTIONS};
use crate::vm::services::{
    AliasMode, ExitKind, IoReply, IoRequest, ProcessInfo, Services, SpawnError, SpawnOptions,
};
use crate::vm::services::{
    CodeChange, CodeReply, MinHeaps, NodeCounters, Reading, Start, TimerDest,
};
use crate::vm::small::SmallVec;
use crate::vm::term::Term;
use crate::vm::trace::Tracee;

/// The pid number erl gives the process that runs `-run`.
pub const MAIN_PID: u32 = 9;

/// The first process number OTP's boot gives: init's on_load handler's, as in erl.
const FIRST_BOOT_SLOT: u32 = 8;
/// The first pid number of processes the program spawns (erl's, under `-noshell -run`).
pub const FIRST_SPAWNED_PID: u32 = super::pids::FIRST_FREE_SLOT;

/// Why [`Node::run`] returned.
#[derive(Debug)]
pub enum Stop {
    /// `halt/0,1`.
    Halt(i32),
    /// `halt("message")`.
    HaltMessage(String),
    /// The `-run` function raised.
    Crash {
        /// The dead process (its heap holds the terms).
        process: Box<Process>,
        /// Class.
        class: Class,
        /// Reason.
        reason: Term,
        /// Stack trace.
        trace: Term,
    },
    /// No process can run again and nothing can wake one: `alive` processes are left, all
    /// waiting for messages no one can send.
    Idle {
        /// Live processes.
        alive: usize,
    },
}

/// One item of erl's command line that the first process runs (`-run`, `-s`, or on the host
/// `-eval`, see [`StartItem::eval`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartItem {
    /// The module.
    pub module: String,
    /// The function (erl's default is `start`).
    pub function: String,
    /// The arguments: none calls FUN/0, otherwise FUN/1 with their list.
    pub args: Vec<String>,
    /// `-s`: the arguments are atoms; `-run`: strings.
    pub atoms: bool,
}

impl StartItem {
    /// `-eval EXPRS`: `init:start_it([EXPRS])`, which scans, parses and evaluates the
    /// expressions with OTP's erl_scan, erl_parse and erl_eval, as erl's init does. The host
    /// runner supplies that `init` module (`src/erlang/host/init.erl`); a node without it
    /// fails the item with `undef`.
    pub fn eval(exprs: &str) -> Self {
        Self {
            module: String::from("init"),
            function: String::from("start_it"),
            args: alloc::vec![String::from(exprs)],
            atoms: false,
        }
    }

    /// The expressions of an `-eval` item ([`StartItem::eval`]).
    pub fn eval_exprs(&self) -> Option<&str> {
        (self.module == "init" && self.function == "start_it" && !self.atoms)
            .then(|| self.args.first().map(String::as_str))
            .flatten()
    }
}

/// Where an OTP installation is, for booting as erl does ([`Node::boot`]): its root
/// directory (with `bin/start.boot`, `lib/`) and erts's version. The host runner's is the
/// machine's installation; an image's is the one `scripts/build` mirrored into its archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtpBoot {
    /// The root directory, as `code:root_dir/0` answers.
    pub root: String,
    /// erts's version (`13.1.5` for OTP 25.2.3).
    pub erts: String,
}

impl OtpBoot {
    /// erl's command line for `init:boot/1`, as erl's start script and emulator make it:
    /// the installation's flags, `-home` when there is one, `-noshell`, the `-pa` flags
    /// (each with its directories), then the start items, the node's own first
    /// (`xenbeam_boot:program/0`, where the program starts).
    pub fn args(&self, home: Option<&str>, pa: &[Vec<String>], items: &[StartItem]) -> Vec<String> {
        let mut args: Vec<String> = Vec::new();
        let mut push = |words: &[&str]| args.extend(words.iter().map(|w| String::from(*w)));
        let bindir = format!("{}/erts-{}/bin", self.root, self.erts);
        push(&["-root", &self.root, "-bindir", &bindir, "-progname", "erl"]);
        if let Some(home) = home {
            push(&["--", "-home", home]);
        }
        push(&["--", "-noshell"]);
        for dirs in pa {
            let mut words = alloc::vec!["-pa"];
            words.extend(dirs.iter().map(String::as_str));
            push(&words);
        }
        push(&["-s", "xenbeam_boot", "program"]);
        for item in items {
            if let Some(exprs) = item.eval_exprs() {
                push(&["-eval", exprs]);
                continue;
            }
            let flag = if item.atoms { "-s" } else { "-run" };
            push(&[flag, &item.module, &item.function]);
            let words: Vec<&str> = item.args.iter().map(String::as_str).collect();
            push(&words);
        }
        args
    }
}

/// A node.
pub struct Node<P: Platform> {
    /// The machine.
    pub platform: P,
    /// The VM and its loader.
    pub rt: Runtime,
    /// Processes and everything between them.
    pub st: State<P>,
    stop: Option<Stop>,
    main: Option<u32>,
    /// The items the main process runs once the one it runs now has returned.
    items: VecDeque<StartItem>,
    /// Processes that ended since the scheduler last had the platform's files at hand:
    /// the files they left open are closed then.
    pub(super) ended: Vec<u32>,
    /// Environment variables set (`Some`) or removed (`None`) by `os:putenv/2` and
    /// `os:unsetenv/1`, over the platform's environment, in the order first changed.
    env: Vec<(String, Option<String>)>,
    /// The module search path the code server set (`xenbeam:set_code_path/1`), in place of
    /// the platform's.
    code_path: Option<Vec<String>>,
    /// Modules a call looked for in this slice and did not find: `undef` for the rest of
    /// the slice, looked for again after it.
    not_found: Vec<Term>,
}

impl<P: Platform> Node<P> {
    /// A node with no processes, loading modules with `loader`.
    pub fn new(platform: P, loader: LoadFn) -> Self {
        let mut rt = Runtime::new(loader);
        let mut intern = |s: &str| rt.vm.atoms.intern(s).unwrap_or(atom::UNDEFINED);
        let atoms = NodeAtoms {
            down: intern("DOWN"),
            process: intern("process"),
            noproc: intern("noproc"),
            kill: intern("kill"),
            killed: intern("killed"),
            timeout: intern("timeout"),
            irq: intern("irq"),
            pore: intern("$pore"),
            outlet: intern("$outlet"),
            clock_service: intern("clock_service"),
            timer_server: intern("timer_server"),
        };
        Self {
            platform,
            rt,
            st: State::new(atoms),
            stop: None,
            main: None,
            items: VecDeque::new(),
            ended: Vec::new(),
            env: Vec::new(),
            code_path: None,
            not_found: Vec::new(),
        }
    }

    /// Starts the process that runs erl's command-line items, `-run` and `-s`, one after
    /// another as erl's init does: each is called when the one before has returned, in the
    /// same process, over erl's `init` frames; a crash in one ends the node as
    /// [`Node::spawn_main`]'s does. `None` (nothing started) when `items` is empty or names a
    /// module or function that is not a valid atom.
    pub fn spawn_items(&mut self, items: &[StartItem]) -> Option<u32> {
        let (first, rest) = items.split_first()?;
        for item in items {
            self.item_call(item)?;
        }
        let (module, function) = self.item_call(first)?;
        let mut p = Box::new(Process::new(Term::pid(MAIN_PID)));
        let table = first.atoms.then_some(&mut self.rt.vm.atoms);
        set_call(&mut p, module, function, &first.args, table);
        self.items = rest.iter().cloned().collect();
        Some(self.start_main(p))
    }

    /// The module and function atoms of `item`.
    fn item_call(&mut self, item: &StartItem) -> Option<(Term, Term)> {
        let atoms = &mut self.rt.vm.atoms;
        Some((
            atoms.intern(&item.module).ok()?,
            atoms.intern(&item.function).ok()?,
        ))
    }

    /// Starts the `-run` process: `module:function()` with no `args`, else
    /// `module:function(["arg", ...])`, over erl's `init` frames.
    pub fn spawn_main(&mut self, module: Term, function: Term, args: &[&str]) -> u32 {
        let p = apply_process(MAIN_PID, module, function, args);
        self.start_main(p)
    }

    fn start_main(&mut self, mut p: Box<Process>) -> u32 {
        p.set_max_heap(self.st.max_heap);
        self.st.pids.reserve(MAIN_PID);
        self.main = Some(MAIN_PID);
        self.st.main = Some(MAIN_PID);
        let pid = self.st.insert(p, Priority::Normal);
        // erl's init starts the -run process trapping exits, linked to itself.
        if let Some(e) = self.st.procs.get_mut(&pid) {
            e.trap_exit = true;
        }
        if let Some(init) = self.st.whereis(atom::INIT) {
            self.st.link(pid, init);
            if let Some(e) = self.st.procs.get_mut(&pid) {
                e.parent = Some(init);
            }
        }
        self.lead_by_console(pid);
        pid
    }

    /// Starts erl's `init` process, <0.0.0> registered as `init` (`xenbeam_kernel:init/0`):
    /// the -run process is linked to it, and it traps exits and is its own group leader, as
    /// erl's is. It takes no requests (`init`'s functions are BIFs); what it receives it
    /// drops. A kernel service: it never keeps the node running.
    fn start_init(&mut self) {
        let Ok(module) = self.rt.vm.atoms.intern("xenbeam_kernel") else {
            return;
        };
        let Some(pid) = self.st.pids.reserve(0) else {
            return;
        };
        let p = apply_process(pid, module, atom::INIT, &[]);
        let pid = self.st.insert(p, Priority::Normal);
        self.st.set_system(pid, true);
        // erl's initial call for it (its first code is the emulator's).
        let atoms = &mut self.rt.vm.atoms;
        let initial = atoms
            .intern("erl_init")
            .ok()
            .zip(atoms.intern("start").ok());
        if let Some(e) = self.st.procs.get_mut(&pid) {
            e.trap_exit = true;
            e.group_leader = pid;
            e.initial_call = initial.map(|(m, f)| (m, f, 2));
        }
        self.st.register(atom::INIT, pid);
    }

    /// Boots as erl does: <0.0.0> runs OTP's `init:boot(Args)` (the call erl's `erl_init`
    /// makes), `args` being erl's command line for it (`-root`, `-bindir`, ..., `-noshell`,
    /// the `-pa` flags and the start items), and `init` evaluates the boot script it names.
    /// `init`'s functions are then OTP's, not the node's own, and so is the I/O: the node's
    /// built-in `io` is set aside (the console's I/O servers, `user` and `standard_error`,
    /// are started by OTP's kernel). A call of a module not loaded goes to OTP's
    /// `error_handler` once `init` has loaded it, so OTP's code server loads the module.
    /// Every process is a kernel process until one calls `xenbeam:program_starts/0` (the
    /// first start item): from then on that process runs the command line's items. `false`
    /// when `init:boot/1` cannot be named.
    pub fn boot(&mut self, args: &[String]) -> bool {
        let vm = &mut self.rt.vm;
        let (Ok(boot), Ok(erl_init), Ok(start)) = (
            vm.atoms.intern("boot"),
            vm.atoms.intern("erl_init"),
            vm.atoms.intern("start"),
        ) else {
            return false;
        };
        vm.code.set_aside_bifs(atom::INIT);
        if let Ok(loader) = vm.atoms.intern("erl_prim_loader") {
            vm.code.set_aside_bifs(loader);
        }
        if let Ok(io) = vm.atoms.intern("io") {
            if let Some(i) = vm.code.module_index(io) {
                vm.code.unload(io, i);
            }
        }
        if let (Ok(m), Ok(f)) = (
            vm.atoms.intern("error_handler"),
            vm.atoms.intern("undefined_function"),
        ) {
            vm.code.error_handler = Some(vm.code.export(m, f, 3));
        }
        let Some(pid) = self.st.pids.reserve(0) else {
            return false;
        };
        let mut p = Box::new(Process::new(Term::pid(pid)));
        let items: Vec<Term> = args
            .iter()
            .map(|a| p.heap.binary(a.as_bytes().to_vec()))
            .collect();
        let list = p.heap.list(&items);
        p.x = alloc::vec![atom::INIT, boot, p.heap.list(&[list])];
        p.module = 0;
        p.pc = SPAWN_APPLY3_PC;
        p.heap.attach(&self.st.memory.for_kernel(true));
        let pid = self.st.insert(p, Priority::Normal);
        self.st.set_system(pid, true);
        if let Some(e) = self.st.procs.get_mut(&pid) {
            e.group_leader = pid;
            e.initial_call = Some((erl_init, start, 2));
        }
        self.start_emulator_processes(pid);
        self.st.booting = true;
        // erl's numbering: init's first processes are <0.8.0> (its on_load handler), <0.9.0>
        // (the one that runs the boot script and the command line) and <0.10.0> (the
        // loader); erts's own processes before them are the node's native parts.
        self.st.next_system_slot = FIRST_BOOT_SLOT;
        true
    }

    /// The processes erl's emulator starts beside `init` (process `init`, their group
    /// leader), with erl's pid numbers: <0.1.0> `erts_code_purger` (the node's module: the
    /// purges run in the code server, the process only holds the name), <0.2.0> the literal
    /// area collector, <0.3.0> to <0.5.0> the dirty signal handlers, <0.6.0> `prim_file`'s
    /// helper and <0.7.0> `socket_registry` (OTP's modules). The node does their work
    /// natively, so they only wait; they keep house (their timers never keep the node
    /// running). A module that cannot be named leaves its slot empty.
    fn start_emulator_processes(&mut self, init: u32) {
        const PROCESSES: [(u32, &str); 7] = [
            (1, "erts_code_purger"),
            (2, "erts_literal_area_collector"),
            (3, "erts_dirty_process_signal_handler"),
            (4, "erts_dirty_process_signal_handler"),
            (5, "erts_dirty_process_signal_handler"),
            (6, "prim_file"),
            (7, "socket_registry"),
        ];
        let Ok(start) = self.rt.vm.atoms.intern("start") else {
            return;
        };
        for (slot, name) in PROCESSES {
            let Ok(module) = self.rt.vm.atoms.intern(name) else {
                continue;
            };
            let Some(pid) = self.st.pids.reserve(slot) else {
                continue;
            };
            let mut p = apply_process(pid, module, start, &[]);
            p.heap.attach(&self.st.memory.for_kernel(true));
            let pid = self.st.insert(p, Priority::Normal);
            self.st.set_system(pid, true);
            self.st.set_housekeeping(pid);
            if let Some(e) = self.st.procs.get_mut(&pid) {
                e.group_leader = init;
                e.initial_call = Some((module, start, 0));
            }
        }
    }

    /// The console's I/O server (`user`), once the kernel services have started it.
    fn console_leader(&mut self) -> Option<u32> {
        let name = self.rt.vm.atoms.intern("user").ok()?;
        self.st.whereis(name)
    }

    /// Makes the console's I/O server the group leader of `pid`, a process the node starts
    /// itself (without one yet, it leads itself), as in erl.
    fn lead_by_console(&mut self, pid: u32) {
        if let Some(leader) = self.console_leader() {
            if let Some(e) = self.st.procs.get_mut(&pid) {
                e.group_leader = leader;
            }
        }
    }

    /// Starts the kernel's Erlang services: first OTP's kernel application
    /// (`xenbeam_kernel:start()`, when the module source has that module: logger, the
    /// application controller, `kernel_sup`), then, when the machine has a Xenstore ring,
    /// `xenbeam_init:start()`, which starts the Xenstore driver under its supervisor and logs
    /// the domain's name and id read through it.
    pub fn start_services(
        &mut self,
        io: &mut dyn Io,
        src: &mut dyn ModuleSource,
    ) -> Result<(), Stop> {
        if src.find("xenbeam_kernel").is_some() {
            self.start_init();
            self.start_service("xenbeam_kernel", io, src)?;
            // The console has its I/O server now: OTP's `io`, which talks to group leaders,
            // takes the place of the built-in one, which writes to the console directly.
            if self.console_leader().is_some() {
                let vm = &mut self.rt.vm;
                if let Ok(name) = vm.atoms.intern("io") {
                    if let Some(i) = vm.code.module_index(name) {
                        vm.code.unload(name, i);
                    }
                }
            }
        }
        if self.platform.xenstore().is_some() {
            self.start_service("xenbeam_init", io, src)?;
        }
        Ok(())
    }

    /// Runs `module:start()` as a kernel service ([`Node::run_system`]).
    fn start_service(
        &mut self,
        module: &str,
        io: &mut dyn Io,
        src: &mut dyn ModuleSource,
    ) -> Result<(), Stop> {
        let atoms = &mut self.rt.vm.atoms;
        let (Ok(module), Ok(function)) = (atoms.intern(module), atoms.intern("start")) else {
            return Ok(());
        };
        self.run_system(module, function, io, src)
    }

    /// Starts a kernel service with `module:function()` and runs the scheduler until that
    /// process has returned (the services it started keep running). The program's processes
    /// come after, so they find the services ready. Returns why the node stopped instead, if
    /// it did (a halt, or nothing left that can run).
    pub fn run_system(
        &mut self,
        module: Term,
        function: Term,
        io: &mut dyn Io,
        src: &mut dyn ModuleSource,
    ) -> Result<(), Stop> {
        let Some(pid) = self.st.new_pid(true) else {
            return Ok(());
        };
        let pid = self
            .st
            .insert(apply_process(pid, module, function, &[]), Priority::Normal);
        self.st.set_system(pid, true);
        self.lead_by_console(pid);
        match self.schedule(io, src, Some(pid)) {
            Some(stop) => Err(stop),
            None => Ok(()),
        }
    }

    /// Sets the node's memory budget: the bytes all process heaps together may hold, and the
    /// loaded code with them once [`Node::charge_code`] is called (`usize::MAX`: unlimited). A
    /// heap that would grow past it kills its process.
    pub fn set_max_memory(&mut self, bytes: usize) {
        self.st.memory.set_budget(bytes);
    }

    /// Keeps the top `bytes` of the node's memory budget for its kernel processes (those
    /// of OTP's boot and what they spawn for themselves): the program's processes and code
    /// are refused before the budget is full.
    pub fn set_kernel_room(&mut self, bytes: usize) {
        self.st.memory.set_kernel_room(bytes);
    }

    /// Charges loaded code to the node's memory account from now on (the modules loaded so
    /// far at once), so that the budget counts the code as it counts heaps: where nothing
    /// outside the budget is set aside for it (the host runner's bounds), a node that loads
    /// much code then leaves less to its heaps instead of running out of memory.
    pub fn charge_code(&mut self) {
        let code = &mut self.rt.vm.code;
        code.memory = self.st.memory.clone();
        let held: usize = code.modules.iter().map(|m| m.held_bytes()).sum();
        let lits = &self.rt.vm.lits;
        code.memory
            .charge(held + lits.words.len() * core::mem::size_of::<Term>());
    }

    /// Sets the node's default `max_heap_size` (erl's `erlang:system_flag(max_heap_size, _)`),
    /// which processes spawned from now on get; the `-run` process gets it too.
    pub fn set_max_heap_size(&mut self, m: MaxHeap) {
        self.st.max_heap = m;
        if let Some(p) = self
            .main
            .and_then(|m| self.st.procs.get_mut(&m))
            .and_then(|e| e.process.as_mut())
        {
            p.set_max_heap(m);
        }
    }

    /// Live processes of the program (kernel services are not counted).
    pub fn alive(&self) -> usize {
        self.st.user_alive()
    }

    /// Runs the scheduler loop until the node stops.
    pub fn run(&mut self, io: &mut dyn Io, src: &mut dyn ModuleSource) -> Stop {
        loop {
            if let Some(stop) = self.schedule(io, src, None) {
                return stop;
            }
        }
    }

    /// The scheduler loop; with `until`, it also returns (`None`) once that process is gone.
    fn schedule(
        &mut self,
        io: &mut dyn Io,
        src: &mut dyn ModuleSource,
        until: Option<u32>,
    ) -> Option<Stop> {
        loop {
            if let Some(s) = self.stop.take() {
                return Some(s);
            }
            if until.is_some_and(|pid| !self.st.procs.contains_key(&pid)) {
                return None;
            }
            let next = self.select_runnable();
            self.events_do_pending();
            match next {
                Some(pid) => {
                    if let Some((p, why)) = self.run_slice(pid, io, src) {
                        self.park_process(p, why, io);
                    }
                    self.release_exited();
                    self.check_main_end();
                    // Files die with their owner, as erl's file descriptors do.
                    for pid in self.ended.drain(..) {
                        let _ = io.file(pid, FileOp::CloseOwned);
                    }
                }
                None if self.st.queues.is_empty() => {
                    if self.idle_forever(until.is_some()) {
                        return Some(Stop::Idle {
                            alive: self.alive(),
                        });
                    }
                    self.wait_for_events();
                }
                None => {}
            }
        }
    }

    /// Puts the process that just ran back by why it stopped (see the module docs).
    pub fn park_process(&mut self, mut p: Box<Process>, why: Outcome, io: &mut dyn Io) {
        let pid = p.pid.pid_number();
        for r in core::mem::take(&mut p.heap_reports) {
            self.heap_report(p.pid, &r, io);
        }
        if !p.mailbox.timer_armed() {
            // Its receive ended (or never had a timeout): a pending timer is stale.
            self.st.cancel_receive_timer(pid);
        }
        let why = match p.heap.take_refusal() {
            // The node could not give its heap the memory it asked for: killed, as erl kills a
            // process over its max_heap_size, so the rest of the node keeps running.
            Some(oom) if !matches!(why, Outcome::Halt(_) | Outcome::HaltMessage(_)) => {
                self.memory_report(&p, oom, io);
                Outcome::Crash {
                    class: Class::Exit,
                    reason: self.st.atoms.killed,
                    trace: Term::NIL,
                }
            }
            _ => why,
        };
        match why {
            Outcome::Yield => self.st.put_back(&self.platform, p, Status::Runnable),
            Outcome::Waiting => {
                shrink_registers(&mut p);
                self.st.put_back(&self.platform, p, Status::Waiting);
            }
            Outcome::WaitTimeout(ms) => {
                shrink_registers(&mut p);
                let now = self.platform.now_ns();
                self.st.start_receive_timer(now, pid, ms);
                self.st.put_back(&self.platform, p, Status::Waiting);
            }
            Outcome::Normal if self.main == Some(pid) && !self.items.is_empty() => {
                // The command line's next item, in the same process (its dictionary, links
                // and all), as erl's init calls them.
                let item = self.items.pop_front().expect("an item");
                match self.item_call(&item) {
                    Some((module, function)) => {
                        p.stack.clear();
                        let table = item.atoms.then_some(&mut self.rt.vm.atoms);
                        set_call(&mut p, module, function, &item.args, table);
                        self.st.put_back(&self.platform, p, Status::Runnable);
                    }
                    None => self.exit_process(p, Carried::immediate(atom::NORMAL)),
                }
            }
            Outcome::Normal => self.exit_process(p, Carried::immediate(atom::NORMAL)),
            Outcome::Crash {
                class,
                reason,
                trace,
            } => {
                if self.main == Some(pid) {
                    if class != Class::Exit || reason != atom::NORMAL {
                        self.stop = Some(Stop::Crash {
                            process: p,
                            class,
                            reason,
                            trace,
                        });
                        return;
                    }
                    // erl's init takes a normal exit of the process that runs the command
                    // line as the end of its items: the rest are not run, the node goes on.
                    self.items.clear();
                }
                let exit_reason = match class {
                    Class::Exit => reason,
                    Class::Error => p.heap.tuple(&[reason, trace]),
                    Class::Throw => {
                        let nc = p.heap.tuple(&[atom::NOCATCH, reason]);
                        p.heap.tuple(&[nc, trace])
                    }
                };
                if class != Class::Exit {
                    self.error_report(&mut p, exit_reason, io);
                }
                let heap = core::mem::take(&mut p.heap);
                self.exit_process(p, Carried::in_heap(heap, exit_reason));
            }
            Outcome::Halt(n) => self.stop = Some(Stop::Halt(n)),
            Outcome::HaltMessage(s) => self.stop = Some(Stop::HaltMessage(s)),
            Outcome::NeedModule(_) => self.st.put_back(&self.platform, p, Status::Runnable),
        }
        if !self.st.outlet_replies.is_empty() {
            let out = core::mem::take(&mut self.st.outlet_replies);
            super::io::deliver_outlet(&mut self.st, &mut self.rt.vm, out);
        }
    }

    /// Stops the node when the command line's process was removed with a reason other than
    /// `normal` (an untrappable `kill`: it traps every other exit signal, and its own
    /// exceptions stop the node where they happen), as erl's `init` halts when it dies:
    /// `{"init terminating in do_boot",killed}`.
    fn check_main_end(&mut self) {
        let Some(end) = self.st.main_end.take() else {
            return;
        };
        if end.term() == atom::NORMAL || self.stop.is_some() {
            return;
        }
        let mut p = Box::new(Process::new(Term::pid(MAIN_PID)));
        let reason = end
            .copy_onto(&self.rt.vm.lits, &mut p.heap)
            .unwrap_or(self.st.atoms.killed);
        self.stop = Some(Stop::Crash {
            process: p,
            class: Class::Exit,
            reason,
            trace: Term::NIL,
        });
    }

    /// The next process to run, by priority; `None` when none is runnable.
    pub fn select_runnable(&mut self) -> Option<u32> {
        while let Some(pid) = self.st.queues.pop() {
            if let Some(e) = self.st.procs.get(&pid) {
                if e.status == Status::Runnable && e.process.is_some() && e.suspended == 0 {
                    return Some(pid);
                }
            }
        }
        None
    }

    /// Turns pending events into messages and fires due timers.
    pub fn events_do_pending(&mut self) {
        // Gathered in the frame: this runs between every two slices.
        let mut channels: SmallVec<Channel, 16> = SmallVec::new(Channel(0));
        self.platform.take_pending(&mut |c| channels.push(c));
        for &c in channels.as_slice() {
            match self.st.router.route(c) {
                Some(Route::Pore(id)) => {
                    if let Some(irq) = self.st.pores.on_event(id) {
                        super::io::deliver_irq(&mut self.st, irq);
                    }
                }
                Some(Route::Outlet(id)) => {
                    let out = self.st.outlets.on_event(&self.platform, id, c);
                    super::io::deliver_outlet(&mut self.st, &mut self.rt.vm, out);
                }
                None => {}
            }
        }
        let now = self.platform.now_ns();
        self.st.expire_timers(now);
        self.st.process_signals(&self.platform);
        self.release_exited();
    }

    /// Sleeps until an event channel fires or the next timer is due.
    pub fn wait_for_events(&mut self) {
        let deadline = self.st.timers.next_deadline();
        self.platform.wait_for_events(deadline);
    }

    /// Whether the node has nothing left to do: no process of the program is left (kernel
    /// services alone serve no one, unless they are still starting), or nothing can ever
    /// make one runnable: no timer pending and no pore or outlet open whose events could
    /// arrive. Kernel services' pores do not count; a service waiting for its device keeps a
    /// timer instead (the Xenstore driver's heartbeat while requests are in flight).
    fn idle_forever(&mut self, starting: bool) -> bool {
        let starting = starting || self.st.booting;
        if !starting && self.st.user_alive() == 0 && !self.program_timer_pending() {
            return true;
        }
        // The timers of kernel processes that only keep house (the loader's idle time,
        // inet_db's refresh) wake nothing the program waits for.
        let timers = if self.st.housekeepers == 0 {
            !self.st.timers.is_empty()
        } else {
            let st = &self.st;
            let counts = |pid: u32| st.procs.get(&pid).is_none_or(|e| !e.housekeeping);
            st.timers.payloads().any(|t| match t {
                TimerEvent::Receive(pid) => counts(*pid),
                TimerEvent::Send { dest, .. } => match dest {
                    TimerDest::Pid(pid) => counts(*pid),
                    TimerDest::Name(name) => st.whereis(*name).is_none_or(counts),
                },
            })
        };
        if timers || !self.st.outlets.is_empty() {
            return false;
        }
        let st = &self.st;
        !st.pores
            .owners()
            .any(|o| st.procs.get(&o).is_some_and(|e| !e.system))
    }

    /// Whether a kernel service that spawns the program's processes (the timer server) has a
    /// timer pending: it will start program work, so the program is not done.
    fn program_timer_pending(&self) -> bool {
        let st = &self.st;
        let spawns_program = |pid: u32| st.procs.get(&pid).is_some_and(|e| e.spawns_program);
        st.timers.payloads().any(|t| match t {
            TimerEvent::Receive(pid) => spawns_program(*pid),
            TimerEvent::Send { dest, .. } => match dest {
                TimerDest::Pid(pid) => spawns_program(*pid),
                TimerDest::Name(name) => st.whereis(*name).is_some_and(spawns_program),
            },
        })
    }

    /// Kills every process but `by` (the one that asked for the purge) that runs module
    /// index `old`'s code or would return or throw into it: erl's code purger does so
    /// before old code goes.
    fn kill_running(&mut self, by: u32, old: u32) {
        let procs = &self.st.procs;
        let doomed: Vec<u32> = procs
            .keys()
            .copied()
            .filter(|pid| {
                *pid != by
                    && procs
                        .get(pid)
                        .and_then(|e| e.process.as_ref())
                        .is_some_and(|p| p.runs_module(old))
            })
            .collect();
        for pid in doomed {
            let kill = Rc::new(Carried::immediate(self.st.atoms.kill));
            self.st
                .exit_signal(&self.platform, by, pid, kill, ExitKind::Explicit);
        }
    }

    /// Runs `pid` for one slice; loads modules it needs on the way.
    fn run_slice(
        &mut self,
        pid: u32,
        io: &mut dyn Io,
        src: &mut dyn ModuleSource,
    ) -> Option<(Box<Process>, Outcome)> {
        let ran = self.run_slice_loading(pid, io, src);
        // As erl looks for a missing module at every call (its file may have appeared in
        // the code path since), a module not found is looked for again after this slice. One
        // found but refused (a bad file, another module's) stays missing.
        if !self.not_found.is_empty() {
            for name in self.not_found.drain(..) {
                self.rt.vm.code.missing.remove(name.atom_index());
            }
        }
        ran
    }

    /// Call timing at the start (`start`) or the end of a slice of `p`: only running time
    /// counts, so the time from the start to the end goes to the timed function it is in
    /// (when it is traced with `call`, as in erl).
    #[cold]
    #[inline(never)]
    fn slice_clock(&mut self, p: &mut Process, start: bool) {
        if p.call_time.is_none() {
            return;
        }
        let now = self.platform.now_ns();
        if start {
            if let Some(clock) = p.call_time.as_mut() {
                clock.since = now;
            }
        } else if p.trace.is_some_and(|t| t.has(crate::vm::trace::CALL)) {
            crate::vm::calltime::charge(&self.rt.vm.code, p, now);
        }
    }

    /// What tracing does at the start of a slice of `p`: call timing restamps, `running`
    /// sends `in`.
    #[cold]
    #[inline(never)]
    fn slice_start(&mut self, p: &mut Process) {
        self.slice_clock(p, true);
        if p.trace.is_some_and(|t| t.has(crate::vm::trace::RUNNING)) {
            self.running_event(p, "in", true);
        }
    }

    /// [`Node::run_slice`]'s work: runs the slice, loading the modules it calls.
    #[inline]
    fn run_slice_loading(
        &mut self,
        pid: u32,
        io: &mut dyn Io,
        src: &mut dyn ModuleSource,
    ) -> Option<(Box<Process>, Outcome)> {
        // Tracing is or was on (before this slice: call timing in the slice where tracing
        // first came on counts from the next one).
        let tracing = crate::vm::trace::used();
        if tracing {
            // Stamps of the node's trace messages in this slice.
            self.stamp_traces();
        }
        let e = self.st.procs.get_mut(&pid)?;
        let mut p = e.process.take()?;
        e.status = Status::Running;
        p.reductions = SLICE_REDUCTIONS;
        if tracing {
            self.slice_start(&mut p);
        }
        loop {
            let why = {
                let mut services = NodeServices {
                    st: &mut self.st,
                    platform: &self.platform,
                    io: NodeIo {
                        io: &mut *io,
                        platform: &self.platform,
                        env: &mut self.env,
                        code_path: &self.code_path,
                    },
                };
                run_with(&mut self.rt.vm, &mut services, &mut p)
            };
            if tracing {
                self.slice_clock(&mut p, false);
            }
            if let Some((pid, change)) = self.st.code_change.take() {
                if let CodeChange::SetPath(dirs) = &change {
                    self.code_path = Some(dirs.clone());
                }
                let purged = match &change {
                    CodeChange::Purge(name) => self.rt.vm.code.old.get(name.atom_index()),
                    _ => None,
                };
                let (reply, text) = self.rt.change_code(change, src, io);
                if let (Some(old), CodeReply::Done) = (purged, reply) {
                    self.kill_running(pid, old);
                    // Nothing else can run it now, so it can go (unless the caller runs it).
                    if !p.runs_module(old) {
                        self.rt.vm.code.free(old);
                    }
                }
                self.st.code_reply.retain(|(p, _)| *p != pid);
                self.st.code_reply.push((pid, reply));
                if let Some(text) = text {
                    self.emulator_error(&mut p, &text, io);
                }
            }
            if !self.st.emulator_errors.is_empty() {
                for text in core::mem::take(&mut self.st.emulator_errors) {
                    self.emulator_error(&mut p, &text, io);
                }
            }
            // A slice that ended otherwise left its count in the process (at least one
            // reduction: the slice ran).
            let used = if matches!(why, Outcome::Yield) {
                SLICE_REDUCTIONS as u64
            } else {
                (SLICE_REDUCTIONS - p.reductions.clamp(0, SLICE_REDUCTIONS - 1)) as u64
            };
            if let Some(e) = self.st.procs.get_mut(&pid) {
                e.reductions += used;
            }
            self.st.reductions += used;
            self.st.slices += 1;
            self.st.gc += core::mem::take(&mut p.gc_tally);
            match why {
                Outcome::NeedModule(name) => {
                    let refused = self.rt.load_errors.len();
                    let load = self.rt.try_load(name, src, io);
                    if load == Load::Missing && self.rt.load_errors.len() == refused {
                        self.not_found.push(name);
                    }
                    if let Load::NoMemory(bytes) = load {
                        // The node's memory cannot load what the process calls: killed, as a
                        // heap the memory refuses is (the module may load later).
                        let oom = OutOfMemory {
                            heap_words: p.heap.words.len(),
                            wanted_words: bytes.div_ceil(core::mem::size_of::<Term>()),
                        };
                        self.memory_report(&p, oom, io);
                        let why = Outcome::Crash {
                            class: Class::Exit,
                            reason: self.st.atoms.killed,
                            trace: Term::NIL,
                        };
                        return Some((p, why));
                    }
                }
                why => {
                    if tracing {
                        // Whether the slice ended the process (a halt ends the node).
                        let ended = match why {
                            Outcome::Normal | Outcome::Crash { .. } => Some(true),
                            Outcome::Halt(_) | Outcome::HaltMessage(_) => None,
                            _ => Some(false),
                        };
                        self.slice_end_events(&mut p, ended);
                    }
                    return Some((p, why));
                }
            }
        }
    }

    /// The trace events at the end of a slice of `p`: its collections'
    /// (`garbage_collection`), then `out` (with `running`) when the slice did not end the
    /// process (`ended` false); none after a halt (`None`). A process the slice ended gets
    /// `exit` and `out_exited` as it exits ([`Node::exit_process`]).
    #[cold]
    #[inline(never)]
    fn slice_end_events(&mut self, p: &mut Process, ended: Option<bool>) {
        use crate::vm::trace::RUNNING;
        if p.gc_events.is_some() {
            self.gc_trace_events(p);
        }
        let Some(t) = p.trace else {
            return;
        };
        if ended == Some(false) && t.has(RUNNING) {
            self.running_event(p, "out", true);
        }
    }

    /// The `garbage_collection` trace events of the collections `p` made in the slice:
    /// `gc_minor_start` and `gc_minor_end` (or `gc_major_*`) with erl's info lists.
    #[cold]
    #[inline(never)]
    fn gc_trace_events(&mut self, p: &mut Process) {
        let events = crate::vm::trace::take_gcs(&mut p.gc_events);
        let Some(t) = p.trace else {
            return;
        };
        let pid = p.pid.pid_number();
        if t.tracer == pid {
            return;
        }
        for e in events {
            let reclaimed = e.before.heap.saturating_sub(e.after.heap);
            let tags = match e.major {
                true => ["gc_major_start", "gc_major_end"],
                false => ["gc_minor_start", "gc_minor_end"],
            };
            for (tag, info) in tags
                .into_iter()
                .zip([e.before.info(0), e.after.info(reclaimed)])
            {
                let vm = &mut self.rt.vm;
                let Ok(tag) = vm.atoms.intern(tag) else {
                    return;
                };
                let mut heap = Heap::fragment();
                if crate::vm::copy::try_room(&mut heap, 12 * 6 + 4).is_err() {
                    return;
                }
                let mut items = Vec::with_capacity(info.len());
                for (k, v) in info {
                    let Ok(k) = vm.atoms.intern(k) else {
                        return;
                    };
                    let v = heap.int(v as i64);
                    items.push(heap.tuple(&[k, v]));
                }
                let list = heap.list(&items);
                self.trace_event(&heap, t, pid, tag, list);
            }
        }
    }

    /// Sends `p`'s tracer (`t`) the trace message `{trace, Pid, Tag, What}`, `What` in `heap`.
    fn trace_event(
        &mut self,
        heap: &Heap,
        t: crate::vm::trace::Tracee,
        pid: u32,
        tag: Term,
        what: Term,
    ) {
        let view = heap.view(&self.rt.vm.lits);
        let c = Carried::trace(
            &view,
            &self.st.memory,
            &mut self.st.trace_clock,
            t,
            pid,
            tag,
            &[what],
        );
        self.st.deliver_trace(t.tracer, c);
    }

    /// Trace event `tag` of `p` (`{trace, Pid, Tag, MFA}`): with `at_function`, MFA is the
    /// function it is in (`{M, F, Arity}`, `0` when not known, as in erl), else `0`.
    #[cold]
    #[inline(never)]
    fn running_event(&mut self, p: &Process, tag: &str, at_function: bool) {
        let Some(t) = p.trace else {
            return;
        };
        let pid = p.pid.pid_number();
        // A process that is its own tracer is told nothing (as in erl).
        if t.tracer == pid {
            return;
        }
        let Ok(tag) = self.rt.vm.atoms.intern(tag) else {
            return;
        };
        let vm = &self.rt.vm;
        let mfa = if at_function {
            crate::vm::trace::current_mfa(&vm.code, p, &p.heap.view(&vm.lits))
        } else {
            None
        };
        let mut heap = Heap::fragment();
        let what = match mfa {
            Some((m, f, a)) if crate::vm::copy::try_room(&mut heap, 4).is_ok() => {
                heap.tuple(&[m, f, Term::small(a as i64)])
            }
            _ => Term::small(0),
        };
        self.trace_event(&heap, t, pid, tag, what);
    }

    /// The trace events the signal machinery left for the node, in order (see
    /// [`State::trace_due`](super::state::State::trace_due)).
    #[cold]
    #[inline(never)]
    pub(super) fn trace_due(&mut self) {
        self.stamp_traces();
        for d in core::mem::take(&mut self.st.trace_due) {
            match d {
                TraceDue::Dying(d) => self.trace_dying(d),
                TraceDue::Signalled(pid) => self.trace_signalled(pid),
            }
        }
    }

    /// The trace events of a process a signal ended between its slices, as erl's are when it
    /// schedules such a process to exit: `in` with the function it waited in (with
    /// `running`), `exit` (with `procs`), `out_exited` (with `exiting`).
    fn trace_dying(&mut self, d: DyingTraced) {
        use crate::vm::trace::{EXITING, RUNNING};
        let mut p = d.process;
        p.trace = Some(d.trace);
        if d.trace.has(RUNNING) {
            self.running_event(&p, "in", true);
        }
        self.st.trace_exit(d.pid, d.trace, &d.reason);
        if d.trace.has(EXITING) {
            self.running_event(&p, "out_exited", false);
        }
    }

    /// The `in` and `out` (with `running`) of a waiting process erl schedules only to handle
    /// a signal, and the events of a collection made for it between them; one that has
    /// woken or ended since gets its events from its slice or its exit.
    fn trace_signalled(&mut self, pid: u32) {
        let Some(e) = self.st.procs.get_mut(&pid) else {
            return;
        };
        if e.status != Status::Waiting {
            return;
        }
        let Some(mut p) = e.process.take() else {
            return;
        };
        let running = p.trace.is_some_and(|t| t.has(crate::vm::trace::RUNNING));
        if running {
            self.running_event(&p, "in", true);
        }
        if p.gc_events.is_some() {
            self.gc_trace_events(&mut p);
        }
        if running {
            self.running_event(&p, "out", true);
        }
        if let Some(e) = self.st.procs.get_mut(&pid) {
            e.process = Some(p);
        }
    }

    fn exit_process(&mut self, mut p: Box<Process>, reason: Carried) {
        let pid = p.pid.pid_number();
        if let Some(t) = p.trace {
            // `exit` (with `procs`), then `out_exited` (with `exiting`), as erl orders them.
            self.stamp_traces();
            self.st.trace_exit(pid, t, &reason);
            if t.has(crate::vm::trace::EXITING) {
                self.running_event(&p, "out_exited", false);
            }
            p.trace = None;
        }
        drop(p);
        self.release_tables(pid);
        self.st.terminate(&self.platform, pid, Rc::new(reason));
        self.st.process_signals(&self.platform);
    }

    /// Reads the clock trace messages built by the node are stamped with.
    fn stamp_traces(&mut self) {
        self.st.trace_clock.monotonic_ns = self.platform.now_ns();
        self.st.trace_clock.system_ns = self.platform.system_time_ns();
    }

    /// The report for a process killed because the node's memory refused its heap, in the
    /// form of erl's report for a process killed over its max_heap_size.
    fn memory_report(&self, p: &Process, oom: OutOfMemory, io: &mut dyn Io) {
        let memory = &self.st.memory;
        let stamp = timestamp(self.platform.system_time_ns());
        let budget = match memory.budget() {
            usize::MAX => String::from("no budget; the allocator refused"),
            b => format!("budget {b} bytes"),
        };
        let (number, serial) = p.pid.pid_parts();
        let text = format!(
            "=ERROR REPORT==== {stamp} ===\n     \
             Process:            <0.{number}.{serial}>\n     \
             Context:            node memory exhausted\n     \
             Heap Size:          {} words\n     \
             Wanted Size:        {} words\n     \
             Node Memory:        {} bytes in use ({budget})\n     \
             Exit Reason:        killed\n\n",
            oom.heap_words,
            oom.wanted_words,
            memory.used(),
        );
        io.stdout(text.as_bytes());
    }

    /// erl's report for a process over its `max_heap_size` (on standard output, where erl
    /// -noshell prints its logger's reports).
    fn heap_report(&self, pid: Term, r: &HeapReport, io: &mut dyn Io) {
        let stamp = timestamp(self.platform.system_time_ns());
        let text = format!("=ERROR REPORT==== {stamp} ===\n{}\n", report_text(pid, r));
        io.stdout(text.as_bytes());
    }

    /// erl's report for a process that died of an error. erl's emulator hands it to the
    /// system logger as a log event; with OTP's logger running (the kernel services) it goes
    /// there too, so logger's handlers and filters apply. Without logger it is printed on
    /// standard output, as erl -noshell's logger prints it.
    fn error_report(&mut self, p: &mut Process, reason: Term, io: &mut dyn Io) {
        if let Some(logger) = self.system_logger() {
            let event = self.error_event(p, reason);
            if self
                .st
                .send(logger, &p.heap.view(&self.rt.vm.lits), event)
                .is_err()
            {
                // The report carries the whole reason: dropped rather than the node's memory.
                let (number, serial) = p.pid.pid_parts();
                log::warn!("error report of <0.{number}.{serial}> too big for the node's memory");
            }
            return;
        }
        let vm = &self.rt.vm;
        let stamp = timestamp(self.platform.system_time_ns());
        let (number, serial) = p.pid.pid_parts();
        let head = format!(
            "=ERROR REPORT==== {stamp} ===\nError in process <0.{number}.{serial}> with exit value:\n"
        );
        io.stdout(head.as_bytes());
        // The reason's text goes out as it is made: a reason of millions of elements is never
        // held as text whole.
        let v = p.heap.view(&vm.lits);
        display_to(&v, &vm.atoms, &vm.code, reason, &mut |bytes| {
            io.stdout(bytes)
        });
        io.stdout(b"\n\n");
    }

    /// A message of erl's emulator at level error about process `p` (a refused change of
    /// code): logged as erl logs it, through logger's handlers when logger runs, else
    /// printed as logger would.
    fn emulator_error(&mut self, p: &mut Process, text: &str, io: &mut dyn Io) {
        if let Some(logger) = self.system_logger() {
            let line = p.heap.string(text);
            let event = self.log_event(p, "~s~n", &[line]);
            if self
                .st
                .send(logger, &p.heap.view(&self.rt.vm.lits), event)
                .is_err()
            {
                log::warn!("an emulator error report was dropped: no memory for it");
            }
            return;
        }
        let stamp = timestamp(self.platform.system_time_ns());
        io.stdout(format!("=ERROR REPORT==== {stamp} ===\n{text}\n\n").as_bytes());
    }

    /// The process that takes the emulator's log events: logger's proxy, as in erl, or the
    /// logger server itself; `None` when logger is not running.
    fn system_logger(&mut self) -> Option<u32> {
        ["logger_proxy", "logger"].iter().find_map(|name| {
            let name = self.rt.vm.atoms.intern(name).ok()?;
            self.st.whereis(name)
        })
    }

    /// The event erl's emulator logs for a process that died of an error, built on its heap:
    /// `{log, error, Format, [Pid, Reason], #{error_logger => #{emulator => true, tag =>
    /// error}, gl => GroupLeader, pid => Pid, time => Microseconds}}`.
    fn error_event(&mut self, p: &mut Process, reason: Term) -> Term {
        let args = [p.pid, reason];
        self.log_event(p, "Error in process ~p with exit value:~n~p~n", &args)
    }

    /// A log event of erl's emulator at level error, built on `p`'s heap (`p` is the process
    /// it concerns): `{log, error, Format, Args, #{error_logger => #{emulator => true, tag =>
    /// error}, gl => GroupLeader, pid => Pid, time => Microseconds}}`.
    fn log_event(&mut self, p: &mut Process, format: &str, args: &[Term]) -> Term {
        let mut atom = |name: &str| self.rt.vm.atoms.intern(name).unwrap_or(atom::UNDEFINED);
        let (log, error, emulator, tag, error_logger, gl, pid_key, time_atom) = (
            atom("log"),
            atom("error"),
            atom("emulator"),
            atom("tag"),
            atom("error_logger"),
            atom("gl"),
            atom("pid"),
            atom("time"),
        );
        let number = p.pid.pid_number();
        let leader = self
            .st
            .procs
            .get(&number)
            .map_or(number, |e| e.group_leader);
        let micros = (self.platform.system_time_ns() / 1000) as i64;
        let h = &mut p.heap;
        let format = h.string(format);
        let args = h.list(args);
        let inner = h.map_sorted(&[(emulator, atom::TRUE), (tag, error)]);
        let time_value = h.int(micros);
        let meta = h.map_sorted(&[
            (error_logger, inner),
            (gl, Term::pid(leader)),
            (pid_key, p.pid),
            (time_atom, time_value),
        ]);
        h.tuple(&[log, error, format, args, meta])
    }
}

/// A process that starts with `module:function(args)`: no `args` calls FUN/0, otherwise
/// FUN/1 with the list of strings (erl's `-run`). Returning lands in init:start_em/1 as in
/// erl, so a crash trace ends with init's frames.
fn apply_process(pid: u32, module: Term, function: Term, args: &[&str]) -> Box<Process> {
    let mut p = Box::new(Process::new(Term::pid(pid)));
    let args: Vec<String> = args.iter().map(|s| String::from(*s)).collect();
    set_call(&mut p, module, function, &args, None);
    p
}

/// Sets `p` (its stack empty) to call `module:function` over erl's init frames: with no
/// arguments FUN/0, else FUN/1 with the list of `args`, as atoms made in `atoms` (`-s`) or as
/// strings (`-run`). An argument that cannot be an atom goes as a string.
fn set_call(
    p: &mut Process,
    module: Term,
    function: Term,
    args: &[String],
    mut atoms: Option<&mut AtomTable>,
) {
    p.stack.push(Term::cp(0, 3));
    p.stack.push(Term::cp(0, 1));
    let arglist = if args.is_empty() {
        Term::NIL
    } else {
        let items: Vec<Term> = args
            .iter()
            .map(|s| match atoms.as_mut().and_then(|t| t.intern(s).ok()) {
                Some(a) => a,
                None => p.heap.string(s),
            })
            .collect();
        let l = p.heap.list(&items);
        p.heap.list(&[l])
    };
    p.x = alloc::vec![module, function, arglist];
    p.module = 0;
    p.pc = SPAWN_APPLY3_PC;
}

/// Drops the float registers and spare memory a waiting process cannot need, to keep many
/// waiting processes small (a receive has no live float registers; the next float
/// instruction makes them again).
fn shrink_registers(p: &mut Process) {
    p.f = Vec::new();
    // Keeps the stack's checkpoint and its charge in step with what is left.
    p.trim_stack();
}

/// `29-Nov-2026::19:27:31.558836` for a time in nanoseconds since the Unix epoch (UTC).
pub fn timestamp(ns: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = ns / 1_000_000_000;
    let micros = (ns / 1_000) % 1_000_000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Days to a civil date (the proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{day}-{}-{year}::{:02}:{:02}:{:02}.{micros:06}",
        MONTHS[(month - 1) as usize],
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// The console of the caller with the platform's clocks.
struct NodeIo<'a, P: Platform> {
    io: &'a mut dyn Io,
    platform: &'a P,
    env: &'a mut Vec<(String, Option<String>)>,
    code_path: &'a Option<Vec<String>>,
}

impl<P: Platform> Io for NodeIo<'_, P> {
    fn stdout(&mut self, bytes: &[u8]) {
        self.io.stdout(bytes);
    }
    fn stderr(&mut self, bytes: &[u8]) {
        self.io.stderr(bytes);
    }
    fn monotonic_nanos(&mut self) -> u64 {
        self.platform.now_ns()
    }
    fn cpu_nanos(&mut self) -> u64 {
        self.platform.cpu_ns()
    }
    fn run_times(&mut self) -> Option<[u64; 4]> {
        self.platform.run_times()
    }
    fn system_nanos(&mut self) -> u64 {
        self.platform.system_time_ns()
    }
    fn log(&mut self, level: log::Level, text: &str) {
        self.io.log(level, text);
    }
    fn file(&mut self, caller: u32, op: FileOp<'_>) -> Result<FileReply, Posix> {
        self.io.file(caller, op)
    }
    fn code_path(&mut self) -> Vec<alloc::string::String> {
        match self.code_path {
            Some(dirs) => dirs.clone(),
            None => self.io.code_path(),
        }
    }
    fn pa_dirs(&mut self) -> Vec<alloc::string::String> {
        self.io.pa_dirs()
    }
    fn getenv(&mut self, name: &str) -> Option<alloc::string::String> {
        match self.env.iter().find(|(n, _)| n == name) {
            Some((_, v)) => v.clone(),
            None => self.io.getenv(name),
        }
    }
    fn putenv(&mut self, name: &str, value: Option<&str>) {
        let value = value.map(String::from);
        match self.env.iter_mut().find(|(n, _)| n == name) {
            Some(e) => e.1 = value,
            None => self.env.push((String::from(name), value)),
        }
    }
    fn environment(&mut self) -> Vec<(String, String)> {
        let mut all = self.io.environment();
        for (name, value) in self.env.iter() {
            let at = all.iter().position(|(n, _)| n == name);
            match (at, value) {
                (Some(i), Some(v)) => all[i].1 = v.clone(),
                (Some(i), None) => {
                    all.remove(i);
                }
                (None, Some(v)) => all.push((name.clone(), v.clone())),
                (None, None) => {}
            }
        }
        all
    }
    fn strong_random(&mut self, buf: &mut [u8]) -> bool {
        self.io.strong_random(buf)
    }
    fn read_input(&mut self) -> crate::vm::bif::Input {
        self.io.read_input()
    }
    /// The node's own changes to the environment (`env` is the BIF's, none) go to the
    /// command, as erl's do.
    fn command_start(
        &mut self,
        caller: u32,
        command: &[u8],
        _env: &[(String, Option<String>)],
    ) -> Result<u32, Posix> {
        self.io.command_start(caller, command, self.env)
    }
    fn command_read(&mut self, id: u32) -> crate::vm::bif::Input {
        self.io.command_read(id)
    }
    fn command_close(&mut self, id: u32) {
        self.io.command_close(id);
    }
    fn math(&mut self, which: crate::vm::bifs::math::MathFn, x: f64, y: f64) -> Option<f64> {
        self.io.math(which, x, y)
    }
    fn os_pid(&mut self) -> u64 {
        self.io.os_pid()
    }
    fn os_version(&mut self) -> [u32; 3] {
        self.io.os_version()
    }
    fn hostname(&mut self) -> Option<alloc::string::String> {
        self.io.hostname()
    }
}

/// The node as a running process's BIFs see it.
struct NodeServices<'a, P: Platform> {
    st: &'a mut State<P>,
    platform: &'a P,
    /// The platform's console, clocks and files, with the node's environment and code path.
    io: NodeIo<'a, P>,
}

impl<P: Platform> Services for NodeServices<'_, P> {
    fn io(&mut self) -> &mut dyn Io {
        &mut self.io
    }
    fn spawn(
        &mut self,
        me: u32,
        view: &View,
        start: Start,
        opts: SpawnOptions,
    ) -> Result<u32, SpawnError> {
        let system = self
            .st
            .procs
            .get(&me)
            .is_some_and(|e| e.system && !e.spawns_program);
        // Start small: registers are allocated when it first runs; a min_heap_size the
        // allocator cannot give, or arguments the node's memory cannot hold, fail the spawn
        // before it takes a pid.
        let mut heap = Heap::new();
        heap.attach(&self.st.memory.for_kernel(system));
        let node_min = self.st.min_heaps;
        let min_heap = opts
            .min_heap
            .or((node_min.heap != ERL_MIN_HEAP_SIZE).then_some(node_min.heap));
        if let Some(words) = min_heap {
            heap.set_min_heap(words)
                .map_err(|_| SpawnError::SystemLimit)?;
        }
        let (x, pc) = match start {
            Start::Fun(f) => {
                let f = try_copy_term(view, &mut heap, f).map_err(|_| SpawnError::SystemLimit)?;
                (alloc::vec![f, Term::NIL], SPAWN_APPLY2_PC)
            }
            Start::Apply(m, f, args) => {
                let args =
                    try_copy_term(view, &mut heap, args).map_err(|_| SpawnError::SystemLimit)?;
                (alloc::vec![m, f, args], SPAWN_APPLY3_PC)
            }
        };
        let pid = self.st.new_pid(system).ok_or(SpawnError::SystemLimit)?;
        let mut p = Box::new(Process::new(Term::pid(pid)));
        p.heap = heap;
        p.set_max_heap(opts.max_heap.unwrap_or(self.st.max_heap));
        p.min_bin_vheap = node_min.bin_vheap;
        p.mailbox.set_off_heap(opts.off_heap_queue);
        p.stack = Vec::new();
        p.f = Vec::new();
        p.module = 0;
        p.x = x;
        p.pc = pc;
        let initial_call = match start {
            Start::Fun(_) => None,
            Start::Apply(m, f, args) => Some((m, f, view.list_len(args).unwrap_or(0) as u32)),
        };
        let group_leader = self.st.procs.get(&me).map_or(me, |e| e.group_leader);
        self.st.insert(p, opts.priority);
        self.st.set_system(pid, system);
        if let Some(e) = self.st.procs.get_mut(&pid) {
            e.group_leader = group_leader;
            e.initial_call = initial_call;
            e.parent = Some(me);
            if let Some(p) = e.process.as_mut() {
                p.trace = self.st.trace_new;
            }
        }
        if opts.link {
            self.st.link(me, pid);
        }
        if let Some(r) = opts.monitor {
            self.st.monitor(me, r, Some(pid), Watched::Pid(pid));
        }
        Ok(pid)
    }

    fn send(&mut self, _me: u32, to: u32, view: &View, msg: Term) -> Result<(), OutOfMemory> {
        self.st.send(to, view, msg)
    }

    fn trace_event(
        &mut self,
        tracee: Tracee,
        pid: u32,
        view: &View,
        tag: Term,
        data: &[Term],
    ) -> bool {
        if !crate::vm::trace::ENABLED || !self.st.procs.contains_key(&tracee.tracer) {
            return false;
        }
        let clock = &mut self.st.trace_clock;
        clock.monotonic_ns = self.platform.now_ns();
        clock.system_ns = self.platform.system_time_ns();
        let c = Carried::trace(view, &self.st.memory, clock, tracee, pid, tag, data);
        self.st.deliver_trace(tracee.tracer, c);
        true
    }

    fn collect(&mut self, pid: u32) -> bool {
        match self.st.procs.get_mut(&pid) {
            Some(e) => {
                if let Some(p) = e.process.as_mut() {
                    p.heap.collect_soon();
                    // A traced process that waits collects now, as erl's, scheduled for it,
                    // does (its `garbage_collection` events come with its `in` and `out`);
                    // waiting, it has no live X registers. One that fails collects again
                    // when it next runs, and meets the failure there.
                    if p.trace.is_some() && e.status == Status::Waiting {
                        let reports = p.heap_reports.len();
                        if p.collect(&mut [], 0).is_err() {
                            p.heap_reports.truncate(reports);
                            p.heap.collect_soon();
                        }
                    }
                }
                self.st.signalled(pid);
                true
            }
            None => false,
        }
    }

    fn signalled(&mut self, pid: u32) {
        self.st.signalled(pid);
    }

    fn emulator_error(&mut self, text: &str) {
        self.st.emulator_errors.push(text.into());
    }

    fn tracee(&self, pid: u32) -> Option<Option<Tracee>> {
        let e = self.st.procs.get(&pid)?;
        Some(e.process.as_ref().and_then(|p| p.trace))
    }

    fn set_tracee(&mut self, pid: u32, tracee: Option<Tracee>) -> bool {
        match self.st.procs.get_mut(&pid).and_then(|e| e.process.as_mut()) {
            Some(p) => {
                p.trace = tracee;
                true
            }
            None => false,
        }
    }

    fn trace_new(&mut self, new: Option<Option<Tracee>>) -> Option<Tracee> {
        if let Some(n) = new {
            self.st.trace_new = n;
        }
        self.st.trace_new
    }

    // Without tracing built in, the defaults (every event, the plain send) leave these out.
    #[cfg(any(feature = "trace", not(target_os = "none")))]
    fn event_pattern(
        &mut self,
        receive: bool,
        new: Option<crate::vm::trace::EventPattern>,
    ) -> crate::vm::trace::EventPattern {
        let slot = if receive {
            &mut self.st.receive_pattern
        } else {
            &mut self.st.send_pattern
        };
        if let Some(n) = new {
            *slot = n;
        }
        slot.clone()
    }

    #[cfg(any(feature = "trace", not(target_os = "none")))]
    fn send_matched(
        &mut self,
        _me: u32,
        to: u32,
        view: &View,
        msg: Term,
        verdict: crate::vm::trace::Verdict,
    ) -> Result<(), OutOfMemory> {
        self.st.send_matched(to, view, msg, verdict)
    }

    fn whereis(&self, name: Term) -> Option<u32> {
        self.st.whereis(name)
    }

    fn register(&mut self, name: Term, pid: u32) -> bool {
        self.st.register(name, pid)
    }

    fn unregister(&mut self, name: Term) -> bool {
        self.st.unregister(name)
    }

    fn change_code(&mut self, me: u32, change: CodeChange) -> bool {
        if self.st.code_change.is_some() {
            return false;
        }
        self.st.code_change = Some((me, change));
        true
    }

    fn runs_module(&self, pid: u32, module: u32) -> Option<bool> {
        let e = self.st.procs.get(&pid)?;
        Some(e.process.as_ref().is_some_and(|p| p.runs_module(module)))
    }

    fn code_reply(&mut self, me: u32) -> Option<CodeReply> {
        let i = self.st.code_reply.iter().position(|(p, _)| *p == me)?;
        Some(self.st.code_reply.swap_remove(i).1)
    }

    fn suspend(&mut self, pid: u32, by: i32) -> Option<u32> {
        self.st.suspend(pid, by)
    }

    fn registered(&self) -> Vec<Term> {
        self.st.registered()
    }

    fn is_alive(&self, pid: u32) -> bool {
        self.st.procs.contains_key(&pid)
    }

    fn process_info(&self, pid: u32) -> Option<ProcessInfo> {
        let e = self.st.procs.get(&pid)?;
        let (monitors, monitored_by) = self.st.monitor_lists(pid);
        Some(ProcessInfo {
            name: e.name,
            trap_exit: e.trap_exit,
            priority: e.priority,
            links: e.links.iter().collect(),
            waiting: e.status == Status::Waiting,
            suspended: e.suspended > 0,
            message_queue_len: e.process.as_ref().map(|p| p.mailbox.len()),
            max_heap: e.process.as_ref().map(|p| p.max_heap),
            group_leader: e.group_leader,
            initial_call: e.initial_call,
            monitors,
            monitored_by,
            reductions: e.reductions,
            at: e.process.as_ref().map(|p| (p.module, p.pc)),
            returns: e
                .process
                .as_ref()
                .map(|p| crate::vm::exception::return_addresses(p))
                .unwrap_or_default(),
            words: e
                .process
                .as_ref()
                .map(|p| (p.heap_size(), p.stack.len(), p.memory_use().held)),
            min_heap: e.process.as_ref().map(|p| p.heap.min_heap),
            min_bin_vheap: e.process.as_ref().map(|p| p.min_bin_vheap),
            parent: e.parent,
            catches: e.process.as_ref().map_or(0, |p| p.catch_level()),
            off_heap_queue: e.process.as_ref().is_some_and(|p| p.mailbox.off_heap()),
            sensitive: e.process.as_ref().is_some_and(|p| p.sensitive),
            error_handler: e.error_handler,
            save_calls: e.save_calls > 0,
        })
    }

    fn atomic_arrays(&mut self) -> Option<&mut crate::vm::bifs::atomics::AtomicArrays> {
        Some(&mut self.st.atomic_arrays)
    }

    fn binaries(&self, pid: u32) -> Option<Result<Vec<[u64; 3]>, OutOfMemory>> {
        let p = self.st.procs.get(&pid)?.process.as_ref()?;
        Some(p.heap.shared_binaries())
    }

    fn copy_out(
        &self,
        pid: u32,
        messages: bool,
        heap: &mut Heap,
    ) -> Result<Option<Term>, OutOfMemory> {
        self.st.copy_out(pid, messages, heap)
    }

    fn group_leader(&mut self, pid: u32, new: Option<u32>) -> Option<u32> {
        let e = self.st.procs.get_mut(&pid)?;
        if let Some(g) = new {
            e.group_leader = g;
        }
        Some(e.group_leader)
    }

    fn process_memory(&self) -> MemoryUse {
        let held = self.st.procs.values().filter_map(|e| e.process.as_ref());
        held.fold(MemoryUse::default(), |sum, p| sum + p.memory_use())
    }

    fn processes(&self) -> Vec<u32> {
        self.st.procs.keys().copied().collect()
    }

    fn counters(&self) -> NodeCounters {
        NodeCounters {
            reductions: self.st.reductions,
            slices: self.st.slices,
            runnable: self.st.queues.len(),
            gc: self.st.gc,
            output_bytes: self.st.output_bytes,
        }
    }

    fn count_output(&mut self, bytes: usize) {
        self.st.output_bytes += bytes as u64;
    }

    fn swap_reading(&mut self, which: Reading, value: u64) -> u64 {
        core::mem::replace(&mut self.st.readings[which as usize], value)
    }

    fn process_limit(&self) -> usize {
        self.st.process_limit()
    }

    fn system_max_heap(&mut self, new: Option<MaxHeap>) -> MaxHeap {
        match new {
            Some(m) => core::mem::replace(&mut self.st.max_heap, m),
            None => self.st.max_heap,
        }
    }

    fn system_min_heaps(&mut self, new: Option<MinHeaps>) -> MinHeaps {
        match new {
            Some(m) => core::mem::replace(&mut self.st.min_heaps, m),
            None => self.st.min_heaps,
        }
    }

    fn link(&mut self, me: u32, other: u32) -> bool {
        self.st.link(me, other)
    }

    fn unlink(&mut self, me: u32, other: u32) {
        self.st.unlink(me, other);
    }

    fn monitor(&mut self, me: u32, reference: u64, target: Option<u32>, name: Option<Term>) {
        let who = match (name, target) {
            (Some(n), _) => Watched::Name(n),
            (None, Some(t)) => Watched::Pid(t),
            (None, None) => Watched::Name(atom::UNDEFINED),
        };
        self.st.monitor(me, reference, target, who);
    }

    fn tag_monitor(&mut self, reference: u64, view: &View, tag: Term) -> Result<(), OutOfMemory> {
        let c = Rc::new(Carried::copy(view, tag, &self.st.memory)?);
        self.st.tag_monitor(reference, c);
        Ok(())
    }

    fn alias(&mut self, me: u32, reference: u64, mode: AliasMode) {
        self.st.alias(me, reference, mode);
    }

    fn unalias(&mut self, me: u32, reference: u64) -> bool {
        self.st.unalias(me, reference)
    }

    fn alias_target(&mut self, reference: u64) -> Option<u32> {
        self.st.alias_target(reference)
    }

    fn demonitor(&mut self, me: u32, reference: u64) -> bool {
        self.st.demonitor(me, reference)
    }

    fn exit_signal(
        &mut self,
        me: u32,
        to: u32,
        view: &View,
        reason: Term,
        kind: ExitKind,
    ) -> Result<(), OutOfMemory> {
        let c = Rc::new(Carried::copy(view, reason, &self.st.memory)?);
        self.st.exit_signal(self.platform, me, to, c, kind);
        Ok(())
    }

    fn trap_exit(&self, me: u32) -> bool {
        self.st.procs.get(&me).is_some_and(|e| e.trap_exit)
    }

    fn program_starts(&mut self, me: u32) -> bool {
        if !core::mem::take(&mut self.st.booting) {
            return false;
        }
        // Not the node's `main`: OTP's `init` itself ends the node when this process dies.
        self.st.set_system(me, false);
        true
    }

    fn set_housekeeping(&mut self, pid: u32) -> bool {
        self.st.set_housekeeping(pid)
    }

    fn set_spawns_program(&mut self, pid: u32) -> bool {
        match self.st.procs.get_mut(&pid) {
            Some(e) if e.system => {
                e.spawns_program = true;
                true
            }
            _ => false,
        }
    }

    fn signals_pending(&self, me: u32) -> bool {
        self.st.has_held(me)
    }

    fn set_trap_exit(&mut self, me: u32, on: bool) -> bool {
        match self.st.procs.get_mut(&me) {
            Some(e) => core::mem::replace(&mut e.trap_exit, on),
            None => false,
        }
    }

    fn set_error_handler(&mut self, pid: u32, handler: Option<Term>) -> Option<Term> {
        let e = self.st.procs.get_mut(&pid)?;
        core::mem::replace(&mut e.error_handler, handler)
    }

    fn error_handler(&self, pid: u32) -> Option<Term> {
        self.st.procs.get(&pid)?.error_handler
    }

    fn set_save_calls(&mut self, pid: u32, n: u16) -> Option<u16> {
        let e = self.st.procs.get_mut(&pid)?;
        Some(core::mem::replace(&mut e.save_calls, n))
    }

    fn set_priority(&mut self, me: u32, priority: Priority) -> Priority {
        match self.st.procs.get_mut(&me) {
            Some(e) => core::mem::replace(&mut e.priority, priority),
            None => Priority::Normal,
        }
    }

    fn start_timer(
        &mut self,
        reference: u64,
        dest: TimerDest,
        ms: u64,
        view: &View,
        msg: Term,
        wrap: bool,
    ) -> Result<(), OutOfMemory> {
        let now = self.platform.now_ns();
        let msg = Rc::new(Carried::copy(view, msg, &self.st.memory)?);
        self.st.start_timer(
            now,
            ms,
            TimerEvent::Send {
                reference,
                dest,
                msg,
                wrap,
            },
        );
        Ok(())
    }

    fn cancel_timer(&mut self, reference: u64) -> Option<u64> {
        let now = self.platform.now_ns();
        self.st.cancel_timer(now, reference)
    }

    fn read_timer(&self, reference: u64) -> Option<u64> {
        self.st.read_timer(self.platform.now_ns(), reference)
    }

    fn io_object(&mut self, me: u32, request: IoRequest<'_>) -> Option<IoReply> {
        Some(super::io::request(self.st, self.platform, me, request))
    }
}
