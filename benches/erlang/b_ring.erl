%% Message passing: a ring of 1000 processes passes a token around N times.
-module(b_ring).
-export([main/1]).

-define(SIZE, 1000).

main([N]) ->
    Rounds = list_to_integer(N),
    Self = self(),
    First = spawn(fun() -> first(Self) end),
    Last = lists:foldl(fun(_, Next) -> spawn(fun() -> relay(Next) end) end,
                       First, lists:seq(2, ?SIZE)),
    First ! {link_to, Last},
    First ! {token, Rounds * ?SIZE},
    receive {done, Hops} -> erlang:display(Hops) end,
    erlang:halt(0).

first(Report) ->
    receive {link_to, Next} -> first(Report, Next, 0) end.

first(Report, Next, Hops) ->
    receive
        {token, 0} -> Report ! {done, Hops + 1};
        {token, K} -> Next ! {token, K - 1}, first(Report, Next, Hops + 1)
    end.

relay(Next) ->
    receive
        {token, 0} -> ok;
        {token, K} -> Next ! {token, K - 1}, relay(Next)
    end.
