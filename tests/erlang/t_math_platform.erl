-module(t_math_platform).
-export([main/0]).

%% math's functions to the last bit, as erl computes them with the C library: a few values
%% printed in full and many more through a hash of their bits. (The image computes them
%% with its own library, so this module runs on the host only.)
main() ->
    Xs = [N / 7 || N <- lists:seq(-20, 20)] ++ [1.0e-10, 0.5, 1.0, 2.5, 30.5],
    Unary = [sin, cos, tan, atan, sinh, cosh, tanh, exp],
    [io:format("~p ~p~n", [F, [math:F(X) || X <- Xs]]) || F <- Unary],
    Pos = [X || X <- Xs, X > 0],
    [io:format("~p ~p~n", [F, [math:F(X) || X <- Pos]]) || F <- [log, log2, log10]],
    Unit = [N / 23 || N <- lists:seq(-23, 23)],
    [io:format("~p ~p~n", [F, [math:F(X) || X <- Unit]]) || F <- [asin, acos]],
    io:format("pow ~p~n", [[math:pow(1.0001, N) || N <- lists:seq(1, 40)]]),
    io:format("pow ~p~n", [[math:pow(N / 3, 0.37) || N <- lists:seq(1, 40)]]),
    io:format("atan2 ~p~n", [[math:atan2(N, 7) || N <- lists:seq(-20, 20)]]),
    Many = [N / 97 || N <- lists:seq(-3000, 3000)],
    Hash = fun(L) -> erlang:phash2(term_to_binary(L)) end,
    [io:format("~p ~p~n", [F, Hash([math:F(X) || X <- Many])]) || F <- Unary -- [sinh, cosh, exp]],
    [io:format("~p ~p~n", [F, Hash([math:F(X / 10) || X <- Many])]) || F <- [sinh, cosh, exp]],
    [io:format("~p ~p~n", [F, Hash([math:F(X) || X <- Many, X > 0])]) || F <- [log, log2, log10]],
    io:format("pow ~p~n", [Hash([math:pow(1.0001, N) || N <- lists:seq(1, 20000)])]),
    io:format("pow ~p~n", [Hash([math:pow(X, Y) || X <- lists:seq(1, 60), Y <- [0.37, -1.5, 2.2, 17.3]])]),
    halt().
