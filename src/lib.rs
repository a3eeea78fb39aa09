//! xenbeam: an Erlang runtime that boots as a Xen PV guest.
//!
//! This crate is the platform-independent runtime: the scheduler, processes, outlets and pores,
//! and the BEAM loader and interpreter. It is `no_std` with `alloc` so the same code runs inside
//! the image and, under test, on the host.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

pub mod archive;
pub mod etf;
pub mod loader;
pub mod outlet;
pub mod platform;
pub mod pore;
pub mod sched;
pub mod slots;
pub mod vm;
