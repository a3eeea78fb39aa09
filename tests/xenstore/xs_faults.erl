%% The `xenstore' driver against the simulated xenstored's fault knobs, on the host only
%% (tests/xenstore.rs runs each function under `xenbeam-run --xenstore=KNOBS').
-module(xs_faults).
-export([errors/0, hostile/0, cut/0, flood/1, idle/0]).

show(What, Value) -> erlang:display({What, Value}).

%% Every error string xenstored can send comes back as its atom (knob `errors').
errors() ->
    Names = ["EINVAL", "EACCES", "EEXIST", "EISDIR", "ENOENT", "ENOMEM", "ENOSPC", "EIO",
             "ENOTEMPTY", "ENOSYS", "EROFS", "EBUSY", "EAGAIN", "EISCONN", "E2BIG", "EPERM",
             "EQUOTA", "EWHATEVER"],
    [show(N, xenstore:read("data/error-" ++ N)) || N <- Names],
    erlang:halt(0).

%% A hostile xenstored (knob `hostile'): the driver fails with a clear reason, callers in
%% flight get driver_restarted, nobody hangs, and once the ring is sane again (reconnection
%% resets it) calls work.
hostile() ->
    Self = self(),
    Callers = [spawn(fun() ->
                             R = [xenstore:write(<<"data/h">>, integer_to_binary(J))
                                  || J <- lists:seq(1, 10)],
                             Self ! {done, self(), R}
                     end) || _ <- lists:seq(1, 4)],
    Outcomes = lists:usort(lists:append([receive {done, P, R} -> R end || P <- Callers])),
    show(outcomes, [O || O <- Outcomes, O =/= ok]),
    show(later, later_call(20)),
    erlang:halt(0).

%% Calls again until one succeeds (the supervisor may be between drivers).
later_call(0) -> gave_up;
later_call(N) ->
    case xenstore:read(<<"name">>) of
        {ok, _} -> ok;
        {error, no_driver} -> no_driver;
        _ -> receive after 10 -> ok end, later_call(N - 1)
    end.

%% The driver is killed while a large request is half in the ring (knob `chunk' keeps it
%% there); without reconnection the next driver finishes it and skips to a reply boundary.
cut() ->
    Big = binary:copy(<<"z">>, 1500),
    Self = self(),
    W = spawn(fun() -> Self ! {big, xenstore:write(<<"data/cut">>, Big)} end),
    %% Poll without sleeping: with a fast runtime the request is through in well under 1 ms.
    wait_in_flight(100000),
    exit(whereis(xenstore), kill),
    show(cut_caller, receive {big, R} -> R end),
    exit(W, kill),
    show(after_cut, later_call(50)),
    show(write_after_cut, xenstore:write(<<"data/cut2">>, <<"fine">>)),
    show(read_after_cut, xenstore:read(<<"data/cut2">>)),
    erlang:halt(0).

wait_in_flight(0) -> ok;
wait_in_flight(N) ->
    case xenstore:stats() of
        {ok, #{in_flight := 1}} -> ok;
        _ -> erlang:yield(), wait_in_flight(N - 1)
    end.

%% 25 writers, Count writes each; prints the driver's heap high-water mark (in words).
flood([CountText]) ->
    Count = list_to_integer(CountText),
    Self = self(),
    Pids = [spawn(fun() ->
                          R = [xenstore:write(["data/flood/", integer_to_list(I), "/",
                                               integer_to_list(J rem 10)], <<"v">>)
                               || J <- lists:seq(1, Count)],
                          Self ! {done, self(), lists:usort(R)}
                  end) || I <- lists:seq(1, 25)],
    show(flood, lists:usort([receive {done, P, R} -> R end || P <- Pids])),
    {ok, #{heap_hwm := Words, requests := Requests}} = xenstore:stats(),
    show(requests, Requests >= 25 * Count),
    io:format("heap_hwm ~b~n", [Words]),
    erlang:halt(0).

%% After a watch is set, fired and removed, this process waits for a message that cannot
%% come: with nothing in flight and no watches the driver keeps no timer, so the node stops
%% as idle at once (its 30 s heartbeat must not keep it up).
idle() ->
    ok = xenstore:watch(<<"data/idle">>, t),
    receive {xenstore_watch, _, t} -> ok end,
    ok = xenstore:write(<<"data/idle">>, <<"1">>),
    ok = xenstore:unwatch(<<"data/idle">>, t),
    receive never_sent -> ok end.
