%% zlib's preset dictionaries: deflateSetDictionary/2 and the Adler-32 it returns,
%% inflate's need_dictionary (an error, or {need_dictionary, Adler, Output} with
%% {exception_on_need_dict, false}, and from safeInflate), inflateSetDictionary/2 with the
%% right and the wrong dictionary, inflateGetDictionary/1, and where each is refused (gzip
%% streams, a zlib stream before it asks, idle and closed streams). Streams made by erl's
%% zlib with a dictionary are inflated here too; other compressed bytes are not printed,
%% only round trips and sizes.
-module(t_zlib_dict).
-export([main/0]).

-define(DICT, <<"hello world, the quick brown fox jumps over the lazy dog">>).
-define(DATA, <<"the lazy dog says hello world to the quick brown fox; ",
                "the lazy dog says hello world to the quick brown fox; ",
                "the lazy dog says hello world to the quick brown fox; ">>).

%% ?DATA deflated by erl's zlib at level 9 with ?DICT: as a zlib stream, and raw.
-define(ERL_ZLIB, <<120,249,76,192,20,162,67,102,43,20,39,86,22,43,100,32,76,82,40,201,
                    199,102,150,181,2,61,117,1,0,191,43,58,153>>).
-define(ERL_RAW, <<67,102,43,20,39,86,22,43,100,32,76,82,40,201,199,102,150,181,2,61,117,
                   1,0>>).

main() ->
    deflate_with_dictionary(),
    inflate_needs_it(),
    without_exceptions(),
    safe_inflate(),
    raw_streams(),
    erl_streams(),
    big_round_trip(),
    resets_forget_it(),
    refused(),
    erlang:halt(0).

show(Tag, V) -> erlang:display({Tag, V}).

