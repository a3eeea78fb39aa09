%% unicode:characters_to_list/2 and characters_to_binary/2 on chardata drawn at random (fixed
%% seeds, so erl and xenbeam-run draw the same): binaries and nested lists of characters
%% around the sizes at which a conversion goes on in a later step (64 KiB of a binary,
%% 16,384 list elements), characters cut between binaries, in every input encoding; for
%% UTF-8 and Latin-1 also a bad byte, a bad list element, a cut character at the end or a
%% part that is not chardata, somewhere in the input. Each result is shown by its hash and
%% size.
-module(t_unicode_random).
-export([main/0]).

main() ->
    rand:seed(exsss, {7, 8, 9}),
    [draw(I) || I <- lists:seq(1, 120)],
    erlang:halt(0).

encodings() ->
    [unicode, unicode, latin1, utf16, {utf16, little}, utf32, {utf32, little}].

draw(I) ->
    Enc = pick(encodings()),
    Chars = chars(pick([10, 3000, 16383, 16384, 16385, 40000, 70000])),
    Bin = unicode:characters_to_binary([C || C <- Chars, Enc =/= latin1 orelse C < 256],
                                       unicode, Enc),
    Parts = cut(Bin, rand:uniform(4) - 1),
    Lists = [chars(pick([0, 5, 16380, 20000])) || _ <- lists:seq(1, rand:uniform(2))],
    Input0 = shape(Parts, Lists, Enc),
    Input = case Enc of
                E when E =:= unicode; E =:= latin1 -> spoil(Input0, E);
                _ -> Input0
            end,
    To = pick([list, binary]),
    R = try
            case To of
                list -> unicode:characters_to_list(Input, Enc);
                binary -> unicode:characters_to_binary(Input, Enc)
            end
        catch C:E2 -> {C, E2}
        end,
    erlang:display({I, Enc, To, erlang:phash2(R), shape_of(R)}).

shape_of(B) when is_binary(B) -> {binary, byte_size(B)};
shape_of(L) when is_list(L) -> {list, length(L)};
shape_of({Tag, C, _}) -> {Tag, shape_of(C)};
shape_of(T) -> T.

pick(L) -> lists:nth(rand:uniform(length(L)), L).

%% Characters of one, two, three and four bytes in UTF-8 (Latin-1 ones only, mostly).
chars(N) ->
    Set = pick([[$a, $b, $\s], [$a, 16#e9, 16#ff], [$a, 16#20ac, 16#e9], [$x, 16#1f600, 16#10ffff, 16#d7ff]]),
    [lists:nth(rand:uniform(length(Set)), Set) || _ <- lists:seq(1, N)].

%% The binary in pieces cut at random bytes (inside characters too).
cut(Bin, 0) -> [Bin];
cut(<<>>, _) -> [<<>>];
cut(Bin, N) ->
    At = rand:uniform(byte_size(Bin)) - 1,
    <<A:At/binary, B/binary>> = Bin,
    [A | cut(B, N - 1)].

%% Pieces and lists nested at random, in order; a list's characters in the input
%% encoding's range (Latin-1 input takes integers up to 255 only).
shape(Parts, Lists, Enc) ->
    Ls = [[C || C <- L, Enc =/= latin1 orelse C < 256] || L <- Lists],
    case rand:uniform(3) of
        1 -> Parts ++ Ls;
        2 -> [[hd(Parts)], [tl(Parts), Ls]];
        3 -> [Ls, [Parts | <<>>]]
    end.

%% Sometimes one thing wrong, somewhere.
spoil(Input, Enc) ->
    case rand:uniform(6) of
        1 -> [Input, <<255, "after">>, "more"];
        2 -> [Input, [-1], "more"];
        3 when Enc =:= unicode -> [Input, <<16#e2, 16#82>>];
        4 -> [Input, [foo]];
        5 -> [Input, [16#d800 | "x"]];
        _ -> Input
    end.
