%% Floats: arithmetic, display formatting, rounding, conversions, comparisons.
-module(t_float).
-export([main/0]).

id(X) -> X.

main() ->
    X = id(3.75), Y = id(-1.25), Z = id(0.0), I = id(7),
    erlang:display({arith, X + Y, X - Y, X * Y, X / Y, -X, X + I, I / 2, I * 0.5}),
    erlang:display({values, [0.1, 0.2, 0.1 + 0.2, 1.0/3.0, 2.0/3.0, 1.0e-5, 123.456,
                             1.0e21, 1.0e22, 9007199254740993.0, 5.0e-324,
                             1.7976931348623157e308, -0.0, id(2.5e-8)]}),
    erlang:display({zero, Z, -Z, Z == 0, Z =:= 0.0, 0.0 == -0.0}),
    erlang:display({round, [round(V) || V <- [2.5, 3.5, -2.5, -0.5, 0.49999999999999994, 1.0e20]]}),
    erlang:display({trunc, [trunc(V) || V <- [2.7, -2.7, 0.1, -0.1, 1.0e19, 12345678901.9]]}),
    erlang:display({ceil, [ceil(V) || V <- [2.1, -2.1, 3.0, -0.5, 7]]}),
    erlang:display({floor, [floor(V) || V <- [2.9, -2.1, 3.0, -0.5, 7]]}),
    erlang:display({float, float(I), float(-3), float(1 bsl 70), is_float(float(1))}),
    erlang:display({f2l, float_to_list(X), float_to_list(0.1), float_to_list(-1.0e100),
                    float_to_list(1.0e-300)}),
    erlang:display({f2l_opts, float_to_list(X, [{decimals, 3}]),
                    float_to_list(3.14159, [{decimals, 2}]),
                    float_to_list(2.5, [{decimals, 0}]),
                    float_to_list(1.0, [{decimals, 4}, compact]),
                    float_to_list(123.456, [{scientific, 3}]),
                    float_to_list(0.1, [short]), float_to_list(1.0e23, [short]),
                    float_to_list(-0.0, [short]), float_to_list(100.0, [short])}),
    erlang:display({f2b, float_to_binary(X), float_to_binary(0.3, [short]),
                    float_to_binary(1234.5678, [{decimals, 2}])}),
    erlang:display({l2f, list_to_float("3.25"), list_to_float("-1.5e10"),
                    list_to_float("1.0E-3"), binary_to_float(<<"2.5e2">>)}),
    erlang:display({cmp, 1 < 1.5, 2 > 1.5, 1 == 1.0, 1 =:= 1.0, 1 /= 1.0, 1 =/= 1.0,
                    1.0 < 1, 1 < 1.0, 2.0 > 1, -1 < -0.5}),
    erlang:display({cmp_big, (1 bsl 53) == 9007199254740992.0,
                    (1 bsl 53) + 1 > 9007199254740992.0,
                    (1 bsl 53) + 1 == 9007199254740992.0,
                    (1 bsl 80) < 1.0e30, -(1 bsl 80) > -1.0e30}),
    erlang:display({sort, lists:sort([3, 2.0, 1, 2, 1.0, -1, -1.5, 0.0, 0])}),
    erlang:display({math, math:sqrt(16.0), math:pow(2.0, 10), math:pi(), math:exp(0.0),
                    math:log(1.0), math:floor(2.5), math:ceil(2.5), math:fmod(7.5, 2.0)}),
    erlang:display({trig, math:sin(0.0), math:cos(0.0), math:atan2(1.0, 1.0)}),
    erlang:display({sum, lists:foldl(fun(V, A) -> V + A end, 0.0, lists:seq(1, 100)),
                    sum_sq(1000, 0.0)}),
    erlang:display({mixed, I + 0.5, 1 bsl 70 + 0.5, 0.5 * (1 bsl 64)}),
    erlang:display({abs, abs(Y), abs(X), abs(-0.0)}),
    erlang:display({minmax, min(1, 1.0), max(1, 1.0), min(1.0, 1), max(2, 1.5)}),
    erlang:display({guards, fg(id(1.5)), fg(id(1)), fg(id(-2.0))}),
    erlang:display({float_regs, fops(id(1.5), id(-0.25)), fops(id(1.0e150), id(1.0e-150)),
                    poly(id(2.0), [1.0, -3.0, 0.5, 2.0]), dist(id({3.0, 4.0}), id({0.0, 0.0}))}),
    erlang:display({float_reg_error, catch_all(fun() -> fops(id(1.0e300), id(0.0)) end)}),
    erlang:display({errs, catch_all(fun() -> id(1.0) / id(0) end),
                    catch_all(fun() -> id(1.0e308) * id(10.0) end),
                    catch_all(fun() -> id(1) / id(0.0) end),
                    catch_all(fun() -> float(id(a)) end),
                    catch_all(fun() -> list_to_float(id("1")) end),
                    catch_all(fun() -> round(id("x")) end),
                    catch_all(fun() -> math:sqrt(id(-1.0)) end),
                    catch_all(fun() -> id(1 bsl 2000) * id(1.0) end)}),
    erlang:halt(0).

sum_sq(0, Acc) -> Acc;
sum_sq(N, Acc) -> sum_sq(N - 1, Acc + N * N * 0.5).

%% Arithmetic on values known to be floats compiles to the float-register instructions.
fops(X, Y) when is_float(X), is_float(Y) ->
    A = X + Y, B = X - Y, C = X * Y, D = X / Y, E = -X,
    {A, B, C, D, E, (A * B - C) / (D + 1.0)}.

poly(X, Cs) when is_float(X) -> lists:foldl(fun(C, Acc) when is_float(Acc) -> Acc * X + C end, 0.0, Cs).

dist({X1, Y1}, {X2, Y2}) when is_float(X1), is_float(Y1), is_float(X2), is_float(Y2) ->
    DX = X1 - X2, DY = Y1 - Y2,
    math:sqrt(DX * DX + DY * DY).

fg(F) when is_float(F), F > 0 -> pos_float;
fg(F) when is_float(F) -> other_float;
fg(N) when is_number(N) -> number.

catch_all(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, top(St)}
    end.

top([{M, F, A, _} | _]) -> {M, F, A};
top(_) -> none.
