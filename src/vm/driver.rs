//! Runs an entry function to completion: loads modules on demand, resumes after yields.
//!
//! The platform supplies module bytes ([`ModuleSource`]), a loader function and console output
//! ([`Io`]); this keeps the VM free of any file system or std dependency.

use alloc::string::String;
use alloc::vec::Vec;

use super::atom;
use super::bif::{Class, Io};
use super::code::{Prepared, Target, MAX_PREPARED};
use super::display::{display, init_text};
use super::interp::{run, Outcome, Vm};
use super::process::Process;
use super::services::{CodeChange, CodeReply, LoadRefusal};
use super::term::Term;
use super::translate::{install, translate, TranslateError};

use crate::loader::Module;

/// The most bytes of a halt slogan erl writes (its buffer for it holds 1,024 with the NUL).
const SLOGAN_BYTES: usize = 1023;

/// Keeps what erl's emulator keeps of a halt message, its crash dump's slogan: the first
/// 1023 bytes (whole characters).
pub fn truncate_slogan(slogan: &mut String) {
    if slogan.len() > SLOGAN_BYTES {
        let mut end = SLOGAN_BYTES;
        while !slogan.is_char_boundary(end) {
            end -= 1;
        }
        slogan.truncate(end);
    }
}

/// A module [`Runtime::finish`] installed: its name, its code before, the exports that led
/// there, and its new code.
type Installed = (Term, Option<u32>, Vec<(u32, Target)>, u32);

/// The generic `on_load` instruction, which marks a module's `-on_load` function.
const ON_LOAD_OPCODE: u8 = 149;

/// The pid number of the process running an `-on_load` function.
const ON_LOAD_PID: u32 = 8;

/// Finds the bytes of a module's `.beam` file.
pub trait ModuleSource {
    /// The `.beam` bytes of `name`, if available.
    fn find(&mut self, name: &str) -> Option<Vec<u8>>;
    /// Searches `dirs` from now on, where the source searches directories (the host); a
    /// source of its own (the image's archive) keeps the default, which ignores them.
    fn set_path(&mut self, dirs: &[String]) {
        let _ = dirs;
    }
}

/// Turns `.beam` bytes into a generic module (the loader).
pub type LoadFn = fn(&[u8]) -> Option<Module>;

/// Why a module could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadFailure {
    /// The loader rejected the file.
    Malformed,
    /// Translation failed.
    Translate(TranslateError),
    /// The file found for a module holds another module (named here), as when a `.beam`
    /// was renamed or the name asked for has a directory in it: erl refuses it (`badfile`),
    /// and calls to the module asked for are `undef`.
    WrongName(String),
    /// The node has loaded as many module versions as code addresses can name
    /// ([`MAX_MODULES`]).
    TooMany,
    /// The code (that many bytes) does not fit in the node's memory budget.
    NoMemory(usize),
}

/// The most module versions a node loads in its life: a code address holds a module index
/// in 20 bits, and indices are not reused (purged code stays where it is).
pub const MAX_MODULES: usize = 1 << 20;

/// The reply to a load whose module could not be installed.
fn install_refusal(e: LoadFailure) -> CodeReply {
    match e {
        LoadFailure::TooMany | LoadFailure::NoMemory(_) => CodeReply::NoMemory,
        _ => CodeReply::Refused(LoadRefusal::Badfile),
    }
}

/// Whether the chunks of `.beam` file `bytes` (its IFF header checked) include `id`.
fn has_chunk(bytes: &[u8], id: [u8; 4]) -> bool {
    let mut at = 12;
    while let Some(head) = bytes.get(at..at + 8) {
        if head[..4] == id {
            return true;
        }
        let size = u32::from_be_bytes([head[4], head[5], head[6], head[7]]) as usize;
        at = at
            .saturating_add(8)
            .saturating_add(size.saturating_add(3) & !3);
    }
    false
}

/// What [`Runtime::try_load`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// The module is loaded (now or before).
    Loaded,
    /// There is no such module, or it could not be loaded: calls to it are `undef`.
    Missing,
    /// The allocator refused the room to load it in (that many bytes); not remembered.
    NoMemory(usize),
}

