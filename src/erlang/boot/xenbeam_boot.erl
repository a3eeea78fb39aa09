%% @doc Where the program starts when the node boots as erl does (the host runner, and an
%% image whose program uses OTP): OTP's `init' runs its boot script (kernel and stdlib with
%% their processes), then the command line's items in one process, this module's
%% `program/0' first. Until then every process is a kernel process; `program/0' starts the
%% image's own services (the Xenstore driver, when the node has it), then makes the
%% calling process the program's, so the node stops when the program is done (see the
%% README's Kernel services).
%%
%% The processes the application controller spawns from now on (the masters of the
%% applications the program starts) are the program's, as are those of the timer server
%% (the node marks it when it registers): they keep the node running as the program's own
%% processes do. The loader's idle timeout and inet_db's refresh timer only keep house:
%% they do not.
-module(xenbeam_boot).

-export([program/0]).

%% @doc Ends the boot: the caller, OTP's process for the command line's items, becomes
%% the program's.
-spec program() -> ok.
program() ->
    case erlang:module_loaded(xenbeam_init) of
        true -> ok = xenbeam_init:start();
        false -> ok
    end,
    true = xenbeam:spawns_program(whereis(application_controller)),
    [true = xenbeam:housekeeping(whereis(Name)) || Name <- [erl_prim_loader, inet_db]],
    true = xenbeam:program_starts(),
    ok.
