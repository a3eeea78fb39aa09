//! Pores: passive, page-aligned kernel objects owned by one process.
//!
//! A pore wraps a [`PoreResource`]: something that cannot be an Erlang term, a page shared
//! with another domain holding a request and a response ring, with its event channel. The
//! resources are the Xenstore ring ([`XenstoreRing`]: the platform's page and channel, kept
//! on close so the ring can be opened again) and [`Loopback`] (a fresh page and a channel
//! pair, given back on close). The table runs the ring operations the same way for every
//! resource.
//!
//! A pore's owner is fixed for life: only the owner may operate on it (anyone else gets
//! [`PoreError::NotOwner`], which the BIF layer turns into `badarg`), it cannot be linked to
//! or registered, and it holds no references to other processes. Closing it closes its
//! resource; the scheduler closes every pore a process owns when the process exits, so
//! nothing leaks.
//!
//! Events on a pore's channel become one `{irq, Pore}` message to the owner. While such a
//! message is outstanding (the owner has not operated on the pore since), further events
//! coalesce into it: a driver that reacts to `{irq, P}` by reading the pore sees everything
//! that arrived, and a burst of notifications costs one message.

use crate::platform::{Channel, Platform, PlatformError};
use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use xenbeam_xenproto::ring::{RingCorrupt, RingLayout};
use xenbeam_xenproto::xenstore::{REQUESTS, RESPONSES};

/// The process that owns a pore (its process number).
pub type Owner = u32;

/// A pore's identity: a slot and a generation, so a stale id never reaches a newer pore.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PoreId {
    slot: u32,
    generation: u32,
}

impl PoreId {
    /// The id as one number (for the term that stands for the pore).
    pub fn to_u64(self) -> u64 {
        (u64::from(self.generation) << 32) | u64::from(self.slot)
    }

    /// The id a number stands for.
    pub fn from_u64(n: u64) -> Self {
        Self {
            slot: n as u32,
            generation: (n >> 32) as u32,
        }
    }
}

/// What a pore wraps: a page holding a request and a response ring, and an event channel.
///
/// The pore counterpart of the outlet [`Driver`](crate::outlet::Driver): the table checks
/// ownership and runs the ring operations; the resource says where things are and how to
/// give them back.
pub trait PoreResource<P: Platform> {
    /// The page the rings live in.
    fn page(&self) -> &P::Page;
    /// The channel whose events become `{irq, Pore}`.
    fn channel(&self) -> Channel;
    /// Where the ring the owner produces into lies in the page.
    fn request_ring(&self) -> RingLayout;
    /// Where the ring the owner consumes from lies in the page.
    fn response_ring(&self) -> RingLayout;
    /// The channel `poke` notifies.
    fn poke_channel(&self) -> Channel;
    /// The pore is closing: give back what the resource took from the platform.
    fn close(self: Box<Self>, platform: &P);
}

/// The Xenstore ring: the platform's page and channel, shared with xenstored.
pub struct XenstoreRing<G> {
    page: G,
    channel: Channel,
}

impl<G> XenstoreRing<G> {
    /// The ring over the platform's Xenstore page and channel.
    pub fn new(page: G, channel: Channel) -> Self {
        Self { page, channel }
    }
}

impl<P: Platform> PoreResource<P> for XenstoreRing<P::Page> {
    fn page(&self) -> &P::Page {
        &self.page
    }
    fn channel(&self) -> Channel {
        self.channel
    }
    fn request_ring(&self) -> RingLayout {
        REQUESTS
    }
    fn response_ring(&self) -> RingLayout {
        RESPONSES
    }
    fn poke_channel(&self) -> Channel {
        self.channel
    }
    fn close(self: Box<Self>, _platform: &P) {
        // The page and channel belong to the platform; they stay as they are so the ring can
        // be opened again.
    }
}

/// A fresh page and a loopback channel pair inside this machine: `poke` raises the pore's own
/// event. Its page uses the Xenstore layout, so a driver can be tested against it.
pub struct Loopback<G> {
    page: G,
    mine: Channel,
    peer: Channel,
}

impl<G> Loopback<G> {
    /// Takes a page and a channel pair from the platform.
    pub fn open<P: Platform<Page = G>>(platform: &P) -> Result<Self, PlatformError> {
        let page = platform.alloc_page()?;
        match platform.loopback_pair() {
            Ok((mine, peer)) => Ok(Self { page, mine, peer }),
            Err(e) => {
                platform.free_page(page);
                Err(e)
            }
        }
    }
}

