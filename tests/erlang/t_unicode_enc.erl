%% unicode:characters_to_binary/1,2,3 and characters_to_list/1,2 across encodings, with erl's
%% {error, ...} and {incomplete, ...} results for bad and cut input.
-module(t_unicode_enc).
-export([main/0]).

err(F) ->
    try F() catch C:R -> {C, R} end.

main() ->
    Encs = [utf8, unicode, latin1, utf16, {utf16, little}, {utf16, big}, utf32, {utf32, little}, {utf32, big}],
    Text = "a\x{e9}\x{20ac}\x{1d11e}",
    [erlang:display({to, E, err(fun() -> unicode:characters_to_binary(Text, unicode, E) end)}) || E <- Encs],
    [erlang:display({round_trip, E, unicode:characters_to_list(unicode:characters_to_binary(Text, unicode, E), E)})
     || E <- Encs, E =/= latin1],
    erlang:display({latin1_in, unicode:characters_to_binary(<<"a", 233>>, latin1, utf8),
                    unicode:characters_to_list(<<"a", 233>>, latin1),
                    unicode:characters_to_binary(<<"a", 233>>, latin1)}),
    Bad = [
        fun() -> unicode:characters_to_binary([97, -1, 98]) end,
        fun() -> unicode:characters_to_binary([[97, 16#110000], 98]) end,
        fun() -> unicode:characters_to_binary([[97, -1]]) end,
        fun() -> unicode:characters_to_binary([<<"a">>, [<<"b", 255, "c">>, 100], 101]) end,
        fun() -> unicode:characters_to_binary([<<"a">>, <<"b", 195>>]) end,
        fun() -> unicode:characters_to_binary([<<"a", 195>>, <<"x">>]) end,
        fun() -> unicode:characters_to_binary([<<"a", 195>>, 98]) end,
        fun() -> unicode:characters_to_binary([[<<"a", 195>>, 99], 98]) end,
        fun() -> unicode:characters_to_binary([<<"a", 195>>, []]) end,
        fun() -> unicode:characters_to_binary([<<"a", 195>>, <<169>>]) end,
        fun() -> unicode:characters_to_list([<<"a", 226>>, <<130>>, <<172>>]) end,
        fun() -> unicode:characters_to_binary(<<"a", 226, 130>>) end,
        fun() -> unicode:characters_to_binary([16#D800]) end,
        fun() -> unicode:characters_to_binary(<<237, 160, 128>>) end,
        fun() -> unicode:characters_to_binary(<<192, 128>>) end,
        fun() -> unicode:characters_to_binary([256], unicode, latin1) end,
        fun() -> unicode:characters_to_binary([97, 256, 98], unicode, latin1) end,
        fun() -> unicode:characters_to_binary([1000], latin1) end,
        fun() -> unicode:characters_to_binary(<<0, 97, 216, 52, 221, 30>>, utf16, utf8) end,
        fun() -> unicode:characters_to_binary(<<0, 97, 0>>, utf16, utf8) end,
        fun() -> unicode:characters_to_binary(<<0, 97, 220, 0, 0, 98>>, utf16, utf8) end,
        fun() -> unicode:characters_to_binary(<<0, 216>>, {utf16, little}, utf8) end,
        fun() -> unicode:characters_to_binary(<<97, 0, 0, 0, 0, 0, 17, 0>>, {utf32, little}, unicode) end,
        fun() -> unicode:characters_to_binary(<<0, 0, 0, 97, 0, 0>>, utf32, unicode) end,
        fun() -> unicode:characters_to_list(<<0, 97, 0>>, utf16) end,
        fun() -> unicode:characters_to_list([<<0, 97>>, 98], utf16) end,
        fun() -> unicode:characters_to_list([<<0, 97, 0>>, <<98>>], utf16) end,
        fun() -> unicode:characters_to_list(<<"a", 255>>) end,
        fun() -> unicode:characters_to_list(<<"a", 195>>, utf8) end,
        fun() -> unicode:characters_to_list([<<"a">>, -1], unicode) end,
        fun() -> unicode:characters_to_binary([<<1, 2>> | <<3>>]) end,
        fun() -> unicode:characters_to_binary(foo) end,
        fun() -> unicode:characters_to_binary([foo]) end,
        fun() -> unicode:characters_to_binary([-1, foo]) end,
        fun() -> unicode:characters_to_binary("x", bad, utf8) end,
        fun() -> unicode:characters_to_list("x", {utf16, middle}) end
    ],
    [erlang:display(err(F)) || F <- Bad],
    erlang:display({seven_bit, [unicode:bin_is_7bit(X) || X <- [<<"abc">>, <<200>>, [97], foo]]}),
    erlang:halt(0).
