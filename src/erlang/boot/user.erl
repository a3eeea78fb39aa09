%% @doc The console's I/O server when the node boots as erl does: what OTP's
%% `user_sup' starts for `-noshell'. erl's `user' drives the terminal through a port; this
%% one is the node's console server (`xenbeam_kernel:console/1') over standard input and
%% output (in the image, the console ring), registered as `user' before `user_sup' looks
%% for it.
-module(user).

-export([start/0, start_out/0]).

%% @doc Starts the console's I/O server, registered as `user'.
-spec start() -> pid().
start() ->
    %% A fun, as erl's is spawned: its initial call is {erlang,apply,2}.
    Pid = spawn(fun() -> xenbeam_kernel:console(standard_io) end),
    true = register(user, Pid),
    Pid.

%% @doc The same for `-noinput' (reads then find the end of the input at once).
-spec start_out() -> pid().
start_out() ->
    start().
