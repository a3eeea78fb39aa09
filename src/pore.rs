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
//! [`PoreError::NotOwner`]), it cannot be linked to or registered, and it holds no references
//! to other processes. Closing it closes its resource; the scheduler closes every pore a
//! process owns when the process exits, so nothing leaks.
//!
//! Operations: `write` (all or nothing: [`PoreError::NoRoom`] when the request ring lacks
//! space), `read` (every reply byte available), `discard` (consume up to N reply bytes
//! unseen), `avail`, `poke` (notify), `info` (the page's `server_features`, `connection` and
//! `error` words), `reconnect` (set `connection` to `XENSTORE_RECONNECT` and notify; the
//! server then zeroes the indices and clears the word) and `close`. Any operation that finds
//! the other side's ring indices out of range fails with [`PoreError::Corrupt`] and changes
//! nothing.
//!
//! Framing: the Xenstore ring's resource follows message boundaries in both directions as
//! bytes pass through `write`, `read` and `discard` (a `Framing` from the protocol crate).
//! The ring outlives its pores: when a driver dies mid-message, the next owner of the ring
//! must know how much of the cut request is still owed and how many reply bytes to skip. So
//! closing a Xenstore pore hands its framing back to the table, which keeps it by channel
//! and gives it to the next `open_xenstore`; `reconnect` resets it, as the server resets the
//! rings. The native Xenstore outlet takes and hands back the same state
//! ([`PoreTable::take_kept`], [`PoreTable::keep`]). Loopback pores have no framing.
//!
use crate::platform::{Channel, Platform, PlatformError};
use crate::slots::{Handle, Slots};
use crate::wordmap::WideMap;
use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::sync::atomic::{fence, Ordering};
use xenbeam_xenproto::framing::Framing;
use xenbeam_xenproto::ring::{RingCorrupt, RingLayout, RingMemory};
use xenbeam_xenproto::xenstore::{
    CONNECTION, ERROR, HEADER_SIZE, MAX_PAYLOAD, REQUESTS, RESPONSES, SERVER_FEATURES,
    XENSTORE_RECONNECT,
};

/// The process that owns a pore (its process number).
pub type Owner = u32;

/// A pore's identity: a slot and a generation, so a stale id never reaches a newer pore.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PoreId {
    slot: u32,
    generation: u32,
}

impl crate::wordmap::Word for PoreId {
    #[inline]
    fn to_word(self) -> u64 {
        self.to_u64()
    }
    #[inline]
    fn from_word(w: u64) -> Self {
        Self::from_u64(w)
    }
}

impl PoreId {
    fn handle(self) -> Handle {
        Handle {
            slot: self.slot,
            generation: self.generation,
        }
    }

    fn of(h: Handle) -> Self {
        Self {
            slot: h.slot,
            generation: h.generation,
        }
    }

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
    /// Where the ring the owner produces into lies in the page (by default, the Xenstore
    /// layout's request ring).
    fn request_ring(&self) -> RingLayout {
        REQUESTS
    }
    /// Where the ring the owner consumes from lies in the page (by default, the Xenstore
    /// layout's response ring).
    fn response_ring(&self) -> RingLayout {
        RESPONSES
    }
    /// The channel `poke` notifies.
    fn poke_channel(&self) -> Channel;
    /// Where the rings' message boundaries are, for a resource whose rings carry framed
    /// messages (the Xenstore ring); the table advances it as bytes pass.
    fn framing(&mut self) -> Option<&mut Framing> {
        None
    }
    /// The pore is closing: give back what the resource took from the platform. Returns the
    /// framing state when the resource outlives the pore (the next opener continues it).
    fn close(self: Box<Self>, platform: &P) -> Option<Framing>;
}

/// The Xenstore ring: the platform's page and channel, shared with xenstored.
pub struct XenstoreRing<G> {
    page: G,
    channel: Channel,
    framing: Framing,
}

impl<G> XenstoreRing<G> {
    /// The ring over the platform's Xenstore page and channel, its message boundaries where
    /// the previous owner left them (`framing`).
    pub fn new(page: G, channel: Channel, framing: Framing) -> Self {
        Self {
            page,
            channel,
            framing,
        }
    }
}

