%% The process dictionary.
-module(t_pdict).
-export([main/0]).

id(X) -> X.

main() ->
    erlang:display({initial, get(k1), get_keys(v_none)}),
    erlang:display({put, put(k1, v1), put(k1, v2), get(k1), put({k, 2}, [1, 2]), get({k, 2})}),
    put(k3, v2),
    erlang:display({keys, lists:sort(get_keys()), lists:sort(get_keys(v2))}),
    erlang:display({all, lists:sort(get())}),
    erlang:display({erase, erase(k1), erase(k1), get(k1), erase(missing)}),
    lists:foreach(fun(I) -> put(I, I * I) end, lists:seq(1, 1000)),
    erlang:display({many, get(500), length(get()), lists:sum([V || {K, V} <- get(), is_integer(K)])}),
    erlang:display({counter, count(id(10000))}),
    Old = erase(),
    erlang:display({erase_all, length(Old), get(), get(500)}),
    put(acc, []),
    walk(id({node, {leaf, 1}, {node, {leaf, 2}, {leaf, 3}}})),
    erlang:display({walk, lists:reverse(get(acc))}),
    erlang:display({other_terms, put(<<"bin">>, 1), put(1.5, f), get(<<"bin">>), get(1.5), get(1)}),
    %% A large dictionary: keys of several kinds (1 and 1.0 are different keys), erased by
    %% halves, put again, every key found by a copy equal by value.
    erase(),
    Keys = [K || N <- lists:seq(1, 30000), K <- [N, float(N), {k, N}, <<N:32>>]],
    [put(K, 1) || K <- Keys],
    [put(K, 2) || K <- lists:sublist(Keys, 1, 60000)],
    Erased = [erase(K) || K <- Keys, is_integer(K) orelse is_float(K)],
    erlang:display({large, length(get()), lists:sum(Erased), get(7), get(7.0), get({k, 7}),
                    get(<<29999:32>>), lists:sum([get(K) || K <- Keys, is_tuple(K) orelse is_binary(K)]),
                    put({k, 30000}, x), get({k, 30000}), length(get_keys(2)), length(get_keys(1))}),
    erlang:halt(0).

count(0) -> get(ctr);
count(N) ->
    case get(ctr) of
        undefined -> put(ctr, 1);
        C -> put(ctr, C + 1)
    end,
    count(N - 1).

walk({leaf, V}) -> put(acc, [V | get(acc)]);
walk({node, L, R}) -> walk(L), walk(R).
