%% The re module: re:run/2,3 and re:compile/1,2 over PCRE's syntax (literals, escapes,
%% classes, anchors, quantifiers, groups, lookaround, backreferences, inline options), run
%% options (offset, global, capture specifications of every type, notbol/noteol/notempty,
%% newline conventions), unicode subjects, compile errors and bad arguments, and the
%% functions OTP's re.erl builds on them (replace, split).
-module(t_re).
-export([main/0]).

main() ->
    syntax(),
    options(),
    captures(),
    global(),
    unicode(),
    errors(),
    badargs(),
    limits(),
    replace_split(),
    erlang:halt(0).

show(Tag, V) -> erlang:display({Tag, V}).

e(F) ->
    try F() of
        V -> V
    catch
        C:R -> {C, R}
    end.

run(S, P) -> run(S, P, []).
run(S, P, O) -> show({no_cr(S), pattern(P), O}, e(fun() -> re:run(S, P, O) end)).

%% erl's console turns "\n" into "\r\n": subjects with a CR are shown with <CR> instead.
no_cr(B) when is_binary(B) -> binary:replace(B, <<"\r">>, <<"<CR>">>, [global]);
no_cr([C | T]) when is_integer(C) -> [if C =:= $\r -> "<CR>"; true -> C end | no_cr(T)];
no_cr(T) -> T.

%% A compiled pattern's binary is the engine's own: print only its visible fields.
pattern({re_pattern, N, U, C, _}) -> {re_pattern, N, U, C};
pattern(P) -> P.

syntax() ->
    [run(S, P) || {S, P} <-
        [{"abc", "b"}, {"abc", "x"}, {"aXbc", "a.b"}, {"a\nb", "a.b"},
         {"hello world", "o w"}, {"a+b", "a\\+b"}, {"tab\there", "\\t"},
         {"x\x01y", "\\x01"}, {"x\x41y", "\\x{41}"}, {"x\101y", "\\101"},
         {"a.b*c", "\\Q.b*\\E"}, {"ctrl\x01", "\\cA"}, {"esc\e", "\\e"},
         {"a1b22c333", "\\d+"}, {"ab_12 cd", "\\w+"}, {"a \t\nb", "\\s+"},
         {"12ab", "\\D+"}, {"ab  cd", "\\W+"}, {"  ab", "\\S+"},
         {"cat", "[abc]+"}, {"xyz", "[^x]+"}, {"a-z", "[a\\-z]+"}, {"]a]", "[]a]+"},
         {"Mixed Case 42", "[[:upper:]][[:lower:]]+"}, {"x 42!", "[[:digit:][:punct:]]+"},
         {"ab12", "[[:^alpha:]]+"}, {"deadBEEF", "[[:xdigit:]]+"}, {"\t x", "[[:blank:]]+"},
         {"a-b", "[\\w-]+"}, {"q9", "[\\d-z]+"}, {"3.5", "[.]"},
         {"abc", "^abc$"}, {"xabc", "^abc"}, {"abc\n", "abc$"}, {"abc\nd", "abc$"},
         {"one\ntwo", "^two"}, {"the cat", "\\bcat\\b"}, {"concat", "\\bcat"},
         {"concat", "\\Bcat"}, {"abc", "\\Aabc\\z"}, {"abc\n", "abc\\Z"}, {"abc\n", "abc\\z"},
         {"aaa", "a*"}, {"aaa", "a+?"}, {"aaa", "a*?"}, {"aaa", "a{2}"}, {"aaaa", "a{2,}"},
         {"aaaa", "a{1,3}"}, {"aaaa", "a{1,3}?"}, {"a{,3}", "a{,3}"}, {"ab{2}", "b{x}"},
         {"aaab", "a*+b"}, {"aaa", "a*+a"}, {"aaa", "a++"}, {"ab", "a?+b"},
         {"abcabc", "(abc)+"}, {"abab", "(?:ab)*"}, {"ac", "a(b)?c"}, {"xay", "(a|b|c)"},
         {"foobar", "foo(?=bar)"}, {"foobaz", "foo(?=bar)"}, {"foobaz", "foo(?!bar)"},
         {"xbar", "(?<=x)bar"}, {"ybar", "(?<!x)bar"}, {"abcd", "(?<=ab|b)c"},
         {"aaab", "(?>a+)b"}, {"aaa", "(?>a+)a"}, {"abab", "(ab)\\1"}, {"abba", "(a)(b)\\2\\1"},
         {"xx", "(?<c>x)\\k<c>"}, {"yy", "(?P<c>y)(?P=c)"}, {"zz", "(?'c'z)\\k{c}"},
         {"aa", "(a)\\g1"}, {"aa", "(a)\\g{1}"}, {"aa", "(a)\\g{-1}"},
         {"ABC", "(?i)abc"}, {"aBc", "a(?i)bc"}, {"aBC", "a(?i:b)C"}, {"aBc", "a(?i:b)C"},
         {"A\nb", "(?s)A.b"}, {"x\nab", "(?m)^ab$"}, {"a b", "(?x) a \\  b # comment"},
         {"aaa", "(?U)a+"}, {"aaa", "(?U)a+?"}, {"Ab", "(?i)a(?-i)b"}, {"AB", "(?i)a(?-i)b"},
         {"ab", "(a)?(?(1)b|c)"}, {"c", "(a)?(?(1)b|c)"}, {"xyz", "x(?#comment)y"},
         {"abcd", "a(?:b(c))d"}, {"aaa", "(a*)*"}, {"aab", "(a*)*b"}, {"", "a*"},
         {"", "^$"}, {"abc", ""}, {"ab\r\nc", "\\R"}, {"a\x{0b}b", "\\v"}, {"a\tb", "\\h"},
         {"foobar", "foo\\Kbar"}, {"2024-01-15", "(\\d{4})-(\\d{2})-(\\d{2})"},
         {"user@example.com", "^[\\w.]+@([\\w]+)\\.(\\w+)$"},
         {"<<a>>", "<(<?)a>\\1"}, {[233], "\\w"}, {[201], [233]}, {"x", "(?:)x"}
        ]],
    run("ABC", "abc", [caseless]),
    run("a\nb", "a.b", [dotall]),
    run("x\nab", "^ab$", [multiline]),
    run("ab\n", "ab$", [dollar_endonly]),
    run("a b", " a \\  b ", [extended]),
    run("aaa", "a+", [ungreedy]),
    run("xab", "ab", [anchored]),
    run("abab", "ab", [anchored, {offset, 2}]),
    run("ab", "^ab", [notbol]),
    run("ab", "ab$", [noteol]),
    run("x\nab", "^ab", [notbol, multiline]),
    run("", "a*", [notempty]),
    run("ba", "a*", [notempty]),
    run("ba", "a*", [notempty_atstart]),
    run("aab", "(a)(b)?", [no_auto_capture]),
    run("ab\ncd", "cd", [firstline]),
    run("abcd\nx", "cd", [firstline]),
    run("ab", "(?<n>a)(?<n>b)", [dupnames]),
    run("ab", "(*CRLF)a", []),
    run("xABCx", "abc", [{offset, 1}, caseless]).