/// The room asked for before a module is loaded, in times its file's size: a load takes 15
/// to 20 times the file at its peak, the parsed chunks beside the code made of them (measured
/// on the host for OTP's modules: `unicode_util`'s 657 KB take about 11 MB).
pub const LOAD_ROOM: usize = 20;

/// How a run ended.
#[derive(Debug)]
pub enum Finish {
    /// The entry function returned.
    Returned,
    /// `halt/1`.
    Halt(i32),
    /// `halt("...")`.
    HaltMessage(String),
    /// The process waits for a message no one can send (erl would hang).
    Deadlock,
    /// An uncaught exception.
    Crash {
        /// Class.
        class: Class,
        /// Reason.
        reason: Term,
        /// Stack trace.
        trace: Term,
    },
}

/// A VM plus the means to load code.
pub struct Runtime {
    /// The VM.
    pub vm: Vm,
    loader: LoadFn,
    pending_entry: Option<u32>,
    /// Modules that were found but failed to load, with the reason (for diagnostics).
    pub load_errors: Vec<(String, LoadFailure)>,
}

impl Runtime {
    /// A runtime loading modules with `loader`.
    pub fn new(loader: LoadFn) -> Self {
        let mut vm = Vm::new();
        let Vm {
            code, atoms, lits, ..
        } = &mut vm;
        // Without an I/O server, `io` output functions write straight to the console.
        let _ = super::iomod::install_io(code, atoms, lits);
        Runtime {
            vm,
            loader,
            pending_entry: None,
            load_errors: Vec::new(),
        }
    }

    /// Loads a module from its bytes.
    pub fn load_bytes(&mut self, bytes: &[u8]) -> Result<u32, LoadFailure> {
        let m = (self.loader)(bytes).ok_or(LoadFailure::Malformed)?;
        self.install_module(&m)
    }

    /// As [`Runtime::load_bytes`], for the file found for module `name`: one that holds
    /// another module is refused.
    fn load_named(&mut self, bytes: &[u8], name: &str) -> Result<u32, LoadFailure> {
        let m = (self.loader)(bytes).ok_or(LoadFailure::Malformed)?;
        match m.atoms.first() {
            Some(found) if found != name => Err(LoadFailure::WrongName(found.clone())),
            _ => self.install_module(&m),
        }
    }

    fn install_module(&mut self, m: &Module) -> Result<u32, LoadFailure> {
        let vm = &mut self.vm;
        if vm.code.modules.len() >= MAX_MODULES {
            return Err(LoadFailure::TooMany);
        }
        // Code that would take the node's memory past its budget is refused before
        // translation changes anything (it may load once memory is freed): at most an
        // instruction and its line entry for each of the file's.
        let held = m.code.len() * (core::mem::size_of::<super::ops::Op>() + 4) + m.strings.len();
        if vm.code.memory.left().is_some_and(|left| held > left) {
            return Err(LoadFailure::NoMemory(held));
        }
        let (words, bins) = (vm.lits.words.len(), vm.lits.bins.len());
        let lm = translate(m, &mut vm.code, &mut vm.atoms, &mut vm.lits);
        // Its literals stay in the shared area whether or not it translated.
        let literals = (vm.lits.words.len() - words) * core::mem::size_of::<Term>()
            + vm.lits.bins[bins..].iter().map(|b| b.len()).sum::<usize>();
        vm.code.memory.charge(literals);
        let lm = lm.map_err(LoadFailure::Translate)?;
        let index = install(&mut vm.code, lm);
        let on_load = match crate::vm::trace::ENABLED {
            true => vm.code.trace_on_load.clone(),
            false => None,
        };
        if let Some(spec) = on_load {
            // `trace_pattern(on_load, Spec, [local])`: its functions get the local pattern.
            let m = &vm.code.modules[index as usize];
            let name = m.name;
            let fs: alloc::vec::Vec<(Term, u32, u32)> = m
                .functions
                .iter()
                .map(|f| (f.name, f.arity, f.start + 1))
                .collect();
            for (f, a, entry) in fs {
                vm.code
                    .set_trace(index, entry, (name, f, a), None, spec.clone());
            }
        }
        if crate::vm::trace::ENABLED && (vm.code.count_on_load || vm.code.time_on_load) {
            // `trace_pattern(on_load, true, [call_count | call_time])`: its calls are counted
            // or timed.
            let entries: alloc::vec::Vec<u32> = vm.code.modules[index as usize]
                .functions
                .iter()
                .map(|f| f.start + 1)
                .collect();
            let start = crate::vm::code::CountChange::Start;
            for entry in entries {
                if vm.code.count_on_load {
                    vm.code.change_count(index, entry, start);
                }
                if vm.code.time_on_load {
                    vm.code.change_time(index, entry, start);
                }
            }
        }
        Ok(index)
    }

