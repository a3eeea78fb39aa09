%% OTP's eprof over call time tracing: profile/2 of a fun, analyze(total) with and without
%% a filter, dump/0; the printed table's function names and call counts (its times are
%% timings: they are left out), the dump's counts per function.
-module(t_eprof).
-export([main/0, sq/1, work/1, fib/1]).
sq(X) -> X * X.
fib(0) -> 0;
fib(1) -> 1;
fib(N) -> fib(N - 1) + fib(N - 2).
work(N) -> lists:sum([sq(X) || X <- lists:seq(1, N)]) + fib(10).
p(X) -> io:format("~p~n", [X]).
%% An I/O server that keeps what is written, for the table eprof prints.
capture(Acc) ->
    receive
        {io_request, From, ReplyAs, Req} ->
            From ! {io_reply, ReplyAs, ok},
            capture([chars(Req) | Acc]);
        {get, From} ->
            From ! {text, unicode:characters_to_list(lists:reverse(Acc))},
            capture([])
    end.
chars({put_chars, _, Chars}) -> Chars;
chars({put_chars, _, M, F, A}) -> apply(M, F, A);
chars({put_chars, Chars}) -> Chars;
chars(_) -> [].
printed(C) ->
    C ! {get, self()},
    receive {text, T} -> T end.
%% The table's rows of this module and lists: {Function, Calls}, sorted (erl's order is by
%% time); the header as printed.
rows(Text) ->
    [H1, H2 | Lines] = string:split(Text, "\n", all),
    Rows = [{F, list_to_integer(Calls)} || L <- Lines,
            [F, Calls | _] <- [string:lexemes(L, " ")],
            lists:prefix("t_eprof:", F) orelse lists:prefix("lists:", F)],
    {H1, H2, lists:sort(Rows)}.
main() ->
    C = spawn(fun() -> capture([]) end),
    GL = group_leader(),
    group_leader(C, self()),
    {ok, _} = eprof:start(),
    group_leader(GL, self()),
    p(eprof:profile([], fun() -> work(100) end)),
    p(eprof:analyze(total)),
    p(rows(printed(C))),
    p(eprof:analyze(total, [{filter, [{calls, 100}]}])),
    p(rows(printed(C))),
    %% The dump: per process, {MFA, {Calls, Time}}.
    [{Pid, Data}] = eprof:dump(),
    p(is_pid(Pid)),
    p(lists:sort([{MFA, N} || {{Mo, _, _} = MFA, {N, T}} <- Data,
                  Mo =:= t_eprof orelse Mo =:= lists, is_integer(T), T >= 0])),
    p(eprof:stop()),
    halt().
