%% Local funs through the external term format: term_to_binary then binary_to_term gives a
%% fun equal to the first that runs the same code with the same environment, inside other
%% terms too, and with binary_to_term/2's options.
-module(t_fun_ext).
-export([main/0]).

main() ->
    X = 21,
    Name = "env",
    F0 = fun() -> plain end,
    F1 = fun(Y) -> {Name, X * Y} end,
    F2 = fun(A, B) -> A ++ B ++ Name end,
    [begin
         B = term_to_binary(F),
         G = binary_to_term(B),
         erlang:display({G =:= F, erlang:fun_info(G, arity), erlang:fun_info(G, env) =:=
                         erlang:fun_info(F, env), byte_size(B) =:= byte_size(term_to_binary(G))})
     end || F <- [F0, F1, F2]],
    G1 = binary_to_term(term_to_binary(F1)),
    erlang:display(G1(2)),
    {T, Used} = binary_to_term(term_to_binary({[F2, F0], #{k => F1}}), [used]),
    [G2, G0] = element(1, T),
    erlang:display({G2("a", "b"), G0(), (maps:get(k, element(2, T)))(1), is_integer(Used)}),
    erlang:display(binary_to_term(term_to_binary(F1, [compressed]), [safe]) =:= F1),
    Nested = fun() -> F1 end,
    erlang:display(((binary_to_term(term_to_binary(Nested)))())(3)),
    halt().
