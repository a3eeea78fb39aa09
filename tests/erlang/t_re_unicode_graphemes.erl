%% \X (extended grapheme clusters, Unicode 7.0 as erl's PCRE 8.45 has them): over all code
%% points in order, every code point after `a` and before U+0300, each assigned code point
%% after and before a character of each grapheme break class (the clusters of each,
%% hashed), then on text.
-module(t_re_unicode_graphemes).
-export([main/0]).

cps() -> lists:seq(0, 16#D7FF) ++ lists:seq(16#E000, 16#10FFFF).

clusters(Bin, Opts) ->
    {match, L} = re:run(Bin, "\\X", [global, {capture, first, index} | Opts]),
    {length(L), erlang:phash2(L)}.

main() ->
    Cps = cps(),
    All = << <<C/utf8>> || C <- Cps >>,
    erlang:display({all, clusters(All, [unicode])}),
    erlang:display({after_a, clusters(<< <<$a, C/utf8, 1>> || C <- Cps >>, [unicode])}),
    erlang:display({before_mark, clusters(<< <<C/utf8, 16#300/utf8, 1>> || C <- Cps >>,
                                          [unicode])}),
    {match, Assigned} = re:run(All, "[^\\p{Cn}\\p{Co}]", [unicode, global,
                                                          {capture, first, binary}]),
    Some = [C || [<<C/utf8>>] <- Assigned],
    erlang:display({assigned, length(Some)}),
    Reps = [$a, $\r, $\n, 1, 16#300, 16#903, 16#1100, 16#1161, 16#11A8, 16#AC00, 16#AC01,
            16#1F1E6],
    [erlang:display({after_, R, clusters(<< <<R/utf8, C/utf8, 1>> || C <- Some >>, [unicode])})
     || R <- Reps],
    [erlang:display({before, R, clusters(<< <<C/utf8, R/utf8, 1>> || C <- Some >>, [unicode])})
     || R <- Reps],
    erlang:display({bytes, clusters(list_to_binary(lists:seq(0, 255)), [])}),
    Text = unicode:characters_to_binary(
             "e\x{301}le\x{300}ve 한국어 \x{1100}\x{1161}\x{11A8} "
             "\x{1F1EB}\x{1F1F7}\x{1F1E9}\x{1F1EA} ना\x{903}म a\x{300}\x{301}\x{302}b"),
    erlang:display(re:run(Text, "\\X", [unicode, global, {capture, all, binary}])),
    erlang:display(re:run(Text, "^\\X{3}", [unicode, {capture, all, binary}])),
    erlang:display(re:run(Text, "(\\X)\\1", [unicode, {capture, all, index}])),
    erlang:display(re:run(Text, "\\X+?\\s", [unicode, global, {capture, all, index}])),
    erlang:display(re:split(Text, "(?=\\X)", [unicode, {return, list}])),
    erlang:display(re:run(<<"\r\n\r">>, "^\\X\\X$", [])),
    erlang:display(re:run(<<"ab">>, "[\\X]+", [])),
    erlang:display(re:run(<<"Xa">>, "[\\X]", [])),
    erlang:display(re:compile("(?<=\\X)a")),
    erlang:display(re:run(<<"">>, "\\X?", [])),
    erlang:display(re:run(<<"">>, "\\X", [])),
    halt().
