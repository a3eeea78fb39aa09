%% Message ordering: per-sender order, many senders, forwarding chains, a ring.
-module(t_msg_order).
-export([main/0]).

main() ->
    Self = self(),
    %% One sender: its messages arrive in the order sent.
    spawn(fun() -> [Self ! {seq, I} || I <- lists:seq(1, 200)] end),
    erlang:display({one_sender, collect_seq(200, [])}),
    %% Several senders: each sender's messages stay in order among themselves.
    Senders = [spawn(fun() -> [Self ! {from, S, I} || I <- lists:seq(1, 50)] end)
               || S <- lists:seq(1, 5)],
    Got = [receive {from, S, I} -> {S, I} end || _ <- lists:seq(1, 250)],
    PerSender = [[I || {S2, I} <- Got, S2 =:= S] || S <- lists:seq(1, 5)],
    erlang:display({many_senders, length(Senders),
                    lists:all(fun(L) -> L =:= lists:seq(1, 50) end, PerSender)}),
    %% A forwarding chain keeps order end to end.
    Last = lists:foldl(fun(_, Next) -> spawn(fun() -> forward(Next) end) end,
                       Self, lists:seq(1, 10)),
    [Last ! {chain, I} || I <- lists:seq(1, 30)],
    erlang:display({chain, [receive {chain, I} -> I end || _ <- lists:seq(1, 30)]}),
    %% Messages sent to self between receives keep their order behind earlier ones.
    Self ! a, Self ! b,
    receive a -> ok end,
    Self ! c,
    erlang:display({self_order, flush([])}),
    %% A token passed round a ring of 1000 processes 3 times.
    First = ring(1000, Self),
    First ! {token, 0},
    erlang:display({ring, pass(First, 3)}),
    erlang:display({big_message, begin
        Big = [{I, integer_to_list(I), <<I:32>>, #{k => I}} || I <- lists:seq(1, 2000)],
        P = spawn(fun() -> receive {M, From} -> From ! {back, M} end end),
        P ! {Big, Self},
        receive {back, B2} -> B2 =:= Big end
    end}),
    erlang:halt(0).

collect_seq(0, Acc) -> lists:reverse(Acc) =:= lists:seq(1, 200);
collect_seq(N, Acc) -> receive {seq, I} -> collect_seq(N - 1, [I | Acc]) end.

forward(Next) ->
    receive M -> Next ! M, forward(Next) end.

flush(Acc) ->
    receive M -> flush([M | Acc]) after 0 -> lists:reverse(Acc) end.

ring(0, Next) -> Next;
ring(N, Next) -> ring(N - 1, spawn(fun() -> ring_node(Next) end)).

ring_node(Next) ->
    receive
        stop -> Next ! stop;
        {token, K} -> Next ! {token, K + 1}, ring_node(Next)
    end.

pass(First, 1) ->
    receive {token, K} -> First ! stop, receive stop -> K end end;
pass(First, Laps) ->
    receive {token, K} -> First ! {token, K}, pass(First, Laps - 1) end.
