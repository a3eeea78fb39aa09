//! The VM's own instruction form: generic BEAM instructions with operands pre-resolved.
//!
//! Labels become instruction indices in the module's translated code, imports become export
//! table indices, literals and atoms become ready terms, BIFs become function pointers. `label`
//! and `line` instructions disappear (lines go to a side table). A failure label of 0 means
//! "raise instead of branching", as in the generic form.

use alloc::boxed::Box;

use super::bif::BifFn;
use super::term::Term;

/// A source operand.
/// The fields of [`Op::AddImmAllocCall`] and [`Op::AddImmYCall`]: an `AddImm` or `AddImmY`,
/// the moves of the call after it and its target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AddImmCall {
    /// The operand: an X register ([`Op::AddImmAllocCall`]) or a Y register
    /// ([`Op::AddImmYCall`]).
    pub a: u32,
    /// `-` instead of `+` (which BIF the slow path calls).
    pub sub: bool,
    /// The constant to add (negated for `-`), shifted past the tag bits (`n << 3`).
    pub delta: i32,
    /// Result: an X register.
    pub dst: u32,
    /// The moves, of their usual shape (`Mv2::XyXx`: a value kept in the frame, the computed
    /// argument moved into place): X register `save.0` to Y register `save.1 - 1`, then X
    /// register `arg.0` to X register `arg.1`. (`save.1` counts the return address pushed
    /// above the frame first.)
    pub save: (u32, u32),
    /// See `save`.
    pub arg: (u32, u32),
    /// Target instruction.
    pub target: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Src {
    /// An X register.
    X(u32),
    /// A Y register.
    Y(u32),
    /// A constant: an immediate or a literal-area pointer.
    C(Term),
}

/// A destination register.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dst {
    /// An X register.
    X(u32),
    /// A Y register.
    Y(u32),
}

/// A move with its operand kinds decided at load time, for the moves fused into other
/// instructions ([`Op::Move2Call`]): one dispatch per move instead of one per operand.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mv {
    /// X register to X register.
    XX(u32, u32),
    /// X register to Y register.
    XY(u32, u32),
    /// Y register to X register.
    YX(u32, u32),
    /// A constant to an X register.
    CX(Term, u32),
}

impl Mv {
    /// The specialised form of `move s d`, if it has one.
    pub fn of(s: Src, d: Dst) -> Option<Mv> {
        Some(match (s, d) {
            (Src::X(a), Dst::X(b)) => Mv::XX(a, b),
            (Src::X(a), Dst::Y(b)) => Mv::XY(a, b),
            (Src::Y(a), Dst::X(b)) => Mv::YX(a, b),
            (Src::C(t), Dst::X(b)) => Mv::CX(t, b),
            _ => return None,
        })
    }
}

/// Two moves with their operand kinds decided together at load time, for the fused calls
/// ([`Op::Move2Call`], [`Op::AllocMove2Call`]): the fast path dispatches once for the pair.
/// A variant is named by the kinds of its two moves, in order (`Xy` is X to Y, `Cx` a
/// constant to X); its fields are the first move's source and destination, then the
/// second's.
#[derive(Clone, Copy, Debug, PartialEq)]
#[rustfmt::skip]
pub enum Mv2 {
    XxXx(u32, u32, u32, u32),
    XxXy(u32, u32, u32, u32),
    XxYx(u32, u32, u32, u32),
    XxCx(u32, u32, Term, u32),
    XyXx(u32, u32, u32, u32),
    XyXy(u32, u32, u32, u32),
    XyYx(u32, u32, u32, u32),
    XyCx(u32, u32, Term, u32),
    YxXx(u32, u32, u32, u32),
    YxXy(u32, u32, u32, u32),
    YxYx(u32, u32, u32, u32),
    YxCx(u32, u32, Term, u32),
    CxXx(Term, u32, u32, u32),
    CxXy(Term, u32, u32, u32),
    CxYx(Term, u32, u32, u32),
    CxCx(Term, u32, Term, u32),
}

impl Mv2 {
    /// The pair `m1` then `m2`.
    #[rustfmt::skip]
    pub fn of(m1: Mv, m2: Mv) -> Mv2 {
        match (m1, m2) {
            (Mv::XX(a, b), Mv::XX(c, d)) => Mv2::XxXx(a, b, c, d),
            (Mv::XX(a, b), Mv::XY(c, d)) => Mv2::XxXy(a, b, c, d),
            (Mv::XX(a, b), Mv::YX(c, d)) => Mv2::XxYx(a, b, c, d),
            (Mv::XX(a, b), Mv::CX(c, d)) => Mv2::XxCx(a, b, c, d),
            (Mv::XY(a, b), Mv::XX(c, d)) => Mv2::XyXx(a, b, c, d),
            (Mv::XY(a, b), Mv::XY(c, d)) => Mv2::XyXy(a, b, c, d),
            (Mv::XY(a, b), Mv::YX(c, d)) => Mv2::XyYx(a, b, c, d),
            (Mv::XY(a, b), Mv::CX(c, d)) => Mv2::XyCx(a, b, c, d),
            (Mv::YX(a, b), Mv::XX(c, d)) => Mv2::YxXx(a, b, c, d),
            (Mv::YX(a, b), Mv::XY(c, d)) => Mv2::YxXy(a, b, c, d),
            (Mv::YX(a, b), Mv::YX(c, d)) => Mv2::YxYx(a, b, c, d),
            (Mv::YX(a, b), Mv::CX(c, d)) => Mv2::YxCx(a, b, c, d),
            (Mv::CX(a, b), Mv::XX(c, d)) => Mv2::CxXx(a, b, c, d),
            (Mv::CX(a, b), Mv::XY(c, d)) => Mv2::CxXy(a, b, c, d),
            (Mv::CX(a, b), Mv::YX(c, d)) => Mv2::CxYx(a, b, c, d),
            (Mv::CX(a, b), Mv::CX(c, d)) => Mv2::CxCx(a, b, c, d),
        }
    }

