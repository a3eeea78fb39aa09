%% A body-recursive call whose argument is computed from the clause's argument by adding a
%% constant (`f(N - 1) + f(N - 2)`: the first from an X register with a frame made, the
%% second from the value kept in the frame), which the loader runs as one instruction with
%% the call: small integers, the small-integer limits crossed both ways, bignums, floats and
%% a non-number (badarith from the first computed argument).
-module(t_arith_call).
-export([main/0]).

main() ->
    erlang:display(fib(22)),
    %% A difference returned (the sum has an instruction of its own).
    erlang:display(alt(25)),
    erlang:display(alt(7.5)),
    erlang:display(up(-20)),
    %% Across the small-integer limits of 60 bits (here) and 59 bits (erl), both signs.
    erlang:display(d60(1 bsl 60 + 4)),
    erlang:display(d59(1 bsl 59 + 4)),
    erlang:display(u60(-(1 bsl 60) - 4)),
    erlang:display(u59(-(1 bsl 59) - 4)),
    %% Bignums well past them.
    erlang:display(d64(1 bsl 64 + 3)),
    %% Floats.
    erlang:display(fib(7.5)),
    erlang:display(up(-6.25)),
    %% A non-number: the subtraction fails as erl's does (no frame of erlang:'-'/2).
    erlang:display(catch_top(fun() -> fib(a) end)),
    erlang:display(catch_top(fun() -> up({x}) end)),
    %% A deep recursion through the fused call (frames past the first stack).
    erlang:display(depth(100000)),
    halt().

fib(N) when N < 2 -> 1;
fib(N) -> fib(N - 1) + fib(N - 2).

alt(N) when N < 2 -> N;
alt(N) -> alt(N - 1) - alt(N - 2).

up(N) when N > -2 -> 1;
up(N) -> up(N + 1) + up(N + 2).

d60(N) when N < 1 bsl 60 - 3 -> N;
d60(N) -> d60(N - 1) + d60(N - 2).

d59(N) when N < 1 bsl 59 - 3 -> N;
d59(N) -> d59(N - 1) + d59(N - 2).

u60(N) when N > -(1 bsl 60) + 3 -> N;
u60(N) -> u60(N + 1) + u60(N + 2).

u59(N) when N > -(1 bsl 59) + 3 -> N;
u59(N) -> u59(N + 1) + u59(N + 2).

d64(N) when N < 1 bsl 64 -> N;
d64(N) -> d64(N - 1) + d64(N - 2).

depth(N) when N < 1 -> 0;
depth(N) -> depth(N - 1) + N.

catch_top(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:S -> {C, R, top(S)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.
