%% @doc A Xenstore client written in Erlang, over the Xenstore ring pore.
%%
%% The driver is one process, registered as `xenstore', that owns the Xenstore ring page (a
%% pore) and speaks xenstored's wire protocol on it. Every other process talks to Xenstore by
%% calling the functions of this module, which send a request to the driver and wait for the
%% reply. The kernel starts the driver, under `xenstore_sup', before the user's `-run' code.
%%
%% == Calls ==
%% Paths are binaries or strings; relative paths are under the domain's home
%% (`/local/domain/<domid>/'). Values are iodata. Every call returns `ok', `{ok, Value}' or
%% `{error, Reason}', where Reason is xenstored's error in lower case (`enoent', `eacces',
%% `einval', `eexist', `e2big', `enospc', `equota', `eagain', ...) or one of the driver's own:
%% `timeout' (no reply within the call's timeout, 5 s unless given), `driver_restarted' (the
%% driver died while the call was in flight; its outcome is unknown), `no_driver' (no driver
%% runs). A path with a NUL byte or an empty path gives `{error, einval}' and a request over
%% xenstored's 4096-byte payload limit `{error, e2big}', both before anything is sent; a path
%% or value that is not iodata raises `badarg'.
%%
%% == Concurrency ==
%% Requests from any number of processes are pipelined: the driver keeps up to 16 in flight
%% (below xenstored's limit of 20 queued replies per connection), as many as the request ring
%% holds at once, and queues the rest. Replies
%% are matched by request id, checked against the request's type, and sent to the caller
%% tagged with a monitor alias, so a caller that timed out or died never receives a stale
%% reply. Requests larger than the free ring space are written in pieces as xenstored drains
%% the ring; the driver notifies xenstored once per batch: for the requests it wrote and the
%% replies it took (xenstored answers the next request sooner when it has heard that its
%% replies were taken, see handle/2).
%%
%% == Watches ==
%% `watch(Path, Token)' makes the calling process receive `{xenstore_watch, ChangedPath,
%% Token}' whenever Path or a node below it changes (and once at once, as xenstored fires a
%% new watch). Token may be any term. A process's watches are removed when it exits.
%%
%% == Transactions ==
%% `transaction(Fun)' runs `Fun()' in a transaction: the Xenstore calls the fun makes (in the
%% calling process) see and change the transaction's view. When the commit fails with
%% `eagain' the fun runs again, up to 10 times; an exception in the fun aborts the transaction
%% and is raised again. Returns `{ok, FunResult}' once committed.
%%
%% == Failure and restart ==
%% A corrupt ring (indices out of range, a reply with an unknown request id or the wrong
%% type, a length over 4096) makes the driver exit with `{xenstore_ring, What}'. Its pore
%% closes with it, `xenstore_sup' starts a new driver, which resynchronises the ring
%% (xenstored's reconnection when it offers it, otherwise by finishing the cut request and
%% discarding to the next reply boundary) and sets again the watches of live processes; each
%% re-set watch fires once, as a new watch does.
%%
%% == Handing the ring over ==
%% `xenstore_sup:suspend()' stops the driver cleanly so that something else (the native
%% Xenstore outlet) may use the ring: the driver is sent a stop request, answers new calls
%% with `{error, no_driver}' from then on, finishes the requests it already took, answers the
%% stop once nothing is in flight, closes its pore (at a message boundary) and exits
%% normally. While suspended, calls return `{error, no_driver}' at once. `xenstore_sup:
%% resume()' starts a driver on the same connection: it keeps xenstored's watches and the
%% processes' watches go on (events that came meanwhile are lost).
-module(xenstore).

-export([read/1, read/2, write/2, write/3, mkdir/1, mkdir/2, rm/1, rm/2,
         directory/1, directory/2, get_perms/1, get_perms/2, set_perms/2, set_perms/3,
         get_domain_path/1, get_domain_path/2, watch/2, watch/3, unwatch/2, unwatch/3,
         transaction/1, transaction/2, stats/0]).
%% For xenstore_sup.
-export([start_link/3, init/4]).

-define(TIMEOUT, 5000).
%% Requests in flight at most; C xenstored stops reading a ring while 20 replies are queued.
-define(WINDOW, 16).
-define(MAX_PAYLOAD, 4096).
-define(HEADER, 16).
-define(RING_SIZE, 1024).
-define(RETRIES, 10).
%% While requests are in flight or watches are set the driver waits with this timeout (in
%% milliseconds), which tells the node that it is still waiting for xenstored (a node whose
%% processes all wait with no timer pending stops as idle). A timer of its own would outlive
%% the need and keep an idle node up until it fired.
-define(HEARTBEAT, 30000).
-define(TX_KEY, '$xenstore_tx').

-define(XS_DIRECTORY, 1).
-define(XS_READ, 2).
-define(XS_GET_PERMS, 3).
-define(XS_WATCH, 4).
-define(XS_UNWATCH, 5).
-define(XS_TRANSACTION_START, 6).
-define(XS_TRANSACTION_END, 7).
-define(XS_GET_DOMAIN_PATH, 10).
-define(XS_WRITE, 11).
-define(XS_MKDIR, 12).
-define(XS_RM, 13).
-define(XS_SET_PERMS, 14).
-define(XS_WATCH_EVENT, 15).
-define(XS_ERROR, 16).

