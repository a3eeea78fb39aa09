-module(t_errors_everyday).
-export([main/0]).

%% Errors as programs meet them: try/catch/after, error tuples vs exceptions, exits of
%% linked and monitored processes, erl_error formatting, and a retry loop.

safe_div(_, 0) -> {error, division_by_zero};
safe_div(A, B) -> {ok, A / B}.

parse_int(S) ->
    try list_to_integer(S) of
        N when N >= 0 -> {ok, N};
        N -> {error, {negative, N}}
    catch
        error:badarg -> {error, {not_a_number, S}}
    end.

with_resource(F) ->
    put(open, true),
    try F()
    after
        put(open, false)
    end.

retry(_F, 0, Errs) -> {gave_up, lists:reverse(Errs)};
retry(F, N, Errs) ->
    case catch F(N) of
        {ok, V} -> {ok, V, lists:reverse(Errs)};
        Err -> retry(F, N - 1, [Err | Errs])
    end.

fmt(C, R, St) ->
    lists:flatten(erl_error:format_exception(C, R, St, #{stacktrace_format_fun => fun(_, _) -> [] end})).

main() ->
    ok = logger:update_formatter_config(default, #{legacy_header => false,
                                                   template => ["== ", level, " == ", msg, "\n"]}),
    io:format("~p~n", [[safe_div(1, 0), safe_div(6, 3)]]),
    io:format("~p~n", [[parse_int(S) || S <- ["42", "-7", "4x2", ""]]]),
    io:format("~p~n", [catch with_resource(fun() -> throw(early) end)]),
    io:format("~p~n", [get(open)]),
    io:format("~p~n", [retry(fun(1) -> {ok, done}; (N) -> error({attempt_failed, N}) end, 3, [])]),
    io:format("~p~n", [retry(fun(N) -> exit({nope, N}) end, 2, [])]),
    Cases = [fun() -> 1 + a end, fun() -> element(5, {a}) end, fun() -> atom_to_list(1) end,
             fun() -> [x] ++ y ++ z end, fun() -> lists:sum(not_a_list) end,
             fun() -> #{a := _} = #{} end, fun() -> binary_to_atom(<<255>>, utf8) end,
             fun() -> list_to_existing_atom("surely_no_such_atom_here") end,
             fun() -> maps:get(k, #{}) end, fun() -> erlang:error(my_reason) end,
             fun() -> exit(normal) end, fun() -> throw({custom, 1}) end,
             fun() -> (fun(X) -> X end)(1, 2) end, fun() -> list_to_integer("12x") end,
             fun() -> receive after -1 -> ok end end, fun() -> <<1:(-1)>> end],
    [try F() catch C:R:St -> io:format("~p:~p~n  ~s~n", [C, R, fmt(C, R, St)]) end || F <- Cases],
    process_flag(trap_exit, true),
    P1 = spawn_link(fun() -> exit(custom_reason) end),
    receive {'EXIT', P1, R1} -> io:format("linked exit: ~p~n", [R1]) end,
    P2 = spawn_link(fun() -> error(crashed) end),
    %% The crash's error report goes through the logger while the signal comes straight
    %% here: a pause before printing lets the report come out first, as erl's fast logger
    %% usually has it.
    receive {'EXIT', P2, {R2, [Top | _]}} ->
            timer:sleep(50), io:format("linked crash: ~p ~p~n", [R2, Top]) end,
    {P3, M3} = spawn_monitor(fun() -> 1 = 2 end),
    receive {'DOWN', M3, process, P3, {R3, _}} ->
            timer:sleep(50), io:format("monitored: ~p~n", [R3]) end,
    M4 = monitor(process, list_to_pid("<0.9999.0>")),
    receive {'DOWN', M4, process, _, R4} -> io:format("dead on arrival: ~p~n", [R4]) end,
    io:format("~p~n", [catch exit(self(), normal)]),
    P5 = spawn(fun() -> receive _ -> ok end end),
    exit(P5, kill),
    timer:sleep(5),
    io:format("~p~n", [is_process_alive(P5)]),
    %% A NIF stub's error starts its stack trace with the BIF's frame.
    io:format("~p~n", [try erlang:nif_error(undef) catch error:undef:S -> hd(S) end]),
    halt().
