%% @doc The purges of OTP's code server when the node boots as erl does, over the
%% node's code BIFs (`erlang:check_old_code/1', `check_process_code/2', `purge_module/1';
%% the node runs `-on_load' functions as it loads a module). erl's is a process of the
%% emulator's; these run in the caller, and the process (<0.1.0>, `start/0') only holds the
%% name. Where the node starts the kernel's services itself, the kernel's code server
%% (`xenbeam_kernel') purges with them too.
-module(erts_code_purger).

-export([start/0]).
-export([purge/1, soft_purge/1, finish_after_on_load/2]).

%% @doc The process erl's emulator starts as <0.1.0>, registered as `erts_code_purger'. It
%% has no requests to answer (the purges run in their caller): what it receives it drops.
-spec start() -> no_return().
start() ->
    true = register(erts_code_purger, self()),
    process_flag(trap_exit, true),
    drop().

drop() ->
    receive _ -> drop() end.

%% @doc Kills the processes that run `Module''s old code, then purges it:
%% `{WasOld, DidKill}'.
-spec purge(module()) -> {boolean(), boolean()}.
purge(Module) when is_atom(Module) ->
    case erlang:check_old_code(Module) of
        false ->
            {false, false};
        true ->
            Users = users(Module),
            Refs = [monitor(process, P) || P <- Users],
            [exit(P, kill) || P <- Users],
            [receive {'DOWN', R, process, _, _} -> ok end || R <- Refs],
            true = erlang:purge_module(Module),
            {true, Users =/= []}
    end.

%% @doc Purges `Module''s old code unless a process runs it: whether it is gone.
-spec soft_purge(module()) -> boolean().
soft_purge(Module) ->
    case erlang:check_old_code(Module) andalso users(Module) of
        false -> true;
        [] -> erlang:purge_module(Module);
        [_ | _] -> false
    end.

%% @doc Nothing to finish: the node's loads have run `-on_load' already.
-spec finish_after_on_load(module(), boolean()) -> true.
finish_after_on_load(_Module, _Keep) ->
    true.

users(Module) ->
    [P || P <- processes(), erlang:check_process_code(P, Module)].
