//! The cache mechanics one kind of view shares with the others: entries by key (a group's
//! code, a campaign's `<handle>/<slug>`) and an index by id, a generation per entry so a read
//! begun before a change never stores what it read, the staleness bound, the capacity
//! bound, a version per built view (what strong `ETag`s are made from) and the kind's hit,
//! miss and invalidation counters.

use super::{ReadModelSettings, Version, View};
use groupbuy_domain::DomainError;
use parking_lot::Mutex;
use prometheus::{IntCounter, Opts, Registry};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use time::OffsetDateTime;
use uuid::Uuid;

/// What a cache holds: a view that knows its key and id, and whether the public may see it.
pub trait Cached: Clone + PartialEq + Send + Sync + 'static {
    /// Whether this view is the one stored under `key` (a store answer for another key,
    /// e.g. a renamed one, is not kept).
    fn has_key(&self, key: &str) -> bool;
    /// Its id, so a change known only by id drops it.
    fn id(&self) -> Uuid;
    /// Whether it may be served to anyone (a campaign's DRAFT may not, whatever the store
    /// answered).
    fn is_public(&self) -> bool;
}

/// A built view, when it was read from the store and its version.
struct Built<T> {
    view: Arc<T>,
    version: Version,
    at: Instant,
    /// False once a change dropped it: never served again, kept only so that a rebuild
    /// finding the same data (a spurious notice, one's own write announced again) keeps
    /// its version, so clients' tags stay valid.
    current: bool,
    /// Since when one reader has been rebuilding it after it aged past `max_age`: the
    /// others are served it meanwhile (for at most another `max_age`), so a popular view's
    /// expiry costs one store read, not one per reader in flight.
    refreshing: Option<Instant>,
}

impl<T> Built<T> {
    /// Whether it may be served now: current and either younger than `max_age` or being
    /// rebuilt by another reader since less than `max_age`.
    fn servable(&self, max_age: std::time::Duration) -> bool {
        self.current
            && (self.at.elapsed() < max_age
                || self
                    .refreshing
                    .is_some_and(|since| since.elapsed() < max_age))
    }
}

/// A key's place: its generation (unique in the cache) and, once read, its view.
struct Slot<T> {
    generation: u64,
    id: Option<Uuid>,
    built: Option<Built<T>>,
}

/// Everything under one lock: held only for map operations, never across a store call.
struct Entries<T> {
    by_key: HashMap<String, Slot<T>>,
    /// Keys never change, so this index needs no invalidation; it lists only views with a
    /// slot, and goes with the slot.
    ids: HashMap<Uuid, String>,
    /// Source of generations and version numbers.
    next: u64,
    /// Advanced when a view whose key is unknown here changed: voids every read in flight.
    epoch: u64,
    /// Advanced by every invalidation: a read by id, whose key is unknown until it
    /// returns, keeps its answer only if nothing at all changed meanwhile.
    changes: u64,
}

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Self {
            by_key: HashMap::new(),
            ids: HashMap::new(),
            next: 0,
            epoch: 0,
            changes: 0,
        }
    }
}

/// What a read must still match to keep its answer.
#[derive(Debug, Clone, Copy)]
struct Ticket {
    generation: u64,
    epoch: u64,
}

/// The views of one kind and their counters.
pub struct Cache<T> {
    settings: ReadModelSettings,
    /// Random per cache, so no two instances (or kinds) ever give two views one version.
    nonce: String,
    entries: Mutex<Entries<T>>,
    pub(super) hits: IntCounter,
    pub(super) misses: IntCounter,
    pub(super) invalidations: IntCounter,
}

/// The counters' names and help of one kind.
pub struct Names {
    /// `..._hits_total`.
    pub hits: (&'static str, &'static str),
    /// `..._misses_total`.
    pub misses: (&'static str, &'static str),
    /// `..._invalidations_total`.
    pub invalidations: (&'static str, &'static str),
}

impl<T: Cached> Cache<T> {
    /// An empty cache counting under `names`.
    ///
    /// # Errors
    /// A message when a counter cannot be made (an invalid name).
    pub fn new(settings: ReadModelSettings, names: &Names) -> Result<Self, String> {
        let counter = |(n, h): (&str, &str)| {
            IntCounter::with_opts(Opts::new(n, h)).map_err(|e| format!("read model: {e}"))
        };
        Ok(Self {
            settings,
            nonce: Uuid::new_v4().simple().to_string(),
            entries: Mutex::default(),
            hits: counter(names.hits)?,
            misses: counter(names.misses)?,
            invalidations: counter(names.invalidations)?,
        })
    }

    /// Registers the counters in `registry`.
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

