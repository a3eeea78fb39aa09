%% spawn/2,4, spawn_link/2,4, spawn_monitor/2,4 and spawn_opt/3,5 naming the node itself with
%% something that cannot start: the error and the stack frame erl gives (erl's spawn/2 and
%% spawn_link/2 hand a bad fun to spawn/1 and spawn_link/1); a good start on the node
%% itself; system_info items about the runtime whose answer does not depend on the machine.
-module(t_spawn_local_node).
-export([main/0]).

main() ->
    N = node(),
    Bad = [{spawn, fun() -> spawn(N, 1) end},
           {spawn_tuple, fun() -> spawn(N, {a, b, c}) end},
           {spawn_link, fun() -> spawn_link(N, 1) end},
           {spawn_monitor, fun() -> spawn_monitor(N, 1) end},
           {spawn_monitor_arity, fun() -> spawn_monitor(N, fun(_) -> ok end) end},
           {spawn_opt, fun() -> spawn_opt(N, 1, []) end},
           {spawn_4, fun() -> spawn(N, lists, reverse, not_a_list) end},
           {spawn_link_4, fun() -> spawn_link(N, 1, reverse, []) end},
           {spawn_monitor_4, fun() -> spawn_monitor(N, lists, 2, []) end},
           {spawn_opt_5, fun() -> spawn_opt(N, lists, reverse, [[]], bad) end},
           {spawn_opt_5_option, fun() -> spawn_opt(N, lists, reverse, [[]], [bad]) end},
           {spawn_opt_3_option, fun() -> spawn_opt(N, fun() -> ok end, bad) end}],
    [erlang:display({Name, first_frame(F)}) || {Name, F} <- Bad],
    Self = self(),
    Pid = spawn(N, fun() -> Self ! {self(), started} end),
    receive {Pid, started} -> erlang:display(spawned_here) end,
    {Watched, Ref} = spawn_monitor(N, fun() -> exit(done) end),
    receive {'DOWN', Ref, process, Watched, R} -> erlang:display({monitored, R}) end,
    {Compiler, Version} = erlang:system_info(c_compiler_used),
    erlang:display({c_compiler_used, is_atom(Compiler), Version =/= []}),
    erlang:display({outstanding_system_requests_limit,
                    erlang:system_info(outstanding_system_requests_limit)
                    =:= 2 * erlang:system_info(schedulers)}),
    halt().

%% The reason and the frame the error starts with.
first_frame(F) ->
    try F() of
        R -> {returned, R}
    catch
        C:R:Stack -> {C, R, hd(Stack)}
    end.