    /// The two moves, in order.
    #[rustfmt::skip]
    pub fn split(self) -> (Mv, Mv) {
        match self {
            Mv2::XxXx(a, b, c, d) => (Mv::XX(a, b), Mv::XX(c, d)),
            Mv2::XxXy(a, b, c, d) => (Mv::XX(a, b), Mv::XY(c, d)),
            Mv2::XxYx(a, b, c, d) => (Mv::XX(a, b), Mv::YX(c, d)),
            Mv2::XxCx(a, b, c, d) => (Mv::XX(a, b), Mv::CX(c, d)),
            Mv2::XyXx(a, b, c, d) => (Mv::XY(a, b), Mv::XX(c, d)),
            Mv2::XyXy(a, b, c, d) => (Mv::XY(a, b), Mv::XY(c, d)),
            Mv2::XyYx(a, b, c, d) => (Mv::XY(a, b), Mv::YX(c, d)),
            Mv2::XyCx(a, b, c, d) => (Mv::XY(a, b), Mv::CX(c, d)),
            Mv2::YxXx(a, b, c, d) => (Mv::YX(a, b), Mv::XX(c, d)),
            Mv2::YxXy(a, b, c, d) => (Mv::YX(a, b), Mv::XY(c, d)),
            Mv2::YxYx(a, b, c, d) => (Mv::YX(a, b), Mv::YX(c, d)),
            Mv2::YxCx(a, b, c, d) => (Mv::YX(a, b), Mv::CX(c, d)),
            Mv2::CxXx(a, b, c, d) => (Mv::CX(a, b), Mv::XX(c, d)),
            Mv2::CxXy(a, b, c, d) => (Mv::CX(a, b), Mv::XY(c, d)),
            Mv2::CxYx(a, b, c, d) => (Mv::CX(a, b), Mv::YX(c, d)),
            Mv2::CxCx(a, b, c, d) => (Mv::CX(a, b), Mv::CX(c, d)),
        }
    }
}

/// A type test on one operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeTest {
    /// is_integer
    Integer,
    /// is_float
    Float,
    /// is_number
    Number,
    /// is_atom
    Atom,
    /// is_pid
    Pid,
    /// is_reference
    Reference,
    /// is_port
    Port,
    /// is_nil
    Nil,
    /// is_binary
    Binary,
    /// is_bitstr
    Bitstr,
    /// is_list
    List,
    /// is_nonempty_list
    NonEmptyList,
    /// is_tuple
    Tuple,
    /// is_function
    Function,
    /// is_boolean
    Boolean,
    /// is_map
    Map,
}

/// A comparison test on two operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpTest {
    /// is_lt
    Lt,
    /// is_ge
    Ge,
    /// is_eq
    Eq,
    /// is_ne
    Ne,
    /// is_eq_exact
    EqExact,
    /// is_ne_exact
    NeExact,
}

/// A float register operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatOp {
    /// fadd
    Add,
    /// fsub
    Sub,
    /// fmul
    Mul,
    /// fdiv
    Div,
}

/// One segment of `bs_create_bin`.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// What kind of segment.
    pub kind: SegKind,
    /// Its place in the source's binary expression, from 1 (for error reports).
    pub pos: u32,
    /// Unit.
    pub unit: u32,
    /// Flags: bit 1 little, bit 2 signed, bit 4 native (as in bs_get_*).
    pub flags: u32,
    /// The value.
    pub src: Src,
    /// The size (`C(atom all)` for `all`, `C(NIL)` when absent).
    pub size: Src,
}

impl Segment {
    /// The bits this segment probably takes when it is not a binary, whose length only the
    /// run knows (`None`): a constant size exactly up to 4096 units (a larger segment makes
    /// its own room as it is written, where a size beyond memory fails cleanly), a size from
    /// a register as 64 bits, a code point as 32. A construction reserves this much ahead so
    /// that its buffer is allocated once.
    pub fn load_time_bits(&self) -> Option<usize> {
        Some(match (self.kind, self.size) {
            (SegKind::Binary | SegKind::Append | SegKind::PrivateAppend, _) => return None,
            (SegKind::String, Src::C(n)) => n.as_small().unwrap_or(0) as usize * 8,
            (SegKind::Utf8 | SegKind::Utf16 | SegKind::Utf32, _) => 32,
            (_, Src::C(n)) => {
                n.as_small().unwrap_or(1).clamp(0, 4096) as usize * self.unit as usize
            }
            _ => 64,
        })
    }
}

/// The size a construction reserves for its result, as far as the load can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeHint {
    /// The sum of [`Segment::load_time_bits`] over the segments.
    pub fixed_bits: usize,
    /// Whether some segment is a binary, whose length the run adds.
    pub binaries: bool,
}

impl SizeHint {
    /// The hint for `segs`.
    pub fn of(segs: &[Segment]) -> Self {
        let mut h = SizeHint {
            fixed_bits: 0,
            binaries: false,
        };
        for s in segs {
            match s.load_time_bits() {
                Some(bits) => h.fixed_bits += bits,
                None => h.binaries = true,
            }
        }
        h
    }
}

/// Kinds of construction segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegKind {
    /// integer
    Integer,
    /// float
    Float,
    /// binary
    Binary,
    /// utf8
    Utf8,
    /// utf16
    Utf16,
    /// utf32
    Utf32,
    /// string (src is `C(small offset)` into the string table, size the byte count)
    String,
    /// append
    Append,
    /// private_append
    PrivateAppend,
}

/// What a `bs_get_*` instruction extracts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BsGet {
    /// bs_get_integer2
    Integer,
    /// bs_get_float2
    Float,
    /// bs_get_binary2
    Binary,
}

