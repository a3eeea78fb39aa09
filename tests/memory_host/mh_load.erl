%% Loading a module when the node's memory is nearly used up: a process holds most of it in
%% binaries while another calls a large module not loaded yet (unicode_util, 657 KB of
%% .beam, which takes about 10 MB to load): the caller is killed for the node's memory, not
%% the runner; once the memory is given back, the module loads and runs. Run under a 48 MB
%% limit (tests/memory_host.rs).
-module(mh_load).
-export([main/0]).

main() ->
    Holder = spawn(fun() -> hold([binary:copy(<<7>>, 1 bsl 20) || _ <- lists:seq(1, 38)]) end),
    Ref = monitor(process, Holder),
    Holder ! {self(), ready},
    receive held -> ok end,
    run(load_when_full),
    Holder ! release,
    receive {'DOWN', Ref, process, Holder, _} -> ok end,
    run(load_after),
    erlang:halt(0).

run(Name) ->
    {Pid, Ref} = spawn_monitor(fun() -> exit({done, unicode_util:cp("abc")}) end),
    Outcome = receive
                  {'DOWN', Ref, process, Pid, {done, R}} -> R;
                  {'DOWN', Ref, process, Pid, R} -> R
              end,
    erlang:display({Name, Outcome}).

hold(Bins) ->
    receive
        {From, ready} -> From ! held, hold(Bins);
        release -> length(Bins)
    end.
