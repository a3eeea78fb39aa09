//! Loaded code: translated modules and the export table that calls go through.
//!
//! Every remote call site holds an export index fixed at load time; the entry's target is
//! filled in when the module defining it loads (or is a BIF from the start), so a call never
//! looks anything up by name. Module 0 is a built-in `init` stub whose two functions sit at the
//! bottom of every process's stack, as `init:start_em/1` and `init:do_boot/3` do under erl.

use crate::wordmap::{WordMap, WordSet};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use core::mem::size_of;

use super::bif::BifFn;
pub use super::calltime::TimePoint;
use super::memory::NodeMemory;
use super::ops::Op;
use super::term::Term;

/// What an export entry leads to.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// Not loaded (yet): calling it loads the module or raises `undef`.
    Undefined,
    /// Erlang code.
    Code {
        /// Module index.
        module: u32,
        /// Entry instruction.
        pc: u32,
    },
    /// A native function.
    Bif(BifFn),
    /// `erlang:apply/2,3`, handled by the interpreter.
    Apply,
}

/// One `M:F/A` and where calls to it go.
#[derive(Clone, Debug)]
pub struct ExportEntry {
    /// Module atom.
    pub module: Term,
    /// Function atom.
    pub function: Term,
    /// Arity.
    pub arity: u32,
    /// Where calls go.
    pub target: Target,
}

/// A function's extent, for stack traces and `function_clause`.
#[derive(Clone, Copy, Debug)]
pub struct FunctionInfo {
    /// Index of its func_info instruction.
    pub start: u32,
    /// Name atom.
    pub name: Term,
    /// Arity.
    pub arity: u32,
}

/// A fun defined by a module.
#[derive(Clone, Copy, Debug)]
pub struct LambdaInfo {
    /// Entry instruction.
    pub entry: u32,
    /// Arity of the fun itself (without free variables).
    pub arity: u32,
    /// Number of free variables.
    pub num_free: u32,
    /// Index in the module's fun table.
    pub index: u32,
    /// Old uniq (shown by `erlang:display/1`).
    pub old_uniq: u32,
}

/// A translated module.
#[derive(Debug)]
pub struct LoadedModule {
    /// Module atom.
    pub name: Term,
    /// Instructions.
    pub code: Vec<Op>,
    /// `lines[pc]`: index into `line_table` of the location in effect at `pc` (0: none).
    pub lines: Vec<u32>,
    /// (file, line) locations.
    pub line_table: Vec<(String, u32)>,
    /// Functions sorted by start.
    pub functions: Vec<FunctionInfo>,
    /// Funs.
    pub lambdas: Vec<LambdaInfo>,
    /// The string table (bs_match_string, string segments).
    pub strings: Vec<u8>,
    /// Exported (function, arity) pairs.
    pub exports: Vec<(Term, u32)>,
    /// The module's attributes (for module_info).
    pub attributes: Term,
    /// Entry of the `-on_load` function, if the module has one.
    pub on_load: Option<u32>,
    /// The MD5 of its `.beam` file's significant chunks (zeros for the node's own modules).
    pub md5: [u8; 16],
}

impl LoadedModule {
    /// The function containing instruction `pc`.
    pub fn function_at(&self, pc: u32) -> Option<&FunctionInfo> {
        let i = self.functions.partition_point(|f| f.start <= pc);
        if i == 0 {
            None
        } else {
            self.functions.get(i - 1)
        }
    }

    /// Bytes its vectors hold: what loading it keeps, charged to the node's memory while it
    /// is loaded ([`Code::memory`]). Literals live in the shared area, charged apart.
    pub fn held_bytes(&self) -> usize {
        self.code.capacity() * size_of::<Op>()
            + self.lines.capacity() * size_of::<u32>()
            + self.line_table.capacity() * size_of::<(String, u32)>()
            + self
                .line_table
                .iter()
                .map(|(f, _)| f.capacity())
                .sum::<usize>()
            + self.functions.capacity() * size_of::<FunctionInfo>()
            + self.lambdas.capacity() * size_of::<LambdaInfo>()
            + self.strings.capacity()
            + self.exports.capacity() * size_of::<(Term, u32)>()
            + size_of::<Self>()
    }

    /// Whether its code was freed by [`Code::free`]: it was purged and nothing runs it.
    pub fn is_freed(&self) -> bool {
        self.code.is_empty()
    }

    /// The (file, line) in effect at `pc`.
    pub fn location(&self, pc: u32) -> Option<&(String, u32)> {
        let l = *self.lines.get(pc as usize)?;
        if l == 0 {
            None
        } else {
            self.line_table.get(l as usize)
        }
    }
}