-type path() :: binary() | string().
-type error() :: {error, atom() | {xenstored, binary()}}.
-type perm() :: {DomId :: non_neg_integer(), none | read | write | both}.

%%% ------------------------------------------------------------------------------------
%%% The API
%%% ------------------------------------------------------------------------------------

%% @doc The value of a node.
-spec read(path()) -> {ok, binary()} | error().
read(Path) -> read(Path, ?TIMEOUT).

-spec read(path(), timeout()) -> {ok, binary()} | error().
read(Path, Timeout) -> simple(?XS_READ, [Path], Timeout, fun(V) -> {ok, V} end).

%% @doc Sets a node's value, creating the node (and missing parents) when needed.
-spec write(path(), iodata()) -> ok | error().
write(Path, Value) -> write(Path, Value, ?TIMEOUT).

-spec write(path(), iodata(), timeout()) -> ok | error().
write(Path, Value, Timeout) ->
    case payload([Path], Value) of
        {ok, P} -> done(call({raw, ?XS_WRITE, tx(), P}, Timeout));
        Error -> Error
    end.

%% @doc Creates a node with an empty value (ok if it exists).
-spec mkdir(path()) -> ok | error().
mkdir(Path) -> mkdir(Path, ?TIMEOUT).

-spec mkdir(path(), timeout()) -> ok | error().
mkdir(Path, Timeout) -> simple(?XS_MKDIR, [Path], Timeout, fun(_) -> ok end).

%% @doc Removes a node and everything below it.
-spec rm(path()) -> ok | error().
rm(Path) -> rm(Path, ?TIMEOUT).

-spec rm(path(), timeout()) -> ok | error().
rm(Path, Timeout) -> simple(?XS_RM, [Path], Timeout, fun(_) -> ok end).

%% @doc The names of a node's children.
-spec directory(path()) -> {ok, [binary()]} | error().
directory(Path) -> directory(Path, ?TIMEOUT).

-spec directory(path(), timeout()) -> {ok, [binary()]} | error().
directory(Path, Timeout) -> simple(?XS_DIRECTORY, [Path], Timeout, fun(V) -> {ok, strings(V)} end).

%% @doc A node's permissions: the owner first (its entry also gives everyone else's access).
-spec get_perms(path()) -> {ok, [perm()]} | error().
get_perms(Path) -> get_perms(Path, ?TIMEOUT).

-spec get_perms(path(), timeout()) -> {ok, [perm()]} | error().
get_perms(Path, Timeout) ->
    simple(?XS_GET_PERMS, [Path], Timeout, fun(V) -> decode_perms(strings(V)) end).

%% @doc Sets a node's permissions (owner first).
-spec set_perms(path(), [perm()]) -> ok | error().
set_perms(Path, Perms) -> set_perms(Path, Perms, ?TIMEOUT).

-spec set_perms(path(), [perm()], timeout()) -> ok | error().
set_perms(Path, Perms, Timeout) ->
    case encode_perms(Perms) of
        {ok, Strings} -> simple(?XS_SET_PERMS, [Path | Strings], Timeout, fun(_) -> ok end);
        Error -> Error
    end.

%% @doc The home path of a domain, `/local/domain/<DomId>'.
-spec get_domain_path(non_neg_integer()) -> {ok, binary()} | error().
get_domain_path(DomId) -> get_domain_path(DomId, ?TIMEOUT).

-spec get_domain_path(non_neg_integer(), timeout()) -> {ok, binary()} | error().
get_domain_path(DomId, Timeout) when is_integer(DomId), DomId >= 0, DomId < 16#7FF0 ->
    P = <<(integer_to_binary(DomId))/binary, 0>>,
    case call({raw, ?XS_GET_DOMAIN_PATH, 0, P}, Timeout) of
        {ok, V} -> {ok, hd(strings(V))};
        Error -> Error
    end;
get_domain_path(DomId, Timeout) ->
    erlang:error(badarg, [DomId, Timeout]).

%% @doc Watches Path and everything below it; events arrive as
%% `{xenstore_watch, ChangedPath, Token}'.
-spec watch(path(), term()) -> ok | error().
watch(Path, Token) -> watch(Path, Token, ?TIMEOUT).

-spec watch(path(), term(), timeout()) -> ok | error().
watch(Path, Token, Timeout) -> watch_call(watch, Path, Token, Timeout).

%% @doc Removes a watch this process set.
-spec unwatch(path(), term()) -> ok | error().
unwatch(Path, Token) -> unwatch(Path, Token, ?TIMEOUT).

-spec unwatch(path(), term(), timeout()) -> ok | error().
unwatch(Path, Token, Timeout) -> watch_call(unwatch, Path, Token, Timeout).

%% @doc Runs Fun() in a transaction, again when the commit fails with eagain.
-spec transaction(fun(() -> Result)) -> {ok, Result} | error().
transaction(Fun) -> transaction(Fun, ?TIMEOUT).

-spec transaction(fun(() -> Result), timeout()) -> {ok, Result} | error().
transaction(Fun, Timeout) when is_function(Fun, 0) ->
    case get(?TX_KEY) of
        undefined -> transaction(Fun, Timeout, ?RETRIES);
        _ -> {ok, Fun()}   % nested: part of the enclosing transaction
    end;
transaction(Fun, Timeout) ->
    erlang:error(badarg, [Fun, Timeout]).

