%% Every Unicode property of re, checked at every code point: each \p name's members over
%% one UTF-8 binary of all code points (as runs, hashed), the ucp classes, caseless blocks
%% and each cased letter's caseless set, and \p on Latin-1 bytes.
-module(t_re_unicode_all).
-export([main/0]).

all() -> << <<C/utf8>> || C <- lists:seq(0, 16#D7FF) ++ lists:seq(16#E000, 16#10FFFF) >>.

runs(Bin, Pat, Opts) ->
    case re:run(Bin, Pat, [global, {capture, first, index} | Opts]) of
        nomatch -> {0, 0};
        {match, L} -> {length(L), erlang:phash2(L)}
    end.

categories() ->
    ["Cc", "Cf", "Cn", "Co", "Cs", "Ll", "Lm", "Lo", "Lt", "Lu", "Mc", "Me", "Mn", "Nd", "Nl",
     "No", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "Sc", "Sk", "Sm", "So", "Zl", "Zp", "Zs"].

groups() -> ["C", "L", "M", "N", "P", "S", "Z", "L&", "Any", "Xan", "Xps", "Xsp", "Xwd", "Xuc"].

%% Each run of one property of Names: its byte offset, length and the property.
partition(All, Names) ->
    Pat = lists:join("|", ["(\\p{" ++ N ++ "}++)" || N <- Names]),
    {match, L} = re:run(All, Pat, [unicode, global, {capture, all_but_first, index}]),
    Runs = [{S, Len, length(lists:takewhile(fun(X) -> X =:= {-1, 0} end, G))}
            || G <- L, {S, Len} <- [hd(lists:dropwhile(fun(X) -> X =:= {-1, 0} end, G))]],
    erlang:display({length(Names), length(Runs), erlang:phash2(Runs)}).

scripts() ->
    string:tokens("Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali Bopomofo "
    "Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham "
    "Cherokee Common Coptic Cuneiform Cypriot Cyrillic Deseret Devanagari Duployan "
    "Egyptian_Hieroglyphs Elbasan Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati "
    "Gurmukhi Han Hangul Hanunoo Hebrew Hiragana Imperial_Aramaic Inherited "
    "Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kayah_Li "
    "Kharoshthi Khmer Khojki Khudawadi Lao Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian "
    "Lydian Mahajani Malayalam Mandaic Manichaean Meetei_Mayek Mende_Kikakui "
    "Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Myanmar Nabataean "
    "New_Tai_Lue Nko Ogham Ol_Chiki Old_Italic Old_North_Arabian Old_Permic Old_Persian "
    "Old_South_Arabian Old_Turkic Oriya Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa "
    "Phoenician Psalter_Pahlavi Rejang Runic Samaritan Saurashtra Sharada Shavian Siddham "
    "Sinhala Sora_Sompeng Sundanese Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham "
    "Tai_Viet Takri Tamil Telugu Thaana Thai Tibetan Tifinagh Tirhuta Ugaritic Vai "
    "Warang_Citi Yi", " ").

posix() ->
    ["alpha", "lower", "upper", "alnum", "ascii", "blank", "cntrl", "digit", "graph",
     "print", "punct", "space", "word", "xdigit"].

main() ->
    All = all(),
    U = [unicode],
    Latin1 = binary:part(All, 0, 384),
    %% Categories and scripts each partition the code points: one alternation of all
    %% names tells each run's (the group that matched).
    [partition(All, Names) || Names <- [categories(), scripts()]],
    [erlang:display({N, runs(All, "\\p{" ++ N ++ "}++", U)}) || N <- groups()],
    [erlang:display({not_, N, runs(All, "\\P{" ++ N ++ "}++", U)}) || N <- ["L", "Greek"]],
    erlang:display({caret, runs(All, "\\p{^Nd}++", U)}),
    [erlang:display({ucp, E, runs(All, E ++ "++", [unicode, ucp])})
     || E <- ["\\d", "\\w", "\\s", "\\h", "\\v", "[\\W\\S]"]],
    [erlang:display({ucp_posix, P, runs(All, "[[:" ++ P ++ ":]]++", [unicode, ucp])})
     || P <- posix()],
    [erlang:display({ucp_posix, P, runs(All, "[[:^" ++ P ++ ":]]++", [unicode, ucp])})
     || P <- ["alpha", "graph", "print"]],
    [erlang:display({ucp_posix_caseless, P, runs(All, "[[:" ++ P ++ ":]]++",
                                                 [unicode, ucp, caseless])})
     || P <- ["lower", "upper"]],
    [erlang:display({posix, P, runs(Latin1, "[[:" ++ P ++ ":]]++", [unicode])})
     || P <- posix()],
    erlang:display({ucp_b, runs(All, "\\b", [unicode, ucp])}),
    %% Caseless: every block of 4096 code points as a class.
    Blocks = [{A, if A =:= 16#D000 -> 16#D7FF; true -> A + 4095 end}
              || A <- lists:seq(0, 16#10FFFF, 4096), A < 16#D800 orelse A >= 16#E000],
    erlang:display({caseless_blocks,
        erlang:phash2([runs(All, io_lib:format("[\\x{~.16b}-\\x{~.16b}]++", [A, B]),
                            [unicode, caseless]) || {A, B} <- Blocks])}),
    %% Each cased letter's caseless set among the cased letters, and as a back reference.
    {match, Cased} = re:run(All, "[\\p{L&}\\x{345}\\x{2160}-\\x{217f}\\x{24b6}-\\x{24e9}]",
                            [unicode, global, {capture, first, binary}]),
    CasedBin = iolist_to_binary(Cased),
    Sets = [runs(CasedBin, io_lib:format("\\x{~.16b}", [C]), [unicode, caseless])
            || <<C/utf8>> <= CasedBin],
    erlang:display({cased, length(Sets), erlang:phash2(Sets)}),
    Refs = [runs(CasedBin, io_lib:format("(?i)(\\x{~.16b})\\1?", [C]), U)
            || <<C/utf8>> <= CasedBin],
    erlang:display({cased_refs, erlang:phash2(Refs)}),
    %% Bytes as Latin-1 code points.
    Bytes = list_to_binary(lists:seq(0, 255)),
    [erlang:display({bytes, N, runs(Bytes, "\\p{" ++ N ++ "}++", [])})
     || N <- categories() ++ groups() ++ ["Latin", "Common", "Greek"]],
    [erlang:display({bytes_ucp, E, runs(Bytes, E ++ "++", [ucp])})
     || E <- ["\\d", "\\w", "\\s", "[[:alpha:]]", "[[:punct:]]", "[[:graph:]]"]],
    erlang:display({bytes_caseless, [runs(Bytes, [$(, $?, $i, $), C], []) || C <- lists:seq(1, 255)]}),
    halt().
