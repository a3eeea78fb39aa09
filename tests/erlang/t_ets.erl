%% ETS core: every table type, insert/lookup/delete/take, counters and element updates,
%% traversal, tab2list/foldl, info, rename, and the badarg cases.
-module(t_ets).
-export([main/0]).

main() ->
    types(),
    sets(),
    bags(),
    counters(),
    elements(),
    traversal(),
    info(),
    names(),
    access(),
    errors(),
    erlang:halt(0).

show(Tag, V) -> erlang:display({Tag, V}).

e(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

types() ->
    [begin
         T = ets:new(types, [Type]),
         ets:insert(T, [{k, 1}, {k, 2}, {k, 1}, {j, 3}]),
         show(Type, {lists:sort(ets:lookup(T, k)), ets:info(T, size),
                     ets:info(T, type), lists:sort(ets:tab2list(T))}),
         ets:delete(T)
     end || Type <- [set, ordered_set, bag, duplicate_bag]],
    %% bag keeps insertion order per key
    B = ets:new(b, [bag]),
    ets:insert(B, {x, 3}), ets:insert(B, {x, 1}), ets:insert(B, {x, 2}), ets:insert(B, {x, 1}),
    show(bag_order, ets:lookup(B, x)),
    D = ets:new(d, [duplicate_bag]),
    ets:insert(D, [{x, 3}, {x, 1}, {x, 3}]),
    show(dbag_order, ets:lookup(D, x)).

sets() ->
    T = ets:new(s, [set, public]),
    show(insert, ets:insert(T, {a, 1})),
    show(insert_list, ets:insert(T, [{b, 2}, {c, 3}, {b, 22}])),
    show(lookup, {ets:lookup(T, a), ets:lookup(T, b), ets:lookup(T, zz)}),
    show(member, {ets:member(T, a), ets:member(T, zz)}),
    show(insert_new, {ets:insert_new(T, {a, 9}), ets:insert_new(T, {d, 4}),
                      ets:insert_new(T, [{e, 5}, {a, 0}]), ets:lookup(T, e),
                      ets:insert_new(T, [{e, 5}, {f, 6}])}),
    show(lookup_element, {ets:lookup_element(T, a, 2), ets:lookup_element(T, a, 1)}),
    show(take, {ets:take(T, b), ets:take(T, b), ets:member(T, b)}),
    show(delete, {ets:delete(T, a), ets:delete(T, nonexistent), ets:lookup(T, a)}),
    ets:insert(T, {o, 1, 2}),
    show(delete_object, {ets:delete_object(T, {o, 1, 3}), ets:lookup(T, o),
                         ets:delete_object(T, {o, 1, 2}), ets:lookup(T, o)}),
    %% =:= keys in a set, == keys in an ordered_set
    ets:insert(T, [{1, int}, {1.0, float}]),
    show(exact_keys, {ets:lookup(T, 1), ets:lookup(T, 1.0)}),
    O = ets:new(o, [ordered_set]),
    ets:insert(O, [{1, int}, {1.0, float}]),
    show(equal_keys, {ets:lookup(O, 1), ets:lookup(O, 1.0), ets:info(O, size)}),
    %% keypos
    K = ets:new(k, [{keypos, 2}]),
    ets:insert(K, [{rec, a, 1}, {rec, b, 2}]),
    show(keypos, {ets:lookup(K, a), ets:lookup_element(K, b, 3), ets:info(K, keypos)}),
    %% compound and big keys
    ets:insert(T, [{{x, [1, 2]}, tuple_key}, {<<"bin">>, bin_key}, {"str", str_key},
                   {1 bsl 80, big_key}, {#{m => 1}, map_key}, {-0.5, float_key}]),
    show(compound, [ets:lookup(T, Key) || Key <- [{x, [1, 2]}, <<"bin">>, "str",
                                                 1 bsl 80, #{m => 1}, -0.5]]),
    %% stored terms are copies
    Big = lists:seq(1, 100),
    ets:insert(T, {big, Big, <<0:800>>, self()}),
    [{big, Big2, Bin, Pid}] = ets:lookup(T, big),
    show(copies, {Big2 =:= Big, byte_size(Bin), Pid =:= self()}),
    show(delete_all, {ets:delete_all_objects(T), ets:info(T, size), ets:tab2list(T)}),
    show(delete_table, {ets:delete(T), ets:info(T)}).

bags() ->
    B = ets:new(b, [bag]),
    ets:insert(B, [{k, 1}, {k, 2}, {k, 1}, {j, 1}]),
    show(bag_dups, {ets:lookup(B, k), ets:info(B, size)}),
    show(bag_element, ets:lookup_element(B, k, 2)),
    show(bag_delete_object, {ets:delete_object(B, {k, 1}), ets:lookup(B, k)}),
    show(bag_insert_new, {ets:insert_new(B, {k, 9}), ets:insert_new(B, {n, 9})}),
    D = ets:new(d, [duplicate_bag]),
    ets:insert(D, [{k, 1}, {k, 2}, {k, 1}]),
    show(dbag, {ets:lookup(D, k), ets:info(D, size)}),
    show(dbag_delete_object, {ets:delete_object(D, {k, 1}), ets:lookup(D, k)}),
    show(dbag_take, {ets:take(D, k), ets:info(D, size)}).

counters() ->
    T = ets:new(c, [set]),
    ets:insert(T, {c, 0, 10, x}),
    show(incr, {ets:update_counter(T, c, 1), ets:update_counter(T, c, 5),
                ets:update_counter(T, c, -2)}),
    show(pos, {ets:update_counter(T, c, {3, 100}), ets:lookup(T, c)}),
    show(list, ets:update_counter(T, c, [{2, 1}, {3, -1}, {2, 10}])),
    show(threshold, {ets:update_counter(T, c, {2, 100, 50, 0}),
                     ets:update_counter(T, c, {3, -1000, 0, -1})}),
    show(bignum, {ets:update_counter(T, c, {2, 1 bsl 70}), ets:lookup(T, c)}),
    show(default, {ets:update_counter(T, d, 3, {d, 10}),
                   ets:update_counter(T, e, {3, 2}, {ignored, a, 5}),
                   ets:lookup(T, d), ets:lookup(T, e)}),
    show(counter_errors,
         [e(fun() -> ets:update_counter(T, missing, 1) end),
          e(fun() -> ets:update_counter(T, c, {1, 1}) end),
          e(fun() -> ets:update_counter(T, c, {5, 1}) end),
          e(fun() -> ets:update_counter(T, c, {4, 1}) end),
          e(fun() -> ets:update_counter(T, c, a) end),
          e(fun() -> ets:update_counter(T, c, {2, 1.5}) end)]),
    show(after_errors, ets:lookup(T, c)),
    O = ets:new(oc, [ordered_set]),
    ets:insert(O, {n, 1}),
    show(ordered_counter, ets:update_counter(O, n, 41)),
    B = ets:new(bc, [bag]),
    ets:insert(B, {n, 1}),
    show(bag_counter, e(fun() -> ets:update_counter(B, n, 1) end)).

elements() ->
    T = ets:new(u, []),
    ets:insert(T, {k, a, b, c}),
    show(update_element, {ets:update_element(T, k, {2, x}), ets:lookup(T, k),
                          ets:update_element(T, k, [{3, y}, {4, z}, {3, w}]),
                          ets:lookup(T, k), ets:update_element(T, missing, {2, x})}),
    show(update_element_errors,
         [e(fun() -> ets:update_element(T, k, {1, x}) end),
          e(fun() -> ets:update_element(T, k, {5, x}) end),
          e(fun() -> ets:update_element(T, k, {0, x}) end),
          e(fun() -> ets:update_element(T, k, x) end)]),
    B = ets:new(ub, [bag]),
    ets:insert(B, {k, 1}),
    show(bag_update_element, e(fun() -> ets:update_element(B, k, {2, x}) end)).

traversal() ->
    O = ets:new(o, [ordered_set]),
    Keys = [b, 3, 2.5, "str", <<"bin">>, {1, 2}, [], self(), a, 1, {0}, [x | y], -7, 1 bsl 70],
    ets:insert(O, [{K, v} || K <- Keys]),
    show(first_last, {ets:first(O) =:= -7, ets:last(O)}),
    show(forward, walk(O, ets:first(O), fun ets:next/2)),
    show(backward, walk(O, ets:last(O), fun ets:prev/2)),
    show(between, {ets:next(O, 2), ets:prev(O, 2), ets:next(O, zzz) =:= self(),
                   ets:next(O, <<"bin">>), ets:prev(O, -100)}),
    show(tab2list, [K || {K, v} <- ets:tab2list(O), not is_pid(K)]),
    show(foldl, ets:foldl(fun({K, _}, Acc) when is_integer(K) -> [K | Acc];
                             (_, Acc) -> Acc end, [], O)),
    show(foldr, ets:foldr(fun({K, _}, Acc) when is_atom(K) -> [K | Acc];
                             (_, Acc) -> Acc end, [], O)),
    E = ets:new(empty, [ordered_set]),
    show(empty, {ets:first(E), ets:last(E), ets:next(E, a), ets:prev(E, a), ets:tab2list(E)}),
    S = ets:new(s, [set]),
    ets:insert(S, [{N, N * N} || N <- lists:seq(1, 50)]),
    Walked = walk(S, ets:first(S), fun ets:next/2),
    show(set_walk, {length(Walked), lists:sort(Walked) =:= lists:seq(1, 50),
                    ets:last(S) =:= ets:first(S)}),
    show(set_next_missing, e(fun() -> ets:next(S, 1000) end)),
    show(set_foldl, lists:sort(ets:foldl(fun({K, V}, Acc) when K =< 5 -> [{K, V} | Acc];
                                            (_, Acc) -> Acc end, [], S))),
    show(set_tab2list, lists:sort(ets:tab2list(S)) =:= [{N, N * N} || N <- lists:seq(1, 50)]).

walk(_, '$end_of_table', _) -> [];
walk(T, K, Step) -> [K | walk(T, Step(T, K), Step)].

info() ->
    T = ets:new(inf, [ordered_set, public, {keypos, 2}, {read_concurrency, true},
                      {write_concurrency, true}, compressed, {heir, none}]),
    ets:insert(T, [{x, 1}, {x, 2}]),
    Info = ets:info(T),
    show(info_keys, [K || {K, _} <- Info]),
    show(info, [{K, V} || {K, V} <- Info, not lists:member(K, [id, memory, owner])]),
    show(info_id, {proplists:get_value(id, Info) =:= T, ets:info(T, id) =:= T}),
    show(info_owner, ets:info(T, owner) =:= self()),
    show(info_memory, is_integer(ets:info(T, memory))),
    show(info2, [ets:info(T, I) || I <- [size, type, named_table, keypos, protection, name,
                                          node, heir, compressed, read_concurrency,
                                          write_concurrency, fixed, safe_fixed]]),
    N = ets:new(named_info, [named_table, bag, private]),
    show(named_info, {N, ets:info(N, name), ets:info(N, named_table), ets:info(N, type),
                      ets:info(N, protection), is_reference(ets:info(N, id))}),
    ets:delete(T),
    show(info_dead, {ets:info(T), ets:info(T, size), ets:info(no_such_table),
                     ets:info(no_such_table, size)}),
    show(info_errors, [e(fun() -> ets:info(N, bogus) end),
                       e(fun() -> ets:info(3) end),
                       e(fun() -> ets:info("x", size) end)]).

names() ->
    T = ets:new(t_ets_named, [named_table, public]),
    show(named, {T, ets:insert(t_ets_named, {a, 1}), ets:lookup(t_ets_named, a)}),
    Id = ets:whereis(t_ets_named),
    show(whereis, {is_reference(Id), ets:lookup(Id, a), ets:whereis(t_ets_nothing)}),
    show(named_twice, e(fun() -> ets:new(t_ets_named, [named_table]) end)),
    show(unnamed_same_name, is_reference(ets:new(t_ets_named, []))),
    show(rename, {ets:rename(t_ets_named, t_ets_renamed), ets:lookup(t_ets_renamed, a),
                  e(fun() -> ets:lookup(t_ets_named, a) end), ets:whereis(t_ets_renamed) =:= Id,
                  ets:info(t_ets_renamed, name)}),
    Other = ets:new(t_ets_other, [named_table]),
    show(rename_taken, e(fun() -> ets:rename(t_ets_renamed, Other) end)),
    U = ets:new(unnamed, []),
    R = ets:rename(U, t_ets_u2),
    show(rename_unnamed, {R =:= U, ets:info(U, name), ets:info(U, named_table),
                          e(fun() -> ets:lookup(t_ets_u2, a) end)}),
    show(all, lists:member(Id, ets:all()) orelse lists:member(t_ets_renamed, ets:all())),
    show(delete_named, {ets:delete(t_ets_renamed), ets:whereis(t_ets_renamed),
                        is_reference(ets:new(t_ets_renamed, [named_table])) }).

access() ->
    Self = self(),
    Pub = ets:new(pub, [public]),
    Prot = ets:new(prot, [protected]),
    Priv = ets:new(priv, [private]),
    [ets:insert(T, {k, 1}) || T <- [Pub, Prot, Priv]],
    P = spawn(fun() ->
                  R = [{Name, e(fun() -> ets:lookup(T, k) end),
                        e(fun() -> ets:insert(T, {k, 2}) end),
                        e(fun() -> ets:info(T, size) end)}
                       || {Name, T} <- [{public, Pub}, {protected, Prot}, {private, Priv}]],
                  Self ! {access, R}
              end),
    receive {access, R} -> show(access, R) end,
    _ = P,
    show(owner_sees, [ets:lookup(T, k) || T <- [Pub, Prot, Priv]]),
    Q = spawn(fun() -> Self ! {del, e(fun() -> ets:delete(Prot) end),
                                    e(fun() -> ets:delete(Pub) end)} end),
    receive {del, D1, D2} -> show(foreign_delete, {D1, D2, ets:info(Pub)}) end,
    _ = Q.

errors() ->
    T = ets:new(err, []),
    Dead = ets:new(dead, []),
    ets:delete(Dead),
    show(new_errors,
         [e(fun() -> ets:new("name", []) end),
          e(fun() -> ets:new(x, [bogus]) end),
          e(fun() -> ets:new(x, [{keypos, 0}]) end),
          e(fun() -> ets:new(x, [{keypos, a}]) end),
          e(fun() -> ets:new(x, not_a_list) end),
          e(fun() -> ets:new(x, [{heir, self()}]) end),
          e(fun() -> ets:new(x, [{read_concurrency, maybe}]) end),
          e(fun() -> ets:new(x, [set | bag]) end)]),
    show(insert_errors,
         [e(fun() -> ets:insert(T, a) end),
          e(fun() -> ets:insert(T, {}) end),
          e(fun() -> ets:insert(T, [{a}, b]) end),
          e(fun() -> ets:insert(T, [{a} | {b}]) end),
          e(fun() -> ets:insert(Dead, {a}) end),
          e(fun() -> ets:insert(no_such_table, {a}) end)]),
    show(nothing_inserted, ets:lookup(T, a)),
    K = ets:new(k3, [{keypos, 3}]),
    show(short_tuple, {e(fun() -> ets:insert(K, {a, b}) end),
                       e(fun() -> ets:delete_object(K, {a, b}) end)}),
    show(dead_table,
         [e(fun() -> ets:lookup(Dead, a) end),
          e(fun() -> ets:member(Dead, a) end),
          e(fun() -> ets:delete(Dead) end),
          e(fun() -> ets:delete(Dead, a) end),
          e(fun() -> ets:first(Dead) end),
          e(fun() -> ets:tab2list(Dead) end),
          e(fun() -> ets:select(Dead, [{'_', [], ['$_']}]) end),
          e(fun() -> ets:update_counter(Dead, a, 1) end)]),
    show(bad_ids, [e(fun() -> ets:lookup(42, a) end),
                   e(fun() -> ets:lookup({x}, a) end),
                   e(fun() -> ets:whereis("x") end)]),
    show(lookup_element_errors,
         [e(fun() -> ets:lookup_element(T, missing, 1) end),
          e(fun() -> ets:insert(T, {a, 1}), ets:lookup_element(T, a, 3) end),
          e(fun() -> ets:lookup_element(T, a, 0) end)]),
    show(give_away_errors,
         [e(fun() -> ets:give_away(T, self(), x) end),
          e(fun() -> ets:give_away(T, not_a_pid, x) end)]).
