%% @doc The Xenstore driver's supervisor: starts the `xenstore' driver and starts it again
%% when it dies.
%%
%% Registered as `xenstore_sup'. It traps exits and is linked to the driver. When the driver
%% exits for any reason it is restarted at once, given the watch table the old driver last
%% reported (so watches of live processes are set again) and a new generation number (so
%% replies to the old driver's requests are recognised). More than 5 restarts within 10 s
%% means the fault is not going away: the supervisor logs it and stops, and Xenstore calls
%% return `{error, no_driver}' from then on.
-module(xenstore_sup).

-export([start/0, driver/1]).
-export([init/1]).

-define(MAX_RESTARTS, 5).
-define(PERIOD_MS, 10000).

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
%% none.
-spec driver(pid()) -> pid() | undefined.
driver(Sup) ->
    Ref = erlang:monitor(process, Sup),
    Sup ! {driver, self(), Ref},
    receive
        {Ref, Driver} ->
            erlang:demonitor(Ref, [flush]),
            Driver;
        {'DOWN', Ref, process, Sup, _} ->
            undefined
    end.

%% @private
init(Parent) ->
    register(?MODULE, self()),
    process_flag(trap_exit, true),
    case xenstore:start_link(#{}, 0) of
        {ok, Driver} ->
            Parent ! {self(), ok},
            loop(#{driver => Driver, generation => 0, restarts => [], watches => #{}});
        {error, Reason} ->
            Parent ! {self(), {error, Reason}}
    end.

loop(S = #{driver := Driver}) ->
    receive
        {'EXIT', Driver, Reason} ->
            loop(restart(Reason, S));
        {watches, Driver, Watches} ->
            loop(S#{watches := Watches});
        {driver, From, Ref} ->
            %% A caller found no driver: if it died, restart it before answering.
            S1 = case is_process_alive(Driver) of
                     true -> S;
                     false -> receive {'EXIT', Driver, Reason} -> restart(Reason, S) end
                 end,
            From ! {Ref, maps:get(driver, S1)},
            loop(S1);
        _ ->
            loop(S)
    end.

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
            case xenstore:start_link(Watches, G + 1) of
                {ok, New} ->
                    S#{driver := New, generation := G + 1, restarts := [Now | Recent]};
                {error, Why} ->
                    restart(Why, S#{generation := G + 1, restarts := [Now | Recent]})
            end
    end.