/// Modules and exports of a node.
#[derive(Debug, Default)]
pub struct Code {
    /// Loaded modules by index.
    pub modules: Vec<LoadedModule>,
    /// Module atom index to module index.
    pub by_name: WordMap<u32, u32>,
    /// The export table.
    pub exports: Vec<ExportEntry>,
    /// (module atom, function atom, arity) to export index.
    export_index: ExportIndex,
    /// Module atoms that could not be loaded (calls to them raise `undef`).
    pub missing: WordSet<u32>,
    /// Under OTP's boot, the export entry of `error_handler:undefined_function/3`: once
    /// that function is loaded, a call of a module not loaded goes to it (and through it to
    /// OTP's code server), as in erl. `None`: the node loads such modules itself.
    pub error_handler: Option<u32>,
    /// The account loaded code is charged to: [`install`](super::translate::install)
    /// charges a module's [`LoadedModule::held_bytes`] and [`Code::free`] gives its freed
    /// part back (unattached by default: nothing charged).
    pub memory: NodeMemory,
    /// The node's `backtrace_depth`: how many frames stack traces keep.
    pub trace_depth: super::exception::TraceDepth,
    /// Module atom index to the module index of its old code: the version a newer load or
    /// `delete_module/1` replaced, still run by processes that were in it, until purged.
    pub old: WordMap<u32, u32>,
    /// Modules prepared by `erlang:prepare_loading/2`, by the number of the reference that
    /// names them, oldest first, waiting for `erlang:finish_loading/1` (at most
    /// [`MAX_PREPARED`]).
    pub prepared: alloc::collections::VecDeque<(u64, Prepared)>,
    /// Functions with a call-trace pattern (`erlang:trace_pattern/3`), by the number
    /// [`Op::TraceLocal`] and [`Op::TraceGlobal`] name; `None` for a free number.
    pub trace: Vec<Option<TracePoint>>,
    /// Where in module 0 the [`Op::TraceGlobal`] of each trace point number is, once made.
    trampolines: Vec<u32>,
    /// Functions with a meta call-trace pattern (`trace_pattern/3`'s `meta`), by the number
    /// [`Op::TraceLocal`] names with [`META_POINT`]; `None` for a free number (none at the
    /// end: an empty list means no meta tracing anywhere).
    pub metas: Vec<Option<MetaPoint>>,
    /// Functions whose calls are counted (`trace_pattern/3`'s `call_count`), by the number
    /// [`Op::CountCall`] names; `None` for a free number.
    pub counts: Vec<Option<CountPoint>>,
    /// Whether modules loaded from now on get their calls counted (`trace_pattern(on_load,
    /// true, [call_count])`).
    pub count_on_load: bool,
    /// The local call-trace pattern modules loaded from now on get (`trace_pattern(on_load,
    /// Spec, [local])`).
    pub trace_on_load: Option<alloc::rc::Rc<super::trace::CallSpec>>,
    /// Functions whose calls are timed (`trace_pattern/3`'s `call_time`), by the number
    /// [`Op::CountCall`] names with [`TIME_POINT`]; `None` for a free number.
    pub times: Vec<Option<TimePoint>>,
    /// Whether modules loaded from now on get their calls timed (`trace_pattern(on_load,
    /// true, [call_time])`).
    pub time_on_load: bool,
}

/// A function whose calls are counted.
#[derive(Debug)]
pub struct CountPoint {
    /// Its module's index.
    pub module: u32,
    /// Its entry instruction.
    pub entry: u32,
    /// Calls counted (changed while code is shared: a `Cell`).
    pub calls: core::cell::Cell<u64>,
    /// Whether calls are being counted (`pause` stops it, keeping the count).
    pub running: core::cell::Cell<bool>,
    /// The entry instruction [`Op::CountCall`] replaced.
    pub saved: Op,
}

/// What [`Code::change_point`] needs of a point at a function's entry: a [`CountPoint`] or a
/// [`TimePoint`](super::calltime::TimePoint).
pub trait EntryPoint {
    /// Whether its [`Op::CountCall`] carries [`TIME_POINT`].
    const TIMED: bool;
    /// A running point at the entry of `entry` in module index `module`, `saved` the
    /// instruction its [`Op::CountCall`] replaces.
    fn new(module: u32, entry: u32, saved: Op) -> Self;
    /// (module index, entry instruction).
    fn place(&self) -> (u32, u32);
    /// Whether it is counting.
    fn running(&self) -> &core::cell::Cell<bool>;
    /// Forgets its figures.
    fn clear(&self);
}

impl EntryPoint for CountPoint {
    const TIMED: bool = false;
    fn new(module: u32, entry: u32, saved: Op) -> Self {
        Self {
            module,
            entry,
            calls: core::cell::Cell::new(0),
            running: core::cell::Cell::new(true),
            saved,
        }
    }
    fn place(&self) -> (u32, u32) {
        (self.module, self.entry)
    }
    fn running(&self) -> &core::cell::Cell<bool> {
        &self.running
    }
    fn clear(&self) {
        self.calls.set(0);
    }
}

/// A function with a meta call-trace pattern: every process's calls of it that its
/// specification matches are told to `tracer`, timestamped, whatever the process's flags.
#[derive(Debug)]
pub struct MetaPoint {
    /// Its module's index.
    pub module: u32,
    /// Its entry instruction.
    pub entry: u32,
    /// `{M, F, A}`.
    pub mfa: (Term, Term, u32),
    /// What its calls do (shared by the functions one pattern set).
    pub spec: alloc::rc::Rc<super::trace::CallSpec>,
    /// The meta tracer's pid number.
    pub tracer: u32,
    /// The instruction [`Op::TraceLocal`] replaced.
    pub saved: Op,
}

/// The first free number in a table of points, made at its end when none is.
fn free_slot<T>(points: &mut Vec<Option<T>>) -> usize {
    match points.iter().position(Option::is_none) {
        Some(n) => n,
        None => {
            points.push(None);
            points.len() - 1
        }
    }
}

