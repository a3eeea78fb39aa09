-module(t_crypto_rand).
-export([main/0]).

%% crypto:strong_rand_bytes/1 as programs use it: sizes, fresh bytes every call, bytes
%% spread over every value, and the NIF's badarg for sizes it does not take.
main() ->
    [erlang:display(byte_size(crypto:strong_rand_bytes(N))) || N <- [0, 1, 7, 8, 9, 16, 1000]],
    erlang:display(is_binary(crypto:strong_rand_bytes(3))),
    %% Two draws of 32 bytes are the same once in 2^256.
    Draws = [crypto:strong_rand_bytes(32) || _ <- lists:seq(1, 100)],
    erlang:display(length(lists:usort(Draws))),
    %% 256,000 bytes: each value 1,000 times on average (a deviation of about 32); outside
    %% 800..1200 is more than six deviations away.
    Big = crypto:strong_rand_bytes(256000),
    Counts = count(Big, #{}),
    erlang:display(map_size(Counts)),
    erlang:display(lists:all(fun(C) -> C > 800 andalso C < 1200 end, maps:values(Counts))),
    %% Bits: about half of them set.
    Ones = lists:sum([popcount(B) || <<B>> <= Big]),
    erlang:display(abs(Ones - 1024000) < 10000),
    %% A token as programs make one.
    Token = binary:encode_hex(crypto:strong_rand_bytes(16)),
    erlang:display(byte_size(Token)),
    erlang:display(length([N || N <- [-1, 1.0, a, "8", 1 bsl 31, 1 bsl 45, 1 bsl 64, -(1 bsl 64)],
                                badarg(N)])),
    erlang:display(byte_size(crypto:strong_rand_bytes(1 bsl 20))),
    halt().

count(<<B, Rest/binary>>, M) -> count(Rest, maps:update_with(B, fun(C) -> C + 1 end, 1, M));
count(<<>>, M) -> M.

popcount(0) -> 0;
popcount(B) -> (B band 1) + popcount(B bsr 1).

badarg(N) ->
    try crypto:strong_rand_bytes(N) of
        _ -> false
    catch
        error:badarg -> true
    end.
