//! How many payments each join batch carried (see `group_purchase::batch`), counted in
//! fixed buckets the API serves as a Prometheus histogram: batches of one mean joins
//! arrive one at a time; large ones mean a hot group's payers are sharing commits.

use crate::db::Database;
use std::sync::atomic::{AtomicU64, Ordering};

/// The buckets' upper bounds (batch sizes); the last reaches past the largest batch.
pub const BATCH_SIZE_BOUNDS: [u64; 7] = [1, 2, 4, 8, 16, 32, 64];

/// The counters, one per bucket (not cumulative), shared by every payer of a database.
#[derive(Debug, Default)]
pub(crate) struct BatchSizes {
    buckets: [AtomicU64; BATCH_SIZE_BOUNDS.len()],
    count: AtomicU64,
    sum: AtomicU64,
}

impl BatchSizes {
    /// One batch of `size` payments was applied.
    pub(crate) fn observe(&self, size: usize) {
        let size = u64::try_from(size).unwrap_or(u64::MAX);
        if let Some(i) = BATCH_SIZE_BOUNDS.iter().position(|&b| size <= b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum.fetch_add(size, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> JoinBatchSizes {
        let mut below = 0;
        let buckets = BATCH_SIZE_BOUNDS
            .iter()
            .zip(&self.buckets)
            .map(|(&bound, n)| {
                below += n.load(Ordering::Relaxed);
                (bound, below)
            })
            .collect();
        JoinBatchSizes {
            buckets,
            count: self.count.load(Ordering::Relaxed),
            sum: self.sum.load(Ordering::Relaxed),
        }
    }
}

/// The join batches so far, as a histogram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinBatchSizes {
    /// `(bound, batches of at most bound payments)`, cumulative, by increasing bound.
    pub buckets: Vec<(u64, u64)>,
    /// Batches applied.
    pub count: u64,
    /// Payments they carried.
    pub sum: u64,
}

impl Database {
    /// The sizes of the join batches this database's payers applied since it opened.
    pub fn join_batch_sizes(&self) -> JoinBatchSizes {
        self.joins().sizes.snapshot()
    }

    /// SQLite: how many write jobs (checkouts, payments, any write) each COMMIT of the
    /// writer carried since it opened, in the same buckets (`db/writer.rs`: SQLite's group
    /// commit, where PostgreSQL has join batches). `None` on PostgreSQL.
    pub fn sqlite_commit_sizes(&self) -> Option<JoinBatchSizes> {
        self.writer_commit_sizes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_count_into_cumulative_buckets_with_their_sum() {
        let sizes = BatchSizes::default();
        for size in [1, 1, 3, 48, 100] {
            sizes.observe(size);
        }
        let s = sizes.snapshot();
        assert_eq!(s.count, 5);
        assert_eq!(s.sum, 153);
        assert_eq!(
            s.buckets,
            vec![(1, 2), (2, 2), (4, 3), (8, 3), (16, 3), (32, 3), (64, 4)],
            "a batch past the last bound is counted in count and sum only (+Inf)"
        );
    }
}
