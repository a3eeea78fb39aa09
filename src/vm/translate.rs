//! Translation of a loaded generic module ([`crate::loader::Module`]) into the VM's instruction form.
//!
//! One pass assigns each generic instruction its index in the translated code (`label` and
//! `line` emit nothing), a second pass emits [`Op`]s with labels turned into those indices,
//! imports into export-table indices, literals into literal-area terms and BIF imports into
//! function pointers.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::atom::{self, AtomTable};
use super::code::{fun_id, Code, FunctionInfo, LambdaInfo, LoadedModule, Target};
use super::literals::Literals;
use super::ops::*;
use super::process::X_REGS;
use super::term::Term;
use crate::loader::{Instruction, Module, Operand};

/// The filler of [`Tx::op`]'s operand array past an instruction's arity.
static NO_OPERAND: Operand = Operand::Nil;

/// Why a module could not be translated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TranslateError {
    /// An opcode the VM does not implement.
    UnsupportedOpcode(u8),
    /// An operand of an unexpected form.
    BadOperand(u8),
    /// An atom or literal could not be created.
    BadLiteral,
    /// A label or index out of range.
    BadIndex,
}

/// The largest stack frame `allocate` may ask for, in Y slots (erlc's functions use a few
/// dozen; this bound only stops malformed modules).
pub const MAX_FRAME: u32 = 1 << 16;

/// `n` as a stack frame size, if it is within [`MAX_FRAME`].
fn frame_size(n: u32) -> R<u32> {
    if n <= MAX_FRAME {
        Ok(n)
    } else {
        Err(TranslateError::BadIndex)
    }
}

struct Tx<'a> {
    m: &'a Module,
    atoms: Vec<Term>,
    literals: Vec<Term>,
    imports: Vec<u32>,
    gen_to_new: Vec<u32>,
    module_index: u32,
    lits: &'a mut Literals,
    atom_table: &'a mut AtomTable,
}

type R<T> = Result<T, TranslateError>;

impl Tx<'_> {
    fn label(&self, op: &Operand, opc: u8) -> R<u32> {
        match op {
            Operand::Label(0) => Ok(0),
            Operand::Label(n) => {
                let g = *self
                    .m
                    .labels
                    .get(*n as usize)
                    .ok_or(TranslateError::BadIndex)?;
                self.gen_to_new
                    .get(g as usize)
                    .copied()
                    .ok_or(TranslateError::BadIndex)
            }
            _ => Err(TranslateError::BadOperand(opc)),
        }
    }

    fn term(&mut self, op: &Operand, opc: u8) -> R<Term> {
        Ok(match op {
            Operand::Integer(i) => match Term::try_small(*i) {
                Some(t) => t,
                None => self
                    .lits
                    .insert(&crate::etf::ExtTerm::Integer(*i), self.atom_table)
                    .map_err(|_| TranslateError::BadLiteral)?,
            },
            Operand::BigInteger(b) => self
                .lits
                .insert(&crate::etf::ExtTerm::BigInteger(b.clone()), self.atom_table)
                .map_err(|_| TranslateError::BadLiteral)?,
            Operand::Nil => Term::NIL,
            Operand::Atom(i) => *self
                .atoms
                .get(*i as usize)
                .ok_or(TranslateError::BadIndex)?,
            Operand::Literal(i) => *self
                .literals
                .get(*i as usize)
                .ok_or(TranslateError::BadIndex)?,
            Operand::Char(c) => Term::small(*c as i64),
            Operand::Unsigned(u) => Term::small(*u as i64),
            _ => return Err(TranslateError::BadOperand(opc)),
        })
    }

    fn src(&mut self, op: &Operand, opc: u8) -> R<Src> {
        Ok(match op {
            Operand::X(i) if (*i as usize) < X_REGS => Src::X(*i),
            Operand::X(_) => return Err(TranslateError::BadIndex),
            Operand::Y(i) => Src::Y(*i),
            other => Src::C(self.term(other, opc)?),
        })
    }

    fn dst(&self, op: &Operand, opc: u8) -> R<Dst> {
        match op {
            Operand::X(i) if (*i as usize) < X_REGS => Ok(Dst::X(*i)),
            Operand::X(_) => Err(TranslateError::BadIndex),
            Operand::Y(i) => Ok(Dst::Y(*i)),
            _ => Err(TranslateError::BadOperand(opc)),
        }
    }

    fn uint(&self, op: &Operand, opc: u8) -> R<u32> {
        match op {
            Operand::Unsigned(u) => Ok(*u as u32),
            Operand::Integer(i) if *i >= 0 => Ok(*i as u32),
            _ => Err(TranslateError::BadOperand(opc)),
        }
    }

    /// A `gc_bif`'s count of live X registers; [`NO_LIVE`] past the register file (the
    /// instruction then never yields).
    fn gc_live(&self, op: &Operand, opc: u8) -> R<u16> {
        let live = self.uint(op, opc)? as usize;
        Ok(if live <= X_REGS { live as u16 } else { NO_LIVE })
    }

    fn list<'b>(&self, op: &'b Operand, opc: u8) -> R<&'b [Operand]> {
        match op {
            Operand::List(l) => Ok(l),
            _ => Err(TranslateError::BadOperand(opc)),
        }
    }

    /// A stack frame size for `allocate`: at most [`MAX_FRAME`] slots, so a malformed module
    /// cannot ask for billions of them.
    fn frame(&self, op: &Operand, opc: u8) -> R<u32> {
        frame_size(self.uint(op, opc)?)
    }

    fn yreg(&self, op: &Operand, opc: u8) -> R<u32> {
        match op {
            Operand::Y(i) => Ok(*i),
            _ => Err(TranslateError::BadOperand(opc)),
        }
    }

    fn freg(&self, op: &Operand, opc: u8) -> R<u32> {
        match op {
            Operand::FloatReg(i) => Ok(*i),
            _ => Err(TranslateError::BadOperand(opc)),
        }
    }

    fn heap_need(&self, op: &Operand, opc: u8) -> R<u32> {
        match op {
            Operand::AllocList(l) => Ok(l
                .iter()
                .map(|&(k, n)| match k {
                    0 => n,
                    1 => 2 * n,
                    _ => 2 * n,
                })
                .sum()),
            other => self.uint(other, opc),
        }
    }

    fn import_export(&self, op: &Operand, opc: u8) -> R<u32> {
        let i = self.uint(op, opc)? as usize;
        self.imports.get(i).copied().ok_or(TranslateError::BadIndex)
    }
}

