%% Loaded only by t_code's code:ensure_loaded/1 (not a test of its own).
-module(ensure_loaded_target).
-export([hello/0]).

hello() -> hello.
