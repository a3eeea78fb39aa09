%% erlang:decode_packet/3 for http, httph, http_bin and httph_bin: request and status lines,
%% URIs, known and unknown headers, folded headers, every cut of several messages, errors
%% and the line_length and packet_size limits.
-module(t_packet_http).
-export([main/0]).

dp(T, B, O) ->
    try erlang:decode_packet(T, B, O)
    catch C:R:S -> {C, R, frame(hd(S))}
    end.

frame({M, F, A, Info}) -> {M, F, A, proplists:get_value(error_info, Info)}.

%% Strings with line ends, tabs or bytes over 126 shown as {esc, Text}: no control
%% characters reach the console.
san(L) when is_list(L) ->
    case lists:all(fun is_integer/1, L) andalso lists:any(fun(C) -> C < 32 orelse C > 126 end, L) of
        true -> {esc, lists:flatmap(fun esc/1, L)};
        false -> [san(X) || X <- L]
    end;
san(T) when is_tuple(T) -> list_to_tuple([san(E) || E <- tuple_to_list(T)]);
san(X) -> X.

esc($\r) -> "\\r";
esc($\n) -> "\\n";
esc($\t) -> "\\t";
esc(C) when C < 32; C > 126 -> "\\" ++ integer_to_list(C);
esc(C) -> [C].

show(X) -> erlang:display(san(X)).

%% Reads a whole message as a server does: the start line with http, then headers with
%% httph until http_eoh; the body is what is left.
message(Bin, Bin_) ->
    {H, Hh} = case Bin_ of bin -> {http_bin, httph_bin}; list -> {http, httph} end,
    case dp(H, Bin, []) of
        {ok, Start, Rest} -> [Start | headers(Hh, Rest)];
        Other -> [Other]
    end.

headers(T, Bin) ->
    case dp(T, Bin, []) of
        {ok, http_eoh, Body} -> [http_eoh, {body, Body}];
        {ok, {http_error, _} = E, _} -> [E];
        {ok, H, Rest} -> [H | headers(T, Rest)];
        Other -> [Other]
    end.

