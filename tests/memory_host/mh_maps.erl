%% Maps of millions of keys: made from lists and listed.
-module(mh_maps).
-export([main/0]).

big() -> maps:from_list([{N, N} || N <- lists:seq(1, 2000000)]).

main() ->
    mh_run:cases([
        {from_list, fun() -> map_size(big()) end},
        {to_list, fun() -> length(maps:to_list(big())) end},
        {keys, fun() -> length(maps:keys(big())) end},
        {values, fun() -> lists:sum(maps:values(big())) end},
        {merge, fun() -> map_size(maps:merge(big(), maps:from_list([{-N, N} || N <- lists:seq(1, 1000000)]))) end},
        {from_keys, fun() -> map_size(maps:from_keys(lists:seq(1, 2000000), x)) end},
        {map_literal_update, fun() -> map_size((big())#{a => 1, b => 2}) end},
        {iterator, fun() -> length(maps:to_list(maps:iterator(big(), ordered))) end},
        {filter, fun() -> map_size(maps:filter(fun(K, _) -> K rem 2 =:= 0 end, big())) end},
        {t2b_map, fun() -> byte_size(term_to_binary(big())) end},
        {b2t_map, fun() -> map_size(binary_to_term(term_to_binary(big()))) end}
    ]).
