%% process_flag(error_handler, Module): the process's calls of undefined functions (remote
%% calls, apply, external funs, in loaded modules) go to Module:undefined_function/3, whose
%% answer is the call's; the flag answers the old handler, new processes start with erl's
%% own, and setting `error_handler` again brings back the undef error.
-module(t_error_handler).
-export([main/0, undefined_function/3, proxy/1]).

undefined_function(M, F, Args) ->
    erlang:display({handled, M, F, Args}),
    {from_handler, F, length(Args)}.

proxy(X) -> {proxy, X}.

main() ->
    Parent = self(),
    erlang:display(process_info(self(), error_handler)),
    erlang:display(process_flag(error_handler, ?MODULE)),
    erlang:display(process_info(self(), error_handler)),
    erlang:display(lists:no_such_function(1, 2)),
    erlang:display(apply(lists, reverse, [[1, 2], [], extra])),
    M = ?MODULE,
    erlang:display(M:missing()),
    F = fun lists:gone/1,
    erlang:display(F(7)),
    erlang:display([proxy(X) || X <- [a, b]]),
    erlang:display(catch [lists:unknown(X) || X <- [c]]),
    Child = spawn(fun() ->
                          Parent ! {self(), process_info(self(), error_handler),
                                    catch lists:not_here()}
                  end),
    receive {Child, Info, R} -> erlang:display({child, Info, element(1, R)}) end,
    Other = spawn(fun() -> process_flag(error_handler, ?MODULE), receive stop -> ok end end),
    erlang:yield(),
    wait(Other),
    erlang:display(process_info(Other, error_handler)),
    Other ! stop,
    erlang:display(process_flag(error_handler, error_handler)),
    erlang:display(catch lists:no_such_function(1, 2)),
    erlang:display(catch process_flag(error_handler, "handler")),
    erlang:display(catch process_flag(error_handler, {?MODULE})),
    erlang:display(process_info(self(), error_handler)),
    halt().

wait(P) ->
    case process_info(P, error_handler) of
        {error_handler, error_handler} -> erlang:yield(), wait(P);
        _ -> ok
    end.
