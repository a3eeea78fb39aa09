%% re:run on patterns and subjects drawn at random (fixed seeds, so erl and xenbeam-run draw
%% the same ones): literals, classes, escapes, anchors, groups, lookaround, backreferences,
%% conditionals and inline options under every kind of quantifier, against subjects with
%% Latin-1 and (in unicode mode) UTF-8 characters and newlines, with run options drawn too.
%% A lookahead at the start of a pattern is left out: PCRE's start-of-match optimisation
%% then answers nomatch for some subjects that match.
-module(t_re_random).
-export([main/0]).
atoms() -> ["a","b","é",".","\\d","\\w","\\s","\\b","^","$","[aé]","[^a]","[a-c]","(a)","(?:ab)","(b|é)","\\1","(?!b)","(?<=a|bc)","(?<!é)","(?>a+)","[[:alpha:]]","\\B","a|b","()","(a|)","(?i)A", "\\n", "(?<n>a)", "\\k<n>", "(?(1)a|b)", "\\Z", "\\z", "\\R", "\\h", "\\x{e9}", "(?m)^", "(?s).", "\\Q.\\E", "[\\w\\s]", "(?U)a+", "\\2", "(a(b)?)", "\\K"].
quants() -> ["","","","*","+","?","*?","+?","??","{2}","{1,2}","{0,}","*+","++","{2,}?","{0,1}+"].
pat(0) -> "";
pat(N) -> A = pick(atoms()), Q = pick(quants()), A ++ Q ++ pat(N-1).
pick(L) -> lists:nth(rand:uniform(length(L)), L).
subj(0) -> "";
subj(N) -> [pick([$a,$a,$b,$b,$c,$\s,$x,$1,$\n,$A,233,201]) | subj(N-1)].
opts() -> pick([[], [global], [caseless], [multiline], [{capture, all, list}], [global, {capture, all_but_first, binary}], [dotall, global], [ungreedy], [notempty, global], [anchored], [unicode], [unicode, global], [unicode, caseless, {capture, all, list}], [{newline, crlf}, multiline, global], [{newline, any}, global], [{newline, anycrlf}, dotall], [notbol], [noteol, multiline], [{offset, 2}, global], [extended], [firstline], [dollar_endonly], [unicode, {newline, crlf}, global], [{capture, all_names, index}], [no_auto_capture]]).
main() ->
  lists:foreach(fun(Seed) ->
  rand:seed(exsss, {Seed,2,3}),
  lists:foreach(fun(I) ->
     P = pat(rand:uniform(5)), S0 = subj(rand:uniform(14)),
     O = opts(),
     S = case lists:member(unicode, O) of true -> unicode:characters_to_binary(S0); false -> S0 end,
     P2 = case lists:member(unicode, O) of true -> unicode:characters_to_binary(P); false -> P end,
     R = try re:run(S, P2, O) catch C:E -> {C,E} end,
     erlang:display({Seed, I, P, S0, O, R})
  end, lists:seq(1, 2500)) end, [1,2,3,4]),
  erlang:halt(0).
