%% io:format/put_chars/nl/write through the built-in io module: same bytes as erl -noshell.
-module(vm_io).
-export([main/0]).
main() ->
    io:format("hello ~p ~s ~w~n", [{a, "b"}, "str", [1,2]]),
    io:format("plain~n"),
    io:format(user, "dev ~b~n", [42]),
    io:put_chars("chars\n"),
    io:put_chars([233, $\n]),
    io:put_chars(<<"é\n"/utf8>>),
    io:format("~ts|~s~n", [[955], [233]]),
    io:nl(),
    io:write({x, 1.5}), io:nl(),
    io:format("~10.3f|~-6w|~6w|~e~n", [3.14159, ab, cd, 2.5]),
    io:format("~p~n", [lists:seq(1, 30)]),
    io:format("~p~n", [#{key => value, list => [1,2,3], nested => #{a => {b, c}}}]),
    halt().
