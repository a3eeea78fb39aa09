%% erlang:system_flag(min_heap_size | min_bin_vheap_size, Words): the defaults of processes
%% spawned from now on, rounded up to one of erl's heap sizes from its smallest (12), the old
%% value returned; system_info and new processes report them.
-module(t_system_min_heaps).
-export([main/0]).

main() ->
    Idle = fun() -> receive stop -> ok end end,
    erlang:display(erlang:system_info(min_bin_vheap_size)),
    erlang:display(erlang:system_flag(min_bin_vheap_size, 100000)),
    erlang:display(erlang:system_info(min_bin_vheap_size)),
    %% The caller keeps its own.
    erlang:display(process_info(self(), min_bin_vheap_size)),
    P = spawn(Idle),
    erlang:display(process_info(P, min_bin_vheap_size)),
    {garbage_collection, GC} = process_info(P, garbage_collection),
    erlang:display(proplists:get_value(min_bin_vheap_size, GC)),
    P ! stop,
    erlang:display([erlang:system_flag(min_bin_vheap_size, N) || N <- [0, 46423, 1, 46422]]),
    erlang:display(erlang:system_info(min_bin_vheap_size)),
    erlang:display(errors(min_bin_vheap_size)),

    erlang:display(erlang:system_info(min_heap_size)),
    erlang:display(erlang:system_flag(min_heap_size, 1000)),
    erlang:display(erlang:system_info(min_heap_size)),
    erlang:display(process_info(self(), min_heap_size)),
    P2 = spawn(Idle),
    erlang:display(process_info(P2, [min_heap_size, heap_size])),
    %% spawn_opt's own setting wins.
    P3 = spawn_opt(Idle, [{min_heap_size, 5000}]),
    erlang:display(process_info(P3, [min_heap_size, heap_size])),
    [Q ! stop || Q <- [P2, P3]],
    erlang:display([erlang:system_flag(min_heap_size, N) || N <- [0, 234, 13, 233]]),
    erlang:display(erlang:system_info(min_heap_size)),
    erlang:display(errors(min_heap_size)),
    P4 = spawn(Idle),
    erlang:display(process_info(P4, [min_heap_size, min_bin_vheap_size])),
    P4 ! stop,
    erlang:halt(0).

errors(Flag) ->
    [try erlang:system_flag(Flag, B) catch C:E -> {C, E} end
     || B <- [-1, foo, 1.0, 1 bsl 64, [1]]].
