%% erlang:halt/0 exits with status 0; halt/1 with 255 from a nested call.
-module(t_halt0).
-export([main/0]).

main() ->
    erlang:display(halting),
    case erlang:phash2(x) >= 0 of
        true -> erlang:halt();
        false -> erlang:halt(255)
    end.
