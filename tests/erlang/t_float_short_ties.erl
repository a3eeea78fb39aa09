%% Shortest float text (`~p`, `~w`, float_to_list(F, [short])) where two shortest
%% candidates are equally near the float: erl takes the even last digit.
-module(t_float_short_ties).
-export([main/0]).

main() ->
    Ties = [1125899906842624.25, 78749434328682.625, -1125899906842624.25, 0.5, 2.5e-300,
            4503599627370497.5, 2251799813685248.75, 1.0e23, 9007199254740993.0,
            5.0e-324, 1.7976931348623157e308],
    erlang:display(lists:flatten(io_lib:format("~p ~w", [Ties, Ties]))),
    erlang:display([float_to_list(F, [short]) || F <- Ties]),
    %% Floats with few significant bits at magnitudes where the last printed digit is the
    %% 16th or 17th: ties are common among them.
    Gen = [(I * 8 + 1) / 8 * math:pow(2, E) || I <- lists:seq(1 bsl 49, (1 bsl 49) + 40),
                                              E <- [-3, 0, 2, 5, 11]],
    Short = [float_to_list(F, [short]) || F <- Gen],
    erlang:display(lists:sublist(Short, 12)),
    erlang:display({length(Short), erlang:phash2(Short)}),
    %% Pseudo-random bit patterns: every finite double class.
    Rand = randoms(20000, 16#2545F4914F6CDD1D, []),
    erlang:display(erlang:phash2([float_to_list(F, [short]) || F <- Rand])),
    erlang:display(erlang:phash2(lists:flatten(io_lib:format("~p", [Rand])))),
    halt().

randoms(0, _, Acc) -> Acc;
randoms(N, X, Acc) ->
    X1 = (X * 6364136223846793005 + 1442695040888963407) band 16#FFFFFFFFFFFFFFFF,
    <<F:64/float>> = <<(X1 band 16#7FEFFFFFFFFFFFFF):64>>,
    randoms(N - 1, X1, [F | Acc]).
