%% Funs: local and external funs, closures, higher-order code, apply, fun_info.
-module(t_funs).
-export([main/0, double/1, add/2, varargs/0, varargs/3]).

id(X) -> X.

double(X) -> 2 * X.
add(A, B) -> A + B.
varargs() -> none.
varargs(A, B, C) -> [C, B, A].

main() ->
    Local = fun double/1,
    Ext = fun ?MODULE:double/1,
    Ext2 = fun lists:reverse/1,
    erlang:display({calls, Local(4), Ext(5), Ext2([1, 2, 3]), (fun add/2)(1, 2), (fun(X) -> X + 1 end)(1)}),
    erlang:display({ext_display, Ext, Ext2, fun erlang:'+'/2, fun t_funs:add/2}),
    N = id(10), L = id([a, b]),
    AddN = fun(X) -> X + N end,
    Pair = fun(X) -> {X, L, N} end,
    erlang:display({closures, AddN(5), Pair(x), lists:map(AddN, [1, 2, 3])}),
    Counter = make_counter(id(0)),
    erlang:display({counter, Counter(inc), Counter(get)}),
    Adders = [make_adder(I) || I <- lists:seq(1, 5)],
    erlang:display({adders, [F(100) || F <- Adders]}),
    Compose = compose(fun(X) -> X * 3 end, fun(X) -> X + 1 end),
    erlang:display({compose, Compose(5), (compose_all([fun double/1, AddN, fun(X) -> -X end]))(1)}),
    erlang:display({curry, ((curry(fun add/2))(3))(4)}),
    erlang:display({apply, apply(fun double/1, [21]), apply(?MODULE, add, [1, 2]),
                    apply(lists, seq, [1, 3]), apply(id(?MODULE), id(varargs), id([])),
                    apply(id(?MODULE), id(varargs), [1, 2, 3]), erlang:apply(fun() -> zero end, []),
                    apply(id(fun ?MODULE:add/2), [5, 6])}),
    M = id(lists), F = id(max),
    erlang:display({dynamic_call, M:F([3, 9, 2]), ?MODULE:double(id(8)), (id(fun double/1))(9)}),
    erlang:display({recursive_fun, (fun Fact(0) -> 1; Fact(K) -> K * Fact(K - 1) end)(10)}),
    Y = fun(G) -> (fun(X) -> G(fun(V) -> (X(X))(V) end) end)(fun(X) -> G(fun(V) -> (X(X))(V) end) end) end,
    FibG = fun(Self) -> fun(0) -> 0; (1) -> 1; (K) -> Self(K - 1) + Self(K - 2) end end,
    erlang:display({y_combinator, (Y(FibG))(15)}),
    erlang:display({fun_info, erlang:fun_info(Ext, arity), erlang:fun_info(Ext, module),
                    erlang:fun_info(Ext, name), erlang:fun_info(Ext, type),
                    erlang:fun_info(AddN, arity), erlang:fun_info(AddN, module),
                    erlang:fun_info(AddN, type), erlang:fun_info(AddN, env),
                    erlang:fun_info(Local, name)}),
    erlang:display({is_function, is_function(AddN), is_function(AddN, 1), is_function(AddN, 2),
                    is_function(Ext, 1), is_function(x), guard_fun(AddN), guard_fun(Ext2), guard_fun(1)}),
    erlang:display({equality, fun double/1 =:= fun double/1, Ext =:= fun ?MODULE:double/1,
                    Ext =:= Ext2, AddN =:= AddN, make_adder(1) =:= make_adder(1),
                    make_adder(1) =:= make_adder(2)}),
    erlang:display({higher_order, lists:foldl(fun(Fn, Acc) -> Fn(Acc) end, 1, [fun double/1, AddN, Local]),
                    map_tree(fun(X) -> X * X end, {node, {leaf, 2}, {node, {leaf, 3}, {leaf, 4}}}),
                    lists:sort(fun({_, A}, {_, B}) -> A > B end, [{a, 1}, {b, 3}, {c, 2}])}),
    erlang:display({nested_closure, (((fun(A) -> fun(B) -> fun(C) -> [A, B, C, N] end end end)(1))(2))(3)}),
    erlang:display({fun_in_data, [Fn(3) || {_, Fn} <- [{d, fun double/1}, {n, AddN}]]}),
    erlang:display({errors,
                    catch_all(fun() -> (id(not_a_fun))(1) end),
                    catch_all(fun() -> (id(fun double/1))(1, 2) end),
                    catch_all(fun() -> (id(AddN))() end),
                    catch_all(fun() -> apply(id(no_such_module_xyz), foo, [1]) end),
                    catch_all(fun() -> apply(?MODULE, id(no_such_fun), [1]) end),
                    catch_all(fun() -> (id(fun no_such_module_xyz:f/0))() end),
                    catch_all(fun() -> apply(id(fun double/1), id(bad_args)) end),
                    catch_all(fun() -> erlang:fun_info(id(x), arity) end)}),
    erlang:halt(0).

make_counter(Start) ->
    fun(inc) -> Start + 1;
       (get) -> Start
    end.

make_adder(N) -> fun(X) -> X + N end.

compose(F, G) -> fun(X) -> F(G(X)) end.

compose_all(Fs) -> lists:foldr(fun(F, Acc) -> compose(Acc, F) end, fun(X) -> X end, Fs).

curry(F) -> fun(A) -> fun(B) -> F(A, B) end end.

guard_fun(F) when is_function(F, 1) -> arity1;
guard_fun(F) when is_function(F) -> other_arity;
guard_fun(_) -> not_fun.

map_tree(F, {leaf, V}) -> {leaf, F(V)};
map_tree(F, {node, L, R}) -> {node, map_tree(F, L), map_tree(F, R)}.

catch_all(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St -> {C, clean(R), top(St)}
    end.

%% Local funs display with a module checksum; keep only their identity.
clean({badarity, {F, Args}}) when is_function(F) -> {badarity, {fun_arity(F), Args}};
clean({badfun, F}) when is_function(F) -> {badfun, fun_arity(F)};
clean(R) -> R.

fun_arity(F) -> {fn, element(2, erlang:fun_info(F, arity))}.

top([{M, F, A, _} | _]) -> {M, F, clean_args(A)};
top(_) -> none.

clean_args(As) when is_list(As) -> [case is_function(A) of true -> fun_arity(A); false -> A end || A <- As];
clean_args(A) -> A.
