%% PCRE features beyond the everyday ones, against erl: subroutine calls and recursion,
%% DEFINE groups, conditions on assertions and on recursion, branch reset groups and the
%% backtracking verbs; their compile errors; hostile recursions that must end as erl's do.
-module(t_re_advanced).
-export([main/0]).

run(S, P, O) ->
    R = try re:run(S, P, O) catch C:E -> {C, E} end,
    io:format("~p~n", [R]).

all(S, P) -> run(S, P, [{capture, all, list}]).

glob(S, P) -> run(S, P, [global, {capture, all, list}]).

comp(P) ->
    R = case re:compile(P) of
            {ok, _} -> ok;
            E -> E
        end,
    io:format("~p ~p~n", [P, R]).

calls() ->
    %% Balanced parentheses, the classic recursions.
    all("(a(b)c)", "\\((?:[^()]|(?R))*\\)"),
    all("x(a(b(c)d)e)y", "\\((?:[^()]++|(?R))*\\)"),
    all("((a)", "\\((?:[^()]|(?R))*\\)"),
    all("(()", "^(\\((?1)*\\))$"),
    all("(()())", "^(\\((?1)*\\))$"),
    glob("(a)(b(c))((d)", "\\((?:[^()]|(?R))*\\)"),
    all("foo(bar(baz)+baz(bop))", "\\( ( (?>[^()]+) | (?R) )* \\)"),
    run("foo(bar(baz)+baz(bop))", "\\( ( (?>[^()]+) | (?R) )* \\)", [extended, {capture, all, list}]),
    all("<<a<b>c>>", "<(?:[^<>]|(?0))*>"),
    %% Nested JSON-ish brackets.
    all("{\"a\":[1,{\"b\":[2,3]}],\"c\":{}}", "(?<v>\\{(?:[^{}\\[\\]]|(?&v)|(?&a))*\\})(?(DEFINE)(?<a>\\[(?:[^{}\\[\\]]|(?&v)|(?&a))*\\]))"),
    all("[1,[2,[3]],4]", "^(\\[(?:[^\\[\\]]|(?1))*\\])$"),
    all("[1,[2,[3],4]", "^(\\[(?:[^\\[\\]]|(?1))*\\])$"),
    %% Palindromes.
    all("abcba", "^((.)(?1)\\2|.?)$"),
    all("abccba", "^((.)(?1)\\2|.?)$"),
    all("abcda", "^((.)(?1)\\2|.?)$"),
    all("racecar", "^(?:((.)(?1)\\2|)|((.)(?3)\\4|.))$"),
    all("A man, a plan", "^\\W*+(?:((.)\\W*+(?1)\\W*+\\2|)|((.)\\W*+(?3)\\W*+\\4|\\W*+.\\W*+))\\W*+$"),
    run("Able was I ere I saw Elba", "^\\W*+(?:((.)\\W*+(?1)\\W*+\\2|)|((.)\\W*+(?3)\\W*+\\4|\\W*+.\\W*+))\\W*+$", [caseless, {capture, all, list}]),
    %% Numbered, relative and named calls, Oniguruma's and Python's spellings.
    all("abab", "(ab)(?1)"),
    all("abcabc", "(a)(b)(c)(?1)(?2)(?3)"),
    all("xyxy", "(?+1)(xy)"),
    all("xyxy", "(xy)(?-1)"),
    all("a1b2", "(?<l>[a-z])(?&l)?"),
    all("a1b2", "(?<l>[a-z])\\d(?&l)\\d"),
    all("a1b2", "(?P<l>[a-z])\\d(?P>l)\\d"),
    all("a1b2", "(?<l>[a-z])\\d\\g<l>\\d"),
    all("a1b2", "(?<l>[a-z])\\d\\g'l'\\d"),
    all("a1b2", "([a-z])\\d\\g<1>\\d"),
    all("a1b2", "([a-z])\\d\\g'1'\\d"),
    all("a1b2", "([a-z])\\d\\g<-1>\\d"),
    all("1a2b", "\\d\\g<+1>\\d([a-z])"),
    all("abcd", "(?1)(?1)(?1)([a-d])"),
    all("xay", "x(?&n)y(?<n>a)?"),
    %% Captures set in a call go back to what they were when it returns.
    all("abcd", "(?:(a)|b)(?1)?(c)(?2)?"),
    all("aab", "(a)(?1)(b)"),
    all("ab", "(a|b)(?1)"),
    all("bacb", "(a|b)(?:c(?1)|a(?1))(?(1)c|d)"),
    all("xyz", "(x)(?:(y)|(z))(?3)?"),
    %% A call is atomic once it returns (PCRE 1).
    all("aaa", "(a+)(?1)"),
    all("aaaa", "(a+)(?1)a"),
    all("abcab", "(ab|abc)(?1)"),
    all("abcabc", "^(abc|ab)(?1)$"),
    %% DEFINE: date and IPv4 grammars.
    all("2024-02-29", "(?(DEFINE)(?<y>\\d{4})(?<m>0[1-9]|1[0-2])(?<d>0[1-9]|[12]\\d|3[01]))^(?&y)-(?&m)-(?&d)$"),
    all("2024-13-29", "(?(DEFINE)(?<y>\\d{4})(?<m>0[1-9]|1[0-2])(?<d>0[1-9]|[12]\\d|3[01]))^(?&y)-(?&m)-(?&d)$"),
    all("ip 192.168.1.254 and 10.0.0.1", "(?(DEFINE)(?<b>25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d))\\b(?&b)(?:\\.(?&b)){3}\\b"),
    glob("ip 192.168.1.254, 999.1.1.1 and 10.0.0.1", "(?(DEFINE)(?<b>25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d))\\b(?&b)(?:\\.(?&b)){3}\\b"),
    all("300.1.1.1", "^(?:(?&b)\\.){3}(?&b)$(?(DEFINE)(?<b>25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d))"),
    all("key = value", "^(?&w)\\s*=\\s*(?&w)$(?(DEFINE)(?<w>[a-z]+))"),
    all("ab", "(?<n>a){0}(?&n)b"),
    all("xab", "x(?<a>a)?(?(DEFINE)(?<b>b))(?&b)"),
    %% Arithmetic expressions.
    all("1+(2*3)-4", "^(?<e>(?<t>\\d+|\\((?&e)\\))(?:[-+*/](?&t))*)$"),
    all("1+(2*3-4", "^(?<e>(?<t>\\d+|\\((?&e)\\))(?:[-+*/](?&t))*)$"),
    %% Mutual recursion.
    all("abab", "^(a(?2)?)(b(?1)?)$"),
    all("ababa", "^(?:(a(?2)?)|(b(?1)?))+$"),
    %% Calls inside assertions and assertions inside called groups.
    all("abc", "a(?=(?1))(b)c"),
    all("ab", "(?<=(a))(?1)?b"),
    all("xaay", "x(a(?=a)|a)(?1)y"),
    %% \K in a call moves the match start.
    all("abc", "a(b\\K)?(?1)c"),
    %% Options with calls.
    run("ABab", "(ab)(?1)", [caseless, {capture, all, list}]),
    run("AB\nab", "^(ab)$\\n(?i:(?1))", [multiline, {capture, all, list}]),
    run("ABab", "(?i)(ab)(?-i:(?1))", [{capture, all, list}]),
    run("éaéa", "(éa)(?1)", [unicode, {capture, all, list}]),
    run("(é(ü)ß)", "\\((?:[^()]|(?R))*\\)", [unicode, {capture, all, binary}]),
    run(<<"(a(b)c) (d)">>, "\\((?:[^()]|(?R))*\\)", [global, {capture, all, binary}]),
    run("a\nb\nc", "^(?<c>[a-z])$(?:\\n(?&c))*", [multiline, {capture, all, list}]),
    run("aaa", "a(?R)?", [{capture, all, index}]),
    run("aaa", "a(?R)?", [global, {capture, all, index}]),
    run("aaab", "a(?R)|b", [{capture, all, list}]),
    %% replace and split.
    io:format("~p~n", [re:replace("f(a(b)) g(c)", "\\((?:[^()]|(?R))*\\)", "[]", [global, {return, list}])]),
    io:format("~p~n", [re:replace("abcba xyz", "\\b((.)(?1)\\2|.)\\b", "<&>", [global, {return, list}])]),
    io:format("~p~n", [re:split("a(1,2),b(3,(4)),c", ",(?![^()]*+\\))(?=(?:[^()]|(\\((?:[^()]|(?1))*\\)))*$)", [{return, list}])]),
    io:format("~p~n", [re:split("x(1)y(2(3))z", "(\\((?:[^()]|(?1))*\\))", [{return, list}])]),
    io:format("~p~n", [re:replace("2024-02-29", "(?(DEFINE)(?<d>\\d+))((?&d))-((?&d))-((?&d))", "\\4/\\3/\\2", [{return, list}])]),
    ok.

