%% max_heap_size: process_flag, spawn_opt, process_info, system_flag/system_info, and a
%% process whose heap outgrows its limit killed with reason killed (reports are switched
%% off with error_logger => false: their timestamps and sizes differ from erl's).
-module(t_max_heap).
-export([main/0]).

main() ->
    %% process_flag returns the old setting, always as erl's map.
    erlang:display(process_flag(max_heap_size, 10000)),
    erlang:display(process_flag(max_heap_size, #{size => 20000, kill => false})),
    erlang:display(process_info(self(), max_heap_size)),
    erlang:display(process_info(self(), [max_heap_size, trap_exit])),
    erlang:display(process_flag(max_heap_size, #{size => 233, error_logger => false})),
    erlang:display(process_flag(max_heap_size,
                                #{size => 5000, include_shared_binaries => true})),
    erlang:display(process_flag(max_heap_size, 0)),
    [erlang:display({V, flag(V)})
     || V <- [-1, 10, 232, 1 bsl 59, (1 bsl 59) - 1, 1.0, foo, #{}, #{kill => true},
              #{size => 232}, #{size => foo}, #{size => 1000, kill => 1},
              #{size => 1000, error_logger => yes}, #{size => 1000, other => true}]],
    erlang:display(process_flag(max_heap_size, 0)),

    %% A process that grows past its limit is killed; no catch sees it.
    Quiet = #{size => 10000, error_logger => false},
    {P1, R1} = spawn_opt(fun() -> grow(200000) end, [monitor, {max_heap_size, Quiet}]),
    erlang:display({grow, down(P1, R1)}),
    Self = self(),
    {P2, R2} = spawn_opt(fun() ->
                                 try grow(200000) of
                                     N -> Self ! {returned, N}
                                 catch
                                     C:E -> Self ! {caught, C, E}
                                 after
                                     Self ! after_ran
                                 end
                         end, [monitor, {max_heap_size, Quiet}]),
    erlang:display({try_grow, down(P2, R2), flush()}),
    %% Linked processes get the exit signal killed.
    process_flag(trap_exit, true),
    P3 = spawn_opt(fun() -> grow(200000) end, [link, {max_heap_size, Quiet}]),
    erlang:display({linked, receive {'EXIT', P3, Why3} -> Why3 after 5000 -> timeout end}),
    process_flag(trap_exit, false),
    %% With kill => false it carries on.
    {P4, R4} = spawn_opt(fun() -> exit({length, grow(200000)}) end,
                         [monitor, {max_heap_size, Quiet#{kill => false}}]),
    erlang:display({not_killed, down(P4, R4)}),
    %% Under its limit it lives.
    {P5, R5} = spawn_opt(fun() -> exit({sum, lists:sum(lists:seq(1, 1000))}) end,
                         [monitor, {max_heap_size, 1000000}]),
    erlang:display({small, down(P5, R5)}),
    %% The process sets its own limit.
    {P6, R6} = spawn_monitor(fun() ->
                                     process_flag(max_heap_size, Quiet),
                                     grow(200000)
                             end),
    erlang:display({own_flag, down(P6, R6)}),
    %% process_info of another process.
    P7 = spawn_opt(fun() -> receive stop -> ok end end,
                   [{max_heap_size, #{size => 12345, kill => false}}]),
    erlang:display(process_info(P7, max_heap_size)),
    P7 ! stop,
    spawn_opt_errors(),

    %% The node's default, which new processes get.
    erlang:display(erlang:system_info(max_heap_size)),
    erlang:display(erlang:system_flag(max_heap_size, Quiet)),
    erlang:display(erlang:system_info(max_heap_size)),
    erlang:display(process_info(self(), max_heap_size)),
    {P8, R8} = spawn_monitor(fun() -> grow(200000) end),
    erlang:display({default, down(P8, R8)}),
    P9 = spawn(fun() -> receive stop -> ok end end),
    erlang:display(process_info(P9, max_heap_size)),
    P9 ! stop,
    erlang:display(erlang:system_flag(max_heap_size, #{size => 0})),
    erlang:display(erlang:system_info(max_heap_size)),
    erlang:display({system_flag_errors,
                    [catch_top(fun() -> erlang:system_flag(max_heap_size, V) end)
                     || V <- [-1, 10, #{}, #{size => 1000, kill => maybe}]]}),
    erlang:halt(0).

grow(N) -> grow(N, []).
grow(0, L) -> length(L);
grow(N, L) -> grow(N - 1, [N | L]).

down(P, R) ->
    receive {'DOWN', R, process, P, Why} -> Why after 5000 -> timeout end.

flush() ->
    receive M -> [M | flush()] after 0 -> [] end.

flag(V) ->
    catch_top(fun() -> process_flag(max_heap_size, V) end).

spawn_opt_errors() ->
    [erlang:display({spawn_opt, V,
                     catch_top(fun() ->
                                       is_pid(spawn_opt(fun() -> ok end, [{max_heap_size, V}]))
                               end)})
     || V <- [10, -5, #{kill => false}, #{size => 1000, foo => bar}]].

catch_top(F) ->
    try F() of
        R -> {ok, R}
    catch
        C:E:St -> {C, E, top(St)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.
