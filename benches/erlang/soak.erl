%% Soak (a benchmark, not a test): Procs worker processes churn for Seconds seconds with
%% timers, links and monitors, every message counted so that the end can check that none was
%% lost, and the node's memory sampled at intervals to show whether it stays flat.
%%
%% Run by scripts/soak: `soak:main(["60", "10000"])`. It prints one line per sample and a
%% summary, and halts with status 0 when every count matches, 1 otherwise.
%%
%% Shape: 100 sinks (they live the whole run) count `{inc, From}` messages and answer each
%% with `ack`; 100 supervisors trap exits and keep Procs / 100 workers each, started with
%% spawn_link and started again when one exits. A worker monitors its sink, then runs 1 to 20
%% rounds, each: a send_after timer to itself (10 to 100 ms), an `inc` to its sink and the
%% `ack` back; every fourth round also a start_timer cancelled before it fires and a helper
%% started with spawn_monitor that sends one message back and exits (so one `'DOWN'`); then it
%% exits with its counts as the reason, which reaches its supervisor as `'EXIT'` through the
%% link. A worker waits for every message it expects, so a lost message stalls it and its
%% supervisor never reports: the end waits at most 30 s and then reports what is missing.
-module(soak).
-export([main/1]).

-define(SINKS, 100).
-define(SUPS, 100).

main([Seconds]) -> main([Seconds, "10000"]);
main([Seconds0, Procs0]) ->
    Seconds = list_to_integer(Seconds0),
    Procs = list_to_integer(Procs0),
    Interval = max(1000, Seconds * 1000 div 12),
    Sinks = list_to_tuple([spawn(fun() -> sink(0) end) || _ <- lists:seq(1, ?SINKS)]),
    Main = self(),
    Per = max(1, Procs div ?SUPS),
    io:format("soak: ~b workers (~b supervisors, ~b sinks) for ~b s, a sample every ~b ms~n",
              [Per * ?SUPS, ?SUPS, ?SINKS, Seconds, Interval]),
    %% Sampling on time among 10,000 busy processes needs a higher priority; the table is
    %% printed at the end, since the I/O server runs at normal priority.
    process_flag(priority, high),
    Sups = [spawn(fun() -> sup_start(Main, Sinks, S, Per) end) || S <- lists:seq(1, ?SUPS)],
    [receive {started, S} -> ok end || S <- Sups],
    Start = erlang:monotonic_time(millisecond),
    Samples = sample_loop(Start, Start + Seconds * 1000, Interval, []),
    io:format("~8s ~10s ~14s ~14s~n", ["t (s)", "processes", "memory KiB", "processes KiB"]),
    [io:format("~8b ~10b ~14b ~14b~n", [T, P, M, PM]) || {T, P, M, PM} <- Samples],
    [S ! stop || S <- Sups],
    Reports = collect(Sups, erlang:monotonic_time(millisecond) + 30000, []),
    SinkTotal = lists:sum([sink_count(S) || S <- tuple_to_list(Sinks)]),
    Elapsed = (erlang:monotonic_time(millisecond) - Start) / 1000,
    halt(summary(Samples, Reports, length(Sups), SinkTotal, Elapsed)).

%% --- sampling -------------------------------------------------------------------------------

sample_loop(Start, End, Interval, Acc) ->
    Now = erlang:monotonic_time(millisecond),
    Sample = {(Now - Start) div 1000, erlang:system_info(process_count),
              erlang:memory(total) div 1024, erlang:memory(processes) div 1024},
    case Now >= End of
        true -> lists:reverse([Sample | Acc]);
        false ->
            receive after min(Interval, End - Now) -> ok end,
            sample_loop(Start, End, Interval, [Sample | Acc])
    end.

%% --- sinks ----------------------------------------------------------------------------------

sink(N) ->
    receive
        {inc, From} -> From ! ack, sink(N + 1);
        {count, From} -> From ! {sink_count, self(), N}, sink(N)
    end.

sink_count(Sink) ->
    Sink ! {count, self()},
    receive {sink_count, Sink, N} -> N after 10000 -> 0 end.

%% --- supervisors ----------------------------------------------------------------------------

%% Counts: {Started, Exits, Abnormal, Incs, Ticks, Cancels, Helpers, Downs}.
sup_start(Main, Sinks, Id, Per) ->
    process_flag(trap_exit, true),
    Seed = Id * 7919,
    Seed1 = lists:foldl(fun(I, S) -> start_worker(Sinks, S + I) end, Seed, lists:seq(1, Per)),
    Main ! {started, self()},
    sup(Main, Sinks, Seed1, Per, running, {Per, 0, 0, 0, 0, 0, 0, 0}).

start_worker(Sinks, Seed) ->
    Sink = element(1 + Seed rem ?SINKS, Sinks),
    spawn_link(fun() -> worker(Sink, Seed) end),
    Seed.

sup(Main, _Sinks, _Seed, 0, stopping, Counts) ->
    Main ! {report, self(), Counts};
