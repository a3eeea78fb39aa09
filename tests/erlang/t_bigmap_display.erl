%% erlang:display/1 of maps with more than 32 keys. erl prints the internal
%% hash-trie layout for these, so this pins down the node structure too.
%% Atom keys are avoided: erl hashes them by atom-table index, which varies.
-module(t_bigmap_display).
-export([main/0]).

id(X) -> X.

main() ->
    M32 = maps:from_list([{I, I} || I <- lists:seq(1, id(32))]),
    erlang:display({m32, M32}),
    erlang:display({m33, M32#{33 => 33}}),
    erlang:display({strings, maps:from_list([{"k" ++ integer_to_list(I), I} || I <- lists:seq(1, id(40))])}),
    erlang:display({binaries, maps:from_list([{integer_to_binary(I), I} || I <- lists:seq(1, id(40))])}),
    erlang:display({m200, maps:from_list([{I, I} || I <- lists:seq(1, id(200))])}),
    erlang:display({literal_big, #{1 => a, 2 => b, 3 => c, 4 => d, 5 => e, 6 => f, 7 => g, 8 => h,
                                   9 => i, 10 => j, 11 => k, 12 => l, 13 => m, 14 => n, 15 => o,
                                   16 => p, 17 => q, 18 => r, 19 => s, 20 => t, 21 => u, 22 => v,
                                   23 => w, 24 => x, 25 => y, 26 => z, "a" => 1, "b" => 2,
                                   <<"c">> => 3, <<"d">> => 4, 1.5 => 5, {6} => 6, [7] => 7}}),
    erlang:halt(0).
