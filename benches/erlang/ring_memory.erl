%% Memory per process (a measurement, not a test): N processes in a ring pass Tokens tokens,
%% each token making Hops hops, then the node halts. Compare peak resident memory with
%% `/usr/bin/time -f %M` under erl and xenbeam-run:
%%   erl -noshell -run ring_memory main 10000 100 100000
%%   xenbeam-run ring_memory main 10000 100 100000
-module(ring_memory).
-export([main/0, main/1]).

main() -> main(["10000", "100", "100000"]).

main(Args) ->
    [N, Tokens, Hops] = [list_to_integer(A) || A <- Args],
    Self = self(),
    First = spawn(fun() -> first(Self) end),
    Last = lists:foldl(fun(_, Next) -> spawn(fun() -> pass(Next) end) end,
                       First, lists:seq(2, N)),
    First ! {next, Last},
    [Last ! {token, I, Hops} || I <- lists:seq(1, Tokens)],
    wait(Tokens),
    erlang:display({memory_kib, [{K, V div 1024} || {K, V} <- erlang:memory(),
                                                    lists:member(K, [total, processes])]}),
    erlang:halt(0).

first(Main) -> receive {next, Next} -> first(Main, Next) end.

first(Main, Next) ->
    receive
        {token, I, 0} -> Main ! {done, I};
        {token, I, K} -> Next ! {token, I, K - 1}
    end,
    first(Main, Next).

pass(Next) ->
    receive {token, I, K} -> Next ! {token, I, max(K - 1, 0)} end,
    pass(Next).

wait(0) -> ok;
wait(K) -> receive {done, _} -> wait(K - 1) end.
