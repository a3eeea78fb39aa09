%% The code module's answers that do not depend on where OTP is installed: modules and
%% applications that do not exist, the object file extension, is_loaded, and ensure_loaded
%% (which loads a module on disk and reports one that is not).
-module(t_code).
-export([main/0]).

main() ->
    erlang:display({which, code:which(no_such_module_here)}),
    erlang:display({is_loaded, code:is_loaded(no_such_module_here)}),
    erlang:display({priv_dir, code:priv_dir(no_such_app_here), code:priv_dir("no_such_app_here")}),
    erlang:display({lib_dir, code:lib_dir(no_such_app_here), code:lib_dir(no_such_app_here, ebin)}),
    erlang:display({ext, code:objfile_extension()}),
    erlang:display({which_self, is_loaded_self(code:which(?MODULE))}),
    erlang:display({app_file, application:load(no_such_app_here),
                    application:start(no_such_app_here)}),
    erlang:display({ensure_missing, code:ensure_loaded(no_such_module_here),
                    erlang:module_loaded(no_such_module_here)}),
    erlang:display({ensure_loaded, code:ensure_loaded(?MODULE), code:ensure_loaded(lists)}),
    %% A module of this suite that nothing has called yet: ensure_loaded loads it.
    erlang:display({before, erlang:module_loaded(ensure_loaded_target)}),
    erlang:display({ensure_new, code:ensure_loaded(ensure_loaded_target),
                    erlang:module_loaded(ensure_loaded_target), ensure_loaded_target:hello()}),
    erlang:display({ensure_badarg, catch_class(fun() -> code:ensure_loaded("lists") end)}),
    erlang:halt(0).

catch_class(F) ->
    try F() catch C:R -> {C, R} end.

%% erl names the file; the node has none: either way, not non_existing.
is_loaded_self(non_existing) -> non_existing;
is_loaded_self(_) -> found.
