//! Native functions: the calling convention, errors, and the table mapping `M:F/A` to them.
//!
//! A BIF gets a [`Ctx`] (the calling process and the node's shared state) and its arguments,
//! and returns a term or a [`Fault`]. BIFs never trigger a collection, so terms held in locals
//! stay valid for the whole call.
//!
//! Long work is paid for in reductions ([`Ctx::charge`]), and a BIF that would hold the
//! scheduler for more than a slice does a slice's worth and traps instead: [`Fault::Trap`]
//! (the call runs again with new arguments) or [`Fault::TrapTo`] (a continuation goes on), as
//! erl's BIFs trap. The process yields in between, so the others run.

use alloc::string::String;
use alloc::vec::Vec;

use super::atom::{self, AtomTable};
use super::code::Code;
use super::heap::View;
use super::literals::Literals;
use super::process::{Process, SLICE_REDUCTIONS};
use super::term::Term;

/// The exception classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `error`
    Error,
    /// `exit`
    Exit,
    /// `throw`
    Throw,
}

impl Class {
    /// The class as an atom.
    pub fn atom(self) -> Term {
        match self {
            Class::Error => atom::ERROR,
            Class::Exit => atom::EXIT,
            Class::Throw => atom::THROW,
        }
    }

    /// The class named by an atom.
    pub fn from_atom(t: Term) -> Option<Class> {
        match t {
            atom::ERROR => Some(Class::Error),
            atom::EXIT => Some(Class::Exit),
            atom::THROW => Some(Class::Throw),
            _ => None,
        }
    }
}

/// How a BIF (or an instruction) failed.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// An exception, with a hint for the top of its stack trace.
    Raise {
        /// Class.
        class: Class,
        /// Reason.
        reason: Term,
        /// How the stack trace starts.
        frame: Frame,
    },
    /// `halt/0,1`: stop the node with this status.
    Halt(i32),
    /// `halt("message")`: stop with a crash message.
    HaltMessage(String),
    /// Not a failure: the BIF did a bounded part of its work and is to be called again with
    /// these arguments (the first `arity` of them), after the scheduler has run others
    /// (erl's trap). Where the call cannot be resumed, [`finish`] runs it to the end.
    Trap([Term; 3]),
    /// Not a failure: the BIF goes on in a continuation, after the scheduler has run others.
    /// The process calls the trap stub ([`super::code::TRAP_PC`] in module 0) as if the BIF
    /// had called it, and the stub calls [`super::bifs::trap::resume`] with these arguments,
    /// the first saying which continuation; its result is the BIF's.
    TrapTo([Term; 4]),
    /// Not a failure: the BIF goes on in Erlang code (erl's BIFs that trap to an Erlang
    /// function do the same): the process calls `apply(M, F, Args)` as if the BIF had made
    /// that call instead, after the scheduler has run others.
    Apply([Term; 3]),
    /// `erlang:hibernate/3`: the BIF left M, F, Args as the only stack frame; the process
    /// goes on at [`HIBERNATE_PC`](super::code::HIBERNATE_PC) of module 0.
    Hibernate,
}

impl Fault {
    /// `error:Reason`.
    pub fn error(reason: Term) -> Fault {
        Fault::Raise {
            class: Class::Error,
            reason,
            frame: Frame::Bif,
        }
    }

    /// `error:Reason` of a BIF's continuation, reported as erl does: from the BIF `M:F`
    /// called with `args`, as if it had failed before trapping.
    pub fn trapped_error(ctx: &mut Ctx, reason: Term, mf: (&str, &str), args: &[Term]) -> Fault {
        let m = ctx.atoms.intern(mf.0).unwrap_or(atom::ERLANG);
        let f = ctx.atoms.intern(mf.1).unwrap_or(atom::UNDEFINED);
        let args = ctx.p.heap.list(args);
        let bif = ctx.p.heap.tuple(&[m, f, args]);
        Fault::Raise {
            class: Class::Error,
            reason,
            frame: Frame::Trapped(bif),
        }
    }

    /// An exception raised by the running Erlang code itself (no BIF frame).
    pub fn raise(class: Class, reason: Term) -> Fault {
        Fault::Raise {
            class,
            reason,
            frame: Frame::Caller,
        }
    }
}

