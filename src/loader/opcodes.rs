//! The generic BEAM opcodes of OTP 25 (genop.tab, BEAM format 0): number, name, arity and
//! operand signature.
//!
//! Opcode numbers are stable across OTP releases; OTP 25 defines 1..=180. Each entry
//! also says whether OTP 25 still produces or accepts it ([`OpcodeStatus`]): obsolete opcodes
//! are refused by OTP 25's own loader and by ours; legacy ones are still loadable (modules from
//! older compilers use them) but the OTP 25 compiler never emits them.
//!
//! Each opcode's [`Opcode::signature`] has one letter per operand saying which kinds of
//! [`Operand`] the position accepts; the loader refuses an instruction whose operand does not
//! fit its letter ([`accepts`]). The letters:
//!
//! | letter | accepts |
//! |--------|---------|
//! | `u` | an unsigned literal: arity, count, size, flags, index into a table |
//! | `a` | an atom |
//! | `x` | an X register |
//! | `y` | a Y register |
//! | `d` | a register, X or Y: a destination, or a source that must be a register |
//! | `s` | a source: a register, literal, atom, nil, integer or character |
//! | `f` | a label; 0 means "no failure label" where the instruction raises instead |
//! | `j` | a label or an atom (`bs_start_match4`'s `no_fail` and `resume`) |
//! | `t` | an atom or an unsigned literal (`call_fun2`'s tag, `bs_save2`'s slot) |
//! | `l` | a list (select_val pairs, map pairs, tuple elements, fun environment, segments) |
//! | `F` | a float register |
//! | `L` | an allocation list or an unsigned literal (heap need) |
//! | `S` | a source or a float register (`fmove` loads or stores) |
//! | `D` | a register or a float register (`fmove` loads or stores) |
//!
//! The signatures follow the operand kinds OTP 25's own loader accepts for each generic
//! instruction (its ops.tab) and what `erlc` emits; a test loads every module of the installed
//! OTP and of this project's Erlang sources against them.

use crate::loader::module::Operand;

/// The highest opcode number defined by OTP 25 (`badrecord/1`).
pub const MAX_OPCODE: u8 = 180;

/// Whether an opcode is still in use in OTP 25.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpcodeStatus {
    /// Emitted by the OTP 25 compiler.
    Current,
    /// Loadable, but no longer emitted by the OTP 25 compiler (superseded, for example, by
    /// `bs_create_bin`, `bs_start_match4`, `put_tuple2` or `recv_marker_*`).
    Legacy,
    /// Marked obsolete in genop.tab: modules using it must be recompiled.
    Obsolete,
}

/// One generic opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opcode {
    /// The opcode number.
    pub number: u8,
    /// The name, as in genop.tab and `erlc -S` output.
    pub name: &'static str,
    /// The number of operands (genop.tab's arity; equal to the signature's length).
    pub arity: u8,
    /// One letter per operand saying which operand kinds it accepts (see the module docs).
    pub signature: &'static str,
    /// Whether OTP 25 still uses it.
    pub status: OpcodeStatus,
}

const fn op(
    number: u8,
    name: &'static str,
    arity: u8,
    signature: &'static str,
    status: OpcodeStatus,
) -> Opcode {
    Opcode {
        number,
        name,
        arity,
        signature,
        status,
    }
}

/// Every letter a signature may use, in the order of the module docs' table.
pub const OPERAND_KINDS: &str = "uaxydsfjtlFLSD";

/// Whether `arg` is of the kind signature letter `kind` stands for. An unknown letter accepts
/// nothing.
pub fn accepts(kind: u8, arg: &Operand) -> bool {
    let register = matches!(arg, Operand::X(_) | Operand::Y(_));
    let source = register
        || matches!(
            arg,
            Operand::Literal(_)
                | Operand::Atom(_)
                | Operand::Nil
                | Operand::Integer(_)
                | Operand::BigInteger(_)
                | Operand::Char(_)
        );
    let float_register = matches!(arg, Operand::FloatReg(_));
    match kind {
        b'u' => matches!(arg, Operand::Unsigned(_)),
        b'a' => matches!(arg, Operand::Atom(_)),
        b'x' => matches!(arg, Operand::X(_)),
        b'y' => matches!(arg, Operand::Y(_)),
        b'd' => register,
        b's' => source,
        b'f' => matches!(arg, Operand::Label(_)),
        b'j' => matches!(arg, Operand::Label(_) | Operand::Atom(_)),
        b't' => matches!(arg, Operand::Atom(_) | Operand::Unsigned(_)),
        b'l' => matches!(arg, Operand::List(_)),
        b'F' => float_register,
        b'L' => matches!(arg, Operand::AllocList(_) | Operand::Unsigned(_)),
        b'S' => source || float_register,
        b'D' => register || float_register,
        _ => false,
    }
}

