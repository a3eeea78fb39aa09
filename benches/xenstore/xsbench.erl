%% @doc The Xenstore write benchmark in the image: N writers x W writes of an S-byte value,
%% through the Erlang driver over the pore and through the native Xenstore outlet in its
%% `blocking' and `async' modes.
%%
%% Run it with the image's command line `-run xsbench main NLIST W SLIST DRIVERS', for
%% example `-run xsbench main 1,3,10,25 1000 1,100 pore,blocking,async' (comma-separated
%% lists of whole numbers; DRIVERS from pore, blocking and async). For each S and, within
%% it, each N, the drivers run one after another in the order given.
%%
%% Keys and values are those of the Linux reference (benches/linux/xswrite.c), under a prefix
%% per driver: writer t's write i (both from 0) goes to `data/bench/DRIVER/t/(i mod 10)' with
%% the value "t.i" padded with '.' to S bytes (cut to S bytes when longer), so the final
%% value of every key is known. Each cell (driver, S, N) starts by removing its prefix, times
%% the writes with the Xen clock (from the start signal to the last writer's last reply),
%% then asks dom0 to check: the guest writes `check PREFIX N W S' to data/dom0-ask and waits
%% for dom0's verdict in data/dom0-said (`ok ...', `mismatch ...' or `error ...'; see
%% scripts/xen-qemu). Outlet cells hand the ring over first (`xenstore_sup:suspend()'), open
%% the outlet, run, close it and resume the Erlang driver, which then asks dom0.
%%
%% Output, one line each:
%%   xsbench: cell driver=D n=N w=W s=S                      a cell starts
%%   xsbench: driver=D n=N w=W s=S ms=T cpu_ms=U errors=E check=C [RUN TIMES]
%%                                                           its result (C: ok, mismatch,
%%                                                           error or timeout)
%%   xsbench: heap_hwm words=H bytes=B                       the pore driver's heap
%%                                                           high-water mark (the highest
%%                                                           of the drivers resumed after
%%                                                           outlet cells)
%%   xsbench: done cells=K failed=F
%% T has three decimals. U is the guest's CPU time over the same span (statistics(runtime):
%% the time Xen ran its vCPU, whole milliseconds); the rest of T is spent blocked, waiting for
%% xenstored, or runnable, waiting for a physical CPU. Under Xen the line ends with
%% ` runnable_ms=R blocked_ms=B sleeps=K': those two times (three decimals) and how many times
%% the guest slept waiting for events. E counts writes that did not return ok. The program
%% halts with status 0 when every cell had no errors and an `ok' check, else 1.
-module(xsbench).

-export([main/1]).

-define(KEYS_PER_WRITER, 10).
-define(CHECK_TIMEOUT_MS, 60000).

