//! `ets`: the BIFs over the node's tables ([`crate::vm::ets`]), with erl's semantics and
//! `badarg` for every misuse (no such table, no access, a bad key position or option).
//!
//! A table is named by the reference `ets:new/2` returns, or by its name atom when it is a
//! named table. Objects are copied into the table on insert and onto the caller's heap on
//! every read.

use alloc::vec::Vec;

use super::trap;
use crate::vm::atom;
use crate::vm::bif::{badarg, badarg_cause, BifResult, Class, Ctx, Fault};
use crate::vm::compare::{compare, Mode};
use crate::vm::copy::{copy_bound, copy_term, TREE_OBJECTS};
use crate::vm::ets::key::KeyTerm;
use crate::vm::ets::matchspec::{self, MatchSpec};
use crate::vm::ets::object::Object;
use crate::vm::ets::table::{held_bytes, Access, Resume, Table, TableKind, Tuning};
use crate::vm::ets::EtsError;
use crate::vm::memory::TempCharge;
use crate::vm::process::SLICE_REDUCTIONS;
use crate::vm::term::Term;

/// An atom by name (names used here are short and valid, so interning cannot fail).
fn atom_of(ctx: &mut Ctx, name: &str) -> Term {
    ctx.atoms.intern(name).unwrap_or(atom::UNDEFINED)
}

fn me(ctx: &Ctx) -> u32 {
    ctx.p.pid.pid_number()
}

/// The table `t` names (an atom or a reference), if it exists.
fn find(ctx: &Ctx, t: Term) -> Option<u64> {
    if t.is_atom() {
        return ctx.ets.resolve(Some(t), None);
    }
    let v = ctx.p.heap.view(ctx.lits);
    if v.is_ref(t) {
        return ctx.ets.resolve(None, Some(v.payload(t)[0].0));
    }
    None
}

/// erl's error for a table argument that names no table: cause `id` for an atom or a
/// reference, `type` for anything else.
fn no_table(ctx: &Ctx, t: Term) -> Fault {
    if t.is_atom() || ctx.view().is_ref(t) {
        badarg_cause(atom::ID)
    } else {
        badarg_cause(atom::TYPE)
    }
}

/// A table the caller may read; erl's error causes otherwise: [`no_table`]'s, and `access`
/// for a table the caller may not read.
fn readable(ctx: &Ctx, t: Term) -> Result<u64, Fault> {
    let id = find(ctx, t).ok_or_else(|| no_table(ctx, t))?;
    match ctx.ets.get(id) {
        Some(tab) if tab.can_read(me(ctx)) => Ok(id),
        Some(_) => Err(badarg_cause(atom::ACCESS)),
        None => Err(badarg_cause(atom::ID)),
    }
}

/// A table the caller may write, with [`readable`]'s causes.
fn writable(ctx: &Ctx, t: Term) -> Result<u64, Fault> {
    let id = find(ctx, t).ok_or_else(|| no_table(ctx, t))?;
    match ctx.ets.get(id) {
        Some(tab) if tab.can_write(me(ctx)) => Ok(id),
        Some(_) => Err(badarg_cause(atom::ACCESS)),
        None => Err(badarg_cause(atom::ID)),
    }
}

fn table<'a>(ctx: &'a Ctx, id: u64) -> Result<&'a Table, Fault> {
    ctx.ets.get(id).ok_or_else(badarg)
}

/// The key form of `k` for table `id`.
fn key(ctx: &Ctx, id: u64, k: Term) -> Result<KeyTerm, Fault> {
    let exact = table(ctx, id)?.kind.exact_keys();
    let v = ctx.p.heap.view(ctx.lits);
    Ok(KeyTerm::from_term(&v, ctx.atoms, ctx.code, k, exact))
}

/// The objects of an insert: one tuple or a proper list of tuples, each with a key.
fn objects_arg(ctx: &Ctx, keypos: usize, t: Term) -> Result<Vec<Term>, Fault> {
    let v = ctx.p.heap.view(ctx.lits);
    let items = if v.is_tuple(t) {
        alloc::vec![t]
    } else {
        v.list_to_vec(t).ok_or_else(badarg)?
    };
    for o in &items {
        match v.tuple(*o) {
            Some(el) if el.len() >= keypos => {}
            _ => return Err(badarg()),
        }
    }
    Ok(items)
}

/// Copies `objs` onto `heap`, as a list.
fn copy_list<'o>(
    lits: &crate::vm::literals::Literals,
    heap: &mut crate::vm::heap::Heap,
    objs: impl Iterator<Item = &'o Object>,
) -> Term {
    let out: Vec<Term> = objs.map(|o| o.copy_to(lits, heap)).collect();
    heap.list(&out)
}

/// Copies the objects under `key` onto the caller's heap, as a list.
fn objects_list(ctx: &mut Ctx, id: u64, k: &KeyTerm) -> Term {
    let Some(tab) = ctx.ets.get(id) else {
        return Term::NIL;
    };
    copy_list(ctx.lits, &mut ctx.p.heap, tab.get(k).iter())
}

/// `ets:new/2`.
pub fn new(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let name = a[0];
    if !name.is_atom() {
        return Err(badarg());
    }
    let opts = ctx.view().list_to_vec(a[1]).ok_or_else(badarg)?;
    let mut kind = TableKind::Set;
    let mut access = Access::Protected;
    let mut named = false;
    let mut keypos = 1usize;
    let mut heir = None;
    let mut tuning = Tuning::default();
    let mut counters = None;
    for o in opts {
        if o.is_atom() {
            match ctx.atoms.name(o) {
                "set" => kind = TableKind::Set,
                "ordered_set" => kind = TableKind::OrderedSet,
                "bag" => kind = TableKind::Bag,
                "duplicate_bag" => kind = TableKind::DuplicateBag,
                "public" => access = Access::Public,
                "protected" => access = Access::Protected,
                "private" => access = Access::Private,
                "named_table" => named = true,
                "compressed" => tuning.compressed = true,
                _ => return Err(badarg()),
            }
            continue;
        }
        let v = ctx.p.heap.view(ctx.lits);
        let el = v.tuple(o).ok_or_else(badarg)?;
        if el.is_empty() || !el[0].is_atom() {
            return Err(badarg());
        }
        let boolean = |t: Term| match t {
            atom::TRUE => Ok(true),
            atom::FALSE => Ok(false),
            _ => Err(badarg()),
        };
        match (ctx.atoms.name(el[0]), el.len()) {
            ("keypos", 2) => match el[1].as_small() {
                Some(n) if n >= 1 => keypos = n as usize,
                _ => return Err(badarg()),
            },
            ("heir", 2) if ctx.atoms.name(el[1]) == "none" && el[1].is_atom() => heir = None,
            ("heir", 3) if el[1].is_pid() => {
                heir = Some((el[1].pid_number(), Object::new(&v, el[2])));
            }
            ("read_concurrency", 2) => tuning.read_concurrency = boolean(el[1])?,
            ("decentralized_counters", 2) => counters = Some(boolean(el[1])?),
            ("write_concurrency", 2) => {
                if !(el[1] == atom::TRUE
                    || el[1] == atom::FALSE
                    || (el[1].is_atom() && ctx.atoms.name(el[1]) == "auto"))
                {
                    return Err(badarg());
                }
                tuning.write_concurrency = Some(el[1]);
            }
            _ => return Err(badarg()),
        }
    }
    // erl decentralizes counters by default where writes are concurrent: `auto`, or `true`
    // on an ordered_set.
    tuning.decentralized_counters = counters.unwrap_or(match tuning.write_concurrency {
        Some(atom::TRUE) => kind == TableKind::OrderedSet,
        Some(atom::FALSE) | None => false,
        Some(_) => true,
    });
    let id = *ctx.next_ref;
    *ctx.next_ref += 1;
    let owner = me(ctx);
    let mut t = Table::new(id, name, named, kind, keypos, access, owner, heir, tuning);
    if let Some(memory) = ctx.p.heap.memory_account() {
        t.charge_to(memory.clone());
    }
    ctx.ets.create(t).map_err(|e: EtsError| match e {
        EtsError::NameTaken => badarg_cause(atom::ALREADY_EXISTS),
        _ => badarg(),
    })?;
    Ok(ctx.ets.tid_term(&mut ctx.p.heap, id))
}

