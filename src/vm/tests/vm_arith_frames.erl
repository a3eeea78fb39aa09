%% Arithmetic errors with literal operands (inlined by the JIT, so no BIF frame).
-module(vm_arith_frames).
-export([main/0]).
id(X) -> X.
t(F) -> try F() catch C:R:S -> erlang:display({C,R,element(1,hd(S))}) end.
main() ->
    A = id(a), One = id(1), F = id(1.5),
    t(fun() -> A - 1 end),
    t(fun() -> 1 - A end),
    t(fun() -> 1 + A end),
    t(fun() -> A * 2 end),
    t(fun() -> A / 2 end),
    t(fun() -> A / One end),
    t(fun() -> F / A end),
    t(fun() -> A + 1.5 end),
    t(fun() -> A band 1 end),
    t(fun() -> A div 2 end),
    t(fun() -> A + (1 bsl 70) end),
    halt().