conditions() ->
    all("abcd", "(?(?=a)ab|cd)"),
    all("cdab", "(?(?=a)ab|cd)"),
    all("xcd", "(?(?=a)ab|cd)"),
    all("abcd", "(?(?!a)cd|ab)"),
    all("x1 y2", "(?(?<=x)1|2)"),
    all("y1 y2", "(?(?<=x)1|2)"),
    all("y1 x2", "(?(?<!x)1|2)"),
    all("a-b", "(?(?=.-)(.)-(.)|(.))"),
    all("b", "(?(?=(a))a|b)"),
    all("ab", "^(?(?=(a))(?1)b|c)"),
    glob("a1 b c2", "\\b(?(?=[a-z]\\d)[a-z]\\d|[a-z])\\b"),
    all("xx", "(?(?=x)x)x"),
    all("y", "(?(?=x)x)y"),
    run("AB", "(?(?=a)ab|cd)", [caseless, {capture, all, list}]),
    run("x\nab", "(?(?=^a)ab|x)", [multiline, global, {capture, all, list}]),
    %% Recursion tests.
    all("xa", "(?(R)a|x(?R))"),
    all("xxab", "^(?(R)a+|x(?R)b)"),
    all("aab", "(?(R)a+|(?R)b)"),
    all("abc", "(a(?(R1)c|b(?1)))"),
    all("<a<b>>", "(?<t><(?:[a-z]|(?&t))*(?(R&t)|>)>?)"),
    all("(a(b))", "^(\\((?:(?(R1)[a-z]|[a-z])|(?1))*\\))$"),
    all("ab", "(?(R2)b|a(?2))(b)"),
    %% Names in conditions.
    all("ab", "(?<n>a)?(?(<n>)b|c)"),
    all("c", "(?<n>a)?(?('n')b|c)"),
    all("ab", "(?<n>a)?(?(n)b|c)"),
    all("xb", "(?<n>a)?x(?(n)a|b)"),
    all("ab", "(a)?(?(+1)c|b)(c)?"),
    all("ab", "(a)(?(-1)b|c)"),
    ok.

