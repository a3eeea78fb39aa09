-module(t_crypto_hash).
-export([main/0]).

%% Everyday hashing: hex digests, incremental hashing of chunks, HMAC signatures.

hex(Bin) -> string:lowercase(binary:encode_hex(Bin)).

chunks(Bin, N) when byte_size(Bin) =< N -> [Bin];
chunks(Bin, N) -> <<C:N/binary, Rest/binary>> = Bin, [C | chunks(Rest, N)].

incremental(Alg, Bin, N) ->
    S = lists:foldl(fun(C, Acc) -> crypto:hash_update(Acc, C) end,
                    crypto:hash_init(Alg), chunks(Bin, N)),
    crypto:hash_final(S).

sign(Secret, Claims) ->
    Payload = base64:encode(term_to_binary(Claims)),
    Sig = base64:encode(crypto:mac(hmac, sha256, Secret, Payload)),
    <<Payload/binary, ".", Sig/binary>>.

verify(Secret, Token) ->
    [Payload, Sig] = binary:split(Token, <<".">>),
    case base64:encode(crypto:mac(hmac, sha256, Secret, Payload)) of
        Sig -> {ok, binary_to_term(base64:decode(Payload))};
        _ -> {error, bad_signature}
    end.

err(F) ->
    try F() of V -> {ok, V} catch C:R -> {C, R} end.

main() ->
    Algs = [md5, sha, sha224, sha256, sha384, sha512],
    [erlang:display({A, hex(crypto:hash(A, <<"The quick brown fox jumps over the lazy dog">>))})
     || A <- Algs],
    [erlang:display({A, hex(crypto:hash(A, <<>>))}) || A <- Algs],
    erlang:display(crypto:hash(sha, ["ab", [$c], <<"d">>]) =:= crypto:hash(sha, <<"abcd">>)),
    Big = list_to_binary([integer_to_list(I) || I <- lists:seq(1, 20000)]),
    erlang:display(byte_size(Big)),
    [erlang:display({A, N, incremental(A, Big, N) =:= crypto:hash(A, Big),
                     hex(incremental(A, Big, N))})
     || A <- Algs, N <- [1000, 4096]],
    [erlang:display({A, crypto:hash_info(A)}) || A <- Algs],
    [erlang:display({A, hex(crypto:mac(hmac, A, <<"key">>, <<"The quick brown fox">>))})
     || A <- Algs],
    LongKey = binary:copy(<<"k">>, 300),
    erlang:display(hex(crypto:mac(hmac, sha256, LongKey, "data"))),
    erlang:display(hex(crypto:mac(hmac, sha, "", ""))),
    Token = sign(<<"s3cret">>, #{user => <<"ann">>, admin => false}),
    erlang:display(Token),
    erlang:display(verify(<<"s3cret">>, Token)),
    erlang:display(verify(<<"other">>, Token)),
    %% A content-addressed store: names are hashes of the contents.
    Store = maps:from_list([{hex(crypto:hash(sha256, V)), V}
                            || V <- [<<"alpha">>, <<"beta">>, <<"gamma">>]]),
    erlang:display(lists:sort(maps:keys(Store))),
    erlang:display(err(fun() -> crypto:hash(foo, <<"abc">>) end)),
    erlang:display(err(fun() -> crypto:hash(sha, foo) end)),
    erlang:display(err(fun() -> crypto:hash_init(sha1) end)),
    erlang:display(err(fun() -> crypto:hash_update(not_a_state, <<>>) end)),
    erlang:display(err(fun() -> crypto:hash_final(not_a_state) end)),
    erlang:display(err(fun() -> crypto:hash_update(crypto:hash_init(sha), foo) end)),
    erlang:display(err(fun() -> crypto:mac(hmac, foo, <<"k">>, <<"d">>) end)),
    erlang:display(err(fun() -> crypto:mac(hmac, sha, <<"k">>, foo) end)),
    erlang:display(err(fun() -> crypto:mac(foo, sha, <<"k">>, <<"d">>) end)),
    erlang:display(err(fun() -> crypto:hash_info(foo) end)),
    erlang:halt().
