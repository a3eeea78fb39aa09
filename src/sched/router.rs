//! The channel router: which pore or outlet an event channel belongs to.
//!
//! Every channel a pore or outlet listens on has one route, added when the object opens and
//! removed when it closes (on request or with its owner). `events_do_pending` looks each
//! pending channel up here once and hands the event to the one table that owns it. A channel
//! with no route (closed in between, or never ours) is ignored.

use crate::outlet::OutletId;
use crate::platform::Channel;
use crate::pore::PoreId;
use crate::wordmap::{Word, WordMap};

/// Who handles a channel's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// A pore: its owner gets `{irq, Pore}`.
    Pore(PoreId),
    /// An outlet: its driver runs.
    Outlet(OutletId),
}

/// Channel -> pore or outlet.
///
/// Pores and outlets each have their map (a channel is in at most one of them): their ids
/// fill a word each, which leaves no room to say whose an id is. Both maps hold the ids as
/// words ([`Word`]), so one function removes from either.
#[derive(Debug, Default)]
pub struct ChannelRouter {
    pores: WordMap<Channel, u64>,
    outlets: WordMap<Channel, u64>,
}

/// Removes every entry of `map` whose value is `id` (a closing object has a channel or two).
fn remove_value(map: &mut WordMap<Channel, u64>, id: u64) {
    loop {
        let Some((channel, _)) = map.iter().find(|e| e.1 == id) else {
            return;
        };
        map.remove(channel);
    }
}

impl ChannelRouter {
    /// No routes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends `channel`'s events to `route` from now on.
    pub fn add(&mut self, channel: Channel, route: Route) {
        match route {
            Route::Pore(id) => {
                self.outlets.remove(channel);
                self.pores.insert(channel, id.to_word());
            }
            Route::Outlet(id) => {
                self.pores.remove(channel);
                self.outlets.insert(channel, id.to_word());
            }
        }
    }

    /// Removes every channel of `route` (it closed).
    pub fn remove(&mut self, route: Route) {
        match route {
            Route::Pore(id) => remove_value(&mut self.pores, id.to_word()),
            Route::Outlet(id) => remove_value(&mut self.outlets, id.to_word()),
        }
    }

    /// Where `channel`'s events go.
    pub fn route(&self, channel: Channel) -> Option<Route> {
        match self.pores.get(channel) {
            Some(id) => Some(Route::Pore(PoreId::from_word(id))),
            None => self
                .outlets
                .get(channel)
                .map(|id| Route::Outlet(OutletId::from_word(id))),
        }
    }

    /// Routed channels.
    pub fn len(&self) -> usize {
        self.pores.len() + self.outlets.len()
    }

    /// Whether no channel is routed.
    pub fn is_empty(&self) -> bool {
        self.pores.is_empty() && self.outlets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_come_and_go_with_their_objects() {
        let mut router = ChannelRouter::new();
        let pore = Route::Pore(PoreId::from_u64(3));
        let outlet = Route::Outlet(OutletId(1));
        router.add(Channel(5), pore);
        router.add(Channel(6), outlet);
        router.add(Channel(7), outlet);
        assert_eq!(router.route(Channel(5)), Some(pore));
        assert_eq!(router.route(Channel(7)), Some(outlet));
        router.remove(outlet);
        assert_eq!(router.route(Channel(6)), None);
        assert_eq!(router.route(Channel(7)), None);
        assert_eq!(router.len(), 1);
        router.remove(pore);
        assert!(router.is_empty());
    }
}
