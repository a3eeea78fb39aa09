%% The running, exiting and garbage_collection trace flags: in and out (with the current
%% function) as a process is scheduled in and out, out_exited when it ends, and the
%% collections' start and end events with their info lists (keys only: sizes differ).
-module(t_trace_running).
-export([main/0, worker/1, short/0, waiter/0, crasher/0, f/1, g/1, h/1, outer/1, boom/0,
         catcher/0]).
f(X) -> g(X) + 1.
g(X) -> h(X) * 2.
h(X) -> X.
outer(X) -> f(X).
boom() -> erlang:error(x).
catcher() -> catch boom(), ok.
short() -> ok.
crasher() -> exit(boom).
waiter() -> receive _ -> ok after 30 -> timeout end.
worker(Parent) -> receive go -> ok end, Parent ! done, receive stop -> exit(normal) end.
collector() -> spawn(fun() -> collect([]) end).
collect(Acc) ->
    receive {'$get', From} -> From ! {'$got', lists:reverse(Acc)}, collect([]);
            M -> collect([M | Acc]) end.
got(T) -> timer:sleep(60), T ! {'$get', self()}, receive {'$got', L} -> L end.
%% Pid as whether it is the expected one.
shape(P, L) -> [{Pid =:= P, Tag, What} || {trace, Pid, Tag, What} <- L].
run(T, Flags, Fun) ->
    Me = self(),
    P = spawn(?MODULE, worker, [Me]),
    timer:sleep(10),
    erlang:trace(P, true, [{tracer, T} | Flags]),
    P ! go, receive done -> ok end,
    Fun(P),
    shape(P, got(T)).
main() ->
    T = collector(),
    io:format("~p~n", [run(T, [running], fun(P) -> P ! stop end)]),
    io:format("~p~n", [run(T, [running, exiting], fun(P) -> P ! stop end)]),
    io:format("~p~n", [run(T, [exiting], fun(P) -> P ! stop end)]),
    io:format("~p~n", [run(T, [running], fun(P) -> P ! other end)]),
    %% New processes, run to completion in one slice, crashing, timing out.
    erlang:trace(new, true, [running, exiting, {tracer, T}]),
    P1 = spawn(?MODULE, short, []),
    io:format("~p~n", [shape(P1, got(T))]),
    P2 = spawn(?MODULE, waiter, []),
    io:format("~p~n", [shape(P2, got(T))]),
    P3 = spawn(?MODULE, crasher, []),
    io:format("~p~n", [shape(P3, got(T))]),
    P4 = spawn(fun() -> lists:seq(1, 3) end),
    io:format("~p~n", [shape(P4, got(T))]),
    erlang:trace(new, false, [running, exiting]),
    %% Running alone: nothing at the end.
    erlang:trace(new, true, [running, {tracer, T}]),
    P5 = spawn(?MODULE, short, []),
    io:format("~p~n", [shape(P5, got(T))]),
    erlang:trace(new, false, [running]),
    %% A process that is its own tracer is told nothing.
    erlang:trace(self(), true, [running, exiting]),
    timer:sleep(10),
    erlang:trace(self(), false, [running, exiting]),
    receive M -> io:format("~p~n", [M]) after 50 -> io:format("nothing~n") end,
    %% Collections.
    erlang:trace(new, true, [garbage_collection, {tracer, T}]),
    Me = self(),
    P6 = spawn(fun() -> receive go -> ok end, erlang:garbage_collect(), Me ! done end),
    timer:sleep(10),
    _ = got(T),
    P6 ! go, receive done -> ok end,
    L = [M || {trace, P, _, _} = M <- got(T), P =:= P6],
    io:format("~p~n", [[Tag || {trace, _, Tag, _} <- L]]),
    io:format("~p~n", [lists:usort([[K || {K, V} <- Info, is_integer(V)] || {trace, _, _, Info} <- L])]),
    erlang:trace(new, false, [garbage_collection]),
    %% return_to: returns of functions with a local pattern, once for a tail call's frames,
    %% the function that catches an exception, none for a global pattern.
    erlang:trace(self(), true, [call, return_to, {tracer, T}]),
    [erlang:trace_pattern({?MODULE, F, A}, true, [local])
     || {F, A} <- [{f, 1}, {g, 1}, {h, 1}, {outer, 1}, {boom, 0}, {catcher, 0}]],
    io:format("~p~n", [outer(1)]),
    io:format("~p~n", [calls(got(T))]),
    io:format("~p~n", [catcher()]),
    io:format("~p~n", [calls(got(T))]),
    erlang:trace_pattern({?MODULE, '_', '_'}, false, [local]),
    erlang:trace_pattern({?MODULE, g, 1}, [{'_', [], [{return_trace}]}], [local]),
    io:format("~p~n", [outer(2)]),
    io:format("~p~n", [calls(got(T))]),
    erlang:trace_pattern({?MODULE, g, 1}, true, [global]),
    io:format("~p~n", [?MODULE:g(2)]),
    io:format("~p~n", [calls(got(T))]),
    erlang:trace_pattern({lists, reverse, 1}, true, [local]),
    io:format("~p~n", [lists:reverse([1, 2])]),
    io:format("~p~n", [calls(got(T))]),
    erlang:trace_pattern({lists, reverse, 1}, false, [local]),
    halt().
calls(L) -> [list_to_tuple(tl(tl(tuple_to_list(M)))) || M <- L].
