%% Applications: kernel and stdlib running as in erl; an application loaded from its
%% specification, started and stopped (its callback module is this one), its environment and
%% keys, get_application/get_env from inside it, ensure_all_started with a dependency, and
%% the error results (an application without a specification: its .app file is not found).
-module(t_application).
-behaviour(application).
-behaviour(supervisor).
-export([main/0, start/2, stop/1, init/1, worker/0]).

spec(Name, Deps) ->
    {application, Name,
     [{description, atom_to_list(Name)}, {vsn, "1.0"}, {modules, [?MODULE]},
      {registered, []}, {applications, [kernel, stdlib | Deps]},
      {mod, {?MODULE, Name}}, {env, [{colour, blue}, {name, Name}]}]}.

main() ->
    %% erl logs each stopped application (a notice) while the program prints: no handler.
    _ = logger:remove_handler(default),
    erlang:display({running, application:which_applications()}),
    ok = application:load(spec(t_app_a, [])),
    ok = application:load(spec(t_app_b, [t_app_a])),
    erlang:display({loaded, lists:sort([A || {A, _, _} <- application:loaded_applications()])}),
    %% get_all_env/1 lists the pairs in the order of a hash of {env, App, Key} keys, which for
    %% atoms inside a key depends on erl's atom table: compared sorted.
    erlang:display({env, application:get_env(t_app_a, colour),
                    lists:sort(application:get_all_env(t_app_b))}),
    erlang:display({keys, application:get_key(t_app_a, vsn), application:get_key(t_app_b, applications),
                    application:get_key(t_app_a, mod)}),
    erlang:display({not_started, application:start(t_app_b)}),
    erlang:display({ensure, application:ensure_all_started(t_app_b)}),
    erlang:display({again, application:ensure_all_started(t_app_b), application:start(t_app_a)}),
    erlang:display({running, [A || {A, _, _} <- application:which_applications()]}),
    t_app_a_worker ! {ask, self()},
    erlang:display(receive {inside, _} = I -> I after 1000 -> none end),
    erlang:display({stop, application:stop(t_app_b), application:stop(t_app_b)}),
    erlang:display({running, [A || {A, _, _} <- application:which_applications()]}),
    erlang:display({stop, application:stop(t_app_a), whereis(t_app_a_worker)}),
    erlang:display({unload, application:unload(t_app_a), application:get_env(t_app_a, colour)}),
    erlang:display({unknown, application:start(no_such_app_here)}),
    erlang:display({bad_spec, application:load({application, bad, not_a_list})}),
    erlang:halt(0).

start(normal, Name) ->
    erlang:display({starting, Name}),
    supervisor:start_link(?MODULE, Name).

stop(Name) ->
    erlang:display({stopped, Name}),
    ok.

init(t_app_a) ->
    {ok, {#{strategy => one_for_one},
          [#{id => worker, start => {proc_lib, start_link, [?MODULE, worker, []]}}]}};
init(_) ->
    {ok, {#{strategy => one_for_one}, []}}.

worker() ->
    register(t_app_a_worker, self()),
    proc_lib:init_ack({ok, self()}),
    receive
        {ask, From} ->
            From ! {inside, {application:get_application(), application:get_env(colour)}},
            receive stop -> ok end
    end.
