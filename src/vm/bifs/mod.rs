//! The BIF table: every natively implemented `M:F/A`.
//!
//! Only functions OTP itself implements natively are here; everything else in `lists`, `maps`
//! and friends comes from OTP's own `.beam` files.

pub mod arith;
pub mod atomics;
pub mod binary;
pub mod characters;
pub mod checksum;
pub mod codeload;
pub mod command;
pub mod conv;
pub mod crypto;
pub mod etf;
pub mod ets;
pub mod files;
pub mod from_list;
pub mod guards;
pub mod info;
pub mod lists;
pub mod maps;
pub mod math;
pub mod md5;
pub mod misc;
pub mod packet;
pub mod packet_http;
pub mod persistent;
pub mod pores;
pub mod procinfo;
pub mod procs;
pub mod re;
pub mod system;
pub mod time;
pub mod to_binary;
pub mod trace;
pub mod trap;
pub mod tuples;
pub mod unicode;
pub mod xenbeam;
pub mod zlib;
pub mod zstream;

use crate::vm::atom::{self, AtomTable};
use crate::vm::bif::BifFn;
use crate::vm::code::{Code, Target};

/// One natively implemented `module:name/arity`, as [`all`] gives it.
///
/// The module is an index into [`MODULES`]. The tables keep names, functions and the
/// module and arity in three arrays ([`Table`]): 26 bytes an entry, where a `Bif` is 32 and
/// a tuple of two `&str`s, the arity and the function was 48.
#[derive(Clone, Copy)]
pub struct Bif {
    /// The function's name.
    pub name: &'static str,
    /// The implementation.
    pub f: BifFn,
    module: u8,
    /// The arity.
    pub arity: u8,
}

/// The modules of [`TABLE`]'s functions.
const MODULES: &[&str] = &[
    "erlang",
    "atomics",
    "binary",
    "code",
    "counters",
    "crypto",
    "erl_prim_loader",
    "erts_internal",
    "ets",
    "file",
    "inet",
    "init",
    "io",
    "lists",
    "maps",
    "math",
    "net_kernel",
    "os",
    "outlet",
    "persistent_term",
    "pore",
    "prim_file",
    "re",
    "string",
    "unicode",
    "xenbeam",
    "zlib",
];

/// `module`'s index in [`MODULES`]; evaluated when the table is compiled, so a module missing
/// from the list stops the build.
const fn module_index(module: &str) -> u8 {
    let mut i = 0;
    while i < MODULES.len() {
        let (a, b) = (MODULES[i].as_bytes(), module.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i as u8;
            }
        }
        i += 1;
    }
    panic!("a BIF's module is missing from MODULES")
}

/// A table of BIFs, entry `i` in each array.
pub struct Table {
    names: &'static [&'static str],
    fns: &'static [BifFn],
    /// Module index and arity.
    meta: &'static [(u8, u8)],
}

impl Table {
    /// The entries in order.
    pub fn iter(&'static self) -> impl Iterator<Item = Bif> {
        self.names
            .iter()
            .zip(self.fns)
            .zip(self.meta)
            .map(|((&name, &f), &(module, arity))| Bif {
                name,
                f,
                module,
                arity,
            })
    }
}

impl Bif {
    /// The function's module.
    pub fn module(&self) -> &'static str {
        MODULES[self.module as usize]
    }
}

/// The native implementation of `module:function/arity`, if there is one (a name search of
/// [`TABLE`]: for compiling match specifications and `is_builtin/3`; calls find BIFs through
/// the export entries [`register`] made).
pub fn lookup(module: &str, function: &str, arity: u32) -> Option<Target> {
    if module == "erlang" && function == "apply" && (arity == 2 || arity == 3) {
        return Some(Target::Apply);
    }
    all()
        .find(|b| b.name == function && u32::from(b.arity) == arity && b.module() == module)
        .map(|b| Target::Bif(b.f))
}

/// The functions here that erl writes in Erlang (in `erlang.erl` and `unicode.erl`), as
/// `name/arity` by module: a tail call of one leaves its caller's frame, gone before the
/// call, out of a failure's stack trace, as erl's tail call of the Erlang function does.
const ERLANG_WRITTEN: &[(&str, &[&str])] = &[
    (
        "erlang",
        &[
            "atom_to_binary/1",
            "binary_to_atom/1",
            "convert_time_unit/3",
            "fun_info/1",
            "garbage_collect/1",
            "garbage_collect/2",
            "group_leader/2",
            "halt/1",
            "memory/1",
            "port_close/1",
            "port_command/2",
            "port_command/3",
            "port_connect/2",
            "port_control/3",
            "port_call/3",
            "process_display/2",
            "process_flag/3",
            "send_nosuspend/2",
            "send_nosuspend/3",
            "spawn/1",
            "spawn/4",
            "spawn_link/1",
            "spawn_link/2",
            "spawn_link/4",
            "spawn_monitor/1",
            "spawn_monitor/2",
            "spawn_monitor/3",
            "spawn_monitor/4",
            "spawn_opt/2",
            "spawn_opt/3",
            "spawn_opt/5",
            "spawn_request/1",
            "spawn_request/2",
            "spawn_request/3",
            "spawn_request/4",
            "spawn_request/5",
            "suspend_process/1",
            "suspend_process/2",
            "trace/3",
            "trace_pattern/2",
            "trace_pattern/3",
            "purge_module/1",
            "load_module/2",
            "open_port/2",
            "prepare_loading/2",
        ],
    ),
    (
        "unicode",
        &["characters_to_list/1", "characters_to_binary/1"],
    ),
];

/// Whether erl writes `module:function/arity` in Erlang ([`ERLANG_WRITTEN`]).
pub fn erlang_written(module: &str, function: &str, arity: usize) -> bool {
    ERLANG_WRITTEN.iter().any(|(m, fs)| {
        *m == module
            && fs.iter().any(|f| {
                f.split_once('/')
                    .is_some_and(|(n, a)| n == function && a.parse() == Ok(arity))
            })
    })
}

