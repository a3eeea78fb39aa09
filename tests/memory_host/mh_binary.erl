%% The binary module and binary BIFs on a 16 MB binary with millions of matches.
-module(mh_binary).
-export([main/0, id/1]).

big() -> binary:copy(<<"ab,">>, 6000000).

main() ->
    mh_run:cases([
        {copy, fun() -> byte_size(binary:copy(<<"abcdefgh">>, 8000000)) end},
        {copy_huge, fun() -> byte_size(binary:copy(<<"abcdefgh">>, 100000000)) end},
        {split, fun() -> length(binary:split(big(), <<",">>, [global])) end},
        {replace, fun() -> byte_size(binary:replace(big(), <<",">>, <<";;">>, [global])) end},
        {matches, fun() -> length(binary:matches(big(), <<",">>)) end},
        {match, fun() -> binary:match(big(), <<"x">>) end},
        {bin_to_list, fun() -> length(binary:bin_to_list(big())) end},
        {binary_to_list, fun() -> length(binary_to_list(big())) end},
        {part, fun() -> byte_size(binary:part(big(), 1, 10000000)) end},
        {referenced, fun() -> byte_size(binary:copy(binary:part(big(), 0, 9000000))) end},
        {list_to_bin, fun() -> byte_size(binary:list_to_bin(lists:duplicate(4000000, $a))) end},
        {encode_unsigned, fun() -> byte_size(binary:encode_unsigned(1 bsl id(80000000))) end},
        {decode_unsigned, fun() -> binary:decode_unsigned(big()) band 255 end},
        {longest_common_prefix, fun() -> binary:longest_common_prefix([big(), big()]) end},
        {bitstring_to_list, fun() -> length(bitstring_to_list(<<(big())/binary, 1:3>>)) end},
        {list_to_bitstring, fun() -> bit_size(list_to_bitstring(lists:duplicate(3000000, <<1:3>>))) end},
        {split_binary, fun() -> {A, B} = split_binary(big(), 9000000), byte_size(A) + byte_size(B) end},
        {at, fun() -> binary:at(big(), 17999999) end}
    ]).

%% Hides a constant from the compiler, which would evaluate the expression itself.
id(X) -> X.
