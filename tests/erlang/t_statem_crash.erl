%% A gen_statem and a supervised gen_server that crash: the caller's catch, a link and a
%% monitor see erl's exit reasons, and the supervisor restarts the server. (erl's crash
%% reports are turned off so that stdout compares.)
-module(t_statem_crash).
-behaviour(gen_statem).
%% It is also the callback module of the supervisor (init(sup)).
-export([main/0, init/1, callback_mode/0, idle/3]).
-export([start_server/0]).

callback_mode() -> state_functions.

init(sup) ->
    {ok, {#{strategy => one_for_one, intensity => 3, period => 5},
          [#{id => server, start => {?MODULE, start_server, []}}]}};
init(N) -> {ok, idle, N}.

idle({call, From}, ping, N) -> {keep_state, N, [{reply, From, {pong, N}}]};
idle({call, _From}, crash, N) -> erlang:error({statem_crash, N});
idle({call, _From}, exit, _N) -> exit(statem_exit);
idle(cast, crash, N) -> 1 = N, keep_state_and_data.

main() ->
    _ = logger:remove_handler(default),
    process_flag(trap_exit, true),
    {ok, P1} = gen_statem:start_link(?MODULE, 7, []),
    erlang:display({ping, gen_statem:call(P1, ping)}),
    M1 = monitor(process, P1),
    erlang:display({call_crash, strip(catch gen_statem:call(P1, crash))}),
    erlang:display({down, receive {'DOWN', M1, process, P1, R1} -> strip(R1) after 1000 -> none end}),
    erlang:display({link, receive {'EXIT', P1, R2} -> strip(R2) after 1000 -> none end}),
    {ok, P2} = gen_statem:start(?MODULE, 7, []),
    M2 = monitor(process, P2),
    erlang:display({exit, strip(catch gen_statem:call(P2, exit))}),
    erlang:display({down, receive {'DOWN', M2, process, P2, R3} -> strip(R3) after 1000 -> none end}),
    {ok, P3} = gen_statem:start(?MODULE, 7, []),
    M3 = monitor(process, P3),
    ok = gen_statem:cast(P3, crash),
    erlang:display({cast_crash, receive {'DOWN', M3, process, P3, R4} -> strip(R4) after 1000 -> none end}),
    %% A gen_server under a supervisor: it crashes in handle_cast and is started again.
    {ok, Sup} = supervisor:start_link(?MODULE, sup),
    S1 = whereis(t_statem_server),
    gen_server:cast(t_statem_server, crash),
    S2 = wait_new(S1, 100),
    erlang:display({restarted, is_pid(S2), S2 =/= S1, gen_server:call(t_statem_server, ping)}),
    erlang:display({children, supervisor:count_children(Sup)}),
    erlang:halt(0).

wait_new(Old, 0) -> whereis(t_statem_server) =/= Old;
wait_new(Old, N) ->
    case whereis(t_statem_server) of
        P when is_pid(P), P =/= Old -> P;
        _ -> receive after 10 -> wait_new(Old, N - 1) end
    end.

%% The supervisor's child (its callbacks are in statem_crash_server).
start_server() ->
    gen_server:start_link({local, t_statem_server}, statem_crash_server, [], []).

%% Stack traces carry line numbers; keep the reasons and the functions.
strip({'EXIT', R}) -> {'EXIT', strip(R)};
strip({R, [{M, F, A, _} | _]}) when is_atom(M) -> {R, {M, F, if is_list(A) -> length(A); true -> A end}};
strip({R, {gen_statem, call, _}}) -> {strip(R), gen_statem_call};
strip(R) -> R.
