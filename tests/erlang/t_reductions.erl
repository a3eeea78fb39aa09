%% Reductions as process_info and statistics report them: a process's count grows with the
%% calls it makes, within its slice (asked by the process itself) and across slices, and
%% another process's count includes the slice that ended when it began to wait. Counts are
%% compared within wide bounds (erl and xenbeam charge BIFs differently).
-module(t_reductions).
-export([main/0]).

count(0) -> ok;
count(N) -> count(N - 1).

mine() ->
    {reductions, R} = process_info(self(), reductions),
    R.

main() ->
    A = mine(),
    count(300),
    B = mine(),
    erlang:display({own_within_slice, B - A >= 300, B - A < 1000}),
    count(100000),
    C = mine(),
    erlang:display({own_across_slices, C - B >= 100000, C - B < 150000}),
    Self = self(),
    P = spawn(fun() ->
                      count(500),
                      Self ! {counted, mine()},
                      receive stop -> ok end
              end),
    receive {counted, R} -> erlang:display({child_own, R >= 500, R < 1500}) end,
    timer:sleep(20),
    {reductions, Other} = process_info(P, reductions),
    erlang:display({child_seen, Other >= 500, Other < 1500}),
    W = spawn(fun() -> receive go -> count(2000), Self ! done end, receive stop -> ok end end),
    timer:sleep(20),
    {reductions, W0} = process_info(W, reductions),
    W ! go,
    receive done -> ok end,
    timer:sleep(20),
    {reductions, W1} = process_info(W, reductions),
    erlang:display({waiter_after_work, W1 - W0 >= 2000, W1 - W0 < 3000}),
    P ! stop,
    W ! stop,
    halt().
