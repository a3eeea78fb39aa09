%% The shapes `Y + X` and `[Y | X]` returned from a frame (`f(N - 1) + f(N - 2)`,
%% `[H | f(T)]`), which the loader gives instructions of their own: their values and, off
%% the small-integer path, bignums, floats, errors and collections at the return.
-module(t_return_shapes).
-export([main/0]).

main() ->
    erlang:display(fib(20)),
    erlang:display(dec(20)),
    %% Sums past the small integers, then back.
    erlang:display(big(70)),
    erlang:display(dec_big(70)),
    %% Floats in either operand.
    erlang:display(fsum([1.5, 2, 3.25, 4])),
    erlang:display(fsum([1, 2, 3, 4.0])),
    %% A non-number in the frame or in the call's result.
    erlang:display(catch_top(fun() -> sum_all([1, a, 3]) end)),
    erlang:display(catch_top(fun() -> sum_all([1, 2, {x}]) end)),
    erlang:display(catch_top(fun() -> dec_all([1, 2, b]) end)),
    %% Cells built at every return of a long body recursion: collections at the returns.
    L = copy(lists:seq(1, 100000)),
    erlang:display({length(L), lists:sum(L), lists:last(L)}),
    erlang:display(copy([a, "b", {c}, 1.5, <<"d">>, [e | f]])),
    %% An improper tail passes through as the last cell's tail.
    erlang:display(copy_improper([1, 2, 3 | tail])),
    erlang:display(catch_top(fun() -> copy(not_a_list) end)),
    halt().

fib(0) -> 0;
fib(1) -> 1;
fib(N) -> fib(N - 1) + fib(N - 2).

dec(0) -> 0;
dec(N) -> N - dec(N - 1).

big(0) -> 1;
big(N) -> (1 bsl 58) * N + big(N - 1).

dec_big(0) -> -1;
dec_big(N) -> (1 bsl 58) * N - dec_big(N - 1).

fsum([]) -> 0;
fsum([H | T]) -> H + fsum(T).

sum_all([]) -> 0;
sum_all([H | T]) -> H + sum_all(T).

dec_all([]) -> 0;
dec_all([H | T]) -> H - dec_all(T).

copy([]) -> [];
copy([H | T]) -> [H | copy(T)].

copy_improper([H | T]) -> [H | copy_improper(T)];
copy_improper(T) -> T.

catch_top(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:S -> {C, R, top(S)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.
