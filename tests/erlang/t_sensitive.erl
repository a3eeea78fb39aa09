%% process_flag(sensitive, Bool): the old value back; while set, process_info shows no
%% messages, dictionary or backtrace of the process (its own or another's), as in erl.
-module(t_sensitive).
-export([main/0]).

main() ->
    put(k, v),
    self() ! hello,
    erlang:display(process_flag(sensitive, true)),
    erlang:display(process_info(self(), [messages, dictionary, message_queue_len])),
    erlang:display(process_info(self(), backtrace)),
    erlang:display({get(k), lists:keyfind(dictionary, 1, process_info(self()))}),
    erlang:display(process_flag(sensitive, true)),
    erlang:display(process_flag(sensitive, false)),
    erlang:display(process_info(self(), [messages, dictionary, message_queue_len])),
    erlang:display(catch process_flag(sensitive, 1)),
    Parent = self(),
    P = spawn(fun() ->
                  put(secret, 42),
                  process_flag(sensitive, true),
                  Parent ! ready,
                  receive stop -> ok end
              end),
    receive ready -> ok end,
    P ! one,
    P ! two,
    erlang:display(process_info(P, [messages, dictionary, message_queue_len])),
    erlang:display(process_info(P, backtrace)),
    erlang:display(process_info(P, trap_exit)),
    Q = spawn(fun() -> put(open, 1), Parent ! ready, receive stop -> ok end end),
    receive ready -> ok end,
    Q ! one,
    erlang:display(process_info(Q, [messages, dictionary, message_queue_len])),
    P ! stop,
    Q ! stop,
    halt().
