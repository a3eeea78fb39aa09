%% ETS: a set of N integer keys built with insert/2, then every key read with lookup/2
%% and a counter bumped with update_counter/3.
-module(b_ets).
-export([main/1]).

main([N]) ->
    Count = list_to_integer(N),
    T = ets:new(bench, [set, public]),
    insert(Count, T),
    Sum = lookup(Count, T, 0),
    bump(Count, T),
    erlang:display({ets:info(T, size), Sum, ets:lookup(T, Count)}),
    erlang:halt(0).

insert(0, _) -> ok;
insert(I, T) -> ets:insert(T, {I, I}), insert(I - 1, T).

lookup(0, _, S) -> S;
lookup(I, T, S) -> [{_, V}] = ets:lookup(T, I), lookup(I - 1, T, (S + V) rem 1000000007).

bump(0, _) -> ok;
bump(I, T) -> ets:update_counter(T, I, 1), bump(I - 1, T).
