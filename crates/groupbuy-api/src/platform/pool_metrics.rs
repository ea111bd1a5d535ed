//! The database pool and the blocking thread pool as Prometheus metrics, read when
//! `/metrics` is scraped: connections open, in use and idle, checkouts that waited (and how
//! long) or timed out, SQLite's writer queue, and store calls running or queued on the
//! blocking pool.

use groupbuy_store::{Database, PoolSnapshot};
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{Counter, IntCounter, IntGauge, Opts, Registry};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, PoisonError};

/// Store calls handed to the blocking pool and not finished (running or queued).
static BLOCKING_IN_FLIGHT: AtomicI64 = AtomicI64::new(0);

/// Counts one store call on the blocking pool while it lives.
pub struct BlockingCall(());

impl BlockingCall {
    /// A call starts (ends when dropped).
    pub fn start() -> Self {
        BLOCKING_IN_FLIGHT.fetch_add(1, Ordering::Relaxed);
        Self(())
    }
}

impl Drop for BlockingCall {
    fn drop(&mut self) {
        BLOCKING_IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The collector: gauges set and counters advanced from a pool snapshot at each scrape.
pub struct PoolMetrics {
    db: Database,
    last: Mutex<Option<PoolSnapshot>>,
    max: IntGauge,
    open: IntGauge,
    in_use: IntGauge,
    idle: IntGauge,
    checkouts: IntCounter,
    waits: IntCounter,
    wait_seconds: Counter,
    timeouts: IntCounter,
    writer_waits: IntCounter,
    writer_timeouts: IntCounter,
    blocking: IntGauge,
    descs: Vec<Desc>,
}

impl PoolMetrics {
    /// Registers the pool metrics of `db` in `registry`.
    ///
    /// # Errors
    /// A metric that cannot be made or registered (a name clash).
    pub fn register(registry: &Registry, db: Database) -> Result<(), String> {
        let failed = |e: prometheus::Error| format!("pool metrics: {e}");
        let gauge = |n: &str, h: &str| IntGauge::with_opts(Opts::new(n, h)).map_err(failed);
        let counter = |n: &str, h: &str| IntCounter::with_opts(Opts::new(n, h)).map_err(failed);
        let metrics = Self {
            db,
            last: Mutex::new(None),
            max: gauge(
                "groupbuy_db_pool_max_connections",
                "The most connections the pool opens",
            )?,
            open: gauge("groupbuy_db_pool_connections", "Connections open now")?,
            in_use: gauge(
                "groupbuy_db_pool_in_use",
                "Connections held by a request or job now",
            )?,
            idle: gauge("groupbuy_db_pool_idle", "Open connections no one holds")?,
            checkouts: counter("groupbuy_db_pool_checkouts_total", "Connection checkouts")?,
            waits: counter(
                "groupbuy_db_pool_waits_total",
                "Checkouts that waited 1 ms or more for a connection",
            )?,
            wait_seconds: Counter::with_opts(Opts::new(
                "groupbuy_db_pool_wait_seconds_total",
                "Time checkouts spent waiting for a connection",
            ))
            .map_err(failed)?,
            timeouts: counter(
                "groupbuy_db_pool_timeouts_total",
                "Checkouts that gave up after the checkout timeout",
            )?,
            writer_waits: counter(
                "groupbuy_db_writer_waits_total",
                "SQLite: writes that queued for the single writer",
            )?,
            writer_timeouts: counter(
                "groupbuy_db_writer_timeouts_total",
                "SQLite: writes that gave up waiting for the writer",
            )?,
            blocking: gauge(
                "groupbuy_blocking_calls_in_flight",
                "Store calls on the blocking thread pool, running or queued",
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

    fn all(&self) -> [&dyn Collector; 11] {
        [
            &self.max,
            &self.open,
            &self.in_use,
            &self.idle,
            &self.checkouts,
            &self.waits,
            &self.wait_seconds,
            &self.timeouts,
            &self.writer_waits,
            &self.writer_timeouts,
            &self.blocking,
        ]
    }

    /// Brings every metric up to the pool as it is now.
    fn refresh(&self) {
        let now = self.db.pool_snapshot();
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let before = last.unwrap_or(PoolSnapshot {
            checkouts: 0,
            waits: 0,
            wait_micros: 0,
            timeouts: 0,
            writer_waits: 0,
            writer_timeouts: 0,
            ..now
        });
        self.max.set(i64::from(now.max_size));
        self.open.set(i64::from(now.open));
        self.in_use.set(i64::from(now.in_use()));
        self.idle.set(i64::from(now.idle));
        let advance = |c: &IntCounter, new: u64, old: u64| c.inc_by(new.saturating_sub(old));
        advance(&self.checkouts, now.checkouts, before.checkouts);
        advance(&self.waits, now.waits, before.waits);
        advance(&self.timeouts, now.timeouts, before.timeouts);
        advance(&self.writer_waits, now.writer_waits, before.writer_waits);
        advance(
            &self.writer_timeouts,
            now.writer_timeouts,
            before.writer_timeouts,
        );
        let waited = now.wait_micros.saturating_sub(before.wait_micros);
        #[allow(clippy::cast_precision_loss)] // microseconds of waiting: far below 2^52
        self.wait_seconds.inc_by(waited as f64 / 1e6);
        self.blocking
            .set(BLOCKING_IN_FLIGHT.load(Ordering::Relaxed));
        *last = Some(now);
    }
}

impl Collector for PoolMetrics {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        self.refresh();
        self.all().iter().flat_map(|c| c.collect()).collect()
    }
}
