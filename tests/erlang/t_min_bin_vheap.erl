%% min_bin_vheap_size (spawn_opt, process_flag, process_info, system_info): checked and
%% reported as erl reports it. process_flag rounds a request up to one of erl's heap sizes,
%% at least the default 46,422 words; spawn_opt checks the value, and erl 25 then reports the
%% default for the new process whatever was asked.
-module(t_min_bin_vheap).
-export([main/0]).

main() ->
    Idle = fun() -> receive stop -> ok end end,
    erlang:display(erlang:system_info(min_bin_vheap_size)),
    erlang:display(process_info(self(), min_bin_vheap_size)),
    {garbage_collection, GC0} = process_info(self(), garbage_collection),
    erlang:display(proplists:get_value(min_bin_vheap_size, GC0)),
    [begin
         P = spawn_opt(Idle, [{min_bin_vheap_size, N}]),
         {garbage_collection, GC} = process_info(P, garbage_collection),
         erlang:display({N, process_info(P, min_bin_vheap_size),
                         proplists:get_value(min_bin_vheap_size, GC)}),
         P ! stop
     end || N <- [0, 1, 46422, 46423, 1000000]],
    erlang:display([err(fun() -> spawn_opt(Idle, [{min_bin_vheap_size, B}]) end)
                    || B <- [-1, a, 1.0, 1 bsl 64]]),
    erlang:display([process_flag(min_bin_vheap_size, N)
                    || N <- [1000, 50000, 0, 121537, 1 bsl 30, 46422]]),
    erlang:display(process_info(self(), min_bin_vheap_size)),
    erlang:display([err(fun() -> process_flag(min_bin_vheap_size, B) end)
                    || B <- [-1, foo, 2.0, 1 bsl 64]]),
    %% Another process's setting, read from outside.
    S = self(),
    P2 = spawn(fun() -> process_flag(min_bin_vheap_size, 100000), S ! set, Idle() end),
    receive set -> ok end,
    erlang:display(process_info(P2, [min_bin_vheap_size])),
    P2 ! stop,
    erlang:halt(0).

err(F) ->
    try F() catch C:E -> {C, E} end.
