%% A long maps:from_list/1 shares the node: while one process builds a map of a hundred
%% thousand pairs, others run (erl's BIFs trap when their slice of work is used up). A
%% ticker process told to go just before the call must have sent its tick while the call
%% ran. The map is that of a build in one go (later pairs win, keys that compare
%% equal but are not exactly equal stay apart), and a bad element deep down fails with
%% erl's badarg and stack trace, with the list the call was given.
-module(t_trap_maps).
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
    N = 100000,
    Pairs = [{I, I * 2} || I <- lists:seq(1, N)],
    during(distinct, fun() -> maps:from_list(Pairs) end),
    %% Repeated keys (later pairs win) and keys of several types.
    Mixed = [{(I * 7919) rem 50000, I} || I <- lists:seq(1, N)]
        ++ [{a, 1}, {1.0, x}, {1, y}, {<<"k">>, z}, {a, 2}, {[1, 2], l}, {{t}, t}],
    during(repeated, fun() -> maps:from_list(Mixed) end),
    %% So many repeats that few keys are left: a small map.
    Few = [{I rem 20, I} || I <- lists:seq(1, N)],
    during(few_keys, fun() -> maps:from_list(Few) end),
    Small = maps:from_list([{I, I} || I <- lists:seq(1, 100)]),
    erlang:display({small, summary(Small)}),
    %% (erl 25 does not always return from a bad element after its first slice of pairs:
    %% seen after 60,000, 10,000 and 5,000; so here the bad element comes early, and a VM
    %% unit test checks one after a trap.)
    Some = lists:sublist(Pairs, 500),
    erlang:display({bad_element, catch_top(fun() -> maps:from_list(Some ++ [bad]) end)}),
    erlang:display({bad_tuple, catch_top(fun() -> R = maps:from_list([{1, 2}, {1, 2, 3}]), R end)}),
    erlang:display({bad_short, catch_top(fun() -> maps:from_list([{1, 2}, x]) end)}),
    erlang:display({not_list, catch_top(fun() -> maps:from_list(foo) end)}),
    erlang:halt(0).

ticker() ->
    Self = self(),
    spawn(fun() ->
        receive go -> ok end,
        Self ! {tick, erlang:monotonic_time()}
    end).

%% Size, a hash of the sorted pairs, the map's own hash and a few lookups.
summary(M) ->
    {map_size(M), erlang:phash2(lists:sort(maps:to_list(M))), erlang:phash2(M),
     [maps:get(K, M, none) || K <- [1, 2, 49999, a, 1.0, <<"k">>, [1, 2], {t}, 19]]}.

report(Tag, R, Ticked) ->
    erlang:display({Tag, summary(R)}),
    erlang:display({Tag, ticked_during_call, Ticked}).

%% The error and the top two frames of its stack trace, with arguments summarised (and no
%% file names).
catch_top(F) ->
    try F() of
        R -> {ok, map_size(R)}
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