/// Unicode encodings for bs_get_utf* / bs_skip_utf*.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Utf {
    /// UTF-8
    U8,
    /// UTF-16
    U16,
    /// UTF-32
    U32,
}

/// An integer operation with a small-integer fast path ([`Op::IntArith`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntOp {
    /// `*`.
    Mul,
    /// `div`.
    Div,
    /// `rem`.
    Rem,
    /// `band`.
    Band,
    /// `bor`.
    Bor,
    /// `bxor`.
    Bxor,
}

impl IntOp {
    /// The operation on two small integers, or `None` when the general BIF must decide
    /// (overflow, division by zero).
    #[inline]
    pub fn small(self, a: i64, b: i64) -> Option<i64> {
        match self {
            IntOp::Mul => a.checked_mul(b),
            IntOp::Div => a.checked_div(b),
            IntOp::Rem => a.checked_rem(b),
            IntOp::Band => Some(a & b),
            IntOp::Bor => Some(a | b),
            IntOp::Bxor => Some(a ^ b),
        }
    }
}

/// [`Op::SizeOf`]'s `live` when the instruction did not say (a plain `bif1`).
pub const NO_LIVE: u16 = u16::MAX;

/// What [`Op::SizeOf`] measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeOf {
    /// `tuple_size/1`.
    Tuple,
    /// `byte_size/1`.
    Binary,
    /// `map_size/1`.
    Map,
    /// `length/1`, in place for lists shorter than 64 cells (which it charges no reductions).
    List,
}

/// Flag bit: little-endian.
pub const FLAG_LITTLE: u32 = 2;
/// Flag bit: signed.
pub const FLAG_SIGNED: u32 = 4;
/// Flag bit: native endian (little on every target we run on).
pub const FLAG_NATIVE: u32 = 16;

