%% lists:sort of 100k pseudo-random integers, N times.
-module(b_sort).
-export([main/1]).

main([N]) ->
    L = rand_list(100000, 12345, []),
    erlang:display(loop(list_to_integer(N), L, 0)),
    erlang:halt(0).

loop(0, _, Acc) -> Acc;
loop(N, L, Acc) ->
    S = lists:sort(L),
    loop(N - 1, tl(L) ++ [hd(L)], Acc + hd(S) + lists:nth(50000, S)).

rand_list(0, _, Acc) -> Acc;
rand_list(N, X, Acc) ->
    X1 = (X * 1103515245 + 12345) band 16#7FFFFFFF,
    rand_list(N - 1, X1, [X1 | Acc]).
