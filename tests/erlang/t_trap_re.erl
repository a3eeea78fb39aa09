%% Long global re:run/3, re:replace/4 and re:split/2,3 share the node: while one process
%% searches a subject of megabytes and reports hundreds of thousands of matches, others run
%% (erl's re traps when its slice of work is used up). A ticker process told to go just
%% before the call must have sent its tick while the call ran. Results are those of a run
%% in one go, for every kind of capture, named groups, an iolist subject and UTF-8.
-module(t_trap_re).
-export([main/0]).

%% Runs F while a ticker process, told to go just before, sends a tick stamped with the
%% time; shows a summary of the result and whether the tick was sent while the call ran.
%% The caller first yields, so the ticker is waiting and the call starts with a whole slice.
during(Tag, F) ->
    Ticker = ticker(),
    erlang:yield(),
    Ticker ! go,
    Start = erlang:monotonic_time(),
    R = (catch F()),
    Done = erlang:monotonic_time(),
    %% Ticked during the call: the tick was sent after the call began and before it
    %% returned (a BIF that charges reductions but does not trap lets the ticker run only
    %% once it has returned, when its caller is preempted).
    Ticked = receive {tick, At} -> Start < At andalso At < Done end,
    erlang:display({Tag, summary(R)}),
    erlang:display({Tag, ticked_during_call, Ticked}).

main() ->
    %% Each group in a process of its own, so that no group's data outlives it.
    [in_process(G) || G <- [fun runs/0, fun others/0, fun unicode/0, fun list_subjects/0]],
    erlang:halt(0).

in_process(Group) ->
    {Pid, Ref} = spawn_monitor(Group),
    receive {'DOWN', Ref, process, Pid, Why} -> normal = Why end.

subject() -> binary:copy(<<"abcdefghij klmnopq rstuvwxyz ">>, 100000).

runs() ->
    B = subject(),
    {ok, K} = re:compile(<<"k">>),
    during(index, fun() -> re:run(B, K, [global]) end),
    during(binary, fun() -> re:run(B, K, [global, {capture, all, binary}]) end),
    during(first_list, fun() -> re:run(B, <<"[aeiou]">>, [global, {capture, first, list}]) end),
    during(groups, fun() -> re:run(B, <<"(k)(x)?(l)">>, [global, {capture, all_but_first, index}]) end),
    during(named, fun() -> re:run(B, <<"(?<w>[a-j]+)|(?<v>q)">>, [global, {capture, all_names, binary}]) end),
    during(none, fun() -> re:run(B, K, [global, {capture, none}]) end),
    during(nomatch, fun() -> re:run(B, <<"kk">>, [global]) end),
    during(offset, fun() -> re:run(B, K, [global, {offset, 1000000}]) end),
    %% Empty matches: erl's loop tries again where the empty one was.
    during(empty, fun() -> re:run(B, <<"x*">>, [global, {capture, first, index}]) end),
    Io = [binary:part(B, 0, 1000000), [binary:part(B, 1000000, 1900000)]],
    during(iolist_binary, fun() -> re:run(Io, K, [global, {capture, all, binary}]) end),
    during(iolist_list, fun() -> re:run(Io, K, [global, {capture, all, list}]) end).

%% replace and split are OTP's code over re:run, so they also share the node as any
%% Erlang code does; their ticks do not tell whether re:run traps.
others() ->
    B = subject(),
    during(replace, fun() -> re:replace(B, <<"k">>, <<"K&">>, [global, {return, binary}]) end),
    during(replace_iodata, fun() -> iolist_size(re:replace(B, <<"q ">>, <<"!">>, [global])) end),
    during(split, fun() -> re:split(B, <<" ">>) end),
    during(split_list, fun() -> re:split(B, <<"[ k]">>, [{return, list}, trim]) end).

unicode() ->
    U = binary:copy(<<"d\x{e9}j\x{e0} \x{20ac}uro \x{1f600}! "/utf8>>, 150000),
    during(utf8_index, fun() -> re:run(U, <<"\x{20ac}"/utf8>>, [global, unicode]) end),
    during(utf8_list, fun() -> re:run(U, <<".\\s">>, [global, unicode, {capture, all, list}]) end),
    during(utf8_empty, fun() -> re:run(U, <<"u*">>, [global, unicode, {capture, all, binary}]) end).

%% A subject given as a list (or a deep iolist) is read into bytes a step at a time too.
list_subjects() ->
    B = subject(),
    L = binary_to_list(B),
    during(list_subject, fun() -> re:run(L, <<"k">>, [global, {capture, first, index}]) end),
    Deep = [[binary_to_list(binary:part(B, 0, 1000000)), <<"mid">>] | binary:part(B, 1000000, 100)],
    during(deep_subject, fun() -> re:run(Deep, <<"k(l)">>, [global, {capture, all, list}]) end),
    U = unicode:characters_to_list(binary:copy(<<"d\x{e9}j\x{e0} \x{20ac}uro "/utf8>>, 200000)),
    during(unicode_list, fun() -> re:run(U, <<"\x{20ac}"/utf8>>, [global, unicode]) end),
    during(unicode_list_bin, fun() ->
                                     re:run(U, <<"j.">>, [global, unicode, {capture, all, binary}])
                             end),
    %% A run neither global nor UTF reads a list subject in one go, in erl too (false under
    %% both).
    Bad = L ++ [256],
    during(bad_subject, fun() -> re:run(Bad, <<"k">>) end),
    BadU = [U, [-1]],
    during(bad_unicode_subject, fun() -> re:run(BadU, <<"k">>, [unicode]) end),
    BadTail = [L | x],
    during(bad_tail, fun() -> re:run(BadTail, <<"k">>, [global]) end).

%% Small things only: counts, hashes, the first and last few.
summary({'EXIT', {Reason, [{M, F, A, _} | _]}}) when is_list(A) ->
    {'EXIT', Reason, M, F, length(A)};
summary({match, L}) when is_list(L) ->
    {match, length(L), erlang:phash2(L), lists:sublist(L, 2), lists:nthtail(max(0, length(L) - 2), L)};
summary(B) when is_binary(B) -> {binary, byte_size(B), erlang:md5(B)};
summary(L) when is_list(L) ->
    {list, length(L), erlang:phash2(L), lists:sublist(L, 2), lists:nthtail(max(0, length(L) - 2), L)};
summary(T) -> T.

ticker() ->
    Self = self(),
    spawn(fun() ->
        receive go -> ok end,
        Self ! {tick, erlang:monotonic_time()}
    end).