use OpcodeStatus::{Current, Legacy, Obsolete};

/// All OTP 25 opcodes; `OPCODES[n - 1]` is opcode `n`.
pub static OPCODES: [Opcode; MAX_OPCODE as usize] = [
    op(1, "label", 1, "u", Current),
    op(2, "func_info", 3, "aau", Current),
    op(3, "int_code_end", 0, "", Current),
    op(4, "call", 2, "uf", Current),
    op(5, "call_last", 3, "ufu", Current),
    op(6, "call_only", 2, "uf", Current),
    op(7, "call_ext", 2, "uu", Current),
    op(8, "call_ext_last", 3, "uuu", Current),
    op(9, "bif0", 2, "ud", Current),
    op(10, "bif1", 4, "fusd", Current),
    op(11, "bif2", 5, "fussd", Current),
    op(12, "allocate", 2, "uu", Current),
    op(13, "allocate_heap", 3, "uLu", Current),
    op(14, "allocate_zero", 2, "uu", Current),
    op(15, "allocate_heap_zero", 3, "uLu", Current),
    op(16, "test_heap", 2, "Lu", Current),
    op(17, "init", 1, "y", Current),
    op(18, "deallocate", 1, "u", Current),
    op(19, "return", 0, "", Current),
    op(20, "send", 0, "", Current),
    op(21, "remove_message", 0, "", Current),
    op(22, "timeout", 0, "", Current),
    op(23, "loop_rec", 2, "fx", Current),
    op(24, "loop_rec_end", 1, "f", Current),
    op(25, "wait", 1, "f", Current),
    op(26, "wait_timeout", 2, "fs", Current),
    op(27, "m_plus", 4, "fssd", Obsolete),
    op(28, "m_minus", 4, "fssd", Obsolete),
    op(29, "m_times", 4, "fssd", Obsolete),
    op(30, "m_div", 4, "fssd", Obsolete),
    op(31, "int_div", 4, "fssd", Obsolete),
    op(32, "int_rem", 4, "fssd", Obsolete),
    op(33, "int_band", 4, "fssd", Obsolete),
    op(34, "int_bor", 4, "fssd", Obsolete),
    op(35, "int_bxor", 4, "fssd", Obsolete),
    op(36, "int_bsl", 4, "fssd", Obsolete),
    op(37, "int_bsr", 4, "fssd", Obsolete),
    op(38, "int_bnot", 3, "fsd", Obsolete),
    op(39, "is_lt", 3, "fss", Current),
    op(40, "is_ge", 3, "fss", Current),
    op(41, "is_eq", 3, "fss", Current),
    op(42, "is_ne", 3, "fss", Current),
    op(43, "is_eq_exact", 3, "fss", Current),
    op(44, "is_ne_exact", 3, "fss", Current),
    op(45, "is_integer", 2, "fs", Current),
    op(46, "is_float", 2, "fs", Current),
    op(47, "is_number", 2, "fs", Current),
    op(48, "is_atom", 2, "fs", Current),
    op(49, "is_pid", 2, "fs", Current),
    op(50, "is_reference", 2, "fs", Current),
    op(51, "is_port", 2, "fs", Current),
    op(52, "is_nil", 2, "fs", Current),
    op(53, "is_binary", 2, "fs", Current),
    op(54, "is_constant", 2, "fs", Obsolete),
    op(55, "is_list", 2, "fs", Current),
    op(56, "is_nonempty_list", 2, "fs", Current),
    op(57, "is_tuple", 2, "fs", Current),
    op(58, "test_arity", 3, "fsu", Current),
    op(59, "select_val", 3, "sfl", Current),
    op(60, "select_tuple_arity", 3, "dfl", Current),
    op(61, "jump", 1, "f", Current),
    op(62, "catch", 2, "yf", Current),
    op(63, "catch_end", 1, "y", Current),
    op(64, "move", 2, "sd", Current),
    op(65, "get_list", 3, "ddd", Current),
    op(66, "get_tuple_element", 3, "dud", Current),
    op(67, "set_tuple_element", 3, "sdu", Current),
    op(68, "put_string", 3, "uud", Obsolete),
    op(69, "put_list", 3, "ssd", Current),
    op(70, "put_tuple", 2, "ud", Legacy),
    op(71, "put", 1, "s", Legacy),
    op(72, "badmatch", 1, "s", Current),
    op(73, "if_end", 0, "", Current),
    op(74, "case_end", 1, "s", Current),
    op(75, "call_fun", 1, "u", Current),
    op(76, "make_fun", 3, "fuu", Obsolete),
    op(77, "is_function", 2, "fs", Current),
    op(78, "call_ext_only", 2, "uu", Current),
    op(79, "bs_start_match", 2, "fd", Obsolete),
    op(80, "bs_get_integer", 5, "fsuud", Obsolete),
    op(81, "bs_get_float", 5, "fsuud", Obsolete),
    op(82, "bs_get_binary", 5, "fsuud", Obsolete),
    op(83, "bs_skip_bits", 4, "fsuu", Obsolete),
    op(84, "bs_test_tail", 2, "fu", Obsolete),
    op(85, "bs_save", 1, "u", Obsolete),
    op(86, "bs_restore", 1, "u", Obsolete),
    op(87, "bs_init", 2, "uu", Obsolete),
    op(88, "bs_final", 2, "fd", Obsolete),
    op(89, "bs_put_integer", 5, "fsuus", Legacy),
    op(90, "bs_put_binary", 5, "fsuus", Legacy),
    op(91, "bs_put_float", 5, "fsuus", Legacy),
    op(92, "bs_put_string", 2, "uu", Legacy),
    op(93, "bs_need_buf", 1, "u", Obsolete),
    op(94, "fclearerror", 0, "", Current),
    op(95, "fcheckerror", 1, "f", Current),
    op(96, "fmove", 2, "SD", Current),
    op(97, "fconv", 2, "sF", Current),
    op(98, "fadd", 4, "fFFF", Current),
    op(99, "fsub", 4, "fFFF", Current),
    op(100, "fmul", 4, "fFFF", Current),
    op(101, "fdiv", 4, "fFFF", Current),
    op(102, "fnegate", 3, "fFF", Current),
    op(103, "make_fun2", 1, "u", Current),
    op(104, "try", 2, "yf", Current),
    op(105, "try_end", 1, "y", Current),
    op(106, "try_case", 1, "y", Current),
    op(107, "try_case_end", 1, "s", Current),
    op(108, "raise", 2, "ss", Current),
    op(109, "bs_init2", 6, "fsuuud", Legacy),
    op(110, "bs_bits_to_bytes", 3, "fsd", Obsolete),
    op(111, "bs_add", 5, "fssud", Legacy),
    op(112, "apply", 1, "u", Current),
    op(113, "apply_last", 2, "uu", Current),
    op(114, "is_boolean", 2, "fs", Current),
    op(115, "is_function2", 3, "fss", Current),
    op(116, "bs_start_match2", 5, "fsuud", Legacy),
    op(117, "bs_get_integer2", 7, "fdusuud", Current),
    op(118, "bs_get_float2", 7, "fdusuud", Current),
    op(119, "bs_get_binary2", 7, "fdusuud", Current),
    op(120, "bs_skip_bits2", 5, "fdsuu", Current),
    op(121, "bs_test_tail2", 3, "fdu", Current),
    op(122, "bs_save2", 2, "dt", Legacy),
    op(123, "bs_restore2", 2, "dt", Legacy),
    op(124, "gc_bif1", 5, "fuusd", Current),
    op(125, "gc_bif2", 6, "fuussd", Current),
    op(126, "bs_final2", 2, "dd", Obsolete),
    op(127, "bs_bits_to_bytes2", 2, "sd", Obsolete),
    op(128, "put_literal", 2, "ud", Obsolete),
    op(129, "is_bitstr", 2, "fs", Current),
    op(130, "bs_context_to_binary", 1, "d", Legacy),
    op(131, "bs_test_unit", 3, "fdu", Current),
    op(132, "bs_match_string", 4, "fduu", Current),
    op(133, "bs_init_writable", 0, "", Current),
    op(134, "bs_append", 8, "fsuuusud", Legacy),
    op(135, "bs_private_append", 6, "fsusud", Legacy),
    op(136, "trim", 2, "uu", Current),
    op(137, "bs_init_bits", 6, "fsuuud", Legacy),
    op(138, "bs_get_utf8", 5, "fduud", Current),
    op(139, "bs_skip_utf8", 4, "fduu", Current),
    op(140, "bs_get_utf16", 5, "fduud", Current),
    op(141, "bs_skip_utf16", 4, "fduu", Current),
    op(142, "bs_get_utf32", 5, "fduud", Current),
    op(143, "bs_skip_utf32", 4, "fduu", Current),
    op(144, "bs_utf8_size", 3, "fsd", Legacy),
    op(145, "bs_put_utf8", 3, "fus", Legacy),
    op(146, "bs_utf16_size", 3, "fsd", Legacy),
    op(147, "bs_put_utf16", 3, "fus", Legacy),
    op(148, "bs_put_utf32", 3, "fus", Legacy),
    op(149, "on_load", 0, "", Current),
    op(150, "recv_mark", 1, "f", Legacy),
    op(151, "recv_set", 1, "f", Legacy),
    op(152, "gc_bif3", 7, "fuusssd", Current),
    op(153, "line", 1, "u", Current),
    op(154, "put_map_assoc", 5, "fsdul", Current),
    op(155, "put_map_exact", 5, "fsdul", Current),
    op(156, "is_map", 2, "fs", Current),
    op(157, "has_map_fields", 3, "fsl", Current),
    op(158, "get_map_elements", 3, "fsl", Current),
    op(159, "is_tagged_tuple", 4, "fsua", Current),
    op(160, "build_stacktrace", 0, "", Current),
    op(161, "raw_raise", 0, "", Current),
    op(162, "get_hd", 2, "dd", Current),
    op(163, "get_tl", 2, "dd", Current),
    op(164, "put_tuple2", 2, "dl", Current),
    op(165, "bs_get_tail", 3, "ddu", Current),
    op(166, "bs_start_match3", 4, "fsud", Current),
    op(167, "bs_get_position", 3, "ddu", Current),
    op(168, "bs_set_position", 2, "dd", Current),
    op(169, "swap", 2, "dd", Current),
    op(170, "bs_start_match4", 4, "judd", Current),
    op(171, "make_fun3", 3, "udl", Current),
    op(172, "init_yregs", 1, "l", Current),
    op(173, "recv_marker_bind", 2, "dd", Current),
    op(174, "recv_marker_clear", 1, "d", Current),
    op(175, "recv_marker_reserve", 1, "d", Current),
    op(176, "recv_marker_use", 1, "d", Current),
    op(177, "bs_create_bin", 6, "fLuudl", Current),
    op(178, "call_fun2", 3, "tus", Current),
    op(179, "nif_start", 0, "", Current),
    op(180, "badrecord", 1, "s", Current),
];

