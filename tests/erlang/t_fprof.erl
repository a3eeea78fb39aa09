%% OTP's fprof: profile(start), apply/4 with that tracer, profile(stop) and analyse/1 to a
%% file (timings left out: the program's functions and their call counts).
-module(t_fprof).
-export([main/0, work/1, sq/1]).
sq(X) -> X * X.
work(N) -> lists:sum([sq(X) || X <- lists:seq(1, N)]).
main() ->
    {ok, Tracer} = fprof:profile(start),
    io:format("~p~n", [fprof:apply(?MODULE, work, [5], [{tracer, Tracer}])]),
    io:format("~p~n", [fprof:profile(stop)]),
    Out = "/tmp/t_fprof_" ++ os:getpid() ++ ".analysis",
    io:format("~p~n", [fprof:analyse([{dest, Out}, {totals, false}])]),
    {ok, Terms} = file:consult(Out),
    io:format("~p~n", [lists:usort([{MFA, C} || {_, {MFA, C, _, _}, _} <- Terms,
                                                element(1, MFA) =:= ?MODULE])]),
    io:format("~p~n", [lists:usort([F || {_, {{lists, F, _}, _, _, _}, _} <- Terms])]),
    file:delete(Out),
    halt().