/// How an exception's stack trace starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Frame {
    /// A frame for the failing BIF (with its arguments), then the caller.
    Bif,
    /// A frame for the failing BIF with its arity and no location, then the caller: how erl
    /// shows a function that OTP writes in Erlang and that fails by calling
    /// `erlang:error/1` (e.g. `init:stop/1`), where the VM has a BIF.
    Named,
    /// The current function.
    Caller,
    /// The current function, with these arguments instead of its arity (`error/2`), and
    /// the `{error_info, Map}` that `error/3` was given for its location.
    CallerArgs(Term, Option<Term>),
    /// This ready stack trace (`raise/3`).
    Trace(Term),
    /// As [`Frame::Bif`], with `cause => Term` in the frame's `error_info` map.
    BifCause(Term),
    /// A frame for a BIF that trapped to a continuation ([`Fault::TrapTo`]), with the
    /// arguments it was called with: `{Module, Function, Args}`; then the caller, as for a
    /// BIF that failed before trapping.
    Trapped(Term),
}

/// `error:badarg`.
pub fn badarg() -> Fault {
    Fault::error(atom::BADARG)
}

/// `error:badarg` with `cause => Cause` in the BIF frame's `error_info`, as erl gives it
/// for some BIFs (a timer's `time`, an option list's `badopt`).
pub fn badarg_cause(cause: Term) -> Fault {
    Fault::Raise {
        class: Class::Error,
        reason: atom::BADARG,
        frame: Frame::BifCause(cause),
    }
}

/// A copy of the bytes of binary `t` in a buffer of its own: `badarg` unless `t` is a binary
/// of whole bytes, erl's `system_limit` when the allocator cannot give the copy (its size is
/// the program's choice: an infallible copy would end the node, in the image the domain).
pub fn owned_bytes(ctx: &Ctx, t: Term) -> Result<alloc::vec::Vec<u8>, Fault> {
    let v = ctx.view();
    let s = v.binary(t).filter(|s| s.bit_len.is_multiple_of(8));
    s.ok_or_else(badarg)?
        .try_to_vec()
        .ok_or_else(|| Fault::error(atom::SYSTEM_LIMIT))
}

/// The elements of the proper list `t` in a vector of their own: `badarg` for an improper
/// list, `system_limit` when the allocator cannot give the vector (a list of millions).
pub fn list_elems(v: &View, t: Term) -> Result<Vec<Term>, Fault> {
    let n = v.list_len(t).ok_or_else(badarg)?;
    let mut out = Vec::new();
    out.try_reserve_exact(n)
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    let mut l = t;
    while l.is_cons() {
        let (h, tl) = v.cons(l);
        out.push(h);
        l = tl;
    }
    Ok(out)
}

/// A copy of `terms` (a tuple's elements, say) in a vector of its own, `system_limit` when
/// the allocator cannot give it.
pub fn copied_terms(terms: &[Term]) -> Result<Vec<Term>, Fault> {
    let mut out = Vec::new();
    out.try_reserve_exact(terms.len())
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    out.extend_from_slice(terms);
    Ok(out)
}

/// `error:badarith`.
pub fn badarith() -> Fault {
    Fault::error(atom::BADARITH)
}

/// A BIF's result.
pub type BifResult = Result<Term, Fault>;

/// A native function.
pub type BifFn = fn(&mut Ctx, &[Term]) -> BifResult;

/// What [`Io::read_input`] and [`Io::command_read`] have.
#[derive(Debug, PartialEq, Eq)]
pub enum Input {
    /// Bytes that arrived.
    Bytes(Vec<u8>),
    /// None yet: ask again later.
    Pending,
    /// The input has ended.
    Eof,
}

