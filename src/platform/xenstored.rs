//! A simulated xenstored: the far end of the Xenstore ring page, for host tests.
//!
//! [`Xenstored`] keeps a tree of nodes (values, permissions, a generation per node), a
//! per-domain entry quota, watches and transactions, and speaks the wire protocol of Xen's
//! docs/misc/xenstore.txt over the shared page as xenstored does for one unprivileged guest:
//! requests are read from the request ring and replies and watch events written to the response
//! ring, both through [`xenbeam_xenproto::ring::RingLayout`]. The tree starts as a guest's does
//! under Xen: `/local/domain/<domid>` with `name` and `domid`, owned by the guest; everything
//! else belongs to dom0 and is closed to the guest. Relative paths resolve under the guest's
//! home.
//!
//! The daemon owns no clock and never blocks: the platform calls [`Xenstored::step`] with the
//! current time when it collects events, and asks [`Xenstored::has_work`] and
//! [`Xenstored::next_deadline`] before it sleeps. Like C xenstored, which looks at both rings
//! on every pass of its loop, a step reads whatever the guest has published (a notify is
//! counted, not required) and writes whatever fits. A request's reply comes first, then the
//! watch events it caused.
//!
//! [`XenstoredConfig`] adds knobs that make a driver's life hard on purpose: delayed,
//! reordered and chunked replies, a limit on requests in flight, ring reconnection, injected
//! errors, a second domain writing into the guest's tree, and hostile replies.
//!
//! Invariants: the daemon writes only the request consumer index, the response producer index
//! and data, `server_features`, `connection` (back to 0) and `error`. It validates every index
//! the guest owns before using it. Once the connection is broken (a protocol error, or a
//! hostile reply nothing can follow) it touches the page again only to reconnect.

use super::sim::SimPage;
use super::RingMemory;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Bound;
use core::str::FromStr;
use xenbeam_xenproto::ring::used;
use xenbeam_xenproto::xenstore::{
    Header, MessageType, HEADER_SIZE, MAX_PAYLOAD, REQUESTS, RESPONSES,
};

/// Offset of the server feature bitmap in the ring page.
const SERVER_FEATURES: usize = 2064;
/// Offset of the connection state (1: the guest asks for a reconnection).
const CONNECTION: usize = 2068;
/// Offset of the connection error indicator.
const ERROR: usize = 2072;
/// Feature bit: the server honours reconnection requests.
const FEATURE_RECONNECTION: u32 = 1;
/// Feature bit: the server reports why it stopped in the error indicator.
const FEATURE_ERROR: u32 = 2;
/// Error indicator: inconsistent producer or consumer index.
const ERROR_RING_INDEX: u32 = 2;
/// Error indicator: protocol violation (a payload over the limit).
const ERROR_PROTOCOL: u32 = 3;
/// Longest absolute path xenstored accepts.
const ABS_PATH_MAX: usize = 3072;
/// Longest relative path xenstored accepts.
const REL_PATH_MAX: usize = 2048;
/// Message types only a privileged domain may send.
const PRIVILEGED_TYPES: [u32; 6] = [0, 8, 9, 17, 18, 19];

/// A hostile behaviour the daemon can switch to once (see [`XenstoredConfig::hostile`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hostile {
    /// Publish a response producer index more than a ring ahead of the consumer, then stop.
    Indices,
    /// Send an extra reply carrying a request id the guest never used, before the real one.
    ReqId,
    /// Answer a request with a reply of another type.
    Type,
    /// Send a reply header announcing a 5000-byte payload, then stop.
    Len,
}

/// The daemon's knobs. [`XenstoredConfig::default`] behaves like C xenstored for domain 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XenstoredConfig {
    /// The guest's domain id (`domid=N`, 1 to 32751).
    pub domid: u32,
    /// The guest's name, stored in `<home>/name` (`name=S`).
    pub name: String,
    /// Largest value the guest may write, in bytes; larger gets `ENOSPC`, as from C xenstored's
    /// entry-size quota (`max_value=N`).
    pub max_value: usize,
    /// Nodes the guest may own; more gets `EQUOTA` (`quota=N`).
    pub quota: usize,
    /// Transactions the guest may have open; more gets `ENOSPC` (`max_transactions=N`).
    pub max_transactions: usize,
    /// Watches the guest may set; more gets `E2BIG` (`max_watches=N`).
    pub max_watches: usize,
    /// Virtual time between reading a request and its reply becoming visible (`delay_ns=N`).
    pub delay_ns: u64,
    /// Replies to requests read in one batch are written in reverse order (`reorder`).
    pub reorder: bool,
    /// At most this many bytes consumed and produced per step (`chunk=N`).
    pub chunk: Option<usize>,
    /// The daemon reads no request while this many replies are not yet taken from the ring
    /// (`max_outstanding=N`).
    pub max_outstanding: usize,
    /// Advertise and honour ring reconnection (`reconnection`).
    pub reconnection: bool,
    /// A request whose path ends in `error-NAME` fails with `NAME` (`errors`).
    pub errors: bool,
    /// Dom0 copies `<home>/data/dom0-ask` to `<home>/data/dom0-said` (`dom0_echo`).
    pub dom0_echo: bool,
    /// A hostile behaviour (`hostile=indices|reqid|type|len`).
    pub hostile: Option<Hostile>,
    /// Replies sent normally before the hostile one (`hostile_after=N`).
    pub hostile_after: u64,
}

impl Default for XenstoredConfig {
    fn default() -> Self {
        Self {
            domid: 1,
            name: String::from("xenbeam"),
            max_value: 2048,
            quota: 1000,
            max_transactions: 10,
            max_watches: 128,
            delay_ns: 0,
            reorder: false,
            chunk: None,
            max_outstanding: 20,
            reconnection: false,
            errors: false,
            dom0_echo: false,
            hostile: None,
            hostile_after: 0,
        }
    }
}

/// Why a knob string was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// No such knob.
    UnknownKnob(String),
    /// The knob needs `=VALUE`.
    MissingValue(&'static str),
    /// The knob is a flag and takes no value.
    UnexpectedValue(&'static str),
    /// The value is not valid for the knob.
    BadValue {
        /// The knob.
        knob: &'static str,
        /// The value given.
        value: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownKnob(k) => write!(f, "unknown xenstored knob `{k}`"),
            Self::MissingValue(k) => write!(f, "xenstored knob `{k}` needs a value (`{k}=...`)"),
            Self::UnexpectedValue(k) => write!(f, "xenstored knob `{k}` takes no value"),
            Self::BadValue { knob, value } => {
                write!(f, "bad value `{value}` for xenstored knob `{knob}`")
            }
        }
    }
}

const FLAGS: [&str; 4] = ["reorder", "reconnection", "errors", "dom0_echo"];
const VALUED: [&str; 11] = [
    "domid",
    "name",
    "max_value",
    "quota",
    "max_transactions",
    "max_watches",
    "delay_ns",
    "chunk",
    "max_outstanding",
    "hostile",
    "hostile_after",
];

impl XenstoredConfig {
    /// Parses `key=value,flag,...` over the defaults; an empty string gives the defaults.
    pub fn parse(knobs: &str) -> Result<Self, ConfigError> {
        let mut cfg = Self::default();
        for item in knobs.split(',').filter(|s| !s.is_empty()) {
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (item, None),
            };
            if let Some(&flag) = FLAGS.iter().find(|&&f| f == key) {
                if value.is_some() {
                    return Err(ConfigError::UnexpectedValue(flag));
                }
                match flag {
                    "reorder" => cfg.reorder = true,
                    "reconnection" => cfg.reconnection = true,
                    "errors" => cfg.errors = true,
                    _ => cfg.dom0_echo = true,
                }
                continue;
            }
            let Some(&knob) = VALUED.iter().find(|&&k| k == key) else {
                return Err(ConfigError::UnknownKnob(key.to_string()));
            };
            let value = value.ok_or(ConfigError::MissingValue(knob))?;
            let bad = || ConfigError::BadValue {
                knob,
                value: value.to_string(),
            };
            let number = || value.parse::<u64>().map_err(|_| bad());
            let count = |min: u64| match number() {
                Ok(n) if n >= min => usize::try_from(n).map_err(|_| bad()),
                _ => Err(bad()),
            };
            match knob {
                "domid" => match number() {
                    // Ids from DOMID_FIRST_RESERVED up are not domains; 0 is dom0 itself.
                    Ok(n @ 1..=0x7fef) => cfg.domid = n as u32,
                    _ => return Err(bad()),
                },
                "name" => {
                    let printable = value.bytes().all(|b| (0x21..0x7f).contains(&b));
                    if value.is_empty() || !printable {
                        return Err(bad());
                    }
                    cfg.name = value.to_string();
                }
                "max_value" => cfg.max_value = count(0)?,
                "quota" => cfg.quota = count(0)?,
                "max_transactions" => cfg.max_transactions = count(0)?,
                "max_watches" => cfg.max_watches = count(0)?,
                "delay_ns" => cfg.delay_ns = number()?,
                "chunk" => cfg.chunk = Some(count(1)?),
                "max_outstanding" => cfg.max_outstanding = count(1)?,
                "hostile" => {
                    cfg.hostile = Some(match value {
                        "indices" => Hostile::Indices,
                        "reqid" => Hostile::ReqId,
                        "type" => Hostile::Type,
                        "len" => Hostile::Len,
                        _ => return Err(bad()),
                    })
                }
                _ => cfg.hostile_after = number()?,
            }
        }
        Ok(cfg)
    }

    /// The guest's home, `/local/domain/<domid>`.
    pub fn home(&self) -> String {
        format!("/local/domain/{}", self.domid)
    }
}

impl FromStr for XenstoredConfig {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        Self::parse(s)
    }
}

/// What the daemon has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct XenstoredStats {
    /// Whole requests read and handled.
    pub requests: u64,
    /// Replies written to the ring in full (watch events not included).
    pub replies: u64,
    /// Notifications received from the guest.
    pub notifies: u64,
    /// The most requests seen outstanding at once: read but whose reply the guest has not yet
    /// taken from the ring, plus whole requests waiting in the request ring.
    pub max_outstanding: usize,
    /// Protocol errors that broke the connection.
    pub protocol_errors: u64,
    /// Watch events written to the ring in full.
    pub watch_events: u64,
}

/// Why a request failed: the errno name sent back in an ERROR reply.
#[derive(Clone, Debug, PartialEq, Eq)]
enum StoreError {
    Invalid,
    Access,
    Permission,
    Exists,
    NoEntry,
    NoSpace,
    TryAgain,
    TooBig,
    Quota,
    Busy,
    /// Injected by the `errors` knob: the name as the guest spelled it.
    Injected(String),
}