    /// Loads `name` from `src` unless loaded; remembers failures (calls to the module are
    /// then `undef`), a refusal of memory among them.
    pub fn ensure_loaded(
        &mut self,
        name: Term,
        src: &mut dyn ModuleSource,
        io: &mut dyn Io,
    ) -> bool {
        match self.try_load(name, src, io) {
            Load::Loaded => true,
            Load::Missing => false,
            Load::NoMemory(_) => {
                self.vm.code.missing.insert(name.atom_index());
                false
            }
        }
    }

    /// Loads `name` from `src` unless loaded. A module that cannot be loaded is remembered
    /// as missing, except when the memory for it was refused: it may load later, once memory
    /// is freed, so the caller decides (the scheduler kills the process that needed it).
    ///
    /// Loading allocates as it goes (the parsed file, the translated code, the literals)
    /// without asking, so it first asks the allocator for [`LOAD_ROOM`] times the file's
    /// size in one block and gives it back: a node whose memory is used up refuses that
    /// instead of failing in the middle of a load (which would end the node). Loaded
    /// modules keep 1.5 to 4.5 times their file's size. (The block is not touched, so the
    /// ask costs no more than the allocator's search for it.)
    pub fn try_load(&mut self, name: Term, src: &mut dyn ModuleSource, io: &mut dyn Io) -> Load {
        if self.vm.code.module_index(name).is_some() {
            return Load::Loaded;
        }
        let text = String::from(self.vm.atoms.name(name));
        let ok = match src.find(&text) {
            Some(bytes) => {
                let room = bytes.len().saturating_mul(LOAD_ROOM);
                if Vec::<u8>::new().try_reserve_exact(room).is_err() {
                    return Load::NoMemory(room);
                }
                match self.load_named(&bytes, &text) {
                    Ok(m) => self.run_on_load(m, src, io),
                    Err(LoadFailure::NoMemory(held)) => return Load::NoMemory(held),
                    Err(e) => {
                        self.load_errors.push((text, e));
                        false
                    }
                }
            }
            None => false,
        };
        if ok {
            Load::Loaded
        } else {
            self.vm.code.missing.insert(name.atom_index());
            Load::Missing
        }
    }

