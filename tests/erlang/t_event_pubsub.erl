-module(t_event_pubsub).
-behaviour(gen_event).
-export([main/0, init/1, handle_event/2, handle_call/2, handle_info/2, terminate/2]).

%% Publish/subscribe: a gen_event manager with handlers that count, filter and crash,
%% plus a hand-rolled pub/sub over monitors and pg-style groups of processes.

init({counter, Name}) -> {ok, #{name => Name, seen => []}};
init(crashy) -> {ok, crashy}.

handle_event(boom, crashy) -> error(handler_crash);
handle_event(_, crashy) -> {ok, crashy};
handle_event({temp, T}, S = #{name := hot}) when T < 30 -> {ok, S};
handle_event(E, S = #{seen := Seen}) -> {ok, S#{seen := [E | Seen]}}.

handle_call(seen, S = #{seen := Seen}) -> {ok, lists:reverse(Seen), S}.

handle_info(_, S) -> {ok, S}.

terminate(Arg, #{name := N}) -> io:format("handler ~p terminated: ~p~n", [N, Arg]), ok;
terminate(Arg, crashy) -> io:format("crashy terminated: ~p~n", [element(1, Arg)]), ok.

subscriber(Topic, Parent) ->
    receive
        {publish, Topic, Msg} -> Parent ! {got, self(), Msg}, subscriber(Topic, Parent);
        stop -> ok
    end.

main() ->
    ok = logger:update_formatter_config(default, #{legacy_header => false,
                                                   template => ["== ", level, " == ", msg, "\n"]}),
    {ok, M} = gen_event:start_link(),
    ok = gen_event:add_handler(M, {?MODULE, all}, {counter, all}),
    ok = gen_event:add_handler(M, {?MODULE, hot}, {counter, hot}),
    ok = gen_event:add_handler(M, ?MODULE, crashy),
    io:format("~p~n", [lists:sort(gen_event:which_handlers(M))]),
    [gen_event:notify(M, {temp, T}) || T <- [20, 35, 25, 40]],
    gen_event:sync_notify(M, boom),
    timer:sleep(50),
    io:format("~p~n", [lists:sort(gen_event:which_handlers(M))]),
    io:format("all: ~p~n", [gen_event:call(M, {?MODULE, all}, seen)]),
    io:format("hot: ~p~n", [gen_event:call(M, {?MODULE, hot}, seen)]),
    io:format("~p~n", [gen_event:call(M, {?MODULE, nope}, seen)]),
    io:format("~p~n", [gen_event:delete_handler(M, {?MODULE, hot}, going_away)]),
    io:format("~p~n", [gen_event:delete_handler(M, {?MODULE, hot}, again)]),
    ok = gen_event:stop(M),
    %% A topic registry: subscribers by topic, removed when they exit.
    Self = self(),
    Subs = [{T, spawn(fun() -> subscriber(T, Self) end)} || T <- [news, news, sports]],
    Reg = lists:foldl(fun({T, P}, Acc) -> erlang:monitor(process, P), maps:update_with(T, fun(L) -> [P | L] end, [P], Acc) end,
                      #{}, Subs),
    Publish = fun(R, T, Msg) -> [P ! {publish, T, Msg} || P <- maps:get(T, R, [])], length(maps:get(T, R, [])) end,
    io:format("~p~n", [Publish(Reg, news, <<"headline">>)]),
    io:format("~p~n", [lists:sort([receive {got, _, Msg} -> Msg end || _ <- [1, 2]])]),
    [{news, First} | _] = Subs,
    First ! stop,
    Reg2 = receive {'DOWN', _, process, Dead, normal} ->
                   maps:map(fun(_, L) -> L -- [Dead] end, Reg)
           end,
    io:format("~p~n", [Publish(Reg2, news, <<"second">>)]),
    io:format("~p~n", [Publish(Reg2, weather, <<"rain">>)]),
    receive {got, _, Msg2} -> io:format("~p~n", [Msg2]) end,
    halt().
