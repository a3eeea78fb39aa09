//! The channel router: which pore or outlet an event channel belongs to.
//!
//! Every channel a pore or outlet listens on has one route, added when the object opens and
//! removed when it closes (on request or with its owner). `events_do_pending` looks each
//! pending channel up here once and hands the event to the one table that owns it. A channel
//! with no route (closed in between, or never ours) is ignored.

use alloc::collections::BTreeMap;

use crate::outlet::OutletId;
use crate::platform::Channel;
use crate::pore::PoreId;

/// Who handles a channel's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// A pore: its owner gets `{irq, Pore}`.
    Pore(PoreId),
    /// An outlet: its driver runs.
    Outlet(OutletId),
}

/// Channel -> pore or outlet.
#[derive(Debug, Default)]
pub struct ChannelRouter {
    routes: BTreeMap<Channel, Route>,
}

impl ChannelRouter {
    /// No routes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends `channel`'s events to `route` from now on.
    pub fn add(&mut self, channel: Channel, route: Route) {
        self.routes.insert(channel, route);
    }

    /// Removes every channel of `route` (it closed).
    pub fn remove(&mut self, route: Route) {
        self.routes.retain(|_, r| *r != route);
    }

    /// Where `channel`'s events go.
    pub fn route(&self, channel: Channel) -> Option<Route> {
        self.routes.get(&channel).copied()
    }

    /// Routed channels.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether no channel is routed.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
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
