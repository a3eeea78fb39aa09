%% zlib's deflateParams/3, inflateChunk/1,2 with setBufSize/getBufSize, and
%% set_controlling_process/2: round trips of seeded random data across parameter changes and
%% chunk sizes, streams handed between processes (the new owner uses it, the old cannot, the
%% stream goes with its new owner's exit), and the errors of misuse. Compressed bytes are
%% never printed: only round trips, sizes of uncompressed chunks and error terms.
-module(t_zlib_more).
-export([main/0]).
-compile(nowarn_deprecated_function).

main() ->
    logger:remove_handler(default),
    rand:seed(exsss, {1, 2, 3}),
    buf_size(),
    inflate_chunk(),
    inflate_chunk_input_steps(),
    inflate_chunk_dictionary(),
    inflate_chunk_errors(),
    params_round_trips(),
    params_flushes(),
    params_errors(),
    hand_over(),
    hand_over_errors(),
    new_owner_exit(),
    old_owner_exit(),
    erlang:halt(0).

show(Tag, V) -> erlang:display({Tag, V}).

e(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

%% Seeded data, half random bytes, half text, so that it compresses some.
data(N) ->
    iolist_to_binary([rand:bytes(N div 2),
                      [integer_to_list(rand:uniform(1000)) || _ <- lists:seq(1, N div 8)]]).

other(F) ->
    Self = self(),
    spawn(fun() -> Self ! {other, F()} end),
    receive {other, R} -> R end.

buf_size() ->
    Z = zlib:open(),
    show(default_buf_size, zlib:getBufSize(Z)),
    show(set_buf_size, [e(fun() -> zlib:setBufSize(Z, S) end)
                        || S <- [16, 17, 4096, (1 bsl 24) - 1, 1 bsl 24, -1, 0, foo, 1.5]]),
    show(buf_size_now, zlib:getBufSize(Z)),
    ok = zlib:setBufSize(Z, 100),
    ok = zlib:inflateInit(Z),
    show(buf_size_inflating, zlib:getBufSize(Z)),
    show(buf_size_other, other(fun() -> {e(fun() -> zlib:getBufSize(Z) end),
                                         e(fun() -> zlib:setBufSize(Z, 50) end)}
                               end)),
    show(buf_size_bad, [e(fun() -> zlib:getBufSize(foo) end),
                        e(fun() -> zlib:setBufSize(make_ref(), 100) end),
                        e(fun() -> zlib:setBufSize(foo, 10) end)]),
    _ = e(fun() -> zlib:inflateEnd(Z) end),
    ok = zlib:close(Z),
    %% erl keeps a closed stream's size.
    show(buf_size_closed, {e(fun() -> zlib:getBufSize(Z) end),
                           e(fun() -> zlib:setBufSize(Z, 200) end),
                           e(fun() -> zlib:getBufSize(Z) end)}).

%% inflateChunk/2 then inflateChunk/1 until the data is out: the sizes of the chunks.
chunks(Z, Compressed) ->
    chunks(Z, zlib:inflateChunk(Z, Compressed), []).
chunks(Z, {more, D}, Acc) ->
    chunks(Z, zlib:inflateChunk(Z), [D | Acc]);
chunks(_Z, D, Acc) when is_list(D) ->
    lists:reverse([D | Acc]).

inflate_chunk() ->
    Data = data(30000),
    lists:foreach(
      fun({WBits, Size}) ->
              Compressed = iolist_to_binary(compress(Data, WBits)),
              Z = zlib:open(),
              ok = zlib:setBufSize(Z, Size),
              ok = zlib:inflateInit(Z, WBits),
              Chunks = chunks(Z, Compressed),
              Sizes = [iolist_size(C) || C <- Chunks],
              show({chunks, WBits, Size},
                   {length(Chunks), lists:usort(lists:droplast(Sizes)), lists:last(Sizes),
                    iolist_to_binary(Chunks) =:= Data,
                    lists:all(fun is_list/1, Chunks)}),
              show(chunk_end, zlib:inflateEnd(Z)),
              ok = zlib:close(Z)
      end,
      [{15, 4000}, {15, 17}, {15, 1000}, {-15, 3000}, {31, 2500}, {47, 4096}]),
    %% Output exactly a multiple of the size: the last {more, _} is followed by [].
    Z = zlib:open(),
    ok = zlib:setBufSize(Z, 100),
    ok = zlib:inflateInit(Z),
    Exact = binary:copy(<<"0123456789">>, 30),
    show(exact, chunks(Z, zlib:compress(Exact))),
    ok = zlib:inflateEnd(Z),
    %% Input given in pieces, the chunk size changed on the way.
    ok = zlib:inflateInit(Z),
    Big = data(20000),
    <<A:500/binary, B/binary>> = zlib:compress(Big),
    ok = zlib:setBufSize(Z, 1000),
    R1 = zlib:inflateChunk(Z, A),
    ok = zlib:setBufSize(Z, 3000),
    R2 = chunks(Z, B),
    %% Where the first piece's output ends depends on the codec's bit buffering: only the
    %% later chunks' size is shown.
    show(pieces, {is_list(R1), lists:usort([iolist_size(C) || C <- lists:droplast(R2)]),
                  iolist_to_binary([R1 | R2]) =:= Big}),
    ok = zlib:inflateEnd(Z),
    ok = zlib:close(Z).

compress(Data, WBits) ->
    Z = zlib:open(),
    ok = zlib:deflateInit(Z, default, deflated, min(WBits, 31), 8, default),
    C = zlib:deflate(Z, Data, finish),
    ok = zlib:deflateEnd(Z),
    ok = zlib:close(Z),
    C.

%% A raw stream of stored blocks, the same bytes under both VMs: a chunk larger than the
%% input a step takes (8 KiB, as erl's) ends with that input, `more` still.
stored(Data, Final) ->
    Len = byte_size(Data),
    <<Final, Len:16/little, (bnot Len band 16#ffff):16/little, Data/binary>>.

inflate_chunk_input_steps() ->
    Blocks = [rand:bytes(N) || N <- [10000, 30000, 5000]],
    Raw = iolist_to_binary([stored(B, 0) || B <- lists:droplast(Blocks)] ++
                               [stored(lists:last(Blocks), 1)]),
    Z = zlib:open(),
    ok = zlib:setBufSize(Z, 65536),
    ok = zlib:inflateInit(Z, -15),
    Chunks = chunks(Z, Raw),
    show(input_steps, {[iolist_size(C) || C <- Chunks],
                       iolist_to_binary(Chunks) =:= iolist_to_binary(Blocks)}),
    ok = zlib:inflateEnd(Z),
    ok = zlib:inflateInit(Z, -15),
    show(safe_input_steps, safe_sizes(Z, zlib:safeInflate(Z, Raw))),
    ok = zlib:inflateEnd(Z),
    ok = zlib:close(Z).

safe_sizes(Z, {continue, D}) -> [iolist_size(D) | safe_sizes(Z, zlib:safeInflate(Z, []))];
safe_sizes(_Z, {finished, D}) -> [iolist_size(D)].

inflate_chunk_dictionary() ->
    Dict = <<"a dictionary of words: zlib stream chunk inflate deflate">>,
    D = zlib:open(),
    ok = zlib:deflateInit(D),
    Id = zlib:deflateSetDictionary(D, Dict),
    Compressed = iolist_to_binary(zlib:deflate(D, <<"zlib stream chunk inflate deflate words">>,
                                               finish)),
    ok = zlib:deflateEnd(D),
    ok = zlib:close(D),
    Z = zlib:open(),
    ok = zlib:setBufSize(Z, 20),
    ok = zlib:inflateInit(Z),
    show(needs_dictionary, e(fun() -> zlib:inflateChunk(Z, Compressed) end) =:=
             {error, {need_dictionary, Id}}),
    ok = zlib:inflateSetDictionary(Z, Dict),
    show(after_dictionary, chunks(Z, <<>>)),
    show(dict_end, zlib:inflateEnd(Z)),
    ok = zlib:close(Z).

inflate_chunk_errors() ->
    Z = zlib:open(),
    show(chunk_idle, [e(fun() -> zlib:inflateChunk(Z) end),
                      e(fun() -> zlib:inflateChunk(Z, <<1, 2>>) end)]),
    ok = zlib:deflateInit(Z),
    show(chunk_deflating, [e(fun() -> zlib:inflateChunk(Z) end),
                           e(fun() -> zlib:inflateChunk(Z, <<>>) end)]),
    ok = zlib:deflateEnd(Z),
    ok = zlib:inflateInit(Z),
    show(chunk_bad_args, [e(fun() -> zlib:inflateChunk(Z, foo) end),
                          e(fun() -> zlib:inflateChunk(Z, [1, 2 | 3]) end),
                          e(fun() -> zlib:inflateChunk(foo) end),
                          e(fun() -> zlib:inflateChunk(foo, <<1>>) end)]),
    show(chunk_other, other(fun() -> [e(fun() -> zlib:inflateChunk(Z) end),
                                      e(fun() -> zlib:inflateChunk(Z, <<>>) end)]
                            end)),
    %% Bad data is badarg before the owner is checked (deflate's owner is checked first).
    D = zlib:open(),
    ok = zlib:deflateInit(D),
    show(bad_data_other, other(fun() -> [e(fun() -> zlib:inflate(Z, foo) end),
                                         e(fun() -> zlib:safeInflate(Z, foo) end),
                                         e(fun() -> zlib:inflateChunk(Z, foo) end),
                                         e(fun() -> zlib:inflateSetDictionary(Z, foo) end),
                                         e(fun() -> zlib:deflateSetDictionary(D, foo) end),
                                         e(fun() -> zlib:deflate(D, foo) end)]
                               end)),
    ok = zlib:close(D),
    show(bad_data_closed, [e(fun() -> zlib:inflate(D, foo) end),
                           e(fun() -> zlib:inflateChunk(D, foo) end),
                           e(fun() -> zlib:deflate(D, foo) end),
                           e(fun() -> zlib:deflateSetDictionary(D, foo) end)]),
    show(chunk_garbage, [e(fun() -> zlib:inflateChunk(Z, <<"not zlib data">>) end),
                         e(fun() -> zlib:inflateChunk(Z) end)]),
    show(chunk_garbage_end, e(fun() -> zlib:inflateEnd(Z) end)),
    ok = zlib:inflateInit(Z),
    show(chunk_empty, e(fun() -> zlib:inflateChunk(Z, <<>>) end)),
    <<Part:10/binary, _/binary>> = zlib:compress(data(1000)),
    _ = zlib:inflateChunk(Z, Part),
    show(chunk_truncated, e(fun() -> zlib:inflateEnd(Z) end)),
    ok = zlib:close(Z),
    show(chunk_closed, [e(fun() -> zlib:inflateChunk(Z) end),
                        e(fun() -> zlib:inflateChunk(Z, <<1>>) end)]).

%% Deflates the pieces, changing the parameters before each one as Params says, and
%% inflates the result.
params_round_trip(WBits, Pieces, Params) ->
    Z = zlib:open(),
    ok = zlib:deflateInit(Z, default, deflated, WBits, 8, default),
    Out = [[zlib:deflateParams(Z, L, S), zlib:deflate(Z, P)]
           || {P, {L, S}} <- lists:zip(Pieces, Params)],
    Last = zlib:deflate(Z, <<>>, finish),
    End = zlib:deflateEnd(Z),
    Compressed = iolist_to_binary([[O || O <- lists:flatten(Out), O =/= ok], Last]),
    ok = zlib:inflateInit(Z, WBits),
    Back = iolist_to_binary(zlib:inflate(Z, Compressed)),
    {End, lists:usort([R || [R, _] <- Out]), Back =:= iolist_to_binary(Pieces),
     zlib:inflateEnd(Z), zlib:close(Z)}.

params_round_trips() ->
    Levels = [none, best_speed, best_compression, default, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    Strategies = [default, filtered, huffman_only, rle],
    All = [{L, S} || L <- Levels, S <- Strategies],
    Pieces = [data(rand:uniform(3000)) || _ <- All],
    [show({params, W}, params_round_trip(W, Pieces, All)) || W <- [15, -15, 31]],
    %% Large pieces, each past miniz's buffers.
    Big = [data(100000) || _ <- lists:seq(1, 4)],
    show(params_big, params_round_trip(15, Big, [{9, default}, {0, default}, {1, rle},
                                                 {6, huffman_only}])),
    %% deflateReset keeps the new parameters and starts a new stream.
    Z = zlib:open(),
    ok = zlib:deflateInit(Z, 9),
    _ = zlib:deflate(Z, <<"before">>),
    ok = zlib:deflateParams(Z, 1, rle),
    ok = zlib:deflateReset(Z),
    After = data(5000),
    C = zlib:deflate(Z, After, finish),
    ok = zlib:deflateEnd(Z),
    ok = zlib:close(Z),
    show(params_reset, zlib:uncompress(C) =:= After).

params_flushes() ->
    %% What was given before deflateParams is flushed: it inflates before the stream ends,
    %% from the output of the next deflate call.
    Data = data(2000),
    Z = zlib:open(),
    ok = zlib:deflateInit(Z),
    First = zlib:deflate(Z, Data),
    ok = zlib:deflateParams(Z, best_compression, filtered),
    Flushed = zlib:deflate(Z, <<>>),
    show(flushed, Flushed =/= []),
    I = zlib:open(),
    ok = zlib:inflateInit(I),
    show(flushed_inflates, iolist_to_binary(zlib:inflate(I, [First, Flushed])) =:= Data),
    Rest = zlib:deflate(Z, <<"more">>, finish),
    show(flushed_rest, {iolist_to_binary(zlib:inflate(I, Rest)), zlib:inflateEnd(I)}),
    ok = zlib:deflateEnd(Z),
    %% On a fresh stream, deflateParams starts it: deflateEnd then says data_error.
    ok = zlib:deflateInit(Z),
    show(fresh_params, [zlib:deflateParams(Z, 1, default), e(fun() -> zlib:deflateEnd(Z) end)]),
    %% Twice in a row, then a dictionary (too late) and the end.
    ok = zlib:deflateInit(Z),
    show(twice, [zlib:deflateParams(Z, 1, default), zlib:deflateParams(Z, 2, rle),
                 e(fun() -> zlib:deflateSetDictionary(Z, <<"dict">>) end)]),
    show(twice_round_trip, zlib:uncompress(zlib:deflate(Z, <<"x">>, finish)) =:= <<"x">>),
    ok = zlib:deflateEnd(Z),
    %% A dictionary, then new parameters: the data still needs the dictionary.
    ok = zlib:deflateInit(Z),
    Id = zlib:deflateSetDictionary(Z, <<"dictionary">>),
    ok = zlib:deflateParams(Z, 9, default),
    Compressed = zlib:deflate(Z, <<"dictionary words">>, finish),
    ok = zlib:deflateEnd(Z),
    ok = zlib:inflateInit(I),
    show(dict_params, e(fun() -> zlib:inflate(I, Compressed) end) =:=
             {error, {need_dictionary, Id}}),
    ok = zlib:inflateSetDictionary(I, <<"dictionary">>),
    show(dict_params_back, {iolist_to_binary(zlib:inflate(I, [])), zlib:inflateEnd(I)}),
    %% gzip and raw streams, parameters changed before any data.
    [begin
         ok = zlib:deflateInit(Z, default, deflated, W, 8, default),
         ok = zlib:deflateParams(Z, none, default),
         G = zlib:deflate(Z, Data, finish),
         ok = zlib:deflateEnd(Z),
         ok = zlib:inflateInit(I, W),
         show({fresh_params, W}, {iolist_to_binary(zlib:inflate(I, G)) =:= Data,
                                  zlib:inflateEnd(I)})
     end || W <- [31, -15]],
    ok = zlib:close(I),
    ok = zlib:close(Z).

params_errors() ->
    Z = zlib:open(),
    show(params_idle, e(fun() -> zlib:deflateParams(Z, 1, default) end)),
    show(params_bad, [e(fun() -> zlib:deflateParams(Z, L, S) end)
                      || {L, S} <- [{10, default}, {-1, default}, {foo, default},
                                    {1, foo}, {1, 3}, {foo, bar}]]),
    show(params_not_stream, [e(fun() -> zlib:deflateParams(foo, 1, default) end),
                             e(fun() -> zlib:deflateParams(make_ref(), 1, default) end)]),
    ok = zlib:inflateInit(Z),
    show(params_inflating, e(fun() -> zlib:deflateParams(Z, 1, default) end)),
    _ = e(fun() -> zlib:inflateEnd(Z) end),
    ok = zlib:deflateInit(Z),
    show(params_other, other(fun() -> e(fun() -> zlib:deflateParams(Z, 1, default) end) end)),
    _ = zlib:deflate(Z, <<"abc">>, finish),
    show(params_finished, [e(fun() -> zlib:deflateParams(Z, 1, default) end),
                           e(fun() -> zlib:deflateEnd(Z) end)]),
    ok = zlib:close(Z),
    show(params_closed, e(fun() -> zlib:deflateParams(Z, 1, default) end)).

hand_over() ->
    Self = self(),
    Z = zlib:open(),
    ok = zlib:deflateInit(Z),
    Data = data(5000),
    First = zlib:deflate(Z, Data),
    show(to_self, zlib:set_controlling_process(Z, Self)),
    P = spawn(fun() ->
                      receive {stream, S} -> ok end,
                      Rest = zlib:deflate(S, <<"tail">>, finish),
                      ok = zlib:deflateEnd(S),
                      ok = zlib:inflateInit(S),
                      Self ! {used, Rest},
                      receive back -> ok end,
                      Self ! {handed_back, zlib:set_controlling_process(S, Self)}
              end),
    show(hand_over, zlib:set_controlling_process(Z, P)),
    P ! {stream, Z},
    Rest = receive {used, R} -> R end,
    show(round_trip, zlib:uncompress([First, Rest]) =:= <<Data/binary, "tail">>),
    %% The old owner can no longer use it.
    show(old_owner, [e(fun() -> zlib:inflate(Z, <<>>) end),
                     e(fun() -> zlib:getBufSize(Z) end),
                     e(fun() -> zlib:close(Z) end),
                     e(fun() -> zlib:set_controlling_process(Z, Self) end)]),
    P ! back,
    show(handed_back, receive {handed_back, H} -> H end),
    show(back_again, {iolist_to_binary(zlib:inflate(Z, zlib:compress(<<"mine">>))),
                      zlib:inflateEnd(Z), zlib:close(Z)}).

hand_over_errors() ->
    Z = zlib:open(),
    show(bad_pid, [e(fun() -> zlib:set_controlling_process(Z, T) end)
                   || T <- [foo, make_ref(), 1, "pid", {}]]),
    show(not_stream, [e(fun() -> zlib:set_controlling_process(T, self()) end)
                      || T <- [foo, make_ref(), self()]]),
    show(other_hands, other(fun() -> [e(fun() -> zlib:set_controlling_process(Z, self()) end),
                                      e(fun() -> zlib:set_controlling_process(Z, foo) end)]
                            end)),
    %% To a process that is not alive: nobody can use it any more.
    {Dead, Ref} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', Ref, process, Dead, _} -> ok end,
    show(to_dead, zlib:set_controlling_process(Z, Dead)),
    show(after_dead, [e(fun() -> zlib:deflateInit(Z) end), e(fun() -> zlib:close(Z) end)]),
    %% A closed stream is handed over too.
    C = zlib:open(),
    ok = zlib:close(C),
    P = spawn(fun() -> receive {S, From} -> From ! {closed_there, e(fun() -> zlib:close(S) end),
                                                    e(fun() -> zlib:getBufSize(S) end)}
                       end
              end),
    show(closed_hand_over, zlib:set_controlling_process(C, P)),
    show(closed_old, e(fun() -> zlib:close(C) end)),
    P ! {C, self()},
    receive {closed_there, A, B} -> show(closed_there, {A, B}) end.

%% The stream goes with its new owner: the old one's calls are still refused.
new_owner_exit() ->
    Self = self(),
    Z = zlib:open(),
    ok = zlib:inflateInit(Z),
    {P, Ref} = spawn_monitor(fun() ->
                                     receive go -> ok end,
                                     Self ! {inflated, zlib:inflate(Z, zlib:compress(<<"x">>))}
                             end),
    ok = zlib:set_controlling_process(Z, P),
    P ! go,
    show(inflated_there, receive {inflated, I} -> iolist_to_binary(I) end),
    receive {'DOWN', Ref, process, P, Why} -> show(new_owner_down, Why) end,
    show(after_new_owner, [e(fun() -> zlib:inflateEnd(Z) end), e(fun() -> zlib:close(Z) end)]).

%% The old owner's exit leaves a handed-over stream alone.
old_owner_exit() ->
    Self = self(),
    {P, Ref} = spawn_monitor(fun() ->
                                     Z = zlib:open(),
                                     ok = zlib:deflateInit(Z),
                                     ok = zlib:setBufSize(Z, 1234),
                                     First = zlib:deflate(Z, <<"from the first owner ">>),
                                     ok = zlib:set_controlling_process(Z, Self),
                                     Self ! {stream, Z, First}
                             end),
    {Z, First} = receive {stream, S, F} -> {S, F} end,
    receive {'DOWN', Ref, process, P, Why} -> show(old_owner_down, Why) end,
    Rest = zlib:deflate(Z, <<"and the second">>, finish),
    show(after_old_owner, {zlib:uncompress([First, Rest]), zlib:getBufSize(Z),
                           zlib:deflateEnd(Z), zlib:close(Z)}).
