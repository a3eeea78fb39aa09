%% garbage_collect/1,2 of oneself, another process and a dead one, with their options;
%% process_info's garbage_collection_info and backtrace items (their shape: the numbers and
%% the text are the runtime's own); list_to_ref/1 and port_to_list/1.
-module(t_gc_info).
-export([main/0]).

show(What, X) -> io:format("~p: ~p~n", [What, X]).

err(F) ->
    try F() of V -> {value, V}
    catch C:R -> {C, R}
    end.

main() ->
    Other = spawn(fun() -> receive stop -> ok end end),
    Dead = spawn(fun() -> ok end),
    M = monitor(process, Dead),
    receive {'DOWN', M, _, _, _} -> ok end,
    show(self, erlang:garbage_collect(self())),
    show(other, erlang:garbage_collect(Other)),
    show(dead, erlang:garbage_collect(Dead)),
    show(major, erlang:garbage_collect(Other, [{type, major}])),
    show(minor, erlang:garbage_collect(self(), [{type, minor}])),
    show(async, erlang:garbage_collect(Other, [{async, req1}])),
    show(async_reply, receive {garbage_collect, req1, R1} -> R1 after 1000 -> none end),
    show(async_dead, erlang:garbage_collect(Dead, [{async, req2}])),
    show(async_dead_reply, receive {garbage_collect, req2, R2} -> R2 after 1000 -> none end),
    show(bad_pid, err(fun() -> erlang:garbage_collect(not_a_pid) end)),
    show(bad_type, err(fun() -> erlang:garbage_collect(self(), [{type, full}]) end)),
    show(bad_opt, err(fun() -> erlang:garbage_collect(self(), [bogus]) end)),
    show(bad_list, err(fun() -> erlang:garbage_collect(self(), bogus) end)),
    {garbage_collection_info, Info} = process_info(Other, garbage_collection_info),
    show(gc_info_keys, [K || {K, V} <- Info, is_integer(V), V >= 0]),
    {garbage_collection_info, Mine} = process_info(self(), garbage_collection_info),
    show(gc_info_mine, length(Mine)),
    {backtrace, B} = process_info(Other, backtrace),
    show(backtrace, {is_binary(B), binary:match(B, <<"Program counter: ">>) =/= nomatch}),
    {backtrace, B2} = process_info(self(), backtrace),
    show(backtrace_mine, binary:match(B2, <<"t_gc_info:main/0">>) =/= nomatch),
    show(dead_info, process_info(Dead, backtrace)),
    R = make_ref(),
    show(ref_roundtrip, list_to_ref(ref_to_list(R)) =:= R),
    show(bad_ref, err(fun() -> list_to_ref("#Ref<x>") end)),
    show(port_to_list, err(fun() -> erlang:port_to_list(self()) end)),
    Other ! stop,
    halt().