    /// Makes a change to the loaded code ([`CodeChange`]) as erl's `erlang:load_module/2`,
    /// `delete_module/1` and `purge_module/1` do, with the text erl's emulator logs as an
    /// error when it refuses. A module loaded over current code keeps that code as its old
    /// code: processes running it go on in it (local calls stay there, calls through the
    /// module's name reach the new code) until it is purged. Purged code stays in memory,
    /// unreachable by new calls (instruction positions into a module never change once it
    /// is installed; see `fetch`).
    pub fn change_code(
        &mut self,
        change: CodeChange,
        src: &mut dyn ModuleSource,
        io: &mut dyn Io,
    ) -> (CodeReply, Option<String>) {
        let code = &mut self.vm.code;
        match change {
            CodeChange::Load { module, bytes } => self.load_binary(module, &bytes, src, io),
            CodeChange::Prepare { module, bytes, key } => self.prepare(module, &bytes, key),
            CodeChange::Finish(keys) => self.finish(&keys, src, io),
            CodeChange::CountPattern {
                targets,
                change,
                on_load,
                count,
                time,
                local,
            } => {
                // Only the tracing BIFs ask for these changes.
                let targets = if crate::vm::trace::ENABLED {
                    targets
                } else {
                    alloc::vec::Vec::new()
                };
                for t in targets {
                    if count {
                        code.change_count(t.module, t.entry, change);
                    }
                    if time {
                        code.change_time(t.module, t.entry, change);
                    }
                    match &local {
                        Some(Some(s)) => code.set_trace(t.module, t.entry, t.mfa, None, s.clone()),
                        Some(None) => {
                            code.clear_trace(t.module, t.entry);
                        }
                        None => {}
                    }
                }
                if let Some(on) = on_load.filter(|_| crate::vm::trace::ENABLED) {
                    if count {
                        code.count_on_load = on;
                    }
                    if time {
                        code.time_on_load = on;
                    }
                }
                (CodeReply::Done, None)
            }
            CodeChange::TracePattern {
                targets,
                spec,
                on_load,
            } => {
                if on_load && crate::vm::trace::ENABLED {
                    code.trace_on_load = spec.clone();
                }
                for t in targets {
                    match &spec {
                        Some(s) => code.set_trace(t.module, t.entry, t.mfa, t.export, s.clone()),
                        None => {
                            code.clear_trace(t.module, t.entry);
                        }
                    }
                }
                (CodeReply::Done, None)
            }
            CodeChange::MetaPattern {
                targets,
                spec,
                tracer,
                then,
            } => {
                for t in targets.iter() {
                    if !crate::vm::trace::ENABLED {
                        break;
                    }
                    match &spec {
                        Some(s) => code.set_meta(t.module, t.entry, t.mfa, s.clone(), tracer),
                        None => code.clear_meta(t.module, t.entry),
                    }
                }
                match then {
                    Some(then) => self.change_code(*then, src, io),
                    None => (CodeReply::Done, None),
                }
            }
            CodeChange::Delete(name) => match code.module_index(name) {
                _ if code.old.contains_key(name.atom_index()) => {
                    let text = alloc::format!(
                        "Module {} must be purged before deleting\n",
                        self.vm.atoms.name(name)
                    );
                    (CodeReply::Badarg, Some(text))
                }
                None => (CodeReply::Undefined, None),
                Some(current) => {
                    code.retire_current(name, current);
                    code.old.insert(name.atom_index(), current);
                    (CodeReply::Done, None)
                }
            },
            CodeChange::Purge(name) => match code.old.remove(name.atom_index()) {
                Some(_) => (CodeReply::Done, None),
                None => (CodeReply::Badarg, None),
            },
            CodeChange::SetPath(dirs) => {
                src.set_path(&dirs);
                // A module missing from the old path may be in the new one.
                code.missing = Default::default();
                (CodeReply::Done, None)
            }
        }
    }

    /// `erlang:load_module(name, bytes)`: see [`Runtime::change_code`].
    fn load_binary(
        &mut self,
        name: Term,
        bytes: &[u8],
        src: &mut dyn ModuleSource,
        io: &mut dyn Io,
    ) -> (CodeReply, Option<String>) {
        // Old code alone (after `delete_module/1`) does not stop a load, as in erl: the new
        // code becomes current beside it.
        if self.vm.code.old.contains_key(name.atom_index())
            && self.vm.code.module_index(name).is_some()
        {
            return (CodeReply::Refused(LoadRefusal::NotPurged), None);
        }
        let m = match self.parse_named(name, bytes) {
            Ok(m) => m,
            Err(refusal) => return refusal,
        };
        let current = self.vm.code.module_index(name);
        let led = match current {
            Some(c) => self.vm.code.retire_current(name, c),
            None => Vec::new(),
        };
        let restore = |code: &mut super::code::Code| {
            if let Some(c) = current {
                code.restore_current(name, c, &led);
            }
        };
        let new = match self.install_module(&m) {
            Ok(new) => new,
            Err(e) => {
                restore(&mut self.vm.code);
                return (install_refusal(e), None);
            }
        };
        self.vm.code.missing.remove(name.atom_index());
        if !self.run_on_load(new, src, io) {
            restore(&mut self.vm.code);
            return (CodeReply::Refused(LoadRefusal::OnLoadFailure), None);
        }
        if let Some(c) = current {
            self.vm.code.old.insert(name.atom_index(), c);
        }
        (CodeReply::Loaded, None)
    }

