%% ETS match patterns and match specifications as ets:fun2ms writes them: heads with '$N'
%% and '_', guards with comparisons, type tests, element, andalso/orelse and arithmetic,
%% bodies with '$_', '$$', variables, {{...}} tuples, {const, X}, lists; select_count,
%% select_delete, match_delete, and the badarg cases.
-module(t_ets_match).
-export([main/0]).

main() ->
    [run(Type) || Type <- [set, ordered_set, bag, duplicate_bag]],
    errors(),
    continuations(),
    erlang:halt(0).

show(Tag, V) -> erlang:display({Tag, V}).

e(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

people() ->
    [{alice, 31, london, [erlang, rust]},
     {bob, 25, paris, [c]},
     {carol, 47, london, []},
     {dave, 25, berlin, [erlang]},
     {erin, 19, paris, [rust, go]},
     {frank, 62, {uk, leeds}, [erlang, c, go]}].

run(Type) ->
    T = ets:new(people, [Type]),
    ets:insert(T, people()),
    case Type of
        bag -> ets:insert(T, [{bob, 26, paris, [c]}, {bob, 25, paris, [c]}]);
        duplicate_bag -> ets:insert(T, [{bob, 25, paris, [c]}]);
        _ -> ok
    end,
    S = fun(X) -> lists:sort(X) end,
    show({Type, match}, S(ets:match(T, {'$1', '_', london, '_'}))),
    show({Type, match_order}, S(ets:match(T, {'$2', '$1', paris, '_'}))),
    show({Type, match_repeat}, S(ets:match(T, {'_', '$1', '_', ['$2' | '_']}))),
    show({Type, match_nothing}, ets:match(T, {'$1', '_', nowhere, '_'})),
    show({Type, match_all}, length(ets:match(T, '_'))),
    show({Type, match_object}, S(ets:match_object(T, {'_', 25, '_', '_'}))),
    show({Type, match_object_key}, S(ets:match_object(T, {bob, '_', '_', '_'}))),
    show({Type, match_object_nested}, S(ets:match_object(T, {'_', '_', {uk, '$1'}, '_'}))),
    %% fun2ms(fun({N, A, _, _}) when A > 30 -> N end)
    show({Type, gt}, S(ets:select(T, [{{'$1', '$2', '_', '_'}, [{'>', '$2', 30}], ['$1']}]))),
    %% fun2ms(fun({N, A, C, _}) when A >= 25, A =< 31, C =:= paris -> {N, A} end)
    show({Type, range}, S(ets:select(T, [{{'$1', '$2', '$3', '_'},
                                            [{'>=', '$2', 25}, {'=<', '$2', 31},
                                             {'=:=', '$3', paris}],
                                            [{{'$1', '$2'}}]}]))),
    %% fun2ms(fun(P = {_, A, _, _}) when A < 20 orelse A > 60 -> P end)
    show({Type, 'orelse'}, S(ets:select(T, [{{'_', '$1', '_', '_'},
                                             [{'orelse', {'<', '$1', 20}, {'>', '$1', 60}}],
                                             ['$_']}]))),
    %% fun2ms(fun({N, A, C, L}) when is_atom(C), length(L) > 1 -> [N, A] end)
    show({Type, type_tests}, S(ets:select(T, [{{'$1', '$2', '$3', '$4'},
                                                 [{is_atom, '$3'}, {'>', {length, '$4'}, 1}],
                                                 [['$1', '$2']]}]))),
    %% element/2 and tuple_size/1 in guards, '$$' in the body
    show({Type, element}, S(ets:select(T, [{{'$1', '_', '$2', '_'},
                                              [{is_tuple, '$2'}, {'==', {element, 1, '$2'}, uk}],
                                              ['$$']}]))),
    %% arithmetic in guard and body; const
    show({Type, arith}, S(ets:select(T, [{{'$1', '$2', '_', '_'},
                                            [{'==', {'rem', '$2', 2}, 1}],
                                            [{{'$1', {'+', '$2', 1}, {const, {x, y}}}}]}]))),
    %% several clauses, the first that matches wins
    show({Type, clauses}, S(ets:select(T, [{{'$1', '$2', london, '_'}, [], [{{london, '$1'}}]},
                                             {{'$1', '$2', '_', []}, [], [{{empty, '$1'}}]},
                                             {{'$1', '_', paris, '_'}, [{'>', '$1', c}], ['$1']}]))),
    %% andalso, not, true guard, and a body error becoming 'EXIT'
    show({Type, 'andalso'}, S(ets:select(T, [{{'$1', '$2', '_', '_'},
                                              [{'andalso', {is_integer, '$2'},
                                                {'not', {'==', '$2', 25}}}, true],
                                              [{'div', 100, {'-', '$2', 31}}]}]))),
    show({Type, guard_error}, S(ets:select(T, [{{'$1', '$2', '_', '_'},
                                                  [{'>', {'+', '$1', 1}, 0}], ['$1']}]))),
    show({Type, self}, ets:select(T, [{{carol, '_', '_', '_'}, [], [{self}]}]) =:= [self()]),
    show({Type, bound_key}, S(ets:select(T, [{{dave, '$1', '_', '_'}, [], ['$1']}]))),
    show({Type, identity}, S(ets:select(T, [{'_', [], ['$_']}])) =:= S(ets:tab2list(T))),
    show({Type, select_count}, {ets:select_count(T, [{{'_', '$1', '_', '_'},
                                                       [{'<', '$1', 30}], [true]}]),
                                 ets:select_count(T, [{'_', [], [false]}]),
                                 ets:select_count(T, [{'$1', [], ['$1']}])}),
    show({Type, select_delete}, {ets:select_delete(T, [{{'_', '$1', '_', '_'},
                                                         [{'>', '$1', 40}], [true]}]),
                                  S(ets:match(T, {'$1', '_', '_', '_'}))}),
    show({Type, match_delete}, {ets:match_delete(T, {'_', '_', paris, '_'}),
                                 S(ets:match(T, {'$1', '_', '_', '_'}))}),
    show({Type, select_delete_all}, {ets:select_delete(T, [{'_', [], [true]}]),
                                      ets:info(T, size)}),
    ets:delete(T).

errors() ->
    T = ets:new(errs, [ordered_set]),
    ets:insert(T, [{1, a}, {2, b}, {3, c}]),
    show(ordered_results, ets:select(T, [{{'$1', '$2'}, [], [{{'$2', '$1'}}]}])),
    show(ordered_match, ets:match(T, {'$1', '$2'})),
    show(map_body, ets:select(T, [{{'$1', '$2'}, [{'<', '$1', 2}], [#{k => '$2'}]}])),
    show(list_body, ets:select(T, [{{'$1', '$2'}, [{'<', '$1', 2}], [['$1' | '$2']]}])),
    show(const_var, ets:select(T, [{{'$1', '_'}, [{'<', '$1', 2}], [{const, '$1'}]}])),
    show(non_tuple_head, ets:select(T, [{foo, [], ['$_']}])),
    show(bad_specs,
         [e(fun() -> ets:select(T, not_a_list) end),
          e(fun() -> ets:select(T, [{'_', [], []}]) end),
          e(fun() -> ets:select(T, [{'_', [], ['$1']}]) end),
          e(fun() -> ets:select(T, [{'_', [{'>', '$1', 1}], [true]}]) end),
          e(fun() -> ets:select(T, [{'_', [], [{no_such_function, 1}]}]) end),
          e(fun() -> ets:select(T, [{'_', []}]) end),
          e(fun() -> ets:select(T, [{'_', not_a_list, [true]}]) end),
          e(fun() -> ets:select_count(T, [{'_', [], []}]) end),
          e(fun() -> ets:select_delete(T, [x]) end)]),
    show(unchanged, ets:tab2list(T)).

%% select/3, match/3 and match_object/3 in chunks, continued with select/1 and friends.
continuations() ->
    T = ets:new(chunks, [ordered_set]),
    ets:insert(T, [{N, N rem 3} || N <- lists:seq(1, 10)]),
    MS = [{{'$1', '$2'}, [{'=/=', '$2', 0}], ['$1']}],
    show(select_chunks, chunks(ets:select(T, MS, 3), fun ets:select/1)),
    show(select_exact, chunks(ets:select(T, [{{'$1', '_'}, [{'<', '$1', 5}], ['$1']}], 4),
                              fun ets:select/1)),
    show(match_chunks, chunks(ets:match(T, {'$1', 1}, 2), fun ets:match/1)),
    show(match_object_chunks, chunks(ets:match_object(T, {'_', 2}, 5), fun ets:match_object/1)),
    show(no_results, ets:select(T, [{{'$1', 7}, [], ['$1']}], 3)),
    show(end_continued, ets:select('$end_of_table')),
    show(bad_limit, [e(fun() -> ets:select(T, MS, 0) end),
                     e(fun() -> ets:select(T, MS, a) end)]).

chunks('$end_of_table', _) -> ['$end_of_table'];
chunks({Results, Cont}, Next) -> [Results | chunks(Next(Cont), Next)].
