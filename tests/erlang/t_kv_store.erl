-module(t_kv_store).
-behaviour(gen_server).
-compile({no_auto_import, [put/2, get/1]}).
-export([main/0]).
-export([start_link/0, put/2, get/1, delete/1, incr/2, keys/0, stats/0, stop/0]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).

-record(state, {tab, hits = 0, misses = 0}).

start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).
put(K, V) -> gen_server:call(?MODULE, {put, K, V}).
get(K) -> gen_server:call(?MODULE, {get, K}).
delete(K) -> gen_server:cast(?MODULE, {delete, K}).
incr(K, N) -> gen_server:call(?MODULE, {incr, K, N}).
keys() -> gen_server:call(?MODULE, keys).
stats() -> gen_server:call(?MODULE, stats).
stop() -> gen_server:stop(?MODULE).

init([]) ->
    Tab = ets:new(kv, [set, protected, {read_concurrency, true}]),
    {ok, #state{tab = Tab}}.

handle_call({put, K, V}, _From, S = #state{tab = T}) ->
    Old = case ets:lookup(T, K) of [{K, O}] -> {replaced, O}; [] -> new end,
    true = ets:insert(T, {K, V}),
    {reply, Old, S};
handle_call({get, K}, _From, S = #state{tab = T, hits = H, misses = M}) ->
    case ets:lookup(T, K) of
        [{K, V}] -> {reply, {ok, V}, S#state{hits = H + 1}};
        [] -> {reply, not_found, S#state{misses = M + 1}}
    end;
handle_call({incr, K, N}, _From, S = #state{tab = T}) ->
    R = try ets:update_counter(T, K, N)
        catch error:badarg -> ets:insert(T, {K, N}), N
        end,
    {reply, R, S};
handle_call(keys, _From, S = #state{tab = T}) ->
    {reply, lists:sort(ets:select(T, [{{'$1', '_'}, [], ['$1']}])), S};
handle_call(stats, _From, S = #state{tab = T, hits = H, misses = M}) ->
    {reply, #{size => ets:info(T, size), hits => H, misses => M,
              type => ets:info(T, type), protection => ets:info(T, protection)}, S};
handle_call(Other, _From, S) ->
    {reply, {error, {unknown, Other}}, S}.

handle_cast({delete, K}, S = #state{tab = T}) ->
    ets:delete(T, K),
    {noreply, S}.

handle_info(Msg, S) ->
    io:format("unexpected message: ~p~n", [Msg]),
    {noreply, S}.

terminate(Reason, #state{tab = T}) ->
    io:format("terminating (~p) with ~b keys~n", [Reason, ets:info(T, size)]).

main() ->
    {ok, Pid} = start_link(),
    io:format("started: ~p~n", [is_pid(Pid)]),
    io:format("~p~n", [put(apple, 3)]),
    io:format("~p~n", [put(pear, 5)]),
    io:format("~p~n", [put(apple, 4)]),
    io:format("~p ~p~n", [get(apple), get(plum)]),
    [incr(counter, I) || I <- lists:seq(1, 10)],
    io:format("counter: ~p~n", [get(counter)]),
    io:format("~p~n", [incr(pear, 100)]),
    delete(pear),
    io:format("keys: ~p~n", [keys()]),
    io:format("stats: ~p~n", [stats()]),
    io:format("bad call: ~p~n", [gen_server:call(?MODULE, nonsense)]),
    ?MODULE ! hello,
    io:format("~p~n", [catch gen_server:call(?MODULE, {incr, counter, notanumber}) ]),
    [put({user, N}, #{name => "user" ++ integer_to_list(N), age => 20 + N}) || N <- lists:seq(1, 5)],
    io:format("~p~n", [get({user, 3})]),
    io:format("~p~n", [length(keys())]),
    ok = stop(),
    io:format("alive after stop: ~p~n", [whereis(?MODULE)]),
    halt().
