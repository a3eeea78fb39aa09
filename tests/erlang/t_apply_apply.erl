%% apply/3 of erlang:apply/2,3 (as spawn(erlang, apply, [Fun, []]) and erpc do), nested, and
%% its errors; erpc:call of a fun on the node itself.
-module(t_apply_apply).
-export([main/0]).
main() ->
    P = fun(X) -> io:format("~p~n", [X]) end,
    P(apply(erlang, apply, [fun() -> 1 end, []])),
    P(apply(erlang, apply, [lists, seq, [1, 3]])),
    P(apply(erlang, apply, [erlang, apply, [erlang, apply, [lists, seq, [1, 2]]]])),
    P(catch apply(erlang, apply, [nomod, f, []])),
    P(catch apply(erlang, apply, [1, 2, 3])),
    P(catch apply(erlang, apply, [x])),
    P(catch apply(erlang, apply, [fun(A) -> A end, [1, 2]])),
    Pid = spawn(erlang, apply, [fun() -> io:format("spawned~n") end, []]),
    timer:sleep(20), _ = Pid,
    P(erpc:call(node(), fun() -> 42 end)),
    P(erpc:call(node(), lists, seq, [1, 3])),
    halt().
