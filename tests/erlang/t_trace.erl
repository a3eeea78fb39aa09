%% Process tracing with erlang:trace/3: the trace messages of send, 'receive' and procs, the
%% set_on_spawn flags, timestamps, trace_info/2 and the errors of bad arguments.
-module(t_trace).
-export([main/0, child/1, log/2]).

%% A logger handler: the text of each event, to the process in its config (erl logs a
%% second tracer as an error).
log(#{msg := Msg}, #{config := #{to := Pid}}) ->
    Text = case Msg of
               {string, S} -> S;
               {report, R} -> io_lib:format("~p", [R]);
               {F, A} -> io_lib:format(F, A)
           end,
    Pid ! {logged, iolist_to_binary(Text)}.

%% A tracer that keeps what it gets and hands it over when asked.
collector() ->
    spawn(fun() -> collect([]) end).

collect(Acc) ->
    receive
        {'$get', From} -> From ! {'$got', lists:reverse(Acc)}, collect([]);
        stop -> ok;
        M -> collect([M | Acc])
    end.

%% The trace messages of Tracee so far, pids and references shown by role.
got(T, Tracee, Names) ->
    R = erlang:trace_delivered(Tracee),
    receive {trace_delivered, Tracee, R} -> ok end,
    T ! {'$get', self()},
    receive {'$got', L} -> [anon(M, Names) || M <- L] end.

anon(P, Names) when is_pid(P) ->
    case lists:keyfind(P, 1, Names) of
        {_, N} -> N;
        false -> other_pid
    end;
anon(R, _) when is_reference(R) -> ref;
anon(F, _) when is_function(F) -> a_fun;
anon(T, Names) when is_tuple(T) -> list_to_tuple([anon(E, Names) || E <- tuple_to_list(T)]);
anon([H | T], Names) -> [anon(H, Names) | anon(T, Names)];
anon(X, _) -> X.

show(What, X) -> io:format("~p: ~p~n", [What, X]).

child(Parent) ->
    receive go -> Parent ! {back, self()}, exit(done) end.

err(F) ->
    try F() of V -> {value, V}
    catch error:R:S ->
        [{M, Fn, A, Info} | _] = S,
        {R, M, Fn, length(A), proplists:get_value(cause, maps:to_list(proplists:get_value(error_info, Info, #{})))}
    end.

main() ->
    Self = self(),
    T = collector(),
    %% Flags on oneself; a process that is its own tracer gets nothing.
    show(self_trace, erlang:trace(self(), true, [send, 'receive'])),
    show(self_flags, erlang:trace_info(self(), flags)),
    show(self_flags_word, process_info(self(), trace)),
    show(self_tracer, erlang:trace_info(self(), tracer) =:= {tracer, self()}),
    self() ! to_myself,
    receive to_myself -> ok end,
    show(self_off, erlang:trace(self(), false, [send, 'receive'])),
    show(self_flags_off, erlang:trace_info(self(), flags)),
    show(self_tracer_off, erlang:trace_info(self(), tracer)),
    show(nothing_to_myself, receive {trace, _, _, _} = M0 -> M0 after 0 -> none end),

    %% send, 'receive' and procs of another process.
    C = spawn(?MODULE, child, [Self]),
    Names = [{Self, main}, {T, tracer}, {C, child}],
    show(child_trace, erlang:trace(C, true, [send, 'receive', procs, {tracer, T}])),
    show(child_flags, erlang:trace_info(C, flags)),
    show(child_tracer, erlang:trace_info(C, tracer) =:= {tracer, T}),
    %% process_info's trace item: the flags as erl's word.
    show(child_word, process_info(C, trace)),
    show(self_word, process_info(self(), trace)),
    Mon = monitor(process, C),
    C ! go,
    receive {back, C} -> ok end,
    receive {'DOWN', Mon, process, C, done} -> ok end,
    show(child_events, got(T, C, Names)),
    show(dead_info, erlang:trace_info(C, flags)),

    %% New processes: spawned, register, unregister, link, unlink, exit.
    show(new_on, erlang:trace(new, true, [procs, {tracer, T}])),
    show(new_flags, erlang:trace_info(new, flags)),
    N = spawn(fun() ->
                      receive go -> ok end,
                      register(t_trace_name, self()),
                      unregister(t_trace_name),
                      link(Self),
                      unlink(Self),
                      exit(bye)
              end),
    show(new_off, erlang:trace(new, false, [procs])),
    show(new_flags_off, erlang:trace_info(new, flags)),
    NMon = monitor(process, N),
    N ! go,
    receive {'DOWN', NMon, process, N, bye} -> ok end,
    show(new_events, got(T, N, [{N, new} | Names])),

    %% set_on_spawn passes the flags on; the parent sees spawn, the child spawned.
    P1 = spawn(fun() ->
                       erlang:trace(self(), true, [procs, set_on_spawn, {tracer, T}]),
                       K = spawn(fun() -> receive go -> ok end end),
                       Self ! {kid, K, erlang:trace_info(K, flags)},
                       receive go -> K ! go end
               end),
    K1 = receive {kid, K, KF} -> show(inherited, KF), K end,
    M1 = monitor(process, P1),
    M2 = monitor(process, K1),
    P1 ! go,
    receive {'DOWN', M1, _, _, _} -> ok end,
    receive {'DOWN', M2, _, _, _} -> ok end,
    show(spawn_events, got(T, P1, [{P1, parent}, {K1, kid} | Names])),

    %% set_on_first_spawn: the first child only, and the flag is used up.
    P2 = spawn(fun() ->
                       erlang:trace(self(), true, [send, set_on_first_spawn, {tracer, T}]),
                       A = spawn(fun() -> receive _ -> ok end end),
                       B = spawn(fun() -> receive _ -> ok end end),
                       Self ! {kids, erlang:trace_info(self(), flags),
                               erlang:trace_info(A, flags), erlang:trace_info(B, flags)},
                       A ! x, B ! x
               end),
    receive {kids, PF, AF, BF} -> show(first_spawn, {PF, AF, BF}) end,
    P2M = monitor(process, P2),
    receive {'DOWN', P2M, _, _, _} -> ok end,
    show(first_spawn_events, got(T, P2, [{P2, parent} | Names])),

    %% Timestamps.
    TsOn = erlang:trace(self(), true, [send, timestamp, {tracer, T}]),
    T ! {'$ping', 1},
    erlang:trace(self(), false, [send, timestamp]),
    erlang:trace(self(), true, [send, monotonic_timestamp, {tracer, T}]),
    T ! {'$ping', 2},
    erlang:trace(self(), false, [send, monotonic_timestamp]),
    erlang:trace(self(), true, [send, strict_monotonic_timestamp, {tracer, T}]),
    T ! {'$ping', 3},
    erlang:trace(self(), false, [all]),
    show(ts_on, TsOn),
    Ts = got(T, self(), Names),
    show(stamps, [case M of
                      {trace_ts, main, send, {'$ping', 1}, tracer, {A, B, Cc}}
                        when is_integer(A), is_integer(B), is_integer(Cc) -> now_stamp;
                      {trace_ts, main, send, {'$ping', 2}, tracer, I} when is_integer(I) -> monotonic;
                      {trace_ts, main, send, {'$ping', 3}, tracer, {I, U}}
                        when is_integer(I), is_integer(U) -> strict;
                      {'$ping', _} -> ping;
                      Other -> Other
                  end || M <- Ts]),

    %% Sends to a name, to a dead process, and a receive that times out.
    Dead = spawn(fun() -> ok end),
    DMon = monitor(process, Dead),
    receive {'DOWN', DMon, _, _, _} -> ok end,
    register(t_trace_sink, spawn(fun() -> receive _ -> ok end end)),
    erlang:trace(self(), true, [send, 'receive', {tracer, T}]),
    t_trace_sink ! by_name,
    Dead ! to_the_dead,
    receive never -> ok after 10 -> ok end,
    erlang:trace(self(), false, [all]),
    show(send_kinds, got(T, self(), [{Dead, dead} | Names])),

    %% Every flag, in erl's order.
    erlang:trace(self(), true, [all, {tracer, T}]),
    show(all_flags, erlang:trace_info(self(), flags)),
    erlang:trace(self(), false, [all]),
    _ = got(T, self(), Names),

    %% Another live tracer holds the process.
    T2 = collector(),
    erlang:trace(self(), true, [send, {tracer, T}]),
    _ = logger:remove_handler(default),
    ok = logger:add_handler(probe, ?MODULE, #{config => #{to => self()}}),
    OtherTracer = err(fun() -> erlang:trace(self(), true, [send, {tracer, T2}]) end),
    erlang:trace(self(), false, [all]),
    show(other_tracer, OtherTracer),
    show(logged, receive {logged, Text} -> Text after 5000 -> nothing_logged end),
    _ = got(T, self(), Names),

    %% A tracer that died: its tracee is traced no more after the next event.
    T3 = collector(),
    V = spawn(fun() -> receive go -> receive go -> ok end end end),
    erlang:trace(V, true, ['receive', {tracer, T3}]),
    T3 ! stop,
    M3 = monitor(process, T3),
    receive {'DOWN', M3, _, _, _} -> ok end,
    V ! go,
    timer:sleep(10),
    show(after_tracer_died, erlang:trace_info(V, flags)),
    V ! go,

    %% Functions are not call-traced.
    show(fun_traced, erlang:trace_info({lists, map, 2}, traced)),
    show(fun_unknown, erlang:trace_info({no_such_module, f, 1}, traced)),
    show(on_load, erlang:trace_info(on_load, traced)),

    %% Errors.
    show(e_nopid, err(fun() -> erlang:trace(nopid, true, [send]) end)),
    show(e_flag, err(fun() -> erlang:trace(self(), true, [bogus]) end)),
    show(e_how, err(fun() -> erlang:trace(self(), maybe, [send]) end)),
    show(e_notlist, err(fun() -> erlang:trace(self(), true, send) end)),
    show(e_improper, err(fun() -> erlang:trace(self(), true, [send | x]) end)),
    show(e_tracer, err(fun() -> erlang:trace(self(), true, [{tracer, nobody}]) end)),
    show(e_dead, err(fun() -> erlang:trace(Dead, true, [send]) end)),
    show(e_item, err(fun() -> erlang:trace_info(self(), bogus) end)),
    show(e_existing, err(fun() -> erlang:trace_info(existing, flags) end)),
    show(e_delivered, err(fun() -> erlang:trace_delivered(nopid) end)),
    show(ports, erlang:trace(new_ports, true, [send])),
    halt().