/// A place in the chain of instructions at a function's entry (see [`Code::slot`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// The entry itself.
    Entry,
    /// What count point N replaced.
    Count(usize),
    /// What time point N replaced.
    Time(usize),
    /// What local trace point N replaced.
    Trace(usize),
    /// What meta point N replaced.
    Meta(usize),
}

/// What `trace_pattern/3` with `call_count` (or `call_time`) does to a function's count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountChange {
    /// `true`: counting from zero.
    Start,
    /// `false`: no more counting.
    Stop,
    /// `pause`: counting stops, the count stays.
    Pause,
    /// `restart`: the count back to zero, counting (only where counting is set).
    Restart,
}

/// A function with a call-trace pattern.
#[derive(Debug)]
pub struct TracePoint {
    /// Its module's index.
    pub module: u32,
    /// Its entry instruction.
    pub entry: u32,
    /// `{M, F, A}`.
    pub mfa: (Term, Term, u32),
    /// What its calls do when traced (shared by the functions one pattern set).
    pub spec: alloc::rc::Rc<super::trace::CallSpec>,
    /// How it is reached: a local pattern replaces the entry instruction (kept here), a
    /// global one the target of the export entry (its index).
    pub how: TraceHow,
}

/// See [`TracePoint::how`].
#[derive(Debug)]
pub enum TraceHow {
    /// Every call: the entry instruction [`Op::TraceLocal`] replaced.
    Local(Op),
    /// Calls through export entry N.
    Global(u32),
}

/// How many prepared modules a node keeps: preparing one more forgets the oldest (erl frees
/// prepared code nobody refers to any more; here it cannot be known, and code that prepares
/// modules and then gives up, as `code:atomic_load/1` does when one of several fails, would
/// otherwise fill the node). A forgotten one is `badarg` to `finish_loading/1`.
pub const MAX_PREPARED: usize = 256;

/// A module `erlang:prepare_loading/2` read and checked: `finish_loading/1` makes it current.
#[derive(Debug)]
pub struct Prepared {
    /// The module's name (an atom).
    pub module: Term,
    /// The parsed file; `None` once loaded (the reference still names it: it no longer has
    /// an `-on_load` function to run, and cannot be loaded again).
    pub parsed: Option<alloc::boxed::Box<crate::loader::Module>>,
    /// Whether it has an `-on_load` function.
    pub on_load: bool,
}

/// Where a process spawned as `apply(M, F, Args)` starts (module 0): x0..x2 hold M, F, Args.
pub const SPAWN_APPLY3_PC: u32 = 5;
/// Where a process spawned as `apply(Fun, [])` starts (module 0): x0, x1 hold Fun, [].
pub const SPAWN_APPLY2_PC: u32 = 7;
/// The trap stub (module 0, `erlang:trap/4`): a tail call of the BIF continuation
/// [`super::bifs::trap::resume`] on x0..x3 (see [`super::bif::Fault::TrapTo`]).
pub const TRAP_PC: u32 = 9;

/// Where a process resumes after `erlang:hibernate/3` (module 0): Y0..Y2 hold M, F, Args.
pub const HIBERNATE_PC: u32 = 11;

/// Where a function traced with `return_trace` returns to (module 0): [`Op::ReturnTrace`].
pub const RETURN_TRACE_PC: u32 = 19;

/// Where a timed function returns to (module 0): an [`Op::ReturnTrace`] that the position
/// makes the return of a timed function.
pub const RETURN_TIME_PC: u32 = 21;

/// The bit of an [`Op::CountCall`]'s number that makes it a time point.
pub const TIME_POINT: u32 = 1 << 31;

/// The bit of an [`Op::TraceLocal`]'s number that makes it a meta point ([`Code::metas`]).
pub const META_POINT: u32 = 1 << 31;

/// Global fun id: module index and lambda index.
#[inline]
pub fn fun_id(module: u32, lambda: u32) -> u64 {
    ((module as u64) << 24) | lambda as u64
}

/// Splits a global fun id.
#[inline]
pub fn split_fun_id(id: u64) -> (u32, u32) {
    ((id >> 24) as u32, (id & 0xff_ffff) as u32)
}

