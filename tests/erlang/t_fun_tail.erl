%% A fun called in a tail position is a tail call: a loop through funs runs in constant
%% stack, and the caller's frame is gone from stack traces (except for a bad fun or arity,
%% which is found before the frame goes, as erl finds it).
-module(t_fun_tail).
-export([main/0]).

main() ->
    %% Two funs calling each other a million times (call_fun), and the same through
    %% call_fun2 (a fun held in a variable known to be a fun).
    F = fun(G, M) -> loop(G, M) end,
    loop(F, 1000000),
    H = fun(G, M) -> case M of 0 -> stack(); _ -> G(G, M - 1) end end,
    show(deep_fun_loop_stack_small, H(H, 1000000) < 100),
    K = fun
            Self(0) -> stack();
            Self(M) -> (id(Self))(M - 1)
        end,
    show(named_fun_loop_stack_small, K(1000000) < 100),
    %% Errors at the call and after it.
    Id = fun(X) -> X end,
    show(badarity_tail, catch tail(Id)),
    show(badfun_tail, catch tail(not_a_fun)),
    show(undef_bif_tail, catch tail(fun erlang:nonexistent_bif/2)),
    show(undef_module_tail, catch tail(fun nomod:nofun/2)),
    show(badarity_export_tail, catch tail(fun lists:reverse/1)),
    show(error_inside_tail, catch tail2(fun(_, _) -> error(inside) end)),
    show(clause_in_export_tail, catch tail2(fun lists:nth/2)),
    show(bif_tail_error, catch tail2(fun erlang:element/2)),
    show(bif_tail, tail3(fun erlang:max/2)),
    show(bif_tail_in_catch, catch tail3(fun erlang:min/2)),
    show(badarity_body, catch body(Id)),
    show(badfun_body, catch body(7)),
    show(result_body, body(fun(A, B) -> {A, B} end)),
    erlang:halt(0).

show(Tag, X) -> io:format("~p: ~p~n", [Tag, X]).

stack() ->
    {stack_size, S} = process_info(self(), stack_size),
    S.

loop(_F, 0) -> ok;
loop(F, N) -> F(F, N - 1).

tail(F) -> G = id(F), G(a, b).
tail2(F) -> G = id(F), G(0, [x]).
tail3(F) -> G = id(F), G(7, 2).
body(F) -> G = id(F), [G(a, b)].
id(X) -> X.
