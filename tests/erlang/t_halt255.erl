%% erlang:halt/1 from deep inside the stack and inside a try: status 255.
-module(t_halt255).
-export([main/0]).

main() ->
    erlang:display(start),
    try down(50) after erlang:display(after_must_not_run) end.

down(0) -> erlang:halt(255);
down(N) -> [down(N - 1)].
