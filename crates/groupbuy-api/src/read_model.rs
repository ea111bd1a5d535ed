//! The shared read model of group purchases: a group's detail (what
//! `GET /api/v1/group-purchases/{id}`, the by-code read and the public pages through
//! `group_by_code` show) is read from the store once per version and served from memory
//! until it changes. The per-viewer fields (`isUserMember`, `myQuantity`, one's own
//! histories) are computed by the views from the shared detail, which holds every
//! participant, so a viewer costs no query and no viewer's fields are ever stored.
//!
//! When an entry is dropped:
//! - **Exactly, on every instance**: the instance's one live listener
//!   ([`crate::live::LiveHub`]) hands each announced change here before its fan-out
//!   re-reads (`LiveChange::Group(code)` drops that group, `Everything` after a lost
//!   connection drops all). On PostgreSQL the notice leaves with the commit; on SQLite it
//!   is announced in-process when the writer is released.
//! - **Read-your-writes**: [`CachedGroups`] drops a group when the use case that changed it
//!   returns, on the caller's thread, before the answer leaves; so the caller's next read on
//!   this instance rebuilds. Chosen over "bypass the cache for the caller's next read"
//!   because it needs no per-caller state (no session, no cookie, no expiry of a bypass
//!   mark) and holds for every reader of the instance, not only the writer; a sibling
//!   instance learns of the change from the announcement.
//! - **Bounded staleness**: an entry older than `max_age` is rebuilt, which bounds what a
//!   missed notice costs and covers what no notice announces (a product's or shop's name,
//!   image or logo shown beside the group).
//!
//! A read that started before a change must not store what it read: each entry carries a
//! generation taken before the store is asked, and the answer is kept only if the entry is
//! still that generation (an invalidation removes it) and no id-only invalidation happened
//! meanwhile (the instance-wide epoch).

use groupbuy_domain::group_purchase::{
    CheckoutRequest, CheckoutSession, GroupDetail, GroupPurchaseStore, GroupStatus,
    ParticipantDetail,
};
use groupbuy_domain::platform::{Answer, ChangeContext};
use groupbuy_domain::principal::Principal;
use groupbuy_domain::DomainError;
use groupbuy_store::live::{LiveChange, OnChange};
use parking_lot::Mutex;
use prometheus::{IntCounter, Opts, Registry};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use uuid::Uuid;

/// How long an entry may serve and how many the instance keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadModelSettings {
    /// An entry older than this is rebuilt (`GROUPBUY_READ_MODEL_MAX_AGE_MS`); zero turns
    /// the read model off (every read asks the store).
    pub max_age: Duration,
    /// Most groups held (`GROUPBUY_READ_MODEL_CAPACITY`); zero turns the read model off.
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

/// A built detail and when it was read from the store.
struct Built {
    detail: Arc<GroupDetail>,
    at: Instant,
}

/// A group's place: its generation (unique in the instance) and, once read, its detail.
struct Slot {
    generation: u64,
    id: Option<Uuid>,
    built: Option<Built>,
}

/// Everything under one lock: held only for map operations, never across a store call.
#[derive(Default)]
struct Entries {
    by_code: HashMap<String, Slot>,
    /// Codes never change, so this index needs no invalidation; it lists only groups
    /// with a slot, and goes with the slot.
    codes: HashMap<Uuid, String>,
    next_generation: u64,
    /// Advanced when a group whose code is unknown here changed: voids every read in flight.
    epoch: u64,
}

/// What a read must still match to keep its answer.
#[derive(Debug, Clone, Copy)]
struct Ticket {
    generation: u64,
    epoch: u64,
}

/// The instance's read model: entries by group code, and its hit and miss counters.
pub struct ReadModel {
    settings: ReadModelSettings,
    entries: Mutex<Entries>,
    hits: IntCounter,
    misses: IntCounter,
    invalidations: IntCounter,
}

