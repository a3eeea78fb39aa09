%% ETS beyond select/2: select_reverse with and without limits, select_replace (and its
%% refusals), slot/2 on ordered sets, compiled match specifications and test_ms/2, the way a
%% program keeping a sorted index or a small in-memory store would use them.
-module(t_ets_select_more).
-export([main/0]).

main() ->
    reverse(),
    replace(),
    slots(),
    compiled(),
    test_ms(),
    erlang:halt(0).

show(Tag, V) -> erlang:display({Tag, V}).

e(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

%% A price index: newest (highest) keys first, a page at a time.
reverse() ->
    T = ets:new(prices, [ordered_set]),
    ets:insert(T, [{D, 100 + D * 3} || D <- lists:seq(1, 25)]),
    Recent = [{{'$1', '$2'}, [{'>', '$1', 5}], [{{'$1', '$2'}}]}],
    show(all_desc, ets:select_reverse(T, Recent)),
    show(asc_vs_desc, ets:select(T, Recent) =:= lists:reverse(ets:select_reverse(T, Recent))),
    show(pages, pages(ets:select_reverse(T, Recent, 6), [])),
    show(one_page, element(1, ets:select_reverse(T, [{{'$1', '_'}, [], ['$1']}], 100))),
    show(nothing, ets:select_reverse(T, [{{'$1', '_'}, [{'>', '$1', 99}], ['$1']}], 3)),
    show(end_cont, ets:select_reverse('$end_of_table')),
    show(bound_key, ets:select_reverse(T, [{{7, '$1'}, [], ['$1']}])),
    show(bad_limit, e(fun() -> ets:select_reverse(T, Recent, 0) end)),
    show(bad_spec, e(fun() -> ets:select_reverse(T, [{{'$1'}, [], []}]) end)),
    S = ets:new(one, [set]),
    ets:insert(S, {only, 1}),
    show(set_same_as_select, ets:select_reverse(S, [{'_', [], ['$_']}]) =:= ets:select(S, [{'_', [], ['$_']}])),
    ets:delete(T),
    ets:delete(S).

pages('$end_of_table', Acc) -> lists:reverse(Acc);
pages({Page, Cont}, Acc) -> pages(ets:select_reverse(Cont), [Page | Acc]).

%% A stock table: restock the low items in place, keyed by SKU.
replace() ->
    T = ets:new(stock, [ordered_set, public]),
    ets:insert(T, [{sku(I), I * 2, shelf} || I <- lists:seq(1, 12)]),
    Restock = [{{'$1', '$2', '$3'}, [{'<', '$2', 10}], [{{'$1', {'+', '$2', 50}, '$3'}}]}],
    show(replaced, ets:select_replace(T, Restock)),
    show(after_restock, ets:tab2list(T)),
    show(again, ets:select_replace(T, Restock)),
    show(whole_object, ets:select_replace(T, [{{'$1', 52, '_'}, [], [{{'$1', 53, moved}}]}])),
    show(moved, ets:lookup(T, sku(1))),
    show(one, ets:lookup(T, sku(5))),
    Before = ets:tab2list(T),
    KeyChange = [{{'$1', '$2', '$3'}, [], [{{{atom_to_list, '$1'}, '$2', '$3'}}]}],
    show(key_change, e(fun() -> ets:select_replace(T, KeyChange) end)),
    show(unchanged, ets:tab2list(T) =:= Before),
    show(not_a_tuple, e(fun() -> ets:select_replace(T, [{'_', [], [ok]}]) end)),
    Set = ets:new(counts, [set]),
    ets:insert(Set, [{a, 1}, {b, 2}, {c, 3}]),
    show(set_replace, ets:select_replace(Set, [{{'$1', '$2'}, [{'>=', '$2', 2}], [{{'$1', {'*', '$2', 10}}}]}])),
    show(set_after, lists:sort(ets:tab2list(Set))),
    Bag = ets:new(tags, [bag]),
    ets:insert(Bag, [{x, 1}, {x, 2}]),
    show(bag_refused, e(fun() -> ets:select_replace(Bag, [{'_', [], ['$_']}]) end)),
    Dup = ets:new(log, [duplicate_bag]),
    ets:insert(Dup, [{k, 1}, {k, 1}, {k, 2}]),
    show(dup_replace, ets:select_replace(Dup, [{{k, 1}, [], [{{k, 9}}]}])),
    show(dup_after, lists:sort(ets:lookup(Dup, k))),
    Priv = ets:new(priv, [protected]),
    Self = self(),
    spawn(fun() -> Self ! {other, e(fun() -> ets:select_replace(Priv, [{'_', [], ['$_']}]) end)} end),
    receive {other, R} -> show(not_owner, R) end,
    [ets:delete(X) || X <- [T, Set, Bag, Dup, Priv]].

sku(I) -> list_to_atom("sku" ++ integer_to_list(100 + I)).

%% Walking an ordered set by position.
slots() ->
    T = ets:new(pos, [ordered_set]),
    ets:insert(T, [{K, V} || {K, V} <- lists:zip([b, d, a, c], [2, 4, 1, 3])]),
    show(slots, [ets:slot(T, I) || I <- lists:seq(0, 4)]),
    show(past_end, e(fun() -> ets:slot(T, 5) end)),
    show(negative, e(fun() -> ets:slot(T, -1) end)),
    show(not_int, e(fun() -> ets:slot(T, a) end)),
    E = ets:new(empty, [ordered_set]),
    show(empty, ets:slot(E, 0)),
    ets:delete(T),
    ets:delete(E).

%% Filtering plain lists with a compiled specification, as a query layer would.
compiled() ->
    MS = [{{'$1', '$2'}, [{is_integer, '$2'}, {'>', '$2', 10}], [{{'$1', {'*', '$2', 2}}}]},
          {{'$1', error}, [], [{{'$1', failed}}]}],
    C = ets:match_spec_compile(MS),
    show(is_compiled, {ets:is_compiled_ms(C), ets:is_compiled_ms(MS), ets:is_compiled_ms(foo)}),
    Rows = [{a, 5}, {b, 20}, {c, error}, {d, 11}, {e, x}, not_a_pair],
    show(run, ets:match_spec_run(Rows, C)),
    show(run_empty, ets:match_spec_run([], C)),
    Sel = ets:match_spec_compile([{{'_', '$1'}, [], ['$_']}]),
    show(whole, ets:match_spec_run([{1, 2}, {3}], Sel)),
    show(bad_compile, e(fun() -> ets:match_spec_compile([{'$1', [{no_such_fun, '$1'}], ['$1']}]) end)),
    show(bad_shape, e(fun() -> ets:match_spec_compile(not_a_spec) end)),
    show(bad_run, e(fun() -> ets:match_spec_run([{a, 1}], not_compiled) end)).

test_ms() ->
    MS = [{{'$1', '$2'}, [{'>', '$2', 2}], [{{'$2', '$1'}}]}],
    show(hit, ets:test_ms({x, 3}, MS)),
    show(miss, ets:test_ms({x, 1}, MS)),
    show(whole, ets:test_ms({x, 1, 2}, [{'_', [], ['$_']}])),
    {error, Errors} = ets:test_ms({x, 1}, [{'$1', [{no_such_fun, '$1'}], ['$1']}]),
    show(error_shape, [is_list(Why) || {error, Why} <- Errors] =/= []).
