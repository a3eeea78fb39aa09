%% Chunked traversals of hashed ETS tables (select/3, match/3, match_object/3,
%% select_reverse/3 and select/1): which objects each chunk holds, in which order, and when
%% the continuation ends, as erl walks whole buckets and carries what is over.
-module(t_ets_chunk_order).
-export([main/0]).
chunks('$end_of_table') -> ['$eot'];
chunks({R, '$end_of_table'}) -> [R, eot_cont];
chunks({R, C}) -> [R | chunks(ets:select(C))].
walk(_, '$end_of_table') -> [];
walk(T, K) -> [K | walk(T, ets:next(T, K))].
main() ->
    B = ets:new(t, [bag]),
    [ets:insert(B, {K, V}) || K <- [1,2], V <- lists:seq(1, 20)],
    erlang:display(walk(B, ets:first(B))),
    erlang:display(ets:tab2list(B)),
    erlang:display(chunks(ets:select(B, [{'$1', [], ['$1']}], 7))),
    erlang:display(chunks(ets:select(B, [{'$1', [], ['$1']}], 20))),
    erlang:display(chunks(ets:select(B, [{'$1', [], ['$1']}], 40))),
    erlang:display(chunks(ets:select(B, [{'$1', [], ['$1']}], 41))),
    erlang:display(chunks(ets:select(B, [{'$1', [], ['$1']}], 39))),
    erlang:display(chunks(ets:select(B, [{{'$1', '$2'}, [{'<', '$2', 4}], ['$2']}], 2))),
    erlang:display(chunks(ets:match(B, {'$1', '$2'}, 15))),
    erlang:display(chunks(ets:match_object(B, {'_', '_'}, 15))),
    S = ets:new(s, [set]),
    ets:insert(S, [{K} || K <- lists:seq(1, 14)]),
    erlang:display(chunks(ets:select(S, [{'$1', [], ['$1']}], 7))),
    erlang:display(chunks(ets:select(S, [{'$1', [], ['$1']}], 14))),
    erlang:display(chunks(ets:select(S, [{'$1', [], ['$1']}], 13))),
    erlang:display(chunks(ets:select_reverse(S, [{'$1', [], ['$1']}], 5))),
    erlang:display(chunks(ets:select(S, [{{'$1'}, [{'>', '$1', 20}], ['$1']}], 3))),
    erlang:display(chunks(ets:select(B, [{{2, '$1'}, [], ['$1']}], 6))),
    E = ets:new(e, [duplicate_bag]),
    erlang:display(ets:select(E, [{'$1', [], ['$1']}], 3)),
    ets:insert(E, [{K rem 3, K} || K <- lists:seq(1, 3000)]),
    erlang:display([length(C) || C <- chunks(ets:select(E, [{'$1', [], ['$1']}], 1500)), is_list(C)]),
    erlang:display([hd(C) || C <- chunks(ets:select(E, [{'$1', [], ['$1']}], 1500)), is_list(C)]),
    halt().
