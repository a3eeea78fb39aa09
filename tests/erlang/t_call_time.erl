%% Call time tracing: trace_pattern/3 with call_time (true, [], pause, restart, false,
%% on_load, beside call_count and local), trace_info/2 call_time and all; only processes
%% traced with `call` are timed, per process; a tail-recursive loop, a body recursion and
%% an exception through timed functions; a callee's time is not its caller's, and time
%% asleep is not counted; errors and their causes. Pids are printed as self/other, times
%% only as comparisons that hold with a wide margin.
-module(t_call_time).
-export([main/0, a/1, b/1, loop/1, rec/1, busy/1, caller/0, sleeper/0, nap/0, boom/0,
         wrap/0, tail/1]).
a(N) -> b(N) + 1.
b(N) -> N * 2.
loop(0) -> ok;
loop(N) -> loop(N - 1).
rec(0) -> 0;
rec(N) -> 1 + rec(N - 1).
busy(0) -> ok;
busy(N) -> busy(N - 1).
caller() -> busy(1000000), ok.
sleeper() -> nap(), ok.
nap() -> receive after 50 -> ok end.
tail(N) -> busy(N).
boom() -> erlang:error(oops).
wrap() -> try boom() catch error:oops -> caught end.
p(X) -> io:format("~p~n", [X]).
%% {call_time, Data} with pids named and times checked: [{Who, Calls, TimesOk}], sorted.
ct(F, A) -> ct(F, A, self()).
ct(F, A, Me) ->
    case erlang:trace_info({t_call_time, F, A}, call_time) of
        {call_time, L} when is_list(L) ->
            lists:sort([{who(P, Me), N, is_integer(S) andalso S >= 0 andalso is_integer(U)
                         andalso U >= 0 andalso U < 1000000} || {P, N, S, U} <- L]);
        Other -> Other
    end.
who(P, P) -> self;
who(P, _) when is_pid(P) -> other.
us(F, A) ->
    {call_time, L} = erlang:trace_info({t_call_time, F, A}, call_time),
    lists:sum([S * 1000000 + U || {P, _, S, U} <- L, P =:= self()]).
%% trace_info(MFA, all) with the call_time figures as ct/2 gives them.
all(F, A) ->
    {all, L} = erlang:trace_info({t_call_time, F, A}, all),
    [case I of {call_time, _} -> {call_time, ct(F, A)}; _ -> I end || I <- L].
