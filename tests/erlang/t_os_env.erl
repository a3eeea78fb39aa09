%% os:putenv/2, os:unsetenv/1, os:getenv/1,2 and os:env/0: set, changed and removed
%% variables are seen by the node's later reads; bad names and values are badarg.
-module(t_os_env).
-export([main/0]).
main() ->
    [erlang:display(catch os:putenv(N, V)) || {N, V} <- [{"A=B", "x"}, {"", "x"}, {a, "x"}, {"XA", x}, {"XA", "v=1"}, {"XA", ""}, {"XB", [955]}, {<<"XC">>, "y"}]],
    erlang:display(os:getenv("XA")),
    erlang:display(os:getenv("XB")),
    erlang:display(catch os:unsetenv("XA")),
    erlang:display(catch os:unsetenv("NOPE")),
    erlang:display(catch os:unsetenv(a)),
    erlang:display(os:getenv("XA")),
    erlang:display([E || {"XB", _} = E <- os:env()]),
    erlang:display(lists:all(fun({N, V}) -> is_list(N) andalso is_list(V) end, os:env())),
    erlang:display(os:getenv("XA", "dflt")),
    halt().
