%% BIFs of erlang and os that programs and OTP libraries call and that a single-node,
%% single-scheduler runtime answers as erl does: send_nosuspend, spawn_request and its
%% replies, perf_counter, checksum combination, time conversion, process and system flags
%% about scheduling and collection, code queries, and what has no port or distribution.
-module(t_erlang_misc).
-export([main/0]).

show(What, X) -> io:format("~p: ~p~n", [What, X]).

err(F) ->
    try F() of V -> {value, V}
    catch C:R:S ->
        Cause = case S of
                    [{_, _, _, Info} | _] ->
                        maps:get(cause, proplists:get_value(error_info, Info, #{}), none);
                    _ -> none
                end,
        {C, R, Cause}
    end.

reply(Tag) ->
    receive
        {Tag, _, Outcome, Value} when is_pid(Value) -> {Tag, Outcome, pid};
        {Tag, _, Outcome, Value} -> {Tag, Outcome, Value}
    after 500 -> none
    end.

main() ->
    show(send_nosuspend, erlang:send_nosuspend(self(), a)),
    show(send_nosuspend3, erlang:send_nosuspend(self(), b, [noconnect])),
    show(got, [receive X -> X after 100 -> none end || _ <- [1, 2]]),
    show(bump, erlang:bump_reductions(100)),
    show(perf_counter, is_integer(os:perf_counter())),
    show(perf_counter_ms, is_integer(os:perf_counter(millisecond))),
    show(flag_scheduler, process_flag(scheduler, 0)),
    show(flag_fullsweep, process_flag(fullsweep_after, 10)),
    show(flag_bad, err(fun() -> process_flag(no_such_flag, true) end)),
    show(spawn_opt, is_pid(spawn_opt(fun() -> ok end, [{fullsweep_after, 5}, {scheduler, 1}]))),
    R1 = erlang:spawn_request(fun() -> ok end),
    show(spawn_request, {is_reference(R1), reply(spawn_reply)}),
    _ = erlang:spawn_request(lists, seq, [1, 2], [{reply_tag, my_tag}]),
    show(spawn_request_tag, reply(my_tag)),
    _ = erlang:spawn_request(node(), fun() -> ok end),
    show(spawn_request_node, reply(spawn_reply)),
    _ = erlang:spawn_request(node(), lists, seq, [1, 2]),
    show(spawn_request_node_mfa, reply(spawn_reply)),
    _ = erlang:spawn_request(node(), lists, seq, [1, 2], [{reply, error_only}]),
    show(spawn_request_error_only, reply(spawn_reply)),
    _ = erlang:spawn_request(fun() -> ok end, [{reply, no}]),
    show(spawn_request_no, reply(spawn_reply)),
    R2 = erlang:spawn_request(fun() -> exit(bye) end, [monitor]),
    show(spawn_request_monitor, reply(spawn_reply)),
    show(down, receive {'DOWN', R2, process, _, Why} -> Why after 500 -> none end),
    show(abandon, erlang:spawn_request_abandon(make_ref())),
    show(abandon_bad, err(fun() -> erlang:spawn_request_abandon(x) end)),
    show(spawn_request_bad, err(fun() -> erlang:spawn_request(x) end)),
    R3 = erlang:spawn_request(fun() -> ok end, [{reply, maybe}]),
    show(spawn_request_other_reply, {is_reference(R3), reply(spawn_reply)}),
    show(time_offset_monitor, is_reference(erlang:monitor(time_offset, clock_service))),
    A = <<"hello ">>, B = <<"world">>,
    show(crc32_combine, erlang:crc32_combine(erlang:crc32(A), erlang:crc32(B), byte_size(B))
                       =:= erlang:crc32(<<A/binary, B/binary>>)),
    show(crc32_combine_values, [erlang:crc32_combine(X, Y, N) || {X, Y, N} <- [{1, 2, 3}, {0, 0, 0}, {16#ffffffff, 7, 1000}]]),
    show(adler32_combine, erlang:adler32_combine(erlang:adler32(A), erlang:adler32(B), byte_size(B))
                          =:= erlang:adler32(<<A/binary, B/binary>>)),
    show(adler32_combine_values, [erlang:adler32_combine(X, Y, N) || {X, Y, N} <- [{1, 2, 3}, {1, 1, 0}, {16#ffff0000, 7, 70000}]]),
    show(combine_bad, err(fun() -> erlang:crc32_combine(-1, 0, 0) end)),
    show(posix, [erlang:universaltime_to_posixtime(T) || T <- [{{1970,1,1},{0,0,10}}, {{2000,2,29},{23,59,59}}]]),
    show(posix_bad, err(fun() -> erlang:universaltime_to_posixtime({{2001,2,29},{0,0,0}}) end)),
    show(set_cookie, err(fun() -> erlang:set_cookie(node(), abc) end)),
    show(port_command, err(fun() -> erlang:port_command(self(), <<>>) end)),
    show(on_load_call, err(fun() -> erlang:call_on_load_function(x) end)),
    show(pre_loaded, lists:sort(erlang:pre_loaded())),
    show(loaded, lists:member(lists, erlang:loaded())),
    show(check_process_code, erlang:check_process_code(self(), lists)),
    show(system_flag_fullsweep, erlang:system_flag(fullsweep_after, 10)),
    halt().
