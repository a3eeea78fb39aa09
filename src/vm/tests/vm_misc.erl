%% Records, funs, comprehensions, maps:fold, io_lib formatting, bignums.
-module(vm_misc).
-export([main/0]).
-record(r, {a = 1, b = "x", c}).
id(X) -> X.
main() ->
    R = #r{c = id(3)},
    erlang:display({R, R#r.b, R#r{a = 5}, element(1, R), is_record(R, r)}),
    erlang:display(catch (id(x))#r.a),
    F = fun F(0) -> []; F(N) -> [N | F(N - 1)] end,
    erlang:display(F(5)),
    erlang:display([{X, Y} || X <- [1,2,3], Y <- "ab", X rem 2 =:= 1]),
    erlang:display(<< <<(X*2)>> || <<X>> <= <<1,2,3>> >>),
    erlang:display(maps:fold(fun(K, V, A) -> [{K,V}|A] end, [], #{a=>1, b=>2})),
    erlang:display(lists:sort(fun(A, B) -> A > B end, [3,1,2])),
    erlang:display(string:join(["a","b"], "-")),
    erlang:display(lists:flatten(io_lib:format("~p ~s ~w~n", [{1,"a"}, "str", [1.5]]))),
    erlang:display(io_lib:format("~8.3f|~-5s|~5w", [3.14159, "ab", x])),
    erlang:display(catch lists:foldl(fun(X, Acc) -> X + Acc end, 0, [1, 2 | x])),
    erlang:display(try id(1) of 1 -> one; _ -> other after erlang:display(after_ran) end),
    erlang:display(float_to_list(1.0e-5, [short])),
    erlang:display([float_to_list(X, [short]) || X <- [0.1, 1.0, 123.456, 1.0e21, 1.5e-7, 100.0, 2.0e20]]),
    erlang:display(unicode:characters_to_binary("héllo")),
    erlang:display(list_to_tuple(lists:seq(1, 5))),
    erlang:display(erlang:list_to_integer("ff", 16)),
    erlang:display({1 bsl 64, -(1 bsl 64) div 3, (1 bsl 64) rem 7, 7 bxor (1 bsl 65)}),
    erlang:display(lists:keysort(2, [{a,3},{b,1},{c,2}])),
    erlang:display(io_lib:format("~.2f", [2.675])),
    halt().