branch_reset() ->
    all("xabcx", "(?|(a)|(b))"),
    all("xbcx", "(?|(a)|(b))"),
    all("b", "(?|(a)|(b))(c)?"),
    all("bc", "(?|(a)|(b))(c)"),
    all("abc", "(?|(a)(b)|(c))"),
    all("c", "(?|(a)(b)|(c))(d)?"),
    all("cd", "(?|(a)(b)|(c))(d)"),
    all("xyz", "(?|x(y)z|(a)(b))"),
    all("bb", "(?|(a)|(b))\\1"),
    all("ba", "(?|(a)|(b))(?1)"),
    all("2024-01-02", "(?|(\\d{4})-(\\d\\d)-(\\d\\d)|(\\d\\d)/(\\d\\d)/(\\d{4}))"),
    all("01/02/2024", "(?|(\\d{4})-(\\d\\d)-(\\d\\d)|(\\d\\d)/(\\d\\d)/(\\d{4}))"),
    run("b", "(?|(?<n>a)|(?<n>b))", [{capture, [n], list}]),
    run("b", "(?|(?<n>a)|(?<n>b))\\k<n>?", [{capture, all_names, list}]),
    run("xb", "(?|(?<n>a)|(?<n>b)(?<m>c)?)", [{capture, all_names, list}]),
    run("abab", "(?|(a)(b)|(b))+", [{capture, all, list}]),
    run("ab", "(?|(a)|b)(b)?", [{capture, all, list}]),
    run("B", "(?|(a)|(b))", [caseless, {capture, all, index}]),
    glob("ab", "(?|(a)|(b))"),
    io:format("~p~n", [re:replace("a-b", "(?|(a)|(b))", "<\\1>", [global, {return, list}])]),
    {ok, MP} = re:compile("(?|(?<x>a)|(?<x>b))(c)"),
    io:format("~p~n", [re:inspect(MP, namelist)]),
    ok.

