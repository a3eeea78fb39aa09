%% Where code comes from: code:which/1, is_loaded/1, where_is_file/1, the code path, OTP's
%% root and library directories, an application's lib and priv directories, module MD5s and
%% module_status/1, get_object_code/1 and purging, as erl reports them for the same code path.
-module(t_code_paths).
-export([main/0]).

main() ->
    Self = atom_to_list(?MODULE) ++ ".beam",
    show(which, [code:which(lists), filename:basename(code:which(?MODULE)),
                 code:which(no_such_module)]),
    show(is_loaded, [code:is_loaded(lists), element(1, code:is_loaded(?MODULE))]),
    show(where_is_file, [code:where_is_file("lists.beam"),
                         filename:basename(code:where_is_file(Self)),
                         code:where_is_file("no_such_file.beam")]),
    Path = code:get_path(),
    show(path, [lists:member(".", Path),
                lists:member(filename:dirname(code:which(lists)), Path),
                lists:member(filename:dirname(code:which(?MODULE)), Path)]),
    show(root, [code:root_dir(), code:lib_dir()]),
    show(app_dirs, [code:lib_dir(stdlib), code:lib_dir(kernel), code:priv_dir(stdlib),
                    code:lib_dir(stdlib, ebin), code:lib_dir(no_such_app),
                    code:priv_dir(no_such_app), code:lib_dir("stdlib")]),
    {ok, {lists, FileMd5}} = beam_lib:md5(code:which(lists)),
    {ok, {?MODULE, OwnMd5}} = beam_lib:md5(code:which(?MODULE)),
    show(md5, [lists:module_info(md5) =:= FileMd5, ?MODULE:module_info(md5) =:= OwnMd5,
               byte_size(OwnMd5)]),
    show(module_status, [code:module_status(lists), code:module_status(?MODULE),
                         code:module_status(no_such_module)]),
    {?MODULE, Bin, File} = code:get_object_code(?MODULE),
    show(object_code, [File =:= code:which(?MODULE), filename:pathtype(File),
                       beam_lib:md5(Bin) =:= {ok, {?MODULE, OwnMd5}},
                       code:get_object_code(no_such_module)]),
    show(purge, [code:purge(?MODULE), code:soft_purge(?MODULE)]),
    show(arguments, [init:get_argument(root), init:get_argument(bindir),
                     [K || {K, _} <- init:get_arguments(), K =/= pa]]),
    halt(0).

show(What, Values) ->
    io:format("~p: ~p~n", [What, Values]).