/// One translated instruction.
///
/// A plain one-byte tag (rather than a niche-packed discriminant) keeps dispatch to a single
/// load and jump.
#[derive(Debug)]
#[repr(u8)]
pub enum Op {
    /// func_info: raise function_clause with the arguments in x0..arity.
    FuncInfo {
        /// Module atom.
        module: Term,
        /// Function atom.
        function: Term,
        /// Arity.
        arity: u32,
    },
    /// call: push the return address and jump.
    Call {
        /// Target instruction.
        target: u32,
        /// Arguments in x0.. (live registers).
        arity: u32,
    },
    /// call_last: drop `dealloc` Y slots and jump.
    CallLast {
        /// Target instruction.
        target: u32,
        /// Arguments in x0.. (live registers).
        arity: u32,
        /// Y slots to drop.
        dealloc: u32,
    },
    /// call_only: jump.
    CallOnly {
        /// Target instruction.
        target: u32,
        /// Arguments in x0.. (live registers).
        arity: u32,
    },
    /// call_ext / call_ext_last / call_ext_only through the export table.
    CallExt {
        /// Export index.
        export: u32,
        /// Whether to push a return address (call_ext) or not (tail calls).
        push: bool,
        /// Y slots to drop first (call_ext_last).
        dealloc: u32,
    },
    /// A call_ext to a BIF resolved at load time.
    CallBif {
        /// The BIF.
        bif: BifFn,
        /// Its arity (arguments in x0..).
        arity: u32,
        /// Export index (for stack traces).
        export: u32,
        /// Tail call: return after the BIF, dropping `dealloc` slots first.
        tail: bool,
        /// Y slots to drop first.
        dealloc: u32,
    },
    /// bif0..bif2 / gc_bif1..3: call a BIF on operands, branch to `fail` or raise on error.
    Bif {
        /// The BIF.
        bif: BifFn,
        /// Export index (for stack traces).
        export: u32,
        /// Failure label (0: raise).
        fail: u32,
        /// Arguments.
        args: Box<[Src]>,
        /// Result register.
        dst: Dst,
    },
    /// Small-integer fast path for `+` / `-` with a BIF fallback.
    AddSub {
        /// Subtract instead of add.
        sub: bool,
        /// Export index of erlang:'+'/2 or '-'/2.
        export: u32,
        /// Failure label.
        fail: u32,
        /// Left operand.
        a: Src,
        /// Right operand.
        b: Src,
        /// Result.
        dst: Dst,
        /// The general BIF.
        bif: BifFn,
    },
    /// `is_eq_exact` against an immediate constant (a word comparison): fail, operand, constant.
    EqImm(u32, Src, Term),
    /// `is_ne_exact` against an immediate constant.
    NeImm(u32, Src, Term),
    /// `is_lt` (`less` when `ge` is false) or `is_ge`, with a small-integer fast path.
    Order {
        /// `is_ge` instead of `is_lt`.
        ge: bool,
        /// Failure label.
        fail: u32,
        /// Left.
        a: Src,
        /// Right.
        b: Src,
    },
    /// [`Op::AddSub`] of an X register and a small constant into an X register.
    AddImm {
        /// The operand: an X register.
        a: u32,
        /// The constant to add (negated for `-`), shifted past the tag bits (`n << 3`).
        delta: i64,
        /// Result: an X register.
        dst: u32,
        /// Failure label.
        fail: u32,
        /// The general BIF (erlang:'+'/2 or '-'/2), called with the constant as written.
        bif: BifFn,
        /// The constant as written.
        b: Term,
    },
    /// [`Op::AddImm`] with a Y register operand.
    AddImmY {
        /// The operand: a Y register.
        a: u32,
        /// The constant to add (negated for `-`), shifted past the tag bits (`n << 3`).
        delta: i64,
        /// Result: an X register.
        dst: u32,
        /// Failure label.
        fail: u32,
        /// The general BIF (erlang:'+'/2 or '-'/2), called with the constant as written.
        bif: BifFn,
        /// The constant as written.
        b: Term,
    },
    /// `*`, `div`, `rem`, `band`, `bor`, `bxor` with a small-integer fast path; otherwise like
    /// [`Op::Bif`] on `[a, b]`.
    IntArith {
        /// The operation.
        op: IntOp,
        /// Failure label (0: raise).
        fail: u32,
        /// Export index (for stack traces).
        export: u32,
        /// Left operand.
        a: Src,
        /// Right operand.
        b: Src,
        /// Result.
        dst: Dst,
        /// The general BIF.
        bif: BifFn,
    },
    /// `tuple_size/1`, `byte_size/1`, `map_size/1` or `length/1` with the size computed in
    /// place when the operand has the right type (and, for a list, is short); otherwise like [`Op::Bif`] on `[src]` (the failure label,
    /// or the BIF's own exception).
    SizeOf {
        /// What it measures.
        what: SizeOf,
        /// X registers live across it ([`NO_LIVE`]: not known, outside a `gc_bif`): a long
        /// list's `length/1` yields and resumes with them.
        live: u16,
        /// Failure label (0: raise).
        fail: u32,
        /// Export index (for stack traces).
        export: u32,
        /// The operand.
        src: Src,
        /// Result.
        dst: Dst,
        /// The general BIF.
        bif: BifFn,
    },
    /// `element/2` with the element taken in place when the index is a small integer within
    /// the tuple's arity; otherwise like [`Op::Bif`] on `[idx, tup]` (the failure label, or
    /// the BIF's own exception).
    Element {
        /// Failure label (0: raise).
        fail: u32,
        /// Export index (for stack traces).
        export: u32,
        /// The index (1-based).
        idx: Src,
        /// The tuple.
        tup: Src,
        /// Result.
        dst: Dst,
        /// The general BIF.
        bif: BifFn,
    },
    /// allocate / allocate_zero / allocate_heap*: reserve `slots` Y registers.
    Allocate {
        /// Y slots.
        slots: u32,
        /// Heap words needed.
        heap: u32,
        /// Live X registers.
        live: u32,
    },
    /// test_heap: make room for `heap` words.
    TestHeap {
        /// Heap words needed.
        heap: u32,
        /// Live X registers.
        live: u32,
    },
    /// deallocate: drop Y slots.
    Deallocate(u32),
    /// return.
    Return,
    /// trim: drop the top `n` Y slots.
    Trim(u32),
    /// move.
    Move(Src, Dst),
    /// swap.
    Swap(Dst, Dst),
    /// init_yregs / init / kill: set Y registers to `[]`.
    InitY(Box<[u32]>),
    /// A type test.
    Test {
        /// Which test.
        test: TypeTest,
        /// Failure label.
        fail: u32,
        /// Operand.
        src: Src,
    },
    /// A comparison test.
    Cmp {
        /// Which comparison.
        test: CmpTest,
        /// Failure label.
        fail: u32,
        /// Left.
        a: Src,
        /// Right.
        b: Src,
    },
    /// is_function2.
    IsFunction2 {
        /// Failure label.
        fail: u32,
        /// Operand.
        src: Src,
        /// Arity.
        arity: Src,
    },
    /// test_arity.
    TestArity {
        /// Failure label.
        fail: u32,
        /// Operand.
        src: Src,
        /// Arity.
        arity: u32,
    },
    /// is_tagged_tuple.
    IsTaggedTuple {
        /// Failure label.
        fail: u32,
        /// Operand.
        src: Src,
        /// Arity.
        arity: u32,
        /// First element.
        tag: Term,
    },
    /// select_val.
    SelectVal {
        /// Operand.
        src: Src,
        /// Failure label.
        fail: u32,
        /// (value, target) pairs, sorted by raw word when all immediates.
        table: Box<[(Term, u32)]>,
        /// Whether binary search on raw words is valid.
        sorted: bool,
    },
    /// [`Op::SelectVal`] on an X register with a few immediates, scanned in order.
    SelectValX {
        /// The X register.
        src: u32,
        /// Failure label.
        fail: u32,
        /// (value, target) pairs.
        table: Box<[(Term, u32)]>,
    },
    /// [`Op::SelectVal`] on an X register whose values are small integers close together:
    /// the value's distance from the smallest indexes a table of targets (BEAM's
    /// `jump_on_val`).
    JumpOnVal {
        /// The X register.
        src: u32,
        /// Failure label (also in the table's gaps).
        fail: u32,
        /// The smallest value, as a term word.
        base: Term,
        /// Targets, for the values `base`, `base + 1`, ...
        table: Box<[u32]>,
    },
    /// select_tuple_arity.
    SelectTupleArity {
        /// Operand.
        src: Src,
        /// Failure label.
        fail: u32,
        /// (arity, target) pairs.
        table: Box<[(u32, u32)]>,
    },
    /// jump.
    Jump(u32),
    /// get_list.
    GetList(Src, Dst, Dst),
    /// get_hd.
    GetHd(Src, Dst),
    /// get_tl.
    GetTl(Src, Dst),
    /// get_tuple_element.
    GetTupleElement(Src, u32, Dst),
    /// set_tuple_element (value, tuple, index).
    SetTupleElement(Src, Src, u32),
    /// put_list.
    PutList(Src, Src, Dst),
    /// put_tuple2.
    PutTuple2(Dst, Box<[Src]>),
    /// catch / try: store a catch marker for `target` in Y slot.
    Catch(u32, u32),
    /// catch_end.
    CatchEnd(u32),
    /// try_end.
    TryEnd(u32),
    /// try_case.
    TryCase(u32),
    /// try_case_end.
    TryCaseEnd(Src),
    /// raise (stacktrace, value).
    Raise(Src, Src),
    /// build_stacktrace.
    BuildStacktrace,
    /// raw_raise.
    RawRaise,
    /// badmatch.
    Badmatch(Src),
    /// if_end.
    IfEnd,
    /// case_end.
    CaseEnd(Src),
    /// badrecord.
    Badrecord(Src),
    /// call_fun (arity; the fun is in the X register after the arguments).
    CallFun(u32),
    /// call_fun2 (arity, fun).
    CallFun2(u32, Src),
    /// call_fun, deallocate and return, fused: a tail call of a fun (arity, slots to drop).
    CallFunLast(u32, u32),
    /// call_fun2, deallocate and return, fused (arity, fun, slots to drop).
    CallFun2Last(u32, Src, u32),
    /// make_fun3 (global fun id, dst, environment).
    MakeFun(u64, Dst, Box<[Src]>),
    /// apply / apply_last.
    Apply {
        /// Number of arguments (module and function follow them).
        arity: u32,
        /// Tail call.
        tail: bool,
        /// Y slots to drop first.
        dealloc: u32,
    },
    /// erlang:apply/2 or /3 called through call_ext.
    ApplyBif {
        /// 2 or 3.
        arity: u32,
        /// Export index of erlang:apply/2,3 (for stack traces).
        export: u32,
        /// Tail call.
        tail: bool,
        /// Y slots to drop first.
        dealloc: u32,
    },
    /// put_map_assoc / put_map_exact.
    PutMap {
        /// Exact update (keys must exist).
        exact: bool,
        /// Failure label.
        fail: u32,
        /// The map.
        src: Src,
        /// Result.
        dst: Dst,
        /// Key, value, key, value...
        pairs: Box<[Src]>,
    },
    /// has_map_fields.
    HasMapFields {
        /// Failure label.
        fail: u32,
        /// The map.
        src: Src,
        /// Keys.
        keys: Box<[Src]>,
    },
    /// get_map_elements.
    GetMapElements {
        /// Failure label.
        fail: u32,
        /// The map.
        src: Src,
        /// (key, destination).
        pairs: Box<[(Src, Dst)]>,
    },
    /// fmove / fconv into a float register.
    FLoad(Src, u32, bool),
    /// fmove out of a float register.
    FStore(u32, Dst),
    /// fmove between float registers.
    FMove(u32, u32),
    /// fadd/fsub/fmul/fdiv.
    FArith(FloatOp, u32, u32, u32),
    /// fnegate.
    FNeg(u32, u32),
    /// bs_create_bin.
    BsCreateBin {
        /// Failure label.
        fail: u32,
        /// Result.
        dst: Dst,
        /// Segments.
        segs: Box<[Segment]>,
        /// The room to reserve, worked out from `segs` at load time.
        hint: SizeHint,
    },
    /// bs_start_match3/4: make a match context (or fail).
    BsStartMatch {
        /// Failure label.
        fail: u32,
        /// The binary or context.
        src: Src,
        /// Result.
        dst: Dst,
    },
    /// bs_get_integer2 / bs_get_float2 / bs_get_binary2.
    BsGet {
        /// What to get.
        what: BsGet,
        /// Failure label.
        fail: u32,
        /// Context.
        ctx: Src,
        /// Size (`C(atom all)` for all).
        size: Src,
        /// Unit.
        unit: u32,
        /// Flags.
        flags: u32,
        /// Result.
        dst: Dst,
    },
    /// bs_skip_bits2.
    BsSkip {
        /// Failure label.
        fail: u32,
        /// Context.
        ctx: Src,
        /// Size.
        size: Src,
        /// Unit.
        unit: u32,
    },
    /// bs_get_utf8/16/32 (dst Some) and bs_skip_utf* (dst None).
    BsUtf {
        /// Encoding.
        utf: Utf,
        /// Failure label.
        fail: u32,
        /// Context.
        ctx: Src,
        /// Flags.
        flags: u32,
        /// Result.
        dst: Option<Dst>,
    },
    /// bs_test_tail2: remaining bits must equal `bits`.
    BsTestTail(u32, Src, u64),
    /// bs_test_unit: remaining bits must be a multiple of `unit`.
    BsTestUnit(u32, Src, u32),
    /// bs_match_string (fail, ctx, bits, string table offset).
    BsMatchString(u32, Src, u64, u32),
    /// bs_get_position.
    BsGetPosition(Src, Dst),
    /// bs_set_position.
    BsSetPosition(Src, Src),
    /// bs_get_tail.
    BsGetTail(Src, Dst),
    /// bs_context_to_binary.
    BsContextToBinary(Src),
    /// send: x0 ! x1.
    Send,
    /// loop_rec: x0 = the message at the receive cursor, or jump when there is none.
    LoopRec(u32),
    /// loop_rec_end: step the cursor past the current message and jump.
    LoopRecEnd(u32),
    /// remove_message: take the current message out of the mailbox.
    RemoveMessage,
    /// timeout: the receive timed out; reset the cursor.
    Timeout,
    /// wait: block until a message arrives, then jump.
    Wait(u32),
    /// wait_timeout: like wait, but continue with the next instruction when the time is up.
    WaitTimeout(u32, Src),
    /// bs_init_writable: x0 (a size hint) becomes an empty binary that can be appended to.
    BsInitWritable,
    /// Fused `deallocate N; return`.
    DeallocReturn(u32),
    /// Fused `is_nonempty_list Fail Src; get_list Src Hd Tl`.
    TestGetList(u32, Src, Dst, Dst),
    /// Fused pair of moves (the first completes before the second reads).
    Move2(Src, Dst, Src, Dst),
    /// Fused pair of `get_tuple_element` from one tuple: the tuple, the two element indices
    /// and their destinations (the first destination is not the tuple's register, so the
    /// tuple is read once).
    GetTupleElement2(Src, [u32; 2], [Dst; 2]),
    /// `is_nonempty_list` (a specialised [`Op::Test`]): fail label, operand.
    TestCons(u32, Src),
    /// `is_nil`: fail label, operand.
    TestNil(u32, Src),
    /// `is_nonempty_list; allocate; get_list` on one operand (skips the other two).
    ConsAllocGetList {
        /// Failure label.
        fail: u32,
        /// The list.
        src: Src,
        /// Y slots to allocate.
        slots: u32,
        /// Head destination.
        h: Dst,
        /// Tail destination.
        t: Dst,
    },
    /// [`Op::ConsAllocGetList`] followed by a `call` (skips the three instructions after it),
    /// in its usual shape: the list in an X register, the head kept in a Y register, the tail
    /// to an X register.
    ConsAllocGetListCall {
        /// Failure label.
        fail: u32,
        /// The list: an X register.
        src: u32,
        /// Y slots to allocate.
        slots: u32,
        /// Head destination: a Y register.
        h: u32,
        /// Tail destination: an X register.
        t: u32,
        /// The call's target instruction.
        target: u32,
        /// The call's arity (live registers).
        arity: u32,
        /// The usual frame, one slot that keeps the head (`slots` 1, `h` 0), decided at
        /// load time: pushed with the return address in one step.
        one: bool,
    },
    /// `put_list H T x0; deallocate N; return`: head, tail, slots.
    PutListReturn(Src, Src, u32),
    /// [`Op::PutListReturn`] of its usual shape, `[H | f(T)]`: a head kept in the frame (a Y
    /// register) and a call's result (an X register), its operand kinds decided at load time.
    PutListReturnYX(u32, u32, u32),
    /// [`Op::PutListReturnYX`] of the usual frame, one slot holding the head (`y0`, one slot
    /// to drop): the return address and the head read with one bounds check. The operand is
    /// the tail's X register.
    PutListReturnY0X(u32),
    /// `move; move; call` (skips the call).
    Move2Call {
        /// The two moves, in order.
        moves: Mv2,
        /// Target instruction.
        target: u32,
        /// Arguments in x0.. (live registers).
        arity: u32,
    },
    /// `allocate; move; move; call` (skips the other three): the entry of a body-recursive
    /// clause that saves values in its frame and calls.
    AllocMove2Call {
        /// Y slots to allocate.
        slots: u32,
        /// The two moves, in order.
        moves: Mv2,
        /// Target instruction.
        target: u32,
        /// Arguments in x0.. (live registers).
        arity: u32,
    },
    /// [`Op::AddImm`] without a failure label followed by an [`Op::AllocMove2Call`] of one
    /// slot (which stays in place after it): the argument of a body-recursive call computed
    /// from an X register (`f(N - 1)` first in a clause), the frame, the moves and the call in
    /// one dispatch. The slow path is the `AddImm` alone.
    AddImmAllocCall(AddImmCall),
    /// [`Op::AddImmY`] without a failure label followed by a [`Op::Move2Call`] (which stays in
    /// place after it): as [`Op::AddImmAllocCall`] with the operand in a Y register and the
    /// frame made already (`f(N - 2)` after an earlier call).
    AddImmYCall(AddImmCall),
    /// [`Op::AddSub`] into x0 followed by `deallocate N; return` (which stay in place: the
    /// slow path does the `AddSub` alone and falls through to them).
    AddSubReturn {
        /// Subtract instead of add.
        sub: bool,
        /// Export index of erlang:'+'/2 or '-'/2.
        export: u32,
        /// Failure label.
        fail: u32,
        /// Left operand.
        a: Src,
        /// Right operand.
        b: Src,
        /// Y slots to drop.
        dealloc: u32,
        /// The general BIF.
        bif: BifFn,
    },
    /// [`Op::AddSubReturn`] of its usual shape, `Y + X` (a value kept in the frame and a
    /// call's result: `f(N - 1) + f(N - 2)`), its operation and operand kinds decided at load
    /// time.
    AddReturnYX {
        /// Export index of erlang:'+'/2.
        export: u32,
        /// Failure label.
        fail: u32,
        /// Left operand: a Y register.
        a: u32,
        /// Right operand: an X register.
        b: u32,
        /// Y slots to drop.
        dealloc: u32,
        /// The general BIF.
        bif: BifFn,
    },
    /// `move` from an X register to an X register (a specialised [`Op::Move`]).
    MoveXX(u32, u32),
    /// `move` from an X register to a Y register.
    MoveXY(u32, u32),
    /// `move` from a Y register to an X register.
    MoveYX(u32, u32),
    /// `move` of a constant to an X register.
    MoveCX(Term, u32),
    /// An instruction that is accepted but does nothing (fclearerror, bs_init_writable...).
    Nop,
    /// Stop the process normally (the bottom of the initial stack).
    Exit,
    /// A function's entry with a local call-trace pattern (trace point N of
    /// [`super::code::Code::trace`]): the call is traced, then the instruction it replaced
    /// runs.
    TraceLocal(u32),
    /// A function's entry with call counting on (count point N of
    /// [`super::code::Code::counts`]): the call is counted, then the instruction it replaced
    /// runs. With [`super::code::TIME_POINT`] set in N, call timing (time point N without
    /// it, of [`super::code::Code::times`]) instead: one variant for both keeps the
    /// interpreter's dispatch as it is without timing.
    CountCall(u32),
    /// Where the export entry of a function with a global call-trace pattern leads (trace
    /// point N, in module 0): the call is traced, then goes to the function's entry.
    TraceGlobal(u32),
    /// Where a function traced with `return_trace` returns to (module 0): the return is
    /// traced, then the function's caller gets the value. At
    /// [`super::code::RETURN_TIME_PC`], where a timed function returns to, its time is
    /// charged instead, and its caller's timed function is current again.
    ReturnTrace,
    /// The end of a module's code: never reached by code erlc makes; raises `undef` when a
    /// branch or a fall-through from malformed code gets here (see [`super::fetch`]).
    CodeEnd,
}

