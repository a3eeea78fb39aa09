%% module_info(exports) and (functions) list a freshly loaded module's functions in the
%% order they are defined, as erl does, whatever the order of the -export attribute.
-module(t_exports_order).
-export([main/0, zeta/0, alpha/1, mid/2, alpha/0]).

zeta() -> ok.
alpha(_) -> ok.
alpha() -> ok.
mid(_, _) -> ok.
hidden() -> ok.

main() ->
    hidden(),
    erlang:display(?MODULE:module_info(exports)),
    erlang:display(?MODULE:module_info(functions)),
    erlang:display(proplists:get_value(exports, ?MODULE:module_info())),
    %% A module's first load: erl's order for a module whose functions the node already
    %% referred to depends on its export table's history.
    erlang:display(length(lists:module_info(exports))),
    halt().
