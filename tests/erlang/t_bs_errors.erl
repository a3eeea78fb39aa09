%% Failed binary constructions: the exception, erl's cause in the frame's error_info (the
%% segment, its type, what is wrong, the value), and the message OTP formats from it; and
%% float segments of 16 and 32 bits at their limits (rounding, infinity, subnormals).
-module(t_bs_errors).
-export([main/0]).

v(X) -> X.

cause(F) ->
    try F() of
        B -> {ok, B}
    catch
        error:R:S ->
            {_, _, _, L} = hd(S),
            Info = proplists:get_value(error_info, L, #{}),
            Text = lists:flatten(erl_error:format_exception(error, R, S)),
            {R, maps:get(cause, Info, none), maps:get(function, Info, none),
             lists:join(" | ", lists:sublist(string:split(Text, "\n", all), 3))}
    end.

main() ->
    A = v(a), N = v(-1), B = v(<<1,2,3>>), BB = v(<<1:3>>), Big = v(1 bsl 70), F = v(1.5),
    I = v(7),
    Cases = [
        fun() -> <<A/binary>> end,
        fun() -> <<1, A/binary>> end,
        fun() -> <<"ab", A/binary>> end,
        fun() -> <<1, 2, A:8>> end,
        fun() -> <<I:N>> end,
        fun() -> <<I:A>> end,
        fun() -> <<A:A>> end,
        fun() -> <<A:N>> end,
        fun() -> <<I:Big>> end,
        fun() -> <<I:(v(1 bsl 60))>> end,
        fun() -> <<A/float>> end,
        fun() -> <<F:N/float>> end,
        fun() -> <<A:N/float>> end,
        fun() -> <<F:A/float>> end,
        fun() -> <<I:Big/float>> end,
        fun() -> <<F:(v(7))/float>> end,
        fun() -> <<A:(v(7))/float>> end,
        fun() -> <<B:4/binary>> end,
        fun() -> <<B:N/binary>> end,
        fun() -> <<A:N/binary>> end,
        fun() -> <<A:8/binary>> end,
        fun() -> <<B:Big/binary>> end,
        fun() -> <<BB/binary>> end,
        fun() -> <<BB:1/binary-unit:8>> end,
        fun() -> <<B:2/binary-unit:16>> end,
        fun() -> <<A/utf8>> end,
        fun() -> <<N/utf16>> end,
        fun() -> <<(v(16#110000))/utf32>> end,
        fun() -> <<(v(16#D800))/utf8>> end,
        fun() -> <<(v(1.5))/integer>> end,
        fun() -> <<(v(1.5))/utf8>> end,
        fun() -> <<I:8, B:A/binary>> end,
        fun() -> <<A:8/integer-unit:4>> end,
        fun() -> X = v(<<1>>), <<X/binary, A/binary>> end,
        fun() -> X = v(a), <<X/binary, 1>> end,
        fun() -> X = v(<<1:3>>), <<X/binary, 1>> end,
        fun() -> lists:foldl(fun(E, Acc) -> <<Acc/binary, E:8>> end, <<>>, [1, 2, a]) end,
        fun() -> <<(v(foo))/bitstring>> end,
        fun() -> <<(v(<<1:1>>))/bitstring, A/binary>> end,
        fun() -> <<BB:4/bitstring>> end
    ],
    [erlang:display(cause(C)) || C <- Cases],
    Floats = ["1.0e10", "65520.0", "65519.99", "65504.0", "1.0e-10", "-1.0e300",
              "3.4028235e38", "3.4028236e38", "1.0e-50", "0.1", "1.0e-5", "3.0e-8",
              "2.98023223876953125e-8", "2.980232238769532e-8", "5.960464477539063e-8",
              "8.940696716308594e-8", "1.00048828125", "1.00146484375",
              "6.097555160522461e-5", "6.103515625e-5", "-0.0", "1.5e-45", "7.0e-46",
              "0.333333333333", "-2.0e-7"],
    [erlang:display({S, Size, <<(list_to_float(S)):Size/float>>,
                     <<(list_to_float(S)):Size/float-little>>})
     || S <- Floats, Size <- [16, 32]],
    erlang:halt(0).