options() ->
    [run(S, P, O) || {S, P, O} <-
        [{"a\r\nb", "^b", [multiline, {newline, crlf}]},
         {"a\rb", "^b", [multiline, {newline, cr}]},
         {"a\rb", "^b", [multiline, {newline, lf}]},
         {"a\rb", "^b", [multiline, {newline, any}]},
         {"a\x{0b}b", "^b", [multiline, {newline, any}]},
         {"a\x{0b}b", "^b", [multiline, {newline, anycrlf}]},
         {"a\r\nb", "a.", [{newline, crlf}]},
         {"a\rx", "a.", [{newline, crlf}]},
         {"a\rx", "a.", [{newline, cr}]},
         {"ab\r\n", "ab$", [{newline, crlf}]},
         {"ab\r\n", "ab$", [{newline, anycrlf}]},
         {"ab\r", "ab$", [{newline, any}]},
         {"ab", "b", [{offset, 1}]},
         {"ab", "a", [{offset, 1}]},
         {"ab", "", [{offset, 2}]},
         {"abab", "\\Gab", [{offset, 2}]},
         {"abab", "\\Gb", [{offset, 2}]},
         {"a\r\nb", "\\R", [bsr_anycrlf]},
         {"a\x{0c}b", "\\R", [bsr_anycrlf]},
         {"a\x{0c}b", "\\R", [bsr_unicode]}
        ]],
    {ok, MP} = re:compile("^b", [multiline]),
    run("a\nb", MP, [{newline, cr}]),
    run("a\rb", MP, [{newline, cr}]),
    run("xab", MP, [anchored]),
    {ok, MP2} = re:compile("b", [caseless]),
    run("aB", MP2),
    run("aB", MP2, [{offset, 1}, notbol, noteol, notempty, report_errors]).