/// Copies `objs` into table `id`. The copies are charged to the node's memory: when a node
/// with a budget cannot hold them, nothing is inserted and the process is killed (with the
/// memory report), as one whose heap the node cannot grow is, rather than the table taking
/// the node's memory.
fn insert_objects(ctx: &mut Ctx, id: u64, objs: &[Term]) -> Result<(), Fault> {
    let Some(tab) = ctx.ets.get_mut(id) else {
        return Ok(());
    };
    let (keypos, exact) = (tab.keypos, tab.kind.exact_keys());
    let mut made = Vec::with_capacity(objs.len());
    let words = copy_objects(ctx, keypos, exact, objs, &mut made)?;
    if ctx.p.heap.memory_left().is_some() {
        drop(made_room(ctx, held_bytes(words, made.len()))?);
    }
    let Some(tab) = ctx.ets.get_mut(id) else {
        return Ok(());
    };
    // erl adds a list's objects to a `bag` from its end (a key's objects from one insert
    // come out in reverse order); to the other kinds from its start.
    if tab.kind == TableKind::Bag {
        made.reverse();
    }
    table_room(ctx, id, made.iter().map(|(k, _)| k))?;
    let Some(tab) = ctx.ets.get_mut(id) else {
        return Ok(());
    };
    for (k, obj) in made {
        tab.insert(ctx.lits, k, obj);
    }
    Ok(())
}

/// Bytes a copy's sharing map may take per object while the copy is made (a hash table at
/// most half full, and the old one while it doubles).
const SHARING_BYTES: usize = 64;

/// Copies `objs` (tuples with their key at `keypos`) onto `into` with their keys, once the
/// node's memory (if it has a budget) is found to hold what the copies may take: a bound
/// from the terms themselves ([`copy_bound`]) with the copies' working memory, charged while
/// they are made. Refused, nothing is copied and the process is to be killed with the
/// memory report. A process whose whole heap, copied as many times as a copy can repeat a
/// term, fits what is left is not walked. The copies' words are returned.
fn copy_objects(
    ctx: &mut Ctx,
    keypos: usize,
    exact: bool,
    objs: &[Term],
    into: &mut Vec<(KeyTerm, Object)>,
) -> Result<usize, Fault> {
    let heap = ctx.p.heap.words.len();
    let mut copying = None;
    if let Some(left) = ctx.p.heap.memory_left() {
        // `held_bytes` charges 12 bytes a word: past `limit` words nothing more fits.
        let limit = left / 12;
        let worst = (heap + 1).saturating_mul(12 * TREE_OBJECTS + SHARING_BYTES + 64);
        if worst.saturating_mul(objs.len()) > left {
            let v = ctx.p.heap.view(ctx.lits);
            let (mut words, mut objects) = (0usize, 0usize);
            for &o in objs {
                let b = copy_bound(&v, o, limit.saturating_sub(words));
                words = words.saturating_add(b.words + 4);
                objects = objects.saturating_add(b.objects);
            }
            let bytes = objects.saturating_mul(SHARING_BYTES);
            copying = made_room(ctx, held_bytes(words, objs.len()).saturating_add(bytes))?;
        }
    }
    let v = ctx.p.heap.view(ctx.lits);
    let mut words = 0usize;
    for &o in objs {
        let k = v.tuple(o).map_or(Term::NIL, |el| el[keypos - 1]);
        let k = KeyTerm::from_term(&v, ctx.atoms, ctx.code, k, exact);
        let obj = Object::new(&v, o);
        words = words.saturating_add(obj.memory_words());
        into.push((k, obj));
    }
    drop(copying);
    Ok(words)
}

/// Whether the node's memory has `bytes` left for this process's table; if not, the refusal
/// is recorded for the memory report and the process is to be killed.
fn made_room(ctx: &mut Ctx, bytes: usize) -> Result<Option<TempCharge>, Fault> {
    ctx.p
        .heap
        .charge_temporary(bytes)
        .map_err(|_| Fault::raise(Class::Exit, atom::KILLED))
}

/// Makes room in table `id`'s store for the objects `keys` (the keys of objects about to go
/// in): what its growth allocates at once is checked against the node's memory and
/// allocated fallibly. Refused, the process is killed with the memory report, as when its
/// heap cannot grow.
fn table_room<'k>(
    ctx: &mut Ctx,
    id: u64,
    keys: impl Iterator<Item = &'k KeyTerm>,
) -> Result<(), Fault> {
    let Some(t) = ctx.ets.get(id) else {
        return Ok(());
    };
    let (mut new, mut objects) = (0, 0);
    for k in keys {
        objects += 1;
        new += usize::from(!t.has_place(k));
    }
    let grow = t.growth_bytes(new, objects);
    // The objects' own room, checked as they were copied, counted their entries.
    let beyond = grow.saturating_sub(held_bytes(0, objects));
    if beyond > 0 && ctx.p.heap.memory_left().is_some() {
        drop(made_room(ctx, beyond)?);
    }
    let reserved = ctx.ets.get_mut(id).map(|t| t.reserve(new, objects));
    if let Some(Err(_)) = reserved {
        let heap_words = ctx.p.heap.words.len();
        ctx.p.heap.note_refusal(crate::vm::memory::OutOfMemory {
            heap_words,
            wanted_words: grow.div_ceil(core::mem::size_of::<Term>()),
        });
        return Err(Fault::raise(Class::Exit, atom::KILLED));
    }
    Ok(())
}

/// `ets:insert/2`. A list of more than [`INSERT_STEP`] objects is checked and copied a step
/// at a time by a continuation ([`insert_step`]), then inserted at once, so that the insert
/// stays atomic for the other processes.
pub fn insert(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = writable(ctx, a[0])?;
    if is_long_list(ctx, a[1]) {
        return Err(insert_trap(ctx, trap::ETS_INSERT, id, a));
    }
    let objs = objects_arg(ctx, table(ctx, id)?.keypos, a[1])?;
    insert_objects(ctx, id, &objs)?;
    Ok(atom::TRUE)
}

/// `ets:insert_new/2`: inserts nothing and answers `false` if any key is present. A long
/// list goes as in [`insert`].
pub fn insert_new(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = writable(ctx, a[0])?;
    if is_long_list(ctx, a[1]) {
        return Err(insert_trap(ctx, trap::ETS_INSERT_NEW, id, a));
    }
    let keypos = table(ctx, id)?.keypos;
    let objs = objects_arg(ctx, keypos, a[1])?;
    for &o in &objs {
        let k = ctx.view().tuple(o).map(|el| el[keypos - 1]).unwrap_or(o);
        let k = key(ctx, id, k)?;
        if table(ctx, id)?.contains(&k) {
            return Ok(atom::FALSE);
        }
    }
    insert_objects(ctx, id, &objs)?;
    Ok(atom::TRUE)
}

/// Objects of a long `ets:insert/2` or `insert_new/2` one step checks and copies.
const INSERT_STEP: usize = 1 << 12;

/// Whether `t` is a list of more than [`INSERT_STEP`] cells.
fn is_long_list(ctx: &Ctx, t: Term) -> bool {
    let v = ctx.view();
    let mut l = t;
    for _ in 0..=INSERT_STEP {
        if !l.is_cons() {
            return false;
        }
        l = v.cons(l).1;
    }
    true
}

/// The native state of a long insert: the objects copied so far, with their keys, and the
/// node memory they hold until the table takes them over.
struct PendingInsert {
    id: u64,
    objects: Vec<(KeyTerm, Object)>,
    charges: Vec<TempCharge>,
}

/// Starts a long insert into table `id` (continuation `kind`, [`insert_step`]).
fn insert_trap(ctx: &mut Ctx, kind: i64, id: u64, a: &[Term]) -> Fault {
    ctx.p.trap_state = Some(alloc::boxed::Box::new(PendingInsert {
        id,
        objects: Vec::new(),
        charges: Vec::new(),
    }));
    Fault::TrapTo([Term::small(kind), a[0], a[1], a[1]])
}

