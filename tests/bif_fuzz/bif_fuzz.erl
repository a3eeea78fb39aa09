%% @doc Calls BIFs with pseudo-random arguments, each call in a process of its own, and
%% checks that the node survives every call: no BIF may panic, abort, freeze the scheduler or
%% take down anything but the process that called it.
%%
%% Usage: xenbeam-run -pa DIR bif_fuzz main SEED ROUNDS DEPTH M:F/A...
%% For each BIF named, ROUNDS calls with arguments drawn from a generator seeded by SEED (the
%% same seed gives the same calls). Each call runs in a fresh process; the result, the
%% exception or the exit is ignored: only the node matters. A call still running after
%% ?PATIENCE ms (a BIF that legitimately waits, such as hibernate/3) is killed and counted.
%% Before each call a line `{call, M, F, A, Round}' is printed, so the last such line names
%% the call that took the node down. Now and then an argument is a term DEPTH levels deep.
%% Ends with `{bif_fuzz, Calls, StillRunning}' and status 0.
-module(bif_fuzz).

-export([main/1]).

-define(PATIENCE, 300).
-define(MASK, 16#FFFFFFFFFFFFFFFF).

-spec main([string()]) -> no_return().
main([Seed, Rounds, Depth | Names]) ->
    put(seed, list_to_integer(Seed) band ?MASK bor 1),
    put(depth, list_to_integer(Depth)),
    Idle = spawn(fun idle/0),
    {Dead, Gone} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', Gone, process, Dead, _} -> ok end,
    put(pids, {Idle, Dead}),
    Targets = [target(N) || N <- Names],
    N = list_to_integer(Rounds),
    Slow = lists:sum([round_of(T, R) || T <- Targets, R <- lists:seq(1, N)]),
    erlang:display({bif_fuzz, length(Targets) * N, Slow}),
    erlang:halt(0).

target(Name) ->
    [MF, A] = string:split(Name, "/", trailing),
    [M, F] = string:split(MF, ":"),
    {list_to_atom(M), list_to_atom(F), list_to_integer(A)}.

idle() ->
    receive stop -> ok end.

nest_list(0, Acc) -> Acc;
nest_list(N, Acc) -> nest_list(N - 1, [Acc]).

nest_tuple(0, Acc) -> Acc;
nest_tuple(N, Acc) -> nest_tuple(N - 1, {Acc}).

nest_iolist(0, Acc) -> Acc;
nest_iolist(N, Acc) -> nest_iolist(N - 1, [$a, Acc | <<"b">>]).

nest_map(0, Acc) -> Acc;
nest_map(N, Acc) -> nest_map(N - 1, #{N => Acc}).

%% One call in a fresh process; 1 if it had to be killed.
round_of({M, F, A}, Round) ->
    Args = [argument() || _ <- lists:seq(1, A)],
    erlang:display({call, M, F, A, Round}),
    {Pid, Ref} = spawn_monitor(fun() ->
                                       Real = [deep(X) || X <- Args],
                                       exit({done, catch apply(M, F, Real)})
                               end),
    receive
        {'DOWN', Ref, process, Pid, _} -> 0
    after ?PATIENCE ->
        exit(Pid, kill),
        receive {'DOWN', Ref, process, Pid, _} -> 1 end
    end.

%% xorshift64: the next pseudo-random number below N.
rnd(N) ->
    X0 = get(seed),
    X1 = (X0 bxor (X0 bsl 13)) band ?MASK,
    X2 = X1 bxor (X1 bsr 7),
    X3 = (X2 bxor (X2 bsl 17)) band ?MASK,
    put(seed, X3),
    X3 rem N.

pick(Tuple) -> element(rnd(tuple_size(Tuple)) + 1, Tuple).

%% A term at most Depth levels deep, biased towards what BIFs take.
term(0) -> leaf();
term(Depth) ->
    case rnd(12) of
        0 -> [term(Depth - 1) || _ <- lists:seq(1, rnd(5))];
        1 -> [term(Depth - 1) | term(Depth - 1)];
        2 -> list_to_tuple([term(Depth - 1) || _ <- lists:seq(1, rnd(5))]);
        3 -> maps:from_list([{term(Depth - 1), term(Depth - 1)} || _ <- lists:seq(1, rnd(4))]);
        4 -> [pick(options()) || _ <- lists:seq(1, rnd(3))];
        5 -> [pick({<<"io">>, $a, "list", [<<"deep">>, [$x]]}) | pick({[], <<"tail">>, $z})];
        _ -> leaf()
    end.

%% Now and then a term DEPTH levels deep, for any walk over a term that recurses natively
%% on its depth; it is built in the process that makes the call (see deep/1), so that the
%% fuzzer's own heap stays small.
argument() ->
    case rnd(24) of
        0 -> {'$deep', rnd(4)};
        _ -> term(3)
    end.

deep({'$deep', K}) ->
    D = get(depth),
    element(K + 1, {nest_list(D, []), nest_tuple(D, x), nest_iolist(D, <<"x">>),
                    nest_map(D div 100, #{})});
deep(X) -> X.

leaf() ->
    case rnd(10) of
        0 -> pick({0, 1, -1, 2, 7, 255, 256, 65535, 16#10FFFF, 16#110000, 1 bsl 27,
                   (1 bsl 59) - 1, 1 bsl 59, 1 bsl 64, -(1 bsl 64), 1 bsl 200});
        1 -> pick({1 bsl 31, 1 bsl 32, 1 bsl 40, 1 bsl 62, -(1 bsl 40), 16#7FFFFFFF});
        2 -> pick({0.0, -0.0, 1.5, -2.5e10, 1.0e300, 5.0e-324, 3.0});
        3 -> pick(atoms());
        4 -> pick({<<>>, <<0>>, <<"abc">>, <<255, 254, 0, 1>>, <<"héllo"/utf8>>, <<5:3>>,
                   binary:part(<<"0123456789abcdef">>, 3, 7), <<131, 107, 0, 1, 65>>,
                   <<"1.5e3">>, <<"-42">>, <<"a/b">>});
        5 -> pick({"", "abc", "héllo", [16#10FFFF], [16#110000], [-1], "1.5", "-42", "a/b"});
        6 -> pick(element(1, get(pids)), element(2, get(pids)));
        7 -> pick({make_ref(), fun(X) -> X end, fun erlang:abs/1, fun() -> ok end,
                   fun lists:reverse/1});
        8 -> rnd(20);
        _ -> rnd(1 bsl 40) - (1 bsl 39)
    end.

pick(A, B) -> case rnd(2) of 0 -> A; 1 -> B end.

atoms() ->
    {ok, error, true, false, undefined, infinity, '', x, utf8, latin1, unicode, safe, used,
     global, set, bag, ordered_set, public, named_table, flush, info, reductions, heap_size,
     max_heap_size, trap_exit, priority, high, low, process, alias, demonitor, millisecond,
     native, second, erlang, lists, binary, tuple, line, raw, packet, decimals, compact,
     scientific, message_queue_len, memory, registered_name, min_heap_size, link, monitor,
     abs, reverse, self, node, nonode@nohost, io, all, total, processes, queue, scope,
     explicit_unalias, reply_demonitor, kill, normal, shutdown, badarg, timeout, utf16, utf32,
     big, little, endian}.

options() ->
    {safe, used, global, flush, info, link, monitor, {decimals, 3}, {decimals, 300}, compact,
     {scientific, 20}, {compressed, 9}, {minor_version, 2}, {line_length, 4},
     {packet_size, 10}, {alias, demonitor}, {priority, high}, {min_heap_size, 1000},
     {max_heap_size, 100}, {scope, x}, {part, {1, 2}}, {abs, true}, set, public,
     named_table, {keypos, 2}, {read_concurrency, true}, {unit, second}}.
