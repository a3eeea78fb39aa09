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
-export([code_server/0]).
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
%% to answer; it drops what it receives, the exit signals of its links among them.
-spec init() -> no_return().
init() ->
    receive
        _ -> init()
    end.

%% As erl's boot: the controller with the kernel application loaded, then kernel and stdlib
%% started as permanent applications (so `application:which_applications/0' and the
%% dependencies of a program's own applications are as in erl).
%% The timer server is started here rather than on first use as in erl, so that the
%% functions its apply_after runs, like the applications the controller starts from now on,
%% are the program's processes: they keep the node running as the program's own do.
start_kernel() ->
    {ok, Controller} = application_controller:start(kernel_app()),
    unlink(Controller),
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
           | global() ++ file_server()]}}.

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
      {registered, [application_controller, file_server_2, global_name_server, kernel_sup,
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
-spec code_server() -> no_return().
code_server() ->
    receive
        {code_call, From, Request} ->
            From ! {code_server, code_reply(Request)},
            code_server()
    end.

code_reply({is_loaded, Module}) ->
    %% Loading on demand is how a module becomes available here, so try it.
    case erlang:module_loaded(Module) orelse loads(Module) of
        true -> {file, beam_file(Module)};
        false -> false
    end;
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
code_reply({get_object_code, Module}) ->
    File = beam_file(Module),
    case is_list(File) andalso prim_file:read_file(File) of
        {ok, Bin} -> {Module, Bin, File};
        _ -> error
    end;
%% Code is never kept old here (a reload replaces it), so there is nothing to purge.
code_reply({purge, _}) -> false;
code_reply({soft_purge, _}) -> true;
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
