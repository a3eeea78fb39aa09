%% Arbitrary-precision integers: arithmetic, division, bitwise ops, conversions.
-module(t_bignum).
-export([main/0]).

id(X) -> X.

fact(0) -> 1;
fact(N) -> N * fact(N - 1).

fact_acc(0, Acc) -> Acc;
fact_acc(N, Acc) -> fact_acc(N - 1, Acc * N).

fib(N) -> fib(N, 0, 1).
fib(0, A, _) -> A;
fib(N, A, B) -> fib(N - 1, B, A + B).

digits(0, Acc) -> Acc;
digits(N, Acc) -> digits(N div 10, Acc + N rem 10).

main() ->
    F20 = fact(id(20)), F21 = fact(id(21)), F30 = fact(id(30)),
    erlang:display({fact, F20, F21, F30}),
    %% Operands and results either side of the word boundaries (2^59, 2^63, 2^64, 2^127).
    Edges = [id(X) || B <- [59, 60, 63, 64, 126, 127], D <- [-1, 0, 1],
                      X <- [(1 bsl B) + D, -(1 bsl B) - D]],
    erlang:display({edge_ops,
                    [{X * Y, X + Y, X - Y, X band Y, X bor Y, X bxor Y, X div 7, X rem 1000003,
                      X div (Y bor 1), X rem (Y bor 1)}
                     || X <- Edges, Y <- [id(3), id(-5), id(1 bsl 62), id(-(1 bsl 64))]]}),
    F100 = fact(id(100)),
    erlang:display({fact100, F100}),
    F1000 = fact_acc(id(1000), 1),
    L = integer_to_list(F1000),
    erlang:display({fact1000, length(L), lists:sublist(L, 20), digits(F1000, 0),
                    F1000 rem 1000000007}),
    F5000 = fact_acc(id(5000), 1),
    erlang:display({fact5000, length(integer_to_list(F5000)), F5000 rem 998244353,
                    F5000 div fact_acc(id(4998), 1)}),
    erlang:display({fib, fib(id(100)), fib(id(300))}),
    Big = id(123456789012345678901234567890),
    Neg = id(-987654321098765432109876543210),
    Small = id(12345),
    erlang:display({add, Big + Neg, Big + Small, Neg + 1, Big + Big}),
    erlang:display({sub, Big - Neg, Neg - Big, Big - Big, Small - Big}),
    erlang:display({mul, Big * Neg, Big * Small, Neg * -1, Big * 0}),
    erlang:display({divs, Big div Small, Neg div Small, Neg div Big, Big div Neg,
                    Big div -7, Neg div -7}),
    erlang:display({rems, Big rem Small, Neg rem Small, Neg rem Big, Big rem Neg,
                    Big rem -7, Neg rem -7}),
    erlang:display({cmp, Big > Small, Neg < Small, Big == Big + 0, Big =:= id(Big),
                    Neg < -1, Big > 1.0e20, Big < 1.0e40, Neg < -1.0e29}),
    erlang:display({'band', Big band Neg, Big band 16#FFFF, Neg band 16#FFFFFFFFFFFFFFFFFFFF}),
    erlang:display({'bor', Big bor Neg, Big bor 1, Neg bor 16#FF}),
    erlang:display({'bxor', Big bxor Neg, Big bxor Big, Neg bxor -1}),
    erlang:display({'bnot', bnot Big, bnot Neg}),
    erlang:display({'bsl', 1 bsl 64, 1 bsl 200, Big bsl 7, Neg bsl 65, -1 bsl 100}),
    erlang:display({'bsr', Big bsr 7, Neg bsr 65, (1 bsl 200) bsr 199, Neg bsr 1000,
                    Big bsr 1000, Big bsl -3}),
    erlang:display({abs, abs(Neg), abs(Big), -Neg, -Big}),
    erlang:display({bases, integer_to_list(Big, 2), integer_to_list(Big, 16),
                    integer_to_list(Neg, 36), integer_to_list(255, 16),
                    integer_to_list(-255, 2), integer_to_list(Big, 7)}),
    erlang:display({binaries, integer_to_binary(Neg), integer_to_binary(Big, 16),
                    binary_to_integer(<<"-123456789012345678901234567890">>),
                    binary_to_integer(<<"ff00ff00ff00ff00ff00ff">>, 16)}),
    erlang:display({parse, list_to_integer("99999999999999999999999"),
                    list_to_integer("-zzzzzzzzzzzzzzz", 36),
                    list_to_integer("+42"), list_to_integer("777", 8)}),
    erlang:display({pow2, [1 bsl I || I <- [58, 59, 60, 61, 62, 63, 64, 65]]}),
    erlang:display({boundary, [X + 1 || X <- [id(576460752303423486), id(576460752303423487),
                                              id(1152921504606846975)]],
                    [X - 1 || X <- [id(-576460752303423487), id(-576460752303423488),
                                    id(-1152921504606846976)]]}),
    erlang:display({shrink, (Big + 1) - Big, (1 bsl 100) - (1 bsl 100) + 5,
                    is_integer(F100 div F100), F100 div F100}),
    erlang:display({float_conv, float(Big), float(Neg), trunc(1.0e30), round(-1.5e25)}),
    erlang:display({powers_of_ten, [pow10(N) || N <- [18, 19, 20, 38, 39]]}),
    erlang:display({mixed_sum, lists:sum([Big, Neg, Small, 1.5])}),
    erlang:display({gcd, gcd(F100, fact(id(60)) + 1), gcd(F1000, 1 bsl 500)}),
    erlang:halt(0).

pow10(0) -> 1;
pow10(N) -> 10 * pow10(N - 1).

gcd(A, 0) -> A;
gcd(A, B) -> gcd(B, A rem B).
