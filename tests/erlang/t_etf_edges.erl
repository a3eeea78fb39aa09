%% binary_to_term/1,2 at the edges erl defines: a map with a repeated key is refused, bytes
%% after the term are ignored (and counted by `used'), a long binary with `used' is read
%% once, and nesting deeper than 256 decodes.
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
    more(),
    erlang:halt(0).

%% More of what erl accepts and refuses: repeated keys in large and nested maps, sizes that
%% claim more than the binary holds (refused without building anything), bit counts, floats
%% erl cannot hold, bignums with leading zero bytes, atoms, and deep nesting.
more() ->
    DupKeys = lists:seq(1, 40) ++ [7],
    Cases = [
      {dup_large_map, <<131, 116, (length(DupKeys)):32,
                        (<< <<97, K, 97, 0>> || K <- DupKeys >>)/binary>>},
      {dup_nested, <<131, 108, 0,0,0,1, 116, 0,0,0,2, 107,0,1,1, 97,1, 107,0,1,1, 97,2, 106>>},
      {dup_apart, <<131, 116, 0,0,0,3, 100,0,1,$b, 97,1, 100,0,1,$a, 97,2, 100,0,1,$b, 97,3>>},
      {dup_map_keys, <<131, 116, 0,0,0,2, 116,0,0,0,0, 97,1, 116,0,0,0,0, 97,2>>},
      {int_and_float_keys, <<131, 116, 0,0,0,2, 97,1, 97,1, 70, 63,240,0:48, 97,2>>},
      {unsorted_keys, <<131, 116, 0,0,0,2, 100,0,1,$b, 97,1, 100,0,1,$a, 97,2>>},
      {map_short, <<131, 116, 0,0,0,3, 97,1, 97,2>>},
      {map_huge, <<131, 116, 255,255,255,255, 97,1, 97,2>>},
      {tuple_huge, <<131, 105, 255,255,255,255, 97,1>>},
      {list_huge, <<131, 108, 255,255,255,255, 97,1, 106>>},
      {string_huge, <<131, 107, 255, 255, 1>>},
      {binary_huge, <<131, 109, 255,255,255,255, 1,2,3>>},
      {zlib_huge, <<131, 80, 255,255,255,255, 120,156,203,97,96,96,72,73,97,0,0>>},
      %% erl's term_to_binary(lists:duplicate(50, x), [compressed]), then 1, 2.
      {zlib_trailing, <<131, 80, 0,0,0,206, 120,156,203,97,96,96,48,74,97,96,172,24,14,56,
                        11,0,151,197,44,51, 1,2>>},
      {list_zero_tail, <<131, 108, 0,0,0,0, 97,5>>},
      {improper, <<131, 108, 0,0,0,1, 97,1, 97,2>>},
      {bits_none, <<131, 77, 0,0,0,0, 0>>},
      {bits_none_of_one, <<131, 77, 0,0,0,1, 0, 255>>},
      {bits_nine, <<131, 77, 0,0,0,1, 9, 255>>},
      {bits_of_none, <<131, 77, 0,0,0,0, 3>>},
      {bits_three, <<131, 77, 0,0,0,1, 3, 255>>},
      {nan, <<131, 70, 127,248,0:48>>},
      {infinity, <<131, 70, 127,240,0:48>>},
      {float_text, <<131, 99, "1.50000000000000000000e+00", 0:40>>},
      {big_leading_zero, <<131, 110, 2, 0, 1, 0>>},
      {big_empty, <<131, 110, 0, 0>>},
      {big_minus_zero, <<131, 110, 1, 1, 0>>},
      {large_big, <<131, 111, 0,0,0,9, 0, 1,0,0,0,0,0,0,0,1>>},
      {int_ext, <<131, 98, 255,255,255,255>>},
      {atom_bad_utf8, <<131, 119, 2, 255, 254>>},
      {atom_256, <<131, 118, 1, 0, (binary:copy(<<"a">>, 256))/binary>>},
      {atom_latin1, <<131, 100, 0, 1, 233>>},
      {atom_empty, <<131, 100, 0, 0>>},
      {atom_cache_ref, <<131, 82, 0>>},
      {export_fun, <<131, 113, 100,0,6,"erlang", 100,0,4,"self", 97,0>>},
      {export_fun_bad_arity, <<131, 113, 100,0,6,"erlang", 100,0,4,"self", 98,255,255,255,255>>},
      {new_fun_cut, <<131, 112, 0,0,0,5, 0>>},
      {ref_too_long, <<131, 90, 0,6, 100,0,13,"nonode@nohost", 0,0,0,0, 0:192>>},
      {tuple0, <<131, 104, 0>>},
      {two_terms, <<131, 97, 5, 131, 97, 6>>},
      {version_then_zero, <<131, 0>>},
      {empty, <<>>}
    ],
    [erlang:display({N, b2t(B), b2t_used(B)}) || {N, B} <- Cases],
    %% Nesting far past 256 levels decodes (erl sets no limit).
    Deep = <<131, (deep_list(100000))/binary>>,
    {ok, {DL, DUsed}} = b2t_used(Deep),
    DT = binary_to_term(<<131, (binary:copy(<<104, 1>>, 300))/binary, 106>>),
    erlang:display({deep, depth(DL, 0), DUsed =:= byte_size(Deep), tuple_depth(DT, 0)}),
    %% Long lists are encoded a slice at a time: the same bytes as erl's (a list of 65,535
    %% bytes is still STRING_EXT).
    Seq = lists:seq(1, 70000),
    Mixed = [{I, [a, "s", 1.5, <<"b">>, -I * 1000000000000]} || I <- lists:seq(1, 70000)],
    erlang:display({long_term_to_binary,
                    [encoded(T, Opts)
                     || T <- [Seq, Seq ++ tail, Mixed, {Seq}, [Seq, Seq],
                              lists:duplicate(65535, 7), lists:duplicate(65536, 7)],
                        Opts <- [[], [deterministic], [{minor_version, 2}]]]}).

%% Size, digest and round trip of one encoding; the binary is dropped before the next (the
%% suite also runs in a 256 MiB guest).
encoded(T, Opts) ->
    B = term_to_binary(T, Opts),
    R = {byte_size(B), erlang:md5(B), binary_to_term(B) =:= T},
    erlang:garbage_collect(),
    R.

deep_list(N) -> <<(binary:copy(<<108, 0,0,0,1>>, N))/binary, 106, (binary:copy(<<106>>, N))/binary>>.

depth([X], N) -> depth(X, N + 1);
depth([], N) -> N.

tuple_depth({X}, N) -> tuple_depth(X, N + 1);
tuple_depth([], N) -> N.

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
