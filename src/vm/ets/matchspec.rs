//! Match specifications (`ets:select/2` and friends) and match patterns (`ets:match/2`).
//!
//! A specification is compiled from the caller's term into [`MatchSpec`]: head patterns with
//! `'$N'` variables and `'_'`, guards and bodies as expression trees whose functions are the
//! VM's own guard BIFs. Compiled parts keep terms of the caller's heap, so a `MatchSpec`
//! lives only for the BIF call that compiled it (BIFs never collect).
//!
//! [`run`] tries a stored object: it copies the object onto the caller's heap, matches and
//! evaluates there with the VM's comparisons and BIFs, and gives the heap back when nothing
//! matched, so a scan leaves only its results behind. As in erl, a guard that raises is
//! false, and a body expression that raises makes that result the atom `'EXIT'`.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::object::Object;
use crate::vm::atom::{self, AtomTable};
use crate::vm::bif::{BifFn, Ctx};
use crate::vm::compare::exact_eq;
use crate::vm::heap::View;
use crate::vm::map;
use crate::vm::term::{Kind, Term};
use crate::wordmap::WordMap;

/// Why a specification was refused (`badarg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum SpecError {
    /// Not a list of `{Head, Guards, Body}`.
    Shape = 1,
    /// A guard or body names a variable the head does not bind.
    Unbound = 2,
    /// A guard or body calls something that is not a guard function.
    Function = 3,
    /// An empty body.
    EmptyBody = 4,
}

/// A head pattern.
#[derive(Debug)]
enum Pat {
    Any,
    Var(usize),
    Const(Term),
    Tuple(Vec<Pat>),
    Cons(Box<Pat>, Box<Pat>),
    Map(Vec<(Term, Pat)>),
}

/// A guard or body expression.
#[derive(Debug)]
enum Expr {
    Var(usize),
    Object,
    Bindings,
    Const(Term),
    Tuple(Vec<Expr>),
    Cons(Box<Expr>, Box<Expr>),
    Map(Vec<(Term, Expr)>),
    Call(BifFn, Vec<Expr>),
    AndAlso(Vec<Expr>),
    OrElse(Vec<Expr>),
    SelfPid,
}

/// One `{Head, Guards, Body}`.
#[derive(Debug)]
struct Clause {
    head: Pat,
    /// Variable slots, one per distinct `'$N'` of the head, in increasing N.
    slots: usize,
    guards: Vec<Expr>,
    body: Vec<Expr>,
}

/// A compiled match specification.
#[derive(Debug)]
pub struct MatchSpec {
    clauses: Vec<Clause>,
}

/// The guard functions a specification may call, with their arities.
const GUARD_BIFS: &[(&str, u32)] = &[
    ("is_atom", 1),
    ("is_float", 1),
    ("is_integer", 1),
    ("is_list", 1),
    ("is_number", 1),
    ("is_pid", 1),
    ("is_port", 1),
    ("is_reference", 1),
    ("is_tuple", 1),
    ("is_map", 1),
    ("is_map_key", 2),
    ("is_binary", 1),
    ("is_bitstring", 1),
    ("is_boolean", 1),
    ("is_function", 1),
    ("is_function", 2),
    ("is_record", 2),
    ("is_record", 3),
    ("abs", 1),
    ("element", 2),
    ("hd", 1),
    ("tl", 1),
    ("length", 1),
    ("map_get", 2),
    ("map_size", 1),
    ("node", 0),
    ("node", 1),
    ("round", 1),
    ("trunc", 1),
    ("float", 1),
    ("ceil", 1),
    ("floor", 1),
    ("size", 1),
    ("bit_size", 1),
    ("byte_size", 1),
    ("tuple_size", 1),
    ("binary_part", 2),
    ("binary_part", 3),
    (">", 2),
    (">=", 2),
    ("<", 2),
    ("=<", 2),
    ("=:=", 2),
    ("==", 2),
    ("=/=", 2),
    ("/=", 2),
    ("+", 1),
    ("+", 2),
    ("-", 1),
    ("-", 2),
    ("*", 2),
    ("/", 2),
    ("div", 2),
    ("rem", 2),
    ("band", 2),
    ("bor", 2),
    ("bxor", 2),
    ("bnot", 1),
    ("bsl", 2),
    ("bsr", 2),
    ("not", 1),
    ("and", 2),
    ("or", 2),
    ("xor", 2),
];

/// The number N of an atom `'$N'`.
fn var_number(atoms: &AtomTable, t: Term) -> Option<u64> {
    if !t.is_atom() {
        return None;
    }
    let digits = atoms.name(t).strip_prefix('$')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 9 {
        return None;
    }
    digits.parse().ok()
}

