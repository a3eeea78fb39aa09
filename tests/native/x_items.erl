%% Command-line items in the image: run as `-run x_items main` it prints `main`; the boot
%% test also runs it as `-run x_items a -s x_items b x y -run x_items main -s init stop`,
%% which must print a, then [x,y] and the process dictionary a/0 left, then main, and stop
%% with status 0: the items run in order in one process.
-module(x_items).
-export([main/0, a/0, b/1]).

main() -> erlang:display(main).

a() -> put(seen, a), erlang:display(a).

b(Args) -> erlang:display({Args, get(seen)}).
