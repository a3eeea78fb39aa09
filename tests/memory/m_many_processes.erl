%% Memory per process: processes that have each collected their heap many times (they
%% allocate far more than they keep) and then wait hold little, as in erl, so that thousands
%% fit in a small node. Each worker reports its sum, waits, and answers when told to stop.
-module(m_many_processes).
-export([main/0, main/1]).

main() -> main(["2000"]).

main([NText]) ->
    N = list_to_integer(NText),
    Self = self(),
    Pids = [spawn(fun() -> worker(Self) end) || _ <- lists:seq(1, N)],
    Sums = [receive {ready, P, Sum} -> Sum end || P <- Pids],
    Held = erlang:memory(processes),
    erlang:display({ready, length(Sums), lists:usort(Sums)}),
    %% erl holds about 90 KB for each of these processes.
    erlang:display({under_64_kib_a_process, Held div N < 65536}),
    [P ! {stop, Self} || P <- Pids],
    erlang:display({stopped, length([receive {bye, P} -> P end || P <- Pids])}),
    erlang:halt(0).

worker(Parent) ->
    Parent ! {ready, self(), garbage(20, 0)},
    receive {stop, From} -> From ! {bye, self()} end.

%% Each round builds and sums a 1,000-element list that dies at once: 20 rounds allocate
%% about ten times the smallest collection threshold.
garbage(0, Acc) -> Acc;
garbage(K, Acc) -> garbage(K - 1, Acc + lists:sum(lists:seq(1, 1000))).
