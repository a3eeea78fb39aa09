%% Application environment: get_env/1,2,3, set_env/3,4, unset_env, get_all_env and the
%% kernel's own settings, all kept by the application controller.
-module(t_appenv).
-export([main/0]).

main() ->
    erlang:display({kernel_level, application:get_env(kernel, logger_level)}),
    erlang:display({kernel_missing, application:get_env(kernel, no_such_key)}),
    erlang:display({default, application:get_env(kernel, no_such_key, fallback)}),
    erlang:display({format_depth, application:get_env(kernel, error_logger_format_depth)}),
    %% No application owns the -run process.
    erlang:display({get_env1, application:get_env(logger_level)}),
    erlang:display({get_application, application:get_application()}),
    ok = application:set_env(myapp, colour, blue),
    erlang:display({set, application:get_env(myapp, colour)}),
    ok = application:set_env(myapp, size, 3, [{persistent, true}]),
    ok = application:set_env(myapp, colour, green),
    erlang:display({all, lists:sort(application:get_all_env(myapp))}),
    ok = application:unset_env(myapp, colour),
    erlang:display({unset, application:get_env(myapp, colour),
                    application:get_env(myapp, colour, none)}),
    ok = application:set_env([{other, [{a, 1}, {b, [x, y]}]}]),
    erlang:display({set_env1, lists:sort(application:get_all_env(other))}),
    %% Another process sees the same table.
    Self = self(),
    spawn(fun() -> Self ! {seen, application:get_env(myapp, size)} end),
    erlang:display(receive {seen, _} = S -> S after 1000 -> none end),
    erlang:display({bad, catch application:get_env("kernel", logger_level)}),
    erlang:display({controller, is_pid(whereis(application_controller))}),
    erlang:display({kernel_loaded, lists:keymember(kernel, 1,
                                                   application:loaded_applications())}),
    erlang:halt(0).
