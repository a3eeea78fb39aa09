%% Failures of functions erl writes in Erlang (spawn/1, group_leader/2, fun_info/1,
%% port_command/2, trace/3, ...) called in tail position: the caller's frame is gone from
%% the stack trace, as after erl's tail call; a real BIF's tail call keeps it. Also the
%% spawn_link/2,4, spawn_monitor/2,4 and spawn_opt/3,5 forms with this node, port_info/1,2
%% of a name, the argument checks of function_exported/3 and monitor/2's badtype.
-module(t_bif_tail_frames).
-export([main/0, f/0]).

f() -> ok.

main() ->
    Self = self(),
    N = node(),
    Calls = [fun() -> erlang:spawn(1) end,
             fun() -> erlang:spawn_link(1) end,
             fun() -> erlang:spawn_monitor(m, f, x) end,
             fun() -> erlang:spawn_opt(1, []) end,
             fun() -> erlang:spawn_request(1) end,
             fun() -> erlang:group_leader(x, Self) end,
             fun() -> erlang:fun_info(x) end,
             fun() -> erlang:garbage_collect(x) end,
             fun() -> erlang:memory(x) end,
             fun() -> erlang:convert_time_unit(1, a, b) end,
             fun() -> erlang:port_command(x, y) end,
             fun() -> erlang:process_flag(x, y, z) end,
             fun() -> erlang:send_nosuspend(x, y) end,
             fun() -> erlang:suspend_process(x) end,
             fun() -> erlang:trace(x, y, z) end,
             fun() -> erlang:atom_to_binary(1) end,
             fun() -> unicode:characters_to_list(a) end,
             %% Real BIFs: the caller stays.
             fun() -> erlang:atom_to_binary(1, utf8) end,
             fun() -> erlang:spawn(m, f, x) end,
             fun() -> erlang:function_exported(1, 2, 3) end,
             fun() -> erlang:monitor(proc, Self) end,
             fun() -> erlang:monitor(port, Self) end],
    [erlang:display(failure(F)) || F <- Calls],
    [erlang:display(catch F())
     || F <- [fun() -> is_pid(spawn_link(N, fun() -> ok end)) end,
              fun() -> is_pid(spawn_link(N, ?MODULE, f, [])) end,
              fun() -> is_pid(spawn_opt(N, fun() -> ok end, [])) end,
              fun() -> is_pid(spawn_opt(N, ?MODULE, f, [], [link])) end,
              fun() -> is_reference(element(2, spawn_monitor(N, fun() -> ok end))) end,
              fun() -> is_reference(element(2, spawn_monitor(N, ?MODULE, f, []))) end,
              fun() -> erlang:port_info(x) end,
              fun() -> erlang:port_info(x, id) end,
              fun() -> erlang:function_exported(lists, reverse, 2) end,
              fun() -> erlang:function_exported(lists, reverse, -1) end]],
    halt().

%% The failure's reason, its first two frames (the failing function and, when the caller's
%% frame was kept, the fun) and the cause in the first frame's error_info.
failure(F) ->
    try F() of
        V -> {returned, V}
    catch
        error:Reason:Trace ->
            [{M, Fn, Args, Info} | Rest] = Trace,
            Next = case Rest of
                       [{_, Caller, _, _} | _] -> Caller;
                       [] -> none
                   end,
            Cause = maps:get(cause, proplists:get_value(error_info, Info, #{}), none),
            {Reason, {M, Fn, length(Args)}, Cause, Next}
    end.