/// Translates `m` into a [`LoadedModule`], registering its imports in `code`.
/// The caller installs the result with [`install`].
pub fn translate(
    m: &Module,
    code: &mut Code,
    atoms: &mut AtomTable,
    lits: &mut Literals,
) -> R<LoadedModule> {
    let module_index = code.modules.len() as u32;
    let mut atom_terms = Vec::with_capacity(m.atoms.len());
    for a in &m.atoms {
        atom_terms.push(atoms.intern(a).map_err(|_| TranslateError::BadLiteral)?);
    }
    let mut literals = Vec::with_capacity(m.literals.len());
    for l in &m.literals {
        let t = lits
            .insert(l, atoms)
            .map_err(|_| TranslateError::BadLiteral)?;
        // A `fun M:F/A` expression is such a literal: give it an export entry now, so calls
        // of it find their target (a BIF, or the module once it loads) without a lookup by
        // name.
        if let crate::etf::ExtTerm::ExportFun {
            module,
            function,
            arity,
        } = l
        {
            let md = atoms
                .intern(module)
                .map_err(|_| TranslateError::BadLiteral)?;
            let f = atoms
                .intern(function)
                .map_err(|_| TranslateError::BadLiteral)?;
            code.export(md, f, *arity as u32);
        }
        literals.push(t);
    }
    let mut imports = Vec::with_capacity(m.imports.len());
    for imp in &m.imports {
        let md = *atom_terms
            .get(imp.module as usize)
            .ok_or(TranslateError::BadIndex)?;
        let f = *atom_terms
            .get(imp.function as usize)
            .ok_or(TranslateError::BadIndex)?;
        imports.push(code.export(md, f, imp.arity));
    }
    let mut gen_to_new = Vec::with_capacity(m.code.len() + 1);
    let mut n = 0u32;
    for ins in &m.code {
        gen_to_new.push(n);
        if !emits_nothing(ins.opcode) {
            n += 1;
        }
    }
    gen_to_new.push(n);
    let mut tx = Tx {
        m,
        atoms: atom_terms,
        literals,
        imports,
        gen_to_new,
        module_index,
        lits,
        atom_table: atoms,
    };
    let mut out = Vec::with_capacity(n as usize);
    let mut lines = Vec::with_capacity(n as usize);
    let mut functions = Vec::new();
    let mut cur_line = 0u32;
    let mut on_load = None;
    for ins in &m.code {
        if ins.opcode == 149 {
            on_load = Some(out.len() as u32);
        }
        match ins.opcode {
            // nif_start (179) marks a function a NIF library may replace: nothing to run.
            1 | 3 | 16 | 179 => continue,
            153 => {
                cur_line = match ins.args.first() {
                    Some(Operand::Unsigned(u)) => *u as u32,
                    Some(Operand::Integer(i)) => *i as u32,
                    _ => 0,
                };
                continue;
            }
            _ => {}
        }
        let op = tx.op(ins, code)?;
        if let Op::FuncInfo {
            function, arity, ..
        } = op
        {
            functions.push(FunctionInfo {
                start: out.len() as u32,
                name: function,
                arity,
            });
        }
        out.push(op);
        lines.push(cur_line);
    }
    let mut targets = vec![false; out.len() + 1];
    for &g in m.labels.iter().skip(1) {
        if let Some(&t) = tx.gen_to_new.get(g as usize) {
            if let Some(x) = targets.get_mut(t as usize) {
                *x = true;
            }
        }
    }
    fuse(&mut out, &targets);
    specialise(&mut out);
    fuse_specialised(&mut out, &targets);
    fuse_arith_call(&mut out, &targets);
    let mut lambdas = Vec::with_capacity(m.lambdas.len());
    for l in &m.lambdas {
        let entry = tx.label(&Operand::Label(l.label), 0)?;
        lambdas.push(LambdaInfo {
            entry,
            // A malformed module can claim more free variables than arguments.
            arity: l
                .arity
                .checked_sub(l.num_free)
                .ok_or(TranslateError::BadIndex)?,
            num_free: l.num_free,
            index: l.index,
            old_uniq: l.old_uniq,
        });
    }
    let mut exports = Vec::new();
    for e in &m.exports {
        let f = *tx
            .atoms
            .get(e.function as usize)
            .ok_or(TranslateError::BadIndex)?;
        exports.push((f, e.arity, tx.label(&Operand::Label(e.label), 0)?));
    }
    let name = *tx.atoms.first().ok_or(TranslateError::BadIndex)?;
    let attributes = match &m.attributes {
        Some(a) => tx
            .lits
            .insert(a, tx.atom_table)
            .map_err(|_| TranslateError::BadLiteral)?,
        None => Term::NIL,
    };
    for (f, a, pc) in &exports {
        let i = code.export(name, *f, *a) as usize;
        if matches!(code.exports[i].target, Target::Undefined) {
            code.exports[i].target = Target::Code {
                module: module_index,
                pc: *pc,
            };
        }
    }
    let mut line_table: Vec<(String, u32)> = m.lines.clone();
    if line_table.is_empty() {
        line_table.push((String::new(), 0));
    }
    Ok(LoadedModule {
        name,
        code: out,
        lines,
        line_table,
        functions,
        lambdas,
        strings: m.strings.clone(),
        exports: exports.iter().map(|(f, a, _)| (*f, *a)).collect(),
        attributes,
        on_load,
        md5: m.md5,
    })
}

