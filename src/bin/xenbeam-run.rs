//! xenbeam-run: runs an Erlang function on the host like `erl -noshell -pa DIR -run MOD FUN`.
//!
//! `xenbeam-run [-pa DIR]... MOD FUN [ARG...]` loads modules on demand from the `-pa`
//! directories, then from OTP's own library (`XENBEAM_OTP_LIB`, or the one `erl` reports),
//! calls `MOD:FUN()` (or `MOD:FUN(["ARG", ...])`), and exits with the status given to `halt/1`.
//! Instead of `MOD FUN [ARG...]`, erl's `-run`, `-s` and `-eval EXPRS` items run in order in
//! one process, as erl's init runs them (`-eval` with OTP's erl_scan, erl_parse and erl_eval,
//! through the runner's own `init:start_it/1`).
//! An uncaught exception is reported as erl reports it and exits with status 1. Processes run
//! on a [`Node`] with the host's clocks; when no process can ever run again the runner stops
//! with status 1 (erl would wait forever), or 0 if no process is left.
//! `xenbeam-run --list-opcodes` prints the generic opcodes the VM implements.
//! `--max-heap-words N` sets the node's default `max_heap_size` to N words (like erl's
//! `+hmax N`): every process whose heap outgrows it is reported and killed, as erl does.
//! `+P N` sets the process limit as erl's `+P` does (1024 to 134217727, rounded up to a power
//! of two); another number exits with status 2.
//! `--max-memory BYTES` (a number, optionally with a K, M or G suffix for KiB, MiB, GiB) is
//! the node's memory budget: all process heaps and the loaded code together may hold at most
//! that much, and a process whose heap would grow past it is killed with an erl-style report
//! while the others keep running (a module that would not fit is not loaded); the top of it
//! is kept for the kernel's processes (see [`xenbeam::vm::memory::kernel_room_within`]).
//! Without it the budget is unlimited. A bad value exits with status 2.
//! `--heap-limit BYTES` bounds everything the runner allocates, as the image's kernel heap of
//! that size is bounded: an allocation past it fails (a fallible one returns its error, an
//! infallible one aborts the runner, as it would end the domain), and unless `--max-memory`
//! is given the node's budget is the one the image derives from such a heap. It shows on the
//! host what only the image would otherwise show: an allocation sized by a program that does
//! not go through the node's account.
//! `--xenstore[=KNOBS]` serves the Xenstore ring pore with a simulated xenstored (see
//! `xenbeam::platform::xenstored`); KNOBS is `key=value,flag,...`, e.g.
//! `--xenstore=domid=3,name=web,delay_ns=1000000,reorder`. Bad knobs exit with status 2.
//! Here `delay_ns` is real time: the daemon's clock is the host's monotonic clock.
//!
//! Built with the `op-profile` feature, the runner counts every instruction it executes, every
//! adjacent pair and the instructions of each function, and on exit writes the report of
//! [`xenbeam::vm::profile::OpProfile`] to stderr, or to FILE with `--op-profile FILE`;
//! `--op-profile-top N` sets how many kinds, pairs and functions it lists (default 40, 0 for
//! all). Without the feature these options are refused.

mod host_commands;
mod host_files;

/// The runner's allocator: the system's, counted, so that `--heap-limit` can bound it. (The
/// `cap` crate wraps an allocator with a byte count and a limit; with it the runner needs no
/// unsafe code of its own.)
#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

use std::io::Write;
use std::path::PathBuf;
use std::process::{exit, Command};

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use xenbeam::loader::opcodes::by_number;
use xenbeam::platform::sim::{SimPage, SimPlatform};
use xenbeam::platform::xenstored::XenstoredConfig;
use xenbeam::platform::{Channel, Platform, PlatformError};
use xenbeam::sched::pids::{round_process_limit, MAX_PROCESS_LIMIT, MIN_PROCESS_LIMIT};
use xenbeam::sched::{Node, OtpBoot, StartItem, Stop};
use xenbeam::vm::bif::{Input, Io};
use xenbeam::vm::bifs::math::MathFn;
use xenbeam::vm::display::binary_text;
use xenbeam::vm::driver::{ModuleSource, Runtime};
use xenbeam::vm::files::{FileOp, FileReply, Posix};
use xenbeam::vm::maxheap::MaxHeap;
use xenbeam::vm::translate::IMPLEMENTED;

/// The kernel's boot module (`src/erlang/xenbeam_kernel.erl`), compiled by the build script;
/// empty when `erlc` was missing then.
const KERNEL_MODULE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/xenbeam_kernel.beam"));

/// The host's part of erl's `init` (`src/erlang/host/init.erl`: `init:start_it/1`, which runs
/// `-eval` items), compiled by the build script; empty when `erlc` was missing then.
const INIT_MODULE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/init.beam"));

