%% Maps: literals, update syntax, pattern matching, the maps module (small maps).
-module(t_maps).
-export([main/0]).

id(X) -> X.

main() ->
    M = id(#{a => 1, b => 2, c => 3}),
    erlang:display({literals, M, #{}, #{1 => one, "two" => 2, {3} => [3], <<"4">> => 4.0, x => #{y => z}},
                    #{1 => a, 1.0 => b}, map_size(M), is_map(M), is_map([])}),
    K = id(key),
    erlang:display({dynamic, #{K => 1}, #{K => 1, {K} => 2}, M#{K => v}}),
    erlang:display({update, M#{a := 10}, M#{d => 4}, M#{a => 0, z => 26}, M#{a := 1, b := 2},
                    (id(#{}))#{k => v}}),
    erlang:display({match, get_a(M), get_a(#{a => x}), get_a(#{b => 1}), both(M), both(#{a => 1}),
                    deep(#{outer => #{inner => found}}), deep(#{outer => 1}),
                    var_key(a, M), var_key(q, M)}),
    #{a := A, c := C} = M,
    erlang:display({bound, A, C}),
    erlang:display({guards, is_small(M), is_small(#{}), has_a(M), has_a(#{}),
                    map_guard(M), map_guard(#{a => 1})}),
    erlang:display({get, maps:get(a, M), maps:get(zz, M, default), maps:find(b, M), maps:find(zz, M),
                    maps:is_key(c, M), maps:is_key(d, M)}),
    erlang:display({put_remove, maps:put(d, 4, M), maps:put(a, new, M), maps:remove(a, M),
                    maps:remove(nope, M), maps:take(b, M), maps:take(nope, M)}),
    erlang:display({lists, maps:keys(M), maps:values(M), maps:to_list(M),
                    maps:from_list([{x, 1}, {y, 2}, {x, 3}]), maps:from_keys([a, b], 0)}),
    erlang:display({higher, maps:fold(fun(Key, V, Acc) -> [{Key, V} | Acc] end, [], M),
                    maps:map(fun(_, V) -> V * 100 end, M),
                    maps:filter(fun(_, V) -> V > 1 end, M),
                    maps:filtermap(fun(_, V) when V > 2 -> {true, V + 1}; (_, V) -> V =:= 1 end, M),
                    maps:foreach(fun(Key, V) -> erlang:display({each, Key, V}) end, #{p => 1, q => 2})}),
    erlang:display({merge, maps:merge(M, #{c => 30, d => 40}), maps:merge(#{}, M),
                    maps:merge_with(fun(_, V1, V2) -> V1 + V2 end, M, #{a => 5, e => 5})}),
    erlang:display({misc, maps:size(M), maps:update(a, 9, M), maps:update_with(b, fun(V) -> V * 7 end, M),
                    maps:update_with(n, fun(V) -> V end, init, M), maps:with([a, c, zz], M),
                    maps:without([a, zz], M), maps:groups_from_list(fun(X) -> X rem 2 end, [1, 2, 3, 4, 5]),
                    maps:intersect(M, #{b => x, q => y})}),
    erlang:display({mixed_keys, #{1 => a, a => b, "s" => c, <<"b">> => d, {t} => e, [l] => f, 1.5 => g,
                                 #{} => h, -1 => i}}),
    erlang:display({nested_update, update_nested(#{cfg => #{depth => 1}})}),
    erlang:display({counting, count_words(id([a, b, a, c, b, a]))}),
    erlang:display({comprehension_from_map, lists:sort([{V, Key} || {Key, V} <- maps:to_list(M)])}),
    erlang:display({equality, #{a => 1} =:= #{a => 1}, #{a => 1} == #{a => 1.0},
                    #{a => 1} =:= #{a => 1.0}, #{1 => a} =:= #{1.0 => a}, #{a => 1} < #{b => 0},
                    #{a => 1, b => 1} > #{c => 1}, #{a => 2} > #{a => 1}}),
    Big = maps:from_list([{I, I * I} || I <- lists:seq(1, 1000)]),
    erlang:display({big_small_ops, map_size(Big), maps:get(777, Big), maps:is_key(1001, Big),
                    map_size(maps:remove(5, Big)),
                    lists:sum(maps:values(Big)), lists:sum(maps:keys(Big)),
                    lists:sublist(lists:sort(maps:to_list(Big)), 3),
                    maps:fold(fun(Key, V, Acc) -> Acc + Key + V end, 0, Big)}),
    Upd = lists:foldl(fun(I, Acc) -> Acc#{I := -I} end, Big, lists:seq(1, 1000, 3)),
    erlang:display({big_updates, maps:get(1, Upd), maps:get(2, Upd), maps:get(1000, Upd),
                    lists:sum(maps:values(Upd))}),
    erlang:display({errors,
                    catch_all(fun() -> (id(M))#{zz := 1} end),
                    catch_all(fun() -> maps:get(zz, id(M)) end),
                    catch_all(fun() -> #{zz := _} = id(M) end),
                    catch_all(fun() -> map_size(id(x)) end),
                    catch_all(fun() -> (id(notmap))#{a => 1} end),
                    catch_all(fun() -> maps:update(zz, 1, id(M)) end),
                    catch_all(fun() -> maps:from_list(id([a])) end)}),
    erlang:halt(0).

get_a(#{a := V}) -> {a, V};
get_a(#{}) -> no_a.

both(#{a := A, b := B}) -> A + B;
both(_) -> incomplete.

deep(#{outer := #{inner := V}}) -> V;
deep(_) -> shallow.

var_key(K, Map) ->
    case Map of
        #{K := V} -> {found, V};
        _ -> missing
    end.

is_small(M) when map_size(M) < 2 -> true;
is_small(_) -> false.

has_a(M) when is_map_key(a, M) -> yes;
has_a(_) -> no.

map_guard(M) when map_get(a, M) =:= 1, is_map_key(b, M) -> ab;
map_guard(_) -> other.

update_nested(#{cfg := Cfg} = M) -> M#{cfg := Cfg#{depth := maps:get(depth, Cfg) + 1, extra => true}}.

count_words(Ws) ->
    lists:foldl(fun(W, Acc) ->
                        case Acc of
                            #{W := N} -> Acc#{W := N + 1};
                            _ -> Acc#{W => 1}
                        end
                end, #{}, Ws).

catch_all(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.
