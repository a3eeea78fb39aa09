%% A Xenstore client in Erlang over the Xenstore pore: requests written into the shared ring,
%% replies read back when {irq, Pore} arrives. Only the image has a Xenstore, so this runs
%% in the boot test (the guest is named after the module: x-xenstore).
-module(x_xenstore).
-export([main/0]).

-define(XS_READ, 2).

main() ->
    X = pore:open_xenstore(),
    erlang:display({busy, badarg_of(fun() -> pore:open_xenstore() end)}),
    erlang:display({name, request(X, ?XS_READ, <<"name", 0>>)}),
    erlang:display({missing, request(X, ?XS_READ, <<"no/such/key", 0>>)}),
    ok = pore:close(X),
    X2 = pore:open_xenstore(),
    erlang:display({reopened, request(X2, ?XS_READ, <<"name", 0>>)}),
    erlang:halt(0).

request(X, Type, Payload) ->
    Header = <<Type:32/little, 7:32/little, 0:32/little, (byte_size(Payload)):32/little>>,
    ok = pore:write(X, [Header, Payload]),
    ok = pore:poke(X),
    reply(X, <<>>).

reply(X, Acc0) ->
    Acc = <<Acc0/binary, (pore:read(X))/binary>>,
    case Acc of
        <<T:32/little, 7:32/little, _Tx:32/little, Len:32/little, Body:Len/binary, _/binary>> ->
            {T, Body};
        _ ->
            receive {irq, X} -> reply(X, Acc) after 5000 -> {timeout, Acc} end
    end.

badarg_of(F) ->
    try F() of
        V -> {no_error, V}
    catch
        error:badarg -> badarg
    end.
