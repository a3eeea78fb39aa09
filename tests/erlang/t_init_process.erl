-module(t_init_process).
-export([main/0]).

%% erl's init process as programs see it: <0.0.0> registered as init, the -run process
%% linked to it, init:get_status/0 while the command line runs and after, and register/2's
%% error causes around its name.
main() ->
    Init = whereis(init),
    erlang:display(Init),
    erlang:display(is_process_alive(Init)),
    erlang:display(hd(lists:sort(processes())) =:= Init),
    erlang:display(init:get_status()),
    erlang:display(process_info(self(), [links, trap_exit])),
    erlang:display(process_info(Init, [registered_name, trap_exit, group_leader, initial_call])),
    erlang:display(lists:member(self(), element(2, process_info(Init, links)))),
    %% Messages to it go nowhere, and it stays.
    init ! hello,
    Init ! {self(), nonsense},
    exit(Init, normal),
    timer:sleep(20),
    erlang:display(process_info(Init, message_queue_len)),
    erlang:display(is_process_alive(Init)),
    M = monitor(process, Init),
    erlang:display(demonitor(M, [info])),
    erlang:display(cause(fun() -> register(init, self()) end)),
    register(t_init_process, self()),
    erlang:display(cause(fun() -> register(init, self()) end)),
    erlang:display(cause(fun() -> register(other_name, Init) end)),
    unregister(t_init_process),
    %% Once the -run function has returned, init has started.
    Main = self(),
    spawn(fun() ->
                  R = monitor(process, Main),
                  receive {'DOWN', R, process, Main, _} -> ok end,
                  timer:sleep(50),
                  erlang:display(init:get_status()),
                  halt()
          end),
    ok.

cause(F) ->
    try F() of
        R -> R
    catch
        error:badarg:St ->
            [{erlang, register, _, Info} | _] = St,
            maps:get(cause, proplists:get_value(error_info, Info))
    end.