/// One step of a long `ets:insert/2` ([`trap::ETS_INSERT`]) or `insert_new/2`
/// ([`trap::ETS_INSERT_NEW`]): `a[1]` and `a[2]` are the BIF's arguments, `a[3]` the rest of
/// the list. The last step inserts everything.
pub fn insert_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let new = a[0].as_small() == Some(trap::ETS_INSERT_NEW);
    let name = if new { "insert_new" } else { "insert" };
    let st = ctx.p.trap_state.take();
    let mut st = st
        .and_then(|b| b.downcast::<PendingInsert>().ok())
        .ok_or_else(badarg)?;
    let fail = |ctx: &mut Ctx| {
        let args = [a[1], a[2]];
        Fault::trapped_error(ctx, atom::BADARG, ("ets", name), &args)
    };
    let tab = match ctx.ets.get(st.id) {
        Some(tab) if tab.can_write(me(ctx)) => tab,
        _ => return Err(fail(ctx)),
    };
    let (keypos, exact) = (tab.keypos, tab.kind.exact_keys());
    // This step's objects: checked, then their room made, then copied.
    let mut l = a[3];
    let mut step = Vec::new();
    {
        let v = ctx.p.heap.view(ctx.lits);
        while l.is_cons() && step.len() < INSERT_STEP {
            let (o, rest) = v.cons(l);
            if v.tuple(o).filter(|el| el.len() >= keypos).is_none() {
                break;
            }
            step.push(o);
            l = rest;
        }
        if l.is_cons() && step.len() < INSERT_STEP || !(l.is_cons() || l.is_nil()) {
            return Err(fail(ctx));
        }
    }
    let words = copy_objects(ctx, keypos, exact, &step, &mut st.objects)?;
    // The copies are node memory from now on: refused, the process is killed as for a short
    // insert (the pending copies go with it).
    if let Some(g) = made_room(ctx, held_bytes(words, step.len()))? {
        st.charges.push(g);
    }
    ctx.charge(crate::vm::process::SLICE_REDUCTIONS as usize);
    if l.is_cons() {
        ctx.p.trap_state = Some(st);
        return Err(Fault::TrapTo([a[0], a[1], a[2], l]));
    }
    let Some(tab) = ctx.ets.get_mut(st.id) else {
        return Err(fail(ctx));
    };
    if new && st.objects.iter().any(|(k, _)| tab.contains(k)) {
        return Ok(atom::FALSE);
    }
    table_room(ctx, st.id, st.objects.iter().map(|(k, _)| k))?;
    let Some(tab) = ctx.ets.get_mut(st.id) else {
        return Err(fail(ctx));
    };
    for (k, o) in st.objects {
        tab.insert(ctx.lits, k, o);
    }
    Ok(atom::TRUE)
}

/// `ets:lookup/2`.
pub fn lookup(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    let k = key(ctx, id, a[1])?;
    Ok(objects_list(ctx, id, &k))
}

/// `ets:member/2`.
pub fn member(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    let k = key(ctx, id, a[1])?;
    Ok(if table(ctx, id)?.contains(&k) {
        atom::TRUE
    } else {
        atom::FALSE
    })
}

/// `ets:lookup_element/3`.
pub fn lookup_element(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    let pos = match a[2].as_small() {
        Some(n) if n >= 1 => n as usize,
        _ => return Err(badarg()),
    };
    let k = key(ctx, id, a[1])?;
    let tab = ctx.ets.get(id).ok_or_else(badarg)?;
    let objs = tab.get(&k);
    if objs.is_empty() {
        return Err(badarg_cause(atom::BADKEY));
    }
    let mut out = Vec::with_capacity(objs.len());
    for o in objs {
        let e = o.element(ctx.lits, pos - 1).ok_or_else(badarg)?;
        out.push(copy_term(&o.view(ctx.lits), &mut ctx.p.heap, e));
    }
    if tab.kind.unique() {
        Ok(out[0])
    } else {
        Ok(ctx.p.heap.list(&out))
    }
}

/// `ets:delete/1`: the whole table.
pub fn delete1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = writable(ctx, a[0])?;
    ctx.ets.delete(id);
    Ok(atom::TRUE)
}

/// `ets:delete/2`: every object with a key.
pub fn delete2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = writable(ctx, a[0])?;
    let k = key(ctx, id, a[1])?;
    if let Some(t) = ctx.ets.get_mut(id) {
        t.remove(&k);
    }
    Ok(atom::TRUE)
}

/// `ets:delete_object/2`: the objects exactly equal to one.
pub fn delete_object(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = writable(ctx, a[0])?;
    let keypos = table(ctx, id)?.keypos;
    let k = match ctx.view().tuple(a[1]) {
        Some(el) if el.len() >= keypos => el[keypos - 1],
        _ => return Err(badarg()),
    };
    let k = key(ctx, id, k)?;
    let v = ctx.p.heap.view(ctx.lits);
    if let Some(t) = ctx.ets.get_mut(id) {
        t.remove_object(ctx.lits, &k, &v, a[1]);
    }
    Ok(atom::TRUE)
}

/// `ets:take/2`: removes the objects with a key and returns them.
pub fn take(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = writable(ctx, a[0])?;
    let k = key(ctx, id, a[1])?;
    let objs = ctx
        .ets
        .get_mut(id)
        .map(|t| t.remove(&k))
        .unwrap_or_default();
    Ok(copy_list(ctx.lits, &mut ctx.p.heap, objs.iter()))
}

/// The tuple of the object under `k` in a `set` or `ordered_set`, copied onto the heap;
/// `None` if there is none.
fn current(ctx: &mut Ctx, id: u64, k: &KeyTerm) -> Option<Term> {
    let tab = ctx.ets.get(id)?;
    let o = tab.get(k).first()?;
    Some(o.copy_to(ctx.lits, &mut ctx.p.heap))
}

/// One counter operation: `{Pos, Incr}` or `{Pos, Incr, Threshold, SetValue}`.
struct CounterOp {
    pos: usize,
    incr: Term,
    limit: Option<(Term, Term)>,
}

fn counter_ops(ctx: &Ctx, keypos: usize, t: Term) -> Result<(Vec<CounterOp>, bool), Fault> {
    let v = ctx.view();
    if v.is_integer(t) {
        return Ok((
            alloc::vec![CounterOp {
                pos: keypos + 1,
                incr: t,
                limit: None
            }],
            false,
        ));
    }
    let one = |op: Term| -> Result<CounterOp, Fault> {
        let el = v.tuple(op).ok_or_else(badarg)?;
        let pos = match el.first().and_then(|p| p.as_small()) {
            Some(n) if n >= 1 => n as usize,
            _ => return Err(badarg()),
        };
        match el.len() {
            2 if v.is_integer(el[1]) => Ok(CounterOp {
                pos,
                incr: el[1],
                limit: None,
            }),
            4 if v.is_integer(el[1]) && v.is_integer(el[2]) && v.is_integer(el[3]) => {
                Ok(CounterOp {
                    pos,
                    incr: el[1],
                    limit: Some((el[2], el[3])),
                })
            }
            _ => Err(badarg()),
        }
    };
    if v.is_tuple(t) {
        return Ok((alloc::vec![one(t)?], false));
    }
    let items = v.list_to_vec(t).ok_or_else(badarg)?;
    let ops = items.into_iter().map(one).collect::<Result<_, _>>()?;
    Ok((ops, true))
}