    /// How many keys have a slot (built or being read).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.lock().by_key.len()
    }

    fn enabled(&self) -> bool {
        self.settings.capacity > 0 && !self.settings.max_age.is_zero()
    }

    /// Drops the view `key`: never served again, and a read of it in flight is not kept.
    pub fn forget(&self, key: &str) {
        let mut e = self.entries.lock();
        Self::retire(&mut e, key);
        self.invalidations.inc();
    }

    /// Gives `key`'s slot a new generation (voiding the reads in flight) and marks its view
    /// no longer current.
    fn retire(e: &mut Entries<T>, key: &str) {
        e.changes += 1;
        e.next += 1;
        let generation = e.next;
        if let Some(slot) = e.by_key.get_mut(key) {
            slot.generation = generation;
            if let Some(b) = slot.built.as_mut() {
                b.current = false;
            }
        }
    }

    /// Drops the view `id`; when its key is unknown here no view of it is built, but a read
    /// of it may be in flight, so every read in flight is voided.
    pub fn forget_id(&self, id: Uuid) {
        let mut e = self.entries.lock();
        match e.ids.get(&id).cloned() {
            Some(key) => Self::retire(&mut e, &key),
            None => {
                e.changes += 1;
                e.epoch += 1;
            }
        }
        self.invalidations.inc();
    }

    /// Drops every view (notices may have been missed).
    pub fn forget_all(&self) {
        let mut e = self.entries.lock();
        e.by_key.clear();
        e.ids.clear();
        e.epoch += 1;
        e.changes += 1;
        self.invalidations.inc();
    }

    /// The servable view `key` from memory, or `None` (never a store read): for the async
    /// executor, where a hit is answered without a hop to the blocking pool. A miss is
    /// counted by the [`Self::get`] that follows it.
    pub fn peek(&self, key: &str) -> Option<View<T>> {
        if !self.enabled() || reads_own_writes() {
            return None;
        }
        let e = self.entries.lock();
        let b = e.by_key.get(key)?.built.as_ref()?;
        if !b.servable(self.settings.max_age) {
            return None;
        }
        self.hits.inc();
        Some(View {
            data: b.view.clone(),
            version: Some(b.version.clone()),
        })
    }

    /// [`Self::peek`] of the view `id`, once its key is known here.
    pub fn peek_by_id(&self, id: Uuid) -> Option<View<T>> {
        if !self.enabled() || reads_own_writes() {
            return None;
        }
        let key = self.entries.lock().ids.get(&id).cloned()?;
        self.peek(&key)
    }

    /// The view `key`: from memory when built less than `max_age` ago, else `load`ed and
    /// kept (unless it changed meanwhile, or is not public). Versioned when it comes from
    /// or went into memory.
    ///
    /// # Errors
    /// `load`'s errors (not kept: a missing view is asked again).
    pub fn get(
        &self,
        key: &str,
        load: impl FnOnce() -> Result<T, DomainError>,
    ) -> Result<View<T>, DomainError> {
        // Reading one's own write (or a change just heard): an entry may have been built
        // from a replica that had not replayed it yet.
        if !self.enabled() || reads_own_writes() {
            return load().map(View::plain);
        }
        let ticket = match self.lookup(key) {
            Ok(hit) => {
                self.hits.inc();
                return Ok(hit);
            }
            Err(ticket) => ticket,
        };
        self.misses.inc();
        let view = Arc::new(load()?);
        let version = if view.has_key(key) && view.is_public() {
            self.keep(key, ticket, &view)
        } else {
            None
        };
        Ok(View {
            data: view,
            version,
        })
    }

    /// The view `id`: through its key when known here, else `load`ed, its key noted and
    /// the view kept when no invalidation at all happened during the read (no generation
    /// of its key could be taken before it began).
    ///
    /// # Errors
    /// `load`'s errors.
    pub fn get_by_id(
        &self,
        id: Uuid,
        key_of: impl FnOnce(&T) -> String,
        load: impl FnOnce() -> Result<T, DomainError>,
    ) -> Result<View<T>, DomainError> {
        if !self.enabled() || reads_own_writes() {
            return load().map(View::plain);
        }
        let (key, changes) = {
            let e = self.entries.lock();
            (e.ids.get(&id).cloned(), e.changes)
        };
        if let Some(key) = key {
            return self.get(&key, load);
        }
        self.misses.inc();
        let view = Arc::new(load()?);
        let key = key_of(&view);
        let version = self.note(&key, id, changes, &view);
        Ok(View {
            data: view,
            version,
        })
    }

    /// Notes that `id` is the view `key`, so its next read goes through the key, and keeps
    /// `view` (read by id) when nothing was invalidated since `changes`.
    fn note(&self, key: &str, id: Uuid, changes: u64, view: &Arc<T>) -> Option<Version> {
        let mut e = self.entries.lock();
        let generation = match e.by_key.get_mut(key) {
            Some(slot) => {
                slot.id = Some(id);
                slot.generation
            }
            None => self.open_slot(&mut e, key, Some(id)),
        };
        e.ids.insert(id, key.to_owned());
        let ticket = Ticket {
            generation,
            epoch: e.epoch,
        };
        let keep = e.changes == changes && view.has_key(key) && view.is_public();
        keep.then(|| self.keep_locked(&mut e, key, ticket, view))
            .flatten()
    }

    /// A new, unbuilt slot for `key` (room made first); its generation.
    fn open_slot(&self, e: &mut Entries<T>, key: &str, id: Option<Uuid>) -> u64 {
        self.make_room(e);
        e.next += 1;
        let generation = e.next;
        e.by_key.insert(
            key.to_owned(),
            Slot {
                generation,
                id,
                built: None,
            },
        );
        generation
    }

    /// A fresh view, or the ticket a read must match to keep its answer.
    fn lookup(&self, key: &str) -> Result<View<T>, Ticket> {
        let mut e = self.entries.lock();
        let epoch = e.epoch;
        let max_age = self.settings.max_age;
        if let Some(slot) = e.by_key.get_mut(key) {
            if let Some(b) = slot.built.as_mut() {
                if b.servable(max_age) {
                    return Ok(View {
                        data: b.view.clone(),
                        version: Some(b.version.clone()),
                    });
                }
                if b.current {
                    // Aged: this reader rebuilds it, the others are served it meanwhile.
                    b.refreshing = Some(Instant::now());
                }
            }
            return Err(Ticket {
                generation: slot.generation,
                epoch,
            });
        }
        let generation = self.open_slot(&mut e, key, None);
        Err(Ticket { generation, epoch })
    }

    /// Keeps `view` if its slot is still the one the read started from; its version (the
    /// expired entry's when the store answered the same view again, so an unchanged view
    /// keeps its `ETag` and answer time across rebuilds).
    fn keep(&self, key: &str, ticket: Ticket, view: &Arc<T>) -> Option<Version> {
        let mut e = self.entries.lock();
        self.keep_locked(&mut e, key, ticket, view)
    }

    /// [`Self::keep`] under the lock.
    fn keep_locked(
        &self,
        e: &mut Entries<T>,
        key: &str,
        ticket: Ticket,
        view: &Arc<T>,
    ) -> Option<Version> {
        if e.epoch != ticket.epoch {
            return None;
        }
        let id = view.id();
        let next = e.next + 1;
        let slot = e.by_key.get_mut(key)?;
        if slot.generation != ticket.generation {
            return None;
        }
        let (version, fresh) = match slot.built.take() {
            Some(old) if *old.view == **view => (old.version, false),
            _ => (
                Version {
                    tag: format!("{}.{next:x}", self.nonce),
                    at: OffsetDateTime::now_utc(),
                },
                true,
            ),
        };
        slot.id = Some(id);
        slot.built = Some(Built {
            view: view.clone(),
            version: version.clone(),
            at: Instant::now(),
            current: true,
            refreshing: None,
        });
        if fresh {
            e.next = next;
        }
        e.ids.insert(id, key.to_owned());
        Some(version)
    }

    /// At capacity: drops what is expired or never built, then the oldest built view.
    fn make_room(&self, e: &mut Entries<T>) {
        if e.by_key.len() < self.settings.capacity {
            return;
        }
        let max_age = self.settings.max_age;
        let ids = &mut e.ids;
        e.by_key.retain(|_, slot| {
            let live = slot.built.as_ref().is_some_and(|b| b.servable(max_age));
            if !live {
                if let Some(id) = slot.id {
                    ids.remove(&id);
                }
            }
            live
        });
        if e.by_key.len() < self.settings.capacity {
            return;
        }
        let oldest = e
            .by_key
            .iter()
            .min_by_key(|(_, s)| s.built.as_ref().map(|b| b.at))
            .map(|(key, s)| (key.clone(), s.id));
        if let Some((key, id)) = oldest {
            e.by_key.remove(&key);
            if let Some(id) = id {
                e.ids.remove(&id);
            }
        }
    }
}

/// Whether the request being handled reads its caller's own writes (on the blocking thread,
/// the store's mark; on the async executor, the request's): an entry may have been built
/// from a replica that had not replayed them yet.
fn reads_own_writes() -> bool {
    groupbuy_store::reading_on_primary() || crate::platform::read_your_writes::primary_reads()
}
