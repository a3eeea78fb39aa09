%% Lists: the lists module, comprehensions, ++ and --, improper lists.
-module(t_lists).
-export([main/0]).

id(X) -> X.

main() ->
    L = id([5, 3, 8, 1, 9, 2, 7]),
    Sq = fun(X) -> X * X end,
    erlang:display({map, lists:map(Sq, L), lists:map(fun erlang:abs/1, id([-1, 2, -3]))}),
    erlang:display({folds, lists:foldl(fun(X, A) -> [X | A] end, [], L),
                    lists:foldr(fun(X, A) -> [X | A] end, [], L),
                    lists:foldl(fun(X, A) -> X + A end, 0, L)}),
    erlang:display({filter, lists:filter(fun(X) -> X rem 2 =:= 0 end, L),
                    lists:partition(fun(X) -> X > 4 end, L)}),
    erlang:display({reverse, lists:reverse(L), lists:reverse([]), lists:reverse(L, [tail])}),
    erlang:display({seq, lists:seq(1, 10), lists:seq(10, 1, -3), lists:seq(5, 4),
                    lists:seq(0, 20, 5)}),
    erlang:display({sort, lists:sort(L), lists:sort(fun(A, B) -> A >= B end, L),
                    lists:sort([b, 3, "x", {1}, a, 2.5, [], <<"b">>])}),
    erlang:display({usort, lists:usort([3, 1, 2, 3, 1, 1.0, 2]), lists:umerge([1, 3], [2, 3, 4])}),
    KL = id([{c, 3}, {a, 1}, {b, 2}, {a, 0}]),
    erlang:display({keysort, lists:keysort(1, KL), lists:keysort(2, KL), lists:ukeysort(1, KL)}),
    erlang:display({keyfind, lists:keyfind(a, 1, KL), lists:keyfind(z, 1, KL),
                    lists:keyfind(2, 2, KL), lists:keymember(b, 1, KL),
                    lists:keysearch(c, 1, KL)}),
    erlang:display({keystore, lists:keystore(b, 1, KL, {b, 20}), lists:keystore(d, 1, KL, {d, 4}),
                    lists:keydelete(a, 1, KL), lists:keyreplace(c, 1, KL, {c, 30}),
                    lists:keytake(b, 1, KL)}),
    erlang:display({member, lists:member(8, L), lists:member(10, L), lists:member(1.0, [1])}),
    erlang:display({append, lists:append([[1], [2, 3], [], [4]]), lists:append("ab", "cd"),
                    L ++ [10], [] ++ L, "abc" ++ "def"}),
    erlang:display({subtract, L -- [3, 9], [1, 2, 1, 2, 1] -- [1, 1], "hello" -- "lo",
                    lists:subtract([a, b], [b])}),
    erlang:display({flatten, lists:flatten([1, [2, [3, [4]], []], [[[5]]]]),
                    lists:flatten([[a], b], [c]), lists:flatlength([1, [2, [3]]])}),
    erlang:display({zip, lists:zip([1, 2, 3], [a, b, c]), lists:unzip([{1, a}, {2, b}]),
                    lists:zip3([1], [2], [3]), lists:zipwith(fun(A, B) -> A * B end, [1, 2], [3, 4])}),
    erlang:display({nth, lists:nth(1, L), lists:nth(7, L), lists:nthtail(5, L)}),
    erlang:display({sublist, lists:sublist(L, 3), lists:sublist(L, 2, 3), lists:sublist(L, 10),
                    lists:sublist(L, 8, 2)}),
    erlang:display({split, lists:split(3, L), lists:splitwith(fun(X) -> X > 2 end, L),
                    lists:split(0, L)}),
    erlang:display({last, lists:last(L), lists:droplast(L), hd(L), tl(L)}),
    erlang:display({duplicate, lists:duplicate(4, x), lists:duplicate(0, x)}),
    erlang:display({sum, lists:sum(L), lists:sum([]), lists:max(L), lists:min(L),
                    lists:max([a, 1, "z"]), lists:min([a, 1, "z"])}),
    erlang:display({misc, lists:all(fun is_integer/1, L), lists:any(fun(X) -> X > 8 end, L),
                    lists:takewhile(fun(X) -> X > 2 end, L), lists:dropwhile(fun(X) -> X > 2 end, L),
                    lists:delete(8, L), lists:concat([a, 1, "b", 2.5]), lists:prefix([1], [1, 2]),
                    lists:suffix([2], [1, 2]), lists:enumerate([a, b])}),
    erlang:display({mapfold, lists:mapfoldl(fun(X, A) -> {X * 2, A + X} end, 0, [1, 2, 3]),
                    lists:flatmap(fun(X) -> [X, X] end, [1, 2]),
                    lists:foreach(fun(X) -> erlang:display({each, X}) end, [1, 2]),
                    lists:filtermap(fun(X) when X > 5 -> {true, X * 10};
                                       (X) -> X =:= 1 end, L)}),
    erlang:display({merge, lists:merge([1, 4, 7], [2, 5, 8]), lists:merge([[1, 3], [2], [0, 9]]),
                    lists:join(x, [1, 2, 3]), lists:uniq([3, 1, 3, 2, 1])}),
    erlang:display({comprehensions,
                    [X * 2 || X <- L, X > 4],
                    [{X, Y} || X <- [1, 2, 3], Y <- [a, b], X =/= 2],
                    [X || {X, true} <- [{1, true}, {2, false}, {3, true}, other]],
                    [X + Y || X <- [1, 2], Y <- [10, 20], X + Y > 11],
                    [[C] || C <- "abc"],
                    [{I, J} || I <- lists:seq(1, 4), J <- lists:seq(I, 4), (I + J) rem 3 =:= 0],
                    [X || <<X>> <= <<1, 2, 3>>, X > 1]}),
    erlang:display({qsort, qsort([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]), perms([1, 2, 3])}),
    erlang:display({length, length(L), length([]), length(lists:seq(1, 100000))}),
    erlang:display({improper, [1 | 2], [1, 2 | 3], hd([a | b]), tl([a | b]), is_list([1 | 2])}),
    erlang:display({cons_match, cons(id([1, 2, 3])), cons(id([1])), cons(id([]))}),
    erlang:display({errors,
                    catch_all(fun() -> hd(id([])) end),
                    catch_all(fun() -> tl(id(a)) end),
                    catch_all(fun() -> length(id([1 | 2])) end),
                    catch_all(fun() -> id([1 | 2]) ++ [3] end),
                    catch_all(fun() -> id(a) -- [3] end),
                    catch_all(fun() -> lists:nth(id(9), L) end),
                    catch_all(fun() -> lists:last(id([])) end),
                    catch_all(fun() -> lists:seq(id(1), id(a)) end)}),
    long(),
    erlang:halt(0).

