%% The save_calls flag as erl answers it: process_flag/2 and process_flag/3 (a live process's
%% save_calls only) give the old value; values from 0 to 10000; the causes of badarg;
%% last_calls is false while the flag is off, and an empty list for a process that set it
%% and has run no call since.
-module(t_save_calls).
-export([main/0]).

main() ->
    erlang:display(process_info(self(), last_calls)),
    P = spawn(fun() -> receive stop -> ok end end),
    erlang:display(process_info(P, last_calls)),
    erlang:display(process_flag(P, save_calls, 5)),
    erlang:display(process_flag(P, save_calls, 10000)),
    erlang:display(process_info(P, last_calls)),
    erlang:display(process_flag(P, save_calls, 0)),
    erlang:display(process_info(P, last_calls)),
    P ! stop,
    D = spawn(fun() -> ok end),
    Ref = monitor(process, D),
    receive {'DOWN', Ref, _, _, _} -> ok end,
    erlang:display(process_flag(save_calls, 0)),
    erlang:display(process_flag(self(), save_calls, 0)),
    [erlang:display(cause(catch process_flag(Pid, Flag, Value)))
     || {Pid, Flag, Value} <- [{D, save_calls, 5}, {foo, save_calls, 1}, {D, priority, high},
                               {self(), save_calls, a}, {self(), save_calls, 10001},
                               {self(), save_calls, -1}, {self(), priority, high},
                               {self(), trap_exit, true}]],
    [erlang:display(cause(catch process_flag(save_calls, Value)))
     || Value <- [10001, -1, a, 1.0]],
    halt().

cause({'EXIT', {Reason, [{erlang, process_flag, _, [{error_info, Info}]} | _]}}) ->
    {Reason, maps:get(cause, Info, no_cause)}.
