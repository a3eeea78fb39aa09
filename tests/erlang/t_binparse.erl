-module(t_binparse).
-export([main/0]).

%% Binary protocols: a TLV stream, an IPv4 header with its checksum, a PNG-like chunk
%% file, varints, and length-prefixed frames split across reads.

tlv(<<>>) -> [];
tlv(<<T:8, L:16, V:L/binary, Rest/binary>>) -> [{T, V} | tlv(Rest)];
tlv(Bad) -> [{truncated, Bad}].

checksum(Bin) -> checksum(Bin, 0).
checksum(<<W:16, Rest/binary>>, Acc) -> checksum(Rest, Acc + W);
checksum(<<B:8>>, Acc) -> checksum(<<>>, Acc + (B bsl 8));
checksum(<<>>, Acc) ->
    Folded = (Acc band 16#FFFF) + (Acc bsr 16),
    (bnot ((Folded band 16#FFFF) + (Folded bsr 16))) band 16#FFFF.

ipv4(<<4:4, IHL:4, _Tos, Len:16, Id:16, _Flags:3, Frag:13, TTL, Proto, Sum:16,
       S1, S2, S3, S4, D1, D2, D3, D4, _/binary>> = Pkt) ->
    HeaderLen = IHL * 4,
    <<Header:HeaderLen/binary, _/binary>> = Pkt,
    #{len => Len, id => Id, frag => Frag, ttl => TTL, proto => Proto, sum => Sum,
      src => {S1, S2, S3, S4}, dst => {D1, D2, D3, D4}, valid => checksum(Header) =:= 0}.

varint(N) when N < 128 -> <<N>>;
varint(N) -> <<1:1, (N band 127):7, (varint(N bsr 7))/binary>>.

unvarint(<<0:1, N:7, Rest/binary>>) -> {N, Rest};
unvarint(<<1:1, N:7, Rest/binary>>) -> {M, R} = unvarint(Rest), {N + (M bsl 7), R}.

chunks(<<Len:32, Type:4/binary, Data:Len/binary, Crc:32, Rest/binary>>) ->
    [{Type, Data, Crc =:= erlang:crc32(<<Type/binary, Data/binary>>)} | chunks(Rest)];
chunks(<<>>) -> [].

chunk(Type, Data) ->
    <<(byte_size(Data)):32, Type/binary, Data/binary, (erlang:crc32(<<Type/binary, Data/binary>>)):32>>.

frames(Buf, Acc) ->
    case Buf of
        <<Len:16, Frame:Len/binary, Rest/binary>> -> frames(Rest, [Frame | Acc]);
        _ -> {lists:reverse(Acc), Buf}
    end.

main() ->
    Stream = <<1, 0, 3, "abc", 2, 0, 0, 7, 0, 2, 1, 2, 9, 0, 5, "xy">>,
    io:format("~p~n", [tlv(Stream)]),
    Hdr0 = <<4:4, 5:4, 0, 60:16, 16#1c46:16, 2:3, 0:13, 64, 6, 0:16, 192, 168, 0, 1, 10, 0, 0, 99>>,
    Sum = checksum(Hdr0),
    <<Pre:10/binary, _:16, Post/binary>> = Hdr0,
    Pkt = <<Pre/binary, Sum:16, Post/binary, "payload">>,
    io:format("~p~n", [ipv4(Pkt)]),
    io:format("~.16B~n", [Sum]),
    Ns = [0, 1, 127, 128, 300, 16384, 1 bsl 35],
    Enc = [varint(N) || N <- Ns],
    io:format("~p~n", [Enc]),
    io:format("~p~n", [[element(1, unvarint(E)) || E <- Enc]]),
    File = <<(chunk(<<"IHDR">>, <<0, 0, 1, 0, 0, 0, 0, 200, 8, 6>>))/binary,
             (chunk(<<"tEXt">>, <<"Comment", 0, "hello">>))/binary,
             (chunk(<<"IEND">>, <<>>))/binary>>,
    io:format("~p~n", [chunks(File)]),
    [{_, IHDR, _} | _] = chunks(File),
    <<W:32, H:32, Depth, Color>> = IHDR,
    io:format("~p~n", [{W, H, Depth, Color}]),
    Frames = << <<(byte_size(F)):16, F/binary>> || F <- [<<"one">>, <<"two">>, <<"three">>] >>,
    <<Part1:7/binary, Part2/binary>> = Frames,
    {Got1, Rest1} = frames(Part1, []),
    {Got2, Rest2} = frames(<<Rest1/binary, Part2/binary>>, []),
    io:format("~p~n", [{Got1, Rest1, Got2, Rest2}]),
    io:format("~p~n", [binary:split(<<"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n">>, <<"\r\n">>, [global, trim_all])]),
    io:format("~p~n", [binary:matches(<<"abcabcab">>, <<"ab">>)]),
    io:format("~p~n", [{binary:part(<<"hello world">>, 6, 5), binary:replace(<<"a-b-c">>, <<"-">>, <<"+">>, [global]),
                        binary:bin_to_list(<<"hi">>), binary:decode_unsigned(<<1, 0>>), binary:encode_unsigned(258, little),
                        binary:longest_common_prefix([<<"prefix1">>, <<"prefix2">>])}]),
    io:format("~p~n", [[X || <<X:4>> <= <<16#ab, 16#cd>>]]),
    io:format("~p~n", [<< <<(X * 2)>> || <<X>> <= <<1, 2, 3>> >>]),
    <<F:32/float, D:64/float-little, I:24/signed, U:12, Pad:4>> = <<1.5:32/float, 2.25:64/float-little, -5:24/signed, 4095:12, 0:4>>,
    io:format("~p~n", [{F, D, I, U, Pad}]),
    io:format("~p~n", [<<"ü"/utf8, 16#1F600/utf8, "x"/utf16, $y/utf32-little>>]),
    <<C1/utf8, C2/utf8, _/binary>> = <<"ü"/utf8, 16#1F600/utf8>>,
    io:format("~p~n", [{C1, C2}]),
    io:format("~p~n", [{bit_size(<<1:5>>), byte_size(<<1:9>>), is_bitstring(<<1:1>>), is_binary(<<1:1>>)}]),
    io:format("~p~n", [catch <<(-1):8/unsigned>>]),
    io:format("~p~n", [erlang:decode_packet(line, <<"first line\nsecond">>, [])]),
    io:format("~p~n", [term_to_binary({a, [1, "two"], <<3>>})]),
    io:format("~p~n", [binary_to_term(term_to_binary(#{k => [1.5, self()]})) =:= #{k => [1.5, self()]}]),
    io:format("~p~n", [binary:encode_hex(crypto_free_hash(<<"abc">>))]),
    halt().

%% An FNV-1a hash over a binary.
crypto_free_hash(Bin) ->
    H = lists:foldl(fun(B, Acc) -> ((Acc bxor B) * 16#01000193) band 16#FFFFFFFF end,
                    16#811c9dc5, binary_to_list(Bin)),
    <<H:32>>.
