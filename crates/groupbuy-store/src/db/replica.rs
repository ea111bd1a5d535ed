//! Reads that tolerate a little lag, on a PostgreSQL streaming replica
//! (`DATABASE_READ_URL`): a second pool beside the primary's. Only the reads the store
//! marks lag-tolerant ([`super::Database::query_lagging`], [`super::Database::read_lagging`])
//! come here; every write, and every read inside a write transaction, stays on the primary.
//!
//! Three things send a lag-tolerant read back to the primary:
//! - **The caller's own writes**: the API runs a caller's reads inside [`reads_on_primary`]
//!   for a while after that caller wrote (read-your-writes); so do threads that react to a
//!   change just committed (the live fan-out).
//! - **A replica that cannot answer**: no connection within [`CHECKOUT_TIMEOUT`], or a
//!   failed query. The read is asked again on the primary, logged and counted
//!   (`fallbacks`); with no connection open at all the replica rests for [`REST`], so a
//!   down replica costs one short wait per rest, not one per read. Never an error.
//! - **Not found on the replica**: a row created a moment ago may not have been replayed
//!   yet, so "not found" is confirmed on the primary (a real miss costs two reads).

use super::{Manager, PoolCounters};
use crate::error::StoreError;
use groupbuy_domain::DomainError;
use parking_lot::Mutex;
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The most a lag-tolerant read waits for a replica connection before asking the primary
/// (a free connection takes microseconds; a replica that is down would otherwise hold
/// every public read for the primary's whole checkout timeout).
pub(crate) const CHECKOUT_TIMEOUT: Duration = Duration::from_millis(500);

/// How long a replica with no open connection is left alone before it is tried again.
pub(crate) const REST: Duration = Duration::from_secs(5);

thread_local! {
    /// Set while this thread's lag-tolerant reads must go to the primary.
    static ON_PRIMARY: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with every lag-tolerant read this thread makes sent to the primary: the
/// caller has just written and must read its own write (or the thread reacts to a change
/// just committed). Nests; restores the previous mode on return or unwind.
pub fn reads_on_primary<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            ON_PRIMARY.with(|p| p.set(self.0));
        }
    }
    let _restore = Restore(ON_PRIMARY.with(|p| p.replace(true)));
    f()
}

/// Whether this thread's lag-tolerant reads are sent to the primary now
/// ([`reads_on_primary`]).
pub fn reading_on_primary() -> bool {
    ON_PRIMARY.with(Cell::get)
}

/// The replica's pool and what operators see of it.
pub(crate) struct Replica {
    pub(crate) pool: r2d2::Pool<Manager>,
    pub(crate) counters: std::sync::Arc<PoolCounters>,
    fallbacks: AtomicU64,
    resting_until: Mutex<Option<Instant>>,
}

impl Replica {
    /// A pool to `manager`'s replica, not waiting for its first connection: a replica that
    /// is down at start only sends reads to the primary until it is up.
    pub(crate) fn open(
        manager: Manager,
        max_size: u32,
        counters: std::sync::Arc<PoolCounters>,
    ) -> Result<Self, StoreError> {
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(1))
            .connection_timeout(CHECKOUT_TIMEOUT)
            .event_handler(Box::new(super::CountingHandler(counters.clone())))
            .build_unchecked(manager);
        Ok(Self {
            pool,
            counters,
            fallbacks: AtomicU64::new(0),
            resting_until: Mutex::new(None),
        })
    }

    /// Lag-tolerant reads the replica could not answer and the primary did.
    pub(crate) fn fallbacks(&self) -> u64 {
        self.fallbacks.load(Ordering::Relaxed)
    }

    /// Runs `f` on a replica connection: its answer, or `None` when the read belongs on
    /// the primary (resting, no connection, a failed query, or not found there), counted
    /// and logged unless it is a plain miss. A refusal (a domain error other than not
    /// found) is the answer: the primary would refuse alike.
    pub(crate) fn run<T>(
        &self,
        f: impl FnOnce(&mut super::DbConnection) -> Result<T, StoreError>,
    ) -> Option<Result<T, StoreError>> {
        if self
            .resting_until
            .lock()
            .is_some_and(|until| Instant::now() < until)
        {
            self.fell_back(None);
            return None;
        }
        let mut conn = match self.pool.get() {
            Ok(conn) => conn,
            Err(e) => {
                if self.pool.state().connections == 0 {
                    *self.resting_until.lock() = Some(Instant::now() + REST);
                }
                self.fell_back(Some(&e.to_string()));
                return None;
            }
        };
        match f(&mut conn) {
            Ok(value) => Some(Ok(value)),
            // Maybe created a moment ago and not replayed yet: the primary says.
            Err(StoreError::Domain(DomainError::NotFound(_))) => None,
            Err(refused @ StoreError::Domain(_)) => Some(Err(refused)),
            Err(e) => {
                self.fell_back(Some(&e.to_string()));
                None
            }
        }
    }

    fn fell_back(&self, error: Option<&str>) {
        self.fallbacks.fetch_add(1, Ordering::Relaxed);
        if let Some(error) = error {
            tracing::warn!(
                error,
                "read replica could not answer; reading from the primary"
            );
        }
    }
}