struct Compiler<'a, 'v> {
    v: &'a View<'v>,
    atoms: &'a AtomTable,
    /// `'$N'` -> slot, for the clause being compiled.
    vars: WordMap<u64, usize>,
    /// The atom `'_'`, if it exists.
    underscore: Option<Term>,
}

impl Compiler<'_, '_> {
    /// Gives the collected variables their slots, in the order of their numbers.
    fn number_slots(&mut self) {
        let numbers: Vec<u64> = self.vars.keys().collect();
        for (slot, n) in numbers.into_iter().enumerate() {
            self.vars.insert(n, slot);
        }
    }

    fn collect_vars(&mut self, t: Term) {
        if let Some(n) = var_number(self.atoms, t) {
            self.vars.insert(n, 0);
        } else if t.is_cons() {
            let (h, tl) = self.v.cons(t);
            self.collect_vars(h);
            self.collect_vars(tl);
        } else if let Some(el) = self.v.tuple(t) {
            for e in el {
                self.collect_vars(*e);
            }
        } else if let Some(pairs) = self.v.map_entries(t) {
            for (_, x) in pairs {
                self.collect_vars(x);
            }
        }
    }

    fn is_ground(&self, t: Term) -> bool {
        if Some(t) == self.underscore || var_number(self.atoms, t).is_some() {
            return false;
        }
        if t.is_cons() {
            let (h, tl) = self.v.cons(t);
            return self.is_ground(h) && self.is_ground(tl);
        }
        if let Some(el) = self.v.tuple(t) {
            return el.iter().all(|e| self.is_ground(*e));
        }
        if let Some(pairs) = self.v.map_entries(t) {
            return pairs.iter().all(|(_, x)| self.is_ground(*x));
        }
        true
    }

    fn pattern(&self, t: Term) -> Pat {
        if Some(t) == self.underscore {
            return Pat::Any;
        }
        if let Some(n) = var_number(self.atoms, t) {
            // collect_vars gave every variable of the pattern a slot.
            return Pat::Var(self.vars.get(n).unwrap_or(0));
        }
        if self.is_ground(t) {
            return Pat::Const(t);
        }
        if t.is_cons() {
            let (h, tl) = self.v.cons(t);
            return Pat::Cons(Box::new(self.pattern(h)), Box::new(self.pattern(tl)));
        }
        if let Some(el) = self.v.tuple(t) {
            return Pat::Tuple(el.iter().map(|e| self.pattern(*e)).collect());
        }
        match self.v.map_entries(t) {
            Some(pairs) => Pat::Map(
                pairs
                    .into_iter()
                    .map(|(k, x)| (k, self.pattern(x)))
                    .collect(),
            ),
            None => Pat::Const(t),
        }
    }

    fn expr(&self, t: Term) -> Result<Expr, SpecError> {
        if t.is_atom() {
            let name = self.atoms.name(t);
            if name == "$_" {
                return Ok(Expr::Object);
            }
            if name == "$$" {
                return Ok(Expr::Bindings);
            }
            if let Some(n) = var_number(self.atoms, t) {
                return self.vars.get(n).map(Expr::Var).ok_or(SpecError::Unbound);
            }
            return Ok(Expr::Const(t));
        }
        if t.is_cons() {
            let (h, tl) = self.v.cons(t);
            return Ok(Expr::Cons(
                Box::new(self.expr(h)?),
                Box::new(self.expr(tl)?),
            ));
        }
        if let Some(el) = self.v.tuple(t) {
            if el.len() == 1 {
                if let Some(inner) = self.v.tuple(el[0]) {
                    let parts = inner
                        .iter()
                        .map(|e| self.expr(*e))
                        .collect::<Result<_, _>>()?;
                    return Ok(Expr::Tuple(parts));
                }
            }
            let Some((&f, args)) = el.split_first() else {
                return Err(SpecError::Function);
            };
            if !f.is_atom() {
                return Err(SpecError::Function);
            }
            let name = self.atoms.name(f);
            if name == "const" && args.len() == 1 {
                return Ok(Expr::Const(args[0]));
            }
            let args: Vec<Expr> = args
                .iter()
                .map(|e| self.expr(*e))
                .collect::<Result<_, _>>()?;
            return match (name, args.len()) {
                ("andalso", n) if n >= 1 => Ok(Expr::AndAlso(args)),
                ("orelse", n) if n >= 1 => Ok(Expr::OrElse(args)),
                ("self", 0) => Ok(Expr::SelfPid),
                (name, n) => {
                    if !GUARD_BIFS.contains(&(name, n as u32)) {
                        return Err(SpecError::Function);
                    }
                    match crate::vm::bifs::lookup("erlang", name, n as u32) {
                        Some(crate::vm::code::Target::Bif(b)) => Ok(Expr::Call(b, args)),
                        _ => Err(SpecError::Function),
                    }
                }
            };
        }
        if matches!(self.v.kind(t), Some(Kind::Map | Kind::TreeMap)) {
            let pairs = self.v.map_entries(t).unwrap_or_default();
            let mut out = Vec::with_capacity(pairs.len());
            for (k, x) in pairs {
                out.push((k, self.expr(x)?));
            }
            return Ok(Expr::Map(out));
        }
        Ok(Expr::Const(t))
    }
}