%% The result for every prefix of Bin (one line's worth of results per message).
cuts(T, Bin) ->
    [dp(T, binary:part(Bin, 0, N), []) || N <- lists:seq(0, byte_size(Bin))].

main() ->
    Req = <<"GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nuser-agent: t/1.0\r\n"
            "Accept: */*\r\nX-Custom-Thing:  v1 \r\nContent-Length: 4\r\n\r\nbody">>,
    Resp = <<"HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\n"
             "Set-Cookie: a=b\r\nkeep-ALIVE: timeout=5\r\n\r\n">>,
    Folded = <<"POST * HTTP/1.1\r\nX-Long: part one\r\n  part two\r\n\tpart three\r\n"
               "Via: 1.0 a\r\n\r\n">>,
    [show({message, W, message(M, W)}) || M <- [Req, Resp, Folded], W <- [list, bin]],
    Lines = [
        <<"GET / HTTP/1.1\r\n">>, <<"GET / HTTP/1.0\n">>, <<"OPTIONS * HTTP/1.1\r\n">>,
        <<"HEAD /a HTTP/1.1\r\n">>, <<"POST /a HTTP/1.1\r\n">>, <<"PUT /a HTTP/1.1\r\n">>,
        <<"DELETE /a HTTP/1.1\r\n">>, <<"TRACE /a HTTP/1.1\r\n">>, <<"get /a HTTP/1.1\r\n">>,
        <<"PATCH /a HTTP/1.1\r\n">>, <<"M-SEARCH * HTTP/1.1\r\n">>,
        <<"GET http://example.com:8080/p?q=1 HTTP/1.1\r\n">>, <<"GET http://example.com HTTP/1.1\r\n">>,
        <<"GET HTTPS://Example.com:443/ HTTP/1.1\r\n">>, <<"GET https://h:0/x HTTP/1.1\r\n">>,
        <<"GET http://h:12a/x HTTP/1.1\r\n">>, <<"GET http://h:/x HTTP/1.1\r\n">>,
        <<"GET http://[::1]:4000/x HTTP/1.1\r\n">>, <<"GET http://h:99999999999/ HTTP/1.1\r\n">>,
        <<"GET mailto:a@b HTTP/1.1\r\n">>, <<"GET ftp://h/x HTTP/1.1\r\n">>,
        <<"GET relative/path HTTP/1.1\r\n">>, <<"GET a HTTP/1.1\r\n">>, <<"GET * HTTP/1.1\r\n">>,
        <<"GET **\r\n">>, <<"GET /\r\n">>, <<"GET  \t /x \t HTTP/1.1\r\n">>,
        <<"GET / HTTP/1.1 trailing\r\n">>, <<"GET / HTTP/12.34\r\n">>,
        <<"GET / HTTP/99999999999.1\r\n">>, <<"GET / HTTP/1.\r\n">>, <<"GET / HTTP/.1\r\n">>,
        <<"GET / HTTP/11\r\n">>, <<"GET / HTTP/1\r\n">>, <<"GET / http/1.1\r\n">>,
        <<"GET / FOO/1.1\r\n">>, <<"GET / HTTP\r\n">>, <<"GET\r\n">>, <<"GET \r\n">>,
        <<" GET / HTTP/1.1\r\n">>, <<"G(T / HTTP/1.1\r\n">>, <<"GE\177T / HTTP/1.1\r\n">>,
        <<"GÉT / HTTP/1.1\r\n">>, <<"\r\n">>, <<"\n">>, <<"x\r\n">>, <<"GET /a\rb HTTP/1.1\r\n">>,
        <<"HTTP/1.1 200 OK\r\n">>, <<"HTTP/1.1 200\r\n">>, <<"HTTP/1.1 200 \r\n">>,
        <<"HTTP/2.0 500 Internal  Server Error\r\n">>, <<"HTTP/1.1 OK\r\n">>,
        <<"HTTP/1.1 200OK\r\n">>, <<"HTTP/1.1\t301\tMoved\r\n">>, <<"HTTP/1.1200 OK\r\n">>,
        <<"HTTP/1 200 OK\r\n">>, <<"HTTP/x.1 200 OK\r\n">>, <<"HTTP/1.1 99999999999 X\r\n">>,
        <<"HTTP/\r\n">>, <<"HTTP/1.0 200 OK\n">>
    ],
    [show({line, T, L, dp(T, L, [])}) || L <- Lines, T <- [http, http_bin]],
    Headers = [
        <<"Host: a\r\n\r\n">>, <<"host: a\r\n\r\n">>, <<"HOST: a\r\n\r\n">>, <<"hOsT:a\r\n\r\n">>,
        <<"content-md5: x\r\n\r\n">>, <<"www-authenticate: x\r\n\r\n">>, <<"ETag: x\r\n\r\n">>,
        <<"set-cookie2: x\r\n\r\n">>, <<"x-forwarded-for: 1.2.3.4\r\n\r\n">>,
        <<"proxy-connection: close\r\n\r\n">>, <<"Cache-Control: no\r\n\r\n">>,
        <<"x-foo-BAR: v\r\n\r\n">>, <<"-x--y: v\r\n\r\n">>, <<"X_Y.z: v\r\n\r\n">>,
        <<": empty name\r\n\r\n">>, <<"Name:\r\n\r\n">>, <<"Name:   \r\n\r\n">>,
        <<"Name: a  b \t\r\n\r\n">>, <<"Name : v\r\n\r\n">>, <<"Na me: v\r\n\r\n">>,
        <<"NoColon\r\n\r\n">>, <<"Bad/Name: v\r\n\r\n">>, <<"Name\177x: v\r\n\r\n">>,
        <<"Folded: a\r\n b\r\n\r\n">>, <<"Folded: a\n\tb\n\n">>, <<"Host: a\nX: b\n\n">>,
        <<"AAAAAAAAAABBBBBBBBBBCCCCCCCCCCDDDDDDDDDDEEEEEEEEEEF: v\r\n\r\n">>,
        <<"aAAAAAAAABBBBBBBBBBCCCCCCCCCCDDDDDDDDDDEEEEEEEEEE: v\r\n\r\n">>,
        <<"content-length-and-more-so-that-the-name-is-longer-than-fifty: v\r\n\r\n">>,
        <<"\r\n">>, <<"\n">>, <<"\r\nrest">>, <<"\r\n x">>, <<" x: y\r\n\r\n">>,
        <<"HTTP/1.1 200 OK\r\n\r\n">>, <<"Host: a\rb\r\n\r\n">>
    ],
    [show({header, T, H, dp(T, H, [])}) || H <- Headers, T <- [httph, httph_bin]],
    show({http_header_as_start_line, dp(http, <<"Host: a\r\n\r\n">>, [])}),
    show({http_eoh_as_start_line, dp(http_bin, <<"\r\n">>, [])}),
    [show({cut, T, M, cuts(T, M)}) || {T, M} <- [
        {http, <<"GET /x HTTP/1.1\r\n">>}, {http_bin, <<"HTTP/1.1 200 OK\r\n">>},
        {httph, <<"Host: h\r\n\r\n">>}, {httph_bin, <<"X: a\r\n b\r\nY: c\r\n\r\n">>},
        {httph, <<"\r\n">>}
    ]],
    Limits = [
        {http, <<"GET / HTTP/1.1\r\n">>, [{packet_size, 16}]},
        {http, <<"GET / HTTP/1.1\r\n">>, [{packet_size, 15}]},
        {http, <<"GET / HTTP/1.1\r\n">>, [{line_length, 15}]},
        {http, <<"GET / HTTP/1.1\r\n">>, [{line_length, 15}, {packet_size, 16}]},
        {http, <<"GET / HTTP">>, [{packet_size, 10}]}, {http, <<"GET / HTTP">>, [{packet_size, 11}]},
        {http, <<"GET / HTTP">>, [{line_length, 10}]}, {http, <<"GET / HTTP">>, [{line_length, 11}]},
        {httph, <<"X: a\r\n b\r\n\r\n">>, [{packet_size, 11}]},
        {httph, <<"X: a\r\n b\r\n\r\n">>, [{packet_size, 10}]},
        {httph, <<"X: a\r\n b\r\n">>, [{packet_size, 10}]},
        {httph, <<"X: a\r\n b\r\n">>, [{packet_size, 9}]},
        {httph, <<"\r\n">>, [{packet_size, 1}]},
        {http_bin, <<"GET / HTTP/1.1\r\nrest">>, [{packet_size, 0}, {line_length, 0}]},
        {http, <<"GET / HTTP/1.1\r\n">>, [{line_delimiter, $a}]},
        {http, <<"GET / HTTP/1.1\r\n">>, [{packet_size, -1}]},
        {http, <<"GET / HTTP/1.1\r\n">>, [{packet_size, 1 bsl 32}]},
        {http, <<"GET / HTTP/1.1\r\n">>, [{packet_size, (1 bsl 32) - 1}]},
        {http, "GET / HTTP/1.1\r\n", []}, {http, <<"GET / HTTP/1.1\r\n">>, [bad]},
        {http, <<"GET / HTTP/1.1\r\n">>, bad}, {htp, <<"GET / HTTP/1.1\r\n">>, []},
        {http, <<"GET / HTTP/1.1\r\n", 5:3>>, []}
    ],
    [show({limit, T, B, O, dp(T, B, O)}) || {T, B, O} <- Limits],
    erlang:halt(0).
