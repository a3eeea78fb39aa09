-module(t_files_usage).
-export([main/0]).

%% Files as programs use them: write and consult a config, append a log, read lines,
%% list with filelib, copy, rename, delete, and the errors for missing files.

main() ->
    Dir = filename:join("/tmp", "xb_files_usage_" ++ os:getpid()),
    ok = filelib:ensure_dir(filename:join(Dir, "sub/x")),
    io:format("~p~n", [filelib:is_dir(Dir)]),
    Conf = filename:join(Dir, "app.config"),
    Terms = [{port, 8080}, {hosts, ["a.example", "b.example"]}, {limits, #{rate => 10}}],
    ok = file:write_file(Conf, [io_lib:format("~p.~n", [T]) || T <- Terms]),
    io:format("~p~n", [file:consult(Conf)]),
    {ok, Bin} = file:read_file(Conf),
    io:format("~p~n", [byte_size(Bin)]),
    Log = filename:join(Dir, "sub/events.log"),
    [ok = file:write_file(Log, io_lib:format("event ~b~n", [N]), [append]) || N <- lists:seq(1, 5)],
    {ok, F} = file:open(Log, [read]),
    Lines = read_lines(F, []),
    ok = file:close(F),
    io:format("~p~n", [Lines]),
    {ok, Out} = file:open(filename:join(Dir, "out.txt"), [write]),
    io:format(Out, "~s: ~p~n", ["total", length(Lines)]),
    ok = file:write(Out, <<"raw bytes\n">>),
    ok = file:close(Out),
    io:format("~p~n", [file:read_file(filename:join(Dir, "out.txt"))]),
    {ok, Copied} = file:copy(Conf, filename:join(Dir, "copy.config")),
    io:format("copied ~p bytes~n", [Copied]),
    ok = file:rename(filename:join(Dir, "copy.config"), filename:join(Dir, "sub/moved.config")),
    io:format("~p~n", [lists:sort(filelib:wildcard("**/*.config", Dir))]),
    io:format("~p~n", [lists:sort(filelib:wildcard(filename:join(Dir, "*")))
                       -- [filename:join(Dir, N) || N <- ["app.config", "out.txt", "sub"]]]),
    io:format("~p~n", [file:list_dir(filename:join(Dir, "sub"))
                       =:= {ok, lists:reverse(lists:sort(["events.log", "moved.config"]))}
                       orelse lists:sort(element(2, file:list_dir(filename:join(Dir, "sub"))))]),
    io:format("~p ~p~n", [filelib:file_size(Conf), filelib:is_regular(Log)]),
    {ok, Info} = file:read_file_info(Conf),
    io:format("~p~n", [{element(1, Info), element(2, Info), element(3, Info)}]),
    io:format("~p~n", [file:read_file(filename:join(Dir, "missing"))]),
    io:format("~p~n", [file:consult(filename:join(Dir, "missing"))]),
    ok = file:write_file(filename:join(Dir, "bad.config"), "{unterminated, term}\n"),
    io:format("~p~n", [file:consult(filename:join(Dir, "bad.config"))]),
    io:format("~p~n", [file:del_dir(Dir)]),
    io:format("~p~n", [{filename:basename(Log), filename:dirname("/a/b/c.txt"), filename:extension("x.tar.gz"),
                        filename:rootname("x.tar.gz"), filename:split("/a/b/c"), filename:absname_join("/r", "s")}]),
    ok = file:del_dir_r(Dir),
    io:format("~p~n", [filelib:is_dir(Dir)]),
    halt().

read_lines(F, Acc) ->
    case file:read_line(F) of
        {ok, L} -> read_lines(F, [string:chomp(L) | Acc]);
        eof -> lists:reverse(Acc)
    end.
