%% Call counting: trace_pattern/3 with call_count (true, [], pause, restart, false, on_load),
%% trace_info/2 call_count and all, together with a local trace pattern; OTP's cprof over it.
-module(t_cprof).
-export([main/0, f/1, g/1]).
f(X) -> g(X) + 1.
g(X) -> X * 2.
loop(0) -> ok;
loop(N) -> t_cprof:f(N), loop(N - 1).
main() ->
    P = fun(X) -> io:format("~p~n", [X]) end,
    P(erlang:trace_pattern({t_cprof, '_', '_'}, true, [call_count])),
    loop(10),
    P([erlang:trace_info({t_cprof, F, A}, call_count) || {F, A} <- [{f,1}, {g,1}, {loop,1}, {main,0}]]),
    P(erlang:trace_pattern({t_cprof, f, 1}, pause, [call_count])),
    loop(5),
    P([erlang:trace_info({t_cprof, F, A}, call_count) || {F, A} <- [{f,1}, {g,1}]]),
    P(erlang:trace_pattern({t_cprof, f, 1}, restart, [call_count])),
    loop(3),
    P([erlang:trace_info({t_cprof, F, A}, call_count) || {F, A} <- [{f,1}, {g,1}]]),
    P(erlang:trace_info({t_cprof, f, 1}, all)),
    P(erlang:trace_pattern({t_cprof, g, 1}, true, [local])),
    P(erlang:trace_info({t_cprof, g, 1}, all)),
    loop(2),
    P(erlang:trace_info({t_cprof, g, 1}, call_count)),
    P(erlang:trace_pattern({t_cprof, g, 1}, false, [local])),
    P(erlang:trace_pattern({t_cprof, '_', '_'}, false, [call_count])),
    P(erlang:trace_info({t_cprof, f, 1}, call_count)),
    P(catch erlang:trace_pattern({t_cprof, f, 1}, [], [call_count])),
    P(catch erlang:trace_pattern({t_cprof, f, 1}, true, [call_count, local])),
    P(erlang:trace_pattern(on_load, true, [call_count])),
    P(erlang:trace_pattern(on_load, false, [call_count])),
    P(cprof:start(t_cprof)),
    loop(4),
    P(cprof:pause() > 0),
    P(cprof:analyse(t_cprof)),
    P(cprof:stop() > 0),
    halt().
