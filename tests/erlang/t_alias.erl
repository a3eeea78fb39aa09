%% Process aliases and monitor aliases: messages through an alias arrive while it is active
%% and are dropped once it is not; each mode ends its alias as erl's does; thousands of
%% monitors and aliases at once come and go in any order.
-module(t_alias).
-export([main/0]).

main() ->
    plain(),
    modes(),
    many(),
    erlang:halt(0).

%% alias/0, alias/1 and unalias/1.
plain() ->
    A = alias(),
    A ! {A, one},
    erlang:display({plain, got(A)}),
    erlang:display({unalias, unalias(A), unalias(A)}),
    A ! {A, two},
    erlang:display({after_unalias, got(A)}),
    B = alias([reply]),
    B ! {B, first},
    B ! {B, second},
    erlang:display({reply_alias, got(B), got(B)}),
    Other = spawn(fun() -> receive stop -> ok end end),
    erlang:display({unalias_not_ours, unalias(make_ref())}),
    Other ! stop.

%% The three monitor alias modes, with the alias used from another process.
modes() ->
    Server = spawn(fun server/0),
    %% demonitor: the alias lives until the monitor goes.
    R1 = monitor(process, Server, [{alias, demonitor}]),
    Server ! {echo, R1, a},
    Server ! {echo, R1, b},
    erlang:display({demonitor_mode, got(R1), got(R1)}),
    erlang:display({demonitor, demonitor(R1, [flush, info])}),
    Server ! {echo, R1, c},
    erlang:display({after_demonitor, got(R1)}),
    %% reply_demonitor: the first reply ends the alias and the monitor.
    R2 = monitor(process, Server, [{alias, reply_demonitor}]),
    Server ! {echo, R2, x},
    erlang:display({reply_mode, got(R2)}),
    Server ! {echo, R2, y},
    erlang:display({after_reply, got(R2), demonitor(R2, [info])}),
    %% explicit_unalias: the alias outlives the monitor.
    R3 = monitor(process, Server, [{alias, explicit_unalias}]),
    erlang:display({explicit, demonitor(R3, [info])}),
    Server ! {echo, R3, z},
    erlang:display({explicit_after_demonitor, got(R3), unalias(R3)}),
    Server ! {echo, R3, w},
    erlang:display({explicit_after_unalias, got(R3)}),
    %% The monitored process dies: 'DOWN', and the alias goes with the monitor.
    R4 = monitor(process, Server, [{alias, demonitor}]),
    Server ! stop,
    receive {'DOWN', R4, process, Server, Why} -> erlang:display({down, Why}) end,
    Echo = spawn(fun server/0),
    Echo ! {echo, R4, late},
    erlang:display({after_down, got(R4)}),
    Echo ! stop.

server() ->
    receive
        {echo, To, What} -> To ! {To, What}, server();
        stop -> ok
    end.

%% Many monitors with aliases at once, ended out of order: replies through every third one,
%% demonitors of the rest, then none is left active.
many() ->
    Server = spawn(fun server/0),
    N = 3000,
    Refs = [monitor(process, Server, [{alias, reply_demonitor}]) || _ <- lists:seq(1, N)],
    Tagged = lists:zip(lists:seq(1, N), Refs),
    Replied = [R || {I, R} <- Tagged, I rem 3 =:= 0],
    Dropped = [R || {I, R} <- Tagged, I rem 3 =/= 0],
    [Server ! {echo, R, I} || {I, R} <- lists:reverse(Tagged), I rem 3 =:= 0],
    Got = [got(R) || R <- Replied],
    Removed = [demonitor(R, [info]) || R <- lists:reverse(Dropped)],
    AgainReplied = [demonitor(R, [info]) || R <- Replied],
    [Server ! {echo, R, again} || R <- Refs],
    sync(Server),
    Late = [got_now(R) || R <- Refs],
    erlang:display({many, length(Got), lists:sum([I || {ok, I} <- Got]),
                    lists:usort(Removed), lists:usort(AgainReplied), lists:usort(Late)}),
    Server ! stop.

got(R) ->
    receive {R, What} -> {ok, What} after 50 -> none end.

%% What came through R before now.
got_now(R) ->
    receive {R, What} -> {ok, What} after 0 -> none end.

%% Once the server has answered this, every reply it sent before is here.
sync(Server) ->
    A = alias(),
    Server ! {echo, A, sync},
    receive {A, sync} -> unalias(A) end.
