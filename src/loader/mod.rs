//! The BEAM loader: turns the bytes of a `.beam` file made by OTP 25's `erlc` into a [`Module`].
//!
//! The loader validates everything it reads: a malformed file is an error naming what is wrong,
//! never a panic or a hang. It decodes the compact operand encoding into [`Operand`]s, one
//! [`Instruction`] per generic opcode, and resolves labels to instruction indices; the VM may
//! translate this generic form further for speed.

pub mod module;

pub use module::*;
