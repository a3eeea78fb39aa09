%% float_to_list/1,2 and float_to_binary/1,2: decimals (erl's rounding), compact, scientific,
%% short, and the e notation of large floats.
-module(t_float_fmt).
-export([main/0]).

err(F) ->
    try F() catch C:R -> {C, R} end.

main() ->
    Decimals = [{0.15, 1}, {1.115, 2}, {-0.001, 2}, {-0.0, 2}, {0.0, 0}, {2.5, 0}, {3.5, 0}, {0.5, 0},
                {-0.5, 0}, {1.005, 2}, {0.125, 2}, {0.375, 2}, {123.456, 15}, {123.456, 16},
                {123.456, 20}, {0.1, 17}, {0.1, 30}, {-0.004, 2}, {-1.0e-20, 3}, {9007199254740992.0, 2},
                {9007199254740993.0, 1}, {1.0e20, 2}, {-1.0e20, 2}, {2.675, 2}, {5.0e-324, 3},
                {0.05, 1}, {0.45, 1}, {1.45, 1}, {-2.5, 0}, {1.0e15, 2}, {123456789.123456789, 5},
                {0.999, 2}, {9.995, 2}, {99.5, 0}, {0.95367431640625e-6, 19}, {1.0e-10, 5}],
    [erlang:display({F, D, float_to_list(F, [{decimals, D}]), float_to_list(F, [{decimals, D}, compact]),
                     float_to_binary(F, [{decimals, D}])}) || {F, D} <- Decimals],
    erlang:display({too_long, err(fun() -> float_to_list(1.0e300, [{decimals, 1}]) end),
                    length(float_to_list(1.0e200, [{decimals, 1}]))}),
    erlang:display({bad, err(fun() -> float_to_list(1.0, [{decimals, 254}]) end),
                    err(fun() -> float_to_list(1.0, [{decimals, -1}]) end),
                    err(fun() -> float_to_list(1, [{decimals, 1}]) end),
                    err(fun() -> float_to_list(1.0, [bogus]) end)}),
    Large = [9007199254740992.0, 9007199254740991.0, 1.0e15, 1.0e16, 1.0e20, -1.0e25, 0.1, 1.0e-5,
             123.0, 12345678901234567.0, 4503599627370497.0, 1.5e15, 0.0001234, 1.2e21],
    [erlang:display({F, float_to_list(F), float_to_list(F, [short]), float_to_binary(F, [short])}) || F <- Large],
    erlang:display({printed, lists:flatten(io_lib:format("~p ~w", [9007199254740992.0, -1.0e16]))}),
    erlang:display({others, float_to_binary(1.5, [{decimals, 4}, compact]),
                    float_to_binary(1.0, [{decimals, 3}, compact]),
                    float_to_binary(100.0, [{decimals, 0}, compact]),
                    float_to_binary(1.25, [{scientific, 3}]),
                    float_to_list(1.25, [compact]),
                    float_to_binary(0.1, [{decimals, 30}])}),
    erlang:halt(0).
