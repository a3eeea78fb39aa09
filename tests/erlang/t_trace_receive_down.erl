%% The sender a 'receive' trace pattern sees for 'DOWN' messages: the process that ended,
%% whether it was monitored by pid, by registered name or by {Name, Node}; undefined for a
%% monitor of a name nobody holds (noproc).
-module(t_trace_receive_down).
-export([main/0]).

main() ->
    Self = self(),
    Tr = spawn(fun() -> tracer([]) end),
    erlang:trace(Self, true, ['receive', {tracer, Tr}]),
    %% Only 'DOWN' messages, with the sender added to the trace message.
    1 = erlang:trace_pattern('receive',
                             [{['_', '$1', {'DOWN', '_', '_', '_', '_'}], [], [{message, '$1'}]}],
                             []),
    T1 = target(t_down_a),
    M1 = monitor(process, t_down_a),
    T1 ! go,
    receive {'DOWN', M1, _, _, _} -> ok end,
    T2 = target(t_down_b),
    M2 = monitor(process, T2),
    exit(T2, kill),
    receive {'DOWN', M2, _, _, _} -> ok end,
    T3 = target(t_down_c),
    M3 = monitor(process, {t_down_c, node()}),
    exit(T3, {shutdown, 3}),
    receive {'DOWN', M3, _, _, _} -> ok end,
    M4 = monitor(process, t_down_nobody),
    receive {'DOWN', M4, _, _, _} -> ok end,
    Self ! {not_down, 1},
    receive {not_down, 1} -> ok end,
    erlang:trace(Self, false, ['receive']),
    Tr ! {dump, Self, [{T1, t1}, {T2, t2}, {T3, t3}]},
    receive {events, Es} -> lists:foreach(fun(E) -> erlang:display(E) end, Es) end,
    halt().

target(Name) ->
    T = spawn(fun() -> receive go -> ok end end),
    register(Name, T),
    T.

tracer(Acc) ->
    receive
        {dump, From, Names} ->
            From ! {events, [{Obj, R, who(S, Names)} || {Obj, R, S} <- lists:reverse(Acc)]};
        {trace, _, 'receive', {'DOWN', _, process, Obj, R}, Sender} ->
            tracer([{obj(Obj), R, Sender} | Acc]);
        {trace, _, 'receive', Other} ->
            tracer([{unexpected, Other} | Acc])
    end.

obj(P) when is_pid(P) -> pid;
obj(X) -> X.

who(P, Names) when is_pid(P) ->
    case lists:keyfind(P, 1, Names) of
        {_, N} -> N;
        false -> other_pid
    end;
who(X, _) -> X.