impl StoreError {
    fn name(&self) -> &str {
        match self {
            Self::Invalid => "EINVAL",
            Self::Access => "EACCES",
            Self::Permission => "EPERM",
            Self::Exists => "EEXIST",
            Self::NoEntry => "ENOENT",
            Self::NoSpace => "ENOSPC",
            Self::TryAgain => "EAGAIN",
            Self::TooBig => "E2BIG",
            Self::Quota => "EQUOTA",
            Self::Busy => "EBUSY",
            Self::Injected(name) => name,
        }
    }
}

/// What a domain may do with a node: `n`one, `r`ead, `w`rite or `b`oth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Perm {
    mode: u8,
    domid: u32,
}

impl Perm {
    fn parse(s: &[u8]) -> Option<Self> {
        let (&mode, digits) = s.split_first()?;
        if !b"nrwb".contains(&mode) {
            return None;
        }
        let domid = core::str::from_utf8(digits).ok()?.parse().ok()?;
        Some(Self { mode, domid })
    }
}

#[derive(Clone, Debug)]
struct Node {
    value: Vec<u8>,
    /// The first entry names the owner and the mode for domains not listed after it.
    perms: Vec<Perm>,
    /// The store generation of the last change to the node or its list of children.
    generation: u64,
}

impl Node {
    fn mode_for(&self, domid: u32) -> u8 {
        let owner = self.perms[0];
        if domid == 0 || owner.domid == domid {
            return b'b';
        }
        self.perms[1..]
            .iter()
            .find(|p| p.domid == domid)
            .map_or(owner.mode, |p| p.mode)
    }
    fn readable_by(&self, domid: u32) -> bool {
        matches!(self.mode_for(domid), b'r' | b'b')
    }
    fn writable_by(&self, domid: u32) -> bool {
        matches!(self.mode_for(domid), b'w' | b'b')
    }
}

/// Whether `path` is `ancestor` or lies below it.
fn is_at_or_below(path: &str, ancestor: &str) -> bool {
    if ancestor == "/" {
        return path.starts_with('/');
    }
    path == ancestor
        || (path.starts_with(ancestor) && path.as_bytes().get(ancestor.len()) == Some(&b'/'))
}

fn parent_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The nodes, by absolute path.
#[derive(Clone, Debug, Default)]
struct Tree {
    nodes: BTreeMap<String, Node>,
}

impl Tree {
    /// The paths of `path` and everything below it.
    fn subtree(&self, path: &str) -> Vec<String> {
        self.nodes
            .range::<str, _>((Bound::Included(path), Bound::Unbounded))
            .map(|(p, _)| p)
            .take_while(|p| p.starts_with(path))
            .filter(|p| is_at_or_below(p, path))
            .cloned()
            .collect()
    }

    /// Names of the children of `path`, in order.
    fn children(&self, path: &str) -> Vec<&str> {
        let prefix = if path == "/" {
            String::from("/")
        } else {
            format!("{path}/")
        };
        self.nodes
            .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
            .map(|(p, _)| p.as_str())
            .take_while(|p| p.starts_with(&prefix))
            .map(|p| &p[prefix.len()..])
            .filter(|rest| !rest.is_empty() && !rest.contains('/'))
            .collect()
    }

    /// The closest existing node at or above `path`.
    fn nearest(&self, path: &str) -> (&str, &Node) {
        let mut p = path;
        loop {
            if let Some((k, n)) = self.nodes.get_key_value(p) {
                return (k, n);
            }
            p = parent_of(p);
        }
    }

    fn owned_by(&self, domid: u32) -> usize {
        self.nodes
            .values()
            .filter(|n| n.perms[0].domid == domid)
            .count()
    }

    fn touch_parent(&mut self, path: &str, generation: u64) {
        if let Some(parent) = self.nodes.get_mut(parent_of(path)) {
            parent.generation = generation;
        }
    }
}

/// The limits a write is checked against.
#[derive(Clone, Copy, Debug)]
struct Limits {
    max_value: usize,
    quota: usize,
}

/// One operation on a tree (the live one or a transaction's) by one domain: records the paths
/// it looked at, the nodes it changed and the watch events it causes.
struct Op<'a> {
    tree: &'a mut Tree,
    caller: u32,
    generation: u64,
    limits: Limits,
    touched: Vec<String>,
    changed: Vec<String>,
    events: Vec<(String, bool)>,
}

impl<'a> Op<'a> {
    fn new(tree: &'a mut Tree, caller: u32, generation: u64, limits: Limits) -> Self {
        Self {
            tree,
            caller,
            generation,
            limits,
            touched: Vec::new(),
            changed: Vec::new(),
            events: Vec::new(),
        }
    }

    /// The node at `path` if the caller may read it; a missing node is `EACCES` rather than
    /// `ENOENT` when its closest existing ancestor is hidden from the caller.
    fn readable(&mut self, path: &str) -> Result<&Node, StoreError> {
        self.touched.push(path.to_string());
        let (at, node) = self.tree.nearest(path);
        if !node.readable_by(self.caller) {
            return Err(StoreError::Access);
        }
        if at != path {
            return Err(StoreError::NoEntry);
        }
        Ok(node)
    }

    fn read(&mut self, path: &str) -> Result<Vec<u8>, StoreError> {
        Ok(self.readable(path)?.value.clone())
    }

    fn directory(&mut self, path: &str) -> Result<Vec<u8>, StoreError> {
        self.readable(path)?;
        let mut out = Vec::new();
        for name in self.tree.children(path) {
            out.extend_from_slice(name.as_bytes());
            out.push(0);
        }
        Ok(out)
    }

    fn get_perms(&mut self, path: &str) -> Result<Vec<u8>, StoreError> {
        let node = self.readable(path)?;
        let mut out = Vec::new();
        for p in &node.perms {
            out.push(p.mode);
            out.extend_from_slice(p.domid.to_string().as_bytes());
            out.push(0);
        }
        Ok(out)
    }

    /// Creates `path` and any missing ancestors, or checks the caller may write it.
    fn ensure(&mut self, path: &str) -> Result<(), StoreError> {
        self.touched.push(path.to_string());
        let (at, node) = self.tree.nearest(path);
        if !node.writable_by(self.caller) {
            return Err(StoreError::Access);
        }
        if at == path {
            return Ok(());
        }
        let (at, mut perms) = (at.to_string(), node.perms.clone());
        let mut missing = Vec::new();
        let mut p = path;
        while p != at {
            missing.push(p.to_string());
            p = parent_of(p);
        }
        if self.caller != 0 && self.tree.owned_by(self.caller) + missing.len() > self.limits.quota {
            return Err(StoreError::Quota);
        }
        // A new node inherits its parent's permissions, owned by its creator.
        if self.caller != 0 {
            perms[0].domid = self.caller;
        }
        self.touched.push(at.clone());
        for p in missing.into_iter().rev() {
            self.tree.touch_parent(&p, self.generation);
            self.tree.nodes.insert(
                p.clone(),
                Node {
                    value: Vec::new(),
                    perms: perms.clone(),
                    generation: self.generation,
                },
            );
            self.touched.push(p.clone());
            self.changed.push(p);
        }
        Ok(())
    }

    fn write(&mut self, path: &str, value: &[u8]) -> Result<(), StoreError> {
        // C xenstored refuses a node larger than its entry-size quota with ENOSPC.
        if self.caller != 0 && value.len() > self.limits.max_value {
            return Err(StoreError::NoSpace);
        }
        self.ensure(path)?;
        let generation = self.generation;
        if let Some(node) = self.tree.nodes.get_mut(path) {
            node.value = value.to_vec();
            node.generation = generation;
        }
        self.changed.push(path.to_string());
        self.events.push((path.to_string(), false));
        Ok(())
    }

    fn mkdir(&mut self, path: &str) -> Result<(), StoreError> {
        let before = self.changed.len();
        self.ensure(path)?;
        if self.changed.len() > before {
            self.events.push((path.to_string(), false));
        }
        Ok(())
    }

    fn rm(&mut self, path: &str) -> Result<(), StoreError> {
        if path == "/" {
            return Err(StoreError::Invalid);
        }
        self.touched.push(path.to_string());
        let (at, node) = self.tree.nearest(path);
        if at != path {
            // Removing a missing node is fine if its parent exists and is visible.
            return if !node.readable_by(self.caller) {
                Err(StoreError::Access)
            } else if at == parent_of(path) {
                Ok(())
            } else {
                Err(StoreError::NoEntry)
            };
        }
        if !node.writable_by(self.caller) {
            return Err(StoreError::Access);
        }
        for p in self.tree.subtree(path) {
            self.tree.nodes.remove(&p);
            self.touched.push(p.clone());
            self.changed.push(p);
        }
        self.tree.touch_parent(path, self.generation);
        self.touched.push(parent_of(path).to_string());
        self.events.push((path.to_string(), true));
        Ok(())
    }

    fn set_perms(&mut self, path: &str, perms: Vec<Perm>) -> Result<(), StoreError> {
        self.touched.push(path.to_string());
        let (caller, generation) = (self.caller, self.generation);
        self.readable(path)?;
        let node = self.tree.nodes.get_mut(path).ok_or(StoreError::NoEntry)?;
        if caller != 0 && node.perms[0].domid != caller {
            return Err(StoreError::Access);
        }
        if caller != 0 && perms[0].domid != caller {
            // An unprivileged domain may not give its nodes away.
            return Err(StoreError::Permission);
        }
        node.perms = perms;
        node.generation = generation;
        self.changed.push(path.to_string());
        self.events.push((path.to_string(), false));
        Ok(())
    }
}

/// An open transaction: a private copy of the tree, and what it looked at and changed.
#[derive(Debug)]
struct Transaction {
    /// The store generation when it started: a node it touched with a later generation (or
    /// removed later) means a conflict.
    start: u64,
    tree: Tree,
    touched: BTreeSet<String>,
    changed: BTreeSet<String>,
    events: Vec<(String, bool)>,
}