/// Adds a translated module to `code`, its memory charged to the code's account.
pub fn install(code: &mut Code, mut module: LoadedModule) -> u32 {
    // Labels after the last instruction lead here, as does falling off the end. (Room for
    // exactly one more: a push into a full vector would double it, megabytes for a large
    // module.)
    module.code.reserve_exact(1);
    module.code.push(Op::CodeEnd);
    module.lines.reserve_exact(1);
    module.lines.push(0);
    debug_assert!(super::ops::dispatch_safe(&module.code));
    let i = code.modules.len() as u32;
    code.memory.charge(module.held_bytes());
    code.by_name.insert(module.name.atom_index(), i);
    code.modules.push(module);
    i
}

/// Generic instructions that produce no VM instruction: labels, lines, `nif_start` and
/// `test_heap` (heaps grow on demand, and collections happen at calls and returns, which
/// every loop and every unwinding recursion passes).
fn emits_nothing(opcode: u8) -> bool {
    matches!(opcode, 1 | 3 | 16 | 153 | 179)
}

/// Combines common adjacent pairs into one instruction. The first of a pair is replaced by
/// the fused form, which also does the second's work and skips it; the second stays in place
/// for anything that jumps to it directly, so no index changes. Pairs whose second half is a
/// jump target are left alone.
fn fuse(code: &mut [Op], targets: &[bool]) {
    for i in 0..code.len().saturating_sub(1) {
        if targets.get(i + 1).copied().unwrap_or(true) {
            continue;
        }
        let fused = match (&code[i], &code[i + 1]) {
            (Op::Deallocate(n), Op::Return) => Op::DeallocReturn(*n),
            (
                Op::Test {
                    test: TypeTest::NonEmptyList,
                    fail,
                    src,
                },
                Op::GetList(s2, h, t),
            ) if src == s2 => Op::TestGetList(*fail, *src, *h, *t),
            (Op::Move(a, b), Op::Move(c, d)) => Op::Move2(*a, *b, *c, *d),
            // Two fields of one record or tuple (the first may not overwrite the tuple).
            (Op::GetTupleElement(s, i, d), Op::GetTupleElement(s2, j, e))
                if s == s2 && !writes(*d, *s) =>
            {
                Op::GetTupleElement2(*s, [*i, *j], [*d, *e])
            }
            _ => continue,
        };
        code[i] = fused;
    }
    // A fun called in a tail position (call_fun, deallocate, return) is a tail call, as erl's
    // loader makes it: the frame goes before the jump, so a loop through funs runs in
    // constant stack and the caller leaves no frame in stack traces.
    for i in 0..code.len().saturating_sub(2) {
        if targets.get(i + 1).copied().unwrap_or(true)
            || targets.get(i + 2).copied().unwrap_or(true)
        {
            continue;
        }
        let last = match (&code[i], &code[i + 1], &code[i + 2]) {
            (Op::CallFun(n), Op::DeallocReturn(d), Op::Return) => Op::CallFunLast(*n, *d),
            (Op::CallFun2(n, f), Op::DeallocReturn(d), Op::Return) => Op::CallFun2Last(*n, *f, *d),
            _ => continue,
        };
        code[i] = last;
    }
}

/// Whether storing to `d` changes what `s` reads.
fn writes(d: Dst, s: Src) -> bool {
    matches!((d, s), (Dst::X(a), Src::X(b)) | (Dst::Y(a), Src::Y(b)) if a == b)
}

/// Replaces instructions by forms specialised on their operand kinds, so the interpreter does
/// not decide at run time what the loader already knows. Indices do not change.
fn specialise(code: &mut [Op]) {
    for op in code.iter_mut() {
        if let Op::SelectVal {
            src: Src::X(src),
            fail,
            ref table,
            ..
        } = *op
        {
            if let Some((base, table)) = jump_table(table, fail) {
                *op = Op::JumpOnVal {
                    src,
                    fail,
                    base,
                    table,
                };
                continue;
            }
        }
        let special = match *op {
            Op::Move(Src::X(a), Dst::X(b)) => Op::MoveXX(a, b),
            Op::Move(Src::X(a), Dst::Y(b)) => Op::MoveXY(a, b),
            Op::Move(Src::Y(a), Dst::X(b)) => Op::MoveYX(a, b),
            Op::Move(Src::C(t), Dst::X(b)) => Op::MoveCX(t, b),
            Op::Test {
                test: TypeTest::NonEmptyList,
                fail,
                src,
            } => Op::TestCons(fail, src),
            Op::Cmp {
                test: CmpTest::EqExact,
                fail,
                a,
                b: Src::C(t),
            } if t.is_immediate() => Op::EqImm(fail, a, t),
            Op::Cmp {
                test: CmpTest::NeExact,
                fail,
                a,
                b: Src::C(t),
            } if t.is_immediate() => Op::NeImm(fail, a, t),
            Op::Cmp {
                test: test @ (CmpTest::Lt | CmpTest::Ge),
                fail,
                a,
                b,
            } => Op::Order {
                ge: test == CmpTest::Ge,
                fail,
                a,
                b,
            },
            Op::AddSub {
                sub,
                fail,
                a,
                b: Src::C(b),
                dst: Dst::X(dst),
                bif,
                ..
            } if b.is_small() && Term::try_small(-b.small_value()).is_some() => {
                // The constant as a word without its tag; negating a small that is not the
                // smallest stays small, so neither the negation nor the shift overflows.
                let n = if sub {
                    -b.small_value()
                } else {
                    b.small_value()
                };
                let delta = n << 3;
                match a {
                    Src::X(a) => Op::AddImm {
                        a,
                        delta,
                        dst,
                        fail,
                        bif,
                        b,
                    },
                    Src::Y(a) => Op::AddImmY {
                        a,
                        delta,
                        dst,
                        fail,
                        bif,
                        b,
                    },
                    Src::C(_) => continue,
                }
            }
            Op::Test {
                test: TypeTest::Nil,
                fail,
                src,
            } => Op::TestNil(fail, src),
            Op::SelectVal {
                src: Src::X(src),
                fail,
                ref table,
                sorted: true,
            } if table.len() <= 4 => Op::SelectValX {
                src,
                fail,
                table: table.clone(),
            },
            _ => continue,
        };
        *op = special;
    }
}