%% Long lists: the list BIFs work through them a slice at a time, with the same results.
long() ->
    N = 100000,
    L = lists:seq(1, N),
    K = [{I, -I} || I <- L],
    R = lists:reverse(L, [tail]),
    erlang:display({long_reverse, length(R), hd(R), lists:last(R), lists:nth(N, R),
                    lists:reverse(lists:reverse(L)) =:= L, lists:reverse(L) =:= lists:seq(N, 1, -1)}),
    erlang:display({long_member, lists:member(N, L), lists:member(N + 1, L),
                    lists:member(float(N), L), lists:member(-1, id(L ++ [-1]))}),
    erlang:display({long_key, lists:keyfind(N, 1, K), lists:keyfind(-N, 2, K),
                    lists:keyfind(0, 1, K), lists:keymember(N - 1, 1, K),
                    lists:keysearch(N, 1, K), lists:keysearch(x, 1, K)}),
    erlang:display({long_bad, brief(fun() -> lists:reverse(id(L ++ x), []) end),
                    brief(fun() -> lists:member(0, id(L ++ x)) end),
                    brief(fun() -> lists:keyfind(0, 1, id(K ++ x)) end),
                    brief(fun() -> length(id(L ++ x)) end)}),
    erlang:display({long_size, length(L), byte_size(term_to_binary(L)),
                    binary_to_term(term_to_binary(K)) =:= K,
                    byte_size(iolist_to_binary([<<"ab">>, "c" | lists:duplicate(N, "xyz")]))}).

%% An exception without its (long) arguments.
brief(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St ->
            [{M, Fn, A, _} | _] = St,
            {C, R, M, Fn, if is_list(A) -> length(A); true -> A end}
    end.

qsort([]) -> [];
qsort([P | T]) -> qsort([X || X <- T, X < P]) ++ [P] ++ qsort([X || X <- T, X >= P]).

perms([]) -> [[]];
perms(L) -> [[H | T] || H <- L, T <- perms(L -- [H])].

cons([A, B | _]) -> {two_plus, A, B};
cons([A]) -> {one, A};
cons([]) -> empty.

catch_all(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.
