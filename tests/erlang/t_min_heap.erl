%% min_heap_size (spawn_opt and process_flag): rounded up to one of erl's heap sizes,
%% reported by process_info (alone and in garbage_collection), kept by every collection; bad
%% sizes are badarg.
-module(t_min_heap).
-export([main/0]).

err(F) ->
    try F() catch C:R -> {C, R} end.

main() ->
    Idle = fun() -> receive stop -> ok end end,
    erlang:display({default, process_info(self(), min_heap_size),
                    erlang:system_info(min_heap_size)}),
    [begin
         P = spawn_opt(Idle, [{min_heap_size, N}, link]),
         {min_heap_size, M} = process_info(P, min_heap_size),
         {heap_size, H} = process_info(P, heap_size),
         {garbage_collection, GC} = process_info(P, garbage_collection),
         erlang:display({N, M, H >= M, proplists:get_value(min_heap_size, GC)}),
         P ! stop
     end || N <- [0, 100, 233, 234, 1000, 5000, 50000, 1000000, 10000000]],
    Self = self(),
    Q = spawn_opt(fun() ->
                          churn(2000, []),
                          true = erlang:garbage_collect(),
                          {heap_size, H} = process_info(self(), heap_size),
                          {min_heap_size, M} = process_info(self(), min_heap_size),
                          Self ! {self(), M, H >= M}
                  end, [{min_heap_size, 50000}]),
    receive {Q, M, Kept} -> erlang:display({after_collection, M, Kept}) end,
    erlang:display([err(fun() -> spawn_opt(Idle, [{min_heap_size, Bad}]) end)
                    || Bad <- [-1, foo, 1.0, 1 bsl 70, {1}]]),
    %% process_flag sets it for the caller and returns the old one.
    erlang:display({process_flag(min_heap_size, 1000), process_info(self(), min_heap_size),
                    process_flag(min_heap_size, 0), process_info(self(), min_heap_size),
                    err(fun() -> process_flag(min_heap_size, -1) end)}),
    erlang:halt(0).

%% Garbage: lists built and dropped, so the process collects on its own too.
churn(0, Acc) -> length(Acc);
churn(N, _) -> churn(N - 1, lists:seq(1, 100)).