verbs() ->
    all("aaab", "a(*SKIP)(*FAIL)|b"),
    all("aaab", "a(*SKIP)(*F)|b"),
    glob("a1 b2 c3", "b\\d(*SKIP)(*F)|\\w\\d"),
    glob("\"a,b\",c,\"d\"", "\"[^\"]*\"(*SKIP)(*F)|,"),
    io:format("~p~n", [re:split("x,\"a,b\",c", "\"[^\"]*\"(*SKIP)(*F)|,", [{return, list}])]),
    io:format("~p~n", [re:replace("keep [a b] c d", "\\[[^]]*\\](*SKIP)(*FAIL)|\\s", "_", [global, {return, list}])]),
    all("ab", "(*F)|b"),
    all("ab", "a(*FAIL)|b"),
    all("aaa", "a(*ACCEPT)b"),
    all("aaa", "(a(*ACCEPT)b)"),
    all("ab", "(?=a(*ACCEPT)x)ab"),
    all("xay", "x(?1)y(?(DEFINE)(a(*ACCEPT)zz))"),
    all("abc", "a((b)(*ACCEPT)x)c"),
    all("ac", "(?!a(*ACCEPT))ac|a"),
    all("aaacb", "a+(*COMMIT)b"),
    all("xyzABC", "(*COMMIT)ABC"),
    all("aaabc", "a+(*PRUNE)c|b"),
    all("aaabc", "a+(*SKIP)c|b"),
    all("aaabbbc", "a+(*SKIP)b+c|b"),
    all("aaab", "a+(*PRUNE:p)b|x"),
    all("abc", "a(*THEN)b(*THEN)x|abc"),
    all("ac", "^(?:a(*THEN)b|ac)$"),
    all("ac", "^(?:a(?:x|(*THEN)b)|ac)$"),
    all("aab", "^(?:a*(?:b|(*THEN)c)|aab)"),
    all("ac", "(?(DEFINE)(a(*THEN)b|ac))^(?1)$"),
    all("abc", "a(*THEN:n)c|ab"),
    all("ab", "(?=a(*PRUNE)c|ab)a|b"),
    all("ab", "(?!a(*PRUNE)c|ab)a|b"),
    all("ab", "(?!a(*COMMIT)c|ab)a|b"),
    all("ab", "(?=a(*THEN)c|ab)a|b"),
    all("abd", "(?=a(*COMMIT)c)|ab(d)"),
    all("abcab", "a(*MARK:x)b(*SKIP:x)x|ab"),
    all("aaab", "a+(*SKIP:y)x|ab"),
    all("abc", "(*MARK:A)(*SKIP:A)(*F)|c"),
    all("xaab", "a(*:m)a(*SKIP:m)c|ab"),
    all("aaaab", "(*COMMIT)a+b"),
    all("ab", "a(?>b(*COMMIT)c|b)|ab"),
    all("abc", "(?>a(*PRUNE)x|ab)|bc"),
    all("ab", "(?:a(*COMMIT)x)?ab"),
    all("aab", "(a(*COMMIT)b)?"),
    all("ab", "(?1)|b(?(DEFINE)(a(*COMMIT)x))"),
    all("xab", "(?1)|b(?(DEFINE)(a(*PRUNE)x))"),
    run("AAAB", "a(*SKIP)(*FAIL)|b", [caseless, {capture, all, list}]),
    run("aaab", "a+(*COMMIT)b", [global, {capture, all, index}]),
    run("ab ab", "b(*PRUNE)", [global, {capture, all, index}]),
    run("a\nb\nab", "^a(*COMMIT)b", [multiline, {capture, all, index}]),
    run("aaab", "(*COMMIT)b", [{capture, all, index}]),
    run("a1a2", "a(*SKIP)\\d", [global, {capture, all, index}]),
    ok.

