%% What an everyday program passes to BIFs besides the plain case: sends to `{Name, Node}`
%% (a name not registered here and another node drop the message; a bare name is badarg),
%% send/3's options and send_nosuspend, spawn_opt's options (anything erl does not take is
%% badarg with cause badopt; `{monitor, Opts}` monitors), the encodings of the atom BIFs,
%% unique_integer's modifiers, and the option lists of halt/2 (checked before halting),
%% binary_to_term/2, monitor/3, garbage_collect/2 and system_flag/2 with erl's causes;
%% bump_reductions/1's argument; float_to_list's scientific digits up to erl's buffer;
%% is_record/3's tag and node/1's argument; ets:give_away/3's error causes; the system_info
%% of message_queue_data, port_parallelism and dist_ctrl.
-module(t_bif_options).
-export([main/0]).

c(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

top([{M, F, A, Info} | _]) -> {M, F, A, proplists:get_value(error_info, Info)};
top(_) -> none.

shape(P) when is_pid(P) -> pid;
shape({P, R}) when is_pid(P), is_reference(R) -> pid_ref;
shape(X) -> X.

main() ->
    Node = node(),
    %% Sends.
    erlang:display(c(fun() -> {no_such_name, Node} ! hi end)),
    erlang:display(c(fun() -> erlang:send({no_such_name, Node}, hi) end)),
    erlang:display(c(fun() -> {no_such_name, 'other@host'} ! hi end)),
    erlang:display(c(fun() -> no_such_name ! hi end)),
    erlang:display(c(fun() -> erlang:send({1, Node}, hi) end)),
    erlang:display(c(fun() -> erlang:send({a, 1}, hi) end)),
    erlang:display(c(fun() -> erlang:send({no_such_name, Node}, hi, [noconnect]) end)),
    erlang:display(c(fun() -> erlang:send({no_such_name, 'other@host'}, hi, [noconnect]) end)),
    erlang:display(c(fun() -> erlang:send({no_such_name, 'other@host'}, hi, [nosuspend]) end)),
    erlang:display(c(fun() -> erlang:send(no_such_name, hi, [noconnect]) end)),
    erlang:display(c(fun() -> erlang:send(self(), one, [nosuspend, noconnect]) end)),
    erlang:display(c(fun() -> erlang:send(self(), two, [bogus]) end)),
    erlang:display(c(fun() -> erlang:send(self(), three, bogus) end)),
    erlang:display(c(fun() -> erlang:send_nosuspend({no_such_name, Node}, hi) end)),
    erlang:display(c(fun() -> erlang:send_nosuspend(self(), four) end)),
    erlang:display(c(fun() -> erlang:send_nosuspend({x, 'other@host'}, hi, [noconnect]) end)),
    register(t_bif_options_me, self()),
    erlang:display(c(fun() -> {t_bif_options_me, Node} ! five end)),
    erlang:display(c(fun() -> erlang:send({t_bif_options_me, Node}, six, [noconnect]) end)),
    erlang:display(lists:reverse(drain([]))),
    %% spawn_opt.
    F = fun() -> ok end,
    Opts = [link, monitor, {monitor, []}, {monitor, [{alias, demonitor}]},
            {monitor, [{alias, reply_demonitor}]}, {monitor, bad}, {monitor, [bad]},
            {monitor, [{alias, bad}]}, {fullsweep_after, 5}, {fullsweep_after, -1},
            {fullsweep_after, a}, {scheduler, 0}, {scheduler, 1}, {scheduler, 99},
            {scheduler, a}, {min_heap_size, 10}, {min_heap_size, -1},
            {min_heap_size, a}, {min_bin_vheap_size, 10}, {min_bin_vheap_size, -1},
            {max_heap_size, 100000}, {max_heap_size, a}, {message_queue_data, on_heap},
            {message_queue_data, bad}, {priority, high}, {priority, x}, {bogus, 1}, bogus,
            {link, true}, "x", {a, b, c}, 1],
    lists:foreach(
        fun(O) ->
            erlang:display({O, case c(fun() -> spawn_opt(F, [O]) end) of
                                   {ok, V} -> shape(V);
                                   E -> E
                               end})
        end, Opts),
    erlang:display(c(fun() -> spawn_opt(F, [link | bad]) end)),
    erlang:display(c(fun() -> spawn_opt(lists, seq, [1, 2], [bogus]) end)),
    {Pid, Ref} = spawn_opt(fun() -> receive go -> exit(done) end end,
                           [{monitor, [{alias, demonitor}]}]),
    Pid ! go,
    erlang:display(receive {'DOWN', Ref, process, Pid, Why} -> {down, Why} end),
    %% spawn_request takes the same options besides its own.
    Req = spawn_request(F, [{reply_tag, tag}, {fullsweep_after, 1}]),
    erlang:display(receive {tag, Req, Ok, P} -> {Ok, is_pid(P)} end),
    Req2 = spawn_request(F, [{bogus, 1}]),
    erlang:display(receive {spawn_reply, Req2, error, Why2} -> Why2 end),
    %% Encodings of the atom BIFs.
    erlang:display(c(fun() -> atom_to_binary(abc, utf8) end)),
    erlang:display(c(fun() -> atom_to_binary(abc, unicode) end)),
    erlang:display(c(fun() -> atom_to_binary(abc, latin1) end)),
    erlang:display(c(fun() -> atom_to_binary(abc, bogus) end)),
    erlang:display(c(fun() -> atom_to_binary(abc, utf16) end)),
    erlang:display(c(fun() -> binary_to_atom(<<"abc">>, bogus) end)),
    erlang:display(c(fun() -> binary_to_atom(<<"abc">>, unicode) end)),
    erlang:display(c(fun() -> binary_to_existing_atom(<<"abc">>, bogus) end)),
    erlang:display(c(fun() -> binary_to_existing_atom(<<"abc">>, latin1) end)),
    %% unique_integer's modifiers.
    erlang:display(c(fun() -> is_integer(erlang:unique_integer([positive, monotonic])) end)),
    erlang:display(c(fun() -> is_integer(erlang:unique_integer([])) end)),
    erlang:display(c(fun() -> erlang:unique_integer([bogus]) end)),
    erlang:display(c(fun() -> erlang:unique_integer(positive) end)),
    erlang:display(c(fun() -> erlang:unique_integer([positive | monotonic]) end)),
    %% Option lists of other BIFs: halt/2 checks them before halting.
    erlang:display(c(fun() -> erlang:halt(0, [bogus]) end)),
    erlang:display(c(fun() -> erlang:halt(0, [{flush, maybe}]) end)),
    erlang:display(c(fun() -> erlang:halt(0, bogus) end)),
    erlang:display(c(fun() -> erlang:halt(x, [bogus]) end)),
    erlang:display(c(fun() -> erlang:halt(x, []) end)),
    erlang:display(c(fun() -> erlang:halt(-1, [{flush, true}]) end)),
    erlang:display(c(fun() -> binary_to_term(<<131, 97, 1>>, [bogus]) end)),
    erlang:display(c(fun() -> binary_to_term(<<131, 97, 1>>, bogus) end)),
    erlang:display(c(fun() -> binary_to_term(<<131, 97, 1>>, [safe | x]) end)),
    erlang:display(c(fun() -> binary_to_term(<<131, 97>>, [bogus]) end)),
    erlang:display(c(fun() -> binary_to_term(<<131, 97>>, [safe]) end)),
    erlang:display(c(fun() -> binary_to_term(<<131, 97, 1>>, [safe, used]) end)),
    erlang:display(c(fun() -> erlang:monitor(process, self(), [bogus]) end)),
    erlang:display(c(fun() -> erlang:monitor(process, self(), bogus) end)),
    erlang:display(c(fun() -> erlang:monitor(process, self(), [{alias, x}]) end)),
    erlang:display(c(fun() -> erlang:monitor(port, self(), []) end)),
    erlang:display(c(fun() -> erlang:garbage_collect(self(), [bogus]) end)),
    erlang:display(c(fun() -> erlang:garbage_collect(self(), bogus) end)),
    erlang:display(c(fun() -> erlang:garbage_collect(self(), [{type, x}]) end)),
    erlang:display(c(fun() -> erlang:garbage_collect(x, []) end)),
    lists:foreach(
        fun({Flag, V}) -> erlang:display(c(fun() -> erlang:system_flag(Flag, V) end)) end,
        [{schedulers_online, a}, {fullsweep_after, a}, {multi_scheduling, a},
         {scheduler_wall_time, a}, {time_offset, a}, {erts_alloc, a}, {min_heap_size, a},
         {max_heap_size, a}, {backtrace_depth, a}, {"x", 1}, {bogus, 1}]),
    erlang:display(c(fun() -> erlang:bump_reductions(0) end)),
    erlang:display(c(fun() -> erlang:bump_reductions(-1) end)),
    erlang:display(c(fun() -> erlang:bump_reductions(a) end)),
    erlang:display(c(fun() -> erlang:bump_reductions(1 bsl 70) end)),
    %% float_to_list's scientific digits: as many as erl's 255-character buffer holds.
    lists:foreach(
        fun({X, N}) ->
            erlang:display({X, N, case c(fun() -> float_to_list(X, [{scientific, N}]) end) of
                                      {ok, L} -> length(L);
                                      E -> E
                                  end})
        end,
        [{X, N} || X <- [1.5, -1.5, 1.0e100, -1.0e-100], N <- [247, 248, 249, 250, 300]]),
    erlang:display(c(fun() -> float_to_list(1.5, [{scientific, -3}]) end)),
    erlang:display(c(fun() -> float_to_binary(1.5, [{scientific, 250}]) end)),
    erlang:display(c(fun() -> float_to_list(1.5, [{decimals, -1}]) end)),
    %% is_record/3 and node/1 check their arguments.
    T = list_to_tuple([a, 1]),
    A = list_to_atom("a"),
    erlang:display([c(fun() -> erlang:is_record(T, A, N) end) || N <- [-1, 0, 2, 1 bsl 70, x]]),
    erlang:display([c(fun() -> erlang:is_record(T, K, 2) end) || K <- [1, "a", {a}]]),
    erlang:display([c(fun() -> erlang:is_record(X, A, 2) end) || X <- [x, {}, {1, 2}]]),
    erlang:display([c(fun() -> erlang:node(X) end)
                    || X <- [x, self(), make_ref(), 1, {a, b}, list_to_atom("n@h")]]),
    %% ets:give_away/3's error causes.
    Tab = ets:new(t_bif_options_tab, [public, named_table]),
    Dead = spawn(fun() -> ok end),
    Other = spawn(fun() -> receive stop -> ok end end),
    Mon = monitor(process, Dead),
    receive {'DOWN', Mon, process, Dead, _} -> ok end,
    erlang:display(c(fun() -> ets:give_away(Tab, self(), x) end)),
    erlang:display(c(fun() -> ets:give_away(Tab, Dead, x) end)),
    erlang:display(c(fun() -> ets:give_away(Tab, x, x) end)),
    erlang:display(c(fun() -> ets:give_away(no_such_table, Other, x) end)),
    erlang:display(c(fun() -> ets:give_away(Tab, Other, x) end)),
    erlang:display(c(fun() -> ets:give_away(Tab, Other, x) end)),
    Other ! stop,
    %% system_info of defaults a program may ask for.
    erlang:display([{I, c(fun() -> erlang:system_info(I) end)}
                    || I <- [message_queue_data, port_parallelism, dist_ctrl]]),
    halt().

drain(Acc) ->
    receive M -> drain([M | Acc]) after 0 -> Acc end.
