%% A module whose -on_load function returns {error, _} is not loaded: calls to it raise
%% undef, every time, and the module is not reported as loaded.
-module(t_onload_refused).
-export([main/0]).

main() ->
    erlang:display(call()),
    erlang:display(call()),
    erlang:display(erlang:module_loaded(onload_refuser)),
    erlang:display(erlang:function_exported(onload_refuser, f, 0)),
    erlang:halt(0).

call() ->
    try onload_refuser:f() of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.
