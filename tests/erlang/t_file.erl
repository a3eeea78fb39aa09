%% Files as programs use them: whole files, io on opened files (file_io_server through
%% OTP's file server), raw files, directories, links, file information, filelib, and the
%% errors each gives. Everything happens in a fresh directory under /tmp, removed at the end;
%% no path or time is printed, so the output is the same on every run.
-module(t_file).
-export([main/0]).

main() ->
    Dir = filename:join("/tmp", "t_file_" ++ integer_to_list(erlang:unique_integer([positive]))
                        ++ "_" ++ integer_to_list(erlang:system_time())),
    ok = file:make_dir(Dir),
    try
        whole(Dir),
        opened(Dir),
        raw(Dir),
        dirs(Dir),
        infos(Dir),
        libs(Dir),
        errors(Dir),
        owners(Dir)
    after
        cleanup(Dir)
    end,
    erlang:halt(0).

show(Label, V) -> io:format("~s: ~p~n", [Label, V]).

whole(Dir) ->
    F = filename:join(Dir, "a.txt"),
    show("write_file", file:write_file(F, ["hello", $\s, <<"world">>, "\n"])),
    show("read_file", file:read_file(F)),
    show("write_file append", file:write_file(F, <<"more\n">>, [append])),
    show("read_file again", file:read_file(F)),
    Big = binary:copy(<<"0123456789">>, 100000),
    show("write big", file:write_file(filename:join(Dir, "big"), Big)),
    {ok, Back} = file:read_file(filename:join(Dir, "big")),
    show("big back", {byte_size(Back), Back =:= Big}),
    show("consult write", file:write_file(filename:join(Dir, "terms"),
                                          "{a, 1}.\n[x, \"y\"].\n#{k => v}.\n")),
    show("consult", file:consult(filename:join(Dir, "terms"))),
    show("path_consult", element(1, file:path_consult([Dir], "terms"))).

opened(Dir) ->
    F = filename:join(Dir, "lines.txt"),
    {ok, W} = file:open(F, [write]),
    [io:format(W, "line ~b: ~p~n", [N, {N, N * N}]) || N <- lists:seq(1, 5)],
    show("close w", file:close(W)),
    {ok, R} = file:open(F, [read]),
    show("lines", read_lines(R, [])),
    show("close r", file:close(R)),
    {ok, B} = file:open(F, [read, binary]),
    show("get_line bin", io:get_line(B, '')),
    show("read 5", file:read(B, 5)),
    show("position", file:position(B, {cur, 0})),
    show("position bof", file:position(B, bof)),
    show("read_line", file:read_line(B)),
    ok = file:close(B),
    {ok, A} = file:open(F, [append]),
    show("append write", file:write(A, "tail\n")),
    ok = file:close(A),
    {ok, Last} = file:read_file(F),
    show("last line", lists:last(binary:split(Last, <<"\n">>, [global, trim]))).

read_lines(Fd, Acc) ->
    case io:get_line(Fd, '') of
        eof -> lists:reverse(Acc);
        L -> read_lines(Fd, [L | Acc])
    end.

raw(Dir) ->
    F = filename:join(Dir, "raw.bin"),
    {ok, Fd} = file:open(F, [raw, binary, write, read]),
    show("raw write", file:write(Fd, <<"abcdefghij">>)),
    show("raw pos", file:position(Fd, 2)),
    show("raw read", file:read(Fd, 3)),
    show("raw pread", file:pread(Fd, 6, 10)),
    show("raw pwrite", file:pwrite(Fd, 0, <<"AB">>)),
    show("raw eof pos", file:position(Fd, eof)),
    show("raw read at eof", file:read(Fd, 1)),
    show("raw pos 4", file:position(Fd, {bof, 4})),
    show("raw truncate", file:truncate(Fd)),
    show("raw sync", file:sync(Fd)),
    show("raw pwrite list", file:pwrite(Fd, [{0, "a"}, {3, <<"D">>}])),
    show("raw pread list", file:pread(Fd, [{0, 2}, {2, 10}, {50, 1}])),
    Self = self(),
    spawn(fun() -> Self ! {other, catch file:read(Fd, 1)} end),
    show("other process", receive {other, {'EXIT', {R, _}}} -> R end),
    show("raw close", file:close(Fd)),
    show("raw content", file:read_file(F)),
    {ok, L} = file:open(F, [raw, read]),
    show("raw list read", file:read(L, 2)),
    show("raw list pread", file:pread(L, 1, 2)),
    ok = file:close(L),
    {ok, Lines} = file:open(filename:join(Dir, "lines.txt"), [raw, read, binary, read_ahead]),
    show("raw read_line", file:read_line(Lines)),
    show("raw read_line 2", file:read_line(Lines)),
    ok = file:close(Lines),
    show("copy", file:copy(F, filename:join(Dir, "copy.bin"))),
    show("copied", file:read_file(filename:join(Dir, "copy.bin"))).

dirs(Dir) ->
    Sub = filename:join(Dir, "sub"),
    show("make_dir", file:make_dir(Sub)),
    show("make_dir again", file:make_dir(Sub)),
    ok = file:write_file(filename:join(Sub, "x.txt"), "x"),
    show("del_dir nonempty", file:del_dir(Sub)),
    show("rename", file:rename(filename:join(Sub, "x.txt"), filename:join(Sub, "y.txt"))),
    show("list_dir sub", file:list_dir(Sub)),
    show("delete", file:delete(filename:join(Sub, "y.txt"))),
    show("delete again", file:delete(filename:join(Sub, "y.txt"))),
    show("del_dir", file:del_dir(Sub)),
    {ok, Names} = file:list_dir(Dir),
    show("list_dir", lists:sort(Names)),
    {ok, Cwd} = file:get_cwd(),
    show("set_cwd", file:set_cwd(Dir)),
    show("cwd is dir", file:get_cwd() =:= {ok, Dir}),
    show("relative read", file:read_file("a.txt")),
    ok = file:set_cwd(Cwd),
    show("symlink", file:make_symlink("a.txt", filename:join(Dir, "link"))),
    show("read_link", file:read_link(filename:join(Dir, "link"))),
    show("read_link regular", file:read_link(filename:join(Dir, "a.txt"))).

infos(Dir) ->
    {ok, I} = file:read_file_info(filename:join(Dir, "a.txt")),
    show("info size type access", {element(2, I), element(3, I), element(4, I)}),
    {{Y, _, _}, {_, _, _}} = element(6, I),
    show("mtime year plausible", Y >= 2020),
    {ok, P} = file:read_file_info(filename:join(Dir, "a.txt"), [{time, posix}]),
    show("posix mtime", is_integer(element(6, P))),
    {ok, D} = file:read_file_info(Dir),
    show("dir type", element(3, D)),
    {ok, L} = file:read_link_info(filename:join(Dir, "link")),
    show("link type", element(3, L)),
    {ok, LF} = file:read_file_info(filename:join(Dir, "link")),
    show("link followed", element(3, LF)),
    show("missing info", file:read_file_info(filename:join(Dir, "nope"))).

libs(Dir) ->
    show("is_file", filelib:is_file(filename:join(Dir, "a.txt"))),
    show("is_dir", {filelib:is_dir(Dir), filelib:is_dir(filename:join(Dir, "a.txt"))}),
    show("is_regular", filelib:is_regular(filename:join(Dir, "a.txt"))),
    show("file_size", filelib:file_size(filename:join(Dir, "a.txt"))),
    show("ensure_dir", filelib:ensure_dir(filename:join([Dir, "p", "q", "r", "file"]))),
    show("ensured", filelib:is_dir(filename:join([Dir, "p", "q", "r"]))),
    ok = file:write_file(filename:join([Dir, "p", "q", "r", "deep.txt"]), "deep"),
    show("wildcard", lists:sort(filelib:wildcard("*.txt", Dir))),
    show("wildcard deep", filelib:wildcard("p/**/*.txt", Dir)),
    show("wildcard abs count", length(filelib:wildcard(filename:join(Dir, "*")))),
    show("last_modified", is_tuple(filelib:last_modified(filename:join(Dir, "a.txt")))).

errors(Dir) ->
    show("read missing", file:read_file(filename:join(Dir, "missing"))),
    show("open missing", file:open(filename:join(Dir, "missing"), [read])),
    show("list missing", file:list_dir(filename:join(Dir, "missing"))),
    show("read dir", file:read_file(Dir)),
    show("open exclusive", file:open(filename:join(Dir, "a.txt"), [write, exclusive])),
    show("make_dir missing parent", file:make_dir(filename:join([Dir, "no", "such"]))),
    show("consult bad", begin
                            ok = file:write_file(filename:join(Dir, "bad"), "{a,"),
                            element(1, file:consult(filename:join(Dir, "bad")))
                        end),
    show("bad name", catch file:read_file({not_a_name})),
    {ok, Fd} = file:open(filename:join(Dir, "a.txt"), [raw, read]),
    ok = file:close(Fd),
    show("read closed", file:read(Fd, 1)).

%% Files die with the process that opened them: more processes than the machine allows
%% open files each open one and end without closing it.
owners(Dir) ->
    F = filename:join(Dir, "owned"),
    ok = file:write_file(F, "x"),
    Results = [begin
                   {Pid, Ref} = spawn_monitor(fun() -> exit(file:open(F, [raw, read])) end),
                   receive {'DOWN', Ref, process, Pid, R} -> element(1, R) end
               end || _ <- lists:seq(1, 1500)],
    show("opened by ended processes", lists:usort(Results)),
    {ok, Fds} = file:list_dir("/proc/self/fd"),
    show("few descriptors left open", length(Fds) < 100).

cleanup(Dir) ->
    [cleanup(filename:join(Dir, N)) || filelib:is_dir(Dir) andalso
                                           element(3, element(2, file:read_link_info(Dir))) =:= directory,
                                       {ok, Ns} <- [file:list_dir(Dir)], N <- Ns],
    case file:read_link_info(Dir) of
        {ok, I} when element(3, I) =:= directory -> file:del_dir(Dir);
        _ -> file:delete(Dir)
    end.
