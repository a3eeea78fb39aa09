%% monitor/3's {tag, Tag}: the monitor's message has Tag (any term) in place of 'DOWN', for
%% an exit and for noproc; the last tag given counts; it goes with an alias; demonitor ends
%% it, and its flush takes a tagged message; spawn_opt and spawn_request take it in their
%% {monitor, Opts}; bad options are badopt, as in erl.
-module(t_monitor_tag).
-export([main/0]).

main() ->
    P = spawn(fun() -> receive X -> exit(X) end end),
    R = monitor(process, P, [{tag, mytag}]),
    P ! {shutdown, 1},
    receive M -> erlang:display({M =:= {mytag, R, process, P, {shutdown, 1}}, element(1, M)}) end,
    R2 = monitor(process, nosuch, [{tag, {a, "b", <<"c">>}}]),
    receive M2 -> erlang:display({M2 =:= {{a, "b", <<"c">>}, R2, process, {nosuch, node()}, noproc}}) end,
    Q = spawn(fun() -> receive X -> exit(X) end end),
    R3 = monitor(process, Q, [{tag, a}, {tag, b}]),
    R4 = monitor(process, Q, [{alias, demonitor}, {tag, [t]}]),
    R5 = monitor(process, Q, [{tag, gone}]),
    R6 = monitor(process, Q),
    erlang:display(demonitor(R5, [info])),
    Q ! bye,
    receive {b, R3, process, Q, bye} -> erlang:display(b) end,
    receive {[t], R4, process, Q, bye} -> erlang:display(t) end,
    receive {'DOWN', R6, process, Q, bye} -> erlang:display('DOWN') end,
    receive Y -> erlang:display({unexpected, Y}) after 50 -> erlang:display(none) end,
    S = spawn(fun() -> receive X -> exit(X) end end),
    R7 = monitor(process, S, [{tag, flushme}]),
    exit(S, kill),
    receive after 20 -> ok end,
    erlang:display(demonitor(R7, [flush, info])),
    receive Z -> erlang:display({unexpected, Z}) after 50 -> erlang:display(flushed) end,
    {P2, R8} = spawn_opt(fun() -> exit(y) end, [{monitor, [{tag, {t}}, {alias, demonitor}]}]),
    receive M3 -> erlang:display(M3 =:= {{t}, R8, process, P2, y}) end,
    Req = spawn_request(fun() -> exit(z) end, [{monitor, [{tag, bar}]}]),
    receive {spawn_reply, Req, ok, P3} -> ok end,
    receive M4 -> erlang:display(M4 =:= {bar, Req, process, P3, z}) end,
    Self = self(),
    [erlang:display(error_info(catch monitor(Kind, Self, Opts)))
     || {Kind, Opts} <- [{process, [{tag}]}, {process, [{tag, a, b}]}, {port, [{tag, a}]},
                         {process, [{tag, a} | b]}, {process, [{tag, a}, {alias, x}]}]],
    erlang:display(error_info(catch spawn_opt(fun() -> ok end, [{monitor, [{tag}]}]))),
    halt().

error_info({'EXIT', {Reason, [{erlang, F, _, Info} | _]}}) -> {Reason, F, Info}.
