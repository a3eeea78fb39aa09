//! xenbeam: an Erlang runtime that boots as a Xen PV guest.
//!
//! This crate is the platform-independent runtime: the scheduler, processes, outlets and pores,
//! and the BEAM loader and interpreter. It is `no_std` with `alloc` so the same code runs inside
//! the image and, under test, on the host.
#![cfg_attr(not(test), no_std)]
// No unsafe code, but for the one module that allows it and says why its block holds:
// `vm::fetch`, the interpreter's instruction fetch.
#![deny(unsafe_code)]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

pub mod archive;
pub mod etf;
pub mod loader;
pub mod outlet;
pub mod platform;
pub mod pore;
pub mod sched;
pub mod slots;
pub mod sort;
pub mod vm;
pub mod wordhash;
pub mod wordmap;