/// erl_eval's receive (`src/erlang/boot/prim_eval.S`), compiled by the build script; empty
/// when `erlc` was missing then.
const PRIM_EVAL_MODULE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/prim_eval.beam"));

/// `os:cmd`'s Erlang half (`src/erlang/host/xenbeam_os.erl`), compiled by the build script;
/// empty when `erlc` was missing then.
const OS_MODULE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/xenbeam_os.beam"));

/// The console's I/O server under OTP's boot (`src/erlang/boot/user.erl`), in place of erl's
/// `user`, which drives the terminal through a port; empty when `erlc` was missing.
const USER_MODULE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/user.beam"));

/// Standard error's I/O server under OTP's boot (`src/erlang/boot/standard_error.erl`), in
/// place of erl's, which writes through a port; empty when `erlc` was missing.
const STDERR_MODULE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/standard_error.beam"));

/// The purges of the code server (`src/erlang/boot/erts_code_purger.erl`): OTP's under
/// OTP's boot, in place of the emulator's process, and the kernel module's otherwise; empty
/// when `erlc` was missing.
const PURGER_MODULE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/erts_code_purger.beam"));

/// The first item under OTP's boot (`src/erlang/boot/xenbeam_boot.erl`): the program starts
/// there; empty when `erlc` was missing.
const BOOT_MODULE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/xenbeam_boot.beam"));

/// The runner's own modules that OTP's boot preloads.
const OWN_MODULES: [&str; 7] = [
    "xenbeam_kernel",
    "prim_eval",
    "xenbeam_os",
    "user",
    "standard_error",
    "xenbeam_boot",
    "erts_code_purger",
];

/// erl's preloaded modules that OTP's boot takes from erts's `ebin` and preloads, as erl's
/// emulator does (their functions that are the node's BIFs stay native); the runner has its
/// own `erts_code_purger` and `prim_eval`.
const OTP_PRELOADED: [&str; 19] = [
    "erl_init",
    "init",
    "erl_prim_loader",
    "prim_inet",
    "prim_file",
    "prim_zip",
    "prim_buffer",
    "prim_net",
    "prim_socket",
    "socket_registry",
    "zlib",
    "erl_tracer",
    "erlang",
    "erts_internal",
    "atomics",
    "counters",
    "persistent_term",
    "erts_literal_area_collector",
    "erts_dirty_process_signal_handler",
];

/// Module search path: the runner's own modules (the kernel's boot module, and modules erl
/// has preloaded, so no directory can supply others), the `-pa` directories, then OTP's.
/// Under OTP's boot (`erts` is erts's `ebin`), `init` and the other modules of
/// [`OTP_PRELOADED`] are OTP's, and `user` and `standard_error` the runner's.
struct SearchPath {
    dirs: Vec<PathBuf>,
    erts: Option<PathBuf>,
}

impl ModuleSource for SearchPath {
    fn find(&mut self, name: &str) -> Option<Vec<u8>> {
        if let Some(erts) = &self.erts {
            if OTP_PRELOADED.contains(&name) {
                let beam = std::fs::read(erts.join(format!("{name}.beam"))).ok()?;
                return Some(without_lines(beam));
            }
        }
        let booted = self.erts.is_some();
        let own = match name {
            "xenbeam_kernel" => Some(KERNEL_MODULE),
            "init" => Some(INIT_MODULE),
            "prim_eval" => Some(PRIM_EVAL_MODULE),
            "xenbeam_os" => Some(OS_MODULE),
            "user" if booted => Some(USER_MODULE),
            "standard_error" if booted => Some(STDERR_MODULE),
            "xenbeam_boot" if booted => Some(BOOT_MODULE),
            "erts_code_purger" => Some(PURGER_MODULE),
            _ => None,
        };
        if let Some(bytes) = own {
            return (!bytes.is_empty()).then(|| bytes.to_vec());
        }
        let file = format!("{name}.beam");
        self.dirs
            .iter()
            .find_map(|d| std::fs::read(d.join(&file)).ok())
    }

    fn set_path(&mut self, dirs: &[String]) {
        self.dirs = dirs.iter().map(PathBuf::from).collect();
    }
}

/// A BEAM file without its `Line` chunk: erl's emulator carries its preloaded modules
/// without line information (their frames in stack traces have no file or line); erts's
/// `ebin` has them with it. Anything that is not a well-formed BEAM file is left as it is,
/// for the loader to refuse.
fn without_lines(beam: Vec<u8>) -> Vec<u8> {
    let well_formed = beam.len() >= 12 && &beam[..4] == b"FOR1" && &beam[8..12] == b"BEAM";
    if !well_formed {
        return beam;
    }
    let mut out = beam[..12].to_vec();
    let mut at = 12;
    while at + 8 <= beam.len() {
        let size = u32::from_be_bytes([beam[at + 4], beam[at + 5], beam[at + 6], beam[at + 7]]);
        let end = at + 8 + (size as usize).div_ceil(4) * 4;
        if end > beam.len() {
            return beam;
        }
        if &beam[at..at + 4] != b"Line" {
            out.extend_from_slice(&beam[at..end]);
        }
        at = end;
    }
    let form = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&form.to_be_bytes());
    out
}

