%% Pids as text and in the external format: <0.Number.Serial> with erl's ranges (15-bit
%% numbers, 13-bit serials), term order by serial then number, hashes of the number alone;
%% dead processes' pids reach no one. No pid of a live process is printed (their numbers
%% differ from erl's).
-module(t_pids).
-export([main/0]).
-compile(nowarn_deprecated_function).

main() ->
    Texts = ["<0.5.1>", "<0.32767.8191>", "<0.0.0>", "<0.01.2>", "<0.1.02>",
             "<0.32768.0>", "<0.5.8192>", "<0.1.2> ", "<0.-1.2>", "<0.1.+2>", "<0.1>",
             "<0.1.2.3>", "<0..2>", "<0.1.>", "<1.1.2>", "<0.99999999999.0>", ""],
    [erlang:display({T, catch_top(fun() -> pid_to_list(list_to_pid(T)) end)}) || T <- Texts],
    P51 = list_to_pid("<0.5.1>"),
    Max = list_to_pid("<0.32767.8191>"),
    erlang:display(term_to_binary(P51)),
    erlang:display(term_to_binary(Max)),
    erlang:display(binary_to_term(term_to_binary(Max)) =:= Max),
    [erlang:display({I, S, catch_top(fun() -> binary_to_term(ext(I, S)) end)})
     || {I, S} <- [{5, 1}, {32767, 8191}, {32768, 0}, {5, 8192}, {0, 1 bsl 20}]],
    erlang:display(binary_to_term(<<131, 103, 100, 0, 13, "nonode@nohost",
                                    5:32, 1:32, 0:8>>)),
    Ps = [list_to_pid(T) || T <- ["<0.5.1>", "<0.6.0>", "<0.4.2>", "<0.32767.0>", "<0.0.1>"]],
    erlang:display(lists:sort(Ps)),
    erlang:display([{erlang:phash(P, 1 bsl 32), erlang:phash2(P)} || P <- Ps]),
    erlang:display(maps:keys(maps:from_list([{P, x} || P <- Ps]))),
    erlang:display(lists:sort([Max, {x}, P51, 1, a, "s"])),
    %% Many processes one after another: all distinct, the dead ones dead.
    Dead = [spawn_dead() || _ <- lists:seq(1, 3000)],
    erlang:display({distinct, length(lists:usort(Dead)), lists:any(fun is_process_alive/1, Dead)}),
    [D ! hello || D <- Dead],
    {Pid, Ref} = spawn_monitor(fun() -> receive stop -> ok end end),
    erlang:display({alive, is_process_alive(Pid), lists:member(Pid, Dead)}),
    Pid ! stop,
    erlang:display(receive {'DOWN', Ref, process, Pid, Why} -> Why after 5000 -> timeout end),
    Old = hd(Dead),
    Mref = monitor(process, Old),
    erlang:display(receive {'DOWN', Mref, process, Old, R} -> R after 5000 -> timeout end),
    erlang:display({unlink, unlink(Old), exit(Old, kill)}),
    erlang:halt(0).

ext(I, S) ->
    <<131, 88, 100, 0, 13, "nonode@nohost", I:32, S:32, 0:32>>.

spawn_dead() ->
    {P, R} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', R, process, P, normal} -> P end.

catch_top(F) ->
    try F() of
        R -> {ok, R}
    catch
        C:E:St -> {C, E, top(St)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.