impl<P: Platform> PoreResource<P> for XenstoreRing<P::Page> {
    fn page(&self) -> &P::Page {
        &self.page
    }
    fn channel(&self) -> Channel {
        self.channel
    }
    fn poke_channel(&self) -> Channel {
        self.channel
    }
    fn framing(&mut self) -> Option<&mut Framing> {
        Some(&mut self.framing)
    }
    fn close(self: Box<Self>, _platform: &P) -> Option<Framing> {
        // The page and channel belong to the platform; they stay as they are so the ring can
        // be opened again, and so does the framing: xenstored saw every byte.
        Some(self.framing)
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
    fn poke_channel(&self) -> Channel {
        self.peer
    }
    fn close(self: Box<Self>, platform: &P) -> Option<Framing> {
        platform.close(self.mine);
        platform.close(self.peer);
        platform.free_page(self.page);
        None
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
    owner: Owner,
    resource: Box<dyn PoreResource<P>>,
    irq_outstanding: bool,
    /// The owner asked about more than replies since its last message (see
    /// [`PoreTable::on_event`]): the next event is worth a message whatever it brought.
    wants_any: bool,
}

/// A delivery the scheduler must make: send `{irq, Pore}` to `owner`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Irq {
    /// Who gets the message.
    pub owner: Owner,
    /// Which pore.
    pub pore: PoreId,
}

/// The connection words of a pore's page and, for a framed ring, where the boundaries are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoreInfo {
    /// The `server_features` word.
    pub server_features: u32,
    /// The `connection` word (1 while a requested reconnect is in progress).
    pub connection: u32,
    /// The `error` word.
    pub error: u32,
    /// For the Xenstore ring: (request bytes still to write to finish the message in
    /// progress, reply bytes still to discard to reach the next reply boundary).
    pub framing: Option<(u32, u32)>,
}

