//! Pores: passive, page-aligned kernel objects owned by one process.
//!
//! A pore wraps something that cannot be an Erlang term, such as a page shared with another
//! domain, together with an optional event channel. Its owner is fixed for life: only the
//! owner may operate on it (anyone else gets [`PoreError::NotOwner`], which the BIF layer
//! turns into `badarg`), it cannot be linked to or registered, and it holds no references to
//! other processes. Closing it gives its page back and unbinds its channel; the scheduler
//! closes every pore a process owns when the process exits, so nothing leaks.
//!
//! Events on a pore's channel become one `{irq, Pore}` message to the owner. While such a
//! message is outstanding (the owner has not operated on the pore since), further events
//! coalesce into it: a driver that reacts to `{irq, P}` by reading the pore sees everything
//! that arrived, and a burst of notifications costs one message.

use crate::platform::{Channel, Platform, PlatformError};
use alloc::collections::BTreeMap;
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

/// What a pore holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoreKind {
    /// The Xenstore ring page and channel (the platform's own; not freed on close).
    XenstoreRing,
    /// A fresh page and a loopback channel pair inside this machine: `poke` on it raises its
    /// own event. Used to test event delivery end to end.
    Loopback,
}

/// Why a pore operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoreError {
    /// No such pore (closed, or never opened).
    Closed,
    /// The caller does not own the pore.
    NotOwner,
    /// The operation does not apply to this kind of pore.
    WrongKind,
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
            Self::WrongKind => f.write_str("operation not supported by this pore"),
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

struct Pore<G> {
    generation: u32,
    owner: Owner,
    kind: PoreKind,
    page: G,
    /// The channel whose events become `{irq, Pore}`.
    channel: Channel,
    /// For loopback pores: the other end, which `poke` notifies.
    peer: Option<Channel>,
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
    slots: Vec<Option<Pore<P::Page>>>,
    generations: Vec<u32>,
    by_channel: BTreeMap<Channel, PoreId>,
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
            by_channel: BTreeMap::new(),
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