fn update_counter(ctx: &mut Ctx, a: &[Term], default: Option<Term>) -> BifResult {
    let id = writable(ctx, a[0])?;
    let (kind, keypos) = {
        let t = table(ctx, id)?;
        (t.kind, t.keypos)
    };
    if !kind.unique() {
        return Err(badarg());
    }
    let (ops, as_list) = counter_ops(ctx, keypos, a[2])?;
    let k = key(ctx, id, a[1])?;
    let obj = match current(ctx, id, &k) {
        Some(o) => o,
        None => {
            let d = default.ok_or_else(|| badarg_cause(atom::BADKEY))?;
            let mut el = match ctx.view().tuple(d) {
                Some(el) if el.len() >= keypos => el.to_vec(),
                _ => return Err(badarg()),
            };
            el[keypos - 1] = a[1];
            ctx.p.heap.tuple(&el)
        }
    };
    let mut el = ctx.view().tuple(obj).ok_or_else(badarg)?.to_vec();
    let mut results = Vec::with_capacity(ops.len());
    for op in &ops {
        if op.pos == keypos {
            return Err(badarg_cause(atom::KEYPOS));
        }
        if op.pos > el.len() {
            return Err(badarg_cause(atom::POSITION));
        }
        let old = el[op.pos - 1];
        if !ctx.view().is_integer(old) {
            return Err(badarg());
        }
        let mut new = super::arith::add(ctx, &[old, op.incr])?;
        if let Some((limit, set)) = op.limit {
            let v = ctx.view();
            let rising = compare(&v, ctx.atoms, op.incr, Term::small(0), Mode::Arith).is_ge();
            let beyond = compare(&v, ctx.atoms, new, limit, Mode::Arith);
            if (rising && beyond.is_gt()) || (!rising && beyond.is_lt()) {
                new = set;
            }
        }
        el[op.pos - 1] = new;
        results.push(new);
    }
    let tuple = ctx.p.heap.tuple(&el);
    let v = ctx.p.heap.view(ctx.lits);
    let stored = Object::new(&v, tuple);
    if ctx.ets.get(id).is_some_and(|t| !t.contains(&k)) {
        table_room(ctx, id, core::iter::once(&k))?;
    }
    if let Some(t) = ctx.ets.get_mut(id) {
        if t.contains(&k) {
            t.replace(&k, 0, stored);
        } else {
            t.insert(ctx.lits, k, stored);
        }
    }
    if as_list {
        Ok(ctx.p.heap.list(&results))
    } else {
        Ok(results[0])
    }
}

/// `ets:update_counter/3`.
pub fn update_counter3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    update_counter(ctx, a, None)
}

/// `ets:update_counter/4`: a missing object is first inserted as `Default` with the key.
pub fn update_counter4(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    update_counter(ctx, a, Some(a[3]))
}

/// `ets:update_element/3`: `true`, or `false` when no object has the key.
pub fn update_element(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = writable(ctx, a[0])?;
    let (kind, keypos) = {
        let t = table(ctx, id)?;
        (t.kind, t.keypos)
    };
    if !kind.unique() {
        return Err(badarg());
    }
    let changes: Vec<(usize, Term)> = {
        let v = ctx.view();
        let items = if v.is_tuple(a[2]) {
            alloc::vec![a[2]]
        } else {
            v.list_to_vec(a[2]).ok_or_else(badarg)?
        };
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            match v.tuple(it) {
                Some([p, x]) => match p.as_small() {
                    Some(n) if n >= 1 => out.push((n as usize, *x)),
                    _ => return Err(badarg()),
                },
                _ => return Err(badarg()),
            }
        }
        out
    };
    let k = key(ctx, id, a[1])?;
    let Some(obj) = current(ctx, id, &k) else {
        return Ok(atom::FALSE);
    };
    let mut el = ctx.view().tuple(obj).ok_or_else(badarg)?.to_vec();
    for (pos, x) in changes {
        if pos == keypos {
            return Err(badarg_cause(atom::KEYPOS));
        }
        if pos > el.len() {
            return Err(badarg());
        }
        el[pos - 1] = x;
    }
    let tuple = ctx.p.heap.tuple(&el);
    let v = ctx.p.heap.view(ctx.lits);
    let stored = Object::new(&v, tuple);
    if let Some(t) = ctx.ets.get_mut(id) {
        t.replace(&k, 0, stored);
    }
    Ok(atom::TRUE)
}

/// The key of a stored object, copied onto the caller's heap; `'$end_of_table'` for none.
fn key_term(ctx: &mut Ctx, id: u64, pick: impl Fn(&Table) -> Option<&Object>) -> BifResult {
    let found = ctx.ets.get(id).and_then(|t| {
        let o = pick(t)?;
        let e = o.element(ctx.lits, t.keypos - 1)?;
        Some(copy_term(&o.view(ctx.lits), &mut ctx.p.heap, e))
    });
    match found {
        Some(k) => Ok(k),
        None => Ok(atom_of(ctx, "$end_of_table")),
    }
}

/// `ets:first/1`.
pub fn first(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    key_term(ctx, id, |t| t.first())
}

/// `ets:last/1` (the first key for the unordered types, as in erl).
pub fn last(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    key_term(ctx, id, |t| {
        if t.kind == TableKind::OrderedSet {
            t.last()
        } else {
            t.first()
        }
    })
}

fn step(ctx: &mut Ctx, a: &[Term], forward: bool) -> BifResult {
    let id = readable(ctx, a[0])?;
    let k = key(ctx, id, a[1])?;
    let t = table(ctx, id)?;
    if t.kind != TableKind::OrderedSet {
        // The unordered types walk their own order and need a key that is present (or was,
        // in a fixed table).
        if !t.has_place(&k) {
            return Err(badarg());
        }
        return key_term(ctx, id, |t| t.next(&k));
    }
    if forward {
        key_term(ctx, id, |t| t.next(&k))
    } else {
        key_term(ctx, id, |t| t.prev(&k))
    }
}

/// `ets:next/2`.
pub fn next(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    step(ctx, a, true)
}

/// `ets:prev/2` (`next/2` for the unordered types, as in erl).
pub fn prev(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    step(ctx, a, false)
}

/// `ets:tab2list/1`.
pub fn tab2list(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    if ctx.ets.get(id).is_some_and(|t| t.size() > SCAN_STEP) {
        let ms = ScanOp::Tab2list.spec(ctx, Term::NIL)?;
        if let Some(f) = long_scan(ctx, id, &ms, ScanOp::Tab2list, a) {
            return Err(f);
        }
    }
    let Some(t) = ctx.ets.get(id) else {
        return Err(badarg());
    };
    Ok(copy_list(
        ctx.lits,
        &mut ctx.p.heap,
        t.objects().into_iter(),
    ))
}

/// The value of one `ets:info/2` item; `None` for an unknown item.
fn info_item(ctx: &mut Ctx, id: u64, item: &str) -> Option<Term> {
    let t = ctx.ets.get(id)?;
    let (kind, access, name, named, keypos, owner, size, memory, tuning) = (
        t.kind,
        t.access,
        t.name,
        t.named,
        t.keypos,
        t.owner,
        t.size(),
        t.memory_words(),
        t.tuning,
    );
    let heir = t.heir.as_ref().map(|h| h.0);
    let boolean = |b: bool| if b { atom::TRUE } else { atom::FALSE };
    Some(match item {
        "id" => ctx.p.heap.reference(id),
        "name" => name,
        "named_table" => boolean(named),
        "type" => atom_of(
            ctx,
            match kind {
                TableKind::Set => "set",
                TableKind::OrderedSet => "ordered_set",
                TableKind::Bag => "bag",
                TableKind::DuplicateBag => "duplicate_bag",
            },
        ),
        "keypos" => Term::small(keypos as i64),
        "protection" => atom_of(
            ctx,
            match access {
                Access::Public => "public",
                Access::Protected => "protected",
                Access::Private => "private",
            },
        ),
        "owner" => Term::pid(owner),
        "heir" => match heir {
            Some(h) => Term::pid(h),
            None => atom::NONE_ATOM,
        },
        "size" => ctx.p.heap.int(size as i64),
        "memory" => ctx.p.heap.int(memory as i64),
        "node" => atom::NONODE,
        "compressed" => boolean(tuning.compressed),
        "read_concurrency" => boolean(tuning.read_concurrency),
        "write_concurrency" => tuning.write_concurrency.unwrap_or(atom::FALSE),
        "decentralized_counters" => boolean(tuning.decentralized_counters),
        "fixed" | "safe_fixed" | "safe_fixed_monotonic_time" => return fix_info(ctx, id, item),
        _ => return None,
    })
}

