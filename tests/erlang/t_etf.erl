%% External term format: term_to_binary/binary_to_term round trips and the bytes.
-module(t_etf).
-export([main/0]).

id(X) -> X.

main() ->
    Terms = [0, 1, 255, 256, -1, 1 bsl 27, -(1 bsl 27), 1 bsl 31, -(1 bsl 31), 1 bsl 64, -(1 bsl 64),
             1 bsl 2100, 1.5, -0.0, 1.0e300, a, 'hello world', '', 'ünï', [], [1, 2, 3], "abc",
             [a | b], [1, [2, [3]]], lists:seq(1, 300), {}, {a, 1}, list_to_tuple(lists:seq(1, 300)),
             <<>>, <<1, 2, 3>>, <<1:3>>, <<1, 2, 3:5>>, #{}, #{a => 1, "b" => [2]},
             #{{k} => #{nested => true}}, fun lists:map/2, {[], <<>>, #{}, {}},
             [955, 8364], "\x{ff}", <<"é"/utf8>>],
    lists:foreach(fun(T) ->
                          B = term_to_binary(T),
                          erlang:display({T, B, binary_to_term(B) =:= T})
                  end, [id(T) || T <- Terms]),
    Big = maps:from_list([{I, I} || I <- lists:seq(1, 40)]),
    BB = term_to_binary(Big),
    erlang:display({big_map, byte_size(BB), binary_to_term(BB) =:= Big}),
    Long = lists:duplicate(100, <<"abcdefgh">>),
    C = term_to_binary(Long, [compressed]),
    erlang:display({compressed, byte_size(C) < byte_size(term_to_binary(Long)), binary_to_term(C) =:= Long}),
    %% Compressed output bytes depend on the deflate implementation; only decoding is pinned.
    erlang:display({compressed_decode, binary_to_term(<<131, 80, 0, 0, 0, 53, 120, 156, 203, 102, 48, 98, 39,
                                                        25, 0, 0, 67, 47, 1, 252>>)}),
    erlang:display({minor, term_to_binary(1.5, [{minor_version, 0}]), term_to_binary(abc, [{minor_version, 1}]),
                    binary_to_term(term_to_binary(2.5, [{minor_version, 0}]))}),
    erlang:display({decode, binary_to_term(<<131, 97, 42>>), binary_to_term(<<131, 98, 255, 255, 255, 255>>),
                    binary_to_term(<<131, 100, 0, 2, "ok">>), binary_to_term(<<131, 115, 2, "ok">>),
                    binary_to_term(<<131, 119, 2, "ok">>), binary_to_term(<<131, 107, 0, 3, 1, 2, 3>>),
                    binary_to_term(<<131, 110, 2, 1, 0, 1>>), binary_to_term(<<131, 104, 0>>),
                    binary_to_term(<<131, 106>>), binary_to_term(<<131, 70, 64, 9, 33, 251, 84, 68, 45, 24>>),
                    binary_to_term(<<131, 99, "1.50000000000000000000e+00", 0:40>>)}),
    erlang:display({extra_bytes, binary_to_term(<<131, 97, 1, 99, 99>>, [used])}),
    erlang:display({size, erlang:external_size([1, 2, 3]), erlang:external_size(#{a => <<1, 2>>})}),
    erlang:display({errors, catch_all(fun() -> binary_to_term(id(<<131, 200>>)) end),
                    catch_all(fun() -> binary_to_term(id(<<1, 2, 3>>)) end),
                    catch_all(fun() -> binary_to_term(id(<<131, 100, 0, 5, "ab">>)) end),
                    catch_all(fun() -> binary_to_term(id(<<131, 100, 0, 9, "not_an_atom_xyz_123">>), [safe]) end),
                    catch_all(fun() -> term_to_binary(id(x), id(bad_opts)) end)}),
    erlang:halt(0).

catch_all(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.
