%% Deeply nested terms through every native walk: external term format, comparison,
%% hashing, message copy, spawn arguments and persistent_term. Only small results are printed.
-module(t_deep_terms).
-export([main/0, main/1, send_back/2]).

%% 100,000 levels of lists and tuples, 20,000 of the costlier map mix and improper lists:
%% enough to overflow any native recursion, small enough for an unoptimised runner and for
%% the image's 256 MiB (where the suite runs too). tests/deep_terms.rs runs main/1 at
%% 10,000,000 with an optimised build.
main() ->
    run(100000, 20000),
    erlang:halt(0).

%% main(["10000000"]) runs the checks at another depth, the map mix and improper lists a
%% tenth as deep (used with an optimised build).
main([Depth]) ->
    N = list_to_integer(Depth),
    run(N, N div 10),
    erlang:halt(0).

run(N, M) ->
    erlang:display({depth, N, M}),
    check(list, nest_list(N, []), nest_list(N, [x])),
    check(tuple, nest_tuple(N, x), nest_tuple(N, y)),
    check(mix, nest_mix(M, leaf), nest_mix(M, leaf2)),
    check(improper, nest_improper(M, end_of_list), nest_improper(M, 1.0)),
    Nested = term_to_binary(nest_list(10000, [])),
    erlang:display({binary_to_term_10000, binary_to_term(Nested) =:= nest_list(10000, [])}),
    erlang:display({chardata, length(unicode:characters_to_list(nest_chars(N, "ab")))}),
    ok.

nest_list(0, Acc) -> Acc;
nest_list(N, Acc) -> nest_list(N - 1, [Acc]).

nest_tuple(0, Acc) -> Acc;
nest_tuple(N, Acc) -> nest_tuple(N - 1, {Acc}).

%% Every level a tuple holding a small map whose values hold the level below.
nest_mix(0, Acc) -> Acc;
nest_mix(N, Acc) -> nest_mix(N - 1, {N rem 7, #{a => Acc, b => N rem 3}}).

%% Nested through the tail of an improper list.
nest_improper(0, Acc) -> Acc;
nest_improper(N, Acc) -> nest_improper(N - 1, [N rem 5 | Acc]).

nest_chars(0, Acc) -> Acc;
nest_chars(N, Acc) -> nest_chars(N - 1, [Acc]).

check(Name, T, Other) ->
    B = term_to_binary(T),
    T2 = binary_to_term(B),
    Self = self(),
    %% Copied into the new process as a spawn argument, then back as a message.
    spawn(?MODULE, send_back, [Self, T]),
    Arg = receive {arg, A} -> A end,
    persistent_term:put({?MODULE, Name}, T),
    Stored = persistent_term:get({?MODULE, Name}),
    persistent_term:erase({?MODULE, Name}),
    erlang:display({Name,
                    [{size, byte_size(B)},
                     {external_size, erlang:external_size(T)},
                     {md5, binary:encode_hex(erlang:md5(B))},
                     {round_trip, T2 =:= T, T2 == T},
                     {order, T < Other, Other < T, T == Other, T =:= Other, T =/= Other},
                     {phash2, erlang:phash2(T), erlang:phash2(T, 1000), erlang:phash2(Other)},
                     {copies, Arg =:= T, Stored =:= T}]}).

%% Runs in a process spawned with the term as an argument.
send_back(To, T) ->
    To ! {arg, T}.
