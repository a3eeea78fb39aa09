//! Running Erlang in the image: `-run MOD FUN [ARG...]` over the embedded module archive.
//!
//! Modules load on demand from the archive `scripts/build` embedded. When it embeds OTP's
//! `init` (a program that uses OTP behaviours), the node boots as erl does: `init` reads the
//! boot script and the modules from the archive's files through OTP's `erl_prim_loader`;
//! otherwise the node starts the kernel's services itself. `erlang:display/1` and
//! other output go to the console, and standard input comes from it. Processes run on a
//! [`Node`] over the Xen seam: receive timeouts and timers sleep in SCHEDOP_poll, pores and
//! outlets use real event channels. When the program halts or its last process ends, the exit
//! status is logged and the caller powers the domain off.

#[cfg(feature = "archive-files")]
use alloc::string::String;
use alloc::vec::Vec;
use log::{error, info, warn};
#[cfg(feature = "archive-files")]
use xenbeam::archive::files::FileView;
use xenbeam::archive::Archive;
use xenbeam::sched::{Node, OtpBoot, StartItem, Stop};
use xenbeam::vm::bif::{Input, Io};
use xenbeam::vm::driver::{ModuleSource, Runtime};
#[cfg(feature = "archive-files")]
use xenbeam::vm::files::{FileOp, FileReply, Posix};
use xenbeam_xen::cmdline::RunSpec;
use xenbeam_xen::console::{self, Received};
use xenbeam_xen::platform::Platform;

use crate::seam::XenPlatform;

struct Embedded<'a>(Archive<'a>);

impl ModuleSource for Embedded<'_> {
    /// A module by name, or (under OTP's boot, where modules are files of the archive) the
    /// file `.../ebin/NAME.beam`, as the host runner finds modules in the code path's
    /// directories.
    fn find(&mut self, name: &str) -> Option<Vec<u8>> {
        self.0
            .get(name)
            .or_else(|| {
                self.0.entries().find_map(|(path, data)| {
                    let dir = path.strip_suffix(".beam")?.strip_suffix(name)?;
                    dir.ends_with("/ebin/").then_some(data)
                })
            })
            .map(<[u8]>::to_vec)
    }
}

/// The image's side of the runtime's I/O: the console, and the archive's files (read-only;
/// with the `archive-files` feature, else none).
struct Console {
    platform: &'static Platform,
    #[cfg(feature = "archive-files")]
    files: FileView<'static>,
}

impl Io for Console {
    fn stdout(&mut self, bytes: &[u8]) {
        self.platform.console_write(bytes);
    }
    fn stderr(&mut self, bytes: &[u8]) {
        self.platform.console_write(bytes);
    }
    /// Input typed at the console (by xenconsoled from the domain's pty); a ^D at the start
    /// of a line ends it.
    fn read_input(&mut self) -> Input {
        let mut buf = [0u8; console::INPUT.size as usize];
        match self.platform.console_read(&mut buf) {
            Ok(Received::Bytes(n)) => Input::Bytes(buf.get(..n).unwrap_or_default().to_vec()),
            Ok(Received::Nothing) => Input::Pending,
            Ok(Received::End) => Input::Eof,
            Err(e) => {
                error!("console input {e}");
                Input::Eof
            }
        }
    }
    fn log(&mut self, level: log::Level, text: &str) {
        log::log!(level, "{text}");
    }
    /// The processor's random number generator (RDRAND), where it has one.
    #[cfg(feature = "crypto")]
    fn strong_random(&mut self, buf: &mut [u8]) -> bool {
        xenbeam_arch::cpu::rdrand_fill(buf)
    }
    #[cfg(feature = "archive-files")]
    fn file(&mut self, caller: u32, op: FileOp<'_>) -> Result<FileReply, Posix> {
        self.files.request(caller, op)
    }
    #[cfg(feature = "archive-files")]
    fn code_path(&mut self) -> Vec<String> {
        self.files.app_ebins()
    }
}

