-module(t_statem_door).
-behaviour(gen_statem).
-export([main/0]).
-export([init/1, callback_mode/0, locked/3, open/3, handle_common/3, terminate/3, code_change/4]).

%% A code lock: buttons collect a code; the right code opens the door for a while
%% (state_timeout), a pause between buttons clears the input (event timeout), and a
%% generic timer counts how long the lock has run.

callback_mode() -> [state_functions, state_enter].

init(Code) ->
    {ok, locked, #{code => Code, input => [], log => []},
     [{{timeout, heartbeat}, 600, beat}]}.

locked(enter, _Old, Data) ->
    {keep_state, log(entered_locked, Data#{input := []})};
locked(cast, {button, B}, Data = #{code := Code, input := In}) ->
    Input = In ++ [B],
    if
        Input =:= Code ->
            {next_state, open, log({correct, Input}, Data#{input := []})};
        length(Input) >= length(Code) ->
            {keep_state, log({wrong, Input}, Data#{input := []})};
        true ->
            {keep_state, Data#{input := Input}, [{timeout, 300, clear}]}
    end;
locked(timeout, clear, Data = #{input := In}) ->
    {keep_state, log({cleared, In}, Data#{input := []})};
locked(EventType, Event, Data) ->
    handle_common(EventType, Event, Data).

open(enter, _Old, Data) ->
    {keep_state, log(entered_open, Data), [{state_timeout, 60, lock}]};
open(state_timeout, lock, Data) ->
    {next_state, locked, log(auto_locked, Data)};
open(cast, {button, _}, Data) ->
    {keep_state, log(ignored_button, Data), [postpone]};
open(EventType, Event, Data) ->
    handle_common(EventType, Event, Data).

handle_common({call, From}, get_log, Data = #{log := Log}) ->
    {keep_state, Data, [{reply, From, lists:reverse(Log)}]};
handle_common({call, From}, state, Data) ->
    {keep_state_and_data, [{reply, From, maps:get(input, Data)}]};
handle_common({timeout, heartbeat}, beat, Data) ->
    {keep_state, log(heartbeat, Data)};
handle_common(info, Msg, Data) ->
    {keep_state, log({info, Msg}, Data)};
handle_common({call, From}, stop, Data) ->
    {stop_and_reply, normal, [{reply, From, stopped}], Data}.

terminate(Reason, State, _Data) ->
    io:format("terminate ~p in ~p~n", [Reason, State]).

code_change(_Old, State, Data, _Extra) -> {ok, State, Data}.

log(E, Data = #{log := L}) -> Data#{log := [E | L]}.

press(P, Bs) -> [gen_statem:cast(P, {button, B}) || B <- Bs], ok.

main() ->
    %% Reports without time stamps; crash reports (with heap sizes) left out.
    ok = logger:update_formatter_config(default, #{legacy_header => false,
                                                   template => ["== ", level, " == ", msg, "\n"]}),
    ok = logger:add_handler_filter(default, no_crash_reports,
                                   {fun logger_filters:domain/2, {stop, sub, [otp, sasl]}}),
    {ok, P} = gen_statem:start_link(?MODULE, [1, 2, 3], []),
    io:format("~p~n", [gen_statem:call(P, state)]),
    press(P, [1, 2]),
    io:format("input: ~p~n", [gen_statem:call(P, state)]),
    timer:sleep(70),
    io:format("after pause: ~p~n", [gen_statem:call(P, state)]),
    press(P, [3, 3, 3]),
    press(P, [1, 2, 3]),
    press(P, [9]),
    io:format("~p~n", [sys:get_state(P)]),
    timer:sleep(100),
    io:format("~p~n", [element(1, sys:get_state(P))]),
    %% The heartbeat comes well after the door locked itself again.
    timer:sleep(600),
    P ! hello,
    timer:sleep(20),
    io:format("~p~n", [gen_statem:call(P, get_log)]),
    process_flag(trap_exit, true),
    gen_statem:cast(P, unknown_cast),
    receive {'EXIT', P, Why} -> ok end,
    %% logger's handler process writes the report: let it finish first.
    timer:sleep(50),
    io:format("exit: ~P~n", [Why, 12]),
    io:format("~p~n", [is_process_alive(P)]),
    {ok, Q} = gen_statem:start(?MODULE, [4, 2], []),
    press(Q, [4, 2]),
    %% Once it has replied to stop, Q may or may not still be there when the next call
    %% starts (normal or noproc): wait until it is gone.
    QRef = monitor(process, Q),
    io:format("~p~n", [gen_statem:call(Q, stop)]),
    receive {'DOWN', QRef, process, Q, QWhy} -> io:format("down: ~p~n", [QWhy]) end,
    io:format("~p~n", [catch gen_statem:call(Q, state)]),
    halt().