%% @doc The driver's counters: requests sent, replies received, the most requests in flight
%% and queued at once, notifications sent and the most messages written with one, flushes
%% that found the ring full (only a request larger than the ring should), watch events
%% delivered, and the driver's heap high-water mark in words.
-spec stats() -> {ok, map()} | error().
stats() -> call(stats, ?TIMEOUT).

%%% ------------------------------------------------------------------------------------
%%% Callers' side
%%% ------------------------------------------------------------------------------------

simple(Type, Strings, Timeout, Ok) ->
    case payload(Strings, <<>>) of
        {ok, P} ->
            case call({raw, Type, tx(), P}, Timeout) of
                {ok, V} -> Ok(V);
                Error -> Error
            end;
        Error -> Error
    end.

done({ok, _}) -> ok;
done(Error) -> Error.

%% Each string NUL-terminated, then Tail; checks before anything is sent.
payload([Path], Tail) when is_binary(Path) ->
    %% The common case (a read or a write of a binary path), without building lists.
    TailBin = case is_binary(Tail) of
                  true -> Tail;
                  false ->
                      try iolist_to_binary(Tail)
                      catch error:badarg -> erlang:error(badarg, [[Path], Tail])
                      end
              end,
    case Path =/= <<>> andalso binary:match(Path, <<0>>) =:= nomatch of
        false -> {error, einval};
        true when byte_size(Path) + 1 + byte_size(TailBin) > ?MAX_PAYLOAD -> {error, e2big};
        true -> {ok, <<Path/binary, 0, TailBin/binary>>}
    end;
payload(Strings, Tail) ->
    try
        Bins = [string_arg(S) || S <- Strings],
        TailBin = iolist_to_binary(Tail),
        case any(fun(B) -> B =:= <<>> orelse binary:match(B, <<0>>) =/= nomatch end, Bins) of
            true -> {error, einval};
            false ->
                P = iolist_to_binary([[B, 0] || B <- Bins] ++ [TailBin]),
                case byte_size(P) > ?MAX_PAYLOAD of
                    true -> {error, e2big};
                    false -> {ok, P}
                end
        end
    catch
        error:badarg -> erlang:error(badarg, [Strings, Tail])
    end.

string_arg(B) when is_binary(B) -> B;
string_arg(L) when is_list(L) -> iolist_to_binary(L);
string_arg(A) when is_atom(A) -> atom_to_binary(A, utf8);
string_arg(_) -> erlang:error(badarg).

tx() ->
    case get(?TX_KEY) of
        undefined -> 0;
        Tx -> Tx
    end.

watch_call(Kind, Path, Token, Timeout) ->
    case payload([Path], <<>>) of
        {ok, P} ->
            PathBin = binary:part(P, 0, byte_size(P) - 1),
            %% Room for the driver's own token after the path.
            case byte_size(P) + 12 > ?MAX_PAYLOAD of
                true -> {error, e2big};
                false -> done(call({Kind, PathBin, Token}, Timeout))
            end;
        Error -> Error
    end.

transaction(_Fun, _Timeout, 0) ->
    {error, eagain};
transaction(Fun, Timeout, Tries) ->
    case call({raw, ?XS_TRANSACTION_START, 0, <<0>>}, Timeout) of
        {ok, IdText} ->
            Tx = binary_to_integer(hd(strings(IdText))),
            put(?TX_KEY, Tx),
            try Fun() of
                Result ->
                    erase(?TX_KEY),
                    case call({raw, ?XS_TRANSACTION_END, Tx, <<"T", 0>>}, Timeout) of
                        {ok, _} -> {ok, Result};
                        {error, eagain} -> transaction(Fun, Timeout, Tries - 1);
                        Error -> Error
                    end
            catch
                Class:Reason:Stack ->
                    erase(?TX_KEY),
                    _ = call({raw, ?XS_TRANSACTION_END, Tx, <<"F", 0>>}, Timeout),
                    erlang:raise(Class, Reason, Stack)
            end;
        Error -> Error
    end.

%% Sends Request to the driver and waits for its reply. The reply comes to a monitor alias
%% that dies with the monitor, so a late reply after a timeout is dropped by the node.
call(Request, Timeout) ->
    call(Request, Timeout, 1).

call(Request, Timeout, Retries) ->
    case driver() of
        undefined -> {error, no_driver};
        Pid ->
            %% The reply through the alias ends the alias and the monitor with it, so no
            %% 'DOWN' can follow it.
            Ref = erlang:monitor(process, Pid, [{alias, reply_demonitor}]),
            Pid ! {xenstore_call, Ref, self(), Request},
            receive
                {Ref, Reply} ->
                    Reply;
                {'DOWN', Ref, process, _, Why} when (Why =:= noproc orelse Why =:= normal),
                                                   Retries > 0 ->
                    %% It was gone before the request, or stopped (answering every request
                    %% it took) without seeing it: nothing was sent; ask again.
                    call(Request, Timeout, Retries - 1);
                {'DOWN', Ref, process, _, Why} when Why =:= noproc; Why =:= normal ->
                    {error, no_driver};
                {'DOWN', Ref, process, _, _} ->
                    {error, driver_restarted}
            after Timeout ->
                erlang:demonitor(Ref, [flush]),
                {error, timeout}
            end
    end.

