%% Startup baseline: loads, prints one term and halts.
-module(b_empty).
-export([main/1]).

main(_) ->
    erlang:display(ok),
    erlang:halt(0).
