%% @doc The purges of OTP's code server when the node boots as erl does, over the
%% node's code BIFs (`erlang:check_old_code/1', `check_process_code/2', `purge_module/1';
%% the node runs `-on_load' functions as it loads a module). erl's is a process of the
%% emulator's; these run in the caller.
-module(erts_code_purger).

-export([purge/1, soft_purge/1, finish_after_on_load/2]).

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
