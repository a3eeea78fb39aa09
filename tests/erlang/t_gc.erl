%% Garbage-collection stress: gigabytes allocated in total, little kept live.
-module(t_gc).
-export([main/0]).

id(X) -> X.

main() ->
    %% Short-lived lists: about 2.4 GB of cons cells over the run.
    erlang:display({lists, churn_lists(id(1000), 0)}),
    %% Tuples and nested structures, a small part kept in a rolling window.
    erlang:display({tuples, churn_tuples(id(3000000), [], 0)}),
    %% Binaries, both heap-sized and large (off-heap / reference-counted).
    erlang:display({binaries, churn_bins(id(200000), 0)}),
    %% Bignums created and dropped.
    erlang:display({bignums, churn_bigs(id(200000), 1, 0)}),
    %% Maps rebuilt over and over.
    erlang:display({maps, churn_maps(id(300), 0)}),
    %% A long-lived structure that survives many collections.
    Keep = lists:seq(1, 200000),
    _ = churn_lists(id(200), 0),
    erlang:display({kept, lists:sum(Keep), length(Keep)}),
    %% Floats (boxed on the heap).
    erlang:display({floats, churn_floats(id(5000000), 0.0)}),
    erlang:display({closures, churn_funs(id(1000000), 0)}),
    erlang:display({garbage_collect, erlang:garbage_collect()}),
    erlang:halt(0).

churn_lists(0, Acc) -> Acc;
churn_lists(N, Acc) ->
    L = lists:seq(1, 100000),
    R = lists:reverse(L),
    churn_lists(N - 1, (Acc + hd(R) + length(L)) rem 1000000007).

churn_tuples(0, Window, Acc) -> {Acc, length(Window)};
churn_tuples(N, Window, Acc) ->
    T = {N, {N + 1, [N, N]}, {a, b, c, N}},
    W = case length(Window) >= 100 of
            true -> [T | lists:sublist(Window, 50)];
            false -> [T | Window]
        end,
    {_, {M, _}, _} = T,
    churn_tuples(N - 1, W, (Acc + M) rem 1000003).

churn_bins(0, Acc) -> Acc;
churn_bins(N, Acc) ->
    Small = <<N:32, N:32, "small binary data">>,
    Large = binary:copy(<<N:8>>, 2000),
    <<X:32, _/binary>> = Small,
    churn_bins(N - 1, (Acc + X + byte_size(Large) + binary:last(Large)) rem 1000000007).

churn_bigs(0, _, Acc) -> Acc;
churn_bigs(N, B, Acc) ->
    Big = (B bsl 200) + N,
    churn_bigs(N - 1, (B * 3 + 1) rem (1 bsl 64), (Acc + (Big rem 65521)) rem 1000000007).

churn_maps(0, Acc) -> Acc;
churn_maps(N, Acc) ->
    M = maps:from_list([{K, K * N} || K <- lists:seq(1, 1000)]),
    M2 = maps:map(fun(_, V) -> V + 1 end, M),
    churn_maps(N - 1, (Acc + maps:get(500, M2)) rem 1000000007).

churn_floats(0, Acc) -> Acc;
churn_floats(N, Acc) -> churn_floats(N - 1, Acc * 0.5 + N / 3.0).

churn_funs(0, Acc) -> Acc;
churn_funs(N, Acc) ->
    F = fun(X) -> X + N end,
    churn_funs(N - 1, F(Acc) rem 1000000007).
