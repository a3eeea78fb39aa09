-module(t_maps_iter).
-export([main/0]).

%% Walks an iterator to the end, collecting keys in the order maps:next/1 gives them.
walk(I, Acc) ->
    case maps:next(I) of
        none -> lists:reverse(Acc);
        {K, _V, Next} -> walk(Next, [K | Acc])
    end.

%% The tail of the first batch: none, or the path into the trie where iteration resumes.
first_tail({_, _, Rest}) -> first_tail(Rest);
first_tail(none) -> none;
first_tail([Path | _Map]) -> {path, Path}.

batch_len({_, _, Rest}) -> 1 + batch_len(Rest);
batch_len(_) -> 0.

show(Name, M) ->
    I = maps:iterator(M),
    First = maps:next(I),
    Keys = walk(I, []),
    erlang:display({Name, map_size(M), batch_len(First), first_tail(First),
                    length(Keys), Keys =:= lists:reverse(maps:keys(M)),
                    erlang:phash2(Keys)}).

main() ->
    erlang:display(maps:next(maps:iterator(#{}))),
    erlang:display(maps:next(maps:iterator(#{a => 1, b => 2}))),
    erlang:display(maps:next(maps:iterator(#{x => [1, 2], "y" => <<"z">>, 3 => 4.0}))),
    {K1, V1, It1} = maps:next(maps:iterator(#{k => v, j => w})),
    erlang:display({K1, V1, It1, maps:next(It1)}),
    erlang:display(maps:next(none)),
    Ints = fun(N) -> maps:from_list([{K, K * K} || K <- lists:seq(1, N)]) end,
    show(ints33, Ints(33)),
    show(ints40, Ints(40)),
    show(ints100, Ints(100)),
    show(ints1000, Ints(1000)),
    show(ints20000, Ints(20000)),
    show(strings, maps:from_list([{integer_to_list(K, 36), K} || K <- lists:seq(1, 500)])),
    show(binaries, maps:from_list([{integer_to_binary(K), K} || K <- lists:seq(1, 777)])),
    show(tuples, maps:from_list([{{K, K rem 7}, K} || K <- lists:seq(1, 2500)])),
    show(mixed, maps:from_list([{K, K} || K <- [1, 2.0, "s", <<"b">>, {1}, [2], {3, 4}]]
                               ++ [{K, K} || K <- lists:seq(100, 200)])),
    M = Ints(1000),
    %% The first batch printed in full, as a program that prints an iterator sees it.
    erlang:display(maps:next(maps:iterator(Ints(34)))),
    erlang:display(maps:fold(fun(K, V, A) -> A + K + V end, 0, M)),
    erlang:display(lists:sum(maps:values(maps:map(fun(_, V) -> V + 1 end, M)))),
    erlang:display(map_size(maps:filter(fun(K, _) -> K rem 3 =:= 0 end, M))),
    erlang:display(map_size(maps:filtermap(fun(K, V) -> K rem 2 =:= 0 andalso {true, -V} end, M))),
    erlang:display(maps:to_list(maps:with([1, 2, 3], M))),
    erlang:display(catch maps:next([0 | not_a_map])),
    erlang:display(catch maps:next(bad)),
    erlang:halt().
