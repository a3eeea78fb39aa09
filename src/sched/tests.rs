//! Node tests on the simulated platform: small Erlang programs compiled by `erlc`, run with a
//! virtual clock, checked for their output and for how the node waited.
//!
//! Without `erlc` on the host the tests return early (the conformance suite needs it too).

extern crate std;

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use std::path::PathBuf;
use std::process::Command;

use super::node::{Node, Stop};
use super::state::State;
use crate::platform::sim::{SimPage, SimPlatform};
use crate::platform::{Channel, Platform, PlatformError};
use crate::vm::bif::Io;
use crate::vm::driver::ModuleSource;

/// The simulation, recording every wait's deadline.
struct Recorder {
    sim: SimPlatform,
    waits: RefCell<Vec<Option<u64>>>,
}

impl Platform for Recorder {
    type Page = SimPage;
    fn now_ns(&self) -> u64 {
        self.sim.now_ns()
    }
    fn wait_for_events(&self, deadline: Option<u64>) {
        self.waits.borrow_mut().push(deadline);
        self.sim.wait_for_events(deadline);
    }
    fn take_pending(&self, sink: &mut dyn FnMut(Channel)) {
        self.sim.take_pending(sink);
    }
    fn wait_for_channel(&self, channel: Channel, deadline: u64) -> bool {
        self.sim.wait_for_channel(channel, deadline)
    }
    fn notify(&self, channel: Channel) -> Result<(), PlatformError> {
        self.sim.notify(channel)
    }
    fn loopback_pair(&self) -> Result<(Channel, Channel), PlatformError> {
        self.sim.loopback_pair()
    }
    fn close(&self, channel: Channel) {
        self.sim.close(channel);
    }
    fn alloc_page(&self) -> Result<SimPage, PlatformError> {
        self.sim.alloc_page()
    }
    fn free_page(&self, page: SimPage) {
        self.sim.free_page(page);
    }
    fn console_write(&self, bytes: &[u8]) {
        self.sim.console_write(bytes);
    }
    fn xenstore(&self) -> Option<(SimPage, Channel)> {
        None
    }
}

struct Dirs(Vec<PathBuf>);

impl ModuleSource for Dirs {
    fn find(&mut self, name: &str) -> Option<Vec<u8>> {
        self.0
            .iter()
            .find_map(|d| std::fs::read(d.join(alloc::format!("{name}.beam"))).ok())
    }
}

#[derive(Default)]
struct Capture(Vec<u8>);