captures() ->
    {ok, MP} = re:compile("(?<year>\\d{4})-(?<mon>\\d\\d)(-(?<day>\\d\\d))?"),
    show(compiled, pattern(MP)),
    show(groups, element(2, MP)),
    show(names, re:inspect(MP, namelist)),
    S = <<"on 2024-03 and 2025-04-01">>,
    [run(S, MP, [{capture, V, T}]) ||
        V <- [all, all_but_first, first, none, all_names, [], [0, 3], [year, "mon", day],
              [4, 7, "nosuch", nosuch]],
        T <- [index, list, binary]],
    [run(S, MP, [global, {capture, V, T}]) ||
        V <- [all, all_names, first], T <- [index, list, binary]],
    run(S, MP, [{capture, all}]),
    run(S, MP, [{capture, [day, year]}]),
    run("abc", "(?<z>a)(?<a>b)", [{capture, all_names, list}]),
    run("abc", "b", [{capture, all_names}]),
    run(["ab", [<<"c">>, $d]], "b(c)d", [{capture, all, binary}]),
    run(["ab", [<<"c">>, $d]], "b(c)d", [{capture, all, list}]),
    run("abc", "(x)?b", [{capture, all, binary}]),
    run("abc", "(x)?b", [{capture, all, list}]),
    run(<<"abc">>, "(x)?(b)", [{capture, all_but_first, index}]).

global() ->
    [run(S, P, [global | O]) || {S, P, O} <-
        [{"abab", "ab", []}, {"abab", "b", [{capture, first, list}]},
         {"abc", "", []}, {"abc", "x*", []}, {"aaa", "a*", []}, {"baaac", "a*", []},
         {"a1b22c333", "\\d+", [{capture, all, list}]},
         {"k1=v1;k2=v2", "(\\w+)=(\\w+)", [{capture, all_but_first, binary}]},
         {"a\r\nb", "", [{newline, crlf}]}, {"a\r\nb", "", []},
         {"a\nb\nc", "^", [multiline]}, {"a\nb\nc", "$", [multiline]},
         {"abc", "(?=b)|c", []}, {"abcabc", "b", [{offset, 2}]},
         {"xyz", "x", [{capture, none}]}, {"xyz", "q", [{capture, none}]},
         {"aaa", "a|", []}, {"ab", "\\b", []}, {"one two", "\\w*", []},
         {"ab", "(?=b)|b", []}, {"ab", "(?:)|b", []}, {"xb", "\\B|b", []},
         {"baAa", "(?<=a).*?(a|)*?", []}
        ]].

