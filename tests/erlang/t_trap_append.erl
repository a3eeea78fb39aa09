%% A long `++` shares the node: while one process appends to a list of hundreds of thousands
%% of cells, others run (erl's `++` traps when its slice of work is used up). A ticker process
%% told to go just before the call must have sent its tick while the call ran. The result is
%% that of a copy done in one go, and a list found improper deep down fails with erl's
%% badarg and stack trace, with the arguments the call was given.
-module(t_trap_append).
-export([main/0]).

%% Runs F while a ticker process, told to go just before, sends a tick stamped with the
%% time; shows the result and whether the tick was sent while the call ran. The caller first
%% yields, so the ticker is waiting and the call starts with a whole slice.
during(Tag, F) ->
    Ticker = ticker(),
    erlang:yield(),
    Ticker ! go,
    Start = erlang:monotonic_time(),
    R = F(),
    Done = erlang:monotonic_time(),
    %% Ticked during the call: the tick was sent after the call began and before it
    %% returned (a BIF that charges reductions but does not trap lets the ticker run only
    %% once it has returned, when its caller is preempted).
    Ticked = receive {tick, At} -> Start < At andalso At < Done end,
    report(Tag, R, Ticked).

main() ->
    L = lists:seq(1, 300000),
    during(long, fun() -> L ++ [a, b] end),
    during(long_improper_tail, fun() -> L ++ tail end),
    during(lists_append, fun() -> lists:append(L, L) end),
    Small = lists:seq(1, 1000),
    erlang:display({small, summary(Small ++ Small)}),
    erlang:display({empty, [] ++ x, Small ++ [] =:= Small}),
    Improper = lists:foldl(fun(X, Acc) -> [X | Acc] end, x, L),
    erlang:display({improper_long, catch_top(fun() -> R = Improper ++ [a], R end)}),
    erlang:display({improper_long_body, catch_top(fun() -> R = Improper ++ [a], {R} end)}),
    erlang:display({improper_long_tail, catch_top(fun() -> tail_append(Improper, [a]) end)}),
    erlang:display({improper_short, catch_top(fun() -> tail_append([1 | 2], x) end)}),
    erlang:display({not_list, catch_top(fun() -> tail_append(foo, x) end)}),
    erlang:halt(0).

tail_append(A, B) -> A ++ B.

ticker() ->
    Self = self(),
    spawn(fun() ->
        receive go -> ok end,
        Self ! {tick, erlang:monotonic_time()}
    end).

report(Tag, R, Ticked) ->
    erlang:display({Tag, summary(R)}),
    erlang:display({Tag, ticked_during_call, Ticked}).

%% Length, sum of the integers, the last few cells and the tail.
summary(L) -> summary(L, 0, 0, []).
summary([H | T], N, S, Last) when is_integer(H) ->
    summary(T, N + 1, S + H, lists:sublist([H | Last], 3));
summary([H | T], N, S, Last) -> summary(T, N + 1, S, lists:sublist([H | Last], 3));
summary(Tail, N, S, Last) -> {N, S, Last, Tail}.

%% The error and the top two frames of its stack trace, with arguments summarised (and no
%% file names).
catch_top(F) ->
    try F() of
        R -> {ok, summary(R)}
    catch
        C:E:S -> {C, E, [{M, Fn, args(A), [I || {K, _} = I <- Loc, K =/= file]}
                              || {M, Fn, A, Loc} <- lists:sublist(S, 2)]}
    end.

args(A) when is_list(A) -> [arg(X) || X <- A];
args(A) -> A.

arg(X) when is_list(X) -> cells(X, 0);
arg(X) -> X.

cells([_ | T], N) -> cells(T, N + 1);
cells([], N) -> {list, N};
cells(T, N) -> {improper, N, T}.
