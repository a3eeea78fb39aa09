%% ETS at scale: 200,000 integer keys inserted into a set and an ordered_set and read
%% back; the ordered_set's first, last and neighbours come out in order. (A million keys
%% run on the host in tests/ets_scale.rs; this module also runs in the image's memory.)
-module(t_ets_big).
-export([main/0]).

-define(N, 200000).

main() ->
    S = ets:new(big_set, [set]),
    insert(?N, S),
    erlang:display({set, ets:info(S, size), check(?N, S, 0)}),
    ets:delete(S),
    O = ets:new(big_ordered, [ordered_set]),
    insert(?N, O),
    erlang:display({ordered_set, ets:info(O, size), check(?N, O, 0),
                    ets:first(O), ets:last(O), ets:next(O, 100000), ets:prev(O, 1)}),
    erlang:display({select_count, ets:select_count(O, [{{'$1', '_'}, [{'<', '$1', 1000}],
                                                        [true]}])}),
    erlang:halt(0).

insert(0, _) -> ok;
insert(I, T) -> ets:insert(T, {I, I * 2}), insert(I - 1, T).

check(0, _, S) -> S;
check(I, T, S) -> [{I, V}] = ets:lookup(T, I), check(I - 1, T, S + V).
