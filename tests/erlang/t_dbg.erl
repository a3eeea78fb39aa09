%% dbg (OTP's runtime_tools) over erlang:trace/3 and trace_pattern/3: a tracer process with
%% a handler fun, call patterns with dbg's shortcuts (x, cx, c), fun2ms, message tracing,
%% and taking patterns away.
-module(t_dbg).
-export([main/0, area/1, dist/2, helper/1, boom/1, safe/1]).
-include_lib("stdlib/include/ms_transform.hrl").

area({square, S}) -> S * S;
area({circle, R}) -> 3 * R * R.

dist(A, B) -> helper(A - B).

helper(D) when D < 0 -> -D;
helper(D) -> D.

boom(R) -> erlang:error(R).

safe(R) ->
    try t_dbg:boom(R) of
        V -> V
    catch
        error:E -> {caught, E}
    end.

%% Everything the handler got so far, in order, pids shown by role.
drain(Names) ->
    receive
        {dbg, M} -> [anon(M, Names) | drain(Names)]
    after 100 -> []
    end.

anon(P, Names) when is_pid(P) ->
    case lists:keyfind(P, 1, Names) of
        {_, N} -> N;
        false -> other_pid
    end;
anon(T, Names) when is_tuple(T) -> list_to_tuple([anon(E, Names) || E <- tuple_to_list(T)]);
anon([H | T], Names) -> [anon(H, Names) | anon(T, Names)];
anon(X, _) -> X.

show(What, X) -> io:format("~p: ~p~n", [What, X]).

main() ->
    Self = self(),
    Names = [{Self, main}],
    {ok, Tracer} = dbg:tracer(process, {fun(Msg, N) -> Self ! {dbg, Msg}, N + 1 end, 0}),
    show(tracer, is_pid(Tracer)),
    show(p_calls, dbg:p(self(), [c])),
    show(tp_x, dbg:tp(t_dbg, area, 1, x)),
    show(area, {t_dbg:area({square, 3}), t_dbg:area({circle, 2})}),
    show(events, drain(Names)),
    show(tpl_cx, dbg:tpl(t_dbg, helper, cx)),
    show(dist, t_dbg:dist(2, 5)),
    show(events, drain(Names)),
    show(ctpl, dbg:ctpl(t_dbg, helper)),
    show(fun2ms, dbg:tpl(t_dbg, dist, dbg:fun2ms(fun([A, _]) when A > 10 -> return_trace() end))),
    show(dists, {t_dbg:dist(1, 2), t_dbg:dist(20, 2)}),
    show(events, drain(Names)),
    show(tp_boom, dbg:tp(t_dbg, boom, 1, x)),
    show(tp_safe, dbg:tp(t_dbg, safe, 1, x)),
    show(caught, catch t_dbg:boom(oops)),
    show(safe, t_dbg:safe(bad)),
    show(events, drain(Names)),
    {ok, [{matched, _, Cleared}]} = dbg:ctp(),
    show(ctp_all, Cleared > 0),
    show(untraced, t_dbg:dist(30, 2)),
    show(events, drain(Names)),
    show(p_off, dbg:p(self(), clear)),
    Echo = spawn(fun Loop() -> receive {From, X} -> From ! {echo, X}, Loop() end end),
    show(p_msgs, dbg:p(Echo, [m])),
    Echo ! {self(), hello},
    receive {echo, hello} -> ok end,
    show(events, drain([{Echo, echo} | Names])),
    show(stop, dbg:stop()),
    halt().
