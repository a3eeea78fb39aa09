%% disk_log, as a program keeps a log: open (under kernel_safe_sup), log and alog terms,
%% sync, read back in chunks, info, reopen, close; and persistent_term:info/0.
-module(t_disk_log).
-export([main/0]).

show(What, X) -> io:format("~p: ~p~n", [What, X]).

read_all(Log, Cont, Acc) ->
    case disk_log:chunk(Log, Cont) of
        eof -> lists:append(lists:reverse(Acc));
        {Cont2, Terms} -> read_all(Log, Cont2, [Terms | Acc])
    end.

main() ->
    show(safe_sup, is_pid(whereis(kernel_safe_sup))),
    File = filename:join(element(2, file:get_cwd()),
                         "t_disk_log." ++ os:getpid() ++ ".log"),
    _ = file:delete(File),
    show(open, disk_log:open([{name, tlog}, {file, File}])),
    show(children, length(supervisor:which_children(kernel_safe_sup)) > 0),
    [ok = disk_log:log(tlog, {entry, I, lists:seq(1, I)}) || I <- lists:seq(1, 50)],
    show(alog, disk_log:alog(tlog, last_async)),
    show(sync, disk_log:sync(tlog)),
    Terms = read_all(tlog, start, []),
    show(count, length(Terms)),
    show(first_last, {hd(Terms), lists:last(Terms)}),
    Info = disk_log:info(tlog),
    show(info, [{K, proplists:get_value(K, Info)} || K <- [name, type, format, mode, status]]),
    show(close, disk_log:close(tlog)),
    show(reopen, disk_log:open([{name, tlog}, {file, File}])),
    show(again, length(read_all(tlog, start, []))),
    show(close_again, disk_log:close(tlog)),
    show(closed, disk_log:info(tlog)),
    show(delete, file:delete(File)),
    #{count := C0} = persistent_term:info(),
    persistent_term:put({?MODULE, key}, lists:seq(1, 100)),
    #{count := C1, memory := M} = persistent_term:info(),
    show(persistent, {C1 - C0, is_integer(M) andalso M > 0}),
    persistent_term:erase({?MODULE, key}),
    halt().
