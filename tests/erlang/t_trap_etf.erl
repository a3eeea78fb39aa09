%% Long term_to_binary/binary_to_term and binary:copy/2 share the node: while one process
%% encodes a tuple of 200,000 elements or a map of 100,000 pairs, decodes a list or tuple of
%% 200,000 elements or that map or a map of 300,000 pairs keyed by tuples or makes a binary
%% of 20 MB, others run (erl's BIFs trap when their slice of work is used up). A ticker
%% process told to go just before the call must have sent its tick before the call returns.
%% Results are compared as erl gives them: bytes, values, `used', `safe', trailing
%% bytes, improper tails, and the error (with the arguments given) of a bad element found in
%% a later slice.
-module(t_trap_etf).
-export([main/0]).

during(Tag, F) ->
    Ticker = ticker(),
    erlang:yield(),
    Ticker ! go,
    Start = erlang:monotonic_time(),
    R = (catch F()),
    Done = erlang:monotonic_time(),
    %% Ticked during the call: the tick was sent after the call began and before it
    %% returned (the ticker may also run when the caller is preempted before or after it).
    Ticked = receive {tick, At} -> Start < At andalso At < Done end,
    erlang:display({Tag, summary(R)}),
    erlang:display({Tag, ticked_during_call, Ticked}).

main() ->
    N = 200000,
    %% Each group in a process of its own, so that no group's data outlives it.
    [in_process(G, N) || G <- [fun tuples/1, fun maps/1, fun tuple_keys/1, fun lists/1,
                               fun atoms/1, fun copies/1]],
    erlang:halt(0).

in_process(Group, N) ->
    {Pid, Ref} = spawn_monitor(fun() -> Group(N) end),
    receive {'DOWN', Ref, process, Pid, Why} -> normal = Why end.

tuples(N) ->
    Tuple = list_to_tuple([{I, <<I:16>>, -I * 1000000000000} || I <- lists:seq(1, N)]),
    TB = term_to_binary(Tuple),
    during(t2b_tuple, fun() -> term_to_binary(Tuple) end),
    erlang:display({t2b_tuple_bytes, byte_size(TB), erlang:md5(TB)}),
    during(b2t_tuple, fun() -> binary_to_term(TB) =:= Tuple end).

%% A map of 100,000 pairs (over the 65,536 from which both erl and xenbeam slice its
%% encoding; half the other groups' size, so that the map, its encoding and its decoded copy
%% fit a 256 MiB guest together), held as erl holds a large map and, from binary_to_term, as
%% it arrives: the bytes of the slices are those of the encoding in one go (with an option,
%% term_to_binary/2 does not slice). Only sizes and comparisons are printed: the order of
%% the pairs of a map this large follows erl's hash trie only as far as the first level of
%% hashing goes.
maps(N0) ->
    N = N0 div 2,
    Map = maps:from_list([{key(I), {I, <<I:16>>}} || I <- lists:seq(1, N)]),
    MB = term_to_binary(Map, [{minor_version, 1}]),
    during(t2b_map, fun() -> byte_size(term_to_binary(Map)) end),
    during(t2b_map_bytes, fun() -> term_to_binary(Map) =:= MB end),
    during(b2t_map, fun() -> binary_to_term(MB) =:= Map end),
    during(b2t_map_used, fun() ->
                                 {T, Used} = binary_to_term(<<MB/binary, "more">>, [used]),
                                 {T =:= Map, Used =:= byte_size(MB)}
                         end),
    Decoded = binary_to_term(MB),
    erlang:display({t2b_map_decoded, Decoded =:= Map}),
    during(t2b_decoded_map, fun() -> term_to_binary(Decoded) =:= MB end),
    erlang:display({t2b_map_sizes, byte_size(MB), erlang:external_size(Map)}).

%% A map of 300,000 pairs keyed by tuples, whose key order takes many slices to find, and
%% the same pairs with the first key again in place of the last.
tuple_keys(N0) ->
    N = N0 * 3 div 2,
    Map = maps:from_list([{{I, <<I:16>>}, I} || I <- lists:seq(1, N)]),
    MB = term_to_binary(Map),
    during(b2t_tuple_keys, fun() -> binary_to_term(MB) =:= Map end),
    erlang:display({b2t_tuple_keys_sizes, map_size(Map), byte_size(MB)}),
    Body = fun(T) -> <<131, B/binary>> = term_to_binary(T), B end,
    Key = fun(I) when I =:= N -> {1, <<1:16>>}; (I) -> {I, <<I:16>>} end,
    Repeated = <<<<131, 116, N:32>>/binary,
                 << <<(Body(Key(I)))/binary, (Body(I))/binary>> || I <- lists:seq(1, N) >>/binary>>,
    during(b2t_tuple_keys_repeated, fun() -> binary_to_term(Repeated) end).

key(I) when I rem 3 =:= 0 -> I;
key(I) when I rem 3 =:= 1 -> <<I:32>>;
key(I) -> {I, [I]}.

lists(N) ->
    List = [{I, [a | I], "s"} || I <- lists:seq(1, N)],
    LB = term_to_binary(List),
    during(b2t_list, fun() -> binary_to_term(LB) =:= List end),
    Improper = lists:foldr(fun(I, Acc) -> [I | Acc] end, tail, lists:seq(1, N)),
    IB = term_to_binary(Improper),
    during(b2t_improper, fun() -> binary_to_term(IB) =:= Improper end),
    Trailing = <<LB/binary, "more">>,
    during(b2t_used, fun() ->
                             {T, Used} = binary_to_term(Trailing, [used]),
                             {T =:= List, Used, byte_size(LB)}
                     end),
    during(b2t_trailing, fun() -> binary_to_term(Trailing) =:= List end),
    during(b2t_safe, fun() -> binary_to_term(LB, [safe]) =:= List end),
    Short = binary:part(LB, 0, byte_size(LB) - 100),
    during(b2t_short, fun() -> binary_to_term(Short) end),
    <<_:3, Unaligned:(byte_size(LB))/binary, _:5>> = <<0:3, LB/binary, 0:5>>,
    during(b2t_unaligned, fun() -> binary_to_term(Unaligned) =:= List end),
    during(b2t_subbinary, fun() -> binary_to_term(binary:part(Trailing, 0, byte_size(LB))) =:= List end).

atoms(N) ->
    %% An atom that does not exist, deep in the list: safe refuses it, plain makes it.
    Unknown = list_to_binary([<<131, 108, N:32>>, binary:copy(<<97, 1>>, N - 1),
                              <<100, 0, 12, "t_trap_etf_q">>, <<106>>]),
    during(b2t_safe_unknown, fun() -> binary_to_term(Unknown, [safe]) end),
    during(b2t_unknown, fun() -> length(binary_to_term(Unknown)) end),
    %% A bad element far into the list (tag 0).
    Bad = list_to_binary([<<131, 108, N:32>>, binary:copy(<<97, 7>>, N - 10), <<0, 0, 0>>]),
    erlang:display({b2t_bad, summary(catch binary_to_term(Bad))}).

copies(_) ->
    during(copy, fun() -> binary:copy(<<"abc">>, 7000000) end),
    during(copy_one, fun() -> binary:copy(binary:copy(<<"x">>, 20000000), 1) end),
    during(copy_odd, fun() -> binary:copy(<<"abcdefg">>, 1234567) end),
    erlang:display({copy_empty, summary(binary:copy(<<>>, 100000000))}).

summary({'EXIT', {Reason, [{M, F, A, _} | _]}}) -> {'EXIT', Reason, {M, F, args(A)}};
summary(B) when is_binary(B) -> {binary, byte_size(B), erlang:md5(B)};
summary(L) when is_list(L) -> {list, length(L)};
summary(T) -> T.

args(A) when is_list(A) -> [arg(X) || X <- A];
args(A) -> A.

arg(X) when is_binary(X) -> {binary, byte_size(X), erlang:phash2(X)};
arg(X) -> X.

ticker() ->
    Self = self(),
    spawn(fun() ->
        receive go -> ok end,
        Self ! {tick, erlang:monotonic_time()}
    end).