/// The items `ets:info/1` lists, in erl's order.
const INFO_ITEMS: &[&str] = &[
    "id",
    "decentralized_counters",
    "read_concurrency",
    "write_concurrency",
    "compressed",
    "memory",
    "owner",
    "heir",
    "name",
    "size",
    "node",
    "named_table",
    "type",
    "keypos",
    "protection",
];

/// `ets:info/1`: `undefined` for no such table.
pub fn info1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() && !ctx.view().is_ref(a[0]) {
        return Err(badarg());
    }
    let Some(id) = find(ctx, a[0]) else {
        return Ok(atom::UNDEFINED);
    };
    let mut out = Vec::with_capacity(INFO_ITEMS.len());
    for item in INFO_ITEMS {
        let v = info_item(ctx, id, item).unwrap_or(atom::UNDEFINED);
        let k = atom_of(ctx, item);
        out.push(ctx.p.heap.tuple(&[k, v]));
    }
    Ok(ctx.p.heap.list(&out))
}

/// `ets:info/2`: `undefined` for no such table, `badarg` for an unknown item.
pub fn info2(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if (!a[0].is_atom() && !ctx.view().is_ref(a[0])) || !a[1].is_atom() {
        return Err(badarg());
    }
    let item = alloc::string::String::from(ctx.atoms.name(a[1]));
    let known = INFO_ITEMS.contains(&item.as_str())
        || matches!(
            item.as_str(),
            "fixed" | "safe_fixed" | "safe_fixed_monotonic_time"
        );
    if !known {
        return Err(badarg());
    }
    let Some(id) = find(ctx, a[0]) else {
        return Ok(atom::UNDEFINED);
    };
    info_item(ctx, id, &item).ok_or_else(badarg)
}

/// `ets:whereis/1`: the id of a named table, or `undefined`.
pub fn whereis(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if !a[0].is_atom() {
        return Err(badarg());
    }
    match ctx.ets.resolve(Some(a[0]), None) {
        Some(id) => Ok(ctx.p.heap.reference(id)),
        None => Ok(atom::UNDEFINED),
    }
}

/// `ets:rename/2`: returns the table's id term (the new name for a named table).
pub fn rename(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = writable(ctx, a[0])?;
    if !a[1].is_atom() {
        return Err(badarg());
    }
    ctx.ets.rename(id, a[1]).map_err(|_| badarg())?;
    Ok(ctx.ets.tid_term(&mut ctx.p.heap, id))
}

/// `ets:give_away/3`: the owner hands the table to another live process, which gets
/// `{'ETS-TRANSFER', Tab, FromPid, GiftData}`.
pub fn give_away(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = find(ctx, a[0]).ok_or_else(|| no_table(ctx, a[0]))?;
    let from = me(ctx);
    let to = a[1];
    if !to.is_pid() || !ctx.node.is_alive(to.pid_number()) {
        return Err(badarg());
    }
    // erl's causes: `not_owner` for a caller that does not own the table, `owner` for a
    // table given to its owner.
    if ctx.ets.get(id).is_none_or(|t| t.owner != from) {
        return Err(badarg_cause(atom_of(ctx, "not_owner")));
    }
    if to.pid_number() == from {
        return Err(badarg_cause(atom_of(ctx, "owner")));
    }
    let tag = atom_of(ctx, "ETS-TRANSFER");
    let tab = ctx.ets.tid_term(&mut ctx.p.heap, id);
    let msg = ctx.p.heap.tuple(&[tag, tab, ctx.p.pid, a[2]]);
    let v = ctx.p.heap.view(ctx.lits);
    // The notice first: one the node's memory refuses leaves the table where it was.
    ctx.node
        .send(from, to.pid_number(), &v, msg)
        .map_err(|_| Fault::error(atom::SYSTEM_LIMIT))?;
    if let Some(t) = ctx.ets.get_mut(id) {
        t.owner = to.pid_number();
    }
    Ok(atom::TRUE)
}

/// `ets:setopts/2`: `{heir, Pid, Data}`, `{heir, none}`, `{protection, P}` (owner only).
pub fn setopts(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = find(ctx, a[0]).ok_or_else(badarg)?;
    if table(ctx, id)?.owner != me(ctx) {
        return Err(badarg());
    }
    let v = ctx.p.heap.view(ctx.lits);
    let opts = if v.is_tuple(a[1]) {
        alloc::vec![a[1]]
    } else {
        v.list_to_vec(a[1]).ok_or_else(badarg)?
    };
    for o in opts {
        let el = v.tuple(o).ok_or_else(badarg)?;
        let name = el.first().filter(|t| t.is_atom()).ok_or_else(badarg)?;
        let t = ctx.ets.get_mut(id).ok_or_else(badarg)?;
        match (ctx.atoms.name(*name), el.len()) {
            ("heir", 2) if el[1] == atom::NONE_ATOM => t.heir = None,
            ("heir", 3) if el[1].is_pid() => {
                t.heir = Some((el[1].pid_number(), Object::new(&v, el[2])));
            }
            ("protection", 2) if el[1].is_atom() => {
                t.access = match ctx.atoms.name(el[1]) {
                    "public" => Access::Public,
                    "protected" => Access::Protected,
                    "private" => Access::Private,
                    _ => return Err(badarg()),
                }
            }
            _ => return Err(badarg()),
        }
    }
    Ok(atom::TRUE)
}

/// `ets:delete_all_objects/1`.
pub fn delete_all_objects(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = writable(ctx, a[0])?;
    if let Some(t) = ctx.ets.get_mut(id) {
        t.clear();
    }
    Ok(atom::TRUE)
}

/// `ets:internal_delete_all/2` (what OTP's `ets.erl` calls): the number of objects deleted.
pub fn internal_delete_all(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = writable(ctx, a[0])?;
    let n = ctx
        .ets
        .get_mut(id)
        .map(|t| {
            let n = t.size();
            t.clear();
            n
        })
        .unwrap_or(0);
    Ok(ctx.p.heap.int(n as i64))
}

/// `ets:safe_fixtable/2`: while a table is fixed its buckets stay as they are and deleted
/// keys keep their places, so `first/next` visit every key once, as in erl.
pub fn safe_fixtable(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    if a[1] != atom::TRUE && a[1] != atom::FALSE {
        return Err(badarg());
    }
    let now = (
        ctx.node.io().system_nanos(),
        ctx.node.io().monotonic_nanos(),
    );
    let pid = me(ctx);
    if let Some(t) = ctx.ets.get_mut(id) {
        if a[1] == atom::TRUE {
            t.fix(pid, now);
        } else {
            t.unfix(pid, false);
        }
    }
    Ok(atom::TRUE)
}

/// `ets:info/2`'s `fixed`, `safe_fixed` and `safe_fixed_monotonic_time` of table `id`.
fn fix_info(ctx: &mut Ctx, id: u64, item: &str) -> Option<Term> {
    let (fixes, (system, monotonic)) = ctx.ets.get(id)?.fixes();
    if fixes.is_empty() || item == "fixed" {
        return Some(Term::boolean(!fixes.is_empty()));
    }
    let fixes = fixes.to_vec();
    let mut pairs = Vec::with_capacity(fixes.len());
    for (pid, n) in fixes {
        let n = ctx.p.heap.int(n as i64);
        pairs.push(ctx.p.heap.tuple(&[Term::pid(pid), n]));
    }
    let pairs = ctx.p.heap.list(&pairs);
    let when = if item == "safe_fixed" {
        let us = system / 1_000;
        let (mega, rest) = (us / 1_000_000_000_000, us % 1_000_000_000_000);
        let (s, micro) = (rest / 1_000_000, rest % 1_000_000);
        ctx.p.heap.tuple(&[
            Term::small(mega as i64),
            Term::small(s as i64),
            Term::small(micro as i64),
        ])
    } else {
        ctx.p.heap.int(monotonic as i64)
    };
    Some(ctx.p.heap.tuple(&[when, pairs]))
}

