%% erlang:hibernate/3: the stack is dropped, the process waits for a message (which stays in
%% the mailbox), then applies M:F:A; its return ends the process normally.
-module(t_hibernate).
-export([main/0, loop/1, woke/1, crash_after/0]).

loop(Count) ->
    receive
        {get, From} ->
            From ! {count, Count},
            erlang:hibernate(?MODULE, loop, [Count]);
        {add, N} ->
            erlang:hibernate(?MODULE, loop, [Count + N]);
        stop ->
            done
    end.

woke(Parent) ->
    %% The message that woke the process is still in its mailbox.
    Parent ! {woke, process_info(self(), message_queue_len)},
    receive M -> Parent ! {got, M} end.

crash_after() ->
    catch erlang:hibernate(erlang, exit, [after_wake]).

err(F) ->
    try F() catch C:R -> {C, R} end.

main() ->
    Self = self(),
    P = spawn(?MODULE, loop, [0]),
    Ref = monitor(process, P),
    P ! {add, 2},
    P ! {add, 3},
    P ! {get, Self},
    erlang:display(receive {count, C} -> C after 1000 -> timeout end),
    timer:sleep(20),
    erlang:display({alive, is_process_alive(P), process_info(P, status)}),
    P ! {add, 10},
    P ! {get, Self},
    erlang:display(receive {count, C2} -> C2 after 1000 -> timeout end),
    P ! stop,
    erlang:display({exit, receive {'DOWN', Ref, process, P, R} -> R after 1000 -> timeout end}),
    W = spawn(fun() -> erlang:hibernate(?MODULE, woke, [Self]) end),
    timer:sleep(20),
    W ! hello,
    erlang:display(receive {woke, Q} -> Q after 1000 -> timeout end),
    erlang:display(receive {got, G} -> G after 1000 -> timeout end),
    {X, XRef} = spawn_monitor(?MODULE, crash_after, []),
    timer:sleep(20),
    X ! wake,
    erlang:display({uncaught, receive {'DOWN', XRef, process, X, Why} -> Why after 1000 -> timeout end}),
    erlang:display({bad, err(fun() -> erlang:hibernate(1, f, []) end),
                    err(fun() -> erlang:hibernate(m, f, not_a_list) end)}),
    erlang:halt(0).
