-module(t_qlc_join).
-export([main/0]).
-include_lib("stdlib/include/qlc.hrl").

-record(emp, {id, name, dept, salary}).

%% qlc over ETS tables: a join, a sorted query and a fold.

main() ->
    T = ets:new(emps, [set, {keypos, #emp.id}]),
    true = ets:insert(T, [#emp{id = I, name = N, dept = D, salary = S}
                          || {I, N, D, S} <- [{1, "ann", eng, 120}, {2, "bob", ops, 90},
                                              {3, "cy", eng, 100}, {4, "di", sales, 80},
                                              {5, "ed", eng, 130}, {6, "flo", ops, 95}]]),
    Depts = ets:new(depts, []),
    ets:insert(Depts, [{eng, "Engineering"}, {ops, "Operations"}, {sales, "Sales"}]),
    Q = qlc:q([{E#emp.name, DName} || E <- ets:table(T), {D, DName} <- ets:table(Depts),
                                       E#emp.dept =:= D, E#emp.salary >= 100]),
    io:format("~p~n", [lists:sort(qlc:e(Q))]),
    io:format("~p~n", [qlc:e(qlc:sort(qlc:q([S || #emp{salary = S} <- ets:table(T)]), {order, descending}))]),
    io:format("~p~n", [qlc:fold(fun(#emp{salary = S}, Acc) -> Acc + S end, 0, qlc:q([E || E <- ets:table(T)]))]),
    halt().
