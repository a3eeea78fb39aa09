-module(t_sup_tree).
-behaviour(supervisor).
-export([main/0, init/1, start_worker/1, worker_loop/1]).

%% A supervisor tree: a top supervisor with a worker supervisor (one_for_one) whose workers
%% crash on request; crashes are reported by logger and the workers restart.

init(top) ->
    {ok, {#{strategy => rest_for_one, intensity => 5, period => 10},
          [#{id => workers, start => {supervisor, start_link,
                                      [{local, workers_sup}, ?MODULE, workers]},
             type => supervisor},
           #{id => monitor_worker, start => {?MODULE, start_worker, [watcher]}}]}};
init(workers) ->
    {ok, {#{strategy => one_for_one, intensity => 3, period => 5},
          [#{id => N, start => {?MODULE, start_worker, [N]}, restart => R}
           || {N, R} <- [{alpha, permanent}, {beta, transient}, {gamma, temporary}]]}}.

start_worker(Name) ->
    Pid = spawn_link(?MODULE, worker_loop, [Name]),
    register(Name, Pid),
    {ok, Pid}.

worker_loop(Name) ->
    receive
        {crash, Why} -> exit(Why);
        {ping, From} -> From ! {pong, Name}, worker_loop(Name);
        stop -> ok
    end.

ping(Name) ->
    Name ! {ping, self()},
    receive {pong, N} -> N after 1000 -> timeout end.

wait_restart(Name, Old) ->
    case whereis(Name) of
        P when is_pid(P), P =/= Old -> restarted;
        _ -> timer:sleep(5), wait_restart(Name, Old)
    end.

children(Sup) ->
    lists:sort([{Id, is_pid(P), T} || {Id, P, T, _} <- supervisor:which_children(Sup)]).

main() ->
    %% Reports without their time stamps, so that runs can be compared.
    ok = logger:update_formatter_config(default, #{legacy_header => false,
                                                   template => ["== ", level, " == ", msg, "\n"]}),
    {ok, Top} = supervisor:start_link({local, top_sup}, ?MODULE, top),
    io:format("top: ~p~n", [is_pid(Top)]),
    io:format("workers: ~p~n", [children(workers_sup)]),
    io:format("top children: ~p~n", [children(top_sup)]),
    io:format("pings: ~p~n", [[ping(N) || N <- [alpha, beta, gamma, watcher]]]),
    io:format("counts: ~p~n", [supervisor:count_children(workers_sup)]),
    A = whereis(alpha),
    alpha ! {crash, boom},
    Restarted = wait_restart(alpha, A),
    %% The supervisor's report is written by logger's handler process: let it finish.
    timer:sleep(50),
    io:format("alpha: ~p~n", [Restarted]),
    B = whereis(beta),
    beta ! stop,
    timer:sleep(50),
    io:format("beta after normal exit: ~p ~p~n", [whereis(beta), B =:= whereis(beta)]),
    gamma ! {crash, bad_thing},
    timer:sleep(50),
    io:format("gamma (temporary): ~p~n", [whereis(gamma)]),
    io:format("workers: ~p~n", [children(workers_sup)]),
    {error, Reason} = supervisor:start_child(workers_sup,
                                             #{id => alpha, start => {?MODULE, start_worker, [alpha]}}),
    io:format("duplicate child: ~p~n", [element(1, Reason)]),
    {ok, _} = supervisor:start_child(workers_sup,
                                     #{id => delta, start => {?MODULE, start_worker, [delta]}}),
    io:format("delta: ~p~n", [ping(delta)]),
    ok = supervisor:terminate_child(workers_sup, delta),
    ok = supervisor:delete_child(workers_sup, delta),
    io:format("after delete: ~p~n", [children(workers_sup)]),
    W = whereis(watcher),
    WS = whereis(workers_sup),
    exit(WS, kill),
    timer:sleep(50),
    io:format("rest_for_one restarted watcher: ~p, workers: ~p~n",
              [whereis(watcher) =/= W, children(workers_sup)]),
    unlink(Top),
    exit(Top, shutdown),
    timer:sleep(20),
    io:format("top gone: ~p~n", [whereis(top_sup)]),
    halt().
