%% @doc The kernel's Erlang services, started before the program: the Xenstore driver under
%% its supervisor; then the domain's name and id, read through the driver, go to the log.
-module(xenbeam_init).

-export([start/0]).

%% @doc Starts the services and returns once they are ready.
-spec start() -> ok.
start() ->
    case xenstore_sup:start() of
        ok ->
            identity();
        {error, Reason} ->
            xenbeam:log(error, "xenstore: the driver did not start: ", Reason)
    end,
    ok.

identity() ->
    case {xenstore:read(<<"name">>), xenstore:read(<<"domid">>)} of
        {{ok, Name}, {ok, DomId}} ->
            %% The domain's name is the node's host name (inet:gethostname/0 reads it).
            true = os:putenv("HOSTNAME", binary_to_list(Name)),
            xenbeam:log(info, ["domain name: ", Name, ", domid: ", DomId]);
        {Name, DomId} ->
            xenbeam:log(warning, "xenstore: reading name/domid failed: ", {Name, DomId})
    end.
