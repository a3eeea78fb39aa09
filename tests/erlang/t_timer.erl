%% The timer module: send_after/2,3, send_interval/2,3, apply_after/4, apply_interval/4,
%% exit_after, kill_after, cancel/1, sleep/1, tc, and the time conversions; timer's server is
%% started under kernel_sup on first use.
-module(t_timer).
-export([main/0, notify/2]).

main() ->
    Self = self(),
    {ok, T1} = timer:send_after(20, hello),
    erlang:display({send_after, ref_kind(T1), receive hello -> got after 1000 -> none end}),
    {ok, _} = timer:send_after(10, Self, {to, pid}),
    erlang:display(receive {to, pid} = M -> M after 1000 -> none end),
    register(t_timer_main, Self),
    {ok, _} = timer:send_after(10, t_timer_main, {to, name}),
    erlang:display(receive {to, name} = M2 -> M2 after 1000 -> none end),
    {ok, T0} = timer:send_after(0, now),
    erlang:display({send_after_0, ref_kind(T0), receive now -> got after 0 -> none end}),
    %% Cancelled before it fires: nothing arrives.
    {ok, T2} = timer:send_after(50, never),
    erlang:display({cancel, timer:cancel(T2)}),
    erlang:display({cancelled, receive never -> got after 100 -> none end}),
    %% apply_after runs the function in a new process.
    {ok, T3} = timer:apply_after(10, ?MODULE, notify, [Self, applied]),
    erlang:display({apply_after, ref_kind(T3), receive {notify, applied} -> got after 1000 -> none end}),
    %% Intervals until cancelled.
    {ok, T4} = timer:send_interval(10, tick),
    erlang:display({interval, ref_kind(T4), [receive tick -> tick after 1000 -> none end || _ <- [1, 2, 3]]}),
    erlang:display({cancel_interval, timer:cancel(T4)}),
    flush(tick),
    erlang:display({after_cancel, receive tick -> tick after 50 -> none end}),
    {ok, T5} = timer:send_interval(10, Self, tock),
    erlang:display({interval3, [receive tock -> tock after 1000 -> none end || _ <- [1, 2]]}),
    {ok, cancel} = timer:cancel(T5),
    flush(tock),
    {ok, T6} = timer:apply_interval(10, ?MODULE, notify, [Self, again]),
    erlang:display({apply_interval, [receive {notify, again} -> again after 1000 -> none end || _ <- [1, 2]]}),
    {ok, cancel} = timer:cancel(T6),
    flush({notify, again}),
    %% exit_after and kill_after signal a process.
    process_flag(trap_exit, true),
    P1 = spawn_link(fun() -> receive after infinity -> ok end end),
    {ok, _} = timer:exit_after(10, P1, bye),
    erlang:display({exit_after, receive {'EXIT', P1, R1} -> R1 after 1000 -> none end}),
    P2 = spawn_link(fun() -> receive after infinity -> ok end end),
    {ok, _} = timer:kill_after(10, P2),
    erlang:display({kill_after, receive {'EXIT', P2, R2} -> R2 after 1000 -> none end}),
    %% Bad arguments.
    erlang:display({bad, timer:send_after(-1, x), timer:cancel(not_a_timer),
                    timer:apply_after(a, m, f, []), timer:send_interval(x, y)}),
    %% sleep, tc and conversions.
    erlang:display({sleep, timer:sleep(15)}),
    {Us, v} = timer:tc(fun() -> timer:sleep(10), v end),
    erlang:display({tc, Us >= 10000}),
    {Us2, 6} = timer:tc(erlang, '+', [2, 4]),
    erlang:display({tc3, is_integer(Us2)}),
    erlang:display({conv, timer:seconds(2), timer:minutes(1), timer:hours(1),
                    timer:hms(1, 2, 3)}),
    erlang:display({server, is_pid(whereis(timer_server))}),
    erlang:halt(0).

notify(Pid, What) -> Pid ! {notify, What}.

ref_kind({Kind, Ref}) when is_reference(Ref) -> Kind.

flush(M) -> receive M -> flush(M) after 20 -> ok end.
