%% Memory of one mailbox (a measurement, not a test): Senders processes each send Count
%% messages to one receiver, which takes them all, then the node halts. Compare peak
%% resident memory with `/usr/bin/time -f %M` under erl and xenbeam-run:
%%   erl -noshell -run mailbox_memory main 1000 1000
%%   xenbeam-run mailbox_memory main 1000 1000
-module(mailbox_memory).
-export([main/0, main/1]).

main() -> main(["1000", "1000"]).

main(Args) ->
    [Senders, Count] = [list_to_integer(A) || A <- Args],
    Self = self(),
    [spawn(fun() -> [Self ! {m, I} || I <- lists:seq(1, Count)] end)
     || _ <- lists:seq(1, Senders)],
    Sum = take(Senders * Count, 0),
    erlang:display({sum, Sum}),
    erlang:halt(0).

take(0, Sum) -> Sum;
take(K, Sum) -> receive {m, I} -> take(K - 1, Sum + I) end.
