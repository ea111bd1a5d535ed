//! The read replica's pool beside the primary's (`groupbuy_db_replica_pool_*`, the same
//! meanings as `groupbuy_db_pool_*`), and the lag-tolerant reads the replica could not
//! answer (`groupbuy_db_read_replica_fallbacks_total`): served only when
//! `DATABASE_READ_URL` is set, read at scrape time.

use groupbuy_store::{Database, PoolSnapshot};
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{IntCounter, IntGauge, Opts, Registry};
use std::sync::{Mutex, PoisonError};

/// The collector: gauges set and counters advanced from the replica's snapshot.
pub struct ReplicaMetrics {
    db: Database,
    last: Mutex<(Option<PoolSnapshot>, u64)>,
    open: IntGauge,
    in_use: IntGauge,
    idle: IntGauge,
    checkouts: IntCounter,
    waits: IntCounter,
    timeouts: IntCounter,
    fallbacks: IntCounter,
    descs: Vec<Desc>,
}

impl ReplicaMetrics {
    /// Registers the replica metrics of `db` in `registry` (nothing without a replica).
    ///
    /// # Errors
    /// A metric that cannot be made or registered (a name clash).
    pub fn register(registry: &Registry, db: Database) -> Result<(), String> {
        if db.replica_pool_snapshot().is_none() {
            return Ok(());
        }
        let failed = |e: prometheus::Error| format!("replica metrics: {e}");
        let gauge = |n: &str, h: &str| IntGauge::with_opts(Opts::new(n, h)).map_err(failed);
        let counter = |n: &str, h: &str| IntCounter::with_opts(Opts::new(n, h)).map_err(failed);
        let metrics = Self {
            db,
            last: Mutex::new((None, 0)),
            open: gauge(
                "groupbuy_db_replica_pool_connections",
                "Read replica: connections open now",
            )?,
            in_use: gauge(
                "groupbuy_db_replica_pool_in_use",
                "Read replica: connections held by a read now",
            )?,
            idle: gauge(
                "groupbuy_db_replica_pool_idle",
                "Read replica: open connections no one holds",
            )?,
            checkouts: counter(
                "groupbuy_db_replica_pool_checkouts_total",
                "Read replica: connection checkouts (reads it served or began)",
            )?,
            waits: counter(
                "groupbuy_db_replica_pool_waits_total",
                "Read replica: checkouts that waited 1 ms or more",
            )?,
            timeouts: counter(
                "groupbuy_db_replica_pool_timeouts_total",
                "Read replica: checkouts that gave up (the read went to the primary)",
            )?,
            fallbacks: counter(
                "groupbuy_db_read_replica_fallbacks_total",
                "Lag-tolerant reads the replica could not answer, answered by the primary",
            )?,
            descs: Vec::new(),
        };
        let descs = metrics
            .all()
            .iter()
            .flat_map(|c| c.desc().into_iter().cloned())
            .collect();
        registry
            .register(Box::new(Self { descs, ..metrics }))
            .map_err(failed)
    }

    fn all(&self) -> [&dyn Collector; 7] {
        [
            &self.open,
            &self.in_use,
            &self.idle,
            &self.checkouts,
            &self.waits,
            &self.timeouts,
            &self.fallbacks,
        ]
    }

    /// Brings every metric up to the replica as it is now.
    fn refresh(&self) {
        let Some(now) = self.db.replica_pool_snapshot() else {
            return;
        };
        let fallbacks = self.db.replica_fallbacks();
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let (before, fallbacks_before) = *last;
        let advance = |c: &IntCounter, new: u64, old: u64| c.inc_by(new.saturating_sub(old));
        let old = |f: fn(&PoolSnapshot) -> u64| before.as_ref().map_or(0, f);
        self.open.set(i64::from(now.open));
        self.in_use.set(i64::from(now.in_use()));
        self.idle.set(i64::from(now.idle));
        advance(&self.checkouts, now.checkouts, old(|s| s.checkouts));
        advance(&self.waits, now.waits, old(|s| s.waits));
        advance(&self.timeouts, now.timeouts, old(|s| s.timeouts));
        advance(&self.fallbacks, fallbacks, fallbacks_before);
        *last = (Some(now), fallbacks);
    }
}

impl Collector for ReplicaMetrics {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        self.refresh();
        self.all().iter().flat_map(|c| c.collect()).collect()
    }
}
