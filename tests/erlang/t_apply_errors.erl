%% Calls whose target is only known at run time, and how they fail: apply/2,3 called as a
%% function and M:F(Args) with variables, given a module or function that is no atom, an
%% argument list that is no proper list, a fun of the wrong arity or no fun at all, or an
%% undefined function; each in a tail call and in a body call, with erl's stack frames.
-module(t_apply_errors).
-export([main/0, id/1]).

id(X) -> X.

show(F) ->
    try F() of
        R -> io:format("ok ~p~n", [R])
    catch
        C:R:St -> io:format("~p:~p~n  ~p~n", [C, R, lists:sublist(St, 2)])
    end.

body(F) -> {F()}.

main() ->
    One = id(1), Lists = id(lists), Rev = id(reverse), Foo = id(foo),
    Cases = [fun() -> apply(One, f, []) end,
             fun() -> apply(Lists, One, [[1]]) end,
             fun() -> apply(Lists, Rev, Foo) end,
             fun() -> apply(Lists, Rev, [[1] | Foo]) end,
             fun() -> One:f() end,
             fun() -> Lists:One([1]) end,
             fun() -> Lists:Foo([1]) end,
             fun() -> apply(Lists, Foo, [1]) end,
             fun() -> apply(fun id/1, []) end,
             fun() -> apply(Foo, []) end,
             fun() -> apply(fun id/1, Foo) end,
             fun() -> (id(fun id/1))(1, 2) end,
             fun() -> apply(Lists, Rev, [[1, 2]]) end],
    [show(C) || C <- Cases],
    [show(fun() -> body(C) end) || C <- Cases],
    halt().