/// Where a BIF's output goes: the platform's console (and its clocks, environment and files),
/// reached through [`super::services::Services::io`].
pub trait Io {
    /// Writes to standard output (erlang:display/1, io).
    fn stdout(&mut self, bytes: &[u8]);
    /// Writes to standard error.
    fn stderr(&mut self, bytes: &[u8]);
    /// Monotonic time in nanoseconds (any fixed origin). Platforms without a clock keep the
    /// default, which stands still.
    fn monotonic_nanos(&mut self) -> u64 {
        0
    }
    /// CPU time the node has used, in nanoseconds (`statistics(runtime)`); by default the
    /// monotonic time.
    fn cpu_nanos(&mut self) -> u64 {
        self.monotonic_nanos()
    }
    /// The platform's run times ([`crate::platform::Platform::run_times`]).
    fn run_times(&mut self) -> Option<[u64; 4]> {
        None
    }
    /// Wall-clock time in nanoseconds since the Unix epoch (0 when unknown).
    fn system_nanos(&mut self) -> u64 {
        0
    }
    /// The value of the operating system's environment variable `name` (`os:getenv/1`);
    /// platforms without an environment keep the default, none.
    fn getenv(&mut self, name: &str) -> Option<alloc::string::String> {
        let _ = name;
        None
    }
    /// Sets (`Some`) or removes (`None`) the environment variable `name` for the node's own
    /// later reads (`os:putenv/2`, `os:unsetenv/1`); platforms without an environment keep
    /// the default, which forgets it.
    fn putenv(&mut self, name: &str, value: Option<&str>) {
        let _ = (name, value);
    }
    /// Every environment variable, name and value (`os:env/0`); by default none.
    fn environment(&mut self) -> Vec<(alloc::string::String, alloc::string::String)> {
        Vec::new()
    }
    /// `which` of `x` (and `y`, for a function of two) by the platform's own math library,
    /// which is what erl computes it with; `None` where the platform has none, and the
    /// built-in library answers. By default none.
    fn math(&mut self, which: super::bifs::math::MathFn, x: f64, y: f64) -> Option<f64> {
        let _ = (which, x, y);
        None
    }
    /// The next bytes of standard input (the console's I/O server's reads): never blocks.
    /// By default there is no input.
    fn read_input(&mut self) -> Input {
        Input::Eof
    }
    /// Starts `command` (UTF-8) for process `caller` as erl's `os:cmd/1` runs it: in
    /// `/bin/sh`, its standard output and error together and no standard input, with the
    /// node's environment changes `env` (a name set, or with `None` removed; the node puts
    /// them in, the BIF gives none) over the platform's. The command's id for
    /// [`Io::command_read`], or why it cannot start; by default there is no shell
    /// (`enoent`). A command is closed when its caller ends.
    fn command_start(
        &mut self,
        caller: u32,
        command: &[u8],
        env: &[(alloc::string::String, Option<alloc::string::String>)],
    ) -> Result<u32, super::files::Posix> {
        let _ = (caller, command, env);
        Err(super::files::Posix::Enoent)
    }
    /// The next output of command `id` ([`Io::command_start`]): never blocks; `Eof` once it
    /// has ended (or `id` is no command's).
    fn command_read(&mut self, id: u32) -> Input {
        let _ = id;
        Input::Eof
    }
    /// Forgets command `id`: its output is read no more (the command's later writes to it fail).
    fn command_close(&mut self, id: u32) {
        let _ = id;
    }
    /// Fills `buf` from the platform's source of cryptographically strong random bytes
    /// (`crypto:strong_rand_bytes/1`); false when it has none, or it failed (erl's
    /// `low_entropy`). By default there is none.
    fn strong_random(&mut self, buf: &mut [u8]) -> bool {
        let _ = buf;
        false
    }
    /// The machine's host name (`inet:gethostname/0`), when the platform has one; the image
    /// answers with the `HOSTNAME` environment variable the kernel sets from the domain's
    /// name.
    fn hostname(&mut self) -> Option<alloc::string::String> {
        None
    }
    /// The operating system's version, `{Major, Minor, Release}` (`os:version/0`); by
    /// default the Xen version the image is built for.
    fn os_version(&mut self) -> [u32; 3] {
        [4, 17, 0]
    }
    /// The operating system's id of the node's process (`os:getpid/0`); by default 1, the
    /// only one a unikernel has.
    fn os_pid(&mut self) -> u64 {
        1
    }
    /// A line for the kernel's log (`xenbeam:log/2`); by default on standard error.
    fn log(&mut self, level: log::Level, text: &str) {
        self.stderr(alloc::format!("{level:<5} {text}\n").as_bytes());
    }
    /// The directories modules are loaded from, in search order (`code:get_path/0`);
    /// platforms that load only from the image's archive keep the default, none.
    fn code_path(&mut self) -> alloc::vec::Vec<alloc::string::String> {
        alloc::vec::Vec::new()
    }
    /// The directories the command line's `-pa` flags gave, one per flag, as given
    /// (`init:get_argument(pa)`); platforms without a command line keep the default, none.
    fn pa_dirs(&mut self) -> alloc::vec::Vec<alloc::string::String> {
        alloc::vec::Vec::new()
    }
    /// A file system request of process `caller` (`prim_file`'s BIFs): an open file belongs
    /// to the process that opened it. Platforms without files keep the default, for which
    /// every request fails with `enotsup`.
    fn file(
        &mut self,
        caller: u32,
        op: super::files::FileOp<'_>,
    ) -> Result<super::files::FileReply, super::files::Posix> {
        let _ = (caller, op);
        Err(super::files::Posix::Enotsup)
    }
}

