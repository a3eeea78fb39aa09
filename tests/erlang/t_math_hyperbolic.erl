%% math:asinh/1, acosh/1, atanh/1, erf/1 and erfc/1, with badarith where erl gives it;
%% badarg for an argument that is not a number.
%% (erlang:display prints 7 significant digits: libm and the C library may differ in the
%% last bit.)
-module(t_math_hyperbolic).
-export([main/0]).

main() ->
    T = fun(F) -> try F() catch error:R -> R end end,
    Xs = [-2.0, -1.0, -0.5, 0, 0.5, 1, 1.5, 2.0, 10, 1.0e300, 3.7, -123.456],
    [erlang:display({N, [T(fun() -> math:N(X) end) || X <- Xs]})
     || N <- [asinh, acosh, atanh, erf, erfc]],
    Bad = [fun() -> math:erf(atom) end, fun() -> math:sin("1") end, fun() -> math:pow(a, 1) end,
           fun() -> math:atan2(1, b) end, fun() -> math:fmod(1, 0) end,
           fun() -> math:sqrt(-1) end, fun() -> math:log(0) end],
    erlang:display([T(F) || F <- Bad]),
    halt().