e(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

deflated(Dict, Data) ->
    Z = zlib:open(),
    ok = zlib:deflateInit(Z),
    Adler = zlib:deflateSetDictionary(Z, Dict),
    C = iolist_to_binary(zlib:deflate(Z, Data, finish)),
    After = e(fun() -> zlib:deflateSetDictionary(Z, Dict) end),
    ok = zlib:deflateEnd(Z),
    zlib:close(Z),
    {Adler, C, After}.

deflate_with_dictionary() ->
    {Adler, C, After} = deflated(?DICT, ?DATA),
    show(set_returns, Adler),
    show(signed_adler32_of_dict, Adler =:= signed(erlang:adler32(?DICT))),
    show(header_with_dict_id, binary:part(C, 0, 6)),
    show(after_end_gives_data_adler, After =:= {ok, signed(erlang:adler32(?DATA))}),
    Plain = zlib:compress(?DATA),
    show(dictionary_helps, byte_size(C) < byte_size(Plain)),
    show(iolist_dictionary, e(fun() ->
        Z = zlib:open(),
        ok = zlib:deflateInit(Z),
        R = zlib:deflateSetDictionary(Z, [<<"ab">>, "cd" | <<"ef">>]),
        zlib:close(Z),
        R
    end)).

signed(N) when N >= 1 bsl 31 -> N - (1 bsl 32);
signed(N) -> N.

inflate_needs_it() ->
    {_, C, _} = deflated(?DICT, ?DATA),
    Z = zlib:open(),
    ok = zlib:inflateInit(Z),
    show(get_fresh, zlib:inflateGetDictionary(Z)),
    show(set_too_early, e(fun() -> zlib:inflateSetDictionary(Z, ?DICT) end)),
    show(need, e(fun() -> zlib:inflate(Z, C) end)),
    show(get_at_need, zlib:inflateGetDictionary(Z)),
    show(wrong, e(fun() -> zlib:inflateSetDictionary(Z, <<"wrong">>) end)),
    show(right, e(fun() -> zlib:inflateSetDictionary(Z, ?DICT) end)),
    show(get_after_set, zlib:inflateGetDictionary(Z)),
    Out = iolist_to_binary(zlib:inflate(Z, [])),
    show(round_trip, Out =:= ?DATA),
    show(window_after_end, zlib:inflateGetDictionary(Z) =:= ?DICT),
    show(ended, zlib:inflateEnd(Z)),
    % A second time before inflating on: zlib appends it to its window again.
    ok = zlib:inflateInit(Z),
    {'EXIT', _} = (catch zlib:inflate(Z, C)),
    ok = zlib:inflateSetDictionary(Z, ?DICT),
    ok = zlib:inflateSetDictionary(Z, ?DICT),
    show(twice, zlib:inflateGetDictionary(Z) =:= <<?DICT/binary, ?DICT/binary>>),
    show(twice_round_trip, iolist_to_binary(zlib:inflate(Z, [])) =:= ?DATA),
    ok = zlib:inflateEnd(Z),
    % Going on without a dictionary is bad data.
    ok = zlib:inflateInit(Z),
    {'EXIT', _} = (catch zlib:inflate(Z, C)),
    show(on_without, e(fun() -> zlib:inflate(Z, []) end)),
    zlib:close(Z).

without_exceptions() ->
    {Adler, C, _} = deflated(?DICT, ?DATA),
    Z = zlib:open(),
    ok = zlib:inflateInit(Z),
    {need_dictionary, A, Out} = zlib:inflate(Z, C, [{exception_on_need_dict, false}]),
    show(need_no_exception, {A =:= Adler, Out}),
    ok = zlib:inflateSetDictionary(Z, ?DICT),
    Rest = zlib:inflate(Z, [], [{exception_on_need_dict, false}]),
    show(round_trip_no_exception, iolist_to_binary(Rest) =:= ?DATA),
    ok = zlib:inflateEnd(Z),
    zlib:close(Z).

safe_inflate() ->
    {Adler, C, _} = deflated(?DICT, ?DATA),
    Z = zlib:open(),
    ok = zlib:inflateInit(Z),
    {need_dictionary, A, Out} = zlib:safeInflate(Z, C),
    show(safe_need, {A =:= Adler, Out}),
    ok = zlib:inflateSetDictionary(Z, ?DICT),
    show(safe_rest, safe_loop(Z, []) =:= ?DATA),
    ok = zlib:inflateEnd(Z),
    zlib:close(Z).

safe_loop(Z, Acc) ->
    case zlib:safeInflate(Z, []) of
        {continue, Out} -> safe_loop(Z, [Acc | Out]);
        {finished, Out} -> iolist_to_binary([Acc | Out])
    end.

raw_streams() ->
    Z = zlib:open(),
    ok = zlib:deflateInit(Z, default, deflated, -15, 8, default),
    Adler = zlib:deflateSetDictionary(Z, ?DICT),
    show(raw_set_returns, Adler),
    R = iolist_to_binary(zlib:deflate(Z, ?DATA, finish)),
    show(raw_after_end, zlib:deflateSetDictionary(Z, ?DICT)),
    ok = zlib:deflateEnd(Z),
    ok = zlib:inflateInit(Z, -15),
    show(raw_get_fresh, zlib:inflateGetDictionary(Z)),
    ok = zlib:inflateSetDictionary(Z, <<"abc">>),
    ok = zlib:inflateSetDictionary(Z, ?DICT),
    show(raw_get_two, zlib:inflateGetDictionary(Z) =:= <<"abc", ?DICT/binary>>),
    show(raw_round_trip, iolist_to_binary(zlib:inflate(Z, R)) =:= ?DATA),
    show(raw_window, zlib:inflateGetDictionary(Z) =:= <<"abc", ?DICT/binary, ?DATA/binary>>),
    ok = zlib:inflateEnd(Z),
    zlib:close(Z).

erl_streams() ->
    Z = zlib:open(),
    ok = zlib:inflateInit(Z),
    {need_dictionary, A, []} = zlib:inflate(Z, ?ERL_ZLIB, [{exception_on_need_dict, false}]),
    show(erl_zlib_needs, A =:= signed(erlang:adler32(?DICT))),
    ok = zlib:inflateSetDictionary(Z, ?DICT),
    show(erl_zlib, iolist_to_binary(zlib:inflate(Z, [])) =:= ?DATA),
    ok = zlib:inflateEnd(Z),
    ok = zlib:inflateInit(Z, -15),
    ok = zlib:inflateSetDictionary(Z, ?DICT),
    show(erl_raw, iolist_to_binary(zlib:inflate(Z, ?ERL_RAW)) =:= ?DATA),
    ok = zlib:inflateEnd(Z),
    zlib:close(Z).

%% A dictionary longer than the window (only its end counts), data in pieces both ways.
big_round_trip() ->
    Dict = list_to_binary([integer_to_list(I) || I <- lists:seq(1, 12000)]),
    Data = list_to_binary([integer_to_list(I * 7) || I <- lists:seq(1, 30000)]),
    Z = zlib:open(),
    ok = zlib:deflateInit(Z, best_compression),
    Adler = zlib:deflateSetDictionary(Z, Dict),
    Body = [zlib:deflate(Z, P) || P <- pieces(Data, 5000)],
    Last = zlib:deflate(Z, <<>>, finish),
    C = iolist_to_binary([Body, Last]),
    ok = zlib:deflateEnd(Z),
    ok = zlib:inflateInit(Z),
    [First | Rest] = pieces(C, 3000),
    {'EXIT', {{need_dictionary, A}, _}} = (catch zlib:inflate(Z, First)),
    ok = zlib:inflateSetDictionary(Z, Dict),
    Out = iolist_to_binary([zlib:inflate(Z, []) | [zlib:inflate(Z, P) || P <- Rest]]),
    show(big, {A =:= Adler, byte_size(Dict) > 32768, Out =:= Data}),
    show(big_window, zlib:inflateGetDictionary(Z) =:= binary:part(Dict, byte_size(Dict), -32768)),
    ok = zlib:inflateEnd(Z),
    zlib:close(Z).

pieces(B, N) when byte_size(B) =< N -> [B];
pieces(B, N) ->
    <<P:N/binary, Rest/binary>> = B,
    [P | pieces(Rest, N)].

resets_forget_it() ->
    Z = zlib:open(),
    ok = zlib:deflateInit(Z),
    _ = zlib:deflateSetDictionary(Z, ?DICT),
    ok = zlib:deflateReset(Z),
    C = iolist_to_binary(zlib:deflate(Z, ?DATA, finish)),
    show(reset_header, binary:part(C, 0, 2)),
    show(reset_plain, zlib:uncompress(C) =:= ?DATA),
    ok = zlib:deflateEnd(Z),
    ok = zlib:inflateInit(Z, -15),
    ok = zlib:inflateSetDictionary(Z, ?DICT),
    ok = zlib:inflateReset(Z),
    show(inflate_reset_window, zlib:inflateGetDictionary(Z)),
    show(unfinished_end, e(fun() -> zlib:inflateEnd(Z) end)),
    zlib:close(Z).

refused() ->
    Z = zlib:open(),
    show(idle_deflate_set, e(fun() -> zlib:deflateSetDictionary(Z, ?DICT) end)),
    show(idle_inflate_set, e(fun() -> zlib:inflateSetDictionary(Z, ?DICT) end)),
    show(idle_get, e(fun() -> zlib:inflateGetDictionary(Z) end)),
    ok = zlib:deflateInit(Z),
    show(not_iodata, e(fun() -> zlib:deflateSetDictionary(Z, foo) end)),
    show(deflating_inflate_set, e(fun() -> zlib:inflateSetDictionary(Z, ?DICT) end)),
    show(deflating_get, e(fun() -> zlib:inflateGetDictionary(Z) end)),
    _ = zlib:deflate(Z, <<"abc">>),
    show(after_data, e(fun() -> zlib:deflateSetDictionary(Z, ?DICT) end)),
    _ = zlib:deflate(Z, <<"abc">>, sync),
    show(after_sync, e(fun() -> zlib:deflateSetDictionary(Z, ?DICT) end)),
    _ = zlib:deflate(Z, <<>>, finish),
    ok = zlib:deflateEnd(Z),
    ok = zlib:deflateInit(Z, default, deflated, 31, 8, default),
    show(gzip_deflate_set, e(fun() -> zlib:deflateSetDictionary(Z, ?DICT) end)),
    ok = zlib:deflateEnd(Z),
    ok = zlib:inflateInit(Z, 31),
    show(gzip_inflate_set, e(fun() -> zlib:inflateSetDictionary(Z, ?DICT) end)),
    ok = zlib:inflateReset(Z),
    show(inflating_deflate_set, e(fun() -> zlib:deflateSetDictionary(Z, ?DICT) end)),
    zlib:close(Z),
    show(closed, e(fun() -> zlib:deflateSetDictionary(Z, ?DICT) end)),
    show(closed_get, e(fun() -> zlib:inflateGetDictionary(Z) end)),
    show(not_a_stream, e(fun() -> zlib:inflateSetDictionary(foo, ?DICT) end)),
    Self = self(),
    Z2 = zlib:open(),
    ok = zlib:inflateInit(Z2),
    spawn(fun() -> Self ! {other, e(fun() -> zlib:inflateGetDictionary(Z2) end)} end),
    receive {other, R} -> show(other_process, R) end,
    zlib:close(Z2).
