%% term_to_iovec/1,2: the encoding as a list of binaries in which each byte-aligned binary of
%% more than 64 bytes is an element of its own (the very binary, not a copy) and the bytes
%% between are one binary each; long lists, large tuples and maps (encoded a slice at a time)
%% give the same shape; joined, the list is term_to_binary's bytes.
-module(t_term_to_iovec).
-export([main/0]).

main() ->
    B64 = binary:copy(<<7>>, 64),
    B65 = binary:copy(<<7>>, 65),
    Big = binary:copy(<<1, 2, 3>>, 100),
    <<_:8, Sub:200/binary, _/binary>> = Big,
    <<_:3, Unaligned:100/binary, _/bits>> = Big,
    Bits = <<Big/binary, 1:3>>,
    Terms = [x, 42, B64, B65, Sub, Unaligned, Bits, {a, B65, [B65, B64]}, [Big, Big],
             #{k => B65, j => Sub}, {x, Sub, Sub}, [<<>>, B65 | B65], <<0:65/unit:8>>,
             {B65, 1.5, "text", self(), make_ref()}],
    [show(T) || T <- Terms],
    %% Encoded a slice at a time.
    show(lists:seq(1, 200000)),
    show(lists:duplicate(70000, Big)),
    show([I || I <- lists:seq(1, 100000)] ++ [Big]),
    show(list_to_tuple([case I rem 3 of 0 -> Big; _ -> I end || I <- lists:seq(1, 70000)])),
    %% (A large map's pairs go in an order of the node's own: the count of elements only.)
    M = maps:from_list([{I, case I rem 2 of 0 -> Sub; _ -> I end} || I <- lists:seq(1, 70000)]),
    MV = term_to_iovec(M),
    erlang:display({large_map, length(MV), iolist_to_binary(MV) =:= term_to_binary(M),
                    binary_to_term(iolist_to_binary(MV)) =:= M}),
    %% The shared elements are the binaries themselves: same size and bytes.
    [_, Shared | _] = term_to_iovec({Big}),
    erlang:display({same_bytes, Shared =:= Big}),
    %% minor_version 0 and 1 change the float only.
    show_opts({1.5, B65}, [{minor_version, 0}]),
    show_opts({1.5, B65}, [{minor_version, 1}]),
    %% compressed: OTP 25 gives the compressed binary itself.
    C = term_to_iovec({B65, lists:seq(1, 100)}, [compressed]),
    erlang:display({compressed, is_binary(C), binary_to_term(C) =:= {B65, lists:seq(1, 100)}}),
    [erlang:display({options, O, catch term_to_iovec(x, O), catch term_to_binary(x, O),
                     catch erlang:external_size(x, O)})
     || O <- [[bogus], bogus, [{minor_version, 3}],
              [{minor_version, -1}], [{minor_version, 2}], [{compressed, 10}],
              [{compressed, 0}], [{compressed, 9}], [compressed], [deterministic], [local]]],
    erlang:halt(0).

show(T) ->
    show_opts(T, []).

show_opts(T, Opts) ->
    V = term_to_iovec(T, Opts),
    Joined = iolist_to_binary(V),
    Sizes = [byte_size(E) || E <- V],
    Shape = case length(Sizes) > 12 of
                true -> {length(Sizes), lists:sublist(Sizes, 5), erlang:md5(term_to_binary(Sizes))};
                false -> runs(Sizes)
            end,
    erlang:display({Shape,
                    Joined =:= term_to_binary(T, Opts),
                    binary_to_term(Joined) =:= T,
                    lists:all(fun is_binary/1, V)}).

%% The element sizes, runs of equal sizes counted.
runs([]) -> [];
runs([X | Rest]) -> runs(Rest, X, 1, []).

runs([X | Rest], X, N, Acc) -> runs(Rest, X, N + 1, Acc);
runs([Y | Rest], X, N, Acc) -> runs(Rest, Y, 1, [run(X, N) | Acc]);
runs([], X, N, Acc) -> lists:reverse([run(X, N) | Acc]).

run(X, 1) -> X;
run(X, N) -> {X, N}.
