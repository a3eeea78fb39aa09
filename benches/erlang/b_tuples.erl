%% Records/tuples, pattern matching and a small interpreter loop, N rounds.
-module(b_tuples).
-export([main/1]).

-record(st, {pc = 0, acc = 0, steps = 0}).

main([N]) ->
    Prog = list_to_tuple([{add, 3}, {mul, 2}, {sub, 1}, {jnz, 0}, halt]),
    erlang:display(loop(list_to_integer(N), Prog, 0)),
    erlang:halt(0).

loop(0, _, Acc) -> Acc;
loop(N, Prog, Acc) ->
    #st{acc = A, steps = S} = run(Prog, #st{acc = 1}, 200000),
    loop(N - 1, Prog, (Acc + A + S) rem 1000000007).

run(_, St, 0) -> St;
run(Prog, #st{pc = Pc, acc = A, steps = S} = St, Fuel) ->
    case element(Pc + 1, Prog) of
        {add, K} -> run(Prog, St#st{pc = Pc + 1, acc = (A + K) rem 65536, steps = S + 1}, Fuel - 1);
        {mul, K} -> run(Prog, St#st{pc = Pc + 1, acc = (A * K) rem 65536, steps = S + 1}, Fuel - 1);
        {sub, K} -> run(Prog, St#st{pc = Pc + 1, acc = A - K, steps = S + 1}, Fuel - 1);
        {jnz, T} when A =/= 0 -> run(Prog, St#st{pc = T, steps = S + 1}, Fuel - 1);
        {jnz, _} -> run(Prog, St#st{pc = Pc + 1, steps = S + 1}, Fuel - 1);
        halt -> St
    end.
