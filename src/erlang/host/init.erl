%% @doc The Erlang part of erl's `init' that the host runner (`xenbeam-run') needs for the
%% command line's `-eval' items; the rest of `init' is the node's own (the `init:start_em/1'
%% and `init:do_boot/3' frames under every command-line item, `init:stop/0,1' and friends as
%% BIFs).
%%
%% An item `-eval Exprs' runs as erl's `init:start_it/1' runs it: scanned, parsed and evaluated
%% with OTP's erl_scan, erl_parse and erl_eval, the value dropped, in the process that runs
%% every item. Its failures are erl's: a `badmatch' raised here for a scan or parse error, or
%% the exception of the expressions, with this function's frame as `{init,start_it,1,[]}'.
%% That is why the module is called `init' and has no line information: erl's preloaded
%% `init' has none either.
%%
%% Only the host runner carries it (this directory is not `src/erlang', whose modules every
%% image embeds): the image has no erl_eval, and refuses `-eval'.
-module(init).
-compile(no_line_info).

-export([start_it/1]).

%% @doc Evaluates the expressions of one `-eval' item, given as the list of its one word (the
%% runner drops an `-eval' without one, which erl's init skips). A missing final `.' is
%% added, as erl's init adds it.
-spec start_it([string()]) -> ok.
start_it([Str]) ->
    {ok, Ts, _} = erl_scan:string(Str),
    Ts1 = case lists:reverse(Ts) of
              [{dot, _} | _] -> Ts;
              TsR -> lists:reverse([{dot, erl_anno:new(1)} | TsR])
          end,
    {ok, Expr} = erl_parse:parse_exprs(Ts1),
    {value, _Value, _Bs} = erl_eval:exprs(Expr, erl_eval:new_bindings()),
    ok.
