-module(t_eval_calc).
-export([main/0]).

%% A calculator over Erlang's own scanner, parser and evaluator, with bindings, errors
%% reported as erl_error formats them, and a digraph of dependencies sorted topologically.

eval(Str, Bindings) ->
    try
        {ok, Toks, _} = erl_scan:string(Str),
        {ok, Exprs} = erl_parse:parse_exprs(Toks),
        {value, V, B2} = erl_eval:exprs(Exprs, Bindings),
        {ok, V, B2}
    catch
        C:R:St -> {error, C, R, St}
    end.

show({ok, V, _}) -> io:format("= ~p~n", [V]);
show({error, C, R, St}) ->
    io:format("error: ~ts~n", [erl_error:format_exception(C, R, lists:sublist(St, 1),
                                                         #{stacktrace_format_fun => fun(_, _) -> [] end})]).

main() ->
    B0 = erl_eval:new_bindings(),
    {ok, _, B1} = eval("X = 6 * 7.", B0),
    show(eval("X + 1.", B1)),
    show(eval("lists:map(fun(N) -> N * X end, [1, 2, 3]).", B1)),
    show(eval("#{a => X, b => [Y || Y <- lists:seq(1, 5), Y rem 2 =:= 0]}.", B1)),
    show(eval("case X of 42 -> answer; _ -> other end.", B1)),
    show(eval("<<A:8, Rest/binary>> = <<1, 2, 3>>, {A, Rest}.", B1)),
    show(eval("F = fun Fact(0) -> 1; Fact(N) -> N * Fact(N - 1) end, F(20).", B1)),
    show(eval("try throw(oops) catch throw:T -> {caught, T} end.", B1)),
    show(eval("1 / 0.", B1)),
    show(eval("undefined_function(1).", B1)),
    show(eval("lists:nth(10, [1]).", B1)),
    show(eval("X = 5.", B1)),
    show(eval("element(1, {a, b}) + 1.", B1)),
    io:format("~p~n", [erl_scan:string("foo(Bar, \"baz\", 1.5) -> ok.")]),
    io:format("~p~n", [element(1, erl_scan:string("\"unterminated"))]),
    {ok, T, _} = erl_scan:string("f(X) -> X + 1."),
    {ok, Form} = erl_parse:parse_form(T),
    io:format("~p~n", [Form]),
    io:format("~s~n", [erl_pp:form(Form)]),
    io:format("~p~n", [erl_parse:parse_exprs(element(2, erl_scan:string("1 + .")))]),
    {ok, Term} = erl_parse:parse_term(element(2, erl_scan:string("{config, [a, \"b\", 3]}."))),
    io:format("~p~n", [Term]),
    G = digraph:new([acyclic]),
    [digraph:add_vertex(G, V) || V <- [app, db, cache, log, config]],
    [digraph:add_edge(G, From, To) || {From, To} <- [{config, log}, {config, db}, {log, db},
                                                     {db, app}, {cache, app}, {config, cache}]],
    io:format("~p~n", [digraph_utils:topsort(G)]),
    io:format("~p~n", [lists:sort(digraph:out_neighbours(G, config))]),
    io:format("~p~n", [digraph:get_path(G, config, app)]),
    io:format("~p~n", [digraph:add_edge(G, app, config)]),
    io:format("~p~n", [lists:sort(digraph_utils:reachable([cache], G))]),
    io:format("~p~n", [{digraph:no_vertices(G), digraph:no_edges(G)}]),
    digraph:delete(G),
    halt().
