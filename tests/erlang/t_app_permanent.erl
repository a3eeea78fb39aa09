%% Application start types when an application's top process ends: a temporary one that
%% crashes and a transient one that ends normally leave the node running; a permanent one
%% that ends takes the application controller down with it, and the node halts as erl's
%% `init' halts it ("Kernel pid terminated"), status 1.
-module(t_app_permanent).
-behaviour(application).
-export([main/0, start/2, stop/1, top/1]).

main() ->
    %% The applications' ends are logged with timestamps: no handler, so stdout compares.
    _ = logger:remove_handler(default),
    [load(App) || App <- [t_app_temp, t_app_trans, t_app_perm]],
    ok = application:start(t_app_temp, temporary),
    ok = application:start(t_app_trans, transient),
    ok = application:start(t_app_perm, permanent),
    erlang:display(running(t_app_temp)),
    stop_top(t_app_temp, crash),
    erlang:display(running(t_app_temp)),
    stop_top(t_app_trans, normal),
    erlang:display(running(t_app_trans)),
    erlang:display(running(t_app_perm)),
    t_app_perm ! crash,
    receive after infinity -> ok end.

load(App) ->
    ok = application:load({application, App,
                           [{description, "start types"}, {vsn, "1"}, {modules, [?MODULE]},
                            {registered, []}, {applications, [kernel, stdlib]},
                            {mod, {?MODULE, App}}, {env, []}]}).

running(App) ->
    {App, lists:keymember(App, 1, application:which_applications())}.

%% Ends the application's top process with `Reason' and waits for the controller to see it.
stop_top(App, Reason) ->
    Top = whereis(App),
    Ref = monitor(process, Top),
    Top ! Reason,
    receive {'DOWN', Ref, process, _, _} -> ok end,
    wait_gone(App).

wait_gone(App) ->
    case running(App) of
        {App, true} -> receive after 5 -> wait_gone(App) end;
        _ -> ok
    end.

start(normal, App) ->
    Pid = spawn_link(?MODULE, top, [App]),
    {ok, Pid}.

stop(_) -> ok.

top(App) ->
    register(App, self()),
    receive
        normal -> ok;
        crash -> exit(crashed)
    end.
