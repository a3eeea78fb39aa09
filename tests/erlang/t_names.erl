%% Registered names: register, whereis, unregister, registered, sends by name.
-module(t_names).
-export([main/0, server/0]).

main() ->
    Self = self(),
    P = spawn(?MODULE, server, []),
    erlang:display({register, register(names_srv, P), whereis(names_srv) =:= P}),
    names_srv ! {Self, hello},
    erlang:display({reply, receive {names_srv, M} -> M end}),
    {names_srv, node()} ! {Self, tuple_dest},
    erlang:display({tuple_dest, receive {names_srv, M2} -> M2 end}),
    erlang:send(names_srv, {Self, via_send}),
    erlang:display({via_send, receive {names_srv, M3} -> M3 end}),
    erlang:display({listed, lists:member(names_srv, registered())}),
    %% A name is taken once; a process has at most one name.
    erlang:display({taken, catch_badarg(fun() -> register(names_srv, Self) end),
                    catch_badarg(fun() -> register(other_name, P) end)}),
    erlang:display({bad_names, catch_badarg(fun() -> register(undefined, Self) end),
                    catch_badarg(fun() -> register("str", Self) end)}),
    %% Sending to an unknown name raises badarg.
    erlang:display({unknown, catch_badarg(fun() -> no_such_name ! hi end),
                    catch_badarg(fun() -> erlang:send(no_such_name, hi) end)}),
    erlang:display({whereis_unknown, whereis(no_such_name)}),
    %% unregister frees the name; unregistering again is badarg.
    erlang:display({unregister, unregister(names_srv), whereis(names_srv),
                    catch_badarg(fun() -> unregister(names_srv) end)}),
    erlang:display({reregister, register(names_srv2, P), whereis(names_srv2) =:= P}),
    %% A name goes away with its process.
    Mon = monitor(process, P),
    names_srv2 ! stop,
    receive {'DOWN', Mon, process, P, normal} -> ok end,
    erlang:display({gone, whereis(names_srv2), lists:member(names_srv2, registered())}),
    %% Registering self, and a dead pid.
    erlang:display({self_name, register(names_main, Self), whereis(names_main) =:= Self}),
    erlang:display({dead_pid, catch_badarg(fun() -> register(names_dead, P) end)}),
    names_main ! to_self,
    erlang:display({to_self, receive to_self -> ok end}),
    erlang:display({is_alive, is_process_alive(P), is_process_alive(Self)}),
    erlang:halt(0).

server() ->
    receive
        {From, Msg} -> From ! {names_srv, Msg}, server();
        stop -> ok
    end.

catch_badarg(F) ->
    try F() of
        V -> {ok, V}
    catch
        error:badarg -> badarg
    end.
