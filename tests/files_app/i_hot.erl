%% A module the files guest loads twice while it runs (tests/boot.rs compiles it with
%% -DVSN=1 and -DVSN=2 into the application's priv directory; i_files loads the binaries).
-module(i_hot).
-export([vsn/0, start/0, loop/1]).

vsn() -> ?VSN.

start() -> spawn(fun() -> loop(0) end).

%% `get' answers and goes on through the module's name (so into the newest code), `local'
%% answers and stays in the code it runs.
loop(N) ->
    receive
        {get, From} ->
            From ! {vsn(), N},
            i_hot:loop(N + 1);
        {local, From} ->
            From ! {vsn(), N},
            loop(N + 1)
    end.
