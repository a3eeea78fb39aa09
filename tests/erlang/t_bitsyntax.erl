%% Bit syntax: construction and matching with every segment type.
-module(t_bitsyntax).
-export([main/0]).

id(X) -> X.

main() ->
    construct(),
    match(),
    contexts(),
    utf(),
    comprehensions(),
    errors(),
    erlang:halt(0).

construct() ->
    I = id(258), N = id(-2), S = id(12), F = id(1.5),
    erlang:display({ints, <<I>>, <<I:16>>, <<I:16/little>>, <<I:16/big>>, <<I:16/native-unsigned>>,
                    <<N:8>>, <<N:16/signed>>, <<N:16/little-signed>>, <<I:12>>, <<I:4>>,
                    <<I:S>>, <<I:S/little>>, <<1:1, 1:1, 0:6>>}),
    erlang:display({wide, <<I:64>>, <<N:64>>, <<(1 bsl 70):72>>, <<(-1):100>>,
                    <<(1 bsl 100 + 5):104/little>>, <<I:3/unit:8>>, <<I:40/little>>,
                    <<16#123456789ABCDEF0:64/little>>, <<16#0102030405060708090A:80/big>>}),
    erlang:display({floats, <<F/float>>, <<F:32/float>>, <<F:64/float-little>>,
                    <<F:16/float>>, <<(id(-0.1)):32/float>>, <<(id(3)):64/float>>,
                    <<(id(1 bsl 60)):32/float-little>>}),
    Bin = id(<<"abcdef">>),
    erlang:display({bins, <<Bin/binary>>, <<Bin:3/binary>>, <<Bin:2/binary-unit:16>>,
                    <<Bin/bits, 1:1>>, <<(id(<<1:3>>))/bitstring, 7:5>>, <<"lit", Bin/binary, "x">>,
                    <<"abc"/utf16>>, <<"ab":16>>, <<$a, $b:4>>}),
    erlang:display({bits, <<1:1>>, <<5:3>>, <<1:7>>, <<255:9>>, <<1:1, 2:2, 3:3, 4:4, 5:5>>,
                    bit_size(<<1:17>>), byte_size(<<1:17>>), <<(id(<<1:1>>))/bits, (id(<<1:1>>))/bits>>}),
    Sizes = [0, 1, 7, 8, 9, 15, 16, 31, 32, 33, 63, 64, 65],
    erlang:display({var_sizes, [<<(id(16#ABCDEF0123456789ABCDEF)):Sz>> || Sz <- Sizes]}),
    erlang:display({var_sizes_little, [<<(id(-12345)):Sz/little>> || Sz <- Sizes]}),
    erlang:display({loop_built, build_bits(id(20), <<>>)}),
    ok.

build_bits(0, Acc) -> Acc;
build_bits(N, Acc) -> build_bits(N - 1, <<Acc/bits, (N band 1):1>>).

match() ->
    <<A:8, B:16/little, C:4, D:4, Rest/binary>> = id(<<1, 2, 3, 16#AB, "tail">>),
    erlang:display({m1, A, B, C, D, Rest}),
    <<SA:8/signed, SB:16/signed-little, SC:32/signed-big>> = id(<<255, 254, 255, 255, 255, 255, 253>>),
    erlang:display({signed, SA, SB, SC}),
    <<U1:1, U2:3, U3:12, U4:64, U5:72/little, _/bits>> = id(<<255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                                            13, 14, 15, 16, 17, 18, 19, 20>>),
    erlang:display({odd_sizes, U1, U2, U3, U4, U5}),
    <<F1:32/float, F2:64/float-little, F3:16/float>> = id(<<1.5:32/float, 2.25:64/float-little, 3.0:16/float>>),
    erlang:display({floats, F1, F2, F3}),
    <<_:3, G1:32/float-little, G2:16/float-little, G3:64/float, _:5>> =
        id(<<0:3, -0.75:32/float-little, -2.5:16/float-little, 1.0e300:64/float, 0:5>>),
    erlang:display({unaligned_floats, G1, G2, G3}),
    erlang:display({nan, nan_match(id(<<16#7FF8000000000000:64>>)), nan_match(id(<<1.0:64/float>>)),
                    nan_match(id(<<16#7F800000:32>>))}),
    <<Len:8, Payload:Len/binary, Trailer/binary>> = id(<<3, "abcxyz">>),
    erlang:display({length_prefixed, Len, Payload, Trailer}),
    <<Sz:4, V:Sz, _:(8 - Sz), W/bits>> = id(<<16#3A, 16#FF, 1:3>>),
    erlang:display({dynamic, Sz, V, W}),
    erlang:display({strings, str_match(id(<<"GET /index">>)), str_match(id(<<"POST /form">>)),
                    str_match(id(<<"PUT x">>)), str_match(id(<<"GE">>))}),
    erlang:display({tails, tails(id(<<1, 2, 3>>)), tails(id(<<1, 2:4>>)), tails(id(<<1:2>>)),
                    tails(id(<<>>))}),
    erlang:display({unit, units(id(<<1, 2, 3, 4>>)), units(id(<<1, 2, 3>>)), units(id(<<1:12>>))}),
    erlang:display({skip, skip(id(<<1, 2, 3, 4, 5>>))}),
    erlang:display({multi_clause, [classify(X) || X <- [id(<<0, 1, 2>>), id(<<1, 5:16>>), id(<<2, "ab">>),
                                                        id(<<3:3>>), id(<<9>>), id(<<>>)]]}),
    erlang:display({bits_out, [X || <<X:3>> <= id(<<2#10110011, 2#01000000:7>>)]}),
    erlang:display({in_head, head_match(id(<<"key=value">>)), head_match(id(<<"novalue">>))}),
    erlang:display({bigint_match, big_match(id(<<(1 bsl 90 + 7):96>>)), big_match(id(<<(-5):96>>))}),
    erlang:display({in_case, case id(<<42:16>>) of <<0:8, X:8>> -> {small, X}; <<X:16>> -> {big, X} end}),
    ok.

nan_match(<<F:64/float>>) -> {ok, F};
nan_match(<<F:32/float>>) -> {ok32, F};
nan_match(_) -> nomatch.

str_match(<<"GET ", Path/binary>>) -> {get, Path};
str_match(<<"POST ", Path/binary>>) -> {post, Path};
str_match(<<"P", _/binary>>) -> other_p;
str_match(_) -> unknown.

tails(<<H, T/binary>>) -> {byte, H, T};
tails(<<H:4, T/bits>>) -> {nibble, H, T};
tails(<<B/bits>>) -> {bits, B}.

units(<<X:2/binary-unit:16>>) -> {two_words, X};
units(<<X:8, _/binary-unit:16>>) -> {units16, X};
units(X) -> {other, X}.

skip(<<_:8, _:8, X:8, _/binary>>) -> X.

classify(<<0, A, B>>) -> {zero, A, B};
classify(<<1, N:16>>) -> {one, N};
classify(<<2, R/binary>>) -> {two, R};
classify(<<N:3>>) -> {three_bits, N};
classify(<<_>>) -> single;
classify(<<>>) -> empty.

head_match(<<"key=", V/binary>>) -> V;
head_match(B) -> {nokey, B}.

big_match(<<X:96/signed>>) -> X.

%% Match contexts flowing through function calls and loops.
contexts() ->
    Data = id(<<"3:abc,5:hello,0:,2:xy">>),
    erlang:display({netstrings, netstrings(Data, [])}),
    erlang:display({count_bits, count_ones(id(<<255, 0, 15, 1:1>>), 0)}),
    erlang:display({sum16, sum16(id(list_to_binary(lists:seq(1, 200))), 0)}),
    erlang:display({split_lines, lines(id(<<"one\ntwo\n\nthree">>), <<>>, [])}),
    erlang:display({varint, decode_varints(id(<<1, 172, 2, 255, 255, 3, 0>>), [])}),
    erlang:display({tlv, tlv(id(<<1, 2, "ab", 2, 0, 3, 1, 16#FF>>))}),
    erlang:display({reverse_bits, rev_bits(id(<<2#10110000, 2#1:1>>), <<>>)}),
    erlang:display({nested_ctx, outer(id(<<1, 2, 3, 4, 5, 6>>))}),
    ok.

netstrings(<<>>, Acc) -> lists:reverse(Acc);
netstrings(<<",", Rest/binary>>, Acc) -> netstrings(Rest, Acc);
netstrings(Bin, Acc) ->
    {Len, Rest} = read_int(Bin, 0),
    <<Str:Len/binary, Rest2/binary>> = Rest,
    netstrings(Rest2, [Str | Acc]).

read_int(<<D, Rest/binary>>, N) when D >= $0, D =< $9 -> read_int(Rest, N * 10 + D - $0);
read_int(<<$:, Rest/binary>>, N) -> {N, Rest}.

count_ones(<<>>, N) -> N;
count_ones(<<1:1, R/bits>>, N) -> count_ones(R, N + 1);
count_ones(<<0:1, R/bits>>, N) -> count_ones(R, N).

sum16(<<X:16, R/binary>>, Acc) -> sum16(R, Acc + X);
sum16(<<>>, Acc) -> Acc.

lines(<<"\n", R/binary>>, Cur, Acc) -> lines(R, <<>>, [Cur | Acc]);
lines(<<C, R/binary>>, Cur, Acc) -> lines(R, <<Cur/binary, C>>, Acc);
lines(<<>>, Cur, Acc) -> lists:reverse([Cur | Acc]).

decode_varints(<<>>, Acc) -> lists:reverse(Acc);
decode_varints(Bin, Acc) ->
    {V, R} = varint(Bin, 0, 0),
    decode_varints(R, [V | Acc]).

varint(<<1:1, X:7, R/binary>>, Shift, Acc) -> varint(R, Shift + 7, Acc bor (X bsl Shift));
varint(<<0:1, X:7, R/binary>>, Shift, Acc) -> {Acc bor (X bsl Shift), R}.

tlv(<<T, L, V:L/binary, R/binary>>) -> [{T, V} | tlv(R)];
tlv(<<>>) -> [].

rev_bits(<<>>, Acc) -> Acc;
rev_bits(<<B:1, R/bits>>, Acc) -> rev_bits(R, <<B:1, Acc/bits>>).

outer(<<A, R/binary>>) -> inner(R, A).
inner(<<B, C, R/binary>>, A) -> {A, B, C, last(R)}.
last(<<X>>) -> X;
last(<<_, R/binary>>) -> last(R).

utf() ->
    Chars = id([$a, 233, 955, 8364, 128512, 0, 16#10FFFF]),
    U8 = << <<C/utf8>> || C <- Chars >>,
    U16 = << <<C/utf16>> || C <- Chars >>,
    U16L = << <<C/utf16-little>> || C <- Chars >>,
    U32 = << <<C/utf32>> || C <- Chars >>,
    U32L = << <<C/utf32-little>> || C <- Chars >>,
    erlang:display({utf_build, U8, U16, U16L, U32, U32L}),
    erlang:display({utf_parse, [C || <<C/utf8>> <= U8], [C || <<C/utf16>> <= U16],
                    [C || <<C/utf16-little>> <= U16L], [C || <<C/utf32>> <= U32],
                    [C || <<C/utf32-little>> <= U32L]}),
    erlang:display({utf_match, utf8_first(id(<<"λx">>)), utf8_first(id(<<"λx"/utf8>>)), utf8_first(id(<<255, 1>>)),
                    utf8_first(id(<<16#ED, 16#A0, 16#80>>)), utf8_first(id(<<>>)),
                    utf8_count(id(<<"日本語"/utf8>>), 0)}),
    erlang:display({utf_skip, utf_skip(id(<<"é!"/utf8>>)), utf_skip16(id(<<955/utf16, 7>>)),
                    utf_skip32(id(<<955/utf32-little, 8>>)), utf_skip16(id(<<16#DC00:16, 1>>))}),
    ok.

utf8_first(<<C/utf8, R/binary>>) -> {C, R};
utf8_first(B) -> {invalid, B}.

utf8_count(<<_/utf8, R/binary>>, N) -> utf8_count(R, N + 1);
utf8_count(<<>>, N) -> N.

utf_skip(<<_/utf8, X>>) -> X.

utf_skip16(<<_/utf16, X>>) -> X;
utf_skip16(_) -> bad_utf16.

utf_skip32(<<_/utf32-little, X>>) -> X.

comprehensions() ->
    erlang:display({bc, << <<(X * 2)>> || <<X>> <= id(<<1, 2, 3>>) >>,
                    << <<X:4>> || X <- id([1, 2, 3, 4, 5]) >>,
                    << <<X:16/little>> || <<X:16>> <= id(<<1, 2, 3, 4>>) >>,
                    << <<B/binary, B/binary>> || <<B:1/binary>> <= id(<<"abc">>) >>,
                    << <<X>> || <<X>> <= id(<<1, 2, 3, 4, 5, 6>>), X rem 2 =:= 0 >>,
                    << <<X:1>> || X <- id([1, 0, 1]) >>,
                    [{X, Y} || <<X:4, Y:4>> <= id(<<16#12, 16#34>>)],
                    << <<(X + Y)>> || <<X>> <= id(<<1, 2>>), <<Y>> <= id(<<10, 20>>) >>}),
    Big = << <<(I rem 256)>> || I <- lists:seq(1, 100000) >>,
    erlang:display({bc_big, byte_size(Big), binary:part(Big, 255, 3),
                    lists:sum([X || <<X>> <= Big])}),
    ok.

errors() ->
    erlang:display({errors,
                    catch_all(fun() -> <<(id(-1)):(id(-8))>> end),
                    catch_all(fun() -> <<(id(a)):8>> end),
                    catch_all(fun() -> <<(id(<<1:3>>))/binary>> end),
                    catch_all(fun() -> <<(id(16#110000))/utf8>> end),
                    catch_all(fun() -> <<(id(16#D800))/utf16>> end),
                    catch_all(fun() -> <<X:8>> = id(<<1, 2>>), X end),
                    catch_all(fun() -> Sz = id(a), <<_:Sz>> = id(<<1>>) end),
                    catch_all(fun() -> <<(id(<<"ab">>)):3/binary>> end)}),
    ok.

catch_all(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.
