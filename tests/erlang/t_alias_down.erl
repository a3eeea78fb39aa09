%% Monitor aliases as erl keeps them: a `demonitor` alias of a monitor whose target is
%% already dead takes messages until its owner gets the noproc 'DOWN', then none; a
%% `reply_demonitor` one takes the first and ends the monitor (no 'DOWN'); an
%% `explicit_unalias` one outlives the monitor; `unalias/1` ends any of them.
-module(t_alias_down).
-export([main/0]).
main() ->
    D = spawn(fun() -> ok end), timer:sleep(10),
    [begin
         R = monitor(process, D, [{alias, M}]),
         R ! {hi, M},
         Got = receive {hi, _} = X -> X after 50 -> none end,
         Down = receive {'DOWN', R, _, _, Why} -> Why after 50 -> nodown end,
         R ! {again, M},
         Again = receive {again, _} = Y -> Y after 50 -> none end,
         erlang:display({M, Got, Down, Again})
     end || M <- [demonitor, reply_demonitor, explicit_unalias]],
    L = spawn(fun() -> receive stop -> ok end end),
    [begin
         R = monitor(process, L, [{alias, M}]),
         A = unalias(R),
         R ! {hi, M},
         Got = receive {hi, _} = X -> X after 50 -> none end,
         B = demonitor(R, [info]),
         erlang:display({M, {unalias, A}, Got, {demonitor, B}})
     end || M <- [demonitor, reply_demonitor, explicit_unalias]],
    halt().