/// An OTP installation that can boot as erl does: its root directory (the library's parent,
/// with `bin/start.boot`) and erts's version (erts's `ebin` holds `init`).
struct OtpRoot {
    root: PathBuf,
    erts: String,
}

impl OtpRoot {
    /// The installation `lib` belongs to, if it is a whole one.
    fn of(lib: &std::path::Path) -> Option<Self> {
        let root = lib.parent()?.to_path_buf();
        if !root.join("bin").join("start.boot").is_file() {
            return None;
        }
        let erts = std::fs::read_dir(lib)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with("erts-"))?;
        let erts = erts.strip_prefix("erts-")?.to_string();
        let me = Self { root, erts };
        me.ebin().join("init.beam").is_file().then_some(me)
    }

    /// erts's `ebin`: erl's preloaded modules.
    fn ebin(&self) -> PathBuf {
        self.root
            .join("lib")
            .join(format!("erts-{}", self.erts))
            .join("ebin")
    }

    /// erl's command line for `init:boot/1` ([`OtpBoot::args`]), with the user's home.
    fn boot_args(&self, pa: &[String], items: &[StartItem]) -> Vec<String> {
        let boot = OtpBoot {
            root: self.root.to_string_lossy().into_owned(),
            erts: self.erts.clone(),
        };
        let home = std::env::var_os("HOME").map(|h| h.to_string_lossy().into_owned());
        let pa: Vec<Vec<String>> = pa.iter().map(|d| vec![d.clone()]).collect();
        boot.args(home.as_deref(), &pa, items)
    }
}

/// Console output straight to the process's stdout and stderr.
struct Console {
    out: std::io::BufWriter<std::io::Stdout>,
    start: std::time::Instant,
    files: host_files::HostFiles,
    /// The module search path, for `code:get_path/0`.
    code_path: Vec<String>,
    /// The `-pa` directories as given, for `init:get_argument(pa)`.
    pa: Vec<String>,
    /// `os:cmd`'s running commands.
    commands: host_commands::HostCommands,
    /// Standard input, read by a thread of its own from the first read on (so a read never
    /// holds the scheduler): chunks of what arrived, at most a few ahead; closed at its end.
    input: Option<std::sync::mpsc::Receiver<Vec<u8>>>,
}

/// Starts the thread that reads standard input into chunks for [`Console::read_input`].
fn input_reader() -> std::sync::mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = std::sync::mpsc::sync_channel(host_commands::AHEAD);
    std::thread::spawn(move || {
        host_commands::forward_chunks(&mut std::io::stdin().lock(), &tx);
    });
    rx
}

impl Io for Console {
    fn stdout(&mut self, bytes: &[u8]) {
        let _ = self.out.write_all(bytes);
        let _ = self.out.flush();
    }

    fn stderr(&mut self, bytes: &[u8]) {
        let _ = std::io::stderr().write_all(bytes);
    }

