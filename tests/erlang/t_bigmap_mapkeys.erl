%% Maps of more than 32 keys whose keys are maps (or hold maps) iterate in erl's order: a
%% small map's hash starts with its size, as erl's internal hash has it.
-module(t_bigmap_mapkeys).
-export([main/0]).

main() ->
    M = maps:from_list([{#{K => K}, K} || K <- lists:seq(1, 40)]),
    erlang:display(maps:keys(M)),
    M2 = maps:from_list([{{K, #{1 => K, 2 => [K]}}, K} || K <- lists:seq(1, 40)]),
    erlang:display(maps:values(M2)),
    M3 = maps:from_list([{maps:from_list([{J, J} || J <- lists:seq(1, K)]), K}
                         || K <- lists:seq(30, 36)] ++ [{X, x} || X <- lists:seq(1, 30)]),
    erlang:display(maps:values(M3)),
    M4 = maps:from_list([{K, #{}} || K <- [#{}, #{1 => 2}, #{1 => #{}}]] ++
                        [{X, x} || X <- lists:seq(1, 40)]),
    erlang:display(maps:keys(M4)),
    halt().
