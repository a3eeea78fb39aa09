%% The order of a key's objects after list inserts: a bag takes a list's objects from its
%% end, a duplicate_bag from its start, a set keeps the last; insert_new likewise.
-module(t_ets_bag_order).
-export([main/0]).

main() ->
    B = ets:new(b, [bag]),
    ets:insert(B, [{k, 1}, {k, 2}, {k, 3}]),
    ets:insert(B, {k, 4}),
    ets:insert(B, [{k, 5}, {j, 1}, {k, 6}]),
    erlang:display(ets:lookup(B, k)),
    ets:insert(B, [{k, 1}, {k, 7}, {k, 1}]),
    erlang:display(ets:lookup(B, k)),
    D = ets:new(d, [duplicate_bag]),
    ets:insert(D, [{k, 1}, {k, 2}, {k, 3}]),
    ets:insert(D, {k, 4}),
    ets:insert(D, [{k, 5}, {k, 6}, {k, 5}]),
    erlang:display(ets:lookup(D, k)),
    S = ets:new(s, [set]),
    ets:insert(S, [{k, 1}, {k, 2}]),
    erlang:display(ets:lookup(S, k)),
    O = ets:new(o, [ordered_set]),
    ets:insert(O, [{k, 1}, {k, 2}]),
    erlang:display(ets:lookup(O, k)),
    erlang:display(ets:insert_new(B, [{z, 1}, {z, 2}])),
    erlang:display(ets:lookup(B, z)),
    B2 = ets:new(b2, [bag]),
    [ets:insert(B2, {K, V}) || K <- [a, b], V <- [1, 2]],
    ets:insert(B2, [{c, 1}, {a, 3}, {c, 2}, {a, 1}]),
    erlang:display({ets:lookup(B2, a), ets:lookup(B2, b), ets:lookup(B2, c)}),
    erlang:display(lists:sort(ets:match_object(B2, {'_', 1}))),
    halt().
