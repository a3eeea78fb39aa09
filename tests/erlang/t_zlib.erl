%% zlib's one-shot functions as programs use them: compressing a payload before storing or
%% sending it, reading back what zlib wrote (streams made by erl's zlib are embedded below),
%% gzip files of several members, and the data_error of corrupt input. Compressed bytes are
%% never printed: a valid stream, not zlib's exact bytes, is what the format promises.
-module(t_zlib).
-export([main/0]).

main() ->
    round_trips(),
    written_by_zlib(),
    members(),
    corrupt(),
    erlang:halt(0).

show(Tag, V) -> erlang:display({Tag, V}).

e(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

payloads() ->
    Log = iolist_to_binary([io_lib:format("~4..0B GET /item/~p 200~n", [I, I rem 17])
                            || I <- lists:seq(1, 400)]),
    Noise = list_to_binary([(I * 7919 + 13) rem 256 || I <- lists:seq(1, 3000)]),
    [<<>>, <<"a">>, <<"hello, world">>, Log, Noise, binary:copy(<<0>>, 100000),
     ["io", [<<"list">>, $s], <<" too">>]].

round_trips() ->
    lists:foreach(
      fun(P) ->
              B = iolist_to_binary(P),
              Z = zlib:compress(P),
              R = zlib:zip(P),
              G = zlib:gzip(P),
              show(round_trip, {byte_size(B),
                                zlib:uncompress(Z) =:= B,
                                zlib:unzip(R) =:= B,
                                zlib:gunzip(G) =:= B,
                                binary:part(G, 0, 4),
                                binary:part(Z, 0, 1)})
      end, payloads()),
    %% The repetitive log compresses well, whatever the implementation.
    [_, _, _, Log | _] = payloads(),
    show(log_shrinks, byte_size(zlib:gzip(Log)) * 4 < byte_size(Log)),
    show(zeros_shrink, byte_size(zlib:compress(binary:copy(<<0>>, 100000))) < 1000),
    show(bad_arg, [e(fun() -> zlib:F(foo) end) || F <- [compress, uncompress, zip, unzip, gzip, gunzip]]).

%% Streams erl's zlib wrote for <<"hello">> (zlib, raw, gzip) and for a longer text.
written_by_zlib() ->
    show(zlib_stream, zlib:uncompress(<<120,156,203,72,205,201,201,7,0,6,44,2,21>>)),
    show(raw_stream, zlib:unzip(<<203,72,205,201,201,7,0>>)),
    show(gzip_stream, zlib:gunzip(<<31,139,8,0,0,0,0,0,0,3,203,72,205,201,201,7,0,134,166,16,54,5,0,0,0>>)),
    show(empty_streams, {zlib:unzip(<<3,0>>), zlib:uncompress(<<120,156,3,0,0,0,0,1>>),
                         zlib:gunzip(<<31,139,8,0,0,0,0,0,0,3,3,0,0,0,0,0,0,0,0,0>>)}),
    show(iolist_input, zlib:uncompress([<<120,156>>, [<<203,72,205,201,201,7,0>>], <<6,44,2,21>>])),
    show(trailing_ignored, zlib:uncompress(<<120,156,203,72,205,201,201,7,0,6,44,2,21, "junk">>)),
    %% A member with a file name and a comment, as gzip(1) writes them.
    Body = zlib:zip(<<"named">>),
    Named = <<31,139,8,(8 bor 16),0,0,0,0,0,3, "notes.txt", 0, "a comment", 0, Body/binary,
              (erlang:crc32(<<"named">>)):32/little, 5:32/little>>,
    show(named_member, zlib:gunzip(Named)).

members() ->
    A = zlib:gzip(<<"first;">>),
    B = zlib:gzip(<<"second">>),
    show(two_members, zlib:gunzip(<<A/binary, B/binary>>)),
    show(three_members, zlib:gunzip([A, B, A])).

corrupt() ->
    Z = zlib:compress(<<"some data worth keeping">>),
    G = zlib:gzip(<<"some data worth keeping">>),
    N = byte_size(Z),
    M = byte_size(G),
    show(junk, [e(fun() -> zlib:F(<<"junk">>) end) || F <- [uncompress, unzip, gunzip]]),
    show(truncated, {e(fun() -> zlib:uncompress(binary:part(Z, 0, N - 1)) end),
                     e(fun() -> zlib:gunzip(binary:part(G, 0, M - 3)) end),
                     e(fun() -> zlib:unzip(binary:part(zlib:zip(<<"abcdef">>), 0, 2)) end)}),
    BadSum = <<(binary:part(Z, 0, N - 4))/binary, 0, 0, 0, 0>>,
    show(bad_adler, e(fun() -> zlib:uncompress(BadSum) end)),
    <<GHead:(M - 8)/binary, _:32, Len:32/little>> = G,
    show(bad_crc, e(fun() -> zlib:gunzip(<<GHead/binary, 0:32, Len:32/little>>) end)),
    show(bad_length, e(fun() -> zlib:gunzip(<<(binary:part(G, 0, M - 4))/binary, 99:32/little>>) end)),
    show(junk_after_member, e(fun() -> zlib:gunzip(<<G/binary, "xy">>) end)),
    show(empty_input, {e(fun() -> zlib:uncompress(<<>>) end), e(fun() -> zlib:gunzip(<<>>) end)}).
