%% init:stop/0,1: it returns ok at once; then the program's applications stop (a supervised
%% server that traps exits runs terminate/2 with shutdown, then the application's stop/1)
%% and the node halts with the status given. A status that is neither a whole number from 0
%% nor a string of bytes is badarg from init:stop/1.
-module(t_init_stop).
-export([main/0]).
-export([start/2, stop/1, init/1, handle_call/3, handle_cast/2, terminate/2]).

main() ->
    [erlang:display({bad, Status, catch init:stop(Status)})
     || Status <- [-1, foo, 1.5, [256], [a], "x" ++ foo, {3}]],
    App = {application, t_init_stop_app,
           [{description, "init:stop test"}, {vsn, "1"}, {modules, [?MODULE]},
            {registered, []}, {applications, [kernel, stdlib]}, {mod, {?MODULE, []}}]},
    ok = application:load(App),
    ok = application:start(t_init_stop_app),
    erlang:display(started),
    erlang:display(init:stop(5)),
    receive after infinity -> ok end.

start(normal, []) -> supervisor:start_link(?MODULE, sup).

stop(_) -> erlang:display(app_stopped), ok.

init(sup) ->
    {ok, {#{strategy => one_for_one},
          [#{id => server, start => {gen_server, start_link, [?MODULE, server, []]}}]}};
init(server) ->
    process_flag(trap_exit, true),
    {ok, nostate}.

handle_call(_, _, S) -> {reply, ok, S}.

handle_cast(_, S) -> {noreply, S}.

terminate(Reason, _) -> erlang:display({terminate, Reason}).
