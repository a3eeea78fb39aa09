%% statistics(io) and statistics(garbage_collection): their shapes, and how they move. The
%% numbers themselves are the node's own (erl's differ), so only properties are printed:
%% output grows by exactly what io writes, not by erlang:display/1 nor by files; input does
%% not move while nothing is read; collections and reclaimed words grow when a process is
%% made to collect, also when that process has ended since. erlang:display/1 writes without
%% io, so it is used once, before any io output, and everything else is printed with io,
%% which keeps the order.
-module(t_stats_io_gc).
-export([main/0]).

main() ->
    {_, Out0} = io_counts(),
    erlang:display(not_counted),
    {_, Out1} = io_counts(),
    io_shape(),
    show(display_counted, Out1 - Out0),
    io_output(),
    gc_shape(),
    gc_grows(),
    gc_of_ended_processes(),
    erlang:halt(0).

show(Tag, V) -> io:format("~p~n", [{Tag, V}]).

io_counts() ->
    {{input, In}, {output, Out}} = statistics(io),
    {In, Out}.

io_shape() ->
    {{input, In}, {output, Out}} = statistics(io),
    show(io_integers, is_integer(In) andalso is_integer(Out) andalso In >= 0 andalso Out >= 0).

io_output() ->
    {In0, Out0} = io_counts(),
    io:format("twelve bytes~n"),
    {In1, Out1} = io_counts(),
    io:put_chars(<<"seven!\n">>),
    {_, Out2} = io_counts(),
    io:format(standard_io, "~p~n", [{a, "b"}]),
    {_, Out3} = io_counts(),
    Out4 = Out3,
    File = "t_stats_io_gc.tmp",
    % The image has no files to write: then there is nothing to count either.
    case catch file:write_file(File, binary:copy(<<"x">>, 5000)) of
        ok ->
            {ok, _} = file:read_file(File),
            ok = file:delete(File);
        _ ->
            ok
    end,
    {In5, Out5} = io_counts(),
    show(format_counted, Out1 - Out0),
    show(put_chars_counted, Out2 - Out1),
    show(format_p_counted, Out3 - Out2),
    show(files_counted, Out5 - Out4),
    show(input_still, In1 - In0 + In5 - In0).

gc_shape() ->
    {N, W, Z} = statistics(garbage_collection),
    show(gc_shape, {is_integer(N), is_integer(W), Z}).

garbage(0) -> ok;
garbage(K) ->
    _ = lists:seq(1, 1000),
    garbage(K - 1).

gc_grows() ->
    {N0, W0, _} = statistics(garbage_collection),
    garbage(200),
    true = erlang:garbage_collect(),
    {N1, W1, _} = statistics(garbage_collection),
    show(gc_count_grew, N1 > N0),
    show(gc_words_grew, W1 > W0),
    {N2, W2, _} = statistics(garbage_collection),
    show(gc_monotonic, N2 >= N1 andalso W2 >= W1).

gc_of_ended_processes() ->
    {N0, _, _} = statistics(garbage_collection),
    {Pid, Ref} = spawn_monitor(fun() ->
        [begin garbage(10), erlang:garbage_collect() end || _ <- lists:seq(1, 5)]
    end),
    receive {'DOWN', Ref, process, Pid, normal} -> ok end,
    {N1, _, _} = statistics(garbage_collection),
    show(gc_of_ended_counted, N1 - N0 >= 5).
