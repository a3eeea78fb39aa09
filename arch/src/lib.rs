//! x86_64 support.
#![no_std]
