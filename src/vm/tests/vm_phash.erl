%% phash/2 and phash2/1,2 values for every kind of term, and the dict/sets layouts built on them.
-module(vm_phash).
-export([main/0]).
main() ->
    Ts = [0, 1, -1, 255, 256, 1 bsl 27, -(1 bsl 27), 1 bsl 40, -(1 bsl 40), 1 bsl 59, 1 bsl 70, -(1 bsl 70),
          a, hello, 'Hello world', '', [], "abc", "abcde", [1,2,3], [a,b], [1|2], [a|b], [300, 1], {}, {a}, {1,2,{3}},
          <<>>, <<1,2,3>>, <<"hello world, this is long">>, <<1:3>>, <<1,2:4>>, 1.0, 0.0, -0.0, 3.14, -2.5e10,
          #{}, #{a => 1}, #{1 => 2, b => [c]}, maps:from_list([{I, I} || I <- lists:seq(1, 40)]),
          {[], [[]], "x"}, [$a|<<"b">>], fun lists:map/2, list_to_atom([228]), 'ñ'],
    erlang:display([erlang:phash2(T) || T <- Ts]),
    erlang:display([erlang:phash(T, 1 bsl 32) || T <- Ts]),
    erlang:display([erlang:phash2(T, 1000) || T <- Ts]),
    D = lists:foldl(fun(K, Acc) -> dict:store(K, K, Acc) end, dict:new(), [a, b, c, 1, 2, "x", {y}]),
    erlang:display(dict:to_list(D)),
    erlang:display(sets:to_list(sets:from_list([z, y, x, 1, 2, 3]))),
    halt().
