//! Outlets: native drivers with an owner process (the port model of BEAM and LING).
//!
//! An outlet is Rust code that owns event channels. When one of its channels fires, the
//! scheduler's `events_do_pending` finds the outlet through its channel router and calls it, which may answer with messages for its
//! owner; the owner talks to it with commands. Messages are [`ExtTerm`]s, built outside any
//! process heap, and the scheduler copies them into the owner's heap on delivery. An outlet is
//! closed on request or when its owner exits, giving back its channels and pages; a driver
//! over a ring that outlives it (the Xenstore ring) also hands back where the ring's message
//! boundaries are ([`KeptRing`]), which the pore table keeps for the ring's next user.
//!
//! Drivers: [`Loopback`] (a test of the event path) and [`xenstore::XenstoreOutlet`].

pub mod xenstore;

use crate::etf::ExtTerm;
use crate::platform::{Channel, Platform, PlatformError};
use crate::slots::{Handle, Slots};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;
use xenbeam_xenproto::framing::Framing;

/// The process that owns an outlet.
pub type Owner = u32;

/// An outlet's identity: its slot plus one in the low 32 bits, the slot's earlier uses
/// above them (so the first outlets are 1, 2, ... and a closed outlet's id never comes back
/// while a slot is reused fewer than 2^32 times).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OutletId(pub u64);

impl crate::wordmap::Word for OutletId {
    #[inline]
    fn to_word(self) -> u64 {
        self.0
    }
    #[inline]
    fn from_word(w: u64) -> Self {
        Self(w)
    }
}

impl OutletId {
    fn of(h: Handle) -> Self {
        Self((u64::from(h.generation.wrapping_sub(1)) << 32) | (u64::from(h.slot) + 1))
    }

    fn handle(self) -> Handle {
        Handle {
            slot: (self.0 as u32).wrapping_sub(1),
            generation: ((self.0 >> 32) as u32).wrapping_add(1),
        }
    }
}

/// Why an outlet operation failed.
#[derive(Clone, Debug, PartialEq)]
pub enum OutletError {
    /// No such outlet.
    Closed,
    /// The caller does not own it.
    NotOwner,
    /// The driver rejected the command.
    BadCommand,
    /// The platform refused.
    Platform(PlatformError),
    /// The device is held by a pore or another outlet.
    Busy,
    /// The ring's previous user left a request half written.
    MidMessage,
}

impl fmt::Display for OutletError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Closed => f.write_str("outlet is closed"),
            Self::NotOwner => f.write_str("not the outlet's owner"),
            Self::BadCommand => f.write_str("command rejected by the driver"),
            Self::Platform(e) => write!(f, "{e}"),
            Self::Busy => f.write_str("the device is in use"),
            Self::MidMessage => f.write_str("the ring is in the middle of a message"),
        }
    }
}

impl From<PlatformError> for OutletError {
    fn from(e: PlatformError) -> Self {
        Self::Platform(e)
    }
}

/// A ring that outlives the driver using it: its channel and where its message boundaries
/// are, for whoever uses it next.
pub type KeptRing = (Channel, Framing);

/// A native driver.
pub trait Driver<P: Platform> {
    /// The channels whose events this driver handles.
    fn channels(&self) -> Vec<Channel>;
    /// An event arrived on `channel`; push messages for the owner into `out`.
    fn on_event(&mut self, platform: &P, channel: Channel, out: &mut Vec<ExtTerm>);
    /// A command from the owner; push immediate replies into `out`.
    fn command(
        &mut self,
        platform: &P,
        command: &ExtTerm,
        out: &mut Vec<ExtTerm>,
    ) -> Result<(), OutletError>;
    /// The outlet is closing: give back channels and pages, and the framing of a ring that
    /// outlives the driver.
    fn close(&mut self, platform: &P) -> Option<KeptRing>;
}

struct Outlet<P: Platform> {
    owner: Owner,
    driver: Box<dyn Driver<P>>,
}

/// Messages to deliver: (owner, outlet, message).
pub type Deliveries = Vec<(Owner, OutletId, ExtTerm)>;

/// Every open outlet (open, look up and close in constant time).
pub struct OutletTable<P: Platform> {
    outlets: Slots<Outlet<P>>,
}

impl<P: Platform> Default for OutletTable<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: Platform> OutletTable<P> {
    /// An empty table.
    pub fn new() -> Self {
        Self {
            outlets: Slots::new(),
        }
    }

    /// Open outlets.
    pub fn len(&self) -> usize {
        self.outlets.len()
    }

    /// Whether none is open.
    pub fn is_empty(&self) -> bool {
        self.outlets.is_empty()
    }

