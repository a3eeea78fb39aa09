%% Exits: reasons seen by links and monitors, exit/1 vs kill, catch inside processes,
%% process_flag/2, spawn_opt, and processes/0.
-module(t_exits).
-export([main/0, loop/0]).

main() ->
    Self = self(),
    Reasons = [normal, shutdown, {shutdown, x}, "string reason", {a, [1, 2, {b}]}, 42],
    Seen = [begin
                {P, M} = spawn_monitor(fun() -> exit(R) end),
                receive {'DOWN', M, process, P, R2} -> R2 =:= R end
            end || R <- Reasons],
    erlang:display({reasons, Seen}),
    %% An error caught inside the process does not end it.
    {P2, M2} = spawn_monitor(fun() ->
                                     R = (catch 1 / zero()),
                                     exit({caught, element(1, element(2, R))})
                             end),
    erlang:display({caught, receive {'DOWN', M2, process, P2, R2} -> R2 end}),
    %% Killing a process that is waiting, and one that is busy.
    Busy = spawn(fun() -> spin(0) end),
    Mb = monitor(process, Busy),
    receive after 5 -> ok end,
    exit(Busy, kill),
    erlang:display({busy_killed, receive {'DOWN', Mb, process, Busy, Rb} -> Rb end}),
    %% exit/2 with a custom reason on a non-trapping process.
    P3 = spawn(?MODULE, loop, []),
    M3 = monitor(process, P3),
    exit(P3, custom),
    erlang:display({custom, receive {'DOWN', M3, process, P3, R3} -> R3 end}),
    %% A trapping process receives exit/2 as a message.
    P4 = spawn(fun() ->
                       process_flag(trap_exit, true),
                       Self ! trapping,
                       receive {'EXIT', From, Why} -> Self ! {got, From =:= Self, Why} end
               end),
    receive trapping -> ok end,
    exit(P4, normal),
    erlang:display(receive {got, _, _} = G -> G end),
    %% process_flag/2 values.
    F1 = process_flag(trap_exit, false),
    F2 = process_flag(trap_exit, true),
    F3 = process_flag(trap_exit, false),
    F4 = process_flag(priority, high),
    F5 = process_flag(priority, low),
    F6 = process_flag(priority, normal),
    erlang:display({flags, F1, F2, F3, F4, F5, F6}),
    erlang:display({bad_flag, catch_error(fun() -> process_flag(priority, urgent) end)}),
    %% spawn_opt with link and monitor.
    process_flag(trap_exit, true),
    {P5, M5} = spawn_opt(fun() -> exit(opt_exit) end, [link, monitor, {priority, high}]),
    erlang:display({spawn_opt, receive {'DOWN', M5, process, P5, R5} -> R5 end,
                    receive {'EXIT', P5, R6} -> R6 end}),
    process_flag(trap_exit, false),
    %% processes/0 includes self and live processes, not dead ones.
    All = processes(),
    erlang:display({processes, lists:member(Self, All), lists:member(P5, All),
                    lists:member(P3, All)}),
    %% exit(self(), normal) ends a process that does not trap exits...
    {P6, M6} = spawn_monitor(fun() -> exit(self(), normal), receive after infinity -> ok end end),
    erlang:display({self_normal, receive {'DOWN', M6, process, P6, R7} -> R7 end}),
    %% ...and is a message for one that does.
    {P7, M7} = spawn_monitor(fun() ->
                                     process_flag(trap_exit, true),
                                     exit(self(), normal),
                                     receive {'EXIT', _, Why} -> exit({trapped, Why}) end
                             end),
    erlang:display({self_trapped, receive {'DOWN', M7, process, P7, R8} -> R8 end}),
    erlang:display({self_alive, is_process_alive(self())}),
    erlang:halt(0).

zero() -> 0.

spin(N) -> spin(N + 1).

loop() -> receive _ -> loop() end.

catch_error(F) ->
    try F() catch error:E -> E end.
