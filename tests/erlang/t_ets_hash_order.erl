%% The order in which hashed ETS tables (set, bag, duplicate_bag) give their objects:
%% tab2list, match, select, select chunks, first/next, foldl and slot follow erl's hash
%% table as it grows and shrinks, for integer, float, bignum, string, binary, tuple, map and
%% top-level atom keys.
-module(t_ets_hash_order).
-export([main/0]).

keys(ints, N) -> lists:seq(1, N);
keys(negs, N) -> [-K * 7919 || K <- lists:seq(1, N)];
keys(floats, N) -> [K / 8 || K <- lists:seq(1, N)];
keys(bigs, N) -> [(1 bsl 64) + K * 1000003 || K <- lists:seq(1, N)];
keys(strings, N) -> ["key" ++ integer_to_list(K) || K <- lists:seq(1, N)];
keys(binaries, N) -> [<<"bin", (integer_to_binary(K))/binary>> || K <- lists:seq(1, N)];
keys(tuples, N) -> [{K, K * K, "x"} || K <- lists:seq(1, N)];
keys(mixed, N) -> [{[K, 300 + K], <<K:13>>} || K <- lists:seq(1, N)];
keys(maps, N) -> [#{K => K + 1} || K <- lists:seq(1, N)];
keys(atoms, N) -> [list_to_atom("atom_" ++ integer_to_list(K)) || K <- lists:seq(1, N)].

walk(T) -> walk(T, ets:first(T)).
walk(_, '$end_of_table') -> [];
walk(T, K) -> [K | walk(T, ets:next(T, K))].

chunks('$end_of_table') -> [];
chunks({R, C}) -> [R | chunks(ets:select(C))].

views(T) ->
    [ets:tab2list(T), walk(T), ets:foldl(fun(O, A) -> [O | A] end, [], T),
     ets:match(T, {'$1', '_'}), ets:select(T, [{{'$1', '$2'}, [], [{{'$2', '$1'}}]}]),
     chunks(ets:select(T, [{'$1', [], ['$1']}], 7)),
     [ets:slot(T, I) || I <- lists:seq(0, 9)]].

show(Tag, T) ->
    V = views(T),
    case ets:info(T, size) =< 40 of
        true -> erlang:display({Tag, V});
        false -> erlang:display({Tag, ets:info(T, size), [erlang:phash2(X) || X <- V]})
    end.

grid() ->
    [begin
         T = ets:new(t, [Type]),
         Ks = keys(Kind, N),
         [ets:insert(T, {K, V}) || K <- Ks, V <- values(Type)],
         show({Type, Kind, N}, T),
         ets:delete(T)
     end || Type <- [set, bag, duplicate_bag], Kind <- [ints, negs, floats, bigs, strings,
                                                       binaries, tuples, mixed, maps, atoms],
            N <- [12, 300]] ++
    [begin
         T = ets:new(t, [Type]),
         [ets:insert(T, {K, V}) || K <- keys(Kind, 2600), V <- values(Type)],
         show({Type, Kind, 2600}, T),
         ets:delete(T)
     end || {Type, Kind} <- [{set, ints}, {set, strings}, {bag, tuples}, {duplicate_bag, binaries}]].

values(set) -> [a];
values(bag) -> [a, b];
values(duplicate_bag) -> [a, a].

shrinking() ->
    T = ets:new(t, [set]),
    ets:insert(T, [{K, K} || K <- lists:seq(1, 6000)]),
    show(full, T),
    [ets:delete(T, K) || K <- lists:seq(1, 5990)],
    show(shrunk, T),
    ets:insert(T, [{K, K} || K <- lists:seq(1, 500)]),
    show(regrown, T),
    ets:delete_all_objects(T),
    ets:insert(T, [{K, K} || K <- lists:seq(100, 130)]),
    show(emptied, T),
    B = ets:new(b, [bag]),
    [ets:insert(B, {K rem 50, K}) || K <- lists:seq(1, 5000)],
    show(bag_full, B),
    [ets:delete_object(B, {K rem 50, K}) || K <- lists:seq(1, 4980)],
    show(bag_shrunk, B),
    ets:select_delete(B, [{{'$1', '_'}, [{'<', '$1', 10}], [true]}]),
    show(bag_select_deleted, B),
    D = ets:new(d, [duplicate_bag]),
    ets:insert(D, [{K rem 7, K} || K <- lists:seq(1, 40)]),
    show(dup_list_insert, D),
    S = ets:new(s, [set]),
    ets:insert(S, [{K, x} || K <- lists:reverse(lists:seq(1, 30))]),
    [ets:insert(S, {K, y}) || K <- lists:seq(1, 30, 3)],
    [ets:delete(S, K) || K <- lists:seq(2, 30, 5)],
    ets:update_counter(S, 100, 1, {100, 0}),
    ets:insert_new(S, {200, z}),
    ets:take(S, 4),
    show(mixed_ops, S).

main() ->
    grid(),
    shrinking(),
    halt().
