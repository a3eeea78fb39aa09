%% logger: a handler added with logger:add_handler/3 sends the events it gets to a process;
%% the default primary level (notice) filters info and debug, set_primary_config,
%% set_module_level and handler levels change that; error_logger's functions and the
%% ?LOG macros log through it. (erl's default handler is removed so that stdout compares.)
-module(t_logger).
-export([main/0, log/2]).
-include_lib("kernel/include/logger.hrl").

%% The handler: the event's level and message, to the process in the handler's config.
log(#{level := Level, msg := Msg, meta := Meta}, #{config := #{to := Pid}}) ->
    Pid ! {event, Level, msg(Msg), maps:get(mfa, Meta, none)}.

msg({string, S}) -> {string, iolist_to_binary(S)};
msg({report, R}) -> {report, R};
msg({Format, Args}) -> {text, iolist_to_binary(io_lib:format(Format, Args))}.

main() ->
    _ = logger:remove_handler(default),
    ok = logger:add_handler(probe, ?MODULE, #{config => #{to => self()}}),
    erlang:display({primary_level, maps:get(level, logger:get_primary_config())}),
    all_levels(default),
    ok = logger:set_primary_config(level, debug),
    all_levels(debug),
    ok = logger:set_primary_config(level, error),
    all_levels(error),
    ok = logger:set_primary_config(level, notice),
    ok = logger:set_module_level(?MODULE, info),
    all_levels(module_info),
    ok = logger:unset_module_level(?MODULE),
    ok = logger:set_handler_config(probe, level, warning),
    all_levels(handler_warning),
    ok = logger:set_handler_config(probe, level, all),
    logger:error("format ~p and ~s", [term, "string"]),
    logger:warning(#{what => report, n => 1}),
    logger:notice("plain string"),
    show(forms),
    ?LOG_ERROR("macro ~p", [1]),
    ?LOG_INFO("macro info hidden"),
    show(macros),
    error_logger:error_msg("legacy ~p~n", [error_msg]),
    error_logger:warning_msg("legacy warning~n"),
    error_logger:info_msg("legacy info~n"),
    error_logger:error_report([{tag, value}]),
    show(error_logger),
    %% A process that dies of an error: erl's emulator logs it.
    spawn(fun() -> erlang:error(crashed) end),
    show_crash(),
    erlang:display({handlers, lists:sort(logger:get_handler_ids())}),
    erlang:display({remove, logger:remove_handler(probe), logger:remove_handler(probe)}),
    erlang:halt(0).

all_levels(Tag) ->
    [logger:Level("~p", [Level]) || Level <- [emergency, alert, critical, error, warning,
                                              notice, info, debug]],
    show(Tag).

show(Tag) ->
    erlang:display({Tag, collect()}).

collect() ->
    receive {event, Level, Msg, _} -> [{Level, Msg} | collect()] after 50 -> [] end.

show_crash() ->
    receive
        {event, Level, {text, Text}, _} ->
            [First | _] = binary:split(Text, <<"<">>),
            erlang:display({crash, Level, First})
    after 2000 -> erlang:display(no_crash_event)
    end.
