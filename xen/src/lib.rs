//! Xen.
#![no_std]
