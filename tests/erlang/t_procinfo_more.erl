%% process_info/2 items programs read about processes and that nothing here turns on:
%% parent (the spawner; init's children and init itself), catchlevel (catch and try
%% nesting, of the caller and of another process), last_calls, trace and
%% sequential_trace_token (never on), also through seq_trace:get_token/0 and in lists;
%% message_queue_data as process_flag/2 and spawn_opt/2 set it, with erl's errors.
-module(t_procinfo_more).
-export([main/0]).

level() -> element(2, process_info(self(), catchlevel)).

nested(0) -> level();
nested(N) -> try nested(N - 1) of L -> L catch _:_ -> error end.

main() ->
    Me = self(),
    io:format("parent of main: ~p~n", [process_info(self(), parent) =:= {parent, whereis(init)}]),
    io:format("parent of init: ~p~n", [process_info(whereis(init), parent)]),
    Child = spawn(fun() ->
                          Me ! {parent, process_info(self(), parent)},
                          Grand = spawn(fun() -> receive stop -> ok end end),
                          Me ! {grand, Grand, process_info(Grand, parent)},
                          catch receive stop -> ok end
                  end),
    receive {parent, P} -> io:format("child's parent is me: ~p~n", [P =:= {parent, Me}]) end,
    receive {grand, G, GP} -> io:format("grandchild's parent: ~p~n", [GP =:= {parent, Child}]),
                               G ! stop
    end,
    timer:sleep(20),
    io:format("catchlevel: ~p ~p ~p ~p~n",
              [level(), catch level(), try level() catch _ -> x end, nested(5)]),
    io:format("catchlevel of another: ~p~n", [process_info(Child, catchlevel)]),
    io:format("~p~n", [process_info(self(), [last_calls, trace, sequential_trace_token])]),
    io:format("~p~n", [process_info(Child, [trace, catchlevel, parent]) =:=
                          [{trace, 0}, {catchlevel, 1}, {parent, Me}]]),
    io:format("token: ~p~n", [seq_trace:get_token()]),
    Child ! stop,
    io:format("queue data: ~p ~p ~p ~p~n",
              [process_info(self(), message_queue_data),
               process_flag(message_queue_data, off_heap),
               process_info(self(), message_queue_data),
               process_flag(message_queue_data, on_heap)]),
    Off = spawn_opt(fun() -> receive _ -> ok end end, [{message_queue_data, off_heap}]),
    io:format("spawned off_heap: ~p~n", [process_info(Off, message_queue_data)]),
    Off ! done,
    io:format("~p~n", [catch spawn_opt(fun() -> ok end, [{message_queue_data, bad}])]),
    io:format("~p~n", [catch process_flag(message_queue_data, bad)]),
    halt().
