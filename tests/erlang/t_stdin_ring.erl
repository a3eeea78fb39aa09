-module(t_stdin_ring).
-export([main/0]).

%% Standard input several times longer than the image console's 1024-byte input ring (the
%% writer waits for room again and again), read in lines, then in chunks of 700 characters
%% across line ends, then what is left: nothing lost, doubled or reordered. The .input file
%% is 150 numbered lines of varying length, then a last line without its newline.
main() ->
    lines(0, 0, 100),
    chunks(0, 0),
    p(io:get_line("")),
    p(io:get_chars("", 1)),
    halt().

%% The first N lines: every 25th is shown, then the count and a checksum of all.
lines(Count, Sum, 0) ->
    p({lines, Count, Sum});
lines(Count, Sum, N) ->
    Line = io:get_line(""),
    case Count rem 25 of
        0 -> p(Line);
        _ -> ok
    end,
    lines(Count + 1, sum(Line, Sum), N - 1).

%% The rest in chunks of 700: each chunk's length and checksum, the last chunk short.
chunks(Count, Sum) ->
    case io:get_chars("", 700) of
        eof ->
            p({chunks, Count, Sum});
        Chars ->
            p({chunk, length(Chars), sum(Chars, 0), lists:last(Chars)}),
            chunks(Count + 1, sum(Chars, Sum))
    end.

sum(Chars, Sum) ->
    lists:foldl(fun(C, S) -> (S * 31 + C) rem 16#7fffffff end, Sum, Chars).

p(T) -> io:format("~w~n", [T]).
