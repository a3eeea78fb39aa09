-module(t_timers).
-export([main/0, ring/2]).

%% Timers as programs use them: timer:send_interval/apply_after/send_after/cancel,
%% erlang:send_after/start_timer, read_timer and timeouts in receive.

ring(To, What) -> To ! {ring, What}.

drain(Tag) -> receive {Tag, _} -> drain(Tag) after 0 -> ok end.

collect(Tag, 0, Acc) -> {Tag, lists:reverse(Acc)};
collect(Tag, N, Acc) ->
    receive {Tag, X} -> collect(Tag, N - 1, [X | Acc]) after 2000 -> {timeout, lists:reverse(Acc)} end.

main() ->
    Self = self(),
    {ok, TRef} = timer:send_interval(100, {tick, x}),
    io:format("~p~n", [collect(tick, 3, [])]),
    io:format("~p~n", [timer:cancel(TRef)]),
    %% Ticks sent before the cancel took effect (more of them on a loaded machine) are
    %% dropped; after it, none come.
    drain(tick),
    receive {tick, _} -> io:format("tick after cancel~n") after 150 -> io:format("no ticks~n") end,
    {ok, _} = timer:apply_after(10, ?MODULE, ring, [Self, bell]),
    io:format("~p~n", [receive {ring, W} -> W after 1000 -> none end]),
    {ok, T2} = timer:send_after(500, never),
    io:format("~p~n", [timer:cancel(T2)]),
    {ok, _} = timer:send_after(5, soon),
    io:format("~p~n", [receive soon -> soon after 1000 -> late end]),
    R1 = erlang:send_after(1000, self(), later),
    Left = erlang:read_timer(R1),
    io:format("~p~n", [is_integer(Left) andalso Left =< 1000 andalso Left > 900]),
    io:format("~p~n", [is_integer(erlang:cancel_timer(R1))]),
    io:format("~p~n", [erlang:cancel_timer(R1)]),
    io:format("~p~n", [erlang:read_timer(R1)]),
    R2 = erlang:start_timer(10, self(), payload),
    io:format("~p~n", [receive {timeout, R2, Msg} -> Msg after 1000 -> none end]),
    R3 = erlang:send_after(200, self(), async_cancel),
    io:format("~p~n", [erlang:cancel_timer(R3, [{async, true}, {info, true}])]),
    io:format("~p~n", [receive {cancel_timer, R3, Res} -> is_integer(Res) orelse Res after 100 -> none end]),
    receive async_cancel -> io:format("delivered anyway~n") after 250 -> ok end,
    %% Several timers in order of their deadlines, not of their starting.
    [erlang:send_after(T, self(), {order, T}) || T <- [400, 100, 300, 200]],
    io:format("~p~n", [collect(order, 4, [])]),
    T0 = erlang:monotonic_time(millisecond),
    timer:sleep(30),
    io:format("~p~n", [erlang:monotonic_time(millisecond) - T0 >= 30]),
    {Micros, Val} = timer:tc(fun() -> lists:sum(lists:seq(1, 1000)) end),
    io:format("~p~n", [{is_integer(Micros), Val}]),
    io:format("~p~n", [{timer:seconds(2), timer:minutes(1), timer:hours(1), timer:hms(1, 2, 3)}]),
    io:format("~p~n", [receive unexpected -> yes after 0 -> no end]),
    {ok, K} = timer:kill_after(20, spawn(fun() -> receive _ -> ok end end)),
    io:format("~p~n", [element(1, K)]),
    P = spawn(fun() -> receive _ -> ok end end),
    Ref = monitor(process, P),
    {ok, _} = timer:exit_after(10, P, stop_now),
    io:format("~p~n", [receive {'DOWN', Ref, process, P, Why} -> Why after 1000 -> none end]),
    %% Timers past 2^32 ms (about 50 days), relative and absolute; erl takes them up to where
    %% the deadline no longer fits its 64-bit monotonic clock in nanoseconds.
    Far = 1 bsl 33,
    R4 = erlang:send_after(Far, self(), far),
    io:format("~p~n", [near(erlang:read_timer(R4), Far)]),
    Now = erlang:monotonic_time(millisecond),
    R5 = erlang:start_timer(Now + Far, self(), far_abs, [{abs, true}]),
    io:format("~p~n", [near(erlang:read_timer(R5), Far)]),
    R6 = erlang:send_after(1 bsl 42, self(), farther),
    io:format("~p~n", [near(erlang:cancel_timer(R6), 1 bsl 42)]),
    io:format("~p~n", [try erlang:send_after(1 bsl 60, self(), never) catch error:E1 -> E1 end]),
    io:format("~p~n", [try erlang:start_timer(Now + (1 bsl 60), self(), never, [{abs, true}])
                       catch error:E2 -> E2 end]),
    io:format("~p~n", [[is_integer(erlang:cancel_timer(R)) || R <- [R4, R5]]]),
    halt().

%% Whether a timer's time left is within a second of Total.
near(Left, Total) -> is_integer(Left) andalso Left =< Total andalso Left > Total - 1000.
