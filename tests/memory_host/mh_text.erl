%% Text: unicode conversions, string functions and formatting of big terms.
-module(mh_text).
-export([main/0]).

main() ->
    mh_run:cases([
        {chars_to_list, fun() -> length(unicode:characters_to_list(binary:copy(<<"héllo"/utf8>>, 2000000))) end},
        {chars_to_binary, fun() -> byte_size(unicode:characters_to_binary(lists:duplicate(4000000, 16#e9))) end},
        {chars_to_binary_utf16, fun() -> byte_size(unicode:characters_to_binary(binary:copy(<<"ab">>, 4000000), utf8, utf16)) end},
        {chars_to_nfc, fun() -> length(unicode:characters_to_nfc_list(lists:duplicate(1000000, $a))) end},
        {string_split, fun() -> length(string:split(binary:copy(<<"a,">>, 2000000), ",", all)) end},
        {string_lexemes, fun() -> length(string:lexemes(binary:copy(<<"ab ">>, 1000000), " ")) end},
        {string_uppercase, fun() -> byte_size(string:uppercase(binary:copy(<<"abcd">>, 2000000))) end},
        {string_replace, fun() -> iolist_size(string:replace(binary:copy(<<"ab">>, 2000000), "a", "xyz", all)) end},
        {string_to_integer, fun() -> element(1, string:to_integer(lists:duplicate(1000000, $1))) band 255 end},
        {io_lib_p_binary, fun() -> iolist_size(io_lib:format("~p", [binary:copy(<<"abcdefgh">>, 1000000)])) end},
        {io_lib_p_list, fun() -> iolist_size(io_lib:format("~p", [lists:seq(1, 1000000)])) end},
        {io_lib_w_list, fun() -> iolist_size(io_lib:format("~w", [lists:seq(1, 1000000)])) end},
        {io_lib_s, fun() -> iolist_size(io_lib:format("~s", [binary:copy(<<"abcdefgh">>, 2000000)])) end},
        {io_format_p, fun() -> group_leader(spawn(mh_run, sink, []), self()), io:format("~p~n", [lists:seq(1, 1000000)]) end},
        {io_lib_p_bomb, fun() -> iolist_size(io_lib:format("~p", [binary:copy(<<"abcdefgh">>, 8000000)])) end}
    ]).
