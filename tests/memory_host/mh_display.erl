%% erlang:display of big terms: the text goes to standard output in pieces as it is made.
-module(mh_display).
-export([main/0, id/1]).

main() ->
    mh_run:cases([
        {display_list, fun() -> erlang:display(lists:seq(1, 1000000)) end},
        {display_binary, fun() -> erlang:display(binary:copy(<<"abcdefgh">>, 1000000)) end},
        {display_bignum, fun() -> erlang:display(1 bsl ?MODULE:id(20000000)) end},
        %% With no logger to take it, the emulator prints a crashed process's report itself:
        %% its reason (here a 12 MB binary of bytes written as "200,", 48 MB of text) is
        %% written out the same way.
        {report_without_logger, fun() ->
                                        catch unregister(logger_proxy),
                                        catch unregister(logger),
                                        Big = binary:copy(<<200>>, 12000000),
                                        {_, Ref} = spawn_monitor(fun() -> error(Big) end),
                                        receive {'DOWN', Ref, _, _, _} -> true end
                                end}
    ]).

%% Hides a constant from the compiler, which would evaluate the expression itself.
id(X) -> X.
