%% A module with an -on_load function: it runs when the module is loaded, before main/0.
-module(t_onload).
-export([main/0]).
-on_load(init/0).

init() ->
    erlang:display(on_load_ran),
    put(loaded_by, on_load),
    ok.

main() ->
    erlang:display({main, erlang:module_loaded(?MODULE), erlang:function_exported(?MODULE, main, 0),
                    erlang:function_exported(?MODULE, init, 0)}),
    erlang:halt(0).
