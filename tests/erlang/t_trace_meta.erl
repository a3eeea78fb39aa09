%% Meta call tracing: erlang:trace_pattern/3 with [meta] and [{meta, Tracer}], independent
%% of the calling process's trace flags: timestamped call, return_from and exception_from
%% messages to the meta tracer, trace_info/2's meta, meta_match_spec and all.
-module(t_trace_meta).
-export([main/0, f/1, g/1, boom/1, loop/1]).
f(X) -> g(X) + 1.
g(X) -> X * 2.
boom(X) -> erlang:error({oops, X}).
loop(0) -> done;
loop(N) -> loop(N - 1).
collector() -> spawn(fun() -> collect([]) end).
collect(Acc) ->
    receive {'$get', From} -> From ! {'$got', lists:reverse(Acc)}, collect([]);
            M -> collect([M | Acc]) end.
got(T) ->
    timer:sleep(20),
    T ! {'$get', self()}, receive {'$got', L} -> [shape(M) || M <- L] end.
%% Pids as booleans (the caller's or not), timestamps as their shape.
shape({trace_ts, P, Tag, What, TS}) -> {trace_ts, P =:= self(), Tag, What, ts(TS)};
shape({trace_ts, P, Tag, What, X, TS}) -> {trace_ts, P =:= self(), Tag, What, X, ts(TS)};
shape(M) -> {other, M}.
ts({A, B, C}) when is_integer(A), is_integer(B), is_integer(C) -> now;
ts(X) -> {bad, X}.
info(MFA) ->
    [{K, case V of P when is_pid(P) -> pid; _ -> V end}
     || K <- [meta, meta_match_spec, traced, match_spec],
        {_, V} <- [erlang:trace_info(MFA, K)]].
bad(F) ->
    try F() catch error:R:S -> {R, [maps:get(cause, I, none) || {erlang, trace_pattern, _, [{error_info, I}]} <- S]} end.
main() ->
    T = collector(),
    io:format("~p~n", [info({t_trace_meta, f, 1})]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_meta, f, 1}, true, [{meta, T}])]),
    io:format("~p~n", [info({t_trace_meta, f, 1})]),
    io:format("~p~n", [{meta, T} =:= erlang:trace_info({t_trace_meta, f, 1}, meta)]),
    io:format("~p~n", [f(3)]),
    io:format("~p~n", [t_trace_meta:f(4)]),
    io:format("~p~n", [got(T)]),
    %% Return and exception traces; local calls are traced too.
    io:format("~p~n", [erlang:trace_pattern({t_trace_meta, g, 1},
                                            [{'_', [], [{return_trace}]}], [{meta, T}])]),
    io:format("~p~n", [f(5)]),
    io:format("~p~n", [got(T)]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_meta, boom, 1},
                                            [{'_', [], [{exception_trace}]}], [{meta, T}])]),
    io:format("~p~n", [catch boom(7)]),
    io:format("~p~n", [got(T)]),
    %% A head and guard: only some calls.
    io:format("~p~n", [erlang:trace_pattern({t_trace_meta, g, 1},
                                            [{['$1'], [{'>', '$1', 10}], []}], [{meta, T}])]),
    io:format("~p~n", [{g(1), g(20), g(3)}]),
    io:format("~p~n", [got(T)]),
    io:format("~p~n", [info({t_trace_meta, g, 1})]),
    %% Other processes, untraced, are meta traced as well.
    Me = self(),
    spawn(fun() -> Me ! {done, f(1)} end),
    receive {done, V} -> io:format("~p~n", [V]) end,
    io:format("~p~n", [[{Tag, What} || {trace_ts, false, Tag, What, _} <- got(T)]]),
    %% A call-trace pattern beside the meta one: both trace.
    erlang:trace(self(), true, [call, {tracer, T}]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_meta, f, 1}, true, [local])]),
    io:format("~p~n", [info({t_trace_meta, f, 1})]),
    io:format("~p~n", [f(2)]),
    io:format("~p~n", [lists:sort([case M of {trace_ts, _, call, W, _} -> {meta, W};
                                                  {other, {trace, _, call, W}} -> {call, W};
                                                  O -> O end || M <- got(T)])]),
    erlang:trace(self(), false, [call]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_meta, f, 1}, false, [local])]),
    io:format("~p~n", [info({t_trace_meta, f, 1})]),
    %% Loops in a meta traced function.
    erlang:trace_pattern({t_trace_meta, loop, 1}, [{'_', [], [{return_trace}]}], [{meta, T}]),
    io:format("~p~n", [loop(3)]),
    io:format("~p~n", [got(T)]),
    %% all, and off again.
    io:format("~p~n", [[K || {K, _} <- element(2, erlang:trace_info({t_trace_meta, f, 1}, all))]]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_meta, '_', '_'}, false, [meta])]),
    io:format("~p~n", [info({t_trace_meta, f, 1})]),
    io:format("~p~n", [erlang:trace_info({t_trace_meta, f, 1}, all)]),
    io:format("~p~n", [f(6)]),
    io:format("~p~n", [got(T)]),
    %% [meta]: the caller is the tracer.
    io:format("~p~n", [erlang:trace_pattern({t_trace_meta, g, 1}, true, [meta])]),
    io:format("~p~n", [erlang:trace_info({t_trace_meta, g, 1}, meta) =:= {meta, self()}]),
    P = spawn(fun() -> g(9), Me ! ok end),
    receive ok -> ok end,
    receive {trace_ts, P, call, W, _} -> io:format("~p~n", [W]) after 1000 -> io:format("none~n") end,
    erlang:trace_pattern({t_trace_meta, g, 1}, false, [meta]),
    %% Bad arguments.
    io:format("~p~n", [bad(fun() -> erlang:trace_pattern({t_trace_meta, g, 1}, true, [{meta, foo}]) end)]),
    io:format("~p~n", [bad(fun() -> erlang:trace_pattern({t_trace_meta, g, 1}, true, [meta, global]) end)]),
    io:format("~p~n", [bad(fun() -> erlang:trace_pattern({t_trace_meta, g, 1}, [{'_', [], [{bogus}]}], [meta]) end)]),
    halt().
