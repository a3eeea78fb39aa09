%% @doc The Xenstore driver's supervisor: starts the `xenstore' driver and starts it again
%% when it dies.
%%
%% Registered as `xenstore_sup'. It traps exits and is linked to the driver. When the driver
%% exits for any reason it is restarted at once, given the watch table the old driver last
%% reported (so watches of live processes are set again) and a new generation number (so
%% replies to the old driver's requests are recognised). More than 5 restarts within 10 s
%% means the fault is not going away: the supervisor logs it and stops, and Xenstore calls
%% return `{error, no_driver}' from then on.
%%
%% `suspend()' hands the Xenstore ring over (to the native Xenstore outlet, for one): the
%% driver is asked to stop, finishes the requests it took (new calls get
%% `{error, no_driver}'), closes its pore and exits normally; it is killed if that takes over
%% 10 s. No driver runs until `resume()', and calls return `{error, no_driver}' at once.
%% `resume()' starts a driver again, on the same connection (xenstored keeps its watches);
%% it returns `{error, busy}' while something else holds the ring, and stays suspended.
-module(xenstore_sup).

-export([start/0, driver/1, suspend/0, resume/0]).
-export([init/1]).

-define(MAX_RESTARTS, 5).
-define(PERIOD_MS, 10000).
-define(STOP_MS, 10000).

%% @doc Starts the supervisor and the driver; returns once the driver is ready.
-spec start() -> ok | {error, term()}.
start() ->
    Pid = spawn(?MODULE, init, [self()]),
    Ref = erlang:monitor(process, Pid),
    receive
        {Pid, Result} ->
            erlang:demonitor(Ref, [flush]),
            Result;
        {'DOWN', Ref, process, Pid, Reason} ->
            {error, Reason}
    end.

%% @doc The current driver, once any restart under way has finished; `undefined' if there is
%% none (or the driver is suspended).
-spec driver(pid()) -> pid() | undefined.
driver(Sup) ->
    ask(Sup, driver).

%% @doc Stops the driver once it has finished what it took, and starts none until
%% `resume/0'; `ok' (also when already suspended).
-spec suspend() -> ok | {error, no_supervisor}.
suspend() ->
    ask(whereis(?MODULE), suspend).

%% @doc Starts the driver again after `suspend/0'; `ok' (also when it runs), or
%% `{error, Reason}' (`busy': the ring is held by someone else) and still suspended.
-spec resume() -> ok | {error, term()}.
resume() ->
    ask(whereis(?MODULE), resume).

ask(undefined, driver) -> undefined;
ask(undefined, _) -> {error, no_supervisor};
ask(Sup, What) ->
    Ref = erlang:monitor(process, Sup),
    Sup ! {What, self(), Ref},
    receive
        {Ref, Answer} ->
            erlang:demonitor(Ref, [flush]),
            Answer;
        {'DOWN', Ref, process, Sup, _} when What =:= driver ->
            undefined;
        {'DOWN', Ref, process, Sup, _} ->
            {error, no_supervisor}
    end.

%% @private
init(Parent) ->
    register(?MODULE, self()),
    process_flag(trap_exit, true),
    case xenstore:start_link(#{}, 0, start) of
        {ok, Driver} ->
            Parent ! {self(), ok},
            loop(#{driver => Driver, generation => 0, restarts => [], watches => #{}});
        {error, Reason} ->
            Parent ! {self(), {error, Reason}}
    end.

%% `driver' is undefined while suspended.
loop(S = #{driver := Driver}) ->
    receive
        {'EXIT', Driver, Reason} ->
            loop(restart(Reason, S));
        {watches, Driver, Watches} ->
            loop(S#{watches := Watches});
        {driver, From, Ref} ->
            %% A caller found no driver: if it died, restart it before answering.
            S1 = case Driver =:= undefined orelse is_process_alive(Driver) of
                     true -> S;
                     false -> receive {'EXIT', Driver, Reason} -> restart(Reason, S) end
                 end,
            From ! {Ref, maps:get(driver, S1)},
            loop(S1);
        {suspend, From, Ref} when Driver =:= undefined ->
            From ! {Ref, ok},
            loop(S);
        {suspend, From, Ref} ->
            Driver ! {xenstore_stop, self()},
            S1 = stopped(Driver, S, erlang:monotonic_time(millisecond) + ?STOP_MS),
            From ! {Ref, ok},
            loop(S1);
        {resume, From, Ref} when Driver =:= undefined ->
            G = maps:get(generation, S) + 1,
            case xenstore:start_link(maps:get(watches, S), G, resume) of
                {ok, New} ->
                    From ! {Ref, ok},
                    loop(S#{driver := New, generation := G});
                {error, Why} ->
                    From ! {Ref, {error, open_error(Why)}},
                    loop(S#{generation := G})
            end;
        {resume, From, Ref} ->
            From ! {Ref, ok},
            loop(S);
        _ ->
            loop(S)
    end.

%% Waits for the driver to stop (killing it after the deadline), keeping its last watches.
stopped(Driver, S, Deadline) ->
    Left = max(0, Deadline - erlang:monotonic_time(millisecond)),
    receive
        {watches, Driver, Watches} ->
            stopped(Driver, S#{watches := Watches}, Deadline);
        {xenstore_stopped, Driver} ->
            stopped(Driver, S, Deadline);
        {'EXIT', Driver, _} ->
            S#{driver := undefined}
    after Left ->
        exit(Driver, kill),
        receive {'EXIT', Driver, _} -> S#{driver := undefined} end
    end.

open_error({xenstore_ring, {cannot_open, {error, Reason}}}) -> Reason;
open_error(Reason) -> Reason.

restart(Reason, S = #{generation := G, restarts := Restarts, watches := Watches}) ->
    Now = erlang:monotonic_time(millisecond),
    Recent = [T || T <- Restarts, Now - T < ?PERIOD_MS],
    case length(Recent) >= ?MAX_RESTARTS of
        true ->
            xenbeam:log(error, "xenstore driver exited, too many restarts, giving up: ",
                        Reason),
            exit(shutdown);
        false ->
            xenbeam:log(warning, "xenstore driver exited, restarting: ", Reason),
            case xenstore:start_link(Watches, G + 1, restart) of
                {ok, New} ->
                    S#{driver := New, generation := G + 1, restarts := [Now | Recent]};
                {error, Why} ->
                    restart(Why, S#{generation := G + 1, restarts := [Now | Recent]})
            end
    end.
