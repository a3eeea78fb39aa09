%% @doc Xenstore through the native Xenstore outlet, with the `xenstore' module's calls.
%%
%% The baseline the Erlang driver over the pore is measured against. `open(Mode)' starts an
%% owner process that opens the outlet (`outlet:open_xenstore(Mode)', Mode `blocking' or
%% `async'); the ring must be free (`xenstore_sup:suspend()' hands it over), else
%% `{error, busy}'. Only an outlet's owner may command it, so every call is a message to
%% the owner, which forwards it as a command tagged with the caller's monitor alias and
%% sends the outlet's `{xenstore, Tag, Result}' back to that alias: any number of processes
%% may call at once, as they used LING's outlet.
%%
%% Calls return what `xenstore''s do: `ok', `{ok, Value}', `{ok, [Name]}' or
%% `{error, Reason}' (xenstored's error in lower case, `timeout' from a blocking outlet,
%% `einval' for an empty path, a NUL byte or a request over 4096 bytes, `no_driver' when the
%% owner is gone or the caller waited 10 s). Paths and values are iodata. Watch events are
%% dropped (this module sets no watches). The outlet closes with `close/1' or when the
%% process that opened it exits.
-module(xenstore_outlet).

-export([open/1, close/1, read/2, write/3, mkdir/2, rm/2, directory/2, get_perms/2,
         get_domain_path/2]).
-export([init/2]).

-define(TIMEOUT, 10000).

%% @doc Starts an owner process holding the outlet.
-spec open(blocking | async) -> {ok, pid()} | {error, term()}.
open(Mode) when Mode =:= blocking; Mode =:= async ->
    Pid = spawn(?MODULE, init, [self(), Mode]),
    Ref = erlang:monitor(process, Pid),
    receive
        {Pid, Result} ->
            erlang:demonitor(Ref, [flush]),
            Result;
        {'DOWN', Ref, process, Pid, Reason} ->
            {error, Reason}
    end.

%% @doc Closes the outlet (after what is on the wire is answered) and ends the owner.
-spec close(pid()) -> ok | {error, no_driver}.
close(O) -> call(O, close).

-spec read(pid(), iodata()) -> {ok, binary()} | {error, term()}.
read(O, Path) -> call(O, {read, bin(Path)}).

-spec write(pid(), iodata(), iodata()) -> ok | {error, term()}.
write(O, Path, Value) -> call(O, {write, bin(Path), bin(Value)}).

-spec mkdir(pid(), iodata()) -> ok | {error, term()}.
mkdir(O, Path) -> call(O, {mkdir, bin(Path)}).

-spec rm(pid(), iodata()) -> ok | {error, term()}.
rm(O, Path) -> call(O, {rm, bin(Path)}).

-spec directory(pid(), iodata()) -> {ok, [binary()]} | {error, term()}.
directory(O, Path) -> call(O, {directory, bin(Path)}).

%% @doc Permissions as xenstored spells them (`<<"n1">>', `<<"r0">>', ...).
-spec get_perms(pid(), iodata()) -> {ok, [binary()]} | {error, term()}.
get_perms(O, Path) -> call(O, {get_perms, bin(Path)}).

-spec get_domain_path(pid(), non_neg_integer()) -> {ok, binary()} | {error, term()}.
get_domain_path(O, DomId) -> call(O, {get_domain_path, DomId}).

bin(B) when is_binary(B) -> B;
bin(L) -> iolist_to_binary(L).

call(O, Op) ->
    Alias = erlang:monitor(process, O, [{alias, demonitor}]),
    O ! {xenstore_outlet, Alias, Op},
    receive
        {Alias, Reply} ->
            erlang:demonitor(Alias, [flush]),
            Reply;
        {'DOWN', Alias, process, _, _} ->
            {error, no_driver}
    after ?TIMEOUT ->
        erlang:demonitor(Alias, [flush]),
        {error, no_driver}
    end.

%% @private The owner.
init(Parent, Mode) ->
    case outlet:open_xenstore(Mode) of
        {'$outlet', _} = O ->
            Mon = erlang:monitor(process, Parent),
            Parent ! {self(), {ok, self()}},
            loop(O, Mon);
        Error ->
            Parent ! {self(), Error}
    end.

loop(O, Mon) ->
    receive
        {O, {xenstore, Alias, Result}} ->
            Alias ! {Alias, Result},
            loop(O, Mon);
        {xenstore_outlet, Alias, close} ->
            ok = outlet:close(O),
            Alias ! {Alias, ok};
        {xenstore_outlet, Alias, Op} ->
            try outlet:command(O, {Alias, Op})
            catch error:badarg -> Alias ! {Alias, {error, einval}}
            end,
            loop(O, Mon);
        {'DOWN', Mon, process, _, _} ->
            outlet:close(O);
        _ ->
            loop(O, Mon)
    end.
