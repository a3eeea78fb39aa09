-module(t_suspend).
-export([main/0]).

%% Pausing a worker with erlang:suspend_process/resume_process: a suspended process keeps
%% its messages queued and runs them once resumed; suspensions are counted.

main() ->
    P2 = spawn(fun() -> receive {report, Ref, To} -> To ! {Ref, ok} end end),
    W = spawn(fun Loop() -> receive {ask, From} -> From ! {answer, self()}, Loop() end end),
    io:format("~p~n", [erlang:suspend_process(W)]),
    W ! {ask, self()},
    io:format("~p~n", [receive {answer, _} -> answered after 100 -> suspended end]),
    io:format("~p~n", [process_info(W, [status, message_queue_len])]),
    io:format("~p~n", [erlang:suspend_process(W)]),
    io:format("~p~n", [erlang:suspend_process(W, [unless_suspending])]),
    io:format("~p~n", [erlang:resume_process(W)]),
    io:format("~p~n", [receive {answer, _} -> answered after 100 -> still_suspended end]),
    io:format("~p~n", [erlang:resume_process(W)]),
    io:format("~p~n", [receive {answer, _} -> answered after 1000 -> still_suspended end]),
    io:format("~p~n", [catch element(1, element(2, catch erlang:resume_process(W)))]),
    io:format("~p~n", [catch element(1, element(2, catch erlang:suspend_process(self())))]),
    io:format("~p~n", [catch element(1, element(2, catch erlang:suspend_process(W, [bogus])))]),
    exit(P2, kill),
    timer:sleep(10),
    io:format("~p~n", [catch element(1, element(2, catch erlang:suspend_process(P2)))]),
    erlang:suspend_process(W),
    exit(W, kill),
    timer:sleep(10),
    io:format("killed while suspended: ~p~n", [is_process_alive(W)]),
    halt().
