%% re with Unicode properties, the way programs use them: \p{..} and \P{..} (general
%% categories, scripts, PCRE's X specials) in and outside classes, ucp's \d \w \s \b and
%% POSIX classes, caseless matching beyond Latin-1 (Greek, Cyrillic, Armenian, Georgian,
%% Cherokee-free pairs, the Kelvin sign, final sigma), \p on Latin-1 bytes, split and
%% replace over multilingual text, and the compile errors of bad property names.
-module(t_re_unicode).
-export([main/0]).

main() ->
    properties(),
    scripts(),
    ucp(),
    caseless(),
    bytes(),
    text(),
    errors(),
    erlang:halt(0).

show(Tag, V) -> erlang:display({Tag, V}).

e(F) ->
    try F() of
        V -> V
    catch
        C:R -> {C, R}
    end.

u(S) -> unicode:characters_to_binary(S).

run(S, P, O) -> show({P, O}, e(fun() -> re:run(u(S), P, [unicode | O]) end)).
all(S, P, O) -> run(S, P, [global, {capture, all, binary} | O]).

properties() ->
    S = "Ünïcødé 123 ١٢٣ Ⅻ ½ — «ok» € $ 𝔘 ﬁ ǅ\t\x{2028}",
    [all(S, P, []) || P <- ["\\p{L}+", "\\p{Lu}", "\\p{Ll}+", "\\p{Lt}", "\\p{L&}+",
                            "\\p{N}+", "\\p{Nd}+", "\\p{Nl}", "\\p{No}", "\\pN+", "\\PL+",
                            "\\p{P}+", "\\p{Pd}", "\\p{Pi}\\w+\\p{Pf}", "\\p{S}", "\\p{Sc}",
                            "\\p{Z}", "\\p{Zs}+", "\\p{Zl}", "\\p{C}", "\\p{Cc}", "\\p{Any}",
                            "\\p{Xan}+", "\\p{Xwd}+", "\\p{Xsp}", "\\p{Xps}+", "\\p{Xuc}+",
                            "\\P{Xan}+", "\\p{^L}+", "\\P{^Lu}", "[\\p{Lu}\\p{Nd}]+",
                            "[^\\p{L}\\s]+", "[\\P{L}]+", "[[:alpha:]\\p{N}]+",
                            "[\\p{Lu}a-z]+", "\\p{Mn}", "\\pM"]],
    %% Unicode 7.0: U+20BD (7.0) is a currency sign, U+20BE (8.0) is unassigned.
    all([16#20BD, 16#20BE, 16#037F, 16#08B3], "\\p{Sc}|\\p{Cn}|\\p{Lu}", []),
    ok.

scripts() ->
    S = "Hello Γειά σου Привет Բարեւ שלום مرحبا नमस्ते 你好 こんにちは カタカナ 안녕 ሰላም ᏣᎳᎩ ⴰⵣⵓⵍ",
    [all(S, "\\p{" ++ N ++ "}+", [])
     || N <- ["Latin", "Greek", "Cyrillic", "Armenian", "Hebrew", "Arabic", "Devanagari",
              "Han", "Hiragana", "Katakana", "Hangul", "Ethiopic", "Cherokee", "Tifinagh",
              "Common", "Inherited"]],
    all(S, "\\P{Latin}+", []),
    all(S, "[\\p{Greek}\\p{Cyrillic}]+", []),
    all("ॐ ą̃ e\x{301}", "\\p{Inherited}", []),
    ok.

ucp() ->
    S = "naïve café ١٢٣ δέκα_3 x\x{a0}y\x{2003}z",
    [all(S, P, O) || P <- ["\\w+", "\\d+", "\\s", "\\W+", "\\D+", "\\S+", "\\b\\w",
                           "[[:alpha:]]+", "[[:digit:]]+", "[[:alnum:]]+", "[[:word:]]+",
                           "[[:space:]]", "[[:punct:]]", "[[:graph:]]+", "[[:print:]]+",
                           "[[:upper:][:digit:]]+", "[[:^alpha:]]+", "[[:blank:]]",
                           "\\w\\b"],
                     O <- [[], [ucp]]],
    all("ÀB", "[[:lower:]]+", [ucp, caseless]),
    all("ÀB", "[[:upper:]]+", [ucp]),
    run("ÉCOLE", "(*UCP)^\\w+$", []),
    run(<<"\\w">>, "\\w", [ucp]),
    ok.

caseless() ->
    Pairs = [{"ΣΊΣΥΦΟΣ", "σίσυφος"}, {"σίσυφοσ", "ΣΊΣΥΦΟς"}, {"МОСКВА", "москва"},
             {"ԲԱՐԵՒ", "բարեւ"}, {"ႠႡႢ", "ⴀⴁⴂ"}, {"ǄEMAL", "ǆemal"}, {"ǅ", "Ǆ"},
             {"K", "\x{212A}"}, {"ſ", "S"}, {"Å", "\x{212B}"}, {"µ", "Μ"}, {"ϑ", "Θ"},
             {"ϴ", "θ"}, {"ι", "\x{345}"}, {"\x{1FBE}", "Ι"}, {"ẞ", "ß"}, {"Ÿ", "ÿ"},
             {"ⓐⓑ", "ⒶⒷ"}, {"ⅻ", "Ⅻ"}, {"𐐀", "𐐨"}, {"ĳ", "Ĳ"}, {"İ", "i"}, {"ı", "I"}],
    [show({A, B}, [e(fun() -> re:run(u(B), "^" ++ A ++ "$", [unicode, caseless]) end),
                   e(fun() -> re:run(u(B), "^[" ++ A ++ "]+$", [unicode, caseless]) end),
                   e(fun() -> re:run(u(A ++ B), "^(.+)(?i)\\1$", [unicode]) end)])
     || {A, B} <- Pairs],
    all("KkK", "(?i)k", []),
    all("Ssſ", "(?i)[s]", []),
    all("ΣσςΣ", "(?i)[^σ]", []),
    all("Ωω\x{2126}", "(?i)[\\x{3a0}-\\x{3a9}]", []),
    all("AbΓδ", "(?i)\\p{Lu}", []),
    all("AbΓδ", "(?i)[^\\p{Lu}]", []),
    all("ǄǅǆDžDZ", "(?i)\\x{1c5}", []),
    all("abcABC", "(?i)[[:lower:]]+", []),
    run("ÀÉ", "(?i)àé", []),
    show(bytes_caseless, [re:run(<<C>>, "(?i)\\xe0") || C <- [16#c0, 16#e0]]),
    show(bytes_no_pair, [re:run(<<C>>, "(?i)\\xff") || C <- [16#ff, 16#b5]]),
    ok.

bytes() ->
    B = <<"caf", 16#e9, " ", 16#c9, "t", 16#e9, " 12 ", 16#bd, 16#a7, 16#d7>>,
    [show({bytes, P}, re:run(B, P, [global, {capture, all, index}]))
     || P <- ["\\p{L}+", "\\p{Lu}", "\\p{No}", "\\p{Po}", "\\p{Sm}", "\\p{Latin}+", "\\PL+"]],
    show(bytes_ucp, re:run(B, "\\w+", [ucp, global, {capture, all, index}])),
    ok.

text() ->
    S = u("Ünïcødé café, naïve Ελληνικά & Кириллица: 漢字 かな 123 ١٢٣!"),
    show(split_words, [unicode:characters_to_list(W)
                       || W <- re:split(S, "[^\\p{L}\\p{N}]+", [unicode, trim])]),
    show(split_ucp, re:split(S, "\\W+", [unicode, ucp, {return, list}])),
    show(split_script, re:split(S, "(?<=\\p{Latin})(?=\\P{Latin})", [unicode, {return, list}])),
    NFD = "Cre\x{300}me bru\x{302}le\x{301}e, Zu\x{308}rich, Ma\x{303}o",
    show(strip_marks, re:replace(NFD, "\\p{Mn}", "", [unicode, global, {return, list}])),
    show(greek_words, re:run(S, "\\p{Greek}+", [unicode, global, {capture, all, list}])),
    show(capital_words, re:run(S, "\\b\\p{Lu}\\p{Ll}*", [unicode, ucp, global,
                                                          {capture, all, list}])),
    show(han, re:run(S, "\\p{Han}+", [unicode, {capture, all, list}])),
    show(digits, re:run(S, "\\d+", [unicode, ucp, global, {capture, all, list}])),
    show(caseless_find, re:run(u("ОДИН два ТРИ"), "три|один", [unicode, caseless, global,
                                                             {capture, all, list}])),
    show(title, re:replace(u("élan vital ΑΒΓ"), "\\b(\\p{Ll})", "<\\1>",
                           [unicode, ucp, global, {return, list}])),
    ok.

errors() ->
    [show({compile, P}, re:compile(P, O))
     || {P, O} <- [{"\\p{Foo}", []}, {"ab\\P{Foo}", []}, {"[\\p{Foo}]", []},
                   {"\\p{Ahom}", []}, {"\\p{Xan", []}, {"\\p", []}, {"\\pl", []},
                   {"\\p{", []}, {"\\p{}", []}, {"\\p{^}", []}, {"[\\p]", []},
                   {"\\p{LC}", []}, {"\\p{ L}", []}, {"\\p{l}", []}, {"\\p{latin}", []},
                   {"[a-\\p{Lu}]", []}, {"[a-\\pL]", []}, {"\\p^L", []},
                   {"\\p{Foo}", [unicode]}]],
    [show({compile_ok, P}, element(1, re:compile(P, [unicode])))
     || P <- ["\\p{L&}", "\\p{Cs}", "\\pZ", "[\\pL-z]", "\\P{^L}", "\\p{Latin}+", "\\p{Xsp}"]],
    ok.
