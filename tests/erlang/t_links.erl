%% Links and exit signals: spawn_link, trap_exit, exit/2 with normal and kill, unlink.
-module(t_links).
-export([main/0]).

main() ->
    process_flag(trap_exit, true),
    %% Exit reasons of linked processes arrive as 'EXIT' messages.
    P1 = spawn_link(fun() -> ok end),
    erlang:display({normal, receive {'EXIT', P1, R1} -> R1 end}),
    P2 = spawn_link(fun() -> exit({custom, [1, 2]}) end),
    erlang:display({custom, receive {'EXIT', P2, R2} -> R2 end}),
    %% kill cannot be trapped; the link reports killed.
    P3 = spawn_link(fun() -> process_flag(trap_exit, true), receive _ -> ok end end),
    exit(P3, kill),
    erlang:display({kill, receive {'EXIT', P3, R3} -> R3 end}),
    %% A trapping process turns exit/2 signals into messages and survives.
    Self = self(),
    P4 = spawn_link(fun() ->
                            process_flag(trap_exit, true),
                            Self ! ready,
                            receive {'EXIT', From, Why} -> Self ! {trapped, From =:= Self, Why} end,
                            receive stop -> exit(stopped) end
                    end),
    receive ready -> ok end,
    exit(P4, please),
    erlang:display(receive {trapped, _, _} = T -> T end),
    P4 ! stop,
    erlang:display({stopped, receive {'EXIT', P4, R4} -> R4 end}),
    %% exit(P, normal) does not end a process that does not trap exits.
    P5 = spawn_link(fun() -> receive stop -> exit(done) end end),
    exit(P5, normal),
    erlang:display({survives_normal, is_process_alive(P5)}),
    P5 ! stop,
    erlang:display({done, receive {'EXIT', P5, R5} -> R5 end}),
    %% An exit propagates along a chain of links to processes that do not trap.
    Chain = spawn_link(fun() -> chain(5, Self) end),
    Tail = receive {tail, T6} -> T6 end,
    Tail ! boom,
    erlang:display({chain, receive {'EXIT', Chain, R6} -> R6 end}),
    %% After unlink no signal arrives.
    P7 = spawn_link(fun() -> receive go -> exit(unlinked_exit) end end),
    unlink(P7),
    M7 = monitor(process, P7),
    P7 ! go,
    receive {'DOWN', M7, process, P7, R7} -> erlang:display({unlinked, R7}) end,
    erlang:display({no_exit_msg, receive {'EXIT', P7, _} -> got after 50 -> none end}),
    %% link/1 to a dead process while trapping: an 'EXIT' with noproc.
    link(P7),
    erlang:display({link_dead, receive {'EXIT', P7, R8} -> R8 after 1000 -> none end}),
    %% Without trap_exit, link/1 to a dead process raises noproc.
    process_flag(trap_exit, false),
    {'EXIT', {NoProc, _}} = (catch link(P7)),
    erlang:display({link_dead_error, NoProc}),
    %% Not trapping: a linked process's abnormal exit kills this one (seen from a monitor).
    Watcher = spawn(fun() ->
                            W = spawn(fun() ->
                                              spawn_link(fun() -> exit(inner_reason) end),
                                              receive after infinity -> ok end
                                      end),
                            Mw = monitor(process, W),
                            receive {'DOWN', Mw, process, W, Rw} -> Self ! {cascade, Rw} end
                    end),
    erlang:display(receive {cascade, _} = C -> C end),
    erlang:display({watcher_gone, begin Mx = monitor(process, Watcher),
                                        receive {'DOWN', Mx, process, Watcher, Rx} -> Rx end end}),
    erlang:display({trap_flag, process_flag(trap_exit, true), process_flag(trap_exit, false)}),
    erlang:halt(0).

chain(0, Top) ->
    Top ! {tail, self()},
    receive boom -> exit(chain_broken) end;
chain(N, Top) ->
    spawn_link(fun() -> chain(N - 1, Top) end),
    receive after infinity -> ok end.
