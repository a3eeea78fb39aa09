%% The real xenstored from Erlang, over the Xenstore ring pore, in the raw wire protocol: the
%% domain reads its own name and id, writes a node and reads it back, and gets ENOENT for a
%% missing node. Runs in the image under Xen only (the host has no Xenstore).
-module(x_xenstore).
-export([main/0]).

-define(READ, 2).
-define(WRITE, 11).
-define(ERROR, 16).

main() ->
    P = pore:open_xenstore(),
    {ok, Name} = request(P, ?READ, 1, <<"name", 0>>),
    erlang:display({name, Name}),
    {ok, DomId} = request(P, ?READ, 2, <<"domid", 0>>),
    erlang:display({domid, binary_to_integer(DomId) > 0}),
    erlang:display({write, request(P, ?WRITE, 3, <<"data/x-xenstore", 0, "hello">>)}),
    erlang:display({read_back, request(P, ?READ, 4, <<"data/x-xenstore", 0>>)}),
    erlang:display({missing, request(P, ?READ, 5, <<"data/no-such-node", 0>>)}),
    %% Every request and reply went through whole: both directions stand at a boundary.
    erlang:display({framing, maps:with([req_left, rsp_skip], pore:info(P))}),
    %% Another process may not use the pore.
    Self = self(),
    spawn(fun() -> Self ! {other, catch pore:avail(P)} end),
    erlang:display(receive {other, {'EXIT', {Reason, _}}} -> {other, Reason} end),
    ok = pore:close(P),
    erlang:halt(0).

request(P, Type, ReqId, Payload) ->
    Header = <<Type:32/little, ReqId:32/little, 0:32/little, (byte_size(Payload)):32/little>>,
    ok = pore:write(P, [Header, Payload]),
    ok = pore:poke(P),
    reply(P, ReqId, <<>>).

%% Accumulates reply bytes until a whole message for ReqId is there.
reply(P, ReqId, Buf) ->
    case Buf of
        <<Type:32/little, ReqId:32/little, _Tx:32/little, Len:32/little,
          Body:Len/binary, _/binary>> ->
            case Type of
                ?ERROR -> {error, hd(binary:split(Body, <<0>>))};
                _ -> {ok, Body}
            end;
        _ ->
            receive
                {irq, P} -> reply(P, ReqId, <<Buf/binary, (pore:read(P))/binary>>)
            after 5000 ->
                {timeout, Buf}
            end
    end.
