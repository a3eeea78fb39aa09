%% @doc The kernel application's services, started as erl's boot starts them, with OTP's own
%% modules: the `logger' server, the `application_controller' (its `ac_tab' table holds the
%% applications' environment), the kernel and stdlib applications (the kernel's start, in
%% this module, starts `kernel_sup' with `logger_sup' under it and logger's default handler,
%% `logger_std_h' on standard_io at level notice), and a small `code_server' of our own.
%%
%% OTP's library code relies on these: a gen_server, gen_statem or supervisor child that
%% crashes writes its report through logger and reads `kernel' settings with
%% `application:get_env/2'; `timer' starts its `timer_server' under `kernel_sup'; a
%% program's applications start after kernel and stdlib; `file' asks `file_server_2',
%% OTP's file server (over our `prim_file' BIFs), and `global''s name server, under
%% `kernel_sup' as in erl. What erl's kernel starts besides (user, erl_signal_handler, OTP's
%% code server, global_group...) needs ports or distribution, which the node does not have.
%%
%% The services run as kernel processes: they never keep an idle node from stopping. An image
%% whose program uses no OTP behaviour does not embed OTP's logger; then only the code server
%% is started.
-module(xenbeam_kernel).

-export([start/0]).
-export([init/0]).
-behaviour(application).
-behaviour(supervisor).
-export([start/2, stop/1, init/1]).
-export([code_server/0, get_modules/3, ensure_modules_loaded/1]).
-export([console/1]).
-export([stop_node/1]).

%% The OTP modules the services run without importing them (named in configurations and
%% child specifications): an image that embeds logger embeds these too (see scripts/build).
-embed_with_logger([application_controller, logger_server, logger_sup, logger_std_h,
                    logger_h_common, logger_olp, logger_formatter, logger_proxy,
                    logger_simple_h, logger_filters, logger_backend, logger_config,
                    application, application_master, application_starter, supervisor,
                    timer]).

%% @doc Starts the services; returns once logger's default handler is in place.
-spec start() -> ok.
start() ->
    %% The console's I/O servers first: this process and everything started from here on
    %% have `user' as their group leader, as in erl.
    User = spawn(fun() -> console(standard_io) end),
    true = register(user, User),
    true = register(standard_error, spawn(fun() -> console(standard_error) end)),
    true = group_leader(User, self()),
    register(code_server, spawn(fun code_server/0)),
    try logger_server:start_link() of
        {ok, Logger} ->
            unlink(Logger),
            start_kernel()
    catch
        %% An image without OTP's logger: its program needs none of these services.
        error:undef:Trace ->
            case Trace of
                [{logger_server, start_link, _, _} | _] -> ok;
                _ -> erlang:raise(error, undef, Trace)
            end
    end.

%% @doc The `init' process, <0.0.0> (the node starts it before the services): the -run
%% process is linked to it, as to erl's. `init''s functions are BIFs, so it has no requests
%% to answer; it drops what it receives, the exit signals of its links among them. It
%% watches the kernel processes named to it (the application controller), and halts the node
%% as erl's `init' does when one ends: a permanent application ended that way.
-spec init() -> no_return().
init() ->
    receive
        {kernel_pid, Name, Pid} ->
            _ = monitor(process, Pid, [{tag, {kernel_pid, Name}}]),
            init();
        {{kernel_pid, Name}, _, process, _, Reason} ->
            %% erl's init lets the reports still on their way be written first.
            receive after 500 -> ok end,
            erlang:display({"Kernel pid terminated", Name, Reason}),
            erlang:halt("Kernel pid terminated (" ++ atom_to_list(Name) ++ ") ("
                        ++ slogan_text(Reason) ++ ")");
        _ -> init()
    end.

%% A term in a halt slogan: the controller's reasons are text already.
slogan_text(T) when is_list(T) -> T;
slogan_text(T) -> lists:flatten(io_lib:write(T)).

