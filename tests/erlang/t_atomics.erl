%% atomics and counters: ranges, wrap-around, exchanges, info, errors, sharing between processes.
-module(t_atomics).
-export([main/0]).

err(F) ->
    try F() catch C:R -> {C, R} end.

main() ->
    A = atomics:new(3, []),
    U = atomics:new(2, [{signed, false}]),
    erlang:display({info, atomics:info(A), atomics:info(U)}),
    erlang:display({zero, atomics:get(A, 1), atomics:get(U, 2)}),
    erlang:display({put, atomics:put(A, 1, -5), atomics:get(A, 1)}),
    erlang:display({add, atomics:add(A, 1, 7), atomics:get(A, 1), atomics:add_get(A, 1, 10)}),
    erlang:display({sub, atomics:sub(A, 1, 2), atomics:sub_get(A, 1, 100)}),
    erlang:display({unsigned_wrap, atomics:add(U, 1, -1), atomics:get(U, 1), atomics:add_get(U, 1, 1)}),
    erlang:display({signed_wrap, atomics:put(A, 2, (1 bsl 63) - 1), atomics:add_get(A, 2, 1)}),
    erlang:display({big_incr, atomics:add(A, 2, 1 bsl 63), atomics:get(A, 2)}),
    erlang:display({exchange, atomics:exchange(A, 3, 7), atomics:get(A, 3)}),
    erlang:display({cas, atomics:compare_exchange(A, 3, 7, 9), atomics:compare_exchange(A, 3, 7, 10),
                    atomics:get(A, 3)}),
    erlang:display({unsigned_max, atomics:put(U, 2, (1 bsl 64) - 1), atomics:get(U, 2)}),
    erlang:display({errors, [err(F) || F <- [
        fun() -> atomics:put(A, 1, 1 bsl 63) end,
        fun() -> atomics:put(A, 4, 1) end,
        fun() -> atomics:put(A, 0, 1) end,
        fun() -> atomics:put(U, 1, -1) end,
        fun() -> atomics:add(A, 1, 1 bsl 64) end,
        fun() -> atomics:get(A, x) end,
        fun() -> atomics:get(make_ref(), 1) end,
        fun() -> atomics:get(not_a_ref, 1) end,
        fun() -> atomics:new(0, []) end,
        fun() -> atomics:new(2, [bad]) end,
        fun() -> atomics:new(2, [{signed, maybe}]) end,
        fun() -> atomics:exchange(U, 1, -1) end,
        fun() -> atomics:compare_exchange(U, 1, 0, -1) end
    ]]}),
    Self = self(),
    Workers = [spawn(fun() ->
                         [atomics:add(A, 3, 1) || _ <- lists:seq(1, 100)],
                         Self ! done
                     end) || _ <- lists:seq(1, 10)],
    [receive done -> ok end || _ <- Workers],
    erlang:display({shared, atomics:get(A, 3)}),
    C = counters:new(2, []),
    erlang:display({counters, element(1, C), counters:add(C, 1, 10), counters:sub(C, 2, 3),
                    counters:get(C, 1), counters:get(C, 2), counters:put(C, 1, 42), counters:get(C, 1)}),
    erlang:display({counters_info, counters:info(C)}),
    W = counters:new(1, [write_concurrency]),
    erlang:display({write_concurrency, element(1, W), counters:add(W, 1, 5), counters:sub(W, 1, 1),
                    counters:get(W, 1), maps:get(size, counters:info(W))}),
    P = spawn(fun() -> receive {C2, From} -> counters:add(C2, 2, 100), From ! added end end),
    P ! {C, Self},
    receive added -> ok end,
    erlang:display({counters_shared, counters:get(C, 2)}),
    erlang:display({counter_errors, [err(F) || F <- [
        fun() -> counters:get(C, 3) end,
        fun() -> counters:new(1, [bad]) end,
        fun() -> counters:new(0, []) end,
        fun() -> counters:add(C, 1, 1.5) end,
        fun() -> counters:get(nope, 1) end
    ]]}),
    erlang:halt(0).