#[derive(Clone, Debug)]
struct Watch {
    /// Absolute path, or a special `@name`.
    path: String,
    token: Vec<u8>,
    /// Set with a relative path: events name paths relative to the home.
    relative: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OutKind {
    Reply,
    Event,
    /// A reply to no request (hostile).
    Stray,
    /// A header whose payload length is over the limit; the daemon stops after it.
    Oversized,
    /// Not bytes: publish a response producer index out of range, then stop.
    CorruptIndices,
}

#[derive(Clone, Debug)]
struct OutMsg {
    bytes: Vec<u8>,
    kind: OutKind,
}

impl OutMsg {
    fn new(kind: OutKind, header: Header, payload: &[u8]) -> Self {
        let mut bytes = header.encode().to_vec();
        bytes.extend_from_slice(payload);
        Self { bytes, kind }
    }
}

/// The messages answering one request, visible from `ready_at` on.
#[derive(Debug)]
struct Batch {
    ready_at: u64,
    msgs: Vec<OutMsg>,
}

/// The simulated daemon, serving one guest over one ring page.
#[derive(Debug)]
pub struct Xenstored {
    cfg: XenstoredConfig,
    page: SimPage,
    home: String,
    tree: Tree,
    generation: u64,
    /// Generation at which each removed path went away, while transactions may care.
    removed: BTreeMap<String, u64>,
    transactions: BTreeMap<u32, Transaction>,
    next_transaction: u32,
    watches: Vec<Watch>,
    /// Request bytes consumed but not yet a whole message.
    input: Vec<u8>,
    /// Answers waiting for their time.
    delayed: VecDeque<Batch>,
    /// Messages due, in ring order; the first may be partly written already.
    outbox: VecDeque<OutMsg>,
    written: usize,
    /// For each reply in the ring the guest has not yet taken: the index just past it.
    in_ring: VecDeque<u32>,
    replies_made: u64,
    broken: bool,
    /// The response ring filled up mid-message: nothing more is written until a notify.
    output_blocked: bool,
    /// Watch events caused by the request being handled: (path as the watcher sees it, token).
    events: Vec<(Vec<u8>, Vec<u8>)>,
    stats: XenstoredStats,
}

impl Xenstored {
    /// A daemon over `page` (its handle on the guest's ring page), with the guest's tree.
    pub fn new(cfg: XenstoredConfig, page: SimPage) -> Self {
        let home = cfg.home();
        let mut daemon = Self {
            cfg,
            page,
            home,
            tree: Tree::default(),
            generation: 1,
            removed: BTreeMap::new(),
            transactions: BTreeMap::new(),
            next_transaction: 1,
            watches: Vec::new(),
            input: Vec::new(),
            delayed: VecDeque::new(),
            outbox: VecDeque::new(),
            written: 0,
            in_ring: VecDeque::new(),
            replies_made: 0,
            broken: false,
            output_blocked: false,
            events: Vec::new(),
            stats: XenstoredStats::default(),
        };
        let dom0 = [Perm {
            mode: b'n',
            domid: 0,
        }];
        let guest = [Perm {
            mode: b'n',
            domid: daemon.cfg.domid,
        }];
        let domid = daemon.cfg.domid.to_string();
        let home = daemon.home.clone();
        let name = daemon.cfg.name.clone();
        for (path, value, perms) in [
            ("/", "", &dom0),
            ("/local", "", &dom0),
            ("/local/domain", "", &dom0),
            ("/local/domain/0", "", &dom0),
            ("/local/domain/0/name", "Domain-0", &dom0),
            ("/local/domain/0/domid", "0", &dom0),
            ("/tool", "", &dom0),
            (home.as_str(), "", &guest),
            (format!("{home}/name").as_str(), name.as_str(), &guest),
            (format!("{home}/domid").as_str(), domid.as_str(), &guest),
        ] {
            daemon.tree.nodes.insert(
                path.to_string(),
                Node {
                    value: value.as_bytes().to_vec(),
                    perms: perms.to_vec(),
                    generation: 1,
                },
            );
        }
        let mut features = FEATURE_ERROR;
        if daemon.cfg.reconnection {
            features |= FEATURE_RECONNECTION;
        }
        daemon.page.write_u32(SERVER_FEATURES, features);
        daemon
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &XenstoredConfig {
        &self.cfg
    }

    /// What it has done so far.
    pub fn stats(&self) -> XenstoredStats {
        self.stats
    }

    /// Whether it stopped serving (a protocol error, or a hostile reply it cannot follow).
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// The guest notified the ring's channel.
    pub fn kick(&mut self) {
        self.stats.notifies += 1;
        self.output_blocked = false;
    }

    /// Whether a step at `now` would make progress.
    pub fn has_work(&self, now: u64) -> bool {
        if self.reconnect_requested() {
            return true;
        }
        if self.broken {
            return false;
        }
        let (Ok(unread), Ok(free)) = (REQUESTS.available(&self.page), RESPONSES.free(&self.page))
        else {
            // Corrupt indices: the next step reports them.
            return true;
        };
        let may_read = !self.input.is_empty() || self.outstanding() < self.cfg.max_outstanding;
        let pending_output = !self.outbox.is_empty() || self.ready(now);
        (unread > 0 && may_read) || (pending_output && free > 0 && !self.output_blocked)
    }

    /// When the next delayed reply becomes visible.
    pub fn next_deadline(&self) -> Option<u64> {
        match self.broken {
            true => None,
            false => self.delayed.front().map(|b| b.ready_at),
        }
    }

    fn reconnect_requested(&self) -> bool {
        self.cfg.reconnection && self.page.read_u32(CONNECTION) == 1
    }

    fn ready(&self, now: u64) -> bool {
        self.delayed.front().is_some_and(|b| b.ready_at <= now)
    }

    /// Replies made and not yet taken by the guest, counting only replies to requests.
    fn outstanding(&self) -> usize {
        let queued = |msgs: &mut dyn Iterator<Item = &OutMsg>| {
            msgs.filter(|m| m.kind == OutKind::Reply).count()
        };
        let rsp_cons = self.page.read_u32(RESPONSES.cons);
        queued(&mut self.delayed.iter().flat_map(|b| b.msgs.iter()))
            + queued(&mut self.outbox.iter())
            + self
                .in_ring
                .iter()
                .filter(|&&end| !taken(rsp_cons, end))
                .count()
    }

    fn protocol_error(&mut self, code: u32) {
        self.stats.protocol_errors += 1;
        self.broken = true;
        self.page.write_u32(ERROR, code);
    }

    /// Does what can be done at `now`: honours a reconnection request, reads requests and
    /// answers them, publishes replies whose time has come. Returns whether the guest should be
    /// signalled (ring data consumed or produced, or the connection reset).
    pub fn step(&mut self, now: u64) -> bool {
        if self.reconnect_requested() {
            self.reconnect();
            return true;
        }
        if self.broken {
            return false;
        }
        let page = &self.page;
        let req = used(
            page.read_u32(REQUESTS.prod),
            page.read_u32(REQUESTS.cons),
            1024,
        );
        let rsp_cons = page.read_u32(RESPONSES.cons);
        let rsp = used(page.read_u32(RESPONSES.prod), rsp_cons, 1024);
        if req.is_err() || rsp.is_err() {
            self.protocol_error(ERROR_RING_INDEX);
            return true;
        }
        // Replies the guest has taken no longer count as outstanding.
        while self
            .in_ring
            .front()
            .is_some_and(|&end| taken(rsp_cons, end))
        {
            self.in_ring.pop_front();
        }
        let seen = self.outstanding() + self.whole_requests_waiting();
        self.stats.max_outstanding = self.stats.max_outstanding.max(seen);

        let mut budget = self.cfg.chunk.unwrap_or(usize::MAX);
        let mut signal = false;
        let mut batch = Vec::new();
        loop {
            let waiting = self.outstanding() + batch.len();
            if self.input.is_empty() && waiting >= self.cfg.max_outstanding {
                break;
            }
            let need = if self.input.len() < HEADER_SIZE {
                HEADER_SIZE - self.input.len()
            } else {
                let raw: [u8; HEADER_SIZE] =
                    self.input[..HEADER_SIZE].try_into().expect("header slice");
                let Ok(header) = Header::decode(&raw) else {
                    // A payload over the limit: xenstored drops the connection.
                    self.protocol_error(ERROR_PROTOCOL);
                    return true;
                };
                let total = HEADER_SIZE + header.len as usize;
                if self.input.len() == total {
                    let payload = core::mem::take(&mut self.input).split_off(HEADER_SIZE);
                    batch.push(self.handle(header, &payload));
                    continue;
                }
                total - self.input.len()
            };
            let mut buf = vec![0u8; need.min(budget)];
            let n = match REQUESTS.consume(&self.page, &mut buf) {
                Ok(n) => n,
                Err(_) => {
                    self.protocol_error(ERROR_RING_INDEX);
                    return true;
                }
            };
            if n == 0 {
                break;
            }
            signal = true;
            budget -= n;
            self.input.extend_from_slice(&buf[..n]);
        }
        if self.cfg.reorder {
            batch.reverse();
        }
        let ready_at = now.saturating_add(self.cfg.delay_ns);
        self.delayed
            .extend(batch.into_iter().map(|msgs| Batch { ready_at, msgs }));
        while self.ready(now) {
            let due = self.delayed.pop_front().expect("a ready batch");
            self.outbox.extend(due.msgs);
        }
        if !self.output_blocked {
            signal |= self.flush(self.cfg.chunk.unwrap_or(usize::MAX));
        }
        signal
    }

    /// Whole requests in the input buffer and the unread part of the request ring.
    fn whole_requests_waiting(&self) -> usize {
        let cons = self.page.read_u32(REQUESTS.cons);
        let unread = REQUESTS.available(&self.page).unwrap_or(0);
        let mut bytes = self.input.clone();
        for i in 0..unread {
            let slot = REQUESTS.data + (cons.wrapping_add(i) & (REQUESTS.size - 1)) as usize;
            bytes.push(self.page.read_u8(slot));
        }
        let mut count = 0;
        let mut rest = &bytes[..];
        while rest.len() >= HEADER_SIZE {
            let len = u32::from_le_bytes([rest[12], rest[13], rest[14], rest[15]]) as usize;
            if len > MAX_PAYLOAD || rest.len() < HEADER_SIZE + len {
                break;
            }
            count += 1;
            rest = &rest[HEADER_SIZE + len..];
        }
        count
    }

    /// Writes due messages into the response ring, at most `budget` bytes.
    fn flush(&mut self, mut budget: usize) -> bool {
        let mut produced = false;
        while let Some(msg) = self.outbox.front() {
            if msg.kind == OutKind::CorruptIndices {
                let cons = self.page.read_u32(RESPONSES.cons);
                self.page
                    .write_u32(RESPONSES.prod, cons.wrapping_add(2 * RESPONSES.size));
                self.outbox.clear();
                self.broken = true;
                return true;
            }
            let rest = &msg.bytes[self.written..];
            let n = match RESPONSES.produce(&self.page, &rest[..rest.len().min(budget)]) {
                Ok(n) => n,
                Err(_) => {
                    self.protocol_error(ERROR_RING_INDEX);
                    return true;
                }
            };
            produced |= n > 0;
            budget -= n;
            self.written += n;
            if self.written < msg.bytes.len() {
                // Like C xenstored: with the response ring full it writes again only after
                // the guest's next notification (which a guest owes after emptying the ring).
                self.output_blocked = RESPONSES.free(&self.page).is_ok_and(|f| f == 0);
                break;
            }
            let kind = msg.kind;
            self.outbox.pop_front();
            self.written = 0;
            match kind {
                OutKind::Reply => {
                    self.stats.replies += 1;
                    self.in_ring.push_back(self.page.read_u32(RESPONSES.prod));
                }
                OutKind::Event => self.stats.watch_events += 1,
                OutKind::Oversized => {
                    self.outbox.clear();
                    self.broken = true;
                }
                OutKind::Stray | OutKind::CorruptIndices => {}
            }
        }
        produced
    }

    /// Resets the connection as the reconnection feature prescribes.
    fn reconnect(&mut self) {
        self.output_blocked = false;
        self.input.clear();
        self.delayed.clear();
        self.outbox.clear();
        self.written = 0;
        self.in_ring.clear();
        self.watches.clear();
        self.transactions.clear();
        self.removed.clear();
        self.broken = false;
        for offset in [REQUESTS.cons, REQUESTS.prod, RESPONSES.cons, RESPONSES.prod] {
            self.page.write_u32(offset, 0);
        }
        self.page.write_u32(ERROR, 0);
        // The indices must be reset before the guest sees the connection come back.
        core::sync::atomic::fence(core::sync::atomic::Ordering::SeqCst);
        self.page.write_u32(CONNECTION, 0);
    }

    /// Answers one request: its reply, then the watch events it caused.
    fn handle(&mut self, header: Header, payload: &[u8]) -> Vec<OutMsg> {
        self.stats.requests += 1;
        let result = self.dispatch(&header, payload);
        let (kind, body) = match result {
            Ok(body) => (header.kind, body),
            Err(e) => {
                let mut body = e.name().as_bytes().to_vec();
                body.push(0);
                (MessageType::Error as u32, body)
            }
        };
        let reply = Header {
            kind,
            req_id: header.req_id,
            tx_id: header.tx_id,
            len: body.len() as u32,
        };
        let mut msgs = vec![OutMsg::new(OutKind::Reply, reply, &body)];
        for (path, token) in core::mem::take(&mut self.events) {
            let mut body = path;
            body.push(0);
            body.extend_from_slice(&token);
            body.push(0);
            let h = Header {
                kind: MessageType::WatchEvent as u32,
                req_id: 0,
                tx_id: 0,
                len: body.len() as u32,
            };
            msgs.push(OutMsg::new(OutKind::Event, h, &body));
        }
        let nth = self.replies_made;
        self.replies_made += 1;
        match self.cfg.hostile {
            Some(hostile) if nth == self.cfg.hostile_after => {
                self.turn_hostile(hostile, header, msgs)
            }
            _ => msgs,
        }
    }

    fn turn_hostile(
        &self,
        hostile: Hostile,
        request: Header,
        mut msgs: Vec<OutMsg>,
    ) -> Vec<OutMsg> {
        let reply = Header::decode(msgs[0].bytes[..HEADER_SIZE].try_into().expect("header"))
            .expect("own reply header");
        match hostile {
            Hostile::Indices => vec![OutMsg {
                bytes: Vec::new(),
                kind: OutKind::CorruptIndices,
            }],
            Hostile::ReqId => {
                let stray = Header {
                    req_id: !request.req_id,
                    ..reply
                };
                let payload = msgs[0].bytes[HEADER_SIZE..].to_vec();
                msgs.insert(0, OutMsg::new(OutKind::Stray, stray, &payload));
                msgs
            }
            Hostile::Type => {
                let other = if request.kind == MessageType::Directory as u32 {
                    MessageType::Read
                } else {
                    MessageType::Directory
                };
                msgs[0].bytes[..4].copy_from_slice(&(other as u32).to_le_bytes());
                msgs
            }
            Hostile::Len => {
                let oversized = Header {
                    kind: request.kind,
                    req_id: request.req_id,
                    tx_id: request.tx_id,
                    len: 5000,
                };
                vec![OutMsg {
                    bytes: oversized.encode().to_vec(),
                    kind: OutKind::Oversized,
                }]
            }
        }
    }

    /// Queues an event for every watch on `path` or above it; for a removal (`recursive`),
    /// also for every watch below it, naming the watch's own path.
    fn fire(&mut self, path: &str, recursive: bool) {
        let mut out = Vec::new();
        for w in &self.watches {
            let shown = if is_at_or_below(path, &w.path) {
                path
            } else if recursive && is_at_or_below(&w.path, path) {
                w.path.as_str()
            } else {
                continue;
            };
            out.push((self.shown(shown, w.relative), w.token.clone()));
        }
        self.events.extend(out);
    }

    fn shown(&self, path: &str, relative: bool) -> Vec<u8> {
        let stripped = path
            .strip_prefix(self.home.as_str())
            .and_then(|r| r.strip_prefix('/'));
        match (relative, stripped) {
            (true, Some(r)) => r.as_bytes().to_vec(),
            _ => path.as_bytes().to_vec(),
        }
    }

    fn limits(&self) -> Limits {
        Limits {
            max_value: self.cfg.max_value,
            quota: self.cfg.quota,
        }
    }

    /// The absolute path for a path argument, or `EINVAL`.
    fn canonical(&self, path: &str) -> Result<String, StoreError> {
        let absolute = path.starts_with('/');
        let limit = if absolute { ABS_PATH_MAX } else { REL_PATH_MAX };
        if path.is_empty() || path.len() > limit {
            return Err(StoreError::Invalid);
        }
        let full = if absolute {
            path.to_string()
        } else {
            format!("{}/{path}", self.home)
        };
        let valid_chars = full
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_-@".contains(&b));
        if !valid_chars || full.contains("//") || (full.len() > 1 && full.ends_with('/')) {
            return Err(StoreError::Invalid);
        }
        Ok(full)
    }

    fn dispatch(&mut self, header: &Header, payload: &[u8]) -> Result<Vec<u8>, StoreError> {
        let ok = || b"OK\0".to_vec();
        let Some(kind) = MessageType::from_u32(header.kind) else {
            return Err(if PRIVILEGED_TYPES.contains(&header.kind) {
                StoreError::Access
            } else {
                StoreError::Invalid
            });
        };
        if self.cfg.errors {
            let first = payload.split(|&b| b == 0).next().unwrap_or(&[]);
            if let Some(name) = core::str::from_utf8(first)
                .ok()
                .and_then(|p| p.rsplit('/').next())
                .and_then(|last| last.strip_prefix("error-"))
            {
                return Err(StoreError::Injected(name.to_string()));
            }
        }
        match kind {
            MessageType::Read => {
                let path = self.canonical(one_arg(payload)?)?;
                self.run(header.tx_id, |op| op.read(&path))
            }
            MessageType::Directory => {
                let path = self.canonical(one_arg(payload)?)?;
                self.run(header.tx_id, |op| op.directory(&path))
            }
            MessageType::DirectoryPart => {
                let [path, offset] = two_args(payload)?;
                let path = self.canonical(path)?;
                let offset: usize = offset.parse().map_err(|_| StoreError::Invalid)?;
                self.run(header.tx_id, |op| {
                    let all = op.directory(&path)?;
                    let generation = op.tree.nodes.get(&path).map_or(0, |n| n.generation);
                    directory_part(&all, offset, generation)
                })
            }
            MessageType::GetPerms => {
                let path = self.canonical(one_arg(payload)?)?;
                self.run(header.tx_id, |op| op.get_perms(&path))
            }
            MessageType::Write => {
                let split = payload
                    .iter()
                    .position(|&b| b == 0)
                    .ok_or(StoreError::Invalid)?;
                let path =
                    core::str::from_utf8(&payload[..split]).map_err(|_| StoreError::Invalid)?;
                let path = self.canonical(path)?;
                let value = payload[split + 1..].to_vec();
                self.run(header.tx_id, |op| op.write(&path, &value))
                    .map(|()| ok())
            }
            MessageType::Mkdir => {
                let path = self.canonical(one_arg(payload)?)?;
                self.run(header.tx_id, |op| op.mkdir(&path)).map(|()| ok())
            }
            MessageType::Rm => {
                let path = self.canonical(one_arg(payload)?)?;
                self.run(header.tx_id, |op| op.rm(&path)).map(|()| ok())
            }
            MessageType::SetPerms => {
                let fields = strings(payload).unwrap_or_default();
                if payload.last() != Some(&0) || fields.len() < 2 {
                    return Err(StoreError::Invalid);
                }
                let path = self.canonical(fields[0])?;
                let perms = fields[1..]
                    .iter()
                    .map(|p| Perm::parse(p.as_bytes()))
                    .collect::<Option<Vec<_>>>()
                    .ok_or(StoreError::Invalid)?;
                self.run(header.tx_id, |op| op.set_perms(&path, perms))
                    .map(|()| ok())
            }
            MessageType::GetDomainPath => {
                let domid: u32 = one_arg(payload)?.parse().map_err(|_| StoreError::Invalid)?;
                Ok(format!("/local/domain/{domid}\0").into_bytes())
            }
            MessageType::Watch => {
                let [path, token] = two_args(payload)?;
                let relative = !path.starts_with('/') && !path.starts_with('@');
                let full = if path.starts_with('@') {
                    path.to_string()
                } else {
                    self.canonical(path)?
                };
                if self
                    .watches
                    .iter()
                    .any(|w| w.path == full && w.token == token.as_bytes())
                {
                    return Err(StoreError::Exists);
                }
                if self.watches.len() >= self.cfg.max_watches {
                    return Err(StoreError::TooBig);
                }
                self.watches.push(Watch {
                    path: full,
                    token: token.as_bytes().to_vec(),
                    relative,
                });
                // A new watch fires once straight away, naming its path as the guest gave it.
                self.events
                    .push((path.as_bytes().to_vec(), token.as_bytes().to_vec()));
                Ok(ok())
            }
            MessageType::Unwatch => {
                let [path, token] = two_args(payload)?;
                let full = if path.starts_with('@') {
                    path.to_string()
                } else {
                    self.canonical(path)?
                };
                let at = self
                    .watches
                    .iter()
                    .position(|w| w.path == full && w.token == token.as_bytes())
                    .ok_or(StoreError::NoEntry)?;
                self.watches.remove(at);
                Ok(ok())
            }
            MessageType::TransactionStart => {
                if header.tx_id != 0 {
                    return Err(StoreError::Busy);
                }
                if self.transactions.len() >= self.cfg.max_transactions {
                    return Err(StoreError::NoSpace);
                }
                let mut id = self.next_transaction;
                while id == 0 || self.transactions.contains_key(&id) {
                    id = id.wrapping_add(1);
                }
                self.next_transaction = id.wrapping_add(1);
                self.transactions.insert(
                    id,
                    Transaction {
                        start: self.generation,
                        tree: self.tree.clone(),
                        touched: BTreeSet::new(),
                        changed: BTreeSet::new(),
                        events: Vec::new(),
                    },
                );
                Ok(format!("{id}\0").into_bytes())
            }
            MessageType::TransactionEnd => {
                if !self.transactions.contains_key(&header.tx_id) {
                    return Err(StoreError::NoEntry);
                }
                let commit = match one_arg(payload)? {
                    "T" => true,
                    "F" => false,
                    _ => return Err(StoreError::Invalid),
                };
                let tx = self
                    .transactions
                    .remove(&header.tx_id)
                    .expect("checked above");
                let result = if commit { self.commit(tx) } else { Ok(()) };
                if self.transactions.is_empty() {
                    self.removed.clear();
                }
                result.map(|()| ok())
            }
            MessageType::ResetWatches => {
                self.watches.clear();
                self.transactions.clear();
                self.removed.clear();
                Ok(ok())
            }
            MessageType::WatchEvent | MessageType::Error => Err(StoreError::Invalid),
        }
    }

    /// Runs `f` as the guest, in transaction `tx_id` (0: on the live tree).
    fn run<T>(
        &mut self,
        tx_id: u32,
        f: impl FnOnce(&mut Op<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let limits = self.limits();
        let caller = self.cfg.domid;
        if tx_id == 0 {
            let (result, changed) = self.run_live(caller, f);
            self.dom0_echo(&changed);
            return result;
        }
        let tx = self
            .transactions
            .get_mut(&tx_id)
            .ok_or(StoreError::NoEntry)?;
        let mut op = Op::new(&mut tx.tree, caller, tx.start, limits);
        let result = f(&mut op);
        let (touched, changed, events) = (op.touched, op.changed, op.events);
        tx.touched.extend(touched);
        tx.changed.extend(changed);
        tx.events.extend(events);
        result
    }

    /// Runs `f` on the live tree as `caller`; fires the watches it triggers. Returns the
    /// result and the paths it changed.
    fn run_live<T>(
        &mut self,
        caller: u32,
        f: impl FnOnce(&mut Op<'_>) -> Result<T, StoreError>,
    ) -> (Result<T, StoreError>, Vec<String>) {
        let generation = self.generation + 1;
        let limits = self.limits();
        let mut op = Op::new(&mut self.tree, caller, generation, limits);
        let result = f(&mut op);
        let (changed, events) = (op.changed, op.events);
        if !changed.is_empty() {
            self.generation = generation;
        }
        if !self.transactions.is_empty() {
            for p in changed.iter().filter(|p| !self.tree.nodes.contains_key(*p)) {
                self.removed.insert(p.clone(), generation);
            }
        }
        for (path, recursive) in events {
            self.fire(&path, recursive);
        }
        (result, changed)
    }

    /// Applies a transaction to the live tree, unless something it looked at changed since
    /// it started (`EAGAIN`).
    fn commit(&mut self, tx: Transaction) -> Result<(), StoreError> {
        let conflict = tx.touched.iter().any(|p| {
            self.tree
                .nodes
                .get(p)
                .is_some_and(|n| n.generation > tx.start)
                || self.removed.get(p).is_some_and(|&g| g > tx.start)
        });
        if conflict {
            return Err(StoreError::TryAgain);
        }
        if tx.changed.is_empty() {
            return Ok(());
        }
        self.generation += 1;
        let generation = self.generation;
        // Sorted paths put every parent before its children.
        for p in &tx.changed {
            match tx.tree.nodes.get(p) {
                Some(node) => {
                    if !self.tree.nodes.contains_key(p) {
                        self.tree.touch_parent(p, generation);
                    }
                    let mut node = node.clone();
                    node.generation = generation;
                    self.tree.nodes.insert(p.clone(), node);
                }
                None => {
                    if self.tree.nodes.remove(p).is_some() {
                        self.tree.touch_parent(p, generation);
                        if !self.transactions.is_empty() {
                            self.removed.insert(p.clone(), generation);
                        }
                    }
                }
            }
        }
        for (path, recursive) in tx.events {
            self.fire(&path, recursive);
        }
        let changed: Vec<String> = tx.changed.into_iter().collect();
        self.dom0_echo(&changed);
        Ok(())
    }

    /// With `dom0_echo`: dom0 answers a guest write of `data/dom0-ask` by writing the same
    /// value to `data/dom0-said`.
    fn dom0_echo(&mut self, changed: &[String]) {
        if !self.cfg.dom0_echo {
            return;
        }
        let ask = format!("{}/data/dom0-ask", self.home);
        if !changed.contains(&ask) {
            return;
        }
        let Some(value) = self.tree.nodes.get(&ask).map(|n| n.value.clone()) else {
            return;
        };
        let said = format!("{}/data/dom0-said", self.home);
        let _ = self.run_live(0, |op| op.write(&said, &value));
    }
}

/// Whether the guest's response consumer index `cons` has passed `end` (free-running indices
/// less than a ring apart).
fn taken(cons: u32, end: u32) -> bool {
    (cons.wrapping_sub(end) as i32) >= 0
}

/// The NUL-terminated strings of a payload (a final piece without NUL included), or `None`
/// if one is not UTF-8.
fn strings(payload: &[u8]) -> Option<Vec<&str>> {
    let body = payload.strip_suffix(&[0]).unwrap_or(payload);
    if payload.is_empty() {
        return Some(Vec::new());
    }
    body.split(|&b| b == 0)
        .map(|s| core::str::from_utf8(s).ok())
        .collect()
}

/// The single string argument of a request: the payload must end with NUL.
fn one_arg(payload: &[u8]) -> Result<&str, StoreError> {
    if payload.last() != Some(&0) {
        return Err(StoreError::Invalid);
    }
    let end = payload.iter().position(|&b| b == 0).unwrap_or(0);
    core::str::from_utf8(&payload[..end]).map_err(|_| StoreError::Invalid)
}

/// The first two NUL-terminated strings of a request.
fn two_args(payload: &[u8]) -> Result<[&str; 2], StoreError> {
    if payload.last() != Some(&0) {
        return Err(StoreError::Invalid);
    }
    match strings(payload).as_deref() {
        Some([a, b, ..]) => Ok([a, b]),
        _ => Err(StoreError::Invalid),
    }
}

/// A DIRECTORY_PART reply: the node's generation, then as many whole child names from byte
/// `offset` of the full listing as fit, then an empty name if the listing is complete.
fn directory_part(all: &[u8], offset: usize, generation: u64) -> Result<Vec<u8>, StoreError> {
    let rest = all.get(offset..).ok_or(StoreError::Invalid)?;
    if offset > 0 && all[offset - 1] != 0 {
        return Err(StoreError::Invalid);
    }
    let mut out = format!("{generation}\0").into_bytes();
    let room = MAX_PAYLOAD - out.len() - 1;
    if rest.len() <= room {
        out.extend_from_slice(rest);
        out.push(0);
    } else {
        let cut = rest[..room]
            .iter()
            .rposition(|&b| b == 0)
            .map_or(0, |i| i + 1);
        out.extend_from_slice(&rest[..cut]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::sim::SimPlatform;
    use crate::platform::{Channel, Platform};

    const DIRECTORY: u32 = 1;
    const READ: u32 = 2;
    const GET_PERMS: u32 = 3;
    const WATCH: u32 = 4;
    const UNWATCH: u32 = 5;
    const TX_START: u32 = 6;
    const TX_END: u32 = 7;
    const GET_DOMAIN_PATH: u32 = 10;
    const WRITE: u32 = 11;
    const MKDIR: u32 = 12;
    const RM: u32 = 13;
    const SET_PERMS: u32 = 14;
    const WATCH_EVENT: u32 = 15;
    const ERROR_REPLY: u32 = 16;
    const RESET_WATCHES: u32 = 21;
    const DIRECTORY_PART: u32 = 22;

    /// A guest driving the daemon through the ring page, as the Erlang driver does.
    struct Guest {
        p: SimPlatform,
        page: SimPage,
        ch: Channel,
        next_id: u32,
        rx: Vec<u8>,
        /// Watch event payloads received, in order.
        events: Vec<Vec<u8>>,
        /// Other messages not yet claimed by `call`.
        others: Vec<(Header, Vec<u8>)>,
    }

    impl Guest {
        fn new(knobs: &str) -> Self {
            let p = SimPlatform::new();
            p.attach_xenstored(XenstoredConfig::parse(knobs).unwrap());
            let (page, ch) = p.xenstore().unwrap();
            Self {
                p,
                page,
                ch,
                next_id: 1,
                rx: Vec::new(),
                events: Vec::new(),
                others: Vec::new(),
            }
        }

        fn request(&mut self, kind: u32, tx: u32, payload: &[u8]) -> (u32, Vec<u8>) {
            let id = self.next_id;
            self.next_id += 1;
            let header = Header {
                kind,
                req_id: id,
                tx_id: tx,
                len: payload.len() as u32,
            };
            let mut bytes = header.encode().to_vec();
            bytes.extend_from_slice(payload);
            (id, bytes)
        }

        /// Queues a whole request without notifying; returns its id.
        fn put(&mut self, kind: u32, tx: u32, payload: &[u8]) -> u32 {
            let (id, bytes) = self.request(kind, tx, payload);
            assert_eq!(REQUESTS.produce(&self.page, &bytes), Ok(bytes.len()));
            id
        }

        /// Sends a request, in pieces as the ring frees up, notifying after each.
        fn send(&mut self, kind: u32, tx: u32, payload: &[u8]) -> u32 {
            let (id, bytes) = self.request(kind, tx, payload);
            let mut rest = &bytes[..];
            for _ in 0..10_000 {
                let n = REQUESTS.produce(&self.page, rest).unwrap();
                rest = &rest[n..];
                self.p.notify(self.ch).unwrap();
                if rest.is_empty() {
                    return id;
                }
                self.pump();
            }
            panic!("the daemon stopped reading");
        }

        /// Collects events once and takes every reply byte; returns whether the ring's
        /// channel was raised.
        fn pump(&mut self) -> bool {
            let mut raised = false;
            let ch = self.ch;
            self.p.take_pending(&mut |c| raised |= c == ch);
            let mut buf = vec![0u8; RESPONSES.available(&self.page).unwrap() as usize];
            let n = RESPONSES.consume(&self.page, &mut buf).unwrap();
            self.rx.extend_from_slice(&buf[..n]);
            if n > 0 {
                self.p.notify(self.ch).unwrap();
            }
            raised
        }

        /// Whole messages received (drained); watch events go to `events`.
        fn messages(&mut self) -> Vec<(Header, Vec<u8>)> {
            let mut out = Vec::new();
            while self.rx.len() >= HEADER_SIZE {
                let w = |i: usize| u32::from_le_bytes(self.rx[i..i + 4].try_into().unwrap());
                let h = Header {
                    kind: w(0),
                    req_id: w(4),
                    tx_id: w(8),
                    len: w(12),
                };
                let total = HEADER_SIZE + h.len as usize;
                if self.rx.len() < total {
                    break;
                }
                let body = self.rx[HEADER_SIZE..total].to_vec();
                self.rx.drain(..total);
                if h.kind == WATCH_EVENT {
                    assert_eq!((h.req_id, h.tx_id), (0, 0));
                    self.events.push(body);
                } else {
                    out.push((h, body));
                }
            }
            out
        }

        /// Sends a request and waits for its reply: (reply type, payload).
        fn call(&mut self, kind: u32, tx: u32, payload: &[u8]) -> (u32, Vec<u8>) {
            let id = self.send(kind, tx, payload);
            for _ in 0..10_000 {
                self.pump();
                let msgs = self.messages();
                self.others.extend(msgs);
                if let Some(i) = self.others.iter().position(|(h, _)| h.req_id == id) {
                    let (h, body) = self.others.remove(i);
                    assert_eq!(h.tx_id, tx, "the reply echoes the transaction id");
                    return (h.kind, body);
                }
                self.p.wait_for_events(None);
            }
            panic!("no reply to request {id}");
        }

        fn ok(&mut self, kind: u32, payload: &[u8]) -> Vec<u8> {
            self.ok_in(0, kind, payload)
        }

        fn ok_in(&mut self, tx: u32, kind: u32, payload: &[u8]) -> Vec<u8> {
            let (k, body) = self.call(kind, tx, payload);
            assert_eq!(k, kind, "{}", String::from_utf8_lossy(&body));
            body
        }

        fn err(&mut self, kind: u32, payload: &[u8]) -> String {
            self.err_in(0, kind, payload)
        }

        fn err_in(&mut self, tx: u32, kind: u32, payload: &[u8]) -> String {
            let (k, body) = self.call(kind, tx, payload);
            assert_eq!(k, ERROR_REPLY, "expected an error, got {body:?}");
            assert_eq!(body.last(), Some(&0));
            String::from_utf8(body[..body.len() - 1].to_vec()).unwrap()
        }

        fn read(&mut self, path: &str) -> Vec<u8> {
            self.ok(READ, &z(path))
        }

        fn write(&mut self, path: &str, value: &[u8]) {
            let mut p = z(path);
            p.extend_from_slice(value);
            assert_eq!(self.ok(WRITE, &p), b"OK\0");
        }

        fn stats(&self) -> XenstoredStats {
            self.p.xenstored_stats().unwrap()
        }

        fn take_events(&mut self) -> Vec<Vec<u8>> {
            self.pump();
            self.messages();
            core::mem::take(&mut self.events)
        }
    }

    /// A WRITE payload: the path, NUL, the value (without NUL).
    fn w(path: &str, value: &str) -> Vec<u8> {
        let mut v = z(path);
        v.extend_from_slice(value.as_bytes());
        v
    }

    /// NUL-terminated strings, concatenated.
    fn z(s: &str) -> Vec<u8> {
        let mut v: Vec<u8> = s.replace('|', "\0").into_bytes();
        v.push(0);
        v
    }

    #[test]
    fn the_tree_starts_like_a_guests() {
        let mut g = Guest::new("");
        assert_eq!(g.read("name"), b"xenbeam");
        assert_eq!(g.read("domid"), b"1");
        assert_eq!(g.read("/local/domain/1/name"), b"xenbeam");
        assert_eq!(g.ok(GET_DOMAIN_PATH, b"1\0"), b"/local/domain/1\0");
        assert_eq!(g.ok(GET_DOMAIN_PATH, b"12\0"), b"/local/domain/12\0");
        assert_eq!(g.ok(DIRECTORY, &z("/local/domain/1")), z("domid|name"));
        assert_eq!(g.ok(GET_PERMS, &z("/local/domain/1")), z("n1"));
    }

    #[test]
    fn domid_and_name_knobs_shape_the_home() {
        let mut g = Guest::new("domid=7,name=web-1");
        assert_eq!(g.read("/local/domain/7/name"), b"web-1");
        assert_eq!(g.read("domid"), b"7");
        assert_eq!(g.ok(GET_PERMS, &z("name")), z("n7"));
    }

    #[test]
    fn write_mkdir_directory_rm() {
        let mut g = Guest::new("");
        g.write("data/a", b"1");
        assert_eq!(g.read("data/a"), b"1");
        assert_eq!(g.read("data"), b"");
        g.write("data/a", b"");
        assert_eq!(g.read("data/a"), b"");
        assert_eq!(g.ok(MKDIR, &z("data/b")), b"OK\0");
        assert_eq!(
            g.ok(MKDIR, &z("data/b")),
            b"OK\0",
            "mkdir of an existing node"
        );
        assert_eq!(g.ok(DIRECTORY, &z("data")), z("a|b"));
        assert_eq!(g.ok(DIRECTORY, &z("data/b")), b"");
        assert_eq!(g.ok(RM, &z("data")), b"OK\0");
        assert_eq!(g.err(READ, &z("data/a")), "ENOENT");
        assert_eq!(g.ok(RM, &z("data")), b"OK\0", "its parent exists");
        assert_eq!(g.err(RM, &z("data/x/y")), "ENOENT");
        // Absolute paths under the home are the guest's too.
        g.write("/local/domain/1/data/abs", b"v");
        assert_eq!(g.read("data/abs"), b"v");
        let s = g.stats();
        assert_eq!(s.requests, s.replies);
        assert!(s.notifies >= s.requests);
    }

    #[test]
    fn every_error_a_guest_can_cause() {
        let mut g = Guest::new("");
        assert_eq!(g.err(READ, &z("data/no-such-node")), "ENOENT");
        assert_eq!(g.err(READ, &z("/local/domain/0/name")), "EACCES");
        assert_eq!(g.err(READ, &z("/local/domain/9")), "EACCES");
        assert_eq!(g.err(DIRECTORY, &z("/")), "EACCES");
        assert_eq!(g.err(WRITE, &z("/local/domain/0/x|v")), "EACCES");
        assert_eq!(g.err(WRITE, &z("/tool/x|v")), "EACCES");
        assert_eq!(g.err(MKDIR, &z("/newtop")), "EACCES");
        assert_eq!(g.err(RM, &z("/local/domain/0/name")), "EACCES");
        assert_eq!(g.err(RM, &z("/")), "EINVAL");
        for bad in ["", "data/", "a//b", "da ta", "x.y", "/local/domain/1/"] {
            assert_eq!(g.err(READ, &z(bad)), "EINVAL", "{bad:?}");
        }
        let long_rel = "a".repeat(2049);
        assert_eq!(g.err(READ, &z(&long_rel)), "EINVAL");
        assert_eq!(g.err(READ, &z(&"a".repeat(2048))), "ENOENT");
        let long_abs = format!("/local/domain/1/{}", "b".repeat(3072));
        assert_eq!(g.err(READ, &z(&long_abs)), "EINVAL");
        assert_eq!(g.err(READ, b"name"), "EINVAL", "no terminating NUL");
        assert_eq!(
            g.err(WRITE, b"name"),
            "EINVAL",
            "no NUL between path and value"
        );
        assert_eq!(g.err(WATCH, &z("data")), "EINVAL", "no token");
        assert_eq!(g.err(GET_DOMAIN_PATH, &z("x")), "EINVAL");
        assert_eq!(g.err(99, b""), "EINVAL", "unknown type");
        assert_eq!(g.err(WATCH_EVENT, &z("a|b")), "EINVAL");
        assert_eq!(g.err(ERROR_REPLY, &z("EIO")), "EINVAL");
        assert_eq!(g.err(8, &z("2|5|6")), "EACCES", "INTRODUCE is dom0's");
    }

    #[test]
    fn permissions_can_be_read_and_set_by_the_owner() {
        let mut g = Guest::new("");
        g.write("data/a", b"1");
        assert_eq!(g.ok(GET_PERMS, &z("data/a")), z("n1"));
        assert_eq!(g.err(GET_PERMS, &z("/local/domain/0")), "EACCES");
        assert_eq!(g.ok(SET_PERMS, &z("data/a|n1|r0|b5")), b"OK\0");
        assert_eq!(g.ok(GET_PERMS, &z("data/a")), z("n1|r0|b5"));
        assert_eq!(g.err(SET_PERMS, &z("data/a|x1")), "EINVAL");
        assert_eq!(g.err(SET_PERMS, &z("data/a|n")), "EINVAL");
        assert_eq!(g.err(SET_PERMS, &z("data/a")), "EINVAL", "no permissions");
        assert_eq!(g.err(SET_PERMS, &z("data/a|n5")), "EPERM", "giving it away");
        assert_eq!(g.err(SET_PERMS, &z("data/zz|n1")), "ENOENT");
        assert_eq!(g.err(SET_PERMS, &z("/local/domain/0|n1")), "EACCES");
        // Children inherit their parent's permissions.
        g.write("data/a/kid", b"");
        assert_eq!(g.ok(GET_PERMS, &z("data/a/kid")), z("n1|r0|b5"));
    }

    #[test]
    fn values_and_entries_are_limited_per_domain() {
        let mut g = Guest::new("quota=5");
        // The home, name and domid already count: two more nodes fit.
        g.write("data/a", b"1");
        assert_eq!(g.err(WRITE, &z("data/b|2")), "EQUOTA");
        assert_eq!(g.err(MKDIR, &z("other")), "EQUOTA");
        g.write("data/a", b"again");
        assert_eq!(g.ok(RM, &z("data/a")), b"OK\0");
        g.write("data/b", b"2");

        let mut g = Guest::new("");
        g.write("data/max", &[b'v'; 2048]);
        assert_eq!(g.read("data/max").len(), 2048);
        let mut big = z("data/big");
        big.extend_from_slice(&[b'v'; 2049]);
        assert_eq!(g.err(WRITE, &big), "ENOSPC");
        let mut g = Guest::new("max_value=10");
        assert_eq!(g.err(WRITE, &z("data/x|01234567890")), "ENOSPC");
    }

    fn start(g: &mut Guest) -> u32 {
        let id = g.ok(TX_START, b"\0");
        assert_eq!(id.last(), Some(&0), "the id is NUL-terminated");
        core::str::from_utf8(&id[..id.len() - 1])
            .unwrap()
            .parse()
            .unwrap()
    }

    #[test]
    fn transactions_see_their_own_view_and_commit_or_abort() {
        let mut g = Guest::new("");
        g.write("data/x", b"old");
        let tx = start(&mut g);
        assert_ne!(tx, 0);
        assert_eq!(g.ok_in(tx, READ, &z("data/x")), b"old");
        assert_eq!(g.ok_in(tx, WRITE, &w("data/x", "new")), b"OK\0");
        assert_eq!(g.ok_in(tx, WRITE, &w("data/t/deep", "1")), b"OK\0");
        assert_eq!(g.ok_in(tx, RM, &z("name")), b"OK\0");
        assert_eq!(g.ok_in(tx, READ, &z("data/x")), b"new");
        assert_eq!(
            g.read("data/x"),
            b"old",
            "not visible outside before commit"
        );
        assert_eq!(g.err(READ, &z("data/t/deep")), "ENOENT");
        assert_eq!(g.err_in(tx, TX_START, b"\0"), "EBUSY");
        assert_eq!(g.err_in(tx, TX_END, b"X\0"), "EINVAL");
        assert_eq!(g.ok_in(tx, TX_END, b"T\0"), b"OK\0");
        assert_eq!(g.read("data/x"), b"new");
        assert_eq!(g.read("data/t/deep"), b"1");
        assert_eq!(g.err(READ, &z("name")), "ENOENT");
        assert_eq!(
            g.err_in(tx, READ, &z("data/x")),
            "ENOENT",
            "the transaction is gone"
        );
        assert_eq!(g.err_in(tx, TX_END, b"T\0"), "ENOENT");

        let tx = start(&mut g);
        g.ok_in(tx, WRITE, &w("data/x", "aborted"));
        assert_eq!(g.ok_in(tx, TX_END, b"F\0"), b"OK\0");
        assert_eq!(g.read("data/x"), b"new");
    }

    #[test]
    fn a_transaction_whose_nodes_changed_meanwhile_gets_eagain() {
        let mut g = Guest::new("");
        g.write("data/x", b"1");
        let tx = start(&mut g);
        g.ok_in(tx, READ, &z("data/x"));
        g.ok_in(tx, WRITE, &w("data/y", "from-tx"));
        g.write("data/x", b"2");
        assert_eq!(g.err_in(tx, TX_END, b"T\0"), "EAGAIN");
        assert_eq!(g.err(READ, &z("data/y")), "ENOENT", "nothing applied");

        // A node the transaction wrote and another writer removed.
        g.write("data/z", b"1");
        let tx = start(&mut g);
        g.ok_in(tx, WRITE, &w("data/z", "tx"));
        g.ok(RM, &z("data/z"));
        assert_eq!(g.err_in(tx, TX_END, b"T\0"), "EAGAIN");

        // A child added to a directory the transaction listed.
        let tx = start(&mut g);
        g.ok_in(tx, DIRECTORY, &z("data"));
        g.write("data/new", b"");
        assert_eq!(g.err_in(tx, TX_END, b"T\0"), "EAGAIN");

        // Unrelated changes do not conflict (adding children to one directory would).
        let tx = start(&mut g);
        g.ok_in(tx, WRITE, &w("data/mine", "1"));
        g.write("domid", b"1");
        assert_eq!(g.ok_in(tx, TX_END, b"T\0"), b"OK\0");
        assert_eq!(g.read("data/mine"), b"1");
    }

    #[test]
    fn open_transactions_are_limited() {
        let mut g = Guest::new("");
        for _ in 0..10 {
            start(&mut g);
        }
        assert_eq!(g.err(TX_START, b"\0"), "ENOSPC");
        let mut g = Guest::new("max_transactions=1");
        let tx = start(&mut g);
        assert_eq!(g.err(TX_START, b"\0"), "ENOSPC");
        g.ok_in(tx, TX_END, b"F\0");
        start(&mut g);
        assert_eq!(
            g.err_in(77, READ, &z("name")),
            "ENOENT",
            "no such transaction"
        );
    }

    #[test]
    fn watches_fire_at_once_on_changes_below_and_on_removal() {
        let mut g = Guest::new("");
        assert_eq!(g.ok(WATCH, &z("data|tok")), b"OK\0");
        assert_eq!(g.take_events(), vec![z("data|tok")], "fires once at once");
        g.write("data/x", b"1");
        assert_eq!(g.take_events(), vec![z("data/x|tok")]);
        g.write("name", b"n");
        assert!(g.take_events().is_empty(), "not below the watch");
        assert_eq!(
            g.ok(WATCH, &z("/local/domain/1/data/deep/node|abs")),
            b"OK\0"
        );
        assert_eq!(
            g.take_events(),
            vec![z("/local/domain/1/data/deep/node|abs")]
        );
        g.ok(MKDIR, &z("data/deep"));
        assert_eq!(g.take_events(), vec![z("data/deep|tok")]);
        g.ok(RM, &z("data"));
        let events = g.take_events();
        assert_eq!(
            events,
            vec![z("data|tok"), z("/local/domain/1/data/deep/node|abs")],
            "a removal fires the watches below it with their own path"
        );
        assert_eq!(g.err(WATCH, &z("data|tok")), "EEXIST");
        assert_eq!(g.ok(UNWATCH, &z("data|tok")), b"OK\0");
        assert_eq!(g.err(UNWATCH, &z("data|tok")), "ENOENT");
        g.write("data/y", b"1");
        assert!(g.take_events().is_empty(), "unwatched");
        assert_eq!(g.ok(RESET_WATCHES, b""), b"OK\0");
        g.write("data/deep/node", b"1");
        assert!(g.take_events().is_empty(), "reset");
        // Special watches fire at once only.
        assert_eq!(g.ok(WATCH, &z("@releaseDomain|r")), b"OK\0");
        assert_eq!(g.take_events(), vec![z("@releaseDomain|r")]);
        assert_eq!(g.stats().watch_events, 7);
    }

    #[test]
    fn watches_fire_at_commit_and_are_limited() {
        let mut g = Guest::new("max_watches=2");
        g.ok(WATCH, &z("data|t"));
        g.take_events();
        let tx = start(&mut g);
        g.ok_in(tx, WRITE, &w("data/a", "1"));
        assert!(g.take_events().is_empty());
        g.ok_in(tx, TX_END, b"T\0");
        assert_eq!(g.take_events(), vec![z("data/a|t")]);
        g.ok(WATCH, &z("name|t"));
        assert_eq!(g.err(WATCH, &z("domid|t")), "E2BIG");
    }

    #[test]
    fn dom0_echoes_the_guests_question() {
        let mut g = Guest::new("dom0_echo");
        g.ok(WATCH, &z("data/dom0-said|said"));
        g.take_events();
        g.write("data/dom0-ask", b"hello");
        assert_eq!(g.take_events(), vec![z("data/dom0-said|said")]);
        assert_eq!(g.read("data/dom0-said"), b"hello");
        let mut g = Guest::new("");
        g.write("data/dom0-ask", b"hello");
        assert_eq!(g.err(READ, &z("data/dom0-said")), "ENOENT");
    }

    #[test]
    fn error_paths_return_the_named_error() {
        let mut g = Guest::new("errors");
        assert_eq!(g.err(READ, &z("data/error-EQUOTA")), "EQUOTA");
        assert_eq!(g.err(WRITE, &z("x/error-ENOSPC|v")), "ENOSPC");
        assert_eq!(g.err(WATCH, &z("error-EIO|t")), "EIO");
        assert_eq!(g.err(READ, &z("error-ANYTHING_AT_ALL")), "ANYTHING_AT_ALL");
        let mut g = Guest::new("");
        assert_eq!(g.err(READ, &z("data/error-EQUOTA")), "ENOENT");
    }

    #[test]
    fn directory_part_lists_in_pieces() {
        let mut g = Guest::new("");
        g.write("data/a", b"");
        g.write("data/bb", b"");
        let part = g.ok(DIRECTORY_PART, &z("data|0"));
        let gen_end = part.iter().position(|&b| b == 0).unwrap();
        assert_eq!(&part[gen_end + 1..], b"a\0bb\0\0");
        let part = g.ok(DIRECTORY_PART, &z("data|2"));
        assert_eq!(&part[gen_end + 1..], b"bb\0\0");
        assert_eq!(g.err(DIRECTORY_PART, &z("data|1")), "EINVAL");
        assert_eq!(g.err(DIRECTORY_PART, &z("data|99")), "EINVAL");
    }

    #[test]
    fn chunked_daemon_splits_requests_and_replies() {
        let mut g = Guest::new("chunk=5");
        let id = g.send(READ, 0, &z("name"));
        let mut steps = 0;
        while g.rx.len() < HEADER_SIZE + 7 {
            assert!(g.pump(), "every step that moves bytes raises the channel");
            assert!(g.rx.len() <= steps * 5 + 5);
            steps += 1;
            assert!(steps < 20);
        }
        assert!(steps >= (HEADER_SIZE + 5) / 5 + (HEADER_SIZE + 7) / 5);
        let msgs = g.messages();
        assert_eq!(msgs[0].0.req_id, id);
        assert_eq!(msgs[0].1, b"xenbeam");
        // Larger replies and requests cross too.
        g.write("data/v", &[b'x'; 700]);
        assert_eq!(g.read("data/v").len(), 700);
    }

    #[test]
    fn reordered_replies_come_back_last_first() {
        let mut g = Guest::new("reorder");
        let ids: Vec<u32> = ["name", "domid", "data/none"]
            .iter()
            .map(|p| g.put(READ, 0, &z(p)))
            .collect();
        g.p.notify(g.ch).unwrap();
        g.pump();
        let got: Vec<u32> = g.messages().iter().map(|(h, _)| h.req_id).collect();
        assert_eq!(got, ids.iter().rev().copied().collect::<Vec<_>>());
    }

    #[test]
    fn delayed_replies_wait_for_virtual_time() {
        let mut g = Guest::new("delay_ns=1000");
        g.send(READ, 0, &z("name"));
        g.pump();
        assert!(g.messages().is_empty());
        assert_eq!(g.p.xenstored_deadline(), Some(1000));
        g.p.wait_for_events(Some(400));
        assert_eq!(g.p.now_ns(), 400, "an earlier deadline still wins");
        g.pump();
        g.p.wait_for_events(None);
        assert_eq!(g.p.now_ns(), 1000, "the clock jumps to the reply");
        assert_eq!(g.p.stalls(), 0);
        assert!(g.pump());
        assert_eq!(g.messages()[0].1, b"xenbeam");
        g.p.wait_for_events(None);
        assert_eq!(g.p.stalls(), 1, "nothing left to wait for");
    }

    #[test]
    fn max_outstanding_stops_reading_until_replies_are_taken() {
        let mut g = Guest::new("max_outstanding=3");
        for _ in 0..5 {
            g.put(READ, 0, &z("name"));
        }
        g.p.notify(g.ch).unwrap();
        g.p.take_pending(&mut |_| {});
        assert_eq!(g.stats().requests, 3);
        g.p.take_pending(&mut |_| {});
        assert_eq!(g.stats().requests, 3, "the replies are still in the ring");
        assert_eq!(g.stats().max_outstanding, 5);
        g.pump();
        g.pump();
        assert_eq!(g.stats().requests, 5);
        g.pump();
        assert_eq!(g.messages().len(), 5);
        let mut g = Guest::new("");
        for _ in 0..30 {
            g.put(READ, 0, &z("domid"));
        }
        g.p.notify(g.ch).unwrap();
        g.p.take_pending(&mut |_| {});
        assert_eq!(g.stats().requests, 20, "C xenstored's default");
        assert_eq!(g.stats().max_outstanding, 30);
    }

    #[test]
    fn reconnection_resets_the_ring_and_the_connection_state() {
        let mut g = Guest::new("reconnection");
        assert_eq!(g.page.read_u32(SERVER_FEATURES), 3);
        g.ok(WATCH, &z("data|t"));
        let tx = start(&mut g);
        // A partial request is in flight when the guest asks to reconnect.
        let (_, bytes) = g.request(READ, 0, &z("name"));
        REQUESTS.produce(&g.page, &bytes[..10]).unwrap();
        g.pump();
        g.page.write_u32(CONNECTION, 1);
        g.p.notify(g.ch).unwrap();
        assert!(g.pump(), "the channel is raised");
        assert_eq!(g.page.read_u32(CONNECTION), 0);
        for off in [2048, 2052, 2056, 2060] {
            assert_eq!(g.page.read_u32(off), 0);
        }
        g.rx.clear();
        g.events.clear();
        assert_eq!(
            g.err_in(tx, READ, &z("name")),
            "ENOENT",
            "transactions dropped"
        );
        g.write("data/x", b"1");
        assert!(g.take_events().is_empty(), "watches dropped");
        assert_eq!(g.read("name"), b"xenbeam");

        let mut g = Guest::new("");
        assert_eq!(g.page.read_u32(SERVER_FEATURES), FEATURE_ERROR);
        g.page.write_u32(CONNECTION, 1);
        g.p.notify(g.ch).unwrap();
        assert_eq!(
            g.read("name"),
            b"xenbeam",
            "not honoured without the feature"
        );
    }

    #[test]
    fn a_reconnection_repairs_a_broken_connection() {
        let mut g = Guest::new("reconnection");
        g.page.write_u32(REQUESTS.prod, 5000);
        g.p.notify(g.ch).unwrap();
        g.pump();
        assert_eq!(g.stats().protocol_errors, 1);
        assert_eq!(g.page.read_u32(ERROR), ERROR_RING_INDEX);
        g.page.write_u32(CONNECTION, 1);
        g.p.notify(g.ch).unwrap();
        g.pump();
        assert_eq!(g.page.read_u32(ERROR), 0);
        assert_eq!(g.read("domid"), b"1");
    }

    fn hostile(mode: &str) -> Guest {
        let mut g = Guest::new(&format!("hostile={mode},hostile_after=1"));
        assert_eq!(g.read("name"), b"xenbeam", "the first reply is fine");
        g
    }

    #[test]
    fn hostile_indices() {
        let mut g = hostile("indices");
        g.send(READ, 0, &z("domid"));
        let mut raised = false;
        let ch = g.ch;
        g.p.take_pending(&mut |c| raised |= c == ch);
        assert!(raised);
        assert!(RESPONSES.available(&g.page).is_err());
        g.p.wait_for_events(None);
        assert_eq!(g.p.stalls(), 1, "the daemon stopped");
    }

    #[test]
    fn hostile_request_id() {
        let mut g = hostile("reqid");
        let id = g.send(READ, 0, &z("domid"));
        g.pump();
        let msgs = g.messages();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0].0.req_id, !id);
        assert_eq!((msgs[1].0.req_id, &msgs[1].1[..]), (id, &b"1"[..]));
        assert_eq!(g.read("domid"), b"1", "then back to normal");
    }

    #[test]
    fn hostile_type() {
        let mut g = hostile("type");
        let (kind, body) = g.call(READ, 0, &z("domid"));
        assert_ne!(kind, READ);
        assert_eq!(body, b"1");
        assert_eq!(g.read("domid"), b"1");
    }

    #[test]
    fn hostile_length() {
        let mut g = hostile("len");
        let id = g.send(READ, 0, &z("domid"));
        g.pump();
        assert_eq!(g.rx.len(), HEADER_SIZE);
        let h = Header {
            kind: READ,
            req_id: id,
            tx_id: 0,
            len: 5000,
        };
        assert_eq!(g.rx, h.encode());
        g.send(READ, 0, &z("domid"));
        g.pump();
        assert_eq!(g.rx.len(), HEADER_SIZE, "nothing more");
    }

    #[test]
    fn a_full_size_payload_crosses_the_ring_in_pieces() {
        let mut g = Guest::new("max_value=4096");
        let mut payload = z("data/big");
        let value: Vec<u8> = (0..MAX_PAYLOAD - payload.len()).map(|i| i as u8).collect();
        payload.extend_from_slice(&value);
        assert_eq!(payload.len(), MAX_PAYLOAD);
        assert_eq!(g.ok(WRITE, &payload), b"OK\0");
        assert_eq!(g.read("data/big"), value);
    }

    #[test]
    fn an_oversized_header_breaks_the_connection() {
        let mut g = Guest::new("");
        let h = Header {
            kind: WRITE,
            req_id: 1,
            tx_id: 0,
            len: MAX_PAYLOAD as u32 + 1,
        };
        REQUESTS.produce(&g.page, &h.encode()).unwrap();
        g.p.notify(g.ch).unwrap();
        g.pump();
        assert_eq!(g.stats().protocol_errors, 1);
        assert_eq!(g.page.read_u32(ERROR), ERROR_PROTOCOL);
        g.send(READ, 0, &z("name"));
        g.pump();
        assert!(g.messages().is_empty(), "no longer served");
        g.p.wait_for_events(None);
        assert_eq!(g.p.stalls(), 1);
    }

    #[test]
    fn knobs_parse_with_clear_errors() {
        let cfg = XenstoredConfig::parse(
            "domid=3,name=web,max_value=10,quota=9,max_transactions=2,max_watches=4,\
             delay_ns=77,reorder,chunk=8,max_outstanding=5,reconnection,errors,dom0_echo,\
             hostile=reqid,hostile_after=6",
        )
        .unwrap();
        assert_eq!(
            cfg,
            XenstoredConfig {
                domid: 3,
                name: "web".into(),
                max_value: 10,
                quota: 9,
                max_transactions: 2,
                max_watches: 4,
                delay_ns: 77,
                reorder: true,
                chunk: Some(8),
                max_outstanding: 5,
                reconnection: true,
                errors: true,
                dom0_echo: true,
                hostile: Some(Hostile::ReqId),
                hostile_after: 6,
            }
        );
        assert_eq!(XenstoredConfig::parse(""), Ok(XenstoredConfig::default()));
        assert_eq!(
            "hostile=len".parse::<XenstoredConfig>().unwrap().hostile,
            Some(Hostile::Len)
        );
        let bad = |knob, value: &str| {
            Err(ConfigError::BadValue {
                knob,
                value: value.into(),
            })
        };
        assert_eq!(XenstoredConfig::parse("chunk=0"), bad("chunk", "0"));
        assert_eq!(XenstoredConfig::parse("domid=0"), bad("domid", "0"));
        assert_eq!(XenstoredConfig::parse("domid=x"), bad("domid", "x"));
        assert_eq!(
            XenstoredConfig::parse("hostile=evil"),
            bad("hostile", "evil")
        );
        assert_eq!(XenstoredConfig::parse("name="), bad("name", ""));
        assert_eq!(
            XenstoredConfig::parse("fast"),
            Err(ConfigError::UnknownKnob("fast".into()))
        );
        assert_eq!(
            XenstoredConfig::parse("quota"),
            Err(ConfigError::MissingValue("quota"))
        );
        assert_eq!(
            XenstoredConfig::parse("reorder=1"),
            Err(ConfigError::UnexpectedValue("reorder"))
        );
        let msg = ConfigError::UnknownKnob("fast".into()).to_string();
        assert!(msg.contains("fast"));
    }

    #[test]
    fn the_ring_page_is_the_platforms() {
        let p = SimPlatform::new();
        assert!(p.xenstore().is_none());
        p.attach_xenstored(XenstoredConfig::default());
        let (page, _) = p.xenstore().unwrap();
        let (again, _) = p.xenstore().unwrap();
        page.write_u32(2048, 42);
        assert_eq!(again.read_u32(2048), 42, "one page, many handles");
        p.free_page(page);
        assert_eq!(p.pages_out(), 0);
        let own = p.alloc_page().unwrap();
        assert_eq!(p.pages_out(), 1);
        p.free_page(own.share());
        assert_eq!(p.pages_out(), 1, "a shared handle is not the allocation");
        p.free_page(own);
        assert_eq!(p.pages_out(), 0);
    }
}