    /// Reads `bytes` as module `name`'s `.beam` file for a load: refused (with what erl's
    /// loader logs, in its words where they are known) when it is not one this VM can load
    /// or holds another module, or when the node lacks the memory or module room for it.
    fn parse_named(&self, name: Term, bytes: &[u8]) -> Result<Module, (CodeReply, Option<String>)> {
        let text = self.vm.atoms.name(name);
        let refused = |why: String| (CodeReply::Refused(LoadRefusal::Badfile), Some(why));
        let room = bytes.len().saturating_mul(LOAD_ROOM);
        if self.vm.code.modules.len() >= MAX_MODULES
            || Vec::<u8>::new().try_reserve_exact(room).is_err()
        {
            return Err((CodeReply::NoMemory, None));
        }
        let Some(m) = (self.loader)(bytes) else {
            use crate::loader::LoadError as E;
            let why = match crate::loader::load(bytes) {
                Err(E::NotBeam | E::BadGzip | E::BadFormSize { .. }) => String::from(
                    "beam/beam_load.c(144): Error loading module {}:\n  corrupt file header",
                ),
                // erl looks for the code chunk first.
                Err(E::MissingChunk { .. }) if !has_chunk(bytes, *b"Code") => String::from(
                    "beam/beam_load.c(152): Error loading module {}:\n  missing code chunk",
                ),
                Err(e) => alloc::format!("Error loading module {{}}:\n  {e}"),
                Ok(_) => String::from("Error loading module {}:\n  refused"),
            };
            return Err(refused(why.replacen("{}", text, 1) + "\n"));
        };
        match m.atoms.first() {
            Some(found) if found == text => Ok(m),
            found => {
                let found = found.map_or("", |f| f.as_str());
                Err(refused(alloc::format!(
                    "beam/beam_load.c(180): Error loading module {text}:\n  \
                     module name in object code is {found}\n"
                )))
            }
        }
    }

    /// `erlang:prepare_loading(name, bytes)`: the file is read and checked as a load would
    /// and kept under `key` (the number of the reference that names it) until
    /// `finish_loading/1`; the oldest is forgotten beyond [`MAX_PREPARED`].
    fn prepare(&mut self, name: Term, bytes: &[u8], key: u64) -> (CodeReply, Option<String>) {
        let m = match self.parse_named(name, bytes) {
            Ok(m) => m,
            Err(refusal) => return refusal,
        };
        let on_load = m.code.iter().any(|i| i.opcode == ON_LOAD_OPCODE);
        let prepared = &mut self.vm.code.prepared;
        while prepared.len() >= MAX_PREPARED {
            prepared.pop_front();
        }
        prepared.push_back((
            key,
            Prepared {
                module: name,
                parsed: Some(alloc::boxed::Box::new(m)),
                on_load,
            },
        ));
        (CodeReply::Done, None)
    }

