%% String, atom, binary and integer conversions, N rounds.
-module(b_conv).
-export([main/1]).

main([N]) ->
    erlang:display(loop(list_to_integer(N), 0)),
    erlang:halt(0).

-define(ATOMS, [ok, error, undefined, true, false, badarg, normal, infinity, value, key]).

loop(0, Acc) -> Acc;
loop(N, Acc) ->
    S1 = lists:foldl(fun(I, A) -> A + list_to_integer(integer_to_list(I * 7919)) end, 0, lists:seq(1, 5000)),
    S2 = lists:foldl(fun(I, A) -> A + binary_to_integer(integer_to_binary(I, 16), 16) end, 0, lists:seq(1, 5000)),
    S3 = lists:foldl(fun(At, A) -> A + length(atom_to_list(list_to_existing_atom(atom_to_list(At)))) end, 0,
                     lists:append(lists:duplicate(300, ?ATOMS))),
    S4 = lists:foldl(fun(At, A) -> A + byte_size(atom_to_binary(binary_to_atom(atom_to_binary(At)))) end, 0,
                     lists:append(lists:duplicate(300, ?ATOMS))),
    S5 = length(lists:flatten([integer_to_list(I) ++ "," || I <- lists:seq(1, 3000)])),
    S6 = byte_size(iolist_to_binary([[integer_to_binary(I), $;] || I <- lists:seq(1, 3000)])),
    loop(N - 1, (Acc + S1 + S2 + S3 + S4 + S5 + S6) rem 1000000007).