%% The driver, or the one the supervisor is starting in its place.
driver() ->
    case whereis(xenstore) of
        undefined ->
            case whereis(xenstore_sup) of
                undefined -> undefined;
                Sup -> xenstore_sup:driver(Sup)
            end;
        Pid -> Pid
    end.

strings(Bin) ->
    [S || S <- binary:split(Bin, <<0>>, [global]), S =/= <<>>].

decode_perms(Strings) ->
    try
        {ok, [{binary_to_integer(Id), perm_atom(C)} || <<C, Id/binary>> <- Strings]}
    catch
        error:_ -> {error, {bad_perms, Strings}}
    end.

perm_atom($n) -> none;
perm_atom($r) -> read;
perm_atom($w) -> write;
perm_atom($b) -> both.

encode_perms([_ | _] = Perms) ->
    try
        {ok, [[perm_char(A), integer_to_binary(Id)] || {Id, A} <- Perms,
                                                      is_integer(Id), Id >= 0]}
    catch
        error:_ -> {error, einval}
    end;
encode_perms(_) ->
    {error, einval}.

perm_char(none) -> $n;
perm_char(read) -> $r;
perm_char(write) -> $w;
perm_char(both) -> $b.

%%% ------------------------------------------------------------------------------------
%%% The driver
%%% ------------------------------------------------------------------------------------

