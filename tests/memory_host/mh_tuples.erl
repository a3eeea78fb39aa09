%% Large tuples: made from lists, made whole, grown and listed.
-module(mh_tuples).
-export([main/0]).

main() ->
    mh_run:cases([
        {list_to_tuple, fun() -> tuple_size(list_to_tuple(lists:seq(1, 4000000))) end},
        {tuple_to_list, fun() -> length(tuple_to_list(erlang:make_tuple(4000000, a))) end},
        {make_tuple, fun() -> tuple_size(erlang:make_tuple(6000000, a)) end},
        {make_tuple_huge, fun() -> tuple_size(erlang:make_tuple(16#3ffffff, a)) end},
        {make_tuple_init, fun() -> tuple_size(erlang:make_tuple(4000000, a, [{N, b} || N <- lists:seq(1, 1000000, 7)])) end},
        {append_element, fun() -> tuple_size(erlang:append_element(erlang:make_tuple(4000000, a), b)) end},
        {setelement, fun() -> element(3, setelement(3, erlang:make_tuple(5000000, a), b)) end},
        {insert_element, fun() -> tuple_size(erlang:insert_element(2, erlang:make_tuple(4000000, a), b)) end},
        {delete_element, fun() -> tuple_size(erlang:delete_element(2, erlang:make_tuple(4000000, a))) end},
        {many_appends, fun() -> tuple_size(grow({}, 3000)) end}
    ]).

grow(T, 0) -> T;
grow(T, N) -> grow(erlang:append_element(T, N), N - 1).
