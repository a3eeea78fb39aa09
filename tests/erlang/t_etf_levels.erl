%% term_to_binary/2 with {compressed, Level}: level 0 is the plain encoding; for 1..9 a term
%% that compresses has the compressed tag, the plain encoding's size and zlib's header for
%% that level, and decodes (and inflates) to the term; one that does not compress stays
%% plain at every level.
-module(t_etf_levels).
-export([main/0]).

main() ->
    Terms = [lists:seq(1, 40),
             <<0:800>>,
             {a, "hello hello hello hello hello", [x, x, x, x, x, x, x, x]},
             [{I, integer_to_list(I), <<I:32>>} || I <- lists:seq(1, 300)],
             lists:duplicate(50, {atom, 1.5, "text"})],
    [begin
         Plain = term_to_binary(T),
         erlang:display([level(T, Plain, L) || L <- lists:seq(0, 9)])
     end || T <- Terms],
    erlang:display(term_to_binary(<<0:800>>, [compressed]) =:=
                       term_to_binary(<<0:800>>, [{compressed, 6}])),
    halt().

level(T, Plain, L) ->
    B = term_to_binary(T, [{compressed, L}]),
    T = binary_to_term(B),
    case B of
        Plain ->
            plain;
        <<131, 80, Size:32, Z/binary>> ->
            <<131, Body/binary>> = Plain,
            <<CMF, FLG, _/binary>> = Z,
            {L, Size =:= byte_size(Body), CMF, FLG, zlib:uncompress(Z) =:= Body}
    end.