-record(st, {
    pore,
    sup,
    %% Request ids are Generation bsl 24 + a counter, so replies to an earlier driver's
    %% requests are recognised and dropped after a restart.
    generation = 0,
    next = 1,
    %% ReqId => {Alias | none, Type, What, End}, What being the request or the watch it sets
    %% and End where the request ends in the stream of request bytes.
    inflight = #{},
    %% Bytes of every request put in flight, and the end of the last one answered: xenstored
    %% reads a request whole before answering it, so at most `sent - answered' bytes are in
    %% the ring. Requests are put in flight only while that stays within the ring's size, so
    %% that every write fits without asking the ring for room (and without the notification
    %% that an owner waiting for room gets whenever xenstored takes a request).
    sent = 0,
    answered = 0,
    %% Requests waiting for room in the window or the ring, {Alias, Caller, Request, Size}
    %% (Size as wire_size/1 gives it), in a queue of two lists: newest first, oldest first,
    %% and the length.
    queue = {[], [], 0},
    %% Encoded requests not yet (entirely) in the ring, as pieces (headers and payloads):
    %% those a flush has seen, oldest first, then newer ones, newest first (so that adding
    %% one does not walk the list).
    out = [],
    newer = [],
    %% Reply bytes not yet making a whole message.
    in = <<>>,
    %% Whether xenstored must hear that we took replies from the response ring.
    kick = false,
    %% Watches: WireToken => {Pid, Path, Token}; and Pid => MonitorRef.
    watches = #{},
    watchers = #{},
    next_watch = 1,
    %% The supervisor asked the driver to stop: who to answer, or false.
    stopping = false,
    %% Counters and high-water marks for stats/0: fields of their own, so that a counter
    %% changes in the same record update as the state it counts (requests sent are replies
    %% counted plus those in flight, see requests/1).
    replies = 0,
    max_in_flight = 0,
    max_queued = 0,
    watch_events = 0,
    stale_replies = 0,
    %% Flushes that found the ring without room for everything waiting.
    ring_full = 0,
    notifies = 0,
    max_batch = 0,
    heap_hwm = 0
}).

%% @private Starts a driver linked to the caller (the supervisor). Watches is the table the
%% previous driver reported, to be set again; Generation counts restarts; How is `start'
%% (the first driver), `restart' (after a crash) or `resume' (after a clean stop).
start_link(Watches, Generation, How) ->
    Pid = spawn_link(?MODULE, init, [self(), Watches, Generation, How]),
    receive
        {Pid, started} -> {ok, Pid};
        {'EXIT', Pid, Reason} -> {error, Reason}
    after 10000 ->
        unlink(Pid),
        exit(Pid, kill),
        {error, timeout}
    end.

%% @private
init(Sup, Watches, Generation, Start) ->
    P = case catch pore:open_xenstore() of
            {'$pore', _} = Pore -> Pore;
            Other -> exit({xenstore_ring, {cannot_open, Other}})
        end,
    true = register(xenstore, self()),
    How = resync(P, Start),
    S0 = #st{pore = P, sup = Sup, generation = Generation band 255},
    Sup ! {self(), started},
    S = case How of
            %% xenstored still holds the old driver's watches: keep them, tokens and all.
            resumed -> adopt(maps:to_list(Watches), S0);
            %% A new connection (or the first): set them again.
            _ -> rewatch(maps:to_list(Watches), S0)
        end,
    loop(flush(S)).

%% A new driver finds the ring where the last one left it: on the first start and after a
%% clean stop at a message boundary (or where the outlet that used it meanwhile left it),
%% after a crash perhaps in the middle of a request and of a reply. Returns how the
%% connection goes on: `fresh', `reconnected' (xenstored forgot the old driver's requests and
%% watches) or `resumed' (the same connection, now at a boundary).
resync(P, start) ->
    to_boundary(P),
    fresh;
resync(P, resume) ->
    to_boundary(P),
    resumed;
resync(P, restart) ->
    Features = case pore:info(P) of
                   #{server_features := F} -> F;
                   _ -> 0
               end,
    case Features band 1 of
        1 -> reconnect(P), reconnected;
        0 -> to_boundary(P), resumed
    end.

%% xenstored's reconnection: it drops everything in flight and resets the ring.
reconnect(P) ->
    ok = pore:reconnect(P),
    wait_connected(P, erlang:monotonic_time(millisecond) + 5000).

wait_connected(P, Deadline) ->
    case pore:info(P) of
        #{connection := 0} -> ok;
        _ ->
            Left = Deadline - erlang:monotonic_time(millisecond),
            Left > 0 orelse exit({xenstore_ring, reconnect_timeout}),
            receive {irq, P} -> ok after Left -> ok end,
            wait_connected(P, Deadline)
    end.

%% Without reconnection: the request the dead driver was writing is finished with zero bytes
%% (its caller was told driver_restarted), and reply bytes are dropped up to the next reply.
%% The pore counts what is left of each message; a cut header only says how many header bytes
%% are missing, so this goes on until both counts are zero.
to_boundary(P) ->
    to_boundary(P, erlang:monotonic_time(millisecond) + 5000).

to_boundary(P, Deadline) ->
    case pore:info(P) of
        #{req_left := 0, rsp_skip := 0} -> ok;
        #{req_left := Left, rsp_skip := Skip} ->
            {Free, Avail} = avail(P),
            Pad = min(Free, Left),
            Pad > 0 andalso begin ok = pore:write(P, binary:copy(<<0>>, Pad)),
                                  ok = pore:poke(P) end,
            Dropped = case min(Avail, Skip) of
                          0 -> 0;
                          D -> pore:discard(P, D)
                      end,
            Pad + Dropped > 0 orelse wait_irq(P, Deadline),
            to_boundary(P, Deadline)
    end.

wait_irq(P, Deadline) ->
    Left = Deadline - erlang:monotonic_time(millisecond),
    Left > 0 orelse exit({xenstore_ring, resync_timeout}),
    receive {irq, P} -> ok after Left -> ok end.

loop(S = #st{inflight = In, watches = W}) when map_size(In) =:= 0, map_size(W) =:= 0 ->
    receive
        Msg -> loop(stop_if_done(batch(handle(Msg, S), 64)))
    end;
loop(S) ->
    receive
        Msg -> loop(stop_if_done(batch(handle(Msg, S), 64)))
    after ?HEARTBEAT ->
        loop(S)
    end.

%% Once stopping with nothing in flight, queued or half written: answer, close, exit.
stop_if_done(S = #st{stopping = false}) -> S;
stop_if_done(#st{stopping = From, pore = P, inflight = In, queue = {_, _, 0}, out = [],
                 newer = []})
  when map_size(In) =:= 0 ->
    From ! {xenstore_stopped, self()},
    ok = pore:close(P),
    exit(normal);
stop_if_done(S) -> S.

%% Handles what else has arrived, then writes everything accepted with one notify.
batch(S, 0) -> flush(S);
batch(S, N) ->
    receive
        Msg -> batch(handle(Msg, S), N - 1)
    after 0 ->
        flush(S)
    end.

handle({irq, P}, S = #st{pore = P, in = Before, kick = Kick}) ->
    Bytes = case pore:read(P) of
                B when is_binary(B) -> B;
                {error, R} -> exit({xenstore_ring, R})
            end,
    In = case Before of
             <<>> -> Bytes;
             _ -> <<Before/binary, Bytes/binary>>
         end,
    %% Taken replies are owed a notification, as the ring protocol has consumers do (and
    %% Mini-OS does): the batch's flush gives it, with its requests or alone. A full
    %% response ring may have xenstored waiting for room to write the rest of a reply. And
    %% xenstored answers the next request sooner: under Xen in QEMU, with one writer, the
    %% time from a request's notification to xenstored's first event fell from 270 to
    %% 85 us and a write from 490 to 320 us (probably because the notification wakes dom0
    %% while the writer makes its next request, which then finds it awake).
    admit(replies(In, Kick orelse byte_size(Bytes) > 0, S));
handle({xenstore_call, Alias, _Caller, _Request}, S = #st{stopping = From}) when From =/= false ->
    reply(Alias, {error, no_driver}),
    S;
handle({xenstore_stop, From}, S) ->
    S#st{stopping = From};
handle({xenstore_call, Alias, Caller, {raw, _, _, Payload} = Request},
       S = #st{queue = {[], [], 0}, inflight = In, sent = Sent, answered = Answered})
  when map_size(In) < ?WINDOW, is_binary(Payload),
       Sent - Answered + ?HEADER + byte_size(Payload) =< ?RING_SIZE ->
    %% Room in the window and the ring, and nobody waiting: straight in (the caller has just
    %% asked; for max_queued it counts as one queued, which stats_map/1 adds). The common
    %% case, decided in the guard.
    start(Alias, Caller, Request, S);
handle({xenstore_call, Alias, Caller, Request}, S = #st{queue = {[], [], 0}, inflight = In,
                                                        sent = Sent, answered = Answered})
  when map_size(In) < ?WINDOW ->
    Size = wire_size(Request),
    case fits(Size, Sent - Answered, In) of
        true -> start(Alias, Caller, Request, S);
        false -> enqueue({Alias, Caller, Request, Size}, S)
    end;
handle({xenstore_call, Alias, Caller, Request}, S) ->
    %% Others wait, or the window is full: behind them. (Whatever makes room, a reply,
    %% admits the waiting at once, so the oldest did not fit when this came.)
    enqueue({Alias, Caller, Request, wire_size(Request)}, S);
handle({'DOWN', Mon, process, Pid, _}, S) ->
    forget_watcher(Pid, Mon, S);
handle(_Other, S) ->
    S.

enqueue(Call, S = #st{queue = {In, Out, Len}}) ->
    S#st{queue = {[Call | In], Out, Len + 1}, max_queued = max(S#st.max_queued, Len + 1)}.

any(_Pred, []) -> false;
any(Pred, [X | Rest]) -> Pred(X) orelse any(Pred, Rest).

%% Moves queued requests into the window, oldest first; the oldest waits while it does not
%% fit, and those behind it with it. (A queue whose oldest list ran out is turned over once,
%% and kept so, not at every look.)
admit(S = #st{queue = {_, _, 0}}) -> S;
admit(S = #st{inflight = In}) when map_size(In) >= ?WINDOW -> S;
admit(S = #st{queue = {Newer, Older, Len}}) ->
    admit(Newer, Older, Len, S).

%% The queue is carried in the arguments and stored once at the end (each store copies the
%% state record), except before a `stats' request, which reports it.
admit(Newer, [], Len, S) when Newer =/= [] ->
    admit([], lists:reverse(Newer, []), Len, S);
admit(Newer, [{_, _, _, 0} = Next | Older], Len, S = #st{inflight = In})
  when map_size(In) < ?WINDOW ->
    admit(Newer, Older, Len - 1, start_queued(Next, S#st{queue = {Newer, Older, Len - 1}}));
admit(Newer, [{_, _, _, Size} = Next | Older], Len, S = #st{inflight = In, sent = Sent,
                                                          answered = Answered})
  when map_size(In) < ?WINDOW, Sent - Answered + Size =< ?RING_SIZE;
       map_size(In) =:= 0 ->
    %% As fits/3 says.
    admit(Newer, Older, Len - 1, start_queued(Next, S));
admit(Newer, Older, Len, S) ->
    S#st{queue = {Newer, Older, Len}}.

start_queued({Alias, Caller, Request, _Size}, S) ->
    case is_process_alive(Caller) of
        false -> S;
        true -> start(Alias, Caller, Request, S)
    end.

%% Whether a request of Size bytes may go in flight with Unanswered bytes of requests in the
%% ring or on their way to it: when it fits beside them; a request larger than the ring
%% goes alone (in pieces, as xenstored makes room); one that is not written to the ring
%% (stats) at once.
fits(0, _Unanswered, _In) -> true;
fits(Size, Unanswered, In) -> Unanswered + Size =< ?RING_SIZE orelse map_size(In) =:= 0.

%% The bytes a request takes in the ring (at most: a watch's token is written later).
wire_size({raw, _, _, Payload}) when is_binary(Payload) -> ?HEADER + byte_size(Payload);
wire_size({Watch, Path, _}) when (Watch =:= watch orelse Watch =:= unwatch), is_binary(Path) ->
    ?HEADER + byte_size(Path) + 24;
wire_size(_) -> 0.

start(Alias, _Caller, {raw, Type, Tx, Payload}, S) when is_integer(Type), is_integer(Tx),
                                                        is_binary(Payload),
                                                        byte_size(Payload) =< ?MAX_PAYLOAD ->
    send(Alias, Type, Tx, Payload, Type, S);
start(Alias, Caller, {watch, Path, Token}, S) ->
    %% The watch is routed from now on: its first event may come before the reply.
    Wire = <<(integer_to_binary(S#st.generation))/binary, $.,
             (integer_to_binary(S#st.next_watch))/binary>>,
    Watchers = case maps:is_key(Caller, S#st.watchers) of
                   true -> S#st.watchers;
                   false -> maps:put(Caller, erlang:monitor(process, Caller), S#st.watchers)
               end,
    S1 = S#st{next_watch = S#st.next_watch + 1, watchers = Watchers,
              watches = maps:put(Wire, {Caller, Path, Token}, S#st.watches)},
    send(Alias, ?XS_WATCH, 0, <<Path/binary, 0, Wire/binary, 0>>, {watch, Wire}, S1);
start(Alias, Caller, {unwatch, Path, Token}, S) ->
    case [W || {W, {P, Pa, T}} <- maps:to_list(S#st.watches),
               P =:= Caller, Pa =:= Path, T =:= Token] of
        [Wire | _] ->
            send(Alias, ?XS_UNWATCH, 0, <<Path/binary, 0, Wire/binary, 0>>,
                 {unwatch, Wire}, S);
        [] ->
            reply(Alias, {error, enoent}),
            S
    end;
start(Alias, _Caller, stats, S) ->
    reply(Alias, {ok, stats_map(S)}),
    S;
start(Alias, _Caller, Request, S) ->
    reply(Alias, {error, {unknown_request, Request}}),
    S.

%% Puts a request in the output and in flight.
send(Alias, Type, Tx, Payload, What, S = #st{next = Next, generation = G, inflight = In0,
                                               newer = Newer, max_in_flight = Most,
                                               sent = Sent0}) ->
    ReqId = (G bsl 24) bor Next,
    Size = byte_size(Payload),
    Header = <<Type:32/little, ReqId:32/little, Tx:32/little, Size:32/little>>,
    Sent = Sent0 + ?HEADER + Size,
    In = In0#{ReqId => {Alias, Type, What, Sent}},
    %% Header and payload go out as two pieces: the payload is not copied again. (This runs
    %% for every request, between a caller's call and the ring write: the counters are kept
    %% with guards and one record update, and `requests' is counted as replies + in flight.)
    case map_size(In) of
        Count when Count > Most ->
            S#st{next = (Next rem 16#FFFFFF) + 1, inflight = In, sent = Sent,
                 newer = [Payload, Header | Newer], max_in_flight = Count};
        _ ->
            S#st{next = (Next rem 16#FFFFFF) + 1, inflight = In, sent = Sent,
                 newer = [Payload, Header | Newer]}
    end.

%% Writes as much of the output as the ring takes, and notifies once: for the requests
%% written and for a full response ring emptied.
flush(S = #st{out = [], newer = [_ | _] = Newer}) ->
    %% Everything before went out: what is new usually fits, so try it whole first and ask
    %% for the free space only when it does not.
    Out = lists:reverse(Newer, []),
    case pore:write(S#st.pore, Out) of
        ok -> wrote(Out, [], S);
        {error, no_room} -> flush_fitting(S#st{out = Out, newer = []});
        {error, R} -> exit({xenstore_ring, R})
    end;
flush(S = #st{newer = [_ | _]}) ->
    %% The ring was full at the last flush: ask for the free space first, so that a full ring
    %% does not cost a copy of everything waiting.
    flush_fitting(S#st{out = S#st.out ++ lists:reverse(S#st.newer, []), newer = []});
flush(S = #st{out = []}) ->
    poke_if_due(S);
flush(S) ->
    flush_fitting(S).

%% Writes what fits in the free space now.
flush_fitting(S0 = #st{pore = P, out = Out, ring_full = Full}) ->
    S = S0#st{ring_full = Full + 1},
    {Free, _} = avail(P),
    case take(Out, Free, []) of
        {[], _} -> poke_if_due(S);
        {Now, Rest} ->
            case pore:write(P, Now) of
                ok -> wrote(Now, Rest, S);
                {error, R} -> exit({xenstore_ring, R})
            end
    end.

%% Nothing to write, but xenstored is owed word that replies were taken.
poke_if_due(S = #st{kick = true}) ->
    ok = pore:poke(S#st.pore),
    S#st{kick = false, notifies = S#st.notifies + 1};
poke_if_due(S) ->
    S.

%% Everything written is out of `out' and `newer' (a flush of new requests leaves nothing
%% older waiting; flush_fitting/1 moved `newer' into `out' first).
wrote(Now, Rest, S = #st{pore = P, notifies = N, max_batch = MaxBatch}) ->
    ok = pore:poke(P),
    %% Two pieces a request (a request cut by a full ring counts once more).
    S1 = case (length(Now) + 1) bsr 1 of
             Batch when Batch > MaxBatch ->
                 S#st{out = Rest, newer = [], kick = false, notifies = N + 1, max_batch = Batch};
             _ ->
                 S#st{out = Rest, newer = [], kick = false, notifies = N + 1}
         end,
    %% The heap grows only while requests are added, so a flush is where it peaks: sampled at
    %% every 8th flush (a process_info call at each cost the one-writer round trip 1.4% of its
    %% instructions) and when stats/0 asks.
    case N band 7 of
        0 -> sample_heap(S1);
        _ -> S1
    end.

sample_heap(S = #st{heap_hwm = Hwm}) ->
    case process_info(self(), total_heap_size) of
        {total_heap_size, Words} when Words > Hwm -> S#st{heap_hwm = Words};
        _ -> S
    end.

take(Out, 0, Acc) -> {lists:reverse(Acc, []), Out};
take([], _Free, Acc) -> {lists:reverse(Acc, []), []};
take([B | Rest], Free, Acc) when byte_size(B) =< Free ->
    take(Rest, Free - byte_size(B), [B | Acc]);
take([B | Rest], Free, Acc) ->
    <<Now:Free/binary, Later/binary>> = B,
    {lists:reverse([Now | Acc], []), [Later | Rest]}.

avail(P) ->
    case pore:avail(P) of
        {error, R} -> exit({xenstore_ring, R});
        {Free, Avail} -> {Free, Avail}
    end.

%% Takes every whole reply out of the input bytes; what is left waits in `in'.
replies(<<Type:32/little, ReqId:32/little, _Tx:32/little, Len:32/little, Rest/binary>> = In,
        Kick, S) ->
    Len =< ?MAX_PAYLOAD orelse exit({xenstore_ring, {oversized_reply, Len}}),
    case Rest of
        <<Body:Len/binary, More/binary>> -> replies(More, Kick, dispatch(Type, ReqId, Body, S));
        _ -> S#st{in = In, kick = Kick}
    end;
replies(<<>>, false, S = #st{in = <<>>, kick = false}) ->
    %% Every reply taken, nothing owed to xenstored, as before: the state stays (the common
    %% case, without a copy of the record).
    S;
replies(In, Kick, S) -> S#st{in = In, kick = Kick}.

dispatch(?XS_WATCH_EVENT, _ReqId, Body, S) ->
    case binary:split(Body, <<0>>, [global]) of
        [Path, Wire | _] ->
            case maps:find(Wire, S#st.watches) of
                {ok, {Pid, _, Token}} ->
                    Pid ! {xenstore_watch, Path, Token},
                    S#st{watch_events = S#st.watch_events + 1};
                error -> S   % a watch being removed
            end;
        _ -> exit({xenstore_ring, {bad_watch_event, Body}})
    end;
dispatch(Type, ReqId, Body, S = #st{generation = G}) ->
    case maps:take(ReqId, S#st.inflight) of
        {{Alias, Sent, What, End}, In} ->
            (Type =:= Sent orelse Type =:= ?XS_ERROR)
                orelse exit({xenstore_ring, {unexpected_type, Type, Sent, ReqId}}),
            Reply = case Type of
                        ?XS_ERROR -> {error, error_atom(Body)};
                        _ -> {ok, Body}
                    end,
            reply(Alias, Reply),
            completed(What, Reply, S#st{inflight = In, replies = S#st.replies + 1,
                                        answered = max(End, S#st.answered)});
        error when ReqId bsr 24 =/= G, G > 0 ->
            S#st{stale_replies = S#st.stale_replies + 1};
        error ->
            exit({xenstore_ring, {unknown_req_id, ReqId}})
    end.

reply(none, _) -> ok;
reply(Alias, Reply) -> Alias ! {Alias, Reply}, ok.

completed({watch, _Wire}, {ok, _}, S) ->
    report_watches(S);
completed({watch, Wire}, _Error, S) ->
    S#st{watches = maps:remove(Wire, S#st.watches)};
completed({unwatch, Wire}, _, S) ->
    report_watches(S#st{watches = maps:remove(Wire, S#st.watches)});
completed(_, _, S) -> S.

%% A watcher exited: its watches go.
forget_watcher(Pid, Mon, S) ->
    case maps:find(Pid, S#st.watchers) of
        {ok, Mon} ->
            Gone = [{W, Path} || {W, {P, Path, _}} <- maps:to_list(S#st.watches), P =:= Pid],
            S1 = S#st{watchers = maps:remove(Pid, S#st.watchers)},
            report_watches(unwatch_all(Gone, S1));
        _ -> S
    end.

%% After a restart: set the watches of live processes again.
rewatch([], S) -> S;
rewatch([{_, {Pid, Path, Token}} | Rest], S) ->
    case is_process_alive(Pid) of
        true -> rewatch(Rest, start(none, Pid, {watch, Path, Token}, S));
        false -> rewatch(Rest, S)
    end.

%% After a restart on the same connection: take over the old driver's watches; those of
%% processes that died meanwhile go.
adopt([], S) -> S;
adopt([{Wire, {Pid, Path, Token}} | Rest], S) ->
    case is_process_alive(Pid) of
        true ->
            Watchers = case maps:is_key(Pid, S#st.watchers) of
                           true -> S#st.watchers;
                           false -> maps:put(Pid, erlang:monitor(process, Pid), S#st.watchers)
                       end,
            adopt(Rest, S#st{watchers = Watchers,
                             watches = maps:put(Wire, {Pid, Path, Token}, S#st.watches)});
        false ->
            adopt(Rest, send(none, ?XS_UNWATCH, 0, <<Path/binary, 0, Wire/binary, 0>>,
                             {unwatch, Wire}, S))
    end.

%% Removes a dead watcher's watches, here and in xenstored.
unwatch_all([], S) -> S;
unwatch_all([{W, Path} | Rest], S) ->
    S1 = S#st{watches = maps:remove(W, S#st.watches)},
    unwatch_all(Rest, send(none, ?XS_UNWATCH, 0, <<Path/binary, 0, W/binary, 0>>,
                           {unwatch, W}, S1)).

%% The supervisor keeps the watch table, for the next driver should this one die.
report_watches(S = #st{sup = Sup, watches = W}) ->
    Sup ! {watches, self(), W},
    S.

error_atom(Body) ->
    case hd(binary:split(Body, <<0>>) ++ [<<>>]) of
        <<"EINVAL">> -> einval;
        <<"EACCES">> -> eacces;
        <<"EEXIST">> -> eexist;
        <<"EISDIR">> -> eisdir;
        <<"ENOENT">> -> enoent;
        <<"ENOMEM">> -> enomem;
        <<"ENOSPC">> -> enospc;
        <<"EIO">> -> eio;
        <<"ENOTEMPTY">> -> enotempty;
        <<"ENOSYS">> -> enosys;
        <<"EROFS">> -> erofs;
        <<"EBUSY">> -> ebusy;
        <<"EAGAIN">> -> eagain;
        <<"EISCONN">> -> eisconn;
        <<"E2BIG">> -> e2big;
        <<"EPERM">> -> eperm;
        <<"EQUOTA">> -> equota;
        Other -> {xenstored, Other}
    end.

%% Every request sent is in flight until its reply is counted.
requests(#st{replies = Replies, inflight = In}) -> Replies + map_size(In).

stats_map(S) ->
    #{requests => requests(S), replies => S#st.replies, max_in_flight => S#st.max_in_flight,
      max_queued => max(S#st.max_queued, min(requests(S), 1)),
      watch_events => S#st.watch_events, stale_replies => S#st.stale_replies,
      notifies => S#st.notifies, max_batch => S#st.max_batch, ring_full => S#st.ring_full,
      heap_hwm => (sample_heap(S))#st.heap_hwm,
      in_flight => map_size(S#st.inflight), queued => element(3, S#st.queue),
      watches => map_size(S#st.watches), generation => S#st.generation}.
