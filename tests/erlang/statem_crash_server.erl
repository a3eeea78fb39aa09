%% The gen_server t_statem_crash supervises.
-module(statem_crash_server).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2]).

init([]) -> {ok, 0}.

handle_call(ping, _From, N) -> {reply, pong, N}.

handle_cast(crash, N) -> erlang:error({server_crash, N}).