    /// Registers a driver owned by `owner`.
    pub fn open(&mut self, owner: Owner, driver: Box<dyn Driver<P>>) -> OutletId {
        OutletId::of(self.outlets.insert(Outlet { owner, driver }))
    }

    /// The channels an open outlet listens on.
    pub fn channels(&self, id: OutletId) -> Vec<Channel> {
        self.outlets
            .get(id.handle())
            .map_or_else(Vec::new, |o| o.driver.channels())
    }

    /// Whether `caller` owns open outlet `id` (`Closed` or `NotOwner` if not).
    pub fn check_owner(&self, id: OutletId, caller: Owner) -> Result<(), OutletError> {
        match self.outlets.get(id.handle()) {
            None => Err(OutletError::Closed),
            Some(o) if o.owner != caller => Err(OutletError::NotOwner),
            Some(_) => Ok(()),
        }
    }

    /// Sends a command from `caller`; replies come back as deliveries.
    pub fn command(
        &mut self,
        platform: &P,
        id: OutletId,
        caller: Owner,
        command: &ExtTerm,
    ) -> Result<Deliveries, OutletError> {
        self.check_owner(id, caller)?;
        let outlet = self
            .outlets
            .get_mut(id.handle())
            .ok_or(OutletError::Closed)?;
        let mut out = Vec::new();
        outlet.driver.command(platform, command, &mut out)?;
        Ok(out.into_iter().map(|m| (caller, id, m)).collect())
    }

    /// An event on `channel`, one of outlet `id`'s: the messages it produces (none if the
    /// outlet is closed).
    pub fn on_event(&mut self, platform: &P, id: OutletId, channel: Channel) -> Deliveries {
        let Some(outlet) = self.outlets.get_mut(id.handle()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        outlet.driver.on_event(platform, channel, &mut out);
        let owner = outlet.owner;
        out.into_iter().map(|m| (owner, id, m)).collect()
    }

    /// Closes an outlet on its owner's request; returns the ring it hands back, if any.
    pub fn close(
        &mut self,
        platform: &P,
        id: OutletId,
        caller: Owner,
    ) -> Result<Option<KeptRing>, OutletError> {
        match self.outlets.get(id.handle()) {
            None => Err(OutletError::Closed),
            Some(o) if o.owner != caller => Err(OutletError::NotOwner),
            Some(_) => Ok(self.release(platform, id)),
        }
    }

    /// Closes every outlet `owner` holds; returns their ids and the rings they hand back.
    pub fn close_owned_by(
        &mut self,
        platform: &P,
        owner: Owner,
    ) -> Vec<(OutletId, Option<KeptRing>)> {
        let handles = self.outlets.handles_where(|o| o.owner == owner);
        let mut closed: Vec<(OutletId, Option<KeptRing>)> = Vec::with_capacity(handles.len());
        // Released last to first, so the lowest slots are the next to be taken again.
        for h in handles.into_iter().rev() {
            let id = OutletId::of(h);
            closed.push((id, self.release(platform, id)));
        }
        closed.reverse();
        closed
    }

    fn release(&mut self, platform: &P, id: OutletId) -> Option<KeptRing> {
        let mut outlet = self.outlets.remove(id.handle())?;
        outlet.driver.close(platform)
    }
}

/// A loopback driver: the command `ping` notifies its peer channel, and each event on its
/// own channel becomes `{event, N}` (N counts events so far). It exists to test the outlet
/// path with real event channels.
pub struct Loopback {
    mine: Channel,
    peer: Channel,
    events: i64,
}

impl Loopback {
    /// Binds a loopback pair for the driver.
    pub fn open<P: Platform>(platform: &P) -> Result<Self, PlatformError> {
        let (mine, peer) = platform.loopback_pair()?;
        Ok(Self {
            mine,
            peer,
            events: 0,
        })
    }
}

impl<P: Platform> Driver<P> for Loopback {
    fn channels(&self) -> Vec<Channel> {
        alloc::vec![self.mine]
    }

    fn on_event(&mut self, _platform: &P, _channel: Channel, out: &mut Vec<ExtTerm>) {
        self.events += 1;
        out.push(ExtTerm::Tuple(alloc::vec![
            ExtTerm::Atom("event".into()),
            ExtTerm::Integer(self.events),
        ]));
    }

    fn command(
        &mut self,
        platform: &P,
        command: &ExtTerm,
        out: &mut Vec<ExtTerm>,
    ) -> Result<(), OutletError> {
        match command {
            ExtTerm::Atom(a) if a == "ping" => {
                platform.notify(self.peer)?;
                out.push(ExtTerm::Atom("ok".into()));
                Ok(())
            }
            _ => Err(OutletError::BadCommand),
        }
    }

