//! Xen protocol definitions shared by the platform layer and the runtime.
//!
//! What two domains agree on when they share a page, and nothing that needs the hypervisor:
//! the byte-ring transport ([`ring`]: layouts, index validation, produce and consume over any
//! [`ring::RingMemory`]), the Xenstore wire format ([`xenstore`]: ring layouts, message
//! headers, the connection words of the ring page) and a tracker of Xenstore message
//! boundaries ([`framing`]).
//!
//! Invariant: this crate holds no unsafe code and issues no hypercalls, so the runtime can
//! depend on it without depending on the platform crate. Memory another domain writes is
//! reached only through [`ring::RingMemory`] accessors, never through references.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod framing;
pub mod ring;
pub mod xenstore;

#[cfg(test)]
pub(crate) mod testing;
