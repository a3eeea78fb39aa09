%% Number conversions: huge bignums made text and back, floats.
-module(mh_numbers).
-export([main/0, id/1]).

main() ->
    mh_run:cases([
        {integer_to_list, fun() -> length(integer_to_list(1 bsl id(2000000))) end},
        {integer_to_list_huge, fun() -> length(integer_to_list(1 bsl id(20000000))) end},
        {integer_to_binary_huge, fun() -> byte_size(integer_to_binary(1 bsl id(20000000))) end},
        {integer_to_list_base16, fun() -> length(integer_to_list(1 bsl id(40000000), 16)) end},
        {integer_to_binary_base2, fun() -> byte_size(integer_to_binary(1 bsl id(40000000), 2)) end},
        {list_to_integer, fun() -> list_to_integer(lists:duplicate(300000, $7)) band 255 end},
        {binary_to_integer, fun() -> binary_to_integer(binary:copy(<<"9">>, 300000)) band 255 end},
        {list_to_integer_base16, fun() -> list_to_integer(lists:duplicate(8000000, $f), 16) band 255 end},
        {bsl_huge, fun() -> (1 bsl id(800000000)) band 1 end},
        {mul_huge, fun() -> X = 1 bsl id(30000000), (X * X) band 1 end},
        {pow, fun() -> (pow(3, 500000)) band 1 end},
        {float_to_list, fun() -> length(float_to_list(1.0e300, [{decimals, 253}])) end},
        {float_to_binary, fun() -> byte_size(float_to_binary(1.5e308, [{decimals, 200}])) end},
        {list_to_float, fun() -> list_to_float("1." ++ lists:duplicate(5000000, $1)) end},
        {atom_to_list, fun() -> length(atom_to_list(list_to_atom(lists:duplicate(255, $a)))) end},
        {list_to_atom_long, fun() -> list_to_atom(lists:duplicate(5000000, $a)) end},
        {integer_to_list_many, fun() -> length(lists:flatten([integer_to_list(N) || N <- lists:seq(1, 1000000)])) end}
    ]).

pow(_, 0) -> 1;
pow(B, N) when N rem 2 =:= 0 -> X = pow(B, N div 2), X * X;
pow(B, N) -> B * pow(B, N - 1).

%% Hides a constant from the compiler, which would evaluate the expression itself.
id(X) -> X.
