//! The BEAM loader: turns the bytes of a `.beam` file made by OTP 25's `erlc` into a [`Module`].
//!
//! The loader validates everything it reads: a malformed file is an error naming what is wrong,
//! never a panic or a hang. It decodes the compact operand encoding into [`Operand`]s, one
//! [`Instruction`] per generic opcode, and resolves labels to instruction indices; the VM may
//! translate this generic form further for speed.
//!
//! Guarantees of a loaded module: every operand's kind fits its opcode's signature
//! ([`opcodes::Opcode::signature`]); every atom, import, literal, fun and line index in the code
//! and tables is in range; every label operand other than 0 is defined; the code ends with
//! `int_code_end`; no opcode is obsolete; X registers are below [`MAX_X_REGISTERS`].

mod chunks;
mod compact;
mod error;
mod load;
pub mod module;
pub mod opcodes;
mod reader;
#[cfg(test)]
mod tests;

pub use compact::MAX_X_REGISTERS;
pub use error::{ChunkId, LoadError, OperandError, Problem, Table};
pub use load::{load, MAX_LITERAL_TABLE_BYTES};
pub use module::*;
