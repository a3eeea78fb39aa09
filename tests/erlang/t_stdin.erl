-module(t_stdin).
-export([main/0]).

%% Reading standard input through io as programs do: lines (with a prompt), formatted
%% reads, terms, characters, the last line without its newline, then eof. The conformance
%% harness feeds the module's .input file on standard input.
main() ->
    p(io:get_line("Prompt> ")),
    p(io:get_line('')),
    p(io:fread("", "~d ~s ~f")),
    p(io:read("R: ")),
    p(io:read('')),
    p(io:get_chars("", 4)),
    p(io:get_line("")),
    p(io:get_line("")),
    p(io:get_chars("", 3)),
    p(io:read("")),
    p(io:getopts()),
    halt().

p(T) -> io:format("~w~n", [T]).