impl std::fmt::Debug for ReadModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadModel")
            .field("settings", &self.settings)
            .field("entries", &self.entries.lock().by_code.len())
            .finish_non_exhaustive()
    }
}

impl ReadModel {
    /// An empty read model.
    ///
    /// # Errors
    /// A message when a counter cannot be made (an invalid name).
    pub fn new(settings: ReadModelSettings) -> Result<Arc<Self>, String> {
        let counter = |n: &str, h: &str| {
            IntCounter::with_opts(Opts::new(n, h)).map_err(|e| format!("read model: {e}"))
        };
        Ok(Arc::new(Self {
            settings,
            entries: Mutex::default(),
            hits: counter(
                "groupbuy_read_model_hits_total",
                "Group reads answered from the read model",
            )?,
            misses: counter(
                "groupbuy_read_model_misses_total",
                "Group reads that asked the store (absent, changed or older than the max age)",
            )?,
            invalidations: counter(
                "groupbuy_read_model_invalidations_total",
                "Changes heard or made that dropped read-model entries",
            )?,
        }))
    }

    /// Registers the counters in `registry` (served at `/metrics`).
    ///
    /// # Errors
    /// A message on a name clash.
    pub fn register(&self, registry: &Registry) -> Result<(), String> {
        for c in [&self.hits, &self.misses, &self.invalidations] {
            registry
                .register(Box::new(c.clone()))
                .map_err(|e| format!("read model metrics: {e}"))?;
        }
        Ok(())
    }

    /// What the live listener calls with each change it hears (see the module doc).
    pub fn on_change(self: &Arc<Self>) -> OnChange {
        let model = Arc::downgrade(self);
        Arc::new(move |change| {
            let Some(model) = model.upgrade() else { return };
            match change {
                LiveChange::Group(code) => model.forget(&code),
                LiveChange::Everything => model.forget_all(),
                LiveChange::Campaign(_) => {}
            }
        })
    }

    fn enabled(&self) -> bool {
        self.settings.capacity > 0 && !self.settings.max_age.is_zero()
    }

    /// Drops the group `code`.
    pub fn forget(&self, code: &str) {
        let mut e = self.entries.lock();
        if let Some(slot) = e.by_code.remove(code) {
            if let Some(id) = slot.id {
                e.codes.remove(&id);
            }
        }
        self.invalidations.inc();
    }

    /// Drops the group `id`; when its code is unknown here no entry of it is built, but a
    /// read of it may be in flight, so every read in flight is voided.
    pub fn forget_id(&self, id: Uuid) {
        let mut e = self.entries.lock();
        match e.codes.remove(&id) {
            Some(code) => {
                e.by_code.remove(&code);
            }
            None => e.epoch += 1,
        }
        self.invalidations.inc();
    }

    /// Drops every entry (notices may have been missed).
    pub fn forget_all(&self) {
        let mut e = self.entries.lock();
        e.by_code.clear();
        e.codes.clear();
        e.epoch += 1;
        self.invalidations.inc();
    }

    /// The group `code`: from memory when built less than `max_age` ago, else `load`ed
    /// and kept (unless it changed meanwhile).
    ///
    /// # Errors
    /// `load`'s errors (not kept: a missing group is asked again).
    pub fn group(
        &self,
        code: &str,
        load: impl FnOnce() -> Result<GroupDetail, DomainError>,
    ) -> Result<GroupDetail, DomainError> {
        // Reading one's own write (or a change just heard): an entry may have been built
        // from a replica that had not replayed it yet.
        if !self.enabled() || groupbuy_store::reading_on_primary() {
            return load();
        }
        let ticket = match self.lookup(code) {
            Ok(detail) => {
                self.hits.inc();
                return Ok(GroupDetail::clone(&detail));
            }
            Err(ticket) => ticket,
        };
        self.misses.inc();
        let detail = load()?;
        if detail.group.code.as_str() == code {
            self.keep(code, ticket, &detail);
        }
        Ok(detail)
    }

