%% Selective receive: patterns, guards, order of matching, refs, nested receives.
-module(t_selective).
-export([main/0]).

main() ->
    Self = self(),
    [Self ! M || M <- [{x, 1}, {y, 2}, {z, 3}, {y, 4}, {x, 5}]],
    erlang:display({pick_y, receive {y, A} -> A end, receive {y, B} -> B end}),
    erlang:display({rest, flush()}),
    [Self ! N || N <- [1, 20, 3, 40, 5]],
    erlang:display({guards, receive X when X > 10 -> X end, receive Y when Y > 10 -> Y end,
                    flush()}),
    %% The first message that matches any clause wins, not the first clause.
    Self ! second, Self ! first,
    erlang:display({clause_order, receive first -> first; second -> second end, flush()}),
    %% A reply matched by a fresh reference skips older messages.
    Self ! {reply, old},
    Ref = make_ref(),
    P = spawn(fun() -> receive {Ref2, From} -> From ! {Ref2, fresh} end end),
    P ! {Ref, Self},
    erlang:display({ref_reply, receive {Ref, V} -> V end, flush()}),
    %% Nested receives, the inner one selective.
    Self ! outer, Self ! inner,
    erlang:display({nested, receive outer -> receive inner -> both end end}),
    %% Nothing matches: after 0 leaves the mailbox as it was.
    Self ! keep1, Self ! keep2,
    erlang:display({untouched, receive nope -> nope after 0 -> timeout end, flush()}),
    %% Messages from another process matched in a different order than sent.
    Q = spawn(fun() -> receive go -> [Self ! {q, I} || I <- [3, 1, 2]] end end),
    Q ! go,
    erlang:display({reorder, [receive {q, I} -> I end || I <- [1, 2, 3]]}),
    %% Matching on maps, binaries and nested tuples.
    Self ! #{type => pong, n => 7},
    Self ! <<"bin:", 42>>,
    Self ! {deep, {a, [1, {b, 2}]}},
    erlang:display({shapes,
                    receive {deep, {a, [_, {b, D}]}} -> D end,
                    receive <<"bin:", C>> -> C end,
                    receive #{type := pong, n := Nn} -> Nn end}),
    %% A long mailbox with the match at the end.
    [Self ! {filler, I} || I <- lists:seq(1, 5000)],
    Self ! needle,
    erlang:display({needle, receive needle -> found end, length(flush())}),
    erlang:halt(0).

flush() ->
    receive M -> [M | flush()] after 0 -> [] end.
