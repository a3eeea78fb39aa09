-module(t_trace_call_actions).
-export([main/0, f/2, g/1, h/1, k/1]).
-include_lib("stdlib/include/ms_transform.hrl").

%% Actions of call-trace match specifications that use the call's arguments: `{message, X}`
%% with variables (`'$1'`, `'$_'`, `'$$'`), terms built of them and expressions (the last
%% `message` wins; `false` sends none, `true` the usual message), beside `{caller}`,
%% `return_trace` and `exception_trace`; `{display, X}` (printed when the call is made),
%% `{silent, Bool}` (the caller's `silent` flag, which stops its call-trace messages),
%% `enable_trace`, `disable_trace` and `trace` (the caller's flags, changed after the call's
%% message), `{caller}` inside other terms, and what `erlang:match_spec_test/3` makes of
%% them; `display` in `send` and `'receive'` patterns.

f(A, B) -> {A, B}.
g(X) -> h(X) + 1.
h(X) -> X * 2.
k(X) -> error({bad, X}).

main() ->
    run(arg1, {?MODULE, f, 2}, [{['$1', '_'], [], [{message, {{arg1, '$1'}}}]}], [],
        fun() -> ?MODULE:f(1, 2) end),
    run(whole, {?MODULE, f, 2}, [{'_', [], [{message, '$_'}]}], [],
        fun() -> ?MODULE:f(a, b) end),
    run(vars, {?MODULE, f, 2},
        [{['$1', '$2'], [{is_integer, '$1'}], [{message, '$$'}]},
         {'_', [], [{message, other}]}],
        [], fun() -> ?MODULE:f(1, 2), ?MODULE:f(x, y) end),
    run(sum, {?MODULE, f, 2}, [{['$1', '$2'], [], [{message, {'+', '$1', '$2'}}]}], [],
        fun() -> ?MODULE:f(1, 2) end),
    run(built, {?MODULE, f, 2}, [{['$1', '_'], [], [{message, {{'$1', [1, '$1'], "s"}}}]}],
        [], fun() -> ?MODULE:f(7, 2) end),
    run(by_value, {?MODULE, f, 2}, [{['$1', '_'], [], [{message, '$1'}]}], [],
        fun() -> ?MODULE:f(true, 1), ?MODULE:f(false, 2), ?MODULE:f(x, 3) end),
    run(self, {?MODULE, f, 2}, [{'_', [], [{message, {self}}]}], [],
        fun() -> ?MODULE:f(1, 2) end),
    run(const, {?MODULE, f, 2}, [{'_', [], [{message, {const, {a, '$1'}}}]}], [],
        fun() -> ?MODULE:f(1, 2) end),
    run(last_wins, {?MODULE, f, 2}, [{['$1', '$2'], [], [{message, '$2'}, {message, '$1'}]}],
        [], fun() -> ?MODULE:f(1, 2) end),
    run(caller_return, {?MODULE, h, 1},
        [{'_', [], [{message, {caller}}, {return_trace}]}], [local], fun() -> g(3) end),
    run(caller_exception, {?MODULE, k, 1},
        [{'_', [], [{message, {caller}}, {exception_trace}]}], [local],
        fun() -> catch k(3) end),
    run(return_exception, {?MODULE, k, 1}, [{'_', [], [{return_trace}, {exception_trace}]}],
        [local], fun() -> catch k(4) end),
    run(arg_return, {?MODULE, h, 1}, [{['$1'], [], [{message, {{x, '$1'}}}, {return_trace}]}],
        [local], fun() -> g(5) end),
    run(no_message_return, {?MODULE, h, 1}, [{'_', [], [{message, false}, {return_trace}]}],
        [local], fun() -> g(6) end),
    run(silent_on, {?MODULE, f, 2}, [{['$1', '_'], [{'==', '$1', 1}], [{silent, true}]},
                                    {'_', [], []}],
        [], fun() -> ?MODULE:f(0, 0), ?MODULE:f(1, 1), ?MODULE:f(2, 2) end),
    run(silent_off, {?MODULE, f, 2}, [{['$1', '_'], [{'==', '$1', 1}], [{silent, true}]},
                                     {['$1', '_'], [{'==', '$1', 2}], [{silent, false}]},
                                     {'_', [], []}],
        [], fun() -> [?MODULE:f(N, N) || N <- [1, 0, 2, 3]] end),
    run(display, {?MODULE, f, 2}, [{['$1', '$2'], [], [{display, '$1'}, {display, {{'$2'}}}]}],
        [], fun() -> ?MODULE:f(1, 2) end),
    run(display_message, {?MODULE, f, 2},
        [{['$1', '$2'], [], [{display, '$2'}, {message, '$1'}]}], [],
        fun() -> ?MODULE:f(1, 2) end),
    run(caller_inside, {?MODULE, h, 1}, [{['$1'], [], [{message, {{'$1', {caller}}}}]}],
        [local], fun() -> g(8) end),
    run(caller_in_list, {?MODULE, h, 1}, [{['$1'], [], [{message, [{caller}, '$1']}]}],
        [local], fun() -> g(20) end),
    run(display_caller, {?MODULE, h, 1}, [{'_', [], [{display, {caller}}]}], [local],
        fun() -> g(1) end),
    run(enable_trace, {?MODULE, f, 2}, [{'_', [], [{enable_trace, send}]}], [],
        fun() -> ?MODULE:f(1, 2) end),
    run(disable_trace, {?MODULE, f, 2}, [{'_', [], [{disable_trace, call}]}], [],
        fun() -> ?MODULE:f(1, 2), ?MODULE:f(3, 4) end),
    run(trace, {?MODULE, f, 2}, [{'_', [], [{trace, [call], [send, procs]}]}], [],
        fun() -> ?MODULE:f(1, 2), ?MODULE:f(3, 4) end),
    run(no_such_flag, {?MODULE, f, 2}, [{'_', [], [{enable_trace, no_such_flag}]}], [],
        fun() -> ?MODULE:f(1, 2) end),
    run(fun2ms, {?MODULE, f, 2},
        dbg:fun2ms(fun([A, B]) when A > B -> message({A, bigger, B}); (_) -> true end),
        [], fun() -> ?MODULE:f(2, 1), ?MODULE:f(1, 2) end),
    Refused = fun(Spec) ->
                      try erlang:trace_pattern({?MODULE, f, 2}, Spec, [])
                      catch error:Why -> erlang:display({refused, Why})
                      end
              end,
    Refused([{'_', [], [{message, {nofun, '$1'}}]}]),
    Refused([{'_', [], [{message, '$3'}]}]),
    Refused([{'_', [], [{nofun, 1}]}]),
    run(silent_other, {?MODULE, f, 2}, [{'_', [], [{silent, maybe}]}], [],
        fun() -> ?MODULE:f(1, 2) end),
    Test = fun(Args, Spec) -> erlang:display(erlang:match_spec_test(Args, Spec, trace)) end,
    Test([1, 2], [{['$1', '_'], [], [{message, {{arg1, '$1'}}}]}]),
    Test([1, 2], [{['$1', '_'], [], [{message, '$_'}, {return_trace}]}]),
    Test([1, 2], [{['$1', '_'], [], [{display, '$1'}, {silent, true}]}]),
    Test([false, 2], [{['$1', '_'], [], [{message, '$1'}]}]),
    Test([3, 2], [{['$1', '_'], [{is_atom, '$1'}], [{message, '$1'}]}]),
    Test([3], [{['$1'], [], [{message, {{'$1', {caller}}}}]}]),
    %% `display` in the node's `send` and `'receive'` patterns: printed as the event is
    %% matched.
    1 = erlang:trace_pattern(send, [{['_', '$1'], [], [{display, {{sent, '$1'}}},
                                                     {message, {{x, '$1'}}}]}], []),
    1 = erlang:trace_pattern('receive', [{['_', '_', go], [], [{display, got_go}]},
                                         {'_', [], [{display, other}]}], []),
    run(events, {?MODULE, f, 2}, false, [], fun() -> ?MODULE:f(1, 2) end, [send, 'receive']),
    erlang:trace_pattern(send, true, []),
    erlang:trace_pattern('receive', true, []),
    halt().

%% Traces the calls `Do` makes in a new process under pattern `Spec` and shows the
%% messages (the process as `p`) and its trace flags after.
run(Name, MFA, Spec, Flags, Do) ->
    run(Name, MFA, Spec, Flags, Do, [call]).

run(Name, MFA, Spec, Flags, Do, How) ->
    Self = self(),
    P = spawn(fun() -> receive go -> ok end, Do(), Self ! done, receive stop -> ok end end),
    erlang:trace(P, true, How),
    1 = erlang:trace_pattern(MFA, Spec, Flags),
    erlang:display({Name, running}),
    P ! go,
    receive done -> ok end,
    erlang:display({Name, messages(P, []), erlang:trace_info(P, flags)}),
    erlang:trace(P, false, [all]),
    P ! stop,
    erlang:trace_pattern(MFA, false, Flags).

messages(P, Acc) ->
    receive
        {trace, P, What, Arg} -> messages(P, [{What, Arg} | Acc]);
        {trace, P, What, Arg, Extra} -> messages(P, [name(P, {What, Arg, Extra}) | Acc]);
        {trace, P, What, Arg, To, Extra} ->
            messages(P, [name(P, {What, Arg, To, Extra}) | Acc])
    after 20 -> lists:reverse(Acc)
    end.

%% The traced process as `p`, this one as `main`.
name(P, P) -> p;
name(_, Main) when Main =:= self() -> main;
name(P, T) when is_tuple(T) -> list_to_tuple(name(P, tuple_to_list(T)));
name(P, [H | T]) -> [name(P, H) | name(P, T)];
name(_, T) -> T.