cause(F) ->
    try F() of V -> V
    catch error:R:St ->
        [{_, _, _, Info} | _] = St,
        {R, maps:get(cause, proplists:get_value(error_info, Info, #{}), none)}
    end.
main() ->
    M = t_call_time,
    N = length(M:module_info(functions)),
    p(erlang:trace_pattern({M, '_', '_'}, true, [call_time]) =:= N),
    p([ct(a, 1), ct(nope, 0)]),
    p(erlang:trace_info({M, a, 1}, all)),
    %% Not traced with call: nothing is timed.
    a(1),
    p(ct(a, 1)),
    erlang:trace(self(), true, [call]),
    a(1), a(2), loop(10), rec(100),
    p([ct(a, 1), ct(b, 1), ct(loop, 1), ct(rec, 1)]),
    %% A callee's time is not charged to its caller (busy runs long, caller hardly at all);
    %% a tail call leaves no time to the caller either.
    caller(),
    tail(1000000),
    p([ct(caller, 0), ct(busy, 1), ct(tail, 1)]),
    p({us(caller, 0) * 20 < us(busy, 1), us(tail, 1) * 20 < us(busy, 1)}),
    %% Time asleep is not counted: nap waits 50 ms.
    sleeper(),
    p({ct(sleeper, 0), ct(nap, 0), us(nap, 0) < 25000, us(sleeper, 0) < 25000}),
    %% An exception through timed functions.
    p(wrap()),
    a(3),
    p([ct(wrap, 0), ct(boom, 0), ct(a, 1)]),
    p(try boom() catch error:oops:St -> [{Mo, F, Ar} || {Mo, F, Ar, _} <- St] end),
    %% Pause keeps the figures, restart forgets them, false takes the timing away.
    p(erlang:trace_pattern({M, a, 1}, pause, [call_time])),
    a(4),
    p([ct(a, 1), ct(b, 1)]),
    p(all(a, 1)),
    p(erlang:trace_pattern({M, '_', '_'}, restart, [call_time]) =:= N),
    p([ct(a, 1), ct(b, 1), ct(loop, 1)]),
    a(5),
    p([ct(a, 1), ct(b, 1)]),
    %% Another process traced with call: its own figures.
    Me = self(),
    P = spawn(fun() -> receive go -> a(1), a(2), b(3), Me ! done end end),
    erlang:trace(P, true, [call]),
    P ! go,
    receive done -> ok end,
    p([ct(a, 1), ct(b, 1)]),
    %% The trace flag off: no more timing.
    erlang:trace(self(), false, [call]),
    a(6),
    p(ct(a, 1)),
    p(erlang:trace_pattern({M, '_', '_'}, false, [call_time]) =:= N),
    p([ct(a, 1), erlang:trace_info({M, a, 1}, all)]),
    %% Beside call_count and local.
    p(erlang:trace_pattern({M, b, 1}, true, [call_time, call_count])),
    p(erlang:trace_info({M, b, 1}, all)),
    p(erlang:trace_pattern({M, b, 1}, true, [local, call_time])),
    p(erlang:trace_info({M, b, 1}, all)),
    p(erlang:trace_pattern({M, b, 1}, false, [call_time, call_count, local])),
    p(erlang:trace_info({M, b, 1}, all)),
    p(erlang:trace_pattern({M, b, 1}, [], [call_time])),
    p(ct(b, 1)),
    p(erlang:trace_pattern({M, b, 1}, false, [call_time])),
    %% A local pattern with {caller} over timed functions: the caller is the timed one.
    T = spawn(fun() -> receive {get, From} -> receive X -> From ! {got, X} end end end),
    erlang:trace(self(), true, [call, {tracer, T}]),
    erlang:trace_pattern({M, '_', '_'}, true, [call_time]),
    erlang:trace_pattern({M, b, 1}, [{'_', [], [{message, {caller}}]}], [local]),
    a(7),
    T ! {get, self()},
    p(receive {got, {trace, _, call, MFA, Caller}} -> {MFA, Caller} after 1000 -> none end),
    erlang:trace(self(), false, [call]),
    erlang:trace_pattern({M, '_', '_'}, false, [call_time, local]),
    %% on_load.
    p(erlang:trace_pattern(on_load, true, [call_time])),
    p(erlang:trace_info(on_load, call_time)),
    p(erlang:trace_pattern(on_load, pause, [call_time])),
    p(erlang:trace_pattern(on_load, false, [call_time])),
    p(erlang:trace_info(on_load, call_time)),
    %% Errors.
    p([cause(F) || F <- [
        fun() -> erlang:trace_pattern({M, a, 1}, [{'_', [], []}], [call_time]) end,
        fun() -> erlang:trace_pattern({M, a, 1}, foo, [call_time]) end,
        fun() -> erlang:trace_pattern({M, a, 1}, true, [call_time, global]) end,
        fun() -> erlang:trace_pattern({M, a, 1}, true, [global, call_time]) end,
        fun() -> erlang:trace_pattern({M, a, 1}, true, [call_time, bogus]) end,
        fun() -> erlang:trace_pattern({M, a, 1}, true, [call_time | x]) end,
        fun() -> erlang:trace_pattern({'_', a, '_'}, true, [call_time]) end,
        fun() -> erlang:trace_pattern(foo, true, [call_time]) end,
        fun() -> erlang:trace_pattern({nomod, '_', '_'}, true, [call_time]) end,
        fun() -> erlang:trace_pattern({M, nofun, '_'}, true, [call_time]) end,
        fun() -> erlang:trace_info({M, nofun, 0}, call_time) end
    ]]),
    halt().