%% As erl's boot: the controller with the kernel application loaded, then kernel and stdlib
%% started as permanent applications (so `application:which_applications/0' and the
%% dependencies of a program's own applications are as in erl).
%% The timer server is started here rather than on first use as in erl, so that the
%% functions its apply_after runs, like the applications the controller starts from now on,
%% are the program's processes: they keep the node running as the program's own do.
start_kernel() ->
    {ok, Controller} = application_controller:start(kernel_app()),
    unlink(Controller),
    init ! {kernel_pid, application_controller, Controller},
    ok = application:start_boot(kernel, permanent),
    ok = application:load(stdlib_app()),
    ok = application:start_boot(stdlib, permanent),
    ok = timer:start(),
    true = xenbeam:spawns_program(Controller),
    true = xenbeam:spawns_program(whereis(timer_server)),
    ok.

%% @doc The kernel application's start (its `mod'), in place of OTP's `kernel' module, whose
%% supervisor would start servers for files, ports and distribution: logger's configuration
%% from the kernel's environment, `kernel_sup', then logger's default handler.
-spec start(normal, []) -> {ok, pid(), []} | {error, term()}.
start(normal, []) ->
    ok = logger:internal_init_logger(),
    case supervisor:start_link({local, kernel_sup}, ?MODULE, kernel_sup) of
        {ok, Sup} ->
            ok = logger:add_handlers(kernel),
            {ok, Sup, []};
        Error ->
            Error
    end.

%% @doc The kernel application's stop: nothing beyond its supervisor's.
-spec stop([]) -> ok.
stop([]) ->
    ok.

%% @doc `kernel_sup': logger's supervisor first, as in erl; the boot adds the timer server. Like erl's, any child's death ends it (one_for_all, intensity 0).
init(kernel_sup) ->
    {ok, {#{strategy => one_for_all, intensity => 0, period => 1},
          [#{id => logger_sup, start => {logger_sup, start_link, []},
             type => supervisor, shutdown => infinity}
           | global() ++ file_server() ++
               [#{id => kernel_safe_sup,
                  start => {supervisor, start_link, [{local, kernel_safe_sup}, ?MODULE, safe]},
                  type => supervisor, shutdown => infinity}]]}};
%% @doc `kernel_safe_sup', where OTP's libraries start their servers (disk_log's, pg's
%% scopes): empty at first, as erl's without boot server, disk_log or pg configured.
init(safe) ->
    {ok, {#{strategy => one_for_one, intensity => 4, period => 3600}, []}}.

%% OTP's name server for global names (`global_name_server'), which erl's kernel starts
%% even on a node without distribution, so `global:register_name/2', `whereis_name/1' and
%% `send/2' work locally: always on the host; in an image only when the program embeds
%% `global'.
global() ->
    case erlang:module_loaded(global) orelse loads(global) of
        true ->
            [#{id => global_name_server, start => {global, start_link, []},
               type => worker, shutdown => 2000}];
        false ->
            []
    end.

%% OTP's file server (`file_server_2'), which `file' asks for everything but raw files, when
%% its module is at hand: always on the host; in an image only when the program embeds it.
%% (Asked without calling `code', which an image would then embed with all it calls.)
file_server() ->
    case erlang:module_loaded(file_server) orelse loads(file_server) of
        true ->
            [#{id => file_server_2, start => {file_server, start_link, []},
               type => worker, shutdown => 2000}];
        false ->
            []
    end.

%% The kernel application's resource file as OTP 25 (kernel 8.5.3) ships it, without its
%% module list (which only release tools read); this module is its callback.
kernel_app() ->
    {application, kernel,
     [{description, "ERTS  CXC 138 10"},
      {vsn, "8.5.3"},
      {modules, []},
      {registered, [application_controller, file_server_2, global_name_server, kernel_safe_sup,
                    kernel_sup,
                    logger, logger_sup, timer_server]},
      {applications, []},
      {env, [{logger_level, notice},
             {logger_sasl_compatible, false},
             {net_tickintensity, 4},
             {net_ticktime, 60},
             {prevent_overlapping_partitions, true},
             {shell_docs_ansi, auto}]},
      {mod, {?MODULE, []}}]}.

%% stdlib's resource file as OTP 25 (stdlib 4.2) ships it, without its module list.
stdlib_app() ->
    {application, stdlib,
     [{description, "ERTS  CXC 138 10"},
      {vsn, "4.2"},
      {modules, []},
      {registered, [timer_server, rsh_starter, take_over_monitor, pool_master, dets]},
      {applications, [kernel]},
      {env, []}]}.

