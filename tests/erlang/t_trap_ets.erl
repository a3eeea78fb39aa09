%% Long ets:insert/2 and insert_new/2 share the node: while one process inserts a list of
%% hundreds of thousands of objects, others run while the objects are checked and copied
%% (erl's BIFs trap when their slice of work is used up); they are then inserted at once,
%% so the insert stays atomic. A ticker process told to go just before the call must have
%% sent a tick by the time the call returns. The table is that of an insert in one go, and a
%% bad object deep down fails with erl's badarg and stack trace, inserting nothing.
-module(t_trap_ets).
-export([main/0]).

%% Runs F while a ticker process, told to go just before, sends a tick stamped with the
%% time; shows the result with table T's contents after it and whether the tick was sent
%% while the call ran. The caller first yields, so the ticker is waiting and the call starts
%% with a whole slice.
during(Tag, F, T) ->
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
    report(Tag, {R, table(T)}, Ticked).

main() ->
    N = 60000,
    Objs = [{I, I * 2} || I <- lists:seq(1, N)],
    Set = ets:new(set, [set]),
    during(insert_set, fun() -> ets:insert(Set, Objs) end, Set),
    Bag = ets:new(bag, [bag]),
    Dups = [{I rem 1000, I rem 7} || I <- lists:seq(1, N)],
    during(insert_bag, fun() -> ets:insert(Bag, Dups) end, Bag),
    Ord = ets:new(ord, [ordered_set, {keypos, 2}]),
    Rev = [{x, -I, I} || I <- lists:seq(1, N)] ++ [{y, 1.5, f}, {z, 1, i}],
    during(insert_ordered, fun() -> ets:insert(Ord, Rev) end, Ord),
    New = ets:new(new, [set]),
    during(insert_new, fun() -> ets:insert_new(New, Objs) end, New),
    erlang:display({insert_new_again, ets:insert_new(New, [{0, 0} | Objs]), table(New)}),
    Other = ets:new(other, [set, public]),
    Pairs = [{I, I} || I <- lists:seq(1, N div 2)],
    erlang:display({insert_new_fresh, ets:insert_new(Other, Pairs), table(Other)}),
    Bad = ets:new(bad, [set]),
    erlang:display({bad_object, catch_top(fun() -> ets:insert(Bad, Objs ++ [bad]) end), table(Bad)}),
    erlang:display({short_tuple, catch_top(fun() -> R = ets:insert(Ord, Rev ++ [{1}]), R end)}),
    erlang:display({improper, catch_top(fun() -> ets:insert_new(Bad, Objs ++ x) end), table(Bad)}),
    erlang:display({bad_short, catch_top(fun() -> ets:insert(Bad, [{1}, bad]) end)}),
    erlang:halt(0).

%% Size and a hash of the sorted objects.
table(T) -> {ets:info(T, size), erlang:phash2(lists:sort(ets:tab2list(T)))}.

%% The result.
summary(R) -> R.

ticker() ->
    Self = self(),
    spawn(fun() ->
        receive go -> ok end,
        Self ! {tick, erlang:monotonic_time()}
    end).

report(Tag, R, Ticked) ->
    erlang:display({Tag, summary(R)}),
    erlang:display({Tag, ticked_during_call, Ticked}).

%% The error and the top two frames of its stack trace, with arguments summarised (and no
%% file names).
catch_top(F) ->
    try F() of
        R -> {ok, R}
    catch
        C:E:S -> {C, E, [{M, Fn, args(A), [I || {K, _} = I <- Loc, K =/= file]}
                              || {M, Fn, A, Loc} <- lists:sublist(S, 2)]}
    end.

args(A) when is_list(A) -> [arg(X) || X <- A, not is_reference(X)];
args(A) -> A.

arg(X) when is_list(X) -> cells(X, 0);
arg(X) -> X.

cells([_ | T], N) -> cells(T, N + 1);
cells([], N) -> {list, N};
cells(T, N) -> {improper, N, T}.
