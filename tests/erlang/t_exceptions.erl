%% Exceptions: try/catch/after, catch, throw/error/exit, raise, standard error reasons.
-module(t_exceptions).
-export([main/0, thrower/1, fc/1]).

-record(r, {a}).

id(X) -> X.

main() ->
    erlang:display({classes, catch_all(fun() -> throw(t) end), catch_all(fun() -> error(e) end),
                    catch_all(fun() -> exit(x) end), catch_all(fun() -> error({tuple, reason}) end),
                    catch_all(fun() -> error(with_args, [1, 2]) end)}),
    erlang:display({old_catch, catch throw(t), catch id(value), element(1, catch error(e)),
                    element(1, catch exit(x)), catch_reason(catch error(e)), catch_reason(catch exit(x)),
                    catch 1 + 1}),
    erlang:display({standard,
                    catch_all(fun() -> {ok, _} = id(error) end),
                    catch_all(fun() -> case id(3) of 1 -> one; 2 -> two end end),
                    catch_all(fun() -> if_clause(id(5)) end),
                    catch_all(fun() -> fc(id(bad)) end),
                    catch_all(fun() -> ?MODULE:fc(id(bad)) end),
                    catch_all(fun() -> id(1) + id(a) end),
                    catch_all(fun() -> id(1) div id(0) end),
                    catch_all(fun() -> id(1) rem id(0) end),
                    catch_all(fun() -> -id(a) end),
                    catch_all(fun() -> bnot id(1.0) end),
                    catch_all(fun() -> atom_to_list(id(1)) end),
                    catch_all(fun() -> list_to_atom(id(a)) end),
                    catch_all(fun() -> no_such_mod:f(id(1)) end),
                    catch_all(fun() -> ?MODULE:missing(id(1), 2) end),
                    catch_all(fun() -> (id(x))#r.a end),
                    catch_all(fun() -> try_clause(id(x)) end)}),
    erlang:display({after_order, after_test(ok), after_test(throw), after_test(error)}),
    erlang:display({nested, nested(id(1)), nested(id(2)), nested(id(3)), nested(id(4))}),
    erlang:display({rethrow, catch_all(fun() -> rethrow() end)}),
    erlang:display({raise, catch_all(fun() -> erlang:raise(throw, r1, []) end),
                    catch_all(fun() -> erlang:raise(error, r2, [{m, f, 1, []}]) end),
                    catch_all(fun() -> erlang:raise(exit, r3, [{m, f, [a], [{line, 3}]}]) end),
                    erlang:raise(bad_class, r, []), erlang:raise(error, r, not_a_trace)}),
    erlang:display({raise_keep, keep_stack()}),
    erlang:display({try_of, try_of(id(1)), catch_all(fun() -> try_of(id(2)) end),
                    catch_all(fun() -> try_of(id(3)) end)}),
    erlang:display({class_match, class_match(fun() -> throw(a) end), class_match(fun() -> error(b) end),
                    class_match(fun() -> exit(c) end), class_match(fun() -> ok end)}),
    erlang:display({stack, stack_shape()}),
    erlang:display({deep_throw, catch_all(fun() -> deep_throw(id(1000)) end)}),
    erlang:display({in_loop, lists:map(fun(X) -> try 10 div X catch error:badarith -> inf end end,
                                       [2, 0, 5, 0])}),
    erlang:display({after_value, after_value()}),
    erlang:display({exit_normal, catch_all(fun() -> exit(normal) end)}),
    erlang:display({error_info, catch_all(fun() -> erlang:error(my, none) end),
                    catch_all(fun() -> erlang:error(my, [a], [{error_info, #{module => ?MODULE}}]) end)}),
    erlang:display({thrower, [strip(catch ?MODULE:thrower(I)) || I <- [1, 2, 3]]}),
    erlang:display({stacktrace_arity, arity_frames()}),
    erlang:display({nocatch_in_catch, catch_all(fun() -> catch_in_try() end)}),
    erlang:halt(0).

fc(X) when is_integer(X) -> X.

if_clause(X) ->
    if X > 10 -> big;
       X < 0 -> neg
    end.

try_clause(X) ->
    try id(X) of
        y -> y
    catch
        _ -> caught
    end.

catch_reason({'EXIT', {R, _}}) -> R;
catch_reason({'EXIT', R}) -> R.

after_test(Mode) ->
    put(log, []),
    R = case catch after_inner(Mode) of
            {'EXIT', {Reason, _Stack}} -> {'EXIT', Reason};
            Other -> Other
        end,
    {R, lists:reverse(get(log))}.

after_inner(Mode) ->
    try
        log(body),
        case Mode of
            ok -> done;
            throw -> throw(oops);
            error -> error(bad)
        end
    after
        log('after')
    end.

log(X) -> put(log, [X | get(log)]).

nested(N) ->
    try
        try
            case N of
                1 -> throw(inner);
                2 -> error(inner_err);
                3 -> exit(inner_exit);
                4 -> ok
            end
        catch
            throw:inner -> {caught_inner, throw(outer)}
        after
            put(nested_after, N)
        end
    catch
        throw:outer -> {outer_caught, get(nested_after)};
        error:E -> {outer_error, E};
        exit:E -> {outer_exit, E}
    end.

rethrow() ->
    try error(first)
    catch error:first:St -> erlang:raise(error, {wrapped, first}, St)
    end.

keep_stack() ->
    try
        try fc(id(x))
        catch C:R:St -> erlang:raise(C, R, St)
        end
    catch C2:R2:St2 -> {C2, R2, top(St2)}
    end.

try_of(X) ->
    try id(X) of
        1 -> one;
        2 -> throw(from_of)
    catch
        throw:from_of -> caught_from_of
    end.

class_match(F) ->
    try F() of
        V -> {value, V}
    catch
        throw:T -> {thrown, T};
        error:E -> {error, E};
        exit:X -> {exited, X}
    end.

stack_shape() ->
    try a1(id(0)) catch error:R:St -> {R, [{M, F, A} || {M, F, A, _} <- lists:sublist(St, 3)]} end.

a1(X) -> [a2(X)].
a2(X) -> [a3(X)].
a3(X) -> 1 / X.

deep_throw(0) -> throw(bottom);
deep_throw(N) -> [deep_throw(N - 1)].

after_value() ->
    try id(body_value)
    after id(after_value)
    end.

thrower(1) -> throw(one);
thrower(2) -> error(two);
thrower(3) -> three.

arity_frames() ->
    try lists:map(fun(X) -> 1 / X end, [1, 0]) catch error:badarith:St -> [{M, F, A} || {M, F, A, _} <- lists:sublist(St, 2)] end.

catch_in_try() ->
    V = (catch throw(x)),
    throw({after_catch, V}).

catch_all(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.

%% Drop the stack trace from an old-style catch result (it names the caller's frames).
strip({'EXIT', {R, St}}) when is_list(St) -> {'EXIT', R, top(St)};
strip(V) -> V.