impl<P: Platform> PoreResource<P> for Loopback<P::Page> {
    fn page(&self) -> &P::Page {
        &self.page
    }
    fn channel(&self) -> Channel {
        self.mine
    }
    fn request_ring(&self) -> RingLayout {
        REQUESTS
    }
    fn response_ring(&self) -> RingLayout {
        RESPONSES
    }
    fn poke_channel(&self) -> Channel {
        self.peer
    }
    fn close(self: Box<Self>, platform: &P) {
        platform.close(self.mine);
        platform.close(self.peer);
        platform.free_page(self.page);
    }
}

/// Why a pore operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoreError {
    /// No such pore (closed, or never opened).
    Closed,
    /// The caller does not own the pore.
    NotOwner,
    /// The data does not fit the free space of the request ring.
    NoRoom {
        /// Bytes free.
        free: u32,
    },
    /// The other side corrupted the ring indices.
    Corrupt(RingCorrupt),
    /// The platform refused (no pages, no channels...).
    Platform(PlatformError),
    /// The resource the pore wraps is already open in another pore.
    Busy,
}

impl fmt::Display for PoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Closed => f.write_str("pore is closed"),
            Self::NotOwner => f.write_str("not the pore's owner"),
            Self::NoRoom { free } => write!(f, "only {free} bytes free in the ring"),
            Self::Corrupt(e) => write!(f, "{e}"),
            Self::Platform(e) => write!(f, "{e}"),
            Self::Busy => f.write_str("already open"),
        }
    }
}

impl From<RingCorrupt> for PoreError {
    fn from(e: RingCorrupt) -> Self {
        Self::Corrupt(e)
    }
}

impl From<PlatformError> for PoreError {
    fn from(e: PlatformError) -> Self {
        Self::Platform(e)
    }
}

struct Pore<P: Platform> {
    generation: u32,
    owner: Owner,
    resource: Box<dyn PoreResource<P>>,
    irq_outstanding: bool,
}

/// A delivery the scheduler must make: send `{irq, Pore}` to `owner`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Irq {
    /// Who gets the message.
    pub owner: Owner,
    /// Which pore.
    pub pore: PoreId,
}

/// Every open pore.
pub struct PoreTable<P: Platform> {
    slots: Vec<Option<Pore<P>>>,
    generations: Vec<u32>,
}

impl<P: Platform> Default for PoreTable<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: Platform> PoreTable<P> {
    /// An empty table.
    pub fn new() -> Self {
        Self {
            slots: Vec::new(),
            generations: Vec::new(),
        }
    }

