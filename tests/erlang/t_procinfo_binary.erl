%% process_info(Pid, binary): the shared (off-heap) binaries a process holds, as
%% {Id, Size, RefCount}: binaries of more than 64 bytes only, a binary sent to another process
%% counted in both, the same binary's Id the same in both, a dead one's entry gone after a
%% collection; of a dead process, undefined.
-module(t_procinfo_binary).
-export([main/0]).

main() ->
    Small = binary:copy(<<"s">>, 64),
    Big = binary:copy(<<"b">>, 100),
    Big2 = binary:copy(<<"c">>, 5000),
    erlang:garbage_collect(),
    Mine = sizes(self()),
    erlang:display({mine, [S || S <- Mine, S =:= 64 orelse S =:= 100 orelse S =:= 5000]}),
    Self = self(),
    Other = spawn(fun() -> receive {take, B} -> Self ! {took, B}, receive stop -> ok end end end),
    Other ! {take, Big},
    receive {took, _} -> ok end,
    {binary, OtherBins} = process_info(Other, binary),
    {binary, MyBins} = process_info(self(), binary),
    [{Id, 100, Refs}] = [E || {_, 100, _} = E <- OtherBins],
    erlang:display({other, Refs >= 2, lists:keymember(Id, 1, MyBins)}),
    Other ! stop,
    erlang:display({small_kept, byte_size(Small), byte_size(Big), byte_size(Big2)}),
    Dead = spawn(fun() -> ok end),
    timer:sleep(10),
    erlang:display({dead, process_info(Dead, binary)}),
    erlang:display({badarg, catch process_info(self(), [binary, bogus])}),
    {binary, L} = process_info(self(), binary),
    erlang:display({shape, lists:all(fun({I, S, R}) -> is_integer(I) andalso S > 64 andalso R >= 1 end, L)}),
    erlang:halt(0).

sizes(P) ->
    {binary, L} = process_info(P, binary),
    lists:usort([S || {_, S, _} <- L]).
