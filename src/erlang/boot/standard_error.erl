%% @doc Standard error's I/O server when the node boots as erl does, started by
%% OTP's `kernel_sup' as erl's is: a supervisor bridge registered as `standard_error_sup'
%% over the server registered as `standard_error'. erl's server writes through a port; this
%% one is the node's console server (`xenbeam_kernel:console/1') on standard error.
-module(standard_error).
-behaviour(supervisor_bridge).

-export([start_link/0]).
-export([init/1, terminate/2]).

%% @doc Starts the bridge and the server.
-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    supervisor_bridge:start_link({local, standard_error_sup}, ?MODULE, []).

%% @private
init([]) ->
    %% A fun, as erl's is spawned: its initial call is {erlang,apply,2}.
    Pid = spawn(fun() -> xenbeam_kernel:console(standard_error) end),
    true = register(standard_error, Pid),
    {ok, Pid, Pid}.

%% @private
terminate(_Reason, Pid) ->
    exit(Pid, kill),
    ok.