/// The opcode with this number, if OTP 25 defines one.
pub fn by_number(number: u8) -> Option<&'static Opcode> {
    OPCODES.get(usize::from(number).checked_sub(1)?)
}

/// The opcode with this name, if OTP 25 defines one.
pub fn by_name(name: &str) -> Option<&'static Opcode> {
    OPCODES.iter().find(|op| op.name == name)
}

/// Named opcode numbers used by the loader's validation.
pub mod number {
    /// `label/1`.
    pub const LABEL: u8 = 1;
    /// `func_info/3`.
    pub const FUNC_INFO: u8 = 2;
    /// `int_code_end/0`.
    pub const INT_CODE_END: u8 = 3;
    /// `call/2`.
    pub const CALL: u8 = 4;
    /// `call_last/3`.
    pub const CALL_LAST: u8 = 5;
    /// `call_only/2`.
    pub const CALL_ONLY: u8 = 6;
    /// `call_ext/2`.
    pub const CALL_EXT: u8 = 7;
    /// `call_ext_last/3`.
    pub const CALL_EXT_LAST: u8 = 8;
    /// `bif0/2`.
    pub const BIF0: u8 = 9;
    /// `bif1/4`.
    pub const BIF1: u8 = 10;
    /// `bif2/5`.
    pub const BIF2: u8 = 11;
    /// `allocate/2`.
    pub const ALLOCATE: u8 = 12;
    /// `allocate_heap/3`.
    pub const ALLOCATE_HEAP: u8 = 13;
    /// `allocate_zero/2`.
    pub const ALLOCATE_ZERO: u8 = 14;
    /// `allocate_heap_zero/3`.
    pub const ALLOCATE_HEAP_ZERO: u8 = 15;
    /// `test_heap/2`.
    pub const TEST_HEAP: u8 = 16;
    /// `init/1`.
    pub const INIT: u8 = 17;
    /// `deallocate/1`.
    pub const DEALLOCATE: u8 = 18;
    /// `return/0`.
    pub const RETURN: u8 = 19;
    /// `send/0`.
    pub const SEND: u8 = 20;
    /// `remove_message/0`.
    pub const REMOVE_MESSAGE: u8 = 21;
    /// `timeout/0`.
    pub const TIMEOUT: u8 = 22;
    /// `loop_rec/2`.
    pub const LOOP_REC: u8 = 23;
    /// `loop_rec_end/1`.
    pub const LOOP_REC_END: u8 = 24;
    /// `wait/1`.
    pub const WAIT: u8 = 25;
    /// `wait_timeout/2`.
    pub const WAIT_TIMEOUT: u8 = 26;
    /// `m_plus/4`.
    pub const M_PLUS: u8 = 27;
    /// `m_minus/4`.
    pub const M_MINUS: u8 = 28;
    /// `m_times/4`.
    pub const M_TIMES: u8 = 29;
    /// `m_div/4`.
    pub const M_DIV: u8 = 30;
    /// `int_div/4`.
    pub const INT_DIV: u8 = 31;
    /// `int_rem/4`.
    pub const INT_REM: u8 = 32;
    /// `int_band/4`.
    pub const INT_BAND: u8 = 33;
    /// `int_bor/4`.
    pub const INT_BOR: u8 = 34;
    /// `int_bxor/4`.
    pub const INT_BXOR: u8 = 35;
    /// `int_bsl/4`.
    pub const INT_BSL: u8 = 36;
    /// `int_bsr/4`.
    pub const INT_BSR: u8 = 37;
    /// `int_bnot/3`.
    pub const INT_BNOT: u8 = 38;
    /// `is_lt/3`.
    pub const IS_LT: u8 = 39;
    /// `is_ge/3`.
    pub const IS_GE: u8 = 40;
    /// `is_eq/3`.
    pub const IS_EQ: u8 = 41;
    /// `is_ne/3`.
    pub const IS_NE: u8 = 42;
    /// `is_eq_exact/3`.
    pub const IS_EQ_EXACT: u8 = 43;
    /// `is_ne_exact/3`.
    pub const IS_NE_EXACT: u8 = 44;
    /// `is_integer/2`.
    pub const IS_INTEGER: u8 = 45;
    /// `is_float/2`.
    pub const IS_FLOAT: u8 = 46;
    /// `is_number/2`.
    pub const IS_NUMBER: u8 = 47;
    /// `is_atom/2`.
    pub const IS_ATOM: u8 = 48;
    /// `is_pid/2`.
    pub const IS_PID: u8 = 49;
    /// `is_reference/2`.
    pub const IS_REFERENCE: u8 = 50;
    /// `is_port/2`.
    pub const IS_PORT: u8 = 51;
    /// `is_nil/2`.
    pub const IS_NIL: u8 = 52;
    /// `is_binary/2`.
    pub const IS_BINARY: u8 = 53;
    /// `is_constant/2`.
    pub const IS_CONSTANT: u8 = 54;
    /// `is_list/2`.
    pub const IS_LIST: u8 = 55;
    /// `is_nonempty_list/2`.
    pub const IS_NONEMPTY_LIST: u8 = 56;
    /// `is_tuple/2`.
    pub const IS_TUPLE: u8 = 57;
    /// `test_arity/3`.
    pub const TEST_ARITY: u8 = 58;
    /// `select_val/3`.
    pub const SELECT_VAL: u8 = 59;
    /// `select_tuple_arity/3`.
    pub const SELECT_TUPLE_ARITY: u8 = 60;
    /// `jump/1`.
    pub const JUMP: u8 = 61;
    /// `catch/2`.
    pub const CATCH: u8 = 62;
    /// `catch_end/1`.
    pub const CATCH_END: u8 = 63;
    /// `move/2`.
    pub const MOVE: u8 = 64;
    /// `get_list/3`.
    pub const GET_LIST: u8 = 65;
    /// `get_tuple_element/3`.
    pub const GET_TUPLE_ELEMENT: u8 = 66;
    /// `set_tuple_element/3`.
    pub const SET_TUPLE_ELEMENT: u8 = 67;
    /// `put_string/3`.
    pub const PUT_STRING: u8 = 68;
    /// `put_list/3`.
    pub const PUT_LIST: u8 = 69;
    /// `put_tuple/2`.
    pub const PUT_TUPLE: u8 = 70;
    /// `put/1`.
    pub const PUT: u8 = 71;
    /// `badmatch/1`.
    pub const BADMATCH: u8 = 72;
    /// `if_end/0`.
    pub const IF_END: u8 = 73;
    /// `case_end/1`.
    pub const CASE_END: u8 = 74;
    /// `call_fun/1`.
    pub const CALL_FUN: u8 = 75;
    /// `make_fun/3`.
    pub const MAKE_FUN: u8 = 76;
    /// `is_function/2`.
    pub const IS_FUNCTION: u8 = 77;
    /// `call_ext_only/2`.
    pub const CALL_EXT_ONLY: u8 = 78;
    /// `bs_start_match/2`.
    pub const BS_START_MATCH: u8 = 79;
    /// `bs_get_integer/5`.
    pub const BS_GET_INTEGER: u8 = 80;
    /// `bs_get_float/5`.
    pub const BS_GET_FLOAT: u8 = 81;
    /// `bs_get_binary/5`.
    pub const BS_GET_BINARY: u8 = 82;
    /// `bs_skip_bits/4`.
    pub const BS_SKIP_BITS: u8 = 83;
    /// `bs_test_tail/2`.
    pub const BS_TEST_TAIL: u8 = 84;
    /// `bs_save/1`.
    pub const BS_SAVE: u8 = 85;
    /// `bs_restore/1`.
    pub const BS_RESTORE: u8 = 86;
    /// `bs_init/2`.
    pub const BS_INIT: u8 = 87;
    /// `bs_final/2`.
    pub const BS_FINAL: u8 = 88;
    /// `bs_put_integer/5`.
    pub const BS_PUT_INTEGER: u8 = 89;
    /// `bs_put_binary/5`.
    pub const BS_PUT_BINARY: u8 = 90;
    /// `bs_put_float/5`.
    pub const BS_PUT_FLOAT: u8 = 91;
    /// `bs_put_string/2`.
    pub const BS_PUT_STRING: u8 = 92;
    /// `bs_need_buf/1`.
    pub const BS_NEED_BUF: u8 = 93;
    /// `fclearerror/0`.
    pub const FCLEARERROR: u8 = 94;
    /// `fcheckerror/1`.
    pub const FCHECKERROR: u8 = 95;
    /// `fmove/2`.
    pub const FMOVE: u8 = 96;
    /// `fconv/2`.
    pub const FCONV: u8 = 97;
    /// `fadd/4`.
    pub const FADD: u8 = 98;
    /// `fsub/4`.
    pub const FSUB: u8 = 99;
    /// `fmul/4`.
    pub const FMUL: u8 = 100;
    /// `fdiv/4`.
    pub const FDIV: u8 = 101;
    /// `fnegate/3`.
    pub const FNEGATE: u8 = 102;
    /// `make_fun2/1`.
    pub const MAKE_FUN2: u8 = 103;
    /// `try/2`.
    pub const TRY: u8 = 104;
    /// `try_end/1`.
    pub const TRY_END: u8 = 105;
    /// `try_case/1`.
    pub const TRY_CASE: u8 = 106;
    /// `try_case_end/1`.
    pub const TRY_CASE_END: u8 = 107;
    /// `raise/2`.
    pub const RAISE: u8 = 108;
    /// `bs_init2/6`.
    pub const BS_INIT2: u8 = 109;
    /// `bs_bits_to_bytes/3`.
    pub const BS_BITS_TO_BYTES: u8 = 110;
    /// `bs_add/5`.
    pub const BS_ADD: u8 = 111;
    /// `apply/1`.
    pub const APPLY: u8 = 112;
    /// `apply_last/2`.
    pub const APPLY_LAST: u8 = 113;
    /// `is_boolean/2`.
    pub const IS_BOOLEAN: u8 = 114;
    /// `is_function2/3`.
    pub const IS_FUNCTION2: u8 = 115;
    /// `bs_start_match2/5`.
    pub const BS_START_MATCH2: u8 = 116;
    /// `bs_get_integer2/7`.
    pub const BS_GET_INTEGER2: u8 = 117;
    /// `bs_get_float2/7`.
    pub const BS_GET_FLOAT2: u8 = 118;
    /// `bs_get_binary2/7`.
    pub const BS_GET_BINARY2: u8 = 119;
    /// `bs_skip_bits2/5`.
    pub const BS_SKIP_BITS2: u8 = 120;
    /// `bs_test_tail2/3`.
    pub const BS_TEST_TAIL2: u8 = 121;
    /// `bs_save2/2`.
    pub const BS_SAVE2: u8 = 122;
    /// `bs_restore2/2`.
    pub const BS_RESTORE2: u8 = 123;
    /// `gc_bif1/5`.
    pub const GC_BIF1: u8 = 124;
    /// `gc_bif2/6`.
    pub const GC_BIF2: u8 = 125;
    /// `bs_final2/2`.
    pub const BS_FINAL2: u8 = 126;
    /// `bs_bits_to_bytes2/2`.
    pub const BS_BITS_TO_BYTES2: u8 = 127;
    /// `put_literal/2`.
    pub const PUT_LITERAL: u8 = 128;
    /// `is_bitstr/2`.
    pub const IS_BITSTR: u8 = 129;
    /// `bs_context_to_binary/1`.
    pub const BS_CONTEXT_TO_BINARY: u8 = 130;
    /// `bs_test_unit/3`.
    pub const BS_TEST_UNIT: u8 = 131;
    /// `bs_match_string/4`.
    pub const BS_MATCH_STRING: u8 = 132;
    /// `bs_init_writable/0`.
    pub const BS_INIT_WRITABLE: u8 = 133;
    /// `bs_append/8`.
    pub const BS_APPEND: u8 = 134;
    /// `bs_private_append/6`.
    pub const BS_PRIVATE_APPEND: u8 = 135;
    /// `trim/2`.
    pub const TRIM: u8 = 136;
    /// `bs_init_bits/6`.
    pub const BS_INIT_BITS: u8 = 137;
    /// `bs_get_utf8/5`.
    pub const BS_GET_UTF8: u8 = 138;
    /// `bs_skip_utf8/4`.
    pub const BS_SKIP_UTF8: u8 = 139;
    /// `bs_get_utf16/5`.
    pub const BS_GET_UTF16: u8 = 140;
    /// `bs_skip_utf16/4`.
    pub const BS_SKIP_UTF16: u8 = 141;
    /// `bs_get_utf32/5`.
    pub const BS_GET_UTF32: u8 = 142;
    /// `bs_skip_utf32/4`.
    pub const BS_SKIP_UTF32: u8 = 143;
    /// `bs_utf8_size/3`.
    pub const BS_UTF8_SIZE: u8 = 144;
    /// `bs_put_utf8/3`.
    pub const BS_PUT_UTF8: u8 = 145;
    /// `bs_utf16_size/3`.
    pub const BS_UTF16_SIZE: u8 = 146;
    /// `bs_put_utf16/3`.
    pub const BS_PUT_UTF16: u8 = 147;
    /// `bs_put_utf32/3`.
    pub const BS_PUT_UTF32: u8 = 148;
    /// `on_load/0`.
    pub const ON_LOAD: u8 = 149;
    /// `recv_mark/1`.
    pub const RECV_MARK: u8 = 150;
    /// `recv_set/1`.
    pub const RECV_SET: u8 = 151;
    /// `gc_bif3/7`.
    pub const GC_BIF3: u8 = 152;
    /// `line/1`.
    pub const LINE: u8 = 153;
    /// `put_map_assoc/5`.
    pub const PUT_MAP_ASSOC: u8 = 154;
    /// `put_map_exact/5`.
    pub const PUT_MAP_EXACT: u8 = 155;
    /// `is_map/2`.
    pub const IS_MAP: u8 = 156;
    /// `has_map_fields/3`.
    pub const HAS_MAP_FIELDS: u8 = 157;
    /// `get_map_elements/3`.
    pub const GET_MAP_ELEMENTS: u8 = 158;
    /// `is_tagged_tuple/4`.
    pub const IS_TAGGED_TUPLE: u8 = 159;
    /// `build_stacktrace/0`.
    pub const BUILD_STACKTRACE: u8 = 160;
    /// `raw_raise/0`.
    pub const RAW_RAISE: u8 = 161;
    /// `get_hd/2`.
    pub const GET_HD: u8 = 162;
    /// `get_tl/2`.
    pub const GET_TL: u8 = 163;
    /// `put_tuple2/2`.
    pub const PUT_TUPLE2: u8 = 164;
    /// `bs_get_tail/3`.
    pub const BS_GET_TAIL: u8 = 165;
    /// `bs_start_match3/4`.
    pub const BS_START_MATCH3: u8 = 166;
    /// `bs_get_position/3`.
    pub const BS_GET_POSITION: u8 = 167;
    /// `bs_set_position/2`.
    pub const BS_SET_POSITION: u8 = 168;
    /// `swap/2`.
    pub const SWAP: u8 = 169;
    /// `bs_start_match4/4`.
    pub const BS_START_MATCH4: u8 = 170;
    /// `make_fun3/3`.
    pub const MAKE_FUN3: u8 = 171;
    /// `init_yregs/1`.
    pub const INIT_YREGS: u8 = 172;
    /// `recv_marker_bind/2`.
    pub const RECV_MARKER_BIND: u8 = 173;
    /// `recv_marker_clear/1`.
    pub const RECV_MARKER_CLEAR: u8 = 174;
    /// `recv_marker_reserve/1`.
    pub const RECV_MARKER_RESERVE: u8 = 175;
    /// `recv_marker_use/1`.
    pub const RECV_MARKER_USE: u8 = 176;
    /// `bs_create_bin/6`.
    pub const BS_CREATE_BIN: u8 = 177;
    /// `call_fun2/3`.
    pub const CALL_FUN2: u8 = 178;
    /// `nif_start/0`.
    pub const NIF_START: u8 = 179;
    /// `badrecord/1`.
    pub const BADRECORD: u8 = 180;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_dense_and_consistent() {
        for (i, op) in OPCODES.iter().enumerate() {
            assert_eq!(usize::from(op.number), i + 1);
            assert_eq!(by_number(op.number), Some(op));
            assert_eq!(by_name(op.name), Some(op));
        }
        assert_eq!(by_number(0), None);
        assert_eq!(by_number(MAX_OPCODE + 1), None);
        assert_eq!(
            by_name("bs_create_bin").map(|o| (o.number, o.arity)),
            Some((177, 6))
        );
        assert_eq!(by_name("badrecord").map(|o| o.number), Some(MAX_OPCODE));
        assert_eq!(
            by_number(27).map(|o| o.status),
            Some(OpcodeStatus::Obsolete)
        );
    }