impl MatchSpec {
    /// Compiles a specification: a list of `{Head, Guards, Body}`.
    pub fn compile(v: &View, atoms: &AtomTable, spec: Term) -> Result<MatchSpec, SpecError> {
        let items = v.list_to_vec(spec).ok_or(SpecError::Shape)?;
        let mut clauses = Vec::with_capacity(items.len());
        for it in items {
            let parts = v
                .tuple(it)
                .filter(|p| p.len() == 3)
                .ok_or(SpecError::Shape)?;
            let guards = v.list_to_vec(parts[1]).ok_or(SpecError::Shape)?;
            let body = v.list_to_vec(parts[2]).ok_or(SpecError::Shape)?;
            if body.is_empty() {
                return Err(SpecError::EmptyBody);
            }
            let mut c = Compiler {
                v,
                atoms,
                vars: WordMap::new(),
                underscore: atoms.lookup("_"),
            };
            c.collect_vars(parts[0]);
            c.number_slots();
            let head = c.pattern(parts[0]);
            let guards = guards
                .iter()
                .map(|g| c.expr(*g))
                .collect::<Result<_, _>>()?;
            let body = body.iter().map(|b| c.expr(*b)).collect::<Result<_, _>>()?;
            clauses.push(Clause {
                head,
                slots: c.vars.len(),
                guards,
                body,
            });
        }
        Ok(MatchSpec { clauses })
    }

    /// The specification of `ets:match/2` (`'$$'`) or `ets:match_object/2` (`'$_'`) for a
    /// pattern.
    pub fn from_pattern(
        v: &View,
        atoms: &AtomTable,
        pattern: Term,
        whole: bool,
    ) -> Result<MatchSpec, SpecError> {
        let mut c = Compiler {
            v,
            atoms,
            vars: WordMap::new(),
            underscore: atoms.lookup("_"),
        };
        c.collect_vars(pattern);
        c.number_slots();
        let head = c.pattern(pattern);
        Ok(MatchSpec {
            clauses: alloc::vec![Clause {
                head,
                slots: c.vars.len(),
                guards: Vec::new(),
                body: alloc::vec![if whole { Expr::Object } else { Expr::Bindings }],
            }],
        })
    }

    /// The key every clause's head fixes at `keypos` (1-based), if all clauses fix the
    /// same one: only that key's objects can match.
    pub fn bound_key(&self, v: &View, atoms: &AtomTable, keypos: usize) -> Option<Term> {
        let mut key = None;
        for c in &self.clauses {
            let Pat::Tuple(el) = &c.head else {
                return None;
            };
            let Some(Pat::Const(k)) = el.get(keypos - 1) else {
                return None;
            };
            match key {
                None => key = Some(*k),
                Some(prev) if exact_eq(v, atoms, prev, *k) => {}
                Some(_) => return None,
            }
        }
        key
    }

    /// Whether the specification matches every object and returns it whole (`'_'` heads
    /// with no guards and a `'$_'` body): a plain listing.
    pub fn is_identity(&self) -> bool {
        self.clauses.len() == 1
            && matches!(self.clauses[0].head, Pat::Any)
            && self.clauses[0].guards.is_empty()
            && matches!(self.clauses[0].body[..], [Expr::Object])
    }
}

fn matches(v: &View, atoms: &AtomTable, p: &Pat, t: Term, binds: &mut [Option<Term>]) -> bool {
    match p {
        Pat::Any => true,
        Pat::Var(s) => match binds[*s] {
            Some(b) => exact_eq(v, atoms, b, t),
            None => {
                binds[*s] = Some(t);
                true
            }
        },
        Pat::Const(c) => exact_eq(v, atoms, *c, t),
        Pat::Tuple(ps) => match v.tuple(t) {
            Some(el) if el.len() == ps.len() => ps
                .iter()
                .zip(el.iter())
                .all(|(p, e)| matches(v, atoms, p, *e, binds)),
            _ => false,
        },
        Pat::Cons(h, tl) => {
            if !t.is_cons() {
                return false;
            }
            let (a, b) = v.cons(t);
            matches(v, atoms, h, a, binds) && matches(v, atoms, tl, b, binds)
        }
        Pat::Map(pairs) => {
            if !v.is_map(t) {
                return false;
            }
            pairs.iter().all(|(k, p)| match map::get(v, atoms, t, *k) {
                Some(x) => matches(v, atoms, p, x, binds),
                None => false,
            })
        }
    }
}

