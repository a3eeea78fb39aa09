-module(t_ets_chunks).
-export([main/0]).
f(Type, N, L) -> T = ets:new(x, [Type]), ets:insert(T, [{I} || I <- lists:seq(1, N)]),
  steps(ets:select(T, [{{'$1'},[],['$1']}], L)).
steps({R, '$end_of_table'}) -> [{length(R), eot}];
steps({R, C}) -> [length(R) | steps(ets:select(C))];
steps(E) -> [E].
main() ->
  [io:format("~p~n", [{Ty, N, L, f(Ty, N, L)}]) || Ty <- [set, ordered_set, bag, duplicate_bag], {N, L} <- [{6, 4}, {8, 4}, {4, 4}, {3, 4}, {1000, 300}, {2, 1}]],
  halt().