errors() ->
    [comp(P) || P <- ["(?1", "(?&nosuch)", "(*BOGUS)", "(?1)", "(?R", "(?Rx)", "(?0",
                      "(?+0)", "(?-0)", "(?-2)(a)", "(a)\\g<+1>", "\\g<1>", "\\g<0>",
                      "\\g<x", "\\g<>", "\\g<-0>", "\\g<1", "(?&)", "(?&1a)", "(?&a", "(?P>)",
                      "(?P>a", "(?P>x)", "\\g'a", "(?R)", "(?R)a", "(a|(?R)b)", "a|(?R)",
                      "((?1))", "(a?(?1))", "(?:a|)(?R)", "(a*(?1)b)", "(?=a)(?R)",
                      "(\\1(?1))", "(?:(?R))*", "(a|(?-1)b)", "(?(R)a|(?R))", "(?1)(a(?1)?)",
                      "(a(?2)(b(?1)?))", "(a)|(?1)b", "(?(R2)a)", "(?(Rx)a)", "(?(R1x)a)",
                      "(?(R&x)a)", "(?(R&)a)", "(?(DEFINE)a|b)", "(?(DEFINE)", "(?(DEFINEX)a)",
                      "(?(nm)a)", "(?<nm>x)(?(nm)a)", "(?(<>)a)", "(?(1)a)", "(?(-1)a)",
                      "(?(+1)a)(b)", "(?(?:a)b)", "(?(?<a)b)", "(?(?<=a+)b)", "(?(?", "(?(?=",
                      "(?(?=a)b|c|d)", "(?(R)a|b|c)", "(?|(?<a>x)|(?<b>y))",
                      "(?|(?<a>x)|(?<a>y)(?<b>z))", "(*MARK)", "(*:)", "(*MARK:x", "(*MARKx)",
                      "(*mark:x)", "(*ACCEPT:x)", "(*COMMIT:x)", "(*F:x)", "(*FAIL:)",
                      "(*PRUNE:)", "(*THEN:)", "(*SKIP:ab c)", "(*:a)", "(*THEN)*",
                      "(*PRUNE)?", "(*ACCEPT)+", "a(*", "(*)", "(a)(?<=(?1))",
                      "(a+)(?<=(?1))", "(?(DEFINE)(?<a>(?&a)))"]],
    io:format("~p~n", [try re:run("a", "(?R)") catch C:E -> {C, E} end]),
    io:format("~p~n", [re:run("a", "(?1", [report_errors])]),
    ok.

hostile() ->
    %% Recursion that makes no progress: erl's recursion loop check gives nomatch.
    all("ab", "(?(R)(?R)|(?R))|b"),
    all("xb", "(?(R)(?R)|(?R))"),
    glob("ab", "b|(?(R)(?R)|(?R))"),
    run("ab", "(?(R)(?R)|(?R))", [report_errors]),
    all("ab", "((?2))((?1))"),
    all("ab", "(?(DEFINE)(?<a>(?&a)))(?&a)|b"),
    %% Deep recursion on long subjects.
    N = 10000,
    Deep = lists:duplicate(N, $() ++ lists:duplicate(N, $)),
    run(Deep, "\\((?:[^()]|(?R))*\\)", [{capture, first, index}]),
    run(Deep, "^(\\((?1)*\\))$", [{capture, first, index}]),
    run(Deep ++ ")", "^(\\((?1)*\\))$", [{capture, first, index}]),
    run([$( | Deep], "^(\\((?1)*\\))$", [{capture, first, index}]),
    Pal = lists:duplicate(3000, $a) ++ "b" ++ lists:duplicate(3000, $a),
    run(Pal, "^((.)(?1)\\2|.?)$", [{capture, first, index}]),
    run(lists:duplicate(20000, $a), "a(?R)?", [{capture, first, index}]),
    run(lists:duplicate(20000, $a), "(a(?1)?)", [{capture, first, index}]),
    %% Exponential backtracking through calls meets the match limit as in erl.
    run(lists:duplicate(30, $a) ++ "!", "^(?:(a|aa)(?1)*)*$", [report_errors]),
    run(lists:duplicate(30, $a) ++ "!", "^((?1)?a)*$", [report_errors]),
    run(lists:duplicate(30, $a) ++ "!", "^(?:(a|aa)(?1)*)*$", [{match_limit, 10000}, report_errors]),
    run(lists:duplicate(25, $a), "^(a|a(?1))*b", [{match_limit_recursion, 100}, report_errors]),
    ok.

main() ->
    calls(),
    conditions(),
    branch_reset(),
    verbs(),
    errors(),
    hostile(),
    halt().
