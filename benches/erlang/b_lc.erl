%% List comprehensions with filters and nested generators, N rounds.
-module(b_lc).
-export([main/1]).

main([N]) ->
    erlang:display(loop(list_to_integer(N), 0)),
    erlang:halt(0).

loop(0, Acc) -> Acc;
loop(N, Acc) ->
    L = lists:seq(1, 20000),
    Sq = [X * X || X <- L, X rem 3 =/= 0],
    Pairs = [{X, Y} || X <- lists:seq(1, 150), Y <- lists:seq(X, 150), (X + Y) rem 7 =:= 0],
    Tagged = [{ok, X} || X <- Sq, X band 1 =:= 0],
    Back = [V || {ok, V} <- Tagged],
    loop(N - 1, (Acc + length(Sq) + length(Pairs) + lists:sum(Back)) rem 1000000007).
