%% erlang:display of big terms: the text goes to standard output in pieces as it is made.
-module(mh_display).
-export([main/0, id/1]).

main() ->
    mh_run:cases([
        {display_list, fun() -> erlang:display(lists:seq(1, 1000000)) end},
        {display_binary, fun() -> erlang:display(binary:copy(<<"abcdefgh">>, 1000000)) end},
        {display_bignum, fun() -> erlang:display(1 bsl ?MODULE:id(20000000)) end}
    ]).

%% Hides a constant from the compiler, which would evaluate the expression itself.
id(X) -> X.
