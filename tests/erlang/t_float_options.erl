%% float_to_list/2 and float_to_binary/2 read their options as erl does: each is checked for
%% its type, the last of short, {decimals, N} and {scientific, N} chooses the form with the
%% last N either tuple gave, and only the chosen form's range is checked (a decimals count
%% out of range is fine when scientific or short comes after it).
-module(t_float_options).
-export([main/0]).

main() ->
    Options = [[{decimals, 254}], [{decimals, 254}, {scientific, 2}],
               [{decimals, 300}, {scientific, 2}], [{decimals, -1}, {scientific, 2}],
               [{scientific, 2}, {decimals, 254}], [{decimals, 254}, short],
               [{decimals, 254}, compact], [{decimals, 1000000000000}, {scientific, 2}],
               [{decimals, a}, {scientific, 2}], [{scientific, -3}],
               [{scientific, 300}, {decimals, 2}], [{scientific, 250}],
               [{scientific, a}, short], [short, {decimals, 2}],
               [{decimals, 2}, short, compact], [compact, {decimals, 3}], [{decimals, -1}],
               [{decimals, 1 bsl 64}, short], [{decimals, 2} | short], [{decimals, 2, 3}],
               [{scientific, 3}, {decimals, 4}, compact]],
    [erlang:display({F, O, result(fun() -> float_to_list(F, O) end),
                     result(fun() -> float_to_binary(F, O) end)})
     || F <- [1.0, 0.5, -2.25], O <- Options],
    halt().

result(F) ->
    try F() catch error:Reason -> Reason end.
