%% Huge iolists made binaries: list_to_binary, iolist_to_binary, iolist_size.
-module(mh_iolist).
-export([main/0]).

main() ->
    mh_run:cases([
        {list_to_binary, fun() -> byte_size(list_to_binary(lists:duplicate(5000000, $x))) end},
        {iolist_to_binary, fun() -> byte_size(iolist_to_binary(lists:duplicate(2000000, [<<"abcdefgh">>, $x | <<"y">>]))) end},
        {iolist_to_binary_many, fun() -> B = binary:copy(<<"z">>, 1000000), byte_size(iolist_to_binary(lists:duplicate(200, B))) end},
        {iolist_size, fun() -> iolist_size(lists:duplicate(3000, binary:copy(<<"q">>, 100000))) end},
        {deep, fun() -> byte_size(iolist_to_binary(deep(3000000, []))) end},
        {iolist_to_iovec, fun() -> length(erlang:iolist_to_iovec(lists:duplicate(3000000, [$a, <<"b">>]))) end},
        {list_to_binary_huge, fun() -> byte_size(list_to_binary(lists:duplicate(400, binary:copy(<<"z">>, 1000000)))) end}
    ]).

deep(0, Acc) -> Acc;
deep(N, Acc) -> deep(N - 1, [Acc, $d]).