impl Code {
    /// Code with the `init` stub as module 0.
    pub fn new(init: Term, start_em: Term, do_boot: Term) -> Self {
        let mut c = Code::default();
        c.modules.push(LoadedModule {
            name: init,
            code: vec![
                Op::FuncInfo {
                    module: init,
                    function: start_em,
                    arity: 1,
                },
                Op::Exit,
                Op::FuncInfo {
                    module: init,
                    function: do_boot,
                    arity: 3,
                },
                Op::Exit,
                // Where spawned processes start: a tail call of apply/3 or apply/2 on the
                // registers the spawn set up, so the process's function returns to nothing.
                Op::FuncInfo {
                    module: super::atom::ERLANG,
                    function: super::atom::APPLY,
                    arity: 3,
                },
                Op::ApplyBif {
                    arity: 3,
                    export: 0,
                    tail: true,
                    dealloc: 0,
                },
                Op::FuncInfo {
                    module: super::atom::ERLANG,
                    function: super::atom::APPLY,
                    arity: 2,
                },
                Op::ApplyBif {
                    arity: 2,
                    export: 0,
                    tail: true,
                    dealloc: 0,
                },
                Op::FuncInfo {
                    module: super::atom::ERLANG,
                    function: super::atom::TRAP,
                    arity: 4,
                },
                Op::CallBif {
                    bif: super::bifs::trap::resume,
                    arity: 4,
                    export: 0,
                    tail: true,
                    dealloc: 0,
                },
                // Where `erlang:hibernate/3` goes on with an empty stack but for Y0..Y2 =
                // M, F, Args: wait for a message (leaving it in the mailbox), then a tail
                // call of apply/3, so the function returns to nothing.
                Op::FuncInfo {
                    module: super::atom::ERLANG,
                    function: super::atom::APPLY,
                    arity: 3,
                },
                Op::LoopRec(HIBERNATE_PC + 6),
                Op::Timeout,
                Op::MoveYX(0, 0),
                Op::MoveYX(1, 1),
                Op::MoveYX(2, 2),
                Op::ApplyBif {
                    arity: 3,
                    export: 0,
                    tail: true,
                    dealloc: 3,
                },
                Op::Wait(HIBERNATE_PC),
                Op::FuncInfo {
                    module: super::atom::ERLANG,
                    function: super::atom::RETURN_FROM,
                    arity: 0,
                },
                Op::ReturnTrace,
                Op::FuncInfo {
                    module: super::atom::ERLANG,
                    function: super::atom::RETURN_FROM,
                    arity: 0,
                },
                Op::ReturnTrace,
                // Trampolines of global trace patterns go here (see `Code::set_trace`).
                Op::CodeEnd,
            ],
            lines: vec![0; 23],
            line_table: Vec::new(),
            functions: vec![
                FunctionInfo {
                    start: 0,
                    name: start_em,
                    arity: 1,
                },
                FunctionInfo {
                    start: 2,
                    name: do_boot,
                    arity: 3,
                },
                FunctionInfo {
                    start: 4,
                    name: super::atom::APPLY,
                    arity: 3,
                },
                FunctionInfo {
                    start: 6,
                    name: super::atom::APPLY,
                    arity: 2,
                },
                FunctionInfo {
                    start: 8,
                    name: super::atom::TRAP,
                    arity: 4,
                },
                FunctionInfo {
                    start: HIBERNATE_PC - 1,
                    name: super::atom::APPLY,
                    arity: 3,
                },
                FunctionInfo {
                    start: RETURN_TRACE_PC - 1,
                    name: super::atom::RETURN_FROM,
                    arity: 0,
                },
                FunctionInfo {
                    start: RETURN_TIME_PC - 1,
                    name: super::atom::RETURN_FROM,
                    arity: 0,
                },
            ],
            lambdas: Vec::new(),
            strings: Vec::new(),
            exports: Vec::new(),
            attributes: Term::NIL,
            on_load: None,
            md5: [0; 16],
        });
        c
    }

    /// The export index for `M:F/A`, creating an undefined entry if needed.
    pub fn export(&mut self, module: Term, function: Term, arity: u32) -> u32 {
        if let Some(i) = self.find_export(module, function, arity) {
            return i;
        }
        let i = self.exports.len() as u32;
        self.exports.push(ExportEntry {
            module,
            function,
            arity,
            target: Target::Undefined,
        });
        self.export_index.insert(&self.exports, i);
        i
    }

    /// Forgets module index `module`'s code: its exports become undefined again (an
    /// `-on_load` function refused the module, so calls to it raise `undef`, as in erl).
    pub fn unload(&mut self, name: Term, module: u32) {
        self.retire_current(name, module);
    }

