%% system_info/1 items, statistics and monitors that programs and libraries read about the
%% runtime they are on, where the answer does not depend on the machine; the ETS table count;
%% the host name.
-module(t_system_info_more).
-export([main/0]).

main() ->
    Items = [port_limit, ets_limit, build_type, scheduler_bind_type, nif_version,
             driver_version, heap_type, lock_checking, modified_timing_level, time_offset,
             time_warp_mode, time_correction, tolerant_timeofday, delayed_node_table_gc,
             dist_buf_busy_limit, trace_control_word, fullsweep_after, sequential_tracer,
             garbage_collection, eager_check_io, emu_type, wordsize, otp_release, machine,
             thread_pool_size, update_cpu_info],
    [io:format("~p: ~p~n", [I, erlang:system_info(I)]) || I <- Items],
    Counts = [port_count, dirty_cpu_schedulers, dirty_io_schedulers,
              dirty_cpu_schedulers_online, schedulers, thread_pool_size],
    Tables = erlang:system_info(ets_count),
    T = ets:new(t, []),
    io:format("ets_count: ~p~n", [{Tables =:= length(ets:all()),
                                   erlang:system_info(ets_count) - Tables}]),
    ets:delete(T),
    io:format("counts: ~p~n", [[is_integer(erlang:system_info(I)) || I <- Counts]]),
    io:format("scheduler_wall_time: ~p~n", [erlang:statistics(scheduler_wall_time)]),
    io:format("scheduler_wall_time_all: ~p~n", [erlang:statistics(scheduler_wall_time_all)]),
    io:format("system_monitor: ~p~n", [erlang:system_monitor()]),
    io:format("system_profile: ~p~n", [erlang:system_profile()]),
    io:format("port_info: ~p~n", [catch element(1, erlang:port_info(self()))]),
    io:format("port_info/2: ~p~n", [catch element(1, erlang:port_info(self(), id))]),
    {ok, Host} = inet:gethostname(),
    io:format("hostname: ~p~n", [io_lib:printable_latin1_list(Host) andalso Host =/= ""]),
    io:format("bad item: ~p~n", [catch element(1, erlang:system_info(no_such_item))]),
    halt().