/// What a BIF can reach.
pub struct Ctx<'a> {
    /// The calling process.
    pub p: &'a mut Process,
    /// The atom table.
    pub atoms: &'a mut AtomTable,
    /// The literal area.
    pub lits: &'a Literals,
    /// Loaded code.
    pub code: &'a Code,
    /// Counter for make_ref/0.
    pub next_ref: &'a mut u64,
    /// The node's persistent terms (`persistent_term`), kept outside every heap.
    pub persistent: &'a mut super::persistent::PersistentTerms,
    /// The node's ETS tables, kept outside every heap.
    pub ets: &'a mut super::ets::Ets,
    /// The node's zlib streams, kept outside every heap.
    pub zlib: &'a mut super::zstream::Streams,
    /// The node: other processes, names, links, monitors and timers, and through it the
    /// platform's console, clocks, environment and files ([`Services::io`]).
    ///
    /// [`Services::io`]: super::services::Services::io
    pub node: &'a mut dyn super::services::Services,
}

impl Ctx<'_> {
    /// Charges the caller `reductions` for work done in a BIF, ending its slice as soon as
    /// a slice's worth is used up.
    #[inline]
    pub fn charge(&mut self, reductions: usize) {
        let r = reductions.min(SLICE_REDUCTIONS as usize) as i32;
        self.p.reductions = self.p.reductions.min(SLICE_REDUCTIONS) - r;
    }

    /// An empty buffer with room for `bytes` of output whose size the caller's arguments
    /// chose (`binary:copy(B, 1 bsl 40)`): more than the node's memory has left, or than
    /// the allocator gives, fails with `system_limit` instead of taking the node down.
    pub fn output_buffer(&self, bytes: usize) -> Result<Vec<u8>, Fault> {
        let mut buf = Vec::new();
        self.p
            .heap
            .reserve_output(&mut buf, bytes)
            .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
        Ok(buf)
    }

    /// Room in the caller's heap for `words` more words of a term whose size the caller's
    /// arguments chose, before any of it is built (the heap's vector would otherwise double
    /// on its own, with no way to refuse): beyond the node's memory or the allocator's means
    /// it fails with `system_limit` instead of taking the node down.
    pub fn heap_room(&mut self, words: usize) -> Result<(), Fault> {
        self.p
            .reserve_words(words)
            .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))
    }

    /// `{M, F, Arity}` of the function holding `pc` in module index `module`, built in the
    /// caller's heap; None when there is no such function.
    pub fn mfa_at(&mut self, module: u32, pc: u32) -> Option<Term> {
        let m = self.code.modules.get(module as usize)?;
        let f = m.function_at(pc)?;
        let items = [m.name, f.name, Term::small(f.arity as i64)];
        Some(self.p.heap.tuple(&items))
    }

    /// A reader over the process heap and literals.
    #[inline]
    pub fn view(&self) -> View<'_> {
        self.p.heap.view(self.lits)
    }
}

/// Calls `bif` with `args`, and again and again while it traps: for call sites that cannot
/// run again after yielding (apply and funs).
pub fn finish(ctx: &mut Ctx, bif: BifFn, args: &[Term]) -> BifResult {
    match bif(ctx, args) {
        // BIFs that trap take at most three arguments.
        Err(Fault::Trap(mut t)) => loop {
            match bif(ctx, &t[..args.len()]) {
                Err(Fault::Trap(next)) => t = next,
                r => return r,
            }
        },
        r => r,
    }
}

/// The error_info module named in stack frames of BIFs of `module`.
pub fn error_info_module(module: &str) -> &'static str {
    match module {
        "erlang" => "erl_erts_errors",
        "lists" | "maps" | "binary" | "string" | "unicode" | "math" | "ets" | "re" => {
            "erl_stdlib_errors"
        }
        "os" => "erl_kernel_errors",
        _ => "erl_erts_errors",
    }
}
