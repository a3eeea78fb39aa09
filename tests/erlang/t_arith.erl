%% Small-integer arithmetic, comparisons, guards and bitwise operators.
-module(t_arith).
-export([main/0]).

id(X) -> X.

main() ->
    A = id(17), B = id(5), N = id(-17), Z = id(0),
    erlang:display({add, A + B, A + N, N + N, A + 0}),
    erlang:display({sub, A - B, B - A, N - A, Z - N}),
    erlang:display({mul, A * B, N * B, N * N, A * Z}),
    erlang:display({divs, A div B, N div B, A div -5, N div -5}),
    erlang:display({rems, A rem B, N rem B, A rem -5, N rem -5}),
    erlang:display({neg, -A, -N, -Z, +A}),
    erlang:display({'band', A band B, N band B, N band 255, -1 band A}),
    erlang:display({'bor', A bor B, N bor B, N bor 1, Z bor Z}),
    erlang:display({'bxor', A bxor B, N bxor B, N bxor -1, A bxor A}),
    erlang:display({'bnot', bnot A, bnot N, bnot Z, bnot -1}),
    erlang:display({'bsl', A bsl 2, N bsl 3, A bsl 0, A bsl -2, 1 bsl 59, 1 bsl 60}),
    erlang:display({'bsr', A bsr 2, N bsr 2, A bsr 10, N bsr 100, A bsr -3}),
    erlang:display({abs, abs(N), abs(A), abs(Z)}),
    erlang:display({minmax, min(A, B), max(A, B), min(N, Z), max(id(3), id(3.0))}),
    erlang:display({cmp, A < B, A > B, A =< 17, A >= 18, A == 17, A /= 17,
                    A =:= 17, A =/= 17, 1 == 1.0, 1 =:= 1.0}),
    erlang:display({sign, [sign(X) || X <- [N, Z, A]]}),
    erlang:display({collatz, collatz(id(27), 0)}),
    erlang:display({gcd, gcd(id(1071), id(462)), gcd(id(17), id(5))}),
    erlang:display({sum_to, sum_to(id(1000), 0)}),
    erlang:display({pow, pow(id(3), id(20)), pow(id(-2), id(31))}),
    erlang:display({guards, [classify(X) || X <- [id(1), id(-1), id(0), id(1.5), id(a),
                                                  id([]), id({}), id(<<>>), id("s")]]}),
    erlang:display({int_guards, [g(X) || X <- [id(7), id(10), id(100), id(-3)]]}),
    erlang:display({bool, id(true) and id(false), id(true) or id(false),
                    id(true) xor id(true), not id(true), id(false) orelse id(true),
                    id(true) andalso id(false)}),
    erlang:display({incr_loop, loop(id(0), id(100000))}),
    erlang:display({mixed, A + 0.5, A * 2.0, A / B, 10 / 2, -7 / 2}),
    erlang:display({overflow_edge, 576460752303423487 + 1, -576460752303423488 - 1,
                    134217727 * 134217727, 4294967296 * 4294967296}),
    erlang:halt(0).

sign(X) when X < 0 -> neg;
sign(0) -> zero;
sign(_) -> pos.

collatz(1, S) -> S;
collatz(N, S) when N rem 2 =:= 0 -> collatz(N div 2, S + 1);
collatz(N, S) -> collatz(3 * N + 1, S + 1).

gcd(A, 0) -> A;
gcd(A, B) -> gcd(B, A rem B).

sum_to(0, Acc) -> Acc;
sum_to(N, Acc) -> sum_to(N - 1, Acc + N).

pow(_, 0) -> 1;
pow(X, N) -> X * pow(X, N - 1).

classify(X) when is_integer(X), X > 0 -> pos_int;
classify(X) when is_integer(X), X < 0 -> neg_int;
classify(X) when is_integer(X) -> zero;
classify(X) when is_float(X) -> float;
classify(X) when is_atom(X) -> atom;
classify(X) when is_list(X), X =:= [] -> nil;
classify(X) when is_list(X) -> list;
classify(X) when is_tuple(X) -> tuple;
classify(X) when is_binary(X) -> binary.

g(X) when X > 5, X < 10 -> small;
g(X) when X >= 10, X =< 10 -> ten;
g(X) when X rem 10 =:= 0; X < 0 -> round_or_neg.

loop(N, N) -> N;
loop(I, N) -> loop(I + 1, N).