/// Gives every BIF its export entry, once, when the VM starts (as erl does from its BIF
/// table): calls, `apply` and export funs then find BIFs by the export table's index like
/// any other function, and a module loaded later keeps the native versions of its BIFs.
pub fn register(code: &mut Code, atoms: &mut AtomTable) {
    for b in all() {
        // The table's names are short and few: the atom table takes them at start.
        let (Ok(m), Ok(f)) = (atoms.intern(b.module()), atoms.intern(b.name)) else {
            continue;
        };
        let i = code.export(m, f, u32::from(b.arity)) as usize;
        code.exports[i].target = Target::Bif(b.f);
    }
    for arity in [2, 3] {
        let i = code.export(atom::ERLANG, atom::APPLY, arity) as usize;
        code.exports[i].target = Target::Apply;
    }
}

/// Builds [`TABLE`] from `(module, function, arity, implementation)` tuples, the form
/// `scripts/build` reads the table's lines in.
macro_rules! bifs {
    ($(($m:literal, $f:literal, $a:literal, $imp:path $(,)?)),* $(,)?) => {
        Table {
            names: &[$($f),*],
            fns: &[$($imp as BifFn),*],
            meta: &[$((module_index($m), $a)),*],
        }
    };
}

/// (module, function, arity, implementation).
pub static TABLE: Table = bifs![
    ("erlang", "+", 2, arith::add),
    ("erlang", "-", 2, arith::sub),
    ("erlang", "*", 2, arith::mul),
    ("erlang", "/", 2, arith::fdiv),
    ("erlang", "div", 2, arith::div),
    ("erlang", "rem", 2, arith::rem),
    ("erlang", "band", 2, arith::band),
    ("erlang", "bor", 2, arith::bor),
    ("erlang", "bxor", 2, arith::bxor),
    ("erlang", "bsl", 2, arith::bsl),
    ("erlang", "bsr", 2, arith::bsr),
    ("erlang", "bnot", 1, arith::bnot),
    ("erlang", "-", 1, arith::neg),
    ("erlang", "+", 1, arith::plus),
    ("erlang", "abs", 1, arith::abs),
    ("erlang", "==", 2, guards::op_eq),
    ("erlang", "/=", 2, guards::op_ne),
    ("erlang", "=:=", 2, guards::op_exact_eq),
    ("erlang", "=/=", 2, guards::op_exact_ne),
    ("erlang", "<", 2, guards::op_lt),
    ("erlang", "=<", 2, guards::op_le),
    ("erlang", ">", 2, guards::op_gt),
    ("erlang", ">=", 2, guards::op_ge),
    ("erlang", "and", 2, guards::op_and),
    ("erlang", "or", 2, guards::op_or),
    ("erlang", "xor", 2, guards::op_xor),
    ("erlang", "not", 1, guards::op_not),
    ("erlang", "min", 2, guards::min),
    ("erlang", "max", 2, guards::max),
    ("erlang", "is_atom", 1, guards::is_atom),
    ("erlang", "is_integer", 1, guards::is_integer),
    ("erlang", "is_float", 1, guards::is_float),
    ("erlang", "is_number", 1, guards::is_number),
    ("erlang", "is_list", 1, guards::is_list),
    ("erlang", "is_tuple", 1, guards::is_tuple),
    ("erlang", "is_binary", 1, guards::is_binary),
    ("erlang", "is_bitstring", 1, guards::is_bitstring),
    ("erlang", "is_map", 1, guards::is_map),
    ("erlang", "is_pid", 1, guards::is_pid),
    ("erlang", "is_reference", 1, guards::is_reference),
    ("erlang", "is_port", 1, guards::is_port),
    ("erlang", "is_function", 1, guards::is_function),
    ("erlang", "is_function", 2, guards::is_function2),
    ("erlang", "is_boolean", 1, guards::is_boolean),
    ("erlang", "is_record", 2, guards::is_record2),
    ("erlang", "is_record", 3, guards::is_record3),
    ("erlang", "element", 2, guards::element),
    ("erlang", "setelement", 3, guards::setelement),
    ("erlang", "tuple_size", 1, guards::tuple_size),
    ("erlang", "size", 1, guards::size),
    ("erlang", "make_tuple", 2, guards::make_tuple),
    ("erlang", "make_tuple", 3, guards::make_tuple3),
    ("erlang", "hd", 1, guards::hd),
    ("erlang", "tl", 1, guards::tl),
    ("erlang", "length", 1, guards::length),
    ("erlang", "byte_size", 1, guards::byte_size),
    ("erlang", "bit_size", 1, guards::bit_size),
    ("erlang", "map_size", 1, guards::map_size),
    ("erlang", "map_get", 2, guards::map_get),
    ("erlang", "is_map_key", 2, guards::is_map_key),
    ("erlang", "++", 2, lists::append),
    ("erlang", "append", 2, lists::append),
    ("erlang", "--", 2, lists::subtract),
    ("erlang", "subtract", 2, lists::subtract),
    ("lists", "reverse", 2, lists::reverse2),
    ("lists", "keyfind", 3, lists::keyfind),
    ("lists", "keymember", 3, lists::keymember),
    ("lists", "keysearch", 3, lists::keysearch),
    ("lists", "member", 2, lists::member),
    ("erlang", "atom_to_list", 1, conv::atom_to_list),
    ("erlang", "atom_to_binary", 1, conv::atom_to_binary),
    ("erlang", "atom_to_binary", 2, conv::atom_to_binary),
    ("erlang", "list_to_atom", 1, conv::list_to_atom),
    (
        "erlang",
        "list_to_existing_atom",
        1,
        conv::list_to_existing_atom,
    ),
    ("erlang", "binary_to_atom", 1, conv::binary_to_atom),
    ("erlang", "binary_to_atom", 2, conv::binary_to_atom),
    (
        "erlang",
        "binary_to_existing_atom",
        1,
        conv::binary_to_existing_atom,
    ),
    (
        "erlang",
        "binary_to_existing_atom",
        2,
        conv::binary_to_existing_atom,
    ),
    ("erlang", "integer_to_list", 1, conv::integer_to_list),
    ("erlang", "integer_to_list", 2, conv::integer_to_list),
    ("erlang", "integer_to_binary", 1, conv::integer_to_binary),
    ("erlang", "integer_to_binary", 2, conv::integer_to_binary),
    ("erlang", "list_to_integer", 1, conv::list_to_integer),
    ("erlang", "list_to_integer", 2, conv::list_to_integer),
    ("erlang", "binary_to_integer", 1, conv::binary_to_integer),
    ("erlang", "binary_to_integer", 2, conv::binary_to_integer),
    ("erlang", "float_to_list", 1, conv::float_to_list),
    ("erlang", "float_to_list", 2, conv::float_to_list),
    ("erlang", "float_to_binary", 1, conv::float_to_binary),
    ("erlang", "float_to_binary", 2, conv::float_to_binary),
    ("erlang", "list_to_float", 1, conv::list_to_float),
    ("erlang", "binary_to_float", 1, conv::binary_to_float),
    ("erlang", "list_to_tuple", 1, conv::list_to_tuple),
    ("erlang", "tuple_to_list", 1, conv::tuple_to_list),
    ("erlang", "binary_to_list", 1, conv::binary_to_list),
    ("erlang", "binary_to_list", 3, conv::binary_to_list3),
    ("erlang", "bitstring_to_list", 1, conv::bitstring_to_list),
    ("erlang", "list_to_binary", 1, conv::list_to_binary),
    ("erlang", "iolist_to_binary", 1, conv::iolist_to_binary),
    ("erlang", "list_to_bitstring", 1, conv::list_to_bitstring),
    ("erlang", "iolist_size", 1, conv::iolist_size),
    ("erlang", "float", 1, conv::float),
    ("erlang", "trunc", 1, conv::trunc),
    ("erlang", "round", 1, conv::round),
    ("erlang", "ceil", 1, conv::ceil),
    ("erlang", "floor", 1, conv::floor),
    ("erlang", "display", 1, misc::display),
    ("erlang", "send", 2, procs::send),
    ("erlang", "send", 3, procs::send3),
    ("erlang", "!", 2, procs::send),
    ("erlang", "is_process_alive", 1, procs::is_process_alive),
    ("erlang", "spawn", 1, procs::spawn1),
    ("erlang", "spawn", 2, procs::spawn2),
    ("erlang", "spawn", 3, procs::spawn3),
    ("erlang", "spawn", 4, procs::spawn4),
    ("erlang", "spawn_link", 1, procs::spawn_link1),
    ("erlang", "spawn_link", 3, procs::spawn_link3),
    ("erlang", "spawn_link", 2, procs::spawn_link_on),
    ("erlang", "spawn_link", 4, procs::spawn_link_on),
    ("erlang", "spawn_monitor", 2, procs::spawn_monitor_on),
    ("erlang", "spawn_monitor", 4, procs::spawn_monitor_on),
    ("erlang", "spawn_opt", 3, procs::spawn_opt_on),
    ("erlang", "spawn_opt", 5, procs::spawn_opt_on),
    ("erlang", "spawn_monitor", 1, procs::spawn_monitor1),
    ("erlang", "spawn_monitor", 3, procs::spawn_monitor3),
    ("erlang", "spawn_opt", 2, procs::spawn_opt2),
    ("erlang", "spawn_request", 1, procs::spawn_request),
    ("erlang", "spawn_request", 2, procs::spawn_request),
    ("erlang", "spawn_request", 3, procs::spawn_request),
    ("erlang", "spawn_request", 4, procs::spawn_request),
    ("erlang", "spawn_request", 5, procs::spawn_request),
    (
        "erlang",
        "spawn_request_abandon",
        1,
        procs::spawn_request_abandon
    ),
    ("erlang", "send_nosuspend", 2, procs::send_nosuspend),
    ("erlang", "send_nosuspend", 3, procs::send_nosuspend),
    (
        "erlang",
        "universaltime_to_posixtime",
        1,
        system::universaltime_to_posixtime
    ),
    ("erlang", "pre_loaded", 0, system::pre_loaded),
    ("os", "perf_counter", 0, time::perf_counter),
    ("erlang", "crc32_combine", 3, checksum::crc32_combine),
    ("erlang", "adler32_combine", 3, checksum::adler32_combine),
    ("erlang", "spawn_opt", 4, procs::spawn_opt4),
    ("erlang", "exit", 2, procs::exit2),
    ("erlang", "link", 1, procs::link),
    ("erlang", "unlink", 1, procs::unlink),
    ("erlang", "monitor", 2, procs::monitor),
    ("erlang", "monitor", 3, procs::monitor3),
    ("erlang", "alias", 0, procs::alias),
    ("erlang", "alias", 1, procs::alias),
    ("erlang", "unalias", 1, procs::unalias),
    ("erlang", "demonitor", 1, procs::demonitor1),
    ("erlang", "demonitor", 2, procs::demonitor2),
    ("erlang", "register", 2, procs::register),
    ("erlang", "unregister", 1, procs::unregister),
    ("erlang", "whereis", 1, procs::whereis),
    ("erlang", "registered", 0, procs::registered),
    ("erlang", "processes", 0, procs::processes),
    ("erlang", "process_flag", 2, procs::process_flag),
    ("erlang", "process_flag", 3, procs::process_flag3),
    ("erlang", "suspend_process", 1, procs::suspend_process1),
    ("erlang", "suspend_process", 2, procs::suspend_process),
    ("erlang", "resume_process", 1, procs::resume_process),
    ("erlang", "yield", 0, procs::yield_),
    ("erlang", "hibernate", 3, procs::hibernate),
    ("erlang", "send_after", 3, procs::send_after),
    ("erlang", "send_after", 4, procs::send_after),
    ("erlang", "start_timer", 3, procs::start_timer),
    ("erlang", "start_timer", 4, procs::start_timer),
    ("erlang", "cancel_timer", 1, procs::cancel_timer),
    ("erlang", "cancel_timer", 2, procs::cancel_timer),
    ("erlang", "read_timer", 1, procs::read_timer),
    ("erlang", "read_timer", 2, procs::read_timer),
    ("atomics", "new", 2, atomics::new),
    ("atomics", "put", 3, atomics::put),
    ("atomics", "get", 2, atomics::get),
    ("atomics", "add", 3, atomics::add),
    ("atomics", "add_get", 3, atomics::add_get),
    ("atomics", "sub", 3, atomics::sub),
    ("atomics", "sub_get", 3, atomics::sub_get),
    ("atomics", "exchange", 3, atomics::exchange),
    ("atomics", "compare_exchange", 4, atomics::compare_exchange),
    ("atomics", "info", 1, atomics::info),
    ("counters", "new", 2, atomics::counters_new2),
    ("counters", "get", 2, atomics::counters_get),
    ("counters", "add", 3, atomics::counters_add),
    ("counters", "sub", 3, atomics::counters_sub),
    ("counters", "put", 3, atomics::counters_put),
    ("counters", "info", 1, atomics::counters_info),
    ("erts_internal", "counters_new", 1, atomics::counters_new),
    ("erts_internal", "counters_get", 2, atomics::get),
    ("erts_internal", "counters_add", 3, atomics::add),
    ("erts_internal", "counters_put", 3, atomics::put),
    ("erts_internal", "counters_info", 1, atomics::info),
    ("pore", "open_loopback", 0, pores::open_loopback),
    ("pore", "open_xenstore", 0, pores::open_xenstore),
    ("pore", "write", 2, pores::write),
    ("pore", "read", 1, pores::read),
    ("pore", "avail", 1, pores::avail),
    ("pore", "discard", 2, pores::discard),
    ("pore", "info", 1, pores::info),
    ("pore", "reconnect", 1, pores::reconnect),
    ("pore", "poke", 1, pores::poke),
    ("pore", "close", 1, pores::close),
    ("outlet", "open_loopback", 0, pores::outlet_open_loopback),
    ("outlet", "open_xenstore", 1, pores::outlet_open_xenstore),
    ("outlet", "command", 2, pores::outlet_command),
    ("outlet", "close", 1, pores::outlet_close),
    ("xenbeam", "log", 2, xenbeam::log),
    ("xenbeam", "spawns_program", 1, xenbeam::spawns_program),
    ("xenbeam", "program_starts", 0, xenbeam::program_starts),
    ("xenbeam", "housekeeping", 1, xenbeam::housekeeping),
    ("xenbeam", "log", 3, xenbeam::log3),
    ("xenbeam", "code_path", 0, xenbeam::code_path),
    ("xenbeam", "run_times", 0, xenbeam::run_times),
    ("erlang", "halt", 0, misc::halt0),
    ("erlang", "halt", 1, misc::halt1),
    ("erlang", "halt", 2, misc::halt2),
    ("erlang", "self", 0, misc::self_),
    ("erlang", "node", 0, misc::node),
    ("erlang", "node", 1, misc::node1),
    ("erlang", "nodes", 0, misc::nodes0),
    ("erlang", "nodes", 1, misc::nodes1),
    ("erlang", "nodes", 2, misc::nodes2),
    ("erlang", "is_alive", 0, misc::is_alive),
    ("erlang", "make_ref", 0, misc::make_ref),
    ("erlang", "throw", 1, misc::throw),
    ("erlang", "exit", 1, misc::exit),
    ("erlang", "error", 1, misc::error1),
    ("erlang", "error", 2, misc::error2),
    ("erlang", "error", 3, misc::error3),
    ("erlang", "raise", 3, misc::raise),
    ("erlang", "nif_error", 1, misc::nif_error),
    ("erlang", "nif_error", 2, misc::nif_error),
    ("erlang", "put", 2, misc::put),
    ("erlang", "get", 1, misc::get),
    ("erlang", "get", 0, misc::get0),
    ("erlang", "get_keys", 0, misc::get_keys),
    ("erlang", "erase", 1, misc::erase),
    ("erlang", "erase", 0, misc::erase0),
    ("erlang", "garbage_collect", 0, misc::garbage_collect),
    ("erlang", "garbage_collect", 1, misc::garbage_collect1),
    ("erlang", "garbage_collect", 2, misc::garbage_collect2),
    ("erlang", "port_to_list", 1, misc::refuse),
    // No ports, no distribution and no on_load left to call: what erl answers for a port
    // that does not exist, a node that is not alive, a module without one.
    ("erlang", "open_port", 2, misc::refuse),
    ("erlang", "port_command", 2, misc::refuse),
    ("erlang", "port_command", 3, misc::refuse),
    ("erlang", "port_control", 3, misc::refuse),
    ("erlang", "port_call", 3, misc::refuse),
    ("erlang", "port_close", 1, misc::refuse),
    ("erlang", "port_connect", 2, misc::refuse),
    ("erlang", "set_cookie", 1, misc::refuse),
    ("erlang", "set_cookie", 2, misc::refuse),
    ("erlang", "call_on_load_function", 1, misc::refuse),
    ("erlang", "load_nif", 2, misc::load_nif),
    ("erlang", "process_display", 2, procinfo::process_display),
    ("erlang", "get_keys", 1, misc::get_keys1),
    ("erlang", "process_info", 1, procinfo::process_info1),
    ("erlang", "process_info", 2, procinfo::process_info),
    ("erlang", "group_leader", 0, procinfo::group_leader0),
    ("erlang", "group_leader", 2, procinfo::group_leader2),
    ("persistent_term", "put", 2, persistent::put),
    ("os", "getenv", 1, misc::os_getenv),
    ("inet", "gethostname", 0, misc::inet_gethostname),
    ("erlang", "system_monitor", 0, misc::no_monitor),
    ("erlang", "system_profile", 0, misc::no_monitor),
    ("erlang", "port_info", 1, misc::port_info1),
    ("erlang", "port_info", 2, misc::port_info2),
    ("os", "putenv", 2, misc::os_putenv),
    ("os", "unsetenv", 1, misc::os_unsetenv),
    ("os", "env", 0, misc::os_env),
    ("os", "getpid", 0, misc::os_getpid),
    ("os", "cmd", 1, command::cmd1),
    ("os", "cmd", 2, command::cmd2),
    ("xenbeam", "command_read", 1, command::read),
    ("xenbeam", "command_close", 1, command::close),
    ("init", "get_argument", 1, misc::init_get_argument),
    ("init", "get_status", 0, misc::init_get_status),
    ("init", "stop", 0, misc::init_stop0),
    ("init", "stop", 1, misc::init_stop1),
    ("init", "get_arguments", 0, misc::init_get_arguments),
    (
        "init",
        "get_plain_arguments",
        0,
        misc::init_get_plain_arguments
    ),
    ("init", "script_id", 0, misc::init_script_id),
    ("erlang", "get_cookie", 0, misc::get_cookie),
    ("erlang", "ports", 0, misc::ports),
    (
        "erts_internal",
        "dynamic_node_name",
        0,
        misc::dynamic_node_name
    ),
    ("init", "objfile_extension", 0, misc::init_objfile_extension),
    ("persistent_term", "get", 0, persistent::get0),
    ("persistent_term", "info", 0, persistent::info),
    ("persistent_term", "get", 1, persistent::get1),
    ("persistent_term", "get", 2, persistent::get2),
    ("persistent_term", "erase", 1, persistent::erase),
    ("string", "list_to_integer", 1, conv::string_list_to_integer),
    ("string", "list_to_float", 1, conv::string_list_to_float),
    ("erlang", "phash2", 1, misc::phash2),
    ("erlang", "phash2", 2, misc::phash2),
    ("erlang", "phash", 2, misc::phash),
    ("erlang", "monotonic_time", 0, time::monotonic_time),
    ("erlang", "monotonic_time", 1, time::monotonic_time),
    ("erlang", "system_time", 0, time::system_time),
    ("erlang", "system_time", 1, time::system_time),
    ("os", "system_time", 0, time::system_time),
    ("os", "system_time", 1, time::system_time),
    ("erlang", "timestamp", 0, time::timestamp),
    ("os", "timestamp", 0, time::timestamp),
    ("erlang", "convert_time_unit", 3, time::convert_time_unit),
    ("erlang", "time_offset", 0, time::time_offset),
    ("erlang", "time_offset", 1, time::time_offset),
    ("erlang", "pid_to_list", 1, system::pid_to_list),
    ("erlang", "ref_to_list", 1, system::ref_to_list),
    ("erlang", "fun_to_list", 1, system::fun_to_list),
    ("erlang", "list_to_pid", 1, system::list_to_pid),
    ("erlang", "list_to_ref", 1, system::list_to_ref),
    ("erlang", "make_fun", 3, system::make_fun),
    ("erlang", "fun_info_mfa", 1, system::fun_info_mfa),
    ("erlang", "date", 0, system::date),
    ("erlang", "time", 0, system::time),
    ("erlang", "universaltime", 0, system::universaltime),
    ("erlang", "localtime", 0, system::universaltime),
    (
        "erlang",
        "posixtime_to_universaltime",
        1,
        system::posixtime_to_universaltime,
    ),
    (
        "erlang",
        "universaltime_to_localtime",
        1,
        system::universaltime_to_localtime,
    ),
    (
        "erlang",
        "localtime_to_universaltime",
        1,
        system::localtime_to_universaltime,
    ),
    (
        "erlang",
        "localtime_to_universaltime",
        2,
        system::localtime_to_universaltime,
    ),
    ("erlang", "now", 0, system::now),
    ("erlang", "statistics", 1, system::statistics),
    ("erlang", "system_info", 1, system::system_info),
    ("erlang", "memory", 0, system::memory),
    ("erlang", "memory", 1, system::memory),
    ("erlang", "system_flag", 2, system::system_flag),
    ("erlang", "bump_reductions", 1, system::bump_reductions),
    ("erlang", "display_string", 1, system::display_string),
    ("erlang", "term_to_iovec", 1, etf::term_to_iovec),
    ("erlang", "term_to_iovec", 2, etf::term_to_iovec),
    ("erlang", "decode_packet", 3, packet::decode_packet),
    ("erlang", "md5", 1, md5::md5),
    ("erlang", "md5_init", 0, md5::md5_init),
    ("erlang", "md5_update", 2, md5::md5_update),
    ("erlang", "md5_final", 1, md5::md5_final),
    ("prim_file", "read_file", 1, files::read_file),
    ("prim_file", "write_file", 2, files::write_file),
    ("prim_file", "list_dir", 1, files::list_dir),
    ("erl_prim_loader", "list_dir", 1, files::loader_list_dir),
    (
        "erl_prim_loader",
        "read_file_info",
        1,
        files::loader_read_file_info,
    ),
    ("erl_prim_loader", "get_file", 1, files::loader_get_file),
    ("prim_file", "list_dir_all", 1, files::list_dir),
    ("prim_file", "read_file_info", 1, files::read_file_info1),
    ("prim_file", "read_file_info", 2, files::read_file_info2),
    ("prim_file", "read_link_info", 1, files::read_link_info1),
    ("prim_file", "read_link_info", 2, files::read_link_info2),
    ("prim_file", "write_file_info", 2, files::write_file_info),
    ("prim_file", "write_file_info", 3, files::write_file_info),
    ("prim_file", "make_dir", 1, files::make_dir),
    ("prim_file", "del_dir", 1, files::del_dir),
    ("prim_file", "delete", 1, files::delete),
    ("prim_file", "rename", 2, files::rename),
    ("prim_file", "make_link", 2, files::make_link),
    ("prim_file", "make_symlink", 2, files::make_symlink),
    ("prim_file", "get_cwd", 0, files::get_cwd0),
    ("prim_file", "get_cwd", 1, files::get_cwd1),
    ("prim_file", "set_cwd", 1, files::set_cwd),
    ("prim_file", "read_link", 1, files::read_link),
    ("prim_file", "read_link_all", 1, files::read_link),
    ("prim_file", "altname", 1, files::altname),
    ("prim_file", "open", 2, files::open),
    ("prim_file", "close", 1, files::close),
    ("prim_file", "read", 2, files::read),
    ("prim_file", "write", 2, files::write),
    ("prim_file", "position", 2, files::position),
    ("prim_file", "pread", 2, files::pread2),
    ("prim_file", "pread", 3, files::pread3),
    ("prim_file", "pwrite", 2, files::pwrite2),
    ("prim_file", "pwrite", 3, files::pwrite3),
    ("prim_file", "sync", 1, files::sync),
    ("prim_file", "datasync", 1, files::sync),
    ("prim_file", "truncate", 1, files::truncate),
    ("prim_file", "advise", 4, files::advise),
    ("prim_file", "read_line", 1, files::read_line),
    ("prim_file", "copy", 3, files::copy),
    (
        "file",
        "native_name_encoding",
        0,
        files::native_name_encoding,
    ),
    ("erlang", "dt_spread_tag", 1, files::dt_spread_tag),
    ("erlang", "dt_restore_tag", 1, files::dt_restore_tag),
    ("erlang", "crc32", 1, checksum::crc32),
    ("erlang", "crc32", 2, checksum::crc32),
    ("erlang", "adler32", 1, checksum::adler32),
    ("erlang", "adler32", 2, checksum::adler32),
    ("erlang", "unique_integer", 0, misc::unique_integer),
    ("erlang", "unique_integer", 1, misc::unique_integer),
    ("erlang", "iolist_to_iovec", 1, misc::iolist_to_iovec),
    ("erlang", "append_element", 2, tuples::append_element),
    ("erlang", "insert_element", 3, tuples::insert_element),
    ("erlang", "delete_element", 2, tuples::delete_element),
    ("erlang", "term_to_binary", 1, etf::term_to_binary),
    ("erlang", "term_to_binary", 2, etf::term_to_binary),
    ("erlang", "binary_to_term", 1, etf::binary_to_term),
    ("erlang", "binary_to_term", 2, etf::binary_to_term),
    ("erlang", "external_size", 1, etf::external_size),
    ("erlang", "external_size", 2, etf::external_size),
    ("erlang", "get_module_info", 1, info::get_module_info1),
    ("erlang", "get_module_info", 2, info::get_module_info2),
    ("erlang", "fun_info", 1, info::fun_info1),
    ("erlang", "fun_info", 2, info::fun_info2),
    ("erlang", "function_exported", 3, info::function_exported),
    ("erlang", "module_loaded", 1, info::module_loaded),
    ("erlang", "load_module", 2, codeload::load_module),
    ("erlang", "delete_module", 1, codeload::delete_module),
    ("erlang", "purge_module", 1, codeload::purge_module),
    ("erlang", "check_old_code", 1, codeload::check_old_code),
    ("erlang", "loaded", 0, codeload::loaded),
    ("erlang", "prepare_loading", 2, codeload::prepare_loading),
    ("erl_prim_loader", "get_modules", 3, codeload::get_modules),
    ("erlang", "finish_loading", 1, codeload::finish_loading),
    (
        "erlang",
        "has_prepared_code_on_load",
        1,
        codeload::has_prepared_code_on_load,
    ),
    ("xenbeam", "set_code_path", 1, codeload::set_code_path),
    (
        "erlang",
        "check_process_code",
        2,
        codeload::check_process_code
    ),
    (
        "erlang",
        "check_process_code",
        3,
        codeload::check_process_code
    ),
    ("erlang", "is_builtin", 3, info::is_builtin),
    ("erlang", "binary_part", 2, binary::part2),
    ("erlang", "binary_part", 3, binary::part3),
    ("erlang", "split_binary", 2, binary::split_binary),
    ("binary", "part", 2, binary::part2),
    ("binary", "part", 3, binary::part3),
    ("binary", "copy", 1, binary::copy1),
    ("binary", "copy", 2, binary::copy2),
    ("binary", "at", 2, binary::at),
    ("binary", "first", 1, binary::first),
    ("binary", "last", 1, binary::last),
    ("binary", "list_to_bin", 1, binary::list_to_bin),
    (
        "binary",
        "referenced_byte_size",
        1,
        binary::referenced_byte_size,
    ),
    ("binary", "compile_pattern", 1, binary::compile_pattern),
    ("binary", "match", 2, binary::match_),
    ("binary", "match", 3, binary::match_),
    ("binary", "matches", 2, binary::matches),
    ("binary", "matches", 3, binary::matches),
    ("binary", "split", 2, binary::split),
    ("binary", "split", 3, binary::split),
    ("binary", "encode_unsigned", 1, binary::encode_unsigned),
    ("binary", "encode_unsigned", 2, binary::encode_unsigned),
    ("binary", "decode_unsigned", 1, binary::decode_unsigned),
    ("binary", "decode_unsigned", 2, binary::decode_unsigned),
    (
        "binary",
        "longest_common_prefix",
        1,
        binary::longest_common_prefix,
    ),
    (
        "binary",
        "longest_common_suffix",
        1,
        binary::longest_common_suffix,
    ),
    ("maps", "get", 2, maps::get),
    ("maps", "find", 2, maps::find),
    ("maps", "is_key", 2, maps::is_key),
    ("maps", "put", 3, maps::put),
    ("maps", "update", 3, maps::update),
    ("maps", "remove", 2, maps::remove),
    ("maps", "take", 2, maps::take),
    ("maps", "keys", 1, maps::keys),
    ("maps", "values", 1, maps::values),
    ("maps", "to_list", 1, maps::to_list),
    ("maps", "from_list", 1, maps::from_list),
    ("maps", "from_keys", 2, maps::from_keys),
    ("maps", "merge", 2, maps::merge),
    ("erts_internal", "map_next", 3, maps::map_next),
    (
        "erts_internal",
        "scheduler_wall_time",
        1,
        misc::scheduler_wall_time
    ),
    (
        "erts_internal",
        "is_system_process",
        1,
        misc::is_system_process
    ),
    ("math", "sqrt", 1, math::sqrt),
    ("math", "sin", 1, math::sin),
    ("math", "cos", 1, math::cos),
    ("math", "tan", 1, math::tan),
    ("math", "asin", 1, math::asin),
    ("math", "acos", 1, math::acos),
    ("math", "atan", 1, math::atan),
    ("math", "sinh", 1, math::sinh),
    ("math", "cosh", 1, math::cosh),
    ("math", "tanh", 1, math::tanh),
    ("math", "exp", 1, math::exp),
    ("math", "log", 1, math::log),
    ("math", "log2", 1, math::log2),
    ("math", "log10", 1, math::log10),
    ("math", "asinh", 1, math::asinh),
    ("math", "acosh", 1, math::acosh),
    ("math", "atanh", 1, math::atanh),
    ("math", "erf", 1, math::erf),
    ("math", "erfc", 1, math::erfc),
    ("math", "floor", 1, math::floor),
    ("math", "ceil", 1, math::ceil),
    ("math", "pow", 2, math::pow),
    ("math", "atan2", 2, math::atan2),
    ("math", "fmod", 2, math::fmod),
    ("math", "pi", 0, math::pi),
    (
        "unicode",
        "characters_to_list",
        1,
        characters::characters_to_list,
    ),
    (
        "unicode",
        "characters_to_list",
        2,
        characters::characters_to_list,
    ),
    (
        "unicode",
        "characters_to_binary",
        1,
        characters::characters_to_binary,
    ),
    (
        "unicode",
        "characters_to_binary",
        2,
        characters::characters_to_binary,
    ),
    ("unicode", "bin_is_7bit", 1, unicode::bin_is_7bit),
    ("xenbeam", "put_chars", 1, unicode::put_chars),
    ("xenbeam", "put_chars", 2, unicode::put_chars2),
    ("xenbeam", "read_input", 0, xenbeam::read_input),
    ("io", "printable_range", 0, unicode::printable_range),
    (
        "net_kernel",
        "dflag_unicode_io",
        1,
        unicode::dflag_unicode_io,
    ),
    (
        "code",
        "ensure_modules_loaded",
        1,
        codeload::ensure_modules_loaded,
    ),
];

