%% Conversions between atoms, lists, binaries, integers, tuples; iolists.
-module(t_conv).
-export([main/0]).

id(X) -> X.

main() ->
    erlang:display({atom, atom_to_list(id(hello)), atom_to_list('with space'), atom_to_binary(id(abc)),
                    atom_to_binary(id('ä'), utf8), atom_to_binary(id('ä'), latin1), list_to_atom(id("new_atom_1")),
                    binary_to_atom(id(<<"bin_atom">>)), binary_to_atom(id(<<"é"/utf8>>), utf8),
                    list_to_existing_atom(id("hello")), binary_to_existing_atom(id(<<"abc">>), utf8),
                    list_to_atom(id("")), list_to_atom(id("Caps")), list_to_atom(id("a-b"))}),
    erlang:display({atom_display, ['a b', 'B', '1x', x1, 'x@y', 'x.y', '[]', '{}', 'if', 'end', 'ok',
                                   '\'', '\\', 'é', 'λ', 'a\nb', '_x', x_Y]}),
    erlang:display({integer, integer_to_list(id(-123)), integer_to_list(id(255), 16), integer_to_list(id(255), 36),
                    integer_to_binary(id(42)), integer_to_binary(id(-42), 2), list_to_integer(id("-0042")),
                    list_to_integer(id("ff"), 16), list_to_integer(id("FF"), 16), binary_to_integer(id(<<"z">>), 36),
                    binary_to_integer(id(<<"-10">>))}),
    erlang:display({float, float_to_list(id(0.5)), list_to_float(id("0.5")), float_to_binary(id(0.5), [short]),
                    binary_to_float(id(<<"-0.25">>))}),
    erlang:display({list_bin, list_to_binary(id("abc")), binary_to_list(id(<<"abc">>)),
                    list_to_binary(id([1, [2, <<3>>], [], [[4]]])), list_to_tuple(id([a])),
                    tuple_to_list(id({a, {b}}))}),
    erlang:display({term_string, integer_to_list(id(0)), atom_to_list(id(true)),
                    lists:flatten(io_lib:format("~w", [id({a, [1], <<"b">>})])),
                    lists:flatten(io_lib:format("~p", [id("text")]))}),
    IoList = id([<<"ab">>, $c, ["de", [<<"f">>, []]], <<>>, "g" | <<"h">>]),
    erlang:display({iolist, iolist_size(IoList), iolist_to_binary(IoList), erlang:iolist_to_iovec(IoList),
                    list_to_binary(IoList), iolist_size(<<"bin">>), iolist_to_binary(<<"bin">>)}),
    erlang:display({iodata, erlang:iolist_size([]), iolist_to_binary([[], [[]], <<>>]),
                    iolist_to_binary([255, 0, <<1>>])}),
    Deep = lists:foldl(fun(I, Acc) -> [Acc, integer_to_list(I), $,] end, [], lists:seq(1, 1000)),
    erlang:display({deep_iolist, iolist_size(Deep), binary:part(iolist_to_binary(Deep), 0, 20)}),
    erlang:display({char_lists, unicode:characters_to_list(id(<<"abc">>)), [C + 1 || C <- id("HAL")],
                    lists:map(fun(C) -> C - $0 end, id("2024"))}),
    erlang:display({int_text_edges,
                    [list_to_integer(id(S)) || S <- ["9223372036854775807", "9223372036854775808",
                                                     "-9223372036854775808", "-9223372036854775809",
                                                     "+17", "-0", "007", lists:duplicate(70, $9)]],
                    [binary_to_integer(id(B), 16) || B <- [<<"7fffffffffffffff">>,
                                                           <<"-8000000000000000">>,
                                                           <<"+aB">>, <<"10000000000000000">>]],
                    [catch_all(fun() -> list_to_integer(id(S)) end) || S <- ["-", "+", "1 ", [$1 | $2],
                                                                          [$1, 256], "--1"]],
                    [catch_all(fun() -> binary_to_integer(id(B)) end) || B <- [<<"-">>, <<" 1">>,
                                                                            <<1:1>>]]}),
    erlang:display({number_strings, [list_to_integer(integer_to_list(N)) =:= N || N <- [0, -1, 1 bsl 70, -(1 bsl 99)]]}),
    erlang:display({type_tests, [{is_atom(T), is_list(T), is_binary(T), is_integer(T), is_float(T), is_number(T),
                                  is_tuple(T), is_map(T), is_function(T), is_boolean(T)}
                                 || T <- [id(true), id(a), id("s"), id(<<"b">>), id(1), id(1.0), id({}),
                                          id(#{}), id(fun id/1)]]}),
    erlang:display({errors,
                    catch_all(fun() -> list_to_integer(id("12a")) end),
                    catch_all(fun() -> list_to_integer(id("")) end),
                    catch_all(fun() -> binary_to_integer(id(<<"1.0">>)) end),
                    catch_all(fun() -> list_to_integer(id("12"), 37) end),
                    catch_all(fun() -> integer_to_list(id(1.0)) end),
                    catch_all(fun() -> list_to_existing_atom(id("surely_not_an_existing_atom_qq")) end),
                    catch_all(fun() -> atom_to_binary(id("str")) end),
                    catch_all(fun() -> list_to_atom(id([256, -1])) end),
                    catch_all(fun() -> iolist_to_binary(id([a])) end),
                    catch_all(fun() -> iolist_size(id(1)) end),
                    catch_all(fun() -> list_to_float(id("1.")) end),
                    catch_all(fun() -> binary_to_list(id(abc)) end),
                    catch_all(fun() -> list_to_atom(lists:duplicate(256, $a)) end)}),
    erlang:halt(0).

catch_all(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.
