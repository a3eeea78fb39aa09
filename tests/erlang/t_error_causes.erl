%% The error_info causes erl gives ETS and register/2 errors (erl_error prints its
%% explanation from them): missing tables (id, type), access, keys, positions, names.
-module(t_error_causes).
-export([main/0]).

fi(St) ->
    case hd(St) of
        {_, _, _, L} -> proplists:get_value(error_info, L);
        _ -> none
    end.

t(F) ->
    try F(), ok catch error:R:S -> {R, fi(S)} end.

main() ->
    T = ets:new(t, [set]),
    ets:insert(T, {k, 1, a}),
    P = spawn(fun() -> receive after infinity -> ok end end),
    Self = self(),
    spawn(fun() -> T2 = ets:new(x, [private]), Self ! {t, T2}, receive after infinity -> ok end end),
    PT = receive {t, X1} -> X1 end,
    spawn(fun() -> T3 = ets:new(x, [protected]), Self ! {t, T3}, receive after infinity -> ok end end),
    PR = receive {t, X2} -> X2 end,
    Cases = [
      fun() -> ets:update_counter(T, nokey, 1) end,
      fun() -> ets:update_counter(T, k, a) end,
      fun() -> ets:update_counter(T, k, {3, 1}) end,
      fun() -> ets:update_counter(T, k, {9, 1}) end,
      fun() -> ets:lookup(nosuchtab, k) end,
      fun() -> ets:insert(nosuchtab, {a}) end,
      fun() -> ets:lookup(PT, k) end,
      fun() -> ets:insert(PT, {a}) end,
      fun() -> ets:lookup_element(T, nokey, 2) end,
      fun() -> ets:lookup_element(T, k, 9) end,
      fun() -> ets:update_element(T, nokey, {2, x}) end,
      fun() -> ets:update_element(T, k, {1, x}) end,
      fun() -> ets:insert(T, notatuple) end,
      fun() -> ets:new(t, [set, named_table]), ets:new(t, [named_table]) end,
      fun() -> ets:delete(nosuchtab) end,
      fun() -> ets:tab2list(nosuchtab) end,
      fun() -> ets:info(T, badkey) end,
      fun() -> register(me, self()), register(me, self()) end,
      fun() -> register(other, P), register(me2, P) end,
      fun() -> register(undefined, self()) end,
      fun() -> register(deadp, list_to_pid("<0.9999.0>")) end,
      fun() -> unregister(nobody) end,
      fun() -> register("str", self()) end,
      fun() -> ets:lookup(123, k) end,
      fun() -> ets:lookup(<<>>, k) end,
      fun() -> ets:update_element(T, k, {9, x}) end,
      fun() -> ets:update_counter(T, k, {1, 1}) end,
      fun() -> ets:update_counter(T, k, {2, 1, 0, 0}) end,
      fun() -> ets:update_counter(T, k, [{2, 1}, {5, 1}]) end,
      fun() -> ets:insert(PR, {a}) end,
      fun() -> ets:lookup(PR, a) end,
      fun() -> ets:delete(PR) end,
      fun() -> ets:delete(PR, a) end,
      fun() -> ets:update_counter(T, k, 1) end,
      fun() -> ets:member(nosuch, k) end,
      fun() -> ets:select(nosuch, [{'_', [], ['$_']}]) end,
      fun() -> ets:match_object(nosuch, '_') end,
      fun() -> ets:first(nosuch) end,
      fun() -> ets:info(nosuch) end,
      fun() -> ets:lookup_element(T, k, 0) end,
      fun() -> ets:insert_new(nosuch, {a}) end,
      fun() -> ets:update_counter(T, nokey, 1, {nokey, 0}) end,
      fun() -> register(foo, 123) end,
      fun() -> unregister("x") end
    ],
    [erlang:display(t(F)) || F <- Cases],
    erlang:display(lists:flatten(
        try ets:lookup(nosuchtab, k)
        catch C:R:S -> erl_error:format_exception(C, R, [hd(S)])
        end)),
    halt().
