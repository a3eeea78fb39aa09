%% Pores and outlets: xenbeam's own modules (erl has neither), so this program is checked
%% against x_pores.expected instead of erl: on the host node and in the image under Xen.
-module(x_pores).
-export([main/0]).

main() ->
    Self = self(),
    P = pore:open_loopback(),
    {Free0, 0} = pore:avail(P),
    ok = pore:write(P, [<<"hel">>, "lo"]),
    {Free1, 0} = pore:avail(P),
    erlang:display({wrote, Free0 - Free1}),
    erlang:display({read_nothing, pore:read(P)}),
    %% Data that does not fit is an error value, not an exception, and nothing is written.
    erlang:display({too_big, pore:write(P, binary:copy(<<0>>, 2000)), pore:avail(P)}),
    erlang:display({discarded, pore:discard(P, 10), badarg_of(fun() -> pore:discard(P, -1) end)}),
    %% The connection words of the page (a loopback pore has no framing fields).
    erlang:display({info, pore:info(P)}),
    %% poke raises the pore's own event: one {irq, Pore} for its owner.
    ok = pore:poke(P),
    erlang:display({irq, receive {irq, P} -> yes after 1000 -> no end}),
    %% Events before the owner looks again coalesce into one message.
    ok = pore:poke(P),
    ok = pore:poke(P),
    erlang:display({coalesced, receive {irq, P} -> one after 1000 -> none end,
                    receive {irq, P} -> two after 50 -> none end}),
    %% A reconnect request sets the connection word and notifies: for a loopback pore, its
    %% own irq.
    ok = pore:reconnect(P),
    erlang:display({reconnect, receive {irq, P} -> irq after 1000 -> none end,
                    maps:get(connection, pore:info(P))}),
    %% Only the owner may use a pore.
    spawn(fun() -> Self ! {other, badarg_of(fun() -> pore:poke(P) end)} end),
    erlang:display(receive {other, _} = Other -> Other end),
    %% A pore is not a process: no links, no names, no monitors.
    erlang:display({not_a_process, badarg_of(fun() -> link(P) end),
                    badarg_of(fun() -> register(a_pore, P) end),
                    badarg_of(fun() -> monitor(process, P) end)}),
    %% Closed on request: then every operation is badarg.
    ok = pore:close(P),
    erlang:display({closed, badarg_of(fun() -> pore:avail(P) end),
                    badarg_of(fun() -> pore:close(P) end)}),
    %% Closed when the owner exits: many owners come and go without running out.
    erlang:display({owners, owners(300)}),
    erlang:display({bad_handles, badarg_of(fun() -> pore:read({'$pore', 999999}) end),
                    badarg_of(fun() -> pore:read(not_a_pore) end)}),
    %% Outlets: a native loopback driver; events arrive as {Outlet, Message}.
    O = outlet:open_loopback(),
    %% `ping` answers ok at once and makes the driver's channel fire: {event, N}.
    ok = outlet:command(O, ping),
    erlang:display({outlet, receive {O, ok} -> ok after 1000 -> none end,
                    receive {O, {event, N1}} -> N1 after 1000 -> none end}),
    ok = outlet:command(O, ping),
    erlang:display({outlet, receive {O, ok} -> ok after 1000 -> none end,
                    receive {O, {event, N2}} -> N2 after 1000 -> none end}),
    erlang:display({outlet_badarg, badarg_of(fun() -> outlet:command(O, bogus) end)}),
    ok = outlet:close(O),
    erlang:display({outlet_closed, badarg_of(fun() -> outlet:command(O, ping) end)}),
    erlang:halt(0).

owners(N) ->
    Self = self(),
    [begin
         {Pid, M} = spawn_monitor(fun() -> Q = pore:open_loopback(), ok = pore:poke(Q) end),
         receive {'DOWN', M, process, Pid, normal} -> ok end
     end || _ <- lists:seq(1, N)],
    Self ! done,
    receive done -> N end.

badarg_of(F) ->
    try F() of
        V -> {no_error, V}
    catch
        error:badarg -> badarg
    end.
