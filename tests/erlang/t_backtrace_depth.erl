%% erlang:system_flag(backtrace_depth, N): returns the old depth (8 at start), and every stack
%% trace from then on keeps at most N frames (an exception's at least its top one; a
%% current_stacktrace none at 0); more than 64 is 64; not a small non-negative integer is
%% badarg. erlang:raise/3's own trace is kept whole. system_info(backtrace_depth) is badarg.
-module(t_backtrace_depth).
-export([main/0, f/1, deep/1, dstk/1, wait/1]).

deep(0) -> case get(x) of undefined -> erlang:error(boom); V -> V end;
deep(N) -> [deep(N - 1) | get(y)].

dstk(0) -> element(2, process_info(self(), current_stacktrace));
dstk(N) -> R = dstk(N - 1), put(z, 1), R.

wait(0) -> receive go -> ok end;
wait(N) -> R = wait(N - 1), put(z, 1), R.

f(bif) -> element(5, erlang:make_tuple(2, x));
f(err) -> erlang:error(boom);
f(thr) -> throw(boom);
f(ext) -> exit(boom);
f(deep) -> deep(30);
f(ex2) -> erlang:error(boom, [1]);
f(fn) -> (fun(X) -> X end)(1, 2);
f(undef) -> nomod:nofun();
f(stk) -> element(2, process_info(self(), current_stacktrace));
f(dstk) -> dstk(30).

run(K) ->
    try {ok, f(K)} catch _:_:S -> [{M, F, A} || {M, F, A, _} <- S] end.

mfas(S) -> [{M, F, A} || {M, F, A, _} <- S].

main() ->
    erlang:display(try erlang:system_info(backtrace_depth)
                   catch C:R:S -> {C, R, hd(mfas(S))} end),
    erlang:display(mfas(element(2, element(2, catch f(deep))))),
    Kinds = [bif, err, thr, ext, deep, ex2, fn, undef],
    W = spawn(fun() -> wait(20) end),
    [begin
         Old = erlang:system_flag(backtrace_depth, D),
         receive after 1 -> ok end,
         {current_stacktrace, WS} = process_info(W, current_stacktrace),
         erlang:display({Old, D, [length(run(K)) || K <- Kinds],
                         length(element(2, run(stk))), length(element(2, run(dstk))),
                         length(WS)})
     end || D <- [0, 1, 2, 3, 5, 7, 8, 9, 12, 20, 64, 65, 100000, 4]],
    erlang:display(erlang:system_flag(backtrace_depth, 1 bsl 59 - 1)),
    [erlang:display(try erlang:system_flag(backtrace_depth, Bad)
                    catch C2:R2:S2 -> {C2, R2, hd(mfas(S2))} end)
     || Bad <- [-1, 1 bsl 59, 1 bsl 70, 1.0, foo, "8", []]],
    erlang:system_flag(backtrace_depth, 0),
    [erlang:display(run(K)) || K <- [bif, deep, undef, fn, ex2]],
    erlang:display(mfas(element(2, element(2, catch f(deep))))),
    erlang:display(try erlang:raise(error, x, [{a, b, 1, []}, {c, d, 2, []}])
                   catch error:x:S0 -> S0 end),
    erlang:system_flag(backtrace_depth, 1),
    [erlang:display(run(K)) || K <- [bif, deep, err]],
    erlang:display(try erlang:raise(throw, x, [{a, b, 1, []}, {c, d, 2, []}, {e, f, 3, []}])
                   catch throw:x:S1 -> S1 end),
    erlang:system_flag(backtrace_depth, 2),
    [erlang:display(run(K)) || K <- [bif, deep, err, fn]],
    erlang:display(mfas(element(2, process_info(W, current_stacktrace)))),
    erlang:display(erlang:system_flag(backtrace_depth, 8)),
    erlang:display(mfas(element(2, process_info(W, current_stacktrace)))),
    W ! go,
    halt().