/// `ets:all/0`.
pub fn all(ctx: &mut Ctx, _: &[Term]) -> BifResult {
    let ids = ctx.ets.ids();
    let out: Vec<Term> = ids
        .into_iter()
        .map(|id| ctx.ets.tid_term(&mut ctx.p.heap, id))
        .collect();
    Ok(ctx.p.heap.list(&out))
}

/// Runs `ms` over table `id` (only the bound key's objects when the heads fix the key);
/// `each` gets every result. The table is taken out of the node's set while the
/// specification's guard BIFs run with the whole context.
fn scan(ctx: &mut Ctx, id: u64, ms: &MatchSpec, mut each: impl FnMut(&mut Ctx, Term)) {
    let Some(tab) = ctx.ets.take(id) else {
        return;
    };
    let bound = {
        let v = ctx.p.heap.view(ctx.lits);
        ms.bound_key(&v, ctx.atoms, tab.keypos)
            .map(|k| KeyTerm::from_term(&v, ctx.atoms, ctx.code, k, tab.kind.exact_keys()))
    };
    let identity = ms.is_identity() && bound.is_none();
    let objs = match &bound {
        Some(k) => tab.get(k).iter().collect(),
        None => tab.objects(),
    };
    for o in objs {
        let r = if identity {
            Some(o.copy_to(ctx.lits, &mut ctx.p.heap))
        } else {
            matchspec::run(ctx, ms, o)
        };
        if let Some(r) = r {
            each(ctx, r);
        }
    }
    ctx.ets.put_back(tab);
}

fn compile(ctx: &Ctx, spec: Term) -> Result<MatchSpec, Fault> {
    let v = ctx.p.heap.view(ctx.lits);
    MatchSpec::compile(&v, ctx.atoms, spec).map_err(|_| badarg())
}

fn pattern(ctx: &Ctx, p: Term, whole: bool) -> Result<MatchSpec, Fault> {
    let v = ctx.p.heap.view(ctx.lits);
    MatchSpec::from_pattern(&v, ctx.atoms, p, whole).map_err(|_| badarg())
}

fn collect(ctx: &mut Ctx, id: u64, ms: &MatchSpec) -> Term {
    let mut out = Vec::new();
    scan(ctx, id, ms, |_, r| out.push(r));
    ctx.p.heap.list(&out)
}

/// `ets:select/2`.
pub fn select(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    let ms = compile(ctx, a[1])?;
    if let Some(f) = long_scan(ctx, id, &ms, ScanOp::Select, a) {
        return Err(f);
    }
    Ok(collect(ctx, id, &ms))
}

/// `ets:match/2`: the bindings of `'$N'` in each matching object, in N order.
pub fn match_(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    let ms = pattern(ctx, a[1], false)?;
    if let Some(f) = long_scan(ctx, id, &ms, ScanOp::Match, a) {
        return Err(f);
    }
    Ok(collect(ctx, id, &ms))
}

/// `ets:match_object/2`.
pub fn match_object(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    let ms = pattern(ctx, a[1], true)?;
    if let Some(f) = long_scan(ctx, id, &ms, ScanOp::MatchObject, a) {
        return Err(f);
    }
    Ok(collect(ctx, id, &ms))
}

/// `ets:select_count/2`: objects for which the specification returns `true`.
pub fn select_count(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    let ms = compile(ctx, a[1])?;
    if let Some(f) = long_scan(ctx, id, &ms, ScanOp::SelectCount, a) {
        return Err(f);
    }
    let mut n = 0i64;
    scan(ctx, id, &ms, |_, r| n += (r == atom::TRUE) as i64);
    Ok(ctx.p.heap.int(n))
}

/// Objects one step of a long traversal visits (a few milliseconds of work).
const SCAN_STEP: usize = 16384;

/// What a traversal in steps ([`scan_step`]) computes.
#[derive(Clone, Copy, PartialEq)]
enum ScanOp {
    Select,
    Match,
    MatchObject,
    Tab2list,
    SelectCount,
}

impl ScanOp {
    fn name(self) -> &'static str {
        match self {
            ScanOp::Select => "select",
            ScanOp::Match => "match",
            ScanOp::MatchObject => "match_object",
            ScanOp::Tab2list => "tab2list",
            ScanOp::SelectCount => "select_count",
        }
    }

    /// The specification of the operation given `t` (its second argument).
    fn spec(self, ctx: &mut Ctx, t: Term) -> Result<MatchSpec, Fault> {
        match self {
            ScanOp::Select | ScanOp::SelectCount => compile(ctx, t),
            ScanOp::Match => pattern(ctx, t, false),
            ScanOp::MatchObject => pattern(ctx, t, true),
            ScanOp::Tab2list => {
                let any = atom_of(ctx, "_");
                pattern(ctx, any, true)
            }
        }
    }
}

/// A traversal in steps between two of them: the operation and the last key visited. The
/// specification is compiled again at each step from the argument (which the collector
/// sees), and results gather in the trap's arguments.
struct Scan {
    op: ScanOp,
    from: Resume,
}

/// Starts `op` as a traversal in steps (continuation [`trap::ETS_SCAN`]) when table `id`
/// holds more than [`SCAN_STEP`] objects and `ms` fixes no key, as erl's traversals trap:
/// the others run meanwhile. Each key is visited once; objects inserted meanwhile after the
/// last key visited are seen, as in a traversal of a fixed table.
fn long_scan(ctx: &mut Ctx, id: u64, ms: &MatchSpec, op: ScanOp, a: &[Term]) -> Option<Fault> {
    let tab = ctx.ets.get(id)?;
    let v = ctx.p.heap.view(ctx.lits);
    if tab.size() <= SCAN_STEP || ms.bound_key(&v, ctx.atoms, tab.keypos).is_some() {
        return None;
    }
    // As erl does, the table stays fixed until the traversal ends.
    let now = (
        ctx.node.io().system_nanos(),
        ctx.node.io().monotonic_nanos(),
    );
    let pid = me(ctx);
    if let Some(t) = ctx.ets.get_mut(id) {
        t.fix(pid, now);
    }
    ctx.p.trap_state = Some(alloc::boxed::Box::new(Scan {
        op,
        from: Resume::Start,
    }));
    let spec = if op == ScanOp::Tab2list {
        Term::NIL
    } else {
        a[1]
    };
    let acc = if op == ScanOp::SelectCount {
        Term::small(0)
    } else {
        Term::NIL
    };
    Some(Fault::TrapTo([
        Term::small(trap::ETS_SCAN),
        a[0],
        spec,
        acc,
    ]))
}

/// One step of a long traversal (continuation [`trap::ETS_SCAN`]): `a[1]` is the table,
/// `a[2]` the specification or pattern, `a[3]` the results so far (last first) or the
/// count. A table deleted or no longer readable meanwhile fails with badarg.
pub fn scan_step(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let st = ctx
        .p
        .trap_state
        .take()
        .and_then(|b| b.downcast::<Scan>().ok())
        .ok_or_else(badarg)?;
    let op = st.op;
    let given: &[Term] = if op == ScanOp::Tab2list {
        &a[1..2]
    } else {
        &a[1..3]
    };
    let pid = me(ctx);
    let ms = match readable(ctx, a[1]).and_then(|_| op.spec(ctx, a[2])) {
        Ok(ms) => ms,
        Err(_) => {
            if let Some(t) = find(ctx, a[1]).and_then(|id| ctx.ets.get_mut(id)) {
                t.unfix(pid, false);
            }
            return Err(Fault::trapped_error(
                ctx,
                atom::BADARG,
                ("ets", op.name()),
                given,
            ));
        }
    };
    let Some(mut tab) = find(ctx, a[1]).and_then(|id| ctx.ets.take(id)) else {
        return Err(Fault::trapped_error(
            ctx,
            atom::BADARG,
            ("ets", op.name()),
            given,
        ));
    };
    let (mut acc, mut count) = (a[3], a[3].as_small().unwrap_or(0));
    let identity = ms.is_identity();
    let next = tab.visit(&st.from, SCAN_STEP, |o| {
        let r = if identity {
            Some(o.copy_to(ctx.lits, &mut ctx.p.heap))
        } else {
            matchspec::run(ctx, &ms, o)
        };
        match r {
            Some(r) if op == ScanOp::SelectCount => count += (r == atom::TRUE) as i64,
            Some(r) => acc = ctx.p.heap.cons(r, acc),
            None => {}
        }
    });
    let in_order = tab.gathers_reversed();
    if next.is_none() {
        tab.unfix(pid, false);
    }
    ctx.ets.put_back(tab);
    ctx.charge(SLICE_REDUCTIONS as usize);
    if op == ScanOp::SelectCount {
        acc = Term::small(count);
    }
    if let Some(from) = next {
        ctx.p.trap_state = Some(alloc::boxed::Box::new(Scan { op, from }));
        return Err(Fault::TrapTo([a[0], a[1], a[2], acc]));
    }
    if op == ScanOp::SelectCount {
        return Ok(ctx.p.heap.int(count));
    }
    if in_order {
        return Ok(acc);
    }
    let mut list = Term::NIL;
    while acc.is_cons() {
        let (h, rest) = ctx.view().cons(acc);
        list = ctx.p.heap.cons(h, list);
        acc = rest;
    }
    Ok(list)
}

