%% zlib's stream API as programs use it: deflating a large iolist in pieces with sync and
%% full flushes and inflating it back in other pieces, safeInflate loops that bound each
%% step's output, gzip and raw windows, reset and reuse, checksums, and the errors of misuse
%% (garbage, use before init, after close, from another process). Compressed bytes are never
%% printed: only round trips, sizes of uncompressed data and error terms.
-module(t_zlib_stream).
-export([main/0]).
-compile(nowarn_deprecated_function).

main() ->
    chunked_round_trips(),
    safe_inflate_loop(),
    windows(),
    reset_and_reuse(),
    checksums(),
    errors(),
    init_arguments(),
    other_process(),
    owner_exit(),
    erlang:halt(0).

show(Tag, V) -> erlang:display({Tag, V}).

e(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

payload() ->
    [[io_lib:format("~5..0B PUT /obj/~p size=~p~n", [I, I rem 97, I * 31 rem 1000])
      || I <- lists:seq(1, 3000)],
     list_to_binary([(I * 7919 + 13) rem 256 || I <- lists:seq(1, 20000)]),
     binary:copy(<<"abcdefgh">>, 5000)].

pieces(Bin, N) when byte_size(Bin) =< N -> [Bin];
pieces(Bin, N) ->
    <<P:N/binary, Rest/binary>> = Bin,
    [P | pieces(Rest, N)].

deflate_chunks(Z, Chunks, Flushes) ->
    deflate_chunks(Z, Chunks, Flushes, Flushes, []).
deflate_chunks(Z, [], _, _, Acc) ->
    lists:reverse([zlib:deflate(Z, [], finish) | Acc]);
deflate_chunks(Z, [C | Cs], [], All, Acc) ->
    deflate_chunks(Z, [C | Cs], All, All, Acc);
deflate_chunks(Z, [C | Cs], [F | Fs], All, Acc) ->
    deflate_chunks(Z, Cs, Fs, All, [zlib:deflate(Z, C, F) | Acc]).

inflate_pieces(Z, Bin, N) ->
    iolist_to_binary([zlib:inflate(Z, P) || P <- pieces(Bin, N)]).

chunked_round_trips() ->
    Data = iolist_to_binary(payload()),
    show(payload_size, byte_size(Data)),
    lists:foreach(
      fun({Level, Flushes}) ->
              Z = zlib:open(),
              ok = zlib:deflateInit(Z, Level),
              Out = deflate_chunks(Z, pieces(Data, 7000), Flushes),
              ok = zlib:deflateEnd(Z),
              Compressed = iolist_to_binary(Out),
              ok = zlib:inflateInit(Z),
              Back = inflate_pieces(Z, Compressed, 1000),
              ok = zlib:inflateEnd(Z),
              ok = zlib:close(Z),
              show(chunked, {Level, Flushes, Back =:= Data,
                             zlib:uncompress(Compressed) =:= Data,
                             byte_size(Compressed) < byte_size(Data)})
      end,
      [{default, [none]}, {best_speed, [sync]}, {best_compression, [full, none]},
       {none, [sync, full]}, {1, [none, sync]}, {9, [full]}]),
    %% Sync and full flushes let the receiver read everything sent so far.
    Z = zlib:open(),
    ok = zlib:deflateInit(Z),
    In = zlib:open(),
    ok = zlib:inflateInit(In),
    lists:foreach(
      fun({Msg, Flush}) ->
              C = zlib:deflate(Z, Msg, Flush),
              show(flushed, {Flush, iolist_to_binary(zlib:inflate(In, C))})
      end,
      [{<<"first message">>, sync}, {[<<"second">>, " ", $m, "essage"], full},
       {<<"third">>, sync}]),
    show(finish, {iolist_to_binary(zlib:inflate(In, zlib:deflate(Z, <<"last">>, finish))),
                  zlib:deflateEnd(Z), zlib:inflateEnd(In)}),
    zlib:close(Z),
    zlib:close(In).

safe_loop(Z, Result, Steps, Acc) ->
    case Result of
        {continue, Out} ->
            Size = iolist_size(Out),
            true = Size =< 16384,
            safe_loop(Z, zlib:safeInflate(Z, []), Steps + 1, [Out | Acc]);
        {finished, Out} ->
            {Steps + 1, iolist_to_binary(lists:reverse([Out | Acc]))}
    end.

safe_inflate_loop() ->
    Data = iolist_to_binary(payload()),
    Big = binary:copy(<<0>>, 1000000),
    lists:foreach(
      fun(D) ->
              Z = zlib:open(),
              ok = zlib:inflateInit(Z),
              {Steps, Back} = safe_loop(Z, zlib:safeInflate(Z, zlib:compress(D)), 0, []),
              show(safe, {byte_size(D), Steps > 1, Back =:= D, zlib:inflateEnd(Z)}),
              zlib:close(Z)
      end,
      [Data, Big]),
    Z = zlib:open(),
    ok = zlib:inflateInit(Z),
    show(safe_small, zlib:safeInflate(Z, zlib:compress(<<"hello">>))),
    show(safe_after_end, zlib:safeInflate(Z, [])),
    ok = zlib:inflateReset(Z),
    <<Head:4/binary, Tail/binary>> = zlib:compress(<<"hello again">>),
    {finished, H} = zlib:safeInflate(Z, Head),
    {finished, T} = zlib:safeInflate(Z, Tail),
    show(safe_split, iolist_to_binary([H, T])),
    show(safe_end, zlib:inflateEnd(Z)),
    zlib:close(Z).

windows() ->
    Data = iolist_to_binary(payload()),
    lists:foreach(
      fun({DW, IW}) ->
              Z = zlib:open(),
              ok = zlib:deflateInit(Z, default, deflated, DW, 8, default),
              Synced = [zlib:deflate(Z, P, sync) || P <- pieces(Data, 5000)],
              Last = zlib:deflate(Z, [], finish),
              C = iolist_to_binary([Synced, Last]),
              ok = zlib:deflateEnd(Z),
              ok = zlib:inflateInit(Z, IW),
              Back = inflate_pieces(Z, C, 333),
              show(window, {DW, IW, Back =:= Data, zlib:inflateEnd(Z)}),
              zlib:close(Z)
      end,
      [{15, 15}, {-15, -15}, {31, 31}, {31, 47}, {15, 47}, {9, 15}, {-9, -15}, {25, 31}]),
    Z = zlib:open(),
    %% What the one-shots write, read through a stream.
    lists:foreach(
      fun({W, C}) ->
              ok = zlib:inflateInit(Z, W),
              show(one_shot, {W, iolist_to_binary(zlib:inflate(Z, C)), zlib:inflateEnd(Z)})
      end,
      [{15, zlib:compress(<<"zlib">>)}, {-15, zlib:zip(<<"raw">>)},
       {31, zlib:gzip(<<"gzip">>)}, {47, zlib:gzip(<<"auto gzip">>)},
       {47, zlib:compress(<<"auto zlib">>)}]),
    %% A gzip stream read by gunzip, and a second member cut (erl's default).
    ok = zlib:deflateInit(Z, best_speed, deflated, 31, 9, filtered),
    G1 = zlib:deflate(Z, <<"member ">>),
    G2 = zlib:deflate(Z, <<"one">>, finish),
    G = iolist_to_binary([G1, G2]),
    ok = zlib:deflateEnd(Z),
    show(gunzip, zlib:gunzip(G)),
    ok = zlib:inflateInit(Z, 31),
    show(two_members, {iolist_to_binary(zlib:inflate(Z, [G, zlib:gzip(<<"two">>)])),
                       zlib:inflateEnd(Z)}),
    ok = zlib:inflateInit(Z),
    show(trailing, {iolist_to_binary(zlib:inflate(Z, [zlib:compress(<<"x">>), <<"junk">>])),
                    zlib:inflate(Z, <<"more">>), zlib:inflateEnd(Z)}),
    zlib:close(Z).

reset_and_reuse() ->
    Z = zlib:open(),
    ok = zlib:deflateInit(Z, default, deflated, -15, 8, rle),
    _ = zlib:deflate(Z, <<"thrown away">>),
    ok = zlib:deflateReset(Z),
    C1 = iolist_to_binary(zlib:deflate(Z, <<"kept one">>, finish)),
    ok = zlib:deflateReset(Z),
    C2 = iolist_to_binary(zlib:deflate(Z, <<"kept two">>, finish)),
    show(deflate_reset, {zlib:unzip(C1), zlib:unzip(C2), zlib:deflateEnd(Z)}),
    ok = zlib:inflateInit(Z, -15),
    A = zlib:inflate(Z, C1),
    ok = zlib:inflateReset(Z),
    B = zlib:inflate(Z, C2),
    show(inflate_reset, {iolist_to_binary(A), iolist_to_binary(B), zlib:inflateEnd(Z)}),
    %% The same stream deflates again after inflating.
    ok = zlib:deflateInit(Z, 1, deflated, 15, 8, huffman_only),
    C3 = iolist_to_binary(zlib:deflate(Z, <<"third use">>, finish)),
    show(reuse, {zlib:uncompress(C3), zlib:deflateEnd(Z), zlib:close(Z)}).

checksums() ->
    Data = iolist_to_binary(payload()),
    Z = zlib:open(),
    show(erlang_crc, {erlang:crc32(Data), erlang:crc32(erlang:crc32(<<"ab">>), <<"cd">>),
                      erlang:crc32(<<"abcd">>)}),
    show(erlang_adler, {erlang:adler32(Data), erlang:adler32(erlang:adler32(<<"ab">>), <<"cd">>),
                        erlang:adler32(<<"abcd">>)}),
    show(stream_crc, {zlib:crc32(Z, Data), zlib:crc32(Z, zlib:crc32(Z, <<"ab">>), <<"cd">>)}),
    show(stream_adler, {zlib:adler32(Z, Data), zlib:adler32(Z, 1, [<<"ab">>, "cd"])}),
    show(crc_uninit, e(fun() -> zlib:crc32(Z) end)),
    ok = zlib:deflateInit(Z, default, deflated, -15, 8, default),
    _ = zlib:deflate(Z, <<"abc">>),
    _ = zlib:deflate(Z, <<"def">>, finish),
    show(raw_deflate_crc, {zlib:crc32(Z) =:= erlang:crc32(<<"abcdef">>), zlib:deflateEnd(Z)}),
    ok = zlib:inflateInit(Z, -15),
    _ = zlib:inflate(Z, zlib:zip(Data)),
    show(raw_inflate_crc, zlib:crc32(Z) =:= erlang:crc32(Data)),
    ok = zlib:inflateEnd(Z),
    ok = zlib:inflateInit(Z),
    _ = zlib:inflate(Z, zlib:compress(Data)),
    show(zlib_inflate_crc, zlib:crc32(Z)),
    ok = zlib:inflateEnd(Z),
    show(checksum_args, [e(fun() -> zlib:crc32(Z, foo) end),
                         e(fun() -> zlib:crc32(foo, <<>>) end),
                         e(fun() -> zlib:adler32(Z, -1, <<>>) end),
                         e(fun() -> erlang:crc32(1 bsl 32, <<>>) end)]),
    zlib:close(Z).

errors() ->
    Z = zlib:open(),
    show(uninit, [e(fun() -> zlib:inflate(Z, <<1, 2, 3>>) end),
                  e(fun() -> zlib:deflate(Z, <<"x">>) end),
                  e(fun() -> zlib:safeInflate(Z, <<>>) end),
                  e(fun() -> zlib:inflateEnd(Z) end),
                  e(fun() -> zlib:deflateEnd(Z) end),
                  e(fun() -> zlib:inflateReset(Z) end),
                  e(fun() -> zlib:deflateReset(Z) end),
                  e(fun() -> zlib:inflate(Z, foo) end)]),
    ok = zlib:inflateInit(Z),
    show(garbage, [e(fun() -> zlib:inflate(Z, <<"garbage garbage garbage">>) end),
                   e(fun() -> zlib:inflate(Z, <<"x">>) end),
                   e(fun() -> zlib:inflateEnd(Z) end),
                   e(fun() -> zlib:inflateEnd(Z) end)]),
    ok = zlib:inflateInit(Z),
    show(garbage_safe, e(fun() -> zlib:safeInflate(Z, <<"definitely not zlib">>) end)),
    ok = zlib:inflateReset(Z),
    <<Part:6/binary, _/binary>> = zlib:compress(<<"truncated stream">>),
    show(truncated, {iolist_to_binary(zlib:inflate(Z, Part)), e(fun() -> zlib:inflateEnd(Z) end)}),
    ok = zlib:inflateInit(Z, 31),
    G = zlib:gzip(<<"checked">>),
    Bad = binary:part(G, 0, byte_size(G) - 8),
    show(bad_trailer, [e(fun() -> zlib:inflate(Z, [Bad, <<0:64>>]) end),
                       e(fun() -> zlib:inflateEnd(Z) end)]),
    ok = zlib:inflateInit(Z, -15),
    show(raw_garbage, e(fun() -> zlib:inflate(Z, <<255, 255, 255, 255>>) end)),
    catch zlib:inflateEnd(Z),
    ok = zlib:inflateInit(Z, 47),
    show(auto_garbage, e(fun() -> zlib:inflate(Z, <<1, 2, 3, 4, 5>>) end)),
    catch zlib:inflateEnd(Z),
    ok = zlib:inflateInit(Z),
    Dict = <<120, 187, 0, 0, 0, 7, 1, 2, 3>>,
    show(need_dict, [e(fun() -> zlib:inflate(Z, Dict) end),
                     e(fun() -> zlib:inflate(Z, <<>>) end),
                     e(fun() -> zlib:inflateEnd(Z) end)]),
    ok = zlib:inflateInit(Z),
    show(need_dict_tuple, e(fun() -> zlib:inflate(Z, Dict, [{exception_on_need_dict, false}]) end)),
    catch zlib:inflateEnd(Z),
    show(states, [e(fun() -> zlib:inflateInit(Z) end),
                  e(fun() -> zlib:inflateInit(Z) end),
                  e(fun() -> zlib:deflateInit(Z) end),
                  e(fun() -> zlib:deflate(Z, <<>>) end),
                  e(fun() -> zlib:inflateEnd(Z) end),
                  e(fun() -> zlib:deflateInit(Z) end),
                  e(fun() -> zlib:inflate(Z, <<>>) end),
                  e(fun() -> zlib:deflate(Z, <<"x">>, bogus) end),
                  e(fun() -> zlib:deflate(Z, foo) end),
                  e(fun() -> zlib:deflate(Z, <<"x">>, finish) =/= [] end),
                  e(fun() -> zlib:deflate(Z, <<>>, finish) end),
                  e(fun() -> zlib:deflate(Z, <<>>, sync) end),
                  e(fun() -> zlib:deflateEnd(Z) end)]),
    ok = zlib:deflateInit(Z),
    show(unfinished, [e(fun() -> is_list(zlib:deflate(Z, <<"abc">>)) end),
                      e(fun() -> zlib:deflateEnd(Z) end),
                      e(fun() -> zlib:deflateInit(Z) end),
                      e(fun() -> zlib:deflateEnd(Z) end)]),
    ok = zlib:deflateInit(Z),
    _ = zlib:deflate(Z, <<"abc">>, finish),
    show(after_finish, [e(fun() -> zlib:deflate(Z, <<"more">>) end),
                        e(fun() -> zlib:deflate(Z, <<>>, finish) end),
                        e(fun() -> zlib:deflateEnd(Z) end)]),
    show(close, [e(fun() -> zlib:close(Z) end),
                 e(fun() -> zlib:close(Z) end),
                 e(fun() -> zlib:inflateInit(Z) end),
                 e(fun() -> zlib:deflateInit(Z) end),
                 e(fun() -> zlib:inflate(Z, <<>>) end),
                 e(fun() -> zlib:deflate(Z, <<>>) end),
                 e(fun() -> zlib:inflateEnd(Z) end),
                 e(fun() -> zlib:crc32(Z) end),
                 e(fun() -> zlib:crc32(Z, <<"a">>) end)]),
    show(not_a_stream, [e(fun() -> zlib:inflate(make_ref(), <<>>) end),
                        e(fun() -> zlib:close(foo) end),
                        e(fun() -> zlib:deflateInit(self()) end),
                        e(fun() -> zlib:inflateInit(make_ref(), 15) end)]).

init_arguments() ->
    Fresh = fun(F) -> Z = zlib:open(), R = e(fun() -> F(Z) end), zlib:close(Z), R end,
    show(deflate_bits,
         [{W, Fresh(fun(Z) -> zlib:deflateInit(Z, default, deflated, W, 8, default) end)}
          || W <- [7, 8, 9, 15, 16, 24, 25, 31, 32, 47, 48, -7, -8, -9, -15, -16, foo]]),
    show(inflate_bits,
         [{W, Fresh(fun(Z) -> zlib:inflateInit(Z, W) end)}
          || W <- [7, 8, 15, 16, 31, 32, 47, 48, -7, -8, -15, -16, 1.5]]),
    show(levels, [{L, Fresh(fun(Z) -> zlib:deflateInit(Z, L) end)}
                  || L <- [none, default, best_speed, best_compression, 0, 9, -1, 10, foo]]),
    show(methods, [{M, Fresh(fun(Z) -> zlib:deflateInit(Z, default, M, 15, 8, default) end)}
                   || M <- [deflated, stored, 8]]),
    show(memlevels, [{M, Fresh(fun(Z) -> zlib:deflateInit(Z, default, deflated, 15, M, default) end)}
                     || M <- [0, 1, 9, 10, x]]),
    show(strategies, [{S, Fresh(fun(Z) -> zlib:deflateInit(Z, 6, deflated, 15, 8, S) end)}
                      || S <- [default, filtered, huffman_only, rle, fixed, 0]]),
    show(arg_order, Fresh(fun(_) -> zlib:deflateInit(make_ref(), 99) end)).

other_process() ->
    Z = zlib:open(),
    ok = zlib:inflateInit(Z),
    Self = self(),
    Calls = [fun() -> zlib:inflate(Z, zlib:compress(<<"x">>)) end,
             fun() -> zlib:safeInflate(Z, []) end,
             fun() -> zlib:inflateEnd(Z) end,
             fun() -> zlib:inflateReset(Z) end,
             fun() -> zlib:deflateInit(Z) end,
             fun() -> zlib:close(Z) end,
             fun() -> zlib:crc32(Z) end,
             fun() -> zlib:crc32(Z, <<"a">>) end],
    spawn(fun() -> Self ! {others, [e(F) || F <- Calls]} end),
    receive {others, R} -> show(other_process, R) end,
    %% The owner's stream is untouched.
    show(owner_still, {iolist_to_binary(zlib:inflate(Z, zlib:compress(<<"mine">>))),
                       zlib:inflateEnd(Z), zlib:close(Z)}),
    spawn(fun() -> Self ! {closed_other, e(fun() -> zlib:close(Z) end)} end),
    receive {closed_other, C} -> show(closed_other, C) end.

owner_exit() ->
    Self = self(),
    {Pid, Ref} = spawn_monitor(fun() ->
                                       Mine = zlib:open(),
                                       ok = zlib:deflateInit(Mine),
                                       Self ! {stream, Mine},
                                       receive stop -> ok end
                               end),
    Z = receive {stream, Theirs} -> Theirs end,
    show(before_exit, e(fun() -> zlib:deflate(Z, <<"x">>) end)),
    Pid ! stop,
    receive {'DOWN', Ref, process, Pid, Why} -> show(owner_down, Why) end,
    show(after_exit, is_reference(Z)),
    %% Many streams opened and dropped by processes that exit leave nothing behind.
    [begin
         {P, M} = spawn_monitor(fun() ->
                                        S = zlib:open(),
                                        ok = zlib:inflateInit(S),
                                        _ = zlib:inflate(S, zlib:compress(<<"short">>))
                                end),
         receive {'DOWN', M, process, P, normal} -> ok end
     end || _ <- lists:seq(1, 200)],
    show(many_owners, done).
