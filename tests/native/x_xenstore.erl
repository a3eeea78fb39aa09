%% The `xenstore' driver (src/erlang/xenstore.erl), started by the kernel before this module
%% runs, against a real xenstored: in the image under Xen, and on the host against the
%% simulated xenstored (xenbeam-run --xenstore). Both print these same lines.
%%
%% Every operation; errors from xenstored and from the driver's own checks; watches fired by
%% the domain's own writes and by dom0's (the harness's dom0 agent copies data/dom0-ask to
%% data/dom0-said); values larger than the ring; 25 concurrent callers; timeouts and dying
%% callers leaving no stale reply; conflicting transactions; the driver killed mid-flight and
%% restarted by its supervisor, with its watches set again.
-module(x_xenstore).
-export([main/0]).

main() ->
    {ok, Name} = xenstore:read(<<"name">>),
    show(name, Name),
    {ok, DomIdText} = xenstore:read("domid"),
    DomId = binary_to_integer(DomIdText),
    show(domid, DomId > 0),
    {ok, Home} = xenstore:get_domain_path(DomId),
    show(domain_path, Home =:= <<"/local/domain/", DomIdText/binary>>),
    basics(Home),
    errors(),
    perms(DomId),
    watches(),
    big_values(),
    concurrency(),
    timeouts(),
    transactions(),
    restart(),
    erlang:halt(0).

show(What, Value) -> erlang:display({What, Value}).

basics(Home) ->
    show(write, xenstore:write(<<"data/xs-test/a">>, <<"one">>)),
    show(read, xenstore:read(<<"data/xs-test/a">>)),
    show(write_iodata, xenstore:write("data/xs-test/b", [<<"tw">>, $o, [[]]])),
    show(read_abs, xenstore:read(<<Home/binary, "/data/xs-test/b">>)),
    show(mkdir, xenstore:mkdir(<<"data/xs-test/c">>)),
    show(read_empty, xenstore:read(<<"data/xs-test/c">>)),
    {ok, Children} = xenstore:directory(<<"data/xs-test">>),
    show(directory, lists:sort(Children)),
    show(rm, xenstore:rm(<<"data/xs-test/a">>)),
    show(read_removed, xenstore:read(<<"data/xs-test/a">>)),
    show(rm_tree, xenstore:rm(<<"data/xs-test">>)),
    show(directory_removed, xenstore:directory(<<"data/xs-test">>)).

errors() ->
    show(missing, xenstore:read(<<"data/no-such-node">>)),
    show(outside_home, xenstore:write(<<"/local/domain/0/xs-test">>, <<"x">>)),
    show(nul_in_path, xenstore:read(<<"data/a", 0, "b">>)),
    show(empty_path, xenstore:read(<<>>)),
    show(too_big, xenstore:write(<<"data/xs-big">>, binary:copy(<<"x">>, 4096))),
    show(not_iodata, catch_error(fun() -> xenstore:write(<<"data/x">>, [foo]) end)),
    show(bad_path, catch_error(fun() -> xenstore:read(1234) end)),
    %% A request the driver does not know, sent as a buggy client might.
    Ref = erlang:monitor(process, whereis(xenstore), [{alias, demonitor}]),
    xenstore ! {xenstore_call, Ref, self(), frobnicate},
    show(unknown_request, receive {Ref, R} -> R after 5000 -> timeout end),
    erlang:demonitor(Ref, [flush]).

catch_error(F) ->
    try F() of V -> {returned, V} catch error:E -> {error, E} end.

perms(DomId) ->
    ok = xenstore:write(<<"data/xs-perms">>, <<"p">>),
    {ok, [{Owner, _} | _]} = xenstore:get_perms(<<"data/xs-perms">>),
    show(perms_owner_is_me, Owner =:= DomId),
    Perms = [{DomId, none}, {0, read}],
    show(set_perms, xenstore:set_perms(<<"data/xs-perms">>, Perms)),
    show(perms_round_trip, xenstore:get_perms(<<"data/xs-perms">>) =:= {ok, Perms}),
    show(set_perms_bad, xenstore:set_perms(<<"data/xs-perms">>, [])),
    ok = xenstore:rm(<<"data/xs-perms">>).

watches() ->
    show(watch, xenstore:watch(<<"data/xs-watch">>, my_token)),
    %% A new watch fires once at once.
    show(first_event, event()),
    ok = xenstore:write(<<"data/xs-watch/x">>, <<"1">>),
    show(on_write, event()),
    ok = xenstore:rm(<<"data/xs-watch">>),
    show(on_rm, event()),
    show(unwatch, xenstore:unwatch(<<"data/xs-watch">>, my_token)),
    show(unwatch_unknown, xenstore:unwatch(<<"data/xs-watch">>, my_token)),
    ok = xenstore:write(<<"data/xs-watch/y">>, <<"2">>),
    show(after_unwatch, event(300)),
    ok = xenstore:rm(<<"data/xs-watch">>),
    %% dom0 writes under our home: the event comes from another domain's write.
    ok = xenstore:watch(<<"data/dom0-said">>, {dom0, said}),
    show(dom0_first, event()),
    ok = xenstore:write(<<"data/dom0-ask">>, <<"hello dom0">>),
    show(dom0_event, event(20000)),
    show(dom0_said, xenstore:read(<<"data/dom0-said">>)),
    ok = xenstore:unwatch(<<"data/dom0-said">>, {dom0, said}),
    %% A watcher's watches go when it exits.
    Self = self(),
    {W, M} = spawn_monitor(fun() ->
                                   ok = xenstore:watch(<<"data/xs-gone">>, gone),
                                   Self ! {watching, self()}
                           end),
    receive {watching, W} -> ok end,
    receive {'DOWN', M, process, W, _} -> ok end,
    {ok, Stats} = xenstore:stats(),
    show(watches_left, maps:get(watches, Stats)).

event() -> event(5000).

event(Timeout) ->
    receive
        {xenstore_watch, Path, Token} -> {Path, Token}
    after Timeout -> none
    end.

%% Values larger than the 1024-byte ring go in pieces; their replies come back split.
big_values() ->
    Value = list_to_binary([integer_to_list(N rem 10) || N <- lists:seq(1, 1500)]),
    show(big_write, xenstore:write(<<"data/xs-big">>, Value)),
    show(big_read, case xenstore:read(<<"data/xs-big">>) of
                       {ok, Value} -> true;
                       {ok, Other} -> {byte_size(Other), binary:part(Other, 0, 20)};
                       Error -> Error
                   end),
    %% A 4096-byte payload reaches xenstored, which refuses a value this large (its entry
    %% size quota is 2048 bytes).
    Path = <<"data/xs-big">>,
    Max = binary:copy(<<"y">>, 4096 - byte_size(Path) - 1),
    show(max_payload, xenstore:write(Path, Max)),
    ok = xenstore:rm(Path).

%% 25 processes write at once; every value reads back; the window held.
concurrency() ->
    Self = self(),
    N = 25,
    Writes = 20,
    Pids = [spawn(fun() -> writer(Self, I, Writes) end) || I <- lists:seq(1, N)],
    Results = [receive {done, P, R} -> R end || P <- Pids],
    show(writers, lists:usort(Results)),
    Reads = [xenstore:read(key(I, J)) || I <- lists:seq(1, N), J <- lists:seq(1, Writes)],
    show(read_back, lists:all(fun({{ok, V}, {I, J}}) -> V =:= value(I, J) end,
                              lists:zip(Reads, [{I, J} || I <- lists:seq(1, N),
                                                          J <- lists:seq(1, Writes)]))),
    {ok, Stats} = xenstore:stats(),
    show(window_held, maps:get(max_in_flight, Stats) =< 16),
    show(pipelined, maps:get(max_in_flight, Stats) > 1),
    show(one_notify_per_batch, maps:get(max_batch, Stats) > 1),
    %% Requests of about 140 bytes: seven fill the 1024-byte ring. The driver keeps in flight
    %% only what the ring holds beside what xenstored has not answered, so no write waits for
    %% room (and no notification of room wakes it), while requests are still pipelined.
    Long = fun(I, J) -> pad(value(I, J), 100) end,
    Pids2 = [spawn(fun() -> writer(Self, I, Writes, Long) end) || I <- lists:seq(1, N)],
    show(long_writers, lists:usort([receive {done, P, R} -> R end || P <- Pids2])),
    {ok, #{ring_full := Full, max_in_flight := Most}} = xenstore:stats(),
    show(ring_never_full, Full - maps:get(ring_full, Stats)),
    show(long_pipelined, Most > 1),
    show(long_read_back, xenstore:read(key(N, Writes)) =:= {ok, Long(N, Writes)}),
    ok = xenstore:rm(<<"data/xs-conc">>).

writer(Parent, I, Writes) ->
    writer(Parent, I, Writes, fun value/2).

writer(Parent, I, Writes, Value) ->
    R = [xenstore:write(key(I, J), Value(I, J)) || J <- lists:seq(1, Writes)],
    Parent ! {done, self(), lists:usort(R)}.

pad(Bin, Size) -> <<Bin/binary, (binary:copy(<<".">>, Size - byte_size(Bin)))/binary>>.

key(I, J) -> iolist_to_binary(io_lib:format("data/xs-conc/~b/~b", [I, J])).
value(I, J) -> iolist_to_binary(io_lib:format("value ~b of writer ~b", [J, I])).

timeouts() ->
    show(timeout, xenstore:read(<<"name">>, 0)),
    %% The reply that came too late is not left in the mailbox.
    {ok, _} = xenstore:read(<<"name">>),
    receive after 200 -> ok end,
    show(stale_replies, process_info(self(), message_queue_len)),
    %% A caller that dies with its call in flight does not upset the driver.
    Pids = [spawn(fun() -> xenstore:write(<<"data/xs-dying">>, <<"x">>) end)
            || _ <- lists:seq(1, 5)],
    [exit(P, kill) || P <- Pids],
    show(after_dying_callers, xenstore:read(<<"name">>) =/= {error, timeout}),
    _ = xenstore:rm(<<"data/xs-dying">>).

%% Two processes in conflicting transactions: the first to commit wins, the other retries.
transactions() ->
    ok = xenstore:write(<<"data/xs-counter">>, <<"0">>),
    Self = self(),
    Inc = fun(Tag) ->
                  fun() ->
                          put(attempts, get(attempts) + 1),
                          {ok, V} = xenstore:read(<<"data/xs-counter">>),
                          Self ! {read, Tag, self()},
                          receive go -> ok after 2000 -> ok end,
                          N = binary_to_integer(V) + 1,
                          ok = xenstore:write(<<"data/xs-counter">>, integer_to_binary(N)),
                          N
                  end
          end,
    Run = fun(Tag) ->
                  spawn(fun() ->
                                put(attempts, 0),
                                R = xenstore:transaction(Inc(Tag)),
                                Self ! {tx, Tag, R, get(attempts)}
                        end)
          end,
    A = Run(a),
    receive {read, a, A} -> ok end,
    B = Run(b),
    receive {read, b, B} -> ok end,
    A ! go,
    RA = receive {tx, a, R1, N1} -> {R1, N1} end,
    B ! go,
    %% b's first attempt conflicts with a's commit; its second reads a's value.
    receive {read, b, B} -> B ! go end,
    RB = receive {tx, b, R2, N2} -> {R2, N2} end,
    show(tx_first, RA),
    show(tx_retried, RB),
    show(tx_value, xenstore:read(<<"data/xs-counter">>)),
    %% An exception aborts: nothing the fun wrote stays.
    show(tx_abort, catch xenstore:transaction(
                          fun() ->
                                  ok = xenstore:write(<<"data/xs-counter">>, <<"99">>),
                                  throw(changed_my_mind)
                          end)),
    show(tx_aborted_value, xenstore:read(<<"data/xs-counter">>)),
    ok = xenstore:rm(<<"data/xs-counter">>).

%% The driver that replaced Old, once the supervisor has started it (the callers may all be
%% done before it is).
new_driver(Old, 0) -> whereis(xenstore) =/= Old andalso whereis(xenstore);
new_driver(Old, Tries) ->
    case whereis(xenstore) of
        New when is_pid(New), New =/= Old -> New;
        _ -> receive after 1 -> ok end, new_driver(Old, Tries - 1)
    end.

%% The driver is killed with calls in flight: they fail with driver_restarted (or complete),
%% the supervisor starts a new driver, and watches come back.
restart() ->
    ok = xenstore:watch(<<"data/xs-restart">>, survivor),
    {<<"data/xs-restart">>, survivor} = event(),
    Old = whereis(xenstore),
    Self = self(),
    Callers = [spawn(fun() ->
                             R = [xenstore:write(<<"data/xs-restart/n">>, integer_to_binary(J))
                                  || J <- lists:seq(1, 100)],
                             Self ! {caller, self(), R}
                     end) || _ <- lists:seq(1, 5)],
    receive after 1 -> ok end,
    exit(Old, kill),
    Outcomes = lists:usort(lists:append([receive {caller, P, R} -> R end || P <- Callers])),
    show(in_flight, [O || O <- Outcomes, O =/= ok, O =/= {error, driver_restarted}]),
    New = new_driver(Old, 1000),
    show(restarted, is_pid(New) andalso New =/= Old),
    show(after_restart, element(1, xenstore:read(<<"name">>))),
    flush_events(survivor),
    ok = xenstore:write(<<"data/xs-restart/after">>, <<"1">>),
    show(watch_after_restart, event()),
    ok = xenstore:unwatch(<<"data/xs-restart">>, survivor),
    ok = xenstore:rm(<<"data/xs-restart">>).

%% Events of the writes before the crash and the re-set watch's first event.
flush_events(Token) ->
    receive {xenstore_watch, _, Token} -> flush_events(Token)
    after 500 -> ok
    end.
