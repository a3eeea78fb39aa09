-module(t_phash2_long).
-export([main/0]).

%% phash2 of large terms: the same hashes as erl, and other processes run meanwhile (erl's
%% phash2 yields on large terms; so does ours).

main() ->
    L = lists:seq(1, 1000000),
    Bytes = [X rem 256 || X <- lists:seq(1, 300003)],
    T = list_to_tuple(lists:seq(1, 100000)),
    Nested = [{I, [I, <<I:32>>, -I, float(I)]} || I <- lists:seq(1, 50000)],
    M = maps:from_list([{I, {I}} || I <- lists:seq(1, 50000)]),
    Deep = lists:foldl(fun(I, Acc) -> [I, Acc] end, [], lists:seq(1, 50000)),
    Mixed = [L, Bytes, T],
    Terms = [{list, L}, {bytes, Bytes}, {tuple, T}, {nested, Nested}, {map, M}, {deep, Deep},
             {mixed, Mixed}, {in_map, #{a => L}}],
    lists:foreach(fun({Name, X}) ->
                          io:format("~p: ~p ~p ~p~n",
                                    [Name, erlang:phash2(X), erlang:phash2(X, 1000),
                                     erlang:phash2(X, 1 bsl 32)])
                  end, Terms),
    Self = self(),
    Ticker = spawn(fun() -> tick(Self, 0) end),
    receive ticking -> ok end,
    _ = erlang:phash2(Mixed),
    Ticker ! {stop, self()},
    receive {ticks, N} -> io:format("others ran meanwhile: ~p~n", [N > 1]) end,
    halt().

tick(Parent, 0) -> Parent ! ticking, tick1(1);
tick(_, N) -> tick1(N).
tick1(N) ->
    receive {stop, From} -> From ! {ticks, N - 1}
    after 0 -> erlang:yield(), tick1(N + 1)
    end.
