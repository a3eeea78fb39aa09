%% Term order: comparisons within and across types, sorting mixed lists.
-module(t_order).
-export([main/0]).

id(X) -> X.

main() ->
    Ref = make_ref(),
    Pid = self(),
    Fun = fun() -> ok end,
    Terms = [id(<<>>), id(<<1>>), id([]), id([1]), id("abc"), id({}), id({1}), id({1, 2}),
             id(#{}), id(#{a => 1}), id(a), id(z), id('A'), id(1), id(-1), id(1.0), id(2.5),
             id(1 bsl 80), id(-(1 bsl 80)), id({a, b}), id([a | b]), id(#{b => 0}),
             id(<<1:3>>), id(<<0>>), id(<<255>>)],
    erlang:display({sorted, lists:sort(Terms)}),
    erlang:display({rsorted, lists:reverse(lists:sort(Terms))}),
    Ranks = [{number, 1}, {atom, a}, {reference, Ref}, {function, Fun}, {pid, Pid},
             {tuple, {}}, {map, #{}}, {nil, []}, {list, [1]}, {bitstring, <<>>}],
    Sorted = lists:sort(fun({_, A}, {_, B}) -> A =< B end, lists:reverse(Ranks)),
    erlang:display({type_order, [T || {T, _} <- Sorted]}),
    erlang:display({numbers, 1 < 2, 1 < 1.5, 1.0 == 1, 1.0 =:= 1, 1 < a, 2.0 < 1 bsl 64,
                    -(1 bsl 64) < -1.0e10, 0 == 0.0, 0 == -0.0, 0.0 =:= -0.0}),
    erlang:display({atoms, a < b, aa > a, 'Z' < a, '' < a, abc < abd}),
    erlang:display({tuples, {1, 2} < {1, 3}, {2} < {1, 1}, {a, b, c} > {z, z}, {1, 1.0} == {1.0, 1},
                    {1, 1.0} =:= {1.0, 1}}),
    erlang:display({lists, [1, 2] < [1, 3], [1] < [1, 1], [] < [0], [2] > [1, 9], "b" > "abc",
                    [1 | 2] < [1 | 3], [1 | a] > [1, 2]}),
    erlang:display({maps, #{a => 1} < #{a => 2}, #{a => 1} < #{b => 1}, #{z => 1} < #{a => 1, b => 1},
                    #{1 => a} < #{a => 1}, #{1 => x} < #{1.0 => x}, #{1.0 => x} < #{1 => x}}),
    erlang:display({binaries, <<1>> < <<1, 0>>, <<2>> > <<1, 255>>, <<1:1>> > <<0>>,
                    <<1:7>> < <<1>>, <<>> < <<0:1>>}),
    erlang:display({exact, 1 =:= 1, 1 =/= 1.0, a =:= a, [1] =:= [1.0], {a} =/= {a}, <<1>> =:= <<1>>}),
    erlang:display({min_max, min(a, 1), max(a, 1), min([], {}), max("a", <<"a">>),
                    max(1, 1.0), min(1, 1.0), max(1.0, 1), min(1.0, 1)}),
    erlang:display({usort_numbers, lists:usort([1, 1.0, 2, 2.0, 1]), lists:umerge([1], [1.0])}),
    erlang:display({compare_fun, lists:sort(fun(A, B) -> A > B end, [3, 1, 2])}),
    erlang:display({sort_stability, lists:sort([{1, b}, {1.0, a}, {1, a}]),
                    lists:keysort(1, [{1, b}, {1.0, a}, {1, a}])}),
    erlang:display({self_cmp, Ref == Ref, Pid =:= self(), Fun == Fun, Ref < Fun, Fun < Pid}),
    erlang:halt(0).
