%% Large (hash-array-mapped) maps: more than 32 keys, iteration order.
%% erlang:display/1 of such maps is covered by t_bigmap_display.
-module(t_bigmap).
-export([main/0]).

id(X) -> X.

main() ->
    M32 = maps:from_list([{I, I} || I <- lists:seq(1, id(32))]),
    M33 = M32#{33 => 33},
    erlang:display({m32, M32}),
    erlang:display({m33_keys, maps:keys(M33)}),
    Strs = maps:from_list([{"k" ++ integer_to_list(I), I} || I <- lists:seq(1, id(40))]),
    erlang:display({string_keys, maps:keys(Strs)}),
    erlang:display({string_list, maps:to_list(Strs)}),
    Mixed = maps:from_list([{K, V} || {K, V} <- lists:zip(keys(), lists:seq(1, length(keys())))]),
    erlang:display({mixed, maps:to_list(Mixed)}),
    M100 = maps:from_list([{I, -I} || I <- lists:seq(1, id(100))]),
    erlang:display({m100_values, maps:values(M100)}),
    erlang:display({m100_fold, maps:fold(fun(K, _, Acc) -> [K | Acc] end, [], M100)}),
    Shrunk = maps:without(lists:seq(1, 80), M100),
    erlang:display({shrunk, map_size(Shrunk), Shrunk}),
    Grown = lists:foldl(fun(I, Acc) -> Acc#{{I, I * 2} => I} end, Shrunk, lists:seq(1, 20)),
    erlang:display({grown, map_size(Grown), maps:keys(Grown)}),
    Str = maps:from_list([{integer_to_binary(I), I} || I <- lists:seq(1, id(50))]),
    erlang:display({binkeys, maps:keys(Str)}),
    Big = maps:from_list([{I, I} || I <- lists:seq(1, id(100000))]),
    erlang:display({huge, map_size(Big), maps:get(99999, Big), lists:sum(maps:keys(Big)),
                    lists:sublist(maps:keys(Big), 10)}),
    erlang:display({equal_after_rebuild, Big =:= maps:from_list(lists:reverse(maps:to_list(Big))),
                    maps:keys(M33) =:= maps:keys(maps:from_list(lists:reverse(maps:to_list(M33))))}),
    erlang:halt(0).

%% Atoms are left out: erl hashes them by atom-table index, which varies between runs.
keys() ->
    [1, 2.5, "str", <<"bin">>, {7, 1}, [[1]], -7, 1 bsl 70, -(1 bsl 65), 0, 1.0, -0.5,
     100000, {1, 2, 3}, [1, 2], "abc", <<1, 2, 3>>, <<>>, [], {}, {[]}, <<1:3>>, 3.0e100,
     {<<"x">>, 2}, "z", "y", "x", 42, 43, 44, 45, 46, 47, 48, 49, 50, 1 bsl 40].
