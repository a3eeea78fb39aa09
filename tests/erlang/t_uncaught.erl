%% An uncaught error: output before it is kept and the exit status is non-zero.
%% (erl also prints an "init terminating" line to stdout; the test drops that line.)
-module(t_uncaught).
-export([main/0]).

main() ->
    erlang:display(before_crash),
    crash(erlang:phash2(x) rem 1),
    erlang:display(not_reached),
    erlang:halt(0).

crash(X) -> 1 div X.
