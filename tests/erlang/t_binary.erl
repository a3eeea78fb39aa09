%% Binaries: BIFs, the binary module, sub-binaries, comparisons.
-module(t_binary).
-export([main/0]).

id(X) -> X.

main() ->
    B = id(<<"hello world">>),
    erlang:display({basic, B, byte_size(B), bit_size(B), size(B), <<>>, <<0, 255, 128>>,
                    <<"é"/utf8>>, <<1:1, 0:2>>, is_binary(B), is_bitstring(<<1:3>>),
                    is_binary(<<1:3>>)}),
    erlang:display({conv, binary_to_list(B), list_to_binary([$a, "bc", <<"de">>, [[$f]]]),
                    binary_to_list(B, 1, 5), list_to_bitstring([<<1:3>>, <<2:5>>]),
                    bitstring_to_list(<<1, 2:3>>), iolist_to_binary(["ab", $c, <<"d">>])}),
    erlang:display({part, binary_part(B, 0, 5), binary_part(B, {6, 5}), binary_part(B, 11, -5),
                    split_binary(B, 5), binary:part(B, 1, 2)}),
    erlang:display({binmod, binary:split(<<"a,b,,c">>, <<",">>),
                    binary:split(<<"a,b,,c">>, <<",">>, [global]),
                    binary:split(<<"a,b,,c">>, <<",">>, [global, trim_all]),
                    binary:match(B, <<"o">>), binary:matches(B, <<"o">>), binary:match(B, <<"z">>),
                    binary:replace(B, <<"o">>, <<"0">>, [global]),
                    binary:first(B), binary:last(B), binary:at(B, 4),
                    binary:copy(<<"ab">>, 3), binary:bin_to_list(<<"xyz">>),
                    binary:list_to_bin([1, 2]), binary:decode_unsigned(<<1, 0>>),
                    binary:encode_unsigned(65535), binary:decode_unsigned(<<1, 0>>, little),
                    binary:longest_common_prefix([<<"abcd">>, <<"abxy">>]),
                    binary:longest_common_suffix([<<"abcd">>, <<"xxcd">>])}),
    erlang:display({cmp, <<1>> < <<2>>, <<1, 2>> > <<1>>, <<>> < <<0>>, <<"abc">> == <<"abc">>,
                    <<1:1>> < <<1>>, <<255>> < <<1, 0>>, lists:sort([<<2>>, <<1, 5>>, <<1>>, <<>>])}),
    Sub = sub(B),
    erlang:display({sub, Sub, byte_size(Sub), binary:referenced_byte_size(B) >= byte_size(Sub)}),
    Big = list_to_binary(lists:duplicate(1000, <<"0123456789">>)),
    erlang:display({big, byte_size(Big), binary:part(Big, 5000, 12), crc(Big, 0),
                    binary:matches(binary:part(Big, 0, 40), <<"9">>)}),
    erlang:display({concat, <<B/binary, " ", B/binary>>, <<(id(<<1, 2>>))/binary, 3>>,
                    << <<X>> || X <- lists:seq(1, 5) >>}),
    Acc = build(id(10000), <<>>),
    erlang:display({append_loop, byte_size(Acc), binary:part(Acc, 0, 8), binary:part(Acc, 39992, 8)}),
    erlang:display({encode, base64:encode(<<"hello">>), base64:decode(<<"aGVsbG8=">>),
                    binary:encode_hex(<<1, 171, 255>>), binary:decode_hex(<<"01ABff">>)}),
    erlang:display({errors,
                    catch_all(fun() -> byte_size(id(abc)) end),
                    catch_all(fun() -> binary_part(B, id(5), id(10)) end),
                    catch_all(fun() -> binary_to_list(id(<<1:3>>)) end),
                    catch_all(fun() -> list_to_binary(id([256])) end),
                    catch_all(fun() -> list_to_binary(id([a])) end),
                    catch_all(fun() -> binary:at(B, id(20)) end),
                    catch_all(fun() -> <<(id(a))/binary>> end),
                    catch_all(fun() -> <<(id(1.5)):8>> end)}),
    %% Long ranges and long bitstrings become lists a step at a time; only the range is read.
    Long = binary:copy(list_to_binary(lists:seq(0, 255)), 1000),
    <<_:3, Odd/bitstring>> = Long,
    <<_:5, Whole:100000/binary, _/bitstring>> = Long,
    erlang:display({long_lists,
                    summary(binary_to_list(Long, 1000, 200000)),
                    summary(binary_to_list(Long, 256000, 256000)),
                    summary(binary_to_list(Whole, 5, 99999)),
                    summary(bitstring_to_list(Long)),
                    lists:last(bitstring_to_list(Odd)),
                    summary(lists:droplast(bitstring_to_list(Odd))),
                    reason(fun() -> binary_to_list(Long, id(0), 5) end),
                    reason(fun() -> binary_to_list(Long, id(5), 4) end),
                    reason(fun() -> binary_to_list(Long, 1, id(256001)) end),
                    reason(fun() -> binary_to_list(Odd, 1, id(5)) end)}),
    erlang:halt(0).

summary(L) -> {length(L), lists:sum(L), hd(L), lists:last(L)}.

%% The class and reason alone (the arguments in the stack are a 256,000-byte binary).
reason(F) -> try F() catch C:R -> {C, R} end.

sub(<<_:6/binary, Rest/binary>>) -> Rest.

crc(<<>>, Acc) -> Acc;
crc(<<C, Rest/binary>>, Acc) -> crc(Rest, (Acc * 31 + C) rem 1000000007).

build(0, Acc) -> Acc;
build(N, Acc) -> build(N - 1, <<Acc/binary, N:32>>).

catch_all(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.
