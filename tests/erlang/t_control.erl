%% Control flow: case/if/guards, clause selection on many value kinds, jump tables.
-module(t_control).
-export([main/0]).

id(X) -> X.

main() ->
    erlang:display({dense_ints, [dense(id(I)) || I <- lists:seq(-1, 12)]}),
    erlang:display({sparse_ints, [sparse(id(I)) || I <- [0, 1, 100, 1000, 65536, 1 bsl 40, -5, 7]]}),
    erlang:display({atoms, [atom_sel(id(A)) || A <- [red, green, blue, other, 'RED']]}),
    erlang:display({tuple_arity, [arity_sel(id(T)) || T <- [{}, {1}, {1, 2}, {1, 2, 3}, {1, 2, 3, 4, 5}, [], x]]}),
    erlang:display({floats, [float_sel(id(F)) || F <- [0.0, 1.5, -1.5, 2.0, 2]]}),
    erlang:display({mixed, [kind(id(X)) || X <- [1, 1.0, a, "s", [], <<>>, {}, #{}, fun id/1, 1 bsl 70, self()]]}),
    erlang:display({guards, [guard_seq(id(X)) || X <- [1, 15, 25, 105, -3, 3.5, a]]}),
    erlang:display({nested_case, [nested(id(X), id(Y)) || X <- [a, b], Y <- [1, 2, 3]]}),
    erlang:display({if_expr, [if_test(id(N)) || N <- [-10, 0, 5, 50, 500]]}),
    erlang:display({bool_guards, [bg(id(X)) || X <- [true, false, 1, undefined]]}),
    erlang:display({complex_guard, [cg(id(X)) || X <- [{ok, 3}, {ok, 30}, {error, x}, [1, 2], [1], "ab", <<1, 2>>]]}),
    erlang:display({guard_bifs, [gb(id(X)) || X <- [[1, 2, 3], {a, b}, <<"xyz">>, 7, -7.5, #{k => 1}]]}),
    erlang:display({guard_failure_is_false, [gfail(id(X)) || X <- [a, [1], {1}, 0]]}),
    erlang:display({same_var, same(id({1, 1})), same(id({1, 2})), same(id({1, 1.0}))}),
    erlang:display({literals, lit(id({a, [1, 2], <<"bin">>})), lit(id([x, {y}])), lit(id(#{k => [v]})), lit(id(0))}),
    erlang:display({string_prefix, [pfx(id(S)) || S <- ["http://x", "ftp://y", "other", ""]]}),
    erlang:display({fizzbuzz, [fizz(I) || I <- lists:seq(1, 20)]}),
    erlang:display({try_in_guard_position, safe_div(id(6), id(3)), safe_div(id(1), id(0))}),
    erlang:display({begin_end, begin X = id(2), Y = X * 3, Y + 1 end}),
    erlang:display({match_expr, begin A = B = id(5), A + B end}),
    erlang:display({case_binding, case_bind(id(1)), case_bind(id(2))}),
    erlang:display({type_guards, [tg(id(V)) || V <- [true, <<1:3>>, make_ref(), 1.0, 7, none]]}),
    erlang:display({eq_guards, [eqg(id(V), id(W)) || {V, W} <- [{1, 1.0}, {1, 1}, {1, 2}, {a, a}, {2.0, 1}]],
                    [neq(id(V), id(W)) || {V, W} <- [{1, 1.0}, {1, 2}, {a, b}, {a, a}]]}),
    erlang:display({long_select, [long_sel(id(I)) || I <- lists:seq(0, 40, 4)]}),
    erlang:halt(0).

dense(0) -> zero; dense(1) -> one; dense(2) -> two; dense(3) -> three; dense(4) -> four;
dense(5) -> five; dense(6) -> six; dense(7) -> seven; dense(8) -> eight; dense(9) -> nine;
dense(10) -> ten; dense(_) -> other.

sparse(0) -> a; sparse(100) -> b; sparse(1000) -> c; sparse(65536) -> d;
sparse(1099511627776) -> e; sparse(-5) -> f; sparse(_) -> z.

atom_sel(red) -> 1; atom_sel(green) -> 2; atom_sel(blue) -> 3; atom_sel(_) -> 0.

arity_sel({}) -> 0; arity_sel({_}) -> 1; arity_sel({_, _}) -> 2; arity_sel({_, _, _}) -> 3;
arity_sel(T) when is_tuple(T) -> n; arity_sel(_) -> not_tuple.

float_sel(0.0) -> zero; float_sel(1.5) -> one_half; float_sel(-1.5) -> neg; float_sel(2.0) -> two_f;
float_sel(_) -> other.

kind(X) when is_integer(X), X > 1000000 -> big;
kind(X) when is_integer(X) -> int;
kind(X) when is_float(X) -> float;
kind(X) when is_atom(X) -> atom;
kind([]) -> nil;
kind([_ | _]) -> cons;
kind(X) when is_binary(X) -> bin;
kind(X) when is_tuple(X) -> tuple;
kind(X) when is_map(X) -> map;
kind(X) when is_function(X) -> function;
kind(X) when is_pid(X) -> pid.

guard_seq(X) when is_integer(X), X < 10; is_integer(X), X > 100 -> edge;
guard_seq(X) when is_integer(X), X >= 10, X =< 20 -> teen;
guard_seq(X) when is_number(X) -> number;
guard_seq(_) -> nan.

nested(X, Y) ->
    case X of
        a -> case Y of 1 -> a1; 2 -> a2; _ -> a_other end;
        b when Y > 1 -> case Y rem 2 of 0 -> b_even; 1 -> b_odd end;
        b -> b_small
    end.

if_test(N) ->
    if N < 0 -> negative;
       N =:= 0 -> zero;
       N < 10 -> small;
       N < 100 -> medium;
       true -> large
    end.

bg(X) when X -> is_true;
bg(X) when not X -> is_false;
bg(X) when is_integer(X) orelse X =:= undefined -> int_or_undef.

cg({ok, N}) when is_integer(N), N > 10 andalso N < 100 -> {ok_mid, N};
cg({ok, N}) -> {ok_other, N};
cg({error, _} = E) -> E;
cg([_, _ | _] = L) when length(L) =:= 2 -> pair_list;
cg(L) when is_list(L) -> list;
cg(<<A, B>>) when A < B -> ascending_bin.

gb(X) when length(X) > 2 -> {long_list, hd(X), tl(X)};
gb(X) when tuple_size(X) =:= 2 -> {pair, element(1, X)};
gb(X) when byte_size(X) > 2 -> {bin, binary_part(X, 0, 1)};
gb(X) when abs(X) > 5, X rem 2 =:= 1 -> {odd, X div 2, -X};
gb(X) when trunc(X) < 0 -> {neg_float, round(X), float(trunc(X))};
gb(X) when map_size(X) > 0 -> {map, is_map_key(k, X)}.

gfail(X) when hd(X) > 0 -> head;
gfail(X) when element(1, X) > 0 -> elem;
gfail(X) when 1 / X > 0 -> divided;
gfail(_) -> fallthrough.

same({X, X}) -> same;
same({_, _}) -> different.

lit({a, [1, 2], <<"bin">>}) -> t1;
lit([x, {y}]) -> t2;
lit(#{k := [v]}) -> t3;
lit(_) -> none.

pfx("http://" ++ Rest) -> {http, Rest};
pfx("ftp://" ++ Rest) -> {ftp, Rest};
pfx([]) -> empty;
pfx(_) -> unknown.

fizz(N) when N rem 15 =:= 0 -> fizzbuzz;
fizz(N) when N rem 5 =:= 0 -> buzz;
fizz(N) when N rem 3 =:= 0 -> fizz;
fizz(N) -> N.

safe_div(A, B) ->
    try A div B of
        Q -> {ok, Q}
    catch
        error:badarith -> {error, div_by_zero}
    end.

case_bind(X) ->
    case X of
        1 -> Y = one;
        _ -> Y = other
    end,
    {X, Y}.

tg(X) when is_boolean(X) -> boolean;
tg(X) when is_bitstring(X) -> bitstring;
tg(X) when is_reference(X) -> reference;
tg(X) when is_port(X) -> port;
tg(X) when X == 1 -> equals_one;
tg(X) when X /= 7 -> not_seven;
tg(_) -> other.

eqg(X, Y) when X == Y, X =/= Y -> numerically_equal;
eqg(X, Y) when X == Y -> identical;
eqg(X, Y) when X /= Y, X > Y -> greater;
eqg(_, _) -> less.

neq(X, Y) when X /= Y -> {different, neq_atom(X, Y)};
neq(_, _) -> equal.

neq_atom(X, Y) when X /= Y, is_atom(X) -> atom;
neq_atom(_, _) -> not_atom.

long_sel(I) ->
    case I of
        0 -> c0; 4 -> c4; 8 -> c8; 12 -> c12; 16 -> c16; 20 -> c20; 24 -> c24;
        28 -> c28; 32 -> c32; 36 -> c36; _ -> cx
    end.