/// Lists every [`Op`] variant once with the number of generic BEAM instructions it stands for,
/// and derives [`Op::name`], [`Op::index`] and [`Op::generic_len`] from that one list. The
/// matches it writes have no wildcard arm, so a new variant does not compile until it is listed.
impl Op {
    /// Calls `f` with every instruction index this instruction may branch to (failure labels,
    /// call targets, select tables, catch handlers): what [`super::fetch`] relies on being
    /// in range. Every variant is listed, so a new one must say what it branches to.
    pub fn for_each_label(&self, mut f: impl FnMut(u32)) {
        match self {
            Op::Call { target, .. }
            | Op::CallLast { target, .. }
            | Op::CallOnly { target, .. }
            | Op::Move2Call { target, .. }
            | Op::AllocMove2Call { target, .. }
            | Op::AddImmAllocCall(AddImmCall { target, .. })
            | Op::AddImmYCall(AddImmCall { target, .. }) => f(*target),
            Op::ConsAllocGetListCall { fail, target, .. } => {
                f(*fail);
                f(*target);
            }
            Op::Bif { fail, .. }
            | Op::AddSub { fail, .. }
            | Op::AddSubReturn { fail, .. }
            | Op::AddReturnYX { fail, .. }
            | Op::Order { fail, .. }
            | Op::AddImm { fail, .. }
            | Op::AddImmY { fail, .. }
            | Op::IntArith { fail, .. }
            | Op::SizeOf { fail, .. }
            | Op::Element { fail, .. }
            | Op::Test { fail, .. }
            | Op::Cmp { fail, .. }
            | Op::IsFunction2 { fail, .. }
            | Op::TestArity { fail, .. }
            | Op::IsTaggedTuple { fail, .. }
            | Op::PutMap { fail, .. }
            | Op::HasMapFields { fail, .. }
            | Op::GetMapElements { fail, .. }
            | Op::BsCreateBin { fail, .. }
            | Op::BsStartMatch { fail, .. }
            | Op::BsGet { fail, .. }
            | Op::BsSkip { fail, .. }
            | Op::BsUtf { fail, .. }
            | Op::ConsAllocGetList { fail, .. } => f(*fail),
            Op::EqImm(l, ..)
            | Op::NeImm(l, ..)
            | Op::Jump(l)
            | Op::Catch(_, l)
            | Op::BsTestTail(l, ..)
            | Op::BsTestUnit(l, ..)
            | Op::BsMatchString(l, ..)
            | Op::LoopRec(l)
            | Op::LoopRecEnd(l)
            | Op::Wait(l)
            | Op::WaitTimeout(l, _)
            | Op::TestGetList(l, ..)
            | Op::TestCons(l, _)
            | Op::TestNil(l, _) => f(*l),
            Op::SelectVal { fail, table, .. } => {
                f(*fail);
                table.iter().for_each(|(_, l)| f(*l));
            }
            Op::SelectValX { fail, table, .. } => {
                f(*fail);
                table.iter().for_each(|(_, l)| f(*l));
            }
            Op::JumpOnVal { fail, table, .. } => {
                f(*fail);
                table.iter().for_each(|l| f(*l));
            }
            Op::SelectTupleArity { fail, table, .. } => {
                f(*fail);
                table.iter().for_each(|(_, l)| f(*l));
            }
            Op::FuncInfo { .. }
            | Op::CallExt { .. }
            | Op::CallBif { .. }
            | Op::Allocate { .. }
            | Op::TestHeap { .. }
            | Op::Deallocate(_)
            | Op::Return
            | Op::Trim(_)
            | Op::Move(..)
            | Op::MoveXX(..)
            | Op::PutListReturn(..)
            | Op::PutListReturnYX(..)
            | Op::PutListReturnY0X(..)
            | Op::MoveXY(..)
            | Op::MoveYX(..)
            | Op::MoveCX(..)
            | Op::Swap(..)
            | Op::InitY(_)
            | Op::GetList(..)
            | Op::GetHd(..)
            | Op::GetTl(..)
            | Op::GetTupleElement(..)
            | Op::SetTupleElement(..)
            | Op::PutList(..)
            | Op::PutTuple2(..)
            | Op::CatchEnd(_)
            | Op::TryEnd(_)
            | Op::TryCase(_)
            | Op::TryCaseEnd(_)
            | Op::Raise(..)
            | Op::BuildStacktrace
            | Op::RawRaise
            | Op::Badmatch(_)
            | Op::IfEnd
            | Op::CaseEnd(_)
            | Op::Badrecord(_)
            | Op::CallFun(_)
            | Op::CallFun2(..)
            | Op::CallFunLast(..)
            | Op::CallFun2Last(..)
            | Op::MakeFun(..)
            | Op::Apply { .. }
            | Op::ApplyBif { .. }
            | Op::FLoad(..)
            | Op::FStore(..)
            | Op::FMove(..)
            | Op::FArith(..)
            | Op::FNeg(..)
            | Op::BsGetPosition(..)
            | Op::BsSetPosition(..)
            | Op::BsGetTail(..)
            | Op::BsContextToBinary(_)
            | Op::Send
            | Op::RemoveMessage
            | Op::Timeout
            | Op::BsInitWritable
            | Op::DeallocReturn(_)
            | Op::Move2(..)
            | Op::GetTupleElement2(..)
            | Op::Nop
            | Op::Exit
            | Op::TraceLocal(_)
            | Op::CountCall(_)
            | Op::TraceGlobal(_)
            | Op::ReturnTrace
            | Op::CodeEnd => {}
        }
    }
}

