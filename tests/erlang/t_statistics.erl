%% statistics/1: the node-wide counters and their change since the last call. The values
%% differ from erl's (schedulers, timing); what is printed is what holds on both.
-module(t_statistics).
-export([main/0]).

main() ->
    [pair(K) || K <- [reductions, exact_reductions, runtime, wall_clock]],
    %% Work in other processes shows in the total once their slices end.
    {R0, _} = statistics(reductions),
    Pids = [spawn_monitor(fun() -> exit(lists:sum(lists:seq(1, 20000))) end) || _ <- [1, 2, 3]],
    [receive {'DOWN', Ref, process, Pid, _} -> ok end || {Pid, Ref} <- Pids],
    {R1, Since} = statistics(reductions),
    erlang:display({reductions_grew, R1 - R0 >= 20000, Since >= 20000}),
    {_, Again} = statistics(reductions),
    erlang:display({since_last_call_restarts, Again < Since}),
    erlang:display({run_queue, non_neg(statistics(run_queue))}),
    erlang:display({total_run_queue_lengths, non_neg(statistics(total_run_queue_lengths))}),
    erlang:display({run_queue_lengths, lists:all(fun non_neg/1, statistics(run_queue_lengths))}),
    erlang:display({total_active_tasks, statistics(total_active_tasks) >= 1}),
    erlang:display({active_tasks, lists:sum(statistics(active_tasks)) >= 1}),
    {Switches, 0} = statistics(context_switches),
    erlang:display({context_switches, Switches > 0}),
    %% runtime is CPU time: a sleep hardly adds to it, work does.
    {_, _} = statistics(runtime),
    {_, _} = statistics(wall_clock),
    receive after 200 -> ok end,
    {_, SleptCpu} = statistics(runtime),
    {_, SleptWall} = statistics(wall_clock),
    erlang:display({runtime_while_sleeping, SleptCpu < SleptWall div 2, SleptWall >= 200}),
    busy(erlang:monotonic_time(millisecond) + 100),
    {_, BusyCpu} = statistics(runtime),
    erlang:display({runtime_while_busy, BusyCpu >= 20}),
    erlang:display({bad_key, err(fun() -> statistics(no_such_key) end)}),
    erlang:display({not_an_atom, err(fun() -> statistics("runtime") end)}),
    erlang:halt().

err(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:Stack ->
            [{M, Fn, A, _} | _] = Stack,
            {C, R, {M, Fn, A}}
    end.

pair(K) ->
    {Total, Since} = statistics(K),
    {Total2, Since2} = statistics(K),
    erlang:display({K, non_neg(Total), non_neg(Since), Total2 >= Total, Since2 =< Total2}).

busy(Until) ->
    _ = lists:seq(1, 100),
    case erlang:monotonic_time(millisecond) >= Until of
        true -> ok;
        false -> busy(Until)
    end.

non_neg(N) -> is_integer(N) andalso N >= 0.
