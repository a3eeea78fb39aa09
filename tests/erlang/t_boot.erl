%% How the node comes up: OTP's init runs its boot script, then the command line's items.
%% What erl shows of its boot: init's status and script, the arguments it was given, the
%% emulator's processes, the kernel's processes and supervisors, the applications running, where the code of init and
%% of library modules comes from, and what the process running the items is.
-module(t_boot).
-export([main/0]).

main() ->
    erlang:display({status, init:get_status()}),
    erlang:display({script, init:script_id()}),
    erlang:display({progname, init:get_argument(progname)}),
    erlang:display({noshell, init:get_argument(noshell)}),
    erlang:display({flags, [K || {K, _} <- init:get_arguments()]}),
    erlang:display({plain, init:get_plain_arguments()}),
    erlang:display({apps, [A || {A, _, _} <- application:which_applications()]}),
    Kernel = [init, erl_prim_loader, logger, application_controller, kernel_sup,
              code_server, file_server_2, inet_db, global_name_server, rex,
              global_group, erl_signal_server, standard_error, user, kernel_refc,
              kernel_safe_sup, logger_sup, logger_proxy, logger_handler_watcher,
              logger_std_h_default],
    erlang:display({kernel, [N || N <- Kernel, not is_pid(whereis(N))]}),
    erlang:display({kernel_sup, lists:sort([Id || {Id, _, _, _} <- supervisor:which_children(kernel_sup)])}),
    erlang:display({init_pid, whereis(init)}),
    %% The emulator's own processes, numbered before init's.
    Emulator = [list_to_pid("<0." ++ integer_to_list(N) ++ ".0>") || N <- lists:seq(1, 7)],
    erlang:display({emulator, [{P, element(2, process_info(P, initial_call)),
                                element(2, process_info(P, group_leader))} || P <- Emulator]}),
    erlang:display({emulator_names, [whereis(N) || N <- [erts_code_purger, socket_registry]]}),
    erlang:display({me, self(), process_info(self(), initial_call)}),
    erlang:display({init_links, lists:member(self(), element(2, process_info(whereis(init), links)))}),
    erlang:display({leader, group_leader() =:= whereis(user)}),
    erlang:display({which_init, code:which(init)}),
    erlang:display({which_erlang, code:which(erlang)}),
    erlang:display({loaded_lists, element(1, code:is_loaded(lists))}),
    erlang:display({sticky, [code:is_sticky(M) || M <- [init, erlang, lists, ?MODULE]]}),
    erlang:display({preloaded_loaded, [M || M <- erlang:pre_loaded(), not erlang:module_loaded(M)]}),
    erlang:display({env, application:get_env(kernel, logger_level)}),
    %% A module not loaded yet comes through the code server, as in erl.
    erlang:display({ensure, code:ensure_loaded(queue), code:is_loaded(queue) =/= false}),
    %% init's frames under a failure in a -run item.
    erlang:display({frames, try error(x) catch error:x:S -> tl(S) end}),
    halt().
