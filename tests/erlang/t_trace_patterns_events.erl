%% erlang:trace_pattern/3 on send and 'receive' events: the defaults, setting and resetting,
%% match specifications that filter on the receiver, the sender and the message (heads,
%% guards, several clauses), {message, false}, {message, Term} and {message, '$N'} adding an
%% element, a timer's and an exit message's sender, trace_info/2 and the errors.
-module(t_trace_patterns_events).
-export([main/0]).

show(What, X) -> io:format("~p: ~p~n", [What, X]).

err(F) ->
    try F() of V -> {value, V}
    catch error:R:S ->
        [{M, Fn, A, Info} | _] = S,
        {R, M, Fn, length(A), proplists:get_value(cause, maps:to_list(proplists:get_value(error_info, Info, #{})))}
    end.

%% Pids shown by role.
anon(P, Names) when is_pid(P) ->
    case lists:keyfind(P, 1, Names) of
        {_, N} -> N;
        false -> other
    end;
anon(R, _) when is_reference(R) -> ref;
anon(T, Names) when is_tuple(T) -> list_to_tuple([anon(E, Names) || E <- tuple_to_list(T)]);
anon([H | T], Names) -> [anon(H, Names) | anon(T, Names)];
anon(X, _) -> X.

%% Runs Body in a new process traced with Flags (its tracer: the caller), waits for it to
%% end and shows every message the caller got meanwhile.
run(What, Flags, Body) ->
    Self = self(),
    P = spawn(fun() -> receive go -> ok end, Body(Self), Self ! {done, self()} end),
    erlang:trace(P, true, Flags),
    P ! go,
    receive {done, P} -> ok end,
    R = erlang:trace_delivered(P),
    receive {trace_delivered, P, R} -> ok end,
    show(What, anon(flush(), [{Self, self}, {P, traced}])).

flush() ->
    receive
        {trace, _, _, {done, _}, _} -> flush();
        {trace, _, _, {done, _}, _, _} -> flush();
        M -> [M | flush()]
    after 0 -> []
    end.

main() ->
    Send = fun(Self) -> Self ! {x, 1}, Self ! {y, 2}, Self ! {x, a}, Self ! {x, 3}, self() ! z, receive z -> ok end end,
    %% Defaults and set/reset.
    show(default_send, erlang:trace_info(send, match_spec)),
    show(default_receive, erlang:trace_info('receive', match_spec)),
    show(set_nil, erlang:trace_pattern(send, [], [])),
    show(info_nil, erlang:trace_info(send, match_spec)),
    show(set_false, erlang:trace_pattern(send, false, [])),
    show(info_false, erlang:trace_info(send, match_spec)),
    run(send_false, [send], Send),
    show(set_true, erlang:trace_pattern(send, true, [])),
    show(info_true, erlang:trace_info(send, match_spec)),
    run(send_true, [send], Send),
    %% A filter on the receiver and the message, with the bound '$2' added.
    Self = self(),
    Spec = [{['$1', {x, '$2'}], [{'==', '$1', Self}, {is_integer, '$2'}], [{message, '$2'}]}],
    show(set_filter, erlang:trace_pattern(send, Spec, [])),
    show(info_filter, erlang:trace_info(send, match_spec) =:= {match_spec, Spec}),
    run(send_filter, [send], Send),
    %% The first matching clause decides; {message, false} and a constant.
    show(set_clauses, erlang:trace_pattern(send, [{['_', {y, '_'}], [], [{message, false}]},
                                                  {['_', '$1'], [{is_tuple, '$1'}], [{message, tuple}]},
                                                  {'_', [], []}], [])),
    run(send_clauses, [send], Send),
    %% '$_' is [Receiver, Msg]; a send to a registered name has the name as receiver.
    show(set_self, erlang:trace_pattern(send, [{['_', {y, '_'}], [], [{message, {self}}]}], [])),
    run(send_self, [send], Send),
    show(set_whole, erlang:trace_pattern(send, [{'_', [], [{message, '$_'}]}], [])),
    register(t_tpe_main, self()),
    run(send_whole, [send], fun(_) -> t_tpe_main ! hi end),
    unregister(t_tpe_main),
    show(set_name, erlang:trace_pattern(send, [{[t_tpe_main, '_'], [], [{message, by_name}]}], [])),
    register(t_tpe_main, self()),
    run(send_name, [send], fun(S) -> t_tpe_main ! a, S ! b end),
    unregister(t_tpe_main),
    show(set_off, erlang:trace_pattern(send, [{'_', [], [{message, false}]}], [])),
    run(send_off, [send], Send),
    show(reset_send, erlang:trace_pattern(send, true, [])),

    %% 'receive': [Node, Sender, Msg].
    Recv = fun(_) -> Other = spawn(fun() -> receive {to, P} -> P ! from_other end end),
                     Other ! {to, self()},
                     receive from_other -> ok end,
                     receive from_self -> ok end,
                     erlang:send_after(1, self(), tick),
                     receive tick -> ok end,
                     self() ! mine,
                     receive mine -> ok end end,
    Fed = fun(What, Flags, Spec2) ->
              show(What, erlang:trace_pattern('receive', Spec2, [])),
              P = spawn(fun() -> receive go -> ok end, Recv(x), Self ! {done, self()} end),
              erlang:trace(P, true, Flags),
              P ! go, P ! from_self,
              receive {done, P} -> ok end,
              R = erlang:trace_delivered(P),
              receive {trace_delivered, P, R} -> ok end,
              show(What, anon(flush(), [{Self, self}, {P, traced}]))
          end,
    Fed(receive_true, ['receive'], true),
    Fed(receive_from_self, ['receive'], [{['_', '$1', '_'], [{'==', '$1', Self}], []}]),
    Fed(receive_whole, ['receive'], [{'_', [], [{message, '$_'}]}]),
    Fed(receive_clock, ['receive'], [{[clock_service, '$1', '$2'], [], [{message, {{'$1', '$2'}}}]},
                                     {'_', [], [{message, false}]}]),
    Fed(receive_self, ['receive'], [{['_', '_', from_self], [], [{message, {self}}]}]),
    Fed(receive_not_node, ['receive'], [{['$1', '_', '_'], [{'=/=', '$1', node()}], []}]),
    Fed(receive_false, ['receive'], false),
    show(info_receive_false, erlang:trace_info('receive', match_spec)),
    Fed(receive_both, ['receive', send], [{['_', '_', '$1'], [{is_atom, '$1'}], [{message, atom}]}]),
    show(info_receive, erlang:trace_info('receive', match_spec)),
    %% An exit message's sender is the process that exited.
    show(set_exit, erlang:trace_pattern('receive', [{['_', '$1', {'EXIT', '$1', '_'}], [], [{message, exit}]}], [])),
    run(receive_exit, ['receive'], fun(_) -> process_flag(trap_exit, true),
                                              spawn_link(fun() -> ok end),
                                              receive {'EXIT', _, _} -> ok end end),
    show(reset_receive, erlang:trace_pattern('receive', true, [])),

    %% Errors, and actions erl takes here.
    Bad = fun(E, S) -> show(E, err(fun() -> erlang:trace_pattern(send, S, []) end)) end,
    Bad(e_caller, [{'_', [], [{message, {caller}}]}]),
    Bad(e_atom, bad),
    Bad(e_clause, [foo]),
    Bad(e_guard, [{'_', [{foo, '$1'}], []}]),
    Bad(e_unbound, [{'_', [], [{message, '$9'}]}]),
    Bad(e_action, [{'_', [], [{foo}]}]),
    Bad(e_pause, pause),
    Bad(e_restart, restart),
    Bad(ok_return_trace, [{'_', [], [{return_trace}]}]),
    Bad(ok_exception_trace, [{'_', [], [{exception_trace}]}]),
    Bad(ok_head_length, [{['$1'], [], []}]),
    show(e_receive_pause, err(fun() -> erlang:trace_pattern('receive', pause, []) end)),
    show(e_receive_spec, err(fun() -> erlang:trace_pattern('receive', [{['_'], [], [{message, {caller}}]}], []) end)),
    [show({e_flags, F}, err(fun() -> erlang:trace_pattern(send, true, F) end))
     || F <- [[global], [local], [call_count], [meta], [call_time]]],
    [show({e_info, I}, err(fun() -> erlang:trace_info(W, I) end))
     || W <- [send, 'receive'], I <- [all, flags, traced, tracer, bad]],
    show(reset_send, erlang:trace_pattern(send, true, [])),
    show(info_send, erlang:trace_info(send, match_spec)),
    halt().
