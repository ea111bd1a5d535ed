//! The database pool and the blocking thread pool as Prometheus metrics, read when
//! `/metrics` is scraped: connections open, in use and idle, checkouts that waited (and how
//! long) or timed out, SQLite's writer queue, and store calls running or queued on the
//! blocking pool and how long they queued.
//!
//! actix's `web::block` runs on tokio's blocking pool, whose queue tokio reports only in
//! unstable builds (and per runtime: one per actix worker), so the calls are counted in
//! the app's own wrapper ([`crate::state::blocking`]), through which every store call goes.

use groupbuy_store::{Database, PoolSnapshot};
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{Counter, Histogram, HistogramOpts, IntCounter, IntGauge, Opts, Registry};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Instant;

/// Store calls handed to the blocking pool and not finished (running or queued).
static BLOCKING_IN_FLIGHT: AtomicI64 = AtomicI64::new(0);
/// Of those, the ones no blocking thread has started yet.
static BLOCKING_QUEUED: AtomicI64 = AtomicI64::new(0);

/// How long store calls waited for a blocking thread, shared by every registry of the
/// process (as the pool is); `None` if it could not be made (it cannot: constant options).
fn blocking_wait() -> Option<&'static Histogram> {
    static WAIT: OnceLock<Option<Histogram>> = OnceLock::new();
    WAIT.get_or_init(|| {
        Histogram::with_opts(
            HistogramOpts::new(
                "groupbuy_blocking_wait_seconds",
                "How long store calls waited for a blocking thread to start them",
            )
            .buckets(vec![0.000_05, 0.000_25, 0.001, 0.005, 0.025, 0.1, 0.5]),
        )
        .ok()
    })
    .as_ref()
}

/// Counts one store call on the blocking pool while it lives: queued until
/// [`BlockingCall::running`], in flight until dropped.
pub struct BlockingCall {
    queued_since: Option<Instant>,
}

impl BlockingCall {
    /// A call is handed to the pool.
    pub fn start() -> Self {
        BLOCKING_IN_FLIGHT.fetch_add(1, Ordering::Relaxed);
        BLOCKING_QUEUED.fetch_add(1, Ordering::Relaxed);
        Self {
            queued_since: Some(Instant::now()),
        }
    }

    /// A blocking thread starts the call: it leaves the queue after the time observed.
    pub fn running(&mut self) {
        if let Some(since) = self.queued_since.take() {
            BLOCKING_QUEUED.fetch_sub(1, Ordering::Relaxed);
            if let Some(wait) = blocking_wait() {
                wait.observe(since.elapsed().as_secs_f64());
            }
        }
    }
}

impl Drop for BlockingCall {
    fn drop(&mut self) {
        // A call dropped unstarted (the pool shut down) leaves the queue too.
        if self.queued_since.is_some() {
            BLOCKING_QUEUED.fetch_sub(1, Ordering::Relaxed);
        }
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
    blocking_queued: IntGauge,
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
            blocking_queued: gauge(
                "groupbuy_blocking_calls_queued",
                "Store calls handed to the blocking thread pool that no thread started yet",
            )?,
            descs: Vec::new(),
        };
        let descs = metrics
            .all()
            .iter()
            .flat_map(|c| c.desc().into_iter().cloned())
            .chain(
                blocking_wait()
                    .into_iter()
                    .flat_map(|h| h.desc().into_iter().cloned()),
            )
            .collect();
        registry
            .register(Box::new(Self { descs, ..metrics }))
            .map_err(failed)
    }

    fn all(&self) -> [&dyn Collector; 12] {
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
            &self.blocking_queued,
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
        self.blocking_queued
            .set(BLOCKING_QUEUED.load(Ordering::Relaxed));
        *last = Some(now);
    }
}

impl Collector for PoolMetrics {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        self.refresh();
        self.all()
            .iter()
            .flat_map(|c| c.collect())
            .chain(blocking_wait().into_iter().flat_map(Collector::collect))
            .collect()
    }
}
