%% Preemption fairness: four busy processes share the CPU for N * 10 ms, then report how many
%% loop iterations each managed. A fair scheduler gives each a similar share; prints true
%% when the smallest share is at least a quarter of the largest.
-module(b_fair).
-export([main/1]).

main([N]) ->
    Millis = list_to_integer(N) * 10,
    Self = self(),
    Workers = [spawn(fun() -> spin(Self, 0) end) || _ <- lists:seq(1, 4)],
    receive after Millis -> ok end,
    [W ! stop || W <- Workers],
    Counts = [receive {count, W, C} -> C end || W <- Workers],
    erlang:display(lists:min(Counts) * 4 >= lists:max(Counts)),
    erlang:halt(0).

%% Looks at its mailbox every 1000 iterations, without blocking.
spin(Report, Count) ->
    case Count rem 1000 of
        0 ->
            receive stop -> Report ! {count, self(), Count}
            after 0 -> spin(Report, Count + 1)
            end;
        _ ->
            spin(Report, Count + 1)
    end.