fn load(bytes: &[u8]) -> Option<xenbeam::loader::Module> {
    match xenbeam::loader::load(bytes) {
        Ok(m) => Some(m),
        Err(e) => {
            warn!("loading a module: {e}");
            None
        }
    }
}

/// Logs what the archive holds.
pub fn describe(modules: &'static [u8]) {
    match Archive::parse(modules) {
        Ok(a) if a.is_empty() => info!("no Erlang modules embedded"),
        Ok(a) => {
            let files = a.entries().filter(|(n, _)| n.starts_with('/')).count();
            info!(
                "{} Erlang modules and {files} files embedded ({} KiB)",
                a.len() - files,
                modules.len() / 1024
            )
        }
        Err(e) => error!("{e}"),
    }
}

/// Starts a node over the Xen seam with the kernel's Erlang services (the Xenstore driver,
/// which logs the domain's name and id), then runs the command line's items (`-run`, `-s`),
/// if any, one after another in one process as erl's init does, to the node's end. Returns
/// the exit status (as `erl` would exit), or `None` without items. The node stops when
/// a process halts, when the `-run` process crashes, or when no process can ever run again
/// (0 if none of the program's is left, 1 if some wait for messages that cannot arrive).
/// `memory_budget` bytes is what the node's process heaps may hold together.
pub fn run(
    platform: &'static Platform,
    modules: &'static [u8],
    specs: &[RunSpec<'_>],
    memory_budget: usize,
) -> Option<i32> {
    let spec = (!specs.is_empty()).then_some(specs);
    let archive = match Archive::parse(modules) {
        Ok(a) => a,
        Err(e) => {
            error!("{e}");
            return spec.map(|_| 1);
        }
    };
    let mut io = Console {
        platform,
        #[cfg(feature = "archive-files")]
        files: FileView::new(&archive),
    };
    let boot = otp_boot(&archive);
    let mut src = Embedded(archive);
    let mut node = Node::new(XenPlatform::new(platform), load);
    node.set_max_memory(memory_budget);
    if boot.is_some() {
        // OTP's boot loads some 12 MB of code and runs the kernel as Erlang processes: the
        // budget counts the code, as the host runner's does, and keeps its top for them.
        node.charge_code();
        node.set_kernel_room(xenbeam::vm::memory::kernel_room_within(memory_budget));
    }
    info!(
        "erlang: process heaps may hold {} KiB",
        memory_budget / 1024
    );
    let status = if let Some(boot) = boot {
        Some(boot_otp(&mut node, &boot, specs, &mut io, &mut src))
    } else {
        match node.start_services(&mut io, &mut src) {
            Err(stop) => {
                warn!("the kernel's Erlang services stopped the node");
                Some(stop)
            }
            Ok(()) => spec.map(|spec| start(&mut node, spec, &mut io, &mut src)),
        }
    }
    .map(|stop| status(&mut node, stop, &mut io));
    for (m, e) in &node.rt.load_errors {
        warn!("could not load module {m}: {e:?}");
    }
    spec.and(status.or(Some(1)))
}

/// The OTP installation the archive mirrors when its program boots OTP's way
/// (`scripts/build` embeds OTP's `init` then, with the installation's `bin/start.boot` and
/// `releases/start_erl.data`, which names erts's version).
fn otp_boot(archive: &Archive<'_>) -> Option<OtpBoot> {
    archive.get("init")?;
    let root = archive
        .entries()
        .find_map(|(name, _)| name.strip_suffix("/bin/start.boot"))?;
    let data_file = alloc::format!("{root}/releases/start_erl.data");
    let (_, data) = archive.entries().find(|(name, _)| *name == data_file)?;
    let erts = core::str::from_utf8(data).ok()?.split_whitespace().next()?;
    Some(OtpBoot {
        root: root.into(),
        erts: erts.into(),
    })
}

/// Boots as erl does ([`Node::boot`]): OTP's `init` evaluates the boot script, then runs
/// the command line's items, the program's applications' `ebin` directories in the code
/// path (one `-pa` flag, as `erl -pa Dir1 Dir2` gives them). The archive's modules (the
/// kernel's, the boot's, erl's preloaded ones) are loaded first, as erl's emulator
/// preloads its own.
fn boot_otp(
    node: &mut Node<XenPlatform>,
    boot: &OtpBoot,
    specs: &[RunSpec<'_>],
    io: &mut Console,
    src: &mut Embedded<'_>,
) -> Stop {
    let items = start_items(specs);
    let dirs: Vec<alloc::string::String> = src
        .0
        .entries()
        .filter_map(|(name, _)| app_ebin(name))
        .fold(Vec::new(), |mut dirs, d| {
            if !dirs.contains(&d) {
                dirs.push(d);
            }
            dirs
        });
    let pa: Vec<Vec<alloc::string::String>> =
        (!dirs.is_empty()).then_some(dirs).into_iter().collect();
    info!("booting OTP's init with {}/bin/start.boot", boot.root);
    // The home directory is the root of the archive's files (it holds no `.erlang`).
    if !node.boot(&boot.args(Some("/"), &pa, &items)) {
        error!("OTP's init cannot be started");
        return Stop::Halt(1);
    }
    let names: Vec<&str> = src
        .0
        .entries()
        .map(|(name, _)| name)
        .filter(|name| !name.starts_with('/'))
        .collect();
    for name in names {
        if let Ok(m) = node.rt.vm.atoms.intern(name) {
            node.rt.ensure_loaded(m, src, io);
        }
    }
    node.run(io, src)
}

/// The `ebin` directory of an application's file in the archive (`/lib/App/ebin/...`).
fn app_ebin(path: &str) -> Option<alloc::string::String> {
    let mut parts = path.strip_prefix("/lib/")?.split('/');
    let (app, ebin) = (parts.next()?, parts.next()?);
    (ebin == "ebin" && parts.next().is_some()).then(|| alloc::format!("/lib/{app}/ebin"))
}

/// The command line's items as the node runs them.
fn start_items(specs: &[RunSpec<'_>]) -> Vec<StartItem> {
    // Like erl's -run and -s: no arguments calls FUN/0, otherwise FUN/1 with the list of
    // strings (-run) or atoms (-s).
    specs
        .iter()
        .map(|s| StartItem {
            module: s.module.into(),
            function: s.function.into(),
            args: s.arg_list().map(alloc::string::String::from).collect(),
            atoms: s.atoms,
        })
        .collect()
}

/// Runs the command line's items in their process to the node's end.
fn start(
    node: &mut Node<XenPlatform>,
    specs: &[RunSpec<'_>],
    io: &mut Console,
    src: &mut Embedded<'_>,
) -> Stop {
    let items = start_items(specs);
    for item in &items {
        info!(
            "running {}:{}/{}",
            item.module,
            item.function,
            usize::from(!item.args.is_empty())
        );
    }
    if node.spawn_items(&items).is_none() {
        error!("-run/-s: a module or function name is not a valid atom");
        return Stop::Halt(1);
    }
    node.run(io, src)
}

/// The exit status for why the node stopped, with erl's report of a crash.
fn status(node: &mut Node<XenPlatform>, stop: Stop, io: &mut Console) -> i32 {
    match stop {
        Stop::Halt(n) => n,
        Stop::Idle { alive: 0 } => 0,
        Stop::Idle { alive } => {
            error!("no process can run any more ({alive} wait for messages that cannot arrive)");
            1
        }
        Stop::HaltMessage(msg) => {
            error!("halted: {msg}");
            1
        }
        Stop::Crash {
            mut process,
            class,
            reason,
            trace,
        } => {
            // As erl does, the crash term goes to standard output, then the reason is logged.
            let (line, why) =
                Runtime::boot_crash_report(&node.rt.vm, &mut process, class, reason, trace);
            io.stdout(&line);
            error!("uncaught {class:?} exception: {why}");
            1
        }
    }
}
