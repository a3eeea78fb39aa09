%% A program that starts its application and returns, as `-run` programs do: the
%% application's processes (started by the application controller) and a function timer's
%% apply_after runs keep the node running until one of them halts.
-module(t_app_runs).
-behaviour(application).
-export([main/0, start/2, stop/1, ticker/1, later/0]).

main() ->
    %% The application's end is logged (a notice) as it stops: no handler, so stdout compares.
    _ = logger:remove_handler(default),
    ok = application:load({application, t_app_runs,
                           [{description, "ticks"}, {vsn, "1"}, {modules, [?MODULE]},
                            {registered, []}, {applications, [kernel, stdlib]},
                            {mod, {?MODULE, []}}, {env, []}]}),
    {ok, [t_app_runs]} = application:ensure_all_started(t_app_runs),
    erlang:display(started).

start(normal, []) ->
    Pid = spawn_link(?MODULE, ticker, [3]),
    {ok, Pid}.

stop(_) -> ok.

ticker(0) ->
    {ok, _} = timer:apply_after(20, ?MODULE, later, []);
ticker(N) ->
    receive after 20 -> erlang:display({tick, N}) end,
    ticker(N - 1).

later() ->
    receive after 20 -> erlang:display(later) end,
    erlang:halt(0).
