-module(t_calendar).
-export([main/0]).

%% Date and time handling with calendar: weekdays, day arithmetic, leap years, durations,
%% ISO weeks, RFC 3339 strings and a small scheduler of due dates.

add_days(Date, N) ->
    calendar:gregorian_days_to_date(calendar:date_to_gregorian_days(Date) + N).

add_seconds(DT, S) ->
    calendar:gregorian_seconds_to_datetime(calendar:datetime_to_gregorian_seconds(DT) + S).

fmt({{Y, Mo, D}, {H, Mi, S}}) ->
    lists:flatten(io_lib:format("~4..0w-~2..0w-~2..0w ~2..0w:~2..0w:~2..0w", [Y, Mo, D, H, Mi, S])).

day_name(N) -> element(N, {mon, tue, wed, thu, fri, sat, sun}).

main() ->
    Dates = [{2024, 2, 29}, {2023, 12, 31}, {2000, 1, 1}, {1970, 1, 1}, {2038, 1, 19}],
    [io:format("~p ~p ~p~n", [D, day_name(calendar:day_of_the_week(D)), calendar:iso_week_number(D)])
     || D <- Dates],
    io:format("~p~n", [[{Y, calendar:is_leap_year(Y)} || Y <- [1900, 2000, 2023, 2024]]]),
    io:format("~p~n", [[calendar:last_day_of_the_month(2024, M) || M <- lists:seq(1, 12)]]),
    io:format("~p~n", [[calendar:valid_date(D) || D <- [{2023, 2, 29}, {2024, 2, 29}, {2024, 13, 1}]]]),
    io:format("~p~n", [add_days({2024, 2, 28}, 2)]),
    io:format("~p~n", [add_days({2024, 1, 1}, -1)]),
    io:format("~s~n", [fmt(add_seconds({{2024, 12, 31}, {23, 59, 30}}, 45))]),
    io:format("~p~n", [calendar:time_difference({{2024, 1, 1}, {0, 0, 0}}, {{2024, 3, 1}, {12, 30, 15}})]),
    io:format("~p~n", [calendar:seconds_to_daystime(200000)]),
    io:format("~p~n", [calendar:seconds_to_time(3725)]),
    io:format("~p~n", [calendar:time_to_seconds({1, 2, 5})]),
    io:format("~p~n", [calendar:date_to_gregorian_days(2024, 1, 1) - calendar:date_to_gregorian_days(1970, 1, 1)]),
    io:format("~p~n", [calendar:gregorian_seconds_to_datetime(63871286400)]),
    io:format("~p~n", [calendar:system_time_to_universal_time(1700000000, second)]),
    io:format("~p~n", [calendar:system_time_to_rfc3339(1700000000, [{offset, "Z"}])]),
    io:format("~p~n", [calendar:system_time_to_rfc3339(1700000000123, [{unit, millisecond}, {offset, "+02:00"}])]),
    io:format("~p~n", [calendar:rfc3339_to_system_time("2024-02-29T12:00:00Z")]),
    io:format("~p~n", [calendar:rfc3339_to_system_time("2024-02-29T12:00:00.5+01:00", [{unit, millisecond}])]),
    io:format("~p~n", [calendar:datetime_to_gregorian_seconds({{1970, 1, 1}, {0, 0, 0}})]),
    io:format("~p~n", [calendar:day_of_the_week(2024, 7, 4)]),
    %% Payments due on the 31st roll back to the month's last day.
    Due = [{2024, M, min(31, calendar:last_day_of_the_month(2024, M))} || M <- lists:seq(1, 6)],
    io:format("~p~n", [Due]),
    io:format("~p~n", [[day_name(calendar:day_of_the_week(D)) || D <- Due]]),
    %% Business days between two dates.
    Days = [add_days({2024, 3, 1}, N) || N <- lists:seq(0, 30)],
    io:format("~p~n", [length([D || D <- Days, calendar:day_of_the_week(D) < 6])]),
    io:format("~p~n", [lists:sort(fun(A, B) -> calendar:datetime_to_gregorian_seconds(A) =< calendar:datetime_to_gregorian_seconds(B) end,
                                  [{{2024, 5, 1}, {10, 0, 0}}, {{2023, 5, 1}, {10, 0, 0}}, {{2024, 5, 1}, {9, 0, 0}}])]),
    {Date, Time} = calendar:universal_time(),
    io:format("~p~n", [{calendar:valid_date(Date), element(1, Time) < 24}]),
    io:format("~p~n", [erlang:convert_time_unit(1500, millisecond, second)]),
    io:format("~p~n", [erlang:convert_time_unit(3, second, microsecond)]),
    io:format("~p~n", [catch calendar:day_of_the_week({2024, 2, 30})]),
    halt().
