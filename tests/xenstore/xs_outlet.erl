%% The native Xenstore outlet (`xenstore_outlet') taking the ring over from the `xenstore'
%% driver and giving it back (tests/xenstore.rs runs it under several xenstored knobs).
-module(xs_outlet).
-export([main/0]).

show(What, Value) -> erlang:display({What, Value}).

main() ->
    ok = xenstore:write(<<"data/before">>, <<"pore">>),
    ok = xenstore:watch(<<"data/watched">>, tok),
    show(watch, receive {xenstore_watch, _, tok} = E -> E after 1000 -> none end),
    %% Requests in flight when the suspension is asked for are finished, not cut.
    Self = self(),
    Callers = [spawn(fun() ->
                             Self ! {done, self(), xenstore:write(<<"data/late">>, <<"x">>)}
                     end) || _ <- lists:seq(1, 5)],
    erlang:yield(),
    show(suspend, xenstore_sup:suspend()),
    Late = [receive {done, P, R} -> R end || P <- Callers],
    show(late_calls, lists:usort(Late)),
    show(suspended_call, xenstore:read(<<"data/before">>)),
    show(suspend_again, xenstore_sup:suspend()),
    [outlet(Mode) || Mode <- [blocking, async]],
    show(resume, xenstore_sup:resume()),
    show(pore_again, xenstore:read(<<"data/before">>)),
    show(outlet_wrote, xenstore:read(<<"data/async/w5/k10">>)),
    ok = xenstore:write(<<"data/watched/x">>, <<"1">>),
    show(watch_kept, receive {xenstore_watch, _, tok} = E2 -> E2 after 1000 -> none end),
    show(busy, xenstore_outlet:open(async)),
    erlang:halt(0).

outlet(Mode) ->
    {ok, O} = xenstore_outlet:open(Mode),
    show({Mode, busy}, {xenstore_outlet:open(Mode), pore:open_xenstore(),
                        xenstore_sup:resume()}),
    Self = self(),
    Workers = [spawn(fun() -> Self ! {done, self(), worker(O, Mode, N)} end)
               || N <- lists:seq(1, 5)],
    show({Mode, workers}, [receive {done, P, R} -> R end || P <- Workers]),
    Dir = <<"data/", (atom_to_binary(Mode))/binary>>,
    show({Mode, directory}, xenstore_outlet:directory(O, Dir)),
    show({Mode, reads}, xenstore_outlet:read(O, <<Dir/binary, "/w3/k7">>)),
    show({Mode, errors}, {xenstore_outlet:read(O, <<"data/nope">>),
                          xenstore_outlet:read(O, <<"a", 0, "b">>),
                          xenstore_outlet:mkdir(O, <<"/local/domain/0/x">>)}),
    show({Mode, home}, xenstore_outlet:get_domain_path(O, 1)),
    show({Mode, rm}, {xenstore_outlet:rm(O, <<Dir/binary, "/w1">>),
                      xenstore_outlet:directory(O, Dir)}),
    show({Mode, close}, xenstore_outlet:close(O)),
    show({Mode, closed}, xenstore_outlet:read(O, <<"name">>)).

%% Ten writes, each read back, from one of five concurrent callers.
worker(O, Mode, N) ->
    Dir = iolist_to_binary(["data/", atom_to_list(Mode), "/w", integer_to_list(N)]),
    Got = [begin
               K = <<Dir/binary, "/k", (integer_to_binary(I))/binary>>,
               V = integer_to_binary(N * 100 + I),
               {xenstore_outlet:write(O, K, V), xenstore_outlet:read(O, K)} =:= {ok, {ok, V}}
           end || I <- lists:seq(1, 10)],
    lists:usort(Got).
