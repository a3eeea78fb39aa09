%% @doc The Erlang half of `os:cmd/1,2' on the host runner (`xenbeam-run'). The BIFs check
%% the command and the options as erl's `os' module does and start the command (`/bin/sh' on
%% a thread of the runner), then go on here, in the calling process: the output is read
%% with `xenbeam:command_read/1' (never blocking: between looks the process waits in a
%% `receive after', 1 ms, then longer, up to 50 ms, so that the scheduler runs others and its
%% mailbox is left alone), cut where `os.erl' cuts it (the end-of-transmission byte that the
%% shell writes after the command, `max_size') and decoded as `os.erl' decodes it: UTF-8
%% characters, or bytes when it is not UTF-8.
%%
%% Only the host runner carries it (this directory is not `src/erlang', whose modules every
%% image embeds): the image has no shell, and its `os:cmd' fails before coming here.
-module(xenbeam_os).

-export([cmd/2]).

%% @doc The output of command Id (started by `os:cmd/1,2'), at most Max bytes.
-spec cmd(non_neg_integer(), term()) -> string().
cmd(Id, Max) ->
    Bytes = try
                collect(Id, [], 0, Max, 1)
            after
                xenbeam:command_close(Id)
            end,
    case unicode:characters_to_list(Bytes) of
        String when is_list(String) -> String;
        _ -> binary_to_list(Bytes)
    end.

collect(Id, Sofar, Size, Max, Wait) ->
    case xenbeam:command_read(Id) of
        wait ->
            receive after Wait -> ok end,
            collect(Id, Sofar, Size, Max, min(Wait * 2, 50));
        eof ->
            iolist_to_binary(Sofar);
        Bytes ->
            case eot(Bytes, Size, Max) of
                more -> collect(Id, [Sofar, Bytes], Size + byte_size(Bytes), Max, 1);
                Last -> iolist_to_binary([Sofar, Last])
            end
    end.

%% os.erl's eot/4: `more', or the last part of the output (up to the end-of-transmission
%% byte, or to Max bytes in all). A Max that is no integer compares as os.erl's does.
eot(Bs, Size, Max) ->
    case binary:match(Bs, <<4>>) of
        {Pos, _} when Size + Pos < Max -> binary:part(Bs, {0, Pos});
        _ -> limit(Bs, Size, Max)
    end.

limit(Bs, Size, Max) when Size + byte_size(Bs) < Max -> more;
limit(Bs, Size, Max) -> binary:part(Bs, {0, Max - Size}).
