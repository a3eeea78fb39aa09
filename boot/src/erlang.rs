//! Running Erlang in the image: `-run MOD FUN [ARG...]` over the embedded module archive.
//!
//! Modules load on demand from the archive `scripts/build` embedded. `erlang:display/1` and
//! other output go to the console. When the program halts or its function returns, the exit
//! status is logged and the caller powers the domain off.

use alloc::string::String;
use alloc::vec::Vec;
use log::{error, info, warn};
use xenbeam::archive::Archive;
use xenbeam::vm::bif::Io;
use xenbeam::vm::display::display;
use xenbeam::vm::driver::{Finish, ModuleSource, Runtime};
use xenbeam::vm::term::Term;
use xenbeam_xen::cmdline::RunSpec;
use xenbeam_xen::platform::Platform;

/// The pid number erl gives the process that runs `-run`.
const RUN_PID: u32 = 9;

struct Embedded<'a>(Archive<'a>);

impl ModuleSource for Embedded<'_> {
    fn find(&mut self, name: &str) -> Option<Vec<u8>> {
        self.0.get(name).map(<[u8]>::to_vec)
    }
}

struct Console(&'static Platform);

impl Io for Console {
    fn stdout(&mut self, bytes: &[u8]) {
        self.0.console_write(bytes);
    }
    fn stderr(&mut self, bytes: &[u8]) {
        self.0.console_write(bytes);
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
        Ok(a) => info!(
            "{} Erlang modules embedded ({} KiB)",
            a.len(),
            modules.len() / 1024
        ),
        Err(e) => error!("{e}"),
    }
}

/// Runs `spec` to completion; returns the exit status (as `erl -run` would exit).
pub fn run(platform: &'static Platform, modules: &'static [u8], spec: &RunSpec<'_>) -> i32 {
    let archive = match Archive::parse(modules) {
        Ok(a) => a,
        Err(e) => {
            error!("{e}");
            return 1;
        }
    };
    let mut src = Embedded(archive);
    let mut io = Console(platform);
    let mut rt = Runtime::new(load);
    let (Ok(module), Ok(function)) = (
        rt.vm.atoms.intern(spec.module),
        rt.vm.atoms.intern(spec.function),
    ) else {
        error!("-run {} {}: not valid atoms", spec.module, spec.function);
        return 1;
    };
    let args: Vec<&str> = spec.arg_list().collect();
    info!(
        "running {}:{}/{}",
        spec.module,
        spec.function,
        usize::from(!args.is_empty())
    );
    // Like erl's -run: no arguments calls FUN/0, otherwise FUN/1 with the list of strings.
    let mut p = rt.spawn(
        module,
        function,
        &[Term::NIL][..usize::from(!args.is_empty())],
        RUN_PID,
    );
    if !args.is_empty() {
        let strings: Vec<Term> = args.iter().map(|s| p.heap.string(s)).collect();
        p.x[0] = p.heap.list(&strings);
    }
    let finish = rt.run(&mut p, &mut io, &mut src);
    for (m, e) in &rt.load_errors {
        warn!("could not load module {m}: {e:?}");
    }
    match finish {
        Finish::Returned => 0,
        Finish::Halt(n) => n,
        Finish::Deadlock => {
            error!("the program waits for a message that can never arrive");
            1
        }
        Finish::HaltMessage(msg) => {
            error!("halted: {msg}");
            1
        }
        Finish::Crash {
            class,
            reason,
            trace,
        } => {
            // As erl does, the crash term goes to standard output, then the reason is logged.
            let t = Runtime::boot_crash_term(&mut p, class, reason, trace);
            let mut text = display(&p.heap.view(&rt.vm.lits), &rt.vm.atoms, &rt.vm.code, t);
            text.push(b'\n');
            io.stdout(&text);
            let why = display(&p.heap.view(&rt.vm.lits), &rt.vm.atoms, &rt.vm.code, reason);
            error!(
                "uncaught {class:?} exception: {}",
                String::from_utf8_lossy(&why)
            );
            1
        }
    }
}