/// Every open pore (open, look up and close in constant time).
pub struct PoreTable<P: Platform> {
    slots: Slots<Pore<P>>,
    /// Framing state of resources that outlive their pores (the Xenstore ring), by channel,
    /// while no pore holds them.
    kept: WideMap<Channel, Framing>,
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
            slots: Slots::new(),
            kept: WideMap::new(),
        }
    }

    /// Open pores.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no pore is open.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Opens a pore over `resource`, owned by `owner`.
    pub fn open(&mut self, owner: Owner, resource: Box<dyn PoreResource<P>>) -> PoreId {
        PoreId::of(self.slots.insert(Pore {
            owner,
            resource,
            irq_outstanding: false,
            wants_any: false,
        }))
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
        let framing = self.kept.remove(channel).unwrap_or_default();
        let ring = XenstoreRing::new(page, channel, framing);
        Ok(self.open(owner, Box::new(ring)))
    }

    /// Takes the framing kept for the ring on `channel` (at a boundary if none is kept): an
    /// outlet is about to use the ring.
    pub fn take_kept(&mut self, channel: Channel) -> Framing {
        self.kept.remove(channel).unwrap_or_default()
    }

    /// Keeps the framing of the ring on `channel`, handed back by an outlet that used it.
    pub fn keep(&mut self, channel: Channel, framing: Framing) {
        self.kept.insert(channel, framing);
    }

    /// Opens a loopback pore: a fresh page and a channel pair inside this machine.
    pub fn open_loopback(&mut self, platform: &P, owner: Owner) -> Result<PoreId, PoreError> {
        let resource = Loopback::open(platform)?;
        Ok(self.open(owner, Box::new(resource)))
    }

    fn open_pores(&self) -> impl Iterator<Item = &Pore<P>> {
        self.slots.iter().map(|(_, p)| p)
    }

    fn get(&self, id: PoreId) -> Option<&Pore<P>> {
        self.slots.get(id.handle())
    }

    fn owned(&mut self, id: PoreId, caller: Owner) -> Result<&mut Pore<P>, PoreError> {
        let pore = self.slots.get_mut(id.handle()).ok_or(PoreError::Closed)?;
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

    /// The owners of the open pores, one entry per pore.
    pub fn owners(&self) -> impl Iterator<Item = Owner> + '_ {
        self.open_pores().map(|p| p.owner)
    }

    /// The channel whose events become an open pore's `{irq, Pore}`.
    pub fn channel(&self, id: PoreId) -> Option<Channel> {
        self.get(id).map(|p| p.resource.channel())
    }

    /// Copies `bytes` into the request ring, all or nothing, without notifying.
    pub fn write(&mut self, id: PoreId, caller: Owner, bytes: &[u8]) -> Result<(), PoreError> {
        let pore = self.owned(id, caller)?;
        let res = &mut pore.resource;
        let ring = res.request_ring();
        let free = ring.free(res.page())?;
        // A corrupt response ring fails writes too, so that a driver which only writes (its
        // peer has gone quiet) still learns of it.
        res.response_ring().available(res.page())?;
        if bytes.len() > free as usize {
            // The owner will wait for room: the event that brings it must reach it.
            pore.wants_any = true;
            return Err(PoreError::NoRoom { free });
        }
        ring.produce(res.page(), bytes)?;
        if let Some(framing) = res.framing() {
            framing.requests.advance(bytes);
        }
        Ok(())
    }

    /// Takes every reply byte available, without notifying.
    pub fn read(&mut self, id: PoreId, caller: Owner) -> Result<Vec<u8>, PoreError> {
        self.consume(id, caller, u32::MAX)
    }

    /// Consumes up to `max` available reply bytes without returning them; returns how many.
    /// A driver uses it to skip to the next reply boundary ([`PoreInfo::framing`]).
    pub fn discard(&mut self, id: PoreId, caller: Owner, max: u32) -> Result<u32, PoreError> {
        self.owned(id, caller)?.wants_any = true;
        Ok(self.consume(id, caller, max)?.len() as u32)
    }

    fn consume(&mut self, id: PoreId, caller: Owner, max: u32) -> Result<Vec<u8>, PoreError> {
        let res = &mut self.owned(id, caller)?.resource;
        let ring = res.response_ring();
        let want = ring.available(res.page())?.min(max);
        let mut out = vec![0u8; want as usize];
        let n = ring.consume(res.page(), &mut out)?;
        out.truncate(n);
        // The bytes are read even when discarded: a header among them says where the next
        // boundary is.
        if let Some(framing) = res.framing() {
            framing.responses.advance(&out);
        }
        Ok(out)
    }

    /// The connection words of the pore's page (the Xenstore layout's `server_features`,
    /// `connection` and `error`; a loopback page has the same words) and the framing of a
    /// Xenstore ring.
    pub fn info(&mut self, id: PoreId, caller: Owner) -> Result<PoreInfo, PoreError> {
        let pore = self.owned(id, caller)?;
        pore.wants_any = true;
        let res = &mut pore.resource;
        let page = res.page();
        let (server_features, connection, error) = (
            page.read_u32(SERVER_FEATURES),
            page.read_u32(CONNECTION),
            page.read_u32(ERROR),
        );
        let framing = res.framing().map(|f| (f.req_left(), f.rsp_skip()));
        Ok(PoreInfo {
            server_features,
            connection,
            error,
            framing,
        })
    }

    /// Asks the other side to reset the rings (the Xenstore reconnection protocol): sets the
    /// `connection` word to `XENSTORE_RECONNECT` and notifies. The server answers by zeroing
    /// the ring indices, setting `connection` back to 0 and notifying; until then the owner
    /// must leave the rings alone. The framing restarts at a boundary, as the rings will.
    /// Whether the server supports this is in [`PoreInfo::server_features`].
    pub fn reconnect(&mut self, platform: &P, id: PoreId, caller: Owner) -> Result<(), PoreError> {
        let pore = self.owned(id, caller)?;
        pore.wants_any = true;
        let res = &mut pore.resource;
        // Every ring access before this one (data, indices) must be visible to the server
        // before it sees the request, or it could reset the indices and then see our older
        // index write land on top: a full barrier, since both loads and stores precede it.
        fence(Ordering::SeqCst);
        res.page().write_u32(CONNECTION, XENSTORE_RECONNECT);
        // The request must be visible before the notification that makes the server look,
        // and no later read of the page (polling `connection`) may be satisfied before it.
        fence(Ordering::SeqCst);
        if let Some(framing) = res.framing() {
            framing.reset();
        }
        platform.notify(res.poke_channel())?;
        Ok(())
    }

    /// (free request space, available reply bytes).
    pub fn avail(&mut self, id: PoreId, caller: Owner) -> Result<(u32, u32), PoreError> {
        let pore = self.owned(id, caller)?;
        pore.wants_any = true;
        let res = &pore.resource;
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
        self.release(platform, id);
        Ok(())
    }

    /// Closes every pore `owner` holds (it exited); returns their ids.
    pub fn close_owned_by(&mut self, platform: &P, owner: Owner) -> Vec<PoreId> {
        let ids: Vec<PoreId> = self
            .slots
            .handles_where(|p| p.owner == owner)
            .into_iter()
            .map(PoreId::of)
            .collect();
        // Released last to first, so the lowest slots are the next to be taken again.
        for id in ids.iter().rev() {
            self.release(platform, *id);
        }
        ids
    }

    fn release(&mut self, platform: &P, id: PoreId) {
        if let Some(pore) = self.slots.remove(id.handle()) {
            let channel = pore.resource.channel();
            if let Some(framing) = pore.resource.close(platform) {
                self.kept.insert(channel, framing);
            }
        }
    }

    /// An event arrived on pore `id`'s channel: returns the `{irq, Pore}` delivery to make,
    /// or `None` when the pore is closed, an earlier message is still outstanding, or the
    /// event brought a framed ring's owner nothing it waits for.
    ///
    /// xenstored notifies whenever it moves either ring: after taking each piece of a
    /// request as well as after writing each piece of a reply, so a request and its reply
    /// wake the guest two to four times. A driver that only waits for replies gains nothing
    /// from the wakes that bring none, and each costs it a scheduling pass. So for a framed
    /// ring the event becomes a message only when the response ring holds a whole reply
    /// (or the rest of one the owner has begun, or is full, or looks corrupt: the owner
    /// must see that), or when the owner has asked about more than replies since its last
    /// message: a write that found no room, `avail`, `info`, `discard` or `reconnect` (it
    /// may be waiting for room, for a reconnection or for a boundary). Nothing is lost:
    /// the ring is looked at after the event was taken, and whatever moves it later comes
    /// with an event of its own.
    pub fn on_event(&mut self, id: PoreId) -> Option<Irq> {
        let pore = self.slots.get_mut(id.handle())?;
        if pore.irq_outstanding {
            return None;
        }
        if !pore.wants_any && !brings_a_reply(pore.resource.as_mut()) {
            return None;
        }
        pore.irq_outstanding = true;
        pore.wants_any = false;
        Some(Irq {
            owner: pore.owner,
            pore: id,
        })
    }
}

