%% Stack traces of caught errors: tail calls, BIF frames, deep recursion, function_clause.
-module(vm_traces).
-export([main/0]).
t(F) -> try F() catch C:R:S -> erlang:display({C,R,S}) end.
tail_bif(X) -> atom_to_list(X).
tail_apply(M) -> M:foo().
body_bif(X) -> Y = atom_to_list(X), Y.
deep(0) -> error(bottom); deep(N) -> [deep(N-1)].
fc(a) -> ok.
rec(N) when N > 0 -> 1 + rec(N-1); rec(0) -> throw(done).
main() ->
    t(fun() -> tail_bif(1) end),
    t(fun() -> body_bif(1) end),
    t(fun() -> tail_apply(nomod) end),
    t(fun() -> deep(20) end),
    t(fun() -> fc(b) end),
    t(fun() -> rec(3) end),
    t(fun() -> lists:map(fun(X) -> X + 1 end, [1, a]) end),
    t(fun() -> lists:nth(5, [1]) end),
    t(fun() -> erlang:element(1, x) end),
    t(fun() -> <<X:8>> = <<1,2>>, X end),
    t(fun() -> binary_to_atom(<<255,255>>, utf8) end),
    t(fun() -> 1.0e308 * 10.0 end),
    t(fun() -> math:sqrt(-1) end),
    erlang:display(catch exit(normal)),
    erlang:display(catch throw({a,b})),
    erlang:display([catch hd(X) || X <- [[], [1]]]),
    halt().
