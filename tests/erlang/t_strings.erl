%% Strings as character lists: literals, escapes, the string module, char ops.
-module(t_strings).
-export([main/0]).

id(X) -> X.

main() ->
    S = id("Hello, World"),
    erlang:display({literals, S, "", "a\nb\tc\\d\"e", [$a, $b, 0], [1, 2, 3], "\x{41}\101",
                    [955, 955], [127], [128, 255], [10, 13]}),
    erlang:display({chars, $a, $\n, $\s, $\\, $", $ä}),
    erlang:display({printable, [7, 8, 27], "\e\b\v\f", "tab\there", [$a | "bc"]}),
    erlang:display({ops, length(S), lists:reverse(S), upper(S), S ++ "!", S -- "lo"}),
    erlang:display({string_mod, string:to_upper(S), string:to_lower(S), string:tokens("a,b,,c", ","),
                    string:split("a=b=c", "="), string:split("a=b=c", "=", all),
                    string:trim("  pad  "), string:length("héllo"),
                    string:str("hello", "ll"), string:substr("hello", 2, 3),
                    string:join(["a", "b", "c"], ", "), string:copies("ab", 3),
                    string:is_empty(""), string:lexemes("  a  b c ", " "),
                    string:prefix("foobar", "foo"), string:find("abcabc", "ca"),
                    string:replace("a.b.c", ".", "-", all), string:reverse("abc"),
                    string:chr("hello", $l), string:rchr("hello", $l),
                    string:slice("hello world", 6), string:pad("ab", 5),
                    string:pad("ab", 5, leading, $.), string:casefold("ABC"),
                    string:to_integer("123abc"), string:to_float("2.5e1rest"),
                    string:equal("abc", "abc"), string:titlecase("word")}),
    erlang:display({compare, "abc" < "abd", "abc" < "abcd", "" < "a", "Z" < "a",
                    "abc" == [97, 98, 99]}),
    erlang:display({words, words(id("the quick  brown fox")), count_char($o, id("foo boo"), 0)}),
    erlang:display({caesar, caesar(id("Hello"), 3), caesar(caesar(id("Hello"), 3), 23)}),
    erlang:display({palindromes, [W || W <- ["racecar", "abba", "abc", "", "a"], W =:= lists:reverse(W)]}),
    erlang:display({unicode, unicode:characters_to_binary("héllo"),
                    unicode:characters_to_list(<<"h", 195, 169, "llo">>),
                    unicode:characters_to_binary([955, <<"x">>, "yz"]),
                    unicode:characters_to_list(<<206, 187>>, utf8)}),
    erlang:display({io_lib, lists:flatten(io_lib:format("~p ~w ~s ~b ~.16B ~c", [{a, "b"}, [1, 2], "str", 42, 255, $x]))}),
    erlang:display({io_lib2, lists:flatten(io_lib:format("~5.2f|~e|~10s|~-10s|~8.3.0b|~~|~n", [3.14159, 2.5, "right", "left", 5])),
                    lists:flatten(io_lib:format("~p", [#{a => [1, 2], b => <<"bin">>}]))}),
    erlang:halt(0).

upper([C | T]) when C >= $a, C =< $z -> [C - 32 | upper(T)];
upper([C | T]) -> [C | upper(T)];
upper([]) -> [].

words(S) -> words(S, [], []).
words([], [], Acc) -> lists:reverse(Acc);
words([], W, Acc) -> lists:reverse([lists:reverse(W) | Acc]);
words([$\s | T], [], Acc) -> words(T, [], Acc);
words([$\s | T], W, Acc) -> words(T, [], [lists:reverse(W) | Acc]);
words([C | T], W, Acc) -> words(T, [C | W], Acc).

count_char(_, [], N) -> N;
count_char(C, [C | T], N) -> count_char(C, T, N + 1);
count_char(C, [_ | T], N) -> count_char(C, T, N).

caesar(S, K) ->
    [if C >= $a, C =< $z -> $a + (C - $a + K) rem 26;
        C >= $A, C =< $Z -> $A + (C - $A + K) rem 26;
        true -> C
     end || C <- S].
