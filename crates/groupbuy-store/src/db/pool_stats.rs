//! What operators need to see of the connection pool: its size, connections in use and
//! idle, checkouts that had to wait and for how long, and checkouts that timed out; on
//! SQLite also the single writer's queue. Counted by r2d2's event hooks and the writer's
//! lock, read at scrape time (`/metrics`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A checkout slower than this waited for a connection (a free one takes microseconds).
const WAITED: Duration = Duration::from_millis(1);

/// The pool's counters, shared by the pool's event handler and the writer.
#[derive(Debug, Default)]
pub(crate) struct PoolCounters {
    checkouts: AtomicU64,
    waits: AtomicU64,
    wait_micros: AtomicU64,
    timeouts: AtomicU64,
    writer_waits: AtomicU64,
    writer_timeouts: AtomicU64,
}

impl PoolCounters {
    pub(crate) fn checked_out(&self, took: Duration) {
        self.checkouts.fetch_add(1, Ordering::Relaxed);
        if took >= WAITED {
            self.waits.fetch_add(1, Ordering::Relaxed);
            let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
            self.wait_micros.fetch_add(micros, Ordering::Relaxed);
        }
    }

    pub(crate) fn timed_out(&self) {
        self.timeouts.fetch_add(1, Ordering::Relaxed);
    }

    /// SQLite: a write queued behind another for the writer thread.
    pub(crate) fn writer_waited(&self) {
        self.writer_waits.fetch_add(1, Ordering::Relaxed);
    }

    /// SQLite: a queued write was not run, having waited past the checkout timeout.
    pub(crate) fn writer_timed_out(&self) {
        self.writer_timeouts.fetch_add(1, Ordering::Relaxed);
    }
}

/// r2d2's hooks, counting into [`PoolCounters`].
#[derive(Debug)]
pub(crate) struct CountingHandler(pub(crate) Arc<PoolCounters>);

impl r2d2::HandleEvent for CountingHandler {
    fn handle_checkout(&self, event: r2d2::event::CheckoutEvent) {
        self.0.checked_out(event.duration());
    }

    fn handle_timeout(&self, _event: r2d2::event::TimeoutEvent) {
        self.0.timed_out();
    }
}

/// The pool at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSnapshot {
    /// The most connections the pool opens.
    pub max_size: u32,
    /// Connections open now.
    pub open: u32,
    /// Open connections no one holds.
    pub idle: u32,
    /// Checkouts since start.
    pub checkouts: u64,
    /// Checkouts that waited for a connection (1 ms or more).
    pub waits: u64,
    /// Total time those checkouts waited, in microseconds.
    pub wait_micros: u64,
    /// Checkouts that gave up after the checkout timeout.
    pub timeouts: u64,
    /// SQLite: writes that found the single writer busy and queued for it.
    pub writer_waits: u64,
    /// SQLite: writes that gave up waiting for the writer.
    pub writer_timeouts: u64,
}

impl PoolSnapshot {
    /// Connections held by someone now.
    pub fn in_use(&self) -> u32 {
        self.open.saturating_sub(self.idle)
    }
}

impl PoolCounters {
    pub(crate) fn snapshot(&self, max_size: u32, state: r2d2::State) -> PoolSnapshot {
        PoolSnapshot {
            max_size,
            open: state.connections,
            idle: state.idle_connections,
            checkouts: self.checkouts.load(Ordering::Relaxed),
            waits: self.waits.load(Ordering::Relaxed),
            wait_micros: self.wait_micros.load(Ordering::Relaxed),
            timeouts: self.timeouts.load(Ordering::Relaxed),
            writer_waits: self.writer_waits.load(Ordering::Relaxed),
            writer_timeouts: self.writer_timeouts.load(Ordering::Relaxed),
        }
    }
}
