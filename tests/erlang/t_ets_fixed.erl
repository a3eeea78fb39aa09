%% Fixed hashed ETS tables (safe_fixtable/2, and ets:foldl/3, which fixes the table): deleting
%% while traversing keeps the walk going from the deleted key, a fixed table does not grow
%% or shrink until it is released (then it catches up), a key deleted and inserted again
%% comes back in its place, and a fixing process that dies releases its fixation.
-module(t_ets_fixed).
-export([main/0]).

walk(_, '$end_of_table') -> [];
walk(T, K) -> [K | walk(T, ets:next(T, K))].

main() ->
    T = ets:new(t, [set, public]),
    ets:insert(T, [{K, K * K} || K <- lists:seq(1, 20)]),
    R = ets:foldl(fun({K, V}, Acc) when K rem 2 == 0 -> ets:delete(T, K), [V | Acc];
                     (_, Acc) -> Acc end, [], T),
    erlang:display(R),
    erlang:display(ets:tab2list(T)),
    erlang:display({fixed, ets:info(T, fixed), ets:info(T, safe_fixed)}),
    ets:safe_fixtable(T, true),
    ets:safe_fixtable(T, true),
    F = ets:first(T),
    ets:delete(T, F),
    erlang:display({F, ets:next(T, F), ets:lookup(T, F), ets:member(T, F)}),
    [ets:insert(T, {K, new}) || K <- lists:seq(100, 400)],
    ets:insert(T, {F, back}),
    W = walk(T, ets:first(T)),
    erlang:display({length(W), lists:sublist(W, 12), ets:info(T, size)}),
    erlang:display({element(2, ets:info(T, safe_fixed)) =:= [{self(), 2}],
                    element(2, ets:info(T, safe_fixed_monotonic_time)) =:= [{self(), 2}],
                    ets:info(T, fixed)}),
    ets:select_delete(T, [{{'$1', new}, [{'>', '$1', 350}], [true]}]),
    erlang:display(ets:next(T, 400)),
    ets:safe_fixtable(T, false),
    erlang:display(ets:info(T, fixed)),
    ets:safe_fixtable(T, false),
    erlang:display(ets:info(T, fixed)),
    erlang:display(try ets:next(T, 400) catch error:Why -> {error, Why} end),
    ets:insert(T, {1000, x}),
    erlang:display(lists:sublist(walk(T, ets:first(T)), 12)),
    [ets:insert(T, {K, more}) || K <- lists:seq(2000, 2040)],
    erlang:display(lists:sublist(walk(T, ets:first(T)), 12)),
    B = ets:new(b, [bag, public]),
    ets:insert(B, [{K rem 5, K} || K <- lists:seq(1, 30)]),
    ets:safe_fixtable(B, true),
    ets:delete_object(B, {2, 7}),
    ets:delete(B, 3),
    erlang:display({ets:next(B, 3), ets:lookup(B, 2), ets:tab2list(B)}),
    ets:delete_all_objects(B),
    erlang:display({ets:tab2list(B), ets:first(B), ets:info(B, size)}),
    Self = self(),
    P = spawn(fun() -> ets:safe_fixtable(B, true), Self ! fixed, receive stop -> ok end end),
    receive fixed -> ok end,
    erlang:display({ets:info(B, fixed), length(element(2, ets:info(B, safe_fixed)))}),
    ets:safe_fixtable(B, false),
    Ref = monitor(process, P),
    P ! stop,
    receive {'DOWN', Ref, _, _, _} -> ok end,
    erlang:display({ets:info(B, fixed), ets:info(B, safe_fixed)}),
    halt().
