%% @doc The Xenstore write workload alone, for counting machine instructions on the host:
%% N writer processes each do W writes of an S-byte value through one driver (`pore', the
%% Erlang driver over the pore; `blocking' or `async', the native outlet), against the
%% simulated xenstored of `xenbeam-run --xenstore'. No timing and no dom0 check: run it
%% under callgrind at two values of W and divide the difference by the extra writes
%% (scripts/xsbench-callgrind does this).
%%
%% Usage: xenbeam-run --xenstore -pa EBIN xsload main DRIVER N W S
%% Keys are those of xsbench (`data/bench/DRIVER/t/(i mod 10)'). It halts with status 0
%% when every write returned ok, else 1.
-module(xsload).

-export([main/1]).

-spec main([string()]) -> no_return().
main([Driver, N, W, S]) ->
    D = list_to_existing_atom(Driver),
    true = lists:member(D, [pore, blocking, async]),
    Write = writer_fun(D),
    Value = binary:copy(<<$v>>, list_to_integer(S)),
    Prefix = <<"data/bench/", (atom_to_binary(D))/binary, $/>>,
    Writes = list_to_integer(W),
    Self = self(),
    Pids = [spawn_link(fun() -> Self ! {done, self(), writes(Write, Prefix, T, Value, Writes)} end)
            || T <- lists:seq(0, list_to_integer(N) - 1)],
    Failed = lists:sum([receive {done, P, F} -> F end || P <- Pids]),
    erlang:halt(case Failed of 0 -> 0; _ -> 1 end);
main(Args) ->
    erlang:display({xsload, want_driver_n_w_s, Args}),
    erlang:halt(2).

%% Closures for every driver, as xsbench calls them.
writer_fun(pore) ->
    fun(Key, Value) -> xenstore:write(Key, Value) end;
writer_fun(Mode) ->
    ok = xenstore_sup:suspend(),
    {ok, O} = xenstore_outlet:open(Mode),
    fun(Key, Value) -> xenstore_outlet:write(O, Key, Value) end.

writes(Write, Prefix, T, Value, W) ->
    Base = <<Prefix/binary, (integer_to_binary(T))/binary, $/>>,
    Keys = list_to_tuple([<<Base/binary, (integer_to_binary(K))/binary>> || K <- lists:seq(0, 9)]),
    writes(Write, Keys, Value, 0, W, 0).

writes(_Write, _Keys, _Value, W, W, Failed) ->
    Failed;
writes(Write, Keys, Value, I, W, Failed) ->
    F = case Write(element(I rem 10 + 1, Keys), Value) of
            ok -> 0;
            _ -> 1
        end,
    writes(Write, Keys, Value, I + 1, W, Failed + F).
