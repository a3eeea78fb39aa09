%% Timers with options, time offsets and conversions, system and memory information.
-module(t_bifs_time).
-export([main/0]).

err(F) ->
    try F() catch C:R -> {C, R} end.

main() ->
    T1 = erlang:start_timer(20, self(), tick, []),
    erlang:display({start_timer4, receive {timeout, T1, tick} -> ok after 1000 -> timeout end}),
    Now = erlang:monotonic_time(millisecond),
    T2 = erlang:send_after(Now + 20, self(), abs_msg, [{abs, true}]),
    erlang:display({send_after_abs, is_reference(T2), receive abs_msg -> ok after 1000 -> timeout end}),
    T3 = erlang:send_after(10, self(), rel_msg, [{abs, false}]),
    erlang:display({send_after_rel, is_reference(T3), receive rel_msg -> ok after 1000 -> timeout end}),
    %% A time just passed: erl refuses (badarg) a time before its node started, and Now can
    %% be less than 100 ms after that on a quick start.
    T4 = erlang:start_timer(Now - 5, self(), past, [{abs, true}]),
    erlang:display({past, receive {timeout, T4, past} -> ok after 1000 -> timeout end}),
    T5 = erlang:send_after(10000, self(), never),
    erlang:display({read2, is_integer(erlang:read_timer(T5, []))}),
    erlang:display({read_async, erlang:read_timer(T5, [{async, true}]),
                    receive {read_timer, T5, Ms} -> is_integer(Ms) after 1000 -> timeout end}),
    erlang:display({cancel_noinfo, erlang:cancel_timer(T5, [{info, false}])}),
    erlang:display({cancel_again, erlang:cancel_timer(T5, [{async, false}, {info, true}])}),
    T6 = erlang:send_after(10000, self(), never),
    erlang:display({cancel_async, erlang:cancel_timer(T6, [{async, true}, {info, true}]),
                    receive {cancel_timer, T6, Left} -> is_integer(Left) andalso Left > 9000 after 1000 -> timeout end}),
    erlang:display({cancel_async_dead, erlang:cancel_timer(T6, [{async, true}]),
                    receive {cancel_timer, T6, R6} -> R6 after 1000 -> timeout end}),
    erlang:display({bad_opt, err(fun() -> erlang:send_after(10, self(), x, [bogus]) end)}),
    erlang:display({bad_abs, err(fun() -> erlang:start_timer(10, self(), x, [{abs, maybe}]) end)}),
    %% An absolute time before the node started is badarg; its start itself is in the past.
    Start = erlang:convert_time_unit(erlang:system_info(start_time), native, millisecond),
    erlang:display({before_start, err(fun() -> erlang:start_timer(Start - 1, self(), x, [{abs, true}]) end),
                    err(fun() -> erlang:send_after(Start - 1000, self(), x, [{abs, true}]) end),
                    is_reference(erlang:send_after(Start, self(), at_start, [{abs, true}])),
                    receive at_start -> ok after 1000 -> timeout end,
                    Start =< erlang:monotonic_time(millisecond)}),
    erlang:display({bad_cancel, err(fun() -> erlang:cancel_timer(T6, [{info, 1}]) end)}),
    erlang:display({bad_read, err(fun() -> erlang:read_timer(T6, [{info, true}]) end)}),
    erlang:display({offset, is_integer(erlang:time_offset()), is_integer(erlang:time_offset(second))}),
    Sys = erlang:system_time(second),
    Mono = erlang:monotonic_time(second),
    erlang:display({offset_sum, abs(Mono + erlang:time_offset(second) - Sys) =< 1}),
    erlang:display({bad_unit, catch erlang:time_offset(fortnight)}),
    erlang:display({convert, erlang:convert_time_unit(1500, millisecond, second),
                    erlang:convert_time_unit(-1500, millisecond, second),
                    erlang:convert_time_unit(3, second, microsecond)}),
    {Mega, S, Micro} = erlang:timestamp(),
    erlang:display({timestamp, is_integer(Mega + S + Micro)}),
    %% The OS name is the platform's (linux under erl and the host runner, xenbeam in the
    %% image); the family is unix everywhere.
    {Family, OsName} = os:type(),
    erlang:display({os_type, Family, is_atom(OsName)}),
    erlang:display({filename, filename:join(["a", "b", "c.erl"]), filename:absname_join("/x", "y")}),
    erlang:display({info, erlang:system_info(wordsize), erlang:system_info(otp_release),
                    erlang:system_info(machine), is_integer(erlang:system_info(schedulers)),
                    is_integer(erlang:system_info(logical_processors))}),
    Mem = erlang:memory(),
    erlang:display({memory_keys, [K || {K, _} <- Mem]}),
    erlang:display({memory_ints, lists:all(fun({_, V}) -> is_integer(V) andalso V >= 0 end, Mem)}),
    erlang:display({memory_one, is_integer(erlang:memory(total)), length(erlang:memory([ets, code]))}),
    erlang:display({memory_bad, catch erlang:memory(nothing)}),
    erlang:display({exported, erlang:function_exported(erlang, length, 1),
                    erlang:function_exported(erlang, no_such_bif, 1),
                    erlang:function_exported(lists, reverse, 1)}),
    erlang:display({io, io:printable_range(), io:columns(), io:getopts(), io:setopts([])}),
    erlang:display(lists:flatten(io_lib:format("~tp ~tp", [[1, 2, 3], <<"bin">>]))),
    erlang:halt(0).