    #[test]
    fn every_signature_is_well_formed() {
        for op in &OPCODES {
            assert_eq!(op.signature.len(), usize::from(op.arity), "{}", op.name);
            for letter in op.signature.chars() {
                assert!(
                    OPERAND_KINDS.contains(letter),
                    "{}: unknown kind {letter:?}",
                    op.name
                );
            }
        }
        // Every letter of the alphabet is used by some opcode.
        for letter in OPERAND_KINDS.chars() {
            assert!(
                OPCODES.iter().any(|op| op.signature.contains(letter)),
                "{letter:?} unused"
            );
        }
        assert_eq!(by_name("move").map(|o| o.signature), Some("sd"));
        assert_eq!(by_name("call").map(|o| o.signature), Some("uf"));
    }

    #[test]
    fn kinds_accept_what_they_say() {
        use alloc::vec::Vec;
        let samples = [
            Operand::Unsigned(1),
            Operand::Integer(-1),
            Operand::Nil,
            Operand::Atom(0),
            Operand::X(0),
            Operand::Y(0),
            Operand::Label(0),
            Operand::Char(97),
            Operand::List(Vec::new()),
            Operand::FloatReg(0),
            Operand::AllocList(Vec::new()),
            Operand::Literal(0),
        ];
        let accepted = |kind: u8| -> Vec<usize> {
            (0..samples.len())
                .filter(|&i| accepts(kind, &samples[i]))
                .collect()
        };
        assert_eq!(accepted(b'u'), [0]);
        assert_eq!(accepted(b'a'), [3]);
        assert_eq!(accepted(b'x'), [4]);
        assert_eq!(accepted(b'y'), [5]);
        assert_eq!(accepted(b'd'), [4, 5]);
        assert_eq!(accepted(b's'), [1, 2, 3, 4, 5, 7, 11]);
        assert_eq!(accepted(b'f'), [6]);
        assert_eq!(accepted(b'j'), [3, 6]);
        assert_eq!(accepted(b't'), [0, 3]);
        assert_eq!(accepted(b'l'), [8]);
        assert_eq!(accepted(b'F'), [9]);
        assert_eq!(accepted(b'L'), [0, 10]);
        assert_eq!(accepted(b'S'), [1, 2, 3, 4, 5, 7, 9, 11]);
        assert_eq!(accepted(b'D'), [4, 5, 9]);
        assert!(accepted(b'?').is_empty());
    }
}
