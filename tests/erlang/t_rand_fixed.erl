-module(t_rand_fixed).
-export([main/0]).

%% Random numbers with fixed seeds, as simulations and tests use them: every algorithm,
%% uniform integers and floats, normal variates, shuffling, sampling and exported states.

shuffle(L) -> [X || {_, X} <- lists:sort([{rand:uniform(), X} || X <- L])].

take(0, _F) -> [];
take(N, F) -> [F() | take(N - 1, F)].

main() ->
    [begin
         rand:seed(Alg, {1, 2, 3}),
         io:format("~p ~p~n", [Alg, take(5, fun() -> rand:uniform(100) end)])
     end || Alg <- [exsss, exsp, exs1024s, exro928ss, exrop, exs64, exsplus, exs1024]],
    rand:seed(exsss, {42, 42, 42}),
    io:format("~p~n", [take(3, fun rand:uniform/0)]),
    io:format("~p~n", [take(3, fun rand:normal/0)]),
    io:format("~p~n", [take(3, fun() -> rand:normal(10.0, 4.0) end)]),
    io:format("~p~n", [take(3, fun() -> rand:uniform(1 bsl 80) end)]),
    io:format("~p~n", [rand:bytes(8)]),
    io:format("~p~n", [shuffle(lists:seq(1, 10))]),
    S0 = rand:seed_s(exsss, 7),
    {A, S1} = rand:uniform_s(1000, S0),
    {B, S2} = rand:uniform_s(1000, S1),
    {C, _} = rand:uniform_real_s(S2),
    io:format("~p~n", [{A, B, C}]),
    St = rand:export_seed_s(S1),
    {B2, _} = rand:uniform_s(1000, rand:seed_s(St)),
    io:format("~p~n", [B2 =:= B]),
    rand:seed(exsss, {1, 1, 1}),
    Rolls = take(6000, fun() -> rand:uniform(6) end),
    Counts = lists:foldl(fun(R, M) -> maps:update_with(R, fun(N) -> N + 1 end, 1, M) end, #{}, Rolls),
    io:format("~p~n", [Counts]),
    rand:seed(exsss, {9, 9, 9}),
    Deck = [{V, S} || S <- [s, h, d, c], V <- lists:seq(1, 13)],
    io:format("~p~n", [lists:sublist(shuffle(Deck), 5)]),
    io:format("~p~n", [rand:jump(rand:seed_s(exsss, {1, 2, 3})) =/= rand:seed_s(exsss, {1, 2, 3})]),
    {J, _} = rand:uniform_s(rand:jump(rand:seed_s(exsss, {1, 2, 3}))),
    io:format("~p~n", [J]),
    io:format("~p~n", [element(1, rand:export_seed_s(rand:seed_s(exrop, 5)))]),
    halt().