/// ETS (see [`ets`]) and `erlang:match_spec_test/3`: on the host always, in the image only
/// with the `ets` feature (about 87 KiB of image: the tables, match specifications and their
/// BIFs); an image without it has no export entries for `ets`, so a call fails with
/// `undef`. scripts/build turns it on for a program any of whose modules (OTP's logger and
/// application controller among them) calls `ets`.
#[cfg(any(feature = "ets", not(target_os = "none")))]
pub static ETS: Table = bifs![
    ("ets", "new", 2, ets::new),
    ("ets", "insert", 2, ets::insert),
    ("ets", "insert_new", 2, ets::insert_new),
    ("ets", "lookup", 2, ets::lookup),
    ("ets", "lookup_element", 3, ets::lookup_element),
    ("ets", "member", 2, ets::member),
    ("ets", "delete", 1, ets::delete1),
    ("ets", "delete", 2, ets::delete2),
    ("ets", "delete_object", 2, ets::delete_object),
    ("ets", "delete_all_objects", 1, ets::delete_all_objects),
    ("ets", "internal_delete_all", 2, ets::internal_delete_all),
    ("ets", "take", 2, ets::take),
    ("ets", "update_counter", 3, ets::update_counter3),
    ("ets", "update_counter", 4, ets::update_counter4),
    ("ets", "update_element", 3, ets::update_element),
    ("ets", "first", 1, ets::first),
    ("ets", "next", 2, ets::next),
    ("ets", "last", 1, ets::last),
    ("ets", "prev", 2, ets::prev),
    ("ets", "tab2list", 1, ets::tab2list),
    ("ets", "info", 1, ets::info1),
    ("ets", "info", 2, ets::info2),
    ("ets", "whereis", 1, ets::whereis),
    ("ets", "rename", 2, ets::rename),
    ("ets", "give_away", 3, ets::give_away),
    ("ets", "setopts", 2, ets::setopts),
    ("ets", "safe_fixtable", 2, ets::safe_fixtable),
    ("ets", "all", 0, ets::all),
    ("ets", "match", 2, ets::match_),
    ("ets", "match_object", 2, ets::match_object),
    ("ets", "select", 2, ets::select),
    ("ets", "select", 3, ets::select3),
    ("ets", "select", 1, ets::select1),
    ("ets", "match", 3, ets::match3),
    ("ets", "match", 1, ets::select1),
    ("ets", "match_object", 3, ets::match_object3),
    ("ets", "match_object", 1, ets::select1),
    ("ets", "select_count", 2, ets::select_count),
    ("ets", "select_reverse", 2, ets::select_reverse),
    ("ets", "select_reverse", 3, ets::select_reverse3),
    ("ets", "select_reverse", 1, ets::select1),
    ("ets", "select_replace", 2, ets::select_replace),
    ("ets", "slot", 2, ets::slot),
    ("ets", "match_spec_compile", 1, ets::match_spec_compile),
    ("ets", "is_compiled_ms", 1, ets::is_compiled_ms),
    ("ets", "match_spec_run_r", 3, ets::match_spec_run_r),
    ("erlang", "match_spec_test", 3, ets::match_spec_test),
    ("ets", "select_delete", 2, ets::select_delete),
    ("ets", "internal_select_delete", 2, ets::select_delete),
];

