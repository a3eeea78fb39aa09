%% Traversals of long tables share the node: while one process runs ets:select/2,
%% match/2, match_object/2, tab2list/1 or select_count/2 over 100,000 objects, others run
%% (erl's traversals trap when their slice of work is used up). A ticker process told to go
%% just before the call must have sent its tick before the call returns. Results are
%% shown sorted (a set's order is the implementation's), for every table type, with guards,
%% bodies, bindings and objects of several per key; a bad specification fails before the
%% first trap, as in erl.
-module(t_trap_ets_scan).
-export([main/0]).

during(Tag, F) ->
    Ticker = ticker(),
    erlang:yield(),
    Ticker ! go,
    Start = erlang:monotonic_time(),
    R = (catch F()),
    Done = erlang:monotonic_time(),
    %% Ticked during the call: the tick was sent after the call began and before it
    %% returned (the ticker may also run when the caller is preempted before or after it).
    Ticked = receive {tick, At} -> Start < At andalso At < Done end,
    erlang:display({Tag, summary(R)}),
    erlang:display({Tag, ticked_during_call, Ticked}).

main() ->
    N = 100000,
    Tables = [{Type, table(Type, N)} || Type <- [set, ordered_set, bag, duplicate_bag]],
    [scans(Type, T) || {Type, T} <- Tables],
    {_, S} = hd(Tables),
    erlang:display({bad_guard, summary(catch ets:select(S, [{{'$1', '_', '_'}, [{bad_guard, '$1'}], ['$1']}]))}),
    erlang:display({bad_body, summary(catch ets:select(S, [{{'$1', '_', '_'}, [], [{extra, '$1'}]}]))}),
    erlang:display({bad_spec, summary(catch ets:select_count(S, not_a_spec))}),
    erlang:display({bad_pattern, summary(catch ets:match(S, {'$1', '$-1'}))}),
    erlang:display({small, lists:sort(ets:select(S, [{{'$1', '_', '_'}, [{'<', '$1', 4}], ['$1']}]))}),
    erlang:halt(0).

%% Keys 1..N, with two objects for every tenth key in the bag types.
table(Type, N) ->
    T = ets:new(Type, [Type, public]),
    ets:insert(T, [{I, I rem 7, <<I:32>>} || I <- lists:seq(1, N)]),
    case Type of
        bag -> ets:insert(T, [{I, extra, <<>>} || I <- lists:seq(10, N, 10)]);
        duplicate_bag -> ets:insert(T, [{I, I rem 7, <<I:32>>} || I <- lists:seq(10, N, 10)]);
        _ -> ok
    end,
    T.

scans(Type, T) ->
    during({Type, tab2list}, fun() -> ets:tab2list(T) end),
    during({Type, match_object}, fun() -> ets:match_object(T, {'_', 3, '_'}) end),
    during({Type, match}, fun() -> ets:match(T, {'$1', '$2', '_'}) end),
    during({Type, select}, fun() ->
        ets:select(T, [{{'$1', '$2', '$3'}, [{'>', '$1', 50000}, {'=/=', '$2', extra}],
                        [{{'$2', {byte_size, '$3'}, '$1'}}]},
                       {{'$1', extra, '_'}, [], [{{extra, '$1'}}]}])
    end),
    during({Type, select_count}, fun() ->
        ets:select_count(T, [{{'$1', '$2', '_'}, [{'==', '$2', 0}], [true]},
                             {{'$1', '_', '_'}, [{'<', '$1', 100}], [true]}])
    end).

summary({'EXIT', {Reason, [{M, F, A, _} | _]}}) -> {'EXIT', Reason, {M, F, length(A)}};
summary(L) when is_list(L) ->
    S = lists:sort(L),
    {length(L), erlang:phash2(S), lists:sublist(S, 3), lists:last([none | S])};
summary(X) -> X.

ticker() ->
    Self = self(),
    spawn(fun() ->
        receive go -> ok end,
        Self ! {tick, erlang:monotonic_time()}
    end).