%% @doc The entry point for `-run xsbench main NLIST W SLIST DRIVERS'.
-spec main([string()]) -> no_return().
main([NList, W, SList, Drivers]) ->
    Ns = numbers(NList),
    Ss = numbers(SList),
    Writes = list_to_integer(W),
    Ds = [list_to_existing_atom(D) || D <- split(Drivers)],
    [] = [D || D <- Ds, not lists:member(D, [pore, blocking, async])],
    %% The drivers take turns cell by cell, so that a slow spell of the emulating machine
    %% falls on all of them alike.
    Cells = [{D, S, N} || S <- Ss, N <- Ns, D <- Ds],
    warm_up(Ds),
    Results = [cell(D, N, Writes, S) || {D, S, N} <- Cells],
    Failed = length([R || R <- Results, R =/= ok]),
    case lists:member(pore, Ds) of
        true -> heap_line();
        false -> ok
    end,
    say(["done cells=", int(length(Cells)), " failed=", int(Failed)]),
    erlang:halt(case Failed of 0 -> 0; _ -> 1 end);
main(Args) ->
    erlang:display({xsbench, want_nlist_w_slist_drivers, Args}),
    erlang:halt(2).

numbers(Text) ->
    [list_to_integer(X) || X <- split(Text)].

%% "a,b,c" -> ["a", "b", "c"], without empty items.
split(Text) ->
    split(Text, [], []).

split([], [], Items) -> lists:reverse(Items, []);
split([], Item, Items) -> lists:reverse([lists:reverse(Item, []) | Items], []);
split([$, | Rest], [], Items) -> split(Rest, [], Items);
split([$, | Rest], Item, Items) -> split(Rest, [], [lists:reverse(Item, []) | Items]);
split([C | Rest], Item, Items) -> split(Rest, [C | Item], Items).

%% One line of output (iodata), straight to the console through the BIF under the I/O
%% servers, so that the image embeds little (OTP's io would bring its whole import tree).
say(Line) ->
    xenbeam:put_chars(["xsbench: ", Line, $\n]).

int(I) -> integer_to_binary(I).

%% Microseconds as milliseconds with three decimals.
ms(Micros) ->
    Frac = integer_to_binary(Micros rem 1000),
    [int(Micros div 1000), $., binary:copy(<<$0>>, 3 - byte_size(Frac)), Frac].

cell_text(Driver, N, W, S) ->
    ["driver=", atom_to_binary(Driver), " n=", int(N), " w=", int(W), " s=", int(S)].

%% One small untimed cell per driver first: the first cell of a run otherwise pays for
%% loading code and growing heaps (it measured up to three times slower). Three writers of
%% 100-byte values, so that the batching paths are warm too.
warm_up(Drivers) ->
    %% Xen scrubs the memory of the guests that ran before this one in its idle time; under
    %% emulation that takes a second or two, during which a wake-up of our vCPU can wait for
    %% a physical CPU for tens to hundreds of milliseconds (runnable_ms). Let it finish.
    receive after 2000 -> ok end,
    [begin
         Prefix = <<"data/bench/", (atom_to_binary(D))/binary>>,
         _ = run(D, Prefix, 3, 30, 100),
         _ = xenstore:rm(Prefix)
     end || D <- Drivers],
    ok.

%%% ------------------------------------------------------------------------------------
%%% One cell
%%% ------------------------------------------------------------------------------------

cell(Driver, N, W, S) ->
    say(["cell ", cell_text(Driver, N, W, S)]),
    Prefix = <<"data/bench/", (atom_to_binary(Driver))/binary>>,
    _ = xenstore:rm(Prefix),
    {Micros, CpuMs, Errors, Times} = run(Driver, Prefix, N, W, S),
    Check = check(Prefix, N, W, S),
    say([cell_text(Driver, N, W, S), " ms=", ms(Micros), " cpu_ms=", int(CpuMs),
         " errors=", int(Errors), " check=", atom_to_binary(Check), run_times_text(Times)]),
    case {Errors, Check} of
        {0, ok} -> ok;
        _ -> failed
    end.

run(pore, Prefix, N, W, S) ->
    Result = timed(fun(Key, Value) -> xenstore:write(Key, Value) end, Prefix, N, W, S),
    note_heap(),
    Result;
run(Mode, Prefix, N, W, S) ->
    ok = xenstore_sup:suspend(),
    try
        {ok, O} = xenstore_outlet:open(Mode),
        try timed(fun(Key, Value) -> xenstore_outlet:write(O, Key, Value) end,
                  Prefix, N, W, S)
        after
            xenstore_outlet:close(O)
        end
    after
        ok = xenstore_sup:resume()
    end.

%% Starts N writers, lets them go at once and waits for the last; returns the time in
%% microseconds, the CPU time in milliseconds, the number of failed writes and the change in
%% xenbeam:run_times() (undefined outside Xen).
timed(Write, Prefix, N, W, S) ->
    Parent = self(),
    Writers = [spawn_link(fun() -> writer(Parent, Write, Prefix, T, W, S) end)
               || T <- seq(0, N - 1)],
    [receive {ready, P} -> ok end || P <- Writers],
    Start = erlang:monotonic_time(microsecond),
    {_, _} = statistics(runtime),
    Times0 = xenbeam:run_times(),
    [P ! go || P <- Writers],
    Errors = sum([receive {done, P, E} -> E end || P <- Writers], 0),
    Times1 = xenbeam:run_times(),
    {_, CpuMs} = statistics(runtime),
    End = erlang:monotonic_time(microsecond),
    {End - Start, CpuMs, Errors, times_change(Times0, Times1)}.

times_change({R0, Q0, B0, S0}, {R1, Q1, B1, S1}) -> {R1 - R0, Q1 - Q0, B1 - B0, S1 - S0};
times_change(_, _) -> undefined.

%% The vCPU's time runnable (ready, waiting for a physical CPU) and blocked, and its sleeps.
run_times_text({_Running, Runnable, Blocked, Sleeps}) ->
    [" runnable_ms=", ms(Runnable), " blocked_ms=", ms(Blocked), " sleeps=", int(Sleeps)];
run_times_text(undefined) ->
    [].

writer(Parent, Write, Prefix, T, W, S) ->
    Base = <<Prefix/binary, $/, (integer_to_binary(T))/binary, $/>>,
    Keys = list_to_tuple([<<Base/binary, (integer_to_binary(K))/binary>>
                          || K <- seq(0, ?KEYS_PER_WRITER - 1)]),
    Tag = <<(integer_to_binary(T))/binary, $.>>,
    Parent ! {ready, self()},
    receive go -> ok end,
    Parent ! {done, self(), writes(Write, Keys, Tag, 0, W, S, 0)}.

writes(_Write, _Keys, _Tag, W, W, _S, Errors) ->
    Errors;
writes(Write, Keys, Tag, I, W, S, Errors) ->
    Key = element(I rem ?KEYS_PER_WRITER + 1, Keys),
    E = case Write(Key, value(Tag, I, S)) of
            ok -> 0;
            _ -> 1
        end,
    writes(Write, Keys, Tag, I + 1, W, S, Errors + E).

%% "t.i" padded with '.' to S bytes, or its first S bytes.
value(Tag, I, S) ->
    Text = <<Tag/binary, (integer_to_binary(I))/binary>>,
    case byte_size(Text) of
        L when L >= S -> binary_part(Text, 0, S);
        L -> [Text | binary:copy(<<$.>>, S - L)]
    end.

%%% ------------------------------------------------------------------------------------
%%% dom0's check and the driver's heap
%%% ------------------------------------------------------------------------------------

%% Asks dom0 to check the cell's keys; ok, mismatch, error or timeout.
check(Prefix, N, W, S) ->
    Ask = iolist_to_binary(["check ", Prefix, $\s, int(N), $\s, int(W), $\s, int(S)]),
    Subject = binary:part(Ask, 6, byte_size(Ask) - 6),
    _ = xenstore:rm(<<"data/dom0-said">>),
    ok = xenstore:watch(<<"data/dom0-said">>, dom0_check),
    ok = xenstore:write(<<"data/dom0-ask">>, Ask),
    Deadline = erlang:monotonic_time(millisecond) + ?CHECK_TIMEOUT_MS,
    Verdict = await_verdict(Subject, Deadline),
    ok = xenstore:unwatch(<<"data/dom0-said">>, dom0_check),
    flush_watch(),
    Verdict.

await_verdict(Subject, Deadline) ->
    Left = max(0, Deadline - erlang:monotonic_time(millisecond)),
    receive
        {xenstore_watch, _, dom0_check} ->
            case xenstore:read(<<"data/dom0-said">>) of
                {ok, Said} ->
                    case verdict(Said, Subject) of
                        none -> await_verdict(Subject, Deadline);
                        V -> V
                    end;
                _ ->
                    await_verdict(Subject, Deadline)
            end
    after Left ->
        timeout
    end.

%% dom0 answers "VERDICT PREFIX N W S [DETAILS]"; none when it is not about Subject.
verdict(Said, Subject) ->
    L = byte_size(Subject),
    case binary:split(Said, <<" ">>) of
        [V, Rest] when V =:= <<"ok">>; V =:= <<"mismatch">>; V =:= <<"error">> ->
            case Rest of
                <<Subject:L/binary>> -> about(V, Said);
                <<Subject:L/binary, " ", _/binary>> -> about(V, Said);
                _ -> none
            end;
        _ ->
            none
    end.

about(<<"ok">>, _Said) ->
    ok;
about(V, Said) ->
    say(["dom0: ", Said]),
    binary_to_atom(V).

flush_watch() ->
    receive {xenstore_watch, _, dom0_check} -> flush_watch()
    after 0 -> ok
    end.

note_heap() ->
    case xenstore:stats() of
        {ok, #{heap_hwm := H}} ->
            put(heap_hwm, max(H, case get(heap_hwm) of undefined -> 0; Old -> Old end));
        _ ->
            ok
    end.

heap_line() ->
    case get(heap_hwm) of
        undefined -> say("heap_hwm unknown");
        H -> say(["heap_hwm words=", int(H), " bytes=", int(H * erlang:system_info(wordsize))])
    end.

%% lists:seq/2 and lists:sum/1 as local functions: with only BIFs of `lists` called, the
%% image embeds no `lists` module (18 KiB).
seq(From, To) when From > To -> [];
seq(From, To) -> [From | seq(From + 1, To)].

sum([], Acc) -> Acc;
sum([X | Rest], Acc) -> sum(Rest, X + Acc).
