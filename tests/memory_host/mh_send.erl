%% Large terms copied from one process to another: messages, a message held for a later
%% delivery (a timer's, an exit signal's reason), spawn arguments, exit reasons delivered to
%% a linked or monitoring process, and process_info(P, messages). A copy the node's memory
%% cannot hold raises system_limit in the sender, or (for a reason the node delivers) is
%% replaced by system_limit; the node goes on.
-module(mh_send).
-export([main/0]).

%% A tuple of 8 million words (64 MB), four times in one term: the term takes 64 MB where it is
%% made, but a copy (which, as erl's, copies a subterm once per reference in a term of a few
%% objects) takes 256 MB, more than the generous runner's budget.
-define(HUGE, 8000000).

main() ->
    mh_run:cases([
        {send_list, fun() -> echo(lists:seq(1, 1000000), fun length/1) end},
        {send_tuple, fun() -> echo(erlang:make_tuple(2000000, x), fun tuple_size/1) end},
        {send_map, fun() -> echo(maps:from_list([{I, I} || I <- lists:seq(1, 200000)]), fun map_size/1) end},
        {send_huge, fun() ->
            T = huge(),
            P = spawn(fun() -> receive _ -> ok end end),
            R = try P ! T, sent catch error:system_limit -> system_limit end,
            exit(P, kill),
            {R, summary(T)}
        end},
        {many_to_idle, fun() ->
            T = erlang:make_tuple(4000000, x),
            P = spawn(fun() -> receive stop -> ok end end),
            R = flood(P, T, 100),
            exit(P, kill),
            R
        end},
        %% Messages that take no heap words: the queue itself is what grows.
        {atoms_to_self, fun() -> flood(self(), ok, 200000000) end},
        {atoms_to_idle, fun() ->
            P = spawn(fun() -> receive stop -> ok end end),
            R = flood(P, ok, 200000000),
            exit(P, kill),
            R
        end},
        {send_after_huge, fun() ->
            T = huge(),
            try erlang:send_after(60000, self(), T) of
                Ref -> erlang:cancel_timer(Ref), sent
            catch error:system_limit -> system_limit
            end
        end},
        {timers_held, fun() ->
            T = erlang:make_tuple(4000000, x),
            {R, Refs} = timers(T, 100, []),
            [erlang:cancel_timer(Ref) || Ref <- Refs],
            R
        end},
        {spawn_huge_arg, fun() ->
            T = erlang:make_tuple(4000000, x),
            {R, Ps} = spawns(T, 100, []),
            [P ! stop || P <- Ps],
            R
        end},
        {exit2_huge_reason, fun() ->
            T = huge(),
            P = spawn(fun() -> process_flag(trap_exit, true), receive stop -> ok end end),
            R = try exit(P, T), sent catch error:system_limit -> system_limit end,
            exit(P, kill),
            R
        end},
        {exit_reason_down, fun() ->
            {P, Ref} = spawn_monitor(fun() -> exit(huge()) end),
            receive {'DOWN', Ref, process, P, Reason} -> summary(Reason) end
        end},
        {exit_reason_link, fun() ->
            process_flag(trap_exit, true),
            P = spawn_link(fun() -> exit(huge()) end),
            receive {'EXIT', P, Reason} -> summary(Reason) end
        end},
        {process_info_huge, fun() ->
            Me = self(),
            {P, Ref} = spawn_monitor(fun() -> self() ! huge(), Me ! ready, receive stop -> ok end end),
            receive
                ready ->
                    R = try process_info(P, messages) of
                        {messages, [M]} -> summary(M)
                    catch error:system_limit -> system_limit
                    end,
                    exit(P, kill),
                    R;
                {'DOWN', Ref, process, P, Why} -> {holder, summary(Why)}
            end
        end},
        {after_all, fun() -> echo(lists:seq(1, 1000), fun length/1) end}
    ]).

%% Sends `Term` to a new process, which answers `Measure(Term)`.
echo(Term, Measure) ->
    Me = self(),
    P = spawn(fun() -> receive T -> Me ! {measured, Measure(T)} end end),
    P ! Term,
    receive {measured, N} -> N end.

%% Sends `T` to `P` up to `N` times: system_limit once the node's memory refuses a copy.
flood(_, _, 0) -> all_sent;
flood(P, T, N) ->
    try P ! T of _ -> flood(P, T, N - 1) catch error:system_limit -> system_limit end.

timers(_, 0, Refs) -> {all_started, Refs};
timers(T, N, Refs) ->
    try erlang:send_after(60000, self(), T) of
        Ref -> timers(T, N - 1, [Ref | Refs])
    catch error:system_limit -> {system_limit, Refs}
    end.

spawns(_, 0, Ps) -> {all_spawned, Ps};
spawns(T, N, Ps) ->
    try spawn(fun() -> receive stop -> tuple_size(T) end end) of
        P -> spawns(T, N - 1, [P | Ps])
    catch error:system_limit -> {system_limit, Ps}
    end.

huge() ->
    T = erlang:make_tuple(?HUGE, x),
    {T, T, T, T}.

summary({T, T, T, T}) when is_tuple(T) -> {4, tuple_size(T)};
summary(R) when is_tuple(R) -> tuple_size(R);
summary(R) -> R.
