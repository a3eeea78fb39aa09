%% Supervisor restart strategies and intensity: one_for_one, one_for_all, rest_for_one and
%% simple_one_for_one children that crash are restarted as the strategy says; restarts past
%% the intensity shut the supervisor down with reason shutdown. (erl's supervisor and crash
%% reports are turned off so that stdout compares.)
-module(t_sup_restart).
-behaviour(supervisor).
-export([main/0, init/1, start_child/1, child_loop/1]).

main() ->
    _ = (catch logger:remove_handler(default)),
    process_flag(trap_exit, true),
    [strategy(S) || S <- [one_for_one, one_for_all, rest_for_one]],
    intensity(),
    temporary_and_transient(),
    simple(),
    erlang:halt(0).

%% Three children a, b, c; b crashes: which pids changed?
strategy(S) ->
    {ok, Sup} = supervisor:start_link(?MODULE, {S, 5, [permanent, permanent, permanent]}),
    Before = pids(),
    crash(b),
    After = wait_pids(Before),
    erlang:display({S, [{Id, P1 =:= P2} || {{Id, P1}, {Id, P2}} <- lists:zip(Before, After)],
                    supervisor:count_children(Sup)}),
    stop(Sup).

%% Intensity 2 in 10 s: the third crash ends the supervisor with reason shutdown.
intensity() ->
    {ok, Sup} = supervisor:start_link(?MODULE, {one_for_one, 2, [permanent]}),
    M = monitor(process, Sup),
    crash(a),
    _ = wait_pids([{a, undefined}]),
    crash(a),
    _ = wait_pids([{a, undefined}]),
    erlang:display({intensity, alive, is_process_alive(Sup)}),
    crash(a),
    Down = receive {'DOWN', M, process, Sup, R} -> R after 2000 -> timeout end,
    Exit = receive {'EXIT', Sup, R2} -> R2 after 2000 -> timeout end,
    erlang:display({intensity, Down, Exit, whereis(a)}).

%% A temporary child is not restarted; a transient one only after an abnormal exit.
temporary_and_transient() ->
    {ok, Sup} = supervisor:start_link(?MODULE, {one_for_one, 5, [temporary, transient]}),
    crash(a),
    wait_gone(a),
    erlang:display({temporary, whereis(a), supervisor:count_children(Sup)}),
    B = whereis(b),
    B ! {stop, normal},
    wait_gone(b),
    erlang:display({transient_normal, whereis(b), length(supervisor:which_children(Sup))}),
    stop(Sup).

%% simple_one_for_one: children added with start_child, restarted when they crash.
simple() ->
    {ok, Sup} = supervisor:start_link(?MODULE, simple),
    {ok, P1} = supervisor:start_child(Sup, [s1]),
    {ok, _} = supervisor:start_child(Sup, [s2]),
    crash(s1),
    [{s1, P2}] = wait_pids([{s1, P1}]),
    erlang:display({simple, P1 =/= P2, supervisor:count_children(Sup)}),
    ok = supervisor:terminate_child(Sup, P2),
    erlang:display({simple_terminated, whereis(s1), supervisor:count_children(Sup)}),
    stop(Sup).

init({Strategy, Intensity, Restarts}) ->
    Ids = lists:sublist([a, b, c], length(Restarts)),
    {ok, {#{strategy => Strategy, intensity => Intensity, period => 10},
          [#{id => Id, start => {?MODULE, start_child, [Id]}, restart => R}
           || {Id, R} <- lists:zip(Ids, Restarts)]}};
init(simple) ->
    {ok, {#{strategy => simple_one_for_one, intensity => 5, period => 10},
          [#{id => worker, start => {?MODULE, start_child, []}}]}}.

start_child(Id) ->
    Pid = spawn_link(?MODULE, child_loop, [Id]),
    register(Id, Pid),
    {ok, Pid}.

child_loop(Id) ->
    receive
        crash -> erlang:error({crashed, Id});
        {stop, Reason} -> exit(Reason)
    end.

crash(Id) -> whereis(Id) ! crash.

pids() -> [{Id, whereis(Id)} || Id <- [a, b, c]].

%% Waits until every named child has a live pid other than the old one or the same one
%% (for children the strategy leaves alone), at most 2 s.
wait_pids(Before) -> wait_pids(Before, 200).
wait_pids(Before, 0) -> [{Id, whereis(Id)} || {Id, _} <- Before];
wait_pids(Before, N) ->
    Now = [{Id, whereis(Id)} || {Id, _} <- Before],
    Settled = lists:all(fun({_, P}) -> is_pid(P) end, Now)
        andalso lists:any(fun({{_, A}, {_, B}}) -> A =/= B end, lists:zip(Before, Now)),
    case Settled of
        true -> timer:sleep(20), [{Id, whereis(Id)} || {Id, _} <- Before];
        false -> timer:sleep(10), wait_pids(Before, N - 1)
    end.

wait_gone(Id) -> wait_gone(Id, 200).
wait_gone(_, 0) -> ok;
wait_gone(Id, N) ->
    case whereis(Id) of
        undefined -> timer:sleep(20);
        _ -> timer:sleep(10), wait_gone(Id, N - 1)
    end.

stop(Sup) ->
    unlink(Sup),
    M = monitor(process, Sup),
    exit(Sup, shutdown),
    receive {'DOWN', M, process, Sup, R} -> erlang:display({stopped, R}) end.