    /// The group `id`: through its code when known here, else `load`ed and its code noted
    /// (that first read is not kept: no generation could be taken before it began).
    ///
    /// # Errors
    /// `load`'s errors.
    pub fn group_by_id(
        &self,
        id: Uuid,
        load: impl FnOnce() -> Result<GroupDetail, DomainError>,
    ) -> Result<GroupDetail, DomainError> {
        if !self.enabled() || groupbuy_store::reading_on_primary() {
            return load();
        }
        let code = self.entries.lock().codes.get(&id).cloned();
        match code {
            Some(code) => self.group(&code, load),
            None => {
                self.misses.inc();
                let detail = load()?;
                self.note(detail.group.code.as_str(), id);
                Ok(detail)
            }
        }
    }

    /// Notes that `id` is the group `code`, so its next read goes through the code.
    fn note(&self, code: &str, id: Uuid) {
        let mut e = self.entries.lock();
        if let Some(slot) = e.by_code.get_mut(code) {
            slot.id = Some(id);
        } else {
            self.open_slot(&mut e, code, Some(id));
        }
        e.codes.insert(id, code.to_owned());
    }

    /// A new, unbuilt slot for `code` (room made first); its generation.
    fn open_slot(&self, e: &mut Entries, code: &str, id: Option<Uuid>) -> u64 {
        self.make_room(e);
        e.next_generation += 1;
        let generation = e.next_generation;
        e.by_code.insert(
            code.to_owned(),
            Slot {
                generation,
                id,
                built: None,
            },
        );
        generation
    }

    /// A fresh detail, or the ticket a read must match to keep its answer.
    fn lookup(&self, code: &str) -> Result<Arc<GroupDetail>, Ticket> {
        let mut e = self.entries.lock();
        let epoch = e.epoch;
        if let Some(slot) = e.by_code.get(code) {
            if let Some(b) = slot.built.as_ref() {
                if b.at.elapsed() < self.settings.max_age {
                    return Ok(b.detail.clone());
                }
            }
            return Err(Ticket {
                generation: slot.generation,
                epoch,
            });
        }
        let generation = self.open_slot(&mut e, code, None);
        Err(Ticket { generation, epoch })
    }

    /// Keeps `detail` if its slot is still the one the read started from.
    fn keep(&self, code: &str, ticket: Ticket, detail: &GroupDetail) {
        let mut e = self.entries.lock();
        if e.epoch != ticket.epoch {
            return;
        }
        let id = detail.group.id;
        let Some(slot) = e.by_code.get_mut(code) else {
            return;
        };
        if slot.generation != ticket.generation {
            return;
        }
        slot.id = Some(id);
        slot.built = Some(Built {
            detail: Arc::new(detail.clone()),
            at: Instant::now(),
        });
        e.codes.insert(id, code.to_owned());
    }

    /// At capacity: drops what is expired or never built, then the oldest built entry.
    fn make_room(&self, e: &mut Entries) {
        if e.by_code.len() < self.settings.capacity {
            return;
        }
        let max_age = self.settings.max_age;
        let codes = &mut e.codes;
        e.by_code.retain(|_, slot| {
            let live = slot
                .built
                .as_ref()
                .is_some_and(|b| b.at.elapsed() < max_age);
            if !live {
                if let Some(id) = slot.id {
                    codes.remove(&id);
                }
            }
            live
        });
        if e.by_code.len() < self.settings.capacity {
            return;
        }
        let oldest = e
            .by_code
            .iter()
            .min_by_key(|(_, s)| s.built.as_ref().map(|b| b.at))
            .map(|(code, s)| (code.clone(), s.id));
        if let Some((code, id)) = oldest {
            e.by_code.remove(&code);
            if let Some(id) = id {
                e.codes.remove(&id);
            }
        }
    }
}

/// The group purchase port with its reads served by the [`ReadModel`]; every other call
/// goes to the store, and those that change a group drop it on return (read-your-writes).
pub struct CachedGroups {
    inner: Arc<dyn GroupPurchaseStore>,
    model: Arc<ReadModel>,
}