/// Tracing (see [`trace`]): on the host always, in the image only with the `trace` feature
/// (its BIFs and what they set going, about 30 KiB); without it a call fails with `undef`.
/// scripts/build turns it on for a program any of whose modules calls them (OTP's `dbg`
/// and `cprof` do).
#[cfg(any(feature = "trace", not(target_os = "none")))]
pub static TRACE: Table = bifs![
    ("erlang", "trace", 3, trace::trace3),
    ("erlang", "trace_info", 2, trace::trace_info),
    ("erlang", "trace_delivered", 1, trace::trace_delivered),
    ("erlang", "trace_pattern", 2, trace::trace_pattern2),
    ("erlang", "trace_pattern", 3, trace::trace_pattern3),
];

/// Tracing: none in an image built without the `trace` feature.
#[cfg(not(any(feature = "trace", not(target_os = "none"))))]
pub static TRACE: Table = Table {
    names: &[],
    fns: &[],
    meta: &[],
};

/// ETS: none in an image built without the `ets` feature.
#[cfg(not(any(feature = "ets", not(target_os = "none"))))]
pub static ETS: Table = Table {
    names: &[],
    fns: &[],
    meta: &[],
};

/// `crypto`'s hashes (see [`crypto`]): on the host always, in the image only with the
/// `crypto` feature; an image without them has no export entries for them, so a call
/// fails with `undef` as erl's would without the crypto library.
#[cfg(any(feature = "crypto", not(target_os = "none")))]
pub static CRYPTO: Table = bifs![
    ("crypto", "hash", 2, crypto::hash),
    ("crypto", "hash_init", 1, crypto::hash_init),
    ("crypto", "hash_update", 2, crypto::hash_update),
    ("crypto", "hash_final", 1, crypto::hash_final),
    ("crypto", "hash_info", 1, crypto::hash_info),
    ("crypto", "mac", 4, crypto::mac),
    ("crypto", "strong_rand_bytes", 1, crypto::strong_rand_bytes),
];

