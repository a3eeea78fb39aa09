-module(t_timer_errors).
-export([main/0]).

%% How the timer BIFs reject bad arguments, as erl does: a bad time is badarg with
%% `cause => time' in the frame's error_info, a bad option list `cause => badopt' (looked at
%% first), a bad destination plain badarg; an absolute time in the past fires at once, one
%% before the node started is a bad time; cancel_timer and read_timer give no cause.

main() ->
    R = make_ref(),
    Cases =
        [{relative_negative, fun() -> erlang:send_after(-1, self(), x) end},
         {too_long, fun() -> erlang:start_timer(1 bsl 62, self(), x) end},
         {bad_destination, fun() -> erlang:send_after(1, 1.0, x) end},
         {bad_time_and_destination, fun() -> erlang:send_after(-1, 1.0, x) end},
         {atom_time, fun() -> erlang:send_after(a, self(), x) end},
         {bignum_time, fun() -> erlang:start_timer(1 bsl 70, self(), x) end},
         {bad_abs_value, fun() -> erlang:send_after(1, self(), x, [{abs, 3}]) end},
         {improper_options, fun() -> erlang:send_after(1, self(), x, [{abs, true} | a]) end},
         {abs_in_the_past, fun() -> erlang:send_after(erlang:monotonic_time(millisecond) - 5, self(), abs_past, [{abs, true}]) end},
         {abs_before_the_start, fun() ->
                                        Start = erlang:convert_time_unit(erlang:system_info(start_time), native, millisecond),
                                        erlang:send_after(Start - 1000, self(), x, [{abs, true}])
                                end},
         {options_before_time, fun() -> erlang:send_after(-5, self(), x, [bad]) end},
         {unknown_option, fun() -> erlang:start_timer(1, self(), x, [bad]) end},
         {options_before_destination, fun() -> erlang:start_timer(1, 2, x, [bad]) end},
         {async_not_for_start, fun() -> erlang:start_timer(1, self(), x, [{async, true}]) end},
         {cancel_not_a_ref, fun() -> erlang:cancel_timer(a) end},
         {cancel_bad_option, fun() -> erlang:cancel_timer(R, [bad]) end},
         {read_info_option, fun() -> erlang:read_timer(R, [{info, true}]) end},
         {read_bad_async, fun() -> erlang:read_timer(R, [{async, 1}]) end},
         {read_not_a_ref, fun() -> erlang:read_timer(a) end}],
    lists:foreach(fun({Name, F}) -> io:format("~p: ~p~n", [Name, outcome(F)]) end, Cases),
    receive abs_past -> io:format("abs_past fired~n") after 1000 -> io:format("abs_past lost~n") end,
    halt().

outcome(F) ->
    try F() of
        Ref when is_reference(Ref) -> reference;
        Other -> Other
    catch
        error:Reason:Stack ->
            [{erlang, Fun, Args, Info} | _] = Stack,
            {Reason, Fun, length(Args), Info}
    end.
