//! The scheduler: which process runs next, timers, and the seed's loop.
//!
//! The loop, as in LING's scheduler: park the process that just ran (by why it stopped),
//! `select_runnable`, `events_do_pending`, and when nothing can run `wait_for_events` until an
//! event channel fires or the next timer is due.

pub mod io;
pub mod node;
pub mod queue;
pub mod state;
pub mod timers;

pub use node::{Node, Stop};

#[cfg(test)]
mod tests;
