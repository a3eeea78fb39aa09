//! The Xen PV platform layer of the xenbeam image.
//!
//! Everything the kernel needs from Xen lives here, and nothing else in the project issues a
//! hypercall: start_info and shared_info, the console ring, event channels, the clock and the
//! one-shot timer, page tables, the page allocator and heap, the trap table, crash reports and
//! a synchronous Xenstore client for boot time.
//!
//! The ring transport and the Xenstore wire format are pure protocol and live in the
//! `xenbeam-xenproto` crate, which the runtime uses too; this crate implements its memory
//! trait for shared pages and re-exports it as [`ring`]. Pure logic (command-line parsing,
//! time scaling, the page allocator's bookkeeping, ELF note layout) is plain Rust tested on
//! the host; the parts that touch Xen are compiled only for the image (`target_os = "none"`).
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]

extern crate alloc;

pub mod cmdline;
pub mod console;
pub mod elfnote;
pub mod error;
pub mod events;
pub mod idle;
pub mod pages;
pub mod shared;
pub mod time;
pub mod xenstore;

#[cfg(target_os = "none")]
pub mod crash;
// The heap builds on the host too, for its tests (it cannot grow there).
#[cfg(any(target_os = "none", test))]
pub mod heap;
#[cfg(target_os = "none")]
pub mod hypercall;
#[cfg(target_os = "none")]
pub mod logger;
#[cfg(target_os = "none")]
pub mod mm;
#[cfg(target_os = "none")]
pub mod platform;
#[cfg(target_os = "none")]
pub mod traps;

pub use error::XenError;
/// Byte rings in shared pages (from the protocol crate; [`shared::SharedPage`] implements
/// its memory trait).
pub use xenbeam_xenproto::ring;
