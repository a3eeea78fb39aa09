%% process_info(P, stack_size) counted as erl counts it: a process's own query includes the
%% return address of its first function and of the call to process_info; another process's
%% stack is seen while it waits, at every depth, under a plain spawn, proc_lib and a
%% gen_server.
-module(t_stack_size).
-export([main/0, own/1, deep/2, wait0/0, wait1/1, nested/0]).

own(Parent) -> Parent ! {own, process_info(self(), stack_size)}.
deep(Parent, 0) -> Parent ! {deep, element(2, process_info(self(), stack_size))}, [];
deep(Parent, N) -> [deep(Parent, N - 1)].
wait0() -> receive _ -> ok end.
wait1(X) -> receive _ -> ok end, X.
nested() -> [wait0()].

main() ->
    Me = self(),
    spawn(?MODULE, own, [Me]),
    receive {own, S} -> erlang:display({own, S}) end,
    [begin
         spawn(?MODULE, deep, [Me, N]),
         receive {deep, D} -> erlang:display({deep, N, D}) end
     end || N <- [0, 1, 5]],
    spawn(fun() -> Me ! {fn, tail()} end),
    receive {fn, F} -> erlang:display({fn, F}) end,
    [begin
         P = spawn(?MODULE, Fun, Args),
         erlang:display({Fun, settled(P)}),
         P ! go
     end || {Fun, Args} <- [{wait0, []}, {wait1, [x]}, {nested, []}]],
    P2 = proc_lib:spawn(fun() -> receive _ -> ok end end),
    erlang:display({proc_lib, settled(P2)}),
    {ok, P3} = gen_server:start(stack_size_server, [], []),
    erlang:display({gen_server, settled(P3)}),
    halt().

tail() -> process_info(self(), stack_size).

%% The stack size of P once it waits in a receive.
settled(P) ->
    case process_info(P, status) of
        {status, waiting} -> process_info(P, stack_size);
        _ -> erlang:yield(), settled(P)
    end.
