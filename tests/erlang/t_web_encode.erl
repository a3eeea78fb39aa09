-module(t_web_encode).
-export([main/0]).

%% Web-ish encodings by hand and with OTP: base64, URIs and query strings, percent-encoding,
%% and a small JSON encoder over maps, lists, binaries and numbers.

json(null) -> <<"null">>;
json(true) -> <<"true">>;
json(false) -> <<"false">>;
json(N) when is_integer(N) -> integer_to_binary(N);
json(F) when is_float(F) -> float_to_binary(F, [short]);
json(A) when is_atom(A) -> json(atom_to_binary(A));
json(B) when is_binary(B) -> [$", escape(B), $"];
json(M) when is_map(M) ->
    [${, lists:join($,, [[json(to_key(K)), $:, json(V)] || {K, V} <- lists:sort(maps:to_list(M))]), $}];
json(L) when is_list(L) -> [$[, lists:join($,, [json(X) || X <- L]), $]].

to_key(K) when is_atom(K) -> atom_to_binary(K);
to_key(K) when is_binary(K) -> K;
to_key(K) when is_integer(K) -> integer_to_binary(K).

escape(B) -> << <<(esc(C))/binary>> || <<C/utf8>> <= B >>.

esc($") -> <<"\\\"">>;
esc($\\) -> <<"\\\\">>;
esc($\n) -> <<"\\n">>;
esc($\t) -> <<"\\t">>;
esc(C) when C < 32 -> list_to_binary(io_lib:format("\\u~4.16.0b", [C]));
esc(C) -> <<C/utf8>>.

main() ->
    Data = [<<"">>, <<"f">>, <<"fo">>, <<"foo">>, <<"hello, world">>, <<0, 255, 128, 1>>],
    [io:format("~p ~p~n", [base64:encode(D), base64:decode(base64:encode(D)) =:= D]) || D <- Data],
    io:format("~p~n", [base64:encode_to_string("text")]),
    io:format("~p~n", [base64:decode("aGVsbG8=")]),
    io:format("~p~n", [base64:mime_decode(<<"aGVs\r\nbG8=">>)]),
    io:format("~p~n", [catch base64:decode(<<"not base64!">>)]),
    U = uri_string:parse("https://user@example.com:8443/a/b%20c?q=1&lang=en#top"),
    io:format("~p~n", [U]),
    io:format("~p~n", [uri_string:recompose(U#{path => "/new", query => "x=y"})]),
    io:format("~p~n", [uri_string:parse(<<"mailto:ann@example.com">>)]),
    io:format("~p~n", [uri_string:normalize("HTTP://Example.COM:80/a/./b/../c")]),
    io:format("~p~n", [uri_string:dissect_query("a=1&b=two%20words&c")]),
    io:format("~p~n", [uri_string:compose_query([{"q", "erlang otp"}, {"page", "2"}, {"empty", true}])]),
    io:format("~p~n", [uri_string:resolve("../x?y", "http://h/a/b/c")]),
    io:format("~p~n", [uri_string:transcode(<<"%C3%BC">>, [{in_encoding, utf8}, {out_encoding, latin1}])]),
    io:format("~p~n", [uri_string:parse("not a uri with spaces")]),
    io:format("~p~n", [uri_string:quote("a b/c?d")]),
    io:format("~p~n", [uri_string:unquote("a%20b%2Fc")]),
    io:format("~p~n", [uri_string:allowed_characters() =/= []]),
    Doc = #{name => <<"Zoë \"Z\" Smith"/utf8>>, age => 33, tags => [<<"a">>, <<"b\tc">>],
            active => true, score => 4.25, manager => null,
            address => #{city => <<"Oslo">>, zip => <<"0150">>}, ids => [1, 2, 3], big => 1 bsl 70},
    io:format("~ts~n", [iolist_to_binary(json(Doc))]),
    io:format("~p~n", [iolist_to_binary(json([#{}, [], <<"\n\x01">>, -0.5, 1.0e20]))]),
    io:format("~p~n", [http_uri_like("/search?q=a+b&n=10")]),
    halt().

http_uri_like(Path) ->
    #{path := P, query := Q} = uri_string:parse(Path),
    {P, uri_string:dissect_query(Q)}.
