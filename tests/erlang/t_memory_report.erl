%% Memory reporting: heap sizes and erlang:memory/0,1 as erl reports them. Only facts that
%% hold in both runtimes are printed: erl's default heap size for a fresh process, heaps that
%% grow with the data held and shrink when it is collected, memory/0's categories that add up,
%% and process memory that grows by at least the data held (ratios, not exact figures).
-module(t_memory_report).
-export([main/0]).

-define(N, 100000).

main() ->
    %% A fresh, idle process has erl's default heap size, and holds more than its heap.
    Idle = spawn(fun() -> receive stop -> ok end end),
    {heap_size, H0} = process_info(Idle, heap_size),
    {total_heap_size, T0} = process_info(Idle, total_heap_size),
    {memory, M0} = process_info(Idle, memory),
    erlang:display({fresh, H0, T0, M0 >= H0 * 8, M0 < 64 * 1024}),
    Idle ! stop,

    %% A process holding a 100,000-element list: its heap and memory grow by at least the
    %% list (two words a cell); dropped and collected, they come back down.
    Self = self(),
    Holder = spawn(fun() -> holder(Self) end),
    {heap_size, HH0} = process_info(Holder, heap_size),
    {memory, MH0} = process_info(Holder, memory),
    Holder ! build,
    receive built -> ok end,
    {total_heap_size, HT1} = process_info(Holder, total_heap_size),
    {heap_size, HH1} = process_info(Holder, heap_size),
    {memory, MH1} = process_info(Holder, memory),
    erlang:display({built, HT1 >= 2 * ?N, HT1 >= HH1, MH1 - MH0 >= 2 * ?N * 8,
                    MH1 >= HT1 * 8}),
    Holder ! drop,
    receive dropped -> ok end,
    {total_heap_size, HT2} = process_info(Holder, total_heap_size),
    {memory, MH2} = process_info(Holder, memory),
    erlang:display({dropped, HT2 < HT1 div 10, MH2 < MH1 div 10, HH0 =< HT2}),
    Holder ! stop,

    %% The caller's own view agrees with the list it holds.
    L = lists:seq(1, ?N),
    {total_heap_size, ST} = process_info(self(), total_heap_size),
    {memory, SM} = process_info(self(), memory),
    erlang:display({self, ST >= 2 * ?N, SM >= ST * 8, length(L)}),

    %% memory/0: every category there, none negative, total = processes + system, what is
    %% used never more than what is held, and the single-kind form agrees.
    All = erlang:memory(),
    Kinds = [K || {K, _} <- All],
    Get = fun(K) -> proplists:get_value(K, All) end,
    erlang:display({kinds, lists:sort(Kinds)}),
    erlang:display({non_negative, lists:all(fun({_, V}) -> is_integer(V) andalso V >= 0 end,
                                            All)}),
    erlang:display({sums, Get(total) =:= Get(processes) + Get(system),
                    Get(processes_used) =< Get(processes),
                    Get(atom_used) =< Get(atom),
                    Get(system) >= Get(atom) + Get(code) + Get(ets) + Get(binary)}),
    Total = erlang:memory(total),
    [P1, S1] = [V || {_, V} <- erlang:memory([processes, system])],
    erlang:display({single, is_integer(Total), Total >= P1, Total >= S1}),
    erlang:display({processes_hold_the_list, erlang:memory(processes) >= 2 * ?N * 8}),
    erlang:display({badarg, try erlang:memory(nonsense) catch error:E -> E end}),
    erlang:halt(0).

holder(Parent) ->
    receive
        build ->
            L = lists:seq(1, ?N),
            Parent ! built,
            receive
                drop ->
                    erlang:garbage_collect(),
                    keep(L),
                    holder_after(Parent)
            end
    end.

%% The list is live until here; collected after.
keep(L) -> ?N = length(L).

holder_after(Parent) ->
    erlang:garbage_collect(),
    Parent ! dropped,
    receive stop -> ok end.
