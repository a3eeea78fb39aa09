-module(t_text).
-export([main/0]).

%% Everyday string and unicode processing: splitting, trimming, case, padding, searching,
%% replacing, graphemes, and conversion between lists and binaries.

words(Text) -> string:lexemes(Text, " \t\n,.;:!?").

freq(Words) ->
    lists:foldl(fun(W, M) -> maps:update_with(string:lowercase(W), fun(N) -> N + 1 end, 1, M) end,
                #{}, Words).

title(S) ->
    lists:join(" ", [string:titlecase(W) || W <- string:lexemes(S, " ")]).

main() ->
    Text = "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs!",
    Ws = words(Text),
    io:format("~p words: ~p~n", [length(Ws), lists:sublist(Ws, 5)]),
    Top = lists:sublist(lists:reverse(lists:keysort(2, maps:to_list(freq(Ws)))), 3),
    io:format("top: ~p~n", [Top]),
    io:format("~s|~n", [string:trim("   padded   ")]),
    io:format("~s|~s|~n", [string:trim("xxhixx", leading, "x"), string:trim("xxhixx", trailing, "x")]),
    io:format("~p~n", [string:split("a,b,,c", ",", all)]),
    io:format("~p~n", [string:split(<<"key=value=more">>, "=")]),
    io:format("~p~n", [string:split("one  two", " ", trailing)]),
    io:format("~p~n", [string:tokens("a-b--c", "-")]),
    io:format("~p ~p~n", [string:uppercase("hello World"), string:lowercase(<<"ÅNGSTRÖM"/utf8>>)]),
    io:format("~ts~n", [title("hello big world")]),
    io:format("[~s] [~s] [~s]~n", [string:pad("left", 10), string:pad("right", 10, leading),
                                   string:pad("mid", 9, both, $*)]),
    io:format("~p ~p~n", [string:find("hello world", "o"), string:find("hello world", "o", trailing)]),
    io:format("~p~n", [string:find("hello", "z")]),
    io:format("~ts~n", [string:replace("a cat and a hat", "at", "og", all)]),
    io:format("~p~n", [string:prefix("prefix-rest", "prefix-")]),
    io:format("~p ~p~n", [string:is_empty(""), string:is_empty(<<"x">>)]),
    io:format("~p~n", [string:reverse("stressed")]),
    io:format("~p~n", [string:slice("hello world", 6, 3)]),
    io:format("~p ~p~n", [string:to_integer("42abc"), string:to_float("3.14rest")]),
    io:format("~p~n", [string:to_integer("nope")]),
    io:format("~p~n", [string:equal("Abc", "aBC", true)]),
    U = "Grüße, 世界! Ça va? ñandú",
    UB = unicode:characters_to_binary(U),
    io:format("~ts~n", [U]),
    io:format("~p ~p ~p~n", [length(U), string:length(UB), byte_size(UB)]),
    io:format("~w~n", [UB]),
    io:format("~p~n", [unicode:characters_to_list(UB)]),
    io:format("~tp~n", [unicode:characters_to_list(UB)]),
    io:format("~ts~n", [string:uppercase(U)]),
    io:format("~tp~n", [string:split(UB, ", ")]),
    io:format("~p~n", [[C || C <- U, C > 127]]),
    Decomposed = unicode:characters_to_nfd_list("é"),
    io:format("~w ~w~n", [Decomposed, unicode:characters_to_nfc_list(Decomposed)]),
    io:format("~p~n", [string:length([$e, 16#301, $x])]),
    io:format("~w~n", [string:next_grapheme([$e, 16#301, $x])]),
    io:format("~p~n", [unicode:characters_to_binary("ab", unicode, utf16)]),
    io:format("~p~n", [unicode:characters_to_list(<<0, 104, 0, 105>>, utf16)]),
    io:format("~p~n", [unicode:characters_to_binary(<<16#ff, 16#fe>>)]),
    io:format("~p~n", [io_lib:format("~-8s|~8s|", ["ab", "cd"])]),
    io:format("~s~n", [lists:flatten(io_lib:format("~5.2f|~e|~g", [3.14159, 12345.678, 0.5]))]),
    io:format("~p~n", [string:casefold("ẞtraße")]),
    io:format("~p~n", [[string:chomp("line\r\n"), string:chomp("line\n\n")]]),
    io:format("~p~n", [lists:map(fun string:trim/1, string:split("  a ; b ;c  ", ";", all))]),
    CSV = "name,age\nann,31\nbob,27\n",
    [Header | Rows] = [string:split(L, ",", all) || L <- string:lexemes(CSV, "\n")],
    io:format("~p~n", [[maps:from_list(lists:zip(Header, R)) || R <- Rows]]),
    halt().
