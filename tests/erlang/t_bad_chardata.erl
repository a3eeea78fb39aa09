%% Non-chardata arguments (an atom, an integer, an improper tail) to unicode's conversions,
%% io:put_chars and string:split fail in their own process with erl's error (these once
%% looped forever and froze the node).
-module(t_bad_chardata).
-export([main/0]).
t(Name, F) ->
    Self = self(),
    {P, R} = spawn_monitor(fun() -> Self ! {self(), try F() catch C:E -> {C, E} end} end),
    receive
        {P, V} -> erlang:display({Name, V})
    after 5000 -> erlang:display({Name, timeout}), exit(P, kill)
    end,
    receive {'DOWN', R, _, _, _} -> ok end.
main() ->
    t(c2b_atom, fun() -> unicode:characters_to_binary(foo) end),
    t(c2b_int, fun() -> unicode:characters_to_binary(1) end),
    t(c2b_improper, fun() -> unicode:characters_to_binary([$a|foo]) end),
    t(c2b_2, fun() -> unicode:characters_to_binary(foo, utf8) end),
    t(c2b_3, fun() -> unicode:characters_to_binary([1|foo], utf8, latin1) end),
    t(c2l_atom, fun() -> unicode:characters_to_list(foo) end),
    t(c2l_improper, fun() -> unicode:characters_to_list([$a, <<"b">>|foo]) end),
    t(put_chars_atom, fun() -> io:put_chars(foo) end),
    t(put_chars_int, fun() -> io:put_chars(1) end),
    t(put_chars_improper, fun() -> io:put_chars([$a|foo]) end),
    t(split_atom, fun() -> string:split("abc", foo) end),
    t(split_3, fun() -> string:split("abc", foo, all) end),
    t(split_int, fun() -> string:split("abc", 1) end),
    t(split_improper, fun() -> string:split("abc", [$a|foo]) end),
    erlang:display(done),
    erlang:halt(0).