    fn monotonic_nanos(&mut self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    fn code_path(&mut self) -> Vec<String> {
        self.code_path.clone()
    }

    fn pa_dirs(&mut self) -> Vec<String> {
        self.pa.clone()
    }

    fn command_start(
        &mut self,
        caller: u32,
        command: &[u8],
        env: &[(String, Option<String>)],
    ) -> Result<u32, Posix> {
        self.commands.start(caller, command, env)
    }

    fn command_read(&mut self, id: u32) -> Input {
        self.commands.read(id)
    }

    fn command_close(&mut self, id: u32) {
        self.commands.close(id);
    }

    fn system_nanos(&mut self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
    }

    fn file(&mut self, caller: u32, op: FileOp<'_>) -> Result<FileReply, Posix> {
        // A process that ends closes its commands too (as erl's ports close with their owner).
        if matches!(op, FileOp::CloseOwned) {
            self.commands.close_owned(caller);
        }
        self.files.request(caller, op)
    }

    fn getenv(&mut self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn environment(&mut self) -> Vec<(String, String)> {
        std::env::vars_os()
            .map(|(n, v)| {
                (
                    n.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect()
    }

    /// The C library's math functions (through Rust's), as erl calls them.
    fn math(&mut self, which: MathFn, x: f64, y: f64) -> Option<f64> {
        Some(match which {
            MathFn::Sin => x.sin(),
            MathFn::Cos => x.cos(),
            MathFn::Tan => x.tan(),
            MathFn::Asin => x.asin(),
            MathFn::Acos => x.acos(),
            MathFn::Atan => x.atan(),
            MathFn::Sinh => x.sinh(),
            MathFn::Cosh => x.cosh(),
            MathFn::Tanh => x.tanh(),
            MathFn::Exp => x.exp(),
            MathFn::Log => x.ln(),
            MathFn::Log2 => x.log2(),
            MathFn::Log10 => x.log10(),
            MathFn::Pow => x.powf(y),
            MathFn::Atan2 => x.atan2(y),
        })
    }

    fn read_input(&mut self) -> Input {
        use std::sync::mpsc::TryRecvError;
        match self.input.get_or_insert_with(input_reader).try_recv() {
            Ok(bytes) => Input::Bytes(bytes),
            Err(TryRecvError::Empty) => Input::Pending,
            Err(TryRecvError::Disconnected) => Input::Eof,
        }
    }

    /// The kernel's random bytes (`/dev/urandom`, from the same generator as getrandom(2)).
    fn strong_random(&mut self, buf: &mut [u8]) -> bool {
        use std::io::Read;
        std::fs::File::open("/dev/urandom").is_ok_and(|mut f| f.read_exact(buf).is_ok())
    }

    fn os_pid(&mut self) -> u64 {
        u64::from(std::process::id())
    }

    fn hostname(&mut self) -> Option<String> {
        let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
        Some(name.trim().to_string()).filter(|n| !n.is_empty())
    }

    /// The kernel's release as erl reads it from uname: its first three numbers.
    fn os_version(&mut self) -> [u32; 3] {
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
        let mut v = [0u32; 3];
        for (slot, part) in v.iter_mut().zip(release.trim().split(['.', '-'])) {
            *slot = part
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0);
        }
        v
    }
}

/// OTP's library directory beside the `erl` that `PATH` finds, when that is an installed
/// OTP's own start script (or a link to it): ROOT/bin/erl, with kernel under ROOT/lib. `None`
/// when it is anything else (a version manager's shim, say).
fn otp_lib_beside_erl() -> Option<PathBuf> {
    let erl = std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("erl"))
        .find(|f| f.is_file())?;
    let lib = std::fs::canonicalize(erl)
        .ok()?
        .parent()?
        .parent()?
        .join("lib");
    let has_kernel = std::fs::read_dir(&lib).ok()?.any(|e| {
        e.is_ok_and(|e| {
            e.file_name().to_string_lossy().starts_with("kernel-") && e.path().join("ebin").is_dir()
        })
    });
    has_kernel.then_some(lib)
}

/// OTP's code path as erl's starts: the `ebin` folders of kernel, stdlib and every other
/// application under OTP's library directory (`XENBEAM_OTP_LIB`; else the one beside `erl`'s
/// start script, or failing that, what erl says its `code:lib_dir()` is).
fn otp_dirs(root: &std::path::Path) -> Vec<PathBuf> {
    let mut apps: Vec<(u8, PathBuf)> = match std::fs::read_dir(root) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path().join("ebin")))
            .filter(|ebin| ebin.is_dir())
            // erts's modules are erl's preloaded ones, never on its code path (here they are
            // BIFs and the node's own modules).
            .filter(|ebin| {
                let app = ebin
                    .parent()
                    .and_then(|p| p.file_name())
                    .and_then(|n| n.to_str());
                !app.is_some_and(|n| n == "erts" || n.starts_with("erts-"))
            })
            .map(|ebin| {
                let app = ebin
                    .parent()
                    .and_then(|p| p.file_name())
                    .and_then(|n| n.to_str());
                let first = match app.map(|n| n.split('-').next().unwrap_or(n)) {
                    Some("kernel") => 0,
                    Some("stdlib") => 1,
                    _ => 2,
                };
                (first, ebin)
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    apps.sort();
    apps.into_iter().map(|(_, d)| d).collect()
}

/// OTP's library directory: `XENBEAM_OTP_LIB`, else the one beside `erl`'s start script,
/// or failing that, what erl says its `code:lib_dir()` is.
fn otp_lib() -> Option<PathBuf> {
    let given = std::env::var_os("XENBEAM_OTP_LIB").map(PathBuf::from);
    given.or_else(otp_lib_beside_erl).or_else(|| {
        let out = Command::new("erl")
            .args([
                "-noshell",
                "-eval",
                "io:format(\"~s\",[code:lib_dir()]),halt().",
            ])
            .output()
            .ok()?;
        Some(PathBuf::from(
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ))
    })
}

/// Why the command line's items cannot run.
#[derive(Debug)]
enum ItemsError {
    /// Not a command line the runner takes: the message goes before the usage (status 2).
    Usage(String),
    /// An `-eval` with more than one word, which erl's init takes for a list it has no clause
    /// for: it dies before running anything, with this message (status 1).
    InitDies(String),
}

/// What the command line asks the first process to run: erl's `-run MOD [FUN [ARG...]]`,
/// `-s MOD [FUN [ARG...]]` and `-eval EXPRS` items, in order (FUN is `start` when left out;
/// an item's words go up to the next word that starts with `-` or `+`, as in erl; an `-eval`
/// without a word does nothing, as in erl), or, as before, `MOD FUN [ARG...]` alone, which is
/// `-run MOD FUN [ARG...]`.
fn start_items(words: &[String]) -> Result<Vec<StartItem>, ItemsError> {
    let Some(first) = words.first() else {
        return Err(ItemsError::Usage("nothing to run".into()));
    };
    if !first.starts_with('-') {
        return match words {
            [module, function, args @ ..] => Ok(vec![StartItem {
                module: module.clone(),
                function: function.clone(),
                args: args.to_vec(),
                atoms: false,
            }]),
            _ => Err(ItemsError::Usage(format!(
                "{first}: a module needs a function"
            ))),
        };
    }
    let mut items = Vec::new();
    // Every item's words, as erl's init has them before it prepares any (a bad `-eval` ends
    // the boot before the first item runs, wherever it is).
    let mut i = 0;
    let mut given_items = Vec::new();
    while i < words.len() {
        let flag = words[i].as_str();
        let plain = words[i + 1..]
            .iter()
            .take_while(|w| !w.starts_with('-') && !w.starts_with('+'))
            .count();
        given_items.push((flag, &words[i + 1..i + 1 + plain]));
        i += 1 + plain;
    }
    for (n, &(flag, given)) in given_items.iter().enumerate() {
        match (flag, given) {
            ("-run" | "-s", [module, rest @ ..]) => items.push(StartItem {
                module: module.clone(),
                function: rest.first().cloned().unwrap_or_else(|| "start".into()),
                args: rest.iter().skip(1).cloned().collect(),
                atoms: flag == "-s",
            }),
            ("-run" | "-s", []) => return Err(ItemsError::Usage(format!("{flag} needs a module"))),
            ("-eval", []) => {}
            ("-eval", [exprs]) => items.push(StartItem::eval(exprs)),
            ("-eval", exprs) => return Err(ItemsError::InitDies(eval_words_crash(n, exprs))),
            _ => return Err(ItemsError::Usage(format!("unknown option '{flag}'"))),
        }
    }
    Ok(items)
}

/// What erl prints when its init dies preparing the `n`th item (from 0), an `-eval` with
/// several words: a `function_clause` in `init:prepare_run_args/1`, called from init's own
/// `map/2`, one frame per item up to that one.
fn eval_words_crash(n: usize, exprs: &[String]) -> String {
    let words: Vec<String> = exprs.iter().map(|w| binary_text(w.as_bytes())).collect();
    let maps = "{init,map,2,[]},".repeat(n + 1);
    format!(
        "System process <0.0.0> terminated: {{function_clause,[{{init,prepare_run_args,[{{eval,[{}]}}],[]}},{maps}{{init,boot,1,[]}}]}}",
        words.join(",")
    )
}

fn load(bytes: &[u8]) -> Option<xenbeam::loader::Module> {
    xenbeam::loader::load(bytes).ok()
}

fn usage() -> ! {
    eprintln!(
        "usage: xenbeam-run [+P N] [--max-heap-words N] [--max-memory BYTES[K|M|G]] [--heap-limit BYTES[K|M|G]] [--xenstore[=KNOBS]] [-pa DIR]... ITEMS | --list-opcodes"
    );
    eprintln!(
        "  ITEMS                MOD FUN [ARG...], or erl's -run MOD [FUN [ARG...]], -s MOD [FUN [ARG...]] and\n                       \
         -eval EXPRS items, run in order by one process (FUN is start when left out)\n  \
         +P N                 at most N processes (erl's +P: 1024 to 134217727, rounded up to a power of two)\n  \
         --max-heap-words N   the default max_heap_size of every process, in words (erl's +hmax):\n                       \
         a process whose heap outgrows it is reported and killed\n  \
         --max-memory BYTES   what process heaps and code together may hold (K, M, G: KiB, MiB, GiB):\n                       \
         a process whose heap would grow past it is reported and killed\n  \
         --heap-limit BYTES   what the runner may allocate in all, as the image's kernel heap: an\n                       \
         allocation past it fails; the budget is then the image's for that heap"
    );
    #[cfg(feature = "op-profile")]
    eprintln!(
        "  --op-profile FILE    write the op profile to FILE instead of stderr on exit\n  \
         --op-profile-top N   list the N most frequent ops and pairs (default 40, 0: all)"
    );
    exit(2);
}

/// Where the op profile goes on exit and how long it is.
struct ProfileOptions {
    /// The report's file; stderr when absent.
    file: Option<PathBuf>,
    /// How many kinds and pairs the report lists (0: all).
    top: usize,
    /// Whether either option was given (refused by a build without the feature).
    given: bool,
}

/// A command-line argument as text; one that is not UTF-8 (only a `-pa` directory may be)
/// ends the run with a clear message and status 2.
fn text(arg: std::ffi::OsString) -> String {
    arg.into_string().unwrap_or_else(|bad| {
        eprintln!("xenbeam-run: argument {bad:?} is not valid UTF-8");
        exit(2)
    })
}

/// A byte count with an optional binary suffix (`64M`); `None` when it is not one, or zero.
fn byte_count(text: &str) -> Option<usize> {
    let (digits, shift) = match text.as_bytes().last()? {
        b'K' | b'k' => (&text[..text.len() - 1], 10),
        b'M' | b'm' => (&text[..text.len() - 1], 20),
        b'G' | b'g' => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    let n: usize = digits.parse().ok()?;
    n.checked_mul(1 << shift).filter(|&n| n > 0)
}

fn main() {
    let mut args = std::env::args_os().skip(1);
    let mut path = Vec::new();
    let mut rest = Vec::new();
    let mut max_heap: usize = 0;
    let mut max_memory = usize::MAX;
    let mut heap_limit = None;
    let mut process_limit = None;
    let mut xenstore = None;
    let mut profile = ProfileOptions {
        file: None,
        top: 40,
        given: false,
    };
    while let Some(a) = args.next() {
        if a == "-pa" {
            match args.next() {
                Some(d) => path.push(PathBuf::from(d)),
                None => usage(),
            }
            continue;
        }
        let a = text(a);
        if let Some(knobs) = a
            .strip_prefix("--xenstore")
            .and_then(|r| r.strip_prefix('=').or(r.is_empty().then_some("")))
        {
            match XenstoredConfig::parse(knobs) {
                Ok(cfg) => xenstore = Some(cfg),
                Err(e) => {
                    eprintln!("xenbeam-run: --xenstore: {e}");
                    exit(2);
                }
            }
            continue;
        }
        match a.as_str() {
            "--list-opcodes" => {
                for op in IMPLEMENTED.iter().filter_map(|&n| by_number(n)) {
                    println!("{}", op.name);
                }
                return;
            }
            "--max-heap-words" => match args.next().and_then(|n| text(n).parse().ok()) {
                Some(n) => max_heap = n,
                None => usage(),
            },
            "--max-memory" => {
                let Some(value) = args.next().map(text) else {
                    usage()
                };
                match byte_count(&value) {
                    Some(n) => max_memory = n,
                    None => {
                        eprintln!(
                            "xenbeam-run: --max-memory: {value:?} is not a positive byte count (e.g. 67108864 or 64M)"
                        );
                        exit(2);
                    }
                }
            }
            "--heap-limit" => {
                let Some(value) = args.next().map(text) else {
                    usage()
                };
                match byte_count(&value) {
                    Some(n) => heap_limit = Some(n),
                    None => {
                        eprintln!(
                            "xenbeam-run: --heap-limit: {value:?} is not a positive byte count (e.g. 268435456 or 256M)"
                        );
                        exit(2);
                    }
                }
            }
            "+P" => {
                let n = args.next().map(text).unwrap_or_else(|| usage());
                let limit = n
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| n.parse().ok())
                    .flatten()
                    .and_then(round_process_limit);
                match limit {
                    Some(l) => process_limit = Some(l),
                    None => {
                        eprintln!(
                            "xenbeam-run: bad number of processes {n} for +P (from {MIN_PROCESS_LIMIT} to {MAX_PROCESS_LIMIT})"
                        );
                        exit(2);
                    }
                }
            }
            "--op-profile" => match args.next() {
                Some(f) => (profile.file, profile.given) = (Some(PathBuf::from(f)), true),
                None => usage(),
            },
            "--op-profile-top" => match args.next().and_then(|n| text(n).parse().ok()) {
                Some(n) => (profile.top, profile.given) = (n, true),
                None => usage(),
            },
            _ => {
                rest.push(a);
                rest.extend(args.by_ref().map(text));
            }
        }
    }
    let items = match start_items(&rest) {
        Ok(items) => items,
        Err(ItemsError::Usage(e)) => {
            eprintln!("xenbeam-run: {e}");
            usage();
        }
        Err(ItemsError::InitDies(msg)) => {
            eprintln!("{msg}\n\nCrash dump is being written to: erl_crash.dump...done");
            exit(1);
        }
    };
    if profile.given && !cfg!(feature = "op-profile") {
        eprintln!("xenbeam-run: --op-profile needs a build with the op-profile feature");
        exit(2);
    }
    // `init:get_argument(pa)`: the -pa directories as given.
    let pa: Vec<String> = path
        .iter()
        .map(|d| d.to_string_lossy().into_owned())
        .collect();
    // As in erl: the -pa directories, the current directory, then OTP's.
    path.push(PathBuf::from("."));
    let lib = otp_lib();
    if let Some(lib) = &lib {
        path.extend(otp_dirs(lib));
    }
    // erl's own boot, unless the run asks for the image's, with the simulated xenstored.
    let otp = lib
        .as_deref()
        .and_then(OtpRoot::of)
        .filter(|_| xenstore.is_none() && !BOOT_MODULE.is_empty());
    if let Some(limit) = heap_limit {
        if ALLOCATOR.set_limit(limit).is_err() {
            eprintln!(
                "xenbeam-run: --heap-limit: {limit} bytes are fewer than the runner already holds"
            );
            exit(2);
        }
        if max_memory == usize::MAX {
            max_memory = xenbeam::vm::memory::budget_within(limit, ALLOCATOR.allocated());
        }
    }
    // Deep Erlang recursion and deep terms never recurse in Rust (tests/deep_terms.rs passes
    // with an 8 MiB stack); the wide stack is a margin for native code that might.
    let child = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let limits = Limits {
                max_heap,
                max_memory,
                process_limit,
            };
            run(path, pa, items, limits, xenstore, profile, otp)
        })
        .unwrap_or_else(|_| exit(70));
    let code = child.join().unwrap_or(70);
    exit(code);
}

/// Limits the command line sets.
struct Limits {
    /// `--max-heap-words`: the default `max_heap_size` (0: none).
    max_heap: usize,
    /// `--max-memory`: the node's memory budget in bytes (`usize::MAX`: none).
    max_memory: usize,
    /// `+P`, rounded as erl rounds it.
    process_limit: Option<usize>,
}

fn run(
    path: Vec<PathBuf>,
    pa: Vec<String>,
    items: Vec<StartItem>,
    limits: Limits,
    xenstore: Option<XenstoredConfig>,
    profile: ProfileOptions,
    otp: Option<OtpRoot>,
) -> i32 {
    let platform = HostPlatform::new();
    if let Some(cfg) = xenstore {
        platform.channels.attach_xenstored(cfg);
    }
    let mut node = Node::new(platform, load);
    if let Some(limit) = limits.process_limit {
        node.st.set_process_limit(limit);
    }
    node.set_max_heap_size(MaxHeap {
        size: limits.max_heap as u64,
        ..MaxHeap::default()
    });
    node.set_max_memory(limits.max_memory);
    node.charge_code();
    if otp.is_some() {
        node.set_kernel_room(xenbeam::vm::memory::kernel_room_within(limits.max_memory));
    }
    let boot_args = otp.as_ref().map(|o| o.boot_args(&pa, &items));
    let mut src = SearchPath {
        dirs: path,
        erts: otp.as_ref().map(OtpRoot::ebin),
    };
    let mut io = Console {
        out: std::io::BufWriter::new(std::io::stdout()),
        start: std::time::Instant::now(),
        files: host_files::HostFiles::default(),
        code_path: src
            .dirs
            .iter()
            .map(|d| d.to_string_lossy().into_owned())
            .collect(),
        pa,
        commands: host_commands::HostCommands::default(),
        input: None,
    };
    // The kernel's services start first, as in the image (the Xenstore driver only with a
    // Xenstore, the simulated xenstored).
    let stop = if let Some(args) = boot_args {
        if !node.boot(&args) {
            eprintln!("xenbeam-run: OTP's init cannot be started");
            return 70;
        }
        // The runner's own modules are preloaded, as erl's emulator preloads its own: OTP's
        // code server looks for modules only in the code path's directories.
        for name in OWN_MODULES.iter().chain(&OTP_PRELOADED) {
            if let Ok(m) = node.rt.vm.atoms.intern(name) {
                node.rt.ensure_loaded(m, &mut src, &mut io);
            }
        }
        node.run(&mut io, &mut src)
    } else {
        match node.start_services(&mut io, &mut src) {
            Err(stop) => stop,
            Ok(()) => {
                // Only `-eval`s without a word: nothing to run (erl would wait forever).
                if !items.is_empty() && node.spawn_items(&items).is_none() {
                    eprintln!("xenbeam-run: a module or function name is not a valid atom");
                    usage();
                }
                node.run(&mut io, &mut src)
            }
        }
    };
    for (m, e) in &node.rt.load_errors {
        eprintln!("xenbeam-run: could not load {m}: {e:?}");
    }
    let _ = io.out.flush();
    #[cfg(feature = "op-profile")]
    write_profile(&node.rt.vm, &profile);
    #[cfg(not(feature = "op-profile"))]
    let _ = profile;
    match stop {
        Stop::Halt(n) => n,
        Stop::Idle { alive: 0 } => 0,
        Stop::Idle { alive } => {
            // erl would wait forever; nothing can ever wake these processes, so stop instead.
            eprintln!(
                "xenbeam-run: no process can run any more ({alive} waiting for messages that cannot arrive)"
            );
            1
        }
        Stop::HaltMessage(msg) => {
            // erl writes the message as the crash dump's slogan and exits with status 1.
            eprintln!("{msg}\n\nCrash dump is being written to: erl_crash.dump...done");
            1
        }
        Stop::Crash {
            mut process,
            class,
            reason,
            trace,
        } => {
            let (line, _) =
                Runtime::boot_crash_report(&node.rt.vm, &mut process, class, reason, trace);
            let slogan =
                Runtime::boot_crash_slogan(&node.rt.vm, &mut process, class, reason, trace);
            io.stdout(&line);
            io.stderr(
                format!("{slogan}\n\nCrash dump is being written to: erl_crash.dump...done\n")
                    .as_bytes(),
            );
            1
        }
    }
}

/// Writes the op profile where `options` say; a file that cannot be written is reported.
#[cfg(feature = "op-profile")]
fn write_profile(vm: &xenbeam::vm::interp::Vm, options: &ProfileOptions) {
    let report = vm
        .profile
        .report_with(options.top, Some((&vm.code, &vm.atoms)));
    match &options.file {
        None => eprint!("{report}"),
        Some(file) => {
            if let Err(e) = std::fs::write(file, report) {
                eprintln!(
                    "xenbeam-run: cannot write the op profile to {}: {e}",
                    file.display()
                );
            }
        }
    }
}

/// The host as a platform: the real clocks, sleeping until the deadline, and in-process
/// loopback channels and pages (those of the simulation, whose clock is kept at the host's
/// monotonic time so a simulated xenstored's delays are real ones).
struct HostPlatform {
    channels: SimPlatform,
    start: Instant,
}

impl HostPlatform {
    fn new() -> Self {
        Self {
            channels: SimPlatform::new(),
            start: Instant::now(),
        }
    }
}

impl Platform for HostPlatform {
    type Page = SimPage;

