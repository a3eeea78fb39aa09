%% A regular expression given as text ends at its first NUL byte, as erl hands it to PCRE as
%% a C string: in re:run, re:compile, re:split and re:replace, as a binary and as a list.
-module(t_re_nul).
-export([main/0]).

main() ->
    Subject = <<"a", 0, "b">>,
    [erlang:display(catch F())
     || F <- [fun() -> re:run(Subject, <<0, "b">>) end,
              fun() -> re:run(Subject, [0, $b]) end,
              fun() -> re:run(Subject, <<"a", 0, "x">>) end,
              fun() -> re:run(Subject, "\\x00b") end,
              fun() -> re:run(Subject, <<"b", 0>>) end,
              fun() -> re:split(Subject, <<0>>) end,
              fun() -> re:replace(Subject, <<0>>, <<"-">>, [{return, binary}]) end,
              fun() -> re:replace(Subject, "b\0c", "B", [global, {return, list}]) end,
              fun() -> {ok, R} = re:compile(<<"b", 0, "c">>), re:run(<<"abc">>, R) end,
              fun() -> re:compile(<<"(", 0, ")">>) end,
              fun() -> element(1, re:run("a", <<"(", 0, ")">>, [report_errors])) end]],
    halt().
