%% Deep non-tail recursion: the stack must grow to millions of frames.
-module(t_deep).
-export([main/0]).

id(X) -> X.

main() ->
    erlang:display({sum, sum(id(1000000))}),
    erlang:display({len, len(lists:seq(1, id(1000000)))}),
    L = build(id(1000000)),
    erlang:display({build, length(L), hd(L), lists:last(L)}),
    erlang:display({map_body, lists:sum(double_all(L))}),
    erlang:display({mutual, is_even(id(1000001)), is_odd(id(1000001))}),
    erlang:display({deep_tuple, depth(nest(id(200000)))}),
    erlang:display({append_nontail, length(app(lists:seq(1, id(500000)), [end_marker]))}),
    erlang:display({lc_nested, length([X || X <- L, X rem 3 =:= 0])}),
    erlang:display({deep_catch, deep_catch(id(100000))}),
    erlang:display({tail_loop, tail(id(10000000), 0)}),
    erlang:halt(0).

sum(0) -> 0;
sum(N) -> N + sum(N - 1).

len([]) -> 0;
len([_ | T]) -> 1 + len(T).

build(0) -> [];
build(N) -> [N | build(N - 1)].

double_all([]) -> [];
double_all([H | T]) -> [H * 2 | double_all(T)].

is_even(0) -> true;
is_even(N) -> not is_odd(N - 1).

is_odd(0) -> false;
is_odd(N) -> not is_even(N - 1).

nest(0) -> leaf;
nest(N) -> {node, nest(N - 1)}.

depth(leaf) -> 0;
depth({node, T}) -> 1 + depth(T).

app([], Ys) -> Ys;
app([X | Xs], Ys) -> [X | app(Xs, Ys)].

deep_catch(0) -> throw(bottom);
deep_catch(N) ->
    try deep_catch(N - 1) of
        V -> V
    catch
        throw:bottom when N =:= 1 -> {caught_at, N};
        throw:Other -> throw(Other)
    end.

tail(0, Acc) -> Acc;
tail(N, Acc) -> tail(N - 1, Acc + 1).