/// A `select_val` table of small integers no more than twice as wide as it is long, as the
/// smallest value and the targets of it and every value after it (`fail` in the gaps).
fn jump_table(table: &[(Term, u32)], fail: u32) -> Option<(Term, Box<[u32]>)> {
    if table.len() < 2 || !table.iter().all(|(t, _)| t.is_small()) {
        return None;
    }
    let min = table.iter().map(|(t, _)| t.small_value()).min()?;
    let max = table.iter().map(|(t, _)| t.small_value()).max()?;
    let width = usize::try_from(max - min).ok()? + 1;
    if width > 2 * table.len() {
        return None;
    }
    let mut targets = vec![fail; width];
    for (t, l) in table {
        targets[(t.small_value() - min) as usize] = *l;
    }
    Some((Term::small(min), targets.into_boxed_slice()))
}

/// Superinstructions over specialised instructions, chosen from the op profile of the benchmark
/// workloads (`scripts/bench --pairs`): the head of a list-walking body-recursive clause, a
/// list cell built as the return value, and the moves that set up a call. Like [`fuse`], the
/// fused form replaces the first instruction and skips the others, which stay in place; no
/// instruction after the first may be a jump target.
fn fuse_specialised(code: &mut [Op], targets: &[bool]) {
    let free = |i: usize| !targets.get(i).copied().unwrap_or(true);
    for i in 0..code.len() {
        // The head of a list and a call on the tail (body recursion over a list): the three
        // instructions fused above and the call, which stays in place after them.
        if let Some(
            [Op::TestCons(fail, src), Op::Allocate { slots, .. }, Op::GetList(s2, h, t), Op::Call { target, arity }],
        ) = code.get(i..i + 4)
        {
            if let (true, Src::X(src), Dst::Y(h), Dst::X(t)) = (
                src == s2 && free(i + 1) && free(i + 2) && free(i + 3),
                *src,
                *h,
                *t,
            ) {
                code[i] = Op::ConsAllocGetListCall {
                    fail: *fail,
                    src,
                    slots: *slots,
                    h,
                    t,
                    target: *target,
                    arity: *arity,
                    one: *slots == 1 && h == 0,
                };
                continue;
            }
        }
        // A frame, the values it keeps and the call's arguments: the first call of a
        // body-recursive clause.
        if let Some(
            [Op::Allocate { slots, .. }, Op::Move2(a, b, c, d), _, Op::Call { target, arity }],
        ) = code.get(i..i + 4)
        {
            if let (true, Some(m1), Some(m2)) = (
                free(i + 1) && free(i + 2) && free(i + 3),
                Mv::of(*a, *b),
                Mv::of(*c, *d),
            ) {
                code[i] = Op::AllocMove2Call {
                    slots: *slots,
                    moves: Mv2::of(m1, m2),
                    target: *target,
                    arity: *arity,
                };
                continue;
            }
        }
        // A sum returned from a frame (`f(N - 1) + f(N - 2)`).
        if let Some(
            [Op::AddSub {
                sub,
                export,
                fail,
                a,
                b,
                dst: Dst::X(0),
                bif,
            }, Op::DeallocReturn(n)],
        ) = code.get(i..i + 2)
        {
            if free(i + 1) {
                code[i] = match (*a, *b) {
                    (Src::Y(a), Src::X(b)) if !*sub => Op::AddReturnYX {
                        export: *export,
                        fail: *fail,
                        a,
                        b,
                        dealloc: *n,
                        bif: *bif,
                    },
                    (a, b) => Op::AddSubReturn {
                        sub: *sub,
                        export: *export,
                        fail: *fail,
                        a,
                        b,
                        dealloc: *n,
                        bif: *bif,
                    },
                };
                continue;
            }
        }
        let fused =
            match code.get(i..i + 3) {
                Some(
                    [Op::TestCons(fail, src), Op::Allocate { slots, .. }, Op::GetList(s2, h, t)],
                ) if src == s2 && free(i + 1) && free(i + 2) => Op::ConsAllocGetList {
                    fail: *fail,
                    src: *src,
                    slots: *slots,
                    h: *h,
                    t: *t,
                },
                // A fused pair of moves keeps its second move in place, so the call comes third.
                Some([Op::Move2(a, b, c, d), _, Op::Call { target, arity }])
                    if free(i + 1) && free(i + 2) =>
                {
                    match (Mv::of(*a, *b), Mv::of(*c, *d)) {
                        (Some(m1), Some(m2)) => Op::Move2Call {
                            moves: Mv2::of(m1, m2),
                            target: *target,
                            arity: *arity,
                        },
                        _ => continue,
                    }
                }
                _ => match code.get(i..i + 2) {
                    Some([Op::PutList(h, t, Dst::X(0)), Op::DeallocReturn(n)]) if free(i + 1) => {
                        match (*h, *t) {
                            (Src::Y(0), Src::X(t)) if *n == 1 => Op::PutListReturnY0X(t),
                            (Src::Y(h), Src::X(t)) => Op::PutListReturnYX(h, t, *n),
                            (h, t) => Op::PutListReturn(h, t, *n),
                        }
                    }
                    _ => continue,
                },
            };
        code[i] = fused;
    }
}

/// An argument computed by adding a constant and then a call (`f(N - 1)`): the `AddImm`
/// takes the call after it into its own dispatch ([`Op::AddImmAllocCall`],
/// [`Op::AddImmYCall`]). Only a guard-free
/// `AddImm` (no failure label: its failure raises) whose constant fits the field.
fn fuse_arith_call(code: &mut [Op], targets: &[bool]) {
    for i in 0..code.len().saturating_sub(1) {
        if targets.get(i + 1).copied().unwrap_or(true) {
            continue;
        }
        let (a, y, delta, dst, fail, b) = match code[i] {
            Op::AddImm {
                a,
                delta,
                dst,
                fail,
                b,
                ..
            } => (a, false, delta, dst, fail, b),
            Op::AddImmY {
                a,
                delta,
                dst,
                fail,
                b,
                ..
            } => (a, true, delta, dst, fail, b),
            _ => continue,
        };
        let Ok(delta32) = i32::try_from(delta) else {
            continue;
        };
        let (alloc, moves, target) = match code[i + 1] {
            Op::Move2Call { moves, target, .. } => (false, moves, target),
            Op::AllocMove2Call {
                slots: 1,
                moves,
                target,
                ..
            } => (true, moves, target),
            _ => continue,
        };
        let Mv2::XyXx(s, sy, ax, ad) = moves else {
            continue;
        };
        if fail != 0 || sy == u32::MAX {
            continue;
        }
        let fused = AddImmCall {
            a,
            // `delta` is the constant negated for `-`.
            sub: b.small_value() << 3 != delta,
            delta: delta32,
            dst,
            // Above the return address, pushed first.
            save: (s, sy + 1),
            arg: (ax, ad),
            target,
        };
        // The two shapes a body-recursive clause has: an X operand and a new frame first, a
        // Y operand in that frame after a call.
        code[i] = match (y, alloc) {
            (false, true) => Op::AddImmAllocCall(fused),
            (true, false) => Op::AddImmYCall(fused),
            _ => continue,
        };
    }
}

