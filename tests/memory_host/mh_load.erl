%% Loading a module when the node's memory is nearly used up: a process takes binaries until
%% the node refuses one and gives one of them back, while another loads and calls a large
%% module not loaded yet (unicode_util, 657 KB of .beam, which takes about 10 MB to load):
%% OTP's code server cannot load it (erlang:load_module/2 answers system_limit, which the
%% code server logs), so the call is undef, and the runner goes on; once the memory is
%% given back, the module loads and runs. Run under a 48 MB limit (tests/memory_host.rs).
-module(mh_load).
-export([main/0]).

main() ->
    Holder = spawn(fun() -> hold(give_back(fill([]))) end),
    Ref = monitor(process, Holder),
    Holder ! {self(), ready},
    receive held -> ok end,
    run(load_when_full),
    Holder ! release,
    receive {'DOWN', Ref, process, Holder, _} -> ok end,
    run(load_after),
    erlang:halt(0).

run(Name) ->
    {Pid, Ref} = spawn_monitor(fun() -> exit({done, load_and_call()}) end),
    Outcome = receive
                  {'DOWN', Ref, process, Pid, {done, R}} -> R;
                  {'DOWN', Ref, process, Pid, R} -> R
              end,
    erlang:display({Name, Outcome}).

load_and_call() ->
    Loaded = code:ensure_loaded(unicode_util),
    try unicode_util:cp("abc") of
        Chars -> {Loaded, Chars}
    catch
        error:undef -> {Loaded, undef}
    end.

%% Binaries of 1 MB until the node refuses one.
fill(Bins) ->
    try binary:copy(<<7>>, 1 bsl 20) of
        Bin -> fill([Bin | Bins])
    catch
        error:system_limit -> Bins
    end.

%% One of them back to the node (the collection frees it), for the other processes' small
%% needs.
give_back([_ | Kept]) ->
    erlang:garbage_collect(),
    Kept.

hold(Bins) ->
    receive
        {From, ready} -> From ! held, hold(Bins);
        release -> length(Bins)
    end.
