%% erlang:halt/1 with a non-zero status: output so far is kept, the status is passed on.
-module(t_halt).
-export([main/0]).

main() ->
    erlang:display(before_halt),
    erlang:display({status, 3}),
    erlang:halt(3),
    erlang:display(not_reached).
