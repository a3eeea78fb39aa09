%% file:change_mode/2, change_time/2,3, change_owner/2, change_group/2 and
%% write_file_info/3 over prim_file's write_file_info: what they set, what they leave out
%% (a time not given is now), and their errors.
-module(t_file_info_write).
-export([main/0]).
-include_lib("kernel/include/file.hrl").

show(What, X) -> io:format("~p: ~p~n", [What, X]).

recent(Secs) -> abs(Secs - os:system_time(second)) < 60.

main() ->
    F = filename:join(element(2, file:get_cwd()), "t_file_info_write." ++ os:getpid()),
    ok = file:write_file(F, <<"x">>),
    show(change_mode, file:change_mode(F, 8#600)),
    {ok, I} = file:read_file_info(F),
    show(mode, I#file_info.mode band 8#7777),
    show(change_time, file:change_time(F, {{2020,1,2},{3,4,5}})),
    {ok, I2} = file:read_file_info(F, [{time, posix}]),
    {ok, I2u} = file:read_file_info(F, [{time, universal}]),
    show(mtime, I2u#file_info.mtime),
    show(atime_now, recent(I2#file_info.atime)),
    show(change_time3, file:change_time(F, {{2021,1,1},{0,0,0}}, {{2022,1,1},{0,0,0}})),
    {ok, I3} = file:read_file_info(F, [{time, posix}]),
    show(times, {I3#file_info.atime, I3#file_info.mtime}),
    show(posix, file:write_file_info(F, #file_info{mtime = 100, mode = 8#640}, [{time, posix}])),
    {ok, I4} = file:read_file_info(F, [{time, posix}]),
    show(posix_times, {recent(I4#file_info.atime), I4#file_info.mtime, I4#file_info.mode band 8#777}),
    show(owner, file:change_owner(F, I4#file_info.uid)),
    show(group, file:change_group(F, I4#file_info.gid)),
    show(owner_group, file:change_owner(F, I4#file_info.uid, I4#file_info.gid)),
    show(missing, file:change_mode("/nonexistent/x", 8#600)),
    show(bad_time, file:change_time(F, {{2021,13,1},{0,0,0}})),
    show(not_a_record, element(1, catch file:write_file_info(F, not_a_record))),
    ok = file:delete(F),
    halt().
