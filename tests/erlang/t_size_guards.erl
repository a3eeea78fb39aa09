%% tuple_size/1, byte_size/1, map_size/1 and length/1 in guards (failure label) and in bodies
%% (exceptions), on operands of the right and of every wrong type.
-module(t_size_guards).
-export([main/0]).

values() ->
    [{}, {a}, {a, b, c}, <<>>, <<1, 2, 3>>, <<1:3>>, <<1, 2:5>>, #{}, #{a => 1},
     maps:from_list([{I, I} || I <- lists:seq(1, 40)]), [], [1, 2], atom, 42,
     1 bsl 70, 1.5, fun() -> ok end,
     binary:part(<<"hello world">>, 3, 5), [1 | 2], [a, b | c],
     lists:seq(1, 63), lists:seq(1, 64), lists:seq(1, 65), lists:seq(1, 200),
     lists:seq(1, 63) ++ x].

guard(X) when tuple_size(X) > 1 -> {tuple, tuple_size(X)};
guard(X) when byte_size(X) >= 0 -> {binary, byte_size(X)};
guard(X) when map_size(X) >= 0 -> {map, map_size(X)};
guard(X) when length(X) > 2 -> {list, length(X)};
guard(_) -> none.

%% `orelse` keeps the failure inside the guard expression.
either(X) when tuple_size(X) =:= 0 orelse map_size(X) =:= 0 -> empty;
either(_) -> other.

body(F, X) ->
    try F(X) of
        V -> {ok, V}
    catch
        C:R:S -> {C, R, top(S)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.

tuple_size_of(X) -> tuple_size(X).
byte_size_of(X) -> byte_size(X).
map_size_of(X) -> map_size(X).
length_of(X) -> length(X).

%% The results kept in Y registers across a call, and the operand from a Y register.
kept(X) ->
    N = byte_size(X),
    _ = lists:reverse([N]),
    M = byte_size(X),
    {N, M}.

main() ->
    Vs = values(),
    [erlang:display(guard(V)) || V <- Vs],
    [erlang:display(either(V)) || V <- Vs],
    [erlang:display(body(fun tuple_size_of/1, V)) || V <- Vs],
    [erlang:display(body(fun byte_size_of/1, V)) || V <- Vs],
    [erlang:display(body(fun map_size_of/1, V)) || V <- Vs],
    [erlang:display(body(fun length_of/1, V)) || V <- Vs],
    erlang:display(body(fun kept/1, <<1, 2, 3, 4>>)),
    erlang:display(body(fun kept/1, {no, binary})),
    <<_:8, Rest/binary>> = <<1, 2, 3>>,
    erlang:display(byte_size(Rest)),
    erlang:halt(0).