/// `crypto`'s hashes: none in an image built without the `crypto` feature.
#[cfg(not(any(feature = "crypto", not(target_os = "none"))))]
pub static CRYPTO: Table = Table {
    names: &[],
    fns: &[],
    meta: &[],
};

/// `re` (see [`re`]): on the host always, in the image only with the `re` feature (the
/// regular expression engine is about 37 KiB of image); an image without it has no export
/// entries for `re`, so a call fails with `undef`.
#[cfg(any(feature = "re", not(target_os = "none")))]
pub static RE: Table = bifs![
    ("re", "version", 0, re::version),
    ("re", "compile", 1, re::compile1),
    ("re", "compile", 2, re::compile2),
    ("re", "run", 2, re::run2),
    ("re", "run", 3, re::run3),
    ("re", "internal_run", 4, re::run3),
    ("re", "inspect", 2, re::inspect),
];

/// `re`: none in an image built without the `re` feature.
#[cfg(not(any(feature = "re", not(target_os = "none"))))]
pub static RE: Table = Table {
    names: &[],
    fns: &[],
    meta: &[],
};

/// `zlib`'s streams and one-shot calls (see [`zstream`] and [`zlib`]): on the host always,
/// in the image only with the `zlib` feature (about 47 KiB of image with the compressor; the
/// loader's decompressor is there anyway); an image without it has no export entries for
/// `zlib`, so a call fails with `undef`.
#[cfg(any(feature = "zlib", not(target_os = "none")))]
pub static ZLIB: Table = bifs![
    ("zlib", "compress", 1, zlib::compress),
    ("zlib", "uncompress", 1, zlib::uncompress),
    ("zlib", "zip", 1, zlib::zip),
    ("zlib", "unzip", 1, zlib::unzip),
    ("zlib", "gzip", 1, zlib::gzip),
    ("zlib", "gunzip", 1, zlib::gunzip),
    ("zlib", "open", 0, zstream::open),
    ("zlib", "close", 1, zstream::close),
    ("zlib", "deflateInit", 1, zstream::deflate_init),
    ("zlib", "deflateInit", 2, zstream::deflate_init),
    ("zlib", "deflateInit", 6, zstream::deflate_init),
    ("zlib", "deflate", 2, zstream::deflate),
    ("zlib", "deflate", 3, zstream::deflate),
    ("zlib", "deflateReset", 1, zstream::deflate_reset),
    ("zlib", "deflateEnd", 1, zstream::deflate_end),
    ("zlib", "inflateInit", 1, zstream::inflate_init),
    ("zlib", "inflateInit", 2, zstream::inflate_init),
    ("zlib", "inflate", 2, zstream::inflate),
    ("zlib", "inflate", 3, zstream::inflate),
    ("zlib", "safeInflate", 2, zstream::safe_inflate),
    ("zlib", "inflateReset", 1, zstream::inflate_reset),
    ("zlib", "inflateEnd", 1, zstream::inflate_end),
    ("zlib", "crc32", 1, zstream::crc32),
    (
        "zlib",
        "deflateSetDictionary",
        2,
        zstream::deflate_set_dictionary
    ),
    (
        "zlib",
        "inflateSetDictionary",
        2,
        zstream::inflate_set_dictionary
    ),
    (
        "zlib",
        "inflateGetDictionary",
        1,
        zstream::inflate_get_dictionary
    ),
    ("zlib", "crc32", 2, zstream::crc32_data),
    ("zlib", "crc32", 3, zstream::crc32_data),
    ("zlib", "adler32", 2, zstream::adler32),
    ("zlib", "adler32", 3, zstream::adler32),
    ("zlib", "deflateParams", 3, zstream::deflate_params),
    ("zlib", "inflateChunk", 1, zstream::inflate_chunk),
    ("zlib", "inflateChunk", 2, zstream::inflate_chunk),
    ("zlib", "setBufSize", 2, zstream::set_buf_size),
    ("zlib", "getBufSize", 1, zstream::get_buf_size),
    (
        "zlib",
        "set_controlling_process",
        2,
        zstream::set_controlling_process
    ),
];

/// `zlib`: none in an image built without the `zlib` feature.
#[cfg(not(any(feature = "zlib", not(target_os = "none"))))]
pub static ZLIB: Table = Table {
    names: &[],
    fns: &[],
    meta: &[],
};

/// Every BIF: [`TABLE`] and the optional [`ETS`], [`CRYPTO`], [`RE`], [`ZLIB`] and
/// [`TRACE`].
pub fn all() -> impl Iterator<Item = Bif> {
    TABLE
        .iter()
        .chain(TRACE.iter())
        .chain(ETS.iter())
        .chain(CRYPTO.iter())
        .chain(RE.iter())
        .chain(ZLIB.iter())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_bif_is_listed_once() {
        let mut seen = alloc::vec::Vec::new();
        for b in super::all() {
            let key = (b.module(), b.name, b.arity);
            assert!(!seen.contains(&key), "{key:?} is listed twice");
            seen.push(key);
        }
    }
}
