%% Monitors: 'DOWN' reasons, noproc, monitors by name, demonitor with flush and info.
-module(t_monitors).
-export([main/0]).

main() ->
    Self = self(),
    {P1, M1} = spawn_monitor(fun() -> ok end),
    erlang:display({normal, receive {'DOWN', M1, process, P1, R1} -> R1 end}),
    {P2, M2} = spawn_monitor(fun() -> exit({shutdown, why}) end),
    erlang:display({reason, receive {'DOWN', M2, process, P2, R2} -> R2 end}),
    %% Monitoring a dead process: noproc at once.
    M3 = monitor(process, P2),
    erlang:display({noproc, receive {'DOWN', M3, process, P2, R3} -> R3 end}),
    %% Killed.
    P4 = spawn(fun() -> receive after infinity -> ok end end),
    M4 = monitor(process, P4),
    exit(P4, kill),
    erlang:display({killed, receive {'DOWN', M4, process, P4, R4} -> R4 end}),
    %% By registered name: the 'DOWN' names {Name, Node}.
    P5 = spawn(fun() -> receive stop -> ok end end),
    register(mon_target, P5),
    M5 = monitor(process, mon_target),
    P5 ! stop,
    erlang:display({by_name, receive {'DOWN', M5, process, Who, R5} -> {Who, R5} end}),
    M6 = monitor(process, no_such_name),
    erlang:display({name_noproc, receive {'DOWN', M6, process, W6, R6} -> {W6, R6} end}),
    %% Two monitors on one process each get a 'DOWN'.
    P7 = spawn(fun() -> receive stop -> ok end end),
    Ma = monitor(process, P7),
    Mb = monitor(process, P7),
    P7 ! stop,
    erlang:display({two, receive {'DOWN', Ma, _, _, Ra} -> Ra end,
                    receive {'DOWN', Mb, _, _, Rb} -> Rb end, Ma =/= Mb}),
    %% demonitor before the exit: no message.
    P8 = spawn(fun() -> receive stop -> ok end end),
    M8 = monitor(process, P8),
    erlang:display({demonitor, demonitor(M8)}),
    P8 ! stop,
    erlang:display({no_down, receive {'DOWN', M8, _, _, _} -> got after 50 -> none end}),
    %% demonitor with flush removes a 'DOWN' already delivered.
    {P9, M9} = spawn_monitor(fun() -> ok end),
    Mx = monitor(process, P9),
    receive {'DOWN', Mx, _, _, _} -> ok end,
    erlang:display({flush, demonitor(M9, [flush]),
                    receive {'DOWN', M9, _, _, _} -> got after 0 -> none end}),
    %% info: whether the monitor was still active.
    P10 = spawn(fun() -> receive stop -> ok end end),
    M10 = monitor(process, P10),
    erlang:display({info_active, demonitor(M10, [info])}),
    erlang:display({info_gone, demonitor(M10, [info]), demonitor(M10, [flush, info])}),
    P10 ! stop,
    %% Monitors are one-way: the monitored process is not affected by the watcher.
    P11 = spawn(fun() -> receive {ping, From} -> From ! pong end end),
    W = spawn(fun() -> monitor(process, P11), exit(watcher_dies) end),
    Mw = monitor(process, W),
    receive {'DOWN', Mw, _, _, _} -> ok end,
    P11 ! {ping, Self},
    erlang:display({one_way, receive pong -> alive after 1000 -> dead end}),
    erlang:display({badarg, catch monitor(port, Self) =:= x, catch demonitor(not_a_ref)}),
    erlang:halt(0).