/// Whether `code` keeps the promises [`super::fetch`] relies on: it ends with
/// [`Op::CodeEnd`] and every branch target is an index in it.
pub fn dispatch_safe(code: &[Op]) -> bool {
    let mut ok = matches!(code.last(), Some(Op::CodeEnd));
    for op in code {
        op.for_each_label(|l| ok &= (l as usize) < code.len());
    }
    ok
}

macro_rules! op_kinds {
    ($($kind:ident = $generic:literal,)*) => {
        /// The variants of [`Op`] without their operands, numbered in list order.
        #[derive(Clone, Copy)]
        enum OpKind {
            $($kind,)*
        }

        impl Op {
            /// The number of variants: [`Op::index`] is below it.
            pub const KINDS: usize = Self::NAMES.len();

            /// The variants' names, indexed by [`Op::index`].
            pub const NAMES: &'static [&'static str] = &[$(stringify!($kind),)*];

            /// The variant's name, e.g. `"Move2"`.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Op::$kind { .. } => stringify!($kind),)*
                }
            }

            /// The variant's position in [`Op::NAMES`], for counting instructions by kind.
            pub fn index(&self) -> usize {
                let kind = match self {
                    $(Op::$kind { .. } => OpKind::$kind,)*
                };
                kind as usize
            }

            /// How many generic BEAM instructions this instruction does the work of: 2 for a
            /// fused pair, 1 for the rest.
            pub fn generic_len(&self) -> u32 {
                match self {
                    $(Op::$kind { .. } => $generic,)*
                }
            }
        }
    };
}

