%% Runs memory cases one by one: each in a process of its own, which ends by exiting with
%% `{done, Summary}`, with the class and reason of an exception it raised (not its stack
%% trace, whose arguments may be the case's whole input), or is killed; prints `{Case, Outcome}` with the outcome reduced to a stable
%% term (`killed`, `system_limit`, `badarg`, the summary), then goes on with the next case.
-module(mh_run).
-export([cases/1, sink/0]).

cases(Cases) ->
    lists:foreach(fun run/1, Cases),
    erlang:halt(0).

run({Name, Fun}) ->
    {Pid, Ref} = spawn_monitor(fun() -> exit(try {done, Fun()} catch C:R -> {C, R} end) end),
    Reason = receive {'DOWN', Ref, process, Pid, R} -> R end,
    erlang:display({Name, outcome(Reason)}).

outcome({done, Summary}) -> Summary;
outcome(killed) -> killed;
outcome({error, {badmatch, _}}) -> badmatch;
outcome({_, Reason}) when is_atom(Reason) -> Reason;
outcome({_, {Reason, _}}) when is_atom(Reason) -> Reason;
outcome(_) -> other.

%% A group leader that takes io requests and drops their text.
sink() ->
    receive
        {io_request, From, ReplyAs, _} -> From ! {io_reply, ReplyAs, ok}, sink();
        _ -> sink()
    end.