sup(Main, Sinks, Seed, Live, State, {St, Ex, Ab, In, Ti, Ca, He, Do} = Counts) ->
    receive
        {'EXIT', _, {done, In1, Ti1, Ca1, He1, Do1}} ->
            Counts1 = {St, Ex + 1, Ab, In + In1, Ti + Ti1, Ca + Ca1, He + He1, Do + Do1},
            restart(Main, Sinks, Seed, Live, State, Counts1);
        {'EXIT', _, Other} ->
            io:format("soak: a worker exited with ~p~n", [Other]),
            restart(Main, Sinks, Seed, Live, State, {St, Ex + 1, Ab + 1, In, Ti, Ca, He, Do});
        stop ->
            sup(Main, Sinks, Seed, Live, stopping, Counts)
    end.

restart(Main, Sinks, Seed, Live, running, Counts) ->
    Seed1 = next(Seed),
    start_worker(Sinks, Seed1),
    sup(Main, Sinks, Seed1, Live, running, setelement(1, Counts, element(1, Counts) + 1));
restart(Main, Sinks, Seed, Live, stopping, Counts) ->
    sup(Main, Sinks, Seed, Live - 1, stopping, Counts).

%% --- workers --------------------------------------------------------------------------------

worker(Sink, Seed) ->
    Ref = erlang:monitor(process, Sink),
    Rounds = 1 + Seed rem 20,
    Counts = rounds(Sink, next(Seed), Rounds, {0, 0, 0, 0, 0}),
    true = erlang:demonitor(Ref, [flush]),
    exit(list_to_tuple([done | tuple_to_list(Counts)])).

rounds(_Sink, _Seed, 0, Counts) -> Counts;
rounds(Sink, Seed, N, {In, Ti, Ca, He, Do}) ->
    Tick = make_ref(),
    erlang:send_after(10 + Seed rem 91, self(), {tick, Tick}),
    Sink ! {inc, self()},
    receive ack -> ok end,
    receive {tick, Tick} -> ok end,
    Counts = {In + 1, Ti + 1, Ca, He, Do},
    rounds(Sink, next(Seed), N - 1, extra(N rem 4, Counts)).

%% Every fourth round: a timer cancelled before it fires and a helper that sends one message
%% and exits under a monitor.
extra(0, {In, Ti, Ca, He, Do}) ->
    Timer = erlang:start_timer(60000, self(), never),
    Left = erlang:cancel_timer(Timer),
    true = is_integer(Left),
    Self = self(),
    {Pid, Ref} = spawn_monitor(fun() -> Self ! {helper, self()} end),
    receive {helper, Pid} -> ok end,
    receive {'DOWN', Ref, process, Pid, normal} -> ok end,
    {In, Ti, Ca + 1, He + 1, Do + 1};
extra(_, Counts) -> Counts.

next(Seed) -> (Seed * 1103515245 + 12345) band 16#7fffffff.

%% --- the end --------------------------------------------------------------------------------

collect([], _Deadline, Acc) -> Acc;
collect(Sups, Deadline, Acc) ->
    Wait = max(0, Deadline - erlang:monotonic_time(millisecond)),
    receive
        {report, Sup, Counts} -> collect(lists:delete(Sup, Sups), Deadline, [Counts | Acc])
    after Wait ->
        io:format("soak: ~b supervisors did not finish: a worker waits for a lost message~n",
                  [length(Sups)]),
        Acc
    end.

summary(Samples, Reports, NSups, SinkTotal, Elapsed) ->
    Sum = fun(I) -> lists:sum([element(I, R) || R <- Reports]) end,
    [Started, Exits, Abnormal, Incs, Ticks, Cancels, Helpers, Downs] =
        [Sum(I) || I <- lists:seq(1, 8)],
    %% Every message: inc and ack, timer, helper's message and 'DOWN', the worker's 'EXIT'.
    Messages = 2 * Incs + Ticks + 2 * Helpers + Exits,
    %% The sample at 0 is taken as the workers start, before their first round: flat means
    %% the samples after it stay level.
    [Start | Mems] = [M || {_, _, M, _} <- Samples] ++ [none || length(Samples) < 2],
    {First, Last, Peak} = {hd(Mems), lists:last(Mems), lists:max(Mems)},
    io:format("soak: ~.1f s, ~b workers started, ~b exited (~b abnormally), ~b messages "
              "(~b per second)~n",
              [Elapsed, Started, Exits, Abnormal, Messages, round(Messages / Elapsed)]),
    io:format("soak: incs sent ~b, counted by the sinks ~b; timers ~b, cancelled ~b; "
              "helpers ~b, 'DOWN' ~b~n", [Incs, SinkTotal, Ticks, Cancels, Helpers, Downs]),
    io:format("soak: memory(total) KiB: at the start ~b; then first ~p, last ~p, peak ~p~n",
              [Start, First, Last, Peak]),
    Checks = [{"every supervisor reported", length(Reports) =:= NSups},
              {"every worker started exited", Started =:= Exits},
              {"no worker failed", Abnormal =:= 0},
              {"every inc reached a sink", Incs =:= SinkTotal},
              {"every helper's message and 'DOWN' arrived", Helpers =:= Downs}],
    Failed = [Name || {Name, false} <- Checks],
    case Failed of
        [] -> io:format("soak: ok: nothing lost~n"), 0;
        _ -> [io:format("soak: FAILED: ~s~n", [Name]) || Name <- Failed], 1
    end.