unicode() ->
    U = <<"naïve café ünïcödé €5"/utf8>>,
    run(U, "é", [unicode]),
    run(U, <<"é"/utf8>>, [unicode, global, {capture, all, list}]),
    run(<<"naïve café"/utf8>>, "\\w+", [unicode, global, {capture, all, binary}]),
    run(U, "[^a-z ]", [unicode, global]),
    run(U, ".", [unicode, {capture, all, list}]),
    run(U, ".", []),
    run(U, "\\x{20ac}\\d", [unicode]),
    run(U, "[\\x{e0}-\\x{ff}]+", [unicode, global, {capture, first, list}]),
    run(U, <<"CAFÉ"/utf8>>, [unicode, caseless]),
    run(U, "", [unicode, global, {offset, 19}]),
    run([$a, 16#20AC, $b], "\\x{20ac}", [unicode]),
    run([$a, 16#20AC, $b], [16#20AC], [unicode, {capture, all, list}]),
    run([$a, 16#20AC, $b], ".b", [unicode, {capture, all, binary}]),
    run(<<"ab"/utf8>>, "(?<=a)b", [unicode]),
    run(<<"€b"/utf8>>, "(?<=€)b", [unicode]),
    run(<<"€b"/utf8>>, "(?<=.)b", [unicode]),
    run(<<"é"/utf8>>, "\\w", [unicode, ucp]),
    [run(<<"élan ça"/utf8>>, P, [unicode, global]) ||
        P <- ["\\w", "\\w+", "\\w{1,2}", "\\w{2}", "\\w+?", "\\W+", "[\\w]+"]],
    show(unicode_mp, pattern(element(2, re:compile("é", [unicode])))),
    show(crlf_mp, pattern(element(2, re:compile("a", [{newline, anycrlf}])))).

errors() ->
    [show({compile, P}, e(fun() -> re:compile(P) end)) || P <-
        ["(abc", "abc)", "*a", "a**", "[abc", "[z-a]", "a{3,2}", "a{70000}", "(a)\\2",
         "abc\\", "(?<=a+)b", "(?Q)", "[:alpha:]", "[[:foo:]]", "(?<n>a)(?<n>b)",
         "(?#abc", "\\g{0}", "\\k<zz>", "(?P<1a>x)", "\\c", "[a-\\d]", "(?", "((a)", ")",
         "a|*", "(?<=x*)", "x{2,1}", "(?i"]],
    run("a", "(", [report_errors]),
    run("a", "[", [report_errors, global]),
    show(version, re:version()).

badargs() ->
    {ok, MP} = re:compile("a"),
    [show(badarg, e(F)) || F <-
        [fun() -> re:run(foo, "a") end,
         fun() -> re:run("a", foo) end,
         fun() -> re:run("a", "(") end,
         fun() -> re:run("a", "a", [bogus]) end,
         fun() -> re:run("a", "a", bogus) end,
         fun() -> re:run("a", "a", [{offset, -1}]) end,
         fun() -> re:run("a", "a", [{capture, foo}]) end,
         fun() -> re:run("a", "a", [{capture, all, foo}]) end,
         fun() -> re:run("a", "a", [{capture, [-1]}]) end,
         fun() -> re:run("a", "a", [{capture, [<<"x">>]}]) end,
         fun() -> re:run("a", MP, [caseless]) end,
         fun() -> re:run("a", MP, [unicode]) end,
         fun() -> re:run([256], "a") end,
         fun() -> re:run(<<255>>, "a", [unicode]) end,
         fun() -> re:run(<<"é"/utf8>>, "a", [unicode, {offset, 1}]) end,
         fun() -> re:run(<<1:1>>, "a") end,
         fun() -> re:run("a", {re_pattern, 0, 0, 0, <<"junk">>}) end,
         fun() -> re:compile("a", [bogus]) end,
         fun() -> re:compile("a", [global]) end,
         fun() -> re:compile(foo) end,
         fun() -> re:compile([256]) end,
         fun() -> re:inspect(MP, foo) end,
         fun() -> re:inspect(foo, namelist) end]].

limits() ->
    S = lists:duplicate(24, $a) ++ "!",
    P = "^(a|aa)*$",
    run(S, P, [{match_limit, 1000}]),
    run(S, P, [{match_limit, 1000}, report_errors]),
    run(S, P, [{match_limit, 1000}, report_errors, global]),
    run("aaaa", "a", [{match_limit, 100000}, report_errors, global]),
    Long = binary:copy(<<"ab">>, 50000),
    show(long, re:run(Long, "(?:ab)*$", [{capture, all, index}])),
    show(long_global, length(element(2, re:run(Long, "b", [global])))).

replace_split() ->
    R = fun(S, P, Rep, O) -> show({replace, S, P, Rep, O}, e(fun() -> re:replace(S, P, Rep, O) end)) end,
    R("abcb", "b", "[&]", [global, {return, list}]),
    R("abcb", "b", "[\\0]", [{return, binary}]),
    R("2024-03-15", "(\\d+)-(\\d+)-(\\d+)", "\\3/\\2/\\1", [{return, list}]),
    R("aaa", "", "-", [global, {return, list}]),
    R("hello", "L", "_", [caseless, global, {return, binary}]),
    R(<<"naïve"/utf8>>, "ï", "i", [unicode, {return, list}]),
    R("abc", "x", "y", []),
    R("abc", "(", "y", []),
    Sp = fun(S, P, O) -> show({split, S, P, O}, e(fun() -> re:split(S, P, O) end)) end,
    Sp("a,b,,c,,", ",", [{return, list}]),
    Sp("a,b,,c,,", ",", [{return, list}, trim]),
    Sp("a,b,,c,,", ",", [{return, list}, {parts, 2}]),
    Sp("a1b2c", "(\\d)", [{return, list}]),
    Sp("a1b2c", "(\\d)", [{return, list}, group]),
    Sp("abc", "", [{return, list}]),
    Sp(<<"x y  z">>, "\\s+", []),
    Sp("a b", " ", [global]).
