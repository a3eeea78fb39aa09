%% @doc The kernel application's services, started as erl's boot starts them, with OTP's own
%% modules: the `logger' server, the `application_controller' (its `ac_tab' table holds the
%% applications' environment), `kernel_sup' with `logger_sup' under it, and logger's default
%% handler (`logger_std_h' on standard_io, level notice).
%%
%% OTP's library code relies on these: a gen_server, gen_statem or supervisor child that
%% crashes writes its report through logger and reads `kernel' settings with
%% `application:get_env/2'; `timer' starts its `timer_server' under `kernel_sup'. What erl's
%% kernel starts besides (code_server, file_server_2, user, global, erl_signal_handler...)
%% needs files, ports or distribution, which the node does not have.
%%
%% The services run as kernel processes: they never keep an idle node from stopping. An image
%% whose program uses no OTP behaviour does not embed OTP's logger; then nothing is started.
-module(xenbeam_kernel).

-export([start/0]).
-export([init/1]).

%% The OTP modules the services run without importing them (named in configurations and
%% child specifications): an image that embeds logger embeds these too (see scripts/build).
-embed_with_logger([application_controller, logger_server, logger_sup, logger_std_h,
                    logger_h_common, logger_olp, logger_formatter, logger_proxy,
                    logger_simple_h, logger_filters, logger_backend, logger_config,
                    supervisor, timer]).

%% @doc Starts the services; returns once logger's default handler is in place.
-spec start() -> ok.
start() ->
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

start_kernel() ->
    {ok, Controller} = application_controller:start(kernel_app()),
    unlink(Controller),
    ok = logger:internal_init_logger(),
    {ok, Sup} = supervisor:start_link({local, kernel_sup}, ?MODULE, kernel_sup),
    unlink(Sup),
    ok = logger:add_handlers(kernel),
    ok.

%% @doc `kernel_sup': logger's supervisor first, as in erl; `timer' adds its server when first
%% used. Like erl's, any child's death ends it (one_for_all, intensity 0).
init(kernel_sup) ->
    {ok, {#{strategy => one_for_all, intensity => 0, period => 1},
          [#{id => logger_sup, start => {logger_sup, start_link, []},
             type => supervisor, shutdown => infinity}]}}.

%% The kernel application's resource file as OTP 25 (kernel 8.5.3) ships it, without its
%% module list (which only release tools read).
kernel_app() ->
    {application, kernel,
     [{description, "ERTS  CXC 138 10"},
      {vsn, "8.5.3"},
      {modules, []},
      {registered, [application_controller, kernel_sup, logger, logger_sup, timer_server]},
      {applications, []},
      {env, [{logger_level, notice},
             {logger_sasl_compatible, false},
             {net_tickintensity, 4},
             {net_ticktime, 60},
             {prevent_overlapping_partitions, true},
             {shell_docs_ansi, auto}]},
      {mod, {kernel, []}}]}.
