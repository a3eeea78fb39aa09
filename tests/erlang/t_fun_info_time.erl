%% erlang:fun_info/1 (new_uniq is the module's MD5), fun_info_mfa/1 and the local-time
%% conversions, checked as erl checks them (a real date from 1902 on, a time of day).
-module(t_fun_info_time).
-export([main/0]).

main() ->
    X = length(atom_to_list(?MODULE)),
    F = fun(Y) -> X + Y end,
    Info = erlang:fun_info(F),
    erlang:display(proplists:get_value(pid, Info) =:= self()),
    %% new_uniq is the module's MD5, which the image leaves as zeros: compared, not shown.
    erlang:display(proplists:delete(new_uniq, proplists:delete(pid, Info))),
    erlang:display(erlang:fun_info(F, new_uniq) =:= {new_uniq, ?MODULE:module_info(md5)}),
    %% The same 16 bytes in the fun's external form (NEW_FUN_EXT: tag, size, arity, uniq).
    erlang:display(binary:part(term_to_binary(F), 7, 16) =:= ?MODULE:module_info(md5)),
    erlang:display(erlang:fun_info(fun lists:map/2)),
    %% fun_info_mfa gives the fun's own arity, its free variables left out; proc_lib's
    %% initial call of a fun is made from it.
    Outer = fun() -> F end,
    erlang:display([erlang:fun_info_mfa(H) || H <- [F, Outer, fun lists:map/2]]),
    Me = self(),
    proc_lib:spawn(fun() -> Me ! {initial, proc_lib:initial_call(self())} end),
    receive {initial, Call} -> erlang:display(Call) end,
    erlang:display(catch erlang:fun_info(notafun)),
    Dates = [{{2024, 6, 1}, {12, 0, 0}}, {{1901, 12, 31}, {0, 0, 0}}, {{1902, 1, 1}, {0, 0, 0}},
             {{2024, 2, 29}, {0, 0, 0}}, {{2023, 2, 29}, {0, 0, 0}}, {{2000, 2, 29}, {23, 59, 59}},
             {{1900, 2, 29}, {0, 0, 0}}, {{2024, 1, 1}, {24, 0, 0}}, {{2024, 1, 1}, {0, 0, 60}},
             {{2024, 13, 1}, {0, 0, 0}}, {{2024, 1, 1}, {0, 0, 0.0}}, {2024, 1, 1}, {{2024, 1, 1}}],
    Try = fun(G) -> try G() catch error:R -> R end end,
    [erlang:display({D, Try(fun() -> erlang:universaltime_to_localtime(D) end),
                     Try(fun() -> erlang:localtime_to_universaltime(D) end)}) || D <- Dates],
    [erlang:display([Try(fun() -> erlang:localtime_to_universaltime(D, Dst) end)
                     || Dst <- [true, false, undefined, maybe]])
     || D <- [{{2024, 1, 1}, {0, 30, 0}}, {{2024, 3, 1}, {0, 0, 0}}, {{1902, 1, 1}, {0, 0, 0}}]],
    erlang:display(calendar:local_time_to_universal_time_dst({{2024, 6, 1}, {12, 0, 0}})),
    halt().
