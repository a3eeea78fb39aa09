//! x86_64 support for the xenbeam image: the entry point, the boot stack, trap entry stubs, the
//! raw hypercall instruction sequence and the few registers the kernel reads.
//!
//! This crate is the only place that holds assembly. Everything here that touches the machine
//! is compiled only for the image (`target_os = "none"`); the data layouts (trap frames, vector
//! names) are plain Rust and tested on the host.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]

pub mod cpu;
#[cfg(target_os = "none")]
pub mod entry;
pub mod trap;