    fn now_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    fn system_time_ns(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    }

    fn cpu_ns(&self) -> u64 {
        // Linux's time on a CPU of the thread that runs the node (its first field, in
        // nanoseconds); elsewhere the wall clock.
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| self.now_ns())
    }

    fn wait_for_events(&self, deadline: Option<u64>) {
        self.channels.set_now(self.now_ns());
        self.channels.run_xenstored();
        // Channels only fire from this thread, so nothing can arrive while we sleep.
        if self.channels.has_pending() || self.channels.xenstored_busy() {
            return;
        }
        let deadline = match (deadline, self.channels.xenstored_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match deadline {
            Some(d) => {
                let now = self.now_ns();
                if d > now {
                    std::thread::sleep(Duration::from_nanos(d - now));
                }
            }
            None => std::thread::sleep(Duration::from_secs(1)),
        }
    }

    fn take_pending(&self, sink: &mut dyn FnMut(Channel)) {
        self.channels.set_now(self.now_ns());
        self.channels.take_pending(sink);
    }

    fn wait_for_channel(&self, channel: Channel, deadline: u64) -> bool {
        loop {
            self.channels.set_now(self.now_ns());
            self.channels.run_xenstored();
            if self.channels.clear_pending(channel) {
                return true;
            }
            if self.channels.xenstored_busy() {
                continue;
            }
            let now = self.now_ns();
            if now >= deadline {
                return false;
            }
            let until = self.channels.sleep_until(now, deadline);
            std::thread::sleep(Duration::from_nanos(until - now));
        }
    }

    fn notify(&self, channel: Channel) -> Result<(), PlatformError> {
        self.channels.notify(channel)
    }

    fn loopback_pair(&self) -> Result<(Channel, Channel), PlatformError> {
        self.channels.loopback_pair()
    }

    fn close(&self, channel: Channel) {
        self.channels.close(channel);
    }

    fn alloc_page(&self) -> Result<SimPage, PlatformError> {
        self.channels.alloc_page()
    }

    fn free_page(&self, page: SimPage) {
        self.channels.free_page(page);
    }

    fn console_write(&self, bytes: &[u8]) {
        let _ = std::io::stdout().write_all(bytes);
    }

    fn xenstore(&self) -> Option<(SimPage, Channel)> {
        self.channels.xenstore()
    }
}
