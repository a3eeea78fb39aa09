//! The scheduler: which process runs next, timers, and the seed's loop.
//!
//! The loop, as in LING's scheduler: park the process that just ran (by why it stopped),
//! `select_runnable`, `events_do_pending`, and when nothing can run `wait_for_events` until an
//! event channel fires or the next timer is due.
//!
//! * [`node`]: the [`Node`] (VM, process table, platform) and the loop itself, and the
//!   services it lends to BIFs of the running process.
//! * [`state`]: the process table, names, links, monitors, timers, exit signals and message
//!   delivery (everything the loop and the services share).
//! * [`pids`]: pid numbers, reused with a new serial as erl reuses them.
//! * [`proctable`]: the process table, indexed by the pid's slot.
//! * [`io`]: pores and outlets as processes see them.
//! * [`router`]: which pore or outlet each event channel belongs to.
//! * [`queue`] and [`timers`]: run queues by priority and cancellable deadlines.
//! * `refset`: the monitor references of one process.
//! * `tables`: ETS tables of exited processes (deleted or handed to their heirs).

pub mod io;
pub mod node;
pub mod pids;
pub mod proctable;
pub mod queue;
mod refset;
pub mod router;
pub mod state;
mod tables;
pub mod timers;

pub use node::{Node, OtpBoot, StartItem, Stop};

#[cfg(test)]
mod tests;
