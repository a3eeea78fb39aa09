%% Large terms handed to the runtime: persistent terms, messages, process_info, digests and
%% regular expressions.
-module(mh_misc).
-export([main/0, id/1]).

main() ->
    mh_run:cases([
        {persistent_term, fun() -> persistent_term:put(big, lists:seq(1, 3000000)), length(persistent_term:get(big)) end},
        {persistent_term_binary, fun() -> persistent_term:put(bigb, binary:copy(<<"ab">>, 20000000)), byte_size(persistent_term:get(bigb)) end},
        {send_self, fun() -> self() ! lists:seq(1, 3000000), receive L -> length(L) end end},
        {send_other, fun() ->
            Me = self(),
            P = spawn(fun() -> receive L -> Me ! {len, length(L)} end end),
            P ! lists:seq(1, 3000000),
            receive {len, N} -> N end
        end},
        {process_info_messages, fun() ->
            [self() ! {m, N} || N <- lists:seq(1, 1000000)],
            {messages, Ms} = process_info(self(), messages), length(Ms) end},
        {process_info_binary, fun() ->
            Bs = [binary:copy(<<"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789">>) || _ <- lists:seq(1, 300000)],
            {binary, Info} = process_info(self(), binary), length(Bs) =< length(Info) end},
        {process_info_dictionary, fun() ->
            [put(N, N) || N <- lists:seq(1, 20000)],
            {dictionary, D} = process_info(self(), dictionary), length(D) end},
        {md5, fun() -> byte_size(erlang:md5(binary:copy(<<"ab">>, 20000000))) end},
        {md5_iolist, fun() -> byte_size(erlang:md5(lists:duplicate(2000000, <<"abcdefgh">>))) end},
        {crc32, fun() -> erlang:crc32(binary:copy(<<"ab">>, 20000000)) end},
        {phash2, fun() -> erlang:phash2(lists:seq(1, 3000000)) end},
        {re_global, fun() -> length(element(2, re:run(binary:copy(<<"ab">>, 2000000), <<"a">>, [global]))) end},
        {re_replace, fun() -> byte_size(re:replace(binary:copy(<<"ab">>, 4000000), <<"a">>, <<"xyz">>, [global, {return, binary}])) end},
        {re_split, fun() -> length(re:split(binary:copy(<<"ab">>, 2000000), <<"a">>)) end},
        {get_keys, fun() -> [put(N, x) || N <- lists:seq(1, 20000)], length(get_keys(x)) end},
        {erase_all, fun() -> [put(N, x) || N <- lists:seq(1, 20000)], length(erase()) end}
    ]).

%% Hides a constant from the compiler, which would evaluate the expression itself.
id(X) -> X.
