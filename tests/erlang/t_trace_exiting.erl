-module(t_trace_exiting).
-export([main/0]).

%% The `running`, `exiting` and `procs` trace events of processes that exit signals end
%% while they wait: erl schedules such a process to exit, so the tracer sees `in` (with
%% `running`, the function it waited in), `exit`, then `out_exited` (with `exiting`).

main() ->
    Cases = [{shutdown, [exiting, running, procs], false},
             {kill, [exiting, procs], false},
             {kill, [running, procs], false},
             {kill, [exiting, running, procs], true},
             {other, [exiting, running], false},
             {kill, [exiting], false},
             {{shutdown, why}, [running], false}],
    lists:foreach(fun({Reason, Flags, Trap}) -> one(Reason, Flags, Trap) end, Cases),
    %% A process with `exiting` alone that a signal ends after a message woke it once.
    P = waiter(false),
    erlang:trace(P, true, [exiting, procs]),
    P ! hello,
    exit(P, kill),
    erlang:display({woken_then_killed, events(P)}),
    %% A process that ends by itself in a slice: out_exited at the end of that slice.
    Q = spawn(fun() -> receive go -> exit(done) end end),
    erlang:trace(Q, true, [exiting, procs]),
    Q ! go,
    erlang:display({ends_itself, events(Q)}),
    halt().

one(Reason, Flags, Trap) ->
    P = waiter(Trap),
    erlang:trace(P, true, Flags),
    exit(P, Reason),
    erlang:display({Reason, Flags, Trap, events(P)}).

waiter(Trap) ->
    Self = self(),
    P = spawn(fun() -> process_flag(trap_exit, Trap), Self ! {ready, self()}, wait() end),
    receive {ready, P} -> ok end,
    %% Let it reach its receive.
    timer:sleep(5),
    P.

wait() ->
    receive never -> ok end.

events(P) ->
    timer:sleep(20),
    events(P, []).

events(P, Acc) ->
    receive
        {trace, P, What, Arg} -> events(P, [{What, Arg} | Acc])
    after 0 -> lists:reverse(Acc)
    end.
