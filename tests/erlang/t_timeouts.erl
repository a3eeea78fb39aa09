%% Receive timeouts and timers: after 0/N/infinity, send_after, start_timer, cancel/read.
-module(t_timeouts).
-export([main/0]).

main() ->
    Self = self(),
    erlang:display({after0, receive _ -> msg after 0 -> timeout end}),
    T0 = erlang:monotonic_time(millisecond),
    erlang:display({after50, receive _ -> msg after 50 -> timeout end}),
    erlang:display({waited, erlang:monotonic_time(millisecond) - T0 >= 50}),
    %% A message that arrives before the timeout ends the wait.
    spawn(fun() -> receive after 10 -> Self ! early end end),
    erlang:display({early, receive early -> got after 5000 -> timeout end}),
    %% send_after delivers later, in deadline order.
    erlang:send_after(30, Self, second),
    erlang:send_after(10, Self, first),
    erlang:display({send_after, receive M1 -> M1 end, receive M2 -> M2 end}),
    %% start_timer wraps the message with its reference.
    Ref = erlang:start_timer(5, Self, ping),
    erlang:display({start_timer, receive {timeout, Ref, ping} -> wrapped end}),
    %% A cancelled timer never fires; cancelling again returns false.
    R2 = erlang:send_after(20, Self, cancelled),
    Left = erlang:cancel_timer(R2),
    erlang:display({cancel, is_integer(Left) andalso Left =< 20, erlang:cancel_timer(R2),
                    receive cancelled -> fired after 60 -> quiet end}),
    R3 = erlang:send_after(1000, Self, later),
    erlang:display({read_timer, is_integer(erlang:read_timer(R3)), erlang:cancel_timer(R3) =/= false,
                    erlang:read_timer(R3)}),
    %% send_after to a registered name.
    register(timeouts_main, Self),
    erlang:send_after(5, timeouts_main, by_name),
    erlang:display({by_name, receive by_name -> ok after 1000 -> timeout end}),
    %% Timeouts inside a loop: an unmatched message does not restart the time.
    Self ! noise,
    erlang:display({unmatched, receive never -> never after 20 -> timeout end, flush()}),
    %% Several processes sleeping different times wake in deadline order.
    [spawn(fun() -> receive after T -> Self ! {woke, T} end end) || T <- [40, 10, 30, 20]],
    erlang:display({sleepers, [receive {woke, T} -> T end || _ <- [1, 2, 3, 4]]}),
    %% after infinity with a message waiting; a bad timeout value.
    Self ! here,
    erlang:display({infinity, receive here -> here after infinity -> never end}),
    erlang:display({bad_timeout, catch receive x -> x after -1 -> ok end}),
    {'EXIT', {BadTimer, _}} = (catch erlang:send_after(-5, Self, x)),
    erlang:display({badarg_timer, BadTimer}),
    erlang:halt(0).

flush() ->
    receive M -> [M | flush()] after 0 -> [] end.