fn type_test(opc: u8) -> Option<TypeTest> {
    Some(match opc {
        45 => TypeTest::Integer,
        46 => TypeTest::Float,
        47 => TypeTest::Number,
        48 => TypeTest::Atom,
        49 => TypeTest::Pid,
        50 => TypeTest::Reference,
        51 => TypeTest::Port,
        52 => TypeTest::Nil,
        53 => TypeTest::Binary,
        129 => TypeTest::Bitstr,
        55 => TypeTest::List,
        56 => TypeTest::NonEmptyList,
        57 => TypeTest::Tuple,
        77 => TypeTest::Function,
        114 => TypeTest::Boolean,
        156 => TypeTest::Map,
        _ => return None,
    })
}

fn cmp_test(opc: u8) -> Option<CmpTest> {
    Some(match opc {
        39 => CmpTest::Lt,
        40 => CmpTest::Ge,
        41 => CmpTest::Eq,
        42 => CmpTest::Ne,
        43 => CmpTest::EqExact,
        44 => CmpTest::NeExact,
        _ => return None,
    })
}

impl Tx<'_> {
    fn bif_op(
        &mut self,
        code: &Code,
        import: &Operand,
        opc: u8,
        (fail, live): (u32, u16),
        args: &[Operand],
        dst: &Operand,
    ) -> R<Op> {
        let export = self.import_export(import, opc)?;
        let e = &code.exports[export as usize];
        // A guard BIF this VM lacks fails at run time with undef, not at load time.
        let bif = match e.target {
            Target::Bif(bif) => bif,
            _ => super::bifs::misc::undef,
        };
        let mut srcs = Vec::with_capacity(args.len());
        for a in args {
            srcs.push(self.src(a, opc)?);
        }
        let dst = self.dst(dst, opc)?;
        let name = self.atom_table.name(e.function);
        if e.module == atom::ERLANG && (name == "+" || name == "-") && srcs.len() == 2 {
            return Ok(Op::AddSub {
                sub: name == "-",
                export,
                fail,
                a: srcs[0],
                b: srcs[1],
                dst,
                bif,
            });
        }
        let int_op = match name {
            "*" => Some(IntOp::Mul),
            "div" => Some(IntOp::Div),
            "rem" => Some(IntOp::Rem),
            "band" => Some(IntOp::Band),
            "bor" => Some(IntOp::Bor),
            "bxor" => Some(IntOp::Bxor),
            _ => None,
        };
        if let (true, Some(op), 2) = (e.module == atom::ERLANG, int_op, srcs.len()) {
            return Ok(Op::IntArith {
                op,
                fail,
                export,
                a: srcs[0],
                b: srcs[1],
                dst,
                bif,
            });
        }
        let size_of = match name {
            "tuple_size" => Some(SizeOf::Tuple),
            "byte_size" => Some(SizeOf::Binary),
            "map_size" => Some(SizeOf::Map),
            "length" => Some(SizeOf::List),
            _ => None,
        };
        if let (true, Some(what), 1) = (
            e.module == atom::ERLANG && matches!(e.target, Target::Bif(_)),
            size_of,
            srcs.len(),
        ) {
            return Ok(Op::SizeOf {
                what,
                live,
                fail,
                export,
                src: srcs[0],
                dst,
                bif,
            });
        }
        if e.module == atom::ERLANG
            && matches!(e.target, Target::Bif(_))
            && name == "element"
            && srcs.len() == 2
        {
            return Ok(Op::Element {
                fail,
                export,
                idx: srcs[0],
                tup: srcs[1],
                dst,
                bif,
            });
        }
        Ok(Op::Bif {
            bif,
            export,
            fail,
            args: srcs.into_boxed_slice(),
            dst,
        })
    }

    fn call_ext(
        &mut self,
        code: &Code,
        import: &Operand,
        opc: u8,
        push: bool,
        dealloc: u32,
    ) -> R<Op> {
        let export = self.import_export(import, opc)?;
        let e = &code.exports[export as usize];
        Ok(match e.target {
            Target::Bif(bif) => Op::CallBif {
                bif,
                arity: e.arity,
                export,
                tail: !push,
                dealloc,
            },
            Target::Apply => Op::ApplyBif {
                arity: e.arity,
                export,
                tail: !push,
                dealloc,
            },
            _ => Op::CallExt {
                export,
                push,
                dealloc,
            },
        })
    }

    fn op(&mut self, ins: &Instruction, code: &Code) -> R<Op> {
        let o = ins.opcode;
        let args = &ins.args;
        let bad = || TranslateError::BadOperand(o);
        if args.len() < arity_of(o) {
            return Err(bad());
        }
        // The operands by position in an array, so that the constant indices below need no
        // bounds checks (a panic path each). Every index below is within its opcode's arity,
        // checked above, so the filler past the arity is never read.
        let a: [&Operand; 7] = core::array::from_fn(|i| args.get(i).unwrap_or(&NO_OPERAND));
        if let Some(test) = type_test(o) {
            return Ok(Op::Test {
                test,
                fail: self.label(a[0], o)?,
                src: self.src(a[1], o)?,
            });
        }
        if let Some(test) = cmp_test(o) {
            return Ok(Op::Cmp {
                test,
                fail: self.label(a[0], o)?,
                a: self.src(a[1], o)?,
                b: self.src(a[2], o)?,
            });
        }
        Ok(match o {
            2 => Op::FuncInfo {
                module: self.term(a[0], o)?,
                function: self.term(a[1], o)?,
                arity: self.uint(a[2], o)?,
            },
            4 => Op::Call {
                target: self.label(a[1], o)?,
                arity: self.uint(a[0], o)?,
            },
            5 => Op::CallLast {
                target: self.label(a[1], o)?,
                arity: self.uint(a[0], o)?,
                dealloc: self.uint(a[2], o)?,
            },
            6 => Op::CallOnly {
                target: self.label(a[1], o)?,
                arity: self.uint(a[0], o)?,
            },
            7 => self.call_ext(code, a[1], o, true, 0)?,
            8 => {
                let d = self.uint(a[2], o)?;
                self.call_ext(code, a[1], o, false, d)?
            }
            78 => self.call_ext(code, a[1], o, false, 0)?,
            9 => self.bif_op(code, a[0], o, (0, NO_LIVE), &[], a[1])?,
            10 => {
                let f = self.label(a[0], o)?;
                self.bif_op(code, a[1], o, (f, NO_LIVE), &args[2..3], a[3])?
            }
            11 => {
                let f = self.label(a[0], o)?;
                self.bif_op(code, a[1], o, (f, NO_LIVE), &args[2..4], a[4])?
            }
            124 => {
                let f = self.label(a[0], o)?;
                let live = self.gc_live(a[1], o)?;
                self.bif_op(code, a[2], o, (f, live), &args[3..4], a[4])?
            }
            125 => {
                let f = self.label(a[0], o)?;
                let live = self.gc_live(a[1], o)?;
                self.bif_op(code, a[2], o, (f, live), &args[3..5], a[5])?
            }
            152 => {
                let f = self.label(a[0], o)?;
                let live = self.gc_live(a[1], o)?;
                self.bif_op(code, a[2], o, (f, live), &args[3..6], a[6])?
            }
            12 | 14 => Op::Allocate {
                slots: self.frame(a[0], o)?,
                heap: 0,
                live: self.uint(a[1], o)?,
            },
            13 | 15 => Op::Allocate {
                slots: self.frame(a[0], o)?,
                heap: self.heap_need(a[1], o)?,
                live: self.uint(a[2], o)?,
            },
            16 => Op::TestHeap {
                heap: self.heap_need(a[0], o)?,
                live: self.uint(a[1], o)?,
            },
            17 => Op::InitY(vec![self.yreg(a[0], o)?].into_boxed_slice()),
            172 => {
                let mut ys = Vec::new();
                for y in self.list(a[0], o)? {
                    ys.push(self.yreg(y, o)?);
                }
                Op::InitY(ys.into_boxed_slice())
            }
            18 => Op::Deallocate(self.uint(a[0], o)?),
            19 => Op::Return,
            136 => Op::Trim(self.uint(a[0], o)?),
            64 => Op::Move(self.src(a[0], o)?, self.dst(a[1], o)?),
            169 => Op::Swap(self.dst(a[0], o)?, self.dst(a[1], o)?),
            115 => Op::IsFunction2 {
                fail: self.label(a[0], o)?,
                src: self.src(a[1], o)?,
                arity: self.src(a[2], o)?,
            },
            58 => Op::TestArity {
                fail: self.label(a[0], o)?,
                src: self.src(a[1], o)?,
                arity: self.uint(a[2], o)?,
            },
            159 => Op::IsTaggedTuple {
                fail: self.label(a[0], o)?,
                src: self.src(a[1], o)?,
                arity: self.uint(a[2], o)?,
                tag: self.term(a[3], o)?,
            },
            59 => {
                let src = self.src(a[0], o)?;
                let fail = self.label(a[1], o)?;
                let l = self.list(a[2], o)?;
                let mut table = Vec::with_capacity(l.len() / 2);
                for pair in l.chunks(2) {
                    if pair.len() < 2 {
                        return Err(bad());
                    }
                    table.push((self.term(&pair[0], o)?, self.label(&pair[1], o)?));
                }
                let sorted = table.iter().all(|(t, _)| t.is_immediate());
                if sorted {
                    crate::sort::sort_by_key(&mut table, |(t, _)| t.0);
                }
                Op::SelectVal {
                    src,
                    fail,
                    table: table.into_boxed_slice(),
                    sorted,
                }
            }
            60 => {
                let src = self.src(a[0], o)?;
                let fail = self.label(a[1], o)?;
                let l = self.list(a[2], o)?;
                let mut table = Vec::new();
                for pair in l.chunks(2) {
                    if pair.len() < 2 {
                        return Err(bad());
                    }
                    table.push((self.uint(&pair[0], o)?, self.label(&pair[1], o)?));
                }
                Op::SelectTupleArity {
                    src,
                    fail,
                    table: table.into_boxed_slice(),
                }
            }
            61 => Op::Jump(self.label(a[0], o)?),
            62 | 104 => Op::Catch(self.yreg(a[0], o)?, self.label(a[1], o)?),
            63 => Op::CatchEnd(self.yreg(a[0], o)?),
            105 => Op::TryEnd(self.yreg(a[0], o)?),
            106 => Op::TryCase(self.yreg(a[0], o)?),
            107 => Op::TryCaseEnd(self.src(a[0], o)?),
            108 => Op::Raise(self.src(a[0], o)?, self.src(a[1], o)?),
            160 => Op::BuildStacktrace,
            161 => Op::RawRaise,
            65 => Op::GetList(self.src(a[0], o)?, self.dst(a[1], o)?, self.dst(a[2], o)?),
            162 => Op::GetHd(self.src(a[0], o)?, self.dst(a[1], o)?),
            163 => Op::GetTl(self.src(a[0], o)?, self.dst(a[1], o)?),
            66 => Op::GetTupleElement(self.src(a[0], o)?, self.uint(a[1], o)?, self.dst(a[2], o)?),
            67 => Op::SetTupleElement(self.src(a[0], o)?, self.src(a[1], o)?, self.uint(a[2], o)?),
            69 => Op::PutList(self.src(a[0], o)?, self.src(a[1], o)?, self.dst(a[2], o)?),
            164 => {
                let dst = self.dst(a[0], o)?;
                let mut v = Vec::new();
                for e in self.list(a[1], o)? {
                    v.push(self.src(e, o)?);
                }
                Op::PutTuple2(dst, v.into_boxed_slice())
            }
            72 => Op::Badmatch(self.src(a[0], o)?),
            73 => Op::IfEnd,
            74 => Op::CaseEnd(self.src(a[0], o)?),
            180 => Op::Badrecord(self.src(a[0], o)?),
            75 => Op::CallFun(self.uint(a[0], o)?),
            178 => Op::CallFun2(self.uint(a[1], o)?, self.src(a[2], o)?),
            171 => {
                let idx = self.uint(a[0], o)?;
                let dst = self.dst(a[1], o)?;
                let mut env = Vec::new();
                for e in self.list(a[2], o)? {
                    env.push(self.src(e, o)?);
                }
                Op::MakeFun(fun_id(self.module_index, idx), dst, env.into_boxed_slice())
            }
            112 => Op::Apply {
                arity: self.uint(a[0], o)?,
                tail: false,
                dealloc: 0,
            },
            113 => Op::Apply {
                arity: self.uint(a[0], o)?,
                tail: true,
                dealloc: self.uint(a[1], o)?,
            },
            154 | 155 => {
                let fail = self.label(a[0], o)?;
                let src = self.src(a[1], o)?;
                let dst = self.dst(a[2], o)?;
                let mut pairs = Vec::new();
                for e in self.list(a[4], o)? {
                    pairs.push(self.src(e, o)?);
                }
                Op::PutMap {
                    exact: o == 155,
                    fail,
                    src,
                    dst,
                    pairs: pairs.into_boxed_slice(),
                }
            }
            157 => {
                let fail = self.label(a[0], o)?;
                let src = self.src(a[1], o)?;
                let mut keys = Vec::new();
                for e in self.list(a[2], o)? {
                    keys.push(self.src(e, o)?);
                }
                Op::HasMapFields {
                    fail,
                    src,
                    keys: keys.into_boxed_slice(),
                }
            }
            158 => {
                let fail = self.label(a[0], o)?;
                let src = self.src(a[1], o)?;
                let l = self.list(a[2], o)?;
                let mut pairs = Vec::new();
                for p in l.chunks(2) {
                    if p.len() < 2 {
                        return Err(bad());
                    }
                    pairs.push((self.src(&p[0], o)?, self.dst(&p[1], o)?));
                }
                Op::GetMapElements {
                    fail,
                    src,
                    pairs: pairs.into_boxed_slice(),
                }
            }
            94 | 95 | 149 | 150 | 151 | 173..=176 => Op::Nop,
            133 => Op::BsInitWritable,
            96 => match (a[0], a[1]) {
                (Operand::FloatReg(s), Operand::FloatReg(d)) => Op::FMove(*s, *d),
                (Operand::FloatReg(s), d) => Op::FStore(*s, self.dst(d, o)?),
                (s, Operand::FloatReg(d)) => Op::FLoad(self.src(s, o)?, *d, false),
                _ => return Err(bad()),
            },
            97 => Op::FLoad(self.src(a[0], o)?, self.freg(a[1], o)?, true),
            98..=101 => {
                let fop = match o {
                    98 => FloatOp::Add,
                    99 => FloatOp::Sub,
                    100 => FloatOp::Mul,
                    _ => FloatOp::Div,
                };
                Op::FArith(
                    fop,
                    self.freg(a[1], o)?,
                    self.freg(a[2], o)?,
                    self.freg(a[3], o)?,
                )
            }
            102 => Op::FNeg(self.freg(a[1], o)?, self.freg(a[2], o)?),
            177 => self.bs_create_bin(args, o)?,
            166 => Op::BsStartMatch {
                fail: self.label(a[0], o)?,
                src: self.src(a[1], o)?,
                dst: self.dst(a[3], o)?,
            },
            170 => Op::BsStartMatch {
                fail: match a[0] {
                    Operand::Label(_) => self.label(a[0], o)?,
                    _ => 0,
                },
                src: self.src(a[2], o)?,
                dst: self.dst(a[3], o)?,
            },
            117..=119 => Op::BsGet {
                what: match o {
                    117 => BsGet::Integer,
                    118 => BsGet::Float,
                    _ => BsGet::Binary,
                },
                fail: self.label(a[0], o)?,
                ctx: self.src(a[1], o)?,
                size: self.src(a[3], o)?,
                unit: self.uint(a[4], o)?,
                flags: self.flags(a[5], o)?,
                dst: self.dst(a[6], o)?,
            },
            120 => Op::BsSkip {
                fail: self.label(a[0], o)?,
                ctx: self.src(a[1], o)?,
                size: self.src(a[2], o)?,
                unit: self.uint(a[3], o)?,
            },
            138 | 140 | 142 => Op::BsUtf {
                utf: utf_of(o),
                fail: self.label(a[0], o)?,
                ctx: self.src(a[1], o)?,
                flags: self.flags(a[3], o)?,
                dst: Some(self.dst(a[4], o)?),
            },
            139 | 141 | 143 => Op::BsUtf {
                utf: utf_of(o),
                fail: self.label(a[0], o)?,
                ctx: self.src(a[1], o)?,
                flags: self.flags(a[3], o)?,
                dst: None,
            },
            121 => Op::BsTestTail(
                self.label(a[0], o)?,
                self.src(a[1], o)?,
                self.uint(a[2], o)? as u64,
            ),
            131 => Op::BsTestUnit(
                self.label(a[0], o)?,
                self.src(a[1], o)?,
                self.uint(a[2], o)?,
            ),
            132 => Op::BsMatchString(
                self.label(a[0], o)?,
                self.src(a[1], o)?,
                self.uint(a[2], o)? as u64,
                self.uint(a[3], o)?,
            ),
            167 => Op::BsGetPosition(self.src(a[0], o)?, self.dst(a[1], o)?),
            168 => Op::BsSetPosition(self.src(a[0], o)?, self.src(a[1], o)?),
            165 => Op::BsGetTail(self.src(a[0], o)?, self.dst(a[1], o)?),
            130 => Op::BsContextToBinary(self.src(a[0], o)?),
            20 => Op::Send,
            21 => Op::RemoveMessage,
            22 => Op::Timeout,
            23 => Op::LoopRec(self.label(a[0], o)?),
            24 => Op::LoopRecEnd(self.label(a[0], o)?),
            25 => Op::Wait(self.label(a[0], o)?),
            26 => Op::WaitTimeout(self.label(a[0], o)?, self.src(a[1], o)?),
            _ => return Err(TranslateError::UnsupportedOpcode(o)),
        })
    }

    fn flags(&mut self, op: &Operand, o: u8) -> R<u32> {
        match op {
            Operand::Unsigned(u) => Ok(*u as u32),
            Operand::Integer(i) => Ok(*i as u32),
            Operand::Nil => Ok(0),
            Operand::Literal(_) => {
                let t = self.term(op, o)?;
                Ok(flag_list(self, t))
            }
            _ => Err(TranslateError::BadOperand(o)),
        }
    }

    fn bs_create_bin(&mut self, a: &[Operand], o: u8) -> R<Op> {
        let fail = self.label(&a[0], o)?;
        let dst = self.dst(&a[4], o)?;
        let l = self.list(&a[5], o)?;
        let mut segs = Vec::with_capacity(l.len() / 6);
        for s in l.chunks(6) {
            if s.len() < 6 {
                return Err(TranslateError::BadOperand(o));
            }
            let ty = self.term(&s[0], o)?;
            let kind = match ty {
                atom::INTEGER => SegKind::Integer,
                atom::FLOAT => SegKind::Float,
                atom::BINARY => SegKind::Binary,
                atom::UTF8 => SegKind::Utf8,
                atom::UTF16 => SegKind::Utf16,
                atom::UTF32 => SegKind::Utf32,
                atom::STRING => SegKind::String,
                atom::APPEND => SegKind::Append,
                atom::PRIVATE_APPEND => SegKind::PrivateAppend,
                _ => return Err(TranslateError::BadOperand(o)),
            };
            let pos = self.uint(&s[1], o)?;
            let unit = self.uint(&s[2], o)?;
            let flags = self.flags(&s[3], o)?;
            let src = self.src(&s[4], o)?;
            let size = self.src(&s[5], o)?;
            segs.push(Segment {
                kind,
                pos,
                unit,
                flags,
                src,
                size,
            });
        }
        Ok(Op::BsCreateBin {
            fail,
            dst,
            hint: SizeHint::of(&segs),
            segs: segs.into_boxed_slice(),
        })
    }
}

