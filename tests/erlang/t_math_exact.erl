%% math:exp/1, math:pow/2, math:cosh/1, math:sinh/1 and math:tanh/1 to the last bit: every
%% result printed in full (17 significant digits where needed), so any difference from erl's
%% C library shows. Grids, pseudo-random arguments, the edges of overflow and underflow,
%% subnormal results, x near 1, negative x with integer y, integer arguments, and the
%% errors.
-module(t_math_exact).
-export([main/0]).

main() ->
    %% exp on a grid, on pseudo-random arguments over its whole range, and near its limits.
    [show(math:exp(N / 97)) || N <- lists:seq(-1000, 1000, 5)],
    {Xs, S1} = uniforms(700, -745.2, 709.7, 16#9e3779b97f4a7c15),
    [show(math:exp(X)) || X <- Xs],
    [show(math:exp(709 + K / 128)) || K <- lists:seq(0, 100)],
    [show(math:exp(-700 - K / 2.5)) || K <- lists:seq(0, 113)],
    [show(math:exp(X)) || X <- [0, 1, -1, 0.0, 1.0e-300, -1.0e-20, 2.0e-16, -3.0e-17,
                                 0.5, 100, -100, 512.0, -512.0, 709.782712893384,
                                 -708.3964185322641, -745.1332191019411]],
    %% pow: x in (0, 10) and y in (-300, 300), x near 1 with large y, negative x with
    %% integer y, results near overflow and underflow, subnormal x, integer arguments.
    [show(math:pow(1.0001, N)) || N <- lists:seq(1, 2000, 7)],
    {Ps, S2} = uniforms(800, 0.0, 10.0, S1),
    {Qs, S3} = uniforms(800, -300.0, 300.0, S2),
    [show(catch_badarith(X, Y)) || {X, Y} <- lists:zip(Ps, Qs)],
    {Ds, S4} = uniforms(200, -1.0e-6, 1.0e-6, S3),
    {Es, S5} = uniforms(200, -1.0e7, 1.0e7, S4),
    [show(math:pow(1 + D, E)) || {D, E} <- lists:zip(Ds, Es)],
    {Ns, S6} = uniforms(200, -10.0, 0.0, S5),
    [show(math:pow(X, float(N))) || {X, N} <- lists:zip(Ns, lists:seq(-200, 199, 2))],
    [show(math:pow(-1.0000001, float(N))) || N <- lists:seq(-1000001, 1000001, 40001)],
    {Bs, S7} = uniforms(300, 0.05, 9.5, S6),
    {Ts, _} = uniforms(300, -744.0, 709.0, S7),
    [show(catch_badarith(X, T / ln(X))) || {X, T} <- lists:zip(Bs, Ts)],
    [show(math:pow(X, Y)) || X <- [5.0e-324, 1.0e-310, 2.2250738585072014e-308],
                             Y <- [0.5, 0.25, 0.01, -0.001, 0.9]],
    [show(math:pow(X, Y)) || X <- [2, 3, -2, 10, 7], Y <- [0, 1, 2, 3, 10, -1, -3]],
    [show(catch_badarith(X, Y)) || X <- [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -3.0],
                                   Y <- [0.0, 1.0e-300, 1.0e300, -1.0e300, 2.5, -3.0]],
    %% cosh, sinh and tanh: a grid through their cases (|x| below ln2/2, 1 and 22, up to
    %% overflow), pseudo-random arguments, tiny ones.
    T = fun(F) -> try F() catch error:R -> R end end,
    {Hs, _} = uniforms(300, -25.0, 25.0, S7),
    [show({T(fun() -> math:cosh(X) end), T(fun() -> math:sinh(X) end), math:tanh(X)})
     || X <- [N / 37 || N <- lists:seq(-1100, 1100, 5)] ++ Hs
            ++ [705 + K / 8 || K <- lists:seq(0, 48)] ++ [-710.4, -709.9, -0.0, 0.0, 0, 3]
            ++ [1.0e-300, -1.0e-20, 3.0e-9, -2.0e-5, 0.34657359027997264, 0.3465735902799727]],
    %% Results outside the floats, and arguments that are not numbers.
    show([T(fun() -> math:exp(id(X)) end) || X <- [710, 1.0e300, 709.8, a]]),
    show([T(fun() -> math:pow(id(X), id(Y)) end)
          || {X, Y} <- [{10.0, 400}, {-8.0, 1 / 3}, {0.0, -1}, {0, -1.5}, {a, 1}, {2, "1"},
                        {-0.5, -2000.5}, {5.0e-324, -1.0}, {-2.0, 1025}]]),
    halt().

show(X) -> io:format("~p~n", [X]).

id(X) -> X.

%% About log(X), with arithmetic only (math:log/1 is not in this test): 2 atanh((X-1)/(X+1)).
ln(X) ->
    Z = (X - 1) / (X + 1),
    2 * lists:sum([power(Z, 2 * K + 1) / (2 * K + 1) || K <- lists:seq(0, 60)]).

power(_, 0) -> 1.0;
power(Z, K) -> Z * power(Z, K - 1).

%% math:pow(X, Y), or badarith where the result is not a float.
catch_badarith(X, Y) ->
    try math:pow(X, Y) catch error:badarith -> {badarith, X, Y} end.

%% N pseudo-random floats in [A, B) (a 64-bit LCG), and the generator's next state.
uniforms(N, A, B, S) -> uniforms(N, A, B, S, []).

uniforms(0, _, _, S, Acc) -> {lists:reverse(Acc), S};
uniforms(N, A, B, S, Acc) ->
    S1 = (S * 6364136223846793005 + 1442695040888963407) band 16#ffffffffffffffff,
    U = (S1 bsr 11) / (1 bsl 53),
    uniforms(N - 1, A, B, S1, [A + (B - A) * U | Acc]).
