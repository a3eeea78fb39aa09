%% Many processes: 10,000 at once, spawn/exit churn, fan-out and fan-in.
-module(t_many).
-export([main/0, worker/2]).

main() ->
    Self = self(),
    N = 10000,
    %% 10,000 processes alive at the same time, each waiting for its go.
    Pids = [spawn(fun() -> receive {go, K} -> Self ! {done, I, K * I} end end)
            || I <- lists:seq(1, N)],
    erlang:display({alive, length([P || P <- Pids, is_process_alive(P)])}),
    [P ! {go, 2} || P <- Pids],
    Sum = lists:sum([receive {done, I, V} -> V end || I <- lists:seq(1, N)]),
    erlang:display({fan_in, Sum =:= N * (N + 1)}),
    %% spawn/3 workers that compute and reply.
    Ws = [spawn(?MODULE, worker, [Self, I]) || I <- lists:seq(1, 1000)],
    Total = lists:sum([receive {work, W, R} -> R end || W <- Ws]),
    erlang:display({workers, Total}),
    %% Churn: sequential spawn and exit, monitored.
    erlang:display({churn, churn(5000, 0)}),
    %% A tree of processes.
    erlang:display({tree, tree(12)}),
    %% All gone.
    erlang:display({left, length([P || P <- Pids ++ Ws, is_process_alive(P)])}),
    erlang:halt(0).

worker(Parent, I) ->
    Parent ! {work, self(), lists:sum(lists:seq(1, I))}.

churn(0, Acc) -> Acc;
churn(N, Acc) ->
    {P, M} = spawn_monitor(fun() -> exit(N rem 7) end),
    receive {'DOWN', M, process, P, R} -> churn(N - 1, Acc + R) end.

tree(0) -> 1;
tree(D) ->
    Self = self(),
    [spawn(fun() -> Self ! {sub, tree(D - 1)} end) || _ <- [1, 2]],
    1 + lists:sum([receive {sub, C} -> C end || _ <- [1, 2]]).
