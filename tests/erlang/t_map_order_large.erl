-module(t_map_order_large).
-export([main/0]).

%% Maps of 65535 to 200000 keys, where some keys' 32-bit hashes collide and erl's hash trie
%% places them by deeper hashes: their order in to_list/keys/iteration/term_to_binary and
%% the iterator paths that reach them. Digests keep the output small.

md5(T) -> erlang:md5(term_to_binary(T)).

%% All keys in the order maps:next/1 gives them.
walk(I) -> walk(maps:next(I), []).
walk(none, Acc) -> lists:reverse(Acc);
walk({K, _V, Next}, Acc) -> walk(maps:next(Next), [K | Acc]).

show(Name, M) ->
    It = walk(maps:iterator(M)),
    N = length(It),
    erlang:display({Name, map_size(M), md5(maps:to_list(M)), md5(maps:keys(M)), md5(M),
                    md5(It), lists:sublist(It, 3), lists:nthtail(N - 3, It),
                    maps:fold(fun(K, _, A) -> [K | A] end, [], M) =:= lists:reverse(It)}).

%% Orders erl's trie does not share with us (atom keys hash by erl's atom table): only
%% that every view of the map agrees with the others and that it round-trips.
consistent(Name, M) ->
    It = walk(maps:iterator(M)),
    L = maps:to_list(M),
    erlang:display({Name, map_size(M), length(It),
                    It =:= lists:reverse(maps:keys(M)),
                    [K || {K, _} <- L] =:= maps:keys(M),
                    binary_to_term(term_to_binary(M)) =:= M,
                    md5(lists:sort(L))}).

%% The first key erl's iterator gives from path P, or the error.
from_path(P, M) ->
    try erts_internal:map_next(P, M, iterator) of
        {K, _, _} -> {P, K};
        Other -> {P, Other}
    catch C:R -> {P, C, R}
    end.

%% A map's external form with its pairs in the given order (MAP_EXT).
map_ext(Pairs) ->
    Enc = fun(T) -> <<131, B/binary>> = term_to_binary(T), B end,
    iolist_to_binary([<<131, 116, (length(Pairs)):32>> | [[Enc(K), Enc(V)] || {K, V} <- Pairs]]).

scramble(L) ->
    N = length(L),
    [X || {_, X} <- lists:sort([{(I * 7919) rem N, X} || {I, X} <- lists:zip(lists:seq(1, N), L)])].

main() ->
    Ints = fun(N) -> maps:from_list([{I, I} || I <- lists:seq(1, N)]) end,
    I65535 = Ints(65535),
    I200k = Ints(200000),
    show(ints65535, I65535),
    show(ints65536, Ints(65536)),
    show(ints200000, I200k),
    %% Built key by key, in a scrambled order.
    Put = lists:foldl(fun(K, Acc) -> maps:put(K, K, Acc) end, #{}, scramble(lists:seq(1, 70000))),
    show(put70000, Put),
    erlang:display({put_equals_from_list, Put =:= Ints(70000)}),
    %% Decoded from pairs in a scrambled order, and from erl's own encoding.
    Dec = binary_to_term(map_ext(scramble([{I, I} || I <- lists:seq(1, 100000)]))),
    show(decoded100000, Dec),
    show(t2b_roundtrip, binary_to_term(term_to_binary(I200k))),
    show(bins150000, maps:from_list([{integer_to_binary(I), I} || I <- lists:seq(1, 150000)])),
    show(tuples120000, maps:from_list([{{I, I rem 7}, I} || I <- lists:seq(1, 120000)])),
    show(mixed100000, maps:from_list([{case I rem 3 of 0 -> I; 1 -> {I}; 2 -> [I] end, I}
                                      || I <- lists:seq(1, 100000)])),
    consistent(atoms70000, maps:from_list([{list_to_atom("k" ++ integer_to_list(I)), I}
                                           || I <- lists:seq(1, 70000)])),
    %% Iterator paths into the nodes below the eighth trie level, and next to them.
    erlang:display([from_path(P, I65535) || P <- [2108, 67644, 4295034940, 6204,
                                                     67644 + (2 bsl 32), 67644 + (1 bsl 36)]]),
    erlang:display([from_path(P, I200k) || P <- [52752, 118288, 4295085584, 183824,
                                                    17133858, 4312101154, 26553, 4294993849]]),
    %% Merging and removing keep the order.
    Merged = maps:merge(Ints(40000), maps:from_list([{I, -I} || I <- lists:seq(30000, 70000)])),
    show(merged, Merged),
    show(removed, maps:remove(40660, maps:remove(22575, I200k))),
    erlang:halt(0).
