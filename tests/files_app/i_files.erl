%% The image's files: an application's priv directory and .app file, read-only, as OTP's
%% file, filelib, code and application modules see them (tests/boot.rs builds the app and
%% compares the output with i_files.expected).
-module(i_files).
-export([main/0]).

main() ->
    Priv = code:priv_dir(files_app),
    show(Priv),
    show(code:lib_dir(files_app)),
    show(file:read_file(filename:join(Priv, "hello.txt"))),
    {ok, Names} = file:list_dir(Priv),
    show(lists:sort(Names)),
    show(filelib:wildcard("*.config", Priv)),
    show({filelib:is_dir(filename:join(Priv, "sub")),
          filelib:is_regular(filename:join(Priv, "hello.txt")),
          filelib:is_file(filename:join(Priv, "none"))}),
    Data = filename:join([Priv, "sub", "data.bin"]),
    {ok, Info} = file:read_file_info(Data),
    show({element(2, Info), element(3, Info), element(4, Info)}),
    {ok, F} = file:open(Data, [read, binary]),
    show(file:read(F, 2)),
    show(file:position(F, {eof, -1})),
    show(file:read(F, 10)),
    show(file:read(F, 10)),
    show(file:pread(F, 1, 2)),
    show(file:close(F)),
    {ok, L} = file:open(filename:join(Priv, "hello.txt"), [read]),
    show(io:get_line(L, "")),
    show(io:get_line(L, "")),
    ok = file:close(L),
    show(file:consult(filename:join(Priv, "terms.config"))),
    show(file:get_cwd()),
    show(file:set_cwd(Priv)),
    show(file:read_file("sub/data.bin")),
    show(file:set_cwd("hello.txt")),
    show(file:write_file("new", <<"x">>)),
    show(file:open("hello.txt", [write])),
    show(file:delete("hello.txt")),
    show(file:make_dir("d")),
    show(file:read_file("missing")),
    show(file:read_file(Priv)),
    show(file:list_dir("hello.txt")),
    show(application:load(files_app)),
    show(application:get_key(files_app, vsn)),
    show(code:priv_dir(no_such_app)),
    %% A process's open files close when it exits.
    Self = self(),
    {Pid, Ref} = spawn_monitor(fun() -> Self ! file:open(Data, [read, raw, binary]) end),
    receive {'DOWN', Ref, process, Pid, normal} -> ok end,
    receive {ok, Fd} -> show(file:read(Fd, 1)) end,
    hot_code(Priv).

%% Code loaded while the node runs: two versions of i_hot, from the priv directory, one at a
%% time and with code:atomic_load/1 and code:prepare_loading/1 + finish_loading/1.
hot_code(Priv) ->
    Hot = binary_to_atom(<<"i_hot">>),
    {ok, Hot1} = file:read_file(filename:join([Priv, "code", "i_hot1.beam"])),
    {ok, Hot2} = file:read_file(filename:join([Priv, "code", "i_hot2.beam"])),
    show(code:load_binary(Hot, "i_hot.erl", Hot1)),
    show({Hot:vsn(), code:which(Hot)}),
    Server = Hot:start(),
    show(ask(Server, get)),
    show(code:load_binary(Hot, "i_hot.erl", Hot2)),
    show({Hot:vsn(), erlang:check_old_code(Hot), erlang:check_process_code(Server, Hot)}),
    show(ask(Server, local)),
    show(code:soft_purge(Hot)),
    show(ask(Server, get)),
    show({ask(Server, get), erlang:check_process_code(Server, Hot)}),
    show(code:soft_purge(Hot)),
    Ref = monitor(process, Server),
    show(code:load_binary(Hot, "i_hot.erl", Hot1)),
    show(code:load_binary(Hot, "i_hot.erl", Hot2)),
    show(receive {'DOWN', Ref, process, Server, Why} -> Why after 2000 -> alive end),
    show({Hot:vsn(), code:purge(Hot), code:delete(Hot), erlang:module_loaded(Hot)}),
    %% Several modules as one step (here one module, given twice and then once).
    show(code:atomic_load([{Hot, "i_hot.erl", Hot1}, {Hot, "i_hot.erl", Hot2}])),
    show(code:atomic_load([{Hot, "i_hot.erl", Hot1}])),
    show({Hot:vsn(), erlang:check_old_code(Hot)}),
    show(code:atomic_load([{Hot, "i_hot.erl", Hot2}])),
    show(code:purge(Hot)),
    {ok, Prepared} = code:prepare_loading([{Hot, "i_hot.erl", Hot2}]),
    show(code:finish_loading(Prepared)),
    show({Hot:vsn(), code:which(Hot), erlang:check_old_code(Hot)}).

ask(Pid, Tag) ->
    Pid ! {Tag, self()},
    receive {_, _} = Reply -> Reply after 2000 -> no_answer end.

show(T) -> erlang:display(T).
