%% Integers over erl's size limit fail with system_limit before they are built.
-module(t_int_limit).
-export([main/0]).

main() ->
    Max = 33554367,
    [show('bsl', N, fun() -> 1 bsl id(N) end) || N <- [Max - 1, Max, Max + 1, 1 bsl 31, 1 bsl 40]],
    show(bsl_neg, Max, fun() -> -1 bsl id(Max) end),
    show(bsl_neg, Max + 1, fun() -> -1 bsl id(Max + 1) end),
    show(bsl_3, Max - 1, fun() -> 3 bsl id(Max - 1) end),
    H = 16777183,
    [show(mul, {A, B}, fun() -> (1 bsl id(A)) * (1 bsl id(B)) end)
     || {A, B} <- [{H, H}, {H, H + 1}, {H + 1, H + 1}]],
    [show(mul_small, K, fun() -> (1 bsl id(Max - K)) * (1 bsl K) end) || K <- [10, 63, 64, 70]],
    show(mul_over, 10, fun() -> (1 bsl id(Max - 9)) * 1024 end),
    show(mul3, H, fun() -> ((1 bsl id(H)) + 1) * ((1 bsl id(H)) + 1) end),
    show(add, Max, fun() -> (1 bsl id(Max)) + (1 bsl id(Max)) end),
    show(sub, Max, fun() -> -(1 bsl id(Max)) - (1 bsl id(Max)) end),
    show('bsr', Max, fun() -> (1 bsl id(Max)) bsr id(Max) end),
    erlang:halt(0).

id(X) -> X.

show(What, Arg, F) ->
    R = try F() of
            V when is_integer(V) -> {ok, bit_size(binary:encode_unsigned(abs(V)))}
        catch
            C:E -> {C, E}
        end,
    erlang:display({What, Arg, R}).
