-module(t_trace_dedup).
-export([main/0]).
d(0) -> case get(x) of undefined -> error(x); V -> V end;
d(N) -> R = d(N - 1), {R}.
e(0) -> d(2);
e(N) -> [e(N - 1)].
main() ->
  try e(3) catch error:x:S -> io:format("~p~n", [S]) end,
  halt().
