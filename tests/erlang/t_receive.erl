%% Messages to self: send, receive with patterns, selective receive, timeouts.
-module(t_receive).
-export([main/0]).

id(X) -> X.

main() ->
    Self = self(),
    Self ! hello,
    erlang:display({simple, receive M -> M end}),
    Self ! {a, 1}, Self ! {b, 2}, Self ! {a, 3},
    erlang:display({selective, receive {b, V} -> {got_b, V} end,
                    receive {a, V2} -> {got_a, V2} end,
                    receive {a, V3} -> {got_a, V3} end}),
    erlang:display({timeout0, receive _ -> unexpected after 0 -> timed_out end}),
    erlang:display({timeout10, receive _ -> unexpected after id(10) -> timed_out end}),
    [Self ! I || I <- lists:seq(1, 100)],
    erlang:display({drain, drain([])}),
    Self ! {ref_msg, x},
    erlang:display({guarded, receive {ref_msg, X} when is_atom(X) -> {atom, X} after 100 -> none end}),
    Self ! 5, Self ! 50, Self ! 500,
    erlang:display({guard_order, receive N when N > 10 -> N end, receive N2 -> N2 end, receive N3 -> N3 end}),
    erlang:display({send_result, Self ! {complex, [1, 2], #{k => v}}, receive {complex, L, Mp} -> {L, Mp} end}),
    erlang:display({queue_len, element(2, erlang:process_info(self(), message_queue_len))}),
    Ref = make_ref(),
    Self ! {Ref, reply},
    erlang:display({ref_match, receive {Ref, R} -> R after 0 -> none end}),
    erlang:display({after_infinity_ok, begin Self ! last, receive last -> got_last after infinity -> never end end}),
    erlang:display({flush_count, begin [Self ! {x, I} || I <- lists:seq(1, 10)], count_msgs(0) end}),
    erlang:halt(0).

drain(Acc) ->
    receive
        X -> drain([X | Acc])
    after 0 ->
        {length(Acc), lists:sum(Acc)}
    end.

count_msgs(N) ->
    receive {x, _} -> count_msgs(N + 1) after 0 -> N end.