fn flag_list(tx: &Tx, t: Term) -> u32 {
    let v = super::heap::View {
        heap: &[],
        bins: &[],
        lits: tx.lits,
    };
    let mut flags = 0;
    for f in v.list_to_vec(t).unwrap_or_default() {
        flags |= match f {
            atom::LITTLE => FLAG_LITTLE,
            atom::SIGNED => FLAG_SIGNED,
            atom::NATIVE => FLAG_NATIVE,
            _ => 0,
        };
    }
    flags
}

fn utf_of(o: u8) -> Utf {
    match o {
        138 | 139 => Utf::U8,
        140 | 141 => Utf::U16,
        _ => Utf::U32,
    }
}

/// The generic arity of opcode `o` (0 for a number OTP 25 does not define), from the loader's
/// table of OTP 25's opcodes: one table holds every opcode's name and arity.
pub fn arity_of(o: u8) -> usize {
    crate::loader::opcodes::by_number(o).map_or(0, |op| usize::from(op.arity))
}

/// The generic opcodes this VM translates (their names and arities are in
/// [`crate::loader::opcodes`]): what `xenbeam-run --list-opcodes` prints and `scripts/opcodes`
/// checks the project's Erlang against.
pub const IMPLEMENTED: &[u8] = &[
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
    39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 55, 56, 57, 58, 59, 60, 61, 62, 63,
    64, 65, 66, 67, 69, 72, 73, 74, 75, 77, 78, 94, 95, 96, 97, 98, 99, 100, 101, 102, 104, 105,
    106, 107, 108, 112, 113, 114, 115, 117, 118, 119, 120, 121, 124, 125, 129, 130, 131, 132, 133,
    136, 138, 139, 140, 141, 142, 143, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160,
    161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179,
    180,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::term::MIN_SMALL as MIN_SMALL_VALUE;

    /// `select_val` over close small integers becomes a table indexed by the distance from
    /// the smallest, with the failure label in the gaps; wide or mixed tables do not.
    #[test]
    fn jump_tables_cover_close_small_integers() {
        let s = Term::small;
        let (base, table) = jump_table(&[(s(3), 10), (s(1), 11), (s(4), 12)], 9).unwrap();
        assert_eq!(base, s(1));
        assert_eq!(&*table, &[11, 9, 10, 12]);
        assert!(jump_table(&[(s(0), 10), (s(100), 11)], 9).is_none());
        assert!(jump_table(&[(s(0), 10), (Term::NIL, 11)], 9).is_none());
        assert!(jump_table(&[(s(0), 10)], 9).is_none());
        let far = jump_table(&[(s(MIN_SMALL_VALUE), 1), (s(MIN_SMALL_VALUE + 1), 2)], 0);
        assert_eq!(
            far.map(|(b, t)| (b, t.len())),
            Some((s(MIN_SMALL_VALUE), 2))
        );
    }

    /// A malformed `allocate` of billions of slots is refused at load time instead of
    /// exhausting memory when it runs.
    #[test]
    fn frames_are_bounded() {
        assert_eq!(frame_size(0), Ok(0));
        assert_eq!(frame_size(MAX_FRAME), Ok(MAX_FRAME));
        assert_eq!(frame_size(MAX_FRAME + 1), Err(TranslateError::BadIndex));
        assert_eq!(frame_size(u32::MAX), Err(TranslateError::BadIndex));
    }
}
