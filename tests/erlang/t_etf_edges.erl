%% binary_to_term/1,2 at the edges erl defines: a map with a repeated key is refused, bytes
%% after the term are ignored (and counted by `used'), and a long binary with `used' is read
%% once.
-module(t_etf_edges).
-export([main/0]).

main() ->
    Dup = <<131, 116, 0, 0, 0, 2, 97, 1, 97, 2, 97, 1, 97, 3>>,
    Trail = <<131, 97, 1, 0, 0>>,
    Big = term_to_binary(lists:seq(1, 20000)),
    erlang:display({duplicate_key, b2t(Dup), b2t_used(Dup)}),
    erlang:display({trailing, b2t(Trail), b2t_used(Trail)}),
    erlang:display({one_key, b2t(<<131, 116, 0, 0, 0, 1, 97, 1, 97, 2>>)}),
    erlang:display({truncated, b2t(<<131>>), b2t(<<131, 97>>), b2t_used(<<131, 97>>)}),
    erlang:display({bad_version, b2t(<<130, 97, 1>>)}),
    {ok, {List, Used}} = b2t_used(<<Big/binary, "rest">>),
    erlang:display({long_used, length(List), Used, Used =:= byte_size(Big)}),
    erlang:display({compressed, b2t(term_to_binary(#{a => 1, <<"b">> => [2]}, [compressed])),
                    %% erl's term_to_binary(lists:duplicate(100, x), [compressed]), then 9, 9.
                    b2t_used(<<131, 80, 0, 0, 1, 150, 120, 156, 203, 97, 96, 96, 72, 73, 97,
                               96, 172, 24, 197, 131, 7, 103, 1, 0, 53, 143, 87, 143, 9, 9>>)}),
    %% `safe' refuses a term naming an atom that does not exist yet, and creates none.
    Unknown = <<131, 119, 11, "zq_unknown1">>,
    erlang:display({safe, b2t_safe(Unknown), b2t_safe(term_to_binary({ok, [error]})),
                    catch list_to_existing_atom("zq_unknown1")}),
    erlang:halt(0).

b2t(B) ->
    try binary_to_term(B) of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

b2t_safe(B) ->
    try binary_to_term(B, [safe]) of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

b2t_used(B) ->
    try binary_to_term(B, [used]) of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.