/// What an evaluation needs besides the context.
struct Frame<'a> {
    binds: &'a [Option<Term>],
    object: Term,
}

fn eval(ctx: &mut Ctx, f: &Frame, e: &Expr) -> Option<Term> {
    Some(match e {
        Expr::Var(s) => f.binds[*s]?,
        Expr::Object => f.object,
        Expr::Bindings => {
            let vals: Vec<Term> = f.binds.iter().map(|b| b.unwrap_or(Term::NIL)).collect();
            ctx.p.heap.list(&vals)
        }
        Expr::Const(t) => *t,
        Expr::Tuple(parts) => {
            let mut vals = Vec::with_capacity(parts.len());
            for p in parts {
                vals.push(eval(ctx, f, p)?);
            }
            ctx.p.heap.tuple(&vals)
        }
        Expr::Cons(h, t) => {
            let h = eval(ctx, f, h)?;
            let t = eval(ctx, f, t)?;
            ctx.p.heap.cons(h, t)
        }
        Expr::Map(pairs) => {
            let mut vals = Vec::with_capacity(pairs.len());
            for (k, x) in pairs {
                vals.push((*k, eval(ctx, f, x)?));
            }
            map::from_pairs(&mut ctx.p.heap, ctx.lits, ctx.atoms, vals)
        }
        Expr::Call(bif, args) => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(eval(ctx, f, a)?);
            }
            bif(ctx, &vals).ok()?
        }
        Expr::AndAlso(args) => {
            for a in args {
                match eval(ctx, f, a)? {
                    atom::TRUE => {}
                    atom::FALSE => return Some(atom::FALSE),
                    _ => return None,
                }
            }
            atom::TRUE
        }
        Expr::OrElse(args) => {
            for a in args {
                match eval(ctx, f, a)? {
                    atom::FALSE => {}
                    atom::TRUE => return Some(atom::TRUE),
                    _ => return None,
                }
            }
            atom::FALSE
        }
        Expr::SelfPid => ctx.p.pid,
    })
}

/// Runs `ms` against a stored object; the first matching clause's result, built on the
/// caller's heap, or `None` (and the heap as it was) when no clause matches.
pub fn run(ctx: &mut Ctx, ms: &MatchSpec, obj: &Object) -> Option<Term> {
    let mark = (ctx.p.heap.words.len(), ctx.p.heap.bins.len());
    let t = obj.copy_to(ctx.lits, &mut ctx.p.heap);
    run_at(ctx, ms, t, mark)
}

/// Runs `ms` against a term on the caller's heap (`ets:match_spec_run/2`); what the heap
/// gained is given back when no clause matches.
pub fn run_term(ctx: &mut Ctx, ms: &MatchSpec, t: Term) -> Option<Term> {
    let mark = (ctx.p.heap.words.len(), ctx.p.heap.bins.len());
    run_at(ctx, ms, t, mark)
}

/// [`run`] and [`run_term`] once the term is on the heap; `mark` is where the heap stood
/// before anything of this run.
fn run_at(
    ctx: &mut Ctx,
    ms: &MatchSpec,
    t: Term,
    (mark_words, mark_bins): (usize, usize),
) -> Option<Term> {
    let mut binds: Vec<Option<Term>> = Vec::new();
    for c in &ms.clauses {
        binds.clear();
        binds.resize(c.slots, None);
        let matched = {
            let v = ctx.view();
            matches(&v, ctx.atoms, &c.head, t, &mut binds)
        };
        if !matched {
            continue;
        }
        let f = Frame {
            binds: &binds,
            object: t,
        };
        if !c
            .guards
            .iter()
            .all(|g| eval(ctx, &f, g) == Some(atom::TRUE))
        {
            continue;
        }
        let mut result = Some(atom::EXIT_CAPS);
        for b in &c.body {
            result = eval(ctx, &f, b);
            if result.is_none() {
                break;
            }
        }
        return Some(result.unwrap_or(atom::EXIT_CAPS));
    }
    ctx.p.heap.words.truncate(mark_words);
    ctx.p.heap.bins.truncate(mark_bins);
    None
}
