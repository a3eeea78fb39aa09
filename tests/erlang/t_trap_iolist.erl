%% Long list_to_binary/1, iolist_to_binary/1 and binary:list_to_bin/1 share the node: while
%% one process turns an iolist of millions of elements into a binary, others run (erl's BIFs
%% trap when their slice of work is used up). A ticker process told to go just before the
%% call must have sent its tick while the call ran. The binary is that of a copy in
%% one go, and a bad element deep down fails with erl's badarg and stack trace, with the
%% iolist the call was given.
-module(t_trap_iolist).
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
    N = 1000000,
    Bytes = [I band 255 || I <- lists:seq(1, N)],
    during(bytes, fun() -> list_to_binary(Bytes) end),
    Bins = [<<"abcdefghijklmnopqrstuvwxyz0123456789">> || _ <- lists:seq(1, N div 4)],
    during(binaries, fun() -> iolist_to_binary(Bins) end),
    Deep = [[I band 255, [<<I:16>>, <<>>], []] || I <- lists:seq(1, N div 4)],
    during(nested, fun() -> iolist_to_binary([Deep, <<"end">> | <<"tail">>]) end),
    Sub = <<0:3, (binary:copy(<<"xy">>, 1000))/binary, 0:5>>,
    <<_:3, Unaligned:2000/binary, _:5>> = Sub,
    Us = [Unaligned || _ <- lists:seq(1, 20000)],
    during(unaligned, fun() -> list_to_binary(Us) end),
    during(list_to_bin, fun() -> binary:list_to_bin([Bins, Bytes]) end),
    erlang:display({list_to_bin_bad, catch_top(fun() -> binary:list_to_bin(Bytes ++ [-1]) end)}),
    erlang:display({small, summary(list_to_binary([1, 2, <<3>>, [4 | <<5>>]]))}),
    erlang:display({bad_byte, catch_top(fun() -> list_to_binary(Bytes ++ [256]) end)}),
    erlang:display({bad_atom, catch_top(fun() -> R = iolist_to_binary(Bins ++ [foo]), R end)}),
    erlang:display({bad_deep, catch_top(fun() -> iolist_to_binary([Deep, [[[[-1]]]]]) end)}),
    erlang:display({bad_tail, catch_top(fun() -> list_to_binary(Bytes ++ x) end)}),
    erlang:display({bitstring, catch_top(fun() -> iolist_to_binary([Bins, <<1:1>>]) end)}),
    erlang:display({bad_short, catch_top(fun() -> list_to_binary([1, list_to_atom("foo")]) end)}),
    erlang:display({binary_arg, catch_top(fun() -> iolist_to_binary(<<"bin">>) end)}),
    erlang:halt(0).

%% Size and a digest.
summary(B) -> {byte_size(B), erlang:md5(B)}.

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
        R -> {ok, summary(R)}
    catch
        C:E:S -> {C, E, [{M, Fn, args(A), [I || {K, _} = I <- Loc, K =/= file]}
                              || {M, Fn, A, Loc} <- lists:sublist(S, 2)]}
    end.

args(A) when is_list(A) -> [arg(X) || X <- A];
args(A) -> A.

arg(X) when is_list(X) -> cells(X, 0);
arg(X) -> X.

cells([_ | T], N) -> cells(T, N + 1);
cells([], N) -> {list, N};
cells(T, N) -> {improper, N, T}.
