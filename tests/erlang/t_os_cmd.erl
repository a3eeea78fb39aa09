%% os:cmd/1,2: a command run by /bin/sh, its standard output and error as a list (UTF-8
%% decoded when it is UTF-8, bytes otherwise), its exit status ignored, no input (a read
%% sees eof), max_size, the node's environment changes; the command as a string, an atom or
%% a deep list of characters (trailing NULs dropped), badarg otherwise (badopt for options
%% that are no map). Other processes run while a command runs, and the caller's mailbox is
%% left alone.
-module(t_os_cmd).
-export([main/0]).

t(F) ->
    try F() of
        V -> erlang:display(V)
    catch
        C:R:S ->
            [{M, Fn, A, Loc} | _] = S,
            erlang:display({C, R, {M, Fn, A}, proplists:get_value(error_info, Loc)})
    end.

count(N) ->
    receive
        {stop, From} -> From ! {count, N}
    after 5 -> count(N + 1)
    end.

%% The command's processes are gone within Tries tenths of a second.
gone(Count, Tries) ->
    case os:cmd(Count) of
        "0\n" -> true;
        _ when Tries > 0 -> receive after 100 -> gone(Count, Tries - 1) end;
        Left -> Left
    end.

main() ->
    t(fun() -> os:cmd("echo hello") end),
    t(fun() -> os:cmd('echo hi') end),
    t(fun() -> os:cmd(["echo", [" a", $b], []]) end),
    t(fun() -> os:cmd("echo abc" ++ [0, 0]) end),
    t(fun() -> os:cmd([$e, $c, $h, $o, $\s, 233]) end),
    t(fun() -> os:cmd([$e, $c, $h, $o, $\s, 1000, 8364]) end),
    t(fun() -> os:cmd("printf 'a\\0b'") end),
    t(fun() -> os:cmd("printf '\\351\\n'") end),
    t(fun() -> os:cmd("printf abc") end),
    t(fun() -> os:cmd("echo err 1>&2; echo out") end),
    t(fun() -> os:cmd("cat") end),
    t(fun() -> os:cmd("read x; echo got$x") end),
    t(fun() -> os:cmd("exit 3") end),
    t(fun() -> os:cmd("echo a; exit 1; echo b") end),
    t(fun() -> os:cmd("echo a\necho b") end),
    t(fun() -> os:cmd("printf 'a\\004b'") end),
    t(fun() -> os:cmd("") end),
    t(fun() -> os:cmd("echo $0") end),
    t(fun() -> os:cmd("nonexistent_command_xyz") end),
    t(fun() -> os:cmd("pwd") =:= element(2, file:get_cwd()) ++ "\n" end),
    t(fun() -> length(os:cmd("head -c 200000 /dev/zero | tr '\\0' x")) end),
    t(fun() -> lists:usort(os:cmd("head -c 200000 /dev/zero | tr '\\0' x")) end),
    t(fun() -> os:cmd("seq 1 5", #{max_size => 3}) end),
    t(fun() -> os:cmd("seq 1 5", #{max_size => 0}) end),
    t(fun() -> os:cmd("seq 1 5", #{max_size => 10}) end),
    t(fun() -> os:cmd("seq 1 5", #{max_size => 11}) end),
    t(fun() -> os:cmd("seq 1 5", #{max_size => infinity}) end),
    t(fun() -> os:cmd("seq 1 5", #{max_size => foo}) end),
    t(fun() -> os:cmd("seq 1 5", #{other => 1}) end),
    t(fun() -> length(os:cmd("yes", #{max_size => 100000})) end),
    t(fun() -> os:cmd("echo a", #{}) end),
    %% A write to a closed pipe fails (erl's commands start with SIGPIPE ignored).
    t(fun() -> os:cmd("yes | head -c 4 >/dev/null") end),
    %% A command whose caller is killed ends (its output pipe closes).
    t(fun() ->
              P = spawn(fun() -> os:cmd("yes t_os_cmd_killed") end),
              receive after 100 -> ok end,
              exit(P, kill),
              gone("pgrep -fc 'yes t_os_cmd_killed'", 40)
      end),
    %% A command that leaves a process behind holding the output: done at the shell's end.
    t(fun() ->
              T0 = erlang:monotonic_time(millisecond),
              R = os:cmd("sleep 3 & echo bg"),
              {R, erlang:monotonic_time(millisecond) - T0 < 2000}
      end),
    %% The environment: the node's own changes go to the command.
    os:putenv("XENBEAM_T_OS_CMD", "v1 v2"),
    t(fun() -> os:cmd("echo \"$XENBEAM_T_OS_CMD\"") end),
    os:unsetenv("XENBEAM_T_OS_CMD"),
    t(fun() -> os:cmd("echo \"[${XENBEAM_T_OS_CMD-unset}]\"") end),
    %% Bad commands and options.
    t(fun() -> os:cmd(<<"echo x">>) end),
    t(fun() -> os:cmd(["echo ", <<"x">>]) end),
    t(fun() -> os:cmd(42) end),
    t(fun() -> os:cmd([$a, 0, $b]) end),
    t(fun() -> os:cmd(["echo", foo]) end),
    t(fun() -> os:cmd(["echo" | foo]) end),
    t(fun() -> os:cmd([-1]) end),
    t(fun() -> os:cmd({"echo"}) end),
    t(fun() -> os:cmd("echo", [{max_size, 1}]) end),
    t(fun() -> os:cmd(42, foo) end),
    t(fun() -> os:cmd(42, #{}) end),
    %% Others run meanwhile; the caller's messages stay.
    self() ! before,
    Counter = spawn(fun() -> count(0) end),
    t(fun() -> os:cmd("sleep 0.3; echo x") end),
    Counter ! {stop, self()},
    receive {count, N} -> erlang:display(N > 10) end,
    t(fun() -> receive before -> before after 0 -> none end end),
    %% Commands in several processes at once.
    Me = self(),
    T1 = erlang:monotonic_time(millisecond),
    [spawn(fun() -> Me ! {done, I, os:cmd("sleep 0.4; echo " ++ integer_to_list(I))} end)
     || I <- [1, 2, 3]],
    erlang:display(lists:sort([receive {done, _, R} -> R end || _ <- [1, 2, 3]])),
    erlang:display(erlang:monotonic_time(millisecond) - T1 < 1100),
    halt().
