%% The node's `prim_eval' under OTP's boot (erl has it preloaded): `receive'/2, the receive of
%% erl_eval (an `-eval' item's `receive' expressions, and those of the funs it makes).
%%
%% prim_eval:'receive'(Match, Timeout) goes through the mailbox as a receive does: for each
%% message in turn it calls Match(Message); the first result that is not `nomatch' removes
%% that message and is returned; with none, it waits for more messages up to Timeout
%% (`infinity' or milliseconds), then returns `timeout'. Only BEAM assembly can call a fun on
%% a message still in the mailbox, hence this form. erlc's validator refuses to pass such a
%% message to a call (in erl it may still be outside the process heap) unless told otherwise
%% by `remove_fragility': here every message is on the receiver's heap, a root of its
%% collections, so the terms Match makes from it stay valid.
%%
%% Only the runner carries it, as the host's `init' (see init.erl): the image has no erl_eval.
{module, prim_eval}.
{exports, [{'receive',2},{module_info,0},{module_info,1}]}.
{attributes, []}.
{labels, 10}.

{function, 'receive', 2, 2}.
  {label,1}.
    {func_info,{atom,prim_eval},{atom,'receive'},2}.
  {label,2}.
    {allocate,2,2}.
    {move,{x,0},{y,0}}.
    {move,{x,1},{y,1}}.
  {label,3}.
    {loop_rec,{f,5},{x,0}}.
    {move,{y,0},{x,1}}.
    {'%',{remove_fragility,{x,0}}}.
    {call_fun,1}.
    {test,is_eq_exact,{f,4},[{x,0},{atom,nomatch}]}.
    {loop_rec_end,{f,3}}.
  {label,4}.
    remove_message.
    {deallocate,2}.
    return.
  {label,5}.
    {wait_timeout,{f,3},{y,1}}.
    timeout.
    {move,{atom,timeout},{x,0}}.
    {deallocate,2}.
    return.

{function, module_info, 0, 7}.
  {label,6}.
    {func_info,{atom,prim_eval},{atom,module_info},0}.
  {label,7}.
    {move,{atom,prim_eval},{x,0}}.
    {call_ext_only,1,{extfunc,erlang,get_module_info,1}}.

{function, module_info, 1, 9}.
  {label,8}.
    {func_info,{atom,prim_eval},{atom,module_info},1}.
  {label,9}.
    {move,{x,0},{x,1}}.
    {move,{atom,prim_eval},{x,0}}.
    {call_ext_only,2,{extfunc,erlang,get_module_info,2}}.
