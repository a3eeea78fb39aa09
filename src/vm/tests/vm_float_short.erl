%% float_to_list(F, [short]): fixed or scientific, whichever is shorter.
-module(vm_float_short).
-export([main/0]).
main() ->
    erlang:display([float_to_list(X, [short]) || X <- [0.1, 1.0, 123.456, 1.0e21, 1.5e-7, 100.0, 2.0e20, 0.001, 0.0001, 12345678.9, 1.0e15, 1.0e16, -0.5, 0.0, 5.0e-324, 1.7976931348623157e308, 1234.5e10]]),
    halt().