/// `ets:select_delete/2` (and `internal_select_delete/2`, which OTP's `ets.erl` calls):
/// deletes the objects for which the specification returns `true`; returns how many.
pub fn select_delete(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = writable(ctx, a[0])?;
    let ms = compile(ctx, a[1])?;
    let Some(mut tab) = ctx.ets.take(id) else {
        return Err(badarg());
    };
    let before = tab.size();
    let (words, bins) = (ctx.p.heap.words.len(), ctx.p.heap.bins.len());
    tab.retain(|o| matchspec::run(ctx, &ms, o) != Some(atom::TRUE));
    ctx.p.heap.words.truncate(words);
    ctx.p.heap.bins.truncate(bins);
    let n = before - tab.size();
    ctx.ets.put_back(tab);
    Ok(ctx.p.heap.int(n as i64))
}

/// The first `limit` of `results` and a continuation holding the rest, as `select/3`
/// answers: `{Results, Continuation}` (`'$end_of_table'` for the continuation of a chunk
/// shorter than `limit`), or `'$end_of_table'` when there are none.
fn chunk(ctx: &mut Ctx, results: Vec<Term>, limit: usize) -> Term {
    if results.is_empty() {
        return atom_of(ctx, "$end_of_table");
    }
    let split = limit.min(results.len());
    let head = ctx.p.heap.list(&results[..split]);
    // As erl's, a chunk the table's end cut short comes with no continuation; a full last
    // chunk has one, which gives `'$end_of_table'`.
    let cont = if split < limit {
        atom_of(ctx, "$end_of_table")
    } else {
        let rest = ctx.p.heap.list(&results[split..]);
        let tag = atom_of(ctx, "$ets_select_continuation");
        ctx.p.heap.tuple(&[tag, rest, Term::small(limit as i64)])
    };
    ctx.p.heap.tuple(&[head, cont])
}

fn limited(ctx: &mut Ctx, a: &[Term], ms: MatchSpec) -> BifResult {
    let id = readable(ctx, a[0])?;
    let limit = match a[2].as_small() {
        Some(n) if n >= 1 => n as usize,
        _ => return Err(badarg()),
    };
    if ctx.ets.get(id).is_some_and(Table::gathers_reversed) {
        return hashed_chunks(ctx, id, &ms, limit);
    }
    let mut out = Vec::new();
    scan(ctx, id, &ms, |_, r| out.push(r));
    Ok(chunk(ctx, out, limit))
}

/// Objects erl's chunked traversal visits in one call before it traps (and goes on in a
/// continuation, which splits its chunk differently).
const CHUNK_ITERATIONS: usize = 1000;

/// The answer of a chunked call given the calls' `steps` (a list of `{Results, More}`):
/// the first one's results, with a continuation holding the others if `More`;
/// `'$end_of_table'` when there are none.
fn next_step(ctx: &mut Ctx, steps: Term) -> Result<Term, Fault> {
    if !steps.is_cons() {
        return Ok(atom_of(ctx, "$end_of_table"));
    }
    let (step, rest) = ctx.view().cons(steps);
    let Some(&[results, more]) = ctx.view().tuple(step) else {
        return Err(badarg());
    };
    let cont = if more == atom::TRUE {
        let tag = atom_of(ctx, "$ets_select_continuation");
        ctx.p.heap.tuple(&[tag, rest])
    } else {
        atom_of(ctx, "$end_of_table")
    };
    Ok(ctx.p.heap.tuple(&[results, cont]))
}

/// `select/3` and the like on a hashed table: works out every answer erl's `select/3` and
/// the `select/1` calls after it give, in order, and answers the first (see
/// [`next_step`]). erl walks whole buckets (only the bound key's when the heads fix the
/// key), gathering results last first, until it has at least `limit`; what is over goes
/// into the continuation to start the next chunk: taken from the list's front as it is by
/// the first call, one by one (so reversed) by later calls and by a first call that trapped.
fn hashed_chunks(ctx: &mut Ctx, id: u64, ms: &MatchSpec, limit: usize) -> BifResult {
    let Some(tab) = ctx.ets.take(id) else {
        return Err(badarg());
    };
    let bound = {
        let v = ctx.p.heap.view(ctx.lits);
        ms.bound_key(&v, ctx.atoms, tab.keypos)
            .map(|k| KeyTerm::from_term(&v, ctx.atoms, ctx.code, k, true))
    };
    let n = if bound.is_some() { 1 } else { tab.slots() };
    // Every result in traversal order, and per non-empty bucket: where its results end,
    // how many objects it holds, whether it is the last bucket.
    let mut results = Vec::new();
    let mut buckets = Vec::new();
    for b in 0..n {
        let objs = match &bound {
            Some(k) => tab.get(k).iter().rev().collect(),
            None => tab.bucket(b),
        };
        if !objs.is_empty() {
            results.extend(objs.iter().filter_map(|o| matchspec::run(ctx, ms, o)));
            buckets.push((results.len(), objs.len(), b + 1 == n));
        }
    }
    ctx.ets.put_back(tab);
    let mut steps = Vec::new();
    // The results gathered, newest last (the list's head is the last element).
    let mut gathered: Vec<Term> = Vec::new();
    let (mut done, mut ended, mut first) = (0, buckets.is_empty(), true);
    let mut next = buckets.into_iter();
    loop {
        let mut as_first = first;
        if first || !(ended || gathered.len() >= limit) {
            let mut iterations = 0;
            loop {
                let Some((end, objects, last)) = next.next() else {
                    ended = true;
                    break;
                };
                gathered.extend_from_slice(&results[done..end]);
                done = end;
                iterations += objects;
                if last {
                    ended = true;
                    break;
                }
                if gathered.len() >= limit {
                    break;
                }
                if iterations >= CHUNK_ITERATIONS {
                    as_first = false;
                    iterations = 0;
                }
            }
        }
        first = false;
        let mut rest = Vec::new();
        if gathered.len() > limit {
            rest = gathered.split_off(limit);
            if !as_first {
                rest.reverse();
            }
        }
        let more = !rest.is_empty() || !ended;
        if more || !gathered.is_empty() {
            let mut list = Term::NIL;
            for &r in &gathered {
                list = ctx.p.heap.cons(r, list);
            }
            steps.push(ctx.p.heap.tuple(&[list, Term::boolean(more)]));
        }
        if !more {
            break;
        }
        gathered = rest;
    }
    let steps = ctx.p.heap.list(&steps);
    next_step(ctx, steps)
}

/// `ets:select/3`: at most `Limit` results and a continuation for `select/1`.
pub fn select3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    readable(ctx, a[0])?;
    let ms = compile(ctx, a[1])?;
    limited(ctx, a, ms)
}

/// `ets:match/3`.
pub fn match3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    readable(ctx, a[0])?;
    let ms = pattern(ctx, a[1], false)?;
    limited(ctx, a, ms)
}

