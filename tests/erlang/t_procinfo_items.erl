-module(t_procinfo_items).
-export([main/0, worker/1, deep/1]).

%% Inspecting processes as tools do: process_info items of a busy worker, a linked and
%% monitored one, registered names, dictionaries, trap_exit and the current function.

worker(Parent) ->
    put(role, worker),
    put(count, 0),
    process_flag(trap_exit, true),
    Parent ! ready,
    loop().

loop() ->
    receive
        {get, From} -> From ! {self(), get(count)}, loop();
        bump -> put(count, get(count) + 1), loop();
        stop -> ok
    end.

deep(0) -> receive go -> done end;
deep(N) -> R = deep(N - 1), {R}.

main() ->
    Self = self(),
    W = spawn_link(?MODULE, worker, [Self]),
    receive ready -> ok end,
    register(my_worker, W),
    Ref = monitor(process, W),
    [W ! bump || _ <- lists:seq(1, 3)],
    W ! {get, self()},
    receive {W, C} -> io:format("count ~p~n", [C]) end,
    Items = [registered_name, status, trap_exit, message_queue_len, links, monitored_by,
             current_function, initial_call, priority],
    [io:format("~p~n", [I]) || I <- process_info(W, Items) -- [{monitored_by, [Self]}]],
    io:format("~p~n", [process_info(W, monitored_by) =:= {monitored_by, [Self]}]),
    io:format("~p~n", [process_info(self(), monitors) =:= {monitors, [{process, W}]}]),
    io:format("~p~n", [lists:member(W, element(2, process_info(self(), links)))]),
    {dictionary, Dict} = process_info(W, dictionary),
    io:format("~p~n", [lists:sort(Dict)]),
    io:format("~p~n", [process_info(self(), registered_name)]),
    io:format("~p~n", [process_info(W, [message_queue_len, messages])]),
    D = spawn(?MODULE, deep, [3]),
    timer:sleep(10),
    io:format("~p~n", [process_info(D, current_stacktrace)]),
    io:format("~p~n", [process_info(D, current_location)]),
    io:format("~p~n", [process_info(D, status)]),
    D ! go,
    timer:sleep(10),
    io:format("~p~n", [process_info(D, status)]),
    io:format("~p~n", [is_process_alive(D)]),
    {memory, M} = process_info(W, memory),
    {heap_size, H} = process_info(W, heap_size),
    {reductions, R} = process_info(W, reductions),
    io:format("~p~n", [{is_integer(M), H >= 233, R > 0}]),
    io:format("~p~n", [[K || {K, _} <- process_info(W)]]),
    io:format("~p~n", [catch process_info(W, no_such_item)]),
    io:format("~p~n", [catch process_info(not_a_pid, status)]),
    W ! stop,
    receive {'DOWN', Ref, process, W, Why} -> io:format("down ~p~n", [Why]) end,
    io:format("~p~n", [process_info(W, status)]),
    io:format("~p~n", [whereis(my_worker)]),
    halt().