    /// The prepared module named by reference number `key`.
    pub fn prepared(&self, key: u64) -> Option<&Prepared> {
        self.prepared
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, p)| p)
    }

    /// As [`Code::prepared`], to change.
    pub fn prepared_mut(&mut self, key: u64) -> Option<&mut Prepared> {
        self.prepared
            .iter_mut()
            .find(|(k, _)| *k == key)
            .map(|(_, p)| p)
    }

    /// Frees purged module index `module`'s instructions, line information and strings,
    /// once no process runs it or will return or throw into it. What describes it stays
    /// (its name, funs, exports and attributes: funs made by it still print, compare and
    /// encode); calling one of its funs is `badfun`, as in erl. Code without its closing
    /// [`Op::CodeEnd`] is refused by [`Ops::of`](super::fetch::Ops::of), so a position in
    /// it can never be fetched. What it frees is given back to [`Code::memory`].
    pub fn free(&mut self, module: u32) {
        self.clear_traces_of(module);
        if let Some(m) = self.modules.get_mut(module as usize) {
            let held = m.held_bytes();
            m.code = Vec::new();
            m.lines = Vec::new();
            m.line_table = Vec::new();
            m.functions = Vec::new();
            m.strings = Vec::new();
            self.memory.release(held - m.held_bytes());
        }
    }

    /// Makes module `name`'s current code (index `module`) old: its exports lead nowhere and
    /// the name is no longer loaded, while processes in it go on running it. Answers the
    /// export entries that led into it with their targets, for [`Code::restore_current`].
    pub fn retire_current(&mut self, name: Term, module: u32) -> Vec<(u32, Target)> {
        self.clear_traces_of(module);
        self.by_name.remove(name.atom_index());
        let mut led = Vec::new();
        for (i, e) in self.exports.iter_mut().enumerate() {
            if matches!(e.target, Target::Code { module: m, .. } if m == module) {
                led.push((i as u32, e.target));
                e.target = Target::Undefined;
            }
        }
        led
    }

    /// Undoes [`Code::retire_current`] (a load that failed): `module` is `name`'s current
    /// code again, reached through the export entries it led from.
    pub fn restore_current(&mut self, name: Term, module: u32, led: &[(u32, Target)]) {
        self.by_name.insert(name.atom_index(), module);
        for &(i, target) in led {
            self.exports[i as usize].target = target;
        }
    }

    /// Drops the node's own versions (BIFs) of `module`'s functions, so that calls find the
    /// module's code once it is loaded (OTP's `init` in place of the node's).
    pub fn set_aside_bifs(&mut self, module: Term) {
        for e in self.exports.iter_mut() {
            if e.module == module && matches!(e.target, Target::Bif(_)) {
                e.target = Target::Undefined;
            }
        }
    }

    /// The export entry for `M:F/A` if any.
    pub fn find_export(&self, module: Term, function: Term, arity: u32) -> Option<u32> {
        self.export_index
            .find(&self.exports, module, function, arity)
    }

    /// Gives function `mfa` of module index `module` (entry `entry`) a call-trace pattern:
    /// `Some(export)` a global one on that export entry, `None` a local one. A pattern it
    /// had goes. Run between slices only: it changes code and export targets.
    pub fn set_trace(
        &mut self,
        module: u32,
        entry: u32,
        mfa: (Term, Term, u32),
        export: Option<u32>,
        spec: alloc::rc::Rc<super::trace::CallSpec>,
    ) {
        self.clear_trace(module, entry);
        let n = free_slot(&mut self.trace) as u32;
        let how = match export {
            Some(e) => {
                let pc = self.trampoline(n);
                self.exports[e as usize].target = Target::Code { module: 0, pc };
                TraceHow::Global(e)
            }
            None => TraceHow::Local(core::mem::replace(
                self.entry_slot(module, entry),
                Op::TraceLocal(n),
            )),
        };
        self.trace[n as usize] = Some(TracePoint {
            module,
            entry,
            mfa,
            spec,
            how,
        });
    }

    /// Takes away the call-trace pattern of the function at `entry` of module index
    /// `module`, if it has one; true if it had.
    pub fn clear_trace(&mut self, module: u32, entry: u32) -> bool {
        let Some(n) = self.trace.iter().position(|t| {
            t.as_ref()
                .is_some_and(|t| t.module == module && t.entry == entry)
        }) else {
            return false;
        };
        let Some(t) = self.trace[n].take() else {
            return false;
        };
        match t.how {
            TraceHow::Global(e) => {
                self.exports[e as usize].target = Target::Code { module, pc: entry };
            }
            TraceHow::Local(op) => *self.entry_slot(module, entry) = op,
        }
        true
    }

    /// Gives function `mfa` of module index `module` (entry `entry`) a meta call-trace
    /// pattern to `tracer`, innermost in the chain at its entry; a meta pattern it had goes.
    /// Run between slices only.
    pub fn set_meta(
        &mut self,
        module: u32,
        entry: u32,
        mfa: (Term, Term, u32),
        spec: alloc::rc::Rc<super::trace::CallSpec>,
        tracer: u32,
    ) {
        self.clear_meta(module, entry);
        let n = free_slot(&mut self.metas);
        let at = self.slot_where(module, entry, |op| {
            !matches!(op, Op::CountCall(_) | Op::TraceLocal(_))
        });
        let slot = self.slot(module, entry, at.unwrap_or(Slot::Entry));
        let saved = core::mem::replace(slot, Op::TraceLocal(n as u32 | META_POINT));
        self.metas[n] = Some(MetaPoint {
            module,
            entry,
            mfa,
            spec,
            tracer,
            saved,
        });
    }

    /// Takes away the meta call-trace pattern of the function at `entry` of module index
    /// `module`, if it has one.
    pub fn clear_meta(&mut self, module: u32, entry: u32) {
        let Some(n) = self.metas.iter().position(|t| {
            t.as_ref()
                .is_some_and(|t| t.module == module && t.entry == entry)
        }) else {
            return;
        };
        let me = n as u32 | META_POINT;
        let at = self.slot_where(
            module,
            entry,
            |op| matches!(op, Op::TraceLocal(t) if *t == me),
        );
        if let Some(saved) = self.metas[n].take().map(|p| p.saved) {
            *self.slot(module, entry, at.unwrap_or(Slot::Entry)) = saved;
        }
        while self.metas.last().is_some_and(Option::is_none) {
            self.metas.pop();
        }
    }

    /// The meta point of the function at `entry` of module index `module`, if it has one.
    pub fn meta_of(&self, module: u32, entry: u32) -> Option<&MetaPoint> {
        self.metas
            .iter()
            .flatten()
            .find(|c| c.module == module && c.entry == entry)
    }

    /// Where the instruction a local trace pattern replaces is kept: the function's entry,
    /// or under its call counting and timing (which stay outermost).
    fn entry_slot(&mut self, module: u32, entry: u32) -> &mut Op {
        let at = self.slot_where(module, entry, |op| !matches!(op, Op::CountCall(_)));
        self.slot(module, entry, at.unwrap_or(Slot::Entry))
    }

    /// The place in the chain at a function's entry (the entry, then what each count or
    /// time point there replaced) that holds the first instruction `stop` picks.
    fn slot_where(&self, module: u32, entry: u32, stop: impl Fn(&Op) -> bool) -> Option<Slot> {
        let mut at = Slot::Entry;
        // Each point is in the chain once, so the walk ends.
        for _ in 0..=self.counts.len() + self.times.len() + self.trace.len() + self.metas.len() {
            let op = match at {
                Slot::Entry => self.modules[module as usize].code.get(entry as usize)?,
                Slot::Count(n) => &self.counts.get(n)?.as_ref()?.saved,
                Slot::Time(n) => &self.times.get(n)?.as_ref()?.saved,
                Slot::Trace(n) => match &self.trace.get(n)?.as_ref()?.how {
                    TraceHow::Local(op) => op,
                    TraceHow::Global(_) => return None,
                },
                Slot::Meta(n) => &self.metas.get(n)?.as_ref()?.saved,
            };
            if stop(op) {
                return Some(at);
            }
            at = match *op {
                Op::CountCall(c) if c & TIME_POINT != 0 => Slot::Time((c & !TIME_POINT) as usize),
                Op::CountCall(c) => Slot::Count(c as usize),
                Op::TraceLocal(_) if !super::trace::ENABLED => return None,
                Op::TraceLocal(t) if t & META_POINT != 0 => Slot::Meta((t & !META_POINT) as usize),
                Op::TraceLocal(t) => Slot::Trace(t as usize),
                _ => return None,
            };
        }
        None
    }

    /// The instruction at `at` of the chain at a function's entry (the entry itself when
    /// `at` names no point).
    fn slot(&mut self, module: u32, entry: u32, at: Slot) -> &mut Op {
        let Code {
            modules,
            counts,
            times,
            trace,
            metas,
            ..
        } = self;
        let saved = match at {
            Slot::Entry => None,
            Slot::Trace(_) | Slot::Meta(_) if !super::trace::ENABLED => None,
            Slot::Trace(n) => trace
                .get_mut(n)
                .and_then(Option::as_mut)
                .and_then(|p| match &mut p.how {
                    TraceHow::Local(op) => Some(op),
                    TraceHow::Global(_) => None,
                }),
            Slot::Meta(n) => metas
                .get_mut(n)
                .and_then(Option::as_mut)
                .map(|p| &mut p.saved),
            Slot::Count(n) => counts
                .get_mut(n)
                .and_then(Option::as_mut)
                .map(|p| &mut p.saved),
            Slot::Time(n) => times
                .get_mut(n)
                .and_then(Option::as_mut)
                .map(|p| &mut p.saved),
        };
        match saved {
            Some(op) => op,
            None => &mut modules[module as usize].code[entry as usize],
        }
    }

    /// Takes the count (`time` false) or time point `n` of the function at `entry` out of
    /// the chain at its entry: what it replaced takes its place.
    fn unchain(&mut self, module: u32, entry: u32, n: usize, time: bool) {
        let is_it = |op: &Op| match *op {
            Op::CountCall(c) => (c & TIME_POINT != 0) == time && (c & !TIME_POINT) as usize == n,
            _ => false,
        };
        let Some(at) = self.slot_where(module, entry, is_it) else {
            return;
        };
        let saved = if time {
            self.times[n].take().map(|p| p.saved)
        } else {
            self.counts[n].take().map(|p| p.saved)
        };
        if let Some(saved) = saved {
            *self.slot(module, entry, at) = saved;
        }
    }

    /// Changes the call counting of the function at `entry` of module index `module`.
    pub fn change_count(&mut self, module: u32, entry: u32, change: CountChange) {
        self.change_point(|c| &mut c.counts, module, entry, change);
    }

    /// Changes the call timing of the function at `entry` of module index `module`.
    pub fn change_time(&mut self, module: u32, entry: u32, change: CountChange) {
        self.change_point(|c| &mut c.times, module, entry, change);
    }

    /// Changes the point of kind `T` (counting or timing; `points` picks its table) at the
    /// entry of a function: started afresh, restarted with its figures cleared, paused
    /// with them kept, or taken out of the function's entry chain.
    fn change_point<T: EntryPoint>(
        &mut self,
        points: fn(&mut Self) -> &mut Vec<Option<T>>,
        module: u32,
        entry: u32,
        change: CountChange,
    ) {
        let at = points(self)
            .iter()
            .position(|c| c.as_ref().is_some_and(|c| c.place() == (module, entry)));
        match (change, at) {
            (CountChange::Start | CountChange::Restart, Some(i)) => {
                if let Some(c) = &points(self)[i] {
                    c.clear();
                    c.running().set(true);
                }
            }
            (CountChange::Pause, Some(i)) => {
                if let Some(c) = &points(self)[i] {
                    c.running().set(false);
                }
            }
            (CountChange::Stop, Some(i)) => self.unchain(module, entry, i, T::TIMED),
            (CountChange::Start, None) => {
                let n = free_slot(points(self));
                let mark = if T::TIMED { TIME_POINT } else { 0 };
                let code = &mut self.modules[module as usize].code;
                let saved =
                    core::mem::replace(&mut code[entry as usize], Op::CountCall(n as u32 | mark));
                points(self)[n] = Some(T::new(module, entry, saved));
            }
            _ => {}
        }
    }

    /// The time point of the function at `entry` of module index `module`, if timed.
    pub fn time_of(&self, module: u32, entry: u32) -> Option<&TimePoint> {
        self.times
            .iter()
            .flatten()
            .find(|c| c.module == module && c.entry == entry)
    }

    /// The calls counted for the function at `entry` of module index `module`, if counted.
    pub fn count_of(&self, module: u32, entry: u32) -> Option<u64> {
        self.counts
            .iter()
            .flatten()
            .find(|c| c.module == module && c.entry == entry)
            .map(|c| c.calls.get())
    }

    /// Takes away every call-trace pattern in module index `module` (its code is replaced,
    /// deleted or freed: erl's patterns do not carry over to new code).
    pub fn clear_traces_of(&mut self, module: u32) {
        if !super::trace::ENABLED {
            // Only the tracing BIFs set patterns.
            return;
        }
        let counted: Vec<u32> = self
            .counts
            .iter()
            .flatten()
            .filter(|c| c.module == module)
            .map(|c| c.entry)
            .collect();
        let timed: Vec<u32> = self
            .times
            .iter()
            .flatten()
            .filter(|c| c.module == module)
            .map(|c| c.entry)
            .collect();
        let entries: Vec<u32> = self
            .trace
            .iter()
            .flatten()
            .filter(|t| t.module == module)
            .map(|t| t.entry)
            .collect();
        for entry in entries {
            self.clear_trace(module, entry);
        }
        let metas: Vec<u32> = self
            .metas
            .iter()
            .flatten()
            .filter(|t| t.module == module)
            .map(|t| t.entry)
            .collect();
        for entry in metas {
            self.clear_meta(module, entry);
        }
        for entry in counted {
            self.change_count(module, entry, CountChange::Stop);
        }
        for entry in timed {
            self.change_time(module, entry, CountChange::Stop);
        }
    }

    /// The position in module 0 of trace point `n`'s [`Op::TraceGlobal`], made before the
    /// closing [`Op::CodeEnd`] the first time (nothing is ever saved at or after that
    /// position of module 0, so the code can grow there between slices).
    fn trampoline(&mut self, n: u32) -> u32 {
        while self.trampolines.len() <= n as usize {
            let k = self.trampolines.len() as u32;
            let m0 = &mut self.modules[0];
            let pc = m0.code.len() as u32 - 1;
            m0.code.insert(pc as usize, Op::TraceGlobal(k));
            m0.lines.push(0);
            self.trampolines.push(pc);
        }
        self.trampolines[n as usize]
    }

    /// The module index of a module atom, if loaded.
    pub fn module_index(&self, name: Term) -> Option<u32> {
        self.by_name.get(name.atom_index())
    }
}

