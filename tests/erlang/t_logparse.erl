-module(t_logparse).
-export([main/0]).

-record(entry, {time, level, module, msg, ms}).

%% Parsing an access/application log with re, into records, then sorting and grouping.

lines() ->
    ["2024-03-01T10:00:01Z INFO  [http] GET /index.html 200 12ms",
     "2024-03-01T10:00:02Z WARN  [db] slow query took 250ms",
     "2024-03-01T10:00:02Z INFO  [http] POST /api/users 201 40ms",
     "garbage line without structure",
     "2024-03-01T10:00:05Z ERROR [http] GET /missing 404 3ms",
     "2024-03-01T10:00:07Z INFO  [cache] hit ratio 0.93",
     "2024-03-01T10:01:00Z ERROR [db] connection reset by peer",
     "2024-03-01T10:01:30Z INFO  [http] GET /index.html 200 9ms"].

parse(Line, RE) ->
    case re:run(Line, RE, [{capture, [time, level, mod, msg], list}]) of
        {match, [T, L, M, Msg]} ->
            Ms = case re:run(Msg, "(\\d+)ms", [{capture, all_but_first, list}]) of
                     {match, [N]} -> list_to_integer(N);
                     nomatch -> undefined
                 end,
            #entry{time = T, level = list_to_atom(string:lowercase(L)), module = list_to_atom(M),
                   msg = Msg, ms = Ms};
        nomatch -> {bad, Line}
    end.

main() ->
    {ok, RE} = re:compile("^(?<time>\\S+)\\s+(?<level>[A-Z]+)\\s+\\[(?<mod>\\w+)\\]\\s+(?<msg>.*)$"),
    Parsed = [parse(L, RE) || L <- lines()],
    {Entries, Bad} = lists:partition(fun(E) -> is_record(E, entry) end, Parsed),
    io:format("~p entries, bad: ~p~n", [length(Entries), Bad]),
    io:format("~p~n", [hd(Entries)]),
    ByLevel = lists:foldl(fun(#entry{level = L}, M) -> maps:update_with(L, fun(N) -> N + 1 end, 1, M) end, #{}, Entries),
    io:format("~p~n", [ByLevel]),
    Timed = [E || E = #entry{ms = Ms} <- Entries, Ms =/= undefined],
    Slowest = lists:reverse(lists:keysort(#entry.ms, Timed)),
    io:format("~p~n", [[{M, Ms} || #entry{module = M, ms = Ms} <- Slowest]]),
    io:format("~p~n", [lists:sort(fun(A, B) -> {A#entry.module, A#entry.time} =< {B#entry.module, B#entry.time} end, Entries)
                       =:= lists:keysort(#entry.module, Entries)]),
    Paths = [P || #entry{msg = Msg} <- Entries,
                  {match, [P]} <- [re:run(Msg, "^(?:GET|POST) (\\S+)", [{capture, all_but_first, binary}])]],
    io:format("~p~n", [Paths]),
    io:format("~p~n", [re:replace("user=alice pass=secret", "pass=\\S+", "pass=***", [{return, list}])]),
    io:format("~p~n", [re:split("a1b22c333d", "\\d+", [{return, list}])]),
    io:format("~p~n", [re:split("2024-03-01", "-", [{return, binary}, {parts, 2}])]),
    io:format("~p~n", [re:run("The Cat sat", "cat", [caseless, {capture, first, index}])]),
    io:format("~p~n", [re:run("aaa bbb ccc", "\\w+", [global, {capture, all, list}])]),
    io:format("~p~n", [re:replace("hello world", "(\\w+) (\\w+)", "\\2 \\1", [{return, binary}])]),
    io:format("~p~n", [re:run("price: $42.50", "\\$(\\d+)\\.(\\d{2})", [{capture, all_but_first, list}])]),
    io:format("~p~n", [re:run(<<"ünïcödé"/utf8>>, "\\w+", [unicode, {capture, all, binary}])]),
    io:format("~p~n", [re:compile("(unclosed")]),
    io:format("~p~n", [[L || L <- lines(), re:run(L, "ERROR|WARN") =/= nomatch]]),
    Emails = ["ann@example.com", "bad@", "x.y+z@sub.example.org", "@nope.com"],
    io:format("~p~n", [[{E, re:run(E, "^[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+$") =/= nomatch} || E <- Emails]]),
    halt().
