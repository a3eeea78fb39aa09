%% erlang:decode_packet/3 for raw, 1, 2, 4 and line packets, with packet_size and line_length.
-module(t_packet).
-export([main/0]).

err(F) ->
    try F() catch C:R -> {C, R} end.

%% Splits a stream into packets as a protocol handler does, keeping what is left.
split(Type, Bin, Opts) ->
    case erlang:decode_packet(Type, Bin, Opts) of
        {ok, P, Rest} when Rest =/= Bin -> [P | split(Type, Rest, Opts)];
        {ok, P, Rest} -> [P, {stuck, Rest}];
        Other -> [Other]
    end.

main() ->
    Cases = [
        {raw, <<>>, []}, {raw, <<"abc">>, []}, {0, <<"abc">>, []},
        {raw, <<"abcdef">>, [{packet_size, 3}]}, {raw, <<"abc">>, [{line_length, 2}]},
        {1, <<>>, []}, {1, <<3, "ab">>, []}, {1, <<3, "abc">>, []}, {1, <<3, "abcde">>, []},
        {1, <<0, "x">>, []}, {2, <<0>>, []}, {2, <<0, 3, "abcd">>, []}, {2, <<0, 5, "ab">>, []},
        {2, <<1, 0, "ab">>, [{packet_size, 10}]}, {2, <<0, 2, "abcd">>, [{packet_size, 2}]},
        {4, <<0, 0, 0, 2, "hi!">>, []}, {4, <<0, 0>>, []}, {4, <<0, 0, 0, 9>>, []},
        {1, <<2, "ab">>, [{packet_size, 1}]}, {1, <<2, "ab">>, [{packet_size, 0}]},
        {line, <<"ab\ncd">>, []}, {line, <<"abcd">>, []}, {line, <<"\n">>, []}, {line, <<>>, []},
        {line, <<"ab\r\ncd">>, []},
        {line, <<"abcdef\nx">>, [{line_length, 3}]}, {line, <<"abcdef">>, [{line_length, 3}]},
        {line, <<"ab">>, [{line_length, 3}]}, {line, <<"a\nb">>, [{line_length, 0}]},
        {line, <<"abcdef\nx">>, [{packet_size, 3}]}, {line, <<"abcdef">>, [{packet_size, 3}]},
        {line, <<"ab\nx">>, [{packet_size, 3}, {line_length, 2}]}
    ],
    [erlang:display({T, B, O, erlang:decode_packet(T, B, O)}) || {T, B, O} <- Cases],
    erlang:display({stream4, split(4, <<0, 0, 0, 1, "a", 0, 0, 0, 3, "bcd", 0, 0, 0, 5, "ef">>, [])}),
    erlang:display({stream2, split(2, <<0, 2, "hi", 0, 0, 0, 1, "!">>, [])}),
    erlang:display({lines, split(line, <<"GET / HTTP/1.0\r\nHost: x\r\n\r\npartial">>, [])}),
    erlang:display({long_lines, split(line, <<"aaaaaaaaaa\nbb\n">>, [{line_length, 4}])}),
    erlang:display({errors, [err(fun() -> erlang:decode_packet(T, B, O) end) || {T, B, O} <- [
        {bad, <<"a">>, []}, {3, <<"a">>, []}, {1, "list", []}, {1, <<"a">>, [bad]},
        {1, <<"a">>, [{packet_size, -1}]}, {1, <<"a">>, [{line_length, x}]}, {1, <<"a">>, nolist}
    ]]}),
    erlang:halt(0).