%% @doc The `code_server' that OTP's `code' module asks (`code_server:call/1''s protocol).
%% The code path is the node's own module search path (`xenbeam:code_path/0': on the host,
%% the runner's `-pa' directories, the current directory and OTP's application `ebin'
%% directories, as in erl; empty in the image, whose modules come from its archive). A module
%% that is or can be loaded is in the first directory holding its `.beam' file, or
%% `preloaded' when none does (it is part of the node, as erl's preloaded modules are, or
%% came from the archive); an application's directory is the parent of an `ebin' directory
%% named after it, with or without a version.
%%
%% Code loaded while the node runs (`code:load_binary/3', `load_file/1', `load_abs/1,2')
%% replaces a module's current code, which becomes old code; as erl's code server does, the
%% old code is purged first, killing the processes still running it. The file name a
%% module was loaded from is remembered for `code:which/1' and `code:is_loaded/1'.
-spec code_server() -> no_return().
code_server() -> code_server(#{}).

code_server(Files) ->
    receive
        {code_call, From, Request} ->
            {Reply, Files1} = code_request(Request, Files),
            From ! {code_server, Reply},
            code_server(Files1)
    end.

code_request({load_binary, Module, File, Bin}, Files) ->
    load(Module, File, Bin, Files);
code_request({load_file, Module}, Files) ->
    case beam_file(Module) of
        preloaded -> {{error, nofile}, Files};
        File -> load_from(Module, File, Files)
    end;
code_request({load_abs, File, Module}, Files) ->
    load_from(Module, absolute(to_list(File) ++ ".beam"), Files);
code_request({delete, Module}, Files) ->
    case catch erlang:delete_module(Module) of
        true -> {true, maps:remove(Module, Files)};
        _ -> {false, Files}
    end;
code_request({purge, Module}, Files) -> {purge(Module), Files};
code_request({soft_purge, Module}, Files) -> {soft_purge(Module), Files};
code_request({is_loaded, Module}, Files) ->
    %% Loading on demand is how a module becomes available here, so try it.
    case erlang:module_loaded(Module) orelse loads(Module) of
        true -> {{file, maps:get(Module, Files, beam_file(Module))}, Files};
        false -> {false, Files}
    end;
code_request({get_object_code, Module}, Files) ->
    File = beam_file(Module),
    Reply = case is_list(File) andalso prim_file:read_file(File) of
                {ok, Bin} -> {Module, Bin, File};
                _ -> error
            end,
    {Reply, Files};
code_request({add_path, Where, Dir}, Files) -> {add_path(Where, Dir), Files};
code_request({add_paths, Where, Dirs}, Files) ->
    [add_path(Where, Dir) || Dir <- Dirs],
    {ok, Files};
code_request({set_path, Dirs}, Files) ->
    Normal = [normal_dir(D) || D <- Dirs],
    case lists:all(fun is_dir/1, Normal) of
        true -> {xenbeam:set_code_path(Normal), Files};
        false -> {{error, bad_directory}, Files}
    end;
code_request({del_path, Name}, Files) ->
    Path = xenbeam:code_path(),
    Wanted = normal_dir(to_list(Name)),
    case [D || D <- Path, D =:= Wanted orelse app_of(D) =:= Wanted] of
        [] -> {false, Files};
        [D | _] -> {xenbeam:set_code_path(lists:delete(D, Path)), Files}
    end;
code_request({replace_path, Name, Dir0}, Files) ->
    Dir = normal_dir(to_list(Dir0)),
    Path = xenbeam:code_path(),
    Wanted = to_list(Name),
    Reply = case lists:splitwith(fun(D) -> app_of(D) =/= Wanted end, Path) of
                {_, []} ->
                    {error, bad_name};
                {Before, [_ | After]} ->
                    case is_dir(Dir) of
                        true -> xenbeam:set_code_path(Before ++ [Dir | After]);
                        false -> {error, bad_directory}
                    end
            end,
    {Reply, Files};
code_request(all_loaded, Files) ->
    {[{M, maps:get(M, Files, beam_file(M))} || M <- erlang:loaded()], Files};
code_request({is_sticky, Module}, Files) -> {is_sticky(Module, Files), Files};
code_request({finish_loading, Prepared, EnsureLoaded}, Files) ->
    finish_loading(Prepared, EnsureLoaded, Files);
code_request(Request, Files) -> {code_reply(Request), Files}.

%% `code:atomic_load/1', `code:finish_loading/1' and `code:ensure_modules_loaded/1': the
%% prepared modules (`{Module, {Prepared, File}}') become current together, unless one is
%% sticky; with EnsureLoaded, those already loaded are left as they are.
finish_loading(Prepared0, EnsureLoaded, Files) ->
    Prepared = [P || {M, _} = P <- Prepared0,
                     not (EnsureLoaded andalso erlang:module_loaded(M))],
    case [{M, sticky_directory} || {M, _} <- Prepared, is_sticky(M, Files)] of
        [] ->
            case erlang:finish_loading([Code || {_, {Code, _}} <- Prepared]) of
                ok ->
                    {ok, lists:foldl(fun({M, {_, File}}, Acc) -> Acc#{M => File} end,
                                     Files, Prepared)};
                {Reason, Ms} ->
                    {{error, [{M, Reason} || M <- Ms]}, Files}
            end;
        Sticky ->
            {{error, Sticky}, Files}
    end.

%% `code:ensure_modules_loaded/1' (a BIF hands its calls here): every module loaded, or
%% `{error, [{Module, nofile | badfile}]}' for those that cannot be.
-spec ensure_modules_loaded([module()]) -> ok | {error, list()}.
ensure_modules_loaded(Modules) ->
    case is_list(Modules) andalso lists:all(fun erlang:is_atom/1, Modules) of
        true -> ok;
        false -> erlang:error(function_clause, [Modules])
    end,
    case [{M, nofile} || M <- lists:usort(Modules),
                         not (erlang:module_loaded(M) orelse loads(M))] of
        [] -> ok;
        Errors -> {error, Errors}
    end.

%% `erl_prim_loader:get_modules/3' (a BIF hands its calls here): each module's `.beam'
%% file, the first in the directories given, passed to Process(Module, File, Binary);
%% `{ok, {[{Module, Result}], [{Module, Error}]}}' from its `{ok, Result}' and
%% `{error, Error}' answers (`enoent' for a file not found).
-spec get_modules([module()], fun(), [string()]) -> {ok, {list(), list()}}.
get_modules(Modules, Process, Dirs) ->
    Results = [{M, get_module(M, Process, Dirs)} || M <- Modules],
    {ok, {lists:reverse([{M, R} || {M, {ok, R}} <- Results]),
          lists:reverse([{M, E} || {M, {error, E}} <- Results])}}.

get_module(Module, Process, Dirs) ->
    Name = atom_to_list(Module) ++ ".beam",
    case [{F, B} || D <- Dirs, F <- [D ++ [$/ | Name]],
                    {ok, B} <- [prim_file:read_file(F)]] of
        [] ->
            {error, enoent};
        [{File, Bin} | _] ->
            try Process(Module, File, Bin) of
                {ok, _} = Ok -> Ok;
                {error, _} = Error -> Error
            catch
                _:Reason -> {error, {crash, Reason}}
            end
    end.

%% `code:add_patha/1' (first) and `add_pathz/1' (last): a directory moves to the front, or
%% is added at the end unless it is in the path.
add_path(Where, Dir0) ->
    Dir = normal_dir(Dir0),
    case is_dir(Dir) of
        false ->
            {error, bad_directory};
        true ->
            Path = xenbeam:code_path(),
            New = case Where of
                      first -> [Dir | lists:delete(Dir, Path)];
                      last ->
                          case lists:member(Dir, Path) of
                              true -> Path;
                              false -> Path ++ [Dir]
                          end
                  end,
            xenbeam:set_code_path(New)
    end.

%% A directory as erl's code server keeps it: no trailing or doubled slashes.
normal_dir([$/ | _] = Dir) -> [$/ | join_parts(Dir)];
normal_dir(Dir) -> join_parts(Dir).

join_parts(Dir) ->
    Parts = string:lexemes(Dir, "/"),
    lists:append(lists:join("/", Parts)).

is_dir(Dir) ->
    case prim_file:read_file_info(Dir) of
        {ok, Info} -> element(3, Info) =:= directory;
        _ -> false
    end.

%% The application a path directory belongs to: Name of .../Name[-Vsn]/ebin.
app_of(Dir) ->
    case base(Dir) of
        "ebin" ->
            Base = base(parent(Dir)),
            case string:split(Base, "-", trailing) of
                [Name, _Vsn] -> Name;
                _ -> Base
            end;
        _ ->
            none
    end.

%% A module erl's code server will not replace: one of the runtime's own (erl's preloaded
%% modules) or one loaded from the directories of kernel, stdlib or erts (not a module this
%% server loaded from a binary or a file of the caller's).
is_sticky(Module, Files) ->
    not maps:is_key(Module, Files) andalso
        (lists:member(Module, [erlang, init, erts_internal, erl_prim_loader, prim_file,
                               prim_eval, erts_code_purger, erl_init, atomics, counters,
                               persistent_term, zlib]) orelse
         erlang:module_loaded(Module) andalso
         case beam_file(Module) of
             preloaded -> false;
             File -> lists:member(app_of(parent(File)), ["kernel", "stdlib", "erts"])
         end).

load_from(Module, File, Files) ->
    case prim_file:read_file(File) of
        {ok, Bin} -> load(Module, File, Bin, Files);
        {error, _} -> {{error, nofile}, Files}
    end.

load(Module, File, Bin, Files) ->
    case is_sticky(Module, Files) of
        true ->
            error_msg("Can't load module '~w' that resides in sticky dir\n", [Module]),
            {{error, sticky_directory}, Files};
        false ->
            load_unsticky(Module, File, Bin, Files)
    end.

load_unsticky(Module, File, Bin, Files) ->
    _ = purge(Module),
    case erlang:load_module(Module, Bin) of
        {module, Module} = Loaded ->
            {Loaded, Files#{Module => File}};
        {error, on_load_failure} = Error ->
            {Error, Files};
        {error, What} = Error ->
            error_msg("Loading of ~ts failed: ~p\n", [File, What]),
            {Error, Files}
    end.

%% An error report to logger, as erl's code server sends it.
error_msg(Format, Args) ->
    Meta = #{pid => self(), gl => group_leader(), time => os:system_time(microsecond),
             error_logger => #{tag => error}},
    try logger ! {log, error, Format, Args, Meta}
    catch
        _:_ ->
            erlang:display({code_server, error}),
            erlang:display({Format, Args})
    end,
    ok.

%% `code:purge/1': kills the processes running the old code, then forgets it (the boot's
%% `erts_code_purger', which every image embeds); true if a process was killed.
purge(Module) ->
    {_WasOld, DidKill} = erts_code_purger:purge(Module),
    DidKill.

%% `code:soft_purge/1': forgets the old code unless a process runs it.
soft_purge(Module) ->
    erts_code_purger:soft_purge(Module).

to_list(A) when is_atom(A) -> atom_to_list(A);
to_list(L) -> L.

code_reply({ensure_loaded, Module}) ->
    case erlang:module_loaded(Module) orelse loads(Module) of
        true -> {module, Module};
        false -> {error, nofile}
    end;
code_reply(get_path) -> xenbeam:code_path();
code_reply({dir, root_dir}) -> in_root([]);
code_reply({dir, lib_dir}) -> in_root("/lib");
code_reply({dir, {lib_dir, App}}) -> in_app(App, []);
code_reply({dir, {priv_dir, App}}) -> in_app(App, "/priv");
code_reply({dir, {lib_dir, App, Sub}}) when is_atom(Sub) -> in_app(App, [$/ | atom_to_list(Sub)]);
code_reply(get_mode) -> interactive;
code_reply(_) -> {error, enotsup}.

loads(Module) ->
    try Module:module_info(module) of
        Module -> true
    catch
        error:undef -> false
    end.

beam_file(Module) ->
    File = atom_to_list(Module) ++ ".beam",
    case [F || D <- xenbeam:code_path(), F <- [D ++ [$/ | File]], is_file(F)] of
        [F | _] when Module =/= ?MODULE -> absolute(F);
        _ -> preloaded
    end.

%% A file name from the working directory on, as erl gives a module's file ("./m.beam" is
%% Cwd/m.beam).
absolute([$/ | _] = F) -> F;
absolute(F) ->
    case prim_file:get_cwd() of
        {ok, Cwd} ->
            case F of
                [$., $/ | Rest] -> Cwd ++ [$/ | Rest];
                _ -> Cwd ++ [$/ | F]
            end;
        _ ->
            F
    end.

is_file(F) ->
    case prim_file:read_file_info(F) of
        {ok, _} -> true;
        _ -> false
    end.

%% OTP's root: three levels above kernel's ebin directory (Root/lib/kernel-Vsn/ebin).
in_root(Sub) ->
    case [parent(parent(Lib)) || Lib <- app_dirs("kernel")] of
        [Root | _] -> Root ++ Sub;
        [] -> {error, enotsup}
    end.

%% An application is named by an atom or a string, as in erl.
in_app(App, Sub) when is_atom(App) -> in_app(atom_to_list(App), Sub);
in_app(Name, Sub) when is_list(Name) ->
    case app_dirs(Name) of
        [Dir | _] -> Dir ++ Sub;
        [] -> {error, bad_name}
    end;
in_app(_, _) -> {error, bad_name}.

%% The directories of application Name: parents of `ebin' directories named Name or
%% Name-Vsn.
app_dirs(Name) ->
    [Dir || Ebin <- xenbeam:code_path(), base(Ebin) =:= "ebin",
            Dir <- [parent(Ebin)], is_app_dir(Name, base(Dir))].

is_app_dir(Name, Name) -> true;
is_app_dir(Name, Base) ->
    case lists:prefix(Name ++ "-", Base) of
        true -> lists:all(fun(C) -> (C >= $0 andalso C =< $9) orelse C =:= $. end,
                          lists:nthtail(length(Name) + 1, Base));
        false -> false
    end.

base(Path) -> lists:reverse(lists:takewhile(fun(C) -> C =/= $/ end, lists:reverse(Path))).

parent(Path) ->
    case lists:dropwhile(fun(C) -> C =/= $/ end, lists:reverse(Path)) of
        [$/ | Rest] when Rest =/= [] -> lists:reverse(Rest);
        _ -> "."
    end.

%% @doc An I/O server for the console (`user' for standard output and input,
%% `standard_error'): Erlang's I/O protocol over the `xenbeam:put_chars' and
%% `xenbeam:read_input' BIFs, so that OTP's `io' works as under `erl -noshell'. Input is
%% the host's standard input under the host runner, and what is typed at the console (the
%% pty xenconsoled gives the domain) in the image, up to a ^D at the start of a line: bytes,
%% as erl's latin1 device gives them.
-spec console(standard_io | standard_error) -> no_return().
console(Device) ->
    console(Device, <<>>).

%% Buf: input read but not yet taken.
console(Device, Buf) ->
    receive
        {io_request, From, ReplyAs, Request} ->
            {Reply, Rest} =
                case input_request(Request) of
                    {Prompt, Get} when Device =:= standard_io ->
                        prompt(Prompt),
                        get_input(Get, Buf);
                    {_, _} ->
                        {eof, Buf};
                    none ->
                        {console_request(Device, Request), Buf}
                end,
            From ! {io_reply, ReplyAs, Reply},
            console(Device, Rest);
        _ ->
            console(Device, Buf)
    end.

%% The reads of the I/O protocol, with and without their encoding: {Prompt, What}.
input_request({get_line, _, Prompt}) -> {Prompt, line};
input_request({get_line, Prompt}) -> {Prompt, line};
input_request({get_chars, _, Prompt, N}) -> {Prompt, {chars, N}};
input_request({get_chars, Prompt, N}) -> {Prompt, {chars, N}};
input_request({get_until, _, Prompt, M, F, As}) -> {Prompt, {until, M, F, As}};
input_request({get_until, Prompt, M, F, As}) -> {Prompt, {until, M, F, As}};
input_request(_) -> none.

%% A prompt goes to standard output before the read, as erl's `user' writes it (a
%% `{format, F, A}' prompt is not written: formatting it would take io_lib into every image).
prompt('') -> ok;
prompt({format, _, _}) -> ok;
prompt(Prompt) when is_atom(Prompt) -> prompt(atom_to_list(Prompt));
prompt(Prompt) -> console_put(standard_io, unicode, Prompt).

%% {Reply, Rest}: a line (with its newline; at the end of input what is left, then eof), N
%% characters (fewer at the end), or what the I/O protocol's function M:F collects.
get_input(line, Buf) ->
    case line(Buf, 0) of
        {Line, Rest} -> {Line, Rest};
        more -> more_input(line, Buf)
    end;
get_input({chars, N}, Buf) when is_integer(N), N >= 0 ->
    case Buf of
        <<Chars:N/binary, Rest/binary>> -> {binary_to_list(Chars), Rest};
        _ -> more_input({chars, N}, Buf)
    end;
get_input({chars, _}, Buf) ->
    {{error, get_chars}, Buf};
get_input({until, M, F, As}, Buf) ->
    until(M, F, As, [], binary_to_list(Buf)).

more_input(Get, Buf) ->
    case read_input(1) of
        eof when Buf =:= <<>> -> {eof, Buf};
        eof -> {binary_to_list(Buf), <<>>};
        Bytes -> get_input(Get, <<Buf/binary, Bytes/binary>>)
    end.

line(Buf, N) ->
    case Buf of
        <<Line:N/binary, $\n, Rest/binary>> -> {binary_to_list(Line) ++ "\n", Rest};
        <<_:N/binary, _, _/binary>> -> line(Buf, N + 1);
        _ -> more
    end.

%% The I/O protocol's get_until: M:F(Cont, Data | As) is given what is buffered, then each
%% new chunk, then eof, until it is done; the characters it leaves are buffered again.
until(M, F, As, Cont, Data) ->
    try apply(M, F, [Cont, Data | As]) of
        {done, Result, Rest} when is_list(Rest) -> {Result, list_to_binary(Rest)};
        {done, Result, _} -> {Result, <<>>};
        {more, _} when Data =:= eof -> {eof, <<>>};
        {more, More} ->
            case read_input(1) of
                eof -> until(M, F, As, More, eof);
                Bytes -> until(M, F, As, More, binary_to_list(Bytes))
            end
    catch
        _:_ -> {{error, {M, F}}, <<>>}
    end.

%% The next bytes of input, waiting for them (1 ms, then longer, up to 50 ms between looks)
%% without holding the scheduler; eof at its end. Output asked for meanwhile is written
%% meanwhile; other reads wait their turn.
read_input(Wait) ->
    case xenbeam:read_input() of
        wait ->
            receive
                {io_request, From, ReplyAs, Request}
                  when is_tuple(Request), element(1, Request) =:= put_chars ->
                    From ! {io_reply, ReplyAs, console_request(standard_io, Request)},
                    read_input(Wait)
            after Wait ->
                    read_input(min(Wait * 2, 50))
            end;
        Input ->
            Input
    end.

console_request(Device, {put_chars, Encoding, Chars}) ->
    console_put(Device, Encoding, Chars);
console_request(Device, {put_chars, Encoding, M, F, A}) ->
    %% A failed formatting is a failed put_chars to erl's I/O server too.
    try apply(M, F, A) of
        Chars -> console_put(Device, Encoding, Chars)
    catch
        _:_ -> {error, put_chars}
    end;
console_request(Device, {put_chars, Chars}) ->
    console_put(Device, latin1, Chars);
console_request(Device, {put_chars, M, F, A}) ->
    console_request(Device, {put_chars, latin1, M, F, A});
console_request(Device, {requests, Requests}) ->
    console_requests(Device, Requests, ok);
console_request(_, {setopts, Opts}) when is_list(Opts) -> ok;
console_request(_, getopts) -> [{binary, false}, {encoding, latin1}];
console_request(_, {get_geometry, _}) -> {error, enotsup};
console_request(_, _) -> {error, request}.

console_requests(_, [], Last) ->
    Last;
console_requests(Device, [R | Rs], _) ->
    case console_request(Device, R) of
        {error, _} = E -> E;
        Reply -> console_requests(Device, Rs, Reply)
    end.

%% Latin-1 data is bytes; Unicode data is characters, binaries in UTF-8.
console_put(Device, latin1, Chars) ->
    try binary_to_list(iolist_to_binary(Chars)) of
        Bytes -> console_put(Device, unicode, Bytes)
    catch
        error:_ -> {error, put_chars}
    end;
console_put(Device, unicode, Chars) ->
    try xenbeam:put_chars(Device, Chars)
    catch
        error:_ -> {error, put_chars}
    end;
console_put(_, _, _) ->
    {error, put_chars}.

%% @private The node's orderly end that init:stop/0,1 (a BIF) starts in a process of its own,
%% as erl's init: the applications stop, the last started first (their supervision trees
%% shut down, so servers that trap exits run terminate/2), then the node halts with Status.
%% kernel and stdlib stay: nothing of theirs has anything to say at the end.
-spec stop_node(non_neg_integer() | string()) -> no_return().
stop_node(Status) ->
    try application:which_applications() of
        Apps -> [catch application:stop(App) || {App, _, _} <- Apps,
                                                App =/= kernel, App =/= stdlib]
    catch
        %% An image without OTP's application modules runs no applications.
        _:_ -> ok
    end,
    erlang:halt(Status).