/// The export table's index by `M:F/A`: a hash table of export indices with linear probing,
/// its keys read from the entries themselves, at most half full.
///
/// Export funs and `apply/3` find their target by name on every call (an entry's target
/// changes when its module loads or unloads, so the name is what stays valid); a probe here
/// costs a few instructions where the ordered map it replaces walked several tree nodes.
#[derive(Debug, Default)]
struct ExportIndex {
    /// Export indices; [`ExportIndex::EMPTY`] marks a free slot. The length is zero or a
    /// power of two.
    slots: Vec<u32>,
}

impl ExportIndex {
    const EMPTY: u32 = u32::MAX;

    /// The slot where the probe for `M:F/A` starts, in a table of `len` (a power of two).
    #[inline]
    fn start(module: Term, function: Term, arity: u32, len: usize) -> usize {
        let h = (module.0 ^ function.0.rotate_left(29) ^ arity as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> 32) as usize & (len - 1)
    }

    #[inline]
    fn find(
        &self,
        exports: &[ExportEntry],
        module: Term,
        function: Term,
        arity: u32,
    ) -> Option<u32> {
        let len = self.slots.len();
        if len == 0 {
            return None;
        }
        let mut i = Self::start(module, function, arity, len);
        loop {
            let e = self.slots[i];
            let entry = exports.get(e as usize)?;
            if entry.function == function && entry.module == module && entry.arity == arity {
                return Some(e);
            }
            i = (i + 1) & (len - 1);
        }
    }