    /// `erlang:finish_loading(Prepared)`: the prepared modules (checked by the BIF: known,
    /// distinct, without old code, at most one if any has an `-on_load` function) become
    /// current together, their current code old; no process runs in between. If one
    /// cannot be installed, none is.
    fn finish(
        &mut self,
        keys: &[u64],
        src: &mut dyn ModuleSource,
        io: &mut dyn Io,
    ) -> (CodeReply, Option<String>) {
        let mut todo = Vec::with_capacity(keys.len());
        for key in keys {
            match self.vm.code.prepared_mut(*key) {
                Some(Prepared {
                    module,
                    parsed: parsed @ Some(_),
                    on_load,
                }) => {
                    *on_load = false;
                    todo.push((*module, parsed.take()));
                }
                _ => return (CodeReply::Badarg, None),
            }
        }
        let mut done: Vec<Installed> = Vec::new();
        let mut failed = None;
        for (name, parsed) in todo {
            let Some(parsed) = parsed else { continue };
            let current = self.vm.code.module_index(name);
            let led = match current {
                Some(c) => self.vm.code.retire_current(name, c),
                None => Vec::new(),
            };
            match self.install_module(&parsed) {
                Ok(new) => {
                    self.vm.code.missing.remove(name.atom_index());
                    done.push((name, current, led, new));
                }
                Err(e) => {
                    if let Some(c) = current {
                        self.vm.code.restore_current(name, c, &led);
                    }
                    failed = Some(install_refusal(e));
                    break;
                }
            }
        }
        if let (None, [(_, _, _, new)]) = (failed, &done[..]) {
            if !self.run_on_load(*new, src, io) {
                failed = Some(CodeReply::Refused(LoadRefusal::OnLoadFailure));
            }
        }
        if let Some(reply) = failed {
            for (name, current, led, new) in done.into_iter().rev() {
                self.vm.code.unload(name, new);
                if let Some(c) = current {
                    self.vm.code.restore_current(name, c, &led);
                }
            }
            return (reply, None);
        }
        for (name, current, _, _) in done {
            if let Some(c) = current {
                self.vm.code.old.insert(name.atom_index(), c);
            }
        }
        (CodeReply::Loaded, None)
    }

    /// A process that will call `module:function(args...)` with `init`'s frames below it.
    pub fn spawn(&mut self, module: Term, function: Term, args: &[Term], pid: u32) -> Process {
        let mut p = Process::new(Term::pid(pid));
        p.stack.push(Term::cp(0, 3));
        p.stack.push(Term::cp(0, 1));
        p.x = args.to_vec();
        let arity = args.len() as u32;
        let e = self.vm.code.export(module, function, arity);
        // The process starts at a tiny trampoline: the export is resolved on first run.
        p.module = 0;
        p.pc = 0;
        self.pending_entry = Some(e);
        p
    }

    /// Runs `p` until it finishes.
    pub fn run(&mut self, p: &mut Process, io: &mut dyn Io, src: &mut dyn ModuleSource) -> Finish {
        if let Some(e) = self.pending_entry.take() {
            loop {
                let entry = self.vm.code.exports[e as usize].clone();
                match entry.target {
                    Target::Code { module, pc } => {
                        p.module = module;
                        p.pc = pc;
                        break;
                    }
                    Target::Undefined if self.ensure_loaded(entry.module, src, io) => {
                        if matches!(self.vm.code.exports[e as usize].target, Target::Undefined) {
                            return self.undef_entry(p, entry.module, entry.function, entry.arity);
                        }
                    }
                    _ => return self.undef_entry(p, entry.module, entry.function, entry.arity),
                }
            }
        }
        loop {
            match run(&mut self.vm, io, p) {
                Outcome::Normal => return Finish::Returned,
                Outcome::Halt(n) => return Finish::Halt(n),
                Outcome::HaltMessage(s) => return Finish::HaltMessage(s),
                Outcome::Crash {
                    class,
                    reason,
                    trace,
                } => {
                    return Finish::Crash {
                        class,
                        reason,
                        trace,
                    }
                }
                Outcome::NeedModule(name) => {
                    self.ensure_loaded(name, src, io);
                }
                Outcome::Yield => {}
                Outcome::Waiting => return Finish::Deadlock,
                // Nobody else can send: the time runs out.
                Outcome::WaitTimeout(_) => p.mailbox.expire_timer(),
            }
        }
    }

    /// Runs a freshly loaded module's `-on_load` function in a throwaway process, as erl
    /// does; the module stays loaded only if it returns `ok`.
    fn run_on_load(&mut self, module: u32, src: &mut dyn ModuleSource, io: &mut dyn Io) -> bool {
        let (name, on_load) = {
            let m = &self.vm.code.modules[module as usize];
            (m.name, m.on_load)
        };
        let Some(entry) = on_load else {
            return true;
        };
        let saved = self.pending_entry.take();
        let mut p = self.spawn(name, atom::ON_LOAD, &[], ON_LOAD_PID);
        self.pending_entry = None;
        p.module = module;
        p.pc = entry;
        let ok = matches!(self.run_process(&mut p, io, src), Some(t) if t == atom::OK);
        // The throwaway process is gone: so are its ETS tables (no heir can be told here).
        self.vm.ets.owner_exited(ON_LOAD_PID, &|_| false);
        self.pending_entry = saved;
        if !ok {
            self.vm.code.unload(name, module);
        }
        ok
    }

