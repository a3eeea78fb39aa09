-module(t_server_patterns).
-behaviour(gen_server).
-export([main/0, init/1, handle_call/3, handle_cast/2, handle_info/2, handle_continue/2,
         terminate/2, format_status/2]).

%% gen_server patterns: handle_continue after init, call timeouts, deferred replies with
%% gen_server:reply, hibernation, multi_call to a local name, sys inspection and
%% persistent_term/atomics/counters for shared state.

init(Opts) ->
    {ok, #{opts => Opts, loaded => false, pending => []}, {continue, load}}.

handle_continue(load, S) ->
    {noreply, S#{loaded := true}}.

handle_call(loaded, _From, S = #{loaded := L}) -> {reply, L, S};
handle_call(slow, _From, S) -> timer:sleep(200), {reply, slow_done, S};
handle_call(wait_for_release, From, S = #{pending := P}) -> {noreply, S#{pending := [From | P]}};
handle_call(release, _From, S = #{pending := P}) ->
    [gen_server:reply(F, released) || F <- lists:reverse(P)],
    {reply, length(P), S#{pending := []}};
handle_call(sleep, _From, S) -> {reply, ok, S, hibernate};
handle_call(state_keys, _From, S) -> {reply, lists:sort(maps:keys(S)), S}.

handle_cast({set, K, V}, S) -> {noreply, S#{K => V}}.

handle_info(timeout, S) -> {noreply, S#{timed_out => true}};
handle_info(_, S) -> {noreply, S}.

terminate(_, _) -> ok.

format_status(_Opt, [_PDict, State]) -> [{data, [{"State", maps:remove(opts, State)}]}].

main() ->
    {ok, P} = gen_server:start({local, srv}, ?MODULE, [debug], []),
    io:format("~p~n", [gen_server:call(srv, loaded)]),
    io:format("~p~n", [catch gen_server:call(srv, slow, 50)]),
    timer:sleep(250),
    receive Late -> io:format("late reply: ~p~n", [element(2, Late) =:= slow_done]) after 0 -> io:format("no late message~n") end,
    Self = self(),
    Waiters = [spawn(fun() -> Self ! {waited, N, gen_server:call(srv, wait_for_release)} end) || N <- [1, 2, 3]],
    timer:sleep(20),
    io:format("released ~p~n", [gen_server:call(srv, release)]),
    io:format("~p~n", [lists:sort([receive {waited, N, R} -> {N, R} end || _ <- Waiters])]),
    io:format("~p~n", [gen_server:call(srv, sleep)]),
    timer:sleep(10),
    io:format("~p~n", [process_info(P, current_function)]),
    gen_server:cast(srv, {set, color, blue}),
    io:format("~p~n", [gen_server:call(srv, state_keys)]),
    io:format("~p~n", [sys:get_state(srv)]),
    {status, _, _, [_, _, _, _, Misc]} = sys:get_status(srv),
    io:format("~p~n", [lists:last(Misc)]),
    ok = sys:suspend(srv),
    io:format("~p~n", [catch gen_server:call(srv, loaded, 50)]),
    ok = sys:resume(srv),
    io:format("~p~n", [gen_server:multi_call(srv, loaded)]),
    io:format("~p~n", [gen_server:start({local, srv}, ?MODULE, [], [])]),
    io:format("~p~n", [catch gen_server:call(no_such_server, x)]),
    ok = gen_server:stop(srv),
    persistent_term:put({?MODULE, config}, #{mode => fast}),
    io:format("~p~n", [persistent_term:get({?MODULE, config})]),
    io:format("~p~n", [persistent_term:get({?MODULE, missing}, default)]),
    io:format("~p~n", [persistent_term:erase({?MODULE, config})]),
    C = counters:new(3, [atomics]),
    Ps = [spawn_monitor(fun() -> [counters:add(C, I, 1) || _ <- lists:seq(1, 1000)] end) || I <- [1, 2, 3, 1]],
    [receive {'DOWN', R, _, _, _} -> ok end || {_, R} <- Ps],
    io:format("~p~n", [[counters:get(C, I) || I <- [1, 2, 3]]]),
    A = atomics:new(2, [{signed, false}]),
    atomics:put(A, 1, 10),
    io:format("~p~n", [{atomics:add_get(A, 1, 5), atomics:compare_exchange(A, 1, 15, 99), atomics:get(A, 1),
                        atomics:exchange(A, 2, 7), atomics:info(A)}]),
    halt().
