%% erlang:trace_pattern/3 with `meta` beside `local`, `call_count` and `call_time` (erl
%% takes them together, not beside `global`): both changes made, `trace_info/2` showing
%% both, `pause` and `restart` leaving the meta pattern as it is, `false` removing all,
%% a match specification beside counting going to the meta pattern; and the meta tracer's
%% messages while the calls are counted.
-module(t_trace_meta_beside).
-export([main/0, f/1]).

f(X) -> X + 1.

show(S, Fl) ->
    R = (catch erlang:trace_pattern({?MODULE, f, 1}, S, Fl)),
    Shown = [case F of {meta, P} when is_pid(P) -> {meta, pid}; _ -> F end || F <- Fl],
    erlang:display({S, Shown, case R of
                               {'EXIT', {E, [{_, _, _, I} | _]}} ->
                                   {E, proplists:get_value(error_info, I)};
                               _ -> R
                           end}).

info() ->
    {all, All} = erlang:trace_info({?MODULE, f, 1}, all),
    erlang:display(case All of
                       false -> false;
                       _ -> [{K, case V of P when is_pid(P) -> pid; _ -> V end} || {K, V} <- All]
                   end).

collector(Acc) ->
    receive
        {dump, From} -> From ! {calls, lists:reverse(Acc)};
        {trace_ts, _, call, MFA, _} -> collector([MFA | Acc]);
        Other -> collector([{other, Other} | Acc])
    end.

calls(C) ->
    C ! {dump, self()},
    receive {calls, L} -> L end.

main() ->
    show(true, [meta, call_count]), info(),
    [f(I) || I <- lists:seq(1, 3)], info(),
    show(pause, [meta, call_count]), info(),
    f(4), info(),
    show(restart, [meta, call_count]), info(),
    show([{[1], [], []}], [meta, call_count]), info(),
    show(false, [meta, call_count]), info(),
    show(true, [meta, local]), info(),
    show(false, [meta, local]), info(),
    show(true, [{meta, self()}, call_time, local]), info(),
    show(false, [{meta, self()}, call_time, local]), info(),
    show(true, [meta, {meta, self()}]), info(),
    show(true, [meta, local, global]),
    show(pause, [meta]), info(),
    show(false, [meta]),
    show(true, [meta, call_count, global]),
    show(true, [meta, call_time, call_count]), info(),
    show(false, [meta, call_time, call_count]), info(),
    %% A meta tracer of its own, with counting beside: each call is counted and told.
    C = spawn(fun() -> collector([]) end),
    show([{[2], [], []}], [{meta, C}, call_count]),
    [f(I) || I <- lists:seq(1, 3)],
    info(),
    erlang:display(calls(C)),
    show(false, [{meta, C}, call_count]), info(),
    halt().