op_kinds! {
    FuncInfo = 1,
    Call = 1,
    CallLast = 1,
    CallOnly = 1,
    CallExt = 1,
    CallBif = 1,
    Bif = 1,
    AddSub = 1,
    IntArith = 1,
    SizeOf = 1,
    Element = 1,
    AddImm = 1,
    AddImmY = 1,
    EqImm = 1,
    NeImm = 1,
    Order = 1,
    Allocate = 1,
    TestHeap = 1,
    Deallocate = 1,
    Return = 1,
    Trim = 1,
    Move = 1,
    MoveXX = 1,
    ConsAllocGetList = 3,
    ConsAllocGetListCall = 4,
    PutListReturn = 3,
    PutListReturnYX = 3,
    PutListReturnY0X = 3,
    Move2Call = 3,
    AllocMove2Call = 4,
    AddImmAllocCall = 1,
    AddImmYCall = 1,
    AddSubReturn = 3,
    AddReturnYX = 3,
    MoveXY = 1,
    MoveYX = 1,
    MoveCX = 1,
    Swap = 1,
    InitY = 1,
    Test = 1,
    TestCons = 1,
    TestNil = 1,
    Cmp = 1,
    IsFunction2 = 1,
    TestArity = 1,
    IsTaggedTuple = 1,
    SelectVal = 1,
    SelectValX = 1,
    JumpOnVal = 1,
    SelectTupleArity = 1,
    Jump = 1,
    GetList = 1,
    GetHd = 1,
    GetTl = 1,
    GetTupleElement = 1,
    SetTupleElement = 1,
    PutList = 1,
    PutTuple2 = 1,
    Catch = 1,
    CatchEnd = 1,
    TryEnd = 1,
    TryCase = 1,
    TryCaseEnd = 1,
    Raise = 1,
    BuildStacktrace = 1,
    RawRaise = 1,
    Badmatch = 1,
    IfEnd = 1,
    CaseEnd = 1,
    Badrecord = 1,
    CallFun = 1,
    CallFun2 = 1,
    CallFunLast = 3,
    CallFun2Last = 3,
    MakeFun = 1,
    Apply = 1,
    ApplyBif = 1,
    PutMap = 1,
    HasMapFields = 1,
    GetMapElements = 1,
    FLoad = 1,
    FStore = 1,
    FMove = 1,
    FArith = 1,
    FNeg = 1,
    BsCreateBin = 1,
    BsStartMatch = 1,
    BsGet = 1,
    BsSkip = 1,
    BsUtf = 1,
    BsTestTail = 1,
    BsTestUnit = 1,
    BsMatchString = 1,
    BsGetPosition = 1,
    BsSetPosition = 1,
    BsGetTail = 1,
    BsContextToBinary = 1,
    Send = 1,
    LoopRec = 1,
    LoopRecEnd = 1,
    RemoveMessage = 1,
    Timeout = 1,
    Wait = 1,
    WaitTimeout = 1,
    BsInitWritable = 1,
    DeallocReturn = 2,
    TestGetList = 2,
    Move2 = 2,
    GetTupleElement2 = 2,
    Nop = 1,
    Exit = 1,
    TraceLocal = 0,
    CountCall = 0,
    TraceGlobal = 0,
    ReturnTrace = 0,
    CodeEnd = 1,
}

