%% ETS tables of a million objects: listed, matched and selected whole. (A million objects
%% under one key go in a duplicate_bag: a bag compares each with those already there, which
%% takes erl some 40 minutes.)
-module(mh_ets).
-export([main/0]).

table(Type) ->
    T = ets:new(t, [Type]),
    ets:insert(T, [{N, N rem 10, <<"payload">>} || N <- lists:seq(1, 1000000)]),
    T.

main() ->
    mh_run:cases([
        {tab2list, fun() -> length(ets:tab2list(table(set))) end},
        {tab2list_ordered, fun() -> length(ets:tab2list(table(ordered_set))) end},
        {match_object, fun() -> length(ets:match_object(table(set), {'_', 3, '_'})) end},
        {match, fun() -> length(ets:match(table(set), {'$1', '_', '$2'})) end},
        {select, fun() -> length(ets:select(table(set), [{{'$1', '_', '_'}, [], ['$_']}])) end},
        {select_count, fun() -> ets:select_count(table(set), [{{'_', 3, '_'}, [], [true]}]) end},
        {select_delete, fun() -> ets:select_delete(table(set), [{{'_', 3, '_'}, [], [true]}]) end},
        {bag_lookup, fun() -> T = ets:new(b, [duplicate_bag]), ets:insert(T, [{k, N} || N <- lists:seq(1, 1000000)]), length(ets:lookup(T, k)) end},
        {big_object, fun() -> T = ets:new(o, [set]), ets:insert(T, {k, lists:seq(1, 3000000)}), [{k, L}] = ets:lookup(T, k), length(L) end},
        {insert_list, fun() -> T = ets:new(l, [set]), ets:insert(T, [{N} || N <- lists:seq(1, 2000000)]), ets:info(T, size) end},
        {foldl, fun() -> ets:foldl(fun({K, _, _}, A) -> A + K end, 0, table(set)) end}
    ]).
