%% binary:referenced_byte_size/1 of pieces: erl copies a piece of at most 64 bytes out of
%% its binary (by binary:part, binary_part, split_binary, binary:split or a match), so it
%% references itself; a larger piece references the whole binary. The endianness argument of
%% binary:encode_unsigned/2 and decode_unsigned/2.
-module(t_binary_refs).
-export([main/0]).

r(X) -> binary:referenced_byte_size(X).

c(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, hd(St)}
    end.

main() ->
    Big = binary:copy(<<"x">>, 200),
    Small = <<"the quick brown fox">>,
    {A1, A2} = split_binary(Big, 3),
    {A3, A4} = split_binary(Big, 150),
    <<Q:64/binary, Q2:65/binary, _/binary>> = Big,
    <<_:1/binary, R1/binary>> = Small,
    <<_:100/binary, R2/binary>> = Big,
    <<_:190/binary, R3/binary>> = Big,
    [S1, S2] = binary:split(Big, <<"xx">>),
    erlang:display({whole, r(Big), r(Small)}),
    erlang:display({split_binary, r(A1), r(A2), r(A3), r(A4)}),
    erlang:display({match, r(Q), r(Q2), r(R1), r(R2), r(R3)}),
    erlang:display({part, r(binary_part(Big, 0, 64)), r(binary_part(Big, 0, 65)),
                    r(binary:part(Small, 1, 2)), r(binary:part(Big, {200, -70})),
                    r(binary:part(Big, {200, -7}))}),
    erlang:display({split, r(S1), r(S2), byte_size(S2)}),
    erlang:display({copy, r(binary:copy(R2)), r(list_to_binary([A1, A1]))}),
    erlang:display({comprehension, r(<< <<X>> || <<X>> <= A1 >>)}),
    erlang:display(c(fun() -> r(not_a_binary) end)),
    %% Endianness.
    erlang:display([c(fun() -> binary:encode_unsigned(258, E) end) || E <- [big, little, middle]]),
    erlang:display([c(fun() -> binary:decode_unsigned(<<1, 2>>, E) end) || E <- [big, little, 1]]),
    halt().
