%% Long `re` runs share the node: while one process is in a long re:run, re:replace or
%% re:split, others run (erl's re traps when its slice of work is used up). A ticker process
%% that is only told to start just before the call must have sent its ticks by the time the
%% call returns. Results and limit errors are those of a run done in one go, and a process
%% killed in the middle of a run dies as any other. The match limit holds for each start
%% position on its own.
-module(t_re_slice).
-export([main/0]).

%% Runs Call while a ticker process, told to go just before, sends three ticks; shows the
%% result and whether the first tick had arrived when the call returned. The caller first
%% yields, so the ticker is waiting and the call starts with a whole slice; nothing between
%% the call's return and the check (no call, no return) lets the ticker run, so a tick seen
%% there was sent during the call.
-define(DURING(Tag, Call),
    begin
        Ticker = ticker(),
        erlang:yield(),
        Ticker ! go,
        R = Call,
        Ticked = receive {tick, 1} -> true after 0 -> false end,
        report(Tag, R, Ticked)
    end).

main() ->
    S18 = hopeless(18),
    Text = binary:copy(<<"alpha  beta\tgamma\n">>, 5000),
    run_nomatch(S18),
    run_limit(S18),
    run_limit_quiet(S18),
    run_depth(S18),
    run_global(Text),
    run_compiled(S18),
    replace(Text),
    split(Text),
    limit_per_start(),
    killed_while_running(hopeless(23)),
    erlang:halt(0).

run_nomatch(S) -> ?DURING(run_nomatch, re:run(S, "^(a+)+$", [report_errors])).

run_limit(S) ->
    ?DURING(run_limit, re:run(S, "^(a+)+$", [report_errors, {match_limit, 100000}])).

run_limit_quiet(S) ->
    ?DURING(run_limit_quiet, re:run(S, "^(a+)+$", [{match_limit, 100000}])).

run_depth(S) ->
    % Stopped at once: no slices, so no ticker.
    erlang:display({run_depth_error,
                    re:run(S, "^(a+)+$", [report_errors, {match_limit_recursion, 10}])}),
    ?DURING(run_depth_enough,
            re:run(S, "^(a+)+$", [report_errors, {match_limit_recursion, 1000}])).

run_global(Text) ->
    ?DURING(run_global, re:run(Text, "[a-z]+", [global, {capture, first, index}])).

run_compiled(S) ->
    {ok, MP} = re:compile("^(a+)+$"),
    ?DURING(run_compiled, re:run(S, MP)),
    erlang:display({run_compiled, re:run(<<"aaaa">>, MP, [{capture, all, list}])}).

replace(Text) ->
    ?DURING(replace, re:replace(Text, "\\s+", "_", [global, {return, binary}])).

split(Text) -> ?DURING(split, re:split(Text, "\\s+", [{return, binary}, trim])).

%% The match limit holds for each start position on its own (as PCRE counts it): these
%% stay under it at every start, though not all together.
limit_per_start() ->
    Cases = [{"(a|aa)+$", "bbaaaaa aabba aaaab abaaaab aaaX", 100},
             {"(a+)+$", "aaa aaaaba X", 100},
             {"(\\w+\\s?)*$", "a a b aaa aabaabaa baab  ab a", 100000},
             {"(\\w+\\s?)*$", "bab b  aabaaaaaaa baa aabaa aaa ", 100},
             {"(a+)+$", "aaaaaaa b aaaaaaab!", 1000},
             {"(a*)*b", "aa a aaaa a  aba  b  a baaaa!", 100}],
    [erlang:display({limit_per_start, P, S,
                     re:run(S, P, [report_errors, {match_limit, L}, {capture, first, index}])})
     || {P, S, L} <- Cases].

%% `aaa...aX`: no match, after exponential backtracking.
hopeless(N) -> list_to_binary(lists:duplicate(N, $a) ++ "X").

ticker() ->
    Self = self(),
    spawn(fun() ->
        receive go -> ok end,
        [Self ! {tick, N} || N <- [1, 2, 3]]
    end).

report(Tag, R, Ticked) ->
    Rest = receive_ticks(),
    erlang:display({Tag, summary(R)}),
    erlang:display({Tag, ticked_during_call, Ticked, Rest}).

summary({match, L}) when length(L) > 3 -> {match, length(L), lists:last(L)};
summary(L) when is_list(L) -> {length(L), lists:nth(3, L), lists:last(L)};
summary(B) when is_binary(B) -> {byte_size(B), erlang:md5(B)};
summary(R) -> R.

receive_ticks() ->
    receive
        {tick, N} -> [N | receive_ticks()]
    after 0 -> []
    end.

killed_while_running(S) ->
    Self = self(),
    {Pid, Ref} = spawn_monitor(fun() ->
        Self ! started,
        re:run(S, "^(a+)+$"),
        Self ! finished
    end),
    receive started -> ok end,
    exit(Pid, kill),
    receive
        {'DOWN', Ref, process, Pid, Why} -> erlang:display({killed_while_running, Why})
    end,
    receive finished -> erlang:display(finished_anyway) after 0 -> ok end,
    erlang:display({after_kill, re:run(<<"xaay">>, "a+", [{capture, all, binary}])}).
