%% Large maps (over 32 keys, kept as trees) updated with many keys at once and compared:
%% maps:merge/2 of two large maps or of a large and a small one, an exact update of many
%% keys in one expression (including a missing key), and =:= / == of large maps that are
%% equal, differ in one value, in one key, or only in a key's type (1 and 1.0).
-module(t_bigmap_bulk).
-export([main/0]).

show(Tag, M) when is_map(M) ->
    erlang:display({Tag, map_size(M), erlang:phash2(lists:sort(maps:to_list(M))),
                    lists:sublist(lists:sort(maps:to_list(M)), 3)});
show(Tag, X) -> erlang:display({Tag, X}).

big(From, To, F) -> maps:from_list([{K, F(K)} || K <- lists:seq(From, To)]).

main() ->
    A = big(1, 5000, fun(K) -> K * 2 end),
    B = big(2500, 9000, fun(K) -> {b, K} end),
    show(merge_big_big, maps:merge(A, B)),
    show(merge_big_big_rev, maps:merge(B, A)),
    show(merge_self, maps:merge(A, A) =:= A),
    Small = maps:from_list([{K, small} || K <- [3, 7, 4999, 6000, abc, "str", 1.0]]),
    show(merge_big_small, maps:merge(A, Small)),
    show(merge_small_big, maps:merge(Small, A)),
    Mid = big(1, 100, fun(K) -> K end),
    Keys = maps:from_list([{K, x} || K <- lists:seq(1, 100, 3)] ++ [{{t, 1}, y}, {<<"b">>, z}]),
    show(merge_mid_many, maps:merge(Mid, Keys)),
    show(exact_many, exact(Mid)),
    show(exact_missing, try exact(maps:remove(40, Mid)) catch error:E -> E end),
    C = maps:merge(A, #{}),
    show(eq_same, {A =:= C, A == C, A =/= C}),
    show(eq_value, {A =:= A#{2500 := x}, A == A#{2500 := x}}),
    show(eq_key, {A =:= maps:put(5001, 10002, maps:remove(5000, A))}),
    F = maps:from_list([{K, float(K * 2)} || K <- lists:seq(1, 5000)]),
    show(eq_float_values, {A =:= F, A == F, A < F, F < A}),
    G = maps:put(1.0, 2, maps:remove(1, A)),
    show(eq_float_key, {A =:= G, A == G, A < G, G < A}),
    show(order, [map_size(M) || M <- lists:sort([B, A, F, G, Mid])]),
    show(order_first, hd(lists:sort([F, G, A])) =:= A),
    erlang:halt(0).

exact(M) ->
    M#{1 := a, 4 := b, 7 := c, 10 := d, 13 := e, 16 := f, 19 := g, 22 := h, 25 := i,
       28 := j, 31 := k, 34 := l, 37 := m, 40 := n}.