    /// Open pores.
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    /// Whether no pore is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Opens a pore over `resource`, owned by `owner`.
    pub fn open(&mut self, owner: Owner, resource: Box<dyn PoreResource<P>>) -> PoreId {
        let slot = match self.slots.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                self.slots.push(None);
                self.generations.push(0);
                self.slots.len() - 1
            }
        };
        let generation = self.generations[slot].wrapping_add(1);
        self.generations[slot] = generation;
        self.slots[slot] = Some(Pore {
            generation,
            owner,
            resource,
            irq_outstanding: false,
        });
        PoreId {
            slot: slot as u32,
            generation,
        }
    }

    /// Opens the Xenstore ring as a pore owned by `owner`. `ring` is the platform's Xenstore
    /// page and channel; only one pore may hold them at a time.
    pub fn open_xenstore(
        &mut self,
        owner: Owner,
        ring: (P::Page, Channel),
    ) -> Result<PoreId, PoreError> {
        let (page, channel) = ring;
        if self.open_pores().any(|p| p.resource.channel() == channel) {
            return Err(PoreError::Busy);
        }
        Ok(self.open(owner, Box::new(XenstoreRing::new(page, channel))))
    }

    /// Opens a loopback pore: a fresh page and a channel pair inside this machine.
    pub fn open_loopback(&mut self, platform: &P, owner: Owner) -> Result<PoreId, PoreError> {
        let resource = Loopback::open(platform)?;
        Ok(self.open(owner, Box::new(resource)))
    }

    fn open_pores(&self) -> impl Iterator<Item = &Pore<P>> {
        self.slots.iter().flatten()
    }

    fn get(&self, id: PoreId) -> Option<&Pore<P>> {
        self.slots
            .get(id.slot as usize)
            .and_then(Option::as_ref)
            .filter(|p| p.generation == id.generation)
    }

    fn owned(&mut self, id: PoreId, caller: Owner) -> Result<&mut Pore<P>, PoreError> {
        let pore = self
            .slots
            .get_mut(id.slot as usize)
            .and_then(Option::as_mut)
            .filter(|p| p.generation == id.generation)
            .ok_or(PoreError::Closed)?;
        if pore.owner != caller {
            return Err(PoreError::NotOwner);
        }
        // The owner is looking at the pore: the next event deserves a new message.
        pore.irq_outstanding = false;
        Ok(pore)
    }

    /// The owner of an open pore.
    pub fn owner(&self, id: PoreId) -> Option<Owner> {
        self.get(id).map(|p| p.owner)
    }

    /// The channel whose events become an open pore's `{irq, Pore}`.
    pub fn channel(&self, id: PoreId) -> Option<Channel> {
        self.get(id).map(|p| p.resource.channel())
    }

    /// Copies `bytes` into the request ring, all or nothing, without notifying.
    pub fn write(&mut self, id: PoreId, caller: Owner, bytes: &[u8]) -> Result<(), PoreError> {
        let res = &self.owned(id, caller)?.resource;
        let ring = res.request_ring();
        let free = ring.free(res.page())?;
        if bytes.len() > free as usize {
            return Err(PoreError::NoRoom { free });
        }
        ring.produce(res.page(), bytes)?;
        Ok(())
    }

    /// Takes every reply byte available, without notifying.
    pub fn read(&mut self, id: PoreId, caller: Owner) -> Result<Vec<u8>, PoreError> {
        let res = &self.owned(id, caller)?.resource;
        let ring = res.response_ring();
        let mut out = vec![0u8; ring.available(res.page())? as usize];
        let n = ring.consume(res.page(), &mut out)?;
        out.truncate(n);
        Ok(out)
    }

    /// (free request space, available reply bytes).
    pub fn avail(&mut self, id: PoreId, caller: Owner) -> Result<(u32, u32), PoreError> {
        let res = &self.owned(id, caller)?.resource;
        let free = res.request_ring().free(res.page())?;
        let avail = res.response_ring().available(res.page())?;
        Ok((free, avail))
    }

    /// Notifies the other side (for a loopback pore, raises the pore's own event).
    pub fn poke(&mut self, platform: &P, id: PoreId, caller: Owner) -> Result<(), PoreError> {
        let res = &self.owned(id, caller)?.resource;
        platform.notify(res.poke_channel())?;
        Ok(())
    }

    /// Closes a pore on its owner's request.
    pub fn close(&mut self, platform: &P, id: PoreId, caller: Owner) -> Result<(), PoreError> {
        self.owned(id, caller)?;
        self.release(platform, id.slot as usize);
        Ok(())
    }

    /// Closes every pore `owner` holds (it exited); returns their ids.
    pub fn close_owned_by(&mut self, platform: &P, owner: Owner) -> Vec<PoreId> {
        let ids: Vec<PoreId> = (0..self.slots.len())
            .filter_map(|i| {
                let p = self.slots[i].as_ref().filter(|p| p.owner == owner)?;
                Some(PoreId {
                    slot: i as u32,
                    generation: p.generation,
                })
            })
            .collect();
        for id in &ids {
            self.release(platform, id.slot as usize);
        }
        ids
    }

    fn release(&mut self, platform: &P, slot: usize) {
        if let Some(pore) = self.slots[slot].take() {
            pore.resource.close(platform);
        }
    }

    /// An event arrived on pore `id`'s channel: returns the `{irq, Pore}` delivery to make,
    /// or `None` when the pore is closed or an earlier message is still outstanding.
    pub fn on_event(&mut self, id: PoreId) -> Option<Irq> {
        let pore = self.slots.get_mut(id.slot as usize)?.as_mut()?;
        if pore.generation != id.generation || pore.irq_outstanding {
            return None;
        }
        pore.irq_outstanding = true;
        Some(Irq {
            owner: pore.owner,
            pore: id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::sim::SimPlatform;
    use crate::platform::RingMemory;

    /// Pending events as the scheduler's router would deliver them.
    fn events(table: &mut PoreTable<SimPlatform>, platform: &SimPlatform) -> Vec<Irq> {
        let mut channels = Vec::new();
        platform.take_pending(&mut |c| channels.push(c));
        let mut out = Vec::new();
        for c in channels {
            let ids: Vec<PoreId> = (0..table.slots.len())
                .filter_map(|i| {
                    let p = table.slots[i].as_ref()?;
                    (p.resource.channel() == c).then_some(PoreId {
                        slot: i as u32,
                        generation: p.generation,
                    })
                })
                .collect();
            out.extend(ids.into_iter().filter_map(|id| table.on_event(id)));
        }
        out
    }

    #[test]
    fn only_the_owner_may_operate_and_close() {
        let platform = SimPlatform::new();
        let mut table = PoreTable::new();
        let pore = table.open_loopback(&platform, 7).unwrap();
        assert_eq!(table.owner(pore), Some(7));
        assert_eq!(table.write(pore, 8, b"x"), Err(PoreError::NotOwner));
        assert_eq!(table.read(pore, 8), Err(PoreError::NotOwner));
        assert_eq!(table.poke(&platform, pore, 8), Err(PoreError::NotOwner));
        assert_eq!(table.close(&platform, pore, 8), Err(PoreError::NotOwner));
        assert_eq!(table.close(&platform, pore, 7), Ok(()));
        assert_eq!(table.read(pore, 7), Err(PoreError::Closed));
        assert_eq!(table.owner(pore), None);
    }

    #[test]
    fn events_become_one_message_until_the_owner_looks() {
        let platform = SimPlatform::new();
        let mut table = PoreTable::new();
        let pore = table.open_loopback(&platform, 3).unwrap();
        table.poke(&platform, pore, 3).unwrap();
        assert_eq!(events(&mut table, &platform), vec![Irq { owner: 3, pore }]);
        // Kicks that arrive before the owner touches the pore coalesce into that message.
        platform.raise_own_channel(&table, pore);
        assert!(events(&mut table, &platform).is_empty());
        platform.raise_own_channel(&table, pore);
        assert!(events(&mut table, &platform).is_empty());
        // Once the owner has operated on the pore, the next event is a new message.
        table.avail(pore, 3).unwrap();
        platform.raise_own_channel(&table, pore);
        assert_eq!(events(&mut table, &platform), vec![Irq { owner: 3, pore }]);
    }

    #[test]
    fn ring_operations_follow_the_xenstore_layout() {
        let platform = SimPlatform::new();
        let mut table = PoreTable::new();
        let pore = table.open_loopback(&platform, 1).unwrap();
        assert_eq!(table.avail(pore, 1), Ok((1024, 0)));
        table.write(pore, 1, b"hello").unwrap();
        assert_eq!(table.avail(pore, 1), Ok((1019, 0)));
        assert_eq!(
            table.write(pore, 1, &[0u8; 1020]),
            Err(PoreError::NoRoom { free: 1019 })
        );
        // A reply appears in the response ring (as xenstored would write it).
        table.with_page_for_test(pore, |page| {
            for (i, b) in b"reply".iter().enumerate() {
                page.write_u8(1024 + i, *b);
            }
            page.write_u32(2060, 5);
        });
        assert_eq!(table.read(pore, 1).unwrap(), b"reply");
        assert_eq!(table.read(pore, 1).unwrap(), b"");
        // Hostile indices are an error, not a huge allocation.
        table.with_page_for_test(pore, |page| page.write_u32(2060, 0x7fff_0000));
        assert!(matches!(table.read(pore, 1), Err(PoreError::Corrupt(_))));
    }

    #[test]
    fn closing_on_owner_exit_returns_everything_over_many_cycles() {
        let platform = SimPlatform::new();
        let mut table = PoreTable::new();
        let mut last = None;
        for owner in 0..5000u32 {
            let a = table.open_loopback(&platform, owner).unwrap();
            let b = table.open_loopback(&platform, owner).unwrap();
            assert_ne!(Some(a), last, "a reused slot gets a new id");
            last = Some(a);
            assert_eq!(table.close_owned_by(&platform, owner), vec![a, b]);
            assert_eq!(table.read(b, owner), Err(PoreError::Closed));
        }
        assert!(table.is_empty());
        assert_eq!(platform.pages_out(), 0);
        assert_eq!(platform.channels_bound(), 0);
        assert!(table.slots.len() <= 2, "slots are reused");
    }

    #[test]
    fn the_xenstore_ring_opens_once_and_survives_close() {
        let platform = SimPlatform::new();
        let mut table = PoreTable::new();
        let channel = platform.bind_external();
        let page = platform.alloc_page().unwrap();
        let pore = table.open_xenstore(2, (page, channel)).unwrap();
        let again = table.open_xenstore(3, (platform.alloc_page().unwrap(), channel));
        assert_eq!(again.unwrap_err(), PoreError::Busy);
        table.poke(&platform, pore, 2).unwrap();
        assert_eq!(platform.take_notified(), vec![channel]);
        platform.raise(channel);
        assert_eq!(events(&mut table, &platform), vec![Irq { owner: 2, pore }]);
        table.close(&platform, pore, 2).unwrap();
        assert_eq!(
            platform.channels_bound(),
            1,
            "the platform's channel stays bound"
        );
        platform.raise(channel);
        assert!(events(&mut table, &platform).is_empty());
    }

    #[test]
    fn ids_round_trip_through_numbers() {
        let id = PoreId {
            slot: 5,
            generation: 9,
        };
        assert_eq!(PoreId::from_u64(id.to_u64()), id);
    }

    impl PoreTable<SimPlatform> {
        fn with_page_for_test(
            &mut self,
            id: PoreId,
            f: impl FnOnce(&crate::platform::sim::SimPage),
        ) {
            let pore = self.slots[id.slot as usize].as_ref().unwrap();
            f(pore.resource.page())
        }
    }

    impl SimPlatform {
        /// Raises a loopback pore's own channel without going through the owner.
        fn raise_own_channel(&self, table: &PoreTable<SimPlatform>, id: PoreId) {
            self.raise(table.channel(id).unwrap());
        }
    }
}
