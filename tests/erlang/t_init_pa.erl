%% init:get_arguments/0 and init:get_argument/1 list the command line's -pa directory as
%% given ({pa, [Dir]}, after noshell), and it is on the code path; a flag not given is error.
-module(t_init_pa).
-export([main/0]).
main() ->
    Args = init:get_arguments(),
    erlang:display([K || {K, _} <- Args]),
    {ok, [[Dir]]} = init:get_argument(pa),
    erlang:display(lists:keyfind(pa, 1, Args) =:= {pa, [Dir]}),
    erlang:display(lists:member(Dir, code:get_path())),
    erlang:display(filelib:is_dir(Dir)),
    erlang:display(filelib:is_file(filename:join(Dir, "t_init_pa.beam"))),
    erlang:display(init:get_argument(pz)),
    erlang:display(init:get_argument(noshell)),
    erlang:display(init:get_argument(progname)),
    erlang:display(init:get_argument("pa")),
    halt().
