%% Which failing BIF calls get an {erlang, F, Args, ...} frame at the top of the trace.
-module(vm_bif_frames).
-export([main/0]).
id(X) -> X.
t(F) -> try F() catch C:R:S -> erlang:display({C,R,hd(S)}) end.
main() ->
    A = id(a), Z = id(0), One = id(1), L = id([x]),
    t(fun() -> A + 1 end),
    t(fun() -> A + One end),
    t(fun() -> One + A end),
    t(fun() -> A - One end),
    t(fun() -> A * One end),
    t(fun() -> One / Z end),
    t(fun() -> One div Z end),
    t(fun() -> One rem Z end),
    t(fun() -> A band One end),
    t(fun() -> A bsl One end),
    t(fun() -> bnot A end),
    t(fun() -> -A end),
    t(fun() -> element(One, A) end),
    t(fun() -> element(5, L) end),
    t(fun() -> length(A) end),
    t(fun() -> size(A) end),
    t(fun() -> abs(A) end),
    t(fun() -> hd(A) end),
    t(fun() -> tuple_size(A) end),
    t(fun() -> byte_size(A) end),
    t(fun() -> float(A) end),
    t(fun() -> trunc(A) end),
    t(fun() -> map_get(A, A) end),
    t(fun() -> A ++ L end),
    t(fun() -> atom_to_list(One) end),
    t(fun() -> not One end),
    t(fun() -> A and true end),
    t(fun() -> binary_part(A, 0, 1) end),
    t(fun() -> A > One orelse element(1, A) end),
    halt().
