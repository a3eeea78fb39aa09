%% A smoke test of the runtime in the image: a little of everything, with a known exit status.
-module(t_image).
-export([main/0]).

main() ->
    erlang:display(lists:map(fun(X) -> X * X end, lists:seq(1, 5))),
    erlang:display(fact(25)),
    erlang:display(<< <<(B + 1)>> || <<B>> <= <<"HAL">> >>),
    erlang:display(maps:to_list(#{b => 2, a => 1})),
    erlang:display(try list_to_atom(id(42)) catch error:Reason -> {caught, Reason} end),
    erlang:display({float, 1.5 * 3}),
    erlang:halt(7).

fact(0) -> 1;
fact(N) -> N * fact(N - 1).

id(X) -> X.
