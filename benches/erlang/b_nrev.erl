%% Naive reverse of a 30-element list, N times: cons allocation and calls.
-module(b_nrev).
-export([main/1]).

main([N]) ->
    L = lists:seq(1, 30),
    erlang:display(loop(list_to_integer(N), L, 0)),
    erlang:halt(0).

loop(0, _, Acc) -> Acc;
loop(N, L, Acc) ->
    [H | _] = nrev(L),
    loop(N - 1, L, Acc + H).

nrev([]) -> [];
nrev([H | T]) -> app(nrev(T), [H]).

app([], L) -> L;
app([H | T], L) -> [H | app(T, L)].