    /// Adds export `i` (`exports[i]`, not in the index yet).
    fn insert(&mut self, exports: &[ExportEntry], i: u32) {
        if 2 * exports.len() > self.slots.len() {
            let len = (2 * exports.len()).next_power_of_two().max(64);
            self.slots = vec![Self::EMPTY; len];
            for j in 0..exports.len() as u32 {
                self.place(exports, j);
            }
        } else {
            self.place(exports, i);
        }
    }

    fn place(&mut self, exports: &[ExportEntry], i: u32) {
        let e = &exports[i as usize];
        let len = self.slots.len();
        let mut at = Self::start(e.module, e.function, e.arity, len);
        while self.slots[at] != Self::EMPTY {
            at = (at + 1) & (len - 1);
        }
        self.slots[at] = i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::atom;

    /// Code with one module (index 1) of one function whose entry (1) is `Exit`.
    fn one_function() -> Code {
        let mut c = Code::new(atom::UNDEFINED, atom::UNDEFINED, atom::UNDEFINED);
        c.modules.push(LoadedModule {
            name: atom::OK,
            code: vec![
                Op::FuncInfo {
                    module: atom::OK,
                    function: atom::OK,
                    arity: 0,
                },
                Op::Exit,
                Op::CodeEnd,
            ],
            lines: vec![0; 3],
            line_table: Vec::new(),
            functions: vec![FunctionInfo {
                start: 0,
                name: atom::OK,
                arity: 0,
            }],
            lambdas: Vec::new(),
            strings: Vec::new(),
            exports: Vec::new(),
            attributes: Term::NIL,
            on_load: None,
            md5: [0; 16],
        });
        c
    }

    /// The chain at the entry: "count", "time", "trace", "meta", ending with "exit".
    fn chain(c: &Code) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut op = &c.modules[1].code[1];
        loop {
            op = match *op {
                Op::CountCall(n) if n & TIME_POINT != 0 => {
                    out.push("time");
                    &c.times[(n & !TIME_POINT) as usize].as_ref().unwrap().saved
                }
                Op::CountCall(n) => {
                    out.push("count");
                    &c.counts[n as usize].as_ref().unwrap().saved
                }
                Op::TraceLocal(n) if n & META_POINT != 0 => {
                    out.push("meta");
                    &c.metas[(n & !META_POINT) as usize].as_ref().unwrap().saved
                }
                Op::TraceLocal(n) => {
                    out.push("trace");
                    match &c.trace[n as usize].as_ref().unwrap().how {
                        TraceHow::Local(op) => op,
                        TraceHow::Global(_) => unreachable!(),
                    }
                }
                Op::Exit => {
                    out.push("exit");
                    return out;
                }
                _ => unreachable!(),
            };
        }
    }