impl Io for Capture {
    fn stdout(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn stderr(&mut self, _: &[u8]) {}
}

fn otp_stdlib() -> Option<PathBuf> {
    let out = Command::new("erl")
        .args([
            "-noshell",
            "-eval",
            "io:format(\"~s\",[code:lib_dir(stdlib)]),halt().",
        ])
        .output()
        .ok()?;
    Some(PathBuf::from(String::from_utf8(out.stdout).ok()?).join("ebin"))
}

fn load(b: &[u8]) -> Option<crate::loader::Module> {
    crate::loader::load(b).ok()
}

/// What a run left behind.
struct Run {
    out: String,
    stop: Stop,
    waits: Vec<Option<u64>>,
    now: u64,
    stalls: usize,
    alive: usize,
    pages_out: usize,
    channels_bound: usize,
    routes: usize,
    /// Bytes the live processes' heaps hold in the node's memory account at the end.
    memory_used: usize,
    /// zlib streams left open at the end.
    zlib_streams: usize,
}

/// Compiles `src` as module `name` and runs `name:main()` on a simulated node; `None` when
/// there is no `erlc`.
fn run(name: &str, src: &str) -> Option<Run> {
    run_with_service(name, src, false)
}

/// As [`run`]; with `service`, `name:start()` first runs as a kernel service
/// ([`Node::run_system`]).
fn run_with_service(name: &str, src: &str, service: bool) -> Option<Run> {
    run_node(name, src, service, &|_| {})
}

/// As [`run`], with at most `limit` processes at once.
fn run_with_process_limit(name: &str, src: &str, limit: usize) -> Option<Run> {
    run_node(name, src, false, &|st| st.set_process_limit(limit))
}

/// As [`run`], with pid data wrapping at `2^bits` (a 1024-slot table) instead of `2^28`.
fn run_with_pid_bits(name: &str, src: &str, bits: u32) -> Option<Run> {
    run_node(name, src, false, &|st| {
        st.set_process_limit(1024);
        st.pids.set_data_bits(bits);
    })
}

/// As [`run`], with a node memory budget of `bytes`.
fn run_with_max_memory(name: &str, src: &str, bytes: usize) -> Option<Run> {
    run_node(name, src, false, &|st| st.memory.set_budget(bytes))
}

fn run_node(
    name: &str,
    src: &str,
    service: bool,
    setup: &dyn Fn(&mut State<Recorder>),
) -> Option<Run> {
    crate::vm::tests::run::need_erlc();
    let dir = std::env::temp_dir().join(alloc::format!(
        "xenbeam-sched-test-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).ok()?;
    let file = dir.join(alloc::format!("{name}.erl"));
    std::fs::write(&file, src).ok()?;
    let st = Command::new("erlc")
        .arg("-o")
        .arg(&dir)
        .arg(&file)
        .status()
        .ok()?;
    assert!(st.success(), "erlc failed on {name}");
    let mut dirs = Dirs(alloc::vec![dir]);
    dirs.0.extend(otp_stdlib());
    let platform = Recorder {
        sim: SimPlatform::new(),
        waits: RefCell::new(Vec::new()),
    };
    let mut node = Node::new(platform, load);
    setup(&mut node.st);
    let m = node.rt.vm.atoms.intern(name).ok()?;
    let f = node.rt.vm.atoms.intern("main").ok()?;
    let mut io = Capture::default();
    if service {
        let start = node.rt.vm.atoms.intern("start").ok()?;
        if let Err(stop) = node.run_system(m, start, &mut io, &mut dirs) {
            panic!("the service stopped the node: {stop:?}");
        }
    }
    node.spawn_main(m, f, &[]);
    let stop = node.run(&mut io, &mut dirs);
    let waits = node.platform.waits.borrow().clone();
    Some(Run {
        out: String::from_utf8_lossy(&io.0).into_owned(),
        stop,
        waits,
        now: node.platform.now_ns(),
        stalls: node.platform.sim.stalls(),
        alive: node.alive(),
        pages_out: node.platform.sim.pages_out(),
        channels_bound: node.platform.sim.channels_bound(),
        routes: node.st.router.len(),
        memory_used: node.st.memory.used(),
        zlib_streams: node.rt.vm.zlib.len(),
    })
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

const MS: u64 = 1_000_000;

#[test]
fn messages_keep_their_order_and_selective_receive_skips() {
    let Some(r) = run(
        "st_order",
        r#"-module(st_order).
-export([main/0]).
main() ->
    S = self(),
    P = spawn(fun() -> [S ! {n, I} || I <- lists:seq(1, 100)], S ! {tag, last} end),
    erlang:display(receive {tag, T} -> T end),
    erlang:display([receive {n, I} -> I end || _ <- lists:seq(1, 100)] =:= lists:seq(1, 100)),
    erlang:display(is_process_alive(P)),
    erlang:halt(0).
"#,
    ) else {
        return;
    };
    assert_eq!(lines(&r.out), ["last", "true", "false"]);
    assert!(matches!(r.stop, Stop::Halt(0)));
}

#[test]
fn receive_timeouts_follow_virtual_time_and_wait_with_the_deadline() {
    let Some(r) = run(
        "st_after",
        r#"-module(st_after).
-export([main/0]).
main() ->
    T0 = erlang:monotonic_time(millisecond),
    receive x -> x after 250 -> ok end,
    T1 = erlang:monotonic_time(millisecond),
    erlang:send_after(100, self(), tick),
    receive tick -> ok end,
    T2 = erlang:monotonic_time(millisecond),
    erlang:display({T1 - T0, T2 - T1}),
    erlang:display(receive y -> y after 0 -> zero end),
    erlang:halt(0).
"#,
    ) else {
        return;
    };
    assert_eq!(lines(&r.out), ["{250,100}", "zero"]);
    // The node slept exactly twice, each time until the one pending deadline.
    assert_eq!(r.waits, [Some(250 * MS), Some(350 * MS)]);
    assert_eq!(r.now, 350 * MS);
    assert_eq!(r.stalls, 0, "never waited without a deadline");
}

#[test]
fn a_message_before_the_deadline_cancels_the_timeout() {
    let Some(r) = run(
        "st_early",
        r#"-module(st_early).
-export([main/0]).
main() ->
    S = self(),
    spawn(fun() -> receive after 10 -> S ! early end end),
    erlang:display(receive early -> got after 1000 -> timeout end),
    erlang:display(receive never -> never after 5 -> timeout end),
    erlang:halt(0).
"#,
    ) else {
        return;
    };
    assert_eq!(lines(&r.out), ["got", "timeout"]);
    // The cancelled 1000 ms timer never made the node sleep until it.
    assert_eq!(r.waits, [Some(10 * MS), Some(15 * MS)]);
}

#[test]
fn links_trap_exit_and_kill() {
    let Some(r) = run(
        "st_links",
        r#"-module(st_links).
-export([main/0]).
main() ->
    process_flag(trap_exit, true),
    A = spawn_link(fun() -> exit(boom) end),
    erlang:display(receive {'EXIT', A, R} -> R end),
    B = spawn_link(fun() -> process_flag(trap_exit, true), receive _ -> ok end end),
    exit(B, kill),
    erlang:display(receive {'EXIT', B, R2} -> R2 end),
    S = self(),
    C = spawn(fun() ->
        spawn_link(fun() -> exit(inner) end),
        receive after infinity -> ok end
    end),
    M = monitor(process, C),
    erlang:display(receive {'DOWN', M, process, C, R3} -> R3 end),
    erlang:display(S =:= self()),
    erlang:halt(0).
"#,
    ) else {
        return;
    };
    assert_eq!(lines(&r.out), ["boom", "killed", "inner", "true"]);
}

#[test]
fn monitors_noproc_and_demonitor_flush() {
    let Some(r) = run(
        "st_mon",
        r#"-module(st_mon).
-export([main/0]).
main() ->
    {P, M} = spawn_monitor(fun() -> ok end),
    erlang:display(receive {'DOWN', M, process, P, R} -> R end),
    M2 = monitor(process, P),
    erlang:display(receive {'DOWN', M2, process, P, R2} -> R2 end),
    M3 = monitor(process, P),
    erlang:display(demonitor(M3, [flush, info])),
    erlang:display(receive {'DOWN', M3, _, _, _} -> got after 0 -> none end),
    M4 = monitor(process, nobody),
    erlang:display(receive {'DOWN', M4, process, W, R4} -> {W, R4} end),
    erlang:halt(0).
"#,
    ) else {
        return;
    };
    assert_eq!(
        lines(&r.out),
        [
            "normal",
            "noproc",
            "false",
            "none",
            "{{nobody,'nonode@nohost'},noproc}"
        ]
    );
}

#[test]
fn registered_names() {
    let Some(r) = run(
        "st_names",
        r#"-module(st_names).
-export([main/0]).
main() ->
    P = spawn(fun() -> receive {F, X} -> F ! {echo, X} end end),
    true = register(echo, P),
    echo ! {self(), hi},
    erlang:display(receive {echo, X} -> X end),
    erlang:display(catch echo2 ! x),
    M = monitor(process, P),
    receive {'DOWN', M, _, _, _} -> ok end,
    erlang:display({whereis(echo), registered()}),
    erlang:halt(0).
"#,
    ) else {
        return;
    };
    assert_eq!(r.out.lines().next(), Some("hi"));
    assert!(r.out.contains("badarg"));
    assert!(r.out.ends_with("{undefined,[]}\n"));
}

#[test]
fn zlib_streams_are_freed_with_their_owners_and_refused_to_others() {
    let Some(r) = run(
        "st_zlib",
        r#"-module(st_zlib).
-export([main/0]).
main() ->
    S = self(),
    Open = fun() ->
                   Z = zlib:open(),
                   ok = zlib:deflateInit(Z),
                   Y = zlib:open(),
                   ok = zlib:inflateInit(Y, 31),
                   S ! {streams, self(), Z},
                   receive stop -> ok end
           end,
    Ps = [spawn(Open) || _ <- lists:seq(1, 20)],
    Zs = [receive {streams, P, Z} -> Z end || P <- Ps],
    erlang:display(try zlib:deflate(hd(Zs), <<"not mine">>) catch error:R -> R end),
    {Killed, Stopped} = lists:split(10, Ps),
    [exit(P, kill) || P <- Killed],
    [P ! stop || P <- Stopped],
    Mine = zlib:open(),
    ok = zlib:inflateInit(Mine),
    erlang:display(zlib:inflate(Mine, zlib:compress(<<"mine">>))).
"#,
    ) else {
        return;
    };
    assert_eq!(
        lines(&r.out),
        ["not_on_controlling_process", "[<<\"mine\">>]"]
    );
    // Every owner ended (killed, returned, or main itself): nothing is left open or charged.
    assert_eq!(r.zlib_streams, 0);
    assert_eq!(r.memory_used, 0);
}

#[test]
fn many_processes_and_a_clean_exit() {
    let Some(r) = run(
        "st_many",
        r#"-module(st_many).
-export([main/0]).
main() ->
    S = self(),
    Ps = [spawn(fun() -> receive go -> S ! {done, I} end end) || I <- lists:seq(1, 10000)],
    [P ! go || P <- Ps],
    erlang:display(lists:sum([receive {done, I} -> I end || I <- lists:seq(1, 10000)])),
    erlang:display(length(processes())).
"#,
    ) else {
        return;
    };
    assert_eq!(lines(&r.out), ["50005000", "1"]);
    // main returned and nothing is left: the node is idle for good.
    assert!(matches!(r.stop, Stop::Idle { alive: 0 }), "{:?}", r.stop);
    assert_eq!(r.alive, 0);
}

#[test]
fn spawning_past_the_process_limit_is_system_limit_and_the_node_carries_on() {
    let Some(r) = run_with_process_limit(
        "st_limit",
        r#"-module(st_limit).
-export([main/0]).
main() ->
    {Ps, Error} = spawn_until_refused([]),
    erlang:display({spawned, length(Ps), Error}),
    %% Once some have gone, spawning works again.
    [P ! stop || P <- lists:sublist(Ps, 10)],
    wait_until_fewer(length(Ps) + 1 - 10),
    Later = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, 10)],
    erlang:display({again, length(Later), catch spawn(fun() -> ok end)}),
    [P ! stop || P <- lists:nthtail(10, Ps) ++ Later],
    ok.

spawn_until_refused(Ps) ->
    try spawn(fun() -> receive stop -> ok end end) of
        P -> spawn_until_refused([P | Ps])
    catch
        error:Reason -> {Ps, Reason}
    end.

wait_until_fewer(N) ->
    case length(processes()) of
        M when M =< N -> ok;
        _ -> receive after 1 -> wait_until_fewer(N) end
    end.
"#,
        100,
    ) else {
        return;
    };
    let out = lines(&r.out);
    // The main process is one of the 100.
    assert_eq!(out[0], "{spawned,99,system_limit}", "{}", r.out);
    assert!(
        out[1].starts_with("{again,10,{'EXIT',{system_limit,"),
        "{}",
        r.out
    );
    assert!(matches!(r.stop, Stop::Idle { alive: 0 }), "{:?}", r.stop);
}

#[test]
fn pids_are_reused_with_a_new_serial_and_a_stale_pid_reaches_no_one() {
    let Some(r) = run_with_pid_bits(
        "st_pids",
        r#"-module(st_pids).
-export([main/0]).
-define(SLOTS, 1024).
main() ->
    Keeper = spawn(fun waiter/0),
    Old = spawn_dead(),
    New = same_slot(slot(Old), slot(Keeper)),
    erlang:display({new, slot(New) =:= slot(Old), New =/= Old, New < Old orelse New > Old}),
    erlang:display({alive, is_process_alive(Old), is_process_alive(New)}),
    Old ! hello,
    New ! {ping, self()},
    erlang:display({new_got, receive {got, M} -> M end}),
    %% The main process traps exits, as erl's -run process does.
    erlang:display({link, link(Old), receive {'EXIT', Old, Why} -> Why end}),
    Ref = monitor(process, Old),
    erlang:display({down, receive {'DOWN', Ref, process, Old, R} -> R end}),
    %% Ten times round the 4096 pid numbers of this node: spawning never runs out, and the
    %% slots of live processes (this one, the keeper, New) are never handed out again.
    Seen = [spawn_dead_data() || _ <- lists:seq(1, 41000)],
    erlang:display({wrapped, lists:max(Seen) < 4096, length(lists:usort(Seen)),
                    [D || D <- Seen, D rem ?SLOTS =:= slot(Keeper)]}),
    New ! stop,
    Keeper ! stop,
    ok.

waiter() ->
    receive
        {ping, From} -> From ! {got, ping}, waiter();
        stop -> ok;
        Other -> exit({unexpected, Other})
    end.

spawn_dead() ->
    {P, Ref} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', Ref, process, P, normal} -> P end.

spawn_dead_data() -> data(spawn_dead()).

%% Spawns and stops processes until one gets `Slot`.
same_slot(Slot, KeeperSlot) ->
    P = spawn(fun waiter/0),
    case slot(P) of
        Slot -> P;
        KeeperSlot -> exit(keeper_slot_reused);
        _ ->
            Ref = monitor(process, P),
            P ! stop,
            receive {'DOWN', Ref, process, P, normal} -> same_slot(Slot, KeeperSlot) end
    end.

data(P) ->
    [N, S] = string:tokens(lists:sublist(pid_to_list(P), 4, 100), ".>"),
    list_to_integer(S) * 32768 + list_to_integer(N).

slot(P) -> data(P) rem ?SLOTS.
"#,
        12,
    ) else {
        return;
    };
    assert_eq!(
        lines(&r.out),
        [
            "{new,true,true,true}",
            "{alive,false,true}",
            "{new_got,ping}",
            "{link,true,noproc}",
            "{down,noproc}",
            "{wrapped,true,4084,[]}",
        ],
        "{}",
        r.out
    );
    assert!(matches!(r.stop, Stop::Idle { alive: 0 }), "{:?}", r.stop);
}

#[test]
fn a_process_over_its_max_heap_size_is_reported_and_killed() {
    let Some(r) = run(
        "st_maxheap",
        r#"-module(st_maxheap).
-export([main/0]).
main() ->
    {P, R} = spawn_opt(fun() -> grow(100000, []) end,
                       [monitor, {max_heap_size, 10000}]),
    erlang:display({down, receive {'DOWN', R, process, P, Why} -> Why end}),
    {P2, R2} = spawn_opt(fun() -> exit(grow(100000, [])) end,
                         [monitor, {max_heap_size, #{size => 10000, kill => false}}]),
    erlang:display({down, receive {'DOWN', R2, process, P2, Why2} -> Why2 end}).
grow(0, L) -> length(L);
grow(N, L) -> grow(N - 1, [N | L]).
"#,
    ) else {
        return;
    };
    let out = lines(&r.out);
    assert!(out[0].starts_with("=ERROR REPORT==== "), "{}", r.out);
    assert_eq!(out[1], "     Process:            <0.79.0> ");
    assert_eq!(out[2], "     Context:            maximum heap size reached");
    assert_eq!(out[3], "     Max Heap Size:      10000");
    assert!(out[4].starts_with("     Total Heap Size:    "), "{}", r.out);
    assert_eq!(out[5], "     Kill:               true");
    assert_eq!(out[6], "     Error Logger:       true");
    assert_eq!(out[7], "     Message Queue Len:  0");
    assert!(out[8].starts_with("     GC Info:            [{old_heap_block_size,"));
    assert!(out.contains(&"{down,killed}"), "{}", r.out);
    // Not killed: reported at each collection over the limit, and it carries on.
    assert!(out.contains(&"{down,100000}"), "{}", r.out);
    let reports = r.out.matches("=ERROR REPORT====").count();
    assert!(reports > 2, "{}", r.out);
    assert_eq!(
        r.out.matches("     Kill:               false").count(),
        reports - 1
    );
}

#[test]
fn preemption_lets_others_run_and_priorities_order_work() {
    let Some(r) = run(
        "st_prio",
        r#"-module(st_prio).
-export([main/0]).
main() ->
    S = self(),
    process_flag(priority, high),
    %% A process that never stops does not keep others from running.
    spawn(fun() -> spin(0) end),
    spawn(fun() -> S ! {quick, done} end),
    erlang:display(receive {quick, D} -> D end),
    %% Busy workers of different priorities: high finishes before normal before low.
    [spawn(fun() -> process_flag(priority, Pr), work(200000), S ! Pr end)
     || Pr <- [low, normal, high]],
    erlang:display([receive Pr -> Pr end || _ <- [1, 2, 3]]),
    erlang:halt(0).
spin(N) -> spin(N + 1).
work(0) -> ok;
work(N) -> work(N - 1).
"#,
    ) else {
        return;
    };
    assert_eq!(lines(&r.out), ["done", "[high,normal,low]"]);
}

/// A long `re:run` does not hold the node: it traps after a slice of work, the process
/// queued behind it runs first, and the run's result is as in one go. A process killed while
/// its run is parked between slices leaves nothing behind in the node's memory.
#[test]
fn a_long_regex_run_lets_others_run() {
    let Some(r) = run(
        "st_re",
        r#"-module(st_re).
-export([main/0]).
main() ->
    S = self(),
    Hopeless = list_to_binary(lists:duplicate(18, $a) ++ "X"),
    spawn(fun() -> S ! {worker, re:run(Hopeless, "^(a+)+$")} end),
    spawn(fun() -> S ! ticker end),
    erlang:display(receive Any -> Any end),
    erlang:display(receive Other -> Other end),
    {P, Ref} = spawn_monitor(fun() ->
        S ! started,
        re:run(<<Hopeless/binary, Hopeless/binary>>, "^(a+)+$")
    end),
    receive started -> ok end,
    exit(P, kill),
    erlang:display(receive {'DOWN', Ref, process, P, Why} -> Why end).
"#,
    ) else {
        return;
    };
    assert_eq!(lines(&r.out), ["ticker", "{worker,nomatch}", "killed"]);
    assert_eq!(r.memory_used, 0);
}

#[test]
fn a_crash_is_reported_and_the_node_carries_on() {
    let Some(r) = run(
        "st_crash",
        r#"-module(st_crash).
-export([main/0]).
main() ->
    {P, M} = spawn_monitor(fun() -> 1 = length([a, b]) end),
    erlang:display(receive {'DOWN', M, process, P, {R, _}} -> R end),
    erlang:halt(3).
"#,
    ) else {
        return;
    };
    let l = lines(&r.out);
    assert!(l[0].starts_with("=ERROR REPORT==== "), "{}", r.out);
    assert!(l[1].starts_with("Error in process <0.") && l[1].ends_with(".0> with exit value:"));
    assert!(l[2].starts_with("{{badmatch,2},[{st_crash,"));
    assert_eq!(l[3], "");
    assert_eq!(l[4], "{badmatch,2}");
    assert!(matches!(r.stop, Stop::Halt(3)));
}

#[test]
fn waiting_forever_is_reported_not_slept_through() {
    let Some(r) = run(
        "st_idle",
        r#"-module(st_idle).
-export([main/0]).
main() ->
    spawn(fun() -> receive never -> ok end end),
    receive never -> ok end.
"#,
    ) else {
        return;
    };
    assert!(matches!(r.stop, Stop::Idle { alive: 2 }), "{:?}", r.stop);
    assert!(r.waits.is_empty());
    assert_eq!(r.stalls, 0);
}

#[test]
fn timestamps_are_erl_style() {
    // 2026-11-29 19:27:31.558836 UTC.
    let ns = 1_795_980_451_558_836_000;
    assert_eq!(super::node::timestamp(ns), "29-Nov-2026::19:27:31.558836");
    assert_eq!(super::node::timestamp(0), "1-Jan-1970::00:00:00.000000");
}

#[test]
fn pores_and_outlets_deliver_events_to_their_owners_and_close_with_them() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/native");
    let src = std::fs::read_to_string(dir.join("x_pores.erl")).expect("x_pores.erl");
    let want = std::fs::read_to_string(dir.join("x_pores.expected")).expect("x_pores.expected");
    let Some(r) = run("x_pores", &src) else {
        return;
    };
    assert_eq!(r.out, want);
    assert!(matches!(r.stop, Stop::Halt(0)));
    // Every pore and outlet was closed by its owner or when its owner exited: no page or
    // channel is left behind.
    assert_eq!(r.pages_out, 0);
    assert_eq!(r.channels_bound, 0);
    assert_eq!(r.routes, 0, "closing removes every route");
}

/// The output of a run that halted with status 0 after the node killed a process for want
/// of memory: its lines, checked to begin with the kill's report (lines 0 to 6).
/// The node's account is back near empty: whatever the run's processes were charged was
/// given back (at most the main process's small heap is left).
fn assert_memory_given_back(r: &Run) {
    assert!(
        r.memory_used < 1 << 20,
        "{} bytes still charged",
        r.memory_used
    );
}

fn node_memory_report(r: &Run, budget: usize) -> Vec<&str> {
    node_memory_report_at(r, &lines(&r.out), budget)
}

/// As [`node_memory_report`], for the report at the start of `l`, lines of `r`'s output.
fn node_memory_report_at<'a>(r: &Run, l: &[&'a str], budget: usize) -> Vec<&'a str> {
    assert!(matches!(r.stop, Stop::Halt(0)), "{:?}: {}", r.stop, r.out);
    let l = l.to_vec();
    assert!(l[0].starts_with("=ERROR REPORT==== "), "{}", r.out);
    assert_eq!(l[2], "     Context:            node memory exhausted");
    assert!(l[3].starts_with("     Heap Size:          "), "{}", r.out);
    assert!(l[4].starts_with("     Wanted Size:        "), "{}", r.out);
    let in_use = alloc::format!("bytes in use (budget {budget} bytes)");
    assert!(l[5].ends_with(&in_use), "{}", r.out);
    assert_eq!(l[6], "     Exit Reason:        killed");
    l
}

#[test]
fn a_process_outgrowing_the_node_memory_is_killed_and_the_others_run_on() {
    let budget = 64 << 20;
    let Some(r) = run_with_max_memory(
        "st_node_memory",
        r#"-module(st_node_memory).
-export([main/0, grow/1, work/2]).
main() ->
    Self = self(),
    {G, GRef} = spawn_monitor(?MODULE, grow, [[]]),
    W = spawn(?MODULE, work, [Self, 10]),
    erlang:display(receive {'DOWN', GRef, process, G, R} -> R end),
    erlang:display(receive {W, Sum} -> Sum end),
    {A, ARef} = spawn_monitor(fun() -> exit({length, length(build(1000000, []))}) end),
    erlang:display(receive {'DOWN', ARef, process, A, R2} -> R2 end),
    erlang:halt(0).
grow(Acc) -> grow([Acc | Acc]).
work(Parent, N) ->
    Parent ! {self(), lists:sum([lists:sum(lists:seq(1, 100000)) || _ <- lists:seq(1, N)])}.
build(0, Acc) -> Acc;
build(N, Acc) -> build(N - 1, [N | Acc]).
"#,
        budget,
    ) else {
        return;
    };
    let l = node_memory_report(&r, budget);
    assert_eq!(l[1], "     Process:            <0.79.0>");
    // Killed (no crash report follows), the worker finished, and the memory was there again.
    assert_eq!(
        &l[7..],
        ["", "killed", "50000500000", "{length,1000000}"],
        "{}",
        r.out
    );
    // Only the main process is left, with a small heap: the dead ones gave their memory back.
    assert_eq!(r.alive, 1);
    assert_memory_given_back(&r);
}

/// Copies into another process stay within the node's memory: a timer's message, charged while
/// it waits, that no longer fits when it is due kills its receiver (as a refused collection
/// does); a send that does not fit is the sender's `system_limit` and leaves the receiver's
/// mailbox as it was. With room, the same program delivers both.
#[test]
fn copies_into_other_processes_stay_within_the_node_memory() {
    let src = r#"-module(st_send_memory).
-export([main/0]).
main() ->
    Self = self(),
    {R, RRef} = spawn_monitor(fun() -> receive {big, T} -> exit({got, tuple_size(T)}) end end),
    spawn(fun() ->
        Big = {big, erlang:make_tuple(1000000, x)},
        Self ! try erlang:send_after(50, R, Big), started catch error:E -> E end
    end),
    erlang:display(receive S -> S end),
    {Hog, HRef} = spawn_monitor(fun() -> B = binary:copy(<<0>>, 55000000), Self ! hogging, receive stop -> byte_size(B) end end),
    receive hogging -> ok end,
    erlang:display(receive {'DOWN', RRef, process, R, Why} -> Why end),
    Hog ! stop,
    receive {'DOWN', HRef, process, Hog, _} -> ok end,
    Q = spawn(fun() -> receive stop -> ok end end),
    B = erlang:make_tuple(1000000, x),
    erlang:display(try Q ! {B, B, B, B, B, B, B, B} of _ -> sent catch error:system_limit -> system_limit end),
    erlang:display(process_info(Q, message_queue_len)),
    Q ! stop,
    erlang:halt(0).
"#;
    let budget = 64 << 20;
    let Some(r) = run_with_max_memory("st_send_memory", src, budget) else {
        return;
    };
    let out: String = r.out.chars().take(4000).collect();
    if let Stop::Crash { class, reason, .. } = &r.stop {
        panic!("crashed: {class:?} {reason:?}: {out}");
    }
    let l = lines(&r.out);
    assert_eq!(l.first(), Some(&"started"), "{out}");
    let l = node_memory_report_at(&r, &l[1..], budget);
    assert_eq!(
        &l[7..],
        ["", "killed", "system_limit", "{message_queue_len,0}"],
        "{out}"
    );
    assert_memory_given_back(&r);
    let Some(r) = run_with_max_memory("st_send_memory", src, 256 << 20) else {
        return;
    };
    let out: String = r.out.chars().take(4000).collect();
    assert_eq!(
        lines(&r.out),
        ["started", "{got,1000000}", "sent", "{message_queue_len,1}"],
        "{out}"
    );
}

/// The stack is memory like the heap: a deep body recursion that allocates nothing on the
/// heap (by local calls, `apply/3`, remote calls or funs) is killed when the node's memory
/// cannot hold its stack, or when its heap and stack pass its `max_heap_size`, and the node
/// runs on with the memory back. (erl 25 itself dies of a segmentation fault in the second
/// case, so this is checked here rather than against it.)
#[test]
fn a_deep_recursion_is_killed_by_the_node_memory_or_its_max_heap_size() {
    let budget = 32 << 20;
    let Some(r) = run_with_max_memory(
        "st_deep_stack",
        r#"-module(st_deep_stack).
-export([main/0, depth/2]).
main() ->
    Quiet = #{size => 100000, error_logger => false},
    [erlang:display({How, down(spawn_opt(fun() -> exit(depth(How, 20000000)) end, [monitor])),
                     down(spawn_opt(fun() -> exit(depth(How, 200000)) end,
                                    [monitor, {max_heap_size, Quiet}])),
                     down(spawn_opt(fun() -> exit(depth(How, 20000)) end,
                                    [monitor, {max_heap_size, Quiet}]))})
     || How <- [local, apply, remote, 'fun']],
    Self = self(),
    {A, AR} = spawn_monitor(fun() ->
                                    D1 = depth(local, 1000000),
                                    receive after 10 -> ok end,
                                    D2 = depth(local, 1000000),
                                    Self ! {again, D1, D2},
                                    depth(local, 20000000)
                            end),
    {again, D1, D2} = receive {again, _, _} = M -> M end,
    erlang:display({again, D1, D2, down({A, AR})}),
    erlang:halt(0).
down({P, R}) -> receive {'DOWN', R, process, P, Why} -> Why end.
depth(_, 0) -> 0;
depth(local, N) -> 1 + depth(local, N - 1);
depth(apply, N) -> 1 + apply(?MODULE, depth, [apply, N - 1]);
depth(remote, N) -> 1 + ?MODULE:depth(remote, N - 1);
depth('fun', N) -> F = fun ?MODULE:depth/2, 1 + F('fun', N - 1).
"#,
        budget,
    ) else {
        return;
    };
    let l = node_memory_report(&r, budget);
    assert_eq!(
        r.out.matches("node memory exhausted").count(),
        5,
        "{}",
        r.out
    );
    // Deep, back, waiting (the stack shrinks), deep again, then too deep: the checkpoint
    // and the charge follow the shrink, so the last growth is still asked for.
    assert!(l.contains(&"{again,1000000,1000000,killed}"), "{}", r.out);
    for how in ["local", "apply", "remote", "fun"] {
        let line = alloc::format!("{{{how},killed,killed,20000}}");
        assert!(l.contains(&line.as_str()), "{line}: {}", r.out);
    }
    assert_eq!(r.alive, 1);
    assert_memory_given_back(&r);
}

/// ETS objects are charged to the node's memory: a process that fills a table without end
/// is killed when the node cannot hold more (nothing of its last insert stored), its table
/// dies with it and gives the memory back, and another process can then fill a table too.
/// A single big object is refused before it is copied, counting the copy's working memory;
/// a term whose sharing makes it huge as a tree is as small in the table as on the heap.
#[test]
fn a_table_the_node_memory_cannot_hold_kills_the_inserting_process_alone() {
    let budget = 32 << 20;
    let Some(r) = run_with_max_memory(
        "st_ets_memory",
        r#"-module(st_ets_memory).
-export([main/0]).
main() ->
    {P, R} = spawn_monitor(fun() -> T = ets:new(t, [public]), fill(T, 0) end),
    erlang:display(receive {'DOWN', R, process, P, Why} -> Why end),
    {P2, R2} = spawn_monitor(fun() ->
                                     T = ets:new(t, []),
                                     ets:insert(T, [{N, lists:seq(1, 20)} || N <- lists:seq(1, 10000)]),
                                     exit({size, ets:info(T, size)})
                             end),
    erlang:display(receive {'DOWN', R2, process, P2, Why2} -> Why2 end),
    %% One insert of a long list, copied a slice at a time: the copies count as they are made.
    {P3, R3} = spawn_monitor(fun() ->
                                     T = ets:new(t, []),
                                     ets:insert(T, [{N, lists:seq(1, 20)} || N <- lists:seq(1, 60000)]),
                                     exit({size, ets:info(T, size)})
                             end),
    erlang:display(receive {'DOWN', R3, process, P3, Why3} -> Why3 end),
    %% One big object, whose room is made before it is copied: its words would fit what is
    %% left, but not with the copy's sharing map (a 350,000-cell list has to have one).
    {P4, R4} = spawn_monitor(fun() ->
                                     T = ets:new(t, []),
                                     ets:insert(T, {big, lists:seq(1, 350000)}),
                                     exit({size, ets:info(T, size)})
                             end),
    erlang:display(receive {'DOWN', R4, process, P4, Why4} -> Why4 end),
    %% A term of millions of cells as a tree but of 22 objects with its sharing is no
    %% bigger in the table than on the heap: it is stored.
    {P5, R5} = spawn_monitor(fun() ->
                                     T = ets:new(t, []),
                                     ets:insert(T, {shared, double(20, [leaf])}),
                                     [{shared, D}] = ets:lookup(T, shared),
                                     exit({size, ets:info(T, size), depth(D)})
                             end),
    erlang:display(receive {'DOWN', R5, process, P5, Why5} -> Why5 end),
    erlang:halt(0).
fill(T, N) -> ets:insert(T, {N, lists:seq(1, 20)}), fill(T, N + 1).
double(0, T) -> T;
double(N, T) -> double(N - 1, [T | T]).
depth([H | _]) -> 1 + depth(H);
depth(_) -> 0.
"#,
        budget,
    ) else {
        return;
    };
    let l = node_memory_report(&r, budget);
    assert_eq!(&l[7..10], ["", "killed", "{size,10000}"], "{}", r.out);
    assert_eq!(
        r.out.matches("node memory exhausted").count(),
        3,
        "{}",
        r.out
    );
    let n = l.len();
    assert_eq!(&l[n - 2..], ["killed", "{size,1,21}"], "{}", r.out);
    assert_eq!(r.alive, 1);
    assert_memory_given_back(&r);
}

/// Persistent terms are charged to the node's memory until erased: a process that puts
/// more than the node can hold is killed (the put refused), and erasing them gives the memory
/// back for a process that needs it.
#[test]
fn persistent_terms_the_node_memory_cannot_hold_kill_the_putting_process() {
    let budget = 32 << 20;
    let Some(r) = run_with_max_memory(
        "st_pt_memory",
        r#"-module(st_pt_memory).
-export([main/0]).
main() ->
    {P, R} = spawn_monitor(fun() -> put_many(0) end),
    erlang:display(receive {'DOWN', R, process, P, Why} -> Why end),
    erlang:display(erase_all(0) > 0),
    {P2, R2} = spawn_monitor(fun() -> exit({length, length(lists:seq(1, 1000000))}) end),
    erlang:display(receive {'DOWN', R2, process, P2, Why2} -> Why2 end),
    erlang:halt(0).
put_many(N) -> persistent_term:put({pt, N}, lists:seq(1, 50000)), put_many(N + 1).
erase_all(N) ->
    case persistent_term:erase({pt, N}) of
        true -> erase_all(N + 1);
        false -> N
    end.
"#,
        budget,
    ) else {
        return;
    };
    let l = node_memory_report(&r, budget);
    assert_eq!(
        &l[7..],
        ["", "killed", "true", "{length,1000000}"],
        "{}",
        r.out
    );
    assert_memory_given_back(&r);
}

#[test]
fn an_encoding_the_node_memory_cannot_hold_kills_its_process_alone() {
    // The term fits the budget as a heap (25 levels of pairs of one pair); its encoding
    // (2^25 binaries) would not, so term_to_binary kills the process, before the buffer
    // grows past the budget, instead of exhausting the node. A million-deep list (16 MB of
    // heap, 6 MB encoded) and a small count of an encoding in the same node go through, and
    // the memory is given back either way.
    let budget = 96 << 20;
    let Some(r) = run_with_max_memory(
        "st_encode_memory",
        r#"-module(st_encode_memory).
-export([main/0]).
main() ->
    {E, ERef} = spawn_monitor(fun() -> exit({size, byte_size(term_to_binary(double(25, <<"abcdefgh">>)))}) end),
    erlang:display(receive {'DOWN', ERef, process, E, R} -> R end),
    {D, DRef} = spawn_monitor(fun() -> exit({size, byte_size(term_to_binary(nest(1000000, [])))}) end),
    erlang:display(receive {'DOWN', DRef, process, D, R1} -> R1 end),
    {S, SRef} = spawn_monitor(fun() -> exit({size, erlang:external_size(nest(1000, []))}) end),
    erlang:display(receive {'DOWN', SRef, process, S, R2} -> R2 end),
    erlang:halt(0).
double(0, T) -> T;
double(N, T) -> double(N - 1, {T, T}).
nest(0, Acc) -> Acc;
nest(N, Acc) -> nest(N - 1, [Acc]).
"#,
        budget,
    ) else {
        return;
    };
    let l = node_memory_report(&r, budget);
    // As erl: LIST_EXT with one element is 5 bytes, then its tail's NIL_EXT (N x 6), then
    // the innermost NIL_EXT and the version byte.
    assert_eq!(
        &l[7..],
        ["", "killed", "{size,6000002}", "{size,6002}"],
        "{}",
        r.out
    );
    assert_memory_given_back(&r);
}

#[test]
fn off_heap_binaries_count_in_the_node_memory_once_however_shared() {
    // A 10 MiB binary held by 20 processes is charged once, so they all fit in a 48 MiB
    // budget; a process keeping 1 MiB binaries is stopped at the budget (its heap alone would
    // hold 200 of them in a few KiB), and the others run on. All is given back at the end.
    let budget = 48 << 20;
    let Some(r) = run_with_max_memory(
        "st_binary_memory",
        r#"-module(st_binary_memory).
-export([main/0]).
main() ->
    Self = self(),
    Holders = [spawn_monitor(fun() -> receive {B, From} -> From ! {held, byte_size(B)} end,
                                      receive stop -> ok end end)
               || _ <- lists:seq(1, 20)],
    spawn(fun() ->
                  Big = binary:copy(<<7>>, 10 bsl 20),
                  [H ! {Big, Self} || {H, _} <- Holders]
          end),
    erlang:display(lists:sum([receive {held, N} -> N end || _ <- Holders])),
    {K, KRef} = spawn_monitor(fun() -> exit({kept, keep(200, [])}) end),
    erlang:display(receive {'DOWN', KRef, process, K, Why} -> Why end),
    [H ! stop || {H, _} <- Holders],
    [receive {'DOWN', R, process, H, normal} -> ok end || {H, R} <- Holders],
    erlang:display(byte_size(binary:copy(<<1>>, 8 bsl 20))),
    MiB = binary:copy(<<2>>, 1 bsl 20),
    erlang:display(try list_to_binary(lists:duplicate(100, MiB)) catch error:E -> {caught, E} end),
    erlang:garbage_collect(),
    erlang:halt(0).
keep(0, Acc) -> length(Acc);
keep(N, Acc) ->
    B = try binary:copy(<<N>>, 1 bsl 20) catch error:E -> exit({stopped_at, 200 - N, E}) end,
    keep(N - 1, [B | Acc]).
"#,
        budget,
    ) else {
        return;
    };
    assert!(matches!(r.stop, Stop::Halt(0)), "{:?}: {}", r.stop, r.out);
    let l = lines(&r.out);
    assert_eq!(l[0], "209715200", "{}", r.out);
    // 10 MiB shared and the main process's heap leave room for about 37 binaries of 1 MiB.
    let stopped = l[1]
        .strip_prefix("{stopped_at,")
        .and_then(|s| s.strip_suffix(",system_limit}"))
        .and_then(|n| n.parse::<usize>().ok());
    assert!(stopped.is_some_and(|n| (30..=38).contains(&n)), "{}", r.out);
    assert_eq!(l[2], "8388608", "{}", r.out);
    // An iolist repeating one binary stands for more bytes than the budget holds.
    assert_eq!(l[3], "{caught,system_limit}", "{}", r.out);
    assert_memory_given_back(&r);
}

#[test]
fn a_process_that_does_not_own_an_outlet_is_refused_before_its_command_is_converted() {
    // The deep command fits the budget as a heap, but its conversion would not (as in the
    // encoding test above): a process that does not own the outlet gets badarg at once
    // instead of being killed for converting a command it may not send.
    let budget = 48 << 20;
    let Some(r) = run_with_max_memory(
        "st_outlet_owner",
        r#"-module(st_outlet_owner).
-export([main/0]).
main() ->
    O = outlet:open_loopback(),
    Self = self(),
    {P, R} = spawn_monitor(fun() ->
        Deep = nest(1000000, []),
        Self ! {tried, try outlet:command(O, Deep) catch error:E -> E end}
    end),
    erlang:display(receive {tried, T} -> T; {'DOWN', R, process, P, W} -> W end),
    ok = outlet:close(O),
    erlang:halt(0).
nest(0, Acc) -> Acc;
nest(N, Acc) -> nest(N - 1, [Acc]).
"#,
        budget,
    ) else {
        return;
    };
    assert!(matches!(r.stop, Stop::Halt(0)), "{:?}: {}", r.stop, r.out);
    assert_eq!(lines(&r.out), ["badarg"], "{}", r.out);
}

#[test]
fn a_killed_process_takes_its_receive_timer_with_it() {
    let Some(r) = run(
        "st_killtimer",
        r#"-module(st_killtimer).
-export([main/0]).
main() ->
    P = spawn(fun() -> receive x -> ok after 100000 -> late end end),
    erlang:yield(),
    exit(P, kill),
    receive never -> ok end.
"#,
    ) else {
        return;
    };
    // Nothing is left to wake for: the node stops instead of sleeping until the dead
    // process's deadline.
    assert!(matches!(r.stop, Stop::Idle { alive: 1 }), "{:?}", r.stop);
    assert!(r.waits.is_empty(), "{:?}", r.waits);
}

#[test]
fn aliases_route_replies_and_expire_with_their_monitor() {
    let Some(r) = run(
        "st_alias",
        r#"-module(st_alias).
-export([main/0]).
main() ->
    S = self(),
    P = spawn(fun() -> loop() end),
    M = monitor(process, P, [{alias, reply_demonitor}]),
    P ! {M, one},
    erlang:display(receive {M, R} -> R end),
    %% The first reply ended the alias and the monitor: a second one is dropped.
    P ! {M, two},
    erlang:display(receive {M, R2} -> R2 after 50 -> none end),
    A = alias(),
    P ! {A, three},
    erlang:display(receive {A, R3} -> R3 end),
    erlang:display({unalias(A), unalias(A)}),
    P ! {A, four},
    erlang:display(receive {A, R4} -> R4 after 50 -> none end),
    erlang:display(S =:= self()),
    erlang:halt(0).
loop() -> receive {To, X} -> To ! {To, X}, loop() end.
"#,
    ) else {
        return;
    };
    assert_eq!(
        lines(&r.out),
        ["one", "none", "three", "{true,false}", "none", "true"]
    );
}

#[test]
fn the_run_process_traps_exits_and_exit_self_normal_ends_others() {
    let Some(r) = run(
        "st_selfexit",
        r#"-module(st_selfexit).
-export([main/0]).
main() ->
    erlang:display(process_flag(trap_exit, true)),
    {P, M} = spawn_monitor(fun() -> exit(self(), normal), receive after infinity -> ok end end),
    erlang:display(receive {'DOWN', M, process, P, R} -> R end),
    exit(self(), normal),
    erlang:display(receive {'EXIT', _, normal} -> trapped end),
    erlang:halt(0).
"#,
    ) else {
        return;
    };
    assert_eq!(lines(&r.out), ["true", "normal", "trapped"]);
}

#[test]
fn kernel_services_start_first_and_do_not_keep_the_node_up() {
    let src = r#"
-module(svc).
-export([start/0, main/0]).
start() ->
    Self = self(),
    Server = spawn(fun() -> register(svc_server, self()), Self ! up, serve() end),
    receive up -> ok end,
    erlang:display({server, Server}).
serve() ->
    receive {ping, From} -> From ! pong, serve() end.
main() ->
    svc_server ! {ping, self()},
    erlang:display(receive pong -> pong end),
    erlang:display({spawned, spawn(fun() -> ok end)}).
"#;
    let Some(r) = run_with_service("svc", src, true) else {
        return;
    };
    // The service and its server take pids before the program's; the program's processes
    // are numbered as in erl; when the program is done, the waiting server does not keep
    // the node up, and it is not counted as the program's.
    assert_eq!(
        lines(&r.out),
        ["{server,<0.41.0>}", "pong", "{spawned,<0.79.0>}"]
    );
    assert!(matches!(r.stop, Stop::Idle { alive: 0 }), "{:?}", r.stop);
    assert_eq!(r.alive, 0);
    assert_eq!(r.stalls, 0);
}

/// Erlang for the two tests below: `during(Echo, F)` runs F in a worker while this process
/// and `Echo` pass a token, and returns `{Passes > 2, F's result}`.
const PASS_THE_TOKEN: &str = r#"echo() -> receive {P, ping} -> P ! pong, echo() end.
during(Echo, F) ->
    Main = self(),
    spawn_monitor(fun() -> Main ! {done, F()} end),
    Echo ! {Main, ping},
    count(Echo, 0).
count(Echo, N) ->
    receive
        pong -> Echo ! {self(), ping}, count(Echo, N + 1);
        {done, R} -> receive pong -> ok end, {N > 2, R};
        {'DOWN', _, process, _, Why} when Why =/= normal -> receive pong -> ok end, {crashed, Why}
    end.
"#;

#[test]
fn long_list_bifs_trap_and_let_others_run() {
    // Main and an echo process pass a token back and forth while a worker runs one long BIF
    // call: each pass waits for the worker's turn, so the count says how many times the
    // worker let others run before the call returned (once at most if it held on to the end; a
    // slice's worth is 32,000 cells).
    let Some(r) = run(
        "st_trap",
        &[
            r#"-module(st_trap).
-export([main/0]).
main() ->
    L = lists:seq(1, 1000000),
    K = [{I} || I <- lists:seq(1, 200000)],
    Echo = spawn(fun echo/0),
    [erlang:display(during(Echo, F)) || F <- [
        fun() -> hd(lists:reverse(L, [])) end,
        fun() -> lists:member(0, L) end,
        fun() -> lists:keyfind(200000, 1, K) end,
        fun() -> lists:keysearch(0, 1, K) end,
        fun() -> put(m, lists), apply(get(m), member, [1000000, L]) end,
        fun() -> length(L) end,
        fun() -> byte_size(term_to_binary(L)) end,
        fun() -> lists:sum(binary_to_list(binary:copy(<<1,2>>, 100000))) end,
        fun() -> <<_:3, B:199999/binary, _:5>> = binary:copy(<<1,2>>, 100000),
                 lists:nth(3, binary_to_list(B)) end,
        fun() -> BtoL = fun erlang:binary_to_list/1,
                 hd(BtoL(binary:copy(<<9>>, 100000))) end]],
    erlang:halt(0).
"#,
            PASS_THE_TOKEN,
        ]
        .concat(),
    ) else {
        return;
    };
    // reverse, member, keyfind/keysearch, length, term_to_binary and binary_to_list (also of
    // a binary off a byte boundary) trap; through an export fun binary_to_list runs to the
    // end with the same result, and through apply/3 with a module known only at run time the
    // list BIFs run to the end.
    assert_eq!(
        lines(&r.out),
        [
            "{true,1000000}",
            "{true,false}",
            "{true,{200000}}",
            "{true,false}",
            "{false,true}",
            "{true,1000000}",
            "{true,4999242}",
            "{true,300000}",
            "{true,8}",
            "{false,9}"
        ]
    );
}

#[test]
fn long_bifs_that_finish_in_one_go_charge_for_their_work() {
    // As above: each of these calls ends its caller's slice, so a worker making five of
    // them lets the token pass several times (without charging, at most once).
    let Some(r) = run(
        "st_charge",
        &[
            r#"-module(st_charge).
-export([main/0]).
main() ->
    L = lists:seq(1, 100000),
    T = list_to_tuple(L),
    B = term_to_binary(L),
    Io = lists:duplicate(100000, "abcdefgh"),
    Echo = spawn(fun echo/0),
    [erlang:display(during(Echo, fun() -> [F() || _ <- [1, 2, 3, 4, 5]], ok end)) || F <- [
        fun() -> length(L) end,
        fun() -> term_to_binary(L) end,
        fun() -> binary_to_term(B) end,
        fun() -> iolist_to_binary(Io) end,
        fun() -> list_to_binary(Io) end,
        fun() -> tuple_to_list(T) end,
        fun() -> L ++ [x] end]],
    erlang:halt(0).
"#,
            PASS_THE_TOKEN,
        ]
        .concat(),
    ) else {
        return;
    };
    assert_eq!(lines(&r.out), ["{true,ok}"; 7]);
}

#[test]
fn memory_reports_heap_sizes_not_collection_thresholds() {
    // 1000 processes that have each collected once (so each keeps room up to its collection
    // threshold) report erl's heap size and a few KiB each (processes_used sums that; the
    // room is in processes), and the node's figures add up.
    let Some(r) = run(
        "st_memreport",
        r#"-module(st_memreport).
-export([main/0]).
main() ->
    S = self(),
    Ps = [spawn(fun() -> erlang:garbage_collect(), S ! {ok, self()}, idle() end)
          || _ <- lists:seq(1, 1000)],
    [receive {ok, P} -> ok end || P <- Ps],
    Heaps = lists:usort([element(2, process_info(P, heap_size)) || P <- Ps]),
    Mem = lists:max([element(2, process_info(P, memory)) || P <- Ps]),
    [Total, Procs, Used, System] = [erlang:memory(K) || K <- [total, processes, processes_used, system]],
    erlang:display({Heaps =:= [233], Mem < 8192, Used < 1000 * 8192, Used >= 1000 * 233 * 8,
                    Total =:= Procs + System, Used =< Procs}),
    [exit(P, kill) || P <- Ps].
idle() -> receive stop -> ok end.
"#,
    ) else {
        return;
    };
    assert_eq!(
        lines(&r.out),
        ["{true,true,true,true,true,true}"],
        "{}",
        r.out
    );
}

#[test]
fn spawn_link_does_not_end_the_callers_slice() {
    // A supervisor restarting children with spawn_link keeps its slice: ending it at each
    // spawn_link sent it to the back of the run queue once per restart, so under load its
    // restarts lagged by a full turn of the queue each (the soak benchmark's 0.45 s).
    let Some(r) = run(
        "st_spawnlink",
        r#"-module(st_spawnlink).
-export([main/0]).
main() ->
    process_flag(trap_exit, true),
    S = self(),
    Ps = [spawn_link(fun() -> S ! {hi, self()} end) || _ <- lists:seq(1, 10)],
    {message_queue_len, Early} = process_info(self(), message_queue_len),
    [receive {hi, P} -> ok end || P <- Ps],
    [receive {'EXIT', P, normal} -> ok end || P <- Ps],
    erlang:display({Early, length(Ps)}).
"#,
    ) else {
        return;
    };
    assert_eq!(lines(&r.out), ["{0,10}"], "{}", r.out);
}
