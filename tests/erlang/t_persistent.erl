%% persistent_term: many keys, keys that look alike but are not the same term (1 and 1.0,
%% a binary and a list, an atom and a string), replacing, erasing and listing with get/0.
-module(t_persistent).
-export([main/0]).

-define(N, 20000).

main() ->
    [persistent_term:put({?MODULE, I}, I * 3) || I <- lists:seq(1, ?N)],
    erlang:display({sum, lists:sum([persistent_term:get({?MODULE, I}) || I <- lists:seq(1, ?N)])}),
    erlang:display({missing, [I || I <- lists:seq(1, ?N), persistent_term:get({?MODULE, I}, none) =/= I * 3]}),
    Alike = [1, 1.0, -1, 1 bsl 70, float(1 bsl 70), {1}, {1.0}, [1], <<1>>, "a", <<"a">>, a,
             {a}, [a], #{a => 1}, #{a => 1.0}, #{1 => a}, #{1.0 => a}, <<1:7>>, [], {}, <<>>,
             {?MODULE, 1.0}, 0, 0.0, 2.5, {?MODULE, 1, 2}],
    Keys = [{?MODULE, alike, K} || K <- Alike],
    [persistent_term:put(K, I) || {I, K} <- lists:enumerate(Keys)],
    erlang:display({alike, [persistent_term:get(K) || K <- Keys]}),
    erlang:display({unrelated, persistent_term:get({?MODULE, 1.0}, none),
                    persistent_term:get({?MODULE, 20001}, none)}),
    %% Replacing keeps one pair a key.
    [persistent_term:put(K, {replaced, I}) || {I, K} <- lists:enumerate(Keys), I rem 2 =:= 0],
    erlang:display({replaced, [persistent_term:get(K) || K <- Keys]}),
    %% Erasing one of two alike keys leaves the other.
    erlang:display({erase, [persistent_term:erase(K) || K <- Keys, is_float(element(3, K))]}),
    erlang:display({again, [persistent_term:erase({?MODULE, alike, 1.0})]}),
    erlang:display({left, [persistent_term:get(K, gone) || K <- Keys]}),
    erlang:display({bad, catch_error(fun() -> persistent_term:get({?MODULE, alike, 1.0}) end)}),
    %% Every third numbered key goes; the others stay, in get/0 too.
    [true = persistent_term:erase({?MODULE, I}) || I <- lists:seq(3, ?N, 3)],
    erlang:display({after_erase, persistent_term:get({?MODULE, 3}, gone),
                    persistent_term:get({?MODULE, 4}, gone),
                    lists:sum([persistent_term:get({?MODULE, I}, 0) || I <- lists:seq(1, ?N)])}),
    Mine = lists:sort([{K, V} || {{?MODULE, _} = K, V} <- persistent_term:get()]),
    erlang:display({get0, length(Mine), lists:sum([V || {_, V} <- Mine]), hd(Mine), lists:last(Mine)}),
    Alive = lists:sort([{K, V} || {{?MODULE, alike, _} = K, V} <- persistent_term:get()]),
    erlang:display({get0_alike, Alive}),
    [persistent_term:put({?MODULE, I}, again) || I <- lists:seq(3, ?N, 3)],
    erlang:display({put_again, length([I || I <- lists:seq(1, ?N), persistent_term:get({?MODULE, I}, none) =:= again])}),
    erlang:halt(0).

catch_error(F) ->
    try F() catch C:R -> {C, R} end.
