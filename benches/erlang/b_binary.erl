%% Binary construction (appending segments in a loop) and parsing it back, N rounds.
-module(b_binary).
-export([main/1]).

main([N]) ->
    erlang:display(loop(list_to_integer(N), 0)),
    erlang:halt(0).

loop(0, Acc) -> Acc;
loop(N, Acc) ->
    Bin = build(20000, <<>>),
    loop(N - 1, (Acc + parse(Bin, 0)) rem 1000000007).

build(0, Acc) -> Acc;
build(I, Acc) ->
    Len = I rem 7,
    build(I - 1, <<Acc/binary, I:32/little, Len:8, 0:Len/unit:8, (I band 16#7F)/utf8, 1.5:64/float>>).

parse(<<I:32/little, Len:8, _:Len/binary, C/utf8, F:64/float, Rest/binary>>, Sum) ->
    parse(Rest, Sum + I + Len + C + trunc(F));
parse(<<>>, Sum) -> Sum.