    fn insert(&mut self, pore: Pore<P::Page>) -> PoreId {
        let slot = match self.slots.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                self.slots.push(None);
                self.generations.push(0);
                self.slots.len() - 1
            }
        };
        let id = PoreId {
            slot: slot as u32,
            generation: pore.generation,
        };
        self.by_channel.insert(pore.channel, id);
        self.slots[slot] = Some(pore);
        id
    }

    fn next_generation(&self) -> u32 {
        let slot = self.slots.iter().position(Option::is_none);
        slot.map_or(0, |i| self.generations[i].wrapping_add(1))
    }

    /// Opens the Xenstore ring as a pore owned by `owner`. `ring` is the platform's Xenstore
    /// page and channel; only one pore may hold them at a time.
    pub fn open_xenstore(
        &mut self,
        owner: Owner,
        ring: (P::Page, Channel),
    ) -> Result<PoreId, PoreError> {
        if self.by_channel.contains_key(&ring.1) {
            return Err(PoreError::Busy);
        }
        let generation = self.next_generation();
        Ok(self.insert(Pore {
            generation,
            owner,
            kind: PoreKind::XenstoreRing,
            page: ring.0,
            channel: ring.1,
            peer: None,
            irq_outstanding: false,
        }))
    }

    /// Opens a loopback pore: a fresh page and a channel pair inside this machine.
    pub fn open_loopback(&mut self, platform: &P, owner: Owner) -> Result<PoreId, PoreError> {
        let page = platform.alloc_page()?;
        let (mine, peer) = match platform.loopback_pair() {
            Ok(pair) => pair,
            Err(e) => {
                platform.free_page(page);
                return Err(e.into());
            }
        };
        let generation = self.next_generation();
        Ok(self.insert(Pore {
            generation,
            owner,
            kind: PoreKind::Loopback,
            page,
            channel: mine,
            peer: Some(peer),
            irq_outstanding: false,
        }))
    }

    fn owned(&mut self, id: PoreId, caller: Owner) -> Result<&mut Pore<P::Page>, PoreError> {
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
        self.slots
            .get(id.slot as usize)
            .and_then(Option::as_ref)
            .filter(|p| p.generation == id.generation)
            .map(|p| p.owner)
    }

    /// The kind of an open pore.
    pub fn kind(&self, id: PoreId) -> Option<PoreKind> {
        self.slots
            .get(id.slot as usize)
            .and_then(Option::as_ref)
            .filter(|p| p.generation == id.generation)
            .map(|p| p.kind)
    }

    /// Copies `bytes` into the request ring, all or nothing, without notifying.
    pub fn write(&mut self, id: PoreId, caller: Owner, bytes: &[u8]) -> Result<(), PoreError> {
        let pore = self.owned(id, caller)?;
        let ring = request_ring(pore.kind);
        let free = ring.free(&pore.page)?;
        if bytes.len() > free as usize {
            return Err(PoreError::NoRoom { free });
        }
        ring.produce(&pore.page, bytes)?;
        Ok(())
    }

    /// Takes every reply byte available, without notifying.
    pub fn read(&mut self, id: PoreId, caller: Owner) -> Result<Vec<u8>, PoreError> {
        let pore = self.owned(id, caller)?;
        let ring = response_ring(pore.kind);
        let mut out = vec![0u8; ring.available(&pore.page)? as usize];
        let n = ring.consume(&pore.page, &mut out)?;
        out.truncate(n);
        Ok(out)
    }

    /// (free request space, available reply bytes).
    pub fn avail(&mut self, id: PoreId, caller: Owner) -> Result<(u32, u32), PoreError> {
        let pore = self.owned(id, caller)?;
        let free = request_ring(pore.kind).free(&pore.page)?;
        let avail = response_ring(pore.kind).available(&pore.page)?;
        Ok((free, avail))
    }

    /// Notifies the other side (for a loopback pore, raises the pore's own event).
    pub fn poke(&mut self, platform: &P, id: PoreId, caller: Owner) -> Result<(), PoreError> {
        let pore = self.owned(id, caller)?;
        platform.notify(pore.peer.unwrap_or(pore.channel))?;
        Ok(())
    }

    /// Closes a pore on its owner's request.
    pub fn close(&mut self, platform: &P, id: PoreId, caller: Owner) -> Result<(), PoreError> {
        self.owned(id, caller)?;
        self.release(platform, id.slot as usize);
        Ok(())
    }

    /// Closes every pore `owner` holds (it exited); returns how many.
    pub fn close_owned_by(&mut self, platform: &P, owner: Owner) -> usize {
        let slots: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.slots[i].as_ref().is_some_and(|p| p.owner == owner))
            .collect();
        for &slot in &slots {
            self.release(platform, slot);
        }
        slots.len()
    }

    fn release(&mut self, platform: &P, slot: usize) {
        let Some(pore) = self.slots[slot].take() else {
            return;
        };
        self.generations[slot] = pore.generation;
        self.by_channel.remove(&pore.channel);
        match pore.kind {
            // The Xenstore page and channel belong to the platform; they stay as they are
            // so the ring can be opened again.
            PoreKind::XenstoreRing => {}
            PoreKind::Loopback => {
                platform.close(pore.channel);
                if let Some(peer) = pore.peer {
                    platform.close(peer);
                }
                platform.free_page(pore.page);
            }
        }
    }

    /// An event arrived on `channel`: returns the `{irq, Pore}` delivery to make, or `None`
    /// when the channel is not a pore's or an earlier message is still outstanding.
    pub fn on_event(&mut self, channel: Channel) -> Option<Irq> {
        let id = *self.by_channel.get(&channel)?;
        let pore = self.slots.get_mut(id.slot as usize)?.as_mut()?;
        if pore.irq_outstanding {
            return None;
        }
        pore.irq_outstanding = true;
        Some(Irq {
            owner: pore.owner,
            pore: id,
        })
    }
}

/// Loopback pores use the Xenstore layout too, so a driver can be tested against one.
fn request_ring(_kind: PoreKind) -> RingLayout {
    REQUESTS
}

fn response_ring(_kind: PoreKind) -> RingLayout {
    RESPONSES
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::sim::SimPlatform;
    use crate::platform::RingMemory;

    fn events(table: &mut PoreTable<SimPlatform>, platform: &SimPlatform) -> Vec<Irq> {
        let mut out = Vec::new();
        platform.take_pending(&mut |c| out.extend(table.on_event(c)));
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
            assert_eq!(table.close_owned_by(&platform, owner), 2);
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
            f(&pore.page)
        }
    }

    impl SimPlatform {
        /// Raises a loopback pore's own channel without going through the owner.
        fn raise_own_channel(&self, table: &PoreTable<SimPlatform>, id: PoreId) {
            let pore = table.slots[id.slot as usize].as_ref().unwrap();
            self.raise(pore.channel);
        }
    }
}
