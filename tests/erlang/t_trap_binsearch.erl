%% Long binary:matches/2,3 and global binary:split/3 share the node: while one process
%% searches a subject of megabytes, others run (erl's BIFs trap when their slice of work is
%% used up). A ticker process told to go just before the call must have sent its tick
%% while the call ran. Results are those of a search in one go, with every option.
-module(t_trap_binsearch).
-export([main/0]).

%% Runs F while a ticker process, told to go just before, sends a tick stamped with the
%% time; shows the result and whether the tick was sent while the call ran. The caller first
%% yields, so the ticker is waiting and the call starts with a whole slice.
during(Tag, F) ->
    Ticker = ticker(),
    erlang:yield(),
    Ticker ! go,
    Start = erlang:monotonic_time(),
    R = F(),
    Done = erlang:monotonic_time(),
    %% Ticked during the call: the tick was sent after the call began and before it
    %% returned (a BIF that charges reductions but does not trap lets the ticker run only
    %% once it has returned, when its caller is preempted).
    Ticked = receive {tick, At} -> Start < At andalso At < Done end,
    report(Tag, R, Ticked).

main() ->
    B = binary:copy(<<"ab,cd,,ef,">>, 200000),
    during(matches, fun() -> binary:matches(B, <<",">>) end),
    during(matches_many, fun() -> binary:matches(B, [<<",">>, <<",,">>, <<"d">>]) end),
    during(matches_scope, fun() -> binary:matches(B, <<"c">>, [{scope, {5, 1500000}}]) end),
    during(matches_back, fun() -> binary:matches(B, <<"ab">>, [{scope, {2000000, -1999990}}]) end),
    {ok, CP} = {ok, binary:compile_pattern([<<"ef">>, <<"b,">>])},
    during(matches_cp, fun() -> binary:matches(B, CP) end),
    during(split, fun() -> binary:split(B, <<",">>, [global]) end),
    during(split_trim, fun() -> binary:split(B, <<",">>, [global, trim]) end),
    during(split_trim_all, fun() -> binary:split(B, <<",">>, [global, trim_all]) end),
    during(split_scope, fun() -> binary:split(B, [<<",">>, <<"cd">>], [global, {scope, {3, 1000000}}]) end),
    <<_:3, Unaligned:(byte_size(B))/binary, _:5>> = <<0:3, B/binary, 0:5>>,
    erlang:display({matches_unaligned, summary(binary:matches(Unaligned, <<",,">>))}),
    erlang:display({split_unaligned, summary(binary:split(Unaligned, <<"d">>, [global]))}),
    Odd = <<(binary:copy(<<"xyz">>, 100000))/binary, ",,,">>,
    erlang:display({split_trailing, summary(binary:split(Odd, <<",">>, [global, trim]))}),
    erlang:display({split_none, summary(binary:split(Odd, <<"q">>, [global, trim_all]))}),
    Commas = binary:copy(<<",">>, 100000),
    erlang:display({split_empty, summary(binary:split(Commas, <<",">>, [global, trim_all]))}),
    erlang:display({small, summary(binary:split(<<"a,b,,c,">>, <<",">>, [global, trim]))}),
    erlang:display({bad_pattern, catch_top(fun() -> binary:matches(B, <<>>) end)}),
    erlang:display({bad_option, catch_top(fun() -> binary:split(B, <<",">>, [global, bad]) end)}),
    erlang:display({bad_scope, catch_top(fun() -> binary:matches(B, <<",">>, [{scope, {0, 3000000}}]) end)}),
    erlang:halt(0).

%% Count, a hash and the first and last results.
summary(L) -> {length(L), erlang:phash2(L), arg(hd(L ++ [none])), arg(lists:last([none | L]))}.

ticker() ->
    Self = self(),
    spawn(fun() ->
        receive go -> ok end,
        Self ! {tick, erlang:monotonic_time()}
    end).

report(Tag, R, Ticked) ->
    erlang:display({Tag, summary(R)}),
    erlang:display({Tag, ticked_during_call, Ticked}).

%% The error and the top two frames of its stack trace, with arguments summarised (and no
%% file names).
catch_top(F) ->
    try F() of
        R -> {ok, length(R)}
    catch
        C:E:S -> {C, E, [{M, Fn, args(A), [I || {K, _} = I <- Loc, K =/= file]}
                              || {M, Fn, A, Loc} <- lists:sublist(S, 2)]}
    end.

args(A) when is_list(A) -> [arg(X) || X <- A];
args(A) -> A.

arg(X) when is_list(X) -> cells(X, 0);
arg(X) when byte_size(X) > 8 -> {binary, byte_size(X), erlang:phash2(X)};
arg(X) -> X.

cells([_ | T], N) -> cells(T, N + 1);
cells([], N) -> {list, N};
cells(T, N) -> {improper, N, T}.
