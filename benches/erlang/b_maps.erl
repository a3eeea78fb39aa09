%% Map construction and updates: a 10k-key map built, updated and read, N rounds.
-module(b_maps).
-export([main/1]).

main([N]) ->
    erlang:display(loop(list_to_integer(N), 0)),
    erlang:halt(0).

loop(0, Acc) -> Acc;
loop(N, Acc) ->
    M0 = build(10000, #{}),
    M1 = update(10000, M0),
    M2 = lists:foldl(fun(K, M) -> maps:put({k, K}, K, M) end, M1, lists:seq(1, 1000)),
    S = sum(10000, M2, 0) + map_size(M2),
    loop(N - 1, (Acc + S) rem 1000000007).

build(0, M) -> M;
build(I, M) -> build(I - 1, M#{I => I}).

update(0, M) -> M;
update(I, M) -> #{I := V} = M, update(I - 1, M#{I := V * 3 + 1}).

sum(0, _, S) -> S;
sum(I, M, S) -> sum(I - 1, M, S + maps:get(I, M)).
