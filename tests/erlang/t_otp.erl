%% OTP on processes: gen_server (call, cast, info, stop, call timeouts), supervisor restarts,
%% proc_lib, timer:sleep and timer:tc.
-module(t_otp).
-behaviour(gen_server).
-export([main/0, init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).
-export([start_worker/1]).

main() ->
    process_flag(trap_exit, true),
    {ok, P} = gen_server:start_link(?MODULE, 10, []),
    erlang:display({call, gen_server:call(P, get)}),
    ok = gen_server:cast(P, {add, 5}),
    erlang:display({cast, gen_server:call(P, get)}),
    P ! {info, 1},
    erlang:display({info, gen_server:call(P, get)}),
    erlang:display({timeout, catch_exit(fun() -> gen_server:call(P, {sleep, 200}, 20) end)}),
    erlang:display({after_timeout, gen_server:call(P, get)}),
    {ok, Named} = gen_server:start({local, t_otp_named}, ?MODULE, 1, []),
    erlang:display({named, gen_server:call(t_otp_named, get), whereis(t_otp_named) =:= Named}),
    ok = gen_server:stop(t_otp_named),
    erlang:display({stopped, whereis(t_otp_named), is_process_alive(Named)}),
    erlang:display({noproc, catch_exit(fun() -> gen_server:call(t_otp_named, get) end)}),
    ok = gen_server:stop(P),
    erlang:display({linked_stop, receive {'EXIT', P, R} -> R after 1000 -> none end}),
    %% A supervisor: its child, stopped and restarted on request (a crash would make erl
    %% print a timestamped report).
    {ok, Sup} = supervisor:start_link(?MODULE, sup),
    W1 = whereis(t_otp_worker),
    erlang:display({worker, gen_server:call(t_otp_worker, get)}),
    erlang:display({children, length(supervisor:which_children(Sup)),
                    supervisor:count_children(Sup)}),
    ok = supervisor:terminate_child(Sup, worker),
    erlang:display({terminated, whereis(t_otp_worker), is_process_alive(W1)}),
    {ok, W2} = supervisor:restart_child(Sup, worker),
    erlang:display({restarted, W2 =/= W1, whereis(t_otp_worker) =:= W2,
                    gen_server:call(t_otp_worker, get)}),
    unlink(Sup),
    Ms = monitor(process, Sup),
    exit(Sup, shutdown),
    erlang:display({sup_down, receive {'DOWN', Ms, process, Sup, Rs} -> Rs end,
                    whereis(t_otp_worker)}),
    %% proc_lib and timers.
    Self = self(),
    proc_lib:spawn(fun() -> Self ! {proc_lib, ok} end),
    erlang:display(receive {proc_lib, _} = M -> M end),
    ok = timer:sleep(10),
    {Us, slept} = timer:tc(fun() -> timer:sleep(5), slept end),
    erlang:display({tc, Us >= 5000}),
    erlang:halt(0).

init(sup) ->
    {ok, {#{strategy => one_for_one, intensity => 5, period => 10},
          [#{id => worker, start => {?MODULE, start_worker, [42]}}]}};
init(N) -> {ok, N}.

handle_call(get, _From, N) -> {reply, N, N};
handle_call({sleep, T}, _From, N) -> timer:sleep(T), {reply, slept, N}.

handle_cast({add, K}, N) -> {noreply, N + K}.

handle_info({info, K}, N) -> {noreply, N + K};
handle_info(_, N) -> {noreply, N}.

terminate(_, _) -> ok.

start_worker(N) -> gen_server:start_link({local, t_otp_worker}, ?MODULE, N, []).

catch_exit(F) ->
    try F() of
        V -> {value, V}
    catch
        exit:{Reason, {gen_server, call, _}} -> Reason
    end.
