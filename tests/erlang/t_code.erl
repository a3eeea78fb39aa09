%% The code module's answers that do not depend on where OTP is installed: modules and
%% applications that do not exist, the object file extension, and is_loaded.
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
    erlang:halt(0).

%% erl names the file; the node has none: either way, not non_existing.
is_loaded_self(non_existing) -> non_existing;
is_loaded_self(_) -> found.