/// Whether `res`'s response ring holds what its owner waits for: a whole message (or the
/// rest of one it has begun reading), a full ring or corrupt indices. Always for a resource
/// without framing, whose owner may wait for anything.
fn brings_a_reply<P: Platform>(res: &mut dyn PoreResource<P>) -> bool {
    let ring = res.response_ring();
    let Some(begun) = res.framing().map(|f| !f.responses.at_boundary()) else {
        return true;
    };
    // The event's pending bit was cleared before we got here (an atomic read-modify-write);
    // the ring must be read after that, or a reply published between the two could be
    // missed with its notification already spent.
    fence(Ordering::SeqCst);
    let page = res.page();
    let Ok(avail) = ring.available(page) else {
        return true;
    };
    if begun {
        return avail > 0;
    }
    if avail == ring.size {
        return true;
    }
    let mut header = [0u8; HEADER_SIZE];
    match ring.peek(page, &mut header) {
        Ok(n) if n == HEADER_SIZE => {
            let len = u32::from_le_bytes([header[12], header[13], header[14], header[15]]);
            len as usize > MAX_PAYLOAD || avail as usize >= HEADER_SIZE + len as usize
        }
        Ok(_) => false,
        Err(_) => true,
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
            let ids = table.slots.handles_where(|p| p.resource.channel() == c);
            out.extend(
                ids.into_iter()
                    .filter_map(|h| table.on_event(PoreId::of(h))),
            );
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
        assert!(table.slots.slot_count() <= 2, "slots are reused");
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
        reply(&mut table, pore, &message(4));
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

    /// A Xenstore message: header (type Read, request 1) and `len` payload bytes.
    fn message(len: u32) -> Vec<u8> {
        let mut m = xenbeam_xenproto::xenstore::Header {
            kind: 2,
            req_id: 1,
            tx_id: 0,
            len,
        }
        .encode()
        .to_vec();
        m.extend(core::iter::repeat_n(b'p', len as usize));
        m
    }

    /// Puts `bytes` in the response ring as xenstored would (data, then the producer index).
    fn reply(table: &mut PoreTable<SimPlatform>, id: PoreId, bytes: &[u8]) {
        table.with_page_for_test(id, |page| {
            RESPONSES.produce(page, bytes).unwrap();
        });
    }

    /// A Xenstore ring pore owned by process 1, with its platform, table and channel.
    fn xenstore_pore() -> (SimPlatform, PoreTable<SimPlatform>, Channel, PoreId) {
        let platform = SimPlatform::new();
        let mut table = PoreTable::new();
        let channel = platform.bind_external();
        let pore = table
            .open_xenstore(1, (platform.alloc_page().unwrap(), channel))
            .unwrap();
        (platform, table, channel, pore)
    }

    #[test]
    fn a_xenstore_event_without_a_whole_reply_wakes_nobody() {
        let (platform, mut table, channel, pore) = xenstore_pore();
        let irq = vec![Irq { owner: 1, pore }];
        let wake = |t: &mut PoreTable<SimPlatform>| {
            platform.raise(channel);
            events(t, &platform)
        };
        // xenstored took a request: nothing to read.
        assert!(wake(&mut table).is_empty());
        // A reply arrives in pieces: part of the header, the header, all but a byte.
        let m = message(50);
        reply(&mut table, pore, &m[..7]);
        assert!(wake(&mut table).is_empty());
        reply(&mut table, pore, &m[7..HEADER_SIZE]);
        assert!(wake(&mut table).is_empty());
        reply(&mut table, pore, &m[HEADER_SIZE..m.len() - 1]);
        assert!(wake(&mut table).is_empty());
        reply(&mut table, pore, &m[m.len() - 1..]);
        assert_eq!(wake(&mut table), irq);
        assert_eq!(table.read(pore, 1).unwrap(), m);
        // A whole reply and part of the next: once the owner has taken that part, the
        // rest of it, in any piece, is worth a message.
        let m = message(30);
        let mut both = message(2);
        both.extend(&m[..20]);
        reply(&mut table, pore, &both);
        assert_eq!(wake(&mut table), irq);
        assert_eq!(table.read(pore, 1).unwrap(), both);
        reply(&mut table, pore, &m[20..25]);
        assert_eq!(wake(&mut table), irq);
        assert_eq!(table.read(pore, 1).unwrap(), &m[20..25]);
        reply(&mut table, pore, &m[25..]);
        assert_eq!(wake(&mut table), irq);
        assert_eq!(table.read(pore, 1).unwrap(), &m[25..]);
        // A reply longer than the ring: once the ring is full, then the rest.
        let big = message(2000);
        let ring = RESPONSES.size as usize;
        reply(&mut table, pore, &big[..600]);
        assert!(wake(&mut table).is_empty());
        reply(&mut table, pore, &big[600..ring]);
        assert_eq!(wake(&mut table), irq, "the ring is full");
        assert_eq!(table.read(pore, 1).unwrap(), &big[..ring]);
        reply(&mut table, pore, &big[ring..]);
        assert_eq!(wake(&mut table), irq);
        assert_eq!(table.read(pore, 1).unwrap(), &big[ring..]);
        // A header whose length no reply may have: the owner must see it (and fail).
        let mut bad = message(0);
        bad[12..16].copy_from_slice(&(MAX_PAYLOAD as u32 + 1).to_le_bytes());
        reply(&mut table, pore, &bad);
        assert_eq!(wake(&mut table), irq);
        assert_eq!(table.read(pore, 1).unwrap(), bad);
        // Corrupt indices: the owner's next operation reports them.
        table.with_page_for_test(pore, |page| page.write_u32(RESPONSES.prod, 1 << 20));
        assert_eq!(wake(&mut table), irq);
        assert!(matches!(table.read(pore, 1), Err(PoreError::Corrupt(_))));
    }

    #[test]
    fn an_owner_that_asked_about_room_or_the_connection_gets_the_next_event() {
        let (platform, mut table, channel, pore) = xenstore_pore();
        let irq = vec![Irq { owner: 1, pore }];
        let wake = |t: &mut PoreTable<SimPlatform>| {
            platform.raise(channel);
            events(t, &platform)
        };
        type Ask<'a> = &'a dyn Fn(&mut PoreTable<SimPlatform>);
        let asks: [Ask; 5] = [
            &|t| {
                let _ = t.avail(pore, 1);
            },
            &|t| {
                let _ = t.info(pore, 1);
            },
            &|t| {
                let _ = t.discard(pore, 1, 10);
            },
            &|t| {
                let _ = t.reconnect(&platform, pore, 1);
            },
            &|t| {
                let full = vec![0u8; REQUESTS.size as usize + 1];
                assert!(matches!(
                    t.write(pore, 1, &full),
                    Err(PoreError::NoRoom { .. })
                ));
            },
        ];
        for (i, ask) in asks.iter().enumerate() {
            assert!(wake(&mut table).is_empty(), "ask {i}: nothing asked yet");
            ask(&mut table);
            assert_eq!(wake(&mut table), irq, "ask {i}");
            table.read(pore, 1).unwrap();
            assert!(
                wake(&mut table).is_empty(),
                "ask {i}: one message per question"
            );
        }
        // A write that fits asks nothing.
        table.write(pore, 1, &message(3)).unwrap();
        assert!(wake(&mut table).is_empty());
        // Loopback pores have no framing: every event is a message.
        let lo = table.open_loopback(&platform, 1).unwrap();
        table.poke(&platform, lo, 1).unwrap();
        assert_eq!(
            events(&mut table, &platform),
            vec![Irq { owner: 1, pore: lo }]
        );
    }

    #[test]
    fn info_reads_the_connection_words_and_framing_only_for_xenstore() {
        let platform = SimPlatform::new();
        let mut table = PoreTable::new();
        let lo = table.open_loopback(&platform, 1).unwrap();
        table.with_page_for_test(lo, |page| {
            page.write_u32(SERVER_FEATURES, 3);
            page.write_u32(ERROR, 5);
        });
        let want = PoreInfo {
            server_features: 3,
            connection: 0,
            error: 5,
            framing: None,
        };
        assert_eq!(table.info(lo, 1), Ok(want));
        assert_eq!(table.info(lo, 2), Err(PoreError::NotOwner));
        let channel = platform.bind_external();
        let xs = table
            .open_xenstore(1, (platform.alloc_page().unwrap(), channel))
            .unwrap();
        assert_eq!(table.info(xs, 1).unwrap().framing, Some((0, 0)));
    }

    #[test]
    fn the_xenstore_framing_follows_writes_reads_and_discards() {
        let platform = SimPlatform::new();
        let mut table = PoreTable::new();
        let channel = platform.bind_external();
        let ring = || (platform.alloc_page().unwrap(), channel);
        let pore = table.open_xenstore(1, ring()).unwrap();
        let framing = |t: &mut PoreTable<SimPlatform>, id| {
            let owner = t.owner(id).unwrap();
            t.info(id, owner).unwrap().framing
        };
        // A request cut inside its header, then inside its payload.
        let req = message(40);
        table.write(pore, 1, &req[..10]).unwrap();
        assert_eq!(framing(&mut table, pore), Some((6, 0)));
        table.write(pore, 1, &req[10..30]).unwrap();
        assert_eq!(framing(&mut table, pore), Some((26, 0)));
        // Replies: read part of one, discard the rest of it.
        let mut replies = message(100);
        replies.extend(message(3));
        reply(&mut table, pore, &replies);
        assert_eq!(table.discard(pore, 1, 20), Ok(20));
        assert_eq!(framing(&mut table, pore), Some((26, 96)));
        assert_eq!(table.discard(pore, 1, 96), Ok(96));
        assert_eq!(framing(&mut table, pore), Some((26, 0)));
        assert_eq!(table.read(pore, 1).unwrap(), message(3));
        assert_eq!(table.discard(pore, 1, 1000), Ok(0), "nothing left");

        // The owner dies mid-request; the next owner finds where it stopped.
        table.close_owned_by(&platform, 1);
        let next = table.open_xenstore(2, ring()).unwrap();
        assert_eq!(framing(&mut table, next), Some((26, 0)));
        table.write(next, 2, &req[30..]).unwrap();
        assert_eq!(framing(&mut table, next), Some((0, 0)));
        table.write(next, 2, &message(0)[..5]).unwrap();
        assert_eq!(
            framing(&mut table, next),
            Some((11, 0)),
            "inside the next header"
        );
    }

    #[test]
    fn reconnect_asks_for_a_reset_notifies_and_restarts_the_framing() {
        let platform = SimPlatform::new();
        let mut table = PoreTable::new();
        let channel = platform.bind_external();
        let pore = table
            .open_xenstore(1, (platform.alloc_page().unwrap(), channel))
            .unwrap();
        table.write(pore, 1, &message(8)[..5]).unwrap();
        reply(&mut table, pore, &message(4)[..2]);
        table.read(pore, 1).unwrap();
        assert_eq!(table.info(pore, 1).unwrap().framing, Some((11, 14)));
        assert_eq!(
            table.reconnect(&platform, pore, 2),
            Err(PoreError::NotOwner)
        );
        table.reconnect(&platform, pore, 1).unwrap();
        assert_eq!(platform.take_notified(), vec![channel]);
        let info = table.info(pore, 1).unwrap();
        assert_eq!((info.connection, info.framing), (1, Some((0, 0))));
        // The server resets the indices and clears the word; the ring works from zero.
        table.with_page_for_test(pore, |page| {
            for off in [REQUESTS.cons, REQUESTS.prod, RESPONSES.cons, RESPONSES.prod] {
                page.write_u32(off, 0);
            }
            page.write_u32(CONNECTION, 0);
        });
        assert_eq!(table.info(pore, 1).unwrap().connection, 0);
        assert_eq!(table.avail(pore, 1), Ok((1024, 0)));
        // A loopback pore has the same word; its notification is its own event.
        let lo = table.open_loopback(&platform, 1).unwrap();
        table.reconnect(&platform, lo, 1).unwrap();
        assert_eq!(table.info(lo, 1).unwrap().connection, 1);
        assert_eq!(
            events(&mut table, &platform),
            vec![Irq { owner: 1, pore: lo }]
        );
    }

    #[test]
    fn discard_and_read_refuse_corrupt_indices() {
        let platform = SimPlatform::new();
        let mut table = PoreTable::new();
        let pore = table.open_loopback(&platform, 1).unwrap();
        table.with_page_for_test(pore, |page| page.write_u32(RESPONSES.prod, 5000));
        assert!(matches!(
            table.discard(pore, 1, 1),
            Err(PoreError::Corrupt(_))
        ));
        assert!(matches!(table.avail(pore, 1), Err(PoreError::Corrupt(_))));
        table.with_page_for_test(pore, |page| page.write_u32(REQUESTS.cons, 9000));
        assert!(matches!(
            table.write(pore, 1, b"x"),
            Err(PoreError::Corrupt(_))
        ));
    }

    #[test]
    fn many_pores_open_and_close_with_fresh_ids_and_stale_ids_fail() {
        let platform = SimPlatform::new();
        let mut table: PoreTable<SimPlatform> = PoreTable::new();
        let mut open: Vec<PoreId> = Vec::new();
        let mut closed: Vec<PoreId> = Vec::new();
        for i in 0..3000u32 {
            open.push(table.open_loopback(&platform, i % 7).unwrap());
            if i % 4 == 3 {
                let id = open.remove(open.len() / 2);
                assert_eq!(table.close(&platform, id, table.owner(id).unwrap()), Ok(()));
                closed.push(id);
            }
        }
        assert_eq!(table.len(), open.len());
        assert!(table.slots.slot_count() <= open.len() + 1);
        for id in &open {
            assert!(table.owner(*id).is_some());
            assert_eq!(PoreId::from_u64(id.to_u64()), *id);
        }
        for id in &closed {
            assert!(!open.contains(id), "an id is never given twice");
            assert_eq!(table.read(*id, 0), Err(PoreError::Closed));
            assert_eq!(table.close(&platform, *id, 0), Err(PoreError::Closed));
        }
        let of_3 = open
            .iter()
            .filter(|id| table.owner(**id) == Some(3))
            .count();
        assert_eq!(table.close_owned_by(&platform, 3).len(), of_3);
        for owner in 0..7 {
            table.close_owned_by(&platform, owner);
        }
        assert!(table.is_empty());
        assert_eq!(platform.pages_out(), 0);
        assert_eq!(platform.channels_bound(), 0);
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
            let pore = self.slots.get(id.handle()).unwrap();
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
