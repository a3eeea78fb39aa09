%% Tuples and records: element/setelement/make_tuple/tuple_size, record ops.
-module(t_tuples).
-export([main/0]).

-record(point, {x = 0, y = 0}).
-record(person, {name, age = 0, email = undefined, tags = []}).
-record(empty, {}).

id(X) -> X.

main() ->
    T = id({a, b, c, d}),
    erlang:display({element, element(1, T), element(4, T), tuple_size(T), size(T)}),
    erlang:display({setelement, setelement(2, T, x), setelement(4, T, {nested}), T}),
    erlang:display({make_tuple, erlang:make_tuple(3, z), erlang:make_tuple(0, z),
                    erlang:make_tuple(5, 0, [{2, two}, {4, four}])}),
    erlang:display({conv, tuple_to_list(T), list_to_tuple([1, 2, 3]), list_to_tuple([]),
                    tuple_to_list({})}),
    erlang:display({append, erlang:append_element(T, e), erlang:append_element({}, 1),
                    erlang:insert_element(2, {a, c}, b), erlang:delete_element(1, T)}),
    Big = list_to_tuple(lists:seq(1, 1000)),
    erlang:display({big, tuple_size(Big), element(500, Big), element(1000, setelement(1000, Big, last))}),
    erlang:display({match, swap(id({1, 2})), first3(id({x, y, z})), first3(id({p}))}),
    P = #point{x = id(3)},
    P2 = P#point{y = id(4)},
    erlang:display({records, P, P2, P2#point.x, P2#point.y, #point.y, record_info(fields, point),
                    record_info(size, person)}),
    Pe = #person{name = id("Ann"), tags = [id(a)]},
    Pe2 = Pe#person{age = id(31), email = id(<<"ann@x">>)},
    Pe3 = Pe2#person{age = Pe2#person.age + 1},
    erlang:display({person, Pe, Pe2, Pe3, is_record(Pe3, person), is_record(P, person),
                    is_record(P, point, 3), #empty{}}),
    erlang:display({rec_match, rec_name(Pe3), rec_name(P), rec_guard(Pe3), rec_guard(Pe)}),
    erlang:display({update_many, lists:foldl(fun(I, Acc) -> Acc#point{x = Acc#point.x + I,
                                                                      y = Acc#point.y - I} end,
                                             #point{}, lists:seq(1, 10))}),
    erlang:display({setelement_chain, chain(id({0, 0, 0, 0, 0}))}),
    erlang:display({tagged, [tag(V) || V <- [id({ok, 1}), id({error, r}), id({ok, 1, 2}),
                                             id(ok), id({other, 1})]]}),
    erlang:display({arity, [arity_of(V) || V <- [id({}), id({1}), id({1, 2}), id({1, 2, 3}),
                                                 id({1, 2, 3, 4})]]}),
    erlang:display({errors,
                    catch_all(fun() -> element(id(0), T) end),
                    catch_all(fun() -> element(id(5), T) end),
                    catch_all(fun() -> element(id(1), id(notatuple)) end),
                    catch_all(fun() -> setelement(id(9), T, x) end),
                    catch_all(fun() -> erlang:make_tuple(id(-1), x) end),
                    catch_all(fun() -> tuple_size(id([])) end),
                    catch_all(fun() -> (id(P))#person.name end),
                    catch_all(fun() -> (id(P))#person{name = x} end)}),
    %% element/2 on every kind of index and container, in a body and as a guard.
    erlang:display({element_kinds,
                    [catch_all(fun() -> element(id(I), id(X)) end)
                     || I <- [0, 1, 4, 5, -1, 1 bsl 70, a, 2.0],
                        X <- [T, {}, [1], foo, {only}]],
                    [case id(X) of _ when element(I, X) =:= b -> yes; _ -> no end
                     || I <- [0, 2, 9, x, 1 bsl 64], X <- [T, 5, {b, b}]],
                    [element(I, Big) || I <- [1, 255, 256, 1000]]}),
    %% erl's tuple arity limit is 2^24 - 1: asking for more is badarg, not an allocation.
    erlang:display({arity_limit,
                    catch_all(fun() -> erlang:make_tuple(id(16#1000000), x) end),
                    catch_all(fun() -> erlang:make_tuple(id(1 bsl 40), x) end),
                    catch_all(fun() -> erlang:make_tuple(id(1 bsl 70), x) end),
                    catch_all(fun() -> erlang:make_tuple(id(16#1000000), x, []) end)}),
    erlang:halt(0).

swap({A, B}) -> {B, A}.

first3({A, B, C}) -> [A, B, C];
first3(T) when is_tuple(T) -> short.

rec_name(#person{name = N}) -> N;
rec_name(#point{}) -> point.

rec_guard(R) when R#person.age > 18 -> adult;
rec_guard(_) -> minor.

chain(T) ->
    T1 = setelement(1, T, a),
    T2 = setelement(3, T1, c),
    T3 = setelement(5, T2, e),
    setelement(2, T3, b).

tag({ok, V}) -> {value, V};
tag({error, R}) -> {failed, R};
tag(T) when is_tuple(T), element(1, T) =:= ok -> long_ok;
tag(_) -> unknown.

arity_of({}) -> 0;
arity_of({_}) -> 1;
arity_of({_, _}) -> 2;
arity_of({_, _, _}) -> 3;
arity_of(T) -> {many, tuple_size(T)}.

catch_all(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.