#[cfg(test)]
mod tests {
    /// The built-in init module keeps the promises of the unchecked instruction fetch.
    #[test]
    fn the_init_stub_is_dispatch_safe() {
        use crate::vm::atom;
        let mut code = crate::vm::code::Code::new(atom::INIT, atom::START_EM, atom::DO_BOOT);
        assert!(super::dispatch_safe(&code.modules[0].code));
        let bad = &mut code.modules[0].code;
        bad.insert(0, super::Op::Jump(99));
        assert!(!super::dispatch_safe(bad));
        bad.remove(0);
        bad.pop();
        assert!(!super::dispatch_safe(bad));
    }

    /// One instruction should stay within a cache line.
    #[test]
    fn op_fits_a_cache_line() {
        assert!(core::mem::size_of::<super::Op>() <= 64);
    }

    /// Names are unique and agree with the indices; fused pairs count as two instructions.
    #[test]
    fn kinds_are_named_and_fused_pairs_count_twice() {
        use super::{Dst, Op, Src};
        for (i, a) in Op::NAMES.iter().enumerate() {
            assert!(!Op::NAMES[..i].contains(a), "{a} is listed twice");
        }
        let mv = Op::Move2(Src::X(0), Dst::X(1), Src::X(2), Dst::X(3));
        assert_eq!((mv.name(), mv.generic_len()), ("Move2", 2));
        assert_eq!(Op::NAMES[mv.index()], "Move2");
        assert_eq!(Op::NAMES[Op::Exit.index()], "Exit");
        assert_eq!(Op::Return.generic_len(), 1);
        assert_eq!(Op::DeallocReturn(1).generic_len(), 2);
    }
}
