%% erlang:decode_packet/3 for asn1, sunrm, cdr, fcgi, tpkt and ssl_tls, line with
%% line_delimiter, bitstrings, header sizes past 2^31, every cut of a packet, and erl's
%% badarg (cause badopt for an unknown type).
-module(t_packet_types).
-export([main/0]).

dp(T, B, O) ->
    try erlang:decode_packet(T, B, O)
    catch C:R:S -> {C, R, frame(hd(S))}
    end.

frame({M, F, A, Info}) -> {M, F, A, proplists:get_value(error_info, Info)}.

unaligned(B) ->
    <<_:3, U/bitstring>> = <<0:3, B/binary>>,
    U.

cuts(T, Bin) ->
    [dp(T, binary:part(Bin, 0, N), []) || N <- lists:seq(0, byte_size(Bin))].

main() ->
    Cases = [
        %% asn1: short and long lengths, long tags, indefinite length, too long a length.
        {asn1, <<16#30, 3, 1, 2, 3, 4>>, []}, {asn1, <<16#30, 0>>, []}, {asn1, <<16#30>>, []},
        {asn1, <<16#30, 16#81, 2, 1, 2, 3>>, []}, {asn1, <<16#30, 16#82, 0, 3, 1, 2, 3, 4>>, []},
        {asn1, <<16#30, 16#83, 0, 0, 1, 9>>, []}, {asn1, <<16#30, 16#84, 0, 0, 0, 1, 9>>, []},
        {asn1, <<16#30, 16#85, 0, 0, 0, 0, 1>>, []}, {asn1, <<16#30, 16#85, 0>>, []},
        {asn1, <<16#30, 16#80, 1, 2>>, []}, {asn1, <<16#30, 16#84, 255, 255, 255, 255>>, []},
        {asn1, <<16#30, 16#84, 127, 255, 255, 0>>, []},
        {asn1, <<16#1f, 16#81, 16#01, 1, 7, 8>>, []}, {asn1, <<16#3f, 16#81>>, []},
        {asn1, <<16#3f, 16#81, 16#82>>, []}, {asn1, <<16#3f, 16#81, 16#02>>, []},
        {asn1, <<16#3f, 16#01, 16#02, 9, 9, 9>>, []}, {asn1, <<16#30, 5, 1, 2>>, []},
        {asn1, <<16#30, 5, 1, 2, 3, 4, 5>>, [{packet_size, 4}]},
        {asn1, <<16#30, 5, 1, 2, 3, 4, 5>>, [{packet_size, 5}]},
        %% sunrm: the top bit is the last-fragment flag; the packet keeps its marker.
        {sunrm, <<0, 0, 0, 2, "abc">>, []}, {sunrm, <<128, 0, 0, 2, "abc">>, []},
        {sunrm, <<128, 0, 0, 5, "abc">>, []}, {sunrm, <<128, 0, 0>>, []},
        {sunrm, <<255, 255, 255, 255>>, []}, {sunrm, <<128, 0, 0, 3, "abc">>, [{packet_size, 2}]},
        %% cdr: GIOP, big or little endian sizes.
        {cdr, <<"GIOP", 1, 0, 0, 0, 0, 0, 0, 2, "abc">>, []},
        {cdr, <<"GIOP", 1, 0, 1, 0, 2, 0, 0, 0, "abc">>, []},
        {cdr, <<"GIOP", 1, 2, 3, 7, 0, 0, 0, 9, "abc">>, []},
        {cdr, <<"GIOP", 1, 0, 0, 0>>, []}, {cdr, <<"GIOX", 1, 0, 0, 0, 0, 0, 0, 2, "abc">>, []},
        {cdr, <<"GIOP", 1, 0, 0, 0, 255, 255, 255, 255>>, []},
        {cdr, <<"GIOP", 1, 0, 0, 0, 0, 0, 0, 3, "abc">>, [{packet_size, 2}]},
        %% fcgi: version 1; the padding is read but left out of the packet.
        {fcgi, <<1, 1, 0, 1, 0, 2, 3, 0, "ab", "pad", "rest">>, []},
        {fcgi, <<1, 1, 0, 1, 0, 2, 0, 0, "ab">>, []}, {fcgi, <<1, 1, 0, 1, 0, 2, 3, 0, "ab">>, []},
        {fcgi, <<2, 1, 0, 1, 0, 2, 0, 0, "ab">>, []}, {fcgi, <<1, 1, 0, 1>>, []},
        {fcgi, <<1, 1, 0, 1, 255, 255, 255, 0>>, [{packet_size, 100}]},
        %% tpkt: version 3, the length counts the header.
        {tpkt, <<3, 0, 0, 6, "abc">>, []}, {tpkt, <<3, 0, 0, 4>>, []}, {tpkt, <<3, 0, 0, 3>>, []},
        {tpkt, <<3, 0, 0, 9, "ab">>, []}, {tpkt, <<4, 0, 0, 6, "ab">>, []}, {tpkt, <<3, 0>>, []},
        {tpkt, <<3, 0, 0, 6, "ab">>, [{packet_size, 1}]},
        %% ssl_tls: a record, and an SSLv2 client hello.
        {ssl_tls, <<22, 3, 1, 0, 2, "abc">>, []}, {ssl_tls, <<23, 3, 3, 0, 0>>, []},
        {ssl_tls, <<22, 3, 1, 0, 9, "abc">>, []}, {ssl_tls, <<22, 3, 1, 0>>, []},
        {ssl_tls, <<128, 8, 1, 3, 1, "abcdefgh">>, []}, {ssl_tls, <<128, 2, 1, 3, 1>>, []},
        {ssl_tls, <<128, 8, 2, 3, 1, "abc">>, []},
        %% line with another delimiter, and the header types past 2^31.
        {line, <<"a;b;c">>, [{line_delimiter, $;}]}, {line, <<"a\nb;c">>, [{line_delimiter, $;}]},
        {line, <<"abc">>, [{line_delimiter, $;}]}, {line, <<0, 1, 0>>, [{line_delimiter, 0}]},
        {line, <<"aaaa;b">>, [{line_delimiter, $;}, {line_length, 2}]},
        {line, <<"aaaa;b">>, [{line_delimiter, $;}, {packet_size, 2}]},
        {line, <<"a;b">>, [{line_delimiter, 255}]}, {line, <<"a;b">>, [{line_delimiter, 256}]},
        {line, <<"a;b">>, [{line_delimiter, -1}]}, {raw, <<"a;b">>, [{line_delimiter, $;}]},
        {4, <<255, 255, 255, 255>>, []}, {4, <<127, 255, 255, 251>>, []},
        {4, <<127, 255, 255, 252>>, []}, {4, <<128, 0, 0, 0>>, [{packet_size, 4294967295}]},
        {2, <<0, 3, "abcd">>, [{packet_size, 4294967295}]},
        {4, <<255, 255, 255, 255, 1, 2, 3>>, [{packet_size, 4294967295}]},
        {tpkt, <<3, 0, 0, 0, 1, 2>>, [{packet_size, 4294967295}]},
        {tpkt, <<3, 0, 0, 0, 1, 2>>, []}, {tpkt, <<3, 0, 0, 1>>, [{packet_size, 4294967295}]},
        {ssl_tls, <<128, 2, 1, 3, 1, 9, 9>>, [{packet_size, 4294967295}]},
        {ssl_tls, <<128, 0, 1, 3, 1, 9, 9>>, [{packet_size, 4294967295}]},
        {sunrm, <<255, 255, 255, 255, 1>>, [{packet_size, 4294967295}]},
        {cdr, <<"GIOP", 1, 0, 1, 0, 255, 255, 255, 255>>, [{packet_size, 4294967295}]},
        {asn1, <<16#30, 16#84, 255, 255, 255, 255>>, [{packet_size, 4294967295}]},
        {fcgi, <<1, 1, 0, 1, 255, 255, 255, 0>>, [{packet_size, 4294967295}]},
        %% bitstrings: the last bits stay in the rest.
        {raw, <<1, 2:3>>, []}, {raw, <<1:7>>, []}, {1, <<2, 1, 2, 3:4>>, []}, {1, <<2, 1, 2:7>>, []},
        {line, <<"a\nb", 1:1>>, []}, {asn1, <<16#30, 1, 7, 1:2>>, []},
        %% bad arguments.
        {foo, <<>>, []}, {foo, notbin, []}, {foo, <<>>, bad}, {3, <<>>, []}, {-1, <<>>, []},
        {"raw", <<>>, []}, {raw, notbin, []}, {raw, <<>>, bad}, {raw, <<>>, [{foo, 1}]},
        {raw, <<>>, [{packet_size, a}]}, {raw, <<>>, [{packet_size, 1.0}]},
        {raw, <<>>, [{packet_size, 1, 2}]}, {raw, <<>>, [foo]}
    ],
    [erlang:display({T, B, O, dp(T, B, O)}) || {T, B, O} <- Cases],
    %% Binaries that start inside a byte (the rest keeps that offset).
    [erlang:display({unaligned, T, dp(T, unaligned(B), [])}) || {T, B} <- [
        {raw, <<"abc">>}, {line, <<"ab\ncd">>}, {2, <<0, 2, "abcd">>}, {asn1, <<16#30, 1, 7, 8>>},
        {http_bin, <<"GET http://h:8/p HTTP/1.1\r\nrest">>}, {httph, <<"host: h\r\n\r\n">>},
        {httph_bin, <<"X-Y: a\r\n b\r\n\r\n">>}, {ssl_tls, <<22, 3, 1, 0, 2, "abc">>}
    ]],
    [erlang:display({cut, T, M, cuts(T, M)}) || {T, M} <- [
        {asn1, <<16#3f, 16#81, 16#01, 16#82, 0, 2, 7, 8>>}, {sunrm, <<128, 0, 0, 2, "ab">>},
        {cdr, <<"GIOP", 1, 0, 1, 0, 2, 0, 0, 0, "ab">>}, {fcgi, <<1, 1, 0, 1, 0, 1, 2, 0, "a", 0, 0>>},
        {tpkt, <<3, 0, 0, 6, "ab">>}, {ssl_tls, <<22, 3, 1, 0, 2, "ab">>}
    ]],
    erlang:halt(0).
