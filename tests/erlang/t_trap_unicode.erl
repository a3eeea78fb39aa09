%% Long unicode:characters_to_list/1,2 and characters_to_binary/1,2 share the node: while one
%% process converts megabytes of chardata, others run (erl's BIFs trap when their slice of
%% work is used up). A ticker process told to go just before the call must have sent its
%% tick while the call ran. Results are those of a conversion in one go: binaries, lists and
%% nested chardata in every input encoding, and `error' and `incomplete' tuples (with erl's
%% rest of the input) for a bad or cut character deep in a long input.
-module(t_trap_unicode).
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
    [in_process(G) || G <- [fun utf8/0, fun lists/0, fun other_encodings/0,
                            fun errors/0, fun small/0]],
    erlang:halt(0).

in_process(Group) ->
    {Pid, Ref} = spawn_monitor(Group),
    receive {'DOWN', Ref, process, Pid, Why} -> normal = Why end.

%% One, two, three and four byte characters.
chunk() -> <<"abc d\x{e9}f \x{20ac} \x{1f600} xyz"/utf8>>.

utf8() ->
    Bin = binary:copy(chunk(), 200000),
    during(bin_to_list, fun() -> unicode:characters_to_list(Bin) end),
    during(bin_to_list_unicode, fun() -> unicode:characters_to_list(Bin, unicode) end),
    %% A valid UTF-8 binary asked for as UTF-8 is checked and returned in one go: erl does
    %% not trap here either (both show false).
    during(bin_to_bin, fun() -> unicode:characters_to_binary(Bin) end),
    Ascii = binary:copy(<<"plain ascii text ">>, 400000),
    during(ascii_to_list, fun() -> unicode:characters_to_list(Ascii) end),
    <<_:3, Unaligned:(byte_size(Bin))/binary, _:5>> = <<0:3, Bin/binary, 0:5>>,
    during(unaligned_to_list, fun() -> unicode:characters_to_list(Unaligned) end),
    %% A character cut at the end of one binary goes on in the next.
    Parts = [binary:part(Bin, 0, 1000001), binary:part(Bin, 1000001, byte_size(Bin) - 1000001)],
    during(cut_parts, fun() -> unicode:characters_to_binary(Parts) =:= Bin end).

