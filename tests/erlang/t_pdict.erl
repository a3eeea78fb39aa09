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