    /// Runs `p` to completion; its return value when it returned normally.
    fn run_process(
        &mut self,
        p: &mut Process,
        io: &mut dyn Io,
        src: &mut dyn ModuleSource,
    ) -> Option<Term> {
        loop {
            match run(&mut self.vm, io, p) {
                Outcome::Normal => return p.x.first().copied(),
                Outcome::NeedModule(name) => {
                    self.ensure_loaded(name, src, io);
                }
                Outcome::Yield => {}
                _ => return None,
            }
        }
    }

    fn undef_entry(&mut self, p: &mut Process, m: Term, f: Term, arity: u32) -> Finish {
        let args: Vec<Term> = p.x[..arity as usize].to_vec();
        let al = p.heap.list(&args);
        let top = p.heap.tuple(&[m, f, al, Term::NIL]);
        let s1 = p
            .heap
            .tuple(&[atom::INIT, atom::START_EM, Term::small(1), Term::NIL]);
        let s2 = p
            .heap
            .tuple(&[atom::INIT, atom::DO_BOOT, Term::small(3), Term::NIL]);
        let trace = p.heap.list(&[top, s1, s2]);
        Finish::Crash {
            class: Class::Error,
            reason: atom::UNDEF,
            trace,
        }
    }

    /// The term erl's `init` displays for an uncaught exception in `-run`:
    /// `{"init terminating in do_boot", Reason}`.
    pub fn boot_crash_term(p: &mut Process, class: Class, reason: Term, trace: Term) -> Term {
        let r = match class {
            Class::Error => p.heap.tuple(&[reason, trace]),
            Class::Throw => {
                let nc = p.heap.tuple(&[atom::NOCATCH, reason]);
                p.heap.tuple(&[nc, trace])
            }
            Class::Exit => reason,
        };
        let msg = p.heap.string("init terminating in do_boot");
        p.heap.tuple(&[msg, r])
    }

    /// How an uncaught exception in `-run`'s process is reported: the line erl prints to
    /// standard output (the displayed [`Runtime::boot_crash_term`], newline included) and the
    /// displayed reason part of it.
    pub fn boot_crash_report(
        vm: &Vm,
        p: &mut Process,
        class: Class,
        reason: Term,
        trace: Term,
    ) -> (Vec<u8>, String) {
        let t = Self::boot_crash_term(p, class, reason, trace);
        let view = p.heap.view(&vm.lits);
        let mut line = display(&view, &vm.atoms, &vm.code, t);
        line.push(b'\n');
        let reason = String::from_utf8_lossy(&display(
            &view,
            &vm.atoms,
            &vm.code,
            Self::crash_reason(&view, t),
        ))
        .into_owned();
        (line, reason)
    }

    /// The slogan erl halts with (and writes to standard error) after the report of
    /// [`Runtime::boot_crash_report`]: `init terminating in do_boot (Reason)`, the reason as
    /// `init` renders it ([`init_text`]), cut as erl cuts a slogan.
    pub fn boot_crash_slogan(
        vm: &Vm,
        p: &mut Process,
        class: Class,
        reason: Term,
        trace: Term,
    ) -> String {
        let t = Self::boot_crash_term(p, class, reason, trace);
        let view = p.heap.view(&vm.lits);
        let mut slogan = alloc::format!(
            "init terminating in do_boot ({})",
            init_text(&view, &vm.atoms, Self::crash_reason(&view, t))
        );
        truncate_slogan(&mut slogan);
        slogan
    }

    /// The reason part of a [`Runtime::boot_crash_term`].
    fn crash_reason(view: &super::heap::View, t: Term) -> Term {
        match view.tuple(t) {
            Some(el) if el.len() == 2 => el[1],
            _ => t,
        }
    }
}
