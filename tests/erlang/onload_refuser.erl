%% Helper of t_onload_refused: its -on_load function refuses the module.
-module(onload_refuser).
-export([f/0]).
-on_load(init/0).

init() -> {error, not_today}.

f() -> called.
