%% length/1 of a list of a million cells shares the node: erl's length/1 yields when its
%% slice of work is used up, and so does ours, going on where it stopped. A ticker process
%% told to go just before the call must have sent its tick while the call ran. In a guard
%% and in a body, on a proper, an improper and a literal list; the length of a list that
%% grows and shrinks between calls in one process is counted afresh each time.
-module(t_trap_length).
-export([main/0]).

%% Runs F while a ticker process, told to go just before, sends a tick stamped with the
%% time; shows the result and whether the tick was sent while the call ran.
during(Tag, F) ->
    Self = self(),
    Ticker = spawn(fun() -> receive go -> ok end, Self ! {tick, erlang:monotonic_time()} end),
    erlang:yield(),
    Ticker ! go,
    Start = erlang:monotonic_time(),
    R = F(),
    Done = erlang:monotonic_time(),
    Ticked = receive {tick, At} -> Start < At andalso At < Done end,
    erlang:display({Tag, R, ticked_during_call, Ticked}).

main() ->
    L = lists:seq(1, 1000000),
    during(body, fun() -> length(L) end),
    during(guard, fun() -> case L of X when length(X) > 999999 -> long; _ -> short end end),
    during(guard_false, fun() -> case L ++ [a | b] of X when length(X) > 3 -> long; _ -> no end end),
    during(improper, fun() -> catch_top(fun() -> length(L ++ x) end) end),
    %% Two long lengths in one expression, and one after the list changed.
    L2 = tl(L),
    during(two, fun() -> {length(L), length(L2), length(L) - length(L2)} end),
    L3 = [0 | L],
    erlang:display({changed, length(L3), length(L3 -- [0])}),
    %% Many processes measuring long lists at once.
    Self = self(),
    Ps = [spawn(fun() -> Self ! {len, I, length(lists:seq(1, 300000 + I))} end)
          || I <- lists:seq(1, 8)],
    erlang:display({many, lists:sort([receive {len, I, N} -> {I, N} end || _ <- Ps])}),
    erlang:display({short, length([]), length([a]), length(lists:seq(1, 63)),
                    length(lists:seq(1, 64)), catch_top(fun() -> length([a | b]) end)}),
    erlang:halt(0).

%% The error and the top two frames of its stack trace, with list arguments as their
%% length (and no file names).
catch_top(F) ->
    try F() of
        R -> {ok, R}
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
