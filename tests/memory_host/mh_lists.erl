%% lists BIFs and list operators on lists of millions of elements.
-module(mh_lists).
-export([main/0]).

main() ->
    mh_run:cases([
        {reverse, fun() -> hd(lists:reverse(lists:seq(1, 4000000))) end},
        {reverse_tail, fun() -> hd(lists:reverse(lists:seq(1, 4000000), [x])) end},
        {keysort, fun() -> element(1, hd(lists:keysort(1, [{N rem 1000, N} || N <- lists:seq(1, 2000000)]))) end},
        {sort, fun() -> hd(lists:sort([N rem 7919 || N <- lists:seq(1, 3000000)])) end},
        {usort, fun() -> length(lists:usort([N rem 7919 || N <- lists:seq(1, 3000000)])) end},
        {seq, fun() -> length(lists:seq(1, 5000000)) end},
        {duplicate, fun() -> length(lists:duplicate(5000000, x)) end},
        {flatten, fun() -> length(lists:flatten(lists:duplicate(1000000, [a, [b, [c]]]))) end},
        {append, fun() -> length(lists:seq(1, 2000000) ++ lists:seq(1, 2000000)) end},
        {subtract, fun() -> length(lists:seq(1, 200000) -- lists:seq(1, 100000, 2)) end},
        {member, fun() -> lists:member(x, lists:seq(1, 4000000)) end},
        {keyfind, fun() -> lists:keyfind(x, 1, [{N} || N <- lists:seq(1, 3000000)]) end},
        {length, fun() -> length(lists:duplicate(8000000, x)) end},
        {split, fun() -> {A, _} = lists:split(2000000, lists:seq(1, 4000000)), length(A) end},
        {zip, fun() -> length(lists:zip(lists:seq(1, 2000000), lists:seq(1, 2000000))) end},
        {nth, fun() -> lists:nth(3000000, lists:seq(1, 4000000)) end},
        {huge_duplicate, fun() -> length(lists:duplicate(400000000, x)) end},
        {huge_seq, fun() -> length(lists:seq(1, 400000000)) end},
        {merge, fun() -> length(lists:merge(lists:seq(1, 2000000, 2), lists:seq(2, 2000000, 2))) end}
    ]).