    #[test]
    fn count_time_and_local_trace_points_chain_and_come_off_in_any_order() {
        let spec = alloc::rc::Rc::new(crate::vm::trace::CallSpec::every_call());
        let mfa = (atom::OK, atom::OK, 0);
        let orders: [[u8; 3]; 6] = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        for on in orders {
            for off in orders {
                let mut c = one_function();
                for k in on {
                    match k {
                        0 => c.change_count(1, 1, CountChange::Start),
                        1 => c.change_time(1, 1, CountChange::Start),
                        _ => c.set_trace(1, 1, mfa, None, spec.clone()),
                    }
                }
                let mut all = chain(&c);
                all.sort_unstable();
                assert_eq!(all, ["count", "exit", "time", "trace"], "{on:?}");
                // The local pattern stays under counting and timing.
                assert_eq!(chain(&c)[2..], ["trace", "exit"], "{on:?}");
                for (i, k) in off.into_iter().enumerate() {
                    match k {
                        0 => c.change_count(1, 1, CountChange::Stop),
                        1 => c.change_time(1, 1, CountChange::Stop),
                        _ => assert!(c.clear_trace(1, 1)),
                    }
                    assert_eq!(chain(&c).len(), 3 - i, "{on:?} {off:?}");
                }
                assert!(matches!(c.modules[1].code[1], Op::Exit));
                assert!(c.time_of(1, 1).is_none() && c.count_of(1, 1).is_none());
            }
        }
    }

    /// Every order of `n` items.
    fn orders(n: u8) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = alloc::vec![Vec::new()];
        for _ in 0..n {
            let mut next = Vec::new();
            for o in &out {
                for k in (0..n).filter(|k| !o.contains(k)) {
                    let mut o = o.clone();
                    o.push(k);
                    next.push(o);
                }
            }
            out = next;
        }
        out
    }

    #[test]
    fn meta_points_chain_innermost_and_come_off_in_any_order() {
        let spec = alloc::rc::Rc::new(crate::vm::trace::CallSpec::every_call());
        let mfa = (atom::OK, atom::OK, 0);
        let all = orders(4);
        assert_eq!(all.len(), 24);
        for on in &all {
            for off in &all {
                let mut c = one_function();
                for &k in on {
                    match k {
                        0 => c.change_count(1, 1, CountChange::Start),
                        1 => c.change_time(1, 1, CountChange::Start),
                        2 => c.set_trace(1, 1, mfa, None, spec.clone()),
                        _ => c.set_meta(1, 1, mfa, spec.clone(), 7),
                    }
                }
                let mut got = chain(&c);
                got.sort_unstable();
                assert_eq!(got, ["count", "exit", "meta", "time", "trace"], "{on:?}");
                // The local pattern under counting and timing, the meta point under it.
                assert_eq!(chain(&c)[2..], ["trace", "meta", "exit"], "{on:?}");
                assert_eq!(c.meta_of(1, 1).map(|m| m.tracer), Some(7));
                for (i, &k) in off.iter().enumerate() {
                    match k {
                        0 => c.change_count(1, 1, CountChange::Stop),
                        1 => c.change_time(1, 1, CountChange::Stop),
                        2 => assert!(c.clear_trace(1, 1)),
                        _ => c.clear_meta(1, 1),
                    }
                    assert_eq!(chain(&c).len(), 4 - i, "{on:?} {off:?}");
                }
                assert!(matches!(c.modules[1].code[1], Op::Exit));
                assert!(c.meta_of(1, 1).is_none() && c.metas.is_empty());
            }
        }
    }
}
