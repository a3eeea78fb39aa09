%% Loading several modules as one step, as release handlers and build tools do:
%% code:atomic_load/1, code:prepare_loading/1 + finish_loading/1 and
%% code:ensure_modules_loaded/1 over modules compiled at run time (given as binaries or
%% found in the code path), with every refusal erl gives (duplicated, badfile, nofile,
%% on_load_not_allowed, not_purged, sticky_directory); and the BIFs under them,
%% erlang:prepare_loading/2, has_prepared_code_on_load/1 and finish_loading/1, with erl's
%% errors. Reports erl's emulator logs are caught by a logger handler, so stdout compares.
-module(t_atomic_load).
-export([main/0, log/2]).

log(#{msg := Msg}, #{config := #{to := Pid}}) ->
    Text = case Msg of
               {string, S} -> S;
               {report, R} -> io_lib:format("~p", [R]);
               {F, A} -> io_lib:format(F, A)
           end,
    Pid ! {logged, iolist_to_binary(Text)}.

logged(N) ->
    Texts = [receive {logged, Text} -> Text after 5000 -> nothing_logged end
             || _ <- lists:seq(1, N)],
    [io:format("  logged: ~p~n", [T]) || T <- lists:sort(Texts)].

%% A module `Name' whose v/0 answers Vsn, calling Other:v/0 if Other is not none, with an
%% -on_load function when OnLoad.
bin(Name, Vsn, Other, OnLoad) ->
    Call = case Other of
               none -> integer_to_list(Vsn);
               _ -> integer_to_list(Vsn) ++ " + " ++ atom_to_list(Other) ++ ":v()"
           end,
    Src = "-module(" ++ atom_to_list(Name) ++ ").\n-export([v/0]).\n"
        ++ case OnLoad of
               true -> "-on_load(init/0).\ninit() -> ok.\n";
               false -> ""
           end
        ++ "v() -> " ++ Call ++ ".\n",
    {ok, Toks, _} = erl_scan:string(Src),
    {ok, Name, B} = compile:forms(split(Toks, [], []), [binary]),
    B.

split([], [], Acc) -> lists:reverse(Acc);
split([{dot, _} = D | T], Cur, Acc) ->
    {ok, F} = erl_parse:parse_form(lists:reverse([D | Cur])),
    split(T, [], [F | Acc]);
split([H | T], Cur, Acc) -> split(T, [H | Cur], Acc).

%% An exception with the references in it named by position, so that the output compares
%% (erl's references print with other numbers).
show(Term) -> hide(Term).

hide(T) when is_reference(T) -> prepared_code;
hide([H | T]) -> [hide(H) | hide(T)];
hide(T) when is_tuple(T) -> list_to_tuple(hide(tuple_to_list(T)));
hide(T) when is_map(T) -> maps:map(fun(_, V) -> hide(V) end, T);
hide(T) -> T.

%% The result of Call or its exception, the call in a fun but not its tail call (a BIF
%% that OTP writes in Erlang, tail-called, would leave the fun out of erl's stack trace).
-define(catching(Call), catching(fun() -> {done, Call} end)).

catching(F) ->
    try F() of
        {done, R} -> show(R)
    catch
        C:R:St -> show({C, R, lists:sublist(St, 2)})
    end.

main() ->
    _ = logger:remove_handler(default),
    ok = logger:add_handler(probe, ?MODULE, #{config => #{to => self()}}),
    A1 = bin(al_a, 1, none, false), A2 = bin(al_a, 2, none, false),
    B1 = bin(al_b, 10, al_a, false), B2 = bin(al_b, 20, al_a, false),
    O1 = bin(al_o, 100, none, true),

    io:format("-- the BIFs~n"),
    PA = erlang:prepare_loading(al_a, A1),
    PB = erlang:prepare_loading(al_b, B1),
    PO = erlang:prepare_loading(al_o, O1),
    io:format("prepared: ~p ~p~n", [is_reference(PA), show(PA)]),
    io:format("junk: ~p~n", [erlang:prepare_loading(al_a, <<"junk">>)]),
    io:format("other name: ~p~n", [erlang:prepare_loading(al_b, A1)]),
    logged(2),
    io:format("~p~n", [?catching(erlang:prepare_loading("al_a", A1))]),
    io:format("~p~n", [?catching(erlang:prepare_loading(al_a, [A1]))]),
    io:format("~p~n", [?catching(erlang:prepare_loading(al_a, 7))]),
    io:format("on_load: ~p ~p ~p~n", [erlang:has_prepared_code_on_load(PA),
                                      erlang:has_prepared_code_on_load(PO),
                                      ?catching(erlang:has_prepared_code_on_load(make_ref()))]),
    io:format("~p~n", [?catching(erlang:has_prepared_code_on_load(al_a))]),
    io:format("empty: ~p~n", [erlang:finish_loading([])]),
    io:format("~p~n", [?catching(erlang:finish_loading(PA))]),
    io:format("~p~n", [?catching(erlang:finish_loading([PA, foo, PB]))]),
    io:format("~p~n", [?catching(erlang:finish_loading([PA | PB]))]),
    io:format("two with on_load: ~p~n", [?catching(erlang:finish_loading([PA, PO]))]),
    io:format("duplicated: ~p~n", [erlang:finish_loading([PA, PB, PA, PB])]),
    io:format("loaded before: ~p ~p~n", [erlang:module_loaded(al_a), erlang:module_loaded(al_b)]),
    io:format("finish: ~p~n", [erlang:finish_loading([PB, PA])]),
    io:format("loaded: ~p ~p v ~p~n", [erlang:module_loaded(al_a), erlang:module_loaded(al_b), al_b:v()]),
    io:format("again: ~p~n", [?catching(erlang:finish_loading([PA]))]),
    io:format("on_load after: ~p~n", [erlang:has_prepared_code_on_load(PA)]),
    io:format("single on_load: ~p~n", [erlang:finish_loading([PO])]),
    %% New versions of both: the current code becomes old, together.
    P2 = [erlang:prepare_loading(al_a, A2), erlang:prepare_loading(al_b, B2)],
    io:format("upgrade: ~p v ~p old ~p ~p~n", [erlang:finish_loading(P2), al_b:v(),
                                               erlang:check_old_code(al_a),
                                               erlang:check_old_code(al_b)]),
    true = erlang:purge_module(al_b),
    P3 = [erlang:prepare_loading(al_b, B1), erlang:prepare_loading(al_a, A1)],
    io:format("not purged: ~p v ~p~n", [erlang:finish_loading(P3), al_b:v()]),
    true = erlang:purge_module(al_a),
    io:format("now: ~p v ~p~n", [erlang:finish_loading(P3), al_b:v()]),
    true = erlang:purge_module(al_a), true = erlang:purge_module(al_b),

    io:format("-- code:atomic_load/1 with binaries~n"),
    io:format("duplicated: ~p~n", [code:atomic_load([{al_a, "al_a.beam", A2}, {al_a, "al_a.beam", A2}])]),
    io:format("badfile: ~p~n", [code:atomic_load([{al_a, "al_a.beam", <<"x">>}, {al_b, "al_b.beam", B2}])]),
    logged(1),
    io:format("on_load: ~p~n", [code:atomic_load([{al_o, "al_o.beam", O1}])]),
    io:format("sticky: ~p~n", [code:atomic_load([lists])]),
    io:format("nofile: ~p~n", [code:atomic_load([al_nosuch, {al_a, "al_a.beam", A2}])]),
    io:format("~p~n", [?catching(code:atomic_load(foo))]),
    io:format("~p~n", [?catching(code:atomic_load([{al_a, <<"f">>, A2}]))]),
    io:format("ok: ~p v ~p~n", [code:atomic_load([{al_a, "al_a.beam", A2}, {al_b, "al_b.beam", B2}]),
                                al_b:v()]),
    io:format("which: ~p ~p~n", [code:which(al_a), code:is_loaded(al_b)]),
    io:format("not purged: ~p v ~p~n",
              [code:atomic_load([{al_a, "al_a.beam", A1}, {al_b, "al_b.beam", B1}]), al_b:v()]),
    code:purge(al_a), code:purge(al_b),

    io:format("-- from the code path~n"),
    Dir = filename:join("/tmp", "t_atomic_load_" ++ os:getpid()),
    ok = file:make_dir(Dir),
    ok = file:write_file(filename:join(Dir, "al_a.beam"), A1),
    ok = file:write_file(filename:join(Dir, "al_b.beam"), B1),
    ok = file:write_file(filename:join(Dir, "al_bad.beam"), <<"FOR1 not a beam">>),
    true = code:add_patha(Dir),
    io:format("path: ~p v ~p~n", [code:atomic_load([al_a, al_b]), al_b:v()]),
    io:format("which: ~p~n", [code:which(al_a) =:= filename:join(Dir, "al_a.beam")]),
    code:purge(al_a), code:purge(al_b),
    io:format("badfile: ~p~n", [code:atomic_load([al_bad])]),
    logged(1),
    {ok, Prep} = code:prepare_loading([al_a, al_b]),
    io:format("prepare: ~p~n", [element(1, Prep)]),
    io:format("finish: ~p v ~p~n", [code:finish_loading(Prep), al_b:v()]),
    io:format("~p~n", [?catching(code:finish_loading(foo))]),
    io:format("prepare errors: ~p~n", [code:prepare_loading([al_a, al_nosuch, al_a])]),

    io:format("-- code:ensure_modules_loaded/1~n"),
    io:format("~p~n", [code:ensure_modules_loaded([al_a, lists, al_nosuch])]),
    code:purge(al_a), code:purge(al_b),
    true = code:delete(al_a), true = code:delete(al_b),
    code:purge(al_a), code:purge(al_b),
    io:format("loaded: ~p~n", [erlang:module_loaded(al_b)]),
    io:format("~p v ~p~n", [code:ensure_modules_loaded([al_b, al_a]), al_b:v()]),
    %% (Only the reason: the module loads the node's own way, so the function that refuses
    %% the argument is not code.erl's.)
    io:format("~p~n", [try code:ensure_modules_loaded(foo) catch C:R -> {C, R} end]),
    [ok = file:delete(filename:join(Dir, F)) || F <- ["al_a.beam", "al_b.beam", "al_bad.beam"]],
    ok = file:del_dir(Dir),
    halt().
