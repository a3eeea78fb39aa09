-module(t_trace_signals).
-export([main/0]).

%% `running` trace events of a waiting process that a signal reaches and leaves waiting:
%% erl schedules it to handle the signal, so its tracer gets `in` and `out` with the
%% function it waits in. Requests erl answers without the process (a name, a status,
%% `is_process_alive/1`, a suspension) and a new group leader send nothing. A collection
%% asked of it is made then, its `garbage_collection` events between the two.

main() ->
    P = waiter(false),
    erlang:trace(P, true, [running]),
    step(link, fun() -> link(P) end, P),
    step(unlink, fun() -> unlink(P) end, P),
    %% Two signals: erl handles them in one scheduling when the waiter does not run between
    %% them, in two when another scheduler runs it at once; the pair either way.
    link(P),
    unlink(P),
    timer:sleep(10),
    erlang:display({link_unlink, lists:usort(events(P, []))}),
    step(exit_normal, fun() -> exit(P, normal) end, P),
    step(exit_normal_by_other, fun() -> spawn(fun() -> exit(P, normal) end) end, P),
    step(linked_ends_normally, fun() -> spawn(fun() -> link(P) end) end, P),
    Ref = make_ref(),
    step(monitor, fun() -> put(Ref, monitor(process, P)) end, P),
    step(demonitor, fun() -> demonitor(get(Ref), [flush]) end, P),
    step(monitor_holder_ends, fun() -> spawn(fun() -> monitor(process, P) end) end, P),
    step(register, fun() -> register(t_trace_signals_waiter, P) end, P),
    step(monitor_by_name,
         fun() -> put(Ref, monitor(process, t_trace_signals_waiter)) end, P),
    step(demonitor_by_name, fun() -> demonitor(get(Ref)) end, P),
    step(is_process_alive, fun() -> is_process_alive(P) end, P),
    step(group_leader, fun() -> group_leader(self(), P) end, P),
    [step({process_info, Item}, fun() -> process_info(P, Item) end, P)
     || Item <- [status, registered_name, message_queue_len, heap_size, links,
                 messages, current_function, dictionary, monitors]],
    step(process_info_list, fun() -> process_info(P, [status, trap_exit]) end, P),
    step(process_info_list_links, fun() -> process_info(P, [status, links]) end, P),
    step(process_info_1, fun() -> process_info(P) end, P),
    step(suspend, fun() -> erlang:suspend_process(P) end, P),
    step(resume, fun() -> erlang:resume_process(P) end, P),
    step(garbage_collect, fun() -> erlang:garbage_collect(P) end, P),
    step(message, fun() -> P ! hello end, P),
    %% With `exiting` too: the same pair; a signal that ends it gives `in`, `out_exited`.
    erlang:trace(P, true, [exiting]),
    step(link_exiting, fun() -> link(P), unlink(P) end, P),
    step(kill, fun() -> exit(P, kill) end, P),
    %% With `exiting` alone: nothing for a link.
    Q = waiter(false),
    erlang:trace(Q, true, [exiting]),
    step(link_exiting_only, fun() -> link(Q), unlink(Q) end, Q),
    %% A collection asked of a waiting process is made when it is scheduled for it: its
    %% `garbage_collection` events come between `in` and `out`, or alone.
    G = waiter(false),
    erlang:trace(G, true, [running, garbage_collection]),
    step(collect, fun() -> true = erlang:garbage_collect(G) end, G),
    erlang:trace(G, false, [running]),
    step(collect_untold, fun() -> true = erlang:garbage_collect(G) end, G),
    %% A process that traps exits gets the signal as a message: its own slice.
    T = waiter(true),
    erlang:trace(T, true, [running]),
    step(trap, fun() -> exit(T, normal), exit(T, why) end, T),
    halt().

step(What, Do, P) ->
    Do(),
    timer:sleep(10),
    erlang:display({What, events(P, [])}).

waiter(Trap) ->
    Self = self(),
    P = spawn(fun() -> process_flag(trap_exit, Trap), Self ! {ready, self()}, wait() end),
    receive {ready, P} -> ok end,
    %% Let it reach its receive.
    timer:sleep(5),
    P.

wait() ->
    receive
        stop -> ok;
        _ -> wait()
    end.

events(P, Acc) ->
    receive
        {trace, P, What, Info} when is_list(Info) ->
            events(P, [{What, [K || {K, _} <- Info]} | Acc]);
        {trace, P, What, Arg} -> events(P, [{What, Arg} | Acc])
    after 0 -> lists:reverse(Acc)
    end.
