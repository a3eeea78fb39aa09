%% ETS ownership: tables die with their owner (normal exit, crash, kill), pass to an heir
%% with {'ETS-TRANSFER', Tab, FromPid, HeirData}, give_away/3, setopts heir, and a named
%% table's name freed with its owner.
-module(t_ets_owner).
-export([main/0]).

main() ->
    dies_with_owner(normal),
    dies_with_owner(crash),
    dies_with_owner(kill),
    dies_with_owner(linked),
    heir(),
    heir_dead(),
    give_away(),
    setopts_heir(),
    erlang:halt(0).

show(Tag, V) -> erlang:display({Tag, V}).

e(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

%% A process that makes a named and an unnamed table, reports them, then ends as told.
owner(Parent, How) ->
    spawn(fun() ->
              process_flag(trap_exit, false),
              T = ets:new(t_ets_owner_named, [named_table, public]),
              U = ets:new(unnamed, [public]),
              ets:insert(T, {k, 1}),
              Parent ! {tables, self(), T, U},
              receive
                  finish ->
                      case How of
                          normal -> ok;
                          crash -> exit(crashed);
                          _ -> receive never -> ok end
                      end
              end
          end).

dies_with_owner(How) ->
    P = owner(self(), How),
    receive {tables, P, T, U} -> ok end,
    show({How, alive}, {ets:lookup(T, k), ets:info(U, size), ets:info(T, owner) =:= P}),
    M = monitor(process, P),
    case How of
        kill -> exit(P, kill);
        linked ->
            Linker = spawn(fun() -> link(P), receive go -> exit(boom) end end),
            erlang:yield(),
            Linker ! go;
        _ -> P ! finish
    end,
    receive {'DOWN', M, process, P, Reason} -> show({How, down}, Reason) end,
    show({How, gone}, {ets:info(T), ets:info(U), ets:whereis(t_ets_owner_named),
                       e(fun() -> ets:lookup(T, k) end)}),
    %% the name is free again
    T2 = ets:new(t_ets_owner_named, [named_table]),
    show({How, name_free}, T2),
    ets:delete(T2).

heir() ->
    Self = self(),
    P = spawn(fun() ->
                  T = ets:new(inherited, [named_table, {heir, Self, {my, data}}]),
                  U = ets:new(inherited_u, [{heir, Self, other}]),
                  ets:insert(T, {k, v}),
                  Self ! {made, U},
                  receive finish -> ok end
              end),
    U = receive {made, X} -> X end,
    show(heir_before, {ets:info(inherited, owner) =:= P, ets:info(inherited, heir) =:= Self}),
    M = monitor(process, P),
    P ! finish,
    receive {'DOWN', M, process, P, normal} -> ok end,
    R1 = receive {'ETS-TRANSFER', inherited, From1, D1} -> {From1 =:= P, D1} after 1000 -> none end,
    R2 = receive {'ETS-TRANSFER', U2, From2, D2} -> {U2 =:= U, From2 =:= P, D2} after 1000 -> none end,
    show(heir_messages, {R1, R2}),
    show(heir_after, {ets:info(inherited, owner) =:= Self, ets:lookup(inherited, k),
                      ets:info(inherited, heir) =:= Self, ets:info(U, owner) =:= Self}),
    show(heir_writes, ets:insert(inherited, {k2, v2})),
    ets:delete(inherited),
    ets:delete(U).

heir_dead() ->
    Self = self(),
    Heir = spawn(fun() -> ok end),
    M0 = monitor(process, Heir),
    receive {'DOWN', M0, process, Heir, _} -> ok end,
    P = spawn(fun() ->
                  T = ets:new(orphan, [{heir, Heir, x}]),
                  Self ! {made, T},
                  receive finish -> ok end
              end),
    T = receive {made, X} -> X end,
    M = monitor(process, P),
    P ! finish,
    receive {'DOWN', M, process, P, normal} -> ok end,
    show(heir_dead, ets:info(T)).

give_away() ->
    Self = self(),
    T = ets:new(gift, [protected]),
    ets:insert(T, {k, 1}),
    P = spawn(fun() ->
                  receive
                      {'ETS-TRANSFER', Tab, From, Data} ->
                          Self ! {got, Tab =:= T, From =:= Self, Data,
                                  ets:info(Tab, owner) =:= self(),
                                  ets:insert(Tab, {k, 2})},
                          receive finish -> ok end
                  end
              end),
    show(give_away, ets:give_away(T, P, {some, gift})),
    receive G -> show(received, G) end,
    show(new_owner, {ets:info(T, owner) =:= P, ets:lookup(T, k),
                     e(fun() -> ets:insert(T, {k, 3}) end),
                     e(fun() -> ets:give_away(T, self(), back) end)}),
    M = monitor(process, P),
    P ! finish,
    receive {'DOWN', M, process, P, normal} -> ok end,
    show(gift_died_with_new_owner, ets:info(T)),
    Dead = spawn(fun() -> ok end),
    M2 = monitor(process, Dead),
    receive {'DOWN', M2, process, Dead, _} -> ok end,
    T2 = ets:new(gift2, []),
    show(give_to_dead, e(fun() -> ets:give_away(T2, Dead, x) end)).

setopts_heir() ->
    Self = self(),
    P = spawn(fun() ->
                  T = ets:new(later_heir, []),
                  Self ! {made, T, ets:setopts(T, {heir, Self, later})},
                  receive finish -> ok end
              end),
    {T, Set} = receive {made, X, S} -> {X, S} end,
    show(setopts, {Set, ets:info(T, heir) =:= Self,
                   e(fun() -> ets:setopts(T, {heir, none}) end)}),
    P ! finish,
    receive {'ETS-TRANSFER', T, P, D} -> show(setopts_transfer, D) end,
    show(setopts_none, {ets:setopts(T, {heir, none}), ets:info(T, heir)}).
