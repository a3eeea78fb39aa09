%% Export funs (`fun M:F/A`) and apply/3 in hot loops: to this module, to a module loaded on
%% demand, to BIFs, through erlang:make_fun/3; and the errors: a function or module that does
%% not exist (undef, on every call, not only the first), a wrong arity (badarity).
-module(t_export_funs).
-export([main/0, inc/1, add/2, sum_to/3, not_called/0]).

inc(X) -> X + 1.
add(A, B) -> A + B.
not_called() -> never.

id(X) -> X.

%% Calls F(Acc) N times: a call site that sees one export fun over and over.
repeat(_F, 0, Acc) -> Acc;
repeat(F, N, Acc) -> repeat(F, N - 1, F(Acc)).

%% The same through apply/3 with a module and function known only at run time.
repeat_apply(_M, _F, 0, Acc) -> Acc;
repeat_apply(M, F, N, Acc) -> repeat_apply(M, F, N - 1, apply(M, F, [Acc])).

%% Export funs of two arities at one call site, alternating.
sum_to(F, G, N) -> sum_to(F, G, N, 0).
sum_to(_F, _G, 0, Acc) -> Acc;
sum_to(F, G, N, Acc) -> sum_to(F, G, N - 1, G(F(Acc), N)).

%% A call site that sees a different export fun on each call.
cycle([], _Funs, Acc) -> Acc;
cycle([X | Xs], [F | Fs], Acc) -> cycle(Xs, Fs ++ [F], F(Acc + X)).

try_call(F, Args) ->
    try apply(F, Args) of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

try_direct(F, X) ->
    try F(X) of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

try_apply(M, F, Args) ->
    try apply(M, F, Args) of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.

main() ->
    N = id(20000),
    Inc = fun ?MODULE:inc/1,
    erlang:display({own, repeat(Inc, N, 0), lists:sum(lists:map(fun ?MODULE:inc/1, lists:seq(1, N)))}),
    erlang:display({bif, repeat(fun erlang:abs/1, N, -5), repeat(fun erlang:'-'/1, N + 1, 7),
                    lists:foldl(fun erlang:max/2, 0, lists:seq(1, N)),
                    lists:sum(lists:map(fun erlang:length/1, [[a], [b, c], []]))}),
    erlang:display({other_module, repeat(fun lists:reverse/1, N + 1, [1, 2, 3]),
                    lists:map(fun string:to_upper/1, ["ab", "cd"]),
                    repeat(fun queue:from_list/1, 1, [x]) =:= queue:from_list([x])}),
    erlang:display({made, repeat(erlang:make_fun(?MODULE, inc, 1), N, 1),
                    repeat(erlang:make_fun(id(erlang), id(abs), 1), 3, -2),
                    erlang:make_fun(?MODULE, inc, 1) =:= Inc}),
    erlang:display({apply3, repeat_apply(id(?MODULE), id(inc), N, 0),
                    repeat_apply(id(erlang), id(abs), N, -3),
                    repeat_apply(id(lists), id(reverse), 3, [a, b])}),
    erlang:display({two_arities, sum_to(fun ?MODULE:inc/1, fun ?MODULE:add/2, N)}),
    Funs = [fun ?MODULE:inc/1, fun erlang:abs/1, fun erlang:'-'/1, fun ?MODULE:inc/1],
    erlang:display({cycle, cycle(lists:seq(1, N), Funs, 0)}),
    Missing = fun ?MODULE:no_such_function/1,
    NoModule = fun no_such_module_xyz:f/1,
    Made = erlang:make_fun(id(no_such_module_abc), id(g), 2),
    erlang:display({undef_fun, [try_call(Missing, [I]) || I <- [1, 2, 3]]}),
    erlang:display({undef_direct, [try_direct(Missing, I) || I <- [1, 2]],
                    [try_direct(NoModule, I) || I <- [1, 2]], try_direct(Inc, 1)}),
    erlang:display({undef_module, [try_call(NoModule, [I]) || I <- [1, 2]],
                    try_call(Made, [a, b]), try_call(Made, [c, d])}),
    erlang:display({undef_apply, [try_apply(?MODULE, no_such_function, [I]) || I <- [1, 2]],
                    [try_apply(no_such_module_def, f, [I]) || I <- [1, 2]]}),
    erlang:display({badarity, try_call(Inc, [1, 2]), try_call(fun erlang:abs/1, []),
                    try_call(Inc, [])}),
    erlang:display({not_called, is_function(fun ?MODULE:not_called/0, 0),
                    erlang:fun_info(fun ?MODULE:not_called/0, arity)}),
    erlang:display({then_defined, try_call(Inc, [41]), try_apply(?MODULE, inc, [1])}),
    erlang:halt(0).
