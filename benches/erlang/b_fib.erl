%% Body recursion and small-integer arithmetic: fib(27), N times.
-module(b_fib).
-export([main/1]).

main([N]) ->
    erlang:display(loop(list_to_integer(N), 0)),
    erlang:halt(0).

loop(0, Acc) -> Acc;
loop(N, Acc) -> loop(N - 1, Acc + fib(27)).

fib(0) -> 0;
fib(1) -> 1;
fib(N) -> fib(N - 1) + fib(N - 2).
