%% Call tracing: erlang:trace_pattern/2,3 with global and local patterns, match
%% specifications (heads, guards, return_trace, message), the call and arity flags,
%% trace_info/2 of functions, and the errors of bad arguments.
-module(t_trace_call).
-export([main/0, fact/1, pub/1, boom/0, f/1]).
f(X) -> X.
fact(0) -> 1;
fact(N) -> N * fact(N - 1).
pub(X) -> priv(X) + 1.
priv(X) -> X * 2.
boom() -> erlang:error(oops).
collector() -> spawn(fun() -> collect([]) end).
collect(Acc) ->
    receive {'$get', From} -> From ! {'$got', lists:reverse(Acc)}, collect([]);
            M -> collect([M | Acc]) end.
got(T) ->
    R = erlang:trace_delivered(self()), receive {trace_delivered, _, R} -> ok end,
    T ! {'$get', self()}, receive {'$got', L} -> [anon(M) || M <- L] end.
anon(P) when is_pid(P) -> pid;
anon(T) when is_tuple(T) -> list_to_tuple([anon(E) || E <- tuple_to_list(T)]);
anon(X) -> X.
main() ->
    T = collector(),
    io:format("~p~n", [erlang:trace(self(), true, [call, {tracer, T}])]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_call, fact, 1}, true)]),
    io:format("~p~n", [t_trace_call:fact(3)]),
    io:format("~p~n", [got(T)]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_call, fact, 1}, true, [local])]),
    io:format("~p~n", [t_trace_call:fact(3)]),
    io:format("~p~n", [got(T)]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_call, fact, 1}, [{'_', [], [{return_trace}]}], [local])]),
    io:format("~p~n", [fact(2)]),
    io:format("~p~n", [got(T)]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_call, '_', '_'}, false, [local])]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_call, '_', '_'}, true, [])]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_call, '_', '_'}, false, [])]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_call, pub, 1}, [{[5], [], [{return_trace}]}], [local])]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_call, priv, '_'}, [{['$1'], [{'>', '$1', 3}], []}], [local])]),
    io:format("~p~n", [{pub(5), pub(6), pub(1)}]),
    io:format("~p~n", [got(T)]),
    erlang:trace(self(), true, [arity, {tracer, T}]),
    io:format("~p~n", [pub(5)]),
    io:format("~p~n", [got(T)]),
    erlang:trace_pattern({t_trace_call, boom, 0}, [{'_', [], [{return_trace}]}], [local]),
    io:format("~p~n", [catch boom()]),
    io:format("~p~n", [got(T)]),
    io:format("~p~n", [erlang:trace_info({t_trace_call, pub, 1}, traced)]),
    io:format("~p~n", [catch erlang:trace_pattern({'_', pub, 1}, true, [])]),
    io:format("~p~n", [catch erlang:trace_pattern({t_trace_call, pub, 1}, [{'_', [], [{bogus}]}], [])]),
    io:format("~p~n", [erlang:trace_pattern({lists, reverse, 1}, true, [])]),
    io:format("~p~n", [lists:reverse([1,2])]),
    io:format("~p~n", [got(T)]),
    %% A message action with a term; a global pattern traces only remote calls.
    erlang:trace_pattern({t_trace_call, '_', '_'}, false, [local]),
    erlang:trace(self(), false, [arity]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_call, f, 1}, [{'_', [], [{message, {const, {extra, 1}}}]}], [])]),
    io:format("~p~n", [{f(1), t_trace_call:f(2)}]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_call, f, 1}, [{'_', [], [{message, hello}]}], [local])]),
    io:format("~p~n", [{f(1), t_trace_call:f(2)}]),
    io:format("~p~n", [erlang:trace_pattern({t_trace_call, f, 1}, [{'_', [], [{message, false}, {return_trace}]}], [local])]),
    io:format("~p~n", [f(3)]),
    io:format("~p~n", [got(T)]),
    io:format("~p~n", [catch erlang:trace_pattern({t_trace_call, f, 1}, [{'_', [], [{message, {extra, 1}}]}], [])]),
    erlang:trace_pattern({t_trace_call, f, 1}, false, []),
    infos(),
    halt().

infos() ->
    P = fun(X) -> io:format("~p~n", [X]) end,
    P(erlang:trace_pattern({t_trace_call, f, 1}, [{['$1'], [{is_integer, '$1'}], [{return_trace}]}], [local])),
    [P(erlang:trace_info({t_trace_call, f, 1}, I)) || I <- [traced, match_spec, meta, all, call_count]],
    P(erlang:trace_pattern({t_trace_call, f, 1}, true, [])),
    [P(erlang:trace_info({t_trace_call, f, 1}, I)) || I <- [traced, match_spec, all]],
    P(erlang:trace_pattern({t_trace_call, f, 1}, false, [])),
    [P(erlang:trace_info({t_trace_call, f, 1}, I)) || I <- [traced, match_spec, all]],
    P(erlang:trace_info({t_trace_call, nof, 1}, traced)),
    P(catch erlang:trace_info({t_trace_call, f, 1}, bogus)),
    P(catch erlang:trace_pattern({t_trace_call, f, x}, true, [])),
    P(catch erlang:trace_pattern({t_trace_call, f, 1}, true, [bogus])),
    P(catch erlang:trace_pattern({t_trace_call, f, 1}, true, [global, local])),
    P(catch erlang:trace_pattern({t_trace_call, f, 1}, bad, [])),
    P(catch erlang:trace_pattern({t_trace_call, f, 1}, [{'_', [], [{message, hello}]}], [])),
    P(erlang:trace_pattern({nomod, f, 1}, true, [])),
    P(erlang:trace_pattern({t_trace_call, nof, 1}, true, [])),
    ok.
