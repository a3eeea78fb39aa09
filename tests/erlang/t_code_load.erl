%% Loading code while the node runs, as tools and hot upgrades do: modules compiled from
%% text at run time (compile:forms/2) and loaded with code:load_binary/3, a server process
%% upgraded in place (it stays in its old code until it calls itself through the module's
%% name), old code purged (killing its last users) or kept (soft_purge), delete, load_abs,
%% and the BIFs under them (load_module, check_old_code, check_process_code, purge_module,
%% delete_module) with erl's errors and the error reports erl's emulator and code server
%% log (caught by a logger handler, so that stdout compares); the code path (add_patha,
%% add_pathsa, add_pathz, set_path, replace_path, del_path, all_loaded, sticky modules); a
%% gen_server upgraded with sys:suspend/change_code/resume.
-module(t_code_load).
-export([main/0, log/2]).

%% The logger handler: the text of each event, to the process in its config.
log(#{msg := Msg}, #{config := #{to := Pid}}) ->
    Text = case Msg of
               {string, S} -> S;
               {report, R} -> io_lib:format("~p", [R]);
               {F, A} -> io_lib:format(F, A)
           end,
    Pid ! {logged, iolist_to_binary(Text)}.

%% The next N events, sorted (erl's emulator and its code server log through different
%% processes, so their order varies).
logged(N) ->
    Texts = [receive {logged, Text} -> Text after 5000 -> nothing_logged end
             || _ <- lists:seq(1, N)],
    [io:format("  logged: ~p~n", [T]) || T <- lists:sort(Texts)].

src(Vsn) ->
    "-module(hot).\n-export([start/0, loop/1, vsn/0, f/0]).\n"
    "vsn() -> " ++ integer_to_list(Vsn) ++ ".\n"
    "f() -> fun() -> vsn() end.\n"
    "start() -> spawn(fun() -> loop(0) end).\n"
    "loop(N) -> receive {get, From} -> From ! {vsn(), N}, hot:loop(N + 1);"
    " {local, From} -> From ! {vsn(), N}, loop(N + 1); stop -> ok end.\n".

forms(Src) ->
    {ok, Toks, _} = erl_scan:string(Src),
    split(Toks, [], []).

split([], [], Acc) -> lists:reverse(Acc);
split([{dot, _} = D | T], Cur, Acc) ->
    {ok, F} = erl_parse:parse_form(lists:reverse([D | Cur])),
    split(T, [], [F | Acc]);
split([H | T], Cur, Acc) -> split(T, [H | Cur], Acc).

bin(Vsn) ->
    {ok, hot, B} = compile:forms(forms(src(Vsn)), [binary]),
    B.

ask(P, Tag) ->
    P ! {Tag, self()},
    receive {_, _} = R -> R after 300 -> no_answer end.

main() ->
    _ = logger:remove_handler(default),
    ok = logger:add_handler(probe, ?MODULE, #{config => #{to => self()}}),
    B1 = bin(1), B2 = bin(2), B3 = bin(3),
    io:format("before: ~p ~p ~p~n", [erlang:module_loaded(hot), code:is_loaded(hot),
                                     erlang:check_old_code(hot)]),
    io:format("load 1: ~p~n", [code:load_binary(hot, "hot.erl", B1)]),
    io:format("is_loaded: ~p which: ~p~n", [code:is_loaded(hot), code:which(hot)]),
    io:format("vsn ~p old ~p~n", [hot:vsn(), erlang:check_old_code(hot)]),
    F1 = hot:f(),
    P = hot:start(),
    io:format("server: ~p~n", [ask(P, get)]),
    io:format("load 2: ~p~n", [code:load_binary(hot, "hot.erl", B2)]),
    io:format("vsn ~p old ~p old fun ~p new fun ~p~n",
              [hot:vsn(), erlang:check_old_code(hot), F1(), (hot:f())()]),
    io:format("server, local call: ~p~n", [ask(P, local)]),
    io:format("server uses old code: ~p~n", [erlang:check_process_code(P, hot)]),
    io:format("soft_purge while used: ~p old ~p~n", [code:soft_purge(hot),
                                                    erlang:check_old_code(hot)]),
    io:format("server, remote call: ~p~n", [ask(P, get)]),
    io:format("server, now in new code: ~p ~p~n", [ask(P, get), erlang:check_process_code(P, hot)]),
    io:format("soft_purge unused: ~p old ~p~n", [code:soft_purge(hot), erlang:check_old_code(hot)]),
    %% Loading again makes 2 old; the server runs it until its next remote call.
    io:format("load 3: ~p vsn ~p~n", [code:load_binary(hot, "hot.erl", B3), hot:vsn()]),
    Ref = monitor(process, P),
    %% Loading over old code that a process runs purges it first: the server is killed.
    io:format("load 1 again: ~p vsn ~p~n", [code:load_binary(hot, "hot.erl", B1), hot:vsn()]),
    receive {'DOWN', Ref, process, P, Why} -> io:format("server down: ~p~n", [Why])
    after 1000 -> io:format("server alive~n")
    end,
    io:format("purge: ~p old ~p~n", [code:purge(hot), erlang:check_old_code(hot)]),
    io:format("purge again: ~p~n", [code:purge(hot)]),
    P2 = hot:start(),
    io:format("second server: ~p~n", [ask(P2, get)]),
    {module, hot} = code:load_binary(hot, "hot.erl", B2),
    io:format("second server: ~p~n", [ask(P2, local)]),
    Ref2 = monitor(process, P2),
    io:format("purge kills: ~p~n", [code:purge(hot)]),
    receive {'DOWN', Ref2, process, P2, Why2} -> io:format("second server down: ~p~n", [Why2])
    after 1000 -> io:format("second server alive~n")
    end,
    io:format("delete: ~p loaded ~p old ~p~n", [code:delete(hot), erlang:module_loaded(hot),
                                               erlang:check_old_code(hot)]),
    io:format("call deleted: ~p~n", [catch hot:vsn()]),
    io:format("delete again: ~p~n", [code:delete(hot)]),
    logged(1),
    io:format("load after delete: ~p~n", [code:load_binary(hot, "hot.erl", B1)]),
    io:format("purge: ~p~n", [code:purge(hot)]),
    io:format("load: ~p vsn ~p~n", [code:load_binary(hot, "hot.erl", B3), hot:vsn()]),
    io:format("bad binary: ~p~n", [code:load_binary(hot, "hot.erl", <<"junk">>)]),
    logged(2),
    io:format("vsn still ~p~n", [hot:vsn()]),
    io:format("wrong name: ~p~n", [code:load_binary(other, "other.erl", B2)]),
    logged(2),
    io:format("loaded: ~p~n", [erlang:module_loaded(other)]),
    io:format("truncated: ~p~n", [erlang:load_module(hot, binary:part(B2, 0, 100))]),
    logged(1),
    io:format("empty beam: ~p~n", [erlang:load_module(hot, <<"FOR1", 4:32, "BEAM">>)]),
    logged(1),
    io:format("load_module: ~p~n", [erlang:load_module(hot, B2)]),
    io:format("load_module over old: ~p~n", [erlang:load_module(hot, B1)]),
    io:format("purge_module: ~p~n", [erlang:purge_module(hot)]),
    io:format("purge_module, none: ~p~n", [catch erlang:purge_module(hot)]),
    io:format("delete_module: ~p~n", [erlang:delete_module(hot)]),
    io:format("delete_module, old: ~p~n", [catch erlang:delete_module(hot)]),
    logged(1),
    io:format("delete nothing: ~p ~p~n", [erlang:delete_module(never_loaded),
                                         code:delete(never_loaded)]),
    io:format("purge nothing: ~p ~p~n", [code:purge(never_loaded), code:soft_purge(never_loaded)]),
    io:format("self: ~p ~p~n", [erlang:check_process_code(self(), hot),
                                erlang:check_process_code(self(), hot, [{allow_gc, false}])]),
    Dir = filename:join("/tmp", "t_code_load_" ++ os:getpid()),
    ok = filelib:ensure_dir(filename:join(Dir, "x")),
    ok = file:write_file(filename:join(Dir, "hot.beam"), B3),
    io:format("load_abs: ~p vsn ~p~n", [code:load_abs(filename:join(Dir, "hot")), hot:vsn()]),
    io:format("which: ~p~n", [filename:basename(code:which(hot))]),
    io:format("load_abs missing: ~p~n", [code:load_abs(filename:join(Dir, "nothing"))]),
    ok = file:delete(filename:join(Dir, "hot.beam")),
    ok = file:del_dir(Dir),
    io:format("load_file missing: ~p~n", [code:load_file(no_such_module_anywhere)]),
    io:format("atom file: ~p ~p~n", [code:load_binary(hot, hot_file, B1), code:which(hot)]),
    io:format("badargs: ~p~n",
              [[element(1, catch code:load_binary(1, "x", B1)),
                catch erlang:load_module(hot, notbin),
                catch erlang:load_module("hot", B1),
                catch erlang:check_old_code("x"),
                catch erlang:check_process_code(self(), "x"),
                catch erlang:check_process_code(self(), hot, [bad])]]),
    paths(B1),
    upgrade(),
    purge_kills(B1, B2),
    purged_fun(B1, B2),
    found_later(),
    receive Extra -> io:format("unexpected: ~p~n", [Extra]) after 100 -> ok end,
    halt().

%% erlang:purge_module/1 called directly (not through the code server, which kills first)
%% kills the processes still in the old code, as erl's code purger does; others live on.
purge_kills(B1, B2) ->
    _ = code:purge(hot), _ = code:delete(hot), _ = code:purge(hot),
    {module, hot} = code:load_binary(hot, "hot.erl", B1),
    Old = hot:start(),
    Other = spawn(fun() -> receive stop -> ok end end),
    timer:sleep(50),
    {module, hot} = erlang:load_module(hot, B2),
    Refs = [monitor(process, P) || P <- [Old, Other]],
    io:format("in old code: ~p ~p~n", [erlang:check_process_code(Old, hot),
                                       erlang:check_process_code(Other, hot)]),
    io:format("purge_module: ~p old ~p~n", [erlang:purge_module(hot), erlang:check_old_code(hot)]),
    io:format("after: ~p~n", [[receive {'DOWN', R, process, _, Why} -> Why after 500 -> alive end
                               || R <- Refs]]),
    Other ! stop,
    io:format("new code runs: ~p, other ~p~n",
              [hot:vsn(), receive {'DOWN', _, process, Other, Why} -> Why end]).

%% A fun made by code that is then purged can no longer be called (badfun), and its name
%% is forgotten; it still prints and compares.
purged_fun(B1, B2) ->
    _ = code:purge(hot), _ = code:delete(hot), _ = code:purge(hot),
    {module, hot} = code:load_binary(hot, "hot.erl", B1),
    F = hot:f(),
    {module, hot} = code:load_binary(hot, "hot.erl", B2),
    io:format("old fun: ~p ~p~n", [F(), erlang:fun_info(F, name)]),
    io:format("purge: ~p~n", [code:purge(hot)]),
    io:format("purged fun: ~p~n", [try F() catch error:Reason -> Reason end]),
    io:format("info: ~p ~p ~p~n", [erlang:fun_info(F, name), erlang:fun_info(F, arity),
                                   is_function(F, 0)]),
    io:format("same: ~p new: ~p~n", [F =:= F, (hot:f())()]).

%% A module called before its file exists is undef; once the file is in the code path, a
%% later call finds it (erl looks for a missing module at every call).
found_later() ->
    Dir = filename:join("/tmp", "t_code_load_late_" ++ os:getpid()),
    ok = file:make_dir(Dir),
    true = code:add_patha(Dir),
    Late = list_to_atom("late_mod"),
    io:format("before: ~p~n", [try Late:f() catch error:undef -> undef end]),
    Src = "-module(late_mod).\n-export([f/0]).\nf() -> found.\n",
    {ok, late_mod, B} = compile:forms(forms(Src), [binary]),
    ok = file:write_file(filename:join(Dir, "late_mod.beam"), B),
    io:format("after: ~p ~p~n", [Late:f(), filename:basename(code:which(Late))]),
    ok = file:delete(filename:join(Dir, "late_mod.beam")),
    true = code:del_path(Dir),
    ok = file:del_dir(Dir).

%% A gen_server upgraded as a release upgrade does it: suspended, the new version loaded,
%% its state changed by the new code_change/3, resumed.
upgrade() ->
    {module, cnt} = code:load_binary(cnt, "cnt.erl", counter(1)),
    {ok, Pid} = cnt:start(),
    io:format("counter: ~p ~p~n", [cnt:get(), cnt:get()]),
    ok = sys:suspend(Pid),
    {module, cnt} = code:load_binary(cnt, "cnt.erl", counter(2)),
    io:format("change_code: ~p~n", [sys:change_code(Pid, cnt, "1", extra)]),
    ok = sys:resume(Pid),
    io:format("counter: ~p state ~p~n", [cnt:get(), sys:get_state(cnt)]),
    io:format("old: ~p soft_purge: ~p~n", [erlang:check_old_code(cnt), code:soft_purge(cnt)]),
    io:format("counter: ~p stop ~p~n", [cnt:get(), gen_server:stop(cnt)]).

counter(V) ->
    Init = case V of 1 -> "0"; 2 -> "{0, v2}" end,
    Next = case V of 1 -> "S + 1"; 2 -> "{element(1, S) + 1, v2}" end,
    Change = case V of 1 -> "S"; 2 -> "{S, {Old, Extra}}" end,
    Src = "-module(cnt).\n-behaviour(gen_server).\n"
        "-export([start/0, get/0, init/1, handle_call/3, handle_cast/2, code_change/3]).\n"
        "start() -> gen_server:start({local, cnt}, cnt, [], []).\n"
        "get() -> gen_server:call(cnt, get).\n"
        "init([]) -> {ok, " ++ Init ++ "}.\n"
        "handle_call(get, _, S) -> {reply, {" ++ integer_to_list(V) ++ ", S}, " ++ Next ++ "}.\n"
        "handle_cast(_, S) -> {noreply, S}.\n"
        "code_change(Old, S, Extra) -> {ok, " ++ Change ++ "}.\n",
    {ok, cnt, B} = compile:forms(forms(Src), [binary]),
    B.

%% The code path: a directory added finds a module that was missing before, deleted it no
%% longer does; sticky modules stay.
paths(B1) ->
    Top = filename:join("/tmp", "t_code_load_path_" ++ os:getpid()),
    [A, B] = [filename:join(Top, D) || D <- ["a", "b"]],
    ok = filelib:ensure_dir(filename:join(A, "x")),
    ok = filelib:ensure_dir(filename:join(B, "x")),
    {ok, pathmod, PB} = compile:forms(forms("-module(pathmod).\n-export([f/0]).\nf() -> here.\n"),
                                      [binary]),
    ok = file:write_file(filename:join(A, "pathmod.beam"), PB),
    Show = fun(Dirs) -> [case lists:prefix(Top, D) of
                             true -> lists:nthtail(length(Top) + 1, D);
                             false -> other
                         end || D <- Dirs] end,
    io:format("missing: ~p~n", [element(1, catch pathmod:f())]),
    io:format("add_patha: ~p ~p~n", [code:add_patha(A ++ "/"), Show(lists:sublist(code:get_path(), 1))]),
    io:format("found: ~p which ~p~n", [pathmod:f(), Show([code:which(pathmod)])]),
    io:format("all_loaded: ~p~n", [Show([F || {pathmod, F} <- code:all_loaded()])]),
    io:format("add_pathsa: ~p ~p~n", [code:add_pathsa([B, filename:join(Top, "none"), A]),
                                      Show(lists:sublist(code:get_path(), 2))]),
    io:format("add_pathz present: ~p ~p~n",
              [code:add_pathz(B), length([D || D <- code:get_path(), D =:= B])]),
    io:format("add_pathz missing: ~p~n", [code:add_pathz(filename:join(Top, "none"))]),
    io:format("set_path missing: ~p~n", [code:set_path([A, filename:join(Top, "none")])]),
    io:format("replace_path: ~p ~p~n", [code:replace_path(no_such_app, A),
                                        code:replace_path(no_such_app, filename:join(Top, "none"))]),
    io:format("del_path: ~p ~p ~p~n", [code:del_path(A), code:del_path(A), code:del_path(no_such_app)]),
    io:format("path now: ~p~n", [Show([D || D <- code:get_path(), lists:prefix(Top, D)])]),
    io:format("delete, purge: ~p ~p~n", [code:delete(pathmod), code:purge(pathmod)]),
    io:format("gone from the path: ~p~n", [element(1, catch pathmod:f())]),
    io:format("add_pathz again: ~p ~p~n", [code:add_pathz(A), pathmod:f()]),
    io:format("sticky: ~p~n", [[code:is_sticky(M) || M <- [lists, erlang, pathmod, t_code_load]]]),
    {lists, LB, _} = code:get_object_code(lists),
    io:format("load lists: ~p~n", [code:load_binary(lists, "lists.erl", LB)]),
    logged(1),
    io:format("load sticky-named: ~p~n", [code:load_binary(lists, "lists.erl", B1)]),
    logged(1),
    true = code:del_path(A),
    true = code:del_path(B),
    ok = file:delete(filename:join(A, "pathmod.beam")),
    [ok = file:del_dir(D) || D <- [A, B, Top]],
    ok.
