%% Spawn rate: N batches of 1000 processes that each report back and exit.
-module(b_spawn).
-export([main/1]).

main([N]) ->
    Batches = list_to_integer(N),
    erlang:display(lists:sum([batch(1000) || _ <- lists:seq(1, Batches)])),
    erlang:halt(0).

batch(Count) ->
    Self = self(),
    [spawn(fun() -> Self ! {hi, I} end) || I <- lists:seq(1, Count)],
    collect(Count, 0).

collect(0, Sum) -> Sum;
collect(K, Sum) -> receive {hi, I} -> collect(K - 1, Sum + I) end.