impl CachedGroups {
    /// `inner`'s group reads served by `model`.
    pub fn new(inner: Arc<dyn GroupPurchaseStore>, model: Arc<ReadModel>) -> Self {
        Self { inner, model }
    }
}

impl GroupPurchaseStore for CachedGroups {
    fn create_checkout(
        &self,
        buyer: &Principal,
        request: CheckoutRequest,
        ctx: &ChangeContext,
        answer: Answer<CheckoutSession>,
    ) -> Result<CheckoutSession, DomainError> {
        // Opening a session changes no group (seats are taken at payment).
        self.inner.create_checkout(buyer, request, ctx, answer)
    }

    fn checkout(
        &self,
        buyer: &Principal,
        session_id: Uuid,
    ) -> Result<CheckoutSession, DomainError> {
        self.inner.checkout(buyer, session_id)
    }

    fn pay(
        &self,
        buyer: &Principal,
        session_id: Uuid,
        ctx: &ChangeContext,
        answer: Answer<CheckoutSession>,
    ) -> Result<CheckoutSession, DomainError> {
        let paid = self.inner.pay(buyer, session_id, ctx, answer)?;
        if let Some(code) = &paid.group_code {
            self.model.forget(code);
        } else if let Some(id) = paid.group_instance_id {
            self.model.forget_id(id);
        }
        Ok(paid)
    }

    fn available_groups(
        &self,
        product_id: Uuid,
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<GroupDetail>, DomainError> {
        self.inner.available_groups(product_id, now, limit)
    }

    fn group(&self, group_id: Uuid) -> Result<GroupDetail, DomainError> {
        self.model
            .group_by_id(group_id, || self.inner.group(group_id))
    }

    fn group_by_code(&self, code: &str) -> Result<GroupDetail, DomainError> {
        self.model.group(code, || self.inner.group_by_code(code))
    }

    fn my_groups(
        &self,
        user_id: &str,
        status: Option<GroupStatus>,
        limit: i64,
    ) -> Result<Vec<GroupDetail>, DomainError> {
        self.inner.my_groups(user_id, status, limit)
    }

    fn product_groups(
        &self,
        caller: &Principal,
        product_id: Uuid,
        status: Option<GroupStatus>,
        limit: i64,
    ) -> Result<Vec<GroupDetail>, DomainError> {
        self.inner.product_groups(caller, product_id, status, limit)
    }

    fn my_participations(&self, user_id: &str) -> Result<Vec<ParticipantDetail>, DomainError> {
        self.inner.my_participations(user_id)
    }

    fn transfer(
        &self,
        user: &Principal,
        source: Uuid,
        target: Uuid,
        quantity: i32,
        ctx: &ChangeContext,
        answer: Answer<ParticipantDetail>,
    ) -> Result<ParticipantDetail, DomainError> {
        let moved = self
            .inner
            .transfer(user, source, target, quantity, ctx, answer)?;
        self.model.forget_id(source);
        self.model.forget_id(target);
        Ok(moved)
    }

    fn rename(
        &self,
        user_id: &str,
        group_id: Uuid,
        name: &str,
        ctx: &ChangeContext,
    ) -> Result<GroupDetail, DomainError> {
        let renamed = self.inner.rename(user_id, group_id, name, ctx)?;
        self.model.forget(renamed.group.code.as_str());
        Ok(renamed)
    }

    fn delete_group(
        &self,
        group_id: Uuid,
        ctx: &ChangeContext,
    ) -> Result<GroupDetail, DomainError> {
        let deleted = self.inner.delete_group(group_id, ctx)?;
        self.model.forget(deleted.group.code.as_str());
        Ok(deleted)
    }

    fn expire_due(&self, ctx: &ChangeContext, batch: i64) -> Result<usize, DomainError> {
        // A sweep has no caller to read its own write; its changes are announced.
        self.inner.expire_due(ctx, batch)
    }
}

#[cfg(test)]
mod tests;
