%% Digests and checksums of long binaries share the node: while one process runs
%% erlang:md5/1, md5_update/2, crc32/1,2 or adler32/1,2 over 24 MB, others run (erl's BIFs
%% trap when their slice of work is used up). A ticker process told to go just before the
%% call must have sent its tick before the call returns. Results are erl's, also for an
%% MD5 context fed in thousands of small pieces, and for bad arguments.
-module(t_trap_digest).
-export([main/0]).

during(Tag, F) ->
    Ticker = ticker(),
    erlang:yield(),
    Ticker ! go,
    Start = erlang:monotonic_time(),
    R = try F() catch C:E -> {C, E} end,
    Done = erlang:monotonic_time(),
    %% Ticked during the call: the tick was sent after the call began and before it
    %% returned (the ticker may also run when the caller is preempted before or after it).
    Ticked = receive {tick, At} -> Start < At andalso At < Done end,
    erlang:display({Tag, R}),
    erlang:display({Tag, ticked_during_call, Ticked}).

main() ->
    Big = binary:copy(<<"0123456789abcdef-xyz">>, 1200000),
    <<_:3, Unaligned:99999/binary, _:5>> = binary:part(Big, 0, 100000),
    during(md5, fun() -> erlang:md5(Big) end),
    during(md5_update, fun() ->
        C = erlang:md5_update(erlang:md5_init(), <<"head">>),
        C2 = erlang:md5_update(C, Big),
        {byte_size(C2), erlang:md5_final(erlang:md5_update(C2, "tail"))}
    end),
    during(crc32, fun() -> erlang:crc32(Big) end),
    during(crc32_2, fun() -> erlang:crc32(12345, Big) end),
    during(adler32, fun() -> erlang:adler32(Big) end),
    during(adler32_2, fun() -> erlang:adler32(67890, Big) end),
    erlang:display({unaligned, erlang:md5(Unaligned), erlang:crc32(Unaligned), erlang:adler32(Unaligned)}),
    Pieces = [integer_to_binary(I) || I <- lists:seq(1, 20000)],
    Fed = lists:foldl(fun(P, C) -> erlang:md5_update(C, P) end, erlang:md5_init(), Pieces),
    erlang:display({pieces, erlang:md5_final(Fed) =:= erlang:md5(Pieces), erlang:md5(Pieces)}),
    erlang:display({iolist, erlang:md5([<<"a">>, "bc", [$d | <<"e">>]]), erlang:crc32(["ab", <<"c">>])}),
    erlang:display({bad_context, try erlang:md5_update(<<"short">>, <<"x">>) catch error:E1 -> E1 end}),
    erlang:display({bad_final, try erlang:md5_final(not_a_context) catch error:E2 -> E2 end}),
    erlang:display({bad_data, try erlang:md5([a]) catch error:E3 -> E3 end}),
    erlang:display({bad_initial, try erlang:crc32(-1, Big) catch error:E -> E end}),
    erlang:display({empty, erlang:md5(<<>>), erlang:crc32(<<>>), erlang:adler32(<<>>)}),
    erlang:halt(0).

ticker() ->
    Self = self(),
    spawn(fun() ->
        receive go -> ok end,
        Self ! {tick, erlang:monotonic_time()}
    end).
