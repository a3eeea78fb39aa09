%% The external term format and zlib: term_to_binary (plain and compressed),
%% binary_to_term and zlib of large terms.
-module(mh_etf).
-export([main/0]).

main() ->
    mh_run:cases([
        {t2b_list, fun() -> byte_size(term_to_binary(lists:seq(1, 3000000))) end},
        {t2b_binary, fun() -> byte_size(term_to_binary(binary:copy(<<"ab">>, 20000000))) end},
        {t2b_compressed, fun() -> byte_size(term_to_binary(binary:copy(<<"ab">>, 20000000), [compressed])) end},
        {t2b_list_compressed, fun() -> byte_size(term_to_binary(lists:seq(1, 3000000), [compressed])) end},
        {b2t_list, fun() -> length(binary_to_term(term_to_binary(lists:seq(1, 3000000)))) end},
        {b2t_compressed, fun() -> length(binary_to_term(term_to_binary(lists:seq(1, 3000000), [compressed]))) end},
        {b2t_bomb, fun() -> binary_to_term(bomb()) end},
        {b2t_long_list, fun() -> binary_to_term(<<131, 108, 16#0fffffff:32, 106>>) end},
        {b2t_big_tuple, fun() -> binary_to_term(<<131, 105, 16#0fffffff:32, 106>>) end},
        {b2t_big_map, fun() -> binary_to_term(<<131, 116, 16#0fffffff:32, 106>>) end},
        {b2t_big_bignum, fun() -> binary_to_term(<<131, 111, 16#0fffffff:32, 0>>) end},
        {zlib_compress, fun() -> byte_size(zlib:compress(binary:copy(<<"abcd">>, 10000000))) end},
        {zlib_uncompress, fun() -> byte_size(zlib:uncompress(zlib:compress(binary:copy(<<"abcd">>, 10000000)))) end},
        {zlib_gunzip_bomb, fun() -> byte_size(zlib:gunzip(zlib:gzip(binary:copy(<<0>>, 200000000)))) end},
        {t2b_deep_tuple, fun() -> byte_size(term_to_binary(list_to_tuple(lists:seq(1, 3000000)))) end},
        {t2iov, fun() -> length(term_to_iovec(lists:duplicate(1000000, <<"abc">>))) end}
    ]).

%% A compressed external term that claims 2 GB when inflated.
bomb() ->
    Z = zlib:compress(binary:copy(<<0>>, 1000)),
    <<131, 80, 16#7fffffff:32, Z/binary>>.