lists() ->
    List = unicode:characters_to_list(binary:copy(chunk(), 50000)),
    during(list_to_bin, fun() -> unicode:characters_to_binary(List) end),
    during(list_to_list, fun() -> unicode:characters_to_list(List) end),
    Nested = [[I rem 200, <<"b\x{e9}"/utf8>>, [[$c, [16#10000 + I]] | <<"tail">>], []]
              || I <- lists:seq(1, 100000)],
    during(nested_to_bin, fun() -> unicode:characters_to_binary(Nested) end),
    during(nested_to_list, fun() -> unicode:characters_to_list(Nested) end),
    Deep = lists:foldl(fun(I, Acc) -> [Acc, I rem 100 + $a] end, [], lists:seq(1, 100000)),
    during(deep_to_bin, fun() -> unicode:characters_to_binary(Deep) end),
    Latin = [I rem 256 || I <- lists:seq(1, 300000)],
    during(latin1_list_to_bin, fun() -> unicode:characters_to_binary(Latin, latin1) end).

other_encodings() ->
    Bin = binary:copy(chunk(), 100000),
    Chars = unicode:characters_to_list(Bin),
    Latin = list_to_binary([I rem 256 || I <- lists:seq(1, 500000)]),
    during(latin1_to_bin, fun() -> unicode:characters_to_binary(Latin, latin1) end),
    during(latin1_to_list, fun() -> unicode:characters_to_list(Latin, latin1) end),
    [begin
         In = unicode:characters_to_binary(Chars, unicode, Enc),
         during({from, Enc}, fun() -> unicode:characters_to_list(In, Enc) =:= Chars end),
         during({from_to_bin, Enc}, fun() -> unicode:characters_to_binary(In, Enc) =:= Bin end),
         %% The other targets are OTP's code over these BIFs.
         erlang:display({{to, Enc}, summary(unicode:characters_to_binary(Bin, unicode, Enc))})
     end || Enc <- [utf16, {utf16, little}, utf32, {utf32, little}, {utf16, big}]].

errors() ->
    Bin = binary:copy(chunk(), 100000),
    Half = binary:part(Bin, 0, 1000000),
    %% A bad byte, a surrogate, a cut character in the middle of a long input.
    Bad = <<Half/binary, 16#ff, Half/binary>>,
    during(bad_bin_to_list, fun() -> unicode:characters_to_list(Bad) end),
    during(bad_bin_to_bin, fun() -> unicode:characters_to_binary(Bad) end),
    List = unicode:characters_to_list(Half),
    during(surrogate_in_list, fun() ->
                                      unicode:characters_to_binary([List, [16#d800 | List]])
                              end),
    %% Not chardata: erl checks the whole input's structure in one go, before converting,
    %% and raises badarg without trapping (false under erl and here, also below).
    during(bad_in_nested, fun() ->
                                  unicode:characters_to_list([Half, [List, [x_no | List]]])
                          end),
    during(negative, fun() -> unicode:characters_to_list([List, -1, List]) end),
    Latin = [I rem 256 || I <- lists:seq(1, 300000)],
    TooBig = [Latin, [256 | Latin]],
    during(latin1_too_big, fun() -> unicode:characters_to_binary(TooBig, latin1) end),
    %% Cut at the end of a binary, then not completed by what follows.
    Cut = <<Half/binary, 16#e2, 16#82>>,
    during(cut_then_list, fun() -> unicode:characters_to_binary([Cut, List]) end),
    during(cut_then_bin, fun() -> unicode:characters_to_list([Cut, <<"a">>, Half]) end),
    during(incomplete, fun() -> unicode:characters_to_binary([Half, Cut]) end),
    during(incomplete_list, fun() -> unicode:characters_to_list(Cut) end),
    U16 = unicode:characters_to_binary(Half, unicode, utf16),
    U16Cut = <<U16/binary, 16#d8>>,
    during(incomplete_utf16, fun() -> unicode:characters_to_list(U16Cut, utf16) end),
    Lone = [U16, <<16#dc, 0, 0, $a>>],
    during(lone_surrogate_utf16, fun() -> unicode:characters_to_list(Lone, utf16) end),
    U32 = unicode:characters_to_binary(Half, unicode, {utf32, little}),
    Bad32 = [U32, <<16#110000:32/little>>, U32],
    during(bad_utf32, fun() -> unicode:characters_to_binary(Bad32, {utf32, little}) end),
    Cut32 = [U32, <<0, 1>>, <<0>>],
    during(cut_utf32, fun() -> unicode:characters_to_binary(Cut32, {utf32, little}) end),
    %% Not chardata far into a long input (after a bad character too): badarg, found by
    %% the check in one go (false under erl and here).
    during(not_chardata, fun() -> unicode:characters_to_list([Bad, List, foo]) end),
    during(not_chardata_bin, fun() -> unicode:characters_to_binary([List | foo]) end),
    during(bitstring, fun() -> unicode:characters_to_binary([List, <<1:1>>]) end).

small() ->
    erlang:display({small, unicode:characters_to_list([<<"a">>, $b, [<<"c"/utf8>>]])}),
    erlang:display({small_bin, unicode:characters_to_binary([<<"a">>, 16#e9, "z"])}),
    erlang:display({small_error, unicode:characters_to_binary([$a, <<"b", 16#ff, "c">>, "d"])}),
    erlang:display({small_incomplete, unicode:characters_to_binary(<<"ab", 16#e2, 16#82>>)}),
    erlang:display({bad_encoding, catch unicode:characters_to_list(<<"a">>, utf7)}).

%% Small things only: sizes, digests, hashes, short heads and tails.
summary({'EXIT', {Reason, [{M, F, A, _} | _]}}) -> {'EXIT', Reason, {M, F, args(A)}};
summary({Tag, Converted, Rest}) -> {Tag, summary(Converted), pic(Rest)};
summary(B) when is_binary(B) -> {binary, byte_size(B), erlang:md5(B)};
summary(L) when is_list(L) ->
    {list, length(L), erlang:phash2(L), lists:nthtail(length(L) - min(3, length(L)), L)};
summary(T) -> T.

args(A) when is_list(A) -> [pic(X) || X <- A];
args(A) -> A.

%% A short picture of a term: binaries by size and first bytes, lists by their first few
%% elements and the number of cells after them.
pic(B) when is_binary(B), byte_size(B) =< 8 -> B;
pic(B) when is_binary(B) -> {binary, byte_size(B), binary:part(B, 0, 4)};
pic(L) when is_list(L) -> pic_list(L, 3);
pic(X) -> X.

pic_list([], _) -> [];
pic_list([H | T], 0) -> {more, cells([H | T], 0)};
pic_list([H | T], N) -> [pic(H) | pic_list(T, N - 1)];
pic_list(Tail, _) -> {tail, pic(Tail)}.

cells([_ | T], N) -> cells(T, N + 1);
cells([], N) -> {list, N};
cells(T, N) -> {improper, N, pic(T)}.

ticker() ->
    Self = self(),
    spawn(fun() ->
        receive go -> ok end,
        Self ! {tick, erlang:monotonic_time()}
    end).
