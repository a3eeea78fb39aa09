%% A gen_server whose handle_call crashes: the caller's catch must see erl's exit reason,
%% and a monitor the server's. (erl's crash reports are turned off so that stdout compares.)
-module(t_gen_crash).
-behaviour(gen_server).
-export([main/0, init/1, handle_call/3, handle_cast/2]).

init(State) -> {ok, State}.

handle_call(error, _From, S) -> erlang:error({my_reason, S});
handle_call(exit, _From, _S) -> exit(custom_exit);
handle_call(throw, _From, _S) -> throw(not_a_reply_shape);
handle_call(badmatch, _From, S) -> 1 = S, {reply, ok, S};
handle_call(ping, _From, S) -> {reply, pong, S}.

handle_cast(_, S) -> {noreply, S}.

main() ->
    _ = (catch logger:remove_handler(default)),
    [call(Req) || Req <- [ping, error, exit, throw, badmatch]],
    erlang:halt(0).

call(Req) ->
    {ok, P} = gen_server:start(?MODULE, 7, []),
    M = monitor(process, P),
    R = (catch gen_server:call(P, Req)),
    erlang:display({Req, strip(R)}),
    Down = receive {'DOWN', M, process, P, Why} -> strip(Why) after 100 -> alive end,
    erlang:display({Req, down, Down}),
    catch gen_server:stop(P).

%% Stack traces carry line numbers; keep the reasons and the functions.
strip({'EXIT', R}) -> {'EXIT', strip(R)};
strip({R, [{M, F, A, _} | _]}) when is_atom(M) -> {R, {M, F, arity(A)}};
strip({R, {gen_server, call, _}}) -> {strip(R), gen_server_call};
strip(R) -> R.

arity(A) when is_list(A) -> length(A);
arity(A) -> A.
