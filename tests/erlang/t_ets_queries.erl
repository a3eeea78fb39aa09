-module(t_ets_queries).
-export([main/0]).
-include_lib("stdlib/include/ms_transform.hrl").

-record(emp, {id, name, dept, salary}).

%% Querying ETS tables as applications do: ets:fun2ms match specifications, select with
%% continuations, ordered_set ranges, bags, counters (qlc joins are in t_qlc_join).

main() ->
    T = ets:new(emps, [set, {keypos, #emp.id}]),
    Emps = [#emp{id = I, name = N, dept = D, salary = S}
            || {I, N, D, S} <- [{1, "ann", eng, 120}, {2, "bob", ops, 90}, {3, "cy", eng, 100},
                                {4, "di", sales, 80}, {5, "ed", eng, 130}, {6, "flo", ops, 95}]],
    true = ets:insert(T, Emps),
    MS = ets:fun2ms(fun(#emp{name = N, dept = eng, salary = S}) when S > 105 -> {N, S} end),
    io:format("~p~n", [MS]),
    io:format("~p~n", [lists:sort(ets:select(T, MS))]),
    io:format("~p~n", [ets:select_count(T, ets:fun2ms(fun(#emp{dept = ops}) -> true end))]),
    Raise = ets:fun2ms(fun(E = #emp{dept = sales, salary = S}) -> E#emp{salary = S + 10} end),
    io:format("~p~n", [ets:select_replace(T, Raise)]),
    io:format("~p~n", [ets:lookup(T, 4)]),
    {First, Cont} = ets:select(T, ets:fun2ms(fun(#emp{id = I}) -> I end), 4),
    io:format("~p~n", [length(First)]),
    {Rest, Cont2} = ets:select(Cont),
    io:format("~p ~p~n", [length(Rest), Cont2 =:= '$end_of_table' orelse ets:select(Cont2)]),
    io:format("~p~n", [ets:select_delete(T, ets:fun2ms(fun(#emp{salary = S}) when S < 95 -> true end))]),
    io:format("~p~n", [lists:sort([N || #emp{name = N} <- ets:tab2list(T)])]),
    io:format("~p~n", [lists:sort(ets:match(T, #emp{dept = eng, name = '$1', _ = '_'}))]),
    io:format("~p~n", [ets:match_object(T, #emp{dept = ops, _ = '_'})]),
    O = ets:new(prices, [ordered_set]),
    ets:insert(O, [{{2024, M}, M * 10} || M <- lists:seq(1, 12)]),
    Range = ets:select(O, ets:fun2ms(fun({{Y, Mon}, P}) when Y =:= 2024, Mon >= 3, Mon =< 5 -> {Mon, P} end)),
    io:format("~p~n", [Range]),
    io:format("~p ~p ~p~n", [ets:first(O), ets:last(O), ets:next(O, {2024, 6})]),
    io:format("~p~n", [ets:prev(O, {2024, 1})]),
    io:format("~p~n", [ets:select_reverse(O, [{{'$1', '$2'}, [{'>', '$2', 100}], ['$1']}])]),
    B = ets:new(tags, [bag]),
    ets:insert(B, [{post1, erlang}, {post1, otp}, {post2, erlang}, {post1, erlang}]),
    io:format("~p~n", [lists:sort(ets:lookup(B, post1))]),
    io:format("~p~n", [lists:sort(ets:match(B, {'$1', erlang}))]),
    C = ets:new(hits, [named_table, public]),
    [ets:update_counter(hits, P, {2, 1}, {P, 0}) || P <- [home, about, home, home, blog]],
    io:format("~p~n", [lists:sort(ets:tab2list(hits))]),
    io:format("~p~n", [ets:update_counter(hits, home, [{2, 10}, {2, -1}])]),
    io:format("~p~n", [ets:info(C, named_table)]),
    halt().
