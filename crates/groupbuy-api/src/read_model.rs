//! The shared read model: a group's detail (what `GET /api/v1/group-purchases/{id}`, the
//! by-code read and the page `/g/{code}` show) and a campaign's public view (what
//! `GET /v2/public/group-buys/{handle}/{slug}` and the page `/c/{handle}/{slug}` show) are
//! read from the store once per version and served from memory until they change. The
//! per-viewer parts are never stored: a group's (`isUserMember`, `myQuantity`, one's own
//! histories) are computed by the views from the shared detail, which holds every
//! participant; a campaign's public view has none, and the page's "your interest" section
//! is read separately for its visitor, uncached.
//!
//! When an entry is dropped:
//! - **Exactly, on every instance**: the instance's one live listener
//!   ([`crate::live::LiveHub`]) hands each announced change here before its fan-out
//!   re-reads (`LiveChange::Group(code)` drops that group, `LiveChange::Campaign(h/s)` that
//!   campaign, `Everything` after a lost connection drops all). On PostgreSQL the notice
//!   leaves with the commit; on SQLite it is announced in-process when the writer is
//!   released.
//! - **Read-your-writes**: [`CachedGroups`] and [`CachedCampaigns`] drop what the use case
//!   changed when it returns, on the caller's thread, before the answer leaves; so the
//!   caller's next read on this instance rebuilds. Chosen over "bypass the cache for the
//!   caller's next read" because it needs no per-caller state (no session, no cookie, no
//!   expiry of a bypass mark) and holds for every reader of the instance, not only the
//!   writer; a sibling instance learns of the change from the announcement.
//! - **Bounded staleness**: an entry older than `max_age` is rebuilt, which bounds what a
//!   missed notice costs and covers what no notice announces (a product's or shop's name,
//!   image or logo shown beside the group). One reader rebuilds it; the others are served
//!   the aged entry meanwhile (for at most another `max_age`), so an expiry costs one store
//!   read, not one per reader in flight.
//! - **Hits off the blocking pool**: [`CachedGroups::cached`] (and the campaigns' and the
//!   by-code ones) answer from memory on the async worker; only a miss hops to the
//!   blocking pool.
//!
//! A read that started before a change must not store what it read: each entry carries a
//! generation taken before the store is asked, and the answer is kept only if the entry is
//! still that generation (an invalidation removes it) and no id-only invalidation happened
//! meanwhile (the cache-wide epoch).
//!
//! Each built view has a [`Version`]: what strong `ETag`s are made from, and the answer
//! time its envelope shows (see [`crate::platform::conditional`]).

mod cache;
mod campaign;
mod group;

pub use campaign::CachedCampaigns;
pub use group::CachedGroups;

use cache::{Cache, Names};
use groupbuy_domain::campaign::GroupBuy;
use groupbuy_domain::group_purchase::GroupDetail;
use groupbuy_store::live::{LiveChange, OnChange};
use prometheus::Registry;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// How long an entry may serve and how many the instance keeps (of each kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadModelSettings {
    /// An entry older than this is rebuilt (`GROUPBUY_READ_MODEL_MAX_AGE_MS`); zero turns
    /// the read model off (every read asks the store).
    pub max_age: Duration,
    /// Most groups, and most campaigns, held (`GROUPBUY_READ_MODEL_CAPACITY`); zero turns
    /// the read model off.
    pub capacity: usize,
}

impl Default for ReadModelSettings {
    fn default() -> Self {
        Self {
            max_age: Duration::from_millis(2000),
            capacity: 10_000,
        }
    }
}

/// Which build of a view an answer comes from. Two answers with one version show the
/// same data, read at the same moment, in this instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Opaque, unique among the instance's builds (a random per-instance part and a
    /// counter); strong `ETag`s are hashed from it.
    pub tag: String,
    /// When this data was first read from the store: the answer time its envelopes show,
    /// so every answer of one version is the same bytes.
    pub at: OffsetDateTime,
}

/// A view and, when it is the read model's, its version (`None`: read straight from the
/// store, as when the read model is off or a read raced a change; such an answer has no
/// strong validator).
#[derive(Debug, Clone)]
pub struct View<T> {
    /// The shared view: never changed, never holding one viewer's private fields.
    pub data: Arc<T>,
    /// Its version, when it has one.
    pub version: Option<Version>,
}

impl<T> View<T> {
    /// A view read straight from the store, unversioned.
    pub fn plain(data: T) -> Self {
        Self {
            data: Arc::new(data),
            version: None,
        }
    }
}

/// The instance's read model: a cache per kind of view.
pub struct ReadModel {
    pub(crate) groups: Cache<GroupDetail>,
    pub(crate) campaigns: Cache<GroupBuy>,
}

impl std::fmt::Debug for ReadModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadModel").finish_non_exhaustive()
    }
}

/// The group counters keep the names they had before campaigns were cached (the
/// dashboard and the operators' alerts query them).
const GROUP_NAMES: Names = Names {
    hits: (
        "groupbuy_read_model_hits_total",
        "Group reads answered from the read model",
    ),
    misses: (
        "groupbuy_read_model_misses_total",
        "Group reads that asked the store (absent, changed or older than the max age)",
    ),
    invalidations: (
        "groupbuy_read_model_invalidations_total",
        "Changes heard or made that dropped group read-model entries",
    ),
};

const CAMPAIGN_NAMES: Names = Names {
    hits: (
        "groupbuy_read_model_campaign_hits_total",
        "Public campaign reads answered from the read model",
    ),
    misses: (
        "groupbuy_read_model_campaign_misses_total",
        "Public campaign reads that asked the store (absent, changed or older than the max age)",
    ),
    invalidations: (
        "groupbuy_read_model_campaign_invalidations_total",
        "Changes heard or made that dropped campaign read-model entries",
    ),
};

impl ReadModel {
    /// An empty read model.
    ///
    /// # Errors
    /// A message when a counter cannot be made (an invalid name).
    pub fn new(settings: ReadModelSettings) -> Result<Arc<Self>, String> {
        Ok(Arc::new(Self {
            groups: Cache::new(settings, &GROUP_NAMES)?,
            campaigns: Cache::new(settings, &CAMPAIGN_NAMES)?,
        }))
    }

    /// Registers the counters in `registry` (served at `/metrics`).
    ///
    /// # Errors
    /// A message on a name clash.
    pub fn register(&self, registry: &Registry) -> Result<(), String> {
        self.groups.register(registry)?;
        self.campaigns.register(registry)
    }

    /// What the live listener calls with each change it hears (see the module doc).
    pub fn on_change(self: &Arc<Self>) -> OnChange {
        let model = Arc::downgrade(self);
        Arc::new(move |change| {
            let Some(model) = model.upgrade() else { return };
            match change {
                LiveChange::Group(code) => model.groups.forget(&code),
                LiveChange::Campaign(key) => model.campaigns.forget(&key),
                LiveChange::Everything => {
                    model.groups.forget_all();
                    model.campaigns.forget_all();
                }
            }
        })
    }
}

/// The read model's ports, for the handlers that answer with a view's version (a strong
/// `ETag`, a 304 before any body work); absent when the state has no read model.
pub struct Views {
    /// Group reads.
    pub groups: Arc<CachedGroups>,
    /// Public campaign reads.
    pub campaigns: Arc<CachedCampaigns>,
}

impl std::fmt::Debug for Views {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Views").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
