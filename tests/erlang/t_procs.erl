%% Processes: spawn, links, monitors, exit signals, registered names.
-module(t_procs).
-export([main/0, echo/0]).

main() ->
    Self = self(),
    P = spawn(fun() -> receive {From, X} -> From ! {self(), X * 2} end end),
    P ! {Self, 21},
    erlang:display({reply, receive {P, V} -> V after 5000 -> timeout end}),
    {Pid, Mref} = spawn_monitor(fun() -> exit(my_reason) end),
    erlang:display({monitor, receive {'DOWN', Mref, process, Pid, R} -> R after 5000 -> timeout end}),
    process_flag(trap_exit, true),
    L = spawn_link(fun() -> exit({boom, detail}) end),
    erlang:display({link, receive {'EXIT', L, {Reason, _}} -> Reason after 5000 -> timeout end}),
    E = spawn(?MODULE, echo, []),
    register(echo_srv, E),
    echo_srv ! {Self, ping},
    erlang:display({registered, receive {echo, M} -> M after 5000 -> timeout end, whereis(echo_srv) =:= E}),
    Parent = self(),
    Pids = [spawn(fun() -> Parent ! {done, I, lists:sum(lists:seq(1, I * 1000))} end) || I <- lists:seq(1, 20)],
    Results = [receive {done, I, S} -> S after 5000 -> timeout end || I <- lists:seq(1, 20)],
    erlang:display({many, length(Pids), lists:sum(Results)}),
    Ring = ring(100, Self),
    Ring ! 0,
    erlang:display({ring, receive Hops -> Hops after 5000 -> timeout end}),
    Mref2 = monitor(process, E),
    exit(E, kill),
    erlang:display({killed, receive {'DOWN', Mref2, process, E, R2} -> R2 after 5000 -> timeout end}),
    erlang:display({is_alive, is_process_alive(E), is_process_alive(self())}),
    erlang:halt(0).

echo() ->
    receive {From, Msg} -> From ! {echo, Msg}, echo() end.

ring(0, Next) -> Next;
ring(N, Next) ->
    ring(N - 1, spawn(fun() -> receive K -> Next ! K + 1 end end)).