/// `ets:match_object/3`.
pub fn match_object3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    readable(ctx, a[0])?;
    let ms = pattern(ctx, a[1], true)?;
    limited(ctx, a, ms)
}

/// `ets:select/1` (and `match/1`, `match_object/1`): the next chunk of a continuation.
pub fn select1(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let end = atom_of(ctx, "$end_of_table");
    if a[0] == end {
        return Ok(end);
    }
    let tag = atom_of(ctx, "$ets_select_continuation");
    let v = ctx.view();
    let (rest, limit) = match v.tuple(a[0]) {
        Some([t, rest, limit]) if *t == tag => (*rest, limit.as_small()),
        Some([t, steps]) if *t == tag => return next_step(ctx, *steps),
        _ => return Err(badarg()),
    };
    let rest = v.list_to_vec(rest).ok_or_else(badarg)?;
    let limit = match limit {
        Some(n) if n >= 1 => n as usize,
        _ => return Err(badarg()),
    };
    Ok(chunk(ctx, rest, limit))
}

/// `ets:select_reverse/2`: an `ordered_set`'s results in descending key order; for the other
/// table types the same as `select/2`, as in erl.
pub fn select_reverse(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    let ms = compile(ctx, a[1])?;
    let out = reversed(ctx, id, &ms);
    Ok(ctx.p.heap.list(&out))
}

/// `ets:select_reverse/3`: [`select_reverse`] in chunks of `Limit`, continued by
/// `select_reverse/1` (the same continuation as `select/1`'s).
pub fn select_reverse3(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    let ms = compile(ctx, a[1])?;
    let limit = match a[2].as_small() {
        Some(n) if n >= 1 => n as usize,
        _ => return Err(badarg()),
    };
    if ctx.ets.get(id).is_some_and(Table::gathers_reversed) {
        return hashed_chunks(ctx, id, &ms, limit);
    }
    let out = reversed(ctx, id, &ms);
    Ok(chunk(ctx, out, limit))
}

/// The results of `ms` over table `id`, last key first for an `ordered_set`.
fn reversed(ctx: &mut Ctx, id: u64, ms: &MatchSpec) -> Vec<Term> {
    let ordered = ctx
        .ets
        .get(id)
        .is_some_and(|t| t.kind == TableKind::OrderedSet);
    let mut out = Vec::new();
    scan(ctx, id, ms, |_, r| out.push(r));
    if ordered {
        out.reverse();
    }
    out
}

/// `ets:select_replace/2`: replaces each object for which the specification returns a
/// replacement with the same key; returns how many were replaced. A replacement with another
/// key (or no tuple with a key at all) fails the whole call with `badarg` and changes nothing;
/// `bag` tables are refused, as erl refuses them.
pub fn select_replace(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = writable(ctx, a[0])?;
    let ms = compile(ctx, a[1])?;
    let Some(mut tab) = ctx.ets.take(id) else {
        return Err(badarg());
    };
    let exact = tab.kind.exact_keys();
    let mark = (ctx.p.heap.words.len(), ctx.p.heap.bins.len());
    let mut new = Vec::new();
    let mut ok = tab.kind != TableKind::Bag;
    for (k, i, o) in tab.entries() {
        if !ok {
            break;
        }
        let Some(r) = matchspec::run(ctx, &ms, o) else {
            continue;
        };
        let v = ctx.p.heap.view(ctx.lits);
        let same_key = v
            .tuple(r)
            .and_then(|el| el.get(tab.keypos - 1))
            .is_some_and(|&nk| KeyTerm::from_term(&v, ctx.atoms, ctx.code, nk, exact) == *k);
        if same_key {
            new.push((k.clone(), i, Object::new(&v, r)));
        } else {
            ok = false;
        }
    }
    ctx.p.heap.words.truncate(mark.0);
    ctx.p.heap.bins.truncate(mark.1);
    let n = new.len();
    if ok {
        for (k, i, o) in new {
            tab.replace(&k, i, o);
        }
    }
    ctx.ets.put_back(tab);
    if !ok {
        return Err(badarg());
    }
    Ok(ctx.p.heap.int(n as i64))
}

/// `ets:slot/2`: the objects of slot `I` (0-based): the `I`-th key of an `ordered_set`, the
/// `I`-th hash bucket of the other types, as in erl. `'$end_of_table'` just past the last
/// slot, `badarg` beyond.
pub fn slot(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let id = readable(ctx, a[0])?;
    let i = match a[1].as_small() {
        Some(i) if i >= 0 => i as usize,
        _ => return Err(badarg()),
    };
    let tab = ctx.ets.get(id).ok_or_else(badarg)?;
    if i == tab.slots() {
        return Ok(atom_of(ctx, "$end_of_table"));
    }
    if i > tab.slots() {
        return Err(badarg());
    }
    let objs = tab.slot(i);
    Ok(copy_list(ctx.lits, &mut ctx.p.heap, objs.into_iter()))
}

/// The tag of a compiled specification: `{'$ets_compiled_ms', Spec}` (erl's is a magic
/// reference; this one is an ordinary term, so it needs no table and is never leaked).
const COMPILED_MS: &str = "$ets_compiled_ms";

/// The specification inside a compiled one.
fn compiled_spec(ctx: &mut Ctx, t: Term) -> Option<Term> {
    let tag = atom_of(ctx, COMPILED_MS);
    match ctx.view().tuple(t) {
        Some([x, spec]) if *x == tag => Some(*spec),
        _ => None,
    }
}

/// `ets:match_spec_compile/1`: checks the specification and wraps it.
pub fn match_spec_compile(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    compile(ctx, a[0])?;
    let tag = atom_of(ctx, COMPILED_MS);
    Ok(ctx.p.heap.tuple(&[tag, a[0]]))
}

/// `ets:is_compiled_ms/1`.
pub fn is_compiled_ms(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let ok = compiled_spec(ctx, a[0]).is_some_and(|s| compile(ctx, s).is_ok());
    Ok(Term::boolean(ok))
}

/// `ets:match_spec_run_r/3` (behind `ets:match_spec_run/2`): the results of a compiled
/// specification for each term of `List` that matches, last first, in front of `Acc`.
pub fn match_spec_run_r(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let spec = compiled_spec(ctx, a[1]).ok_or_else(badarg)?;
    let ms = compile(ctx, spec)?;
    let items = ctx.view().list_to_vec(a[0]).ok_or_else(badarg)?;
    let mut acc = a[2];
    for t in items {
        if let Some(r) = matchspec::run_term(ctx, &ms, t) {
            acc = ctx.p.heap.cons(r, acc);
        }
    }
    Ok(acc)
}

/// `erlang:match_spec_test/3` for `table` specifications (behind `ets:test_ms/2`):
/// `{ok, Result, [], []}` with `false` when nothing matches, `{error, [{error, Why}]}` for a
/// specification that does not compile.
pub fn match_spec_test(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    if crate::vm::trace::ENABLED && a[2] == atom_of(ctx, "trace") {
        return super::trace::match_spec_test(ctx, a);
    }
    if a[2] != atom_of(ctx, "table") {
        return Err(badarg());
    }
    let ok = atom_of(ctx, "ok");
    let compiled = {
        let v = ctx.p.heap.view(ctx.lits);
        MatchSpec::compile(&v, ctx.atoms, a[1])
    };
    match compiled {
        Ok(ms) => {
            let r = matchspec::run_term(ctx, &ms, a[0]).unwrap_or(atom::FALSE);
            Ok(ctx.p.heap.tuple(&[ok, r, Term::NIL, Term::NIL]))
        }
        Err(e) => {
            let why = match e {
                matchspec::SpecError::Shape => "Malformed match specification.",
                matchspec::SpecError::Unbound => "Unbound variable in match specification.",
                matchspec::SpecError::Function => "Function does_not_exist.",
                matchspec::SpecError::EmptyBody => "Empty body in match specification.",
            };
            let text = ctx.p.heap.string(why);
            let error = atom_of(ctx, "error");
            let item = ctx.p.heap.tuple(&[error, text]);
            let list = ctx.p.heap.list(&[item]);
            Ok(ctx.p.heap.tuple(&[error, list]))
        }
    }
}