    fn close(&mut self, platform: &P) -> Option<KeptRing> {
        platform.close(self.mine);
        platform.close(self.peer);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::sim::SimPlatform;

    /// Pending events handed to the outlet listening on each channel, as the scheduler's
    /// router does.
    fn pump(table: &mut OutletTable<SimPlatform>, platform: &SimPlatform) -> Deliveries {
        let mut channels = Vec::new();
        platform.take_pending(&mut |c| channels.push(c));
        let ids: Vec<OutletId> = table.outlets.iter().map(|(h, _)| OutletId::of(h)).collect();
        let mut out = Vec::new();
        for c in channels {
            for &id in &ids {
                if table.channels(id).contains(&c) {
                    out.extend(table.on_event(platform, id, c));
                }
            }
        }
        out
    }

    #[test]
    fn events_become_messages_for_the_owner() {
        let platform = SimPlatform::new();
        let mut table = OutletTable::new();
        let id = table.open(4, Box::new(Loopback::open(&platform).unwrap()));
        let ping = ExtTerm::Atom("ping".into());
        let replies = table.command(&platform, id, 4, &ping).unwrap();
        assert_eq!(replies, vec![(4, id, ExtTerm::Atom("ok".into()))]);
        let got = pump(&mut table, &platform);
        let event = |n| ExtTerm::Tuple(vec![ExtTerm::Atom("event".into()), ExtTerm::Integer(n)]);
        assert_eq!(got, vec![(4, id, event(1))]);
        // Two pings before the events are collected arrive as one event.
        table.command(&platform, id, 4, &ping).unwrap();
        table.command(&platform, id, 4, &ping).unwrap();
        assert_eq!(pump(&mut table, &platform), vec![(4, id, event(2))]);
    }

    #[test]
    fn ownership_and_cleanup() {
        let platform = SimPlatform::new();
        let mut table = OutletTable::new();
        let id = table.open(1, Box::new(Loopback::open(&platform).unwrap()));
        let ping = ExtTerm::Atom("ping".into());
        assert_eq!(
            table.command(&platform, id, 2, &ping),
            Err(OutletError::NotOwner)
        );
        assert_eq!(table.close(&platform, id, 2), Err(OutletError::NotOwner));
        assert_eq!(
            table.command(&platform, id, 1, &ExtTerm::Nil),
            Err(OutletError::BadCommand)
        );
        for owner in 10..1010 {
            table.open(owner, Box::new(Loopback::open(&platform).unwrap()));
            assert_eq!(table.close_owned_by(&platform, owner).len(), 1);
        }
        assert_eq!(table.close(&platform, id, 1), Ok(None));
        assert!(table.is_empty());
        assert_eq!(platform.channels_bound(), 0);
        assert_eq!(
            table.command(&platform, id, 1, &ping),
            Err(OutletError::Closed)
        );
    }

    #[test]
    fn many_outlets_open_and_close_with_fresh_ids_and_stale_ids_fail() {
        let platform = SimPlatform::new();
        let mut table = OutletTable::new();
        let first = table.open(1, Box::new(Loopback::open(&platform).unwrap()));
        let second = table.open(1, Box::new(Loopback::open(&platform).unwrap()));
        assert_eq!((first, second), (OutletId(1), OutletId(2)));
        assert_eq!(table.close_owned_by(&platform, 1).len(), 2);
        let mut open: Vec<OutletId> = Vec::new();
        let mut closed: Vec<OutletId> = vec![first, second];
        for i in 0..3000u32 {
            open.push(table.open(i % 5, Box::new(Loopback::open(&platform).unwrap())));
            if i % 3 == 2 {
                let id = open.remove(open.len() / 3);
                let owner = (0..5).find(|o| table.close(&platform, id, *o).is_ok());
                assert!(owner.is_some());
                closed.push(id);
            }
        }
        assert_eq!(table.len(), open.len());
        assert!(table.outlets.slot_count() <= open.len() + 2);
        let ping = ExtTerm::Atom("ping".into());
        for id in &closed {
            assert!(!open.contains(id), "an id is never given twice");
            assert_eq!(table.close(&platform, *id, 0), Err(OutletError::Closed));
            assert_eq!(
                table.command(&platform, *id, 0, &ping),
                Err(OutletError::Closed)
            );
        }
        for bad in [OutletId(0), OutletId(u64::MAX), OutletId(1 << 40)] {
            assert_eq!(table.close(&platform, bad, 0), Err(OutletError::Closed));
        }
        for owner in 0..5 {
            table.close_owned_by(&platform, owner);
        }
        assert!(table.is_empty());
        assert_eq!(platform.channels_bound(), 0);
    }
}
