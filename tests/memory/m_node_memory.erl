%% Node memory: a process whose heap grows without bound is killed when the node's memory
%% budget cannot hold it (with a report naming the memory); the node, the other processes
%% and the scheduler keep running, and the memory it held is free again for a new process. A
%% process whose term_to_binary would need more working memory than the node has left is
%% killed the same way, and so are a deep recursion whose stack the node cannot hold, a
%% process that makes small binaries without end, a global re:run with millions of matches
%% (system_limit or killed) and a process that fills an ETS table without end; the memory of
%% that table's small objects then serves a process with a large heap.
-module(m_node_memory).
-export([main/0, grow/1, work/2, depth/1]).

main() ->
    Self = self(),
    {G, GRef} = spawn_monitor(?MODULE, grow, [[]]),
    W = spawn(?MODULE, work, [Self, 50]),
    Reason = receive {'DOWN', GRef, process, G, R} -> R end,
    erlang:display({grower, Reason}),
    erlang:display({worker, receive {W, Sum} -> Sum end}),
    %% A term that fits as a heap but whose encoding does not: 28 levels of pairs of one
    %% pair, a few hundred words that encode to 2^28 binaries (3.5 GB).
    {E, ERef} = spawn_monitor(fun() -> exit({encoded, byte_size(term_to_binary(double(28, <<"abcdefgh">>)))}) end),
    erlang:display({encoder, receive {'DOWN', ERef, process, E, R3} -> R3 end}),
    %% A body recursion that allocates nothing on the heap: only its stack grows.
    {D, DRef} = spawn_monitor(?MODULE, depth, [100000000]),
    erlang:display({deep, receive {'DOWN', DRef, process, D, R4} -> R4 end}),
    %% Binaries of a few bytes: each is a buffer of its own besides its heap words, and that
    %% counts too (the node's allocator would run dry first if it did not).
    {S, SRef} = spawn_monitor(fun() -> small_binaries(0, []) end),
    erlang:display({small_binaries, receive {'DOWN', SRef, process, S, R7} -> R7 end}),
    %% A global re:run with millions of (empty) matches: the matches kept cannot outgrow it.
    {X, XRef} = spawn_monitor(fun() -> exit({matched, re:run(binary:copy(<<"ab">>, 4000000), <<"x*">>, [global, {capture, first, index}])}) end),
    erlang:display({re_matches, outcome(receive {'DOWN', XRef, process, X, R8} -> R8 end)}),
    %% ETS objects count: the filler is killed and its table dies with it.
    {T, TRef} = spawn_monitor(fun() -> fill(ets:new(t, [public]), 0) end),
    erlang:display({ets, receive {'DOWN', TRef, process, T, R5} -> R5 end}),
    %% The table's millions of small blocks are free again, and serve a large heap too.
    {A, ARef} = spawn_monitor(fun() -> exit({length, length(build(2000000, []))}) end),
    erlang:display({afterwards, receive {'DOWN', ARef, process, A, R2} -> R2 end}),
    {B, BRef} = spawn_monitor(fun() -> exit({sum, lists:sum(lists:seq(1, 100000))}) end),
    erlang:display({then, receive {'DOWN', BRef, process, B, R6} -> R6 end}),
    erlang:halt(0).

%% Every step keeps the whole list and a new cell: the heap doubles, then doubles again.
grow(Acc) -> grow([Acc | Acc]).

%% Runs alongside the grower: N rounds of summing a 100,000-element list.
work(Parent, N) -> Parent ! {self(), lists:sum([lists:sum(lists:seq(1, 100000)) || _ <- lists:seq(1, N)])}.

fill(Tab, N) -> ets:insert(Tab, {N, lists:seq(1, 20)}), fill(Tab, N + 1).

small_binaries(N, Acc) -> small_binaries(N + 1, [<<N:32>> | Acc]).

outcome({system_limit, _}) -> stopped;
outcome(killed) -> stopped;
outcome({matched, _}) -> matched;
outcome(Other) -> Other.

depth(0) -> 0;
depth(N) -> 1 + depth(N - 1).

double(0, T) -> T;
double(N, T) -> double(N - 1, {T, T}).

build(0, Acc) -> Acc;
build(N, Acc) -> build(N - 1, [N | Acc]).
